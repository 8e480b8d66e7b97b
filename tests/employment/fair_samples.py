"""The route matrix's samples for employment's fair routes (see tests/route_kit.py).

Lhasa (城关区 540102) fairs: ``em_fair_open`` taking applications, where the world's Lhasa
employer (its recruiter ``employer.540100``, bound by the vacancy samples — or here, if not)
has applied with a published vacancy (``em_fair_app_applied``); ``em_fair_alloc``, its booths
allocated, where the employer holds a booth (``em_fair_app_placed``) and a booth is free
(``em_fair_booth_free``). Neither runs now, so check-ins and interviews answer 409 inside the
region (and 404 outside). A fair open to the public is an announcement: a citizen of any
county sees it, so the seeker's fair pages and pass are region-free.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select
from sqlalchemy.orm import Session

from minsheng.auth.models import EmployerUser, User
from minsheng.employment import fair_booths, fairs
from minsheng.employment.fair_schemas import ApplicationIn, DecisionIn, FairIn
from minsheng.employment.vacancy_models import EmVacancy
from minsheng.foundation.principals import staff
from tests.route_kit import BY, INSIDE, P1_ID, Samples, World

MARKER = "拉萨测试招聘会"  # the Lhasa fairs' names: must not leak outside
COLLECTIONS: set[tuple[str, str]] = {
    ("GET", "/api/employment/fairs"),
    ("GET", "/employment/fairs"),
    ("GET", "/employment/employer/fairs"),
}
REGION_FREE: set[tuple[str, str]] = {
    ("GET", "/me/jobs/fairs"),
    ("GET", "/me/jobs/fairs/{fair_id}"),
    ("GET", "/api/me/jobs/fairs/{fair_id}/pass"),
}


def _recruiter(s: Session, w: World) -> int:
    user = s.scalar(select(User).where(User.username == f"employer.{INSIDE}"))
    assert user is not None
    if s.scalar(select(EmployerUser.id).where(EmployerUser.user_id == user.id)) is None:
        s.add(EmployerUser(user_id=user.id, employer_id=w.ids["employer"]))
        s.flush()
    return user.id


def _vacancy(s: Session, w: World, title: str) -> int:
    row = EmVacancy(
        employer_id=w.ids["employer"],
        division_code="540102",
        title=title,
        occupation="4",
        count=2,
        filled=0,
        wage_min=300_000,
        wage_max=400_000,
        skills="[]",
        languages="[]",
        requirements="",
        closing_on=dt.date.today() + dt.timedelta(days=90),
        state="published",
        created_by="test",
    )
    s.add(row)
    s.flush()
    return row.id


def _fair(s: Session, name: str, days: int) -> int:
    fair = fairs.create_fair(
        s,
        FairIn(
            name=name,
            division_code="540102",
            venue="拉萨测试人力资源市场",
            starts_on=dt.date.today() + dt.timedelta(days=days),
            booths=[{"klass": "standard", "count": 3}],  # type: ignore[list-item]
        ),
        BY,
        dt.date.today(),
    )
    fairs.open_applications(s, fair.id, BY)
    return fair.id


def populate(s: Session, w: World) -> None:
    """Records this area's routes act on, inside and outside the sample region."""
    user_id = _recruiter(s, w)
    recruiter = staff(user_id, f"employer.{INSIDE}", "employer", INSIDE)
    vid = _vacancy(s, w, "拉萨测试招聘会岗位")
    open_id = _fair(s, MARKER + "（受理申请）", 10)
    alloc_id = _fair(s, MARKER + "（已分配）", 12)
    cancel_id = _fair(s, MARKER + "（待取消）", 14)
    applied = fair_booths.apply(s, open_id, ApplicationIn(vacancy_ids=[vid]), recruiter)
    placed = fair_booths.apply(s, alloc_id, ApplicationIn(vacancy_ids=[vid]), recruiter)
    fair_booths.decide(s, placed.id, DecisionIn(accept=True), BY)
    fair_booths.allocate(s, alloc_id, BY)
    free = next(b.id for b in fairs.booths_of(s, alloc_id) if b.id != placed.booth_id)
    w.ids.update(
        em_fair_open=open_id,
        em_fair_alloc=alloc_id,
        em_fair_cancel=cancel_id,
        em_fair_vacancy=vid,
        em_fair_app_applied=applied.id,
        em_fair_app_placed=placed.id,
        em_fair_booth_free=free,
    )


