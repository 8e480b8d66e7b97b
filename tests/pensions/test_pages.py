"""The pensions pages on both databases: the citizen sees only their own record and an estimate
that is the estimate of their stored history plus the projected years; the desk finds a person
of its region only, keeps a refused form as typed with the error by its field, and answers a
stored form with a redirect and a one-time message."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine, func, select

from minsheng.auth import service as auth
from minsheng.core import ids, money
from minsheng.db import make_sessionmaker
from minsheng.foundation.principals import system
from minsheng.pensions import contributions, enrolment, estimate
from minsheng.pensions.models import PnContribution, PnEnrolment
from minsheng.pensions.pages import projected_history
from minsheng.pensions.schemas import EnrolIn, ResidentContributionIn
from minsheng.policy import load
from minsheng.registry import service as registry
from minsheng.registry.schemas import PersonIn
from minsheng.webkit.guards import SESSION_COOKIE
from tests.conftest import make_app, staff_client
from tests.web.test_page_kit import lang_problems

BY = system("test")
LAST_YEAR = dt.date.today().year - 1
LHASA_ID = ids.make_resident_id("540102", dt.date(1985, 3, 8), 21)
SHIGATSE_ID = ids.make_resident_id("540202", dt.date(1979, 9, 9), 22)


@pytest.fixture
def world(engine: Engine) -> dict[str, Any]:
    with make_sessionmaker(engine)() as s:
        p1 = registry.create_person(
            s, PersonIn(id_number=LHASA_ID, name_zh="拉萨参保人", hukou="rural"), BY
        )
        p2 = registry.create_person(
            s, PersonIn(id_number=SHIGATSE_ID, name_zh="日喀则参保人", hukou="rural"), BY
        )
        for p in (p1, p2):
            enrolment.enrol(
                s,
                EnrolIn(
                    person_id=p.id,
                    scheme="resident_pension",
                    start_date=dt.date(LAST_YEAR - 1, 1, 1),
                ),
                BY,
            )
        contributions.record_resident(
            s, ResidentContributionIn(person_id=p1.id, year=LAST_YEAR - 1, tier="500"), BY
        )
        contributions.record_resident(
            s, ResidentContributionIn(person_id=p1.id, year=LAST_YEAR, tier="1000"), BY
        )
        contributions.record_resident(
            s, ResidentContributionIn(person_id=p2.id, year=LAST_YEAR, tier="300"), BY
        )
        cookies = {
            "p1": auth.open_session(s, 1, person=p1).token,
            "p2": auth.open_session(s, 1, person=p2).token,
        }
        s.commit()
        return {"p1": p1.id, "p2": p2.id, "cookies": cookies}


def table(html: str, dom_id: str) -> str:
    start = html.index(f'id="{dom_id}"')
    return html[start : html.index("</table>", start)]


def citizen(app: Any, token: str) -> TestClient:
    c = TestClient(app)
    c.cookies.set(SESSION_COOKIE, token)
    return c


def test_the_citizen_sees_only_their_own_record(engine: Engine, world: dict[str, Any]) -> None:
    app = make_app(engine)
    mine = citizen(app, world["cookies"]["p1"]).get("/me/pensions")
    assert mine.status_code == 200, mine.text
    paid = table(mine.text, "contributions")
    assert "¥1,000.00" in paid and "¥500.00" in paid  # the two years paid
    assert 'id="estimate-form"' in mine.text and 'value="2000.00"' in mine.text  # the tiers
    other = citizen(app, world["cookies"]["p2"]).get("/me/pensions")
    assert other.status_code == 200
    theirs = table(other.text, "contributions")
    assert "¥300.00" in theirs and "¥1,000.00" not in theirs and "¥500.00" not in theirs
    assert TestClient(app).get("/me/pensions", follow_redirects=False).status_code in (303, 401)


def test_the_estimate_is_the_stored_history_plus_the_projected_years(
    engine: Engine, world: dict[str, Any]
) -> None:
    app = make_app(engine)
    c = citizen(app, world["cookies"]["p1"])
    r = c.get("/me/pensions/estimate", params={"tier": "2000.00"})
    assert r.status_code == 200, r.text
    with make_sessionmaker(engine)() as s:
        stored = contributions.own(s, world["p1"])
        history = projected_history(stored, dt.date(1985, 3, 8), "2000.00", dt.date.today(), 60)
    assert history[0] == {"year": LAST_YEAR - 1, "tier": "500.00"}
    assert history[-1] == {"year": 2044, "tier": "2000.00"}  # the year before the claim year
    expected = estimate.estimate(
        load(), {"scheme": "resident", "birth": "1985-03", "sex": "female", "history": history}
    )
    assert f"{money.fmt(expected.monthly)}</span></h2>" in r.text
    for part in expected.parts:  # each part with its amount, formula and parameters
        assert money.fmt(part.amount) in r.text
        assert part.parameters[0].path.split(".")[-1] in r.text
    assert 'id="estimate-tier"' in r.text and 'value="2000.00" selected' in r.text
    for code in ("bo", "en"):  # the parts' Chinese names, formulas and sources carry their lang
        c.cookies.set("lang", code)
        other = c.get("/me/pensions/estimate", params={"tier": "2000.00"})
        assert other.status_code == 200 and not lang_problems(other.text), lang_problems(other.text)
    c.cookies.set("lang", "zh")
    # a tier not in the table: the page again, the error on the tier field, nothing stored
    bad = c.get("/me/pensions/estimate", params={"tier": "123"})
    assert bad.status_code == 422
    assert 'aria-invalid="true"' in bad.text and 'id="estimate-tier-error"' in bad.text
    assert "缴费档次应为以下之一" in bad.text
    # someone who cannot reach 15 years by the claim age is told so, on the tier
    short = citizen(app, world["cookies"]["p2"]).get(
        "/me/pensions/estimate", params={"tier": "2000.00"}
    )
    assert short.status_code == 422 and "累计缴费不足15年" in short.text
    assert 'id="estimate-tier-error"' in short.text


def test_another_regions_caseworker_gets_404(engine: Engine, world: dict[str, Any]) -> None:
    app = make_app(engine)
    shigatse: Any = staff_client(app, engine, "caseworker", "540200")
    r = shigatse.get(f"/pensions/persons/{world['p1']}")
    assert r.status_code == 404
    assert "拉萨参保人" not in r.text
    r = shigatse.post(
        f"/pensions/persons/{world['p1']}/contributions",
        data={"year": str(LAST_YEAR), "tier": "300.00"},
        follow_redirects=False,
    )
    assert r.status_code == 404
    found = shigatse.post("/pensions/find", data={"id_number": LHASA_ID}, follow_redirects=False)
    assert found.status_code == 404 and LHASA_ID in found.text  # the form as typed
    assert shigatse.get(f"/pensions/persons/{world['p2']}").status_code == 200
    with make_sessionmaker(engine)() as s:
        n = s.scalar(select(func.count()).where(PnContribution.person_id == world["p1"]))
    assert n == 2


def test_the_desk_finds_enrols_and_records_with_prg(engine: Engine, world: dict[str, Any]) -> None:
    app = make_app(engine)
    lhasa: Any = staff_client(app, engine, "caseworker", "540100")
    assert lhasa.get("/pensions").status_code == 200
    found = lhasa.post("/pensions/find", data={"id_number": LHASA_ID}, follow_redirects=False)
    assert found.status_code == 303
    url = found.headers["location"]
    assert url == f"/pensions/persons/{world['p1']}" and LHASA_ID not in url
    page = lhasa.get(url)
    assert page.status_code == 200 and "拉萨参保人" in page.text
    assert LHASA_ID not in page.text  # masked
    # a refused form: the values as typed, the error under its field
    refused = lhasa.post(
        f"{url}/contributions",
        data={"year": "2101", "tier": "300.00"},
        follow_redirects=False,
    )
    assert refused.status_code == 422, refused.text
    assert re.search(r'id="contribution-year"[^>]*aria-invalid="true"', refused.text)
    assert 'value="2101"' in refused.text
    bad_enrol = lhasa.post(
        f"{url}/enrolments",
        data={
            "scheme": "employee_pension",
            "credit_code": "NOT-A-CODE",
            "start_date": "2026-01-01",
        },
        follow_redirects=False,
    )
    assert bad_enrol.status_code in (404, 422), bad_enrol.text
    assert 'value="NOT-A-CODE"' in bad_enrol.text and 'aria-invalid="true"' in bad_enrol.text
    # stored: 303 back to the page, whose next view shows the message once
    year = dt.date.today().year
    ok = lhasa.post(
        f"{url}/contributions", data={"year": str(year), "tier": "300.00"}, follow_redirects=False
    )
    assert ok.status_code == 303 and ok.headers["location"] == url
    assert "ms_flash" in ok.headers["set-cookie"]
    shown = lhasa.get(url)
    assert "The contribution is recorded." in shown.text or "缴费已登记" in shown.text
    assert 'role="status"' in shown.text
    again = lhasa.get(url)
    assert 'class="ok flash"' not in again.text  # once
    with make_sessionmaker(engine)() as s:
        row = s.scalar(
            select(PnContribution).where(
                PnContribution.person_id == world["p1"], PnContribution.year == year
            )
        )
        assert row is not None and row.individual == 30000
        n = s.scalar(select(func.count()).where(PnEnrolment.person_id == world["p1"]))
    assert n == 1  # the refused enrolment stored nothing
