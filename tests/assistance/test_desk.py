"""The caseworker's desk without a browser: each refusal answered in words next to its field
(nothing changed), post–redirect–get, and the region's bounds through every door (find, the
household code, the queue, its CSV export, the letters)."""

from __future__ import annotations

import csv
import datetime as dt
import io
from typing import Any

import pytest
from sqlalchemy import Engine, func, select

from minsheng.assistance import service
from minsheng.assistance.models import Case, Income, Warning
from minsheng.assistance.schemas import CaseIn
from minsheng.core import ids
from minsheng.db import make_sessionmaker
from minsheng.registry.models import Household, Person
from tests.assistance.conftest import BY
from tests.conftest import staff_client

LANG = "ms_lang"


@pytest.fixture
def cw(app: object, engine: Engine, world: dict[str, int]) -> Any:
    """A Lhasa caseworker (the world: AS-1 in 城关区, AS-2 in 日喀则), answering in English."""
    c: Any = staff_client(app, engine, "caseworker", "540100", "lhasa.cw")
    c.headers["Accept-Language"] = "en"
    with c:
        yield c


def count(engine: Engine, model: Any) -> int:
    with make_sessionmaker(engine)() as s:
        return s.scalar(select(func.count()).select_from(model)) or 0


def open_case(engine: Engine, household_id: int, programme: str = "dibao", **kw: Any) -> int:
    with make_sessionmaker(engine)() as s:
        c = service.open_case(s, CaseIn(household_id=household_id, programme=programme, **kw), BY)
        s.commit()
        return c.id


# ------------------------------------------------------------------------------ find


def test_find_by_name_lists_the_regions_people_with_masked_ids(cw: Any, world: dict) -> None:
    r = cw.get("/assistance/find", params={"q": "扎西"})
    assert r.status_code == 200
    assert f"/assistance/households/{world['household']}" in r.text
    assert "5401**************" in r.text
    assert ids.make_resident_id("540102", dt.date(1980, 3, 3), 1) not in r.text


def test_another_regions_household_and_person_are_not_found(cw: Any, world: dict) -> None:
    for q in ("AS-2", "格桑", ids.make_resident_id("540202", dt.date(1950, 1, 1), 4)):
        r = cw.get("/assistance/find", params={"q": q})
        assert r.status_code == 200
        assert 'id="nobody"' in r.text and f"/households/{world['household2']}" not in r.text
    # the household code of one's own region finds its members
    r = cw.get("/assistance/find", params={"q": "AS-1"})
    assert "卓玛" in r.text and "次仁" in r.text


def test_a_mistyped_id_is_a_field_error_not_nobody(cw: Any) -> None:
    good = ids.make_resident_id("540102", dt.date(1980, 3, 3), 1)
    bad = good[:17] + ("0" if good[17] != "0" else "1")
    r = cw.get("/assistance/find", params={"q": bad})
    assert r.status_code == 422
    assert 'id="find-q"' in r.text and 'aria-invalid="true"' in r.text
    assert 'id="find-q-error"' in r.text and "check character" in r.text
    assert 'id="nobody"' not in r.text


def test_nobody_found_offers_the_walk_in_registration_with_the_text(cw: Any) -> None:
    r = cw.get("/assistance/find", params={"q": "无此人"})
    assert "/assistance/register?name_zh=" in r.text


# ------------------------------------------------------------------------------ register


def walk_in(**kw: str) -> dict[str, str]:
    return {
        "id_number": ids.make_resident_id("540102", dt.date(1990, 1, 2), 77),
        "name_zh": "新来者",
        "name_bo": "གསར་པ།",
        "hukou": "urban",
        "division_code": "540102",
        "household": "new",
        "household_code": "WALK-1",
        "area": "urban",
        **kw,
    }


def test_register_a_walk_in_then_redirect_with_a_message(cw: Any, engine: Engine) -> None:
    r = cw.post("/assistance/register", data=walk_in(), follow_redirects=False)
    assert r.status_code == 303
    assert r.headers["location"].startswith("/assistance/households/")
    page = cw.get(r.headers["location"])
    assert "The person is registered" in page.text and "WALK-1" in page.text
    assert 'id="apply-form"' in page.text  # where the application is opened
    with make_sessionmaker(engine)() as s:
        p = s.scalars(select(Person).where(Person.name_zh == "新来者")).one()
        assert p.relationship_to_head == "head" and p.household is not None
        assert p.household.code == "WALK-1"
    # a second person joins the household, from the household's own page
    query = page.text.split('href="/assistance/register?')[1].split('"')[0]
    form = cw.get("/assistance/register?" + query)
    assert 'id="reg-household-join" value="join" checked' in form.text
    assert 'value="WALK-1"' in form.text
    r = cw.post(
        "/assistance/register",
        data=walk_in(
            id_number=ids.make_resident_id("540102", dt.date(2015, 3, 3), 78),
            name_zh="新来者子",
            household="join",
            relationship="child",
        ),
        follow_redirects=False,
    )
    assert r.status_code == 303


