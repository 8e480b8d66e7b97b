"""Issue 11, point 2 (低保 half): a decision's explanation names exactly the parameters it READ.

A recording wrapper stands in for the figures the rules use (``AssistanceParams``): every figure
read by path (``fen`` / ``count`` / ``ratio``) and every table cell looked up (``p.t.standard
[area]``, ``p.t.share_num[kind]`` …, each cell knowing the dated, cited parameters it was made
from) is written down. Naming a figure (``info``) is not reading it. For a spread of cases —
every programme, urban and rural, the Lhasa standards and the base ones (the 特困 standard by
factor and by the local minimum), assets over the limit, rigid expenses, 特困 by age, minority
and disability, 单人户, no income at all — the parameters the steps list must be exactly those
read: a figure used but not named, or named but not used, fails.
"""

from __future__ import annotations

import datetime as dt
import itertools
from dataclasses import replace
from decimal import Decimal
from typing import Any

import numpy as np
import pytest
from sqlalchemy import Engine

from minsheng.assistance import assessment, decision, rules, service
from minsheng.assistance.decision import Applicant
from minsheng.assistance.figures import GAP_METHOD
from minsheng.assistance.schemas import CaseIn
from minsheng.db import make_sessionmaker
from minsheng.policy import load
from tests.assistance.conftest import BY, TODAY, monthly_income
from tests.test_architecture import SRC, check, pure_closure

DAY = dt.date(2026, 6, 1)
REGIONS = {"base": None, "lhasa": "540100"}  # base figures; Lhasa's own standards
PARAMS = {k: rules.AssistanceParams.from_snapshot(load().at(DAY, r)) for k, r in REGIONS.items()}


class _Table:
    def __init__(self, name: str, values: Any, log: RecordingTables) -> None:
        self.name, self.values, self.log = name, values, log

    def __getitem__(self, idx: Any) -> Any:
        self.log.cells(self.name, idx)
        return np.asarray(self.values)[idx]


class RecordingTables:
    """The tables, answering as usual, writing down each parameter path behind what is read."""

    def __init__(self, tables: rules.Tables, read: set[str]) -> None:
        self._t = tables
        self.read = read

    def cells(self, name: str, idx: Any) -> None:
        src = np.asarray(self._t.sources[name], dtype=object)[idx]
        for cell in np.atleast_1d(src).ravel() if isinstance(src, np.ndarray) else [src]:
            self.read.update(cell)

    def __getattr__(self, name: str) -> Any:
        value = getattr(self._t, name)
        if isinstance(value, np.ndarray):
            return _Table(name, value, self)
        if name != "sources":
            self.read.update(self._t.sources.get(name, ()))  # a scalar of the tables
        return value


class Recording(rules.AssistanceParams):
    """The figures, answering as usual, writing down every one read by path."""

    @property
    def read(self) -> set[str]:
        out: set[str] = self.__dict__["read"]
        return out

    def fen(self, path: str) -> int:
        self.read.add(path)
        return super().fen(path)

    def count(self, path: str) -> int:
        self.read.add(path)
        return super().count(path)

    def ratio(self, path: str) -> Any:
        self.read.add(path)
        return super().ratio(path)

    def gap_method(self) -> str:
        self.read.add(GAP_METHOD)
        return super().gap_method()

    def code(self, path: str, allowed: tuple[str, ...]) -> str:
        self.read.add(path)
        return super().code(path, allowed)


def recording(p: rules.AssistanceParams) -> Recording:
    rec = Recording(p.infos)
    rec.__dict__["read"] = read = set()
    rec.__dict__["t"] = RecordingTables(p.t, read)  # what the rules read as p.t
    return rec


def recorded(a: Applicant, region: str = "base") -> tuple[set[str], decision.Decision]:
    rec = recording(PARAMS[region])
    found = decision.decide(rec, a)
    return set(rec.read), found


def named(found: decision.Decision) -> set[str]:
    return {i.path for s in found.steps for i in s.parameters}


# ------------------------------------------------------------------------------ the spread

