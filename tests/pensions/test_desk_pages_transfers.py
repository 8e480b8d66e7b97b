"""The transfers page (issue 12 points 8 and 11): the worked example of
``tests/pensions/cases/transfer_employee.yaml`` (Chongqing → Lhasa) through the form — what
moves, where the pension is claimed, the 15-working-day steps with their deadlines and the next
step given the dates recorded — the linking of the schemes, and a bad period by its field."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Engine

from tests.conftest import make_app, staff_client

CHONGQING = {
    "kind": "employee",
    "applied": "2026-03-02",
    "sex": "male",
    "birth": "1980-05",
    "hukou": "510100",
    "from": "500000",
    "to": "540100",
    "account_balance": "98765.43",
    "p1_place": "500000",
    "p1_from": "1996-07",
    "p1_to": "2014-12",
    "p1_wage": "3000.00",
    "p2_place": "500000",
    "p2_from": "2015-01",
    "p2_to": "2025-12",
    "p2_wage": "5000.00",
    "p3_place": "540100",
    "p3_from": "2026-01",
    "p3_to": "2026-02",
    "p3_wage": "8000.00",
    "letter_sent": "2026-03-20",
}


def test_an_employee_transfer_is_the_worked_example(engine: Engine) -> None:
    app = make_app(engine)
    cw: Any = staff_client(app, engine, "caseworker", "540100")
    empty = cw.get("/pensions/transfers")
    assert empty.status_code == 200 and 'id="transfer-form"' in empty.text
    assert 'id="transfer-result"' not in empty.text
    r = cw.get("/pensions/transfers", params=CHONGQING)
    assert r.status_code == 200, r.text
    assert 'id="transfer-total">¥251405.43' in r.text and "¥152640.00" in r.text
    claim = r.text[r.text.index('id="claim-place"') :]
    assert claim.startswith('id="claim-place">500000')  # the last place with 10 years
    steps = r.text[r.text.index('id="transfer-steps"') : r.text.index("</ol>")]
    for deadline in ("2026-03-23", "2026-04-13", "2026-05-07"):
        assert deadline in steps
    upcoming = r.text[
        r.text.index('id="next-step"') : r.text.index("</p>", r.text.index('id="next-step"'))
    ]
    assert "2026-04-13" in upcoming  # the transfer out, from the letter's date
    assert 'value="2026-03-20"' in r.text  # the form as typed
    done = cw.get("/pensions/transfers", params={**CHONGQING, "funds_sent": "2026-04-10"})
    upcoming = done.text[done.text.index('id="next-step"') :]
    assert "2026-05-06" in upcoming[: upcoming.index("</p>")]  # completion from 04-10 + 15


def test_linking_the_schemes_and_a_bad_period(engine: Engine) -> None:
    app = make_app(engine)
    cw: Any = staff_client(app, engine, "caseworker", "540100")
    link = {
        "kind": "link",
        "applied": "2026-03-02",
        "sex": "female",
        "category": "cadre",
        "birth": "1970-06",
        "employee_months": "100",
        "employee_account": "20000.00",
        "resident_years": "6",
        "resident_account": "5000.00",
    }
    r = cw.get("/pensions/transfers", params=link)
    assert r.status_code == 200, r.text
    assert (
        "¥20000.00" in r.text and "¥25000.00" in r.text
    )  # fewer than 15 years: employee → resident
    bad = cw.get("/pensions/transfers", params={**CHONGQING, "p2_from": "2010-01"})
    assert bad.status_code == 422  # overlapping periods: on the period's field, as typed
    assert 'id="transfer-p2_to-error"' in bad.text and 'value="2010-01"' in bad.text
    assert 'id="transfer-result"' not in bad.text
