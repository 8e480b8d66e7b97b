"""The gig market's services on both databases: posting and its refusals, quick apply, the
applicants by priority, the steps of an application (every transition of the table, and a
refusal in three languages for every wrong one), region and employer scope, take-down."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from minsheng.cases import engine
from minsheng.core.errors import ConflictError, ForbiddenError, MinshengError, NotFoundError
from minsheng.employment import gig_applications as apps
from minsheng.employment import gig_views as views
from minsheng.employment import gigs
from minsheng.employment.gig_models import EmGig, EmGigApplication, EmGigEvent
from minsheng.employment.gig_workflow import GIG, GIG_OFFICE
from minsheng.foundation.models import AuditEntry
from minsheng.foundation.principals import Principal
from tests.employment import gig_kit as k
from tests.employment.gig_kit import TODAY


def _count(s: Session, model: type) -> int:
    return int(s.scalar(select(func.count()).select_from(model)) or 0)


def test_a_recruiter_posts_for_their_employer(session: Session) -> None:
    r = k.recruiter(session)
    gig = k.post(session, r, day_pay="150.5")
    assert gig.employer_id is not None and gig.poster_name is None
    assert gig.day_pay == 15050 and gig.state == "open" and gig.accepted == 0
    audited = session.scalar(
        select(AuditEntry).where(
            AuditEntry.resource == "em_gig", AuditEntry.record_id == str(gig.id)
        )
    )
    assert audited is not None and audited.action == "post"


def test_a_caseworker_posts_for_an_individual_employer(session: Session) -> None:
    cw = k.staff(1, k.LHASA)
    with pytest.raises(MinshengError) as e:
        k.post(session, cw)
    assert e.value.field == "poster_name"
    gig = k.post(session, cw, poster_name="次仁（个人雇主）")
    assert gig.employer_id is None and gig.poster_name == "次仁（个人雇主）"


@pytest.mark.parametrize(
    ("over", "field", "rule"),
    [
        ({"day_pay": "96.55"}, "day_pay", "below_floor"),
        ({"requirements": "入职需交保证金300元"}, "requirements", "banned_word"),
        ({"requirements": "上岗前扣押身份证"}, "requirements", "banned_word"),
        ({"occupation": "9-99"}, "occupation", "occupation"),
        ({"ends_on": TODAY + dt.timedelta(days=40)}, "ends_on", "too_long"),
        ({"starts_on": TODAY - dt.timedelta(days=1)}, "starts_on", "past"),
        ({"slots": "0"}, "slots", "range"),
        ({"slots": "two"}, "slots", "integer"),
        ({"county": "540100"}, "county", "county"),
        ({"day_pay": "abc"}, "day_pay", None),
        ({"title": ""}, "title", None),
    ],
)
def test_a_posting_that_breaks_a_rule_is_refused_and_nothing_stored(
    session: Session, over: dict[str, object], field: str, rule: str | None
) -> None:
    r = k.recruiter(session)
    before = _count(session, EmGig), _count(session, EmGigEvent)
    with pytest.raises(MinshengError) as e:
        k.post(session, r, **over)
    assert e.value.field == field and e.value.status == 422
    if rule:
        assert e.value.rule == rule
    assert e.value.zh and e.value.en and e.value.tibetan
    assert (_count(session, EmGig), _count(session, EmGigEvent)) == before


def test_an_unbound_recruiter_or_another_region_posts_nothing(session: Session) -> None:
    with pytest.raises(ForbiddenError):
        k.post(session, k.staff(999, k.LHASA, "employer"))
    with pytest.raises(ForbiddenError):
        k.post(session, k.staff(2, k.SHIGATSE), poster_name="某人")  # a Lhasa county
    with pytest.raises(ForbiddenError):
        k.post(session, k.staff(3, k.LHASA, "auditor"), poster_name="某人")
    assert _count(session, EmGig) == 0


def test_applying_twice_is_one_application(session: Session) -> None:
    gig = k.post(session, k.recruiter(session))
    w = k.person(session)
    first = k.apply(session, gig, w)
    assert k.apply(session, gig, w) == first
    assert _count(session, EmGigApplication) == 1
    assert _count(session, EmGigEvent) == 2  # posted, applied once


def test_no_application_to_a_full_or_closed_gig(session: Session) -> None:
    r = k.recruiter(session)
    gig = k.post(session, r, slots=1)
    a = k.apply(session, gig, k.person(session))
    apps.step(session, a, "accept", r, TODAY)
    with pytest.raises(ConflictError) as e:
        k.apply(session, gig, k.person(session))
    assert e.value.rule == "full"
    gigs.close(session, gig.id, r, TODAY)
    with pytest.raises(ConflictError):
        k.apply(session, gig, k.person(session))


def test_applicants_are_ordered_by_priority_with_reasons(session: Session) -> None:
    r = k.recruiter(session)
    gig = k.post(session, r, slots=5)
    young = k.person(session, dt.date(1998, 1, 1), name="年轻人")
    woman = k.person(session, dt.date(1982, 1, 1), female=True, name="大龄女工")
    senior = k.person(session, dt.date(1963, 1, 1), name="高龄男工")
    disabled = k.person(session, dt.date(1999, 1, 1), statuses=("disability",), name="残疾青年")
    for p in (young, woman, senior, disabled):
        k.apply(session, gig, p)
    listed = views.applicants(session, gig, r, TODAY)
    assert [x["name"] for x in listed] == ["高龄男工", "残疾青年", "大龄女工", "年轻人"]
    assert listed[0]["reasons"] == ["older", "senior"] and listed[0]["points"] == 3
    assert listed[1]["reasons"] == ["difficult"]  # the employer is not told which status
    assert listed[2]["reasons"] == ["older"]
    assert listed[3]["reasons"] == [] and listed[3]["points"] == 0
    assert all("*" in x["id_masked"] for x in listed)
    office = views.applicants(session, gig, k.staff(4, k.LHASA), TODAY)
    assert [x["reasons"] for x in office][:2] == [["older", "senior"], ["status:disability"]]


def _flow(s: Session) -> tuple[Principal, EmGig, int, Principal]:
    r = k.recruiter(s)
    gig = k.post(s, r)
    w = k.person(s)
    return r, gig, k.apply(s, gig, w), k.citizen(w.id)


def test_the_whole_way_with_pay_confirmed(session: Session) -> None:
    r, gig, a, me = _flow(session)
    with pytest.raises(ConflictError):  # not accepted yet
        apps.step(session, a, "check_in", me, TODAY)
    apps.step(session, a, "accept", r, TODAY)
    assert gig.accepted == 1
    with pytest.raises(MinshengError) as e:  # the day before the gig
        apps.step(session, a, "check_in", me, TODAY - dt.timedelta(days=1))
    assert e.value.rule == "not_a_gig_day"
    apps.step(session, a, "check_in", me, TODAY + dt.timedelta(days=1))
    apps.step(session, a, "complete", r, TODAY + dt.timedelta(days=2))
    with pytest.raises(MinshengError) as e:
        apps.step(session, a, "record_pay", r, TODAY, amount="")
    assert e.value.field == "amount"
    apps.step(session, a, "record_pay", r, TODAY, amount="600")
    row = apps.step(session, a, "confirm", me, TODAY)
    assert row.state == "confirmed" and row.paid == 60_000
    actions = [e.action for e in views.events(session, gig.id)]
    assert actions == ["post", "apply", "accept", "check_in", "complete", "record_pay", "confirm"]


def test_a_dispute_is_a_follow_up_with_a_deadline(session: Session) -> None:
    r, _gig, a, me = _flow(session)
    for action, by in (("accept", r), ("check_in", me), ("complete", r)):
        apps.step(session, a, action, by, TODAY)
    apps.step(session, a, "record_pay", r, TODAY, amount="300")
    with pytest.raises(MinshengError) as e:
        apps.step(session, a, "dispute", me, TODAY)
    assert e.value.field == "reason"
    row = apps.step(session, a, "dispute", me, TODAY, reason="说好三天600元，只付了300元")
    assert row.dispute_by == engine.due(TODAY, 10)
    cw, elsewhere = k.staff(5, k.LHASA), k.staff(6, k.SHIGATSE)
    assert [x.id for x, _ in views.disputes(session, cw)] == [a]
    assert views.disputes(session, elsewhere) == []
    assert views.overdue(row, engine.due(TODAY, 10) + dt.timedelta(days=1))
    with pytest.raises(ForbiddenError):  # the recruiter does not settle their own dispute
        apps.step(session, a, "settle", r, TODAY, reason="x")
    with pytest.raises(NotFoundError):
        apps.step(session, a, "settle", elsewhere, TODAY, reason="x")
    done = apps.step(session, a, "settle", cw, TODAY, reason="调解：补发300元", amount="300")
    assert done.state == "settled" and done.settled == 30_000


def test_every_transition_of_the_table_and_a_refusal_for_every_wrong_one(
    session: Session,
) -> None:
    r = k.recruiter(session)
    cw, sup = k.staff(7, k.LHASA), k.staff(8, k.LHASA, "supervisor")
    worker = k.person(session)
    me = k.citizen(worker.id)
    actor = {
        "employment:employer": r,
        "self:jobs": me,
        "employment:write": cw,
        "employment:run": sup,
    }
    gig = k.post(session, r, slots=50, starts_on=TODAY, ends_on=TODAY)
    a = session.get_one(EmGigApplication, k.apply(session, gig, worker))
    done = set()
    for state in (x.name for x in GIG.states):
        for action in GIG.actions:
            step = GIG.step(action)
            a.state = state
            gig.accepted = 1 if state in gigs.TAKING_A_SLOT else 0
            session.flush()
            by = actor[step.permission]
            if state in step.sources:
                row = apps.step(session, a.id, action, by, TODAY, reason="理由", amount="100")
                assert row.state in step.targets
                done.add((state, action, row.state))
            else:
                with pytest.raises(ConflictError) as e:
                    apps.step(session, a.id, action, by, TODAY, reason="理由", amount="100")
                assert e.value.rule == "wrong_state"
                assert e.value.zh and e.value.en and e.value.bo
    assert done == GIG.transitions()
    assert GIG_OFFICE.transitions() == GIG.transitions()


def test_nobody_steps_on_what_they_do_not_see(session: Session) -> None:
    _r, gig, a, _me = _flow(session)
    other = k.recruiter(session)
    stranger = k.citizen(k.person(session).id)
    for by in (other, stranger, k.staff(9, k.SHIGATSE), k.staff(10, k.LHASA, "employer")):
        with pytest.raises(NotFoundError):
            apps.step(session, a, "accept", by, TODAY)
    for by in (other, k.staff(9, k.SHIGATSE)):
        with pytest.raises(NotFoundError):
            gigs.get_gig(session, gig.id, by)
    assert views.listing(session, other) == []
    assert [g.id for g in views.listing(session, k.staff(11, k.LHASA))] == [gig.id]
    with pytest.raises(ForbiddenError):  # a caseworker is not the employer's poster
        apps.step(session, a, "accept", k.staff(12, k.LHASA), TODAY)


def test_a_supervisor_takes_a_gig_down_with_a_reason(session: Session) -> None:
    r, gig, a, _me = _flow(session)
    apps.step(session, a, "accept", r, TODAY)
    sup = k.staff(13, k.LHASA, "supervisor")
    with pytest.raises(MinshengError) as e:
        gigs.take_down(session, gig.id, "  ", sup, TODAY)
    assert e.value.field == "reason"
    with pytest.raises(ForbiddenError):
        gigs.take_down(session, gig.id, "违规", k.staff(14, k.LHASA), TODAY)
    with pytest.raises(NotFoundError):
        gigs.take_down(session, gig.id, "违规", k.staff(15, k.SHIGATSE, "supervisor"), TODAY)
    gigs.take_down(session, gig.id, "岗位要求收取费用，违反规定", sup, TODAY)
    session.refresh(gig)
    assert gig.state == "taken_down" and gig.accepted == 0
    assert session.get_one(EmGigApplication, a).state == "declined"
    with pytest.raises(NotFoundError):  # no longer listed or open to apply
        k.apply(session, gig, k.person(session))
    assert views.open_gigs(session, TODAY) == []


@pytest.mark.parametrize(
    ("over", "field"),
    [
        ({"title": "搬运\u202e工"}, "title"),  # a bidi override
        ({"address": "北京中路\x00"}, "address"),
        ({"day_pay": "9" * 30}, "day_pay"),
        ({"day_pay": "1e9"}, "day_pay"),
        ({"starts_on": "2026-13-01"}, "starts_on"),
        ({"county": "54010'"}, "county"),
        ({"requirements": "x" * 1001}, "requirements"),
    ],
)
def test_hostile_postings_are_refused_by_their_field(
    session: Session, over: dict[str, object], field: str
) -> None:
    with pytest.raises(MinshengError) as e:
        k.post(session, k.recruiter(session), **over)
    assert e.value.field == field and e.value.status == 422
    assert _count(session, EmGig) == 0


def test_hostile_steps_change_nothing(session: Session) -> None:
    r, gig, a, me = _flow(session)
    for action in ("accept", "check_in", "complete"):
        apps.step(session, a, action, me if action == "check_in" else r, TODAY)
    events = _count(session, EmGigEvent)
    for amount in ("9" * 20, "-5", "abc", "1.001"):
        with pytest.raises(MinshengError) as e:
            apps.step(session, a, "record_pay", r, TODAY, amount=amount)
        assert e.value.field == "amount"
    with pytest.raises(MinshengError):
        apps.step(session, a, "dispute", me, TODAY, reason="bad\x00")
    with pytest.raises(MinshengError) as e:
        apps.step(session, a, "drop_table", r, TODAY)
    assert e.value.status == 422
    row = session.get_one(EmGigApplication, a)
    assert row.state == "completed" and row.paid is None
    assert _count(session, EmGigEvent) == events
    assert gig.accepted == 1
