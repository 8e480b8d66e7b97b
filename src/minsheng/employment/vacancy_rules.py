"""The checks a vacancy passes before it is published (pure: no database, no I/O).

:func:`posting_problems` answers every rule a posting breaks, each a
:class:`~minsheng.core.errors.Problem` naming the field, the rule and why in Chinese, Tibetan and
English — an empty list means it may be published:

- ``employer_id`` / ``registered``: the employer is in the registry's ``employers``;
- ``division_code`` / ``county``: the job's place is a county of the region (GB/T 2260);
- ``occupation`` / ``occupation``: the code is in the 2022 classification;
- ``title`` / ``required``: a title is given;
- ``count`` / ``range``: 1 to :data:`MAX_COUNT` places;
- ``wage_min`` / ``minimum_wage``: the monthly wage is not below the minimum wage
  (``employment.labour.minimum_wage_monthly``); ``wage_max`` / ``order``: not below the lower
  bound; ``wage_max`` / ``maximum``: not above the documented maximum;
- ``title`` / ``requirements`` ``banned_word``: no fee, deposit or keeping of ID documents asked
  of applicants (就业服务与就业管理规定 art. 14; the words are ``employment.vacancy.banned_words``);
- ``closing_on`` / ``past`` / ``too_far``: after today and at most
  ``employment.vacancy.max_open_days`` days ahead.

Amounts are integer fen; the caller reads the parameters for the posting's day and county.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from dataclasses import dataclass

from minsheng.core import divisions, money
from minsheng.core.errors import MinshengError, Problem

MAX_COUNT = 10_000  # places one posting offers (the table's check)
MAX_TITLE = 100
MAX_REQUIREMENTS = 4000
_SPACE = re.compile(r"\s+")
_TIBETAN_MARKS = "་།༎༏ "  # tsheg, shad: a word matches with or without its final mark


@dataclass(frozen=True)
class Posting:
    """What the rules read of a vacancy (wages in fen)."""

    title: str
    occupation_known: bool
    count: int
    wage_min: int
    wage_max: int
    division_code: str
    requirements: str
    closing_on: dt.date
    employer_known: bool = True


@dataclass(frozen=True)
class Limits:
    """The parameters in force for the posting's day and county."""

    minimum_wage: int  # fen a month
    max_open_days: int
    banned_words: tuple[str, ...]
    max_wage: int  # fen a month


def words(parameter: str) -> tuple[str, ...]:
    """The banned words of the space-separated parameter, normalised."""
    out = [normalise(w).rstrip(_TIBETAN_MARKS) for w in parameter.split()]
    return tuple(w for w in out if w)


def normalise(text: str) -> str:
    """NFKC (full-width → half-width), no white space, lower case: what words are sought in."""
    return _SPACE.sub("", unicodedata.normalize("NFKC", text)).lower()


def banned_in(text: str, banned: tuple[str, ...]) -> list[str]:
    """The banned words ``text`` contains, in the list's order."""
    flat = normalise(text)
    return [w for w in banned if w and w in flat]


def _p(field: str, rule: str, zh: str, en: str, bo: str) -> Problem:
    return Problem(field, rule, zh, en, bo)


