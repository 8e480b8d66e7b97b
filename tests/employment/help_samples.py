"""The route matrix's samples for employment's help routes (see tests/route_kit.py): an open
help plan for the matrix's Lhasa resident (P1, a 低保 household's head and a registered seeker)
with a job lead awaiting an answer (``w.ids["em_help_plan"]``, ``w.ids["em_help_service"]``)."""

from __future__ import annotations

import datetime as dt
import json

from sqlalchemy.orm import Session

from minsheng.employment.help_models import EmHelpPlan, EmHelpService
from minsheng.employment.vacancy_models import EmVacancy
from tests.route_kit import Samples, World

MARKER = "测试拉萨人"  # P1's name: a Lhasa plan must not show outside
COLLECTIONS: set[tuple[str, str]] = {
    ("GET", "/api/employment/help/plans"),
    ("GET", "/employment/help"),
    ("GET", "/api/employment/statistics"),
    ("GET", "/employment/statistics"),
    ("GET", "/employment/statistics.csv"),
}
REGION_FREE: set[tuple[str, str]] = set()


def populate(s: Session, w: World) -> None:
    """Records this area's routes act on, inside and outside the sample region."""
    today = dt.date.today()
    v = EmVacancy(
        employer_id=w.ids["employer"],
        division_code="540102",
        title="帮扶测试岗位",
        occupation="4",
        count=2,
        wage_min=300_000,
        wage_max=400_000,
        closing_on=today + dt.timedelta(days=30),
        state="published",
        created_by="test",
    )
    s.add(v)
    s.flush()
    plan = EmHelpPlan(
        person_id=w.ids["person"],
        seeker_id=w.ids.get("em_seeker"),
        division_code="540102",
        open_key=f"p{w.ids['person']}",
        categories=json.dumps([{"category": "dibao", "statuses": ["dibao"]}]),
        state="open",
        opened_on=today,
        contact_by=today + dt.timedelta(days=7),
        due_on=today + dt.timedelta(days=28),
    )
    s.add(plan)
    s.flush()
    svc = EmHelpService(
        plan_id=plan.id,
        person_id=plan.person_id,
        kind="job_lead",
        vacancy_id=v.id,
        offered_on=today,
        by="test",
    )
    s.add(svc)
    s.flush()
    w.ids.update(em_help_plan=plan.id, em_help_service=svc.id, em_help_vacancy=v.id)


def samples(w: World) -> Samples:
    one = {"plan_id": w.ids["em_help_plan"]}
    return {
        ("POST", "/api/employment/help/refresh"): {"json": {"region": "540100"}},
        ("GET", "/api/employment/help/plans"): {"marker": MARKER},
        ("GET", "/api/employment/help/plans/{plan_id}"): {"path": one},
        ("POST", "/api/employment/help/plans/{plan_id}/contacts"): {
            "path": one,
            "json": {"channel": "phone", "note": "电话联系"},
        },
        ("POST", "/api/employment/help/plans/{plan_id}/services"): {
            "path": one,
            "json": {"kind": "training_offer", "text": "家政服务培训"},
        },
        ("POST", "/api/employment/help/plans/{plan_id}/services/{service_id}/response"): {
            "path": one | {"service_id": w.ids["em_help_service"]},
            "json": {"response": "accepted"},
        },
        ("POST", "/api/employment/help/plans/{plan_id}/outcome"): {
            "path": one,
            "json": {"outcome": "moved", "reason": "迁往外省"},
        },
        ("POST", "/api/employment/help/plans/{plan_id}/assignee"): {
            "path": one,
            "json": {"username": None},
        },
        ("GET", "/api/employment/statistics"): {},
        ("GET", "/employment/help"): {"marker": MARKER},
        ("GET", "/employment/help/{plan_id}"): {"path": one},
        ("POST", "/employment/help/{plan_id}"): {
            "path": one,
            "data": {"form": "contact", "channel": "visit", "note": "入户走访"},
        },
        ("GET", "/employment/statistics"): {},
        ("GET", "/employment/statistics.csv"): {},
    }
