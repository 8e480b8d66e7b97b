"""The rules' finding on a case: the household's figures read from what the caseworker
recorded, the pure rules of ``rules.py`` run on them, and every step explained with the
parameters it used (path, value, date, status, source)."""

from __future__ import annotations

import datetime as dt
from typing import Any

import numpy as np
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from minsheng.assistance import rules
from minsheng.assistance.household import (
    add_months,
    age_on,
    alive_members,
    grade_on,
    member,
    months_back,
    params,
)
from minsheng.assistance.models import Asset, Case, Expense, Income
from minsheng.assistance.schemas import Step
from minsheng.core import money
from minsheng.policy import ParameterTree
from minsheng.registry.models import Household

# -------------------------------------------------------------------------- assessment


def _income_by_person(
    session: Session, household: Household, day: dt.date
) -> dict[int, list[tuple[str, int]]]:
    start, end = months_back(day)
    out: dict[int, list[tuple[str, int]]] = {}
    rows = session.execute(
        select(Income.person_id, Income.kind, func.sum(Income.amount))
        .where(Income.household_id == household.id, Income.month >= start, Income.month < end)
        .group_by(Income.person_id, Income.kind)
    ).all()
    for person_id, kind, amount in rows:
        out.setdefault(person_id, []).append((kind, int(amount)))
    return out


def _counted_monthly(p: rules.AssistanceParams, items: list[tuple[str, int]]) -> tuple[int, int]:
    """(12 months' gross, counted monthly average rounded down)."""
    if not items:
        return 0, 0
    kinds = np.array([rules.INCOME_KINDS.index(k) for k, _ in items], dtype=np.int64)
    amounts = np.array([a for _, a in items], dtype=np.int64)
    counted = int(rules.counted_income(p, kinds, amounts).sum())
    return int(amounts.sum()), counted // 12


