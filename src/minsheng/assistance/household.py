"""A household as the caseworker records it: members' incomes by month and kind, financial
assets, rigid expenses of the last 12 months — and the small date and input helpers the
assistance package shares (months, ages, disability grades, the figures in force)."""

from __future__ import annotations

import calendar
import datetime as dt
from typing import Any

from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from minsheng.assistance import rules
from minsheng.assistance.models import ASSET_KINDS, EXPENSE_KINDS, Asset, Expense, Income
from minsheng.assistance.schemas import AssetsIn, ExpenseIn, IncomesIn
from minsheng.core import divisions, money
from minsheng.core.errors import MinshengError, invalid
from minsheng.foundation import audit
from minsheng.foundation.principals import Principal
from minsheng.policy import ParameterTree, load
from minsheng.registry import service as registry
from minsheng.registry.models import Household, Person

# --------------------------------------------------------------------------- helpers


def params(
    day: dt.date, division_code: str, tree: ParameterTree | None = None
) -> rules.AssistanceParams:
    """The assistance figures in force on ``day`` where the household lives."""
    snap = (tree or load()).at(day, divisions.pooling_region(division_code))
    return rules.AssistanceParams.from_snapshot(snap)


def parse_month(text: str, field: str = "month") -> dt.date:
    try:
        year, month = (int(x) for x in str(text).split("-"))
        return dt.date(year, month, 1)
    except ValueError:
        raise invalid(
            field, "month", f"月份格式应为YYYY-MM：{text!r}", f"a month is YYYY-MM: {text!r}"
        ) from None


def add_months(day: dt.date, n: int) -> dt.date:
    """``day`` moved by ``n`` months, kept within the month (31 Jan + 1 → 28/29 Feb)."""
    year, month0 = divmod(day.year * 12 + day.month - 1 + n, 12)
    last = calendar.monthrange(year, month0 + 1)[1]
    return dt.date(year, month0 + 1, min(day.day, last))


def months_back(day: dt.date, n: int = 12) -> tuple[dt.date, dt.date]:
    """The ``n`` full months before ``day``'s month: [first day, first day of ``day``'s month)."""
    this = day.replace(day=1)
    return add_months(this, -n), this


def money_in(text: str, field: str, maximum: int = money.MAX_PAYMENT_FEN) -> int:
    """An amount in yuan as fen: not negative, at most ``maximum`` (docs/parameters.md,
    "Engineering maxima"), else a clear error naming ``field`` — never a wrapped number."""
    try:
        value = money.parse(text, field)
    except MinshengError as err:
        if err.rule == "too_large":
            raise money.too_large(field, maximum) from None
        raise
    money.bounded(value, field, maximum)
    if value < 0:
        raise invalid(field, "negative", "金额不能为负", "an amount cannot be negative")
    return value


def choice(value: str | None, allowed: tuple[str, ...], field: str, what_zh: str) -> str:
    if value not in allowed:
        raise invalid(
            field,
            "unknown_value",
            f"{what_zh}无效：{value!r}（可选：{'、'.join(allowed)}）",
            f"unknown {field} {value!r} (one of: {', '.join(allowed)})",
        )
    return value


def alive_members(household: Household, day: dt.date) -> list[Person]:
    return [p for p in household.members if p.death_date is None or p.death_date > day]


def member(household: Household, person_id: int, field: str) -> Person:
    for p in household.members:
        if p.id == person_id:
            return p
    raise invalid(
        field,
        "not_a_member",
        f"人员{person_id}不是该家庭成员（一个人只能属于一个家庭）",
        f"person {person_id} is not a member of this household (a person belongs to one)",
    )


def age_between(birth: dt.date, day: dt.date) -> int:
    """Completed years of age on ``day`` (周岁)."""
    return day.year - birth.year - ((day.month, day.day) < (birth.month, birth.day))


def age_on(person: Person, day: dt.date) -> int:
    return age_between(person.birth_date, day)


# ------------------------------------------------------------------------- recording


