"""Job seekers' registration from the registry, profile, status history, re-confirmation."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from minsheng.core.errors import MinshengError, NotFoundError, ValidationError
from minsheng.employment import seeker_filing, seekers
from minsheng.employment.seeker_models import EmSeeker, EmSeekerStatus
from minsheng.employment.seeker_schemas import ProfileIn
from minsheng.foundation.models import AuditEntry
from tests.employment.seeker_kit import (
    BY,
    TODAY,
    bound_recruiter,
    caseworker,
    citizen,
    new_id,
    person,
    recruiter,
)


def test_registration_opens_a_prefilled_record_once(session: Session) -> None:
    p, number = person(session, "540102")
    seeker, opened = seeker_filing.register(session, number, caseworker(), TODAY)
    assert opened and seeker.person_id == p.id
    assert seeker.division_code == "540102" and seeker.state == "active"
    assert seeker.status == "unemployed" and seeker.confirmed_on == TODAY
    assert json.loads(seeker.counties) == ["540102"]
    again, opened = seeker_filing.register(session, number.lower(), caseworker(), TODAY)
    assert again.id == seeker.id and not opened
    assert session.scalar(select(func.count()).select_from(EmSeeker)) == 1
    rows = seekers.history(session, seeker.id)
    assert [(r.status, r.from_day) for r in rows] == [("unemployed", TODAY)]
    session.commit()  # the audit entries are appended at the commit, with the work
    entries = session.scalars(select(AuditEntry).where(AuditEntry.resource == "em_seeker")).all()
    assert [e.action for e in entries] == ["register"]
    assert number not in json.dumps([e.detail for e in entries], ensure_ascii=False)


def test_unknown_and_bad_id_numbers_are_refused_in_three_languages(session: Session) -> None:
    with pytest.raises(NotFoundError) as err:
        seeker_filing.register_by_id(session, new_id(), BY, TODAY)
    body = err.value.to_dict()
    assert err.value.status == 404
    text = json.dumps(body, ensure_ascii=False)
    assert "人员库" in text and "registry" in text and "ཐོ་ཁོངས" in text
    with pytest.raises(ValidationError):
        seeker_filing.register_by_id(
            session, "540102199503041234", BY, TODAY
        )  # bad check character
    assert session.scalar(select(func.count()).select_from(EmSeeker)) == 0


def test_another_region_answers_like_a_missing_person(session: Session) -> None:
    _, number = person(session, "540202")
    with pytest.raises(NotFoundError) as outside:
        seeker_filing.register_by_id(session, number, caseworker("540100"), TODAY)
    with pytest.raises(NotFoundError) as missing:
        seeker_filing.register_by_id(session, new_id(), caseworker("540100"), TODAY)
    assert outside.value.to_dict() == missing.value.to_dict()
    seeker = seeker_filing.register_by_id(session, number, caseworker("540200"), TODAY)
    with pytest.raises(NotFoundError) as hidden:
        seekers.get_seeker(session, seeker.id, caseworker("540100"))
    with pytest.raises(NotFoundError) as absent:
        seekers.get_seeker(session, 999_999, caseworker("540100"))
    assert hidden.value.to_dict() == absent.value.to_dict()


def test_too_young_and_dead_people_are_refused(session: Session) -> None:
    _, child = person(session, birth=dt.date(2011, 1, 1))
    with pytest.raises(ValidationError) as err:
        seeker_filing.register_by_id(session, child, BY, TODAY)
    assert err.value.problems[0].rule == "too_young"
    old, number = person(session, birth=dt.date(2010, 6, 1))
    assert seeker_filing.register_by_id(session, number, BY, TODAY).person_id == old.id  # 16 today
    dead, number = person(session)
    dead.death_date = dt.date(2026, 1, 1)
    with pytest.raises(ValidationError):
        seeker_filing.register_by_id(session, number, BY, TODAY)


def test_citizen_registers_only_themselves_and_sees_only_their_own(session: Session) -> None:
    me, _ = person(session)
    _, other_number = person(session)
    mine = seeker_filing.register_self(session, citizen(me), TODAY)
    assert mine.person_id == me.id
    with pytest.raises(NotFoundError):
        seeker_filing.register_by_id(session, other_number, citizen(me), TODAY)
    theirs = seeker_filing.register_by_id(session, other_number, BY, TODAY)
    assert seekers.get_seeker(session, mine.id, citizen(me)).id == mine.id
    with pytest.raises(NotFoundError):
        seekers.get_seeker(session, theirs.id, citizen(me))


def test_profile_is_validated_whole_before_anything_changes(session: Session) -> None:
    _, number = person(session)
    seeker = seeker_filing.register_by_id(session, number, BY, TODAY)
    good = ProfileIn(
        education="bachelor",
        major="电气工程",
        skills=["电工", "电工", " 驾驶 "],
        occupations=["6-31", "4"],
        wage_min="4500.50",
        counties=["540103", "540125"],  # 堆龙德庆区 current and retired: one county
        languages=["bo", "ZH"],
        consent=True,
    )
    seekers.update_profile(session, seeker.id, good, caseworker())
    assert json.loads(seeker.skills) == ["电工", "驾驶"]
    assert json.loads(seeker.counties) == ["540103"]
    assert json.loads(seeker.languages) == ["bo", "zh"]
    assert seeker.wage_min == 450050 and seeker.consent and seeker.consent_at is not None
    for bad, field in (
        ({"occupations": ["6-31", "9-99"]}, "occupations[1]"),
        ({"counties": ["540100"]}, "counties[0]"),
        ({"languages": ["tibetan"]}, "languages[0]"),
        ({"education": "phd"}, "education"),
        ({"wage_min": "-1"}, "wage_min"),
        ({"wage_min": "2000000.00"}, "wage_min"),
    ):
        before = (seeker.occupations, seeker.counties, seeker.languages, seeker.wage_min)
        with pytest.raises(MinshengError) as err:
            seekers.update_profile(
                session, seeker.id, ProfileIn.model_construct(**bad, major="x"), BY
            )
        assert err.value.problems[0].field == field, bad
        assert (seeker.occupations, seeker.counties, seeker.languages, seeker.wage_min) == before
        assert seeker.major == "电气工程"


def test_withdrawing_consent_hides_the_seeker_from_employers_at_once(session: Session) -> None:
    _, number = person(session)
    seeker = seeker_filing.register_by_id(session, number, BY, TODAY)
    shown = seekers.visible_to_employers(select(EmSeeker.id))
    assert session.scalars(shown).all() == []
    seekers.update_profile(session, seeker.id, ProfileIn(consent=True), BY)
    assert session.scalars(shown).all() == [seeker.id]
    hirer = bound_recruiter(session)
    assert seekers.get_seeker(session, seeker.id, hirer).id == seeker.id
    with pytest.raises(NotFoundError):
        seekers.get_seeker(session, seeker.id, recruiter())  # bound to no employer
    with pytest.raises(NotFoundError):
        seekers.update_profile(session, seeker.id, ProfileIn(major="x"), hirer)  # reads only
    seekers.update_profile(session, seeker.id, ProfileIn(consent=False), BY)
    assert session.scalars(shown).all() == []
    with pytest.raises(NotFoundError):
        seekers.get_seeker(session, seeker.id, hirer)


def test_status_history_and_its_rules(session: Session) -> None:
    _, number = person(session)
    seeker = seeker_filing.register_by_id(session, number, BY, TODAY)
    with pytest.raises(ValidationError) as err:
        seekers.set_status(session, seeker.id, "graduate", None, TODAY, BY, TODAY)
    assert err.value.problems[0].field == "graduate_year"
    with pytest.raises(ValidationError):
        seekers.set_status(session, seeker.id, "retired", None, TODAY, BY, TODAY)
    with pytest.raises(ValidationError):
        seekers.set_status(session, seeker.id, "employed", None, TODAY + dt.timedelta(1), BY, TODAY)
    later = TODAY + dt.timedelta(days=10)
    seekers.set_status(session, seeker.id, "graduate", 2026, later, BY, later)
    seekers.set_status(session, seeker.id, "graduate", 2026, later, BY, later)  # a retry
    with pytest.raises(ValidationError) as err:
        seekers.set_status(session, seeker.id, "employed", None, TODAY, BY, later)
    assert err.value.problems[0].rule == "before_last"
    seekers.set_status(session, seeker.id, "employed", 2026, later, BY, later)
    rows = seekers.history(session, seeker.id)
    assert [(r.status, r.graduate_year) for r in rows] == [
        ("unemployed", None),
        ("graduate", 2026),
        ("employed", None),
    ]
    assert seeker.status == "employed" and seeker.graduate_year is None
    assert session.scalar(select(func.count()).select_from(EmSeekerStatus)) == 3


def test_reconfirmation_lapses_and_reactivates(session: Session) -> None:
    _, a = person(session)
    _, b = person(session)
    stale = seeker_filing.register_by_id(session, a, BY, TODAY)
    fresh = seeker_filing.register_by_id(session, b, BY, TODAY + dt.timedelta(days=30))
    seekers.update_profile(session, stale.id, ProfileIn(consent=True), BY)
    assert seekers.reconfirm_by(stale) == TODAY + dt.timedelta(days=90)
    assert seekers.lapse_stale(session, TODAY + dt.timedelta(days=90), BY) == 0
    assert seekers.lapse_stale(session, TODAY + dt.timedelta(days=91), BY) == 1
    assert stale.state == "lapsed" and fresh.state == "active"
    assert session.scalars(seekers.visible_to_employers(select(EmSeeker.id))).all() == []
    assert seekers.lapse_stale(session, TODAY + dt.timedelta(days=91), BY) == 0  # rerun: none
    seekers.confirm(session, stale.id, BY, TODAY + dt.timedelta(days=95))
    assert stale.state == "active" and stale.confirmed_on == TODAY + dt.timedelta(days=95)
    assert session.scalars(seekers.visible_to_employers(select(EmSeeker.id))).all() == [stale.id]


def test_the_sweep_touches_only_the_callers_region(session: Session) -> None:
    _, a = person(session, "540102")
    _, b = person(session, "540202")
    lhasa = seeker_filing.register_by_id(session, a, BY, TODAY)
    shigatse = seeker_filing.register_by_id(session, b, BY, TODAY)
    assert seekers.lapse_stale(session, TODAY + dt.timedelta(days=200), caseworker("540100")) == 1
    assert lhasa.state == "lapsed" and shigatse.state == "active"


def test_the_search_pages_in_the_database_and_clamps_the_page(session: Session) -> None:
    from minsheng.employment.seeker_views import page_of

    made = []
    for i in range(5):
        _, number = person(session, "540102", name=f"旺堆{i}")
        made.append(seeker_filing.register_by_id(session, number, BY, TODAY).id)
    _, other = person(session, "540202", name="旺堆日喀则")
    seeker_filing.register_by_id(session, other, BY, TODAY)
    rows, number, pages, total = page_of(session, caseworker(), "旺堆", None, "2", per_page=2)
    assert (number, pages, total) == (2, 3, 5)
    assert [e.id for e, _ in rows] == made[::-1][2:4]
    assert page_of(session, caseworker(), "旺堆", None, "x", per_page=2)[1] == 1
    assert page_of(session, caseworker(), "旺堆", None, "99", per_page=2)[1] == 3
    assert page_of(session, caseworker(), None, "540103", None)[3] == 0
    assert page_of(session, BY, "旺堆 日喀则", None, None)[3] == 1


def test_the_status_is_prefilled_from_an_open_employee_enrolment(session: Session) -> None:
    from minsheng.registry.models import Enrolment

    worker, a = person(session)
    former, b = person(session)
    session.add_all(
        [
            Enrolment(
                person_id=worker.id,
                scheme="employee_active",
                start_date=dt.date(2024, 1, 1),
                pooling_region="540100",
            ),
            Enrolment(
                person_id=former.id,
                scheme="employee_active",
                start_date=dt.date(2020, 1, 1),
                end_date=dt.date(2025, 12, 31),
                pooling_region="540100",
            ),
        ]
    )
    session.flush()
    assert seeker_filing.register_by_id(session, a, BY, TODAY).status == "employed"
    assert seeker_filing.register_by_id(session, b, BY, TODAY).status == "unemployed"
