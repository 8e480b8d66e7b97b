"""What a caseworker does: record a household's incomes, assets and rigid expenses; open a case;
take it through check → public notice (公示) → approval or rejection → periodic review (复核) →
stop. Every step is audited, every deadline counted in working days, and every decision carries
its explanation with the parameters it used."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any, TypeVar

import numpy as np
from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from minsheng.assistance import rules
from minsheng.assistance.models import (
    ASSET_KINDS,
    EXPENSE_KINDS,
    PROGRAMMES,
    Asset,
    Case,
    CaseEvent,
    Expense,
    Income,
    Warning,
)
from minsheng.assistance.schemas import (
    AssetsIn,
    CaseIn,
    CaseOut,
    EventOut,
    ExpenseIn,
    IncomesIn,
    Step,
)
from minsheng.auth import audit
from minsheng.auth.permissions import Principal
from minsheng.core import calendar, divisions, money
from minsheng.core.errors import ConflictError, NotFoundError, invalid
from minsheng.policy import ParameterTree, load
from minsheng.registry import service as registry
from minsheng.registry.models import Household, Person, SpecialStatus
from minsheng.registry.schemas import StatusIn

OPEN_STATES = ("applied", "checking", "notice")
PAID_PROGRAMMES = ("dibao", "tekun")  # paid monthly
STATUS_OF = {"dibao": "dibao", "tekun": "tekun", "dibao_edge": "dibao_edge"}  # registry status


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
    m = day.year * 12 + day.month - 1 + n
    year, month = divmod(m, 12)
    last = [31, 29 if calendar_leap(year) else 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31][month]
    return dt.date(year, month + 1, min(day.day, last))


def calendar_leap(year: int) -> bool:
    return year % 4 == 0 and (year % 100 != 0 or year % 400 == 0)


def months_back(day: dt.date, n: int = 12) -> tuple[dt.date, dt.date]:
    """The ``n`` full months before ``day``'s month: [first day, first day of ``day``'s month)."""
    this = day.replace(day=1)
    return add_months(this, -n), this


def _amount(text: str, field: str) -> int:
    value = money.parse(text, field)
    if value < 0:
        raise invalid(field, "negative", "金额不能为负", "an amount cannot be negative")
    return value


def _choice(value: str | None, allowed: tuple[str, ...], field: str, what_zh: str) -> str:
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


def _member(household: Household, person_id: int, field: str) -> Person:
    for p in household.members:
        if p.id == person_id:
            return p
    raise invalid(
        field,
        "not_a_member",
        f"人员{person_id}不是该家庭成员（一个人只能属于一个家庭）",
        f"person {person_id} is not a member of this household (a person belongs to one)",
    )


def age_on(person: Person, day: dt.date) -> int:
    b = person.birth_date
    return day.year - b.year - ((day.month, day.day) < (b.month, b.day))


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
        person = _member(household, item.person_id, f"{where}.person_id")
        month = parse_month(item.month, f"{where}.month")
        if month > today:
            raise invalid(
                f"{where}.month", "future", "不能登记未来月份的收入", "a month in the future"
            )
        kind = _choice(item.kind, rules.INCOME_KINDS, f"{where}.kind", "收入类别")
        rows.append((person.id, month, kind, _amount(item.amount, f"{where}.amount")))
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
        _choice(k, ASSET_KINDS, f"values.{k}", "财产类别"): _amount(v, f"values.{k}")
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
        kind=_choice(data.kind, EXPENSE_KINDS, "kind", "支出类别"),
        amount=_amount(data.amount, "amount"),
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
        person = _member(household, case.person_id or 0, "person_id")
        _, own = _counted_monthly(p, by_person.get(person.id, []))
        grade = _grade(person, day)
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
        person = _member(household, case.person_id or 0, "person_id")
        grade = _grade(person, day)
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


def _grade(person: Person, day: dt.date) -> int:
    grades = [
        s.disability_grade or 0
        for s in person.statuses
        if s.kind == "disability" and s.start_date <= day <= (s.end_date or dt.date.max)
    ]
    return min(grades) if grades else 0


# ----------------------------------------------------------------------------- cases


def _event(
    session: Session,
    case: Case,
    action: str,
    before: str | None,
    by: Principal,
    day: dt.date,
    note: str | None = None,
) -> None:
    session.add(
        CaseEvent(
            case_id=case.id,
            day=day,
            action=action,
            from_state=before,
            to_state=case.state,
            amount=case.monthly_amount,
            note=note,
            by=by.actor,
        )
    )
    session.flush()
    audit.record(
        session,
        by,
        action,
        "assistance_case",
        case.id,
        case.division_code,
        {
            "programme": case.programme,
            "from": before,
            "to": case.state,
            "amount": case.monthly_amount,
        },
    )


def open_case(session: Session, data: CaseIn, by: Principal, today: dt.date | None = None) -> Case:
    """申请: a household (or one member) applies; the check is due in N working days."""
    today = today or dt.date.today()
    household = registry.get_household(session, data.household_id, by)
    programme = _choice(data.programme, PROGRAMMES, "programme", "救助类别")
    person_id = None
    if programme == "tekun" or data.single:
        if data.person_id is None:
            raise invalid(
                "person_id",
                "required",
                "特困或单人户申请需指定人员",
                "特困 and 单人户 name the person",
            )
        person_id = _member(household, data.person_id, "person_id").id
    if data.single and programme != "dibao":
        raise invalid("single", "only_dibao", "只有低保可按单人户申请", "only 低保 has 单人户")
    care = None
    if programme == "tekun":
        care = _choice(data.care_level or "self_care", rules.CARE_LEVELS, "care_level", "护理等级")
    requested = None
    if programme == "temporary":
        if data.requested is None:
            raise invalid(
                "requested", "required", "临时救助需填写申请金额", "give the amount asked for"
            )
        requested = _amount(data.requested, "requested")
    duplicate = session.scalar(
        select(Case.id).where(
            Case.household_id == household.id,
            Case.programme == programme,
            Case.person_id.is_(None) if person_id is None else Case.person_id == person_id,
            Case.state.in_([*OPEN_STATES, "approved"]),
        )
    )
    if duplicate is not None and programme != "temporary":
        raise ConflictError(
            "programme",
            "case_open",
            f"该家庭已有进行中的同类申请或在保记录（{duplicate}号）",
            f"the household already has an open or approved case {duplicate} of this kind",
        )
    p = params(today, household.division_code)
    case = Case(
        household_id=household.id,
        person_id=person_id,
        programme=programme,
        division_code=household.division_code,
        state="applied",
        single=data.single,
        care_level=care,
        has_supporter=data.has_supporter,
        requested=requested,
        applied_on=today,
        due_on=calendar.add_working_days(today, p.count("assistance.workflow.check_working_days")),
        created_by=by.actor,
    )
    session.add(case)
    session.flush()
    _event(session, case, "apply", None, by, today)
    return case


Row = TypeVar("Row", Case, Warning)


def load_in_region(
    session: Session, model: type[Row], record_id: int, field: str, zh: str, en: str, by: Principal
) -> Row:
    """A case or warning by id, if it lies in ``by``'s region (404 / 403 otherwise)."""
    found = session.get(model, record_id)
    if found is None:
        raise NotFoundError(field, f"{zh}{record_id}不存在", f"no {en} {record_id}")
    by.require_covers(found.division_code, "household")
    return found