def record_incomes(
    session: Session,
    household_id: int,
    data: IncomesIn,
    by: Principal,
    today: dt.date | None = None,
) -> int:
    """Record (or correct) members' incomes by month and kind. All rows or none."""
    today = today or dt.date.today()
    household = registry.get_household(session, household_id, by)
    rows = []
    for i, item in enumerate(data.items):
        where = f"items[{i}]"
        person = member(household, item.person_id, f"{where}.person_id")
        month = parse_month(item.month, f"{where}.month")
        if month > today:
            raise invalid(
                f"{where}.month", "future", "不能登记未来月份的收入", "a month in the future"
            )
        kind = choice(item.kind, rules.INCOME_KINDS, f"{where}.kind", "收入类别")
        rows.append(
            (person.id, month, kind, money_in(item.amount, f"{where}.amount", money.MAX_INCOME_FEN))
        )
    for person_id, month, kind, amount in rows:
        session.execute(
            delete(Income).where(
                Income.person_id == person_id, Income.month == month, Income.kind == kind
            )
        )
        session.add(
            Income(
                household_id=household.id,
                person_id=person_id,
                month=month,
                kind=kind,
                amount=amount,
                recorded_by=by.actor,
            )
        )
    session.flush()
    audit.record(
        session, by, "record", "incomes", household.id, household.division_code, {"rows": len(rows)}
    )
    return len(rows)


def set_assets(
    session: Session, household_id: int, data: AssetsIn, by: Principal, today: dt.date | None = None
) -> dict[str, int]:
    household = registry.get_household(session, household_id, by)
    values = {
        choice(k, ASSET_KINDS, f"values.{k}", "财产类别"): money_in(
            v, f"values.{k}", money.MAX_ASSET_FEN
        )
        for k, v in data.values.items()
    }
    as_of = data.as_of or today or dt.date.today()
    for kind, value in values.items():
        session.execute(delete(Asset).where(Asset.household_id == household.id, Asset.kind == kind))
        session.add(Asset(household_id=household.id, kind=kind, value=value, as_of=as_of))
    session.flush()
    audit.record(
        session,
        by,
        "record",
        "assets",
        household.id,
        household.division_code,
        {"kinds": sorted(values)},
    )
    return values


def record_expense(
    session: Session,
    household_id: int,
    data: ExpenseIn,
    by: Principal,
    today: dt.date | None = None,
) -> int:
    household = registry.get_household(session, household_id, by)
    month = parse_month(data.month)
    if month > (today or dt.date.today()):
        raise invalid("month", "future", "不能登记未来月份的支出", "a month in the future")
    expense = Expense(
        household_id=household.id,
        month=month,
        kind=choice(data.kind, EXPENSE_KINDS, "kind", "支出类别"),
        amount=money_in(data.amount, "amount", money.MAX_EXPENSE_FEN),
        note=data.note,
    )
    session.add(expense)
    session.flush()
    audit.record(
        session,
        by,
        "record",
        "expense",
        expense.id,
        household.division_code,
        {"kind": expense.kind},
    )
    return expense.id


def incomes_table(session: Session, household_id: int, day: dt.date) -> list[dict[str, Any]]:
    start, end = months_back(day)
    rows = session.execute(
        select(Income.person_id, Income.kind, func.sum(Income.amount), func.count())
        .where(Income.household_id == household_id, Income.month >= start, Income.month < end)
        .group_by(Income.person_id, Income.kind)
        .order_by(Income.person_id, Income.kind)
    ).all()
    return [
        {"person_id": r[0], "kind": r[1], "total_12_months": int(r[2]), "months": int(r[3])}
        for r in rows
    ]


def assets_of(session: Session, household_id: int) -> dict[str, int]:
    return {
        a.kind: a.value
        for a in session.scalars(select(Asset).where(Asset.household_id == household_id))
    }


def expenses_of(session: Session, household_id: int) -> list[Expense]:
    return list(
        session.scalars(
            select(Expense)
            .where(Expense.household_id == household_id)
            .order_by(Expense.month.desc())
        )
    )


def grade_on(person: Person, day: dt.date) -> int:
    """The person's disability grade in force on ``day`` (0: none; the most severe if several)."""
    grades = [
        s.disability_grade or 0
        for s in person.statuses
        if s.kind == "disability" and s.start_date <= day <= (s.end_date or dt.date.max)
    ]
    return min(grades) if grades else 0
