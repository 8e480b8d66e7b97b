"""Precision matching's scoring (精准推介), pure over plain values.

A seeker and a vacancy are compared part by part; each part gives a credit in [0, 1] and the
score is the weighted sum of the credits (weights from ``employment.match.weights``, normalised
to sum 1, so a score lies in [0, 1]):

- **occupation** — the same code, or the job's code inside the group the seeker wants (or the
  other way round): ``occupation_credit.same``; the same middle group (中类): ``middle``; the
  same major group (大类): ``major``; else 0. A seeker who named no occupation gives ``major``.
- **skills** — the share of the job's skills the seeker has (1 when the job names none).
- **distance** — the job lies in a county the seeker chose or their own: ``same_county``; in the
  same prefecture as one of those: ``same_prefecture``; elsewhere: ``elsewhere``. Division codes
  carry the prefecture in their first four digits (``540102`` → ``5401``).
- **wage** — 1 when the job's top wage reaches what the seeker expects (or they expect none),
  falling linearly to 0 at ``wage_tolerance`` below it.
- **language** — the share of the job's languages the seeker speaks (1 when none is named).
- **education** — 1 when the seeker's education reaches the job's minimum (or none is set), else 0.

:func:`score` explains one pair (the reasons shown to people); :func:`score_block` scores many
vacancies at once with numpy and gives the same numbers (a property test holds them equal).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import numpy.typing as npt

EDUCATION_ORDER = (
    "none",
    "primary",
    "junior",
    "senior",
    "vocational",
    "college",
    "bachelor",
    "master",
    "doctor",
)
PARTS = ("occupation", "skills", "distance", "wage", "language", "education")


@dataclass(frozen=True)
class Weights:
    """The match parameters as plain floats, read from the dated parameters
    (``policy/parameters/employment/match.yaml``) by :meth:`from_node` — no figure here."""

    occupation: float
    skills: float
    distance: float
    wage: float
    language: float
    education: float
    occ_same: float
    occ_middle: float
    occ_major: float
    same_county: float
    same_prefecture: float
    elsewhere: float
    wage_tolerance: float
    min_score: float

    def part_weights(self) -> dict[str, float]:
        raw = {p: max(0.0, float(getattr(self, p))) for p in PARTS}
        total = sum(raw.values()) or 1.0
        return {p: v / total for p, v in raw.items()}

    @classmethod
    def from_node(cls, node: Any) -> Weights:
        """From the snapshot node ``snapshot.employment.match``."""
        w, o, d = node.weights, node.occupation_credit, node.distance_credit
        return cls(
            occupation=float(w.occupation),
            skills=float(w.skills),
            distance=float(w.distance),
            wage=float(w.wage),
            language=float(w.language),
            education=float(w.education),
            occ_same=float(o.same),
            occ_middle=float(o.middle),
            occ_major=float(o.major),
            same_county=float(d.same_county),
            same_prefecture=float(d.same_prefecture),
            elsewhere=float(d.elsewhere),
            wage_tolerance=float(node.wage_tolerance),
            min_score=float(node.min_score),
        )


@dataclass(frozen=True)
class SeekerFacts:
    county: str
    occupations: tuple[str, ...] = ()
    counties: tuple[str, ...] = ()
    wage_min: int | None = None  # fen a month
    skills: frozenset[str] = frozenset()
    languages: frozenset[str] = frozenset()
    education: str | None = None


@dataclass(frozen=True)
class VacancyFacts:
    county: str
    occupation: str
    wage_min: int = 0
    wage_max: int = 0
    skills: frozenset[str] = frozenset()
    languages: frozenset[str] = frozenset()
    education: str | None = None


@dataclass(frozen=True)
class Reasons:
    """Why a pair scored what it did — each part's finding and credit."""

    occupation: str  # same | middle | major | none
    skills_matched: tuple[str, ...]
    skills_missing: tuple[str, ...]
    distance: str  # same_county | same_prefecture | elsewhere
    wage: str  # fits | below | open
    languages_missing: tuple[str, ...]
    education: str  # fits | below | open
    credits: Mapping[str, float] = field(default_factory=dict)

    def as_dict(self) -> dict[str, object]:
        return {
            "occupation": self.occupation,
            "skills_matched": list(self.skills_matched),
            "skills_missing": list(self.skills_missing),
            "distance": self.distance,
            "wage": self.wage,
            "languages_missing": list(self.languages_missing),
            "education": self.education,
            "credits": {k: round(v, 4) for k, v in self.credits.items()},
        }


def normalise(values: Iterable[str]) -> frozenset[str]:
    return frozenset(v.strip().lower() for v in values if v and v.strip())


def _middle(code: str) -> str | None:
    parts = code.split("-")
    return "-".join(parts[:2]) if len(parts) >= 2 else None


def _within(inner: str, outer: str) -> bool:
    return inner == outer or inner.startswith(outer + "-")


