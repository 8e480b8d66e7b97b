"""How good the matching is, measured on a synthetic labelled set.

:func:`synthetic` draws seekers with **hidden true preferences** — the middle occupation group
they would work in, the counties they would go to (some would go anywhere in their
prefecture), the wage below which they refuse, the languages they speak, their education,
their skills — and a **stated profile** the matcher sees, which is noisier: some state only the
broad group, some understate the places, the stated wage is rounded and off by up to 15 %, and
only part of their skills are listed. Vacancies are drawn over the same occupations, counties
and wages. A vacancy is relevant to a seeker when the seeker would truly accept it (grade 2:
accept gladly — own county and every skill asked; grade 1: accept), which the matcher can only
approximate from the stated profile.

Rankers, all over the same vacancies: the matcher (:mod:`match_rules`), random, most recent
(newest first), and text only (BM25 over the seeker's words against the vacancies' words, with
the search's tokens). Metrics: NDCG@k (linear gain), Recall@k and MRR, in plain numpy here
(``benchmarks/employment.py`` cross-checks them against ranx).
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np

from minsheng.core import divisions
from minsheng.employment import match_rules as rules
from minsheng.employment import match_text, occupations

SKILLS_PER_GROUP = 6
LANGS = ("bo", "zh", "en")


@dataclass(frozen=True)
class Truth:
    middle: str
    places: frozenset[str]
    anywhere_in_prefecture: bool
    reservation: int
    languages: frozenset[str]
    education: int
    skills: frozenset[str]


@dataclass
class Dataset:
    seekers: list[rules.SeekerFacts]
    truths: list[Truth]
    jobs: list[rules.VacancyFacts]
    job_ids: list[int]  # ascending: a larger id is a newer posting
    qrels: list[dict[int, int]]  # per seeker: job id → grade (1 or 2)
    seeker_words: list[str]
    job_words: list[str]


def _skills_of(middle: str) -> list[str]:
    return [f"{middle}技能{i}" for i in range(SKILLS_PER_GROUP)]


def accepts(t: Truth, j: rules.VacancyFacts) -> int:
    """The hidden grade of ``j`` for a seeker of truth ``t`` (0: would refuse)."""
    if j.occupation != t.middle or j.wage_max < t.reservation:
        return 0
    near = j.county in t.places or (
        t.anywhere_in_prefecture and j.county[:4] in {p[:4] for p in t.places}
    )
    if not near or not j.languages <= t.languages:
        return 0
    if j.education is not None and rules._edu_rank(j.education) > t.education:
        return 0
    if j.skills and len(j.skills & t.skills) * 2 < len(j.skills):
        return 0
    return 2 if j.skills <= t.skills and j.county in t.places else 1


def synthetic(
    n_seekers: int = 300, n_jobs: int = 3000, seed: int = 7, labelled: bool = True
) -> Dataset:
    rng = np.random.default_rng(seed)
    table = occupations.table()
    middles = [c for c in table if c.count("-") == 1]
    counties = [c.code for c in divisions.counties()]
    by_pref: dict[str, list[str]] = {}
    for c in counties:
        by_pref.setdefault(c[:4], []).append(c)
    pref_list = sorted(by_pref)
    edu = rules.EDUCATION_ORDER
    # a region's jobs cluster: a few middles and the cities carry most postings
    occ_p = rng.dirichlet(np.full(len(middles), 0.6))
    pref_p = rng.dirichlet(np.full(len(pref_list), 1.5))

    def county_in(pref: str) -> str:
        return str(rng.choice(by_pref[pref]))

    jobs: list[rules.VacancyFacts] = []
    for _ in range(n_jobs):
        mid = str(middles[rng.choice(len(middles), p=occ_p)])
        pref = str(pref_list[rng.choice(len(pref_list), p=pref_p)])
        low = int(rng.integers(2100, 9000)) * 100
        asked = rng.choice(_skills_of(mid), size=int(rng.integers(0, 4)), replace=False)
        langs = frozenset(
            str(x) for x in rng.choice(LANGS[:2], size=int(rng.integers(0, 3)), replace=False)
        )
        jobs.append(
            rules.VacancyFacts(
                county=county_in(pref),
                occupation=mid,
                wage_min=low,
                wage_max=low + int(rng.integers(0, 3000)) * 100,
                skills=frozenset(str(s) for s in asked),
                languages=langs,
                education=None if rng.random() < 0.5 else str(edu[int(rng.integers(2, 7))]),
            )
        )
    seekers: list[rules.SeekerFacts] = []
    truths: list[Truth] = []
    qrels: list[dict[int, int]] = []
    words: list[str] = []
    for _ in range(n_seekers):
        mid = str(middles[rng.choice(len(middles), p=occ_p)])
        pref = str(pref_list[rng.choice(len(pref_list), p=pref_p)])
        home = county_in(pref)
        places = {home} | ({county_in(pref)} if rng.random() < 0.4 else set())
        skills = frozenset(
            str(s) for s in rng.choice(_skills_of(mid), size=int(rng.integers(1, 6)), replace=False)
        )
        langs = frozenset({"bo"} | ({"zh"} if rng.random() < 0.7 else set()))
        t = Truth(
            middle=mid,
            places=frozenset(places),
            anywhere_in_prefecture=bool(rng.random() < 0.3),
            reservation=int(rng.integers(2500, 8000)) * 100,
            languages=langs,
            education=int(rng.integers(2, 8)),
            skills=skills,
        )
        stated_occ = (mid,) if rng.random() < 0.75 else (mid.split("-")[0],)
        listed = frozenset(s for s in sorted(skills) if rng.random() < 0.7)
        stated_wage = int(round(t.reservation * rng.uniform(0.85, 1.15), -4))
        seekers.append(
            rules.SeekerFacts(
                county=home,
                occupations=stated_occ,
                counties=tuple(p for p in sorted(places) if p != home and rng.random() < 0.7),
                wage_min=stated_wage,
                skills=listed,
                languages=langs,
                education=edu[t.education],
            )
        )
        truths.append(t)
        words.append(" ".join([*sorted(listed), *(table[c].zh for c in stated_occ)]))
        qrels.append({})
    job_ids = list(range(1, n_jobs + 1))
    for i, t in enumerate(truths if labelled else []):
        qrels[i] = {job_ids[j]: g for j, job in enumerate(jobs) if (g := accepts(t, job))}
    job_words = [" ".join([table[j.occupation].zh, *sorted(j.skills)]) for j in jobs]
    return Dataset(seekers, truths, jobs, job_ids, qrels, words, job_words)


# ----------------------------------------------------------------------------- rankers

Ranker = Callable[[Dataset, int, int], list[int]]


def rank_matcher(w: rules.Weights) -> Ranker:
    cache: dict[int, rules.Block] = {}

    def run(d: Dataset, i: int, k: int) -> list[int]:
        if id(d) not in cache:
            cache[id(d)] = rules.block(d.job_ids, d.jobs)
        b = cache[id(d)]
        scores = rules.score_block(d.seekers[i], b, w)
        return [int(b.ids[j]) for j in rules.top(scores, b.ids, k)]

    return run


def rank_random(seed: int = 3) -> Ranker:
    rng = np.random.default_rng(seed)

    def run(d: Dataset, i: int, k: int) -> list[int]:
        return [int(x) for x in rng.permutation(d.job_ids)[:k]]

    return run


def rank_recent(d: Dataset, i: int, k: int) -> list[int]:
    return sorted(d.job_ids, reverse=True)[:k]


class BM25:
    """Okapi BM25 (k1 1.2, b 0.75) over the search tokens of ``docs``."""

    def __init__(self, docs: Sequence[str], k1: float = 1.2, b: float = 0.75) -> None:
        tfs = [Counter(match_text.tokens(doc)) for doc in docs]
        lens = np.asarray([sum(tf.values()) for tf in tfs], dtype=float)
        avg = float(lens.mean()) if len(docs) else 1.0
        self.norm = k1 * (1 - b + b * lens / max(avg, 1e-9))
        rows: dict[str, tuple[list[int], list[int]]] = {}
        for j, tf in enumerate(tfs):
            for term, f in tf.items():
                docs_of, freqs = rows.setdefault(term, ([], []))
                docs_of.append(j)
                freqs.append(f)
        n = len(docs)
        self.postings = {
            term: (np.asarray(ds), np.asarray(fs, dtype=float)) for term, (ds, fs) in rows.items()
        }
        self.idf = {
            t: math.log(1 + (n - len(p[0]) + 0.5) / (len(p[0]) + 0.5))
            for t, p in self.postings.items()
        }
        self.k1, self.n = k1, n

    def scores(self, query: str) -> np.ndarray:
        out = np.zeros(self.n)
        for term in set(match_text.tokens(query)):
            found = self.postings.get(term)
            if found is None:
                continue
            ds, fs = found
            out[ds] += self.idf[term] * fs * (self.k1 + 1) / (fs + self.norm[ds])
        return out


def rank_text() -> Ranker:
    cache: dict[int, BM25] = {}

    def run(d: Dataset, i: int, k: int) -> list[int]:
        if id(d) not in cache:
            cache[id(d)] = BM25(d.job_words)
        bm = cache[id(d)]
        s = bm.scores(d.seeker_words[i])
        ids = np.asarray(d.job_ids)
        return [int(ids[j]) for j in rules.top(s, ids, k)]

    return run


# ----------------------------------------------------------------------------- metrics


def ndcg_at(ranked: Sequence[int], rel: dict[int, int], k: int) -> float:
    dcg = sum(rel.get(d, 0) / math.log2(r + 2) for r, d in enumerate(ranked[:k]))
    ideal = sorted(rel.values(), reverse=True)[:k]
    idcg = sum(g / math.log2(r + 2) for r, g in enumerate(ideal))
    return dcg / idcg if idcg else 0.0


def recall_at(ranked: Sequence[int], rel: dict[int, int], k: int) -> float:
    relevant = {d for d, g in rel.items() if g > 0}
    return len(relevant & set(ranked[:k])) / len(relevant) if relevant else 0.0


def mrr(ranked: Sequence[int], rel: dict[int, int]) -> float:
    for r, d in enumerate(ranked):
        if rel.get(d, 0) > 0:
            return 1.0 / (r + 1)
    return 0.0


def evaluate(d: Dataset, ranker: Ranker, k: int = 5, depth: int = 100) -> dict[str, float]:
    """Mean NDCG@k, Recall@k and MRR (over the top ``depth``) over the seekers who would
    accept at least one vacancy."""
    rows = [i for i, q in enumerate(d.qrels) if q]
    out = {f"ndcg@{k}": 0.0, f"recall@{k}": 0.0, "mrr": 0.0}
    for i in rows:
        ranked = ranker(d, i, depth)
        out[f"ndcg@{k}"] += ndcg_at(ranked, d.qrels[i], k)
        out[f"recall@{k}"] += recall_at(ranked, d.qrels[i], k)
        out["mrr"] += mrr(ranked, d.qrels[i])
    return {m: v / max(1, len(rows)) for m, v in out.items()}


def runs(d: Dataset, ranker: Ranker, depth: int = 100) -> dict[str, dict[str, float]]:
    """A ranker's run in ranx's shape: seeker → {vacancy: score}, only judged seekers."""
    out: dict[str, dict[str, float]] = {}
    for i, q in enumerate(d.qrels):
        if q:
            ranked = ranker(d, i, depth)
            out[f"s{i}"] = {f"v{v}": float(depth - r) for r, v in enumerate(ranked)}
    return out


__all__ = [
    "BM25",
    "Dataset",
    "Truth",
    "accepts",
    "evaluate",
    "mrr",
    "ndcg_at",
    "rank_matcher",
    "rank_random",
    "rank_recent",
    "rank_text",
    "recall_at",
    "runs",
    "synthetic",
]
