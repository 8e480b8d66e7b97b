"""Pure rules of projects: the labour-cost payment schedule (人工费用拨付计划).

保障农民工工资支付条例 art. 24: the labour-cost payment period may not exceed one month
(``wages.projects.schedule.max_gap_months``). A schedule passes when, counted in calendar
months (a month after 31 January is 28/29 February), the first instalment falls at most that
long after the start date, each instalment at most that long after the one before, and — when
the project has a planned completion date — the completion date at most that long after the
last instalment. Instalments fall on distinct days, none before the construction contract was
signed, each a positive amount.
"""

from __future__ import annotations

import calendar
import datetime as dt
from collections.abc import Sequence

from minsheng.core.errors import Problem


def add_months(day: dt.date, n: int) -> dt.date:
    """The same day ``n`` calendar months later (the month's last day when it is shorter)."""
    index = day.year * 12 + day.month - 1 + n
    year, month = divmod(index, 12)
    last = calendar.monthrange(year, month + 1)[1]
    return dt.date(year, month + 1, min(day.day, last))


def schedule_problems(
    start: dt.date,
    end: dt.date | None,
    signed: dt.date,
    dues: Sequence[dt.date],
    amounts: Sequence[int],
    max_gap_months: int,
) -> list[Problem]:
    """What is wrong with a schedule (empty when it passes). Fields name the instalment as
    ``schedule.<i>.due_on`` / ``schedule.<i>.amount`` in the order given."""
    out: list[Problem] = []
    seen: dict[dt.date, int] = {}
    for i, (due, amount) in enumerate(zip(dues, amounts, strict=True)):
        if amount <= 0:
            out.append(
                Problem(
                    f"schedule.{i}.amount",
                    "positive",
                    "每期拨付金额须大于零",
                    "each instalment is a positive amount",
                    "སྐོར་རེའི་དངུལ་འབོར་ཀླད་ཀོར་ལས་མང་དགོས།",
                )
            )
        if due < signed:
            out.append(
                Problem(
                    f"schedule.{i}.due_on",
                    "before_contract",
                    "拨付日期早于施工合同签订日期",
                    "an instalment falls before the construction contract was signed",
                    "ཆིངས་ཡིག་མ་བཞག་གོང་གི་ཚེས་གྲངས་རེད།",
                )
            )
        if due in seen:
            out.append(
                Problem(
                    f"schedule.{i}.due_on",
                    "duplicate",
                    f"与第{seen[due] + 1}期的拨付日期相同",
                    f"the same day as instalment {seen[due] + 1}",
                    "ཚེས་གྲངས་བསྐྱར་ཟློས་བྱུང་།",
                )
            )
        seen.setdefault(due, i)
    if not dues:
        return out
    order = sorted(range(len(dues)), key=lambda i: dues[i])
    previous, what_zh, what_en = start, "开工日期", "the start date"
    for i in order:
        latest = add_months(previous, max_gap_months)
        if dues[i] > latest:
            out.append(
                Problem(
                    f"schedule.{i}.due_on",
                    "gap",
                    f"距{what_zh}{previous.isoformat()}超过{max_gap_months}个月"
                    f"（最迟{latest.isoformat()}，保障农民工工资支付条例第二十四条）",
                    f"more than {max_gap_months} month(s) after {what_en} {previous.isoformat()}"
                    f" (at the latest {latest.isoformat()}; art. 24)",
                    f"ཟླ་{max_gap_months}ལས་བརྒལ་འདུག",
                )
            )
        if dues[i] > previous:
            previous, what_zh, what_en = dues[i], "上一期", "the instalment before"
    if end is not None:
        last = max(dues)
        if end > add_months(last, max_gap_months):
            i = order[-1]
            out.append(
                Problem(
                    f"schedule.{i}.due_on",
                    "ends_early",
                    f"最后一期之后到计划竣工日{end.isoformat()}超过{max_gap_months}个月",
                    f"the planned completion {end.isoformat()} is more than "
                    f"{max_gap_months} month(s) after the last instalment",
                    f"མཇུག་གི་སྐོར་རྗེས་ཟླ་{max_gap_months}ལས་བརྒལ་འདུག",
                )
            )
    return out
