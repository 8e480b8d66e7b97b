"""The route matrix's samples for social assistance's routes, and the records they point at."""

from __future__ import annotations

import datetime as dt

from sqlalchemy.orm import Session

from minsheng.assistance import service as assistance
from minsheng.assistance.models import Warning
from minsheng.assistance.schemas import CaseIn
from tests.assistance import run_samples
from tests.route_kit import BY, INSIDE, Samples, World

COLLECTIONS = {
    ("GET", "/api/assistance/queue"),
    ("GET", "/api/me/assistance"),
    ("GET", "/assistance"),
    ("GET", "/me/assistance"),
    ("GET", "/assistance/find"),
    ("GET", "/assistance/queue.csv"),
}
COLLECTIONS |= run_samples.COLLECTIONS
REGION_FREE = set(run_samples.REGION_FREE) | {("GET", "/assistance/register")}


def populate(s: Session, w: World) -> None:
    run_samples.populate(s, w)
    h = w.ids["household"]
    case = assistance.open_case(s, CaseIn(household_id=h, programme="dibao"), BY)
    warning = Warning(
        household_id=h,
        division_code="540102",
        cause="review_due",
        cause_key="matrix",
        open_key="matrix",
        state="new",
        raised_on=dt.date.today(),
        deadline=dt.date.today(),
    )
    s.add(warning)
    s.flush()
    w.ids.update(case=case.id, warning=warning.id)


def samples(w: World) -> Samples:
    return {**_own(w), **run_samples.samples(w)}


def _own(w: World) -> Samples:
    household = {"household_id": w.ids["household"]}
    case = {"case_id": w.ids["case"]}
    warning = {"warning_id": w.ids["warning"]}
    month = f"{dt.date.today():%Y-%m}"
    income = {"person_id": w.ids["person"], "month": month, "kind": "wage", "amount": "100"}
    A = "/api/assistance"
    return {
        ("POST", A + "/households/{household_id}/incomes"): {
            "path": household,
            "json": {"items": [income]},
        },
        ("PUT", A + "/households/{household_id}/assets"): {
            "path": household,
            "json": {"values": {"deposits": "1000"}},
        },
        ("POST", A + "/households/{household_id}/expenses"): {
            "path": household,
            "json": {"month": month, "kind": "medical", "amount": "500"},
        },
        ("GET", A + "/households/{household_id}"): {"path": household},
        ("POST", A + "/cases"): {
            "json": {
                "household_id": w.ids["household"],
                "programme": "temporary",
                "requested": "500",
            }
        },
        ("GET", A + "/cases/{case_id}"): {"path": case},
        ("POST", A + "/cases/{case_id}/actions"): {"path": case, "json": {"action": "check"}},
        ("GET", A + "/queue"): {"marker": "540102"},
        ("POST", A + "/warnings/{warning_id}"): {"path": warning, "json": {"state": "checking"}},
        # an unknown assignee inside the region is a 422; outside, the record is not found
        ("POST", A + "/cases/{case_id}/assignee"): {"path": case, "json": {"assignee": "nobody"}},
        ("POST", A + "/warnings/{warning_id}/assignee"): {
            "path": warning,
            "json": {"assignee": "nobody"},
        },
        ("POST", A + "/scan"): {"json": {"region": INSIDE}},
        ("POST", A + "/payroll"): {"json": {"region": INSIDE, "month": month}},
        # run 1 is the Lhasa run the POST above makes (it pays nobody: 404 for its bank file)
        ("GET", A + "/payroll/{run_id}/bank-file"): {"path": {"run_id": 1}},
        ("GET", A + "/payroll/{run_id}/roll"): {"path": {"run_id": 1}},
        ("GET", "/api/me/assistance"): {},
        ("GET", "/assistance"): {"marker": "/assistance/households/"},
        ("GET", "/assistance/households/{household_id}"): {"path": household},
        ("POST", "/assistance/households/{household_id}/incomes"): {
            "path": household,
            "data": income,
        },
        ("POST", "/assistance/households/{household_id}/assets"): {
            "path": household,
            "data": {"deposits": "100"},
        },
        ("POST", "/assistance/households/{household_id}/expenses"): {
            "path": household,
            "data": {"month": month, "kind": "education", "amount": "100"},
        },
        ("POST", "/assistance/households/{household_id}/cases"): {
            "path": household,
            "data": {"programme": "temporary", "requested": "300"},
        },
        ("POST", "/assistance/cases/{case_id}/action"): {"path": case, "data": {"action": "check"}},
        ("POST", "/assistance/warnings/{warning_id}"): {
            "path": warning,
            "data": {"state": "checking"},
        },
        ("GET", "/me/assistance"): {},
        ("GET", "/assistance/find"): {},
        ("GET", "/assistance/register"): {},
        # a new Lhasa person and household each call: outside Lhasa, refused (403)
        ("POST", "/assistance/register"): {
            "data": lambda: {
                "id_number": w.new_id(),
                "name_zh": "矩阵",
                "hukou": "urban",
                "division_code": "540102",
                "household": "new",
                "household_code": f"MX-{w.n()}",
                "area": "urban",
            }
        },
        ("GET", "/assistance/cases/{case_id}/letter"): {"path": case},
        ("GET", "/assistance/queue.csv"): {"marker": "540102"},
    }
