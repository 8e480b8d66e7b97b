"""Assistance worked examples (``minsheng params test``): a household, a person or a request
decided by the rules, each expected figure against the published one.

An example names its ``rule`` — ``determine`` (低保 / 低保边缘 / 刚性支出 of a household),
``dibao_payment`` (低保 in the region's shape: band, minimum, “三无”, rounding, 分类施保 add-ons),
``tekun`` (特困), ``person_benefits``, ``temporary``, ``single`` (单人户) or ``proposed`` (the
standards proposed from last year's consumption) — its ``inputs`` (amounts in fen) and the
``expected`` outputs of that rule (fen, counts or true/false).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

from minsheng.assistance import rules
from minsheng.policy.examples import Example, Miss


def _arr(v: int) -> Any:
    return np.array([v], dtype=np.int64)


def _determine(p: rules.AssistanceParams, x: dict[str, Any]) -> dict[str, Any]:
    h = rules.Households.of([x["area"]], [x["members"]], [x["income"]], [x["assets"]], [x["rigid"]])
    d = rules.determine(p, h)
    return {k: getattr(d, k)[0].item() for k in d.__dataclass_fields__}


def _tekun(p: rules.AssistanceParams, x: dict[str, Any]) -> dict[str, Any]:
    t = rules.tekun(
        p,
        _arr(rules.AREAS.index(x["area"])),
        _arr(x["age"]),
        _arr(x["grade"]),
        _arr(x["income"]),
        np.array([x["supporter"]]),
        _arr(rules.CARE_LEVELS.index(x["care"])),
    )
    return {k: getattr(t, k)[0].item() for k in t.__dataclass_fields__}


def _person(p: rules.AssistanceParams, x: dict[str, Any]) -> dict[str, Any]:
    out = rules.person_benefits(
        p, _arr(x["age"]), _arr(x["grade"]), np.array([x["poor"]]), np.array([x["orphan"]])
    )
    return {k: v[0].item() for k, v in out.items()}


def _temporary(p: rules.AssistanceParams, x: dict[str, Any]) -> dict[str, Any]:
    return {"amount": rules.temporary_amount(p, x["requested"], x["members"], x["area"])}


def _single(p: rules.AssistanceParams, x: dict[str, Any]) -> dict[str, Any]:
    family = rules.determine(
        p, rules.Households.of([x["area"]], [x["members"]], [x["income"]], [0], [0])
    )
    ok = bool(rules.single_household_ok(p, family, _arr(x["grade"]))[0])
    alone = rules.determine(p, rules.Households.of([x["area"]], [1], [x["own_income"]], [0], [0]))
    return {"ok": ok, "amount": int(alone.dibao_amount[0]) if ok else 0}


def _payment(p: rules.AssistanceParams, x: dict[str, Any]) -> dict[str, Any]:
    """低保 in the region's shape: the household's benefit, and each member's 分类施保 add-on
    (``inputs.categories``: one list of categories per member, ``[[elderly], [], [minor]]``)."""
    members = int(x["members"])
    h = rules.Households.of([x["area"]], [members], [x["income"]], [x.get("assets", 0)], [0])
    d = rules.determine(p, h)
    benefit = rules.dibao_payment(
        p, d.standard, h.income, h.members, d.dibao, np.array([bool(x.get("sanwu", False))])
    )
    cats = [list(c) for c in x.get("categories") or []]
    flags = np.array(
        [[c in m for c in rules.ADDON_CATEGORIES] for m in cats], dtype=np.bool_
    ).reshape(len(cats), len(rules.ADDON_CATEGORIES))
    unknown = sorted({c for m in cats for c in m} - set(rules.ADDON_CATEGORIES))
    if unknown:
        raise ValueError(f"unknown categories {unknown}")
    each = rules.addon_amounts(p, np.repeat(d.standard, len(cats)), flags)
    each = np.where(d.dibao[0], each, 0)
    return {
        "dibao": bool(d.dibao[0]),
        "benefit": int(benefit[0]),
        "addons": [int(v) for v in each],
        "amount": int(benefit[0]) + int(each.sum()),
    }


def _proposed(p: rules.AssistanceParams, x: dict[str, Any]) -> dict[str, Any]:
    return dict(rules.proposed_standards(p))


RULES: dict[str, Callable[[rules.AssistanceParams, dict[str, Any]], dict[str, Any]]] = {
    "determine": _determine,
    "tekun": _tekun,
    "person_benefits": _person,
    "temporary": _temporary,
    "single": _single,
    "proposed": _proposed,
    "dibao_payment": _payment,
}


def compute(example: Example) -> dict[str, Any]:
    """What the rule gives for the example's inputs, under its date, region and figures."""
    rule = example.data.get("rule")
    if rule not in RULES:
        raise example.error(
            "rule",
            "example_rule",
            f"未知的规则（可用：{'、'.join(RULES)}）",
            f"unknown rule (one of {', '.join(RULES)})",
        )
    p = rules.AssistanceParams.from_snapshot(example.tree().at(example.date, example.region))
    try:
        return RULES[str(rule)](p, dict(example.data.get("inputs") or {}))
    except (KeyError, TypeError, ValueError) as err:
        raise example.error(
            "inputs", "example_inputs", "输入缺少或有误", f"an input is missing or wrong: {err}"
        ) from None


def run(example: Example) -> list[Miss]:
    """Every expected figure the configuration does not reproduce (empty: all of them)."""
    got = compute(example)
    misses: list[Miss] = []
    for key, want in dict(example.data.get("expected") or {}).items():
        if key not in got:
            raise example.error(
                f"expected.{key}",
                "example_output",
                f"规则没有此输出（可用：{'、'.join(got)}）",
                f"the rule has no such output (one of {', '.join(got)})",
            )
        if got[key] != want:
            misses.append(Miss(key, str(want), str(got[key])))
    return misses
