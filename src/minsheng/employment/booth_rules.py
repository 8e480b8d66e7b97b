"""Booth allocation at a job fair (展位分配), pure: no database, no clock.

Employers whose applications the organiser accepted are grouped by industry — the major
occupation group (职业大类) most of their vacancies belong to (:func:`major_group`) — and the
groups laid out as zones in the order of their codes. Inside a group, employers bringing more
posts choose first (then the employer's id). Each takes the first free booth, in booth-number
order (:func:`booth_key`: ``A2`` before ``A10``), of the class it asked for whose capacity holds
its posts. No booth ever gets two employers; an employer for whom no such booth is free is left
unplaced (``Plan.unplaced``), for the organiser to place by hand or refuse. The same input gives
the same plan.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field


@dataclass(frozen=True)
class Booth:
    id: int
    number: str
    klass: str
    capacity: int


@dataclass(frozen=True)
class Applicant:
    id: int  # the application's id
    employer_id: int
    klass: str  # the booth class asked for
    posts: int  # the vacancies it brings
    group: str  # its industry: a major occupation group


@dataclass(frozen=True)
class Plan:
    seats: dict[int, int] = field(default_factory=dict)  # application id → booth id
    zones: dict[int, str] = field(default_factory=dict)  # booth id → group of its employer
    unplaced: tuple[int, ...] = ()  # application ids with no fitting free booth


_PART = re.compile(r"(\d+)")


def booth_key(number: str) -> tuple[tuple[int, int | str], ...]:
    """A natural sort key for booth numbers: ``A2`` < ``A10`` < ``B1``."""
    return tuple((1, int(p)) if p.isdigit() else (0, p) for p in _PART.split(number) if p)


def major_group(occupations: Iterable[str]) -> str:
    """The major group most of ``occupations`` fall in (ties: the smallest code); "0" when
    there are none."""
    counts = Counter(code.split("-", 1)[0] for code in occupations if code)
    if not counts:
        return "0"
    best = max(counts.values())
    return min(g for g, n in counts.items() if n == best)


def fits(booth: Booth, applicant: Applicant, *, same_class: bool = True) -> bool:
    """Whether ``applicant`` may take ``booth`` (its class, unless a person places it by
    hand, and always a capacity holding its posts)."""
    if same_class and booth.klass != applicant.klass:
        return False
    return booth.capacity >= applicant.posts


def allocate(booths: Sequence[Booth], applicants: Sequence[Applicant]) -> Plan:
    """The allocation plan of ``applicants`` over ``booths`` (see the module)."""
    free = sorted(booths, key=lambda b: (booth_key(b.number), b.id))
    taken: set[int] = set()
    seats: dict[int, int] = {}
    zones: dict[int, str] = {}
    unplaced: list[int] = []
    seen: set[int] = set()
    ordered = sorted(applicants, key=lambda a: (a.group, -a.posts, a.employer_id, a.id))
    for a in ordered:
        if a.employer_id in seen:  # one booth per employer whatever the input holds
            unplaced.append(a.id)
            continue
        seen.add(a.employer_id)
        booth = next((b for b in free if b.id not in taken and fits(b, a)), None)
        if booth is None:
            unplaced.append(a.id)
            continue
        taken.add(booth.id)
        seats[a.id] = booth.id
        zones[booth.id] = a.group
    return Plan(seats=seats, zones=zones, unplaced=tuple(sorted(unplaced)))


__all__ = ["Applicant", "Booth", "Plan", "allocate", "booth_key", "fits", "major_group"]
