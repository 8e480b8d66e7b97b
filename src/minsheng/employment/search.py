"""Full-text search over vacancies and seeker profiles, one interface on both databases.

Each searchable record has one row in ``em_search_docs`` holding its tokens
(:mod:`match_text`: jieba words and their characters, Tibetan syllables, Latin words):

- a **vacancy** while it is published — its title, occupation names (zh/bo/en), skills,
  requirements and the employer's name;
- a **seeker** while they consent and are active — their skills, certificates, major and the
  names of the occupations they want.

The writers keep it in step: :func:`index_vacancy` after a vacancy is created, edited,
published, refused, closed or taken down; :func:`index_seeker` after a seeker's profile,
consent or state changes; :func:`reindex` rebuilds everything (``minsheng employment
reindex``). Each call removes the row when the record is no longer searchable.

A query is cut the same way; every term must match (a Chinese word matches as the word or as
its bigrams in a row). SQLite answers through FTS5 ranked by ``bm25``; PostgreSQL through a
``tsvector`` under a GIN index ranked by ``ts_rank`` — both pick the same records (tests run the
same cases on both), ties broken by the newer record first.
"""

from __future__ import annotations

import datetime as dt
import json
from collections import defaultdict
from dataclasses import dataclass
from typing import Any

from sqlalchemy import (
    Float,
    bindparam,
    cast,
    column,
    delete,
    desc,
    func,
    insert,
    literal,
    literal_column,
    or_,
    select,
    table,
    text,
)
from sqlalchemy.dialects.postgresql import TSQUERY, TSVECTOR
from sqlalchemy.orm import Session

from minsheng.employment import match_text, occupations
from minsheng.employment.match_models import EmSearchDoc
from minsheng.employment.matching import open_vacancies
from minsheng.employment.seeker_models import EmSeeker
from minsheng.employment.vacancy_models import EmVacancy
from minsheng.foundation.principals import Principal
from minsheng.registry.models import Employer

FTS = table("em_search_fts", column("rowid"))  # SQLite only (migration 0027)
MAX_LIMIT = 50
MAX_OFFSET = 1000
SNIPPET = 40  # characters either side of the first hit


@dataclass(frozen=True)
class Hit:
    id: int
    score: float
    snippet: str

    def as_dict(self) -> dict[str, object]:
        return {"id": self.id, "score": round(self.score, 6), "snippet": self.snippet}


def now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def _list(value: str | None) -> list[str]:
    try:
        data = json.loads(value or "[]")
    except ValueError:
        return []
    return [str(v) for v in data] if isinstance(data, list) else []


def _occupation_names(code: str) -> list[str]:
    """The names of the code's group, or of its nearest shipped ancestor."""
    table = occupations.table()
    while code and code not in table:
        code = code.rsplit("-", 1)[0] if "-" in code else ""
    found = table.get(code)
    return [found.zh, found.bo, found.en] if found else []


def vacancy_text(v: EmVacancy, employer_name: str | None) -> str:
    return match_text.text(
        v.title,
        *_occupation_names(v.occupation),
        *_list(v.skills),
        v.requirements,
        employer_name,
    )


def seeker_text(s: EmSeeker) -> str:
    names = [n for code in _list(s.occupations) for n in _occupation_names(code)]
    return match_text.text(*_list(s.skills), *_list(s.certificates), s.major, *names)


def tsvector_literal(body: str) -> str:
    """``body``'s tokens as a tsvector's text (positions kept; no parsing, no stemming)."""
    positions: dict[str, list[int]] = defaultdict(list)
    for i, token in enumerate(body.split(), start=1):
        if len(positions[token]) < 256:
            positions[token].append(min(i, 16383))
    return " ".join(f"'{t}':{','.join(map(str, p))}" for t, p in positions.items())


