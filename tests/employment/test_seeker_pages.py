"""The job seekers' desk and the seeker's /me/jobs through the app: a refused form answers the
page again with the error by its field (422) and changes nothing; a done one redirects with its
message; the ID number is posted, never put in a URL, and never shown."""

from __future__ import annotations

import re
from typing import Any

from sqlalchemy import Engine, func, select

from minsheng.db import make_sessionmaker
from minsheng.employment.seeker_models import EmSeeker
from tests.conftest import make_app, staff_client
from tests.employment.seeker_kit import citizen_client, new_id, stored_person


def _csrf(page: str) -> str:
    found = re.search(r'name="csrf_token" value="([^"]+)"', page)
    assert found
    return found.group(1)


def _count(engine: Engine) -> int:
    with make_sessionmaker(engine)() as s:
        return s.scalar(select(func.count()).select_from(EmSeeker)) or 0


def test_the_desk_registers_finds_edits_and_pages(engine: Engine) -> None:
    app = make_app(engine)
    _, number = stored_person(engine, "540102", name="达瓦")
    c: Any = staff_client(app, engine, "caseworker", "540100")
    desk = c.get("/employment/seekers")
    assert desk.status_code == 200 and 'id="seeker-register"' in desk.text
    token = _csrf(desk.text)
    refused = c.post("/employment/seekers", data={"csrf_token": token, "id_number": new_id()})
    assert refused.status_code == 404 and 'aria-invalid="true"' in refused.text
    assert _count(engine) == 0
    done = c.post(
        "/employment/seekers",
        data={"csrf_token": token, "id_number": number},
        follow_redirects=False,
    )
    assert done.status_code == 303 and number not in done.headers["location"]
    record = c.get(done.headers["location"])
    assert "达瓦" in record.text and number not in record.text
    sid = int(done.headers["location"].rsplit("/", 1)[1])
    found = c.post(
        "/employment/seekers/find",
        data={"csrf_token": token, "id_number": number},
        follow_redirects=False,
    )
    assert found.headers["location"] == f"/employment/seekers/{sid}"
    bad = {
        "csrf_token": token,
        "occupation_1": "6-29",
        "occupation_2": "9-99",
        "wage_min": "abc",
        "lang_bo": "on",
    }
    r = c.post(f"/employment/seekers/{sid}/profile", data=bad, follow_redirects=False)
    assert r.status_code == 422, r.text[:500]
    assert re.search(r'id="profile-(occupation_2|wage_min)"[^>]*aria-invalid="true"', r.text)
    good = {**bad, "occupation_2": "4-03", "wage_min": "4800", "consent": "on"}
    r = c.post(f"/employment/seekers/{sid}/profile", data=good, follow_redirects=False)
    assert r.status_code == 303
    page = c.get(f"/employment/seekers/{sid}").text
    assert "6-29" in page and "4-03" in page and "4800.00" in page
    r = c.post(
        f"/employment/seekers/{sid}/status",
        data={"csrf_token": token, "status": "graduate", "graduate_year": "20x6"},
    )
    assert r.status_code == 422
    r = c.post(
        f"/employment/seekers/{sid}/status",
        data={"csrf_token": token, "status": "graduate", "graduate_year": "2026"},
        follow_redirects=False,
    )
    assert r.status_code == 303
    listed = c.get("/employment/seekers", params={"q": "达瓦"}).text
    assert f'id="seeker-{sid}"' in listed
    other: Any = staff_client(app, engine, "caseworker", "540200")
    assert other.get(f"/employment/seekers/{sid}").status_code == 404
    assert f'id="seeker-{sid}"' not in other.get("/employment/seekers").text


def test_the_seeker_registers_with_consent_and_reconfirms(engine: Engine) -> None:
    app = make_app(engine)
    pid, number = stored_person(engine, "540402")
    me: Any = citizen_client(app, engine, pid)
    page = me.get("/me/jobs")
    assert page.status_code == 200 and 'id="seeker-profile"' in page.text
    token = _csrf(page.text)
    r = me.post("/me/jobs/profile", data={"csrf_token": token, "county_1": "540100"})
    assert r.status_code == 422 and _count(engine) == 0
    r = me.post(
        "/me/jobs/profile",
        data={"csrf_token": token, "consent": "on", "lang_bo": "on", "occupation_1": "5-03"},
        follow_redirects=False,
    )
    assert r.status_code == 303 and r.headers["location"] == "/me/jobs"
    page = me.get("/me/jobs").text
    assert 'id="my-seeker"' in page and number not in page and "5-03" in page
    r = me.post("/me/jobs/confirm", data={"csrf_token": token}, follow_redirects=False)
    assert r.status_code == 303 and _count(engine) == 1


def test_the_pages_mark_every_span_of_another_language(engine: Engine) -> None:
    from tests.web.test_page_kit import lang_problems

    if engine.dialect.name != "sqlite":
        return  # the templates', not the database's
    app = make_app(engine)
    pid, number = stored_person(engine, "540402", name="次旦")
    me: Any = citizen_client(app, engine, pid)
    token = _csrf(me.get("/me/jobs").text)
    me.put(
        "/api/me/jobs/seeker",
        json={"languages": ["bo", "zh", "en", "ne"], "occupations": ["5-03"], "consent": True},
    )
    c: Any = staff_client(app, engine, "caseworker", "540000")
    sid = c.post("/api/employment/seekers", json={"id_number": number}).json()["id"]
    problems = []
    for code in ("zh", "bo", "en"):
        for client, url in (
            (c, "/employment/seekers"),
            (c, f"/employment/seekers/{sid}"),
            (me, "/me/jobs"),
        ):
            client.cookies.set("lang", code)
            r = client.get(url)
            assert r.status_code == 200
            problems += [f"{code} {url}: {p}" for p in lang_problems(r.text)]
        me.cookies.set("lang", code)
        r = me.post("/me/jobs/profile", data={"csrf_token": token, "county_1": "540100"})
        assert r.status_code == 422
        problems += [f"{code} refused: {p}" for p in lang_problems(r.text)]
    assert not problems, "\n".join(problems[:20])