def assessment(
    session: Session, case: Case, day: dt.date, tree: ParameterTree | None = None
) -> tuple[bool, int, list[Step]]:
    """The rules' finding for a case on ``day``: eligible, monthly amount, and the steps."""
    household = session.get(Household, case.household_id)
    assert household is not None
    p = params(day, household.division_code, tree)

    def info(*paths: str) -> list[dict[str, Any]]:
        return [p.infos[x].to_dict() for x in paths]

    members = alive_members(household, day)
    by_person = _income_by_person(session, household, day)
    share_paths = [f"assistance.income.counted_share.{k}" for k in rules.INCOME_KINDS]
    start, end = months_back(day)
    assets = int(
        session.scalar(
            select(func.coalesce(func.sum(Asset.value), 0)).where(
                Asset.household_id == household.id
            )
        )
        or 0
    )
    rigid = int(
        session.scalar(
            select(func.coalesce(func.sum(Expense.amount), 0)).where(
                Expense.household_id == household.id, Expense.month >= start, Expense.month < end
            )
        )
        or 0
    )
    all_items = [x for items in by_person.values() for x in items]
    gross, counted = _counted_monthly(p, all_items)
    steps = [
        Step(
            step="members",
            zh="共同生活的家庭成员人数",
            en="members living together",
            value=len(members),
        ),
        Step(
            step="income",
            zh=f"{start:%Y-%m}至{add_months(end, -1):%Y-%m}家庭收入{money.fmt(gross)}，"
            "计入部分的月平均",
            en=f"household income {start:%Y-%m}..{add_months(end, -1):%Y-%m} "
            f"{money.fmt(gross)}, counted monthly average",
            unit="fen",
            value=counted,
            parameters=info(*share_paths),
        ),
    ]
    area = household.area
    if case.programme == "temporary":
        amount = rules.temporary_amount(p, case.requested or 0, len(members), area)
        steps.append(
            Step(
                step="temporary",
                zh="临时救助：申请金额，不超过单次上限和低保标准×月数×人数",
                en="temporary assistance: as asked, up to the cap and N months of the standard",
                unit="fen",
                value=amount,
                parameters=info(
                    "assistance.temporary.per_case_cap",
                    "assistance.temporary.standard_months",
                    _standard_path(area),
                ),
            )
        )
        return amount > 0, amount, steps
    if case.programme == "tekun":
        person = member(household, case.person_id or 0, "person_id")
        _, own = _counted_monthly(p, by_person.get(person.id, []))
        grade = grade_on(person, day)
        t = rules.tekun(
            p,
            np.array([rules.AREAS.index(area)]),
            np.array([age_on(person, day)]),
            np.array([grade]),
            np.array([own]),
            np.array([case.has_supporter]),
            np.array([rules.CARE_LEVELS.index(case.care_level or "self_care")]),
        )
        ok = bool(t.eligible[0])
        steps += [
            Step(
                step="tekun_person",
                zh="特困认定：无法定赡养抚养扶养能力人；老年、未成年或重度残疾；本人收入低于特困标准",
                en="特困: no one able to support them; aged, minor or severely disabled; "
                "own income below the standard",
                value={
                    "age": age_on(person, day),
                    "disability_grade": grade,
                    "has_supporter": case.has_supporter,
                    "own_income": own,
                    "eligible": ok,
                },
                parameters=info(
                    "assistance.tekun.age.elderly",
                    "assistance.tekun.age.minor",
                    "assistance.tekun.max_disability_grade",
                ),
            ),
            Step(
                step="tekun_standard",
                zh="基本生活标准 = max(⌈倍数×低保标准⌉, 地方下限)",
                en="basic standard = max(⌈factor × 低保 standard⌉, local minimum)",
                unit="fen",
                value=int(t.basic[0]) if ok else p.tekun_standard(area),
                parameters=info(
                    "assistance.tekun.standard_factor",
                    "assistance.tekun.minimum_yearly",
                    _standard_path(area),
                ),
            ),
            Step(
                step="care_allowance",
                zh="照料护理补贴（按护理等级）",
                en="care allowance (by care level)",
                unit="fen",
                value=int(t.care[0]),
                parameters=info(
                    f"assistance.tekun.care_allowance.{case.care_level or 'self_care'}"
                ),
            ),
        ]
        return ok, int(t.amount[0]), steps

    family = rules.determine(
        p, rules.Households.of([area], [len(members)], [counted], [assets], [rigid])
    )
    steps += [
        Step(
            step="per_capita",
            zh="人均收入（向下取整到分）",
            en="per-capita income (rounded down to the fen)",
            unit="fen",
            value=int(family.per_capita[0]),
        ),
        Step(
            step="standard",
            zh="低保标准（元/人/月）",
            en="低保 standard (per person per month)",
            unit="fen",
            value=int(family.standard[0]),
            parameters=info(_standard_path(area)),
        ),
        Step(
            step="assets",
            zh=f"金融资产{money.fmt(assets)}，上限{money.fmt(int(family.asset_limit[0]))}",
            en=f"financial assets {money.fmt(assets)}, "
            f"limit {money.fmt(int(family.asset_limit[0]))}",
            value=bool(family.assets_ok[0]),
            parameters=info("assistance.dibao.asset_limit_months"),
        ),
    ]
    if case.programme == "dibao" and case.single:
        person = member(household, case.person_id or 0, "person_id")
        grade = grade_on(person, day)
        ok_single = bool(rules.single_household_ok(p, family, np.array([grade]))[0])
        _, own = _counted_monthly(p, by_person.get(person.id, []))
        alone = rules.determine(p, rules.Households.of([area], [1], [own], [0], [0]))
        eligible = ok_single and bool(family.assets_ok[0]) and bool(alone.dibao[0])
        amount = int(alone.dibao_amount[0]) if eligible else 0
        steps.append(
            Step(
                step="single_household",
                zh="单人户：家庭人均收入低于低保边缘线，本人重度残疾，按本人收入单独计算",
                en="单人户: family below the edge line, member severely disabled, assessed alone",
                value={
                    "disability_grade": grade,
                    "own_income": own,
                    "eligible": eligible,
                    "amount": amount,
                },
                parameters=info(
                    "assistance.dibao_edge.income_factor",
                    "assistance.dibao.single_household_max_disability_grade",
                ),
            )
        )
        return eligible, amount, steps
    if case.programme == "dibao":
        eligible = bool(family.dibao[0])
        amount = int(family.dibao_amount[0])
        steps.append(
            Step(
                step="dibao",
                zh="低保金 = (低保标准 − 人均收入) × 人数",
                en="低保 benefit = (standard − per-capita income) × members",
                unit="fen",
                value=amount,
            )
        )
        return eligible, amount, steps
    if case.programme == "dibao_edge":
        eligible = bool(family.edge[0])
        steps.append(
            Step(
                step="edge",
                zh=f"低保边缘线 {money.fmt(int(family.edge_line[0]))}/人/月："
                "人均收入不低于低保标准且低于此线",
                en=f"edge line {money.fmt(int(family.edge_line[0]))} per person per month",
                value=eligible,
                parameters=info("assistance.dibao_edge.income_factor"),
            )
        )
        return eligible, 0, steps
    # rigid_expense
    eligible = bool(family.rigid[0])
    steps.append(
        Step(
            step="rigid",
            zh=f"近12个月刚性支出{money.fmt(rigid)}，需超过{money.fmt(int(family.rigid_line[0]))}；"
            "年人均收入低于上年居民人均可支配收入",
            en=f"rigid expenses of 12 months {money.fmt(rigid)} must exceed "
            f"{money.fmt(int(family.rigid_line[0]))}; yearly per-capita income below last year's "
            "per-capita disposable income",
            value=eligible,
            parameters=info(
                "assistance.rigid_expense.share_of_income", "economy.per_capita_disposable_income"
            ),
        )
    )
    return eligible, 0, steps


def _standard_path(area: str) -> str:
    return (
        "assistance.dibao.standard.urban_monthly"
        if area == "urban"
        else "assistance.dibao.standard.rural_yearly"
    )
