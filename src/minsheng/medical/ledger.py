"""The running totals of each person-year (``LedgerYear``): locked for a settlement, posted
and taken back exactly, personal accounts debited in order, and a whole year replayed under
other rules (:func:`replay_year`)."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

import numpy as np
from sqlalchemy import bindparam, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from minsheng.core.errors import (
    ConflictError,
)
from minsheng.medical import rules
from minsheng.medical.models import LedgerYear, PersonalAccount, Settlement
from minsheng.policy import ParameterTree, load

TOTAL_FIELDS = (
    "op_deductible",
    "op_paid",
    "ip_paid",
    "ci_base",
    "ci_paid",
    "as_deductible",
    "as_paid",
    "op_cost",  # the year's cost above the deductible (bands, ceilings)
    "ip_cost",
    "ta_paid",  # 倾斜救助 paid (its yearly limit)
    "cm_deductible",  # the commercial layer's yearly deductible used, and what it paid (its cap)
    "cm_paid",
)


# ----------------------------------------------------------------------------- ledger


def _new_row(pg: bool) -> Any:
    ins = postgresql.insert if pg else sqlite.insert
    zeros = {f: 0 for f in (*TOTAL_FIELDS, "admissions", "settlements")}
    values = {"person_id": bindparam("person_id"), "year": bindparam("year"), **zeros}
    return ins(LedgerYear).values(values).on_conflict_do_nothing()


# The statements of a settlement's lock, built once (every settlement runs them).
_NEW_ROW = {False: _new_row(False), True: _new_row(True)}
_LOCK = (
    select(LedgerYear)
    .where(LedgerYear.person_id == bindparam("person_id"), LedgerYear.year == bindparam("year"))
    .with_for_update()
    .execution_options(populate_existing=True)
)


def _lock(session: Session, person_id: int, year: int) -> LedgerYear:
    """The person's totals for the year, locked until commit (row lock on PostgreSQL; on SQLite
    the unit of work already holds the write lock from ``BEGIN IMMEDIATE``)."""
    key = {"person_id": person_id, "year": year}
    session.execute(_NEW_ROW[session.get_bind().dialect.name == "postgresql"], key)
    ledger = session.scalar(_LOCK, key)
    assert ledger is not None
    return ledger


def _before(ledger: LedgerYear | None) -> rules.Totals:
    return rules.Totals(
        *[np.array([getattr(ledger, f) if ledger else 0], dtype=np.int64) for f in TOTAL_FIELDS]
    )


def _post(ledger: Any, s: Any, sign: int) -> None:
    """Add (or take out) one settlement's amounts to the running totals (``ledger``: a
    ``LedgerYear``, or a batch's copy of one; ``s``: a ``Settlement`` or its values)."""
    inpatient = s.visit == "inpatient"
    ledger.op_deductible += sign * abs(s.op_deductible)
    ledger.op_paid += sign * (0 if inpatient else abs(s.basic))
    ledger.ip_paid += sign * (abs(s.basic) if inpatient else 0)
    ledger.ci_base += sign * abs(s.ci_base)
    ledger.ci_paid += sign * abs(s.ci)
    ledger.as_deductible += sign * abs(s.as_deductible)
    ledger.as_paid += sign * abs(s.assistance)
    ledger.op_cost += sign * (0 if inpatient else abs(s.basic_above))
    ledger.ip_cost += sign * (abs(s.basic_above) if inpatient else 0)
    ledger.ta_paid += sign * abs(s.tilted or 0)
    ledger.cm_deductible += sign * abs(s.cm_deductible)
    ledger.cm_paid += sign * abs(s.commercial or 0)
    ledger.admissions += sign * (1 if inpatient else 0)
    ledger.settlements += sign


def _debit(session: Session, order: list[int], amount: int) -> list[list[int]]:
    """Take ``amount`` from the accounts in order (locked: row locks on PostgreSQL)."""
    balances: dict[int, int] = {}
    accounts: dict[int, PersonalAccount] = {}
    for person_id in order:
        acct = session.scalar(
            select(PersonalAccount).where(PersonalAccount.person_id == person_id).with_for_update()
        )
        if acct is not None:
            accounts[person_id], balances[person_id] = acct, acct.balance
    debits = debit(balances, order, amount)
    for person_id, take in debits:
        accounts[person_id].balance -= take
    return debits


