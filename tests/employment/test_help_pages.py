"""The help pages: the caseworker's queue (region-scoped rows, filters), a plan's page (the
categories with reasons, only the forms the caller may use), a refused form answered on the page
(422, the error by its field, the typed text kept), a done one redirected with a flash; the
statistics page (SVG charts, no script) and its CSV through the platform's writer."""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
from typing import Any

from sqlalchemy import select
from sqlalchemy.engine import Engine

from minsheng.db import make_sessionmaker
from minsheng.employment.help_models import EmHelpContact, EmHelpPlan
from minsheng.employment.help_refresh import refresh
from tests.conftest import staff_client
from tests.employment import help_kit as k


def world(engine: Engine) -> dict[str, int]:
    today = dt.date.today()
    with make_sessionmaker(engine)() as s:
        a = k.person(s, 1, sex="F", birth=dt.date(1980, 1, 1), name="卓玛页面")
        b = k.person(s, 2, county=k.SAMZHUBZE, name="日喀则页面人")
        k.status(s, b, "disability")
        k.seeker(s, a, today - dt.timedelta(days=40))
        k.seeker(s, b, today - dt.timedelta(days=40), county=k.SAMZHUBZE)
        e = k.employer(s)
        k.hire(s, e, k.person(s, 3, name="已就业人"), today)
        refresh(s, today, k.BY)
        plan = s.scalar(select(EmHelpPlan.id).where(EmHelpPlan.person_id == a))
        s.commit()
    assert plan is not None
    return {"plan": plan}


def csrf(c: Any, path: str) -> str:
    m = re.search(r'name="csrf_token" value="([^"]+)"', c.get(path).text)
    assert m, "no csrf token on the page"
    return m.group(1)


def test_queue_and_plan_pages(engine: Engine, app: Any) -> None:
    ids = world(engine)
    me = staff_client(app, engine, "caseworker", "540100")
    me.cookies.set("ms_lang", "zh")
    r = me.get("/employment/help")
    assert r.status_code == 200
    assert "卓玛页面" in r.text and "日喀则页面人" not in r.text
    assert "大龄失业人员" in r.text and f'href="/employment/help/{ids["plan"]}"' in r.text
    assert "卓玛页面" not in me.get("/employment/help", params={"due": "overdue"}).text
    assert "卓玛页面" not in me.get("/employment/help", params={"mine": "1"}).text
    assert me.get("/employment/help", params={"due": "<script>", "county": "x"}).status_code == 200
    page = me.get(f"/employment/help/{ids['plan']}")
    assert page.status_code == 200
    assert "女，46周岁" in page.text and 'id="contact-form"' in page.text
    assert 'id="offer-form"' in page.text and 'id="close-form"' in page.text
    auditor = staff_client(app, engine, "auditor", "540100")
    seen = auditor.get(f"/employment/help/{ids['plan']}").text
    assert "卓玛页面" in seen and 'id="contact-form"' not in seen
    outside = staff_client(app, engine, "caseworker", "540200")
    assert outside.get(f"/employment/help/{ids['plan']}").status_code == 404


def test_forms_refused_on_the_page_and_done_with_a_flash(engine: Engine, app: Any) -> None:
    ids = world(engine)
    me = staff_client(app, engine, "caseworker", "540100")
    path = f"/employment/help/{ids['plan']}"
    token = csrf(me, path)
    bad = me.post(
        path,
        data={
            "csrf_token": token,
            "form": "contact",
            "channel": "phone",
            "note": "",
            "next_step": "下周再打",
        },
    )
    assert bad.status_code == 422
    assert 'id="help-contact-note-error"' in bad.text and "下周再打" in bad.text
    bad = me.post(path, data={"csrf_token": token, "form": "contact", "day": "2026-13-01"})
    assert bad.status_code == 422 and 'id="help-contact-day-error"' in bad.text
    done = me.post(
        path,
        data={"csrf_token": token, "form": "contact", "channel": "visit", "note": "入户走访"},
        follow_redirects=False,
    )
    assert done.status_code == 303 and done.headers["location"] == path
    with make_sessionmaker(engine)() as s:
        assert s.scalar(select(EmHelpContact.note)) == "入户走访"
    bad = me.post(
        path, data={"csrf_token": token, "form": "offer", "kind": "job_lead", "vacancy_id": "12x"}
    )
    assert bad.status_code == 422 and 'id="help-offer-vacancy_id-error"' in bad.text
    closed = me.post(
        path,
        data={"csrf_token": token, "form": "close", "outcome": "moved", "reason": "迁往林芝"},
        follow_redirects=False,
    )
    assert closed.status_code == 303
    again = me.post(
        path, data={"csrf_token": token, "form": "close", "outcome": "moved", "reason": "again"}
    )
    assert again.status_code == 409 and 'id="close-form"' not in again.text


def test_statistics_page_and_csv(engine: Engine, app: Any) -> None:
    world(engine)
    me = staff_client(app, engine, "caseworker", "540100")
    me.cookies.set("ms_lang", "zh")
    r = me.get("/employment/statistics")
    assert r.status_code == 200
    assert 'id="chart-new_jobs"' in r.text and "<script" not in r.text.split("<main", 1)[-1]
    assert re.search(r'id="total-new_jobs">1<', r.text)
    assert re.search(r'id="total-unemployed">1<', r.text)  # the Shigatse one is not counted
    c = me.get("/employment/statistics.csv", params={"year": dt.date.today().year})
    assert c.status_code == 200 and c.headers["content-type"].startswith("text/csv")
    text = c.content.decode("utf-8")
    assert text.startswith("\ufeff")
    rows = list(csv.reader(io.StringIO(text.lstrip("\ufeff"))))
    assert rows[0] == ["measure", "prefecture", "month", "count"]
    month = dt.date.today().strftime("%Y-%m")
    assert ["new_jobs", "540100", month, "1"] in rows
    assert all(r[1] == "540100" for r in rows[1:])


def test_the_queue_pages_in_sql_with_its_real_total(engine: Engine, app: Any) -> None:
    today = dt.date.today()
    with make_sessionmaker(engine)() as s:
        for i in range(30):
            p = k.person(s, 100 + i, sex="F", birth=dt.date(1975, 1, 1 + i % 28), name=f"排队{i}")
            k.seeker(s, p, today - dt.timedelta(days=40))
        refresh(s, today, k.BY)
        s.commit()
        total = len(s.scalars(select(EmHelpPlan.id).where(EmHelpPlan.state == "open")).all())
    assert total >= 30
    me: Any = staff_client(app, engine, "caseworker", "540100")
    me.cookies.set("lang", "en")
    first = me.get("/employment/help")
    shown = re.findall(r'href="/employment/help/(\d+)"', first.text)
    assert len(set(shown)) == 25 and f"1–25 of {total}" in first.text
    last = me.get("/employment/help", params={"page": "999"})  # clamped to the last page
    rest = set(re.findall(r'href="/employment/help/(\d+)"', last.text))
    assert len(rest) == total - 25 and not rest & set(shown)
    assert f"26–{total} of {total}" in last.text and 'rel="next"' not in last.text