def get_case(session: Session, case_id: int, by: Principal) -> Case:
    return load_in_region(session, Case, case_id, "case_id", "救助申请", "case", by)


def _require(case: Case, states: tuple[str, ...], action: str) -> None:
    if case.state not in states:
        raise ConflictError(
            "action",
            "wrong_state",
            f"申请处于“{case.state}”状态，不能执行“{action}”",
            f"a case in state {case.state!r} cannot {action}",
        )


def _reason(reason: str | None) -> str:
    if not reason or not reason.strip():
        raise invalid("reason", "required", "请填写理由", "give a reason")
    return reason.strip()


ACTIONS = ("check", "notice", "approve", "reject", "review", "stop")


def act(
    session: Session,
    case_id: int,
    action: str,
    by: Principal,
    reason: str | None = None,
    today: dt.date | None = None,
    tree: ParameterTree | None = None,
) -> Case:
    """One workflow step. Refused (and nothing changes) when the case is not in a state that
    allows it."""
    today = today or dt.date.today()
    action = _choice(action, ACTIONS, "action", "操作")
    case = get_case(session, case_id, by)
    before = case.state
    p = params(today, case.division_code, tree)
    note = None
    if action == "check":  # 入户调查、审核: the rules' finding
        _require(case, ("applied", "checking"), action)
        case.eligible, case.monthly_amount, steps = assessment(session, case, today, tree)
        case.explanation = json.dumps(
            [s.model_dump(mode="json") for s in steps], ensure_ascii=False
        )
        case.state = "checking"
    elif action == "notice":  # 公示
        _require(case, ("checking",), action)
        if not case.eligible:
            raise ConflictError(
                "action",
                "not_eligible",
                "审核认定不符合条件，不能公示；请作出不予确认决定",
                "the check found the case not eligible: reject it instead of publishing",
            )
        case.state = "notice"
        case.notice_start = today
        case.notice_end = calendar.add_working_days(
            today, p.count("assistance.workflow.notice_days")
        )
        case.due_on = calendar.add_working_days(
            case.notice_end, p.count("assistance.workflow.decide_working_days")
        )
    elif action == "approve":  # 确认
        allowed = ("checking",) if case.programme == "temporary" else ("notice",)
        _require(case, allowed, action)
        if not case.eligible:
            raise ConflictError(
                "action",
                "not_eligible",
                "审核认定不符合条件",
                "the check found the case not eligible",
            )
        if case.notice_end is not None and today <= case.notice_end:
            raise ConflictError(
                "action",
                "notice_running",
                f"公示期至{case.notice_end}，期满后方可确认",
                f"the public notice runs to {case.notice_end}; approve after it",
            )
        case.state = "approved"
        case.decided_on = today
        case.due_on = None
        if case.programme in ("dibao_edge", "rigid_expense"):
            months = p.count("assistance.rigid_expense.validity_months")
            case.valid_until = add_months(today, months)
            case.review_due = case.valid_until
        elif case.programme in PAID_PROGRAMMES:
            case.review_due = add_months(today, p.count("assistance.workflow.review_months"))
        _grant_statuses(session, case, today, by)
    elif action == "reject":
        _require(case, OPEN_STATES, action)
        case.reason = note = _reason(reason)
        case.state = "rejected"
        case.decided_on = today
        case.due_on = None
    elif action == "review":  # 复核
        _require(case, ("approved",), action)
        old = case.monthly_amount
        case.eligible, case.monthly_amount, steps = assessment(session, case, today, tree)
        case.explanation = json.dumps(
            [s.model_dump(mode="json") for s in steps], ensure_ascii=False
        )
        if case.eligible:
            note = f"{money.fmt(old)} → {money.fmt(case.monthly_amount)}"
            case.review_due = add_months(today, p.count("assistance.workflow.review_months"))
        else:
            case.monthly_amount = old  # the stop takes effect as the parameters say
            note = "复核不再符合条件 no longer eligible on review"
            _stop(session, case, today, note, by)
    elif action == "stop":
        _require(case, ("approved",), action)
        note = _reason(reason)
        _stop(session, case, today, note, by)
    _event(session, case, action, before, by, today, note)
    return case


