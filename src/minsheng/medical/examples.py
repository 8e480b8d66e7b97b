"""Medical worked examples (``minsheng params test``): bills settled in order, each fund's
amount against the published one, to the fen.

An example's ``bills`` is a list of ``{bill: {...}, expect: {...}}``: the bill's fields as the
rules read them (``rules.BillRow``: scheme, visit, level, policy, full_self, … — amounts in yuan
as strings) and the expected ``basic`` / ``ci`` / ``assistance`` / ``tilted`` (倾斜救助) /
``commercial`` (the commercial supplementary layer) / ``patient`` / ``account`` / ``cash`` in
yuan. The bills are one person's, in order, in one year (``rules.settle_in_order``); where a
region's ratio or cap depends on the person, a bill also gives ``age``, ``enrolled_years`` and
``zero_claim_years`` (``medical/person_terms.py``).
"""

from __future__ import annotations

from typing import Any

from minsheng.core import money
from minsheng.medical.person_terms import check_year
from minsheng.medical.rules import Bills, MedicalParams, Result, settle_in_order
from minsheng.policy.examples import Example, Miss

MONEY_KEYS = frozenset(
    {"policy", "full_self", "over_limit", "self_first", "total", "account_balance"}
)
# fields of rules.Result
OUTPUTS = ("basic", "ci", "assistance", "tilted", "commercial", "patient", "account", "cash")
FUNDS = ("basic", "ci", "assistance", "tilted", "commercial")  # with the patient: the bill


def to_row(raw: dict[str, Any]) -> dict[str, Any]:
    """A bill as written in an example → the rules' row (amounts in fen)."""
    return {k: money.parse(str(v), k) if k in MONEY_KEYS else v for k, v in raw.items()}


def settle_example(example: Example) -> tuple[Bills, Result]:
    bills_in = example.data.get("bills")
    if not isinstance(bills_in, list) or not bills_in:
        raise example.error(
            "bills", "example_bills", "算例须列出账单", "an example lists its bills"
        )
    snap = example.tree().at(example.date, example.region)
    bills = Bills.of([to_row(dict(b["bill"])) for b in bills_in])
    check_year(bills)  # the years before this one: the same on every bill
    result, _ = settle_in_order(bills, MedicalParams.from_snapshot(snap))
    return bills, result


def run(example: Example) -> list[Miss]:
    """Every expected amount the configuration does not reproduce (empty: all to the fen)."""
    try:
        bills, result = settle_example(example)
    except (KeyError, TypeError, ValueError) as err:
        raise example.error(
            "bills", "example_bills", "账单字段有误", f"a bill is malformed: {err}"
        ) from None
    misses: list[Miss] = []
    for i, b in enumerate(example.data["bills"]):
        for key, want in dict(b.get("expect") or {}).items():
            if key not in OUTPUTS:
                raise example.error(
                    f"bills[{i + 1}].expect.{key}",
                    "example_output",
                    f"未知的金额：{key}（可用：{'、'.join(OUTPUTS)}）",
                    f"unknown amount {key} (one of {', '.join(OUTPUTS)})",
                )
            got = int(getattr(result, key)[i])
            wanted = money.parse(str(want), key)
            if got != wanted:
                misses.append(Miss(f"bill {i + 1} {key}", money.fmt(wanted), money.fmt(got)))
    parts = sum((getattr(result, f) for f in FUNDS), result.patient)
    if parts.tolist() != bills.total.tolist():  # the funds and the patient share the whole bill
        misses.append(Miss("funds + patient", str(bills.total.tolist()), str(parts.tolist())))
    return misses


__all__ = ["FUNDS", "MONEY_KEYS", "OUTPUTS", "run", "settle_example", "to_row"]
