"""Individual accounts (个人账户): the yearly crediting with the 记账利率 of the year, a
statement per account and year, and the monthly credit to employees' medical personal
accounts (through medical's published command).

Crediting reads columns (balance, the year's credits), computes in numpy with
:func:`minsheng.pensions.rules.credit_interest`, and writes statements and balances back in
bulk — all in the caller's one transaction, so a run that dies half-way leaves nothing, and a
rerun of a credited year changes nothing (``last_credited_year`` and the unique statement per
account and year).
"""

from __future__ import annotations

import datetime as dt
from calendar import monthrange
from dataclasses import dataclass
from fractions import Fraction
from typing import Any

import numpy as np
from sqlalchemy import func, insert, select, update
from sqlalchemy.orm import Session

from minsheng.core import money
from minsheng.core.errors import ConflictError, invalid
from minsheng.foundation import audit
from minsheng.foundation.principals import Principal
from minsheng.medical import commands as medical
from minsheng.pensions import rules
from minsheng.pensions.enrolment import active_in, params, visible_person
from minsheng.pensions.models import (
    PENSION_SCHEMES,
    PnAccount,
    PnAward,
    PnContribution,
    PnEnrolment,
    PnMedicalCredit,
    PnStatement,
)
from minsheng.policy import ParameterTree, load
from minsheng.registry.models import Person

RATE_PATHS = {
    "employee_pension": "pensions.employee.pension.interest_rate",
    "resident_pension": "pensions.resident.interest_rate",
}


@dataclass
class CreditRun:
    year: int
    accounts: int = 0  # accounts credited by this run
    credited: int = 0  # fen of contributions moved in
    interest: int = 0  # fen of interest

    def to_dict(self) -> dict[str, Any]:
        return {
            "year": self.year,
            "accounts": self.accounts,
            "credited": money.to_str(self.credited),
            "interest": money.to_str(self.interest),
        }


def _in_region(query: Any, by: Principal) -> Any:
    codes = by.covered_codes()
    if codes is None:
        return query
    return query.join(Person, Person.id == PnAccount.person_id).where(
        Person.division_code.in_(codes)
    )


def credit_year(
    session: Session,
    year: int,
    by: Principal,
    today: dt.date | None = None,
    tree: ParameterTree | None = None,
) -> CreditRun:
    """Credit ``year`` to every account in ``by``'s region (by the holder's county of
    residence) not yet credited for it: opening + the contributions waiting for this year +
    interest at the year's 记账利率 (employees' monthly credits by the month-product method,
    residents' yearly payment from the next year). Idempotent per account and year."""
    today = today or dt.date.today()
    if year > today.year:
        raise invalid("year", "future", "不能为将来的年度记账", "a future year cannot be credited")
    run = CreditRun(year)
    on = dt.date(year, 12, 31)
    for scheme in PENSION_SCHEMES:
        p = params(on, None, tree)
        info = p.info(RATE_PATHS[scheme])
        rate = Fraction(info.value)  # type: ignore[arg-type]
        accounts = session.execute(
            _in_region(
                select(PnAccount.id, PnAccount.balance, PnAccount.last_credited_year).where(
                    PnAccount.scheme == scheme,
                    (PnAccount.last_credited_year.is_(None))
                    | (PnAccount.last_credited_year < year),
                ),
                by,
            ).order_by(PnAccount.id)
        ).all()
        if not accounts:
            continue
        behind = [a for a in accounts if a[2] is not None and a[2] < year - 1]
        if behind:
            raise ConflictError(
                "year",
                "year_skipped",
                f"有账户尚未记账{behind[0][2] + 1}年度，请先按年度顺序记账",
                f"some accounts are not yet credited for {behind[0][2] + 1}: credit in order",
                "ལོ་རིམ་བཞིན་རྩིས་འགོད་གནང་རོགས།",
            )
        ids = np.fromiter((a[0] for a in accounts), np.int64, len(accounts))
        opening = np.fromiter((a[1] for a in accounts), np.int64, len(accounts))
        credited = _waiting(session, scheme, year, ids)
        interest, closing = rules.credit_interest(
            opening, credited, rate, monthly=scheme == "employee_pension"
        )
        money.check_array(closing, "balance", rules.MAX_ACCOUNT_FEN)
        _write_statements(session, ids, year, opening, credited, interest, closing, info)
        _write_balances(session, ids, year, closing)
        run.accounts += len(ids)
        run.credited += int(credited.sum())
        run.interest += int(interest.sum())
    audit.record(session, by, "credit", "pn_accounts", year, by.region, run.to_dict())
    return run


