"""The checks of a job seeker's profile, before anything is written: lists trimmed and
de-duplicated, occupation codes of the shipped classification, county division codes (a retired
code resolves to its successor), ISO 639 language codes, the expected wage in fen within its
bound, the education level. Each refusal names the field (``occupations[1]``) in three
languages."""

from __future__ import annotations

import re

from minsheng.core import divisions, money
from minsheng.core.errors import invalid
from minsheng.employment import occupations as classification
from minsheng.employment.seeker_models import EDUCATION
from minsheng.employment.seeker_schemas import MAX_WAGE_FEN

LANGUAGE = re.compile(r"[a-z]{2,3}\Z")


def items(values: list[str], field: str) -> list[str]:
    out: list[str] = []
    for v in values:
        v = v.strip()
        if v and v not in out:
            out.append(v)
    return out


def occupations(values: list[str]) -> list[str]:
    out = items(values, "occupations")
    for i, code in enumerate(out):
        classification.get(code, f"occupations[{i}]")
    return out


def counties(values: list[str]) -> list[str]:
    out: list[str] = []
    for i, code in enumerate(items(values, "counties")):
        d = divisions.get(code, f"counties[{i}]")
        if d.level != "county":
            raise invalid(
                f"counties[{i}]",
                "county",
                "请选择县（区）级行政区划",
                "choose a county (a county-level division code)",
                "རྫོང་གི་ས་ཁོངས་ཨང་རྟགས་འདེམས་རོགས།",
            )
        if d.code not in out:
            out.append(d.code)
    return out


def languages(values: list[str]) -> list[str]:
    out = [v.lower() for v in items(values, "languages")]
    for i, code in enumerate(out):
        if not LANGUAGE.match(code):
            raise invalid(
                f"languages[{i}]",
                "language",
                "语言代码应为ISO 639代码，如 bo（藏语）、zh（汉语）",
                "a language is an ISO 639 code, e.g. bo (Tibetan), zh (Chinese)",
                "སྐད་ཡིག་གི་ཨང་རྟགས་ནོར་འདུག",
            )
    return list(dict.fromkeys(out))


def wage(text: str | None) -> int | None:
    if text is None or text.strip() == "":
        return None
    fen = money.bounded(money.parse(text, "wage_min"), "wage_min", MAX_WAGE_FEN)
    if fen < 0:
        raise invalid(
            "wage_min",
            "negative",
            "期望月工资不能为负数",
            "the expected wage cannot be negative",
            "རེ་བའི་ཟླ་ཕོགས་ཀླད་ཀོར་ལས་ཉུང་མི་ཆོག",
        )
    return fen


def education(value: str | None) -> str | None:
    if value in (None, ""):
        return None
    if value not in EDUCATION:
        raise invalid(
            "education",
            "education",
            "学历应为：" + "、".join(EDUCATION),
            "education is one of " + ", ".join(EDUCATION),
            "ཤེས་ཚད་ནོར་འདུག",
        )
    return value


__all__ = ["counties", "education", "items", "languages", "occupations", "wage"]
