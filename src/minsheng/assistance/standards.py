"""Adjusting the 低保 standard (POLICY.md §2, seed 001: linked to per-capita consumption).

:func:`propose` reads last year's per-capita consumption (``economy.per_capita_consumption``), the
ratio of the formula (``assistance.dibao.consumption_ratio``), proposes next year's standards, and
costs the change over every registered household with recorded incomes: the same vectorised
rules run under the standards in force and under an overlay carrying the proposal.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import numpy as np
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from minsheng.assistance import rules
from minsheng.assistance.household import months_back
from minsheng.assistance.models import Asset, Expense, Income
from minsheng.core import divisions
from minsheng.policy import ParameterTree, load, parse_overlay
from minsheng.registry.models import Household, Person


def _households(session: Session, prefix: str, day: dt.date) -> dict[str, Any]:
    start, end = months_back(day)
    hh = session.execute(
        select(Household.id, Household.division_code, Household.area).where(
            Household.division_code.like(prefix + "%"),
            Household.id.in_(select(Income.household_id).distinct()),
        )
    ).all()
    pos = {int(h[0]): i for i, h in enumerate(hh)}
    n = len(hh)
    members = np.zeros(n, dtype=np.int64)
    for hid, count in session.execute(
        select(Person.household_id, func.count())
        .where(Person.death_date.is_(None) | (Person.death_date > day))
        .group_by(Person.household_id)
    ):
        if hid in pos:
            members[pos[hid]] = count
    inc = [
        (pos[r[0]], r[1], int(r[2]))
        for r in session.execute(
            select(Income.household_id, Income.kind, func.sum(Income.amount))
            .where(Income.month >= start, Income.month < end)
            .group_by(Income.household_id, Income.kind)
        )
        if r[0] in pos
    ]
    assets = np.zeros(n, dtype=np.int64)
    for hid, value in session.execute(
        select(Asset.household_id, func.sum(Asset.value)).group_by(Asset.household_id)
    ):
        if hid in pos:
            assets[pos[hid]] = int(value)
    rigid = np.zeros(n, dtype=np.int64)
    for hid, value in session.execute(
        select(Expense.household_id, func.sum(Expense.amount))
        .where(Expense.month >= start, Expense.month < end)
        .group_by(Expense.household_id)
    ):
        if hid in pos:
            rigid[pos[hid]] = int(value)
    return {
        "divisions": [h[1] for h in hh],
        "area": np.array([rules.AREAS.index(h[2]) for h in hh], dtype=np.int64),
        "members": members,
        "income": inc,
        "assets": assets,
        "rigid": rigid,
    }


def _cost(tree: ParameterTree, day: dt.date, data: dict[str, Any]) -> dict[str, int]:
    n = len(data["divisions"])
    regions: dict[str, list[int]] = {}
    for i, d in enumerate(data["divisions"]):
        regions.setdefault(divisions.pooling_region(d), []).append(i)
    total = households = people = 0
    for region, rows in regions.items():
        p = rules.AssistanceParams.from_snapshot(tree.at(day, region))
        income = np.zeros(n, dtype=np.int64)
        if data["income"]:
            idx = np.array([r[0] for r in data["income"]], dtype=np.int64)
            kind = np.array([rules.INCOME_KINDS.index(r[1]) for r in data["income"]])
            amt = np.array([r[2] for r in data["income"]], dtype=np.int64)
            income = rules.group_sum(idx, rules.counted_income(p, kind, amt), n) // 12
        sel = np.array(rows, dtype=np.int64)
        d = rules.determine(
            p,
            rules.Households(
                data["area"][sel],
                data["members"][sel],
                income[sel],
                data["assets"][sel],
                data["rigid"][sel],
            ),
        )
        total += int(d.dibao_amount.sum()) * 12
        households += int(d.dibao.sum())
        people += int(data["members"][sel][d.dibao].sum())
    return {"yearly_cost": total, "households": households, "people": people}


def propose(
    session: Session, year: int, region: str = "540000", data_as_of: dt.date | None = None
) -> dict[str, Any]:
    """Next year's standards and what they would cost over the registered population: the
    figures in force on 1 January of ``year``, the households' latest 12 months of incomes
    (before ``data_as_of``, default today)."""
    day = dt.date(year, 1, 1)
    code = divisions.get(region, "region").code
    tree = load()
    pooling = None if code == divisions.REGION_CODE else divisions.pooling_region(code)
    p = rules.AssistanceParams.from_snapshot(tree.at(day, pooling))
    proposal = rules.proposed_standards(p)
    overlay = parse_overlay(
        {
            "description": f"proposed 低保 standards for {year}",
            "status": "assumed",
            "reference": [{"title": "minsheng assistance propose-standard", "href": "computed"}],
            "changes": {
                "assistance.dibao.standard.urban_monthly": {
                    "values": {day: {"value": str(Decimal(proposal["urban_monthly"]) / 100)}}
                },
                "assistance.dibao.standard.rural_yearly": {
                    "values": {day: {"value": str(Decimal(proposal["rural_yearly"]) / 100)}}
                },
            },
        },
        f"proposal-{year}",
    )
    reform = tree.with_overlay(overlay)
    data = _households(session, divisions.code_prefix(code), data_as_of or dt.date.today())
    current = {
        "urban_monthly": p.fen("assistance.dibao.standard.urban_monthly"),
        "rural_yearly": p.fen("assistance.dibao.standard.rural_yearly"),
    }
    before, after = _cost(tree, day, data), _cost(reform, day, data)
    return {
        "year": year,
        "region": code,
        "current": current,
        "proposed": proposal,
        "formula": {
            k: p.infos[k].to_dict()
            for k in (
                "economy.per_capita_consumption.urban",
                "economy.per_capita_consumption.rural",
                "assistance.dibao.consumption_ratio.urban",
                "assistance.dibao.consumption_ratio.rural",
            )
        },
        "assessed_households": len(data["divisions"]),
        "baseline": before,
        "proposal": after,
        "change": {k: after[k] - before[k] for k in before},
    }
