"""Pagination for list pages: ``?page=`` bounded, previous / next links, "n–m of total".

A page number that is not a number, or is below 1, means the first page; one past the end
means the last page. Nothing the caller types can make a slice fail or a query huge.

Two ways to page: :func:`paginate` slices rows already read (a list filtered in Python);
:func:`window` gives the page number and offset for a query that counts and pages in SQL
(``Page(items, number, pages, total, …)``). A list that reads at most a bound of rows says so
on the page — never a silent cap: :func:`cut` keeps the first ``cap`` rows and ``capped`` on
the :class:`Page` makes the pager say "only the first N are listed: narrow the search".
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Generic, TypeVar
from urllib.parse import urlencode

T = TypeVar("T")
U = TypeVar("U")
PER_PAGE = 25  # rows a list page shows: an engineering bound, not policy
MAX_PAGE_CHARS = 40  # longer ``page`` values are refused by the route's Query (422)


def page_number(raw: str | int | None) -> int:
    """A requested page number, 1 when missing, not a whole number, or below 1."""
    if isinstance(raw, int):
        return max(raw, 1)
    text = (raw or "").strip()
    if not text.isascii() or not text.isdigit():
        return 1
    return max(int(text[:MAX_PAGE_CHARS]), 1)


@dataclass(frozen=True)
class Page(Generic[T]):
    items: Sequence[T]
    number: int  # 1-based, within 1..pages
    pages: int  # at least 1
    total: int
    per_page: int
    base: str  # the list's path
    query: tuple[tuple[str, str], ...] = ()  # other parameters kept in the links (the search)
    param: str = "page"  # the query parameter (two lists on one page each have one)
    capped: int = 0  # the bound the rows were cut at (more matched), or 0

    @property
    def start(self) -> int:
        """The 1-based position of the first row shown (0 when the list is empty)."""
        return (self.number - 1) * self.per_page + 1 if self.total else 0

    @property
    def end(self) -> int:
        return min(self.number * self.per_page, self.total)

    def href(self, number: int) -> str:
        params = [(k, v) for k, v in self.query if v and k != self.param and v != "1"]
        if number > 1:
            params.append((self.param, str(number)))
        return self.base + ("?" + urlencode(params) if params else "")

    @property
    def prev(self) -> str | None:
        return self.href(self.number - 1) if self.number > 1 else None

    @property
    def next(self) -> str | None:
        return self.href(self.number + 1) if self.number < self.pages else None

    def map(self, fn: Callable[[T], U]) -> Page[U]:
        """The same page with each row made by ``fn`` (describe only the rows shown)."""
        return Page(
            [fn(x) for x in self.items],
            self.number,
            self.pages,
            self.total,
            self.per_page,
            self.base,
            self.query,
            self.param,
            self.capped,
        )


def window(
    raw_page: str | int | None, total: int, per_page: int = PER_PAGE
) -> tuple[int, int, int]:
    """``(number, pages, offset)`` of the page asked for among ``total`` rows, clamped into
    range (for a query that pages in SQL: ``.limit(per_page).offset(offset)``)."""
    pages = max((total + per_page - 1) // per_page, 1)
    number = min(page_number(raw_page), pages)
    return number, pages, (number - 1) * per_page


def cut(rows: Sequence[T], cap: int) -> tuple[Sequence[T], int]:
    """The first ``cap`` of ``rows`` read with ``.limit(cap + 1)``, and ``cap`` when there
    were more (for :func:`paginate`'s ``capped``), else 0."""
    return (rows[:cap], cap) if len(rows) > cap else (rows, 0)


def paginate(
    rows: Sequence[T],
    raw_page: str | int | None,
    base: str,
    query: Mapping[str, str] | None = None,
    per_page: int = PER_PAGE,
    param: str = "page",
    capped: int = 0,
) -> Page[T]:
    """The page of ``rows`` asked for, clamped into range (``capped``: see :func:`cut`)."""
    total = len(rows)
    pages = max((total + per_page - 1) // per_page, 1)
    number = min(page_number(raw_page), pages)
    lo = (number - 1) * per_page
    return Page(
        items=rows[lo : lo + per_page],
        number=number,
        pages=pages,
        total=total,
        per_page=per_page,
        base=base,
        query=tuple((query or {}).items()),
        param=param,
        capped=capped,
    )


def matches(query: str, *texts: object) -> bool:
    """A search box's test: every word of ``query`` appears in one of ``texts`` (case folded)."""
    words = query.casefold().split()
    hay = " ".join(str(t) for t in texts if t is not None).casefold()
    return all(w in hay for w in words)
