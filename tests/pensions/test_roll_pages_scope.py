"""The rolls page reads the caller's region in SQL (issue 12): a prefecture's run stays listed
however many runs other regions made since, and its last certification scan stays shown however
many scans other regions ran since — another region's runs and scans are never shown."""

from __future__ import annotations

from sqlalchemy import Engine, insert

from minsheng.db import make_sessionmaker, unit_of_work
from minsheng.foundation import audit
from minsheng.foundation.principals import PERMISSIONS, Principal
from minsheng.pensions import roll_pages
from minsheng.pensions.models import PnRollRun
from tests.pensions.award_kit import BY


def supervisor(region: str) -> Principal:
    return Principal(
        kind="staff",
        name=f"sup-{region}",
        role="supervisor",
        region=region,
        permissions=PERMISSIONS["supervisor"],
    )


def run_row(month: str, region: str) -> dict[str, object]:
    return {
        "month": month,
        "region": region,
        "by": "test",
        "new_payments": 1,
        "new_total": 100,
        "state": "issued",
    }


def test_a_regions_run_older_than_two_thousand_others_is_still_listed(engine: Engine) -> None:
    factory = make_sessionmaker(engine)
    with unit_of_work(factory) as s:
        s.execute(insert(PnRollRun), [run_row("2025-01", "540100"), run_row("2025-01", "540102")])
        s.execute(insert(PnRollRun), [run_row("2025-02", "540200")] * (roll_pages.LISTED + 5))
    with factory() as s:
        lhasa = roll_pages._runs(s, supervisor("540100"))
        county = roll_pages._runs(s, supervisor("540102"))
        shigatse = roll_pages._runs(s, supervisor("540200"))
        everyone = roll_pages._runs(s, BY)
    assert [(r.month, r.region) for r in lhasa] == [("2025-01", "540102"), ("2025-01", "540100")]
    assert [(r.month, r.region) for r in county] == [("2025-01", "540102")]
    assert len(shigatse) == roll_pages.LISTED and {r.region for r in shigatse} == {"540200"}
    assert len(everyone) == roll_pages.LISTED  # the newest, whoever ran them


def test_the_last_scan_of_the_region_is_shown_after_many_scans_elsewhere(engine: Engine) -> None:
    factory = make_sessionmaker(engine)
    with unit_of_work(factory) as s:
        audit.record(s, BY, "certification_scan", "pn_award", None, "540100", {"scanned": 7})
        for i in range(60):
            audit.record(s, BY, "certification_scan", "pn_award", None, "540200", {"scanned": i})
    with factory() as s:
        lhasa = roll_pages._last_scan(s, supervisor("540100"))
        shigatse = roll_pages._last_scan(s, supervisor("540200"))
        nyingchi = roll_pages._last_scan(s, supervisor("540400"))
    assert lhasa is not None and lhasa["scanned"] == 7
    assert shigatse is not None and shigatse["scanned"] == 59
    assert nyingchi is None
