"""Worked examples of the funeral grant and survivors' allowance (cases/death_benefits.yaml),
settled through ``death.settle_death`` for an employee dying in work."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pytest
import yaml
from sqlalchemy import Engine

from minsheng.db import make_sessionmaker, unit_of_work
from minsheng.pensions import death
from tests.pensions.award_kit import BY
from tests.pensions.test_death import _employee_in_work

CASES = yaml.safe_load(
    (Path(__file__).parent / "cases" / "death_benefits.yaml").read_text(encoding="utf-8")
)["cases"]


@pytest.mark.parametrize("row", CASES, ids=lambda r: f"{r['died_on']}-{r['months']}")
def test_death_benefits_worked_by_hand(engine: Engine, row: dict[str, Any]) -> None:
    pid = _employee_in_work(engine, row["months"])
    died = row["died_on"]
    with unit_of_work(make_sessionmaker(engine)) as s:
        r = death.settle_death(s, pid, died, BY, today=died + dt.timedelta(days=10)).to_dict()
    assert {k: r[k] for k in row["expect"]} == row["expect"]
