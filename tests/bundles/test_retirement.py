"""退休一件事 (issue 12 point 9, retirement) end to end on both databases: one application
awards the pension, stops every employee-scheme contribution and moves the person from 职工在职
to 职工退休 in medical insurance — a settlement before the first pension month pays the working
employee's ratio, one after it the retiree's. All or nothing: a person not yet of retirement
age gets a refused bundle naming the field, and no part's rows are written."""

from __future__ import annotations

import datetime as dt
import json

from sqlalchemy import Engine, select

from minsheng.bundles import service
from minsheng.bundles.models import Bundle, BundleEvent, BundlePart
from minsheng.bundles.schemas import RetirementIn
from minsheng.db import make_sessionmaker, unit_of_work
from minsheng.medical import service as medical
from minsheng.medical.schemas import BillIn
from minsheng.pensions.models import PnAward, PnEnrolment
from minsheng.registry.models import Enrolment
from minsheng.registry.organisations import create_facility
from minsheng.registry.schemas import FacilityIn
from tests.bundles.kit import BY, TODAY, changed, counts, employer, retiring


def _bill(pid: int, day: dt.date) -> BillIn:
    return BillIn.model_validate(
        {
            "patient": {"person_id": pid},
            "facility_code": "H54010200001",
            "visit": "inpatient",
            "service_date": day.isoformat(),
            "diagnosis": "J18.900",
            "lines": [{"code": "A1", "category": "甲", "quantity": "1", "unit_price": "10000.00"}],
        }
    )


def test_retirement_awards_stops_contributions_and_moves_medical(engine: Engine) -> None:
    with unit_of_work(make_sessionmaker(engine)) as s:
        employer(s)
        create_facility(s, FacilityIn(code="H54010200001", name="城关区人民医院", level=2), BY)
        pid = retiring(s, 1)
        before = medical.settle(s, _bill(pid, dt.date(2025, 5, 20)), BY)
        bundle, new = service.apply(s, "retirement", RetirementIn(person_id=pid), BY, today=TODAY)
        assert new and bundle.state == "done"
        out = service.bundle_out(s, bundle)
        assert [(p["name"], p["programme"], p["state"]) for p in out["parts"]] == [
            ("pension", "pensions", "done"),
            ("contributions", "pensions", "done"),
            ("medical", "medical", "done"),
        ]
        award = s.scalar(select(PnAward).where(PnAward.person_id == pid))
        assert award is not None and award.state == "active" and award.start_month == "2025-06"
        assert out["parts"][0]["result"]["id"] == award.id
        assert out["parts"][0]["result"]["monthly_fen"] == award.monthly > 0
        # every employee scheme ends the day before the first month paid
        ends = {
            e.scheme: e.end_date
            for e in s.scalars(select(PnEnrolment).where(PnEnrolment.person_id == pid))
        }
        assert ends == dict.fromkeys(
            ("employee_pension", "work_injury", "unemployment"), dt.date(2025, 5, 31)
        )
        assert sorted(out["parts"][1]["result"]["ended"]) == ["unemployment", "work_injury"]
        medical_rows = s.scalars(
            select(Enrolment).where(Enrolment.person_id == pid).order_by(Enrolment.start_date)
        ).all()
        assert [(e.scheme, e.start_date, e.end_date) for e in medical_rows] == [
            ("employee_active", dt.date(2023, 1, 1), dt.date(2025, 5, 31)),
            ("employee_retired", dt.date(2025, 6, 1), None),
        ]
        s.expire_all()
        after = medical.settle(s, _bill(pid, dt.date(2025, 6, 10)), BY)
        ratio = {x.fund: x.ratio for x in before.explanation}["basic"]
        retired_ratio = {x.fund: x.ratio for x in after.explanation}["basic"]
        assert ratio != retired_ratio  # the retiree's ratio applies from the next bill
        assert after.basic > before.basic
        events = s.scalars(select(BundleEvent).where(BundleEvent.bundle_id == bundle.id)).all()
        assert [(e.action, e.from_state, e.to_state) for e in events] == [
            ("apply", None, "received"),
            ("complete", "received", "done"),
        ]


def test_not_yet_of_age_is_refused_and_writes_no_part(engine: Engine) -> None:
    with unit_of_work(make_sessionmaker(engine)) as s:
        employer(s)
        pid = retiring(s, 3, born=dt.date(1970, 5, 10))
        rows = counts(s)
        bundle, _ = service.apply(s, "retirement", RetirementIn(person_id=pid), BY, today=TODAY)
        assert bundle.state == "refused"
        error = json.loads(bundle.error or "{}")
        assert (error["part"], error["field"], error["rule"]) == ("pension", "start", "too_young")
        assert changed(rows, counts(s)) == {}  # no award, no enrolment ended, no medical move
        assert s.scalar(select(PnAward).where(PnAward.person_id == pid)) is None
        open_ends = s.scalars(select(PnEnrolment.end_date).where(PnEnrolment.person_id == pid))
        assert set(open_ends) == {None}
        states = s.scalars(
            select(BundlePart.state)
            .where(BundlePart.bundle_id == bundle.id)
            .order_by(BundlePart.seq)
        ).all()
        assert states == ["refused", "not_run", "not_run"]
        assert s.scalar(select(Bundle.done_key).where(Bundle.id == bundle.id)) is None
