"""The 低保 rule as an OpenFisca formula (openfisca-core; benchmarks only).

Persons belong to households (a group entity); a household's counted income is the sum of its
members' incomes, the per-capita income divides it by the members, and the benefit is
(standard − per-capita income) × members where the household qualifies — the same rule as
``minsheng.assistance.rules.determine``, reading the same parameter files in yuan, as floats.
"""

from __future__ import annotations

import numpy as np
from openfisca_core import periods
from openfisca_core.entities import build_entity
from openfisca_core.simulations import SimulationBuilder
from openfisca_core.taxbenefitsystems import TaxBenefitSystem
from openfisca_core.variables import Variable

from minsheng.policy.parameters import PARAMETERS_DIR

Person = build_entity(key="person", plural="persons", label="A person", is_person=True)
Household = build_entity(
    key="household",
    plural="households",
    label="A household",
    roles=[{"key": "member", "plural": "members", "label": "Member"}],
)
MONTH = periods.DateUnit.MONTH


class monthly_income(Variable):  # counted income of the month, yuan
    value_type, entity, definition_period, label = float, Person, MONTH, "income"


class rural(Variable):
    value_type, entity, definition_period, label = bool, Household, MONTH, "rural household"


class assets(Variable):
    value_type, entity, definition_period, label = float, Household, MONTH, "financial assets"


class household_income(Variable):
    value_type, entity, definition_period, label = float, Household, MONTH, "household income"

    def formula(household, period, parameters):  # type: ignore[no-untyped-def]
        return household.sum(household.members("monthly_income", period))


class dibao_standard(Variable):
    value_type, entity, definition_period, label = float, Household, MONTH, "standard"

    def formula(household, period, parameters):  # type: ignore[no-untyped-def]
        s = parameters(period.start).assistance.dibao.standard
        return np.where(household("rural", period), s.rural_yearly / 12, s.urban_monthly)


class dibao(Variable):
    value_type, entity, definition_period, label = float, Household, MONTH, "低保 benefit"

    def formula(household, period, parameters):  # type: ignore[no-untyped-def]
        months = parameters(period.start).assistance.dibao.asset_limit_months
        members = household.nb_persons()
        standard = household("dibao_standard", period)
        per_capita = household("household_income", period) / members
        ok = (per_capita < standard) & (household("assets", period) <= standard * members * months)
        return np.where(ok, (standard - per_capita) * members, 0)


def system() -> TaxBenefitSystem:
    tbs = TaxBenefitSystem([Person, Household])
    for v in (monthly_income, rural, assets, household_income, dibao_standard, dibao):
        tbs.add_variable(v)
    tbs.load_parameters(str(PARAMETERS_DIR))
    return tbs


def run(
    tbs: TaxBenefitSystem,
    person_household: np.ndarray,
    person_income: np.ndarray,
    rural_household: np.ndarray,
    household_assets: np.ndarray,
    month: str = "2026-06",
) -> np.ndarray:
    """Benefit per household (yuan). ``person_household`` is sorted."""
    n_p, n_h = len(person_household), len(rural_household)
    sim = SimulationBuilder().build_default_simulation(tbs, count=n_p)
    pop = sim.populations["household"]
    pop.count = n_h
    pop.ids = np.arange(n_h)
    pop.members_entity_id = person_household
    starts = np.searchsorted(person_household, np.arange(n_h))
    pop.members_position = np.arange(n_p) - starts[person_household]
    pop.members_role = np.full(n_p, Household.roles[0])
    sim.set_input("monthly_income", month, person_income)
    sim.set_input("rural", month, rural_household)
    sim.set_input("assets", month, household_assets)
    return np.asarray(sim.calculate("dibao", month))
