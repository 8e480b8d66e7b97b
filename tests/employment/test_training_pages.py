"""The training pages and API on both databases: the desk creates a course (a refused form
answers 422 with the error by its field, nothing stored), moves it on, enrols by ID number and
keeps the sheet; the citizen's phone page lists the course near them in Tibetan, enrols (twice
is once) and shows the certificate; the certificate page carries its number."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy import Engine, func, select

from minsheng.auth import service as auth
from minsheng.db import make_sessionmaker
from minsheng.employment import training
from minsheng.employment.training_models import EmCourse
from minsheng.employment.training_rules import session_days
from minsheng.registry.models import Person
from minsheng.webkit import i18n
from minsheng.webkit.guards import SESSION_COOKIE
from tests.conftest import staff_client
from tests.employment.training_kit import BY, attend, course, site

TODAY = dt.date.today()


def _csrf(c: TestClient, url: str) -> str:
    page = c.get(url)
    assert page.status_code == 200, page.text
    found = re.search(r'name="csrf_token" value="([^"]+)"', page.text)
    assert found
    return found.group(1)


def _world(engine: Engine) -> dict[str, Any]:
    """An enrolling Lhasa course, a finished one the first person completed, their cookie."""
    with make_sessionmaker(engine)() as s:
        k = site(s, 20, people=2)
        start, end = TODAY - dt.timedelta(days=40), TODAY - dt.timedelta(days=26)
        open_ = course(
            s,
            "enrolling",
            starts_on=TODAY + dt.timedelta(days=7),
            ends_on=TODAY + dt.timedelta(days=21),
            name="川藏铁路订单班",
            kind="order",
            employer_id=k.employer_id,
            hire_promised=3,
        )
        done = course(s, "enrolling", starts_on=start, ends_on=end, name="电工班")
        e = training.enrol(s, done.id, BY, start, id_number=k.numbers[0])[0]
        training.advance(s, done.id, "running", BY, start)
        attend(s, done.id, [e.id], session_days(start, end))
        training.advance(s, done.id, "finished", BY, end)
        cookie = auth.open_session(s, 1, person=s.get(Person, k.persons[0])).token
        s.commit()
        return {"open": open_.id, "done": done.id, "cert": e.id, "cookie": cookie, "k": k}


def test_the_desk_creates_and_runs_a_course(app: object, engine: Engine) -> None:
    w = _world(engine)
    c: Any = staff_client(app, engine, "caseworker", "540100")
    token = _csrf(c, "/employment/training")
    form = {
        "csrf_token": token,
        "name": "藏香制作培训班",
        "occupation": "6",
        "kind": "employment",
        "division_code": "540123",
        "starts_on": TODAY.isoformat(),
        "ends_on": (TODAY + dt.timedelta(days=13)).isoformat(),
        "hours": "60",
        "capacity": "abc",
        "free": "on",
        "provider_name": "尼木县职校",
    }
    refused = c.post("/employment/training", data=form, follow_redirects=False)
    assert refused.status_code == 422 and 'id="course-capacity-error"' in refused.text
    with make_sessionmaker(engine)() as s:
        assert s.scalar(select(func.count()).select_from(EmCourse)) == 2
    done = c.post("/employment/training", data={**form, "capacity": "2"}, follow_redirects=False)
    assert done.status_code == 303
    url = done.headers["location"]
    page = c.get(url)
    assert "藏香制作培训班" in page.text and 'id="advance"' in page.text
    token = _csrf(c, url)
    step = c.post(
        url,
        data={"csrf_token": token, "action": "advance", "to": "enrolling"},
        follow_redirects=False,
    )
    assert step.status_code == 303
    number = w["k"].numbers[1]
    for _ in range(2):  # twice is once
        r = c.post(
            url,
            data={"csrf_token": token, "action": "enrol", "id_number": number},
            follow_redirects=False,
        )
        assert r.status_code == 303
    page = c.get(url)
    assert "1 / 2" in page.text and number not in page.text  # masked ID only
    bad = c.post(url, data={"csrf_token": token, "action": "enrol", "id_number": "123"})
    assert bad.status_code == 422 and 'id="step-id_number-error"' in bad.text
    # the finished course: its placement rate on the desk (no hire yet), subsidy and
    # placement on its page, its certificate prints
    desk = c.get("/employment/training?state=finished&page=zz")
    assert re.search(rf'id="rate-{w["done"]}">0%<', desk.text), desk.text
    page = c.get(f"/employment/training/{w['done']}")
    assert 'id="subsidy-total"' in page.text and "¥1,500.00" in page.text
    assert 'id="placement-rate"' in page.text
    cert = c.get(f"/employment/training/certificates/{w['cert']}")
    assert cert.status_code == 200 and "职业培训合格证书" in cert.text
    # another region's caseworker sees none of it
    far: Any = staff_client(app, engine, "caseworker", "540200")
    assert far.get(f"/employment/training/{w['done']}").status_code == 404
    assert far.get(f"/api/employment/training/courses/{w['done']}/subsidy").status_code == 404
    assert "电工班" not in far.get("/employment/training").text


def test_the_api_round(app: object, engine: Engine) -> None:
    w = _world(engine)
    c: Any = staff_client(app, engine, "caseworker", "540100")
    listed = c.get("/api/employment/training/courses?state=finished").json()
    assert [x["id"] for x in listed] == [w["done"]]
    pay = c.get(f"/api/employment/training/courses/{w['done']}/subsidy").json()
    assert pay["total"] == 150_000 and pay["lines"][0]["certificate_no"].startswith("PX540102")
    r = c.post(
        f"/api/employment/training/courses/{w['open']}/enrolments",
        json={"id_number": w["k"].numbers[1]},
    )
    assert r.status_code == 200 and r.json()["created"] is True
    r = c.post(f"/api/employment/training/courses/{w['open']}/state", json={"to": "finished"})
    assert r.status_code == 409
    auditor: Any = staff_client(app, engine, "auditor", "540100")
    assert (
        auditor.post(
            f"/api/employment/training/courses/{w['open']}/state", json={"to": "running"}
        ).status_code
        == 403
    )


def test_the_citizen_phone_page_in_tibetan(app: object, engine: Engine) -> None:
    w = _world(engine)
    c = TestClient(app)  # type: ignore[arg-type]
    c.cookies.set(SESSION_COOKIE, w["cookie"])
    c.cookies.set(i18n.COOKIE, "bo")
    page = c.get("/me/training")
    assert page.status_code == 200 and 'lang="bo"' in page.text
    assert "川藏铁路订单班" in page.text and f'id="cert-{w["cert"]}"' in page.text
    token = _csrf(c, "/me/training")
    for _ in range(2):
        r = c.post(
            f"/me/training/{w['open']}/enrol", data={"csrf_token": token}, follow_redirects=False
        )
        assert r.status_code == 303
    page = c.get("/me/training")
    assert f'id="enrol-{w["open"]}"' not in page.text  # enrolled: no longer offered
    mine = c.get("/api/me/training").json()
    assert sorted(m["course"]["id"] for m in mine["mine"]) == sorted([w["open"], w["done"]])
    attended = {m["course"]["id"]: m["attended"] for m in mine["mine"]}
    sessions = session_days(TODAY - dt.timedelta(days=40), TODAY - dt.timedelta(days=26))
    assert attended[w["open"]] == 0 and attended[w["done"]] == len(sessions)  # all of them
    cert = c.get(f"/me/training/certificates/{w['cert']}")
    assert cert.status_code == 200 and "PX540102" in cert.text
    assert c.get(f"/me/training/certificates/{w['cert'] + 999}").status_code == 404


def test_hostile_requests_change_nothing(app: object, engine: Engine) -> None:
    w = _world(engine)
    c: Any = staff_client(app, engine, "caseworker", "540100")
    base = {
        "name": "电工",
        "occupation": "6",
        "kind": "employment",
        "division_code": "540102",
        "starts_on": TODAY.isoformat(),
        "ends_on": (TODAY + dt.timedelta(days=13)).isoformat(),
        "hours": 40,
        "capacity": 5,
        "provider_name": "学校",
    }
    for change in (
        {"division_code": "999999"},
        {"division_code": "540202"},  # Shigatse: outside the caller's region
        {"name": "电" * 101},
        {"capacity": 10**12},
        {"hours": -1},
        {"kind": "order", "employer_id": 2**31},
        {"extra": 1},
        {"occupation": "6'; DROP TABLE em_courses;--"},
    ):
        r = c.post("/api/employment/training/courses", json={**base, **change})
        assert r.status_code in (403, 404, 422), (change, r.status_code, r.text)
    with make_sessionmaker(engine)() as s:
        assert s.scalar(select(func.count()).select_from(EmCourse)) == 2
    sheet = {"day": TODAY.isoformat(), "present": [w["cert"]]}
    r = c.post(f"/api/employment/training/courses/{w['done']}/attendance", json=sheet)
    assert r.status_code == 409  # the course is finished: its sheets are closed
    r = c.post(
        f"/api/employment/training/courses/{w['open']}/enrolments", json={"id_number": "x" * 40}
    )
    assert r.status_code == 422
    citizen_far = TestClient(app)  # type: ignore[arg-type]
    with make_sessionmaker(engine)() as s:
        far = site(s, 21, people=1, county="540202")
        cookie = auth.open_session(s, 1, person=s.get(Person, far.persons[0])).token
        s.commit()
    citizen_far.cookies.set(SESSION_COOKIE, cookie)
    token = _csrf(citizen_far, "/me/training")
    r = citizen_far.post(f"/me/training/{w['open']}/enrol", data={"csrf_token": token})
    assert r.status_code == 404  # a Lhasa course is not near a Shigatse resident
    assert citizen_far.get(f"/me/training/certificates/{w['cert']}").status_code == 404
    assert "川藏铁路订单班" not in citizen_far.get("/me/training").text


def test_a_recruiter_sees_only_their_employers_order_courses(app: object, engine: Engine) -> None:
    from minsheng.auth.employers import bind
    from minsheng.auth.models import User

    w = _world(engine)
    mine: Any = staff_client(app, engine, "employer", "540100", "railway.recruiter")
    unbound: Any = staff_client(app, engine, "employer", "540100", "nobody.recruiter")
    other: Any = staff_client(app, engine, "employer", "540100", "other.recruiter")
    with make_sessionmaker(engine)() as s:
        elsewhere = site(s, 22, people=0)
        for name, employer in (
            ("railway.recruiter", w["k"].employer_id),
            ("other.recruiter", elsewhere.employer_id),
        ):
            user = s.scalar(select(User.id).where(User.username == name))
            assert user is not None
            bind(s, user, employer, BY)
        s.commit()
    got = mine.get("/api/employment/training/orders").json()
    assert [c["id"] for c in got] == [w["open"]] and got[0]["hire_promised"] == 3
    assert unbound.get("/api/employment/training/orders").json() == []
    assert other.get("/api/employment/training/orders").json() == []
    page = mine.get("/employment/training/orders")
    assert page.status_code == 200 and "川藏铁路订单班" in page.text
    assert mine.get(f"/employment/training/{w['open']}").status_code == 403  # not the desk


def test_the_desk_says_when_its_list_was_cut(app: object, engine: Engine, monkeypatch: Any) -> None:
    """No silent cap: more courses than the list reads are told on the page (issue 15)."""
    from minsheng.employment import training_views

    monkeypatch.setattr(training_views, "LIST_CAP", 3)
    with make_sessionmaker(engine)() as s:
        for i in range(4):
            course(s, name=f"电工培训班{i}")
        s.commit()
    c: Any = staff_client(app, engine, "caseworker", "540100")
    c.cookies.set("lang", "en")
    page = c.get("/employment/training").text
    assert page.count("电工培训班") == 3 and "3" in page
    assert re.search(r"(only|first) 3", page, re.I), page[-2000:]
