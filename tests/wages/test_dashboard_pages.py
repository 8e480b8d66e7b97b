"""The warning queue and the dashboard pages (issue 13 points 6 and 9): region-scoped rows, a
step form offered only where the caller may take it, a refused step answered on the page with
the form as typed, the dashboard's figures and SVG charts (no script, no CDN)."""

from __future__ import annotations

import datetime as dt
import re

from sqlalchemy import Engine, select

from minsheng.db import make_sessionmaker
from minsheng.wages import monitoring
from minsheng.wages.warning_models import WgWarning
from tests.conftest import staff_client
from tests.wages import warning_world as ww
from tests.wages.warning_world import BY


def _world(engine: Engine) -> int:
    with make_sessionmaker(engine)() as s:
        p, _, _ = ww.project(
            s, "拉萨页面工地", signed=dt.date(2026, 1, 1), start=dt.date(2026, 1, 5)
        )
        ww.project(s, "日喀则页面工地", county="540202", signed=dt.date(2026, 1, 1))
        monitoring.scan(s, dt.date.today(), BY)
        wid = s.scalar(
            select(WgWarning.id).where(
                WgWarning.project_id == p.id, WgWarning.cause == "account_missing"
            )
        )
        s.commit()
    assert wid is not None
    return wid


def _csrf(c: object, path: str) -> str:
    html = c.get(path).text  # type: ignore[attr-defined]
    m = re.search(r'name="csrf_token" value="([^"]+)"', html)
    assert m, "no csrf token on the page"
    return m.group(1)


def test_queue_rows_filters_and_offered_steps(engine: Engine, app: object) -> None:
    wid = _world(engine)
    sup = staff_client(app, engine, "supervisor", "540100")
    auditor = staff_client(app, engine, "auditor", "540100")
    outside = staff_client(app, engine, "supervisor", "540200", "supervisor.shigatse")
    sup.cookies.set("ms_lang", "zh")  # type: ignore[attr-defined]
    r = sup.get("/wages/warnings")  # type: ignore[attr-defined]
    assert r.status_code == 200
    assert "拉萨页面工地" in r.text and "日喀则页面工地" not in r.text
    assert "专用账户未开设或未备案" in r.text and f'action="/wages/warnings/{wid}"' in r.text
    red = sup.get("/wages/warnings", params={"level": "red", "cause": "account_missing"}).text  # type: ignore[attr-defined]
    assert red.count('<tr class="level-red') == 1
    none = sup.get("/wages/warnings", params={"cause": "complaint_cluster"}).text  # type: ignore[attr-defined]
    assert "没有待办预警" in none
    # an auditor reads the queue but is offered no step
    r = auditor.get("/wages/warnings")  # type: ignore[attr-defined]
    assert r.status_code == 200 and "拉萨页面工地" in r.text
    assert f'action="/wages/warnings/{wid}"' not in r.text
    assert "日喀则页面工地" in outside.get("/wages/warnings").text  # type: ignore[attr-defined]
    assert "拉萨页面工地" not in outside.get("/wages/warnings").text  # type: ignore[attr-defined]


def test_a_refused_step_answers_the_page_with_the_form_as_typed(
    engine: Engine, app: object
) -> None:
    wid = _world(engine)
    sup = staff_client(app, engine, "supervisor", "540100")
    token = _csrf(sup, "/wages/warnings")
    r = sup.post(  # type: ignore[attr-defined]
        f"/wages/warnings/{wid}", data={"csrf_token": token, "action": "rectify", "reason": ""}
    )
    assert r.status_code == 422
    assert f'id="w{wid}-reason"' in r.text and 'aria-invalid="true"' in r.text
    r = sup.post(  # type: ignore[attr-defined]
        f"/wages/warnings/{wid}",
        data={"csrf_token": token, "action": "rectify", "reason": "已开户"},
        follow_redirects=False,
    )
    assert r.status_code == 303
    with make_sessionmaker(engine)() as s:
        w = s.get(WgWarning, wid)
        assert w is not None and (w.state, w.resolution) == ("rectified", "已开户")
    outside = staff_client(app, engine, "supervisor", "540200", "supervisor.shigatse")
    token = (
        _csrf(outside, "/wages/warnings")
        if "csrf_token" in outside.get("/wages/warnings").text
        else ""
    )  # type: ignore[attr-defined]
    r = outside.post(f"/wages/warnings/{wid}", data={"csrf_token": token, "action": "check"})  # type: ignore[attr-defined]
    assert r.status_code in (403, 404)


def test_dashboard_figures_and_charts(engine: Engine, app: object) -> None:
    _world(engine)
    sup = staff_client(app, engine, "supervisor", "540100")
    sup.cookies.set("ms_lang", "zh")  # type: ignore[attr-defined]
    r = sup.get("/wages/dashboard")  # type: ignore[attr-defined]
    assert r.status_code == 200
    html = r.text
    assert 'id="chart-levels"' in html and 'id="chart-causes"' in html
    assert "<script" not in html.split("<main", 1)[-1]  # the charts are SVG, drawn on the server
    assert re.search(r'id="zero-arrears">\s*1 / 1', html)
    assert "城关区" in html and "日喀则" not in html
    region = staff_client(app, engine, "supervisor", "540000", "supervisor.region").get(  # type: ignore[attr-defined]
        "/wages/dashboard"
    )
    assert re.search(r'id="zero-arrears">\s*2 / 2', region.text)
