"""The case engine on its own: tables, who may take a step, maker–checker, deadlines, and a
property — no sequence of actions reaches a state, or takes a transition, the table doesn't
allow."""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from minsheng.assistance import workflows
from minsheng.cases import engine as cases
from minsheng.cases.cli import app as cases_cli
from minsheng.cases.engine import State, Step, Workflow
from minsheng.core.errors import ConflictError, ForbiddenError, MinshengError, ValidationError
from minsheng.foundation.principals import PERMISSIONS, staff, system

DAY = dt.date(2026, 6, 15)
CW_A = staff(1, "cw.a", "caseworker", "540100")
CW_B = staff(2, "cw.b", "caseworker", "540100")
SUP = staff(3, "sup", "supervisor", "540100")
CASHIER = staff(4, "cash", "cashier", "540100")
SYS = system("test")
ACTORS = (CW_A, CW_B, SUP, CASHIER, SYS)
L = ("甲", "ཀ", "a")


@dataclass
class Thing:
    state: str


def test_a_table_that_names_an_unknown_state_or_leaves_a_final_one_is_refused() -> None:
    states = (State("a", L, open=True), State("z", L, final=True))
    with pytest.raises(ValueError, match="unknown states"):
        Workflow("t", L, L, "a", states, (Step("go", ("a",), ("nowhere",), "x", L),))
    with pytest.raises(ValueError, match="final"):
        Workflow("t", L, L, "a", states, (Step("go", ("z",), ("a",), "x", L),))
    with pytest.raises(ValueError, match="not_by"):
        Workflow("t", L, L, "a", states, (Step("go", ("a",), ("z",), "x", L, not_by=("?",)),))


def test_the_case_table_allows_what_the_workflow_always_did() -> None:
    flow = workflows.CASE
    assert flow.allowed("applied") == ("check", "reject")
    assert flow.allowed("checking") == ("check", "notice", "reject")
    assert flow.allowed("notice") == ("approve", "reject")
    assert flow.allowed("approved") == ("review", "stop")
    assert flow.allowed("rejected") == flow.allowed("stopped") == ()
    assert workflows.TEMPORARY.allowed("checking") == ("check", "notice", "approve", "reject")
    assert workflows.WARNING.allowed("new") == ("check", "assist", "no_action")
    assert workflows.WARNING.step_to("checking", "assisted") == workflows.WARNING.step("assist")
    assert workflows.WARNING.step_to("checking", "checking") is None


def test_each_refusal_says_why() -> None:
    flow = workflows.CASE
    with pytest.raises(ValidationError) as err:
        flow.step("teleport")
    assert err.value.field == "action" and err.value.rule == "unknown_value"
    assert isinstance(flow.refusal("applied", "approve", SUP), ConflictError)
    assert flow.refusal("applied", "approve", SUP).rule == "wrong_state"  # type: ignore[union-attr]
    denied = flow.refusal("applied", "check", CASHIER)  # no assistance:write
    assert isinstance(denied, ForbiddenError) and denied.rule == "missing_permission"
    need = flow.refusal("notice", "reject", CW_A, reason="  ")
    assert isinstance(need, ValidationError) and need.field == "reason"
    assert flow.refusal("notice", "reject", CW_A, reason="收入超标") is None


def test_maker_checker_is_a_property_of_the_table() -> None:
    """The one who checked cannot approve — whoever they are, in both case workflows; another
    caseworker or a supervisor can."""
    for flow in (workflows.CASE, workflows.TEMPORARY):
        approve = flow.step("approve")
        assert approve.not_by == ("check",)
        state = approve.sources[0]
        for checker in ACTORS:
            history = {"check": {cases.accountable(checker)}}
            refusal = flow.refusal(state, "approve", checker, history)
            assert isinstance(refusal, ForbiddenError)
            assert refusal.rule in ("maker_checker", "missing_permission")
            assert "approve" not in flow.offered(state, checker, history)
        history = {"check": {cases.accountable(CW_A)}}
        assert "approve" in flow.offered(state, CW_B, history)
        assert "approve" in flow.offered(state, SUP, history)
        # a token of the checker's account is the same person
        token = staff(1, "cw.a", "caseworker", "540100")
        assert flow.refusal(state, "approve", token, history).rule == "maker_checker"  # type: ignore[union-attr]
    # the refusal keeps the words the page has always shown
    why = workflows.CASE.refusal("notice", "approve", CW_A, {"check": {"user:1"}})
    assert "不能再由您审批" in why.zh  # type: ignore[union-attr]


