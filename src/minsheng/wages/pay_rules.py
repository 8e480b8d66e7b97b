"""Pure rules of pay (工资支付): a month's gross pay from attendance × the agreed rate, and the
deadlines of the dedicated wage account. No database, no I/O: figures in, figures out, every
parameter read from a :class:`~minsheng.policy.Snapshot` (``wages.pay.*``).

Gross pay of one worker for one month, in integer fen, each part rounded half up to
``wages.pay.rounding_unit_fen`` on its own, then summed:

- **base**: day rate × days (计日), hour rate × hours worked (计时), or piece rate × pieces
  (计件);
- **overtime** (加班, 劳动法 art. 44): the hourly base × the multiplier × overtime hours, for
  extended hours on a working day (150%), a rest day without time off in lieu (200%) and a
  statutory holiday (300%). The hourly base is the hour rate, or the day rate ÷ the standard
  day's hours (劳动法 art. 36: 8), or — where the contract agrees one — the overtime rate, if
  it is higher. A piece worker without an agreed overtime rate has no hourly base: their
  overtime output is in their pieces (工资支付暂行规定 art. 13) and the overtime parts are 0.

Hours come in minutes (integers) so nothing is ever a binary float.
"""

from __future__ import annotations

import calendar
import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction

from minsheng.core import calendar as calendar_days
from minsheng.policy import Snapshot

OVERTIME_KINDS = ("working_day", "rest_day", "holiday")  # 150% / 200% / 300%


@dataclass(frozen=True)
class PayParams:
    overtime: dict[str, Decimal]  # kind → multiplier
    standard_day_hours: int
    unit_fen: int
    open_within_days: int
    file_within_days: int
    transfer_interval_months: int
    retention_years: int

    @classmethod
    def from_snapshot(cls, snap: Snapshot) -> PayParams:
        def number(path: str) -> Decimal:
            value = snap[f"wages.pay.{path}"]
            assert isinstance(value, int | Decimal) and not isinstance(value, bool), path
            return Decimal(value)

        return cls(
            overtime={k: number(f"overtime.{k}") for k in OVERTIME_KINDS},
            standard_day_hours=int(number("standard_day_hours")),
            unit_fen=int(number("rounding_unit_fen")),
            open_within_days=int(number("account.open_within_days")),
            file_within_days=int(number("account.file_within_days")),
            transfer_interval_months=int(number("transfer_interval_months")),
            retention_years=int(number("retention_years")),
        )


@dataclass(frozen=True)
class Attendance:
    """What a worker did in a month (from attendance): days, minutes worked, overtime minutes
    by kind, pieces."""

    days: int = 0
    minutes: int = 0
    pieces: int = 0
    overtime: tuple[int, int, int] = (0, 0, 0)  # working_day, rest_day, holiday minutes


@dataclass(frozen=True)
class Gross:
    base: int
    overtime: tuple[int, int, int]  # fen per overtime kind
    hourly_base: Fraction | None  # the overtime's hourly base (None: a piece worker's)

    @property
    def total(self) -> int:
        return self.base + sum(self.overtime)


def round_half_up(value: Fraction, unit: int = 1) -> int:
    """``value`` fen rounded half up to a multiple of ``unit`` fen (values are ≥ 0)."""
    if value < 0:
        raise ValueError("pay is never negative")
    steps = value / unit
    whole = steps.numerator // steps.denominator
    if steps - whole >= Fraction(1, 2):
        whole += 1
    return int(whole * unit)


def hourly_base(kind: str, rate: int, overtime_rate: int | None, p: PayParams) -> Fraction | None:
    """The hourly base overtime multiplies (see the module docstring)."""
    derived: Fraction | None
    if kind == "hour":
        derived = Fraction(rate)
    elif kind == "day":
        derived = Fraction(rate, p.standard_day_hours)
    elif kind == "piece":
        derived = None
    else:
        raise ValueError(f"unknown rate kind {kind!r}")
    if overtime_rate is not None and (derived is None or overtime_rate > derived):
        return Fraction(overtime_rate)
    return derived