def _store(session: Session, kind: str, ref_id: int, division: str, occ: str, body: str) -> None:
    doc = session.scalar(
        select(EmSearchDoc).where(EmSearchDoc.kind == kind, EmSearchDoc.ref_id == ref_id)
    )
    if doc is None:
        doc = EmSearchDoc(kind=kind, ref_id=ref_id)
        session.add(doc)
    doc.division_code, doc.occupation, doc.body, doc.updated_at = division, occ, body, now()
    if session.get_bind().dialect.name == "postgresql":
        doc.tsv = cast(literal(tsvector_literal(body)), TSVECTOR)
    session.flush()


_DROP = delete(EmSearchDoc).where(
    EmSearchDoc.kind == bindparam("kind"), EmSearchDoc.ref_id == bindparam("ref_id")
)


def _drop(session: Session, kind: str, ref_id: int) -> None:
    session.execute(_DROP, {"kind": kind, "ref_id": ref_id})


def index_vacancy(session: Session, vacancy_id: int) -> bool:
    """Bring the vacancy's search row in step; True when it is searchable."""
    v = session.get(EmVacancy, vacancy_id)
    if v is None or v.state != "published":
        _drop(session, "vacancy", vacancy_id)
        return False
    name = session.scalar(select(Employer.name).where(Employer.id == v.employer_id))
    _store(session, "vacancy", v.id, v.division_code, v.occupation, vacancy_text(v, name))
    return True


def index_seeker(session: Session, seeker_id: int, *, new: bool = False) -> bool:
    """Bring the seeker's search row in step; True when the profile is searchable. ``new``: the
    record was created in this transaction (it has no row yet to drop)."""
    s = session.get(EmSeeker, seeker_id)
    if s is None or not s.consent or s.state != "active":
        if not new:
            _drop(session, "seeker", seeker_id)
        return False
    first = (_list(s.occupations) or [""])[0]
    _store(session, "seeker", s.id, s.division_code, first[:10], seeker_text(s))
    return True


def reindex(session: Session) -> dict[str, int]:
    """Rebuild every search row from the tables; the counts indexed."""
    session.execute(delete(EmSearchDoc))
    pg = session.get_bind().dialect.name == "postgresql"
    at = now()
    rows: list[dict[str, Any]] = []
    names = {i: n for i, n in session.execute(select(Employer.id, Employer.name)).all()}
    for v in session.scalars(select(EmVacancy).where(EmVacancy.state == "published")):
        body = vacancy_text(v, names.get(v.employer_id))
        rows.append(
            {
                "kind": "vacancy",
                "ref_id": v.id,
                "division_code": v.division_code,
                "occupation": v.occupation,
                "body": body,
            }
        )
    n_vacancies = len(rows)
    seekers = select(EmSeeker).where(EmSeeker.consent.is_(True), EmSeeker.state == "active")
    for s in session.scalars(seekers):
        rows.append(
            {
                "kind": "seeker",
                "ref_id": s.id,
                "division_code": s.division_code,
                "occupation": (_list(s.occupations) or [""])[0][:10],
                "body": seeker_text(s),
            }
        )
    for r in rows:
        r["updated_at"] = at
        r["tsv"] = tsvector_literal(r["body"]) if pg else None
    for i in range(0, len(rows), 5000):
        _bulk(session, rows[i : i + 5000], pg)
    return {"vacancies": n_vacancies, "seekers": len(rows) - n_vacancies}


def _bulk(session: Session, rows: list[dict[str, Any]], pg: bool) -> None:
    if not rows:
        return
    if pg:
        session.execute(
            text(
                "INSERT INTO em_search_docs (kind, ref_id, division_code, occupation, body, tsv,"
                " updated_at) VALUES (:kind, :ref_id, :division_code, :occupation, :body,"
                " CAST(:tsv AS tsvector), :updated_at)"
            ),
            rows,
        )
    else:
        session.execute(insert(EmSearchDoc), rows)


def _fts5(groups: list[tuple[str, ...]], any_: bool) -> str:
    def alt(g: tuple[str, ...]) -> str:
        word = f'"{g[0]}"'
        if len(g) == 1:
            return word
        chars = " ".join(g[1:])
        return f'({word} OR "{chars}")'

    return (" OR " if any_ else " AND ").join(alt(g) for g in groups)


