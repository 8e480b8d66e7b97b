"""Job fairs' services on both databases: planning and its refusals, booth applications by a
recruiter for its own employer only, allocation and hand moves (a booth never holds two
employers), check-in by ID number (filing the seeker) or QR pass (signed, short-lived, this
fair's), check-in twice is one (also concurrently, and as a property), interviews for
checked-in visitors, live counts and the report with hires filed within the parameter's days."""

from __future__ import annotations

import datetime as dt
import threading

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from minsheng.core.errors import ConflictError, MinshengError, NotFoundError
from minsheng.db import make_sessionmaker, unit_of_work
from minsheng.employment import fair_booths, fair_checkin, fair_report, fairs
from minsheng.employment.fair_models import (
    EmFair,
    EmFairApplication,
    EmFairBooth,
    EmFairCheckin,
)
from minsheng.employment.fair_schemas import ApplicationIn, CheckinIn, DecisionIn, InterviewIn
from minsheng.employment.seeker_models import EmSeeker
from minsheng.employment.vacancy_models import EmHire
from minsheng.foundation.models import AuditEntry
from tests.employment import fair_kit as k


def _rule(err: pytest.ExceptionInfo[MinshengError]) -> tuple[str, str]:
    return err.value.field, err.value.rule


@pytest.mark.parametrize(
    ("over", "field"),
    [
        ({"starts_on": (k.TODAY - dt.timedelta(days=1)).isoformat()}, "starts_on"),
        ({"ends_on": k.TODAY.isoformat()}, "ends_on"),
        ({"ends_on": (k.DAY + dt.timedelta(days=40)).isoformat()}, "ends_on"),
        ({"opens_at": "17:00", "closes_at": "09:00"}, "closes_at"),
        ({"division_code": "540100"}, "division_code"),  # a prefecture, not a county
        ({"division_code": "999999"}, "division_code"),
        ({"theme": "sports"}, "theme"),
        ({"booths": [{"klass": "vip", "count": 2}]}, "klass"),
    ],
)
def test_a_bad_plan_is_refused_naming_the_field(
    session: Session, over: dict[str, object], field: str
) -> None:
    with pytest.raises(MinshengError) as err:
        k.fair(session, k.BY, **over)
    assert err.value.field == field and err.value.zh and err.value.bo
    assert k.count(session, EmFair) == 0


def test_the_plan_numbers_booths_by_class_with_the_parameters_capacity(session: Session) -> None:
    f = k.fair(session, booths=[{"klass": "corner", "count": 2}, {"klass": "standard", "count": 3}])
    booths = fairs.booths_of(session, f.id)
    assert [(b.number, b.capacity) for b in booths] == [
        ("A01", 5), ("A02", 5), ("A03", 5), ("C01", 8), ("C02", 8),
    ]  # fmt: skip
    fairs.add_booths(session, f.id, "standard", 2, k.BY)
    assert [b.number for b in fairs.booths_of(session, f.id)][:5] == [
        "A01",
        "A02",
        "A03",
        "A04",
        "A05",
    ]


def test_a_recruiter_applies_for_its_own_employer_only(session: Session) -> None:
    f = k.fair(session)
    fairs.open_applications(session, f.id, k.BY)
    mine, other = k.employer(session), k.employer(session)
    r = k.recruiter(session, mine)
    ok = [k.vacancy(session, mine), k.vacancy(session, mine)]
    theirs = k.vacancy(session, other)
    draft = k.vacancy(session, mine, state="draft")
    with pytest.raises(ConflictError) as unbound:
        fair_booths.apply(session, f.id, ApplicationIn(vacancy_ids=ok), k.recruiter(session, None))
    assert _rule(unbound) == ("employer", "unbound")
    for bad in ([*ok, theirs], [draft]):
        with pytest.raises(MinshengError) as err:
            fair_booths.apply(session, f.id, ApplicationIn(vacancy_ids=bad), r)
        assert _rule(err) == ("vacancy_ids", "not_published")
    many = [k.vacancy(session, mine) for _ in range(6)]  # a standard booth shows 5
    with pytest.raises(MinshengError) as err:
        fair_booths.apply(session, f.id, ApplicationIn(vacancy_ids=many), r)
    assert _rule(err) == ("vacancy_ids", "capacity")
    assert k.count(session, EmFairApplication) == 0
    # a retried or corrected application is the same one
    first = fair_booths.apply(session, f.id, ApplicationIn(vacancy_ids=ok), r)
    again = fair_booths.apply(
        session, f.id, ApplicationIn(vacancy_ids=ok[:1], wanted_class="large"), r
    )
    assert first.id == again.id and k.count(session, EmFairApplication) == 1
    fair_booths.decide(session, first.id, DecisionIn(accept=False, reason="行业不符"), k.BY)
    with pytest.raises(ConflictError):
        fair_booths.apply(session, f.id, ApplicationIn(vacancy_ids=ok), r)
    # a refusal gives its reason
    with pytest.raises(MinshengError) as err:
        fair_booths.decide(session, first.id, DecisionIn(accept=False), k.BY)
    assert err.value.field == "reason"
    # a recruiter of another region does not see the fair
    far = k.recruiter(session, other, region="540200")
    with pytest.raises(NotFoundError):
        fair_booths.apply(session, f.id, ApplicationIn(vacancy_ids=[theirs]), far)


