"""Maker–checker on the pension roll through every door (审核审批分离): a supervisor's run
stays ``prepared`` — the API's one-step roll, a crash-left run's finishing, the bank-file
download and the issue call all refuse its maker — and another supervisor issues it; the
platform itself (a system principal: the CLI, a scheduled job) prepares and issues at once."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from sqlalchemy import Engine

from minsheng.core.errors import MinshengError
from minsheng.db import make_sessionmaker, unit_of_work
from minsheng.foundation.principals import staff
from minsheng.pensions import roll as rolls
from minsheng.pensions.models import PnRollRun
from tests.pensions.award_kit import claim, resident

MAKER = staff(11, "拉萨主管甲", "supervisor", "540100")
CHECKER = staff(12, "拉萨主管乙", "supervisor", "540100")
SHIGATSE = staff(13, "日喀则主管", "supervisor", "540200")
MONTH = "2025-06"
DAY = dt.date(2025, 6, 30)


def test_the_maker_of_a_roll_cannot_issue_it_by_any_door(engine: Engine, tmp_path: Path) -> None:
    factory = make_sessionmaker(engine)
    with unit_of_work(factory) as s:
        for i in range(3):
            claim(s, resident(s, 60 + i))
    result = rolls.issue(factory, MONTH, "540100", MAKER, tmp_path, today=DAY)
    assert result.state == "prepared"
    run_id = result.run_id
    assert not list(tmp_path.glob("**/*.txt"))  # no bank file yet
    # the same supervisor again: the run is not finished as if a crash had left it
    rolls.issue(factory, MONTH, "540100", MAKER, tmp_path, today=DAY)
    for door in (rolls.issue_run, rolls.bank_file_of):
        with pytest.raises(MinshengError) as e, unit_of_work(factory) as s:
            door(s, run_id, MAKER, tmp_path)
        assert e.value.rule == "maker_checker"
    with pytest.raises(MinshengError) as e, unit_of_work(factory) as s:
        rolls.issue_run(s, run_id, SHIGATSE, tmp_path)
    assert e.value.status == 404  # another region's run answers as missing
    with make_sessionmaker(engine)() as s:
        run = s.get(PnRollRun, run_id)
        assert run is not None and run.state == "prepared"
    with unit_of_work(factory) as s:
        issued = rolls.issue_run(s, run_id, CHECKER, tmp_path)
        assert issued.state == "issued" and issued.digest
    with unit_of_work(factory) as s:
        _, body = rolls.bank_file_of(s, run_id, MAKER, tmp_path)  # issued: anyone may fetch
    assert body.startswith(b"MSBANK/1")
