"""The job fairs' pages on both databases: the organiser plans a fair (a refused form answers
422 with the error by its field, nothing stored), opens it, decides an application and moves an
employer on the booth grid; the recruiter applies on its booth page; the entrance checks a
visitor in and lists the booths to visit; the seeker's phone pages show the fairs and the QR."""

from __future__ import annotations

import re
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine, select

from minsheng.auth.models import EmployerUser, User
from minsheng.auth.service import open_session
from minsheng.db import make_sessionmaker, unit_of_work
from minsheng.employment import fairs
from minsheng.employment.fair_models import EmFair, EmFairApplication
from minsheng.registry.models import Person
from minsheng.webkit.guards import SESSION_COOKIE
from tests.conftest import make_app, staff_client
from tests.employment import fair_kit as k


def _csrf(c: Any) -> None:
    c.headers["X-CSRF-Token"] = c.get("/api/auth/csrf").json()["csrf_token"]


def _form(**over: str) -> dict[str, str]:
    data = {
        "name": "拉萨页面测试招聘会",
        "division_code": "540102",
        "venue": "城关区人力资源市场",
        "theme": "graduates",
        "cadence": "weekly",
        "starts_on": k.DAY.isoformat(),
        "opens_at": "09:00",
        "closes_at": "17:00",
        "standard": "3",
        "large": "0",
        "corner": "1",
    }
    data.update(over)
    return data


def test_the_organiser_plans_opens_decides_and_moves(
    engine: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    app = make_app(engine)
    org = staff_client(app, engine, "caseworker", "540100")
    rec = staff_client(app, engine, "employer", "540100")
    _csrf(org)
    _csrf(rec)
    with unit_of_work(make_sessionmaker(engine)) as s:
        employer = k.employer(s, name="拉萨页面测试单位")
        vid = k.vacancy(s, employer, "4-03", title="前台接待")
        pid, number = k.person(s)
        user = s.scalar(select(User.id).where(User.username == "employer.540100"))
        s.add(EmployerUser(user_id=user, employer_id=employer))

    page = org.get("/employment/fairs")  # type: ignore[attr-defined]
    assert page.status_code == 200 and 'id="fair-form"' in page.text
    bad = org.post("/employment/fairs", data=_form(closes_at="08:00"))  # type: ignore[attr-defined]
    assert bad.status_code == 422 and 'id="fair-closes_at-error"' in bad.text
    bad = org.post("/employment/fairs", data=_form(standard="many"))  # type: ignore[attr-defined]
    assert bad.status_code == 422 and 'id="fair-standard-error"' in bad.text
    with make_sessionmaker(engine)() as s:
        assert s.scalar(select(EmFair.id)) is None
    done = org.post("/employment/fairs", data=_form(), follow_redirects=False)  # type: ignore[attr-defined]
    assert done.status_code == 303
    fid = int(re.search(r"/employment/fairs/(\d+)", done.headers["location"]).group(1))  # type: ignore[union-attr]
    assert org.post(f"/employment/fairs/{fid}/open", follow_redirects=False).status_code == 303  # type: ignore[attr-defined]

    booth = rec.get(f"/employment/fairs/{fid}/booth")  # type: ignore[attr-defined]
    assert booth.status_code == 200 and "前台接待" in booth.text
    none = rec.post(f"/employment/fairs/{fid}/booth", data={"wanted_class": "standard"})  # type: ignore[attr-defined]
    assert none.status_code == 422
    sent = rec.post(  # type: ignore[attr-defined]
        f"/employment/fairs/{fid}/booth",
        data={"wanted_class": "standard", "vacancy_ids": str(vid)},
        follow_redirects=False,
    )
    assert sent.status_code == 303
    with make_sessionmaker(engine)() as s:
        app_id = s.scalar(select(EmFairApplication.id))
    refuse = org.post(f"/employment/fair-applications/{app_id}/decision", data={"accept": "no"})  # type: ignore[attr-defined]
    assert refuse.status_code == 422 and "a refusal gives its reason" in refuse.text
    ok = org.post(  # type: ignore[attr-defined]
        f"/employment/fair-applications/{app_id}/decision",
        data={"accept": "yes"},
        follow_redirects=False,
    )
    assert ok.status_code == 303
    assert org.post(f"/employment/fairs/{fid}/allocate", follow_redirects=False).status_code == 303  # type: ignore[attr-defined]
    grid = org.get(f"/employment/fairs/{fid}")  # type: ignore[attr-defined]
    assert 'id="booth-A01"' in grid.text and "拉萨页面测试单位" in grid.text
    free = re.search(r'<option value="(\d+)">A03', grid.text)
    assert free
    moved = org.post(  # type: ignore[attr-defined]
        f"/employment/fair-applications/{app_id}/booth",
        data={"booth_id": free.group(1)},
        follow_redirects=False,
    )
    assert moved.status_code == 303
    grid = org.get(f"/employment/fairs/{fid}").text  # type: ignore[attr-defined]
    a03 = grid.split('id="booth-A03"')[1].split("</li>")[0]
    assert "拉萨页面测试单位" in a03

    monkeypatch.setattr(fairs, "now", lambda: k.RUNNING)
    checked = org.post(f"/employment/fairs/{fid}/checkin", data={"id_number": number})  # type: ignore[attr-defined]
    assert checked.status_code == 200 and 'id="checkin-booths"' in checked.text
    assert "A03" in checked.text and number not in checked.text
    wrong = org.post(f"/employment/fairs/{fid}/checkin", data={"id_number": "123"})  # type: ignore[attr-defined]
    assert wrong.status_code == 422 and 'id="checkin-id_number-error"' in wrong.text

    with unit_of_work(make_sessionmaker(engine)) as s:
        token = open_session(s, 1, person=s.get(Person, pid)).token
    phone = TestClient(app)  # type: ignore[arg-type]
    phone.cookies.set(SESSION_COOKIE, token)
    listing = phone.get("/me/jobs/fairs")
    assert listing.status_code == 200 and "拉萨页面测试招聘会" in listing.text
    mine = phone.get(f"/me/jobs/fairs/{fid}")
    assert mine.status_code == 200 and "<svg" in mine.text and 'id="checked-in"' in mine.text
