"""Wage deposits (工资保证金, 人社部发〔2021〕65号) and the arrears blacklist (人社部令第45号) as
pure rules: the rate by contract value and record, the ledger's arithmetic, the deadlines,
the listing criteria and terms. Every figure is a parameter under ``wages.deposits.*`` and
``wages.blacklist.*``; the functions name the parameters they read in their ``steps``.

The deposit's rate (first match wins):

1. contract value below ``small_contract_below`` and no arrears in the
   ``small_contract_clean_months`` before signing → exempt (第七条);
2. arrears within ``higher_lookback_years`` before signing → ``rate.higher``;
3. ``exempt_after_clean_years`` full years without arrears → exempt;
4. ``lower_after_clean_years`` full years without arrears → ``rate.lower``;
5. otherwise ``rate.base``.

The amount is the contract value × rate (half up to the fen), at most ``cap``. A firm's clean
years run from the later of its first record in the region and its last confirmed arrears, to
the day the contract is signed.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

from minsheng.core import calendar, money
from minsheng.core.errors import ConflictError, invalid
from minsheng.policy import Snapshot

P = "wages.deposits."
B = "wages.blacklist."

KINDS = ("lodge", "draw", "top_up", "return")  # 存储 / 动用 / 补足 / 返还
FORMS = ("cash", "guarantee")  # 现金存储 / 银行保函
REASONS = ("small_contract", "clean_record")  # exemption reasons
LISTING_REASONS = ("one_worker", "many_workers", "incident")


def _int(snap: Snapshot, path: str) -> int:
    value = snap[path]
    assert isinstance(value, int), path
    return value


def _ratio(snap: Snapshot, path: str) -> Decimal:
    value = snap[path]
    assert isinstance(value, Decimal), path
    return value


@dataclass(frozen=True)
class DepositParams:
    base: Decimal
    lower: Decimal
    higher: Decimal
    cap: int  # fen
    small_below: int  # fen
    small_clean_months: int
    lower_after_years: int
    exempt_after_years: int
    higher_lookback_years: int
    lodge_days: int  # working days
    pay_days: int
    top_up_days: int
    notice_days: int  # calendar days
    review_days: int
    confirm_days: int

    @classmethod
    def from_snapshot(cls, snap: Snapshot) -> DepositParams:
        return cls(
            base=_ratio(snap, P + "rate.base"),
            lower=_ratio(snap, P + "rate.lower"),
            higher=_ratio(snap, P + "rate.higher"),
            cap=_int(snap, P + "cap"),
            small_below=_int(snap, P + "small_contract_below"),
            small_clean_months=_int(snap, P + "small_contract_clean_months"),
            lower_after_years=_int(snap, P + "lower_after_clean_years"),
            exempt_after_years=_int(snap, P + "exempt_after_clean_years"),
            higher_lookback_years=_int(snap, P + "higher_lookback_years"),
            lodge_days=_int(snap, P + "lodge_working_days"),
            pay_days=_int(snap, P + "draw_pay_working_days"),
            top_up_days=_int(snap, P + "top_up_working_days"),
            notice_days=_int(snap, P + "notice_days"),
            review_days=_int(snap, P + "review_working_days"),
            confirm_days=_int(snap, P + "confirm_working_days"),
        )


@dataclass(frozen=True)
class Assessment:
    """What a project's general contractor must lodge: the rate (0 when exempt), the amount,
    the exemption's reason, and the parameters that decided it."""

    rate: Decimal
    required: int
    exempt: bool
    reason: str | None  # small_contract | clean_record | None
    band: str  # exempt | lower | base | higher
    clean_years: int
    steps: tuple[str, ...]