def _waiting(session: Session, scheme: str, year: int, ids: Any) -> Any:
    """Each account's contributions waiting for ``year`` (credit year up to ``year``, after
    the account's last credited year): employees' individual part, residents' payment and
    subsidy (the employer's part goes to the pooled fund)."""
    amount = (
        PnContribution.individual
        if scheme == "employee_pension"
        else PnContribution.individual + PnContribution.subsidy
    )
    rows = session.execute(
        select(PnAccount.id, func.sum(amount))
        .join(
            PnContribution,
            (PnContribution.person_id == PnAccount.person_id)
            & (PnContribution.scheme == PnAccount.scheme),
        )
        .where(
            PnAccount.scheme == scheme,
            PnContribution.credit_year <= year,
            PnContribution.credit_year > func.coalesce(PnAccount.last_credited_year, 0),
            (PnAccount.last_credited_year.is_(None)) | (PnAccount.last_credited_year < year),
        )
        .group_by(PnAccount.id)
    ).all()
    sums = {int(a): int(s or 0) for a, s in rows}
    return np.fromiter((sums.get(int(i), 0) for i in ids), np.int64, len(ids))


CHUNK = 20_000  # rows per bulk statement (engineering bound: parameter limits of the drivers)


def _write_statements(
    session: Session,
    ids: Any,
    year: int,
    opening: Any,
    credited: Any,
    interest: Any,
    closing: Any,
    info: Any,
) -> None:
    value = str(info.value)
    for start in range(0, len(ids), CHUNK):
        end = start + CHUNK
        session.execute(
            insert(PnStatement),
            [
                {
                    "account_id": int(a),
                    "year": year,
                    "opening": int(o),
                    "credited": int(c),
                    "interest": int(i),
                    "closing": int(z),
                    "rate_path": info.path,
                    "rate_value": value,
                    "rate_date": info.start,
                }
                for a, o, c, i, z in zip(
                    ids[start:end],
                    opening[start:end],
                    credited[start:end],
                    interest[start:end],
                    closing[start:end],
                    strict=True,
                )
            ],
        )


def _write_balances(session: Session, ids: Any, year: int, closing: Any) -> None:
    for start in range(0, len(ids), CHUNK):
        end = start + CHUNK
        session.execute(
            update(PnAccount),
            [
                {"id": int(a), "balance": int(z), "last_credited_year": year}
                for a, z in zip(ids[start:end], closing[start:end], strict=True)
            ],
        )


# --------------------------------------------------------------------------- reads


def accounts_of(session: Session, person_id: int, by: Principal) -> list[dict[str, Any]]:
    """The person's accounts, each with its yearly statements."""
    visible_person(session, person_id, by)
    return own_accounts(session, person_id)


def own_accounts(session: Session, person_id: int) -> list[dict[str, Any]]:
    """The person's accounts (the caller has checked who may see them)."""
    out = []
    for a in session.scalars(
        select(PnAccount).where(PnAccount.person_id == person_id).order_by(PnAccount.scheme)
    ):
        statements = session.scalars(
            select(PnStatement).where(PnStatement.account_id == a.id).order_by(PnStatement.year)
        ).all()
        out.append(
            {
                "scheme": a.scheme,
                "balance": money.to_str(a.balance),
                "last_credited_year": a.last_credited_year,
                "statements": [statement_out(s) for s in statements],
            }
        )
    return out


def statement_out(s: PnStatement) -> dict[str, Any]:
    return {
        "year": s.year,
        "opening": money.to_str(s.opening),
        "credited": money.to_str(s.credited),
        "interest": money.to_str(s.interest),
        "closing": money.to_str(s.closing),
        "rate": {"path": s.rate_path, "value": s.rate_value, "start": s.rate_date.isoformat()},
    }


# --------------------------------------------------------------------------- medical accounts


