"""The help plan's table on the case engine: what each role may take from each state, the
outcomes final, a reason required to close, and no sequence of steps leaving the table."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from minsheng.core.errors import MinshengError
from minsheng.employment.help_workflow import HELP, OUTCOMES, PEOPLE
from tests.employment import help_kit as k

DAY = dt.date(2026, 6, 1)
ROLES = ("caseworker", "supervisor", "auditor", "citizen", "employer")
NAMES = [s.name for s in HELP.states]


@dataclass
class Plan:
    state: str = "open"


def test_who_may_take_which_step() -> None:
    cw, sup, aud = (
        k.staff(1, "540100"),
        k.staff(2, "540100", "supervisor"),
        k.staff(3, "540100", "auditor"),
    )
    assert HELP.allowed("open") == ("contact", "offer", "respond", "close", "end")
    assert HELP.offered("open", cw) == ("contact", "offer", "respond", "close")
    assert "end" in HELP.offered("open", sup)
    assert HELP.offered("open", aud) == ()
    for s in HELP.states:
        if s.name != "open":
            assert s.final and HELP.allowed(s.name) == ()
    assert set(PEOPLE) <= set(HELP.actions) and set(OUTCOMES) <= set(HELP.step("close").targets)
    with pytest.raises(MinshengError) as err:
        HELP.begin("open", "close", cw, reason="  ")
    assert err.value.problems[0].field == "reason"


@settings(max_examples=150, deadline=None)
@given(
    st.lists(
        st.tuples(
            st.sampled_from((*HELP.actions, "approve", "x")),
            st.sampled_from(ROLES),
            st.integers(min_value=0, max_value=9),
            st.booleans(),
        ),
        max_size=12,
    )
)
def test_no_sequence_of_steps_leaves_the_table(moves: list) -> None:
    plan = Plan()
    for action, role, pick, rogue in moves:
        by = k.staff(9, "540100", role) if role != "citizen" else k.BY

        def work(step: object, pick: int = pick, rogue: bool = rogue) -> str:
            targets = step.targets  # type: ignore[attr-defined]
            plan.state = NAMES[pick % len(NAMES)] if rogue else targets[pick % len(targets)]
            return "note"

        before = plan.state
        try:
            event = HELP.run(plan, action, by, work, day=DAY, reason="理由")
        except RuntimeError:
            assert plan.state not in HELP.step(action).targets  # the rogue handler is caught
            plan.state = before
            continue
        except MinshengError:
            assert plan.state == before  # refused: nothing changed
            continue
        assert (event.from_state, event.to_state) == (before, plan.state)
        assert (before, action, plan.state) in HELP.transitions()
