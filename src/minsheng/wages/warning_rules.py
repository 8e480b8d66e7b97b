"""Pure rules of monitoring and early warning (监控预警): each cause as a function of dates and
figures, and its level (blue / yellow / red) by the day counts of ``wages.warnings.*``.

Every day-based cause has a due date; ``days`` is how many days ``today`` is past it (0 on
the due date itself, negative before), and the level is the highest whose threshold ``days``
reaches (``wages.warnings.causes.<cause>.{blue,yellow,red}``). More days never lower a level
(:func:`level` is monotone), and an open warning's level only rises (:func:`escalate`).

- ``transfer_late`` — labour cost not transferred within the interval (条例 art. 24: at most
  one month): due the interval after the last transfer, or after the start of works if none;
- ``no_pay_sheet`` — a month with workers on site and no pay sheet: due on the month's pay day
  (its last day + ``pay_due_days``);
- ``attendance_unpaid`` — a worker's month of attendance without pay: due on its pay day;
- ``pay_below`` — paid less than attendance × the agreed rate: due on the month's pay day;
- ``account_missing`` — the dedicated account not opened (due ``open_within_days`` after the
  construction contract) or not filed (``file_within_days`` after opening) — 人社部发〔2021〕53号;
- ``deposit_missing`` — the wage deposit not lodged ``lodge_working_days`` working days after
  the contract (人社部发〔2021〕65号; holidays and Losar skipped by ``core.calendar``);
- ``no_contract`` — attendance before the labour contract was signed (条例 art. 28): due on
  the first such day;
- ``balance_low`` — the account's balance below the next pay sheet: due ``balance_cover_days``
  before the next pay day;
- ``complaint_cluster`` — not days but a count: the complaints on the project within
  ``complaint_window_days``, against the count thresholds.
"""

from __future__ import annotations

import calendar as _cal
import datetime as dt
from dataclasses import dataclass

from minsheng.core import calendar
from minsheng.policy import Snapshot

P = "wages.warnings."
CAUSES = (
    "transfer_late",
    "no_pay_sheet",
    "attendance_unpaid",
    "pay_below",
    "account_missing",
    "deposit_missing",
    "no_contract",
    "balance_low",
    "complaint_cluster",
)
LEVELS = ("blue", "yellow", "red")


@dataclass(frozen=True)
class WarningParams:
    thresholds: dict[str, tuple[int, int, int]]  # cause → blue, yellow, red
    handle_working_days: dict[str, int]  # level → the inspector's deadline
    pay_due_days: int
    lookback_months: int
    balance_cover_days: int
    complaint_window_days: int
    transfer_interval_months: int
    open_within_days: int
    file_within_days: int
    deposit_working_days: int

    @classmethod
    def from_snapshot(cls, snap: Snapshot) -> WarningParams:
        def n(path: str) -> int:
            value = snap[path]
            assert isinstance(value, int), path
            return value

        return cls(
            thresholds={
                c: (
                    n(f"{P}causes.{c}.blue"),
                    n(f"{P}causes.{c}.yellow"),
                    n(f"{P}causes.{c}.red"),
                )
                for c in CAUSES
            },
            handle_working_days={lv: n(f"{P}handle_working_days.{lv}") for lv in LEVELS},
            pay_due_days=n(f"{P}pay_due_days"),
            lookback_months=n(f"{P}lookback_months"),
            balance_cover_days=n(f"{P}balance_cover_days"),
            complaint_window_days=n(f"{P}complaint_window_days"),
            transfer_interval_months=n("wages.pay.transfer_interval_months"),
            open_within_days=n("wages.pay.account.open_within_days"),
            file_within_days=n("wages.pay.account.file_within_days"),
            deposit_working_days=n("wages.deposits.lodge_working_days"),
        )


@dataclass(frozen=True)
class Finding:
    """What a cause found: its level, the value the level was read from (days past ``due``,
    or a count), and the due date (None for a count)."""

    cause: str
    level: str
    value: int
    due: dt.date | None = None


def rank(level: str | None) -> int:
    """0 for no warning, 1 blue, 2 yellow, 3 red."""
    return 0 if level is None else LEVELS.index(level) + 1


def level(cause: str, value: int, p: WarningParams) -> str | None:
    """The level ``value`` (days past due, or a count) reaches for ``cause``, or None."""
    found = None
    for name, threshold in zip(LEVELS, p.thresholds[cause], strict=True):
        if value >= threshold:
            found = name
    return found


def escalate(old: str, new: str | None) -> str:
    """An open warning's level after a scan: it rises with the days, never falls."""
    return new if new is not None and rank(new) > rank(old) else old


def deadline(level_: str, today: dt.date, p: WarningParams) -> dt.date:
    """The inspector's deadline for a warning raised (or escalated) to ``level_`` today."""
    return calendar.add_working_days(today, p.handle_working_days[level_])


