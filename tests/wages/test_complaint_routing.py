"""The complaint deadlines by worked example (tests/wages/complaint_deadlines.yaml: across
Losar, Shoton, Spring Festival and National Day, counted by hand), and the property that a
routed complaint is in exactly one county's queue whatever office or channel took it."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy.orm import Session

from minsheng.core import calendar, divisions
from minsheng.foundation.principals import ANONYMOUS, Principal
from minsheng.wages import complaint_filing as filing
from minsheng.wages import complaints
from minsheng.wages.complaint_models import WgComplaint
from tests.wages.complaint_kit import citizen, complaint_in, person, project, staff

CASES = yaml.safe_load((Path(__file__).parent / "complaint_deadlines.yaml").read_text("utf-8"))
COUNTIES = [c.code for c in divisions.counties()]


def _complaint(session: Session, received: dt.date) -> WgComplaint:
    p = project(session, "540102", "拉萨测试项目", 9)
    return filing.file_complaint(
        session, complaint_in(p.id, worker_name="扎西"), staff(1, "540100"), received
    ).complaint


@pytest.mark.parametrize("case", CASES, ids=[c["name"] for c in CASES])
def test_deadline_examples(session: Session, case: dict[str, Any]) -> None:
    region = staff(2, "540000", "supervisor")
    checker = staff(3, "540000", "supervisor")
    step, due = case["step"], case["due"]
    if step == "receive":
        c = _complaint(session, case["day"])
        assert c.accept_by == due
        if "without_losar" in case:
            assert (
                calendar.add_working_days(case["day"], 5, regional=False) == case["without_losar"]
            )
        return
    c = _complaint(session, dt.date(2025, 1, 2))
    if step == "accept":
        complaints.act(session, c.id, "accept", region, day=case["day"])
        assert c.investigate_by == due
    elif step == "approve_extension":
        complaints.act(session, c.id, "accept", region, day=dt.date(2025, 6, 3))
        assert c.investigate_by == case["from"]
        complaints.act(session, c.id, "request_extension", region, day=case["from"], reason="复杂")
        complaints.act(session, c.id, "approve_extension", checker, day=case["from"])
        assert c.investigate_by == due
    elif step == "refer":
        complaints.act(session, c.id, "accept", region, day=case["day"])
        complaints.act(session, c.id, "refer", region, day=case["day"], reason="争议")
        assert c.refer_by == due
    else:
        complaints.act(session, c.id, "accept", region, day=dt.date(2026, 2, 13))
        complaints.act(session, c.id, "refer", region, day=dt.date(2026, 2, 13), reason="争议")
        assert c.refer_by == case["from"]
        complaints.act(session, c.id, "extend_referral", region, day=case["from"], reason="延期")
        assert c.refer_by == due


def _office(kind: str, code: str) -> Principal:
    if kind == "online":
        return ANONYMOUS
    return staff(7, code)


@settings(
    max_examples=30,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    project_county=st.sampled_from(COUNTIES),
    office=st.one_of(
        st.tuples(st.just("online"), st.just("")),
        st.tuples(st.just("citizen"), st.just("")),
        st.tuples(
            st.just("office"),
            st.sampled_from(
                [divisions.REGION_CODE, *[p.code for p in divisions.prefectures()], *COUNTIES]
            ),
        ),
    ),
    typed=st.booleans(),
)
def test_a_routed_complaint_is_in_exactly_one_countys_queue(
    session: Session, project_county: str, office: tuple[str, str], typed: bool
) -> None:
    try:
        _check_routing(session, project_county, office, typed)
    finally:
        session.rollback()


def _check_routing(
    session: Session, project_county: str, office: tuple[str, str], typed: bool
) -> None:
    kind, code = office
    by = citizen(person(session, 900)) if kind == "citizen" else _office(kind, code)
    if typed:
        data = complaint_in(None, project_text="某工地", county=project_county)
    else:
        data = complaint_in(project(session, project_county, "项目", 500).id)
    if kind == "office":
        data = complaint_in(
            data.project_id,
            project_text=data.project_text,
            county=data.county,
            worker_name="扎西",
        )
    c = filing.file_complaint(session, data, by, dt.date(2026, 6, 1)).complaint
    holding = [
        county
        for county in COUNTIES
        if c.id in {x.id for x in session.scalars(complaints.queue_query(staff(8, county)))}
    ]
    assert holding == [project_county]
    # the offices above it see it in their queue too (the prefecture, the region); no other
    prefecture = divisions.get(project_county).prefecture_code
    for p in divisions.prefectures():
        seen = c.id in {x.id for x in session.scalars(complaints.queue_query(staff(9, p.code)))}
        assert seen == (p.code == prefecture)
