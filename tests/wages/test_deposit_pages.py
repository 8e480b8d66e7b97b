"""The deposit panel, the blacklist desk and the public list through the app: a refused form
answers the page again with the error by its field and changes nothing; a done one redirects
with its message; the public list opens without signing in and shows no facts or personal
data."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.engine import Engine

from minsheng.db import make_sessionmaker
from minsheng.foundation.principals import system
from minsheng.wages import blacklist, deposits
from minsheng.wages.deposit_models import WgDepositEntry
from tests.conftest import staff_client
from tests.wages.deposit_world import BY, site

TODAY = dt.date.today()


def _world(engine: Engine) -> dict[str, Any]:
    with make_sessionmaker(engine)() as s:
        x = site(s, signed=TODAY - dt.timedelta(days=5))
        deposits.assess(s, x.project_id, BY, TODAY)
        rec = blacklist.propose(
            s,
            employer_id=x.general_id,
            project_id=x.project_id,
            owed=[(3, "6000")],
            facts="内部事实：张三等人被拖欠",
            by=BY,
            today=TODAY,
        )
        blacklist.approve(s, rec.id, by=system("checker"), today=TODAY)
        s.commit()
        return {"project": x.project_id, "listing": rec.id}


def test_public_list_without_sign_in(engine: Engine, anon: Any) -> None:
    _world(engine)
    r = anon.get("/public/wages/blacklist")
    assert r.status_code == 200
    assert "保证金测试单位1" in r.text and "张三" not in r.text and "内部事实" not in r.text
    api = anon.get("/api/public/wages/blacklist").json()["listings"]
    assert [x["firm"] for x in api] == ["保证金测试单位1"]


def test_deposit_panel_refuses_and_then_lodges(engine: Engine, app: Any) -> None:
    w = _world(engine)
    supervisor: Any = staff_client(app, engine, "supervisor", "540100")
    url = f"/wages/projects/{w['project']}/deposit"
    page = supervisor.get(url)
    assert page.status_code == 200 and 'id="deposit-lodge"' in page.text
    bad = {"action": "lodge", "form": "cash", "amount": "1.00", "bank": "中国银行"}
    r = supervisor.post(url, data=bad, follow_redirects=False)
    assert r.status_code == 422, r.text[:300]
    assert 'aria-invalid="true"' in r.text and "1.00" in r.text
    with make_sessionmaker(engine)() as s:
        assert s.scalar(select(func.count()).select_from(WgDepositEntry)) == 0
    good = {**bad, "amount": "200000.00"}
    r = supervisor.post(url, data=good, follow_redirects=False)
    assert r.status_code == 303
    assert "¥200,000.00" in supervisor.get(url).text
