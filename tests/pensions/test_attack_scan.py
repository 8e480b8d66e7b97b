"""Attack: the certification scan run twice at once over one region (two supervisors pressing
the button, or a retried form) must open each task once and answer both without a 500."""

from __future__ import annotations

import datetime as dt
import threading

import pytest
from sqlalchemy import Engine, func, select

from minsheng.db import make_sessionmaker, unit_of_work
from minsheng.pensions import certification
from minsheng.pensions.models import PnCertification
from tests.pensions.award_kit import BY, claim, resident

TODAY = dt.date.today()


def test_two_scans_at_once_open_each_task_once(engine: Engine) -> None:
    if engine.dialect.name != "postgresql":
        pytest.skip("SQLite serialises writers at BEGIN IMMEDIATE")
    with unit_of_work(make_sessionmaker(engine)) as s:
        for i in range(30):
            award = claim(s, resident(s, 40 + i), today=TODAY)
            award.certification_due = TODAY - dt.timedelta(days=1)
    errors: list[BaseException] = []
    barrier = threading.Barrier(2)

    def go() -> None:
        try:
            barrier.wait()
            with unit_of_work(make_sessionmaker(engine)) as s:
                certification.scan(s, "540100", BY, TODAY)
        except BaseException as err:
            errors.append(err)

    threads = [threading.Thread(target=go) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert not [e for e in errors if getattr(e, "status", 500) != 409], errors
    with make_sessionmaker(engine)() as s:
        tasks = s.scalar(select(func.count()).select_from(PnCertification))
        assert tasks == 30
