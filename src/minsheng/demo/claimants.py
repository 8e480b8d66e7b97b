"""Demo pensioners (养老金领取人员) and their signs of life, through the real services, so that
the yearly certification scan over the demo (``minsheng pensions certification scan``) matches
as it would in the field: most claimants certified silently by data, a few county tasks, and a
few deaths that terminate with a recovery case.

- Claimants: residents of the demo registry aged 61+ in the resident medical scheme (up to
  :data:`CLAIMANTS`), enrolled in the resident pension scheme with 15 years of yearly
  contributions (written in bulk as the history before the demo's own two years), their account
  credited with the demo's crediting run, then claimed (``awards.claim``) about eleven months
  ago, so that this year's certification falls due now; each holds a social-security card with a
  bank account (98 % of people do, seed 000) and the month's roll has paid them.
- Signs of life within ``pensions.certification.recent_evidence_months``: a scan of the
  electronic card at a window (``cards.service.scan``) and/or an outpatient bill settled
  (``medical.service.settle``) — every claimant but :data:`NO_SIGN_SHARE` of them (the published
  provincial share certified by data matching is 97.8 %); the assistance demo's home visits
  count too where a claimant's household has a case.
- Deaths: :data:`DEATH_SHARE` of the claimants die about six weeks before today (recorded in the
  registry), after the roll paid them — the scan terminates them and opens the recovery case of
  the months paid after the death.

The shares are synthetic demo shapes (not policy), except the 97.8 % the no-sign share is set
from.
"""

from __future__ import annotations

import contextlib
import datetime as dt
from typing import Any

import numpy as np
from sqlalchemy import insert, select
from sqlalchemy.orm import Session, sessionmaker

from minsheng.cards import ecard
from minsheng.cards import service as cards
from minsheng.core.errors import MinshengError
from minsheng.db import unit_of_work
from minsheng.foundation.principals import system
from minsheng.medical import service as medical
from minsheng.medical.schemas import BillIn
from minsheng.pensions import awards, enrolment, rules
from minsheng.pensions import roll as rolls
from minsheng.pensions.certification import TASK_LEAD_DAYS
from minsheng.pensions.models import PnAccount, PnContribution
from minsheng.pensions.schemas import ClaimIn, EnrolIn
from minsheng.registry import service as registry
from minsheng.registry.models import Enrolment, Person
from minsheng.registry.schemas import PersonPatch

BY = system("demo")
WINDOW = system("demo-window")  # the service window that scans the electronic card

#: The unified resident scheme's first days (国发〔2014〕8号); the years before are the merged
#: 新农保 history (国发〔2009〕32号), as in the field
UNIFIED = dt.date(2014, 7, 1)
CLAIMANTS = 300  # demo bound: every claimant goes through the services one by one
CLAIM_DAYS = (2, 12, 22)  # days of the claim month the demo's claims were made on
NO_SIGN_SHARE = 0.022  # 1 − 97.8 % (published provincial share certified by data matching)
DEATH_SHARE = 0.005  # demo shape: claimants who died since the last roll
CARD_SCAN_SHARE = 0.9  # demo shape: of the living with a sign of life, an e-card scan
ALSO_BILL_SHARE = 0.6  # demo shape: of those scanned, also an outpatient bill


def _luhn_account(seed: int) -> str:
    body = f"621700{seed:09d}"
    total = 0
    for i, ch in enumerate(reversed(body)):
        d = int(ch) * (2 if i % 2 == 0 else 1)
        total += d - 9 if d > 9 else d
    return body + str((10 - total % 10) % 10)


def pick(factory: sessionmaker[Session], today: dt.date, exclude: set[int]) -> list[Any]:
    """The demo's claimants: residents aged 61+ (so they qualified a year ago) in the resident
    medical scheme, alive, in a household, not already in the demo's pension records."""
    born_by = dt.date(today.year - 61, today.month, 1) - dt.timedelta(days=62)
    with factory() as s:
        rows = s.execute(
            select(Person.id, Person.division_code)
            .join(Enrolment, Enrolment.person_id == Person.id)
            .where(
                Person.death_date.is_(None),
                Person.household_id.is_not(None),
                Person.birth_date <= born_by,
                Enrolment.scheme == "resident",
            )
            .order_by(Person.id)
        ).all()
    seen: set[int] = set()
    out = []
    for r in rows:
        if r.id in exclude or r.id in seen:
            continue
        seen.add(r.id)
        out.append(r)
        if len(out) == CLAIMANTS:
            break
    return out