def posting_problems(p: Posting, today: dt.date, limits: Limits) -> list[Problem]:
    """Every rule ``p`` breaks (empty: it may be published)."""
    out: list[Problem] = []
    if not p.employer_known:
        out.append(
            _p(
                "employer_id",
                "registered",
                "用人单位未在单位库登记",
                "the employer is not registered",
                "ལས་བེད་སྤྱོད་མཁན་ཐོ་འགོད་བྱས་མེད།",
            )
        )
    if not p.title.strip():
        out.append(
            _p("title", "required", "请填写岗位名称", "give the job's title", "ལས་གནས་ཀྱི་མིང་འབྲི་དགོས།")
        )
    try:
        place = divisions.get(p.division_code)
        is_county = place.level == "county"
    except MinshengError:
        is_county = False
    if not is_county:
        out.append(
            _p(
                "division_code",
                "county",
                "工作地点须为自治区内的县（区）",
                "the place of work must be a county of the region",
                "ལས་ཀའི་ས་གནས་རྫོང་ཞིག་དགོས།",
            )
        )
    if not p.occupation_known:
        out.append(
            _p(
                "occupation",
                "occupation",
                "职业代码不在《职业分类大典（2022年版）》中",
                "the occupation code is not in the 2022 national occupational classification",
                "ལས་རིགས་ཀྱི་ཨང་རྟགས་ནོར་འདུག",
            )
        )
    if not 1 <= p.count <= MAX_COUNT:
        out.append(
            _p(
                "count",
                "range",
                f"招聘人数须在1至{MAX_COUNT}人之间",
                f"the number of places is 1 to {MAX_COUNT}",
                f"ལས་མིའི་གྲངས་ 1 ནས་ {MAX_COUNT} བར་དགོས།",
            )
        )
    out += _wage_problems(p, limits)
    for field, text in (("title", p.title), ("requirements", p.requirements)):
        found = banned_in(text, limits.banned_words)
        if found:
            listed = "、".join(found)
            out.append(
                _p(
                    field,
                    "banned_word",
                    f"不得向求职者收取费用、押金或扣押证件（含“{listed}”）",
                    f"no fee, deposit or keeping of ID documents may be asked of applicants "
                    f"(found: {listed})",
                    f"ལས་འཚོལ་མཁན་ལ་གླ་ཆ་དང་གཏའ་མ་ལེན་མི་ཆོག ({listed})",
                )
            )
    out += _closing_problems(p.closing_on, today, limits.max_open_days)
    return out


def _wage_problems(p: Posting, limits: Limits) -> list[Problem]:
    out: list[Problem] = []
    if p.wage_min < limits.minimum_wage:
        floor = money.to_str(limits.minimum_wage)
        out.append(
            _p(
                "wage_min",
                "minimum_wage",
                f"月工资不得低于最低工资标准{floor}元",
                f"the monthly wage may not be below the minimum wage of {floor} yuan",
                f"ཟླ་ཕོགས་ཉུང་མཐའི་ཚད་ {floor} ལས་ཉུང་མི་ཆོག",
            )
        )
    if p.wage_max < p.wage_min:
        out.append(
            _p(
                "wage_max",
                "order",
                "月工资上限不得低于下限",
                "the upper wage is below the lower one",
                "ཟླ་ཕོགས་མཐོ་མཐའ་དམའ་མཐའ་ལས་ཉུང་མི་ཆོག",
            )
        )
    if p.wage_max > limits.max_wage:
        top = money.to_str(limits.max_wage)
        out.append(
            _p(
                "wage_max",
                "maximum",
                f"月工资不得高于{top}元",
                f"a monthly wage is at most {top} yuan",
                f"ཟླ་ཕོགས་ {top} ལས་མང་མི་ཆོག",
            )
        )
    return out


def _closing_problems(closing_on: dt.date, today: dt.date, max_days: int) -> list[Problem]:
    if closing_on <= today:
        return [
            _p(
                "closing_on",
                "past",
                "截止日期须晚于今天",
                "the closing date must be after today",
                "མཇུག་སྡོམ་ཚེས་གྲངས་དེ་རིང་གི་རྗེས་སུ་དགོས།",
            )
        ]
    if (closing_on - today).days > max_days:
        return [
            _p(
                "closing_on",
                "too_far",
                f"截止日期距今不得超过{max_days}天",
                f"the closing date is at most {max_days} days ahead",
                f"མཇུག་སྡོམ་ཚེས་གྲངས་ཉིན་ {max_days} ནང་དགོས།",
            )
        ]
    return []


def raise_all(problems: list[Problem]) -> None:
    """Raise the problems as one 422 (the first, with the rest in ``more``)."""
    if problems:
        first, *more = problems
        raise MinshengError(
            field=first.field, rule=first.rule, zh=first.zh, en=first.en, bo=first.bo, more=more
        )


__all__ = [
    "MAX_COUNT",
    "Limits",
    "Posting",
    "banned_in",
    "normalise",
    "posting_problems",
    "raise_all",
    "words",
]