def test_allocation_zones_by_industry_and_hand_moves_keep_one_employer_a_booth(
    session: Session,
) -> None:
    f = k.fair(session)
    fairs.open_applications(session, f.id, k.BY)
    _, _, a6, _ = k.exhibitor(session, f, ("6-01", "6-02"))
    _, _, a4, _ = k.exhibitor(session, f, ("4-03",))
    _, _, big, _ = k.exhibitor(session, f, ("2-02",), klass="large")
    plan = fair_booths.allocate(session, f.id, k.BY)
    number = {b.id: b.number for b in fairs.booths_of(session, f.id)}
    assert {a: number[b] for a, b in plan.seats.items()} == {big: "B01", a4: "A01", a6: "A02"}
    zones = {b.number: b.zone for b in fairs.booths_of(session, f.id) if b.zone}
    assert zones == {"A01": "4", "A02": "6", "B01": "2"}
    booths = {b.number: b for b in fairs.booths_of(session, f.id)}
    fair_booths.move(session, a4, booths["A04"].id, k.BY)
    with pytest.raises(ConflictError) as err:
        fair_booths.move(session, a6, booths["A04"].id, k.BY)
    assert _rule(err) == ("booth_id", "taken")
    other = k.fair(session)
    with pytest.raises(NotFoundError):
        fair_booths.move(session, a6, fairs.booths_of(session, other.id)[0].id, k.BY)
    seats = session.scalars(
        select(EmFairApplication.booth_id).where(EmFairApplication.booth_id.is_not(None))
    ).all()
    assert len(seats) == len(set(seats)) == 3
    # an organiser of another region sees none of it
    far = k.organiser(session, "540200")
    with pytest.raises(NotFoundError):
        fair_booths.move(session, a6, booths["A03"].id, far)
    with pytest.raises(NotFoundError):
        fair_booths.allocate(session, f.id, far)


def _allocated(session: Session) -> tuple[EmFair, list[int]]:
    f = k.fair(session)
    fairs.open_applications(session, f.id, k.BY)
    e1, _, _, _ = k.exhibitor(session, f, ("4-03",))
    e2, _, _, _ = k.exhibitor(session, f, ("6-01",))
    fair_booths.allocate(session, f.id, k.BY)
    return f, [e1, e2]


def test_checkin_by_id_number_files_the_seeker_and_twice_is_one(session: Session) -> None:
    f, _ = _allocated(session)
    pid, number = k.person(session)
    first = fair_checkin.checkin(session, f.id, CheckinIn(id_number=number), k.BY, k.RUNNING)
    assert first.created and first.checkin.via == "id"
    seeker = session.scalar(select(EmSeeker).where(EmSeeker.person_id == pid))
    assert seeker is not None and first.checkin.seeker_id == seeker.id
    assert {b["booth"] for b in first.booths} <= {"A01", "A02"} and first.booths
    again = fair_checkin.checkin(session, f.id, CheckinIn(id_number=number), k.BY, k.RUNNING)
    assert not again.created and again.checkin.id == first.checkin.id
    assert k.count(session, EmFairCheckin) == 1
    out = fair_checkin.checkin_out(first)
    assert number not in str(out) and out["person"]["id_masked"] != number


