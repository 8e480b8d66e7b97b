"""Finding a person at a desk (查找人员): one box that takes an ID number, a household code
(户号) or a name, answered only inside the caller's region.

- An ID-shaped query (18 characters, or the old 15 digits) is matched exactly through the keyed
  lookup hash — no clear ID number is stored or compared. A person registered outside the
  caller's region answers nothing, exactly like an unregistered number; a number with a wrong
  check character is refused with a field error (that is arithmetic, not a registry answer).
- Anything else matches a household code exactly (its members) or a part of the Chinese or
  Tibetan name, among people whose county lies in the region.

Answers carry the masked ID only (``ids.mask_id``), never the full number; a search is audited
without its text (the text may be an ID number)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import Select, func, or_, select
from sqlalchemy.orm import Session, selectinload

from minsheng.core import divisions, ids
from minsheng.foundation import audit
from minsheng.foundation.crypto import lookup_hash
from minsheng.foundation.principals import Principal
from minsheng.registry.models import Household, Person

MAX_LIMIT = 100  # rows in one answer, whatever the caller asks
MAX_QUERY = 64  # characters of a query; longer is cut (no name or code is that long)


@dataclass(frozen=True)
class PersonHit:
    """One person found: what a desk shows in a list (the ID masked)."""

    id: int
    id_masked: str
    name_zh: str
    name_bo: str | None
    sex: str
    birth_date: dt.date
    division_code: str
    household_id: int | None
    household_code: str | None
    relationship: str | None
    death_date: dt.date | None

    def name(self, lang: str = "zh") -> str:
        """The name in the page's language: the Tibetan one in a Tibetan page where it exists."""
        return self.name_bo if lang == "bo" and self.name_bo else self.name_zh

    def division_name(self, lang: str = "zh") -> str:
        return divisions.get(self.division_code).name(lang)


def hit(person: Person) -> PersonHit:
    return PersonHit(
        id=person.id,
        # re-masked on the way out, so a row stored under an older, wider mask leaks nothing
        id_masked=ids.mask_id(person.id_masked),
        name_zh=person.name_zh,
        name_bo=person.name_bo,
        sex=person.sex,
        birth_date=person.birth_date,
        division_code=person.division_code,
        household_id=person.household_id,
        household_code=person.household.code if person.household else None,
        relationship=person.relationship_to_head,
        death_date=person.death_date,
    )


def looks_like_id(q: str) -> bool:
    """Whether a query is an ID number's shape (then it is matched exactly, or refused)."""
    s = q.strip().upper()
    return (len(s) == 18 and s[:17].isdigit() and (s[17].isdigit() or s[17] == "X")) or (
        len(s) == 15 and s.isdigit()
    )


def _like(text: str) -> str:
    escaped = text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


def _statement(q: str, by: Principal) -> Select[Person] | None:
    """The people ``q`` matches inside ``by``'s region, or None when nothing can match."""
    text = q.strip()[:MAX_QUERY]
    if not text:
        return None
    stmt = select(Person)
    scope = by.covered_codes()
    if scope is not None:
        if not scope:
            return None
        stmt = stmt.where(Person.division_code.in_(scope))
    if looks_like_id(text):
        parsed = ids.parse_resident_id(text, "q")  # a wrong check character: a field error
        return stmt.where(Person.id_hash == lookup_hash(parsed.number))
    households = select(Household.id).where(Household.code == text)
    if scope is not None:
        households = households.where(Household.division_code.in_(scope))
    like = _like(text)
    return stmt.where(
        or_(
            Person.household_id.in_(households),
            Person.name_zh.like(like, escape="\\"),
            Person.name_bo.like(like, escape="\\"),
        )
    )


def find_persons(
    session: Session, q: str, by: Principal, *, limit: int = 20, offset: int = 0
) -> list[PersonHit]:
    """People in ``by``'s region matching ``q`` (an ID number exactly, a household code, or a
    part of a name), ordered by household then name; at most ``MAX_LIMIT`` rows."""
    stmt = _statement(q, by)
    if stmt is None:
        return []
    rows = session.scalars(
        stmt.options(selectinload(Person.household))
        .order_by(Person.household_id, Person.name_zh, Person.id)
        .limit(max(1, min(limit, MAX_LIMIT)))
        .offset(max(0, offset))
    ).all()
    found = [hit(p) for p in rows]
    audit.record(
        session,
        by,
        "search",
        "person",
        None,
        by.region,
        {"via": "id_number" if looks_like_id(q) else "name_or_household", "results": len(found)},
    )
    return found


def count_persons(session: Session, q: str, by: Principal) -> int:
    """How many people :func:`find_persons` would page through (for "page 2 of 5")."""
    stmt = _statement(q, by)
    if stmt is None:
        return 0
    return session.scalar(select(func.count()).select_from(stmt.subquery())) or 0
