"""Tokens (Chinese by jieba, Tibetan syllables, Latin words) and the full-text search over
vacancies and profiles, the same answers on SQLite (FTS5) and PostgreSQL (tsvector)."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from minsheng.employment import match_text, search
from minsheng.employment.match_models import EmSearchDoc
from tests.employment import match_kit as k


def test_chinese_is_cut_into_words_characters_and_bigrams() -> None:
    toks = match_text.tokens("拉萨市招聘客房服务员，会说藏语")
    assert "服务员" in toks and "客房" in toks and "藏语" in toks
    assert {"服", "务", "员"} <= set(toks)
    assert match_text.query_groups("服务员") == [("服务员", "服务", "务员")]
    assert "服务" in toks and "务员" in toks  # its bigrams, in a row


def test_tibetan_is_split_at_tsheg_and_shad_and_latin_lowered() -> None:
    assert match_text.tokens("ལས་ཀ་འཚོལ་བ། ཁང་པ་") == ["ལས", "ཀ", "འཚོལ", "བ", "ཁང", "པ"]
    assert match_text.tokens("Excel, WPS 2019!") == ["excel", "wps", "2019"]
    assert match_text.tokens("") == [] and match_text.tokens("，。！ ་།") == []


@settings(max_examples=60, deadline=None)
@given(st.text(max_size=60))
def test_tokens_are_never_empty_and_have_no_spaces(value: str) -> None:
    for t in match_text.tokens(value):
        assert t and not any(c.isspace() for c in t) and "'" not in t and '"' not in t
    assert match_text.text(value) == " ".join(match_text.tokens(value))


def _world(s: Session) -> dict[str, int]:
    e = k.employer(s, name="拉萨圣地酒店有限公司")
    hotel = k.vacancy(
        s, e.id, title="客房服务员", skills=["客房清洁"], requirements="能用藏语和普通话接待客人"
    )
    cook = k.vacancy(
        s,
        e.id,
        title="藏餐厨师",
        occupation="4-03",
        division_code="540221",
        skills=["烹饪"],
        requirements="ཇ་བཟོ་ and 藏餐 cooking, Excel not needed",
    )
    driver = k.vacancy(s, e.id, title="货车司机", occupation="4-02", requirements="持A2驾驶证")
    draft = k.vacancy(s, e.id, title="客房主管", state="draft")
    ids = {"hotel": hotel.id, "cook": cook.id, "driver": driver.id, "draft": draft.id}
    for v in ids.values():
        search.index_vacancy(s, v)
    return ids


def _ids(hits: list[search.Hit]) -> list[int]:
    return [h.id for h in hits]


def test_search_finds_by_title_word_character_tibetan_and_employer(session: Session) -> None:
    w = _world(session)
    assert _ids(search.search_vacancies(session, "服务员", today=k.TODAY)) == [w["hotel"]]
    assert _ids(search.search_vacancies(session, "务员", today=k.TODAY)) == [w["hotel"]]
    assert search.search_vacancies(session, "服务", today=k.TODAY)[0].id == w["hotel"]
    assert _ids(search.search_vacancies(session, "ཇ་བཟོ", today=k.TODAY)) == [w["cook"]]
    assert _ids(search.search_vacancies(session, "EXCEL", today=k.TODAY)) == [w["cook"]]
    got = _ids(search.search_vacancies(session, "圣地酒店", today=k.TODAY))
    assert sorted(got) == sorted([w["hotel"], w["cook"], w["driver"]])  # the employer's name
    assert search.search_vacancies(session, "客房 司机", today=k.TODAY) == []  # all terms
    assert search.search_vacancies(session, "主管", today=k.TODAY) == []  # a draft: never
    hit = search.search_vacancies(session, "藏语", today=k.TODAY)[0]
    assert hit.id == w["hotel"] and "藏语" in hit.snippet


def test_filters_paging_and_hostile_queries(session: Session) -> None:
    w = _world(session)
    assert _ids(search.search_vacancies(session, "", county="540221", today=k.TODAY)) == [w["cook"]]
    assert _ids(search.search_vacancies(session, None, county="540200", today=k.TODAY)) == [
        w["cook"]
    ]
    assert _ids(search.search_vacancies(session, "", occupation="4-02", today=k.TODAY)) == [
        w["driver"]
    ]
    assert _ids(search.search_vacancies(session, "", occupation="4", today=k.TODAY)) == [
        w["driver"],
        w["cook"],
        w["hotel"],
    ]
    page = search.search_vacancies(session, "", limit=2, offset=2, today=k.TODAY)
    assert _ids(page) == [w["hotel"]]
    for hostile in ['"', "' OR 1=1 --", "NEAR(", "* AND", "\\", "a" * 5000, "::tsquery !"]:
        search.search_vacancies(session, hostile, today=k.TODAY)  # answers, never raises


def test_index_follows_the_record(session: Session) -> None:
    w = _world(session)
    from minsheng.employment.vacancy_models import EmVacancy

    v = session.get(EmVacancy, w["hotel"])
    assert v is not None
    v.title = "前台接待"
    search.index_vacancy(session, v.id)
    assert search.search_vacancies(session, "服务员", today=k.TODAY) == []
    assert _ids(search.search_vacancies(session, "前台", today=k.TODAY)) == [v.id]
    v.state = "taken_down"
    assert search.index_vacancy(session, v.id) is False
    assert search.search_vacancies(session, "前台", today=k.TODAY) == []
    counts = search.reindex(session)
    assert counts == {"vacancies": 2, "seekers": 0}
    assert _ids(search.search_vacancies(session, "司机", today=k.TODAY)) == [w["driver"]]
    n = session.scalar(select(func.count()).select_from(EmSearchDoc))
    assert n == 2


def test_seeker_profiles_only_consenting_active_in_region(session: Session) -> None:
    yes = k.seeker(session, skills=["电焊"], certificates=["焊工证"], major="机械制造")
    no = k.seeker(session, skills=["电焊"], consent=False)
    far = k.seeker(session, county="540221", skills=["电焊"])
    for s in (yes, no, far):
        search.index_seeker(session, s.id)
    lhasa = k.worker(session, region="540100")
    assert _ids(search.search_seekers(session, "电焊", by=lhasa)) == [yes.id]
    assert _ids(search.search_seekers(session, "焊工", by=lhasa)) == [yes.id]
    region = k.worker(session, region="540000")
    assert sorted(_ids(search.search_seekers(session, "电焊", by=region))) == [yes.id, far.id]
    citizen = k.BY.__class__(kind="citizen", name="c", person_id=yes.person_id)
    assert search.search_seekers(session, "电焊", by=citizen) == []


def test_the_demo_seed_indexes_what_is_there(session: Session) -> None:
    from minsheng.employment.match_demo import seed_match

    _world(session)
    k.seeker(session, skills=["电焊"])
    assert seed_match(session, k.BY, k.TODAY) == {"em_search_vacancies": 3, "em_search_seekers": 1}
