"""The bundle pages on both databases: the caseworker finds a person of the region, starts a
retirement with its one form and sees each part's state; a refused bundle's page names the
refusing part and the field; a form that cannot be read answers the page again with the field
marked and stores nothing; a double submit of one form (the same key) gives one bundle; the
citizen applies for their own card and sees its state, and cannot see another's."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy import Engine, func, select

from minsheng.auth import service as auth
from minsheng.bundles.models import Bundle
from minsheng.core import ids
from minsheng.db import make_sessionmaker, unit_of_work
from minsheng.registry.models import Person
from minsheng.webkit.guards import SESSION_COOKIE
from tests.bundles.kit import employer, person, retiring
from tests.conftest import make_app, staff_client


def _bundles(engine: Engine) -> int:
    with make_sessionmaker(engine)() as s:
        return int(s.scalar(select(func.count()).select_from(Bundle)) or 0)


def test_the_caseworker_starts_a_retirement_and_sees_each_part(engine: Engine) -> None:
    app = make_app(engine)
    with unit_of_work(make_sessionmaker(engine)) as s:
        employer(s)
        pid = retiring(s, 1)
        young = retiring(s, 3, born=dt.date(1975, 5, 10))
        number = ids.make_resident_id("540102", dt.date(1964, 5, 10), 1)
    lhasa: Any = staff_client(app, engine, "caseworker", "540100")
    found = lhasa.post("/bundles/find", data={"id_number": number}, follow_redirects=False)
    assert found.status_code == 303 and found.headers["location"] == f"/bundles/persons/{pid}"
    page = lhasa.get(f"/bundles/persons/{pid}")
    assert page.status_code == 200
    key = re.search(r'name="key" value="([^"]+-r)"', page.text)
    assert key is not None and 'id="retirement-form"' in page.text
    form = {"category": "worker", "key": key.group(1)}
    done = lhasa.post(f"/bundles/persons/{pid}/retirement", data=form, follow_redirects=False)
    assert done.status_code == 303
    url = done.headers["location"]
    twice = lhasa.post(f"/bundles/persons/{pid}/retirement", data=form, follow_redirects=False)
    assert twice.headers["location"] == url and _bundles(engine) == 1  # a double submit
    shown = lhasa.get(url)
    assert shown.status_code == 200
    assert 'data-state="done"' in shown.text
    for part in ("pension", "contributions", "medical"):
        assert re.search(rf'id="part-{part}" data-state="done"', shown.text)
    pension = shown.text.split('id="part-pension"')[1].split("</tr>")[0]
    assert "月养老金（元）" in pension and "职工基本养老保险" in pension and "正常发放" in pension
    assert "monthly_fen" not in pension and "employee_pension" not in pension
    refused = lhasa.post(f"/bundles/persons/{young}/retirement", data={}, follow_redirects=False)
    assert refused.status_code == 303
    page = lhasa.get(refused.headers["location"])
    assert 'id="bundle-error"' in page.text and "start · too_young" in page.text
    assert 'id="part-pension" data-state="refused"' in page.text
    bad = lhasa.post(
        f"/bundles/persons/{young}/hire",
        data={"credit_code": "x", "wage": "6000", "start_date": "2025-13-40"},
    )
    assert bad.status_code == 422
    assert re.search(r'id="hire-start_date"[^>]*aria-invalid="true"', bad.text)
    assert _bundles(engine) == 2  # the unreadable form stored nothing
    shigatse: Any = staff_client(app, engine, "caseworker", "540200")
    assert shigatse.get(url).status_code == 404
    assert shigatse.get(f"/bundles/persons/{pid}").status_code == 404
    assert shigatse.post(f"/bundles/persons/{pid}/card", data={}).status_code == 404


def _citizen(app: Any, token: str) -> TestClient:
    c = TestClient(app)
    c.cookies.set(SESSION_COOKIE, token)
    c.headers["X-CSRF-Token"] = c.get("/api/auth/csrf").json()["csrf_token"]
    return c


def test_the_citizen_applies_for_their_card(engine: Engine) -> None:
    app = make_app(engine)
    with unit_of_work(make_sessionmaker(engine)) as s:
        me = s.get(Person, person(s, 21, born=dt.date(1985, 1, 1)))
        other = s.get(Person, person(s, 23, born=dt.date(1986, 1, 1)))
        assert me is not None and other is not None
        mine = auth.open_session(s, 1, person=me).token
        theirs = auth.open_session(s, 1, person=other).token
    c = _citizen(app, mine)
    page = c.get("/me/bundles")
    assert page.status_code == 200 and 'id="no-bundles"' in page.text
    done = c.post("/me/bundles/card", data={}, follow_redirects=False)
    assert done.status_code == 303 and done.headers["location"].startswith("/me/bundles/")
    shown = c.get(done.headers["location"])
    assert 'data-state="done"' in shown.text and 'id="part-card" data-state="done"' in shown.text
    # the result under labels a citizen reads, not the service's keys and codes
    part = shown.text.split('id="part-card"')[1].split("</tr>")[0]
    assert "社保卡号" in part and "已申领" in part and "县（区）" in part
    for raw in ("card_id", "applied", "county", ">540102<", " 540102"):
        assert raw not in part, raw
    english = c.get(done.headers["location"], headers={"Accept-Language": "en"})
    part_en = english.text.split('id="part-card"')[1].split("</tr>")[0]
    assert "card number" in part_en and "card_id" not in part_en
    assert c.post("/me/bundles/death", data={}).status_code == 403  # staff only
    assert _citizen(app, theirs).get(done.headers["location"]).status_code == 404


def test_the_citizen_applies_for_their_own_pension(engine: Engine) -> None:
    app = make_app(engine)
    with unit_of_work(make_sessionmaker(engine)) as s:
        employer(s)
        retiree = s.get(Person, retiring(s, 1))
        assert retiree is not None
        token = auth.open_session(s, 1, person=retiree).token
    c = _citizen(app, token)
    page = c.get("/me/bundles")
    assert 'id="retirement-form"' in page.text and 'value="cadre"' in page.text
    key = re.search(r'name="key" value="([^"]+-r)"', page.text)
    assert key is not None
    done = c.post(
        "/me/bundles/retirement",
        data={"category": "worker", "key": key.group(1)},
        follow_redirects=False,
    )
    assert done.status_code == 303
    shown = c.get(done.headers["location"])
    assert 'id="bundle-state" data-state="done"' in shown.text
    for part in ("pension", "contributions", "medical"):
        assert f'id="part-{part}" data-state="done"' in shown.text
    with make_sessionmaker(engine)() as s:
        b = s.scalars(select(Bundle)).one()
        assert (b.kind, b.person_id, b.by) == ("retirement", retiree.id, f"citizen:{retiree.id}")


def test_a_failed_find_keeps_the_desk_list_below_its_error(
    engine: Engine, monkeypatch: Any
) -> None:
    """A mistyped ID number answers with its error by the field — and the region's bundles
    still listed below (they were emptied), cut at the bound with the page saying so."""
    from minsheng.bundles import service

    app = make_app(engine)
    with unit_of_work(make_sessionmaker(engine)) as s:
        employer(s)
        people = [retiring(s, 1), retiring(s, 5)]
    lhasa: Any = staff_client(app, engine, "caseworker", "540100")
    for pid in people:  # two bundles of the region
        page = lhasa.get(f"/bundles/persons/{pid}")
        key = re.search(r'name="key" value="([^"]+-r)"', page.text)
        assert key is not None
        form = {"category": "worker", "key": key.group(1)}
        lhasa.post(f"/bundles/persons/{pid}/retirement", data=form, follow_redirects=False)
    row = '<tr><td data-label="#">'
    listed = lhasa.get("/bundles").text.count(row)
    assert listed == 2
    bad = lhasa.post("/bundles/find", data={"id_number": "540102196405101234"})
    assert bad.status_code == 422 and 'aria-invalid="true"' in bad.text
    assert bad.text.count(row) == listed  # the list is still there
    monkeypatch.setattr(service, "MAX_LIST", 1)
    lhasa.cookies.set("lang", "en")
    cut_page = lhasa.get("/bundles").text
    assert re.search(r"(only|first) 1", cut_page, re.I)
