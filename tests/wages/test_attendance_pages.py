"""The attendance pages (issue 13 points 2 and 9): a project's month grid for staff of its
region (404 elsewhere) and the worker's own "my attendance" on the phone, in zh and bo."""

from __future__ import annotations

import datetime as dt
from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy.engine import Engine

from minsheng.auth import service as auth
from minsheng.db import make_sessionmaker
from minsheng.registry.models import Person
from minsheng.wages import attendance
from minsheng.wages.attendance import CST
from minsheng.wages.attendance_models import WgDevice
from minsheng.wages.models import WgWorker
from minsheng.webkit.guards import SESSION_COOKIE
from tests.conftest import staff_client
from tests.wages.attendance_world import BY, site

DAY = dt.datetime(2026, 11, 3, 8, 0, tzinfo=CST)


def worked(engine: Engine) -> tuple[int, int, str]:
    """A site whose first worker worked 2026-11-03 08:00–17:30; its project, worker and the
    worker's session token."""
    with make_sessionmaker(engine)() as s:
        st = site(s)
        device = s.get(WgDevice, st.device.id)
        w = st.workers[0]
        attendance.ingest(
            s,
            device,
            [
                {"id": "a", "worker": w, "at": DAY.isoformat(), "kind": "in"},
                {
                    "id": "b",
                    "worker": w,
                    "at": (DAY + dt.timedelta(hours=9, minutes=30)).isoformat(),
                    "kind": "out",
                },
            ],
            BY,
            now=DAY + dt.timedelta(days=1),
        )
        worker = s.get(WgWorker, w)
        assert worker is not None
        person = s.get(Person, worker.person_id)
        token = auth.open_session(s, 1, person=person).token
        s.commit()
        return st.project_id, w, token


def test_the_month_grid_shows_each_workers_hours(app: Any, engine: Engine) -> None:
    project, worker, _ = worked(engine)
    lhasa = staff_client(app, engine, "caseworker", "540100")
    shigatse = staff_client(app, engine, "caseworker", "540200")
    with lhasa as c, shigatse as far:  # type: ignore[attr-defined]
        r = c.get(f"/wages/projects/{project}/attendance?month=2026-11")
        assert r.status_code == 200, r.text
        row = r.text.split(f'id="worker-{worker}"')[1].split("</tr>")[0]
        cells = [x.split(">")[1].split("<")[0] for x in row.split('<td class="num"')[1:]]
        assert cells[2] == "9.5" and cells[0] == cells[1] == ""  # the 3rd: 9.5 h
        assert cells[-3:] == ["1", "9.5", "1.5"]  # days, hours, overtime
        assert f'href="/wages/projects/{project}/attendance?month=2026-12"' in r.text
        assert far.get(f"/wages/projects/{project}/attendance?month=2026-11").status_code == 404
        bad = c.get(f"/wages/projects/{project}/attendance?month=2026-1x")
        assert bad.status_code == 422


def test_my_attendance_on_the_phone_in_chinese_and_tibetan(app: Any, engine: Engine) -> None:
    _, _, token = worked(engine)
    c = TestClient(app)
    c.cookies.set(SESSION_COOKIE, token)
    zh = c.get("/me/wages/attendance?month=2026-11", headers={"Accept-Language": "zh-CN"})
    assert zh.status_code == 200
    assert "我的考勤" in zh.text and "08:00" in zh.text and "17:30" in zh.text
    assert 'class="month-hours">9.5<' in zh.text
    c.cookies.set("lang", "bo")
    bo = c.get("/me/wages/attendance?month=2026-11")
    assert bo.status_code == 200 and 'lang="bo"' in bo.text
    empty = c.get("/me/wages/attendance?month=2026-10")
    assert 'id="no-attendance"' in empty.text
    assert TestClient(app).get("/me/wages/attendance", follow_redirects=False).status_code == 303