def add_months(day: dt.date, months: int) -> dt.date:
    """``day`` plus ``months`` calendar months, the end of a shorter month kept (31 Jan + 1 →
    28/29 Feb)."""
    m = day.month - 1 + months
    year, month = day.year + m // 12, m % 12 + 1
    last = (dt.date(year + month // 12, month % 12 + 1, 1) - dt.timedelta(days=1)).day
    return dt.date(year, month, min(day.day, last))


def full_years(start: dt.date, end: dt.date) -> int:
    """Whole years from ``start`` to ``end`` (0 when ``end`` is not later)."""
    if end <= start:
        return 0
    years = end.year - start.year
    if add_months(start, 12 * years) > end:
        years -= 1
    return years


def assess(
    contract_value: int,
    signed_on: dt.date,
    record_since: dt.date,
    last_arrears_on: dt.date | None,
    p: DepositParams,
) -> Assessment:
    """The deposit of a project signed on ``signed_on`` for ``contract_value`` fen, by a
    general contractor on record since ``record_since`` whose last confirmed arrears (if any)
    fell on ``last_arrears_on``."""
    money.bounded(contract_value, "contract_value")
    if contract_value < 0:
        raise invalid("contract_value", "negative", "合同额不能为负", "a contract value is >= 0")
    if last_arrears_on is not None and last_arrears_on > signed_on:
        last_arrears_on = None  # arrears after the contract do not count for its deposit
    clean_from = max(record_since, last_arrears_on) if last_arrears_on else record_since
    clean = full_years(clean_from, signed_on)

    def arrears_within(months: int) -> bool:
        return last_arrears_on is not None and last_arrears_on > add_months(signed_on, -months)

    steps = [P + "small_contract_below", P + "small_contract_clean_months"]
    if contract_value < p.small_below and not arrears_within(p.small_clean_months):
        return Assessment(Decimal(0), 0, True, "small_contract", "exempt", clean, tuple(steps))
    steps.append(P + "higher_lookback_years")
    if arrears_within(12 * p.higher_lookback_years):
        rate, band = p.higher, "higher"
        steps.append(P + "rate.higher")
    else:
        steps.append(P + "exempt_after_clean_years")
        if clean >= p.exempt_after_years:
            return Assessment(Decimal(0), 0, True, "clean_record", "exempt", clean, tuple(steps))
        steps.append(P + "lower_after_clean_years")
        if clean >= p.lower_after_years:
            rate, band = p.lower, "lower"
            steps.append(P + "rate.lower")
        else:
            rate, band = p.base, "base"
            steps.append(P + "rate.base")
    steps.append(P + "cap")
    required = min(money.apply_ratio(contract_value, rate), p.cap)
    return Assessment(rate, required, False, None, band, clean, tuple(steps))


# ------------------------------------------------------------------ the ledger


def next_balance(balance: int, required: int, kind: str, amount: int) -> int:
    """The balance after one movement of ``kind`` for ``amount`` fen — or the refusal. The
    balance never goes below 0: a draw beyond it, a return of anything but the whole balance,
    or a top-up past the required amount is refused."""
    if kind not in KINDS:
        raise invalid("kind", "choice", "未知的保证金变动类型", f"unknown movement {kind!r}")
    if not isinstance(amount, int) or isinstance(amount, bool) or amount <= 0:
        raise invalid("amount", "positive", "金额必须大于0", "the amount must be above 0")
    money.bounded(amount, "amount")
    if kind == "lodge":
        if balance != 0:
            raise ConflictError(
                "kind", "lodged", "保证金已存储", "the deposit is already lodged", "ཟིན།"
            )
        if amount < required:
            raise invalid(
                "amount",
                "below_required",
                f"存储金额不得低于应存金额{money.to_str(required)}元",
                f"the amount lodged is at least the required {money.to_str(required)} yuan",
            )
        return amount
    if kind == "draw":
        if amount > balance:
            raise ConflictError(
                "amount",
                "beyond_balance",
                f"动用金额超过保证金余额{money.to_str(balance)}元",
                f"the draw exceeds the balance of {money.to_str(balance)} yuan",
                "ལྷག་འབོར་ལས་བརྒལ།",
            )
        return balance - amount
    if kind == "top_up":
        if balance + amount > required:
            raise invalid(
                "amount",
                "beyond_required",
                f"补足后不得超过应存金额{money.to_str(required)}元",
                f"a top-up brings the balance to at most {money.to_str(required)} yuan",
            )
        return balance + amount
    if amount != balance:  # return: the whole balance, once
        raise invalid(
            "amount",
            "whole_balance",
            "返还金额须为全部余额",
            "a return is of the whole balance",
        )
    return 0


# ------------------------------------------------------------------ deadlines


def lodge_by(signed_on: dt.date, p: DepositParams) -> dt.date:
    """Lodged (or the guarantee filed) within ``lodge_working_days`` of the contract."""
    return calendar.add_working_days(signed_on, p.lodge_days)


def pay_by(drawn_on: dt.date, p: DepositParams) -> dt.date:
    """A draw is paid to the workers within ``draw_pay_working_days``."""
    return calendar.add_working_days(drawn_on, p.pay_days)


def top_up_by(drawn_on: dt.date, p: DepositParams) -> dt.date:
    """A drawn deposit is topped up within ``top_up_working_days``."""
    return calendar.add_working_days(drawn_on, p.top_up_days)


def notice_until(notice_from: dt.date, p: DepositParams) -> dt.date:
    """The last day of the public notice published on ``notice_from`` (``notice_days``
    calendar days, the first day counted); the deposit may be returned the day after."""
    return notice_from + dt.timedelta(days=p.notice_days - 1)


def return_by(notice_from: dt.date, p: DepositParams) -> dt.date:
    """Reviewed within ``review_working_days`` after the notice and confirmed by the bank
    within ``confirm_working_days`` more: the day the money is back at the latest."""
    return calendar.add_working_days(notice_until(notice_from, p), p.review_days + p.confirm_days)


# ------------------------------------------------------------------ the blacklist


@dataclass(frozen=True)
class BlacklistParams:
    term_years: int
    removal_months: int
    one_months: int
    one_amount: int  # fen
    many_workers: int
    many_amount: int  # fen

    @classmethod
    def from_snapshot(cls, snap: Snapshot) -> BlacklistParams:
        return cls(
            term_years=_int(snap, B + "term_years"),
            removal_months=_int(snap, B + "early_removal_months"),
            one_months=_int(snap, B + "one_worker.months"),
            one_amount=_int(snap, B + "one_worker.amount"),
            many_workers=_int(snap, B + "many_workers.workers"),
            many_amount=_int(snap, B + "many_workers.amount"),
        )


def listing_reason(
    owed: Sequence[tuple[int, int]], incident: bool, p: BlacklistParams
) -> str | None:
    """Why a firm is listed, or None when the criteria (第五条) are not met. ``owed`` is one
    ``(months, fen)`` per worker whose pay is held back; ``incident`` a mass or extreme
    incident with serious social harm caused by the arrears."""
    for months, fen in owed:
        if months < 0 or fen < 0:
            raise invalid(
                "owed", "negative", "拖欠月数和金额不能为负", "months and amounts are >= 0"
            )
    if any(m >= p.one_months and f >= p.one_amount for m, f in owed):
        return "one_worker"
    owing = [f for _, f in owed if f > 0]
    if len(owing) >= p.many_workers and sum(owing) >= p.many_amount:
        return "many_workers"
    if incident:
        return "incident"
    return None


def listed_until(listed_on: dt.date, p: BlacklistParams) -> dt.date:
    """The day a listing ends (not itself listed): ``term_years`` after ``listed_on``."""
    return add_months(listed_on, 12 * p.term_years)


def removal_from(put_right_on: dt.date, p: BlacklistParams) -> dt.date:
    """The first day early removal may be asked: ``early_removal_months`` after the arrears
    were put right."""
    return add_months(put_right_on, p.removal_months)


def is_listed(
    listed_on: dt.date | None, until: dt.date | None, removed_on: dt.date | None, on: dt.date
) -> bool:
    """Whether a listing holds on ``on``: from ``listed_on`` up to (not including) ``until``
    or an earlier removal."""
    if listed_on is None or until is None or on < listed_on or on >= until:
        return False
    return removed_on is None or on < removed_on
