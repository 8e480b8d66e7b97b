"""Transfers (转移接续): the worked examples in cases/transfer_*.yaml (by hand), bad input
refused naming the field, and ``minsheng pensions transfer FILE``."""

from __future__ import annotations

import copy
import datetime as dt
import json
from pathlib import Path
from typing import Any

import pytest
import yaml
from typer.testing import CliRunner

from minsheng.cli import app
from minsheng.core.errors import MinshengError
from minsheng.pensions import transfers
from minsheng.pensions.rules import PensionParams
from minsheng.policy import load

CASES = Path(__file__).parent / "cases"


def _cases(name: str) -> list[dict[str, Any]]:
    loaded: dict[str, Any] = yaml.safe_load((CASES / name).read_text(encoding="utf-8"))
    return list(loaded["cases"])


def _run(file: dict[str, Any]) -> dict[str, Any]:
    r = transfers.parse(file)
    return transfers.transfer(PensionParams.from_snapshot(load().at(r.applied)), r)


def _check_steps(got: dict[str, Any], want: dict[str, Any]) -> None:
    steps = {s["step"]: s for s in got["steps"]}
    assert got["steps"][0]["step"] == "application"
    for name, deadline in want["deadlines"].items():
        assert steps[name]["deadline"] == deadline, name
        assert steps[name]["working_days"] == 15
    for name, late in want.get("late", {}).items():
        assert steps[name]["late"] is late, name


EMPLOYEE = _cases("transfer_employee.yaml") + _cases("transfer_temporary.yaml")


@pytest.mark.parametrize("case", EMPLOYEE, ids=lambda c: c["name"])
def test_employee_transfers_worked_by_hand(case: dict[str, Any]) -> None:
    got, want = _run(case["file"]), case["expect"]
    assert got["temporary_account"] is want["temporary_account"]
    assert got["relationship_moves"] is not want["temporary_account"]
    assert got["relationship_place"] == want["relationship_place"]
    for k, v in want["amounts"].items():
        assert got["amounts"][k] == v, k
    assert {k: got["claim_place"][k] for k in ("place", "rule")} == want["claim_place"]
    assert got["claim_place"]["months_by_place"] == want["months_by_place"]
    _check_steps(got, want)
    paths = {x["path"] for x in got["parameters"]}
    assert "pensions.employee.transfer.pooled_share" in paths


@pytest.mark.parametrize("case", _cases("transfer_link.yaml"), ids=lambda c: c["name"])
def test_linking_the_schemes_worked_by_hand(case: dict[str, Any]) -> None:
    got, want = _run(case["file"]), case["expect"]
    assert got["retirement_date"] == want["retirement_date"]
    assert got["direction"] == want["direction"]
    assert got["amounts"] == want["amounts"]
    assert got["after"] == want["after"]
    _check_steps(got, want)
    assert {x["path"] for x in got["parameters"]} == {
        "pensions.employee.transfer.link_employee_years",
        "pensions.employee.transfer.link_step_working_days",
    }


def test_the_temporary_account_ages_are_the_parameters() -> None:
    p = PensionParams.from_snapshot(load().at(dt.date(2026, 1, 1)))
    assert transfers.temporary_account(p, "male", 50 * 12, "440300", "540100")
    assert not transfers.temporary_account(p, "male", 50 * 12 - 1, "440300", "540100")
    assert transfers.temporary_account(p, "female", 40 * 12, "440300", "540100")
    assert not transfers.temporary_account(p, "female", 40 * 12 - 1, "440300", "540100")
    assert not transfers.temporary_account(p, "male", 58 * 12, "540100", "540100")  # 户籍地


def test_months_before_1998_never_move() -> None:
    p = PensionParams.from_snapshot(load().at(dt.date(2026, 1, 1)))
    old = transfers.Period("A", 1990 * 12, 1997 * 12 + 11, 500_000, "A")
    assert transfers.pooled(p, (old,), "A") == (0, 0, 0)
    one = transfers.Period("A", 1997 * 12 + 11, 1998 * 12, 333_333, "A")  # 1997-12..1998-01
    # one month counted: 3,333.33 × 12 % = 399.9996 → 400.00 (half up, once)
    assert transfers.pooled(p, (one,), "A") == (40_000, 1, 333_333)


def _base() -> dict[str, Any]:
    return copy.deepcopy(EMPLOYEE[0]["file"])


@pytest.mark.parametrize(
    ("change", "field"),
    [
        (lambda d: d.update(kind="other"), "kind"),
        (lambda d: d.update(sex="x"), "sex"),
        (lambda d: d.update(birth="2027-01"), "birth"),
        (lambda d: d.update(applied="2026-02-30"), "applied"),
        (lambda d: d.update(to=d["from"]), "to"),
        (lambda d: d.update(hukou=""), "hukou"),
        (lambda d: d.update(account_balance="-1"), "account_balance"),
        (lambda d: d.update(account_balance=1.5), "account_balance"),
        (lambda d: d.update(account_balance="99999999999"), "account_balance"),
        (lambda d: d["history"][1].update({"from": "2014-06"}), "history[1].to"),
        (lambda d: d["history"][2].update(to="2026-09"), "history[2].to"),
        (lambda d: d["history"][0].update(monthly_wage="abc"), "history[0].monthly_wage"),
        (lambda d: d.update(history=[]), "history"),
        (lambda d: d.update(events={"when": "2026-03-03"}), "events"),
        (lambda d: d.update(events={"letter_sent": "2026-03-01"}), "events.letter_sent"),
    ],
)
def test_bad_input_names_the_field(change: Any, field: str) -> None:
    data = _base()
    change(data)
    with pytest.raises(MinshengError) as e:
        _run(data)
    assert e.value.field == field


def test_linking_before_the_retirement_age_is_refused() -> None:
    data = copy.deepcopy(_cases("transfer_link.yaml")[0]["file"])
    data["birth"] = "1970-01"
    with pytest.raises(MinshengError) as e:
        _run(data)
    assert e.value.field == "applied"


def test_cli_prints_the_transfer_as_json(tmp_path: Path) -> None:
    f = tmp_path / "t.json"
    f.write_text(json.dumps(EMPLOYEE[0]["file"]), encoding="utf-8")
    out = CliRunner().invoke(app, ["pensions", "transfer", str(f)])
    assert out.exit_code == 0, out.output
    got = json.loads(out.output)
    assert got["amounts"]["total"] == "251405.43"
    assert got["claim_place"]["place"] == "500000"
    assert [s["step"] for s in got["steps"]] == [
        "application",
        "acceptance_letter",
        "transfer_out",
        "completion",
    ]
    bad = tmp_path / "bad.json"
    bad.write_text("[1]", encoding="utf-8")
    out = CliRunner().invoke(app, ["pensions", "transfer", str(bad)])
    assert out.exit_code != 0 and "file" in out.output
