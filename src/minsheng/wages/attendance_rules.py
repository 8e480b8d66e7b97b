"""The attendance day rule, pure (standard library only): one worker's day from its events.

See :mod:`minsheng.wages.attendance` for the rule in words and docs/wages.md for examples."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass


@dataclass(frozen=True)
class Day:
    first_in: dt.datetime | None
    last_out: dt.datetime | None
    minutes: int
    overtime_minutes: int
    events: int


def day_of(events: Iterable[tuple[dt.datetime, str]], standard_minutes: int) -> Day:
    """One worker's day from its events ``(instant, kind)`` — in any order (see the module)."""
    ordered = sorted(events)
    open_at: dt.datetime | None = None
    seconds = 0
    first_in = last_out = None
    for at, kind in ordered:
        if kind == "in":
            first_in = at if first_in is None else first_in
            if open_at is None:
                open_at = at
        else:
            last_out = at
            if open_at is not None:
                seconds += int((at - open_at).total_seconds())
                open_at = None
    minutes = min(seconds // 60, 1440)
    return Day(first_in, last_out, minutes, max(0, minutes - standard_minutes), len(ordered))
