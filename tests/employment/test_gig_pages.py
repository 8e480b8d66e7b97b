"""The gig market over HTTP (API and pages) on both databases: a recruiter posts (a refused
posting answers 422 in three languages and stores nothing), a worker applies in one tap from
/me/gigs in Tibetan (twice is one), the recruiter accepts, the worker checks in, the pay is
recorded and disputed (a refused form answers 422 with the error by its field), the office sees
the dispute and settles it; the public listing."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy import Engine, func, select

from minsheng.auth import employers
from minsheng.auth import service as auth
from minsheng.auth.models import User
from minsheng.db import make_sessionmaker
from minsheng.employment.gig_models import EmGig, EmGigApplication
from minsheng.registry.models import Person
from minsheng.webkit import i18n
from minsheng.webkit.guards import SESSION_COOKIE
from tests.conftest import staff_client
from tests.employment import gig_kit as k

TODAY = dt.date.today()


def _world(app: object, engine: Engine) -> dict[str, Any]:
    recruiter = staff_client(app, engine, "employer", k.LHASA)
    with make_sessionmaker(engine)() as s:
        r = k.recruiter(s)  # a bound employer; bind the client's user to the same one
        e = employers.employer_of(s, r.user_id)
        user = s.scalar(select(User).where(User.username == f"employer.{k.LHASA}"))
        assert user is not None and e is not None
        employers.bind(s, user.id, e, k.BY)
        old = k.person(s, dt.date(1960, 5, 5), name="老阿妈", female=True)
        young = k.person(s, dt.date(2000, 5, 5), name="小扎西")
        out = {
            "old": old.id,
            "young": young.id,
            "old_cookie": auth.open_session(s, 1, person=s.get(Person, old.id)).token,
            "young_cookie": auth.open_session(s, 1, person=s.get(Person, young.id)).token,
        }
        s.commit()
    return {**out, "recruiter": recruiter}


def _citizen(app: object, cookie: str, lang: str = "zh") -> TestClient:
    c = TestClient(app)  # type: ignore[arg-type]
    c.cookies.set(SESSION_COOKIE, cookie)
    c.cookies.set(i18n.COOKIE, lang)
    c.headers["X-CSRF-Token"] = c.get("/api/auth/csrf").json()["csrf_token"]
    return c


def _csrf(c: TestClient, url: str) -> str:
    page = c.get(url)
    assert page.status_code == 200, page.text
    found = re.search(r'name="csrf_token" value="([^"]+)"', page.text)
    assert found
    return found.group(1)


BODY = {
    "title": "青稞收割零工",
    "occupation": "5",
    "day_pay": "180",
    "county": "540102",
    "address": "城关区娘热乡",
    "starts_on": TODAY.isoformat(),
    "slots": 1,
    "requirements": "自带镰刀",
}


def _count(engine: Engine, model: type) -> int:
    with make_sessionmaker(engine)() as s:
        return int(s.scalar(select(func.count()).select_from(model)) or 0)


def test_the_way_of_a_gig_over_the_api(app: object, engine: Engine) -> None:
    w = _world(app, engine)
    rc: TestClient = w["recruiter"]
    bad = rc.post("/api/employment/employer/gigs", json={**BODY, "requirements": "先交押金100元"})
    assert bad.status_code == 422
    problem = bad.json()["error"]
    assert problem["field"] == "requirements" and problem["rule"] == "banned_word"
    assert all(problem["message"][x] for x in ("zh", "bo", "en"))
    low = rc.post("/api/employment/employer/gigs", json={**BODY, "day_pay": "50"})
    assert low.status_code == 422 and low.json()["error"]["rule"] == "below_floor"
    assert _count(engine, EmGig) == 0
    made = rc.post("/api/employment/employer/gigs", json=BODY)
    assert made.status_code == 201, made.text
    gid = made.json()["id"]
    young = _citizen(app, w["young_cookie"])
    old = _citizen(app, w["old_cookie"])
    first = young.post(f"/api/me/gigs/{gid}/apply").json()
    assert young.post(f"/api/me/gigs/{gid}/apply").json() == first  # twice is one
    old.post(f"/api/me/gigs/{gid}/apply")
    listed = rc.get(f"/api/employment/employer/gigs/{gid}").json()["applicants"]
    assert [x["name"] for x in listed] == ["老阿妈", "小扎西"]  # the older worker first
    assert listed[0]["reasons"] == ["older", "senior"]
    aid = listed[0]["application_id"]
    ok = rc.post(
        f"/api/employment/employer/gig-applications/{aid}/steps", json={"action": "accept"}
    )
    assert ok.json()["state"] == "accepted"
    full = rc.post(
        f"/api/employment/employer/gig-applications/{first['application_id']}/steps",
        json={"action": "accept"},
    )
    assert full.status_code == 409 and full.json()["error"]["rule"] == "full"
    assert (
        young.post(f"/api/me/gig-applications/{aid}/steps", json={"action": "check_in"}).status_code
        == 404
    )
    for who, action, extra in (
        (old, "check_in", {}),
        (rc, "complete", {}),
        (rc, "record_pay", {"amount": "150"}),
    ):
        base = "/api/me" if who is old else "/api/employment/employer"
        r = who.post(f"{base}/gig-applications/{aid}/steps", json={"action": action, **extra})
        assert r.status_code == 200, r.text
    wrong = old.post(f"/api/me/gig-applications/{aid}/steps", json={"action": "check_in"})
    assert wrong.status_code == 409
    assert all(wrong.json()["error"]["message"][x] for x in ("zh", "bo", "en"))
    d = old.post(
        f"/api/me/gig-applications/{aid}/steps",
        json={"action": "dispute", "reason": "说好180元，只给了150元"},
    )
    assert d.json()["state"] == "disputed" and d.json()["dispute_by"]
    cw = staff_client(app, engine, "caseworker", k.LHASA)
    assert [x["application_id"] for x in cw.get("/api/employment/gigs").json()["disputes"]] == [aid]
    far = staff_client(app, engine, "caseworker", k.SHIGATSE)
    assert far.get("/api/employment/gigs").json() == {"gigs": [], "disputes": []}
    assert far.get(f"/api/employment/gigs/{gid}").status_code == 404
    s = cw.post(
        f"/api/employment/gig-applications/{aid}/steps",
        json={"action": "settle", "reason": "调解后补发30元", "amount": "30"},
    )
    assert s.json()["state"] == "settled" and s.json()["settled"] == "30.00"
    public = TestClient(app).get("/api/jobs/gigs").json()["gigs"]  # type: ignore[arg-type]
    assert [g["id"] for g in public] == [gid]


def test_the_phone_page_in_tibetan(app: object, engine: Engine) -> None:
    w = _world(app, engine)
    gid = w["recruiter"].post("/api/employment/employer/gigs", json=BODY).json()["id"]
    me = _citizen(app, w["old_cookie"], "bo")
    page = me.get("/me/gigs")
    assert page.status_code == 200 and "青稞收割零工" in page.text
    assert 'lang="bo"' in page.text
    token = _csrf(me, "/me/gigs")
    for _ in range(2):
        r = me.post(f"/me/gigs/{gid}/apply", data={"csrf_token": token}, follow_redirects=False)
        assert r.status_code == 303
    assert _count(engine, EmGigApplication) == 1
    page = me.get("/me/gigs")
    assert "མིང་ཐོ་བཀོད་ཟིན།" in page.text  # "applied", in Tibetan
    with make_sessionmaker(engine)() as s:
        aid = s.scalar(select(EmGigApplication.id))
    r = me.post(
        f"/me/gig-applications/{aid}/steps",
        data={"csrf_token": token, "action": "confirm"},
        follow_redirects=False,
    )
    assert r.status_code == 409 and 'role="alert"' in r.text  # not yet paid: refused, shown
    other = _citizen(app, w["young_cookie"])
    r = other.post(
        f"/me/gig-applications/{aid}/steps",
        data={"csrf_token": _csrf(other, "/me/gigs"), "action": "withdraw"},
        follow_redirects=False,
    )
    assert r.status_code == 404


def test_the_desks_and_their_forms(app: object, engine: Engine) -> None:
    w = _world(app, engine)
    rc: TestClient = w["recruiter"]
    token = _csrf(rc, "/employment/employer/gigs")
    bad = rc.post(
        "/employment/employer/gigs",
        data={**BODY, "slots": "1", "day_pay": "10", "csrf_token": token},
        follow_redirects=False,
    )
    assert bad.status_code == 422 and 'id="post-day_pay-error"' in bad.text
    assert "青稞收割零工" in bad.text  # what was typed is kept
    ok = rc.post(
        "/employment/employer/gigs",
        data={**BODY, "slots": "1", "csrf_token": token},
        follow_redirects=False,
    )
    assert ok.status_code == 303
    gid = int(ok.headers["location"].rsplit("/", 1)[1])
    assert rc.get(f"/employment/employer/gigs/{gid}").status_code == 200
    sup = staff_client(app, engine, "supervisor", k.LHASA)
    desk = sup.get("/employment/gigs")
    assert desk.status_code == 200 and "青稞收割零工" in desk.text
    t = _csrf(sup, f"/employment/gigs/{gid}")
    empty = sup.post(f"/employment/gigs/{gid}/take-down", data={"csrf_token": t, "reason": ""})
    assert empty.status_code == 422 and 'id="take_down-reason-error"' in empty.text
    done = sup.post(
        f"/employment/gigs/{gid}/take-down",
        data={"csrf_token": t, "reason": "岗位信息不实"},
        follow_redirects=False,
    )
    assert done.status_code == 303
    assert "岗位信息不实" in sup.get("/employment/gigs").text
    assert TestClient(app).get("/jobs/gigs").status_code == 200  # type: ignore[arg-type]
    office = sup.post(
        "/employment/gigs",
        data={
            **BODY,
            "slots": "1",
            "poster_name": "个体户卓玛",
            "csrf_token": _csrf(sup, "/employment/gigs"),
        },
        follow_redirects=False,
    )
    assert office.status_code == 303


def test_a_refused_pay_step_keeps_the_amount_in_the_applicants_card(
    app: object, engine: Engine
) -> None:
    w = _world(app, engine)
    rc: TestClient = w["recruiter"]
    gid = rc.post("/api/employment/employer/gigs", json=BODY).json()["id"]
    old = _citizen(app, w["old_cookie"])
    aid = old.post(f"/api/me/gigs/{gid}/apply").json()["application_id"]
    for who, base, action in (
        (rc, "/api/employment/employer", "accept"),
        (old, "/api/me", "check_in"),
        (rc, "/api/employment/employer", "complete"),
    ):
        assert who.post(f"{base}/gig-applications/{aid}/steps", json={"action": action}).is_success
    page = f"/employment/employer/gigs/{gid}"
    r = rc.post(
        f"/employment/employer/gig-applications/{aid}/steps",
        data={"csrf_token": _csrf(rc, page), "action": "record_pay", "amount": "-5"},
        follow_redirects=False,
    )
    assert r.status_code == 422, r.text[:300]
    card = r.text.split(f'id="application-{aid}"')[1].split("</ol>")[0]
    amount = re.search(rf'<input type="text" id="a{aid}-record_pay-amount"[^>]*>', card)
    assert amount and 'value="-5"' in amount.group() and 'aria-invalid="true"' in amount.group()
    assert f'id="a{aid}-record_pay-amount-error"' in card and "error-summary" in card
    assert r.text.count(" autofocus") == 1
    done = rc.post(
        f"/employment/employer/gig-applications/{aid}/steps",
        data={"csrf_token": _csrf(rc, page), "action": "record_pay", "amount": "150"},
        follow_redirects=False,
    )
    assert done.status_code == 303 and done.headers["location"] == page