def test_the_qr_pass_is_signed_short_lived_and_for_this_fair(session: Session) -> None:
    f, _ = _allocated(session)
    other = k.fair(session)
    pid, _ = k.person(session)
    token, expires = fair_checkin.issue_pass(f, pid, k.RUNNING)
    assert expires == k.RUNNING + dt.timedelta(minutes=5)
    tampered = token.split(".")
    tampered[1] = str(int(tampered[1]) + 1)
    late = k.RUNNING + dt.timedelta(minutes=6)
    for bad, moment, rule in (
        (".".join(tampered), k.RUNNING, "pass"),
        (token, late, "pass"),
        ("not-a-token", k.RUNNING, "pass"),
        (token, k.RUNNING, "other_fair"),
    ):
        target = other.id if rule == "other_fair" else f.id
        with pytest.raises(MinshengError) as err:
            fair_checkin.checkin(session, target, CheckinIn(token=bad), k.BY, moment)
        assert _rule(err) == ("token", rule)
    assert k.count(session, EmFairCheckin) == 0
    ok = fair_checkin.checkin(session, f.id, CheckinIn(token=token), k.BY, k.RUNNING)
    assert ok.created and ok.checkin.via == "qr" and ok.person.id == pid


def test_refusals_at_the_entrance_store_nothing(session: Session) -> None:
    f, _ = _allocated(session)
    _, number = k.person(session)
    unknown = k.n()  # a valid number no one is registered with
    from minsheng.core import ids

    ghost = ids.make_resident_id("540102", dt.date(1990, 1, 1), 900 + unknown % 90)
    with pytest.raises(NotFoundError):
        fair_checkin.checkin(session, f.id, CheckinIn(id_number=ghost), k.BY, k.RUNNING)
    with pytest.raises(MinshengError) as err:
        fair_checkin.checkin(
            session, f.id, CheckinIn(id_number="540102199001011234"), k.BY, k.RUNNING
        )
    assert err.value.field == "id_number"
    with pytest.raises(MinshengError):
        fair_checkin.checkin(session, f.id, CheckinIn(), k.BY, k.RUNNING)
    with pytest.raises(ConflictError) as early:
        fair_checkin.checkin(session, f.id, CheckinIn(id_number=number), k.BY, k.at(k.DAY, 8))
    assert early.value.rule == "not_open" and "09:00" in early.value.en
    with pytest.raises(NotFoundError):
        fair_checkin.checkin(
            session, f.id, CheckinIn(id_number=number), k.organiser(session, "540200"), k.RUNNING
        )
    assert k.count(session, EmFairCheckin) == 0 and k.count(session, EmSeeker) == 0


