"""One event writer (issue 11, point 5): the case engine owns the one way a step's event row
(day, action, states before and after, who answers for it, reason; ``at`` from the database)
and its audit entry are written. A case's and a warning's steps both go through it; no
module builds an event row of its own (SQLite and PostgreSQL)."""

from __future__ import annotations

import ast
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine, select

from minsheng.assistance import monitoring, service
from minsheng.assistance.models import Case, CaseEvent, Warning, WarningEvent
from minsheng.assistance.schemas import CaseIn
from minsheng.bundles.models import BundleEvent
from minsheng.cards.models import CardEvent
from minsheng.cases import engine as cases
from minsheng.db import make_sessionmaker
from minsheng.foundation.models import AuditEntry
from minsheng.pensions.models import PnAwardEvent, PnRecoveryEvent, PnTransferEvent
from tests.assistance.conftest import BY, TODAY, monthly_income

SRC = Path(__file__).resolve().parents[2] / "src" / "minsheng"
EVENT_ROWS = {
    CaseEvent.__name__,
    WarningEvent.__name__,
    CardEvent.__name__,
    PnAwardEvent.__name__,
    PnRecoveryEvent.__name__,
    PnTransferEvent.__name__,
    BundleEvent.__name__,
}


def _builders(path: Path) -> list[str]:
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Call):
            f = node.func
            name = (
                f.id if isinstance(f, ast.Name) else f.attr if isinstance(f, ast.Attribute) else ""
            )
            if name in EVENT_ROWS:
                found.append(f"{path.relative_to(SRC)}:{node.lineno} builds {name}")
    return found


def test_no_module_builds_an_event_row_of_its_own() -> None:
    built = [b for p in sorted(SRC.glob("**/*.py")) for b in _builders(p)]
    assert built == [], "write event rows with minsheng.cases.engine.write_event"


def test_a_cases_and_a_warnings_steps_are_written_by_the_engine(
    engine: Engine, world: dict[str, int], monkeypatch: pytest.MonkeyPatch
) -> None:
    seen: list[tuple[str, str, str]] = []
    real = cases.write_event

    def spy(session: Any, row: Any, event: cases.Event, by: Any, **kw: Any) -> Any:
        seen.append((row.__name__, event.action, kw["resource"]))
        return real(session, row, event, by, **kw)

    monkeypatch.setattr(cases, "write_event", spy)
    with make_sessionmaker(engine)() as s:
        monthly_income(s, world["household"], world["head"], "100")
        case = service.open_case(
            s, CaseIn(household_id=world["household"], programme="dibao"), BY, TODAY
        )
        service.act(s, case.id, "check", BY, today=TODAY)
        monitoring.scan(s, BY, today=TODAY)
        w = s.scalars(select(Warning).where(Warning.household_id == world["household"])).first()
        assert w is not None
        monitoring.handle(s, w.id, "checking", BY, today=TODAY)
        s.commit()
        assert seen == [
            ("CaseEvent", "apply", "assistance_case"),
            ("CaseEvent", "check", "assistance_case"),
            ("WarningEvent", "check", "assistance_warning"),
        ]
        # the rows and audit entries are what they were before the engine wrote them
        checked = s.get(Case, case.id)
        assert checked is not None
        rows = s.scalars(select(CaseEvent).where(CaseEvent.case_id == case.id)).all()
        assert [(e.action, e.from_state, e.to_state, e.amount, e.by) for e in rows] == [
            ("apply", None, "applied", 0, "system:test"),
            ("check", "applied", "checking", checked.monthly_amount, "system:test"),
        ]
        assert all(e.at is not None and e.day == TODAY for e in rows)
        entry = s.scalars(
            select(AuditEntry)
            .where(AuditEntry.resource == "assistance_warning", AuditEntry.record_id == str(w.id))
            .order_by(AuditEntry.id.desc())
        ).first()
        assert entry is not None and entry.action == "handle" and entry.actor == "system:test"
        s.rollback()