INCOMES: dict[str, tuple[tuple[str, int], ...]] = {
    "none": (),
    "low_wage": (("wage", 12 * 10_000),),  # ¥100 a month
    "wage_and_exempt": (("wage", 12 * 20_000), ("exempt", 12 * 50_000)),
    "mixed": (("business", 12 * 30_000), ("pension", 12 * 40_000), ("transfer", 1_200)),
    "between": (("wage", 3 * 12 * 47_000),),  # per head above the Lhasa standard, below the edge
    "high": (("property", 12 * 900_000), ("wage", 12 * 300_000)),
}
OWN: dict[str, tuple[tuple[str, int], ...]] = {  # the member's own, within the household's
    "none": (),
    "low_wage": (("wage", 12 * 10_000),),
    "wage_and_exempt": (("exempt", 12 * 50_000),),
    "mixed": (("pension", 12 * 40_000),),
    "between": (("wage", 12 * 47_000),),
    "high": (("property", 12 * 900_000),),
}


def household_cases() -> list[Applicant]:
    out = []
    for programme, area, members, income, assets, rigid in itertools.product(
        (rules.DIBAO, rules.EDGE, rules.RIGID),
        rules.AREAS,
        (0, 1, 3),  # 0: no member alive on the day (counted as one)
        INCOMES,
        (0, 10**9),  # none; far over any limit
        (0, 5_000_000),
    ):
        out.append(Applicant(programme, area, members, INCOMES[income], assets=assets, rigid=rigid))
    return out


def single_cases() -> list[Applicant]:
    return [
        Applicant(
            rules.DIBAO,
            area,
            members,
            INCOMES[income],
            assets=assets,
            own_incomes=OWN[income],
            disability_grade=grade,
            single=True,
        )
        for area, members, income, assets, grade in itertools.product(
            rules.AREAS, (1, 3), INCOMES, (0, 10**9), (0, 1, 2, 3)
        )
    ]


def tekun_cases() -> list[Applicant]:
    return [
        Applicant(
            rules.TEKUN,
            area,
            1,
            INCOMES[income],
            own_incomes=OWN[income],
            age=age,
            disability_grade=grade,
            has_supporter=supporter,
            care_level=care,
        )
        for area, income, age, grade, supporter, care in itertools.product(
            rules.AREAS,
            ("none", "low_wage", "mixed", "high"),
            (8, 16, 40, 59, 60, 85),
            (0, 1, 2, 3),
            (False, True),
            rules.CARE_LEVELS,
        )
    ]


def temporary_cases() -> list[Applicant]:
    return [
        Applicant(rules.TEMPORARY, area, members, INCOMES[income], requested=requested)
        for area, members, income, requested in itertools.product(
            rules.AREAS, (0, 1, 4), ("none", "mixed"), (0, 50_000, 10**9)
        )
    ]


ALL = household_cases() + single_cases() + tekun_cases() + temporary_cases()


@pytest.mark.parametrize("region", REGIONS)
def test_every_decision_is_explained_by_exactly_what_it_read(region: str) -> None:
    wrong = []
    for a in ALL:
        read, found = recorded(a, region)
        if read != named(found):
            wrong.append((a, sorted(read - named(found)), sorted(named(found) - read)))
    assert not wrong, wrong[:3]


def test_the_spread_reaches_every_outcome() -> None:
    """The spread is not one-sided: each programme is found both eligible and not, assets over
    the limit refuse, and the 特困 standard comes once by the factor and once by the minimum."""
    seen = {(a.programme, a.single, recorded(a, r)[1].eligible) for a in ALL for r in REGIONS}
    for programme, single in [(p, False) for p in rules.PROGRAMMES] + [(rules.DIBAO, True)]:
        assert {(programme, single, True), (programme, single, False)} <= seen, programme
    rich = Applicant(rules.DIBAO, "urban", 3, (), assets=10**9)
    assert not recorded(rich)[1].eligible
    base, lhasa = PARAMS["base"], PARAMS["lhasa"]
    assert base.tekun_standard("rural") > rules.monthly(base.fen("assistance.tekun.minimum_yearly"))
    assert lhasa.tekun_standard("rural") == rules.monthly(
        lhasa.fen("assistance.tekun.minimum_yearly")
    )


