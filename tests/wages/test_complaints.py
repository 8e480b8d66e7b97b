"""Arrears complaints on both databases: any office takes one and it routes to the project's
county; the county's staff read it whole and take its steps (maker–checker on the extension,
a reason for every close); every other office reads its state only; bad input changes nothing;
an anonymous follow-up with a wrong PIN answers as a missing code and is counted."""

from __future__ import annotations

import pytest
from sqlalchemy.orm import Session

from minsheng.cases import engine
from minsheng.core.errors import ConflictError, ForbiddenError, MinshengError, NotFoundError
from minsheng.wages import complaint_filing as filing
from minsheng.wages import complaints
from minsheng.wages.complaint_models import WgComplaint
from tests.wages.complaint_kit import (
    BAYI,
    CHENGGUAN,
    TODAY,
    citizen,
    complaint_in,
    counts,
    person,
    staff,
    world,
)

LHASA_INSPECTOR = staff(11, "540100")
LHASA_SUPERVISOR = staff(12, "540100", "supervisor")
LHASA_SUPERVISOR_2 = staff(13, "540100", "supervisor")
SHIGATSE_OFFICE = staff(21, "540200")
NYINGCHI_COUNTY = staff(31, BAYI)
PERSONAL = ("worker_name", "phone", "facts", "project_text", "person_id", "events")


def test_any_office_takes_it_and_it_routes_to_the_projects_county(session: Session) -> None:
    w = world(session)
    filed = filing.file_complaint(
        session,
        complaint_in(w["lhasa"].id, worker_name="扎西", phone="13800001111"),
        SHIGATSE_OFFICE,
        TODAY,
    )
    c = filed.complaint
    assert (c.division_code, c.channel, c.received_division) == (CHENGGUAN, "office", "540200")
    assert c.accept_by == engine.due(TODAY, 5)
    assert filed.code is None and not c.anonymous  # a named worker needs no code
    lhasa = session.scalars(complaints.queue_query(LHASA_INSPECTOR)).all()
    shigatse = session.scalars(complaints.queue_query(SHIGATSE_OFFICE)).all()
    assert [x.id for x in lhasa] == [c.id] and shigatse == []


def test_another_office_sees_the_state_not_the_worker(session: Session) -> None:
    w = world(session)
    pid = person(session, 1)
    c = filing.file_complaint(
        session, complaint_in(w["lhasa"].id, phone="13800001111"), citizen(pid), TODAY
    ).complaint
    whole = complaints.read(session, c.id, LHASA_INSPECTOR, TODAY)
    assert whole["worker_name"] == "次仁多吉" and whole["phone"] == "13800001111"
    with pytest.raises(NotFoundError):
        complaints.read(session, c.id, SHIGATSE_OFFICE, TODAY)
    state = complaints.read_state(session, c.id, SHIGATSE_OFFICE, TODAY)
    assert state["state"] == "received" and state["county"] == CHENGGUAN
    assert state["project"] == "拉萨市城关区安居园三期"
    assert not set(PERSONAL) & set(state)
    assert "次仁多吉" not in repr(state) and "13800001111" not in repr(state)
    with pytest.raises(NotFoundError):  # nor may it act
        complaints.act(session, c.id, "accept", SHIGATSE_OFFICE, day=TODAY)
    assert session.get(WgComplaint, c.id).state == "received"  # type: ignore[union-attr]
    board = complaints.board(session, TODAY)
    assert [b["id"] for b in board] == [c.id] and not set(PERSONAL) & set(board[0])


def test_a_typed_project_routes_to_the_county_named(session: Session) -> None:
    world(session)
    c = filing.file_complaint(
        session,
        complaint_in(None, project_text="八一镇某小区工地", county=BAYI, anonymous=True),
        citizen(person(session, 2)),
        TODAY,
    )
    assert c.complaint.division_code == BAYI and c.complaint.person_id is None
    assert c.code and c.pin  # chose to stay anonymous while signed in
    assert [x.id for x in session.scalars(complaints.queue_query(NYINGCHI_COUNTY))] == [
        c.complaint.id
    ]