def occupation_level(wanted: Sequence[str], code: str) -> str:
    """How close the job's code is to the nearest wanted code: same, middle, major or none."""
    best = "none"
    for w in wanted:
        if _within(code, w) or _within(w, code):
            return "same"
        m = _middle(code)
        if m is not None and m == _middle(w):
            best = "middle"
        elif best == "none" and code.split("-")[0] == w.split("-")[0]:
            best = "major"
    return best


def distance_level(seeker: SeekerFacts, county: str) -> str:
    places = {seeker.county, *seeker.counties}
    if county in places:
        return "same_county"
    if county[:4] in {p[:4] for p in places if p}:
        return "same_prefecture"
    return "elsewhere"


def _occ_credit(level: str, w: Weights, wanted: Sequence[str]) -> float:
    if not wanted:
        return w.occ_major
    return {"same": w.occ_same, "middle": w.occ_middle, "major": w.occ_major}.get(level, 0.0)


def _wage_credit(expected: int | None, top: int, tolerance: float) -> float:
    if not expected or top >= expected:
        return 1.0
    if tolerance <= 0:
        return 0.0
    return max(0.0, 1.0 - (expected - top) / (expected * tolerance))


def _edu_rank(level: str | None) -> int:
    return EDUCATION_ORDER.index(level) if level in EDUCATION_ORDER else -1


def score(seeker: SeekerFacts, job: VacancyFacts, w: Weights) -> tuple[float, Reasons]:
    """The score of ``job`` for ``seeker`` in [0, 1], and why."""
    occ = occupation_level(seeker.occupations, job.occupation)
    matched = tuple(sorted(job.skills & seeker.skills))
    missing = tuple(sorted(job.skills - seeker.skills))
    dist = distance_level(seeker, job.county)
    lang_missing = tuple(sorted(job.languages - seeker.languages))
    if job.education is None:
        edu = "open"
    else:
        edu = "fits" if _edu_rank(seeker.education) >= _edu_rank(job.education) else "below"
    wage = "open"
    if seeker.wage_min:
        wage = "fits" if job.wage_max >= seeker.wage_min else "below"
    credits = {
        "occupation": _occ_credit(occ, w, seeker.occupations),
        "skills": len(matched) / len(job.skills) if job.skills else 1.0,
        "distance": {
            "same_county": w.same_county,
            "same_prefecture": w.same_prefecture,
            "elsewhere": w.elsewhere,
        }[dist],
        "wage": _wage_credit(seeker.wage_min, job.wage_max, w.wage_tolerance),
        "language": 1.0 - len(lang_missing) / len(job.languages) if job.languages else 1.0,
        "education": 0.0 if edu == "below" else 1.0,
    }
    pw = w.part_weights()
    total = sum(pw[p] * credits[p] for p in PARTS)
    reasons = Reasons(occ, matched, missing, dist, wage, lang_missing, edu, credits)
    return min(1.0, max(0.0, total)), reasons


@dataclass
class Block:
    """Many vacancies as arrays, for :func:`score_block` (build with :func:`block`)."""

    ids: npt.NDArray[np.int64]
    occupation: npt.NDArray[np.int64]  # index into occ_codes
    occ_codes: list[str]
    county: npt.NDArray[np.int64]  # index into county_codes
    county_codes: list[str]
    wage_max: npt.NDArray[np.int64]
    education: npt.NDArray[np.int64]  # rank, -1 none
    skill_ptr: npt.NDArray[np.int64]  # CSR: skills of row i are skill_idx[ptr[i]:ptr[i+1]]
    skill_idx: npt.NDArray[np.int64]
    skill_vocab: dict[str, int]
    lang_ptr: npt.NDArray[np.int64]
    lang_idx: npt.NDArray[np.int64]
    lang_vocab: dict[str, int]


def _csr(rows: Sequence[frozenset[str]], vocab: dict[str, int]) -> tuple[Any, Any]:
    ptr = np.zeros(len(rows) + 1, dtype=np.int64)
    flat: list[int] = []
    for i, r in enumerate(rows):
        for s in r:
            flat.append(vocab.setdefault(s, len(vocab)))
        ptr[i + 1] = len(flat)
    return ptr, np.asarray(flat, dtype=np.int64)


def block(ids: Sequence[int], jobs: Sequence[VacancyFacts]) -> Block:
    occ_codes = sorted({j.occupation for j in jobs})
    occ_at = {c: i for i, c in enumerate(occ_codes)}
    county_codes = sorted({j.county for j in jobs})
    county_at = {c: i for i, c in enumerate(county_codes)}
    skill_vocab: dict[str, int] = {}
    lang_vocab: dict[str, int] = {}
    sp, si = _csr([j.skills for j in jobs], skill_vocab)
    lp, li = _csr([j.languages for j in jobs], lang_vocab)
    return Block(
        ids=np.asarray(ids, dtype=np.int64),
        occupation=np.asarray([occ_at[j.occupation] for j in jobs], dtype=np.int64),
        occ_codes=occ_codes,
        county=np.asarray([county_at[j.county] for j in jobs], dtype=np.int64),
        county_codes=county_codes,
        wage_max=np.asarray([j.wage_max for j in jobs], dtype=np.int64),
        education=np.asarray([_edu_rank(j.education) for j in jobs], dtype=np.int64),
        skill_ptr=sp,
        skill_idx=si,
        skill_vocab=skill_vocab,
        lang_ptr=lp,
        lang_idx=li,
        lang_vocab=lang_vocab,
    )