def test_a_refused_registration_keeps_the_form_and_writes_nothing(cw: Any, engine: Engine) -> None:
    before = (count(engine, Person), count(engine, Household))
    bad = walk_in(id_number="540102199001020000")  # a wrong check character
    r = cw.post("/assistance/register", data=bad)
    assert r.status_code == 422
    assert 'id="reg-id_number-error"' in r.text
    assert 'value="新来者"' in r.text and 'value="WALK-1"' in r.text  # what was typed
    # a household code already used in the county: the error next to the code
    r = cw.post("/assistance/register", data=walk_in(household_code="AS-1"))
    assert r.status_code == 409 and 'id="reg-household_code-error"' in r.text
    # joining a household of another county (日喀则's AS-2 is not in 城关区) is not found
    r = cw.post("/assistance/register", data=walk_in(household="join", household_code="AS-2"))
    assert r.status_code == 404 and 'id="reg-household_code-error"' in r.text
    assert (count(engine, Person), count(engine, Household)) == before


def test_registering_outside_the_region_is_refused(cw: Any, engine: Engine) -> None:
    before = count(engine, Person)
    r = cw.post(
        "/assistance/register",
        data=walk_in(
            id_number=ids.make_resident_id("540202", dt.date(1990, 1, 2), 79),
            division_code="540202",
        ),
    )
    assert r.status_code == 403 and count(engine, Person) == before


# ------------------------------------------------------------------------------ household page


def test_an_absurd_income_is_a_field_error_and_the_amount_is_kept(
    cw: Any, engine: Engine, world: dict
) -> None:
    before = count(engine, Income)
    r = cw.post(
        f"/assistance/households/{world['household']}/incomes",
        data={
            "person_id": str(world["head"]),
            "month": f"{dt.date.today():%Y-%m}",
            "kind": "wage",
            "amount": "9999999999",
        },
    )
    assert r.status_code == 422
    assert 'id="income-amount-error"' in r.text and 'value="9999999999"' in r.text
    assert count(engine, Income) == before


def test_approve_is_held_while_the_notice_runs_with_its_date(
    app: object, engine: Engine, world: dict
) -> None:
    case_id = open_case(engine, world["household"])
    with make_sessionmaker(engine)() as s:
        for action in ("check", "notice"):
            service.act(s, case_id, action, BY)
        s.commit()
        end = s.get(Case, case_id).notice_end  # type: ignore[union-attr]
    c: Any = staff_client(app, engine, "caseworker", "540100", "other.cw")
    c.headers["Accept-Language"] = "en"
    r = c.get(f"/assistance/households/{world['household']}")
    section = r.text.split(f'id="case-{case_id}"')[1].split("</section>")[0]
    assert f"the public notice runs until {end}" in section
    assert '<option value="approve"' not in section
    assert '<option value="reject"' in section  # what the state allows is offered
    # the letter to print is the public notice, with its dates
    letter = c.get(f"/assistance/cases/{case_id}/letter")
    assert letter.status_code == 200 and str(end) in letter.text and "Public notice" in letter.text


def test_temporary_assistance_shows_a_one_off_amount(cw: Any, engine: Engine, world: dict) -> None:
    open_case(engine, world["household"], "temporary", requested="500")
    r = cw.get(f"/assistance/households/{world['household']}")
    section = r.text.split('class="card case"')[1].split("</section>")[0]
    assert "One-off amount" in section and "Monthly amount" not in section
    assert "Income, 12 months" in r.text


def test_another_regions_letter_is_not_found(cw: Any, engine: Engine, world: dict) -> None:
    case_id = open_case(engine, world["household2"])
    assert cw.get(f"/assistance/cases/{case_id}/letter").status_code == 404


# ------------------------------------------------------------------------------ queue


def add_warnings(engine: Engine, household_id: int, county: str, n: int) -> None:
    with make_sessionmaker(engine)() as s:
        for i in range(n):
            s.add(
                Warning(
                    household_id=household_id,
                    division_code=county,
                    cause="review_due",
                    cause_key=f"t{county}{i}",
                    open_key=f"t{county}{i}",
                    state="new",
                    raised_on=dt.date.today(),
                    deadline=dt.date.today() + dt.timedelta(days=i),
                )
            )
        s.commit()


