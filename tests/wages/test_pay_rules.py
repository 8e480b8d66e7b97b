"""The pure pay rules (issue 13, points 3 and 4): gross pay to the fen for day, hour and piece
rates with the overtime multipliers of 劳动法 art. 44, the account and transfer deadlines of
人社部发〔2021〕53号 and 条例 art. 24, the 3-year retention — worked examples and properties."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from fractions import Fraction

import pytest
from hypothesis import given
from hypothesis import strategies as st

from minsheng.policy import load
from minsheng.wages import rules
from minsheng.wages.pay_rules import (
    Attendance,
    PayParams,
    day_kind,
    month_attendance,
    round_half_up,
)

P = PayParams.from_snapshot(load().at(dt.date(2026, 10, 1), "540102"))


def test_the_parameters_are_the_cited_figures() -> None:
    assert P.overtime == {
        "working_day": Decimal("1.5"),
        "rest_day": Decimal("2"),
        "holiday": Decimal("3"),
    }
    assert (P.standard_day_hours, P.unit_fen) == (8, 1)
    assert (P.open_within_days, P.file_within_days) == (30, 30)
    assert (P.transfer_interval_months, P.retention_years) == (1, 3)


def test_a_day_worker_in_october_2026_worked_to_the_fen() -> None:
    """¥300 a day. 8 Oct (Thu) 10 h with 2 h overtime; 10 Oct (Sat, a working day in lieu of
    the National Day break) 8 h; 11 Oct (Sun) 8 h on a rest day; 3 Oct (National Day) 4 h."""
    a = month_attendance(
        [
            (dt.date(2026, 10, 8), 600, 120),
            (dt.date(2026, 10, 10), 480, 0),
            (dt.date(2026, 10, 11), 480, 0),
            (dt.date(2026, 10, 3), 240, 0),
        ]
    )
    assert a == Attendance(days=2, minutes=960, pieces=0, overtime=(120, 480, 240))
    g = rules.gross("day", 30_000, None, a, P)
    assert g.hourly_base == Fraction(3_750)  # ¥300 ÷ 8 h
    assert g.base == 60_000  # 2 days × ¥300
    assert g.overtime == (11_250, 60_000, 45_000)  # ¥37.50 × 150% × 2 h; × 200% × 8; × 300% × 4
    assert g.total == 176_250  # ¥1,762.50


def test_an_hour_worker_rounds_each_part_half_up() -> None:
    """¥41.50 an hour: 8 h + 70 min overtime on 12 Oct (Mon), 125 min on 17 Oct (Sat)."""
    a = month_attendance([(dt.date(2026, 10, 12), 550, 70), (dt.date(2026, 10, 17), 125, 0)])
    g = rules.gross("hour", 4_150, None, a, P)
    assert g.base == 33_200  # 8 h × ¥41.50
    assert g.overtime == (7_263, 17_292, 0)  # 7,262.5 → 7,263; 17,291.67 → 17,292
    assert g.total == 57_755


def test_a_piece_worker_has_overtime_only_at_an_agreed_rate() -> None:
    a = Attendance(days=20, minutes=9_600, pieces=400, overtime=(30, 0, 0))
    assert rules.gross("piece", 125, 6_000, a, P).total == 50_000 + 4_500
    assert rules.gross("piece", 125, None, a, P).total == 50_000  # overtime is in the pieces


def test_an_agreed_overtime_rate_counts_only_when_higher() -> None:
    a = Attendance(days=1, minutes=480, overtime=(60, 0, 0))
    assert rules.gross("day", 30_000, 5_000, a, P).overtime[0] == 7_500  # ¥50 × 150%
    assert rules.gross("day", 30_000, 3_000, a, P).overtime[0] == 5_625  # ¥37.50 is higher


def test_losar_and_regional_holidays_are_holidays() -> None:
    assert day_kind(dt.date(2026, 2, 18)) == "holiday"  # 藏历新年 (火马年)
    assert day_kind(dt.date(2026, 8, 14)) == "holiday"  # 雪顿节
    assert day_kind(dt.date(2026, 10, 10)) == "working"  # a Saturday worked in lieu
    assert day_kind(dt.date(2026, 10, 18)) == "rest_day"


def test_the_account_and_transfer_deadlines() -> None:
    assert rules.account_open_due(dt.date(2026, 8, 20), P) == dt.date(2026, 9, 19)
    assert rules.account_file_due(dt.date(2026, 9, 19), P) == dt.date(2026, 10, 19)
    assert rules.next_transfer_due(dt.date(2026, 1, 31), P) == dt.date(2026, 2, 28)
    assert rules.next_transfer_due(dt.date(2026, 12, 15), P) == dt.date(2027, 1, 15)
    assert rules.keep_until(dt.date(2024, 2, 29), P) == dt.date(2027, 2, 28)


def test_negative_figures_are_refused() -> None:
    with pytest.raises(ValueError):
        rules.gross("day", -1, None, Attendance(days=1), P)
    with pytest.raises(ValueError):
        rules.gross("week", 1, None, Attendance(days=1), P)


@given(st.integers(0, 10**12), st.integers(1, 10**6), st.integers(1, 100))
def test_rounding_is_half_up_to_the_unit(num: int, den: int, unit: int) -> None:
    value = Fraction(num, den)
    r = round_half_up(value, unit)
    assert r % unit == 0
    assert abs(Fraction(r) - value) <= Fraction(unit, 2)
    if abs(Fraction(r) - value) == Fraction(unit, 2):
        assert r > value  # a tie goes up


rates = st.integers(0, 10_000_000)
minutes = st.integers(0, 31 * 1440)


@given(
    st.sampled_from(["day", "hour", "piece"]),
    rates,
    st.one_of(st.none(), rates),
    st.integers(0, 31),
    minutes,
    st.integers(0, 100_000),
    st.tuples(minutes, minutes, minutes),
    st.integers(0, 31 * 1440),
)
def test_more_overtime_never_pays_less(
    kind: str,
    rate: int,
    ot_rate: int | None,
    days: int,
    mins: int,
    pieces: int,
    ot: tuple[int, int, int],
    extra: int,
) -> None:
    a = Attendance(days, mins, pieces, ot)
    g = rules.gross(kind, rate, ot_rate, a, P)
    assert g.total == g.base + sum(g.overtime) >= 0
    more = rules.gross(
        kind, rate, ot_rate, Attendance(days, mins, pieces, (ot[0] + extra, *ot[1:])), P
    )  # type: ignore[arg-type]
    assert more.total >= g.total
    # the same minutes on a holiday pay at least what they pay on a rest day, and on a rest
    # day at least what they pay as working-day overtime
    w, r, h = (
        rules.gross(kind, rate, ot_rate, Attendance(0, 0, 0, t), P).total
        for t in ((extra, 0, 0), (0, extra, 0), (0, 0, extra))
    )
    assert w <= r <= h
