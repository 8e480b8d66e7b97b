"""The Tibet Autonomous Region's administrative divisions (GB/T 2260).

The region (540000), its 7 prefecture-level divisions and 74 county-level divisions, with
Chinese names for all and Tibetan and English names for the region and prefectures (and the
counties the seed documents name). Retired codes — still carried by older resident ID
numbers — map to current ones.

Data: ``core/data/xizang_divisions.csv`` and ``xizang_retired_codes.csv`` (see the README
there for the source).
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from functools import cache
from importlib import resources
from typing import Literal

from minsheng.core.errors import invalid

Level = Literal["region", "prefecture", "county"]
REGION_CODE = "540000"

# Before the prefectures became cities their codes were 5421–5426; a county code under one of
# these prefixes is pre-reform even when it is not in the retired-codes table.
PRE_REFORM_PREFECTURES: dict[str, str] = {
    "5421": "540300",  # 昌都地区 → 昌都市
    "5422": "540500",  # 山南地区 → 山南市
    "5423": "540200",  # 日喀则地区 → 日喀则市
    "5424": "540600",  # 那曲地区 → 那曲市
    "5425": "542500",  # 阿里地区 (unchanged)
    "5426": "540400",  # 林芝地区 → 林芝市
}


@dataclass(frozen=True)
class Division:
    code: str
    name_zh: str
    level: Level
    parent_code: str | None
    name_bo: str | None = None
    name_en: str | None = None

    def name(self, lang: str = "zh") -> str:
        """The name in ``lang`` (zh / bo / en), falling back to Chinese."""
        if lang == "bo" and self.name_bo:
            return self.name_bo
        if lang == "en" and self.name_en:
            return self.name_en
        return self.name_zh

    @property
    def prefecture_code(self) -> str | None:
        if self.level == "prefecture":
            return self.code
        if self.level == "county":
            return self.parent_code
        return None


@dataclass(frozen=True)
class Resolution:
    """What a division code found in the wild (an ID, an old record) means today."""

    given: str
    division: Division
    retired: bool
    exact: bool  # False when only the prefecture of a pre-reform county code is known


def _rows(name: str) -> list[dict[str, str]]:
    text = resources.files("minsheng.core.data").joinpath(name).read_text(encoding="utf-8")
    return list(csv.DictReader(text.splitlines()))


@cache
def _tables() -> tuple[dict[str, Division], dict[str, str], dict[str, str]]:
    names = {r["code"]: r for r in _rows("division_names.csv")}
    divisions: dict[str, Division] = {}
    for r in _rows("xizang_divisions.csv"):
        if r["level"] not in ("region", "prefecture", "county"):
            continue  # statistical zones are not divisions
        extra = names.get(r["code"], {})
        divisions[r["code"]] = Division(
            code=r["code"],
            name_zh=r["name"],
            level=r["level"],  # type: ignore[arg-type]
            parent_code=r["parent_code"] or None,
            name_bo=extra.get("name_bo") or None,
            name_en=extra.get("name_en") or None,
        )
    retired = {r["retired_code"]: r["current_code"] for r in _rows("xizang_retired_codes.csv")}
    provinces = {r["code"]: r["name"] for r in _rows("provinces.csv")}
    return divisions, retired, provinces


def all_divisions() -> list[Division]:
    return list(_tables()[0].values())


def region() -> Division:
    return _tables()[0][REGION_CODE]


def prefectures() -> list[Division]:
    return [d for d in all_divisions() if d.level == "prefecture"]


def counties(prefecture_code: str | None = None) -> list[Division]:
    return [
        d
        for d in all_divisions()
        if d.level == "county" and (prefecture_code is None or d.parent_code == prefecture_code)
    ]


def get(code: str, field: str = "division_code") -> Division:
    """The current division with this code; a retired code resolves to its successor."""
    return resolve(code, field).division


def resolve(code: str, field: str = "division_code") -> Resolution:
    """Resolve a current or retired Tibetan division code, or raise a field error."""
    divisions, retired, _ = _tables()
    code = str(code).strip()
    if len(code) != 6 or not code.isdigit():
        raise invalid(
            field,
            "division_format",
            f"区划代码应为6位数字：{code!r}",
            f"not a 6-digit code: {code!r}",
        )
    if code in divisions:
        return Resolution(code, divisions[code], retired=False, exact=True)
    if code in retired:
        return Resolution(code, divisions[retired[code]], retired=True, exact=True)
    prefix = code[:4]
    if prefix in PRE_REFORM_PREFECTURES and prefix != "5425":
        pref = divisions[PRE_REFORM_PREFECTURES[prefix]]
        if code.endswith("00"):
            return Resolution(code, pref, retired=True, exact=True)
        return Resolution(code, pref, retired=True, exact=False)
    raise invalid(
        field,
        "division_unknown",
        f"未知的西藏行政区划代码：{code}",
        f"unknown Tibetan division code: {code}",
    )


def province_name(code: str) -> str | None:
    """The province-level name for the first two digits of a division code, if any."""
    return _tables()[2].get(str(code)[:2])


def by_name(name: str) -> list[Division]:
    """Divisions whose name (Chinese, Tibetan or English) equals or starts with ``name``.

    Exact matches come first; ``拉萨`` finds 拉萨市, ``Lhasa`` finds 拉萨市.
    """
    needle = name.strip()
    if not needle:
        return []
    exact: list[Division] = []
    prefix: list[Division] = []
    low = needle.lower()
    for d in all_divisions():
        names = [d.name_zh, d.name_bo or "", (d.name_en or "").lower()]
        if needle in names or low in names:
            exact.append(d)
        elif any(n.startswith(needle) or n.startswith(low) for n in names if n):
            prefix.append(d)
    return exact + prefix


def pooling_region(code: str) -> str:
    """The 统筹区 (pooling region) of a division: its prefecture (the region for 540000)."""
    d = get(code)
    return d.prefecture_code or d.code


def code_prefix(code: str) -> str:
    """What the codes of every division inside ``code`` start with (for a SQL ``LIKE``):
    540000 → 54, 540100 → 5401, a county → itself."""
    d = get(code, "region")
    return {"region": d.code[:2], "prefecture": d.code[:4]}.get(d.level, d.code)


def ancestors(code: str) -> list[str]:
    """Codes from the division itself up to the region: county → prefecture → region."""
    d = get(code)
    out = [d.code]
    while d.parent_code:
        d = get(d.parent_code)
        out.append(d.code)
    return out
