"""The same settlement, written as an OpenFisca variable chain (openfisca-core; benchmarks only).

A reduced model of ``minsheng.medical.rules.settle`` for bills that start a person's year
(nothing used yet of any deductible or cap): basic insurance by scheme, visit, level and area;
critical-illness (residents: the segmented scale, special groups' "一降一升一取消") or
supplementary insurance (employees); assistance by group and for border residents; the
patient's share. It reads the very same parameter files (OpenFisca's format) — in yuan, as
floats, as OpenFisca does — and is run on the same bills so the two can be timed side by side.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from openfisca_core import periods
from openfisca_core.entities import build_entity
from openfisca_core.simulations import SimulationBuilder
from openfisca_core.taxbenefitsystems import TaxBenefitSystem
from openfisca_core.variables import Variable

from minsheng.policy.parameters import PARAMETERS_DIR

Bill = build_entity(key="bill", plural="bills", label="A medical bill", is_person=True)
YEAR = periods.DateUnit.YEAR


def _input(name: str, kind: type) -> type[Variable]:
    return type(
        name,
        (Variable,),
        {"value_type": kind, "entity": Bill, "definition_period": YEAR, "label": name},
    )


INPUTS = [
    _input("policy", float),  # 政策范围内, yuan
    _input("total", float),
    _input("scheme", int),  # 0 active employee, 1 retired, 2 resident
    _input("inpatient", bool),
    _input("level", int),
    _input("area", int),  # 0 local, 1 filed, 2 unfiled
    _input("later_admission", bool),
    _input("special", bool),
    _input("group", int),  # 0 none, 1 tekun, 2 dibao, 3 edge, 4 return, 5 serious
    _input("border", bool),
]


def _lv(bill, period, name):  # type: ignore[no-untyped-def]
    return np.clip(bill(name, period), 1, 3)


class basic_deductible(Variable):
    value_type, entity, definition_period, label = float, Bill, YEAR, "deductible applied"

    def formula(bill, period, parameters):  # type: ignore[no-untyped-def]
        m = parameters(period.start).medical
        lv, scheme = _lv(bill, period, "level"), bill("scheme", period)
        emp = np.select(
            [lv == 1, lv == 2],
            [m.employee_inpatient.deductible.level_1, m.employee_inpatient.deductible.level_2],
            m.employee_inpatient.deductible.level_3,
        )
        res = np.select(
            [lv == 1, lv == 2],
            [m.resident.inpatient.deductible.level_1, m.resident.inpatient.deductible.level_2],
            m.resident.inpatient.deductible.level_3,
        )
        later = bill("later_admission", period)
        ip = np.where(
            scheme < 2,
            emp * np.where(later, m.employee_inpatient.later_admission_deductible_factor, 1),
            res * np.where(later, m.resident.inpatient.later_admission_deductible_factor, 1),
        )
        op = np.select(
            [scheme == 0, scheme == 1],
            [m.employee_outpatient.deductible.active, m.employee_outpatient.deductible.retired],
            m.resident.outpatient.deductible,
        )
        return np.minimum(bill("policy", period), np.where(bill("inpatient", period), ip, op))


class basic_ratio(Variable):
    value_type, entity, definition_period, label = float, Bill, YEAR, "basic ratio"

    def formula(bill, period, parameters):  # type: ignore[no-untyped-def]
        m = parameters(period.start).medical
        lv, scheme, ip = (
            _lv(bill, period, "level"),
            bill("scheme", period),
            bill("inpatient", period),
        )

        def by_level(node):  # type: ignore[no-untyped-def]
            return np.select([lv == 1, lv == 2], [node.level_1, node.level_2], node.level_3)

        op = np.select(
            [scheme == 0, scheme == 1],
            [
                by_level(m.employee_outpatient.ratio.active),
                by_level(m.employee_outpatient.ratio.retired),
            ],
            m.resident.outpatient.ratio,
        )
        inp = np.select(
            [scheme == 0, scheme == 1],
            [
                by_level(m.employee_inpatient.ratio.active),
                by_level(m.employee_inpatient.ratio.retired),
            ],
            by_level(m.resident.inpatient.ratio),
        )
        area = bill("area", period)
        red = np.select(
            [area == 1, area == 2],
            [m.out_of_area.filed_ratio_reduction, m.out_of_area.unfiled_ratio_reduction],
            0,
        )
        return np.maximum(np.where(ip, inp, op) - red, 0)


class basic(Variable):
    value_type, entity, definition_period, label = float, Bill, YEAR, "basic insurance pays"

    def formula(bill, period, parameters):  # type: ignore[no-untyped-def]
        m = parameters(period.start).medical
        scheme, ip = bill("scheme", period), bill("inpatient", period)
        cap = np.where(
            ip,
            np.where(scheme < 2, m.employee_inpatient.annual_cap, m.resident.inpatient.annual_cap),
            np.where(
                scheme < 2, m.employee_outpatient.annual_cap, m.resident.outpatient.annual_cap
            ),
        )
        raw = (bill("policy", period) - bill("basic_deductible", period)) * bill(
            "basic_ratio", period
        )
        return np.minimum(np.round(raw, 2), cap)


class critical_illness(Variable):
    value_type, entity, definition_period, label = float, Bill, YEAR, "大病保险 / 大额医疗补助"

    def formula(bill, period, parameters):  # type: ignore[no-untyped-def]
        m = parameters(period.start).medical
        ci = m.critical_illness
        compliant = np.where(
            bill("inpatient", period), bill("policy", period) - bill("basic", period), 0
        )
        special = bill("special", period)
        ded = np.where(
            special, ci.deductible * (1 - ci.special_groups.deductible_reduction), ci.deductible
        )
        base = np.maximum(compliant - ded, 0)
        normal = ci.scale.calc(base)
        inc = ci.special_groups.ratio_increase
        thresholds = [*ci.scale.thresholds, np.inf]
        boosted = sum(
            np.clip(base - lo, 0, hi - lo) * min(rate + inc, 1)
            for lo, hi, rate in zip(thresholds[:-1], thresholds[1:], ci.scale.rates, strict=True)
        )
        resident = np.where(special, boosted, np.minimum(normal, ci.annual_cap))
        sup = m.employee_supplementary
        above = np.maximum(compliant - sup.deductible, 0)  # 大额: a scale (one bracket in Tibet)
        employee = np.minimum(sup.scale.calc(above), sup.annual_cap)
        return np.round(
            np.minimum(np.where(bill("scheme", period) < 2, employee, resident), compliant), 2
        )


class assistance(Variable):
    value_type, entity, definition_period, label = float, Bill, YEAR, "医疗救助"

    def formula(bill, period, parameters):  # type: ignore[no-untyped-def]
        a = parameters(period.start).medical.assistance
        group, border = bill("group", period), bill("border", period)
        names = ["tekun", "dibao", "dibao_edge", "poverty_return", "serious_illness"]
        ratio = np.select([group == i + 1 for i in range(5)], [a.ratio[n] for n in names], 0)
        ded = np.select([group == i + 1 for i in range(5)], [a.deductible[n] for n in names], 0)
        ratio = np.maximum(ratio, np.where(border, a.border_resident_ratio, 0))
        ded = np.where(border, 0, ded)
        base = bill("policy", period) - bill("basic", period) - bill("critical_illness", period)
        pay = np.minimum(np.maximum(base - ded, 0) * ratio, a.annual_cap.ordinary)
        return np.where((group > 0) | border, np.round(pay, 2), 0)


class patient(Variable):
    value_type, entity, definition_period, label = float, Bill, YEAR, "the patient pays"

    def formula(bill, period, parameters):  # type: ignore[no-untyped-def]
        return (
            bill("total", period)
            - bill("basic", period)
            - bill("critical_illness", period)
            - bill("assistance", period)
        )


def columns(bills: Any) -> dict[str, np.ndarray]:
    """OpenFisca's inputs from Minsheng's ``medical.rules.Bills`` (yuan as floats)."""
    return {
        "policy": bills.policy / 100,
        "total": bills.total / 100,
        "scheme": bills.scheme,
        "inpatient": bills.visit == 1,
        "level": bills.level,
        "area": bills.area,
        "later_admission": bills.later_admission,
        "special": bills.special,
        "group": bills.group,
        "border": bills.border,
    }


def system() -> TaxBenefitSystem:
    tbs = TaxBenefitSystem([Bill])
    for v in [*INPUTS, basic_deductible, basic_ratio, basic, critical_illness, assistance, patient]:
        tbs.add_variable(v)
    tbs.load_parameters(str(PARAMETERS_DIR))
    return tbs


def run(
    tbs: TaxBenefitSystem, columns: dict[str, np.ndarray], year: str = "2024"
) -> dict[str, np.ndarray]:
    n = len(columns["policy"])
    sim = SimulationBuilder().build_default_simulation(tbs, count=n)
    for name, values in columns.items():
        sim.set_input(name, year, values)
    return {
        k: sim.calculate(k, year) for k in ("basic", "critical_illness", "assistance", "patient")
    }
