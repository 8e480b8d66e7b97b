"""倾斜救助 and the commercial supplementary layer at the window (issue 16 item 5): the ledger keeps
their yearly totals (``ta_paid``, ``cm_deductible``, ``cm_paid``; migration 0039), so a region
whose layer order lists them settles live — each bill against what the year has used of the
tilted limit and of the commercial deductible and cap, exactly as the year's replay computes —
a reversal gives each back, and the receipt, the day's report and its CSV, the API and FHIR show
what each layer paid. Tibet's order has neither layer: its settlements, receipts and day report
are as before."""

from __future__ import annotations

import csv
import io
import json
import re
from decimal import Decimal
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from minsheng.db import make_sessionmaker
from minsheng.medical import desk, rules, service
from minsheng.medical.fhir import explanation_of_benefit
from minsheng.medical.ledger import TOTAL_FIELDS
from minsheng.medical.models import LedgerYear, Settlement
from minsheng.medical.schemas import BillIn
from tests.medical.test_settlement_api import BY, DAY, YEAR, _shaped, bill, world

__all__ = ["world"]  # the fixture, used by name

FEN = 100
TA_CAP, CM_DEDUCTIBLE, CM_CAP = 300, 1000, 2000  # yuan: small, so that they bind within a year
# a region's figures of the shape (illustrative; Lhasa's otherwise). The tilted threshold stays
# Tibet's placeholder 0 (whatever the leaf's shape: one figure, or one per group)
LAYERED = {
    "medical.layers.order": "basic critical_illness assistance tilted_assistance commercial",
    "medical.tilted_assistance.ratio.dibao": "0.5",
    "medical.tilted_assistance.annual_cap": TA_CAP,
    "medical.commercial.deductible": CM_DEDUCTIBLE,
    "medical.commercial.ratio": "0.6",
    "medical.commercial.annual_cap": CM_CAP,
    "medical.commercial.includes_outpatient": True,
}
LEDGER = (*TOTAL_FIELDS, "admissions", "settlements")
STAYS = ((20_000, 2_000), (30_000, 4_000), (30_000, 4_000))  # yuan in and out of the catalogue


def _bill(policy: int, out: int = 0, visit: str = "inpatient") -> BillIn:
    """A bill of ``policy`` yuan in the catalogue (甲) and ``out`` yuan out of it (丙)."""
    lines = [{"code": "A1", "category": "甲", "quantity": "1", "unit_price": f"{policy}.00"}]
    if out:
        lines.append({"code": "C1", "category": "丙", "quantity": "1", "unit_price": f"{out}.00"})
    return BillIn.model_validate(bill(visit=visit, lines=lines))


def _ledger(s: Session, person: int) -> dict[str, int]:
    row = s.get(LedgerYear, (person, YEAR))
    return {f: getattr(row, f) if row else 0 for f in LEDGER}


def test_both_layers_settle_at_the_window_and_the_ledger_carries_their_limits(
    world: dict[str, int], engine: Engine
) -> None:
    """Three stays of the 低保 patient: the tilted limit (300) and the commercial deductible
    (1,000) and cap (2,000) are used up across the bills — the later ones get less than the
    same bill would alone — the window pays what the year's replay pays, and reversing the
    last two returns every running total to what it was after the first."""
    tree = _shaped(LAYERED)
    factory = make_sessionmaker(engine)
    done = []
    with factory() as s:
        for i, (policy, out) in enumerate(STAYS):
            preview = service.settle(s, _bill(policy, out), BY, preview=True, tree=tree)
            done.append(service.settle(s, _bill(policy, out), BY, tree=tree))
            assert {k: getattr(preview, k) for k in service.FIGURES} == {
                k: getattr(done[-1], k) for k in service.FIGURES
            }
            if i == 0:
                s.commit()
                after_first = _ledger(s, world["person"])
        s.commit()
    for o, (policy, out) in zip(done, STAYS, strict=True):
        assert o.tilted is not None and o.commercial is not None
        assert o.funds_paid + o.patient == o.total == (policy + out) * FEN  # the whole bill
        assert [x.fund for x in o.explanation][-2:] == ["tilted_assistance", "commercial"]
    assert done[0].tilted and done[0].commercial  # both layers pay on the first stay
    tilted = [o.tilted or 0 for o in done]
    commercial = [o.commercial or 0 for o in done]
    assert sum(tilted) == TA_CAP * FEN and sum(commercial) == CM_CAP * FEN  # the caps bind …
    with factory() as s:
        lg = _ledger(s, world["person"])
        assert (lg["ta_paid"], lg["cm_paid"], lg["cm_deductible"]) == (
            sum(tilted),
            sum(commercial),
            CM_DEDUCTIBLE * FEN,
        )
        # … so the third stay gets less than the same bill settled on a fresh year would
        p = rules.MedicalParams.from_snapshot(tree.at(DAY, "540102"))
        row = rules.BillRow(
            level=2, policy=3_000_000, full_self=400_000, special=True, group="dibao", admission=3
        )
        fresh = rules.settle(rules.Bills.of([row]), rules.Totals.zeros(1), p)
        assert done[2].tilted == tilted[2] < int(fresh.tilted[0])
        assert done[2].commercial == commercial[2] < int(fresh.commercial[0])
        same = service.replay_year(s, YEAR, DAY, tree)
        assert same["bills_changed"] == 0
        t = same["totals"]
        assert t["tilted_paid"] == t["tilted_replayed"] == sum(tilted)
        assert t["commercial_paid"] == t["commercial_replayed"] == sum(commercial)
        # Tibet's order: the layers would pay nothing — a bill changes where they paid (the
        # third stay found both limits used up: paid 0, replayed 0, unchanged)
        tibet = service.replay_year(s, YEAR, DAY)
        on = [i for i, o in enumerate(done) if o.tilted or o.commercial]
        assert tibet["bills_changed"] == len(on) == 2 and tibet["totals"]["tilted_replayed"] == 0
        assert tibet["totals"]["tilted_paid"] == sum(tilted)
        for o in reversed(done[1:]):  # a reversal: a new row with the opposite amounts
            back = service.reverse(s, o.id or 0, BY)
            assert (back.tilted, back.commercial) == (-(o.tilted or 0), -(o.commercial or 0))
        s.commit()
        assert _ledger(s, world["person"]) == after_first  # every total, exactly