def test_the_recorder_sees_what_the_old_explanation_got_wrong() -> None:
    """The old explanation named all six counted shares whatever the household earned, and
    left out the edge factor of a 刚性支出 case — which must not be an edge family, so the rules
    read it. The recorder shows both, and the explanation now follows."""
    wage_only = Applicant(rules.RIGID, "rural", 2, (("wage", 12 * 30_000),), rigid=4_000_000)
    read, found = recorded(wage_only)
    assert "assistance.income.counted_share.wage" in read
    assert "assistance.income.counted_share.pension" not in read
    assert "assistance.dibao_edge.income_factor" in read
    assert named(found) == read
    nothing = Applicant(rules.DIBAO, "urban", 1, ())
    read, found = recorded(nothing)
    assert not any(".counted_share." in x for x in read) and named(found) == read


def test_a_dropped_step_fails() -> None:
    """The comparison bites: without its asset step a 低保 explanation no longer names the asset
    limit the decision read."""
    read, found = recorded(Applicant(rules.DIBAO, "urban", 3, INCOMES["low_wage"]))
    dropped = decision.Decision(
        found.eligible, found.amount, tuple(s for s in found.steps if s.what != "assets")
    )
    assert read - named(dropped) == {"assistance.dibao.asset_limit_months"}


def test_the_decision_agrees_with_the_vectorised_rules() -> None:
    """``decide`` is the vectorised pieces on one row: the same finding as ``determine`` and
    ``tekun`` over all the cases at once."""
    hh = household_cases()
    p = PARAMS["lhasa"]
    income = [decision.counted_monthly(p, a.incomes)[1] for a in hh]
    d = rules.determine(
        p,
        rules.Households.of(
            [a.area for a in hh], [a.members for a in hh], income,
            [a.assets for a in hh], [a.rigid for a in hh],
        ),
    )  # fmt: skip
    column = {rules.DIBAO: d.dibao, rules.EDGE: d.edge, rules.RIGID: d.rigid}
    for i, a in enumerate(hh):
        found = decision.decide(p, a)
        assert found.eligible == bool(column[a.programme][i]), a
        assert found.amount == (int(d.dibao_amount[i]) if a.programme == rules.DIBAO else 0)
    tk = tekun_cases()
    own = [decision.counted_monthly(p, a.own_incomes)[1] for a in tk]
    t = rules.tekun(
        p,
        np.array([rules.AREAS.index(a.area) for a in tk]),
        np.array([a.age for a in tk]),
        np.array([a.disability_grade for a in tk]),
        np.array(own),
        np.array([a.has_supporter for a in tk]),
        np.array([rules.CARE_LEVELS.index(a.care_level) for a in tk]),
    )
    for i, a in enumerate(tk):
        found = decision.decide(p, a)
        assert (found.eligible, found.amount) == (bool(t.eligible[i]), int(t.amount[i]))


def test_the_decision_is_pure() -> None:
    """``decision.py`` is held to the rules' wall (no database, no web), with its siblings."""
    closure = pure_closure(SRC / "assistance" / "decision.py")
    assert {p.name for p in closure} >= {"decision.py", "rules.py", "figures.py"}
    assert check(closure, {"core", "policy", "assistance"}, {"numpy"}) == []