def enrol(factory: sessionmaker[Session], claimants: list[Any], today: dt.date) -> list[int]:
    """Enrol each claimant with the contribution history before the demo's years (bulk)."""
    p = enrolment.params(today, None)  # the tier table in force (a synthetic history)
    years = p.int_("pensions.resident.full_years")  # the history written before the demo
    first = today.year - 2 - years
    tier, subsidy = p.tiers()[1]  # the second tier: the common choice above the minimum
    done: list[int] = []
    for c in claimants:
        with contextlib.suppress(MinshengError), unit_of_work(factory) as s:
            e = enrolment.enrol(
                s,
                EnrolIn(person_id=c.id, scheme="resident_pension", start_date=UNIFIED),
                BY,
            )
            s.execute(
                insert(PnContribution),
                [
                    {
                        "key": f"demo:{c.id}:{year}",
                        "person_id": c.id,
                        "enrolment_id": e.id,
                        "scheme": "resident_pension",
                        "kind": "regular",
                        "year": year,
                        "credit_year": year,
                        "individual": tier,
                        "employer": 0,
                        "subsidy": subsidy,
                        "government_paid": False,
                        "paid_by": "person",
                        "division_code": e.division_code,
                        "recorded_by": "demo",
                    }
                    for year in range(first, first + years)
                ],
            )
            s.add(PnAccount(person_id=c.id, scheme="resident_pension", balance=0))
            done.append(c.id)
    return done


def _claim_month(today: dt.date) -> dt.date:
    """The first of the month claimed in, so the next certification (12 months on) falls due
    within the task lead of today, and not before it."""
    following = awards.add_months(today, 1)
    back = 11 if (following - today).days <= TASK_LEAD_DAYS else 12
    return awards.add_months(today, -back)


def claim(
    factory: sessionmaker[Session],
    claimants: list[Any],
    enrolled: list[int],
    today: dt.date,
    rng: np.random.Generator,
) -> dict[str, Any]:
    """Claim, card with a bank account, the roll, signs of life and a few deaths."""
    county = {c.id: c.division_code for c in claimants}
    month = _claim_month(today)
    cards_of: dict[int, int] = {}
    for pid in enrolled:
        day = month + dt.timedelta(days=int(rng.choice(CLAIM_DAYS)))
        with contextlib.suppress(MinshengError), unit_of_work(factory) as s:
            awards.claim(s, ClaimIn(person_id=pid, scheme="resident_pension"), BY, today=day)
            card = cards.apply(s, pid, county[pid], BY, day - dt.timedelta(days=40))
            for action, back in (("make", 30), ("issue", 20), ("activate", 10)):
                cards.step(s, card.id, action, BY, day - dt.timedelta(days=back))
            cards.link_bank(s, card.id, "中国农业银行", _luhn_account(pid), BY)
            cards_of[pid] = card.id
    living = list(rng.permutation(sorted(cards_of)))
    deaths = max(1, round(DEATH_SHARE * len(living))) if living else 0
    dead, living = living[:deaths], living[deaths:]
    silent_free = round(NO_SIGN_SHARE * len(living))
    signs = living[silent_free:]
    scanned = [p for p in signs if rng.random() < CARD_SCAN_SHARE]
    scanned_set = set(scanned)
    billed = [p for p in signs if p not in scanned_set or rng.random() < ALSO_BILL_SHARE]
    with unit_of_work(factory) as s:
        paid = rolls.run(
            s, rules.month_text(rules.month_index(today.year, today.month)), "540000", BY, today
        )
    counts = {"claimants": len(cards_of), "scans": 0, "bills": 0, "deaths": 0}
    months = enrolment.params(today, None).int_("pensions.certification.recent_evidence_months")
    window = max(1, (today - awards.add_months(today, -months)).days - 2)
    for pid in scanned:
        at = dt.datetime.combine(
            today - dt.timedelta(days=int(rng.integers(1, window))), dt.time(10), dt.UTC
        )
        with contextlib.suppress(MinshengError), unit_of_work(factory) as s:
            code, _ = ecard.mint(cards_of[pid], at)
            cards.scan(s, code, WINDOW, at)
            counts["scans"] += 1
    for pid in billed:
        bill = BillIn.model_validate(
            {
                "patient": {"person_id": int(pid)},
                "facility_code": f"H{county[pid]}00002",
                "visit": "outpatient",
                "service_date": today - dt.timedelta(days=int(rng.integers(1, window))),
                "lines": [
                    {"code": "A1", "category": "甲", "unit_price": f"{rng.integers(30, 300)}.00"}
                ],
            }
        )
        with contextlib.suppress(MinshengError), unit_of_work(factory) as s:
            medical.settle(s, bill, BY)
            counts["bills"] += 1
    for pid in dead:
        with contextlib.suppress(MinshengError), unit_of_work(factory) as s:
            died = today - dt.timedelta(days=int(rng.integers(35, 50)))
            registry.update_person(s, int(pid), PersonPatch(death_date=died), BY)
            counts["deaths"] += 1
    return {**counts, "roll_payments": paid.new_payments, "no_sign": silent_free}
