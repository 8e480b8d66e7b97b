"""Matching on both databases: jobs for a seeker (with ``among``), seekers for a vacancy, the
filters (open vacancies, consenting active seekers), region scope and the employer's own."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from minsheng.core.errors import NotFoundError
from minsheng.employment import matching
from minsheng.foundation.models import AuditEntry
from tests.employment import match_kit as k


def test_jobs_for_seeker_ranks_by_fit_and_explains(session: Session) -> None:
    e = k.employer(session)
    s = k.seeker(
        session,
        occupations=["4-03"],
        skills=["客房清洁", "普通话"],
        wage_min=450_000,
        counties=["540102"],
    )
    best = k.vacancy(session, e.id, skills=["客房清洁"], languages=["bo"])
    middle = k.vacancy(session, e.id, occupation="4-01", division_code="540103")
    far = k.vacancy(
        session, e.id, occupation="6-01", division_code="540221", wage_min=250_000, wage_max=300_000
    )
    k.vacancy(session, e.id, state="draft")  # not open
    k.vacancy(session, e.id, closing_on=k.TODAY - dt.timedelta(days=1))  # closed by date
    k.vacancy(session, e.id, count=2, filled=2)  # no places left
    got = matching.jobs_for_seeker(session, s.id, today=k.TODAY)
    ids = [m.id for m in got]
    assert ids[0] == best.id
    assert middle.id in ids and far.id not in ids  # a different major group far away
    assert set(ids) <= {best.id, middle.id}
    top = got[0]
    assert 0.0 <= top.score <= 1.0 and top.score == pytest.approx(1.0)
    assert top.reasons.occupation == "same" and top.reasons.skills_matched == ("客房清洁",)
    assert top.reasons.distance == "same_county" and top.reasons.wage == "fits"
    second = got[1].reasons
    assert second.occupation == "major" and second.distance == "same_prefecture"


def test_among_limits_to_the_given_vacancies(session: Session) -> None:
    e = k.employer(session)
    s = k.seeker(session, occupations=["4-03"])
    a = k.vacancy(session, e.id)
    b = k.vacancy(session, e.id, occupation="6-01", division_code="540221")
    k.vacancy(session, e.id)
    got = matching.jobs_for_seeker(session, s.id, among=[b.id, a.id], today=k.TODAY)
    assert [m.id for m in got] == [a.id, b.id] or [m.id for m in got] == [a.id]
    assert matching.jobs_for_seeker(session, s.id, among=[], today=k.TODAY) == []


def test_a_missing_or_foreign_seeker_answers_404(session: Session) -> None:
    s = k.seeker(session, county="540221")  # Shigatse
    lhasa = k.worker(session, region="540100")
    with pytest.raises(NotFoundError):
        matching.jobs_for_seeker(session, 999_999, today=k.TODAY)
    with pytest.raises(NotFoundError):
        matching.jobs_for_seeker(session, s.id, today=k.TODAY, by=lhasa)
    shigatse = k.worker(session, region="540200")
    assert matching.jobs_for_seeker(session, s.id, today=k.TODAY, by=shigatse) == []


def test_seekers_for_vacancy_only_consenting_active_in_region(session: Session) -> None:
    e = k.employer(session)
    v = k.vacancy(session, e.id, skills=["烹饪"])
    good = k.seeker(session, occupations=["4-03"], skills=["烹饪"])
    k.seeker(session, occupations=["4-03"], consent=False)
    k.seeker(session, occupations=["4-03"], state="lapsed")
    other = k.seeker(session, county="540221", occupations=["4-03"], counties=["540102"])
    lhasa = k.worker(session, region="540100")
    got = matching.seekers_for_vacancy(session, v.id, by=lhasa, today=k.TODAY)
    assert [m.id for m in got] == [good.id]
    region = k.worker(session, region="540000")
    got = matching.seekers_for_vacancy(session, v.id, by=region, today=k.TODAY)
    assert {m.id for m in got} == {good.id, other.id}
    n = session.scalar(
        select(func.count()).select_from(AuditEntry).where(AuditEntry.action == "candidates")
    )
    assert n == 2


def test_an_employer_sees_candidates_of_its_own_vacancy_only(session: Session) -> None:
    mine, theirs = k.employer(session), k.employer(session, name="另一家单位")
    v = k.vacancy(session, mine.id)
    w = k.vacancy(session, theirs.id)
    s = k.seeker(session, occupations=["4-03"], county="540221", counties=["540102"])
    rec = k.recruiter(session, mine.id)
    assert [m.id for m in matching.seekers_for_vacancy(session, v.id, by=rec)] == [s.id]
    with pytest.raises(NotFoundError):
        matching.seekers_for_vacancy(session, w.id, by=rec)
    unbound = k.recruiter(session, None)
    with pytest.raises(NotFoundError):
        matching.seekers_for_vacancy(session, v.id, by=unbound)
    far = k.worker(session, region="540200")
    with pytest.raises(NotFoundError):
        matching.seekers_for_vacancy(session, v.id, by=far)


def test_a_vacancy_closed_or_filled_leaves_the_recommendations_at_once(session: Session) -> None:
    e = k.employer(session)
    s = k.seeker(session, occupations=["4-03"])
    a, b = k.vacancy(session, e.id), k.vacancy(session, e.id, count=2)
    assert {m.id for m in matching.jobs_for_seeker(session, s.id, today=k.TODAY)} == {a.id, b.id}
    a.state = "closed"
    b.filled = 2
    session.flush()
    assert matching.jobs_for_seeker(session, s.id, today=k.TODAY) == []
    c = k.vacancy(session, e.id, occupation="4-03-01")
    assert [m.id for m in matching.jobs_for_seeker(session, s.id, today=k.TODAY)] == [c.id]
