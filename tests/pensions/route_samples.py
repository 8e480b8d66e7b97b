"""The route matrix's samples for the pensions routes, and the records they point at: the Lhasa
resident of the matrix (低保, so the government pays) in the resident scheme, and a Lhasa
employee of the matrix's employer in the employee schemes."""

from __future__ import annotations

import datetime as dt

from sqlalchemy.orm import Session

from minsheng.core import ids
from minsheng.pensions import contributions, enrolment, government
from minsheng.pensions.schemas import EmployeeContributionIn, EnrolIn, ResidentContributionIn
from minsheng.registry import service as registry
from minsheng.registry.schemas import PersonIn
from tests.pensions.recovery_samples import COLLECTIONS as RECOVERY_COLLECTIONS
from tests.pensions.recovery_samples import populate_recovery, recovery_samples
from tests.pensions.transfer_samples import COLLECTIONS as TRANSFER_COLLECTIONS
from tests.pensions.transfer_samples import populate_transfers, transfer_samples
from tests.route_kit import BY, P1_ID, Samples, World

COLLECTIONS = (
    {
        ("GET", "/api/me/pensions"),
        ("POST", "/api/pensions/government-paid/{year}"),
        ("GET", "/api/pensions/government-paid/{year}/list.csv"),
        ("POST", "/api/pensions/credit/{year}"),
        ("POST", "/api/pensions/medical-credit"),
        ("GET", "/me/pensions"),  # the citizen's own
        ("GET", "/me/pensions/estimate"),
        ("GET", "/api/pensions/certification/queue"),
        ("GET", "/pensions/certification"),  # the desk pages (desk_pages.py, roll_pages.py)
        ("GET", "/pensions/rolls"),
    }
    | RECOVERY_COLLECTIONS
    | TRANSFER_COLLECTIONS
)
REGION_FREE = {
    ("GET", "/pensions"),  # the desk's find form: no record on it
    ("GET", "/pensions/transfers"),  # the transfer rules over the form's figures
}

THIS_YEAR = dt.date.today().year
LAST_YEAR = THIS_YEAR - 1
CREDIT_CODE = ids.make_credit_code("540102", 77)  # the matrix's Lhasa employer


def populate(s: Session, w: World) -> None:
    worker = registry.create_person(
        s, PersonIn(id_number=w.new_id(), name_zh="测试拉萨职工", hukou="urban"), BY
    )
    start = dt.date(LAST_YEAR, 1, 1)
    resident = enrolment.enrol(
        s,
        EnrolIn(person_id=w.ids["person"], scheme="resident_pension", start_date=start),
        BY,
    )
    for scheme in ("employee_pension", "work_injury"):
        e = enrolment.enrol(
            s,
            EnrolIn(
                person_id=worker.id,
                scheme=scheme,
                credit_code=CREDIT_CODE,
                wage="8000",
                start_date=start,
            ),
            BY,
        )
        w.ids[f"pn_{scheme}"] = e.id
    contributions.record_resident(
        s, ResidentContributionIn(person_id=w.ids["person"], year=LAST_YEAR, tier="300"), BY
    )
    contributions.record_employee(
        s,
        EmployeeContributionIn(person_id=worker.id, year=LAST_YEAR, from_month=1, to_month=3),
        BY,
    )
    government.government_paid(s, THIS_YEAR, BY)  # the Lhasa resident is on 低保
    w.ids.update(pn_resident=resident.id, pn_worker=worker.id)
    populate_awards(s, w)
    populate_recovery(s, w)
    populate_transfers(s, w)


def samples(w: World) -> Samples:
    year = {"year": LAST_YEAR}
    this_year = {"year": THIS_YEAR}
    return {
        ("POST", "/api/pensions/enrolments"): {
            "json": {
                "person_id": w.ids["pn_worker"],
                "scheme": "unemployment",
                "credit_code": CREDIT_CODE,
                "wage": "8000",
                "start_date": f"{LAST_YEAR}-01-01",
            }
        },
        ("POST", "/api/pensions/enrolments/{enrolment_id}/end"): {
            "path": {"enrolment_id": w.ids["pn_work_injury"]},
            "json": {"end_date": f"{LAST_YEAR}-12-31"},
        },
        ("POST", "/api/pensions/enrolments/{enrolment_id}/suspend"): {
            "path": {"enrolment_id": w.ids["pn_resident"]},
            "json": {"on": None},
        },
        ("POST", "/api/pensions/contributions/resident"): {
            "json": {"person_id": w.ids["person"], "year": LAST_YEAR, "tier": "300"}
        },
        ("POST", "/api/pensions/contributions/employee"): {
            "json": {
                "person_id": w.ids["pn_worker"],
                "year": LAST_YEAR,
                "from_month": 1,
                "to_month": 3,
            }
        },
        ("GET", "/api/pensions/persons/{person_id}"): {"path": {"person_id": w.ids["person"]}},
        ("GET", "/api/me/pensions"): {},
        ("POST", "/api/pensions/government-paid/{year}"): {"path": this_year},
        ("GET", "/api/pensions/government-paid/{year}/list.csv"): {
            "path": this_year,
            "marker": "测试拉萨人",
        },
        ("POST", "/api/pensions/credit/{year}"): {"path": year},
        ("POST", "/api/pensions/medical-credit"): {"json": {"year": LAST_YEAR, "month": 2}},
        **award_samples(w),
        **recovery_samples(w),
        **transfer_samples(w),
        **desk_page_samples(w),
        # the pages (pensions/pages.py)
        ("GET", "/me/pensions"): {},
        ("GET", "/me/pensions/estimate"): {},
        ("GET", "/pensions"): {},
        ("POST", "/pensions/find"): {"data": {"id_number": P1_ID}},
        ("GET", "/pensions/persons/{person_id}"): {"path": {"person_id": w.ids["person"]}},
        ("POST", "/pensions/persons/{person_id}/enrolments"): {
            "path": {"person_id": w.ids["person"]},
            "data": {"scheme": "resident_pension", "start_date": f"{LAST_YEAR}-01-01"},
        },
        ("POST", "/pensions/persons/{person_id}/contributions"): {
            "path": {"person_id": w.ids["person"]},
            "data": {"year": str(LAST_YEAR), "tier": "300"},
        },
    }


