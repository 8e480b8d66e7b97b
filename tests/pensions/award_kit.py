"""Helpers of the award, roll and certification tests: a claimant with a contribution history,
an account balance and (optionally) a card with a bank account."""

from __future__ import annotations

import datetime as dt

from sqlalchemy.orm import Session

from minsheng.cards import service as cards
from minsheng.core import ids
from minsheng.foundation.principals import system
from minsheng.pensions import awards, enrolment
from minsheng.pensions.models import PnAccount, PnAward, PnContribution
from minsheng.pensions.schemas import ClaimIn, EnrolIn
from minsheng.registry import service as registry
from minsheng.registry.schemas import PersonIn

BY = system("test")
TODAY = dt.date(2025, 6, 30)


def luhn_account(seed: int) -> str:
    """A 16-digit account number with a valid check digit."""
    body = f"622202{seed:09d}"
    total = 0
    for i, ch in enumerate(reversed(body)):
        d = int(ch)
        if i % 2 == 0:
            d *= 2
            d -= 9 if d > 9 else 0
        total += d
    return body + str((10 - total % 10) % 10)


def resident(
    s: Session,
    seq: int,
    *,
    county: str = "540102",
    born: dt.date = dt.date(1960, 3, 15),
    years: int = 15,
    balance: int = 1_390_000,
    bank: bool = True,
) -> int:
    """A resident born ``born`` enrolled in the resident scheme with ``years`` yearly
    contributions and the credited ``balance`` (fen); a card with a bank account if ``bank``."""
    person = registry.create_person(
        s,
        PersonIn(id_number=ids.make_resident_id(county, born, seq), name_zh="测试", hukou="rural"),
        BY,
    )
    e = enrolment.enrol(
        s,
        EnrolIn(person_id=person.id, scheme="resident_pension", start_date=dt.date(2015, 1, 1)),
        BY,
    )
    for year in range(2024 - years + 1, 2025):
        s.add(
            PnContribution(
                key=f"test:{person.id}:{year}",
                person_id=person.id,
                enrolment_id=e.id,
                scheme="resident_pension",
                kind="regular",
                year=year,
                credit_year=year,
                individual=20000,
                employer=0,
                subsidy=3000,
                government_paid=False,
                paid_by="person",
                division_code=county,
                recorded_by="test",
            )
        )
    s.add(PnAccount(person_id=person.id, scheme="resident_pension", balance=balance))
    if bank:
        card = cards.apply(s, person.id, county, BY, TODAY)
        cards.link_bank(s, card.id, "中国银行", luhn_account(person.id), BY)
    s.flush()
    return person.id


def claim(s: Session, pid: int, start: str | None = None, today: dt.date = TODAY) -> PnAward:
    return awards.claim(
        s, ClaimIn(person_id=pid, scheme="resident_pension", start=start), BY, today=today
    )