def _stop(session: Session, case: Case, day: dt.date, reason: str, by: Principal) -> None:
    case.state = "stopped"
    case.stopped_on = day
    case.reason = reason
    case.review_due = None
    kind = STATUS_OF.get(case.programme)
    if kind is None:
        return
    for person in _covered_people(session, case, day):
        for s in person.statuses:
            if s.kind == kind and s.start_date <= day and (s.end_date is None or s.end_date > day):
                registry.end_status(session, s.id, max(day, s.start_date), by)


def _covered_people(session: Session, case: Case, day: dt.date) -> list[Person]:
    household = session.get(Household, case.household_id)
    assert household is not None
    if case.person_id is not None:
        return [p for p in household.members if p.id == case.person_id]
    return alive_members(household, day)


def _grant_statuses(session: Session, case: Case, day: dt.date, by: Principal) -> None:
    """The decision shows in the registry (低保/特困/低保边缘 status from today), so medical
    settlement applies the special-group rules ("一降一升一取消") from the next bill on."""
    kind = STATUS_OF.get(case.programme)
    if kind is None:
        return
    for person in _covered_people(session, case, day):
        held = {
            s.kind for s in person.statuses if s.start_date <= day <= (s.end_date or dt.date.max)
        }
        if held & set(STATUS_OF.values()):
            continue  # already holds one of the exclusive statuses
        registry.add_status(session, person.id, StatusIn(kind=kind, start_date=day), by)


