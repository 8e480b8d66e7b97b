"""The complaint pages on both databases: an anonymous worker reports in Tibetan from
``/wages/report`` and is shown the code and PIN once (never in a URL or a cookie), then follows
the report with them; a refused form keeps what was typed with the error by its field and
stores nothing; a signed-in worker is sent to their complaint; the inspector's queue shows the
deadline and offers only the steps allowed (the supervisor who asked for an extension is not
offered its approval); the KPI table shows the county's closure rate against its target."""

from __future__ import annotations

import re
from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy import Engine

from minsheng.auth import service as auth
from minsheng.db import make_sessionmaker
from minsheng.registry.models import Person
from minsheng.webkit import i18n
from minsheng.webkit.guards import CSRF_COOKIE, SESSION_COOKIE
from tests.conftest import staff_client
from tests.wages.complaint_kit import counts, person, world


def _setup(engine: Engine) -> dict[str, Any]:
    with make_sessionmaker(engine)() as s:
        w = world(s)
        pid = person(s, 6, name="格桑卓玛")
        token = auth.open_session(s, 1, person=s.get(Person, pid)).token
        s.commit()
        return {"lhasa": w["lhasa"].id, "cookie": token}


def _form(c: TestClient, url: str) -> str:
    page = c.get(url)
    assert page.status_code == 200, page.text
    found = re.search(r'name="csrf_token" value="([^"]+)"', page.text)
    assert found, "the form carries its CSRF token"
    return found.group(1)


def test_anonymous_report_in_tibetan_and_follow_up(app: object, engine: Engine) -> None:
    ids = _setup(engine)
    c = TestClient(app)  # type: ignore[arg-type]
    c.cookies.set(i18n.COOKIE, "bo")
    found = c.get("/wages/report", params={"q": "安居园"})
    assert found.status_code == 200 and f'value="{ids["lhasa"]}"' in found.text
    token = _form(c, "/wages/report")
    r = c.post(
        "/wages/report",
        data={
            "csrf_token": token,
            "project_id": str(ids["lhasa"]),
            "facts": "ཟླ་བ་གསུམ་གྱི་གླ་ཕོགས་མ་སྤྲད།",
            "lang": "bo",
        },
        follow_redirects=False,
    )
    assert r.status_code == 201, r.text
    code = re.search(r'id="code">([A-Z0-9-]+)<', r.text)
    pin = re.search(r'id="pin">(\d+)<', r.text)
    assert code and pin
    assert code.group(1) not in r.headers.get("set-cookie", "")
    r = c.post(
        "/wages/report/follow-up",
        data={"csrf_token": token, "code": code.group(1), "pin": pin.group(1)},
    )
    assert r.status_code == 200 and "ཞུ་གཏུག་འབྱོར་ཟིན།" in r.text  # "received", in Tibetan
    bad = c.post(
        "/wages/report/follow-up", data={"csrf_token": token, "code": code.group(1), "pin": "x"}
    )
    assert bad.status_code == 404 and "ཟླ་བ་གསུམ" not in bad.text
    assert f'value="{code.group(1)}"' in bad.text  # the code is kept as typed, not the PIN


def test_a_refused_report_keeps_what_was_typed(app: object, engine: Engine) -> None:
    _setup(engine)
    c = TestClient(app)  # type: ignore[arg-type]
    token = _form(c, "/wages/report")
    with make_sessionmaker(engine)() as s:
        before = counts(s)
    r = c.post(
        "/wages/report",
        data={"csrf_token": token, "project_text": "八一镇某工地", "facts": "欠薪两月"},
    )
    assert r.status_code == 422
    assert 'aria-invalid="true"' in r.text and "八一镇某工地" in r.text and "欠薪两月" in r.text
    assert re.search(r'id="county"[^>]*autofocus', r.text)
    with make_sessionmaker(engine)() as s:
        assert counts(s) == before


