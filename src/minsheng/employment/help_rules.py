"""Who counts as hard to employ (就业困难人员), and what a help plan owes — pure rules over
columns (numpy arrays, one element per person), reading only the dated parameters
``employment.help.*`` (:class:`HelpParams`).

A person counts when they are a registered unemployed seeker of working age and fall in at
least one category (:data:`CATEGORIES`):

- ``age``: women from ``age.female``, men from ``age.male`` (the "4050" people);
- ``disability``: they hold a status of ``person_statuses`` (残疾人);
- ``dibao``: someone in their household holds a status of ``household_statuses`` (低保/特困);
- ``zero_employment``: no member of working age of their (urban: ``zero_employment_areas``)
  household is employed (零就业家庭);
- ``long_unemployed``: unemployed ``long_unemployed_months`` or more without a break;
- ``graduate``: graduated within ``graduate.within_years`` years and unemployed
  ``graduate.unemployed_months`` or more;
- ``relocated``: someone in their household holds a status of ``relocated_statuses``
  (易地扶贫搬迁);
- ``land_lost``: they hold a status of ``land_lost_statuses`` (失地农民).

Ages and months are whole: a person is 40 from their 40th birthday, unemployed 12 months from
the same day of the month twelve months on (a 31st counts from the month's last day).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt

from minsheng.core import calendar

Bools = npt.NDArray[np.bool_]
Ints = npt.NDArray[np.int64]
Days = npt.NDArray[np.datetime64]

CATEGORIES = (
    "age",
    "disability",
    "dibao",
    "zero_employment",
    "long_unemployed",
    "graduate",
    "relocated",
    "land_lost",
)
NO_DAY = np.datetime64("NaT", "D")


@dataclass(frozen=True)
class HelpParams:
    female_age: int
    male_age: int
    min_age: int
    male_below: int
    female_below: int
    person_statuses: tuple[str, ...]
    household_statuses: tuple[str, ...]
    relocated_statuses: tuple[str, ...]
    land_lost_statuses: tuple[str, ...]
    zero_employment: bool
    zero_employment_areas: tuple[str, ...]
    zero_employment_hired_days: int
    long_months: int
    graduate_months: int
    graduate_years: int
    job_leads: int
    training_offers: int
    working_days: int
    contact_working_days: int
    reopen_after_days: int
    refusal_limit: int
    stop_after_refusals: bool

    @classmethod
    def from_snapshot(cls, snap: Any) -> HelpParams:
        h = snap.employment.help
        return cls(
            female_age=int(h.age.female),
            male_age=int(h.age.male),
            min_age=int(h.working_age.min),
            male_below=int(h.working_age.male_below),
            female_below=int(h.working_age.female_below),
            person_statuses=tuple(str(h.person_statuses).split()),
            household_statuses=tuple(str(h.household_statuses).split()),
            relocated_statuses=tuple(str(h.relocated_statuses).split()),
            land_lost_statuses=tuple(str(h.land_lost_statuses).split()),
            zero_employment=bool(h.zero_employment),
            zero_employment_areas=tuple(str(h.zero_employment_areas).split()),
            zero_employment_hired_days=int(h.zero_employment_hired_days),
            long_months=int(h.long_unemployed_months),
            graduate_months=int(h.graduate.unemployed_months),
            graduate_years=int(h.graduate.within_years),
            job_leads=int(h.plan.job_leads),
            training_offers=int(h.plan.training_offers),
            working_days=int(h.plan.working_days),
            contact_working_days=int(h.plan.contact_working_days),
            reopen_after_days=int(h.plan.reopen_after_days),
            refusal_limit=int(h.refusals.limit),
            stop_after_refusals=bool(h.refusals.stop),
        )


# ------------------------------------------------------------------ whole years and months


def _ymd(days: Days) -> tuple[Ints, Ints, Ints]:
    d = days.astype("datetime64[D]")
    y = d.astype("datetime64[Y]").astype(np.int64) + 1970
    m = d.astype("datetime64[M]").astype(np.int64) % 12 + 1
    day = (d - d.astype("datetime64[M]")).astype(np.int64) + 1
    return y, m, day


def whole_months(since: Days, today: dt.date) -> Ints:
    """Whole months from each ``since`` to ``today`` (−1 where ``since`` is NaT or later than
    today). A month is complete on the same day of the month, or on the month's last day when
    it is shorter (31 Jan → 28/29 Feb is one month)."""
    since = since.astype("datetime64[D]")
    missing = np.isnat(since)
    safe = np.where(missing, np.datetime64(today, "D"), since)
    y, m, d = _ymd(safe)
    months = (today.year - y) * 12 + (today.month - m)
    last = calendar_month_end(today)
    reached = (today.day >= d) | (today.day == last)
    months = months - (~reached).astype(np.int64)
    out: Ints = np.where(missing | (safe > np.datetime64(today, "D")), -1, months).astype(np.int64)
    return out


def calendar_month_end(day: dt.date) -> int:
    nxt = dt.date(day.year + (day.month == 12), day.month % 12 + 1, 1)
    return (nxt - dt.timedelta(days=1)).day


def ages(birth: Days, today: dt.date) -> Ints:
    """Whole years of age on ``today`` (a 29 February birthday comes on 1 March)."""
    y, m, d = _ymd(birth)
    had = (today.month > m) | ((today.month == m) & (today.day >= d))
    out: Ints = (today.year - y - (~had).astype(np.int64)).astype(np.int64)
    return out


# ------------------------------------------------------------------ the categories


def working_age(p: HelpParams, sex: npt.NDArray[np.str_], age: Ints) -> Bools:
    below = np.where(sex == "F", p.female_below, p.male_below)
    out: Bools = (age >= p.min_age) & (age < below)
    return out


def zero_employment(
    household: Ints, member_household: Ints, member_working_age: Bools, member_employed: Bools
) -> Bools:
    """For each entry of ``household`` (0: none), whether its household has at least one member
    of working age and none of them employed (members given as parallel columns)."""
    adult = member_working_age.astype(bool)
    with_adults = np.unique(member_household[adult])
    with_work = np.unique(member_household[adult & member_employed.astype(bool)])
    out: Bools = (household > 0) & np.isin(household, with_adults) & ~np.isin(household, with_work)
    return out


def categories(
    p: HelpParams,
    today: dt.date,
    *,
    sex: npt.NDArray[np.str_],
    birth: Days,
    unemployed_since: Days,
    graduate_year: Ints,
    person_status: Bools,
    household_status: Bools,
    household_zero: Bools,
    relocated: Bools | None = None,
    land_lost: Bools | None = None,
) -> dict[str, Bools]:
    """Each category as a column of booleans (people who are not unemployed seekers of working
    age are in none: ``unemployed_since`` NaT means not unemployed). ``relocated`` and
    ``land_lost`` (the household's and the person's statuses) are none when not given."""
    none = np.zeros(len(sex), dtype=bool)
    age = ages(birth, today)
    months = whole_months(unemployed_since, today)
    base = working_age(p, sex, age) & (months >= 0)
    by_age = np.where(sex == "F", age >= p.female_age, age >= p.male_age)
    recent = (graduate_year > 0) & (today.year - graduate_year <= p.graduate_years)
    recent &= graduate_year <= today.year
    cats = {
        "age": by_age,
        "disability": person_status.astype(bool),
        "dibao": household_status.astype(bool),
        "zero_employment": household_zero.astype(bool) & p.zero_employment,
        "long_unemployed": months >= p.long_months,
        "graduate": recent & (months >= p.graduate_months),
        "relocated": none if relocated is None else relocated.astype(bool),
        "land_lost": none if land_lost is None else land_lost.astype(bool),
    }
    return {k: np.asarray(v, dtype=bool) & base for k, v in cats.items()}


def counted(cats: dict[str, Bools]) -> Bools:
    """Hard to employ: in at least one category."""
    out: Bools = np.logical_or.reduce([cats[c] for c in CATEGORIES])
    return out


# ------------------------------------------------------------------ the plan


def plan_deadlines(p: HelpParams, opened: dt.date) -> tuple[dt.date, dt.date]:
    """(first contact by, services by), in working days from the day the plan opened."""
    return (
        calendar.add_working_days(opened, p.contact_working_days),
        calendar.add_working_days(opened, p.working_days),
    )


def shortfall(p: HelpParams, job_leads: int, training_offers: int) -> dict[str, int]:
    """The services still owed: job leads and training offers short of the parameters."""
    return {
        "job_lead": max(0, p.job_leads - job_leads),
        "training_offer": max(0, p.training_offers - training_offers),
    }


def refusals_in_year(refused_on: list[dt.date], today: dt.date) -> int:
    """Refusals within the 365 days that end today (a rolling year)."""
    start = today - dt.timedelta(days=364)
    return sum(1 for d in refused_on if start <= d <= today)


def must_stop(p: HelpParams, refusals: int) -> bool:
    """Help stops when the parameter says so and the year's refusals reach the limit."""
    return p.stop_after_refusals and refusals >= p.refusal_limit


def reopenable(p: HelpParams, closed_on: dt.date | None, today: dt.date) -> bool:
    """A plan the person's outcome closed may reopen only ``reopen_after_days`` later."""
    return closed_on is None or (today - closed_on).days >= p.reopen_after_days


__all__ = [
    "CATEGORIES",
    "HelpParams",
    "ages",
    "categories",
    "counted",
    "must_stop",
    "plan_deadlines",
    "refusals_in_year",
    "reopenable",
    "shortfall",
    "whole_months",
    "working_age",
    "zero_employment",
]
