"""The rules' finding on a case: the household's figures read from what the caseworker
recorded, the pure decision of ``decision.py`` run on them, and its steps rendered — each with
the parameters the rules named for it (path, value, date, status, source). Nothing here
re-derives which parameter applies: the rules say it (issue 11, point 2)."""

from __future__ import annotations

import datetime as dt
from dataclasses import replace

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from minsheng.assistance import decision
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
from minsheng.pensions import queries as pensions
from minsheng.policy import ParameterTree
from minsheng.registry.models import Household


def N_(msgid: str) -> str:  # marks a message for the catalogues (pybabel -k N_)
    return msgid


# What each step says, in Chinese and English (the English is the msgid whose Tibetan the
# ``bo`` catalogue holds: a Tibetan page renders it with the figures kept with the step,
# ``desk_pages.step_title``): {name} is a figure of the step's base (money), {start} / {end}
# the first and last month of the income window.
TEXTS: dict[str, tuple[str, str]] = {
    "members": ("共同生活的家庭成员人数", N_("members living together")),
    "income": (
        "{start}至{end}家庭收入{gross}，计入部分的月平均",
        N_("household income {start}..{end} {gross}, counted monthly average"),
    ),
    "temporary": (
        "临时救助：申请金额，不超过单次上限和低保标准×月数×人数",
        N_("temporary assistance: as asked, up to the cap and N months of the standard"),
    ),
    "tekun_person": (
        "特困认定：无法定赡养抚养扶养能力人；老年、未成年或重度残疾；本人收入低于特困标准",
        N_(
            "特困: no one able to support them; aged, minor or severely disabled; "
            "own income below the standard"
        ),
    ),
    "tekun_standard": (
        "基本生活标准 = max(⌈倍数×低保标准⌉, 地方下限)",
        N_("basic standard = max(⌈factor × 低保 standard⌉, local minimum)"),
    ),
    "care_allowance": ("照料护理补贴（按护理等级）", N_("care allowance (by care level)")),
    "per_capita": ("人均收入（向下取整到分）", N_("per-capita income (rounded down to the fen)")),
    "standard": ("低保标准（元/人/月）", N_("低保 standard (per person per month)")),
    "assets": ("金融资产{assets}，上限{limit}", N_("financial assets {assets}, limit {limit}")),
    "single_household": (
        "单人户：家庭人均收入低于低保边缘线，本人重度残疾，按本人收入单独计算",
        N_("单人户: family below the edge line, member severely disabled, assessed alone"),
    ),
    "dibao": (
        "低保金 = (低保标准 − 人均收入) × 人数",
        N_("低保 benefit = (standard − per-capita income) × members"),
    ),
    # the shapes of a region's 低保 (issue 16 item 8), each named when used
    "dibao_band": (
        "分档发放：人均收入所在档次，每人{each}",
        N_("banded benefit: the band of the per-capita income, {each} per member"),
    ),
    "dibao_minimum": (
        "保底：低保金不低于{minimum}（保底比例×低保标准×人数）",
        N_("minimum payment: the benefit is at least {minimum} (share × standard × members)"),
    ),
    "dibao_sanwu": (
        "“三无”人员：按低保标准全额发放",
        N_("三无 household (no ability to work, livelihood or supporter): the full standard"),
    ),
    "rounding_yuan_half_up": ("低保金四舍五入到元", N_("benefit rounded half up to the yuan")),
    "rounding_yuan_up": ("低保金进位到元", N_("benefit rounded up to the yuan")),
    "rounding_yuan_down": ("低保金舍去角分到元", N_("benefit truncated to the yuan")),
    # 分类施保, per category (``figures.ADDON_CATEGORIES``)
    "addon_elderly": (
        "分类施保（老年人）：每人增发{each}，共{paid}",
        N_("分类施保 add-on (elderly): {each} per member, {paid} in all"),
    ),
    "addon_minor": (
        "分类施保（未成年人）：每人增发{each}，共{paid}",
        N_("分类施保 add-on (minor): {each} per member, {paid} in all"),
    ),
    "addon_student": (
        "分类施保（在校学生）：每人增发{each}，共{paid}",
        N_("分类施保 add-on (student): {each} per member, {paid} in all"),
    ),
    "addon_single_parent": (
        "分类施保（单亲家庭成员）：每人增发{each}，共{paid}",
        N_("分类施保 add-on (single parent): {each} per member, {paid} in all"),
    ),
    "addon_severely_disabled": (
        "分类施保（重度残疾人）：每人增发{each}，共{paid}",
        N_("分类施保 add-on (severely disabled): {each} per member, {paid} in all"),
    ),
    "addon_seriously_ill": (
        "分类施保（重病患者）：每人增发{each}，共{paid}",
        N_("分类施保 add-on (seriously ill): {each} per member, {paid} in all"),
    ),
    "addon_sanwu": (
        "分类施保（“三无”人员）：每人增发{each}，共{paid}",
        N_("分类施保 add-on (三无 person): {each} per member, {paid} in all"),
    ),
    "edge": (
        "低保边缘线 {line}/人/月：人均收入不低于低保标准且低于此线",
        N_("edge line {line} per person per month"),
    ),
    "rigid": (
        "近12个月刚性支出{rigid}，需超过{line}；年人均收入低于上年居民人均可支配收入",
        N_(
            "rigid expenses of 12 months {rigid} must exceed {line}; yearly per-capita income "
            "below last year's per-capita disposable income"
        ),
    ),
}


