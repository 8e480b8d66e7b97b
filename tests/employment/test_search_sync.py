"""The search rows follow every committed write of a vacancy or a seeker, without a reindex
(``employment/search_sync.py``): a published posting is found once stored, a closed one is
gone; a withdrawn consent takes the profile out; a rolled-back write leaves nothing — on
SQLite and PostgreSQL."""

from __future__ import annotations

from sqlalchemy import Engine, func, select
from sqlalchemy.orm import Session

from minsheng.db import make_sessionmaker
from minsheng.employment import search, vacancies
from minsheng.employment.match_models import EmSearchDoc
from minsheng.employment.seeker_models import EmSeeker
from tests.employment import match_kit as mk
from tests.employment import vacancy_kit as vk


def _docs(s: Session, kind: str, ref: int) -> int:
    return int(
        s.scalar(
            select(func.count())
            .select_from(EmSearchDoc)
            .where(EmSearchDoc.kind == kind, EmSearchDoc.ref_id == ref)
        )
        or 0
    )


def test_a_committed_vacancy_write_is_searchable_without_a_reindex(engine: Engine) -> None:
    factory = make_sessionmaker(engine)
    with factory() as s:
        rec = vk.recruiter(s, vk.employer(s))
        v = vacancies.create_vacancy(s, vk.vacancy_in(title="牦牛养殖技术员"), rec, vk.TODAY)
        s.commit()
        assert _docs(s, "vacancy", v.id) == 0  # a draft is not searchable
        vacancies.publish(s, v.id, rec, vk.TODAY)
        s.rollback()  # a publish rolled back leaves nothing behind
        assert _docs(s, "vacancy", v.id) == 0
        vacancies.publish(s, v.id, rec, vk.TODAY)
        s.commit()
        vid = v.id
    with factory() as s:
        hits = search.search_vacancies(s, "牦牛", today=vk.TODAY)
        assert [h.id for h in hits] == [vid]
        vacancies.close_vacancy(s, vid, rec, vk.TODAY)
        s.commit()
        assert _docs(s, "vacancy", vid) == 0
        assert search.search_vacancies(s, "牦牛", today=vk.TODAY) == []


def test_a_withdrawn_consent_takes_the_profile_out_at_once(engine: Engine) -> None:
    factory = make_sessionmaker(engine)
    with factory() as s:
        seeker = mk.seeker(s, skills=["电焊"])
        s.commit()
        sid = seeker.id
        assert _docs(s, "seeker", sid) == 1
    with factory() as s:
        row = s.get(EmSeeker, sid)
        assert row is not None
        row.consent = False
        s.commit()
        assert _docs(s, "seeker", sid) == 0