BILLS = st.lists(
    st.tuples(
        st.sampled_from(("inpatient", "inpatient", "outpatient")),
        st.integers(0, 40_000),  # yuan in the catalogue
        st.integers(0, 6_000),  # yuan out of it
    ),
    min_size=1,
    max_size=5,
)


@settings(
    max_examples=10,  # each example settles up to five bills through the service, then rolls back
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(bills=BILLS)
def test_over_any_bills_of_a_year_no_cap_is_exceeded_and_the_window_is_the_replay(
    world: dict[str, int], engine: Engine, bills: list[tuple[str, int, int]]
) -> None:
    """Settled one by one at the window, any year of bills: the tilted limit, the commercial
    deductible and cap hold; the ledger is the sum of what was posted; each bill is what the
    rules settle in order from the stored inputs, and the year's vectorised replay agrees; the
    last bill's reversal restores the ledger exactly, and reversing all empties it. Each
    example rolls back."""
    tree = _shaped(LAYERED)
    person = world["person"]
    with make_sessionmaker(engine)() as s:
        before_last: dict[str, int] = {}
        outs = []
        for i, (visit, policy, out) in enumerate(bills):
            if i == len(bills) - 1:
                before_last = _ledger(s, person)
            outs.append(service.settle(s, _bill(max(policy, 1), out, visit), BY, tree=tree))
        lg = _ledger(s, person)
        paid = {f: sum(getattr(o, f) or 0 for o in outs) for f in ("tilted", "commercial")}
        assert lg["ta_paid"] == paid["tilted"] <= TA_CAP * FEN
        assert lg["cm_paid"] == paid["commercial"] <= CM_CAP * FEN
        assert lg["cm_deductible"] <= CM_DEDUCTIBLE * FEN
        rows = s.scalars(select(Settlement).order_by(Settlement.id)).all()
        assert lg["cm_deductible"] == sum(r.cm_deductible for r in rows)
        stored = [rules.BillRow.of(json.loads(r.inputs)) for r in rows]
        p = rules.MedicalParams.from_snapshot(tree.at(DAY, "540102"))
        want, totals = rules.settle_in_order(rules.Bills.of(stored), p)
        for i, o in enumerate(outs):
            got = (o.basic, o.ci, o.assistance, o.tilted, o.commercial, o.patient)
            assert got == tuple(
                int(getattr(want, f)[i])
                for f in ("basic", "ci", "assistance", "tilted", "commercial", "patient")
            )
            assert o.patient >= 0 and o.funds_paid + o.patient == o.total
        assert (lg["ta_paid"], lg["cm_deductible"], lg["cm_paid"]) == (
            int(totals.ta_paid[0]),
            int(totals.cm_deductible[0]),
            int(totals.cm_paid[0]),
        )
        assert service.replay_year(s, YEAR, DAY, tree)["bills_changed"] == 0
        service.reverse(s, outs[-1].id or 0, BY)
        assert _ledger(s, person) == before_last
        for o in outs[:-1]:
            service.reverse(s, o.id or 0, BY)
        assert all(v == 0 for v in _ledger(s, person).values())
        s.rollback()


def _settled(engine: Engine, tree: Any) -> int:
    with make_sessionmaker(engine)() as s:
        sid = service.settle(s, _bill(20_000, 2_000), BY, tree=tree).id
        s.commit()
    assert sid is not None
    return sid


SAID = {  # the receipt's and the report's lines, in each language
    "zh": ("倾斜救助", "商业补充医疗保险"),
    "bo": ("དམིགས་བསལ་རམ་འདེགས།", "ཚོང་ལས་ཁ་སྣོན་གསོ་བཅོས་འགན་ལེན།"),
    "en": ("Tilted assistance", "Commercial supplementary insurance"),
}


def test_the_receipt_the_day_report_its_csv_and_fhir_show_the_layers_only_where_the_region_has_them(
    world: dict[str, int], engine: Engine, app: object
) -> None:
    from tests.medical.test_hardening import _signed_in_cashier

    c: Any = _signed_in_cashier(app, engine, "cashier.layers")
    tibet = _settled(engine, None)
    c.cookies.set("lang", "zh")
    plain = c.get(f"/medical/receipt/{tibet}").text
    report = c.get("/medical/cashier/report").text
    sheet = list(
        csv.reader(io.StringIO(c.get("/medical/cashier/report.csv").text.lstrip("\ufeff")))
    )
    for page in (plain, report):
        assert "医疗救助" in page and "倾斜救助" not in page and "商业补充" not in page
    assert sheet[0] == list(desk.CSV_HEADER)  # Tibet's day: the columns as before
    layered = _settled(engine, _shaped(LAYERED))
    with make_sessionmaker(engine)() as s:
        row = s.get(Settlement, layered)
        assert row is not None and row.tilted and row.commercial
        tilted, commercial = row.tilted, row.commercial
    money = (f"¥{tilted / FEN:,.2f}", f"¥{commercial / FEN:,.2f}")
    for lang, names in SAID.items():
        c.cookies.set("lang", lang)
        receipt = c.get(f"/medical/receipt/{layered}").text
        day = c.get("/medical/cashier/report").text
        for page in (receipt, day):
            for name, amount in zip(names, money, strict=True):  # the split's own line
                line = f'<th scope="row">{name}</th><td class="num">{amount}</td>'
                assert line in page, (lang, name)
        assert names[0] not in c.get(f"/medical/receipt/{tibet}").text  # Tibet's stays plain
    r = c.get("/medical/cashier/report.csv").text.lstrip("\ufeff")
    sheet = list(csv.reader(io.StringIO(r)))
    head = sheet[0]
    at = head.index("assistance_yuan")
    assert head[at + 1 : at + 3] == ["tilted_assistance_yuan", "commercial_yuan"]
    by_id = {line[1]: line for line in sheet[1:]}
    assert by_id[str(layered)][at + 1 : at + 3] == [
        f"{tilted / FEN:.2f}",
        f"{commercial / FEN:.2f}",
    ]
    assert by_id[str(tibet)][at + 1 : at + 3] == ["", ""]  # no such layer in Tibet's order
    with make_sessionmaker(engine)() as s:
        totals = desk.day_totals(s, BY, desk.today())
        assert totals.layers == ("tilted", "commercial")
        assert (totals.figures["tilted"], totals.figures["commercial"]) == (tilted, commercial)
        for sid, shown in ((layered, True), (tibet, False)):
            out = service.get(s, sid, BY)
            eob = explanation_of_benefit(out, "Patient/1", "H54010200001", "x").model_dump()
            codes = {
                t["category"]["coding"][0]["code"]: Decimal(str(t["amount"]["value"])) * FEN
                for t in eob["total"]
            }
            assert ("tilted" in codes and "commercial" in codes) is shown
            funds = out.basic + out.ci + out.assistance + (out.tilted or 0) + (out.commercial or 0)
            assert codes["benefit"] == funds == out.total - out.patient
            assert Decimal(str(eob["payment"]["amount"]["value"])) * FEN == funds
            if shown:
                assert (codes["tilted"], codes["commercial"]) == (tilted, commercial)


def test_the_citizens_page_shows_what_is_left_of_each_layers_limit_where_the_region_has_them(
    world: dict[str, int], engine: Engine, app: object, monkeypatch: Any
) -> None:
    """The patient's own page lists what is left of each yearly cap: under a region with the
    layers also the tilted limit and the commercial cap, from the ledger; under Tibet's, not."""
    from fastapi.testclient import TestClient

    from minsheng.auth import service as auth
    from minsheng.medical import pages
    from minsheng.registry.models import Person
    from minsheng.webkit.guards import SESSION_COOKIE

    tree = _shaped(LAYERED)
    sid = _settled(engine, tree)
    with make_sessionmaker(engine)() as s:
        row = s.get(Settlement, sid)
        assert row is not None and row.tilted and row.commercial
        paid = (row.tilted, row.commercial)
        token = auth.open_session(s, 1, person=s.get(Person, world["person"])).token
        s.commit()
    me: Any = TestClient(app)  # type: ignore[arg-type]
    me.cookies.set(SESSION_COOKIE, token)
    me.cookies.set("lang", "en")
    tibet = me.get("/me/medical").text
    assert "Medical assistance" in tibet
    assert "Tilted assistance" not in tibet and "Commercial supplementary" not in tibet
    monkeypatch.setattr(pages, "load", lambda: tree)  # the region's figures are the layered ones
    page = me.get("/me/medical").text
    for name, used, cap in zip(SAID["en"], paid, (TA_CAP, CM_CAP), strict=True):
        left = cap * FEN - used
        assert re.search(
            rf"{name}</td><td class=\"num\">¥{used / FEN:,.2f}</td><td class=\"num\">"
            rf"¥{left / FEN:,.2f}<",
            page,
        ), name
