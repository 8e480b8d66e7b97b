"""The layer chain as configuration (``medical.layers.order``): which layers settle and in
which order, checked (:func:`layer_order`), and the figures of the two layers beyond the three
— 倾斜救助 (tilted assistance) and the commercial supplementary layer (惠民保-style) — laid out
for the rules (:func:`chain_tables`, fields of :class:`~minsheng.medical.tables.Tables`)."""

from __future__ import annotations

from decimal import Decimal
from typing import TYPE_CHECKING, Any

import numpy as np

from minsheng.core.errors import invalid
from minsheng.core.money import ratio_table
from minsheng.medical.codes import (
    ASSISTANCE,
    BASIC,
    COMMERCIAL,
    CRITICAL,
    GROUPS,
    LAYERS,
    THREE_LAYERS,
    TILTED,
    Group,
)
from minsheng.medical.paths import (
    CM_CAP,
    CM_DEDUCTIBLE,
    CM_OUTPATIENT,
    CM_RATIO,
    LAYER_ORDER,
    TA_CAP,
    TA_THRESHOLD,
    tilted_ratio_path,
    tilted_threshold_path,
)

if TYPE_CHECKING:
    from minsheng.medical.tables import MedicalParams


def _refuse(rule: str, zh: str, en: str, bo: str) -> Exception:
    return invalid(LAYER_ORDER, rule, f"参数{LAYER_ORDER}：{zh}", f"{LAYER_ORDER}: {en}", bo)


def layer_order(codes: tuple[str, ...]) -> tuple[str, ...]:
    """The layers after basic insurance, in order, from the ``medical.layers.order`` codes;
    an order the rules cannot settle is an error naming the parameter (zh, en, bo)."""
    unknown = [c for c in codes if c not in LAYERS]
    if unknown:
        raise _refuse(
            "layer_unknown",
            f"未知的层{'、'.join(unknown)}（可选：{'、'.join(LAYERS)}）",
            f"unknown layer {', '.join(unknown)} (one of {', '.join(LAYERS)})",
            f"ཚད་གཞི་{LAYER_ORDER}ནང་རིམ་པ་ {' '.join(unknown)} ངོ་མི་ཤེས།",
        )
    if len(set(codes)) != len(codes):
        raise _refuse(
            "layer_twice",
            "同一层不能列出两次",
            "a layer is listed twice",
            f"ཚད་གཞི་{LAYER_ORDER}ནང་རིམ་པ་གཅིག་ཐེངས་གཉིས་བཀོད་འདུག",
        )
    if not codes or codes[0] != BASIC:
        raise _refuse(
            "layer_basic_first",
            "基本医保（basic）须列在首位",
            "basic insurance (basic) comes first",
            f"ཚད་གཞི་{LAYER_ORDER}ནང་ basic ཐོག་མར་འགོད་དགོས།",
        )
    if TILTED in codes:
        at = codes.index(TILTED)
        if any(c in codes[at:] for c in (CRITICAL, ASSISTANCE)):
            raise _refuse(
                "layer_tilted_after",
                "倾斜救助（tilted_assistance）须在大病保险和医疗救助之后",
                "tilted assistance (tilted_assistance) comes after critical illness and "
                "medical assistance",
                f"ཚད་གཞི་{LAYER_ORDER}ནང་ tilted_assistance ནི་ critical_illness དང་ "
                "assistance ཡི་རྗེས་སུ་འགོད་དགོས།",
            )
    if COMMERCIAL in codes and codes[-1] != COMMERCIAL:
        raise _refuse(
            "layer_commercial_last",
            "商业补充医疗保险（commercial）须列在末位",
            "the commercial supplementary layer (commercial) comes last",
            f"ཚད་གཞི་{LAYER_ORDER}ནང་ commercial མཐའ་མར་འགོད་དགོས།",
        )
    return codes[1:]


def chain_tables(p: MedicalParams, src: dict[str, Any]) -> dict[str, Any]:
    """The order and the figures of 倾斜救助 and the commercial layer, as fields of ``Tables``
    (``src``: the parameters behind each, where the shape is on)."""
    order = layer_order(p.codes(LAYER_ORDER))
    default = (BASIC, *order) == THREE_LAYERS
    src["order"] = () if default else (LAYER_ORDER,)  # named where a region reorders
    ratios = [Decimal(0)] + [p.ratio(tilted_ratio_path(g)) for g in GROUPS[1:]]
    ta_nums, ta_den = ratio_table([*ratios, p.ratio(CM_RATIO)])
    src["ta_ratio"] = np.empty(len(Group), dtype=object)
    src["ta_threshold"] = np.empty(len(Group), dtype=object)
    # per group, like the ratio: every group's threshold plus the group's own (no group: none)
    threshold = np.zeros(len(Group), dtype=np.int64)
    for g in Group:
        own = g is not Group.NONE
        src["ta_ratio"][g] = (tilted_ratio_path(GROUPS[g]),) if own else ()
        src["ta_threshold"][g] = (TA_THRESHOLD, tilted_threshold_path(GROUPS[g])) if own else ()
        if own:
            threshold[g] = p.fen(TA_THRESHOLD) + p.fen(tilted_threshold_path(GROUPS[g]))
    src["ta_cap"] = (TA_CAP,)
    src["cm_ratio"], src["cm_deductible"], src["cm_cap"] = (CM_RATIO,), (CM_DEDUCTIBLE,), (CM_CAP,)
    outpatient = p.flag(CM_OUTPATIENT)
    src["cm_outpatient"] = (CM_OUTPATIENT,) if outpatient else ()
    return {
        "order": order,
        "ta_ratio": np.array(ta_nums[: len(Group)], dtype=np.int64),
        "ta_den": ta_den,
        "ta_threshold": threshold,
        "ta_cap": p.fen(TA_CAP),
        "cm_ratio": int(ta_nums[len(Group)]),
        "cm_den": ta_den,
        "cm_deductible": p.fen(CM_DEDUCTIBLE),
        "cm_cap": p.fen(CM_CAP),
        "cm_outpatient": outpatient,
    }


__all__ = ["chain_tables", "layer_order"]
