"""One case decided by the rules, and explained by them (issue 11, point 2).

:func:`decide` runs the named pieces of ``rules.py`` — :func:`~rules.income_test`,
:func:`~rules.asset_test`, :func:`~rules.dibao_benefit`, :func:`~rules.edge_test`,
:func:`~rules.rigid_expense_test`, :func:`~rules.single_household_ok`, :func:`~rules.tekun`,
:func:`~rules.temporary_amount` — on one case (the same code the microsimulation runs over
millions of rows) and returns, with the finding, the steps that produced it: what each step
found, the case's figures it worked on, and every parameter it read (path, value, date, status,
source) — taken from the table cells the pieces looked up (``figures.Tables.sources``). The
service only renders the steps (``assessment.py``). Pure: no database, no web.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np

from minsheng.assistance.dibao_shapes import (
    addon_per_category,
    band_index,
    band_share,
    minimum_per_member,
    rounding,
)
from minsheng.assistance.figures import (
    ADDON,
    ADDON_CATEGORIES,
    ADDON_COMBINE,
    ADDON_COMBINES,
    ADDON_KINDS,
    AREAS,
    ASSET_LIMIT_MONTHS,
    CARE_LEVELS,
    DISPOSABLE_INCOME,
    EDGE_FACTOR,
    GAP_METHOD,
    I64,
    INCOME_KINDS,
    MINIMUM_SHARE,
    RIGID_SHARE,
    ROUNDING,
    SANWU_PAYMENT,
    SANWU_PAYMENTS,
    SINGLE_MAX_GRADE,
    TEKUN_ELDERLY_AGE,
    TEKUN_MAX_GRADE,
    TEKUN_MINOR_AGE,
    TEMPORARY_CAP,
    TEMPORARY_MONTHS,
    AssistanceParams,
)
from minsheng.assistance.rules import (
    DIBAO,
    EDGE,
    NO_DISABILITY,
    RIGID,
    TEKUN,
    TEMPORARY,
    Households,
    asset_test,
    counted_income,
    dibao_payment,
    dibao_standard,
    edge_line,
    edge_test,
    income_test,
    per_capita_income,
    rigid_expense_test,
    rigid_line,
    single_household_ok,
    tekun,
    temporary_amount,
)
from minsheng.policy import ValueInfo

StepValue = int | bool | dict[str, int | bool]


@dataclass(frozen=True)
class Step:
    """One step of a decision: what it found (``value``), the case's figures it worked on
    (``base``) and every parameter it read, with value, date, status and source."""

    what: str  # members, income, per_capita, standard, assets, dibao, edge, rigid, …
    value: StepValue
    unit: str = ""  # "fen" for amounts
    base: dict[str, int] = field(default_factory=dict)
    parameters: tuple[ValueInfo, ...] = ()


@dataclass(frozen=True)
class Applicant:
    """One case as the rules see it: the household as the caseworker recorded it (incomes of
    the 12 months before the assessment, as (kind, amount) records), and for 特困 / 单人户 the
    member concerned."""

    programme: str  # one of PROGRAMMES
    area: str  # one of AREAS
    members: int  # living together
    incomes: tuple[tuple[str, int], ...] = ()
    assets: int = 0  # financial assets
    rigid: int = 0  # rigid expenses of the last 12 months
    own_incomes: tuple[tuple[str, int], ...] = ()  # the member's own (within ``incomes``)
    age: int = 0
    disability_grade: int = NO_DISABILITY
    has_supporter: bool = False
    care_level: str = "self_care"  # one of CARE_LEVELS
    requested: int = 0  # 临时救助: the amount asked for
    single: bool = False  # 单人户: the member assessed alone
    sanwu: bool = False  # 低保: a “三无” household (no ability to work, livelihood or supporter)
    categories: tuple[tuple[str, ...], ...] = ()  # 低保: each member's 分类施保 categories


@dataclass(frozen=True)
class Decision:
    eligible: bool
    amount: int  # per month (临时救助: once)
    steps: tuple[Step, ...]


@dataclass(frozen=True)
class _Family:
    per_capita: I64
    edge_line: I64


def _one(x: int) -> I64:
    return np.array([x], dtype=np.int64)


def _named(p: AssistanceParams, *cells: Any) -> tuple[ValueInfo, ...]:
    """The figures behind the given table cells / path lists, each once, in order."""
    out: list[str] = []
    for cell in cells:
        out += [x for x in cell if x not in out]
    return tuple(p.info(x) for x in out)


def counted_monthly(
    p: AssistanceParams, items: tuple[tuple[str, int], ...]
) -> tuple[int, int, list[str]]:
    """Income records of 12 months → (gross, counted monthly average rounded down, the
    counted-share parameters read: those of the kinds present)."""
    if not items:
        return 0, 0, []
    kinds = np.array([INCOME_KINDS.index(k) for k, _ in items], dtype=np.int64)
    amounts = np.array([a for _, a in items], dtype=np.int64)
    counted = int(counted_income(p, kinds, amounts).sum())
    cells = p.t.sources["share_num"]
    read = [x for k in sorted(set(kinds.tolist())) for x in cells[k]]
    return int(amounts.sum()), counted // 12, read


def decide(p: AssistanceParams, a: Applicant) -> Decision:
    """The finding on one case — eligible, the monthly amount — and the steps that produced it,
    from the same named pieces :func:`determine` and :func:`tekun` are made of, each step
    naming exactly the figures it read."""
    gross, income, shares = counted_monthly(p, a.incomes)
    steps = [
        Step("members", a.members),
        Step("income", income, "fen", {"gross": gross}, _named(p, shares)),
    ]
    area = AREAS.index(a.area)
    cells = p.t.sources
    if a.programme == TEMPORARY:
        amount = temporary_amount(p, a.requested, a.members, a.area)
        used = _named(p, (TEMPORARY_CAP, TEMPORARY_MONTHS), cells["standard"][area])
        steps.append(Step("temporary", amount, "fen", {"requested": a.requested}, used))
        return Decision(amount > 0, amount, tuple(steps))
    if a.programme == TEKUN:
        return _decide_tekun(p, a, steps, shares)
    members = _one(max(a.members, 1))  # a household of none counts as one (as in determine)
    h = Households(_one(area), members, _one(income), _one(a.assets), _one(a.rigid))
    standard = dibao_standard(p, h.area)
    per_capita = per_capita_income(h.income, h.members)
    limit, assets_ok = asset_test(p, h.assets, standard, h.members)
    dibao = income_test(per_capita, standard) & assets_ok
    steps += [
        Step("per_capita", int(per_capita[0]), "fen"),
        Step("standard", int(standard[0]), "fen", {}, _named(p, cells["standard"][area])),
        Step(
            "assets",
            bool(assets_ok[0]),
            "",
            {"assets": a.assets, "limit": int(limit[0])},
            _named(p, (ASSET_LIMIT_MONTHS,)),
        ),
    ]
    if a.programme == DIBAO and a.single:
        return _decide_single(p, a, steps, shares, standard, per_capita, bool(assets_ok[0]))
    if a.programme == DIBAO:
        amount, shaped = _dibao(p, a, standard, h.income, h.members, dibao)
        steps += shaped
        return Decision(bool(dibao[0]), amount, tuple(steps))
    line = edge_line(p, standard)
    edge = edge_test(line, per_capita, assets_ok, dibao)
    steps.append(Step("edge", bool(edge[0]), "", {"line": int(line[0])}, _named(p, (EDGE_FACTOR,))))
    if a.programme == EDGE:
        return Decision(bool(edge[0]), 0, tuple(steps))
    if a.programme != RIGID:
        raise ValueError(f"unknown programme {a.programme!r}")
    r_line = rigid_line(p, h.income)
    rigid = rigid_expense_test(p, h, r_line, dibao, edge)
    steps.append(
        Step(
            "rigid",
            bool(rigid[0]),
            "",
            {"rigid": a.rigid, "line": int(r_line[0])},
            _named(p, (RIGID_SHARE, DISPOSABLE_INCOME)),
        )
    )
    return Decision(bool(rigid[0]), 0, tuple(steps))


def _decide_single(
    p: AssistanceParams,
    a: Applicant,
    steps: list[Step],
    shares: list[str],
    standard: I64,
    per_capita: I64,
    assets_ok: bool,
) -> Decision:
    """单人户: the family below the edge line and the member severely disabled → the member's
    own income against the standard, as a household of one."""
    family = _Family(per_capita, edge_line(p, standard))
    ok_single = bool(single_household_ok(p, family, _one(a.disability_grade))[0])
    _, own, own_shares = counted_monthly(p, a.own_incomes)
    alone = income_test(_one(own), standard)
    eligible = ok_single and assets_ok and bool(alone[0])
    amount, shaped = _dibao(p, a, standard, _one(own), _one(1), np.array([eligible]))
    value: dict[str, int | bool] = {
        "disability_grade": a.disability_grade,
        "own_income": own,
        "eligible": eligible,
        "amount": amount,
    }
    extra = [x for x in own_shares if x not in shares]
    used = _named(p, (EDGE_FACTOR, SINGLE_MAX_GRADE), extra)
    steps.append(Step("single_household", value, "", {}, used))
    steps += shaped
    return Decision(eligible, amount, tuple(steps))


def _dibao(
    p: AssistanceParams,
    a: Applicant,
    standard: I64,
    income: I64,
    members: I64,
    eligible: Any,
) -> tuple[int, list[Step]]:
    """低保金 in the region's shape (``rules.dibao_payment``) and the 分类施保 add-ons, with a
    step for each shape used — the band, the minimum, the 三无 full amount, the rounding, each
    add-on category — naming the figures it read."""
    method = p.gap_method()
    sanwu = np.array([True]) if a.sanwu else None
    benefit = int(dibao_payment(p, standard, income, members, eligible, sanwu)[0])
    main: list[str] = [GAP_METHOD, ROUNDING["benefit"]]
    shaped: list[Step] = []
    if method == "banded":
        band = band_index(p, per_capita_income(income, members), standard)
        paths = [x for _, _, pair in p.bands() for x in pair]
        each = int(band_share(p, band, standard)[0])
        shaped.append(Step("dibao_band", int(band[0]) + 1, "", {"each": each}, _named(p, paths)))
    if a.sanwu:
        full = p.code(SANWU_PAYMENT, SANWU_PAYMENTS) == "full"
        if full:
            shaped.append(Step("dibao_sanwu", True, "", {}, _named(p, (SANWU_PAYMENT,))))
        else:
            main.append(SANWU_PAYMENT)
    rule = rounding(p, "benefit")
    if rule != "fen":
        shaped.append(
            Step(f"rounding_{rule}", benefit, "fen", {}, _named(p, (ROUNDING["benefit"],)))
        )
    minimum = minimum_per_member(p, standard)
    if minimum is None:
        main.append(MINIMUM_SHARE)
    else:
        base = {"minimum": int(minimum[0]) * int(members[0])}
        paid = bool(eligible[0]) and benefit == base["minimum"]
        used = _named(p, (MINIMUM_SHARE, ROUNDING["minimum"]))
        shaped.append(Step("dibao_minimum", paid, "", base, used))
    steps = [Step("dibao", benefit, "fen", {}, _named(p, main)), *shaped]
    addon, addon_steps = _addons(p, a, int(standard[0]), bool(eligible[0]))
    return benefit + addon, steps + addon_steps


def _addons(
    p: AssistanceParams, a: Applicant, standard: int, eligible: bool
) -> tuple[int, list[Step]]:
    """分类施保: one step per category present, the members in it, each one's add-on and what
    the category paid (a member in several: their highest, or each, by ``addon.combine``)."""
    if not any(a.categories):
        return 0, []
    flags = np.array([[c in m for c in ADDON_CATEGORIES] for m in a.categories], dtype=np.bool_)
    present = np.asarray(flags.any(axis=0))
    std = np.full(len(a.categories), standard, dtype=np.int64)
    each = np.where(flags, addon_per_category(p, std, present), 0)
    combine = p.code(ADDON_COMBINE, ADDON_COMBINES)
    if combine == "highest":
        top = np.argmax(each, axis=1)
        paid = np.zeros_like(each)
        rows = np.arange(len(each))
        paid[rows, top] = each[rows, top]
    else:
        paid = each
    if not eligible:
        paid = np.zeros_like(paid)
    steps: list[Step] = []
    for k, c in enumerate(ADDON_CATEGORIES):
        if not present[k]:
            continue
        kind = p.code(f"{ADDON[c]}.kind", ADDON_KINDS)
        figure = "share" if kind == "share" else "amount"
        used = [f"{ADDON[c]}.{x}" for x in ("kind", figure, "rounding")] + [ADDON_COMBINE]
        base = {"each": int(each[flags[:, k], k][0]), "paid": int(paid[:, k].sum())}
        steps.append(Step(f"addon_{c}", int(flags[:, k].sum()), "", base, _named(p, used)))
    return int(paid.sum()), steps


def _decide_tekun(
    p: AssistanceParams, a: Applicant, steps: list[Step], shares: list[str]
) -> Decision:
    """特困: the member's own situation, the basic standard of the area, the care allowance."""
    _, own, own_shares = counted_monthly(p, a.own_incomes)
    area, level = AREAS.index(a.area), CARE_LEVELS.index(a.care_level)
    r = tekun(
        p,
        _one(area),
        _one(a.age),
        _one(a.disability_grade),
        _one(own),
        np.array([a.has_supporter]),
        _one(level),
    )
    ok = bool(r.eligible[0])
    value: dict[str, int | bool] = {
        "age": a.age,
        "disability_grade": a.disability_grade,
        "has_supporter": a.has_supporter,
        "own_income": own,
        "eligible": ok,
    }
    cells = p.t.sources
    extra = [x for x in own_shares if x not in shares]
    steps += [
        Step(
            "tekun_person",
            value,
            "",
            {},
            _named(p, (TEKUN_ELDERLY_AGE, TEKUN_MINOR_AGE, TEKUN_MAX_GRADE), extra),
        ),
        Step(
            "tekun_standard",
            int(p.t.tekun_standard[area]),
            "fen",
            {},
            _named(p, cells["tekun_standard"][area]),
        ),
        Step(
            "care_allowance", int(r.care[0]), "fen", {}, _named(p, cells["care_allowance"][level])
        ),
    ]
    return Decision(ok, int(r.amount[0]), tuple(steps))
