"""身后一件事 (death of a pensioner): the death recorded in the registry; the pension settled
through ``pensions.commands.settle_death`` (pensions/death.py: terminated from the day after,
the overpayment computed and its recovery case opened, the funeral grant and survivors'
allowance per 人社部发〔2021〕18号 — ``pensions.death.*`` parameters —, the inheritable account
balance, the overpayment deducted from those first); and the household's 低保 re-determined
through ``assistance.commands.redetermine_household`` (the existing 复核 step).

The funeral grant, the survivors' allowance and the inheritable balance are one settlement in
pensions; they are shown as parts of their own so that each is visible with its amount."""

from __future__ import annotations

import datetime as dt
from typing import Any

from minsheng.assistance import commands as assistance
from minsheng.bundles.parts import Ctx, Part, Skipped
from minsheng.core.errors import ConflictError
from minsheng.pensions import commands as pensions
from minsheng.registry import service as registry
from minsheng.registry.schemas import PersonPatch


def _registry(c: Ctx) -> dict[str, Any]:
    died_on: dt.date = c.form["died_on"]
    recorded = c.person.death_date
    if recorded is not None and recorded != died_on:
        raise ConflictError(
            "died_on",
            "registry_differs",
            f"户籍登记的死亡日期为{recorded}",
            f"the registry records the death on {recorded}",
            "ཐོ་འགོད་ཀྱི་འདས་ཚེས་མི་མཐུན།",
        )
    if recorded is None:
        registry.update_person(c.session, c.person.id, PersonPatch(death_date=died_on), c.by)
    return {"death_date": died_on.isoformat(), "recorded_before": recorded is not None}


def _pension(c: Ctx) -> dict[str, Any]:
    out = pensions.settle_death(c.session, c.person.id, c.form["died_on"], c.by, today=c.today)
    c.shared["death"] = out
    return {
        k: out[k]
        for k in ("award_id", "scheme", "terminated_on", "overpaid", "recovery_id", "owed_by_heirs")
    }


def _amount(name: str, parameter_parts: tuple[str, ...]) -> Any:
    def run(c: Ctx) -> dict[str, Any]:
        d = c.shared["death"]
        net = d.get(f"net_{name}", d[name])
        return {
            "amount": d[name],
            "amount_fen": d[f"{name}_fen"],
            "deducted": d["deducted"].get(name, "0.00"),
            "payable": net,
            "parts": [p for p in d["parts"] if p["name"] in parameter_parts],
        }

    return run


def _assistance(c: Ctx) -> dict[str, Any]:
    changed = assistance.redetermine_household(c.session, c.person.household_id, c.by, c.today)
    if not changed:
        raise Skipped(
            "该家庭没有在保的低保等救助，无需重新核定",
            "the household receives no monthly assistance: nothing to re-determine",
            "ཁྱིམ་ཚང་འདིར་རོགས་སྐྱོར་མེད།",
        )
    return {"cases": changed}


DEATH = (
    Part(
        "registry",
        "registry",
        ("登记死亡", "འདས་པའི་ཐོ་འགོད།", "death recorded"),
        _registry,
    ),
    Part(
        "pension",
        "pensions",
        ("停发养老金、核算多发", "རྒན་གསོའི་ཕོགས་མཚམས་བཞག", "pension stopped, overpayment"),
        _pension,
    ),
    Part(
        "funeral",
        "pensions",
        ("丧葬补助金", "དུར་གྲོན་རོགས་དངུལ།", "funeral grant"),
        _amount("funeral_grant", ("funeral_grant",)),
    ),
    Part(
        "survivors",
        "pensions",
        ("抚恤金", "ཤུལ་ལུས་རོགས་དངུལ།", "survivors' allowance"),
        _amount("survivors_allowance", ("survivors_allowance",)),
    ),
    Part(
        "account",
        "pensions",
        ("个人账户余额继承", "སྒེར་རྩིས་ཀྱི་ལྷག་མ་བརྒྱུད་འཛིན།", "account balance to heirs"),
        _amount("inheritable_balance", ("inheritable_balance", "account_paid", "balance")),
    ),
    Part(
        "assistance",
        "assistance",
        ("重新核定低保", "འཚོ་བའི་མཐིལ་འགན་ལེན་བསྐྱར་ཞིབ།", "低保 re-determined"),
        _assistance,
    ),
)