def test_closing_a_warning_without_an_outcome_is_a_field_error(
    cw: Any, engine: Engine, world: dict
) -> None:
    add_warnings(engine, world["household"], "540102", 1)
    with make_sessionmaker(engine)() as s:
        wid = s.scalars(select(Warning.id)).one()
    r = cw.post(f"/assistance/warnings/{wid}", data={"state": "no_action", "reason": ""})
    assert r.status_code == 422
    assert f'id="warning-{wid}-reason-error"' in r.text and "give the outcome" in r.text
    with make_sessionmaker(engine)() as s:
        assert s.get(Warning, wid).state == "new"  # type: ignore[union-attr]
    r = cw.post(
        f"/assistance/warnings/{wid}",
        data={
            "state": "no_action",
            "reason": "visited",
            "back_wpage": "2",
            "back_state": "notice",  # the queue's case filter, not the warning's new state
        },
        follow_redirects=False,
    )
    assert r.status_code == 303  # post–redirect–get: a reload does not post again
    assert r.headers["location"] == "/assistance?wpage=2&state=notice"  # back where it was
    with make_sessionmaker(engine)() as s:
        assert s.get(Warning, wid).state == "no_action"  # type: ignore[union-attr]


def test_the_supervisors_whole_region_queue_pages_every_warning(
    app: object, engine: Engine, world: dict
) -> None:
    add_warnings(engine, world["household"], "540102", 230)
    add_warnings(engine, world["household2"], "540202", 30)
    sup: Any = staff_client(app, engine, "supervisor", "540000", "region.sup")
    sup.headers["Accept-Language"] = "en"
    first = sup.get("/assistance")
    assert "1–25 of 260" in first.text
    assert first.text.count('class="inline warning-form"') == 25
    assert len(first.content) < 80_000, len(first.content)  # not one 145 KB page of 200 rows
    last = sup.get("/assistance", params={"wpage": "11"})
    assert "251–260 of 260" in last.text
    assert last.text.count('class="inline warning-form"') == 10
    # a Lhasa caseworker sees only Lhasa's
    cw: Any = staff_client(app, engine, "caseworker", "540100", "lhasa.cw2")
    cw.headers["Accept-Language"] = "en"
    assert "1–25 of 230" in cw.get("/assistance").text


def test_the_queue_filters_and_sorts(cw: Any, engine: Engine, world: dict) -> None:
    dibao = open_case(engine, world["household"])
    temporary = open_case(engine, world["household"], "temporary", requested="300")
    r = cw.get("/assistance", params={"programme": "temporary"})
    rows = r.text.split('id="cases"')[1].split("</table>")[0]
    assert f"#case-{temporary}" in rows and f"#case-{dibao}" not in rows
    r = cw.get("/assistance", params={"sort": "newest"})
    rows = r.text.split('id="cases"')[1].split("</table>")[0]
    assert rows.index(f"#case-{temporary}") < rows.index(f"#case-{dibao}")
    # an unknown filter value is ignored, not an error
    assert cw.get("/assistance", params={"programme": "nonsense"}).status_code == 200


def test_the_queue_csv_is_escaped_and_region_bounded(cw: Any, engine: Engine, world: dict) -> None:
    with make_sessionmaker(engine)() as s:
        s.get(Household, world["household"]).code = "=HYPERLINK(1)"  # type: ignore[union-attr]
        s.commit()
    mine = open_case(engine, world["household"])
    theirs = open_case(engine, world["household2"])
    r = cw.get("/assistance/queue.csv")
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/csv")
    assert r.content.startswith(b"\xef\xbb\xbf") and b"\r\n" in r.content
    rows = list(csv.DictReader(io.StringIO(r.content.decode("utf-8-sig"))))
    assert [int(row["case_id"]) for row in rows] == [mine]
    assert theirs not in [int(row["case_id"]) for row in rows]
    assert rows[0]["household_code"] == "'=HYPERLINK(1)"
    assert rows[0]["programme_zh"] == "最低生活保障（低保）"
    filtered = cw.get("/assistance/queue.csv", params={"programme": "temporary"})
    assert len(filtered.content.decode("utf-8-sig").strip().splitlines()) == 1  # the header


def test_a_step_the_state_does_not_allow_is_refused_in_words(
    cw: Any, engine: Engine, world: dict
) -> None:
    case_id = open_case(engine, world["household"])
    url = f"/assistance/cases/{case_id}/action"
    cw.headers["Accept-Language"] = "zh-CN"
    r = cw.post(url, data={"action": "approve"})  # a stale form: the case is only applied
    assert r.status_code == 409
    error = r.text.split(f'id="case-{case_id}-action-error"')[1].split("</p>")[0]
    assert "已受理" in error and "确认" in error  # the state's and the step's words
    assert (
        "approve" not in error.split('lang="en"')[0]
        and "applied" not in error.split('lang="en"')[0]
    )
    # a rejection without a reason: the error next to the reason, nothing changed
    r = cw.post(url, data={"action": "reject", "reason": " "})
    assert r.status_code == 422 and f'id="case-{case_id}-reason-error"' in r.text
    with make_sessionmaker(engine)() as s:
        assert s.get(Case, case_id).state == "applied"  # type: ignore[union-attr]
    r = cw.post(url, data={"action": "check"}, follow_redirects=False)
    assert r.status_code == 303  # done: back to the household page with a message
    assert r.headers["location"] == f"/assistance/households/{world['household']}"
