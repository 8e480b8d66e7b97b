"""Saved what-if scenarios (保存的测算方案): a reform as the analyst's form wrote it (a value per
parameter and prefecture, from a date), the reform's overlays and the run's report, with who
saved it and when. A scenario is data about policy, not about people: every holder of
``aggregates:read`` may open any scenario through its link, wherever their region; saving one is
audited (``sim_scenario`` ``create``)."""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass
from typing import Any

from sqlalchemy import CheckConstraint, Date, DateTime, Integer, String, Text, func, select
from sqlalchemy.orm import Mapped, Session, mapped_column

from minsheng.core.errors import NotFoundError, invalid
from minsheng.db import Base
from minsheng.foundation import audit
from minsheng.foundation.principals import Principal

NAME_MAX = 80  # characters of a scenario's name (the column's VARCHAR)
MAX_STORED = 200_000  # characters of a stored report: a run's report is a few kilobytes


class SimScenario(Base):
    """One saved scenario. Immutable once saved: a changed reform is saved as a new one."""

    __tablename__ = "sim_scenarios"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(NAME_MAX))
    start: Mapped[dt.date] = mapped_column(Date)  # the reform's start date
    cells: Mapped[str] = mapped_column(Text)  # JSON {form field: text typed}
    reform: Mapped[str] = mapped_column(Text)  # JSON: the overlays the run was given
    result: Mapped[str] = mapped_column(Text)  # JSON: runner.run's report (amounts in fen)
    people: Mapped[int] = mapped_column(Integer)  # the population it ran over
    seed: Mapped[int] = mapped_column(Integer)
    by: Mapped[str] = mapped_column(String(64))  # the saver's actor (user:7)
    by_name: Mapped[str] = mapped_column(String(64))  # and name, as shown
    at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())

    __table_args__ = (CheckConstraint("people >= 0", name="people"),)


@dataclass(frozen=True)
class Scenario:
    """A saved scenario as pages read it."""

    id: int
    name: str
    start: dt.date
    cells: dict[str, str]
    reform: dict[str, Any]
    result: dict[str, Any]
    by: str
    by_name: str
    at: dt.datetime


def _view(row: SimScenario) -> Scenario:
    return Scenario(
        row.id,
        row.name,
        row.start,
        json.loads(row.cells),
        json.loads(row.reform),
        json.loads(row.result),
        row.by,
        row.by_name,
        row.at,
    )


def check_name(name: str) -> str:
    text = " ".join(name.split())
    if not text:
        raise invalid(
            "name",
            "required",
            "请为方案命名",
            "give the scenario a name",
            "འཆར་གཞིའི་མིང་འགོད་རོགས།",
        )
    if len(text) > NAME_MAX:
        raise invalid(
            "name",
            "too_long",
            f"方案名称最多{NAME_MAX}个字",
            f"a scenario's name has at most {NAME_MAX} characters",
            f"འཆར་གཞིའི་མིང་ཡིག་འབྲུ་ {NAME_MAX} ལས་མང་མི་ཆོག",
        )
    return text


def save(
    s: Session,
    by: Principal,
    *,
    name: str,
    start: dt.date,
    cells: dict[str, str],
    reform: dict[str, Any],
    result: dict[str, Any],
) -> Scenario:
    """Store a scenario and audit who saved it (in the caller's unit of work)."""
    text = check_name(name)
    stored = json.dumps(result, ensure_ascii=False, sort_keys=True)
    if len(stored) > MAX_STORED:
        raise invalid(
            "result", "too_large", "测算结果过大，无法保存", "the result is too large to save"
        )
    row = SimScenario(
        name=text,
        start=start,
        cells=json.dumps(cells, ensure_ascii=False, sort_keys=True),
        reform=json.dumps(reform, ensure_ascii=False, sort_keys=True, default=str),
        result=stored,
        people=int(result["population"]["people"]),
        seed=int(result["population"]["seed"]),
        by=by.actor,
        by_name=by.name[:64],
    )
    s.add(row)
    s.flush()
    audit.record(
        s,
        by,
        "create",
        "sim_scenario",
        row.id,
        None,
        {"name": text, "start": start.isoformat(), "changes": len(cells)},
    )
    s.refresh(row)
    return _view(row)


def get(s: Session, scenario_id: int) -> Scenario:
    row = s.get(SimScenario, scenario_id)
    if row is None:
        raise NotFoundError(
            "scenario",
            f"没有编号为{scenario_id}的方案",
            f"no scenario {scenario_id}",
            f"འཆར་གཞི་ {scenario_id} མི་འདུག",
        )
    return _view(row)


def listing(s: Session, offset: int, limit: int) -> tuple[list[Scenario], int]:
    """One page of the saved scenarios, newest first, and how many there are."""
    total = s.scalar(select(func.count()).select_from(SimScenario)) or 0
    rows = s.scalars(
        select(SimScenario).order_by(SimScenario.id.desc()).offset(offset).limit(limit)
    ).all()
    return [_view(r) for r in rows], int(total)
