"""员工录用一件事 and 社保卡申领 (issue 12 point 9) end to end on both databases: the hire is
registered with the employer's credit code and start date, the employee enrolled in employee
pension (the resident scheme ended the day before: one pension scheme at a time), 职工在职
medical insurance, work injury and unemployment; a bad credit code or a clash refuses the
whole bundle and writes no part; the card is applied for through the card service."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from sqlalchemy import Engine, select

from minsheng.bundles import service
from minsheng.bundles.models import BundlePart
from minsheng.bundles.schemas import CardIn, HireIn
from minsheng.cards.models import SocialCard
from minsheng.core import ids
from minsheng.db import make_sessionmaker, unit_of_work
from minsheng.pensions import enrolment
from minsheng.pensions.models import PnEnrolment
from minsheng.pensions.schemas import EnrolIn
from minsheng.registry.enrolment import add_enrolment
from minsheng.registry.models import Enrolment
from minsheng.registry.schemas import EnrolmentIn
from tests.bundles.kit import BY, CREDIT, TODAY, changed, counts, employer, person

START = dt.date(2025, 7, 1)


def _resident(s: object, seq: int) -> int:
    pid = person(s, seq, born=dt.date(1990, 3, 3))  # type: ignore[arg-type]
    enrolment.enrol(
        s,  # type: ignore[arg-type]
        EnrolIn(person_id=pid, scheme="resident_pension", start_date=dt.date(2024, 1, 1)),
        BY,
    )
    add_enrolment(s, pid, EnrolmentIn(scheme="resident", start_date=dt.date(2024, 1, 1)), BY)  # type: ignore[arg-type]
    return pid


def test_hire_registers_and_enrols_in_four_schemes(engine: Engine) -> None:
    with unit_of_work(make_sessionmaker(engine)) as s:
        eid = employer(s)
        pid = _resident(s, 5)
        form = HireIn(person_id=pid, credit_code=CREDIT, wage="9000", start_date=START)
        bundle, new = service.apply(s, "hire", form, BY, today=TODAY)
        assert new and bundle.state == "done", bundle.error
        out = service.bundle_out(s, bundle)
        assert [(p["name"], p["state"]) for p in out["parts"]] == [
            ("employment", "done"),
            ("employee_pension", "done"),
            ("medical", "done"),
            ("work_injury", "done"),
            ("unemployment", "done"),
        ]
        hire = out["parts"][0]["result"]
        assert (hire["employer_id"], hire["credit_code"], hire["start_date"]) == (
            eid,
            CREDIT,
            "2025-07-01",
        )
        rows = s.scalars(
            select(PnEnrolment).where(PnEnrolment.person_id == pid).order_by(PnEnrolment.id)
        ).all()
        assert [(e.scheme, e.start_date, e.end_date, e.employer_id) for e in rows] == [
            ("resident_pension", dt.date(2024, 1, 1), dt.date(2025, 6, 30), None),
            ("employee_pension", START, None, eid),
            ("work_injury", START, None, eid),
            ("unemployment", START, None, eid),
        ]
        assert out["parts"][1]["result"]["resident_pension_ended"] == "2025-06-30"
        medical_rows = s.scalars(
            select(Enrolment).where(Enrolment.person_id == pid).order_by(Enrolment.start_date)
        ).all()
        assert [(e.scheme, e.end_date, e.employer_id) for e in medical_rows] == [
            ("resident", dt.date(2025, 6, 30), None),
            ("employee_active", None, eid),
        ]


@pytest.mark.parametrize(
    ("code", "field", "rule", "part"),
    [
        ("91540102MA6T00001X", "credit_code", None, "employment"),  # a bad check character
        (ids.make_credit_code("540102", 99), "credit_code", "not_found", "employment"),
    ],
)
def test_a_bad_credit_code_refuses_the_hire_and_writes_no_part(
    engine: Engine, code: str, field: str, rule: str | None, part: str
) -> None:
    with unit_of_work(make_sessionmaker(engine)) as s:
        employer(s)
        pid = _resident(s, 7)
        rows = counts(s)
        form = HireIn(person_id=pid, credit_code=code, wage="9000", start_date=START)
        bundle, _ = service.apply(s, "hire", form, BY, today=TODAY)
        assert bundle.state == "refused"
        error = json.loads(bundle.error or "{}")
        assert (error["part"], error["field"]) == (part, field)
        assert rule is None or error["rule"] == rule
        assert changed(rows, counts(s)) == {}


def test_a_clash_in_a_later_part_undoes_the_earlier_ones(engine: Engine) -> None:
    """The person is already in unemployment insurance from another job: the last part
    refuses, and the pension, medical and work-injury enrolments made before it are undone."""
    with unit_of_work(make_sessionmaker(engine)) as s:
        employer(s)
        other = ids.make_credit_code("540102", 42)
        employer(s, other)
        pid = _resident(s, 9)
        enrolment.enrol(
            s,
            EnrolIn(
                person_id=pid,
                scheme="unemployment",
                credit_code=other,
                wage="5000",
                start_date=dt.date(2025, 1, 1),
            ),
            BY,
        )
        rows = counts(s)
        form = HireIn(person_id=pid, credit_code=CREDIT, wage="9000", start_date=START)
        bundle, _ = service.apply(s, "hire", form, BY, today=TODAY)
        assert bundle.state == "refused"
        error = json.loads(bundle.error or "{}")
        assert (error["part"], error["field"], error["rule"]) == (
            "unemployment",
            "start_date",
            "enrolment_overlap",
        )
        states = s.scalars(
            select(BundlePart.state)
            .where(BundlePart.bundle_id == bundle.id)
            .order_by(BundlePart.seq)
        ).all()
        assert states == ["rolled_back"] * 4 + ["refused"]
        assert changed(rows, counts(s)) == {}
        ended = s.scalars(
            select(PnEnrolment.end_date).where(
                PnEnrolment.person_id == pid, PnEnrolment.scheme == "resident_pension"
            )
        ).all()
        assert ended == [None]  # the resident scheme's end was undone too


def test_card_application_goes_through_the_card_service(engine: Engine) -> None:
    with unit_of_work(make_sessionmaker(engine)) as s:
        pid = person(s, 11, born=dt.date(1985, 1, 1))
        bundle, new = service.apply(s, "card", CardIn(person_id=pid), BY, today=TODAY)
        assert new and bundle.state == "done"
        card = s.scalar(select(SocialCard).where(SocialCard.person_id == pid))
        assert card is not None and card.state == "applied" and card.division_code == "540102"
        result = service.bundle_out(s, bundle)["parts"][0]["result"]
        assert (result["card_id"], result["number"]) == (card.id, card.number)
        # a second application another day: the card service refuses (one live card)
        again, _ = service.apply(
            s, "card", CardIn(person_id=pid), BY, today=TODAY + dt.timedelta(days=1)
        )
        assert again.state == "refused"
        assert json.loads(again.error or "{}")["rule"] == "card_exists"


def test_a_longer_code_after_a_done_hire_is_refused_not_taken_for_the_first(
    engine: Engine,
) -> None:
    """The natural key of a done hire once cut the code to 18 characters, so the code with a
    character more was answered as the done hire instead of refused for its length."""
    with unit_of_work(make_sessionmaker(engine)) as s:
        employer(s)
        pid = _resident(s, 9)
        first, _ = service.apply(
            s,
            "hire",
            HireIn(person_id=pid, credit_code=CREDIT, wage="9000", start_date=START),
            BY,
            today=TODAY,
        )
        assert first.state == "done"
        form = HireIn(person_id=pid, credit_code=CREDIT + "7", wage="9000", start_date=START)
        again, new = service.apply(s, "hire", form, BY, today=TODAY)
        assert new and again.id != first.id and again.state == "refused"
        assert json.loads(again.error or "{}")["field"] == "credit_code"