def _share_had(ptr: Any, idx: Any, vocab: dict[str, int], have: frozenset[str]) -> Any:
    """Per row: the share of the row's items in ``have`` (1 for an empty row)."""
    n = len(ptr) - 1
    if len(idx) == 0:
        return np.ones(n)
    mark = np.zeros(len(vocab) + 1, dtype=np.int32)
    for h in have:
        j = vocab.get(h)
        if j is not None:
            mark[j] = 1
    cum = np.zeros(len(idx) + 1, dtype=np.int32)
    np.cumsum(mark[idx], out=cum[1:])
    got = cum[ptr[1:]] - cum[ptr[:-1]]
    counts = ptr[1:] - ptr[:-1]
    return np.divide(got, counts, out=np.ones(n), where=counts > 0)


def take(b: Block, rows: Any) -> Block:
    """The vacancies ``rows`` (indices) of ``b`` as a block of their own."""
    rows = np.asarray(rows, dtype=np.int64)

    def csr(ptr: Any, idx: Any) -> tuple[Any, Any]:
        counts = ptr[rows + 1] - ptr[rows]
        new = np.zeros(len(rows) + 1, dtype=np.int64)
        np.cumsum(counts, out=new[1:])
        at = np.repeat(ptr[rows] - new[:-1], counts) + np.arange(int(new[-1]), dtype=np.int64)
        return new, idx[at]

    sp, si = csr(b.skill_ptr, b.skill_idx)
    lp, li = csr(b.lang_ptr, b.lang_idx)
    return Block(
        ids=b.ids[rows],
        occupation=b.occupation[rows],
        occ_codes=b.occ_codes,
        county=b.county[rows],
        county_codes=b.county_codes,
        wage_max=b.wage_max[rows],
        education=b.education[rows],
        skill_ptr=sp,
        skill_idx=si,
        skill_vocab=b.skill_vocab,
        lang_ptr=lp,
        lang_idx=li,
        lang_vocab=b.lang_vocab,
    )


def score_block(seeker: SeekerFacts, b: Block, w: Weights) -> npt.NDArray[np.float64]:
    """The scores of every vacancy of ``b`` for ``seeker`` (the same as :func:`score`)."""
    n = len(b.ids)
    if n == 0:
        return np.zeros(0)
    pw = w.part_weights()
    occ_table = np.asarray(
        [
            _occ_credit(occupation_level(seeker.occupations, c), w, seeker.occupations)
            for c in b.occ_codes
        ]
    )
    dist_credit = {
        "same_county": w.same_county,
        "same_prefecture": w.same_prefecture,
        "elsewhere": w.elsewhere,
    }
    county_table = np.asarray([dist_credit[distance_level(seeker, c)] for c in b.county_codes])
    if seeker.wage_min:
        short = (seeker.wage_min - b.wage_max) / (seeker.wage_min * w.wage_tolerance)
        wage = np.where(b.wage_max >= seeker.wage_min, 1.0, np.clip(1.0 - short, 0.0, 1.0))
        if w.wage_tolerance <= 0:
            wage = (b.wage_max >= seeker.wage_min).astype(np.float64)
    else:
        wage = np.ones(n)
    edu = np.where((b.education < 0) | (_edu_rank(seeker.education) >= b.education), 1.0, 0.0)
    total = (
        pw["occupation"] * occ_table[b.occupation]
        + pw["skills"] * _share_had(b.skill_ptr, b.skill_idx, b.skill_vocab, seeker.skills)
        + pw["distance"] * county_table[b.county]
        + pw["wage"] * wage
        + pw["language"] * _share_had(b.lang_ptr, b.lang_idx, b.lang_vocab, seeker.languages)
        + pw["education"] * edu
    )
    out: npt.NDArray[np.float64] = np.clip(total, 0.0, 1.0)
    return out


def top(scores: npt.NDArray[np.float64], ids: npt.NDArray[np.int64], k: int) -> list[int]:
    """Indices of the ``k`` best scores, best first; ties broken by the smaller id."""
    if k <= 0 or len(scores) == 0:
        return []
    if len(scores) > k:
        part = np.argpartition(-scores, k - 1)[:k]
        cut = scores[part].min()
        part = np.flatnonzero(scores >= cut)
    else:
        part = np.arange(len(scores))
    order = np.lexsort((ids[part], -scores[part]))
    return [int(i) for i in part[order][:k]]


__all__ = [
    "EDUCATION_ORDER",
    "PARTS",
    "Block",
    "Reasons",
    "SeekerFacts",
    "VacancyFacts",
    "Weights",
    "block",
    "distance_level",
    "normalise",
    "occupation_level",
    "score",
    "score_block",
    "take",
    "top",
]