def debit(balances: dict[int, int], order: list[int], amount: int) -> list[list[int]]:
    """Take ``amount`` from the ``balances`` (locked) of the accounts in ``order``, in order
    (changed in place): the debits [[person_id, fen], …], or a 409 if they no longer cover it."""
    debits: list[list[int]] = []
    left = amount
    for person_id in order:
        if left <= 0:
            break
        if person_id not in balances:
            continue
        take = min(balances[person_id], left)
        balances[person_id] -= take
        left -= take
        debits.append([person_id, take])
    if left > 0:
        raise ConflictError(
            "account",
            "balance_changed",
            "个人账户余额已变化，请重新结算",
            "an account balance changed; settle again",
        )
    return debits


def totals(session: Session, person_id: int, year: int) -> dict[str, int]:
    ledger = session.get(LedgerYear, (person_id, year))
    return {
        f: getattr(ledger, f) if ledger else 0 for f in (*TOTAL_FIELDS, "admissions", "settlements")
    }


def replay_year(
    session: Session,
    year: int,
    as_of: dt.date | None = None,
    tree: ParameterTree | None = None,
    progress: Any = None,
) -> dict[str, Any]:
    """Recompute every settled (not reversed) bill of ``year`` under the rules in force on
    ``as_of`` (default: the year's last day, or today), one vectorised pass per pooling region,
    and compare with what was paid."""
    as_of = as_of or min(dt.date(year, 12, 31), dt.date.today())
    rows = session.execute(
        select(
            Settlement.person_id,
            Settlement.inputs,
            Settlement.basic,
            Settlement.ci,
            Settlement.assistance,
            Settlement.tilted,
            Settlement.commercial,
        )
        .where(
            Settlement.year == year,
            Settlement.kind == "settle",
            Settlement.reversed_by_id.is_(None),
        )
        .order_by(Settlement.person_id, Settlement.id)
    ).all()
    by_region: dict[str, list[Any]] = {}
    for r in rows:
        inputs = json.loads(r.inputs)
        by_region.setdefault(inputs["pooling_region"], []).append((r, inputs))
    funds = ("basic", "ci", "assistance", "patient")
    # 倾斜救助 and the commercial layer, paid at the window where a region's order has them
    # (NULL, i.e. 0, where it had not): what each would pay under ``tree`` against what it paid
    beyond = ("tilted", "commercial")
    report: dict[str, Any] = {
        "year": year,
        "as_of": as_of.isoformat(),
        "bills": len(rows),
        "regions": {},
    }
    replayed = (*funds[:3], *beyond, funds[3])
    paid_funds = (*funds[:3], *beyond)
    sums = dict.fromkeys([f"{f}_paid" for f in paid_funds] + [f"{f}_replayed" for f in replayed], 0)
    changed = 0
    for i, (region, items) in enumerate(sorted(by_region.items())):
        params = rules.MedicalParams.from_snapshot((tree or load()).at(as_of, region))
        bills = rules.Bills.of([inp for _, inp in items])
        keys = np.array([r.person_id for r, _ in items], dtype=np.int64)
        result = rules.replay(keys, bills, params)
        paid = {
            f: np.array([getattr(r, f) or 0 for r, _ in items], dtype=np.int64) for f in paid_funds
        }
        diff = np.zeros(len(items), dtype=np.bool_)
        for f in paid_funds:
            diff |= paid[f] != getattr(result, f)
        changed += int(diff.sum())
        region_report = {f"{f}_replayed": int(getattr(result, f).sum()) for f in replayed}
        region_report |= {f"{f}_paid": int(paid[f].sum()) for f in paid_funds}
        region_report["bills"] = len(items)
        report["regions"][region] = region_report
        for k, v in region_report.items():
            if k in sums:
                sums[k] += v
        if progress:
            progress(i + 1, len(by_region))
    report["totals"] = sums
    report["bills_changed"] = changed
    return report