def test_the_service_shows_exactly_what_the_rules_read(
    engine: Engine, world: dict[str, int], monkeypatch: pytest.MonkeyPatch
) -> None:
    """Through the case workflow (SQLite and PostgreSQL): the stored explanation of a checked
    case lists exactly the figures its decision read — the service renders, it adds nothing
    and drops nothing."""
    recs: list[Recording] = []

    def recording_params(*args: Any) -> rules.AssistanceParams:
        recs.append(recording(real(*args)))
        return recs[-1]

    real = assessment.params
    monkeypatch.setattr(assessment, "params", recording_params)
    with make_sessionmaker(engine)() as s:
        monthly_income(s, world["household"], world["head"], "300")
        monthly_income(s, world["household"], world["spouse"], "50", kind="exempt")
        for programme, extra in [
            ("dibao", {}),
            ("tekun", {"person_id": world["other"], "care_level": "partial"}),
            ("temporary", {"requested": "800"}),
        ]:
            household = world["household2" if programme == "tekun" else "household"]
            case = service.open_case(
                s, CaseIn(household_id=household, programme=programme, **extra), BY, TODAY
            )
            service.act(s, case.id, "check", BY, today=TODAY)
            shown = {
                prm["path"] for st in service.case_out(s, case).explanation for prm in st.parameters
            }
            assert recs and shown == recs[-1].read, programme


def _shaped(p: rules.AssistanceParams, **values: Any) -> rules.AssistanceParams:
    infos = dict(p.infos)
    for key, value in values.items():
        infos[key] = replace(infos[key], value=value)
    return rules.AssistanceParams(infos)


SHAPED = {  # a region with every shape of issue 16 item 8 (illustrative figures)
    "assistance.dibao.gap_method": "banded",
    "assistance.dibao.bands.brackets[1].threshold": Decimal("0.3"),
    "assistance.dibao.bands.brackets[1].rate": Decimal("0.6"),
    "assistance.dibao.minimum_payment_share": Decimal("0.2"),
    "assistance.dibao.rounding.benefit": "yuan_up",
    "assistance.dibao.sanwu_payment": "full",
    "assistance.dibao.addon.elderly.kind": "share",
    "assistance.dibao.addon.elderly.share": Decimal("0.15"),
    "assistance.dibao.addon.minor.amount": 5_050,
    "assistance.dibao.addon.minor.rounding": "yuan_half_up",
}


@pytest.mark.parametrize("sanwu", [False, True])
@pytest.mark.parametrize("income", ["none", "low_wage", "between", "high"])
def test_each_shape_used_is_named_with_what_it_read(sanwu: bool, income: str) -> None:
    """Issue 16 item 8: a decision under a region's shapes has a step for each shape it used (the
    band, the minimum, 三无, the rounding, each add-on category), each naming the figures read,
    and every step has its words in Chinese, English and Tibetan."""
    from minsheng.assistance.desk_pages import STEP_TITLES_BO

    rec = recording(_shaped(PARAMS["base"], **SHAPED))
    cats = (("elderly",), ("minor", "elderly"), ())
    a = Applicant(rules.DIBAO, "urban", 3, INCOMES[income], sanwu=sanwu, categories=cats)
    found = decision.decide(rec, a)
    assert named(found) == set(rec.read)
    what = [s.what for s in found.steps]
    assert {
        "dibao_band",
        "dibao_minimum",
        "rounding_yuan_up",
        "addon_elderly",
        "addon_minor",
    } <= set(what)
    assert ("dibao_sanwu" in what) is sanwu
    for s in found.steps:
        assert s.what in assessment.TEXTS and s.what in STEP_TITLES_BO
    if found.eligible:
        addons = sum(s.base["paid"] for s in found.steps if s.what.startswith("addon_"))
        benefit = next(s.value for s in found.steps if s.what == "dibao")
        assert found.amount == benefit + addons and addons > 0


def test_tibet_names_no_new_shape() -> None:
    """Tibet's figures: no band, minimum, 三无 or rounding step; an elderly member's add-on is
    named (its figures were read) and pays 0; the amount is the exact gap."""
    a = Applicant(rules.DIBAO, "urban", 3, INCOMES["low_wage"])
    found = decision.decide(PARAMS["base"], a)
    assert [s.what for s in found.steps][-1] == "dibao"
    with_elderly = decision.decide(PARAMS["base"], replace(a, categories=(("elderly",),)))
    last = with_elderly.steps[-1]
    assert (last.what, last.base["paid"]) == ("addon_elderly", 0)
    assert with_elderly.amount == found.amount == 3 * 70_000 - 10_000