def gross(kind: str, rate: int, overtime_rate: int | None, a: Attendance, p: PayParams) -> Gross:
    """A month's gross pay in fen (see the module docstring)."""
    if min(rate, a.days, a.minutes, a.pieces, *a.overtime) < 0 or (
        overtime_rate is not None and overtime_rate < 0
    ):
        raise ValueError("rates and attendance are never negative")
    if kind == "day":
        base = Fraction(rate * a.days)
    elif kind == "hour":
        base = Fraction(rate * a.minutes, 60)
    elif kind == "piece":
        base = Fraction(rate * a.pieces)
    else:
        raise ValueError(f"unknown rate kind {kind!r}")
    hourly = hourly_base(kind, rate, overtime_rate, p)
    parts = tuple(
        0
        if hourly is None
        else round_half_up(hourly * Fraction(p.overtime[k]) * Fraction(m, 60), p.unit_fen)
        for k, m in zip(OVERTIME_KINDS, a.overtime, strict=True)
    )
    return Gross(round_half_up(base, p.unit_fen), (parts[0], parts[1], parts[2]), hourly)


def add_months(day: dt.date, months: int) -> dt.date:
    """The same day ``months`` later (the month's last day when it has no such day)."""
    index = day.year * 12 + day.month - 1 + months
    year, month = divmod(index, 12)
    last = calendar.monthrange(year, month + 1)[1]
    return dt.date(year, month + 1, min(day.day, last))


def account_open_due(contract_signed_on: dt.date, p: PayParams) -> dt.date:
    """The last day to open the dedicated wage account (人社部发〔2021〕53号: 30 days from the
    construction contract)."""
    return contract_signed_on + dt.timedelta(days=p.open_within_days)


def account_file_due(opened_on: dt.date, p: PayParams) -> dt.date:
    """The last day to file the opened account with the labour bureau (30 more days)."""
    return opened_on + dt.timedelta(days=p.file_within_days)


def next_transfer_due(last: dt.date, p: PayParams) -> dt.date:
    """The last day of the next labour-cost transfer after one on ``last`` (条例 art. 24: at
    most one month apart)."""
    return add_months(last, p.transfer_interval_months)


def keep_until(made_on: dt.date, p: PayParams) -> dt.date:
    """The first day a pay record made on ``made_on`` may be deleted (条例 art. 15: kept at
    least 3 years)."""
    return add_months(made_on, 12 * p.retention_years)


def month_text(day: dt.date) -> str:
    return f"{day.year:04d}-{day.month:02d}"


def month_bounds(month: str) -> tuple[dt.date, dt.date]:
    """The first and the last day of ``YYYY-MM``."""
    y, m = (int(x) for x in month.split("-"))
    return dt.date(y, m, 1), dt.date(y, m, calendar.monthrange(y, m)[1])


def day_kind(day: dt.date) -> str:
    """How a day's work is paid: ``working`` (overtime beyond the standard day at 150%),
    ``rest_day`` (every minute at 200%), ``holiday`` (every minute at 300%) — the calendar's
    national and regional holidays (Losar, Shoton included) count as holidays."""
    if calendar_days.is_working_day(day):
        return "working"
    return "holiday" if calendar_days.holiday(day) is not None else "rest_day"


def month_attendance(days: list[tuple[dt.date, int, int]]) -> Attendance:
    """A worker's month from their days ``(day, minutes worked, overtime minutes)``: days
    present and ordinary minutes on working days; overtime by kind (see :func:`day_kind`)."""
    present = minutes = 0
    ot = [0, 0, 0]
    for day, worked, overtime in days:
        if worked <= 0:
            continue
        kind = day_kind(day)
        if kind == "working":
            present += 1
            extra = min(max(overtime, 0), worked)
            minutes += worked - extra
            ot[0] += extra
        elif kind == "rest_day":
            ot[1] += worked
        else:
            ot[2] += worked
    return Attendance(present, minutes, 0, (ot[0], ot[1], ot[2]))
