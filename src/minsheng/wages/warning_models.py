"""Wage-protection tables: monitoring and early warning (监控预警).

- ``wg_warnings`` — one warning per project and cause while it is open (``open_key`` =
  ``p<project>:<cause>`` while open, NULL once closed, unique), its level (blue / yellow /
  red), the figures that raised it (``reasons``, JSON), when it was first raised and last
  escalated, and its place in the county inspector's queue (state, deadline, assignee, the
  reason it was closed). The scan (:mod:`minsheng.wages.monitoring`) opens, escalates and
  resolves them; inspectors work them on :data:`minsheng.wages.warning_workflow.WARNING`.
- ``wg_warning_events`` — each step of a warning's history (raised, escalated, resolved by the
  scan; checked, rectified, proposed or confirmed unfounded by people).
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import (
    CheckConstraint,
    Date,
    DateTime,
    ForeignKey,
    Index,
    String,
    Text,
    func,
)
from sqlalchemy.orm import Mapped, mapped_column

from minsheng.db import Base

CAUSES = (
    "transfer_late",  # 人工费用未按月拨付 (条例 art. 24)
    "no_pay_sheet",  # 当月未编制工资支付表
    "attendance_unpaid",  # 有考勤无发放
    "pay_below",  # 发放低于考勤 × 约定单价
    "account_missing",  # 专用账户未开设或未备案
    "deposit_missing",  # 工资保证金未存储
    "no_contract",  # 无劳动合同进场
    "balance_low",  # 专用账户余额不足下期工资
    "complaint_cluster",  # 投诉集中
)
LEVELS = ("blue", "yellow", "red")  # 蓝色 / 黄色 / 红色
WARNING_STATES = ("new", "checking", "unfounded_proposed", "rectified", "unfounded", "resolved")


def _in(column: str, values: tuple[str, ...]) -> str:
    return f"{column} IN ({', '.join(repr(v) for v in values)})"


class WgWarning(Base):
    """A monitoring warning about one project and one cause, in its county's queue."""

    __tablename__ = "wg_warnings"

    id: Mapped[int] = mapped_column(primary_key=True)
    project_id: Mapped[int] = mapped_column(ForeignKey("wg_projects.id"), index=True)
    division_code: Mapped[str] = mapped_column(String(6), index=True)  # the project's county
    cause: Mapped[str] = mapped_column(String(24))
    open_key: Mapped[str | None] = mapped_column(String(40), unique=True)
    level: Mapped[str] = mapped_column(String(6))
    reasons: Mapped[str] = mapped_column(Text, default="{}")  # JSON: the figures
    state: Mapped[str] = mapped_column(String(20), default="new")
    raised_on: Mapped[dt.date] = mapped_column(Date)  # first raised
    escalated_on: Mapped[dt.date | None] = mapped_column(Date)  # last raised a level
    deadline: Mapped[dt.date] = mapped_column(Date)  # the inspector's, in working days
    assignee: Mapped[str | None] = mapped_column(String(64), index=True)  # user:N (分派)
    handled_by: Mapped[str | None] = mapped_column(String(64))
    resolution: Mapped[str | None] = mapped_column(String(400))
    closed_on: Mapped[dt.date | None] = mapped_column(Date)

    __table_args__ = (
        CheckConstraint(_in("cause", CAUSES), name="cause"),
        CheckConstraint(_in("level", LEVELS), name="level"),
        CheckConstraint(_in("state", WARNING_STATES), name="state"),
        Index("ix_wg_warnings_state_deadline", "state", "deadline"),
    )


class WgWarningEvent(Base):
    """One step of a warning's history."""

    __tablename__ = "wg_warning_events"

    id: Mapped[int] = mapped_column(primary_key=True)
    warning_id: Mapped[int] = mapped_column(ForeignKey("wg_warnings.id"), index=True)
    at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
    day: Mapped[dt.date] = mapped_column(Date)
    action: Mapped[str] = mapped_column(String(20))
    from_state: Mapped[str | None] = mapped_column(String(20))
    to_state: Mapped[str] = mapped_column(String(20))
    note: Mapped[str | None] = mapped_column(String(400))
    by: Mapped[str] = mapped_column(String(64))


__all__ = ["CAUSES", "LEVELS", "WARNING_STATES", "WgWarning", "WgWarningEvent"]
