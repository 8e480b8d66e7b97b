"""The gig market's rules, pure (no database): the day-pay floor, what a posting may not ask,
how the applicants of a gig are ordered (priority for older and difficult gig workers), and
the slots a gig has left.

Every figure is a parameter of ``employment.gig`` / ``employment.labour`` read on the day by the
caller and passed in (:class:`GigParams`): the floor is the monthly minimum wage divided by the
month's pay days (劳社部发〔2008〕3号: 21.75), rounded up to the fen; the fee ban is the
vacancies' list of banned words (``employment.vacancy.banned_words``, 令第28号 第十四条) and
their rule; the priority bands are the ages and points of the parameters.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction
from math import ceil

from minsheng.core.errors import Problem
from minsheng.employment import vacancy_rules

MAX_DAY_PAY_FEN = 10_000_000  # ¥100,000 for one day: no gig's day pay is larger


@dataclass(frozen=True)
class GigParams:
    """The parameters the rules read, on one day in one county."""

    minimum_wage_monthly: int  # fen
    pay_days_per_month: Decimal
    max_days: int
    max_slots: int
    fee_terms: tuple[str, ...]
    older_age_female: int
    older_age_male: int
    senior_age: int
    older_points: int
    senior_points: int
    status_points: Mapping[str, int]


def parse_points(text: str) -> dict[str, int]:
    """``"disability:3 dibao:2"`` → ``{"disability": 3, "dibao": 2}``."""
    out: dict[str, int] = {}
    for item in text.split():
        kind, _, points = item.partition(":")
        out[kind] = int(points)
    return out


def day_floor(minimum_wage_monthly: int, pay_days_per_month: Decimal) -> int:
    """The lowest day pay (fen): the monthly minimum ÷ the month's pay days, rounded up."""
    return ceil(Fraction(minimum_wage_monthly) / Fraction(pay_days_per_month))


def age_on(birth: dt.date, day: dt.date) -> int:
    """Full years of age on ``day`` (a 29 February birthday counts from 1 March)."""
    return day.year - birth.year - ((day.month, day.day) < (birth.month, birth.day))


def fee_terms_in(text: str, terms: tuple[str, ...]) -> list[str]:
    """The banned terms ``text`` contains: the vacancies' rule (white space, width and case
    ignored), so a gig and a vacancy refuse the same words."""
    return vacancy_rules.banned_in(text, terms)


def posting_problems(
    p: GigParams,
    *,
    day_pay: int,
    slots: int,
    starts_on: dt.date,
    ends_on: dt.date,
    today: dt.date,
    texts: Mapping[str, str],
) -> list[Problem]:
    """What is wrong with a gig as posted (empty: it may be published)."""
    out: list[Problem] = []
    floor = day_floor(p.minimum_wage_monthly, p.pay_days_per_month)
    if day_pay < floor:
        yuan = f"{Decimal(floor) / 100:.2f}"
        out.append(
            Problem(
                "day_pay",
                "below_floor",
                f"日薪不得低于{yuan}元（月最低工资标准÷月计薪天数）",
                f"the day pay may not be below ¥{yuan} (the monthly minimum wage ÷ pay days)",
                f"ཉིན་གླ་སྒོར་{yuan}ལས་དམའ་མི་ཆོག",
            )
        )
    if day_pay > MAX_DAY_PAY_FEN:
        out.append(
            Problem(
                "day_pay",
                "too_large",
                "日薪超过上限",
                "the day pay is above the maximum",
                "ཉིན་གླ་ཚད་ལས་བརྒལ་འདུག",
            )
        )
    if not 1 <= slots <= p.max_slots:
        out.append(
            Problem(
                "slots",
                "range",
                f"招用人数须在1至{p.max_slots}之间",
                f"the slots must be between 1 and {p.max_slots}",
                f"མི་གྲངས་1ནས་{p.max_slots}བར་དགོས།",
            )
        )
    if starts_on < today:
        out.append(
            Problem(
                "starts_on",
                "past",
                "开工日期不能早于今天",
                "the first day may not be in the past",
                "ལས་འགོ་ཚུགས་པའི་ཚེས་གྲངས་འདས་ཟིན།",
            )
        )
    if ends_on < starts_on:
        out.append(
            Problem(
                "ends_on",
                "before_start",
                "结束日期不能早于开工日期",
                "the last day may not be before the first",
                "མཇུག་གི་ཚེས་གྲངས་འགོ་ཚུགས་པའི་སྔོན་ལ་ཡོད།",
            )
        )
    elif (ends_on - starts_on).days + 1 > p.max_days:
        out.append(
            Problem(
                "ends_on",
                "too_long",
                f"零工最长{p.max_days}天，更长的用工请发布招聘岗位",
                f"a gig lasts at most {p.max_days} days: post a vacancy for longer work",
                f"གནས་སྐབས་ལས་ཀ་ཉིན་{p.max_days}ལས་རིང་མི་ཆོག",
            )
        )
    for field, text in texts.items():
        found = fee_terms_in(text, p.fee_terms)
        if found:
            out.append(
                Problem(
                    field,
                    "banned_word",
                    f"零工市场免费：不得向零工收取费用或扣押证件（{'、'.join(found)}）",
                    f"the gig market is free: nothing may be asked of workers ({', '.join(found)})",
                    "གནས་སྐབས་ལས་མི་ལ་འགྲོ་གྲོན་དང་ལག་ཁྱེར་ལེན་མི་ཆོག",
                )
            )
    return out


# ------------------------------------------------------------------ priority


@dataclass(frozen=True)
class Priority:
    """An applicant's priority: the points and why (codes: ``older``, ``senior``,
    ``status:<kind>``)."""

    points: int
    reasons: tuple[str, ...]


def priority(
    p: GigParams, birth: dt.date, sex: str, statuses: Iterable[str], today: dt.date
) -> Priority:
    """Older gig workers (women from ``older_age_female``, men from ``older_age_male``; more
    from ``senior_age``) and difficult ones (the highest of their registry statuses' points)."""
    points, reasons = 0, []
    age = age_on(birth, today)
    if age >= (p.older_age_female if sex == "F" else p.older_age_male):
        points += p.older_points
        reasons.append("older")
        if age >= p.senior_age:
            points += p.senior_points
            reasons.append("senior")
    held = sorted(
        {k for k in statuses if p.status_points.get(k, 0) > 0},
        key=lambda k: (-p.status_points[k], k),
    )
    if held:
        points += p.status_points[held[0]]
        reasons.extend(f"status:{k}" for k in held)
    return Priority(points, tuple(reasons))


@dataclass(frozen=True)
class Applicant:
    """One application to order: its id (the order of applying) and its priority."""

    id: int
    priority: Priority


def order(applicants: Sequence[Applicant]) -> list[Applicant]:
    """Highest priority first; equal priority in the order of applying."""
    return sorted(applicants, key=lambda a: (-a.priority.points, a.id))


def slots_left(slots: int, accepted: int) -> int:
    """How many more may be accepted (never negative)."""
    return max(slots - accepted, 0)


__all__ = [
    "MAX_DAY_PAY_FEN",
    "Applicant",
    "GigParams",
    "Priority",
    "age_on",
    "day_floor",
    "fee_terms_in",
    "order",
    "parse_points",
    "posting_problems",
    "priority",
    "slots_left",
]
