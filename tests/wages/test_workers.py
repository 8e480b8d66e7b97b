"""Real-name workers (issue 13 point 2, first half): entry only with a registered identity
and a labour contract (art. 28), one open membership per person per project, exit, moving
team, work-injury insurance by project through pensions.commands; bad input changes nothing;
the ID number appears in no error."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from minsheng.core import ids
from minsheng.core.errors import ConflictError, MinshengError, NotFoundError
from minsheng.foundation.models import AuditEntry
from minsheng.foundation.principals import staff
from minsheng.pensions.models import PnEnrolment
from minsheng.wages import projects, workers
from minsheng.wages.models import WgTeam, WgWorker
from minsheng.wages.schemas import TeamIn
from tests.wages.project_kit import BY, GENERAL, TODAY, counts, filed, person, worker_in

TABLES = (WgWorker, PnEnrolment, AuditEntry)


def _team(s: Session, project_id: int) -> int:
    team = s.scalar(select(WgTeam.id).where(WgTeam.project_id == project_id))
    assert team is not None
    return team


def test_entry_with_a_contract_enrols_work_injury_by_project(session: Session) -> None:
    project = filed(session)
    pid, number = person(session, 31)
    w = workers.enter(session, project.id, worker_in(number, _team(session, project.id)), BY, TODAY)
    assert (w.person_id, w.rate_kind, w.rate, w.overtime_rate) == (pid, "day", 30_000, 5_625)
    assert w.open_key == pid and w.injury_enrolled_on == dt.date(2026, 3, 2)
    enrolment = session.scalars(select(PnEnrolment).where(PnEnrolment.person_id == pid)).one()
    assert (enrolment.scheme, enrolment.start_date) == ("work_injury", dt.date(2026, 3, 2))
    out = workers.worker_out(w, *workers.workers_of(session, project)[0][1:])
    assert out["id_masked"] == number[:4] + "*" * 14 and number not in str(out)


def test_injury_wage_from_the_rate() -> None:
    day = dt.date(2026, 3, 2)
    assert workers.injury_wage("day", 30_000, day, "540102") == "6525.00"  # 300 × 21.75
    assert workers.injury_wage("hour", 4_000, day, "540102") == "6960.00"  # 40 × 8 × 21.75
    assert workers.injury_wage("piece", 100, day, "540102") == "0"


@pytest.mark.parametrize(
    ("over", "field", "rule"),
    [
        ({"contract_no": None}, "contract_no", "contract_required"),
        ({"contract_no": ""}, "contract_no", "contract_required"),
        ({"contract_signed_on": None}, "contract_signed_on", "contract_required"),
        ({"contract_signed_on": "2026-03-05"}, "contract_signed_on", "after_entry"),
        ({"rate_kind": "month"}, "rate_kind", "rate_kind"),
        ({"rate": "0"}, "rate", "positive"),
        ({"overtime_rate": "-1"}, "overtime_rate", "positive"),
        ({"entry_on": "2026-12-01"}, "entry_on", "out_of_period"),
        (
            {"entry_on": "2026-01-01", "contract_signed_on": "2026-01-01"},
            "entry_on",
            "out_of_period",
        ),
        ({"id_number": "540102198804040000"}, "id_number", None),  # bad check digit
    ],
)
def test_bad_entry_is_refused_and_changes_nothing(
    session: Session, over: dict[str, object], field: str, rule: str | None
) -> None:
    project = filed(session)
    _, number = person(session, 32)
    before = counts(session, *TABLES)
    with pytest.raises(MinshengError) as err:
        workers.enter(
            session, project.id, worker_in(number, _team(session, project.id), **over), BY, TODAY
        )
    assert err.value.field == field
    if rule:
        assert err.value.rule == rule
    assert counts(session, *TABLES) == before


def test_an_unregistered_identity_cannot_enter_and_is_not_echoed(session: Session) -> None:
    project = filed(session)
    number = ids.make_resident_id("540102", dt.date(1990, 2, 2), 77)
    before = counts(session, *TABLES)
    with pytest.raises(MinshengError) as err:
        workers.enter(session, project.id, worker_in(number, _team(session, project.id)), BY, TODAY)
    assert (err.value.field, err.value.rule) == ("id_number", "not_registered")
    assert number not in str(err.value.to_dict())
    assert counts(session, *TABLES) == before


def test_one_open_membership_then_exit_and_reentry(session: Session) -> None:
    project = filed(session)
    _, number = person(session, 33)
    team = _team(session, project.id)
    w = workers.enter(session, project.id, worker_in(number, team), BY, TODAY)
    with pytest.raises(ConflictError) as err:
        workers.enter(session, project.id, worker_in(number, team), BY, TODAY)
    assert err.value.rule == "already_on_project"
    with pytest.raises(MinshengError):
        workers.leave(session, w.id, dt.date(2026, 3, 1), BY, TODAY)  # before entry
    workers.leave(session, w.id, dt.date(2026, 5, 31), BY, TODAY)
    assert (w.exit_on, w.open_key) == (dt.date(2026, 5, 31), None)
    with pytest.raises(ConflictError):
        workers.leave(session, w.id, dt.date(2026, 6, 1), BY, TODAY)
    again = workers.enter(
        session, project.id, worker_in(number, team, entry_on="2026-06-10"), BY, TODAY
    )
    # insured by project: the exit ended the entry's enrolment on the last day, the re-entry
    # made a new one from its own first day
    spells = session.execute(
        select(PnEnrolment.start_date, PnEnrolment.end_date).order_by(PnEnrolment.id)
    ).all()
    assert [tuple(r) for r in spells] == [
        (dt.date(2026, 3, 2), dt.date(2026, 5, 31)),
        (dt.date(2026, 6, 10), None),
    ]
    assert again.injury_enrolled_on == dt.date(2026, 6, 10)


def test_exit_keeps_the_enrolment_another_project_relies_on(session: Session) -> None:
    first, second = filed(session), filed(session, name="第二个项目")
    _, number = person(session, 36)
    a = workers.enter(session, first.id, worker_in(number, _team(session, first.id)), BY, TODAY)
    b = workers.enter(session, second.id, worker_in(number, _team(session, second.id)), BY, TODAY)
    assert (a.injury_enrolled_on, b.injury_enrolled_on) == (dt.date(2026, 3, 2), None)
    workers.leave(session, a.id, dt.date(2026, 5, 31), BY, TODAY)
    # still on the second project, insured through the first's enrolment: it stays open
    assert session.scalars(select(PnEnrolment.end_date)).all() == [None]
    workers.leave(session, b.id, dt.date(2026, 6, 30), BY, TODAY)
    assert session.scalars(select(PnEnrolment.end_date)).all() == [None]  # b made none


def test_move_team_within_the_project_only(session: Session) -> None:
    project = filed(session)
    other = filed(session, name="另一个项目")
    _, number = person(session, 34)
    w = workers.enter(session, project.id, worker_in(number, _team(session, project.id)), BY, TODAY)
    wood = projects.add_team(session, project.id, TeamIn(name="木工班组", credit_code=GENERAL), BY)
    with pytest.raises(MinshengError) as err:
        workers.move(session, w.id, _team(session, other.id), BY)
    assert err.value.rule == "other_project"
    workers.move(session, w.id, wood.id, BY)
    assert w.team_id == wood.id


def test_no_entry_on_a_completed_project(session: Session) -> None:
    project = filed(session)
    projects.complete_project(session, project.id, dt.date(2026, 6, 30), BY, today=TODAY)
    _, number = person(session, 35)
    with pytest.raises(ConflictError) as err:
        workers.enter(session, project.id, worker_in(number, _team(session, project.id)), BY, TODAY)
    assert err.value.rule == "not_active"


def test_a_worker_elsewhere_answers_as_missing(session: Session) -> None:
    project = filed(session)
    _, number = person(session, 36)
    w = workers.enter(session, project.id, worker_in(number, _team(session, project.id)), BY, TODAY)
    shigatse = staff(1, "cw", "caseworker", "540200")
    before = counts(session, *TABLES)
    for act in (
        lambda: workers.leave(session, w.id, dt.date(2026, 5, 1), shigatse, TODAY),
        lambda: workers.move(session, w.id, _team(session, project.id), shigatse),
        lambda: workers.enter(
            session, project.id, worker_in(number, _team(session, project.id)), shigatse, TODAY
        ),
    ):
        with pytest.raises(NotFoundError):
            act()
    assert counts(session, *TABLES) == before


def test_a_rate_beyond_its_bound_is_refused_by_the_schema() -> None:
    from pydantic import ValidationError

    with pytest.raises(ValidationError) as err:
        worker_in(ids.make_resident_id("540102", dt.date(1990, 2, 2), 78), 1, rate="10000.01")
    assert err.value.errors()[0]["loc"] == ("rate",)