@pytest.mark.parametrize(
    ("kw", "field"),
    [
        ({"project_id": None}, "project_text"),
        ({"project_id": None, "project_text": "某工地", "county": "540100"}, "county"),
        ({"project_id": None, "project_text": "某工地", "county": "999999"}, "county"),
        ({"project_id": 10**6}, "project_id"),
        ({"facts": "   "}, "facts"),
        ({"facts": "欠薪\x00"}, "facts"),
        ({"lang": "en"}, "lang"),
        ({"amount_claimed": "-5"}, "amount_claimed"),
        ({"amount_claimed": "1.234"}, "amount_claimed"),
        ({"workers": "0"}, "workers"),
        ({"workers": "１２"}, "workers"),
        ({"phone": "12345"}, "phone"),
    ],
)
def test_bad_input_changes_nothing(session: Session, kw: dict[str, object], field: str) -> None:
    w = world(session)
    before = counts(session)
    values = {"project_id": w["lhasa"].id, **kw}
    with pytest.raises(MinshengError) as err:
        filing.file_complaint(session, complaint_in(**values), citizen(1), TODAY)
    assert err.value.field == field and err.value.status == 422
    assert counts(session) == before


def test_the_steps_and_their_deadlines(session: Session) -> None:
    w = world(session)
    c = filing.file_complaint(
        session, complaint_in(w["lhasa"].id, worker_name="扎西"), LHASA_INSPECTOR, TODAY
    ).complaint
    complaints.act(session, c.id, "accept", LHASA_INSPECTOR, day=TODAY)
    assert c.state == "investigating" and c.investigate_by == engine.due(TODAY, 60)
    first = c.investigate_by
    complaints.act(
        session, c.id, "request_extension", LHASA_SUPERVISOR, day=TODAY, reason="账目复杂"
    )
    with pytest.raises(ForbiddenError) as err:  # maker–checker: not the one who asked
        complaints.act(session, c.id, "approve_extension", LHASA_SUPERVISOR, day=TODAY)
    assert err.value.rule == "maker_checker"
    with pytest.raises(ForbiddenError):  # a caseworker cannot approve at all
        complaints.act(session, c.id, "approve_extension", LHASA_INSPECTOR, day=TODAY)
    complaints.act(session, c.id, "approve_extension", LHASA_SUPERVISOR_2, day=TODAY)
    assert c.state == "investigating" and c.extended
    assert c.investigate_by == engine.due(first, 30)
    assert "request_extension" not in complaints.offered(session, c, LHASA_INSPECTOR)
    with pytest.raises(ConflictError):  # once only
        complaints.act(session, c.id, "request_extension", LHASA_INSPECTOR, day=TODAY, reason="x")
    with pytest.raises(MinshengError) as err:
        complaints.act(session, c.id, "close", LHASA_INSPECTOR, day=TODAY, outcome="recovered")
    assert err.value.field == "reason"  # every close has a reason
    with pytest.raises(MinshengError) as err:
        complaints.act(
            session, c.id, "close", LHASA_INSPECTOR, day=TODAY, reason="追回", outcome="recovered"
        )
    assert err.value.field == "recovered"  # recovered needs an amount
    with pytest.raises(MinshengError) as err:
        complaints.act(
            session, c.id, "close", LHASA_INSPECTOR, day=TODAY, reason="x", outcome="arbitrated"
        )
    assert err.value.field == "outcome"  # not referred
    assert c.state == "investigating"
    complaints.act(
        session,
        c.id,
        "close",
        LHASA_INSPECTOR,
        day=TODAY,
        reason="已责令总包代发",
        outcome="recovered",
        recovered="36000.00",
    )
    assert (c.state, c.outcome, c.recovered, c.on_time) == ("closed", "recovered", 3_600_000, True)
    with pytest.raises(ConflictError):
        complaints.act(session, c.id, "withdraw", LHASA_INSPECTOR, day=TODAY, reason="x")
    actions = [e.action for e in complaints.events(session, c)]
    assert actions == ["file", "accept", "request_extension", "approve_extension", "close"]


def test_referral_and_a_late_close(session: Session) -> None:
    w = world(session)
    c = filing.file_complaint(
        session, complaint_in(w["lhasa"].id, worker_name="扎西"), LHASA_INSPECTOR, TODAY
    ).complaint
    late = engine.due(c.accept_by, 1)
    complaints.act(session, c.id, "accept", LHASA_INSPECTOR, day=late)
    complaints.act(session, c.id, "refer", LHASA_INSPECTOR, day=late, reason="劳动关系有争议")
    assert c.refer_by == late + __import__("datetime").timedelta(days=45)
    complaints.act(session, c.id, "extend_referral", LHASA_INSPECTOR, day=late, reason="延期")
    with pytest.raises(ConflictError):
        complaints.act(session, c.id, "extend_referral", LHASA_INSPECTOR, day=late, reason="x")
    assert c.refer_by == late + __import__("datetime").timedelta(days=60)
    past = c.refer_by + __import__("datetime").timedelta(days=1)
    view = complaints.state_view(session, c, past)
    assert view["overdue"] and view["deadline"] == c.refer_by.isoformat()
    complaints.act(
        session, c.id, "close", LHASA_INSPECTOR, day=past, reason="仲裁裁决", outcome="arbitrated"
    )
    assert c.on_time is False and c.outcome == "arbitrated"


