"""Wage-protection tables: construction projects (工程项目), the firms on them (建设单位,
施工总承包单位, 分包单位 — rows of the registry's ``employers``), teams (班组), real-name
workers with their labour contracts (实名制, 劳动合同), the labour-cost payment schedule
(人工费用拨付计划), and which employer a contractor's staff user acts for.

Money is integer fen (``BigInteger``), bounded by :data:`minsheng.core.money.MAX_FEN` at every
edge. Every table carries the project's county (``division_code``) or reaches it through the
project, so a caseworker or inspector sees only their region. The other areas' tables live in
their own modules, imported at the end so ``Base.metadata`` holds the whole programme.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import (
    BigInteger,
    CheckConstraint,
    Date,
    DateTime,
    ForeignKey,
    Integer,
    String,
    UniqueConstraint,
    func,
)
from sqlalchemy.orm import Mapped, mapped_column

from minsheng.db import Base

FEN = BigInteger

PROJECT_STATES = ("active", "completed", "closed")  # 在建 / 竣工 / 关闭
FIRM_ROLES = ("developer", "general", "sub")  # 建设单位 / 施工总承包单位 / 分包单位
RATE_KINDS = ("day", "hour", "piece")  # 计日 / 计时 / 计件


def _in(column: str, values: tuple[str, ...]) -> str:
    return f"{column} IN ({', '.join(repr(v) for v in values)})"


class WgProject(Base):
    """A construction project on the region's real-name platform (工程建设项目)."""

    __tablename__ = "wg_projects"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(32), unique=True)  # 项目编号
    name: Mapped[str] = mapped_column(String(200), index=True)
    division_code: Mapped[str] = mapped_column(String(6), index=True)  # the county responsible
    contract_value: Mapped[int] = mapped_column(FEN)  # 施工合同额
    contract_signed_on: Mapped[dt.date] = mapped_column(Date)  # 施工合同签订日
    start_date: Mapped[dt.date] = mapped_column(Date)  # 开工日期
    end_date: Mapped[dt.date | None] = mapped_column(Date)  # planned completion 计划竣工
    completed_on: Mapped[dt.date | None] = mapped_column(Date)  # 竣工验收
    permit_no: Mapped[str | None] = mapped_column(String(40))  # 施工许可证编号
    officer_name: Mapped[str | None] = mapped_column(String(64))  # 劳资专管员
    state: Mapped[str] = mapped_column(String(12), default="active")
    created_at: Mapped[dt.datetime] = mapped_column(
        DateTime(timezone=True), server_default=func.now()
    )

    __table_args__ = (
        CheckConstraint(_in("state", PROJECT_STATES), name="state"),
        CheckConstraint("contract_value >= 0", name="contract_value"),
        CheckConstraint("end_date IS NULL OR end_date >= start_date", name="period"),
    )


class WgProjectFirm(Base):
    """A firm's part in a project: the developer, the general contractor, a subcontractor."""

    __tablename__ = "wg_project_firms"

    id: Mapped[int] = mapped_column(primary_key=True)
    project_id: Mapped[int] = mapped_column(ForeignKey("wg_projects.id"), index=True)
    employer_id: Mapped[int] = mapped_column(ForeignKey("employers.id"), index=True)
    role: Mapped[str] = mapped_column(String(10))

    __table_args__ = (
        CheckConstraint(_in("role", FIRM_ROLES), name="role"),
        UniqueConstraint("project_id", "employer_id", "role"),
    )


class WgTeam(Base):
    """A team (班组) under the general contractor or a subcontractor of a project."""

    __tablename__ = "wg_teams"

    id: Mapped[int] = mapped_column(primary_key=True)
    project_id: Mapped[int] = mapped_column(ForeignKey("wg_projects.id"), index=True)
    firm_id: Mapped[int] = mapped_column(ForeignKey("wg_project_firms.id"), index=True)
    name: Mapped[str] = mapped_column(String(100))
    leader_person_id: Mapped[int | None] = mapped_column(ForeignKey("persons.id"))  # 班组长

    __table_args__ = (UniqueConstraint("project_id", "name"),)


class WgWorker(Base):
    """A real-name worker's time on a project (实名制): entry with a labour contract on file
    (no contract, no entry — 保障农民工工资支付条例 art. 28), the agreed rate, exit.
    ``open_key`` is the person's id while the membership is open and NULL after exit, so a
    person is on a project at most once at a time."""

    __tablename__ = "wg_workers"

    id: Mapped[int] = mapped_column(primary_key=True)
    project_id: Mapped[int] = mapped_column(ForeignKey("wg_projects.id"), index=True)
    team_id: Mapped[int] = mapped_column(ForeignKey("wg_teams.id"), index=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("persons.id"), index=True)
    division_code: Mapped[str] = mapped_column(String(6), index=True)  # the project's county
    contract_no: Mapped[str] = mapped_column(String(40))  # 劳动合同编号
    contract_signed_on: Mapped[dt.date] = mapped_column(Date)
    rate_kind: Mapped[str] = mapped_column(String(6))
    rate: Mapped[int] = mapped_column(FEN)  # fen per day, hour or piece
    overtime_rate: Mapped[int | None] = mapped_column(FEN)  # fen per overtime hour
    entry_on: Mapped[dt.date] = mapped_column(Date)  # 进场
    exit_on: Mapped[dt.date | None] = mapped_column(Date)  # 退场 (inclusive)
    open_key: Mapped[int | None] = mapped_column(Integer)
    # the work-injury enrolment by project this entry made (pensions), from that day; NULL when
    # the person was already insured for work injury, or the entry asked for none
    injury_enrolled_on: Mapped[dt.date | None] = mapped_column(Date)

    __table_args__ = (
        CheckConstraint(_in("rate_kind", RATE_KINDS), name="rate_kind"),
        CheckConstraint("rate >= 0", name="rate"),
        CheckConstraint("overtime_rate IS NULL OR overtime_rate >= 0", name="overtime_rate"),
        CheckConstraint("exit_on IS NULL OR exit_on >= entry_on", name="period"),
        UniqueConstraint("project_id", "open_key"),
    )


class WgScheduleItem(Base):
    """One instalment of a project's labour-cost payment schedule (人工费用拨付计划): what the
    developer transfers into the dedicated wage account, and by when (art. 24: at most one
    month apart)."""

    __tablename__ = "wg_schedule"

    id: Mapped[int] = mapped_column(primary_key=True)
    project_id: Mapped[int] = mapped_column(ForeignKey("wg_projects.id"), index=True)
    due_on: Mapped[dt.date] = mapped_column(Date)
    amount: Mapped[int] = mapped_column(FEN)

    __table_args__ = (
        CheckConstraint("amount > 0", name="amount"),
        UniqueConstraint("project_id", "due_on"),
    )


# The other areas' tables (each its own module), so Base.metadata holds the whole programme.
from minsheng.wages import (  # noqa: E402
    attendance_models,
    complaint_models,
    deposit_models,
    pay_models,
    warning_models,
)

__all__ = [
    "WgProject",
    "WgProjectFirm",
    "WgScheduleItem",
    "WgTeam",
    "WgWorker",
    "attendance_models",
    "complaint_models",
    "deposit_models",
    "pay_models",
    "warning_models",
]