def test_the_signed_in_worker_and_the_inspector(app: object, engine: Engine) -> None:
    ids = _setup(engine)
    me = TestClient(app)  # type: ignore[arg-type]
    me.cookies.set(SESSION_COOKIE, ids["cookie"])
    token = _form(me, "/wages/report")
    r = me.post(
        "/wages/report",
        data={"csrf_token": token, "project_id": str(ids["lhasa"]), "facts": "工资拖欠"},
        follow_redirects=False,
    )
    assert r.status_code == 303
    mine = me.get(r.headers["location"])
    assert mine.status_code == 200 and "工资拖欠" in mine.text
    cid = r.headers["location"].rsplit("/", 1)[-1]
    inspector: Any = staff_client(app, engine, "caseworker", "540100")
    queue = inspector.get("/wages/complaints")
    assert queue.status_code == 200 and f'id="complaint-{cid}"' in queue.text
    assert 'href="/wages/complaints/board"' in queue.text
    assert "格桑卓玛" in queue.text
    assert (
        inspector.get("/wages/complaints", params={"state": "closed"}).text.count(
            f'id="complaint-{cid}"'
        )
        == 0
    )
    case = inspector.get(f"/wages/complaints/{cid}")
    assert 'id="step-accept-form"' in case.text and 'id="step-approve_extension-form"' not in (
        case.text
    )
    boss: Any = staff_client(app, engine, "supervisor", "540100")
    for who, data in (
        (inspector, {"action": "accept"}),
        (boss, {"action": "request_extension", "reason": "账目复杂"}),
    ):
        r = who.post(f"/wages/complaints/{cid}/steps", data=data, follow_redirects=False)
        assert r.status_code == 303, (r.status_code, re.findall(r'lang="en">([^<]+)<', r.text))
    asked = boss.get(f"/wages/complaints/{cid}")
    assert 'id="step-approve_extension-form"' not in asked.text  # maker–checker
    other: Any = staff_client(app, engine, "supervisor", "540100", "supervisor.two")
    assert 'id="step-approve_extension-form"' in other.get(f"/wages/complaints/{cid}").text
    r = inspector.post(f"/wages/complaints/{cid}/steps", data={"action": "refuse"})
    assert r.status_code == 409  # the table allows no refusal once accepted
    shigatse: Any = staff_client(app, engine, "caseworker", "540200")
    assert shigatse.get(f"/wages/complaints/{cid}").status_code == 404
    assert f'id="complaint-{cid}"' not in shigatse.get("/wages/complaints").text
    board = shigatse.get("/wages/complaints/board")  # every office sees the state
    assert board.status_code == 200 and f'id="board-{cid}"' in board.text
    assert "格桑卓玛" not in board.text and "工资拖欠" not in board.text
    one = shigatse.get("/wages/complaints/board", params={"number": cid})
    assert f'id="board-{cid}"' in one.text and "格桑卓玛" not in one.text
    assert shigatse.get("/wages/complaints/board", params={"number": "x1"}).status_code == 404
    kpis = inspector.get("/wages/complaints/kpis")
    assert kpis.status_code == 200 and 'id="kpi-540102"' in kpis.text and "98%" in kpis.text
    assert inspector.get("/wages/complaints/kpis", params={"month": "2026-13"}).status_code == 422
    assert CSRF_COOKIE  # pages post with the bearer token: no CSRF pair needed


def test_the_region_board_pages_every_open_complaint(app: object, engine: Engine) -> None:
    """No silent cap (issue 15): the board pages in the database, the total shown, the county
    kept in the links; every open complaint is on some page."""
    import datetime as dt

    from minsheng.wages import complaint_filing as filing
    from minsheng.webkit.pager import PER_PAGE
    from tests.wages.complaint_kit import complaint_in, staff

    total = PER_PAGE + 3
    with make_sessionmaker(engine)() as s:
        w = world(s)
        office = staff(21, "540000")
        for _ in range(total):
            filing.file_complaint(s, complaint_in(w["lhasa"].id), office, dt.date.today())
        s.commit()
    c: Any = staff_client(app, engine, "caseworker", "540000")
    c.cookies.set("lang", "en")
    first = c.get("/wages/complaints/board").text
    assert f"1–{PER_PAGE} of {total}" in first and 'rel="next"' in first
    assert first.count('<tr id="board-') == PER_PAGE
    second = c.get("/wages/complaints/board", params={"page": "2", "county": "540102"}).text
    assert f"{PER_PAGE + 1}–{total} of {total}" in second
    assert second.count('<tr id="board-') == 3 and "county=540102" in second
    ids = set(re.findall(r'<tr id="board-(\d+)"', first + second))
    assert len(ids) == total  # every one on some page, none twice