@settings(
    max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(st.lists(st.tuples(st.integers(0, 3), st.booleans()), min_size=1, max_size=12))
def test_check_in_twice_is_one(session: Session, visits: list[tuple[int, bool]]) -> None:
    f = k.fair(session)
    people = [k.person(session) for _ in range(4)]
    for who, by_qr in visits:
        pid, number = people[who]
        data = (
            CheckinIn(token=fair_checkin.issue_pass(f, pid, k.RUNNING)[0])
            if by_qr
            else CheckinIn(id_number=number)
        )
        fair_checkin.checkin(session, f.id, data, k.BY, k.RUNNING)
    assert k.count(session, EmFairCheckin, EmFairCheckin.fair_id == f.id) == len(
        {w for w, _ in visits}
    )


def test_concurrent_check_ins_of_one_person_are_one(engine: Engine) -> None:
    factory = make_sessionmaker(engine)
    with unit_of_work(factory) as s:
        f = k.fair(s)
        fair_id = f.id
        _, number = k.person(s)
    results: list[bool] = []
    errors: list[BaseException] = []
    start = threading.Barrier(4)

    def go() -> None:
        try:
            start.wait()
            with unit_of_work(factory) as s:
                r = fair_checkin.checkin(s, fair_id, CheckinIn(id_number=number), k.BY, k.RUNNING)
                results.append(r.created)
        except BaseException as e:
            errors.append(e)

    threads = [threading.Thread(target=go) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors, errors
    assert sorted(results) == [False, False, False, True]
    with factory() as s:
        assert k.count(s, EmFairCheckin) == 1


def test_interviews_counts_and_the_report(session: Session) -> None:
    f = k.fair(session)
    fairs.open_applications(session, f.id, k.BY)
    e1, r1, _, v1 = k.exhibitor(session, f, ("4-03",))
    _, r2, _, _ = k.exhibitor(session, f, ("6-01",))
    fair_booths.allocate(session, f.id, k.BY)
    p1, n1 = k.person(session)
    p2, n2 = k.person(session)
    p3, n3 = k.person(session)  # never checks in
    for n in (n1, n2):
        fair_checkin.checkin(session, f.id, CheckinIn(id_number=n), k.BY, k.RUNNING)
    with pytest.raises(MinshengError) as err:
        fair_report.record_interview(
            session, f.id, InterviewIn(id_number=n3, outcome="interviewed"), r1, k.RUNNING
        )
    assert _rule(err) == ("id_number", "not_checked_in")
    with pytest.raises(MinshengError) as err:
        fair_report.record_interview(
            session, f.id, InterviewIn(id_number=n1, outcome="hired"), r1, k.RUNNING
        )
    assert err.value.field == "outcome"
    with pytest.raises(ConflictError):  # a recruiter without a booth here
        fair_report.record_interview(
            session,
            f.id,
            InterviewIn(id_number=n1, outcome="intends"),
            k.recruiter(session, k.employer(session)),
            k.RUNNING,
        )
    fair_report.record_interview(
        session, f.id, InterviewIn(id_number=n1, outcome="interviewed"), r1, k.RUNNING
    )
    _, new = fair_report.record_interview(
        session, f.id, InterviewIn(id_number=n1, outcome="intends", vacancy_id=v1[0]), r1, k.RUNNING
    )
    assert not new  # the later record replaces the outcome
    fair_report.record_interview(
        session, f.id, InterviewIn(id_number=n2, outcome="unsuitable"), r2, k.RUNNING
    )
    assert fair_report.live(session, f) == {
        "visitors": 2,
        "employers": 2,
        "interviews": 2,
        "intentions": 1,
    }
    # hires: a visitor within 30 days counts; one after, or a person who never came, does not
    for pid, days in ((p1, 5), (p2, 31), (p3, 2)):
        hired = f.ends_on + dt.timedelta(days=days)
        session.add(
            EmHire(
                employer_id=e1, person_id=pid, division_code="540102", occupation="4-03",
                hired_on=hired, file_by=hired + dt.timedelta(days=30), state="filed", by="test",
            )
        )  # fmt: skip
    session.flush()
    rep = fair_report.report(session, f.id, k.BY)
    assert rep["posts"] == 2 and rep["hires"] == 1 and rep["hire_days"] == 30
    assert rep["visitors"] == 2 and rep["employers"] == 2 and rep["intentions"] == 1


def test_booths_never_hold_two_employers_in_the_database(session: Session) -> None:
    from sqlalchemy.exc import IntegrityError

    f, _ = _allocated(session)
    apps = session.scalars(select(EmFairApplication).where(EmFairApplication.fair_id == f.id)).all()
    taken = apps[0].booth_id
    with pytest.raises(IntegrityError), session.begin_nested():
        apps[1].booth_id = taken
        session.flush()
    assert session.get(EmFairBooth, apps[0].booth_id) is not None


def test_a_cancelled_fair_refuses_check_ins_and_a_fair_over_cannot_be_cancelled(
    session: Session,
) -> None:
    f, _ = _allocated(session)
    _pid, number = k.person(session)
    before = fair_checkin.checkin(session, f.id, CheckinIn(id_number=number), k.BY, k.RUNNING)
    assert before.created
    cancelled = fairs.cancel_fair(session, f.id, "场地检修，改期举办", k.BY, k.RUNNING)
    assert cancelled.state == "cancelled" and fairs.phase(cancelled, k.RUNNING) == "cancelled"
    _, other = k.person(session)
    with pytest.raises(ConflictError) as err:
        fair_checkin.checkin(session, f.id, CheckinIn(id_number=other), k.BY, k.RUNNING)
    assert _rule(err) == ("fair_id", "cancelled")
    assert k.count(session, EmFairCheckin) == 1  # the refused visitor left nothing
    again = fairs.cancel_fair(session, f.id, "再次取消", k.BY, k.RUNNING)  # a repeat: no change
    assert again.state == "cancelled"
    entries = session.scalars(
        select(AuditEntry).where(AuditEntry.action == "cancel", AuditEntry.record_id == str(f.id))
    ).all()
    assert len(entries) == 1 and "场地检修" in entries[0].detail
    over = k.past_fair(session)
    with pytest.raises(ConflictError) as err:
        fairs.cancel_fair(session, over.id, "太晚了", k.BY, k.RUNNING)
    assert _rule(err) == ("fair_id", "over")
    assert session.get(EmFair, over.id).state == "allocated"  # type: ignore[union-attr]
    outsider = k.organiser(session, "540200")  # Shigatse's organiser: a Lhasa fair is not found
    with pytest.raises(NotFoundError):
        fairs.cancel_fair(session, k.fair(session).id, "别处的", outsider, k.RUNNING)
