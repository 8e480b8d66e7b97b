"""The pension desks' pages (issue 12, point 11) on both databases: the certification queue of a
county with its home-visit outcomes, the award claim page, the citizen's certification status
and self-certify step, the supervisor's rolls (run, maker–checker issue, bank file, reruns) and
the certification scan. Every write answers a redirect with a one-time message; a refused form
comes back as typed with the error by its field, in words; another region's records are missing."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine, select

from minsheng.auth import service as auth
from minsheng.db import make_sessionmaker, unit_of_work
from minsheng.pensions import rules
from minsheng.pensions.models import PnAward, PnCertification, PnRollRun
from minsheng.registry.models import Person
from minsheng.webkit.guards import SESSION_COOKIE
from tests.conftest import make_app
from tests.conftest import staff_client as _staff
from tests.pensions.award_kit import claim, resident

TODAY = dt.date.today()
MONTH = f"{TODAY:%Y-%m}"


def open_task(s: Any, award: PnAward, due: dt.date) -> PnCertification:
    task = PnCertification(
        award_id=award.id,
        open_key=award.id,
        division_code=award.division_code,
        state="open",
        opened_on=TODAY - dt.timedelta(days=40),
        due_on=due,
    )
    s.add(task)
    s.flush()
    return task


@pytest.fixture
def world(engine: Engine) -> dict[str, Any]:
    """Lhasa: two claimants with open tasks (one overdue), one still to claim; Shigatse: a
    claimant with a task."""
    with unit_of_work(make_sessionmaker(engine)) as s:
        a1 = claim(s, resident(s, 1), today=TODAY)
        a2 = claim(s, resident(s, 2), today=TODAY)
        a3 = claim(s, resident(s, 3, county="540202"), today=TODAY)
        t1 = open_task(s, a1, TODAY + dt.timedelta(days=20))
        t2 = open_task(s, a2, TODAY - dt.timedelta(days=3))
        t3 = open_task(s, a3, TODAY + dt.timedelta(days=20))
        unclaimed = resident(s, 4)
        p1 = s.get(Person, a1.person_id)
        p4 = s.get(Person, unclaimed)
        assert p1 is not None and p4 is not None
        cookies = {
            "p1": auth.open_session(s, 1, person=p1).token,
            "p4": auth.open_session(s, 1, person=p4).token,
        }
        return {
            "a1": a1.id,
            "a2": a2.id,
            "a3": a3.id,
            "p1": a1.person_id,
            "p3": a3.person_id,
            "t1": t1.id,
            "t2": t2.id,
            "t3": t3.id,
            "unclaimed": unclaimed,
            "cookies": cookies,
        }


def staff_client(app: Any, engine: Engine, role: str, region: str, name: str | None = None) -> Any:
    c: Any = _staff(app, engine, role, region, name)
    c.follow_redirects = False  # each 303 is looked at
    return c


def citizen(app: Any, token: str) -> TestClient:
    c = TestClient(app, follow_redirects=False)
    c.cookies.set(SESSION_COOKIE, token)
    c.headers["X-CSRF-Token"] = c.get("/api/auth/csrf").json()["csrf_token"]
    return c


def row(engine: Engine, model: Any, key: int) -> Any:
    with make_sessionmaker(engine)() as s:
        found = s.get(model, key)
        assert found is not None
        s.expunge(found)
        return found


def flashed(c: Any, r: Any) -> Any:
    """Follow a 303 and return the page it led to."""
    assert r.status_code == 303, r.text
    return c.get(r.headers["location"])


def test_the_queue_shows_the_countys_tasks_with_filters_and_deadlines(
    engine: Engine, world: dict[str, Any]
) -> None:
    app = make_app(engine)
    cw: Any = staff_client(app, engine, "caseworker", "540100")
    r = cw.get("/pensions/certification")
    assert r.status_code == 200, r.text
    assert f'id="task-{world["t1"]}"' in r.text and f'id="task-{world["t2"]}"' in r.text
    assert f'id="task-{world["t3"]}"' not in r.text  # Shigatse's
    assert r.text.index(f'id="task-{world["t2"]}"') < r.text.index(f'id="task-{world["t1"]}"')
    assert (TODAY - dt.timedelta(days=3)).isoformat() in r.text  # the deadline shown
    late = cw.get("/pensions/certification", params={"overdue": "1"})
    assert f'id="task-{world["t2"]}"' in late.text and f'id="task-{world["t1"]}"' not in late.text
    lapsed = cw.get("/pensions/certification", params={"state": "lapsed"})
    assert 'id="task-' not in lapsed.text
    shigatse: Any = staff_client(app, engine, "caseworker", "540200")
    theirs = shigatse.get("/pensions/certification")
    assert (
        f'id="task-{world["t3"]}"' in theirs.text and f'id="task-{world["t1"]}"' not in theirs.text
    )


def test_the_queue_pages(engine: Engine) -> None:
    with unit_of_work(make_sessionmaker(engine)) as s:
        for i in range(27):
            open_task(s, claim(s, resident(s, 100 + i), today=TODAY), TODAY + dt.timedelta(i))
    app = make_app(engine)
    cw: Any = staff_client(app, engine, "caseworker", "540100")
    first = cw.get("/pensions/certification")
    assert first.text.count('class="card task') == 25 and 'rel="next"' in first.text
    second = cw.get("/pensions/certification", params={"page": "2"})
    assert second.text.count('class="card task') == 2 and 'rel="prev"' in second.text


def test_a_home_visit_certifies_with_prg(engine: Engine, world: dict[str, Any]) -> None:
    app = make_app(engine)
    cw: Any = staff_client(app, engine, "caseworker", "540100")
    url = f"/pensions/certification/tasks/{world['t2']}/visit"
    # no note: the form again, the outcome kept, the error by the note, nothing changed
    bad = cw.post(url, data={"outcome": "certified", "note": "", "overdue": "1"})
    assert bad.status_code == 422, bad.text
    prefix = f"visit-{world['t2']}"
    assert f'id="{prefix}-note-error"' in bad.text
    assert re.search(rf'id="{prefix}-outcome"[^>]*>.*?value="certified" selected', bad.text)
    assert row(engine, PnCertification, world["t2"]).state == "open"
    r = cw.post(url, data={"outcome": "certified", "note": "见到本人", "overdue": "1"})
    assert r.status_code == 303 and r.headers["location"] == "/pensions/certification?overdue=1"
    page = flashed(cw, r)
    assert "上门认证已记录" in page.text or "The home visit is recorded" in page.text
    assert row(engine, PnCertification, world["t2"]).state == "certified"
    award = row(engine, PnAward, world["a2"])
    assert award.last_certified_on == TODAY and award.certification_due > TODAY
    again = cw.post(url, data={"outcome": "certified", "note": "再次"})
    assert again.status_code == 409  # a closed task: said in words, not by its state code
    assert "该认证任务已办结" in again.text and "certified" not in _summary(again.text)


def _summary(html: str) -> str:
    start = html.index('class="error error-summary"')
    return html[start : html.index("</div>", start)]


def test_a_visit_that_does_not_find_the_person_notes_it_and_the_task_stays(
    engine: Engine, world: dict[str, Any]
) -> None:
    app = make_app(engine)
    cw: Any = staff_client(app, engine, "caseworker", "540100")
    url = f"/pensions/certification/tasks/{world['t1']}/visit"
    r = cw.post(url, data={"outcome": "not_found", "note": "家中无人"})
    assert r.status_code == 303
    task = row(engine, PnCertification, world["t1"])
    assert task.state == "open" and "家中无人" in (task.note or "")
    assert "家中无人" in flashed(cw, r).text


def test_a_visit_that_finds_a_death_terminates_the_award(
    engine: Engine, world: dict[str, Any]
) -> None:
    app = make_app(engine)
    cw: Any = staff_client(app, engine, "caseworker", "540100")
    url = f"/pensions/certification/tasks/{world['t1']}/visit"
    bad = cw.post(url, data={"outcome": "died", "note": "邻居告知", "death_date": ""})
    assert bad.status_code == 422
    prefix = f"visit-{world['t1']}"
    assert f'id="{prefix}-death_date-error"' in bad.text and 'value="邻居告知"' in bad.text
    assert row(engine, PnAward, world["a1"]).state == "active"
    before = TODAY.replace(day=1) - dt.timedelta(days=1)  # before the award's first month
    early = cw.post(url, data={"outcome": "died", "death_date": before.isoformat()})
    assert early.status_code == 422 and f'id="{prefix}-death_date-error"' in early.text
    assert row(engine, Person, world["p1"]).death_date is None  # all or nothing
    died = TODAY
    r = cw.post(url, data={"outcome": "died", "note": "邻居告知", "death_date": died.isoformat()})
    assert r.status_code == 303, r.text
    award = row(engine, PnAward, world["a1"])
    assert award.state == "terminated" and award.terminated_on == died + dt.timedelta(days=1)
    assert row(engine, Person, world["p1"]).death_date == died
    assert row(engine, PnCertification, world["t1"]).state == "closed"
    from minsheng.pensions.models import PnDeathSettlement

    with make_sessionmaker(engine)() as s:  # the death settled: funeral grant and the rest
        settled = s.scalar(
            select(PnDeathSettlement).where(PnDeathSettlement.person_id == world["p1"])
        )
        assert settled is not None and settled.died_on == died


def test_another_regions_task_and_award_are_missing(engine: Engine, world: dict[str, Any]) -> None:
    app = make_app(engine)
    cw: Any = staff_client(app, engine, "caseworker", "540100")
    r = cw.post(
        f"/pensions/certification/tasks/{world['t3']}/visit",
        data={"outcome": "certified", "note": "x"},
    )
    assert r.status_code == 404
    assert row(engine, PnCertification, world["t3"]).state == "open"
    assert cw.get(f"/pensions/persons/{world['p3']}/award").status_code == 404
    sup: Any = staff_client(app, engine, "supervisor", "540200", "sup.shigatse")
    assert sup.get(f"/pensions/persons/{world['p1']}/award").status_code == 404


def test_the_award_page_claims_and_explains_every_figure(
    engine: Engine, world: dict[str, Any]
) -> None:
    app = make_app(engine)
    cw: Any = staff_client(app, engine, "caseworker", "540100")
    url = f"/pensions/persons/{world['unclaimed']}/award"
    form = cw.get(url)
    assert form.status_code == 200 and 'id="claim-form"' in form.text
    bad = cw.post(url, data={"scheme": "resident_pension", "start": "2019-01"})
    assert bad.status_code == 409, bad.text  # before the claim age: on the start field
    assert 'id="claim-start-error"' in bad.text and 'value="2019-01"' in bad.text
    r = cw.post(url, data={"scheme": "resident_pension", "start": ""})
    page = flashed(cw, r)
    assert 'id="award-parts"' in page.text and 'id="claim-form"' not in page.text
    with make_sessionmaker(engine)() as s:
        award = s.scalar(select(PnAward).where(PnAward.person_id == world["unclaimed"]))
        assert award is not None
        monthly = award.monthly
    from minsheng.core import money

    assert money.fmt(monthly) in page.text
    assert "basic_monthly" in page.text.replace("<wbr>", "")
    person = cw.get(f"/pensions/persons/{world['unclaimed']}")
    assert f'href="/pensions/persons/{world["unclaimed"]}/award"' in person.text


def test_the_citizen_sees_the_certification_and_certifies_themself(
    engine: Engine, world: dict[str, Any]
) -> None:
    app = make_app(engine)
    c = citizen(app, world["cookies"]["p1"])
    mine = c.get("/me/pensions")
    assert mine.status_code == 200, mine.text
    assert 'id="certify-form"' in mine.text and 'id="award-parts"' in mine.text
    before = row(engine, PnAward, world["a1"]).certification_due
    assert before.isoformat() in mine.text
    bad = c.post("/me/pensions/certify", data={"evidence": "someone-else"})
    assert bad.status_code == 422 and "人脸识别未通过" in bad.text
    assert 'id="certify-evidence-error"' in bad.text
    r = c.post("/me/pensions/certify", data={"evidence": f"dev-face-ok:{world['p1']}"})
    assert r.status_code == 303 and r.headers["location"] == "/me/pensions#certification"
    after = flashed(c, r)
    assert 'id="certify-form"' not in after.text  # nothing left to certify
    assert row(engine, PnCertification, world["t1"]).state == "certified"
    assert row(engine, PnAward, world["a1"]).last_certified_on == TODAY
    # no pension yet: no certification section at all
    none = citizen(app, world["cookies"]["p4"]).get("/me/pensions")
    assert none.status_code == 200 and 'id="certification"' not in none.text


def test_the_roll_runs_once_and_a_second_supervisor_issues_it(
    engine: Engine, world: dict[str, Any]
) -> None:
    app = make_app(engine)
    maker: Any = staff_client(app, engine, "supervisor", "540100", "sup.maker")
    checker: Any = staff_client(app, engine, "supervisor", "540100", "sup.checker")
    bad = maker.post("/pensions/rolls", data={"month": "2026-13", "region": "540100"})
    assert bad.status_code == 422 and 'value="2026-13"' in bad.text
    assert 'id="roll-month-error"' in bad.text
    r = maker.post("/pensions/rolls", data={"month": MONTH, "region": "540100"})
    assert r.status_code == 303, r.text
    run_url = r.headers["location"]
    run_id = int(run_url.rsplit("/", 1)[1])
    page = flashed(maker, r)
    assert 'id="issue"' not in page.text  # the maker is not offered the issue
    assert "另一位主管" in page.text
    assert row(engine, PnRollRun, run_id).state == "prepared"
    refused = maker.post(f"{run_url}/issue")
    assert refused.status_code == 403 and "另一位主管" in refused.text
    assert maker.get(f"{run_url}/bank-file").status_code == 409  # not issued yet
    assert row(engine, PnRollRun, run_id).state == "prepared"
    view = checker.get(run_url)
    assert 'id="issue"' in view.text and "¥" in view.text
    done = checker.post(f"{run_url}/issue")
    issued = flashed(checker, done)
    assert row(engine, PnRollRun, run_id).state == "issued"
    assert 'id="bank-file"' in issued.text and 'id="issue"' not in issued.text
    f = checker.get(f"{run_url}/bank-file")
    assert f.status_code == 200 and f.text.startswith("MSBANK/1")
    assert "attachment" in f.headers["content-disposition"]
    # running the month again shows the same run and records no new one
    with make_sessionmaker(engine)() as s:
        runs = len(s.scalars(select(PnRollRun)).all())
    again = maker.post("/pensions/rolls", data={"month": MONTH, "region": "540100"})
    assert again.status_code == 303 and again.headers["location"] == run_url
    with make_sessionmaker(engine)() as s:
        assert len(s.scalars(select(PnRollRun)).all()) == runs
    listed = maker.get("/pensions/rolls")
    assert f'href="{run_url}"' in listed.text
    # another region's run is missing
    other: Any = staff_client(app, engine, "supervisor", "540200", "sup.other")
    assert other.get(run_url).status_code == 404
    assert other.get(f"{run_url}/bank-file").status_code == 404
    assert other.post(f"{run_url}/issue").status_code == 404
    assert f'href="{run_url}"' not in other.get("/pensions/rolls").text


def test_the_roll_totals_count_arrears_and_suspended_awards(engine: Engine) -> None:
    with unit_of_work(make_sessionmaker(engine)) as s:
        two_back = rules.month_text(rules.month_index(TODAY.year, TODAY.month) - 2)
        claim(s, resident(s, 11), start=two_back, today=TODAY)  # 3 months, 2 of them arrears
        held = claim(s, resident(s, 12), today=TODAY)
        held.state, held.suspended_on = "suspended", TODAY
    app = make_app(engine)
    sup: Any = staff_client(app, engine, "supervisor", "540100")
    r = sup.post("/pensions/rolls", data={"month": MONTH, "region": "540100"})
    page = flashed(sup, r)
    figures = page.text[page.text.index('id="run"') : page.text.index("</dl>")]
    values = re.findall(r"<dd[^>]*>([^<]*)</dd>", figures)
    assert values[2:4] == ["1", "3"]  # one claimant, three months
    assert "2 ·" in values[5]  # two earlier months
    assert values[6] == "1"  # the suspended award skipped


def test_the_scan_runs_from_the_rolls_page(engine: Engine, world: dict[str, Any]) -> None:
    app = make_app(engine)
    sup: Any = staff_client(app, engine, "supervisor", "540100")
    r = sup.post("/pensions/rolls/scan", data={"region": "540100"})
    assert r.status_code == 303 and r.headers["location"] == "/pensions/rolls#scan"
    page = sup.get("/pensions/rolls")
    result = page.text[page.text.index('id="scan-result"') :]
    assert re.search(r"<dd>2</dd>", result)  # both Lhasa claimants scanned
    cw: Any = staff_client(app, engine, "caseworker", "540100")
    assert cw.post("/pensions/rolls/scan", data={"region": "540100"}).status_code == 403
    refused = sup.post("/pensions/rolls/scan", data={"region": "540200"})
    assert refused.status_code == 403 and "管辖区域" in refused.text


def test_the_person_page_suspends_resumes_and_ends_an_enrolment(
    engine: Engine, world: dict[str, Any]
) -> None:
    from minsheng.pensions.models import PnEnrolment

    with unit_of_work(make_sessionmaker(engine)) as s:
        e = s.scalar(select(PnEnrolment).where(PnEnrolment.person_id == world["unclaimed"]))
        assert e is not None
        eid, start = e.id, e.start_date
    app = make_app(engine)
    cw: Any = staff_client(app, engine, "caseworker", "540100")
    person = f"/pensions/persons/{world['unclaimed']}"
    page = cw.get(person)
    assert f'action="/pensions/enrolments/{eid}/suspend"' in page.text
    early = (start - dt.timedelta(days=5)).isoformat()
    bad = cw.post(f"/pensions/enrolments/{eid}/suspend", data={"on": early})
    assert bad.status_code == 422, bad.text  # before the enrolment began: by the field, as typed
    assert f'id="suspend-{eid}-on-error"' in bad.text and f'value="{early}"' in bad.text
    r = cw.post(f"/pensions/enrolments/{eid}/suspend", data={"on": TODAY.isoformat()})
    assert r.status_code == 303 and r.headers["location"] == person
    assert row(engine, PnEnrolment, eid).suspended_on == TODAY
    assert "Resume contributions" in flashed(cw, r).text or "恢复缴费" in cw.get(person).text
    r = cw.post(f"/pensions/enrolments/{eid}/suspend", data={"on": ""})  # resume
    assert r.status_code == 303 and row(engine, PnEnrolment, eid).suspended_on is None
    r = cw.post(f"/pensions/enrolments/{eid}/end", data={"end_date": TODAY.isoformat()})
    assert r.status_code == 303 and row(engine, PnEnrolment, eid).end_date == TODAY
    after = cw.get(person)
    assert f'action="/pensions/enrolments/{eid}/end"' not in after.text  # nothing left to do
    other = staff_client(app, engine, "caseworker", "540200", "cw.other")
    assert other.post(f"/pensions/enrolments/{eid}/suspend", data={"on": ""}).status_code == 404


def test_the_estimate_names_the_tier_chosen(engine: Engine) -> None:
    with unit_of_work(make_sessionmaker(engine)) as s:
        young = resident(s, 40, born=dt.date(1985, 3, 8), years=5)
        person = s.get(Person, young)
        assert person is not None
        token = auth.open_session(s, 1, person=person).token
    c = citizen(make_app(engine), token)
    r = c.get("/me/pensions/estimate", params={"tier": "1000.00"})
    assert r.status_code == 200, r.text
    assert 'id="estimate-tier-chosen">¥1000.00' in r.text and 'id="estimate-parts"' in r.text