def overdue(case: Case, today: dt.date) -> bool:
    if case.state in OPEN_STATES:
        return case.due_on is not None and today > case.due_on
    if case.state == "approved":
        return case.review_due is not None and today > case.review_due
    return False


def case_out(
    session: Session, case: Case, today: dt.date | None = None, events: bool = True
) -> CaseOut:
    today = today or dt.date.today()
    evs = (
        session.scalars(
            select(CaseEvent).where(CaseEvent.case_id == case.id).order_by(CaseEvent.id)
        ).all()
        if events
        else []
    )
    return CaseOut(
        id=case.id,
        household_id=case.household_id,
        person_id=case.person_id,
        programme=case.programme,
        division_code=case.division_code,
        state=case.state,
        single=case.single,
        care_level=case.care_level,
        applied_on=case.applied_on,
        due_on=case.due_on,
        notice_start=case.notice_start,
        notice_end=case.notice_end,
        decided_on=case.decided_on,
        review_due=case.review_due,
        valid_until=case.valid_until,
        stopped_on=case.stopped_on,
        reason=case.reason,
        eligible=case.eligible,
        monthly_amount=case.monthly_amount,
        overdue=overdue(case, today),
        explanation=[Step(**s) for s in json.loads(case.explanation or "[]")],
        events=[
            EventOut(
                day=e.day,
                action=e.action,
                from_state=e.from_state,
                to_state=e.to_state,
                amount=e.amount,
                note=e.note,
                by=e.by,
            )
            for e in evs
        ],
    )


def read_case(session: Session, case_id: int, by: Principal) -> CaseOut:
    case = get_case(session, case_id, by)
    audit.record(session, by, "read", "assistance_case", case.id, case.division_code)
    return case_out(session, case)


def household_cases(session: Session, household_id: int) -> list[Case]:
    return list(
        session.scalars(
            select(Case).where(Case.household_id == household_id).order_by(Case.id.desc())
        )
    )


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


def statuses_on(person: Person, day: dt.date) -> list[SpecialStatus]:
    return [s for s in person.statuses if s.start_date <= day <= (s.end_date or dt.date.max)]


def queue(
    session: Session, by: Principal, limit: int = 200, today: dt.date | None = None
) -> list[Case]:
    """Cases needing a caseworker in ``by``'s counties: open applications, and decisions whose
    review is due within the reminder period (or overdue) — earliest deadline first."""
    today = today or dt.date.today()
    notice = params(today, divisions.REGION_CODE).count("assistance.monitoring.review_notice_days")
    soon = today + dt.timedelta(days=notice)
    q = select(Case).where(
        Case.state.in_(OPEN_STATES) | ((Case.state == "approved") & (Case.review_due <= soon))
    )
    codes = by.covered_codes()
    if codes is not None:
        q = q.where(Case.division_code.in_(codes))
    order = func.coalesce(Case.due_on, Case.review_due)
    return list(session.scalars(q.order_by(order, Case.id).limit(limit)))


def citizen_cases(session: Session, person: Person) -> list[Case]:
    if person.household_id is None:
        return []
    return household_cases(session, person.household_id)
