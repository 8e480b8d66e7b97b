"""The person's facts the person-dependent terms read (``person_terms.py``), worked out at the
window from the registry and the ledger, and kept in the settlement's stored ``inputs`` so that
a year replays with them:

- **age** (``age``): whole years on the date of service, from ``persons.birth_date`` — a
  birthday counts on the day itself; 29 February's children turn a year older on 1 March in
  common years;
- **years of continuous enrolment** (``enrolled_years``, 连续参保年限): the whole calendar years
  just before the bill's year that the person's enrolment periods cover on every day, counted
  back from last year to the first year with a gap. Any basic medical scheme counts: moving
  between the employees' and the residents' schemes without a gap keeps the enrolment
  continuous (Minsheng's reading; seed 001 names 连续参保 without defining it — a region that
  counts contribution months instead needs the contribution record, which Minsheng does not
  keep);
- **zero-claim years** (``zero_claim_years``, 零报销年度): of those years, the consecutive ones
  up to last year in which basic insurance and 大病 paid the person nothing (the ledger's
  ``op_paid + ip_paid + ci_paid``, net of reversals, is 0, or the year has no ledger row).

Both counts stop at :data:`MAX_YEARS`, far above any term's ``from_years`` and ``max``.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from sqlalchemy import select
from sqlalchemy.orm import Session

from minsheng.medical.models import LedgerYear

MAX_YEARS = 100  # a life of enrolment: no term counts further back

Period = tuple[dt.date, dt.date | None]  # start, end (inclusive; None: open)


def age_on(born: dt.date | None, day: dt.date) -> int:
    """Whole years of age on ``day``; −1 when the birth date is unknown."""
    if born is None:
        return -1
    return day.year - born.year - ((day.month, day.day) < (born.month, born.day))


def covered(periods: Iterable[Period], start: dt.date, end: dt.date) -> bool:
    """Whether the periods together cover every day from ``start`` to ``end``."""
    day = start
    for s, e in sorted(periods, key=lambda p: p[0]):
        if e is not None and e < day:
            continue
        if s > day:
            return False
        if e is None or e >= end:
            return True
        day = e + dt.timedelta(days=1)
    return day > end


def enrolled_years(periods: Iterable[Period], year: int) -> int:
    """Consecutive whole calendar years before ``year`` covered by the periods."""
    spans = list(periods)
    count = 0
    while count < MAX_YEARS:
        y = year - 1 - count
        if y < dt.MINYEAR or not covered(spans, dt.date(y, 1, 1), dt.date(y, 12, 31)):
            break
        count += 1
    return count


def zero_claim_years(session: Session, person_id: int, year: int, enrolled: int) -> int:
    """Consecutive years up to last year, each among the ``enrolled`` ones, in which basic
    insurance and 大病 paid the person nothing."""
    rows = session.execute(
        select(LedgerYear.year, LedgerYear.op_paid + LedgerYear.ip_paid + LedgerYear.ci_paid)
        .where(LedgerYear.person_id == person_id)
        .where(LedgerYear.year < year)
        .where(LedgerYear.year >= year - enrolled)
    ).all()
    paid = {int(y): int(fen or 0) for y, fen in rows}
    count = 0
    while count < enrolled and not paid.get(year - 1 - count, 0):
        count += 1
    return count