def _tsquery(groups: list[tuple[str, ...]], any_: bool) -> str:
    def alt(g: tuple[str, ...]) -> str:
        word = f"'{g[0]}'"
        if len(g) == 1:
            return word
        chars = " <-> ".join(f"'{c}'" for c in g[1:])
        return f"({word} | ({chars}))"

    return (" | " if any_ else " & ").join(alt(g) for g in groups)


def _ranked(session: Session, groups: list[tuple[str, ...]], any_: bool) -> tuple[Any, Any, Any]:
    """(doc ids query restriction, score column, from-clause) for the matching docs."""
    if session.get_bind().dialect.name == "postgresql":
        query = cast(literal(_tsquery(groups, any_)), TSQUERY)
        rank = func.ts_rank(EmSearchDoc.tsv, query)
        return EmSearchDoc.tsv.op("@@")(query), cast(rank, Float), None
    where = text("em_search_fts MATCH :fts_q").bindparams(fts_q=_fts5(groups, any_))
    score = -func.bm25(literal_column("em_search_fts"))
    return where, cast(score, Float), FTS


def _place(query: Any, county: str | None, occupation: str | None) -> Any:
    if county:
        if county.endswith("00"):  # a prefecture (or the region): its counties
            query = query.where(EmSearchDoc.division_code.like(f"{county.rstrip('0')[:4]}%"))
        else:
            query = query.where(EmSearchDoc.division_code == county)
    if occupation:
        query = query.where(
            or_(
                EmSearchDoc.occupation == occupation, EmSearchDoc.occupation.like(f"{occupation}-%")
            )
        )
    return query


def snippet(source: str, groups: list[tuple[str, ...]]) -> str:
    """The part of ``source`` around the first query word found in it."""
    source = " ".join(source.split())
    lowered = source.lower()
    hits = [lowered.find(t) for g in groups for t in g if t and lowered.find(t) >= 0]
    at = min(hits) if hits else 0
    start = max(0, at - SNIPPET)
    out = source[start : at + SNIPPET * 2]
    return ("…" if start else "") + out + ("…" if at + SNIPPET * 2 < len(source) else "")


def _bounds(limit: int, offset: int) -> tuple[int, int]:
    return max(1, min(int(limit), MAX_LIMIT)), max(0, min(int(offset), MAX_OFFSET))


def search_vacancies(
    session: Session,
    q: str | None,
    *,
    county: str | None = None,
    occupation: str | None = None,
    limit: int = 20,
    offset: int = 0,
    today: dt.date | None = None,
    any_terms: bool = False,
) -> list[Hit]:
    """Open vacancies matching ``q`` (every term; ``any_terms``: any), best first; an empty
    query lists the newest. Public: only published, open postings are ever answered."""
    limit, offset = _bounds(limit, offset)
    groups = match_text.query_groups(q)
    day = today or dt.date.today()
    if groups:
        found = _top_first(session, groups, any_terms, county, occupation, limit, offset, day)
        if found is not None:
            return found
    base = select(EmVacancy.id, EmVacancy.title, EmVacancy.requirements).join(
        EmSearchDoc, (EmSearchDoc.ref_id == EmVacancy.id) & (EmSearchDoc.kind == "vacancy")
    )
    if groups:
        where, score, source = _ranked(session, groups, any_terms)
        query = base.add_columns(score.label("score")).where(where)
        if source is not None:
            query = query.join(source, source.c.rowid == EmSearchDoc.id)
        order: list[Any] = [desc("score"), EmVacancy.id.desc()]
    else:
        query = base.add_columns(literal(0.0, Float).label("score"))
        order = [EmVacancy.id.desc()]
    query = open_vacancies(_place(query, county, occupation), day)
    rows = session.execute(query.order_by(*order).limit(limit).offset(offset)).all()
    return [
        Hit(r.id, float(r.score or 0.0), snippet(f"{r.title} {r.requirements}", groups))
        for r in rows
    ]