def test_a_handler_that_leaves_the_table_is_caught() -> None:
    thing = Thing("applied")

    def rogue(_: Step) -> None:
        thing.state = "approved"  # check may only lead to checking

    with pytest.raises(RuntimeError, match="table allows"):
        workflows.CASE.run(thing, "check", CW_A, rogue, day=DAY)


def test_deadlines_count_working_days_over_national_and_regional_holidays() -> None:
    # 国庆 1–7 October 2026, then Saturday 10 October is an adjusted working day (调休上班)
    assert cases.due(dt.date(2026, 9, 30), 3) == dt.date(2026, 10, 10)
    # Friday 13 February: the 14th is worked; 春节 15–23 and 藏历新年 to the 24th are off
    assert cases.due(dt.date(2026, 2, 13), 1) == dt.date(2026, 2, 14)
    assert cases.due(dt.date(2026, 2, 13), 2) == dt.date(2026, 2, 25)
    # an ordinary week: Monday + 5 working days is the next Monday
    assert cases.due(dt.date(2026, 6, 8), 5) == dt.date(2026, 6, 15)
    deadline = dt.date(2026, 10, 10)
    assert not cases.overdue(deadline, deadline)  # the deadline day is still in time
    assert cases.overdue(deadline, deadline + dt.timedelta(days=1))
    assert not cases.overdue(None, deadline)


def test_every_programmes_workflows_are_found_and_printed() -> None:
    names = [f.name for f in cases.workflows()]
    assert {"assistance.case", "assistance.case.temporary", "assistance.warning"} <= set(names)
    out = CliRunner().invoke(cases_cli, ["workflows"])
    assert out.exit_code == 0, out.output
    assert "assistance.case — social assistance case" in out.output
    approve = next(line for line in out.output.splitlines() if line.strip().startswith("approve"))
    assert "notice" in approve and "approved" in approve and "check" in approve
    js = json.loads(CliRunner().invoke(cases_cli, ["workflows", "--json"]).output)
    by_name = {f["name"]: f for f in js}
    steps = {s["action"]: s for s in by_name["assistance.warning"]["steps"]}
    assert steps["no_action"]["from"] == "new, checking" and steps["no_action"]["reason"] == "yes"
    assert CliRunner().invoke(cases_cli, ["workflows", "nope"]).exit_code == 1


FLOWS = st.sampled_from(cases.workflows())
MOVE = st.tuples(
    st.text(alphabet="abcdefghijklmnopqrstuvwxyz_", min_size=1, max_size=10)
    | st.sampled_from(("check", "notice", "approve", "reject", "review", "stop", "assist")),
    st.sampled_from(range(len(ACTORS))),
    st.none() | st.sampled_from(("", "  ", "理由")),
    st.integers(min_value=0, max_value=9),  # which target the handler picks
    st.booleans(),  # a rogue handler: any state at all
)


@settings(max_examples=300, deadline=None)
@given(flow=FLOWS, moves=st.lists(MOVE, max_size=25))
def test_no_sequence_of_actions_leaves_the_table(flow: Workflow, moves: list) -> None:  # type: ignore[type-arg]
    thing = Thing(flow.initial)
    allowed = flow.transitions()
    names = [s.name for s in flow.states]
    history: dict[str, set[str]] = {}
    for action, who, reason, pick, rogue in moves:
        by = ACTORS[who]
        before = thing.state

        def work(step: Step, pick: int = pick, rogue: bool = rogue) -> str:
            targets = names if rogue else step.targets
            thing.state = targets[pick % len(targets)]
            return "note"

        try:
            event = flow.run(thing, action, by, work, day=DAY, history=history, reason=reason)
        except MinshengError:
            assert thing.state == before  # refused before any work: nothing changed
            continue
        except RuntimeError:
            assert rogue and (before, action, thing.state) not in allowed
            thing.state = before  # the caller's transaction rolls back
            continue
        assert (event.from_state, event.action, event.to_state) in allowed
        assert event.to_state == thing.state and event.by == cases.accountable(by)
        step = flow.step(action)
        assert by.can(step.permission)
        assert not any(event.by in history.get(a, set()) for a in step.not_by)
        history.setdefault(action, set()).add(event.by)
    assert thing.state in names


def test_caseworker_permissions_cover_every_assistance_step() -> None:
    for flow in workflows.WORKFLOWS:
        for step in flow.steps:
            assert step.permission in PERMISSIONS["caseworker"]
