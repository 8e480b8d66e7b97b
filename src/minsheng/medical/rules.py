"""The settlement rules, pure and vectorised: one bill or ten million, the same code.

A bill arrives already split (:func:`split_lines`) into 全自费 (fully self-paid), 超限价自费
(over the price limit), 先行自付 (乙类 items' self-pay-first share) and 政策范围内 (the
policy-range amount the funds work on). Then, per person and calendar year, the layers in the
region's order (POLICY.md §1; ``medical.layers.order``, Tibet's shown), each a function a
policy reader can find by name:

1. :func:`basic_insurance` — 基本医保 (always first);
2. :func:`critical_illness` — 大病保险 (residents) / 大额医疗补助 (employees);
3. :func:`medical_assistance` — 医疗救助 (a region may place it before 大病, or switch a layer
   off);
4. :func:`tilted_assistance` — 倾斜救助, after 大病 and 医疗救助, and :func:`commercial` — the
   commercial supplementary layer (惠民保-style), last: both off in Tibet;
5. :func:`patient_share` — 个人负担: personal account first, then cash.

Every amount is integer fen; every ratio an exact fraction; every figure a dated, cited
parameter (:class:`~minsheng.medical.tables.MedicalParams`). Running totals enter as arrays
("state before this bill"), so a whole year replays (:func:`replay`) with grouped cumulative sums
and gives the same fen as settling bills one by one. :func:`explain` says, for one bill, which
figures each layer used: the explanation comes from the rules, not from a second reading.
"""

from __future__ import annotations

from minsheng.medical.bills import BillRow, Bills, Result, Totals
from minsheng.medical.explain import Step, explain
from minsheng.medical.layers import (
    basic_insurance,
    commercial,
    critical_illness,
    medical_assistance,
    patient_share,
    settle,
    settle_in_order,
    tilted_assistance,
)
from minsheng.medical.lines import Lines, Split, registration_waived, split_lines
from minsheng.medical.replay import group_starts, replay
from minsheng.medical.tables import (
    AREAS,
    BORDER,
    CATEGORIES,
    GROUPS,
    LEVELS,
    SCHEMES,
    VISITS,
    Area,
    Category,
    Group,
    MedicalParams,
    Scheme,
    Tables,
    Visit,
    yearly_caps,
)

__all__ = [
    "AREAS",
    "BORDER",
    "CATEGORIES",
    "GROUPS",
    "LEVELS",
    "SCHEMES",
    "VISITS",
    "Area",
    "BillRow",
    "Bills",
    "Category",
    "Group",
    "Lines",
    "MedicalParams",
    "Result",
    "Scheme",
    "Split",
    "Step",
    "Tables",
    "Totals",
    "Visit",
    "basic_insurance",
    "commercial",
    "critical_illness",
    "explain",
    "group_starts",
    "medical_assistance",
    "patient_share",
    "registration_waived",
    "replay",
    "settle",
    "settle_in_order",
    "split_lines",
    "tilted_assistance",
    "yearly_caps",
]
