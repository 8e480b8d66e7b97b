"""One-to-one help on both databases: the refresh derives the list from the registry, the
seekers and the hires (each category at its boundary), opens one plan per person, is idempotent,
ends plans of people no longer counted; a plan's steps on the case engine (contacts, services,
answers, refusals stopping help, outcomes with a hire), assignment, and the caller's region."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from minsheng.core.errors import ConflictError, ForbiddenError, MinshengError, NotFoundError
from minsheng.employment import help as plans
from minsheng.employment import help_stats
from minsheng.employment import help_views as views
from minsheng.employment.help_models import EmHelpEvent, EmHelpPlan, EmHelpService
from minsheng.employment.help_refresh import refresh
from minsheng.foundation.models import AuditEntry
from tests.employment import help_kit as k

TODAY = k.TODAY


def cats(s: Session, person_id: int) -> list[str]:
    plan = s.scalar(
        select(EmHelpPlan).where(EmHelpPlan.person_id == person_id, EmHelpPlan.state == "open")
    )
    return [] if plan is None else [c["category"] for c in json.loads(plan.categories)]


def test_refresh_finds_each_category_at_its_boundary(session: Session) -> None:
    s = session
    woman40 = k.person(s, 1, sex="F", birth=dt.date(1986, 6, 1))
    woman39 = k.person(s, 2, sex="F", birth=dt.date(1986, 6, 2))
    long12 = k.person(s, 3)
    long11 = k.person(s, 4)
    grad = k.person(s, 5, birth=dt.date(2002, 1, 1))
    disabled = k.person(s, 6)
    house = k.household(s, "H0001")
    dibao_kid = k.person(s, 7, birth=dt.date(2000, 1, 1), household=house)
    dibao_mum = k.person(s, 8, sex="F", birth=dt.date(1975, 1, 1), household=house)
    zero = k.household(s, "H0002")
    z1 = k.person(s, 9, household=zero)
    z2 = k.person(s, 10, sex="F", birth=dt.date(1992, 1, 1), household=zero)
    worked = k.household(s, "H0003")
    w1 = k.person(s, 11, household=worked)
    w2 = k.person(s, 12, household=worked)
    k.status(s, dibao_mum, "dibao")
    k.status(s, disabled, "disability")
    recent = TODAY - dt.timedelta(days=20)
    for pid in (woman40, woman39, disabled, dibao_kid, z1, w1):
        k.seeker(s, pid, recent)
    k.seeker(s, long12, dt.date(2025, 6, 1))
    k.seeker(s, long11, dt.date(2025, 6, 2))
    k.seeker(s, grad, dt.date(2025, 12, 1), graduate_year=2025)
    k.seeker(s, z2, dt.date(2026, 1, 1), status="student")  # not unemployed, not employed
    e = k.employer(s)
    k.employed_enrolment(s, w2, e)  # w1's household has someone at work
    r = refresh(s, TODAY, k.BY)
    assert cats(s, woman40) == ["age"]  # no household recorded: not zero-employment
    assert "age" not in cats(s, woman39)
    assert "long_unemployed" in cats(s, long12) and cats(s, long11) == []
    assert cats(s, grad) == ["graduate"]
    assert cats(s, disabled) == ["disability"]
    assert cats(s, dibao_kid) == ["dibao", "zero_employment"]  # the mother is not at work
    assert cats(s, z1) == ["zero_employment"]
    assert cats(s, w1) == [] and cats(s, z2) == []
    assert r.opened == r.counted


def test_refresh_counts_relocated_households_and_farmers_who_lost_their_land(
    session: Session,
) -> None:
    """易地扶贫搬迁 counts for the whole household (the status held by any member), 失地农民 for
    the person holding it; an ended status counts for nobody."""
    from minsheng.employment import help_labels
    from minsheng.registry.models import SpecialStatus

    s = session
    moved = k.household(s, "H0101")
    son = k.person(s, 21, household=moved)
    father = k.person(s, 23, birth=dt.date(1970, 1, 1), household=moved)
    k.status(s, father, "relocated")
    k.employed_enrolment(s, father, k.employer(s))  # the father works: not zero-employment
    farmer = k.person(s, 25)
    k.status(s, farmer, "land_lost")
    before = k.person(s, 27)  # land requisitioned, but the status ended last year
    s.add(
        SpecialStatus(
            person_id=before,
            kind="land_lost",
            start_date=dt.date(2020, 1, 1),
            end_date=dt.date(2025, 12, 31),
        )
    )
    nobody = k.person(s, 29)
    recent = TODAY - dt.timedelta(days=20)
    for pid in (son, farmer, before, nobody):
        k.seeker(s, pid, recent)
    refresh(s, TODAY, k.BY)
    assert cats(s, son) == ["relocated"]
    assert cats(s, farmer) == ["land_lost"]
    assert cats(s, before) == [] and cats(s, nobody) == []
    assert cats(s, father) == []  # not a seeker out of work
    plan = s.scalar(select(EmHelpPlan).where(EmHelpPlan.person_id == son))
    assert plan is not None
    why = json.loads(plan.categories)[0]
    assert why == {"category": "relocated", "statuses": ["relocated"]}
    assert help_labels.reason(why, "zh") == "易地扶贫搬迁人口"
    assert help_labels.reason(why, "bo") == "ས་གནས་གཞན་དུ་སྤོས་པའི་མི་སྣ།"


def test_refresh_twice_changes_nothing_and_one_open_plan_per_person(session: Session) -> None:
    s = session
    pid = k.person(s, 1)
    k.status(s, pid, "disability")
    k.seeker(s, pid, dt.date(2026, 5, 1))
    first = refresh(s, TODAY, k.BY)
    events = s.scalar(select(func.count()).select_from(EmHelpEvent))
    audits = s.scalar(select(func.count()).select_from(AuditEntry))
    second = refresh(s, TODAY, k.BY)
    assert (first.opened, second.opened, second.ended, second.updated) == (1, 0, 0, 0)
    assert s.scalar(select(func.count()).select_from(EmHelpEvent)) == events
    assert s.scalar(select(func.count()).select_from(AuditEntry)) == audits
    # the database refuses a second open plan for the person
    plan = s.scalar(select(EmHelpPlan))
    assert plan is not None and plan.open_key == f"p{pid}"
    assert plan.contact_by == dt.date(2026, 6, 8) and plan.due_on == dt.date(2026, 6, 30)
    s.add(
        EmHelpPlan(
            person_id=pid,
            division_code="540102",
            open_key=f"p{pid}",
            opened_on=TODAY,
            contact_by=TODAY,
            due_on=TODAY,
        )
    )
    with pytest.raises(IntegrityError):
        s.flush()
    s.rollback()


def test_a_hire_or_a_new_status_ends_the_plan_with_the_reason(session: Session) -> None:
    s = session
    a, b = k.person(s, 1), k.person(s, 2)
    for pid in (a, b):
        k.status(s, pid, "disability")
    ska = k.seeker(s, a, dt.date(2026, 1, 1))
    k.seeker(s, b, dt.date(2026, 1, 1))
    refresh(s, TODAY, k.BY)
    k.set_status(s, ska, "employed", TODAY)
    k.hire(s, k.employer(s), b, TODAY)  # the seeker record still says unemployed
    r = refresh(s, TODAY, k.BY)
    assert r.ended == 2
    rows = s.scalars(select(EmHelpPlan).order_by(EmHelpPlan.id)).all()
    assert {p.state for p in rows} == {"ended"}
    assert all(p.open_key is None and p.outcome_note for p in rows)
    # ended by the refresh: counted again, a new plan opens the next time
    k.set_status(s, ska, "unemployed", TODAY)
    assert refresh(s, TODAY, k.BY).opened == 1


def open_plan(s: Session, seq: int = 1, county: str = k.CHENGGUAN) -> EmHelpPlan:
    pid = k.person(s, seq, county=county)
    k.status(s, pid, "disability")
    k.seeker(s, pid, dt.date(2026, 5, 1), county=county)
    refresh(s, TODAY, k.BY)
    plan = s.scalar(select(EmHelpPlan).where(EmHelpPlan.person_id == pid))
    assert plan is not None
    return plan


def test_contacts_services_and_the_owed_count(session: Session) -> None:
    s = session
    plan = open_plan(s)
    me = k.staff(7, "540100")
    v = k.vacancy(s, k.employer(s))
    plans.contact(
        s,
        plan.id,
        me,
        TODAY,
        channel="phone",
        note="电话联系，本人愿意找保洁工作",
        next_step="推荐岗位",
        next_on=TODAY + dt.timedelta(days=3),
    )
    for _ in range(3):
        plans.offer(s, plan.id, me, TODAY, kind="job_lead", vacancy_id=v.id)
    plans.offer(s, plan.id, me, TODAY, kind="training_offer", text="家政服务培训班")
    view = views.detail(s, plan, me, TODAY)
    assert view["owed"] == {"job_lead": 0, "training_offer": 0}
    assert len(view["contacts"]) == 1 and len(view["service_list"]) == 4
    assert view["id_masked"] and "id_number" not in view
    actions = [e["action"] for e in view["events"]]
    assert actions == ["open", "contact", "offer", "offer", "offer", "offer"]


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"kind": "job_lead", "vacancy_id": 999}, "vacancy_id"),
        ({"kind": "job_lead"}, "vacancy_id"),
        ({"kind": "training_offer"}, "text"),
        ({"kind": "lunch", "text": "x"}, "kind"),
        ({"kind": "training_offer", "text": "x" * 201}, "text"),
        ({"kind": "training_offer", "text": "x", "day": dt.date(2026, 6, 2)}, "day"),
    ],
)
def test_a_bad_service_is_refused_and_nothing_changes(
    session: Session, kwargs: dict, field: str
) -> None:
    s = session
    plan = open_plan(s)
    k.vacancy(s, k.employer(s), state="draft")
    before = s.scalar(select(func.count()).select_from(EmHelpEvent))
    with pytest.raises(MinshengError) as err:
        plans.offer(s, plan.id, k.BY, TODAY, **kwargs)
    assert err.value.status == 422 and err.value.problems[0].field == field
    assert s.scalar(select(func.count()).select_from(EmHelpService)) == 0
    assert s.scalar(select(func.count()).select_from(EmHelpEvent)) == before


def test_bad_contacts_are_refused(session: Session) -> None:
    s = session
    plan = open_plan(s)
    for kw, field in [
        ({"channel": "pigeon", "note": "x"}, "channel"),
        ({"channel": "phone", "note": "  "}, "note"),
        ({"channel": "phone", "note": "x", "day": dt.date(2026, 5, 1)}, "day"),
        ({"channel": "phone", "note": "x", "next_on": dt.date(2026, 5, 31)}, "next_on"),
    ]:
        with pytest.raises(MinshengError) as err:
            plans.contact(s, plan.id, k.BY, TODAY, **kw)
        assert err.value.problems[0].field == field


def test_two_refusals_in_a_year_stop_help_and_it_is_not_reopened(session: Session) -> None:
    s = session
    plan = open_plan(s)
    v = k.vacancy(s, k.employer(s))
    one = plans.offer(s, plan.id, k.BY, TODAY, kind="job_lead", vacancy_id=v.id)
    two = plans.offer(s, plan.id, k.BY, TODAY, kind="job_lead", vacancy_id=v.id)
    three = plans.offer(s, plan.id, k.BY, TODAY, kind="job_lead", vacancy_id=v.id)
    plans.respond(s, plan.id, three.id, "accepted", k.BY, TODAY)
    plans.respond(s, plan.id, one.id, "refused", k.BY, TODAY)
    assert plan.state == "open"
    plans.respond(s, plan.id, one.id, "refused", k.BY, TODAY)  # retried: nothing more
    assert plan.state == "open"
    with pytest.raises(MinshengError):
        plans.respond(s, plan.id, one.id, "accepted", k.BY, TODAY)
    plans.respond(s, plan.id, two.id, "refused", k.BY, TODAY)
    assert plan.state == "stopped" and plan.open_key is None and plan.closed_on == TODAY
    with pytest.raises(ConflictError):
        plans.contact(s, plan.id, k.BY, TODAY, channel="phone", note="x")
    assert refresh(s, TODAY, k.BY).opened == 0  # stopped: not reopened within the year
    assert refresh(s, TODAY + dt.timedelta(days=365), k.BY).opened == 1


def test_outcome_employed_names_the_persons_hire(session: Session) -> None:
    s = session
    plan = open_plan(s)
    other = k.person(s, 2)
    e = k.employer(s)
    not_theirs = k.hire(s, e, other, TODAY)
    with pytest.raises(MinshengError) as err:
        plans.close(s, plan.id, "employed", k.BY, TODAY, note="入职", hire_id=not_theirs.id)
    assert err.value.problems[0].field == "hire_id"
    with pytest.raises(MinshengError) as err:
        plans.close(s, plan.id, "employed", k.BY, TODAY, note="  ")
    assert err.value.problems[0].field == "reason"
    with pytest.raises(MinshengError):
        plans.close(s, plan.id, "ended", k.BY, TODAY, note="x")  # the refresh's, not a person's
    h = k.hire(s, e, plan.person_id, TODAY)
    plans.close(s, plan.id, "employed", k.BY, TODAY, note="保洁员入职", hire_id=h.id)
    assert (plan.state, plan.hire_id, plan.open_key) == ("employed", h.id, None)
    with pytest.raises(ConflictError):
        plans.close(s, plan.id, "moved", k.BY, TODAY, note="again")


def test_another_regions_plan_answers_like_a_missing_one(session: Session) -> None:
    s = session
    plan = open_plan(s, county=k.SAMZHUBZE)
    lhasa = k.staff(3, "540100")
    for call in (
        lambda: plans.get(s, plan.id, lhasa),
        lambda: plans.contact(s, plan.id, lhasa, TODAY, channel="phone", note="x"),
        lambda: plans.close(s, plan.id, "moved", lhasa, TODAY, note="x"),
        lambda: plans.get(s, 999_999, lhasa),
    ):
        with pytest.raises(NotFoundError) as err:
            call()
        assert err.value.problems[0].field == "plan_id"
    rows, total = plans.listing(s, lhasa, TODAY)
    assert (rows, total) == ([], 0)
    assert plans.listing(s, k.staff(4, "540200"), TODAY)[1] == 1


def test_an_auditor_reads_but_takes_no_step_and_cannot_refresh(session: Session) -> None:
    s = session
    plan = open_plan(s)
    auditor = k.staff(5, "540100", "auditor")
    assert plans.offered(plan, auditor) == ()
    with pytest.raises(ForbiddenError):
        plans.contact(s, plan.id, auditor, TODAY, channel="phone", note="x")
    with pytest.raises(ForbiddenError):
        refresh(s, TODAY, k.staff(6, "540100"))  # a caseworker: no employment:run
    with pytest.raises(ForbiddenError):
        refresh(s, TODAY, k.staff(8, "540100", "supervisor"), "540200")  # outside the region


def test_queue_filters_mine_due_and_overdue(session: Session) -> None:
    s = session
    a = open_plan(s, 1)
    b = open_plan(s, 2)
    me = k.staff(9, "540100")
    b.assignee = "user:9"
    a.due_on = TODAY - dt.timedelta(days=1)
    s.flush()
    assert [p.id for p in plans.listing(s, me, TODAY, mine=True)[0]] == [b.id]
    assert [p.id for p in plans.listing(s, me, TODAY, due="overdue")[0]] == [a.id]
    assert [p.id for p in plans.listing(s, me, TODAY, due="due")[0]] == [b.id]
    assert [p.id for p in plans.listing(s, me, TODAY)[0]] == [a.id, b.id]  # earliest first
    with pytest.raises(MinshengError):
        plans.listing(s, me, TODAY, due="soon")


def test_hostile_text_is_refused_before_anything_is_stored(session: Session) -> None:
    s = session
    plan = open_plan(s)
    for note in ("a\x00b", "\u202eevil", "x" * 401):
        with pytest.raises(MinshengError) as err:
            plans.contact(s, plan.id, k.BY, TODAY, channel="phone", note=note)
        assert err.value.status == 422 and err.value.problems[0].field == "note"
    with pytest.raises(MinshengError):
        plans.offer(s, plan.id, k.BY, TODAY, kind="training_offer", text="=HYPERLINK(\x07)")
    assert s.scalar(select(func.count()).select_from(EmHelpService)) == 0
    c = plans.contact(s, plan.id, k.BY, TODAY, channel="visit", note="  第一行\r\n第二行  ")
    assert c.note == "第一行\n第二行"


def test_first_contact_overdue_and_a_course_that_does_not_exist(session: Session) -> None:
    s = session
    plan = open_plan(s)
    late = plan.contact_by + dt.timedelta(days=1)
    tally = plans.counts(s, [plan.id])[plan.id]
    assert views.out(plan, plan.contact_by, None, tally)["contact_overdue"] is False
    assert views.out(plan, late, None, tally)["contact_overdue"] is True
    plans.contact(s, plan.id, k.BY, TODAY, channel="office", note="来窗口登记")
    tally = plans.counts(s, [plan.id])[plan.id]
    assert tally["contacts"] == 1
    assert views.out(plan, late, None, tally)["contact_overdue"] is False
    if help_stats.table("em_courses") is not None:
        with pytest.raises(MinshengError) as err:
            plans.offer(s, plan.id, k.BY, TODAY, kind="training_offer", course_id=987_654)
        assert err.value.problems[0].field == "course_id"


def test_zero_employment_is_urban_and_a_recent_hire_is_work(session: Session) -> None:
    s = session
    rural = k.household(s, "R0001")
    rural.area = "rural"
    urban = k.household(s, "U0001")
    herder = k.person(s, 1, household=rural)
    clerk = k.person(s, 2, household=urban)
    hired = k.person(s, 3, household=urban)
    for pid in (herder, clerk):
        k.seeker(s, pid, dt.date(2026, 5, 1))
    s.flush()
    refresh(s, TODAY, k.BY)
    assert cats(s, herder) == []  # 城镇零就业家庭: a rural household is not counted
    assert cats(s, clerk) == ["zero_employment"]
    k.hire(s, k.employer(s), hired, dt.date(2025, 9, 1))  # the clerk's housemate found work
    r = refresh(s, TODAY, k.BY)
    assert r.ended == 1 and cats(s, clerk) == []


def test_new_plans_go_to_the_least_loaded_caseworker_of_the_county(session: Session) -> None:
    from minsheng.auth.users import create_user

    s = session
    a = create_user(s, k.BY, "cw.a", "correct-horse-1", "caseworker", "540102")
    b = create_user(s, k.BY, "cw.b", "correct-horse-1", "caseworker", "540100")
    create_user(s, k.BY, "cw.far", "correct-horse-1", "caseworker", "540200")
    create_user(s, k.BY, "boss", "correct-horse-1", "supervisor", "540102")
    for i in range(3):
        pid = k.person(s, i + 1)
        k.status(s, pid, "disability")
        k.seeker(s, pid, dt.date(2026, 5, 1))
    refresh(s, TODAY, k.BY)
    got = sorted(s.scalars(select(EmHelpPlan.assignee)))
    assert got == sorted([f"user:{a.id}", f"user:{b.id}", f"user:{a.id}"])
    far = k.person(s, 9, county=k.SAMZHUBZE)
    k.status(s, far, "disability")
    k.seeker(s, far, dt.date(2026, 5, 1), county=k.SAMZHUBZE)
    refresh(s, TODAY, k.BY)
    plan = s.scalar(select(EmHelpPlan).where(EmHelpPlan.person_id == far))
    assert plan is not None and plan.assignee not in (f"user:{a.id}", f"user:{b.id}", None)
    mine = plans.listing(s, k.staff(b.id, "540100"), TODAY, mine=True)[0]
    assert len(mine) == 1