def _top_first(
    session: Session,
    groups: list[tuple[str, ...]],
    any_terms: bool,
    county: str | None,
    occupation: str | None,
    limit: int,
    offset: int,
    day: dt.date,
) -> list[Hit] | None:
    """The best matches from the index alone (no join while ranking), then the open ones among
    them — the same answer as the full query whenever enough of them are still open (else
    None: the caller runs the full query)."""
    cap = (offset + limit) * 3 + 30
    where, score, source = _ranked(session, groups, any_terms)
    first = select(EmSearchDoc.ref_id, score.label("score")).where(
        where, EmSearchDoc.kind == "vacancy"
    )
    if source is not None:
        first = first.join(source, source.c.rowid == EmSearchDoc.id)
    first = _place(first, county, occupation).order_by(desc("score"), EmSearchDoc.ref_id.desc())
    ranked = session.execute(first.limit(cap)).all()
    scores = {int(r.ref_id): float(r.score or 0.0) for r in ranked}
    # by primary key, the open test in Python: with it in SQL the planner would walk the
    # (state, closing) index over every published posting instead of the ids in hand
    found = session.execute(
        select(*_OPEN_COLUMNS, EmVacancy.title, EmVacancy.requirements).where(
            EmVacancy.id.in_(list(scores))
        )
    ).all()
    rows = [r for r in found if _is_open(r, day)]
    if len(ranked) == cap and len(rows) < offset + limit:
        return None
    rows = sorted(rows, key=lambda r: (-scores[r.id], -r.id))[offset : offset + limit]
    return [Hit(r.id, scores[r.id], snippet(f"{r.title} {r.requirements}", groups)) for r in rows]


_OPEN_COLUMNS = (
    EmVacancy.id,
    EmVacancy.state,
    EmVacancy.closing_on,
    EmVacancy.filled,
    EmVacancy.count,
)


def _is_open(row: Any, day: dt.date) -> bool:
    """:func:`matching.open_vacancies`' test on a row in hand."""
    return bool(row.state == "published" and row.closing_on >= day and row.filled < row.count)


def search_seekers(
    session: Session,
    q: str | None,
    *,
    by: Principal,
    county: str | None = None,
    occupation: str | None = None,
    limit: int = 20,
    offset: int = 0,
) -> list[Hit]:
    """Consenting, active seekers whose profile matches ``q``, in the caller's region (staff)
    — an employer's recruiter searches every consenting seeker (consent is to be shown to
    employers). Anyone else finds nobody."""
    limit, offset = _bounds(limit, offset)
    if not (by.kind == "system" or by.can("employment:read") or by.can("employment:employer")):
        return []
    groups = match_text.query_groups(q)
    base = select(EmSeeker.id, EmSeeker.skills, EmSeeker.major).join(
        EmSearchDoc, (EmSearchDoc.ref_id == EmSeeker.id) & (EmSearchDoc.kind == "seeker")
    )
    base = base.where(EmSeeker.consent.is_(True), EmSeeker.state == "active")
    if by.kind != "system" and not by.can("employment:employer"):
        codes = by.covered_codes()
        if codes is not None:
            base = base.where(EmSeeker.division_code.in_(codes))
    if groups:
        where, score, source = _ranked(session, groups, False)
        query = base.add_columns(score.label("score")).where(where)
        if source is not None:
            query = query.join(source, source.c.rowid == EmSearchDoc.id)
        order: list[Any] = [desc("score"), EmSeeker.id.desc()]
    else:
        query = base.add_columns(literal(0.0, Float).label("score"))
        order = [EmSeeker.id.desc()]
    rows = session.execute(
        _place(query, county, occupation).order_by(*order).limit(limit).offset(offset)
    ).all()
    return [
        Hit(
            r.id,
            float(r.score or 0.0),
            snippet(" ".join([*_list(r.skills), r.major or ""]), groups),
        )
        for r in rows
    ]


__all__ = [
    "MAX_LIMIT",
    "Hit",
    "index_seeker",
    "index_vacancy",
    "reindex",
    "search_seekers",
    "search_vacancies",
    "seeker_text",
    "snippet",
    "tsvector_literal",
    "vacancy_text",
]
