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


def _many(engine: Engine, n: int) -> list[int]:
    """``n`` listings in Lhasa, each its own firm; the even ones approved (in force)."""
    ids = []
    with make_sessionmaker(engine)() as s:
        for i in range(n):
            x = site(s, tag=10 + i, signed=TODAY - dt.timedelta(days=5))
            rec = blacklist.propose(
                s,
                employer_id=x.general_id,
                project_id=x.project_id,
                owed=[(3, "6000")],
                facts="事实",
                by=BY,
                today=TODAY,
            )
            if i % 2 == 0:
                blacklist.approve(s, rec.id, by=system("checker"), today=TODAY)
            ids.append(rec.id)
        s.commit()
    return ids


def _listed(html: str) -> list[str]:
    import re

    return re.findall(r'href="/wages/blacklist/(\d+)"', html)


def test_the_desk_pages_its_listings_and_filters_by_state(engine: Engine, app: Any) -> None:
    ids = _many(engine, 30)
    supervisor: Any = staff_client(app, engine, "supervisor", "540100")
    first = supervisor.get("/wages/blacklist")
    assert first.status_code == 200
    assert _listed(first.text) == [str(i) for i in sorted(ids, reverse=True)[:25]]
    assert "1–25" in first.text and 'rel="next"' in first.text
    second = supervisor.get("/wages/blacklist?page=2")
    assert _listed(second.text) == [str(i) for i in sorted(ids, reverse=True)[25:]]
    for hostile in ("0", "-1", "999999", "abc", "２"):  # clamped, never an error
        assert supervisor.get(f"/wages/blacklist?page={hostile}").status_code == 200
    listed = supervisor.get("/wages/blacklist?state=listed")
    assert len(_listed(listed.text)) == 15 and 'value="listed" selected' in listed.text
    assert supervisor.get("/wages/blacklist?state=nonsense").status_code == 200  # all shown
    # another region's desk sees none of them, on any page
    shigatse: Any = staff_client(app, engine, "supervisor", "540200")
    assert _listed(shigatse.get("/wages/blacklist").text) == []


def test_the_public_list_is_searched_by_name_or_credit_code(engine: Engine, anon: Any) -> None:
    _many(engine, 30)
    whole = anon.get("/public/wages/blacklist")
    assert whole.status_code == 200 and "1–15" in whole.text  # the 15 in force
    one = anon.get("/public/wages/blacklist", params={"q": "保证金测试单位12"})
    assert "保证金测试单位12" in one.text and "保证金测试单位14" not in one.text
    none = anon.get("/public/wages/blacklist", params={"q": "保证金测试单位11"})  # not approved
    assert "保证金测试单位11" not in none.text.split('id="public-listings"')[1]
    assert anon.get("/public/wages/blacklist", params={"q": "x" * 65}).status_code == 422


def test_the_return_is_not_offered_while_the_notice_runs_and_the_page_says_until_when(
    engine: Engine, app: Any
) -> None:
    with make_sessionmaker(engine)() as s:
        x = site(s, tag=77, signed=TODAY - dt.timedelta(days=400), completed_on=TODAY)
        deposits.assess(s, x.project_id, BY, TODAY)
        dep = deposits.deposit_of(s, x.project_id, BY)
        assert dep is not None
        deposits.lodge(
            s, x.project_id, form="cash", amount=dep.required, bank="中国银行", by=BY, today=TODAY
        )
        dep = deposits.open_notice(s, x.project_id, by=BY, today=TODAY)
        until = dep.notice_until
        s.commit()
    assert until is not None and until > TODAY
    supervisor: Any = staff_client(app, engine, "supervisor", "540100")
    supervisor.cookies.set("lang", "en")
    url = f"/wages/projects/{x.project_id}/deposit"
    page = supervisor.get(url).text
    assert 'id="deposit-return"' not in page and 'id="deposit-draw"' in page
    held = page.split('id="deposit-held-return"')[1].split("</li>")[0]
    assert f"the notice runs until {until.isoformat()}" in held and "Return the deposit" in held
    # posted anyway (an old tab): refused, in words and with the date, and nothing returned
    r = supervisor.post(url, data={"action": "return"}, follow_redirects=False)
    assert r.status_code == 409 and until.isoformat() in r.text
    assert "error-summary" in r.text.split('id="deposit-summary"')[0]  # at the top, in view
    with make_sessionmaker(engine)() as s:
        assert deposits.deposit_of(s, x.project_id, BY).state == "notice"  # type: ignore[union-attr]
