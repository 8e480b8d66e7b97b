"""Vacancies and hire filings on both databases: the life of a posting, who sees it, the
places a filing fills, the helpers other areas call."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from sqlalchemy.orm import Session

from minsheng.core.errors import ConflictError, ForbiddenError, MinshengError, NotFoundError
from minsheng.employment import hires, vacancies
from minsheng.employment.vacancy_models import EmHire, EmVacancy
from minsheng.employment.vacancy_schemas import VacancyPatch
from minsheng.foundation.models import AuditEntry
from tests.employment.vacancy_kit import (
    BY,
    SHIGATSE_FIRM,
    TODAY,
    counts,
    employer,
    person,
    recruiter,
    vacancy_in,
    worker,
)


def test_draft_publish_close(session: Session) -> None:
    firm = employer(session)
    me = recruiter(session, firm)
    v = vacancies.create_vacancy(session, vacancy_in(), me, TODAY)
    assert (v.state, v.employer_id, v.wage_min, v.wage_max) == ("draft", firm, 350_000, 450_000)
    assert vacancies.published(session, TODAY).where(EmVacancy.id == v.id) is not None
    assert v.id not in session.scalars(vacancies.published(session, TODAY)).all()
    vacancies.publish(session, v.id, me, TODAY)
    assert v.state == "published" and v.published_at is not None
    assert [x.id for x in session.scalars(vacancies.published(session, TODAY))] == [v.id]
    # open through the closing day, not after it
    assert session.scalars(vacancies.published(session, v.closing_on)).all() == [v]
    assert session.scalars(vacancies.published(session, v.closing_on + dt.timedelta(1))).all() == []
    with pytest.raises(ConflictError):
        vacancies.update_vacancy(session, v.id, VacancyPatch(title="改"), me)
    vacancies.close_vacancy(session, v.id, me, TODAY)
    assert v.state == "closed"
    session.commit()  # the audit entries are appended at the commit, with the work
    actions = session.query(AuditEntry.action).filter(AuditEntry.resource == "em_vacancy").all()
    assert [a for (a,) in actions] == ["create", "publish", "close"]


def test_refused_publish_keeps_every_reason_and_publishes_nothing(session: Session) -> None:
    me = recruiter(session, employer(session))
    v = vacancies.create_vacancy(
        session,
        vacancy_in(wage_min="2099.99", occupation="9-99", requirements="入职交押金500元"),
        me,
        TODAY,
    )
    with pytest.raises(MinshengError) as err:
        vacancies.publish(session, v.id, me, TODAY)
    rules = {(p.field, p.rule) for p in err.value.problems}
    assert rules == {
        ("wage_min", "minimum_wage"),
        ("occupation", "occupation"),
        ("requirements", "banned_word"),
    }
    assert err.value.status == 422
    assert v.state == "draft"  # the unit of work rolls back; after_rollback keeps the refusal
    for work in err.value.after_rollback:
        work(session)
    assert v.state == "refused"
    assert {r["rule"] for r in vacancies.refusal(v)} == {
        "minimum_wage",
        "occupation",
        "banned_word",
    }
    assert all(r["bo"] and r["zh"] and r["en"] for r in vacancies.refusal(v))
    # edit the refused one: a draft again, then it publishes
    patch = VacancyPatch(wage_min="2100.00", occupation="4", requirements="能倒班")
    vacancies.update_vacancy(session, v.id, patch, me)
    assert (v.state, v.refusal, v.wage_min) == ("draft", None, 210_000)
    vacancies.publish(session, v.id, me, TODAY)
    assert v.state == "published"


def test_who_sees_what(session: Session) -> None:
    lhasa, shigatse = employer(session), employer(session, SHIGATSE_FIRM, "540202")
    mine = recruiter(session, lhasa)
    other = recruiter(session, shigatse, "540200", n=2)
    unbound = recruiter(session, None, n=3)
    v = vacancies.create_vacancy(session, vacancy_in(), mine, TODAY)
    with pytest.raises(NotFoundError):
        vacancies.get_vacancy(session, v.id, other)
    with pytest.raises(NotFoundError):
        vacancies.get_vacancy(session, v.id, unbound)
    with pytest.raises(ForbiddenError):
        vacancies.create_vacancy(session, vacancy_in(), unbound, TODAY)
    # a recruiter cannot post for another employer, nor outside the region
    with pytest.raises(NotFoundError):
        vacancies.create_vacancy(session, vacancy_in(employer_id=shigatse), mine, TODAY)
    with pytest.raises(ForbiddenError):
        vacancies.create_vacancy(session, vacancy_in(division_code="540202"), mine, TODAY)
    lhasa_cw, shigatse_cw = worker(session, "caseworker"), worker(session, "caseworker", "540200")
    assert vacancies.get_vacancy(session, v.id, lhasa_cw) is v
    with pytest.raises(NotFoundError):
        vacancies.get_vacancy(session, v.id, shigatse_cw)
    # a caseworker files one for a walk-in employer of the region
    walk_in = vacancies.create_vacancy(session, vacancy_in(employer_id=lhasa), lhasa_cw, TODAY)
    assert walk_in.employer_id == lhasa
    with pytest.raises(MinshengError):
        vacancies.create_vacancy(session, vacancy_in(), lhasa_cw, TODAY)  # no employer named


def test_take_down_needs_a_supervisor(session: Session) -> None:
    me = recruiter(session, employer(session))
    v = vacancies.create_vacancy(session, vacancy_in(), me, TODAY)
    vacancies.publish(session, v.id, me, TODAY)
    boss = worker(session, "supervisor")
    with pytest.raises(ForbiddenError):
        vacancies.take_down(session, v.id, "虚假招聘", worker(session, "caseworker", n=2))
    with pytest.raises(ForbiddenError):
        vacancies.take_down(session, v.id, "虚假招聘", me)
    elsewhere = worker(session, "supervisor", "540200", n=3)
    with pytest.raises(NotFoundError):
        vacancies.take_down(session, v.id, "虚假招聘", elsewhere)
    vacancies.take_down(session, v.id, "虚假招聘信息", boss)
    assert v.state == "taken_down"
    assert vacancies.refusal(v)[0]["zh"] == "虚假招聘信息"
    with pytest.raises(ConflictError):
        vacancies.take_down(session, v.id, "again", boss)


def test_close_due_closes_expired_and_filled(session: Session) -> None:
    me = recruiter(session, employer(session))
    a = vacancies.create_vacancy(session, vacancy_in(), me, TODAY)
    b = vacancies.create_vacancy(session, vacancy_in(closing_on="2026-11-25"), me, TODAY)
    for v in (a, b):
        vacancies.publish(session, v.id, me, TODAY)
    assert vacancies.close_due(session, dt.date(2026, 11, 25), BY) == 0
    assert vacancies.close_due(session, dt.date(2026, 11, 26), BY) == 1
    assert (a.state, b.state) == ("published", "closed")


def test_a_hire_fills_a_place_and_the_last_closes_it(session: Session) -> None:
    firm = employer(session)
    me = recruiter(session, firm)
    v = vacancies.create_vacancy(session, vacancy_in(count=2), me, TODAY)
    vacancies.publish(session, v.id, me, TODAY)
    people = [person(session, n) for n in (11, 12, 13)]
    h1 = hires.record_hire(session, None, people[0][1], v.id, None, TODAY, me, TODAY)
    assert (h1.state, h1.filed_on, h1.occupation, v.filled) == ("filed", TODAY, "4", 1)
    assert h1.file_by == TODAY + dt.timedelta(days=30)
    hires.record_hire(session, None, people[1][1], v.id, None, TODAY, me, TODAY)
    assert (v.filled, v.state) == (2, "closed")
    with pytest.raises(ConflictError):
        hires.record_hire(session, None, people[2][1], v.id, None, TODAY, me, TODAY)
    assert v.filled == 2
    # the same hire twice (a retried request) is refused
    with pytest.raises(ConflictError):
        hires.record_hire(session, None, people[0][1], None, "4", TODAY, me, TODAY)
    entries = session.query(AuditEntry).filter(AuditEntry.resource == "em_hire").all()
    assert all(people[0][1] not in json.dumps(e.detail or {}) for e in entries)


def test_due_overdue_and_late_filing(session: Session) -> None:
    me = recruiter(session, employer(session))
    _, number = person(session, 21)
    hired = dt.date(2026, 10, 1)
    h = hires.record_hire(session, None, number, None, "4", hired, me, TODAY, file=False)
    assert h.state == "due" and h.file_by == dt.date(2026, 10, 31)
    cw = worker(session, "caseworker")
    assert session.scalars(hires.overdue(cw, dt.date(2026, 10, 31))).all() == []
    assert session.scalars(hires.overdue(cw, TODAY)).all() == [h]
    assert (
        session.scalars(hires.overdue(worker(session, "caseworker", "540200", 2), TODAY)).all()
        == []
    )
    hires.file_hire(session, h.id, me, TODAY)
    assert h.state == "filed" and hires.is_late(h)
    with pytest.raises(ConflictError):
        hires.file_hire(session, h.id, me, TODAY)


def test_hire_refusals_write_nothing(session: Session) -> None:
    me = recruiter(session, employer(session))
    _, number = person(session, 31)
    before = counts(session, EmHire)
    with pytest.raises(MinshengError) as err:
        hires.record_hire(session, None, number, None, "4", TODAY + dt.timedelta(1), me, TODAY)
    assert err.value.field == "hired_on"
    with pytest.raises(MinshengError) as err:
        hires.record_hire(session, None, number, None, "99", TODAY, me, TODAY)
    assert err.value.field == "occupation"
    with pytest.raises(MinshengError) as err:
        hires.record_hire(session, None, number[:-1] + "0", None, "4", TODAY, me, TODAY)
    assert err.value.field == "id_number" and number not in str(err.value)
    assert counts(session, EmHire) == before


def test_helpers_for_other_areas(session: Session) -> None:
    me = recruiter(session, employer(session))
    a, na = person(session, 41)
    b, nb = person(session, 42)
    hires.record_hire(session, None, na, None, "4", dt.date(2026, 9, 3), me, TODAY)
    hires.record_hire(session, None, na, None, "4", dt.date(2026, 10, 3), me, TODAY)
    hires.record_hire(session, None, nb, None, "4", dt.date(2026, 10, 9), me, TODAY, file=False)
    got = hires.hired_between(session, [a, b, 999_999], dt.date(2026, 9, 1), dt.date(2026, 10, 31))
    assert got == {a: dt.date(2026, 9, 3), b: dt.date(2026, 10, 9)}
    assert hires.hired_between(session, [a], dt.date(2026, 10, 1), dt.date(2026, 10, 31)) == {
        a: dt.date(2026, 10, 3)
    }
    months = hires.hires_by_month(session, None, dt.date(2026, 9, 1), dt.date(2026, 10, 31))
    assert months == {("540102", "2026-09"): 1, ("540102", "2026-10"): 2}
    assert hires.hires_by_month(session, ["540202"], dt.date(2026, 1, 1), TODAY) == {}


def test_the_steps_are_the_case_engines_tables() -> None:
    from minsheng.employment.vacancy_workflow import HIRE, VACANCY

    assert VACANCY.transitions() >= {
        ("draft", "publish", "published"),
        ("draft", "publish", "refused"),
        ("refused", "edit", "draft"),
        ("published", "take_down", "taken_down"),
        ("published", "fill", "closed"),
        ("published", "expire", "closed"),
    }
    assert HIRE.transitions() == {("due", "file", "filed")}
    assert VACANCY.step("take_down").permission == "employment:run"


def test_a_caseworker_may_not_publish_for_an_employer(session: Session) -> None:
    cw = worker(session, "caseworker")
    v = vacancies.create_vacancy(session, vacancy_in(employer_id=employer(session)), cw, TODAY)
    with pytest.raises(ForbiddenError):
        vacancies.publish(session, v.id, cw, TODAY)
    vacancies.publish(session, v.id, BY, TODAY)  # the platform (CLI) may
    assert v.state == "published"