def samples(w: World) -> Samples:
    def new_fair() -> dict[str, object]:
        return {
            "name": f"{MARKER}{w.n()}",
            "division_code": "540102",
            "venue": "拉萨测试人力资源市场",
            "starts_on": (dt.date.today() + dt.timedelta(days=20)).isoformat(),
            "booths": [{"klass": "standard", "count": 2}],
        }

    def new_fair_form() -> dict[str, object]:
        return {
            "name": f"{MARKER}{w.n()}",
            "division_code": "540102",
            "venue": "拉萨测试人力资源市场",
            "starts_on": (dt.date.today() + dt.timedelta(days=20)).isoformat(),
            "opens_at": "10:00",
            "closes_at": "16:00",
            "theme": "general",
            "cadence": "once",
            "standard": "2",
        }

    open_fair = {"fair_id": w.ids["em_fair_open"]}
    alloc = {"fair_id": w.ids["em_fair_alloc"]}
    applied = {"application_id": w.ids["em_fair_app_applied"]}
    placed = {"application_id": w.ids["em_fair_app_placed"]}
    apply_body = {"vacancy_ids": [w.ids["em_fair_vacancy"]]}
    return {
        ("GET", "/api/employment/fairs"): {"marker": MARKER},
        ("POST", "/api/employment/fairs"): {"json": new_fair},
        ("GET", "/api/employment/fairs/{fair_id}"): {"path": open_fair},
        ("POST", "/api/employment/fairs/{fair_id}/booths"): {
            "path": open_fair,
            "json": {"klass": "corner", "count": 1},
        },
        ("POST", "/api/employment/fairs/{fair_id}/open"): {"path": open_fair},
        ("POST", "/api/employment/fairs/{fair_id}/cancel"): {
            "path": {"fair_id": w.ids["em_fair_cancel"]},
            "json": {"reason": "场地检修，改期举办"},
        },
        ("POST", "/api/employment/fairs/{fair_id}/applications"): {
            "path": open_fair,
            "json": apply_body,
        },
        ("POST", "/api/employment/fair-applications/{application_id}/decision"): {
            "path": applied,
            "json": {"accept": True},
        },
        ("POST", "/api/employment/fairs/{fair_id}/allocation"): {"path": alloc},
        ("POST", "/api/employment/fair-applications/{application_id}/booth"): {
            "path": placed,
            "json": {"booth_id": w.ids["em_fair_booth_free"]},
        },
        ("POST", "/api/employment/fairs/{fair_id}/checkins"): {
            "path": alloc,
            "json": {"id_number": P1_ID},
        },
        ("POST", "/api/employment/fairs/{fair_id}/interviews"): {
            "path": alloc,
            "json": {"id_number": P1_ID, "outcome": "interviewed"},
        },
        ("GET", "/api/employment/fairs/{fair_id}/report"): {"path": alloc},
        ("GET", "/api/me/jobs/fairs/{fair_id}/pass"): {"path": open_fair},
        ("GET", "/employment/fairs"): {"marker": MARKER},
        ("POST", "/employment/fairs"): {"data": new_fair_form},
        ("GET", "/employment/fairs/{fair_id}"): {"path": alloc},
        ("POST", "/employment/fairs/{fair_id}/open"): {"path": open_fair},
        ("POST", "/employment/fairs/{fair_id}/allocate"): {"path": alloc},
        ("POST", "/employment/fair-applications/{application_id}/decision"): {
            "path": applied,
            "data": {"accept": "yes"},
        },
        ("POST", "/employment/fair-applications/{application_id}/booth"): {
            "path": placed,
            "data": {"booth_id": str(w.ids["em_fair_booth_free"])},
        },
        ("POST", "/employment/fairs/{fair_id}/checkin"): {
            "path": alloc,
            "data": {"id_number": P1_ID},
        },
        ("GET", "/employment/employer/fairs"): {"marker": MARKER},
        ("GET", "/employment/fairs/{fair_id}/booth"): {"path": alloc},
        ("POST", "/employment/fairs/{fair_id}/booth"): {
            "path": open_fair,
            "data": {"wanted_class": "standard", "vacancy_ids": str(w.ids["em_fair_vacancy"])},
        },
        ("POST", "/employment/fairs/{fair_id}/booth/interviews"): {
            "path": alloc,
            "data": {"id_number": P1_ID, "outcome": "interviewed"},
        },
        ("GET", "/me/jobs/fairs"): {},
        ("GET", "/me/jobs/fairs/{fair_id}"): {"path": open_fair},
    }