def test_refuse_needs_a_reason(session: Session) -> None:
    w = world(session)
    c = filing.file_complaint(
        session, complaint_in(w["lhasa"].id, worker_name="扎西"), LHASA_INSPECTOR, TODAY
    ).complaint
    before = counts(session)
    with pytest.raises(MinshengError) as err:
        complaints.act(session, c.id, "refuse", LHASA_INSPECTOR, day=TODAY)
    assert err.value.field == "reason" and counts(session) == before
    complaints.act(session, c.id, "refuse", LHASA_INSPECTOR, day=TODAY, reason="不属于本部门管辖")
    assert (c.state, c.outcome, c.on_time) == ("refused", "refused", True)


def test_anonymous_follow_up(session: Session) -> None:
    w = world(session)
    filed = filing.file_complaint(session, complaint_in(w["lhasa"].id), filing_anon(), TODAY)
    c = filed.complaint
    assert c.anonymous and filed.code and filed.pin and len(filed.pin) == 6
    assert filed.code not in repr(c.followup_hash) and filed.pin not in (c.pin_hash or "")
    assert filing.follow_up(session, filed.code.lower(), filed.pin).id == c.id
    wrong = "000000" if filed.pin != "000000" else "111111"
    with pytest.raises(NotFoundError) as bad:
        filing.follow_up(session, filed.code, wrong)
    with pytest.raises(NotFoundError) as missing:
        filing.follow_up(session, "AAAAA-AAAAA", filed.pin)
    assert bad.value.to_dict() == missing.value.to_dict()  # a wrong PIN tells nothing
    for _ in range(filing.FOLLOW_TRIES - 1):  # one try was counted above
        with pytest.raises(NotFoundError):
            filing.follow_up(session, filed.code, wrong)
    with pytest.raises(MinshengError) as limited:  # now even the right PIN waits
        filing.follow_up(session, filed.code, filed.pin)
    assert limited.value.status == 429
    for _ in range(filing.FOLLOW_TRIES):
        with pytest.raises(NotFoundError):
            filing.follow_up(session, "BBBBB-BBBBB", filed.pin)
    with pytest.raises(MinshengError) as limited_missing:  # a missing code is counted alike
        filing.follow_up(session, "BBBBB-BBBBB", filed.pin)
    assert limited_missing.value.to_dict() == limited.value.to_dict()


def filing_anon() -> object:
    from minsheng.foundation.principals import ANONYMOUS

    return ANONYMOUS


def test_kpis_per_county_and_month(session: Session) -> None:
    w = world(session)
    region = staff(99, "540000", "supervisor")
    made = [
        filing.file_complaint(
            session, complaint_in(w[k].id, worker_name="扎西"), LHASA_INSPECTOR, TODAY
        ).complaint
        for k in ("lhasa", "lhasa", "lhasa", "nyingchi")
    ]
    a, b, _, d = made
    for c in (a, b, d):
        complaints.act(session, c.id, "accept", region, day=TODAY)
    complaints.act(
        session, a.id, "close", region, day=TODAY, reason="r", outcome="recovered", recovered="100"
    )
    late = engine.due(b.investigate_by, 1)  # type: ignore[arg-type]
    complaints.act(
        session, b.id, "close", region, day=late, reason="r", outcome="settled", recovered="50.5"
    )
    complaints.act(session, d.id, "withdraw", region, day=TODAY, reason="已自行协商")
    rows = {r["county"]: r for r in complaints.kpis(session, "2026-06", region)}
    assert set(rows) == {CHENGGUAN, BAYI}
    lhasa = rows[CHENGGUAN]
    assert (lhasa["received"], lhasa["closed"], lhasa["on_time"]) == (3, 2, 1)
    assert lhasa["closure_rate"] == "0.6667" and lhasa["target"] == "0.98" and not lhasa["met"]
    assert lhasa["recovered"] == "150.50" and lhasa["on_time_rate"] == "0.5000"
    assert rows[BAYI]["closure_rate"] == "1.0000" and rows[BAYI]["met"]
    assert complaints.kpis(session, "2026-05", region) == []
    only = complaints.kpis(session, "2026-06", NYINGCHI_COUNTY)
    assert [r["county"] for r in only] == [BAYI]  # a county sees its own figures
    with pytest.raises(MinshengError):
        complaints.kpis(session, "2026-6", region)
