"""Matching many seekers at once (the nightly batch): scores of a block of seekers against a
block of vacancies as one matrix, the same numbers as :func:`match_rules.score` (a property
test holds them equal). Pure numpy over plain values.

Skills and languages become 0/1 matrices over the block's words, so "how many of the job's
skills the seeker has" is one matrix product; places and occupations become small lookup
tables gathered into the matrix. :func:`batch_top` runs blocks of seekers by (occupation
group, prefecture): each seeker is scored against the open vacancies of the middle groups it
wants (or the major group, where it named only that) in its prefecture — narrower than one
seeker's pre-filter, so the batch stays near linear.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import numpy.typing as npt

from minsheng.employment import match_rules as rules

F = np.float32


def _bool_matrix(rows: Sequence[frozenset[str]], vocab: dict[str, int]) -> Any:
    out = np.zeros((len(rows), max(1, len(vocab))), dtype=F)
    for i, r in enumerate(rows):
        for s in r:
            j = vocab.get(s)
            if j is not None:
                out[i, j] = 1.0
    return out


def score_matrix(
    seekers: Sequence[rules.SeekerFacts], jobs: Sequence[rules.VacancyFacts], w: rules.Weights
) -> npt.NDArray[np.float32]:
    """Scores, seekers × vacancies (float32)."""
    n, m = len(seekers), len(jobs)
    if n == 0 or m == 0:
        return np.zeros((n, m), dtype=F)
    pw = w.part_weights()
    # occupation: a table over the distinct wanted code sets × distinct job codes
    codes = sorted({j.occupation for j in jobs})
    code_at = {c: i for i, c in enumerate(codes)}
    wanted = sorted({s.occupations for s in seekers})
    wanted_at = {c: i for i, c in enumerate(wanted)}
    table = np.asarray(
        [[rules._occ_credit(rules.occupation_level(ws, c), w, ws) for c in codes] for ws in wanted],
        dtype=F,
    )
    s_w = np.asarray([wanted_at[s.occupations] for s in seekers])
    j_c = np.asarray([code_at[j.occupation] for j in jobs])
    total = pw["occupation"] * table[s_w][:, j_c]
    # skills and languages: the share of the job's words the seeker has (1 when none asked)
    for part, s_attr, j_attr in (
        ("skills", "skills", "skills"),
        ("language", "languages", "languages"),
    ):
        vocab: dict[str, int] = {}
        for j in jobs:
            for word in getattr(j, j_attr):
                vocab.setdefault(word, len(vocab))
        jm = _bool_matrix([getattr(j, j_attr) for j in jobs], vocab)
        sm = _bool_matrix([getattr(s, s_attr) for s in seekers], vocab)
        asked = jm.sum(axis=1)
        had = sm @ jm.T
        share = np.where(asked > 0, had / np.maximum(asked, 1), 1.0).astype(F)
        total += pw[part] * share
    # places: the job's county among the seeker's, else its prefecture, else elsewhere
    counties = sorted({j.county for j in jobs})
    county_at = {c: i for i, c in enumerate(counties)}
    prefs = sorted({c[:4] for c in counties})
    pref_at = {p: i for i, p in enumerate(prefs)}
    in_county = np.zeros((n, len(counties)), dtype=bool)
    in_pref = np.zeros((n, len(prefs)), dtype=bool)
    for i, s in enumerate(seekers):
        for place in {s.county, *s.counties}:
            if place in county_at:
                in_county[i, county_at[place]] = True
            if place[:4] in pref_at:
                in_pref[i, pref_at[place[:4]]] = True
    j_county = np.asarray([county_at[j.county] for j in jobs])
    j_pref = np.asarray([pref_at[j.county[:4]] for j in jobs])
    dist = np.where(
        in_county[:, j_county],
        F(w.same_county),
        np.where(in_pref[:, j_pref], F(w.same_prefecture), F(w.elsewhere)),
    )
    total += pw["distance"] * dist
    # wage: 1 when the top reaches the expectation, down to 0 at ``wage_tolerance`` below it
    expected = np.asarray([s.wage_min or 0 for s in seekers], dtype=np.float64)[:, None]
    top = np.asarray([j.wage_max for j in jobs], dtype=np.float64)[None, :]
    if w.wage_tolerance > 0:
        short = (expected - top) / np.maximum(expected * w.wage_tolerance, 1e-9)
        wage = np.where((expected == 0) | (top >= expected), 1.0, np.clip(1.0 - short, 0, 1))
    else:
        wage = np.where((expected == 0) | (top >= expected), 1.0, 0.0)
    total += pw["wage"] * wage.astype(F)
    # education: the seeker's rank reaches the job's minimum (or none is set)
    s_edu = np.asarray([rules._edu_rank(s.education) for s in seekers])[:, None]
    j_edu = np.asarray([rules._edu_rank(j.education) for j in jobs])[None, :]
    total += pw["education"] * ((j_edu < 0) | (s_edu >= j_edu)).astype(F)
    out: npt.NDArray[np.float32] = np.clip(total, 0.0, 1.0).astype(F)
    return out


def top_rows(scores: Any, ids: Any, k: int, floor: float) -> list[list[tuple[int, float]]]:
    """Per row the ``k`` best (id, score) at or above ``floor``, best first (ties: smaller id)."""
    out: list[list[tuple[int, float]]] = []
    if scores.shape[1] == 0:
        return [[] for _ in range(scores.shape[0])]
    kk = min(k, scores.shape[1])
    part = np.argpartition(-scores, kk - 1, axis=1)[:, :kk]
    for i in range(scores.shape[0]):
        cols = part[i]
        order = np.lexsort((ids[cols], -scores[i, cols]))
        out.append(
            [
                (int(ids[cols[o]]), float(scores[i, cols[o]]))
                for o in order
                if scores[i, cols[o]] >= floor
            ]
        )
    return out


def _middle(code: str) -> str | None:
    return code[:4] if code.count("-") >= 1 else None


def batch_top(
    seekers: Sequence[rules.SeekerFacts],
    jobs: Sequence[rules.VacancyFacts],
    job_ids: Sequence[int],
    w: rules.Weights,
    k: int = 10,
    chunk: int = 2048,
) -> list[list[tuple[int, float]]]:
    """Each seeker's ``k`` best vacancies, by blocks of (occupation group, prefecture): the
    middle group (中类) of each code the seeker wants, or the major group where they named
    only that, in the prefecture they live in."""
    ids = np.asarray(job_ids, dtype=np.int64)
    by_block: dict[tuple[str, str], list[int]] = {}
    for j, job in enumerate(jobs):
        for group in {job.occupation[:1], _middle(job.occupation)} - {None}:
            by_block.setdefault((str(group), job.county[:4]), []).append(j)
    groups: dict[tuple[frozenset[str], str], list[int]] = {}
    for i, s in enumerate(seekers):
        wanted = frozenset(_middle(o) or o[:1] for o in s.occupations) or frozenset("12345678")
        groups.setdefault((wanted, s.county[:4]), []).append(i)
    out: list[list[tuple[int, float]]] = [[] for _ in seekers]
    for (majors, pref), members in groups.items():
        cols = sorted({j for m in majors for j in by_block.get((m, pref), [])})
        if not cols:
            continue
        block_jobs = [jobs[j] for j in cols]
        block_ids = ids[cols]
        for start in range(0, len(members), chunk):
            rows = members[start : start + chunk]
            scores = score_matrix([seekers[i] for i in rows], block_jobs, w)
            for i, best in zip(rows, top_rows(scores, block_ids, k, w.min_score), strict=True):
                out[i] = best
    return out


__all__ = ["batch_top", "score_matrix", "top_rows"]
