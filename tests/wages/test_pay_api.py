"""Pay over HTTP and on the pages (issue 13, points 3, 4 and 9): the general contractor's wage
officer opens the account, records a transfer (retried: counted once), builds the sheets,
prepares the run; another officer issues it and the supervisor downloads the bank file; the
worker sees their pay on the phone in Tibetan and Chinese, confirms or disputes; a refused
form answers the page again with the field marked; another region's project is missing."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy import Engine, select

from minsheng.auth import service as auth
from minsheng.auth.models import EmployerUser, User
from minsheng.db import make_sessionmaker, unit_of_work
from minsheng.registry.models import Person
from minsheng.wages.models import WgProjectFirm
from minsheng.wages.pay_models import WgPayLine
from minsheng.webkit.guards import SESSION_COOKIE
from tests.assistance import bankfile_reader as reader
from tests.conftest import make_app, staff_client
from tests.wages.pay_kit import site, work

MONTH = "2026-10"


def _officer(app: Any, engine: Engine, name: str, project_id: int) -> Any:
    c: Any = staff_client(app, engine, "contractor", "540102", name)
    with unit_of_work(make_sessionmaker(engine)) as s:
        general = s.scalar(
            select(WgProjectFirm.employer_id).where(
                WgProjectFirm.project_id == project_id, WgProjectFirm.role == "general"
            )
        )
        user = s.scalar(select(User.id).where(User.username == name))
        s.add(EmployerUser(user_id=user, employer_id=general))
    return c


def _citizen(app: Any, engine: Engine, person_id: int) -> TestClient:
    with unit_of_work(make_sessionmaker(engine)) as s:
        token = auth.open_session(s, 1, person=s.get(Person, person_id)).token
    c = TestClient(app)
    c.cookies.set(SESSION_COOKIE, token)
    c.headers["X-CSRF-Token"] = c.get("/api/auth/csrf").json()["csrf_token"]
    return c


def test_the_month_paid_through_the_api_and_seen_on_the_phone(engine: Engine) -> None:
    app = make_app(engine)
    with unit_of_work(make_sessionmaker(engine)) as s:
        k = site(s, cards=True)
        work(s, k, "day", dt.date(2026, 10, 8), 480)
        work(s, k, "sub", dt.date(2026, 10, 9), 480)
    p = k.project_id
    a, b = _officer(app, engine, "officer.a", p), _officer(app, engine, "officer.b", p)
    opened = a.post(
        f"/api/wages/projects/{p}/pay/account",
        json={
            "bank_name": "中国建设银行",
            "account_number": "6217000010012345",
            "opened_on": "2026-09-01",
        },
    )
    assert opened.status_code == 201 and opened.json()["account_tail"] == "2345"
    t = {"paid_on": "2026-09-05", "amount": "500.00", "reference": "BANK-1"}
    assert a.post(f"/api/wages/projects/{p}/pay/transfers", json=t).status_code == 201
    assert a.post(f"/api/wages/projects/{p}/pay/transfers", json=t).status_code == 200
    shown = a.get(f"/api/wages/projects/{p}/pay/account").json()
    assert shown["account"]["balance_fen"] == 50_000 and len(shown["transfers"]) == 1
    assert "6217000010012345" not in str(shown)
    built = a.post(f"/api/wages/projects/{p}/pay/sheets", json={"month": MONTH})
    assert [x["total_fen"] for x in built.json()["sheets"]] == [30_000, 28_000]
    short = a.post(f"/api/wages/projects/{p}/pay/runs", json={"month": MONTH})
    assert short.status_code == 409 and short.json()["error"]["rule"] == "balance_short"
    t2 = {"paid_on": "2026-10-05", "amount": "1000.00", "reference": "BANK-2"}
    assert a.post(f"/api/wages/projects/{p}/pay/transfers", json=t2).status_code == 201
    run = a.post(f"/api/wages/projects/{p}/pay/runs", json={"month": MONTH}).json()
    assert (run["state"], run["new_total_fen"], run["balance_fen"]) == ("prepared", 58_000, 92_000)
    mine = a.post(f"/api/wages/pay/runs/{run['run_id']}/issue")
    assert mine.status_code == 403 and mine.json()["error"]["rule"] == "maker_checker"
    issued = b.post(f"/api/wages/pay/runs/{run['run_id']}/issue")
    assert issued.status_code == 200 and issued.json()["state"] == "issued"
    boss: Any = staff_client(app, engine, "supervisor", "540100")
    f = boss.get(f"/api/wages/pay/runs/{run['run_id']}/bank-file")
    assert f.status_code == 200
    assert sorted(r.amount for r in reader.parse(f.content).records) == [28_000, 30_000]
    # another prefecture's staff and a contractor of no firm on it: missing
    shigatse: Any = staff_client(app, engine, "supervisor", "540200")
    assert shigatse.get(f"/api/wages/projects/{p}/pay/account").status_code == 404
    stranger: Any = staff_client(app, engine, "contractor", "540102", "stranger")
    assert stranger.get(f"/api/wages/projects/{p}/pay/sheets").status_code == 404
    # a wage card set by the officer: only its last four digits are answered
    card = a.put(
        f"/api/wages/workers/{k.workers['day']}/wage-card",
        json={"bank_name": "西藏银行", "account_number": "6222020200112233446"},
    )
    assert card.status_code == 200 and card.json()["tail"] == "3446"
    assert "6222020200112233446" not in card.text
    bad_card = a.put(
        f"/api/wages/workers/{k.workers['day']}/wage-card",
        json={"bank_name": "西藏银行", "account_number": "6222020200112233447"},
    )
    assert bad_card.status_code == 422 and bad_card.json()["error"]["field"] == "account_number"
    # the worker's phone
    worker = _citizen(app, engine, k.persons["day"])
    lines = worker.get("/api/me/wages/pay").json()["lines"]
    assert [(x["for_month"], x["gross_fen"], x["paid"]) for x in lines] == [(MONTH, 30_000, True)]
    worker.cookies.set("lang", "bo")
    page = worker.get("/me/wages/pay")
    assert page.status_code == 200 and '<html lang="bo"' in page.text and "¥300.00" in page.text
    worker.cookies.set("lang", "zh")
    slip = worker.get(f"/me/wages/pay/{lines[0]['id']}")
    assert (
        'id="paid"' in slip.text and "****" in slip.text and 'id="response-form"' not in slip.text
    )
    other = _citizen(app, engine, k.persons["hour"])
    assert other.get(f"/me/wages/pay/{lines[0]['id']}").status_code == 404


def test_confirm_and_dispute_on_the_phone_and_a_refused_form(engine: Engine) -> None:
    app = make_app(engine)
    with unit_of_work(make_sessionmaker(engine)) as s:
        k = site(s)
        work(s, k, "hour", dt.date(2026, 10, 12), 480)
    a = _officer(app, engine, "officer.c", k.project_id)
    desk = a.get(f"/wages/projects/{k.project_id}/pay")
    assert desk.status_code == 200 and 'id="no-account"' in desk.text
    bad = a.post(f"/wages/projects/{k.project_id}/pay/sheets", data={"month": "2026-13"})
    assert bad.status_code == 422
    assert re.search(r'id="month"[^>]*aria-invalid="true"', bad.text)
    done = a.post(
        f"/wages/projects/{k.project_id}/pay/sheets",
        data={"month": MONTH},
        follow_redirects=False,
    )
    assert done.status_code == 303
    with make_sessionmaker(engine)() as s:
        line = s.scalar(select(WgPayLine).where(WgPayLine.worker_id == k.workers["hour"]))
        assert line is not None and line.gross == 33_200
        line_id = line.id
    worker = _citizen(app, engine, k.persons["hour"])
    slip = worker.get(f"/me/wages/pay/{line_id}")
    assert 'id="response-form"' in slip.text and "¥332.00" in slip.text
    refused = worker.post(f"/me/wages/pay/{line_id}/response", data={"agree": "0"})
    assert refused.status_code == 422 and re.search(
        r'id="note"[^>]*aria-invalid="true"', refused.text
    )
    objected = worker.post(
        f"/me/wages/pay/{line_id}/response",
        data={"agree": "0", "note": "少算了一天"},
        follow_redirects=False,
    )
    assert objected.status_code == 303
    sheet = a.get(f"/wages/pay/sheets/{line.sheet_id}")
    assert "少算了一天" in sheet.text
    ok = worker.post(
        f"/me/wages/pay/{line_id}/response", data={"agree": "1"}, follow_redirects=False
    )
    assert ok.status_code == 303
    with make_sessionmaker(engine)() as s:
        assert s.get(WgPayLine, line_id).confirmation == "confirmed"  # type: ignore[union-attr]
    assert a.get(f"/wages/pay/lines/{line_id}/slip").status_code == 200