def credit_medical(
    session: Session,
    year: int,
    month: int,
    by: Principal,
    today: dt.date | None = None,
    tree: ParameterTree | None = None,
) -> dict[str, Any]:
    """职工医保个人账户 monthly credit for working employees enrolled (unsuspended) in the
    employee pension scheme in that month, in ``by``'s region: ``medical_account.working_rate``
    × the month's contribution base (the recorded contribution's, else the enrolment's); and
    retirees drawing an employee pension that month (:func:`_retired_rows`). Each person and
    month once (a rerun adds nothing)."""
    today = today or dt.date.today()
    if (year, month) > (today.year, today.month):
        raise invalid("month", "future", "不能为将来的月份划入", "a future month is refused")
    first = dt.date(year, month, 1)
    last = dt.date(year, month, monthrange(year, month)[1])
    query = select(PnEnrolment).where(
        PnEnrolment.scheme == "employee_pension",
        PnEnrolment.start_date <= last,
        (PnEnrolment.end_date.is_(None)) | (PnEnrolment.end_date >= first),
    )
    codes = by.covered_codes()
    if codes is not None:
        query = query.where(PnEnrolment.division_code.in_(codes))
    enrolments = [
        e for e in session.scalars(query.order_by(PnEnrolment.id)) if active_in(e, first, last)
    ]
    done = set(
        session.scalars(
            select(PnMedicalCredit.person_id).where(
                PnMedicalCredit.year == year, PnMedicalCredit.month == month
            )
        )
    )
    bases = dict(
        session.execute(
            select(PnContribution.person_id, PnContribution.base).where(
                PnContribution.scheme == "employee_pension",
                PnContribution.year == year,
                PnContribution.month == month,
            )
        ).all()
    )
    rows: list[tuple[int, int]] = []
    for e in enrolments:
        if e.person_id in done:
            continue
        p = params(first, e.division_code, tree)
        base = bases.get(e.person_id, e.base) or 0
        rate = p.ratio("pensions.employee.medical_account.working_rate")
        rows.append((e.person_id, money.apply_ratio(base, rate)))
        done.add(e.person_id)
    retired = _retired_rows(session, first, by, done, tree)
    basis = {pid: "working" for pid, _ in rows} | {pid: "retired" for pid, _ in retired}
    rows += retired
    if rows:
        session.execute(
            insert(PnMedicalCredit),
            [
                {"person_id": pid, "year": year, "month": month, "amount": fen, "basis": basis[pid]}
                for pid, fen in rows
            ],
        )
    total = medical.credit_personal_accounts(session, rows, by, f"{year}-{month:02d}")
    return {"year": year, "month": month, "accounts": len(rows), "total": money.to_str(total)}


def _retired_rows(
    session: Session,
    first: dt.date,
    by: Principal,
    done: set[int],
    tree: ParameterTree | None = None,
) -> list[tuple[int, int]]:
    """退休人员个人账户划入 for the month starting ``first``: every employee-pension award paid
    from this month or earlier, active (or terminated after the month began), in ``by``'s
    region, not yet credited: by ``pensions.medical_retired.basis`` either
    ``pensions.employee.medical_account.retired_share_of_pension`` × the monthly pension or
    the fixed ``pensions.medical_retired.fixed_monthly`` (国办发〔2021〕14号)."""
    month = f"{first.year}-{first.month:02d}"
    query = select(PnAward.person_id, PnAward.monthly, PnAward.division_code).where(
        PnAward.scheme == "employee_pension",
        PnAward.start_month <= month,
        (PnAward.state == "active")
        | ((PnAward.state == "terminated") & (PnAward.terminated_on > first)),
    )
    codes = by.covered_codes()
    if codes is not None:
        query = query.where(PnAward.division_code.in_(codes))
    rows: list[tuple[int, int]] = []
    for pid, monthly, division in session.execute(query.order_by(PnAward.person_id)):
        if pid in done:
            continue
        snap = (tree or load()).at(first, division)
        if snap["pensions.medical_retired.basis"] == "fixed":
            fen = int(snap["pensions.medical_retired.fixed_monthly"])  # type: ignore[arg-type]
        else:
            share = params(first, division, tree).ratio(
                "pensions.employee.medical_account.retired_share_of_pension"
            )
            fen = money.apply_ratio(int(monthly), share)
        rows.append((pid, fen))
        done.add(pid)
    return rows
