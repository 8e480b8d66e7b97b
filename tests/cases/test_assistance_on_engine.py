"""Assistance on the case engine, with the database: the real steps never leave the table, the
pages offer only what the state allows and the user may do, warnings keep a history, and
cases and warnings are assigned to a caseworker of their county (SQLite and PostgreSQL)."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import Engine, select

from minsheng.assistance import monitoring, service, workflows
from minsheng.assistance.models import Case, Warning, WarningEvent
from minsheng.assistance.schemas import CaseIn
from minsheng.auth.users import create_user
from minsheng.core.errors import ConflictError, MinshengError, ValidationError
from minsheng.db import make_sessionmaker
from minsheng.foundation.principals import system
from tests.assistance.conftest import BY, TODAY, monthly_income
from tests.conftest import staff_client

OTHER = system("test-approver")
STEPS = st.tuples(
    st.sampled_from(workflows.CASE.actions),
    st.sampled_from((BY, OTHER)),
    st.sampled_from((None, "理由")),
    st.integers(min_value=0, max_value=20),  # days later
)


@settings(
    max_examples=20,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    programme=st.sampled_from(("dibao", "temporary", "dibao_edge")),
    income=st.sampled_from(("100", "9000")),  # eligible or not
    steps=st.lists(STEPS, min_size=1, max_size=8),
)
def test_the_real_steps_never_leave_the_table(
    engine: Engine, world: dict[str, int], programme: str, income: str, steps: list[Any]
) -> None:
    with make_sessionmaker(engine)() as s:
        monthly_income(s, world["household"], world["head"], income)
        data = CaseIn(household_id=world["household"], programme=programme, requested="300")
        case = service.open_case(s, data, BY, TODAY)
        flow = workflows.of_case(programme)
        allowed = flow.transitions()
        day = TODAY
        for action, by, reason, later in steps:
            day += dt.timedelta(days=later)
            before = case.state
            try:
                with s.begin_nested():
                    service.act(s, case.id, action, by, reason, today=day)
            except MinshengError:
                s.refresh(case)
                assert case.state == before
                continue
            assert (before, action, case.state) in allowed
        s.rollback()


def _options(html: str, case_id: int) -> list[str]:
    section = html.split(f'id="case-{case_id}"', 1)[1].split("</section>", 1)[0]
    return re.findall(r'<option value="([a-z_]+)"', section)


def test_the_household_page_offers_only_allowed_steps(
    app: Any, engine: Engine, world: dict[str, int]
) -> None:
    a: Any = staff_client(app, engine, "caseworker", "540100", "cw.page.a")
    b: Any = staff_client(app, engine, "caseworker", "540100", "cw.page.b")
    with make_sessionmaker(engine)() as s:
        monthly_income(s, world["household"], world["head"], "100")
        s.commit()
    r = a.post(
        "/api/assistance/cases", json={"household_id": world["household"], "programme": "dibao"}
    )
    case = r.json()["id"]
    page = f"/assistance/households/{world['household']}"
    assert _options(a.get(page).text, case) == ["check", "reject"]
    for action in ("check", "notice"):
        assert a.post(f"/api/assistance/cases/{case}/actions", json={"action": action}).is_success
    assert _options(a.get(page).text, case) == ["reject"]  # the checker cannot approve
    # nor can anyone while the public notice runs: the step is held, in words, with its date
    held = b.get(page).text
    assert _options(held, case) == ["reject"]
    with make_sessionmaker(engine)() as s:
        c = s.get(Case, case)
        assert c is not None and c.notice_end is not None
        assert f"公示期至{c.notice_end}" in held
        c.notice_start = c.notice_end = dt.date.today() - dt.timedelta(days=1)  # it has run
        s.commit()
    assert _options(b.get(page).text, case) == ["approve", "reject"]
    assert _options(a.get(page).text, case) == ["reject"]  # still not the checker
    with make_sessionmaker(engine)() as s:
        c = s.get(Case, case)
        assert c is not None
        c.state = "rejected"
        s.commit()
    html = a.get(page).text
    assert _options(html, case) == [] and f'action="/assistance/cases/{case}/action"' not in html


def test_warnings_follow_their_table_keep_a_history_and_the_queue_offers_only_next_states(
    app: Any, engine: Engine, world: dict[str, int]
) -> None:
    cw: Any = staff_client(app, engine, "caseworker", "540100", "cw.warn")
    with make_sessionmaker(engine)() as s:
        monthly_income(s, world["household"], world["head"], "100")
        monitoring.scan(s, BY, today=TODAY)
        w = s.scalars(select(Warning).where(Warning.household_id == world["household"])).first()
        assert w is not None
        s.commit()
        wid = w.id
    queue = cw.get("/assistance").text
    row = queue.split(f'action="/assistance/warnings/{wid}"', 1)[1].split("</form>", 1)[0]
    assert re.findall(r'<option value="([a-z_]+)"', row) == ["checking", "assisted", "no_action"]
    with make_sessionmaker(engine)() as s:
        monitoring.handle(s, wid, "checking", BY, today=TODAY)
        s.commit()
    queue = cw.get("/assistance").text
    row = queue.split(f'action="/assistance/warnings/{wid}"', 1)[1].split("</form>", 1)[0]
    assert re.findall(r'<option value="([a-z_]+)"', row) == ["assisted", "no_action"]
    with make_sessionmaker(engine)() as s:
        monitoring.handle(s, wid, "no_action", BY, "  已核实  ", today=TODAY)
        s.commit()
        events = s.scalars(
            select(WarningEvent).where(WarningEvent.warning_id == wid).order_by(WarningEvent.id)
        ).all()
        assert [(e.action, e.from_state, e.to_state, e.note, e.by) for e in events] == [
            ("check", "new", "checking", None, "system:test"),
            ("no_action", "checking", "no_action", "已核实", "system:test"),
        ]


def test_cases_and_warnings_are_assigned_within_their_county(
    engine: Engine, world: dict[str, int]
) -> None:
    with make_sessionmaker(engine)() as s:
        lhasa = create_user(s, BY, "cw.lhasa", "correct-horse-1", "caseworker", "540100")
        create_user(s, BY, "cw.shigatse", "correct-horse-1", "caseworker", "540200")
        create_user(s, BY, "an.lhasa", "correct-horse-1", "analyst", "540100")
        monthly_income(s, world["household"], world["head"], "100")
        case = service.open_case(
            s, CaseIn(household_id=world["household"], programme="dibao"), BY, TODAY
        )
        other = service.open_case(
            s, CaseIn(household_id=world["household2"], programme="dibao"), BY, TODAY
        )
        for name, rule in (
            ("cw.shigatse", "cannot_work"),
            ("an.lhasa", "cannot_work"),
            ("x", "unknown_user"),
        ):
            try:
                service.assign(s, case.id, name, BY, TODAY)
            except ValidationError as err:
                assert err.field == "assignee" and err.rule == rule
            else:
                raise AssertionError(name)
        service.assign(s, case.id, "cw.lhasa", BY, TODAY)
        me = f"user:{lhasa.id}"
        assert case.assignee == me
        assert [c.id for c in service.queue(s, BY, today=TODAY, assigned_to=me)] == [case.id]
        assert other.id in [c.id for c in service.queue(s, BY, today=TODAY)]
        out = service.case_out(s, case, TODAY)
        assert out.events[-1].action == "assign" and out.events[-1].note == me
        service.act(s, case.id, "reject", BY, "演示", today=TODAY)
        try:
            service.assign(s, case.id, "cw.lhasa", BY, TODAY)
        except ConflictError as err:
            assert err.rule == "closed"
        else:
            raise AssertionError("a closed case was assigned")
        monitoring.scan(s, BY, today=TODAY)
        w = s.scalars(select(Warning).where(Warning.household_id == world["household"])).first()
        assert w is not None
        monitoring.assign(s, w.id, "cw.lhasa", BY, TODAY)
        assert [x.id for x in monitoring.open_warnings(s, BY, assigned_to=me)] == [w.id]
        monitoring.assign(s, w.id, None, BY, TODAY)
        assert monitoring.open_warnings(s, BY, assigned_to=me) == []


def test_assignment_through_the_api(app: Any, engine: Engine, world: dict[str, int]) -> None:
    cw: Any = staff_client(app, engine, "caseworker", "540100", "cw.api")
    far: Any = staff_client(app, engine, "caseworker", "540200", "cw.far")
    r = cw.post(
        "/api/assistance/cases", json={"household_id": world["household"], "programme": "dibao"}
    )
    case = r.json()["id"]
    url = f"/api/assistance/cases/{case}/assignee"
    r = cw.post(url, json={"assignee": "cw.far"})  # Shigatse cannot work a Lhasa case
    assert r.status_code == 422 and r.json()["error"]["rule"] == "cannot_work"
    assert far.post(url, json={"assignee": "cw.far"}).status_code == 404
    r = cw.post(url, json={"assignee": "cw.api"})
    assert r.status_code == 200 and r.json()["assignee"].startswith("user:")
    assert r.json()["events"][-1]["action"] == "assign"
    assert cw.post(url, json={"assignee": None}).json()["assignee"] is None
