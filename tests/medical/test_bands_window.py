"""Cost bands (分段报销) and an eligible-cost ceiling at the window (issue 16 items 1 and 3): the
ledger keeps the year's cost above the deductible (``op_cost`` / ``ip_cost``, each settlement
its ``basic_above``), so each bill is paid at the bands the year has reached — exactly what the
vectorised replay of the year computes — and a reversal gives the cost back."""

from __future__ import annotations

import re
from typing import Any

from sqlalchemy import Engine, select

from minsheng.db import make_sessionmaker
from minsheng.medical import service
from minsheng.medical.models import LedgerYear, Settlement
from minsheng.medical.schemas import BillIn
from tests.medical.test_settlement_api import BY, DAY, YEAR, _shaped, bill, world

__all__ = ["world"]  # the fixture, used by name

BANDS = "medical.resident.inpatient.ratio_bands.level_2"
SHAPED = {
    f"{BANDS}.brackets[1].threshold": "5000",  # from 5,000 of the year's cost: 5 points more
    f"{BANDS}.brackets[1].rate": "0.05",
    f"{BANDS}.brackets[2].threshold": "10000",  # from 10,000: 10 points more
    f"{BANDS}.brackets[2].rate": "0.1",
    "medical.resident.inpatient.eligible_ceiling": "14000",  # nothing counted beyond 14,000
}


def test_cost_bands_and_a_ceiling_settle_at_the_window_as_the_year_replays(
    world: dict[str, int], engine: Engine
) -> None:
    tree = _shaped(SHAPED)
    factory = make_sessionmaker(engine)
    ids = []
    for amount in ("3000.00", "5000.00", "8000.00"):  # the third crosses the ceiling
        with factory() as s:
            ids.append(service.settle(s, BillIn.model_validate(bill(amount)), BY, tree=tree).id)
            s.commit()
    with factory() as s:
        rows = s.scalars(select(Settlement).where(Settlement.id.in_(ids))).all()
        above = [r.basic_above for r in sorted(rows, key=lambda r: r.id)]
        ledger = s.get(LedgerYear, (world["person"], YEAR))
        assert ledger is not None and ledger.ip_cost == sum(above) and ledger.op_cost == 0
        assert above[0] > 0 and sum(above) > 1_400_000  # the year went past the ceiling
        # the window paid what the year's replay under the same figures pays, bill by bill …
        assert service.replay_year(s, YEAR, DAY, tree)["bills_changed"] == 0
        # … which is not what Tibet's figures (no bands, no ceiling) pay
        assert service.replay_year(s, YEAR, DAY)["bills_changed"] >= 2
        service.reverse(s, ids[1], BY)
        s.commit()
    with factory() as s:
        ledger = s.get(LedgerYear, (world["person"], YEAR))
        assert ledger is not None and ledger.ip_cost == above[0] + above[2]


def test_the_receipt_names_the_admission_the_bands_and_the_cost_counted(
    world: dict[str, int], engine: Engine, app: object
) -> None:
    """Issue 16 item 11: the receipt's "why" says which admission of the year the bill was, the
    bands its cost fell in and the year's cost counted — in Chinese, Tibetan and English."""
    from tests.medical.test_hardening import _signed_in_cashier, receipt_says

    tree = _shaped(SHAPED)
    factory = make_sessionmaker(engine)
    ids = []
    for amount in ("3000.00", "5000.00"):  # the second: 2,800 counted before, 4,900 more
        with factory() as s:
            ids.append(service.settle(s, BillIn.model_validate(bill(amount)), BY, tree=tree).id)
            s.commit()
    c: Any = _signed_in_cashier(app, engine, "cashier.bands")
    said = {
        "zh": ("本年住院次数: 2", "费用分段: 1–2", "本年起付线以上累计计入费用: ¥4,900.00"),
        "bo": ("ལོ་འདིར་སྨན་ཁང་དུ་ཞུགས་ཐེངས།: 2", "འགྲོ་གྲོན་གྱི་དུམ་བུ།: 1–2"),
        "en": ("admission of the year: 2", "cost band: 1–2"),
    }
    receipt_says(c, ids[1], said)
    c.cookies.set("lang", "zh")
    first = c.get(f"/medical/receipt/{ids[0]}").text
    assert "本年住院次数: 1" in first, re.findall(r"本年.{0,40}", first)
    assert re.search(r"费用分段: 1\s*<", first), re.findall(r"费用分段.{0,20}", first)
