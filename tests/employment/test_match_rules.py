"""The pure scoring: bounds, the three ways of scoring agree, the parts behave, and the
quality measure (the matcher beats random and newest-first on a small synthetic set)."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from minsheng import policy
from minsheng.employment import match_eval, match_matrix
from minsheng.employment import match_rules as rules

CODES = ["4", "4-03", "4-02", "4-03-01", "6-01", "2-02"]
COUNTIES = ["540102", "540103", "540221", "540202", "542421"]
SKILLS = ["烹饪", "客房清洁", "驾驶", "电焊", "excel"]
EDU = [None, *rules.EDUCATION_ORDER]

seekers = st.builds(
    rules.SeekerFacts,
    county=st.sampled_from(COUNTIES),
    occupations=st.lists(st.sampled_from(CODES), max_size=3, unique=True).map(tuple),
    counties=st.lists(st.sampled_from(COUNTIES), max_size=2).map(tuple),
    wage_min=st.one_of(st.none(), st.integers(0, 2_000_000)),
    skills=st.frozensets(st.sampled_from(SKILLS)),
    languages=st.frozensets(st.sampled_from(["bo", "zh", "en"])),
    education=st.sampled_from(EDU),
)


@st.composite
def jobs(draw: st.DrawFn) -> rules.VacancyFacts:
    low = draw(st.integers(0, 1_500_000))
    return rules.VacancyFacts(
        county=draw(st.sampled_from(COUNTIES)),
        occupation=draw(st.sampled_from(CODES)),
        wage_min=low,
        wage_max=low + draw(st.integers(0, 500_000)),
        skills=draw(st.frozensets(st.sampled_from(SKILLS), max_size=3)),
        languages=draw(st.frozensets(st.sampled_from(["bo", "zh"]))),
        education=draw(st.sampled_from(EDU)),
    )


W = rules.Weights.from_node(policy.load().at(dt.date(2026, 12, 1), "540000").employment.match)


@settings(max_examples=150, deadline=None)
@given(seekers, st.lists(jobs(), min_size=1, max_size=12))
def test_block_and_matrix_agree_with_one_by_one(
    s: rules.SeekerFacts, js: list[rules.VacancyFacts]
) -> None:
    one = np.asarray([rules.score(s, j, W)[0] for j in js])
    assert ((one >= 0) & (one <= 1)).all()
    b = rules.block(list(range(1, len(js) + 1)), js)
    assert np.allclose(rules.score_block(s, b, W), one, atol=1e-9)
    assert np.allclose(match_matrix.score_matrix([s, s], js, W)[1], one, atol=1e-5)
    rows = [i for i in range(len(js)) if i % 2 == 0]
    part = rules.take(b, rows)
    assert list(part.ids) == [i + 1 for i in rows]
    assert np.allclose(rules.score_block(s, part, W), one[rows], atol=1e-9)


@settings(max_examples=100, deadline=None)
@given(seekers, jobs())
def test_having_an_asked_skill_never_lowers_the_score(
    s: rules.SeekerFacts, j: rules.VacancyFacts
) -> None:
    for skill in j.skills - s.skills:
        more = rules.SeekerFacts(**{**s.__dict__, "skills": s.skills | {skill}})
        assert rules.score(more, j, W)[0] >= rules.score(s, j, W)[0]


def test_parts_and_reasons() -> None:
    s = rules.SeekerFacts(
        county="540102",
        occupations=("4-03",),
        wage_min=500_000,
        skills=frozenset({"烹饪"}),
        languages=frozenset({"bo"}),
        education="junior",
    )
    j = rules.VacancyFacts(
        county="540103",
        occupation="4-03-02",
        wage_min=300_000,
        wage_max=425_000,
        skills=frozenset({"烹饪", "面点"}),
        languages=frozenset({"bo", "zh"}),
        education="senior",
    )
    value, r = rules.score(s, j, W)
    assert r.occupation == "same" and r.distance == "same_prefecture" and r.wage == "below"
    assert r.skills_matched == ("烹饪",) and r.skills_missing == ("面点",)
    assert r.languages_missing == ("zh",) and r.education == "below"
    assert r.credits["wage"] == pytest.approx(0.5)  # 15 % short of a 30 % tolerance
    expected = 0.30 * 1 + 0.20 * 0.5 + 0.20 * 0.5 + 0.15 * 0.5 + 0.10 * 0.5 + 0.05 * 0
    assert value == pytest.approx(expected)
    assert rules.occupation_level(("4-02",), "4-03") == "major"
    assert rules.occupation_level(("4-03-01",), "4-03-02") == "middle"
    assert rules.occupation_level(("2",), "4-03") == "none"


def test_weights_come_from_the_parameters() -> None:
    node = policy.load().at(dt.date(2026, 6, 1), "540102").employment.match
    w = rules.Weights.from_node(node)
    assert sum(w.part_weights().values()) == pytest.approx(1.0)
    assert w.occ_same >= w.occ_middle >= w.occ_major
    assert w.same_county >= w.same_prefecture >= w.elsewhere


def test_batch_top_gives_each_seeker_its_best_in_its_block() -> None:
    d = match_eval.synthetic(40, 400, seed=11)
    got = match_matrix.batch_top(d.seekers, d.jobs, d.job_ids, W, k=5)
    b = rules.block(d.job_ids, d.jobs)
    for i, best in enumerate(got):
        for job_id, value in best:
            j = d.jobs[job_id - 1]
            assert value == pytest.approx(rules.score(d.seekers[i], j, W)[0], abs=1e-5)
            assert j.county[:4] == d.seekers[i].county[:4]
        if best:
            full = rules.score_block(d.seekers[i], b, W)
            assert best[0][1] <= full.max() + 1e-6


def test_metrics_and_the_matcher_beats_the_baselines() -> None:
    rel = {1: 2, 2: 1}
    assert match_eval.ndcg_at([1, 2, 3], rel, 5) == pytest.approx(1.0)
    assert match_eval.recall_at([3, 2], rel, 5) == 0.5
    assert match_eval.mrr([3, 2], rel) == 0.5
    d = match_eval.synthetic(80, 800, seed=5)
    ours = match_eval.evaluate(d, match_eval.rank_matcher(W))
    for baseline in (match_eval.rank_random(), match_eval.rank_recent):
        theirs = match_eval.evaluate(d, baseline)
        assert ours["ndcg@5"] > theirs["ndcg@5"] + 0.2
        assert ours["recall@5"] > theirs["recall@5"] and ours["mrr"] > theirs["mrr"]
