"""Issue 16 item 5 at the settlement window: a reordered chain (医疗救助 before 大病) settles and
posts to the ledger, and its year replays unchanged; a region with 倾斜救助 or the commercial
layer on settles too (the ledger keeps their yearly totals: ``tests/medical/
test_layers_window.py``), and a what-if compares what each layer paid with what it would pay."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import Engine

from minsheng.db import make_sessionmaker
from minsheng.medical import rules, service
from minsheng.medical.schemas import BillIn
from tests.medical.test_settlement_api import BY, DAY, YEAR, _shaped, bill, ledger
from tests.medical.test_settlement_api import world as world  # the fixture

ORDER = "medical.layers.order"


def test_a_reordered_chain_settles_at_the_window_and_replays_unchanged(
    world: dict[str, int], engine: Engine
) -> None:
    """The 低保 patient of Lhasa: with 医疗救助 straight after basic, assistance works on the
    compliant self-pay after basic and 大病 on what it left — at the window as in the rules, and
    the ledger's totals are those of the reordered chain."""
    reordered = _shaped({ORDER: "basic assistance critical_illness"})
    with make_sessionmaker(engine)() as s:
        tibet = service.settle(s, BillIn.model_validate(bill("100000.00")), BY, preview=True)
        first = service.settle(s, BillIn.model_validate(bill("100000.00")), BY, tree=reordered)
        second = service.settle(s, BillIn.model_validate(bill("300000.00")), BY, tree=reordered)
        s.commit()
    p = rules.MedicalParams.from_snapshot(reordered.at(DAY, "540102"))
    row = rules.BillRow(level=2, policy=10_000_000, special=True, group="dibao")
    again = rules.BillRow(level=2, policy=30_000_000, special=True, group="dibao", admission=2)
    want, totals = rules.settle_in_order(rules.Bills.of([row, again]), p)
    for i, got in enumerate((first, second)):
        assert (got.basic, got.assistance, got.ci, got.patient) == (
            int(want.basic[i]),
            int(want.assistance[i]),
            int(want.ci[i]),
            int(want.patient[i]),
        )
    assert first.assistance > tibet.assistance and first.ci < tibet.ci  # the order matters
    assert [x.fund for x in first.explanation] == ["basic", "assistance", "critical_illness"]
    assert all(ORDER in {x["path"] for x in step.parameters} for step in first.explanation)
    lg = ledger(engine, world["person"])
    assert lg is not None
    assert (lg.ci_base, lg.ci_paid, lg.as_paid) == (
        int(totals.ci_base[0]),
        int(totals.ci_paid[0]),
        int(totals.as_paid[0]),
    )
    with make_sessionmaker(engine)() as s:
        assert service.replay_year(s, YEAR, DAY, reordered)["bills_changed"] == 0
        assert service.replay_year(s, YEAR, DAY)["bills_changed"] == 2  # Tibet's order differs


@pytest.mark.parametrize(
    "changes",
    [
        {
            ORDER: "basic critical_illness assistance tilted_assistance",
            "medical.tilted_assistance.ratio.dibao": "0.5",
        },
        {ORDER: "basic critical_illness assistance commercial", "medical.commercial.ratio": "0.7"},
    ],
)
def test_a_new_layer_settles_at_the_window_and_a_what_if_compares_what_it_paid(
    world: dict[str, int], engine: Engine, changes: dict[str, Any]
) -> None:
    """Each new layer alone: the bill settles (preview and real) with the layer's amount, the
    three funds before it as under Tibet's chain; replayed under the same figures nothing
    changed; replayed under Tibet's (no such layer) the bill changed by exactly what the layer
    paid, which the report shows as ``…_paid`` beside ``…_replayed``."""
    on = _shaped(
        {
            **changes,
            "medical.commercial.annual_cap": 100000,
            "medical.tilted_assistance.annual_cap": 5000,
        }
    )
    layer = "tilted" if "tilted_assistance" in changes[ORDER] else "commercial"
    other = "commercial" if layer == "tilted" else "tilted"
    with make_sessionmaker(engine)() as s:
        tibet = service.settle(s, BillIn.model_validate(bill("300000.00")), BY, preview=True)
        shown = service.settle(
            s, BillIn.model_validate(bill("300000.00")), BY, preview=True, tree=on
        )
        got = service.settle(s, BillIn.model_validate(bill("300000.00")), BY, tree=on)
        s.commit()
        assert tibet.tilted is None and tibet.commercial is None  # Tibet's order has neither
        paid = getattr(got, layer)
        assert paid is not None and paid > 0 and paid == getattr(shown, layer)
        assert getattr(got, other) is None  # the other is not in this region's order
        for fund in ("basic", "ci", "assistance"):  # the new layer comes after the three
            assert getattr(got, fund) == getattr(tibet, fund)
        assert got.patient == tibet.patient - paid and got.total == tibet.total
        lg = ledger(engine, world["person"])
        assert lg is not None
        assert (lg.ta_paid, lg.cm_paid) == ((paid, 0) if layer == "tilted" else (0, paid))
        same = service.replay_year(s, YEAR, DAY, on)
        report = service.replay_year(s, YEAR, DAY)
    assert same["bills_changed"] == 0 and report["bills_changed"] == 1
    new, old = same["totals"], report["totals"]
    assert new[f"{layer}_paid"] == new[f"{layer}_replayed"] == old[f"{layer}_paid"] == paid
    assert old[f"{layer}_replayed"] == 0 and old[f"{other}_paid"] == 0
    assert old["patient_replayed"] == new["patient_replayed"] + paid