def _finding(cause: str, due: dt.date, today: dt.date, p: WarningParams) -> Finding | None:
    days = (today - due).days
    found = level(cause, days, p)
    return None if found is None else Finding(cause, found, days, due)


def add_months(day: dt.date, months: int) -> dt.date:
    """The same day ``months`` later (the month's last day when it has no such day)."""
    index = day.year * 12 + day.month - 1 + months
    year, month = divmod(index, 12)
    return dt.date(year, month + 1, min(day.day, _cal.monthrange(year, month + 1)[1]))


def month_end(month: str) -> dt.date:
    y, m = (int(x) for x in month.split("-"))
    return dt.date(y, m, _cal.monthrange(y, m)[1])


def month_of(day: dt.date, back: int = 0) -> str:
    """``YYYY-MM`` of ``day``'s month, ``back`` months earlier."""
    index = day.year * 12 + day.month - 1 - back
    return f"{index // 12:04d}-{index % 12 + 1:02d}"


def pay_day(month: str, p: WarningParams) -> dt.date:
    """The day a month's wages are due (its last day + ``pay_due_days``)."""
    return month_end(month) + dt.timedelta(days=p.pay_due_days)


def next_pay_day(today: dt.date, p: WarningParams) -> tuple[str, dt.date]:
    """The month whose pay day comes next on or after ``today``, and that day."""
    back = 0
    while pay_day(month_of(today, back + 1), p) >= today:
        back += 1
    return month_of(today, back), pay_day(month_of(today, back), p)


def due_months(today: dt.date, p: WarningParams) -> list[str]:
    """The months of the look-back window whose pay day has passed, oldest first."""
    out = [month_of(today, b) for b in range(p.lookback_months, 0, -1)]
    return [m for m in out if pay_day(m, p) < today]


# ------------------------------------------------------------------ the causes


def transfer_late(
    last_transfer: dt.date | None, start: dt.date, today: dt.date, p: WarningParams
) -> Finding | None:
    due = add_months(last_transfer or start, p.transfer_interval_months)
    return _finding("transfer_late", due, today, p)


def no_pay_sheet(month: str, today: dt.date, p: WarningParams) -> Finding | None:
    return _finding("no_pay_sheet", pay_day(month, p), today, p)


def attendance_unpaid(month: str, today: dt.date, p: WarningParams) -> Finding | None:
    return _finding("attendance_unpaid", pay_day(month, p), today, p)


def pay_below(month: str, shortfall: int, today: dt.date, p: WarningParams) -> Finding | None:
    if shortfall <= 0:
        return None
    return _finding("pay_below", pay_day(month, p), today, p)


def account_missing(
    contract_signed_on: dt.date,
    opened_on: dt.date | None,
    filed_on: dt.date | None,
    today: dt.date,
    p: WarningParams,
) -> Finding | None:
    if opened_on is None:
        due = contract_signed_on + dt.timedelta(days=p.open_within_days)
    elif filed_on is None:
        due = opened_on + dt.timedelta(days=p.file_within_days)
    else:
        return None
    return _finding("account_missing", due, today, p)


def deposit_due(contract_signed_on: dt.date, p: WarningParams) -> dt.date:
    return calendar.add_working_days(contract_signed_on, p.deposit_working_days)


def deposit_missing(
    contract_signed_on: dt.date,
    lodged_or_exempt: bool,
    today: dt.date,
    p: WarningParams,
    lodge_by: dt.date | None = None,
) -> Finding | None:
    """``lodge_by``: the deadline the deposit's record holds, if it has one (else computed)."""
    if lodged_or_exempt:
        return None
    due = lodge_by or deposit_due(contract_signed_on, p)
    return _finding("deposit_missing", due, today, p)


def no_contract(first_day: dt.date, today: dt.date, p: WarningParams) -> Finding | None:
    return _finding("no_contract", first_day, today, p)


def balance_low(
    balance: int, next_sheet: int, next_pay_day_: dt.date, today: dt.date, p: WarningParams
) -> Finding | None:
    if balance >= next_sheet:
        return None
    due = next_pay_day_ - dt.timedelta(days=p.balance_cover_days)
    return _finding("balance_low", due, today, p)


def complaint_cluster(count: int, p: WarningParams) -> Finding | None:
    found = level("complaint_cluster", count, p)
    return None if found is None else Finding("complaint_cluster", found, count)


__all__ = [
    "CAUSES",
    "LEVELS",
    "Finding",
    "WarningParams",
    "account_missing",
    "attendance_unpaid",
    "balance_low",
    "complaint_cluster",
    "deadline",
    "deposit_due",
    "deposit_missing",
    "due_months",
    "escalate",
    "level",
    "month_of",
    "next_pay_day",
    "no_contract",
    "no_pay_sheet",
    "pay_below",
    "pay_day",
    "rank",
    "transfer_late",
]
