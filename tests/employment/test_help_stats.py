"""The employment statistics: new urban jobs (filed hires), registered unemployed, fairs held,
hard-to-employ people placed and training completions by prefecture and month, inside the
caller's region; an area whose table is missing is simply left out."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import insert
from sqlalchemy.orm import Session

from minsheng.employment import help_stats
from tests.employment import help_kit as k

YEAR = 2026


def world(s: Session) -> None:
    lhasa, shigatse = k.employer(s, 1), k.employer(s, 2, k.SAMZHUBZE)
    a, b, c = k.person(s, 1), k.person(s, 2), k.person(s, 3, county=k.SAMZHUBZE)
    k.hire(s, lhasa, a, dt.date(2026, 3, 5))
    k.hire(s, lhasa, b, dt.date(2026, 3, 20))
    k.hire(s, lhasa, b, dt.date(2026, 4, 1), state="due")  # not filed: not counted
    k.hire(s, lhasa, b, dt.date(2025, 12, 31))  # last year
    k.hire(s, shigatse, c, dt.date(2026, 5, 2))
    k.seeker(s, k.person(s, 4), dt.date(2026, 1, 1))
    k.seeker(s, k.person(s, 5, county=k.SAMZHUBZE), dt.date(2026, 1, 1), county=k.SAMZHUBZE)
    k.seeker(s, k.person(s, 6), dt.date(2026, 1, 1), status="employed")
    fairs = help_stats.table("em_fairs")
    if fairs is not None:
        row = {
            "name": "拉萨春风行动招聘会",
            "division_code": k.CHENGGUAN,
            "venue": "拉萨市人力资源市场",
            "theme": "general",
            "cadence": "once",
            "starts_on": dt.date(2026, 3, 1),
            "ends_on": dt.date(2026, 3, 1),
            "opens_at": dt.time(10),
            "closes_at": dt.time(16),
            "state": "allocated",
            "created_by": "test",
        }
        s.execute(insert(fairs), [row, row | {"state": "cancelled"}])
    s.flush()


def test_figures_by_prefecture_and_month(session: Session) -> None:
    world(session)
    region = help_stats.figures(session, k.BY, YEAR, dt.date(2026, 6, 1)).as_dict()
    assert region["totals"]["new_jobs"] == 3
    assert region["cells"]["new_jobs"] == {
        "540100": {"2026-03": 2},
        "540200": {"2026-05": 1},
    }
    assert region["by_month"]["new_jobs"][2] == 2 and len(region["by_month"]["new_jobs"]) == 12
    assert region["totals"]["unemployed"] == 2
    assert len(region["prefectures"]) == 7  # every prefecture of the region, with or without data
    if "fairs" in region["measures"]:
        assert region["cells"]["fairs"] == {"540100": {"2026-03": 1}}
    lhasa = help_stats.figures(session, k.staff(1, "540100"), YEAR, dt.date(2026, 6, 1))
    d = lhasa.as_dict()
    assert d["prefectures"] == ["540100"] and d["totals"]["new_jobs"] == 2
    assert d["totals"]["unemployed"] == 1
    assert ["new_jobs", "540100", "2026-03", 2] in list(lhasa.rows())
    assert all(r[1] == "540100" for r in lhasa.rows())


def test_a_missing_area_is_left_out(session: Session, monkeypatch: pytest.MonkeyPatch) -> None:
    world(session)
    real = help_stats.table
    monkeypatch.setattr(
        help_stats, "table", lambda name: None if name in ("em_fairs", "em_courses") else real(name)
    )
    fig = help_stats.figures(session, k.BY, YEAR, dt.date(2026, 6, 1))
    assert fig.measures == ["new_jobs", "unemployed", "placed"]


def test_registered_unemployed_is_a_stock_at_each_months_end(session: Session) -> None:
    s = session
    a = k.seeker(s, k.person(s, 1), dt.date(2026, 1, 15))
    k.seeker(s, k.person(s, 2), dt.date(2026, 3, 1))
    k.set_status(s, a, "employed", dt.date(2026, 4, 10))
    d = help_stats.figures(s, k.staff(1, "540100"), YEAR, dt.date(2026, 6, 1)).as_dict()
    # Jan: a; Feb: a; Mar: a, b; Apr: b (a employed on 10 Apr); May: b; June (today): b
    assert d["by_month"]["unemployed"][:7] == [1, 1, 2, 1, 1, 1, 0]
    assert d["totals"]["unemployed"] == 1 and d["by_prefecture"]["unemployed"]["540100"] == 1
