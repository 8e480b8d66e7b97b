"""Lists that page (``webkit.pager``): a page of a query paged in SQL with its real total, the
rows of a page described alone, and a list read up to a bound that says so — never a silent
cap."""

from __future__ import annotations

import pytest

from minsheng.webkit import pager
from minsheng.webkit.i18n import gettext_for
from minsheng.webkit.render import TEMPLATES

PAGER = '{% import "_kit.html" as kit with context %}{{ kit.pager(p) }}'


def draw(p: pager.Page[object], lang: str = "en") -> str:
    return TEMPLATES.env.from_string(PAGER).render(p=p, _=gettext_for(lang).gettext)


@pytest.mark.parametrize(
    ("raw", "total", "expected"),
    [
        (None, 0, (1, 1, 0)),
        ("1", 60, (1, 3, 0)),
        ("3", 60, (3, 3, 50)),
        ("4", 60, (3, 3, 50)),  # past the end: the last page
        ("-2", 60, (1, 3, 0)),
        ("x", 60, (1, 3, 0)),
        ("9" * 30, 51, (3, 3, 50)),
    ],
)
def test_window_clamps_the_page_of_a_query(raw: str | None, total: int, expected: tuple) -> None:
    assert pager.window(raw, total) == expected


def test_a_page_paged_in_sql_shows_its_real_total_and_keeps_the_filters() -> None:
    number, pages, offset = pager.window("2", 60)
    p = pager.Page(list(range(offset, offset + 25)), number, pages, 60, 25, "/q", (("due", "x"),))
    html = draw(p)
    assert "26–50 of 60" in html
    assert 'href="/q?due=x&amp;page=3" rel="next"' in html and 'href="/q?due=x" rel="prev"' in html
    assert "Only the first" not in html  # nothing was cut
    described = p.map(lambda n: f"row {n}")
    assert described.items[0] == "row 25" and (described.total, described.number) == (60, 2)


def test_a_list_cut_at_its_bound_says_so_in_the_pages_language() -> None:
    rows, capped = pager.cut(list(range(11)), 10)
    assert (len(rows), capped) == (10, 10)
    assert pager.cut(list(range(10)), 10) == (list(range(10)), 0)  # exactly the bound: all shown
    p = pager.paginate(rows, "1", "/q", capped=capped)
    assert "Only the first 10 are listed" in draw(p)
    assert "只列出前10条" in draw(p, "zh")
    assert "Only the first" not in draw(pager.paginate(rows, "1", "/q"))


def test_a_plain_list_cut_at_its_bound_says_so_too() -> None:
    note = '{% import "_kit.html" as kit with context %}{{ kit.capped(n) }}'
    tr = gettext_for("en").gettext
    assert "Only the first 200 are listed" in TEMPLATES.env.from_string(note).render(n=200, _=tr)
    assert TEMPLATES.env.from_string(note).render(n=0, _=tr).strip() == ""