def populate_awards(s: Session, w: World) -> None:
    """Two Lhasa claimants (60+, 15 years, a card with a bank account): one awarded, with a
    prepared roll and an open certification task; one still to claim."""
    from minsheng.pensions import roll
    from minsheng.pensions.models import PnCertification
    from tests.pensions import award_kit

    awarded = award_kit.claim(s, award_kit.resident(s, 901), today=dt.date.today())
    w.ids["pn_claimant"] = award_kit.resident(s, 902)
    w.ids["pn_award"] = awarded.id
    month = f"{dt.date.today():%Y-%m}"
    w.ids["pn_roll_run"] = roll.run(s, month, "540100", BY).run_id
    task = PnCertification(
        award_id=awarded.id,
        open_key=awarded.id,
        division_code=awarded.division_code,
        state="open",
        opened_on=dt.date.today(),
        due_on=awarded.certification_due,
    )
    s.add(task)
    s.flush()
    w.ids["pn_task"] = task.id


def award_samples(w: World) -> Samples:
    month = f"{dt.date.today():%Y-%m}"
    return {
        ("POST", "/api/pensions/awards"): {
            "json": {"person_id": w.ids["pn_claimant"], "scheme": "resident_pension"}
        },
        ("GET", "/api/pensions/awards/{award_id}"): {"path": {"award_id": w.ids["pn_award"]}},
        ("POST", "/api/pensions/roll/{month}"): {
            "path": {"month": month},
            "json": {"region": "540100"},
        },
        ("GET", "/api/pensions/roll/runs/{run_id}/bank-file"): {
            "path": {"run_id": w.ids["pn_roll_run"]}
        },
        ("POST", "/api/pensions/roll/runs/{run_id}/issue"): {
            "path": {"run_id": w.ids["pn_roll_run"]}
        },
        ("POST", "/api/pensions/certification/scan"): {"json": {"region": "540100"}},
        ("GET", "/api/pensions/certification/queue"): {},
        ("POST", "/api/pensions/certification/tasks/{task_id}/visit"): {
            "path": {"task_id": w.ids["pn_task"]},
            "json": {"note": "上门见到本人"},
        },
        ("POST", "/api/me/pensions/certify"): {"json": {"evidence": "dev-face-ok:0"}},
    }


def desk_page_samples(w: World) -> Samples:
    """The desk pages of certification, awards and rolls (desk_pages, citizen_pages,
    roll_pages)."""
    month = f"{dt.date.today():%Y-%m}"
    run = {"run_id": w.ids["pn_roll_run"]}
    return {
        ("POST", "/me/pensions/certify"): {"data": {"evidence": "dev-face-ok:0"}},
        ("GET", "/pensions/certification"): {},
        ("POST", "/pensions/certification/tasks/{task_id}/visit"): {
            "path": {"task_id": w.ids["pn_task"]},
            "data": {"outcome": "not_found", "note": "家中无人"},
        },
        ("GET", "/pensions/persons/{person_id}/award"): {
            "path": {"person_id": w.ids["pn_claimant"]}
        },
        ("POST", "/pensions/persons/{person_id}/award"): {
            "path": {"person_id": w.ids["pn_claimant"]},
            "data": {"scheme": "resident_pension", "start": ""},
        },
        ("GET", "/pensions/rolls"): {},
        ("POST", "/pensions/rolls"): {"data": {"month": month, "region": "540100"}},
        ("GET", "/pensions/rolls/runs/{run_id}"): {"path": run},
        ("POST", "/pensions/rolls/runs/{run_id}/issue"): {"path": run},
        ("GET", "/pensions/rolls/runs/{run_id}/bank-file"): {"path": run},
        ("POST", "/pensions/rolls/scan"): {"data": {"region": "540100"}},
        ("GET", "/pensions/transfers"): {},
        ("POST", "/pensions/enrolments/{enrolment_id}/suspend"): {
            "path": {"enrolment_id": w.ids["pn_resident"]},
            "data": {"on": ""},
        },
        ("POST", "/pensions/enrolments/{enrolment_id}/end"): {
            "path": {"enrolment_id": w.ids["pn_work_injury"]},
            "data": {"end_date": f"{LAST_YEAR}-12-31"},
        },
    }