def render(steps: tuple[decision.Step, ...], start: dt.date, end: dt.date) -> list[Step]:
    """The rules' steps as the case stores and shows them: each step's sentence with its
    figures (Chinese, English; the figures kept for the Tibetan), its value, and the parameters
    the rules named for it."""
    window = {"start": f"{start:%Y-%m}", "end": f"{add_months(end, -1):%Y-%m}"}
    out = []
    for s in steps:
        figures = {k: money.fmt(v) for k, v in s.base.items()}
        zh, en = TEXTS[s.what]
        out.append(
            Step(
                step=s.what,
                zh=zh.format(**figures, **window),
                en=en.format(**figures, **window),
                figures={**figures, **window},
                value=s.value,
                unit=s.unit,
                parameters=[i.to_dict() for i in s.parameters],
            )
        )
    return out


# -------------------------------------------------------------------------- the case's facts


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
    # The members' pensions paid by the platform are verified income (信息核对): each member's
    # pension counts as the larger of what was recorded and what the award pays, never both.
    members = [m.id for m in alive_members(household, day)]
    for person_id, paid in pensions.pension_income(session, members, start, end).items():
        items = out.setdefault(person_id, [])
        recorded = sum(a for k, a in items if k == "pension")
        if paid > recorded:
            items[:] = [(k, a) for k, a in items if k != "pension"] + [("pension", paid)]
    return out


def applicant(session: Session, case: Case, day: dt.date) -> decision.Applicant:
    """The case as the rules see it, read from what the caseworker recorded."""
    household = session.get(Household, case.household_id)
    assert household is not None
    start, end = months_back(day)
    by_person = _income_by_person(session, household, day)
    assets = session.scalar(
        select(func.coalesce(func.sum(Asset.value), 0)).where(Asset.household_id == household.id)
    )
    rigid = session.scalar(
        select(func.coalesce(func.sum(Expense.amount), 0)).where(
            Expense.household_id == household.id, Expense.month >= start, Expense.month < end
        )
    )
    facts = decision.Applicant(
        programme=case.programme,
        area=household.area,
        members=len(alive_members(household, day)),
        incomes=tuple(x for items in by_person.values() for x in items),
        assets=int(assets or 0),
        rigid=int(rigid or 0),
        has_supporter=bool(case.has_supporter),
        care_level=case.care_level or "self_care",
        requested=case.requested or 0,
        single=bool(case.single),
    )
    if case.programme == "tekun" or (case.programme == "dibao" and case.single):
        person = member(household, case.person_id or 0, "person_id")
        return replace(
            facts,
            own_incomes=tuple(by_person.get(person.id, [])),
            age=age_on(person, day),
            disability_grade=grade_on(person, day),
        )
    return facts


def assessment(
    session: Session, case: Case, day: dt.date, tree: ParameterTree | None = None
) -> tuple[bool, int, list[Step]]:
    """The rules' finding for a case on ``day``: eligible, monthly amount, and the steps."""
    household = session.get(Household, case.household_id)
    assert household is not None
    found = decision.decide(
        params(day, household.division_code, tree), applicant(session, case, day)
    )
    return found.eligible, found.amount, render(found.steps, *months_back(day))
