"""Issue 11, point 2: the explanation names exactly the parameters the settlement READ.

A recording wrapper stands in for the rules' tables (``MedicalParams.t``): every cell the four
layers look up is recorded, and each cell knows the dated, cited parameters it was made from.
For every kind of bill (scheme × visit × level × area × group × border × special × later
admission × major disease) the parameters the explanation lists must be exactly those — a
figure used but not named, or named but not used, fails."""

from __future__ import annotations

import dataclasses
import datetime as dt
import itertools
from pathlib import Path
from typing import Any

import numpy as np

from minsheng.medical import rules
from minsheng.medical.rules import BillRow, Bills, Totals
from minsheng.policy import load

P = rules.MedicalParams.from_snapshot(load().at(dt.date(2024, 6, 1), "540200"))


class _Table:
    def __init__(self, name: str, values: Any, log: RecordingTables) -> None:
        self.name, self.values, self.log = name, values, log

    def __getitem__(self, idx: Any) -> Any:
        self.log.cells(self.name, idx)
        return np.asarray(self.values)[idx]


class RecordingTables:
    """The tables, answering as usual, writing down each parameter path behind what is read."""

    def __init__(self, tables: rules.Tables) -> None:
        self._t = tables
        self.read: set[str] = set()

    def cells(self, name: str, idx: Any) -> None:
        src = np.asarray(self._t.sources[name], dtype=object)[idx]
        for cell in np.atleast_1d(src).ravel() if isinstance(src, np.ndarray) else [src]:
            self.read.update(cell)

    def __getattr__(self, name: str) -> Any:
        value = getattr(self._t, name)
        if isinstance(value, np.ndarray):
            return _Table(name, value, self)
        self.read.update(self._t.sources.get(name, ()))  # a scalar figure or a scale
        return value


def recorded(
    bills: Bills, before: Totals, p: rules.MedicalParams = P
) -> tuple[set[str], rules.Result]:
    rec = rules.MedicalParams(p.infos, p.ci_scale, p.bands, p.sup_scale)
    tables = RecordingTables(p.t)
    rec.__dict__["t"] = tables  # what settle reads as p.t
    r = rules.settle(bills, before, rec)
    return tables.read, r


def explained(bills: Bills, r: rules.Result, p: rules.MedicalParams = P) -> set[str]:
    return {i.path for step in rules.explain(bills, r, p) for i in step.parameters}


def all_kinds() -> list[BillRow]:
    rows = []
    for scheme, visit, level, area, group, border, special, later, major in itertools.product(
        rules.SCHEMES,
        rules.VISITS,
        rules.LEVELS,
        rules.AREAS,
        rules.GROUPS,
        (False, True),
        (False, True),
        (False, True),
        (False, True),
    ):
        rows.append(
            BillRow(
                scheme=scheme,
                visit=visit,
                level=level,
                area=area,
                group=group,
                border=border,
                special=special,
                later_admission=later,
                major_disease=major,
                policy=2_000_000,
                full_self=10_000,
            )
        )
    return rows


def test_every_kind_of_bill_is_explained_by_exactly_what_it_read() -> None:
    before = Totals.zeros(1)
    wrong = []
    for row in all_kinds():
        bills = Bills.of([row])
        read, r = recorded(bills, before)
        named = explained(bills, r)
        if read != named:
            wrong.append((row, sorted(read - named), sorted(named - read)))
    assert not wrong, wrong[:3]


def test_the_recorder_sees_what_a_wrong_explanation_would_hide() -> None:
    """The old explanation named the group's assistance deductible for a border resident, whom
    the rules give none; the recorder shows it was never read, so that explanation fails."""
    bills = Bills.of([BillRow(group="dibao_edge", border=True, policy=2_000_000)])
    read, r = recorded(bills, Totals.zeros(1))
    assert "medical.assistance.deductible.dibao_edge" not in read
    assert "medical.assistance.border_resident_ratio" in read
    assert explained(bills, r) == read


def test_a_batch_reads_the_union_of_its_bills() -> None:
    """The recorder is not trivially empty: a vectorised batch reads at least each bill's cells
    (a batch may look up a layer's cells for rows the layer then leaves at zero)."""
    rows = all_kinds()[::97]
    bills = Bills.of(rows)
    read, r = recorded(bills, Totals.zeros(len(rows)))
    union: set[str] = set()
    for i in range(len(rows)):
        union |= {x.path for s in rules.explain(bills, r, P, i) for x in s.parameters}
    assert read >= union and len(union) > 20


def test_with_every_shape_on_the_explanation_names_exactly_what_was_read() -> None:
    """Cost bands, eligible-cost ceilings, admission-number deductibles, 转诊补差 and outpatient
    self-pay into 大病 / 大额, all on: still exactly the figures read, and the steps name the
    admission number and the cost bands used."""
    from tests.medical.test_properties import PARAMS

    shaped = PARAMS["shaped"]
    before = Totals.zeros(1)
    before.ip_cost[:] = 2_000_000  # 20,000 of cost already in the year: a band boundary near
    wrong = []
    for row in all_kinds()[::7]:
        for admission, referred in ((1, 0), (3, 2), (2, 1)):
            kind = dataclasses.replace(row, admission=admission, referred_from=referred)
            bills = Bills.of([kind])
            read, r = recorded(bills, before, shaped)
            if read != explained(bills, r, shaped):
                wrong.append((kind, sorted(read ^ explained(bills, r, shaped))))
    assert not wrong, wrong[:3]
    bills = Bills.of([BillRow(visit="inpatient", level=3, admission=3, policy=2_000_000)])
    r = rules.settle(bills, before, shaped)
    basic = rules.explain(bills, r, shaped)[0]
    assert basic.admission == 3 and basic.bands == (2, 3)  # 20,000 → 40,000: 85% then 90%
    assert basic.ratio == "0.85 / 0.9"
    paths = {x.path for x in basic.parameters}
    assert "medical.resident.inpatient.admission_deductible_factors" in paths
    assert "medical.resident.inpatient.ratio_bands.level_3.brackets[2].rate" in paths


def test_a_ceiling_without_bands_names_no_band() -> None:
    """An eligible-cost ceiling alone (the employee outpatient example: no cost bands in its
    cell) counts the year's cost, but names no band: "band 3 of 3" would be a band that adds
    nothing. The cell with bands still names them (above)."""
    from minsheng.medical.examples import settle_example
    from minsheng.policy.examples import read_examples

    (example,) = read_examples([Path(__file__).parent / "cases" / "shape_eligible_ceiling.yaml"])
    bills, r = settle_example(example)
    p = rules.MedicalParams.from_snapshot(example.tree().at(example.date, example.region))
    first = rules.explain(bills, r, p, 0)[0]
    assert first.bands is None and first.counted == 600_000 and first.ratio == "0.6"
    paths = {x.path for x in first.parameters}
    assert "medical.employee_outpatient.eligible_ceiling" in paths
