"""The bench's form (``sim/pages.py``): the reform's cells — each editable parameter in the
region and in every prefecture — checked and turned into a reform the runner takes.

How a value typed for the region (全区) and one typed for a prefecture combine: every figure
becomes a dated override (an overlay, ``docs/parameters.md``) with a ``region``. The region's is
an overlay for ``540000``, which the prefectures without their own value follow — a prefecture
with its own (Lhasa's 低保 standard, 440 元 where the region's is 700) keeps it, and the form
says so beside the input; a prefecture's is an overlay for that prefecture only. A reform never
silently replaces a prefecture's own figure.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping
from decimal import Decimal, InvalidOperation
from typing import Any

from minsheng.core import divisions, money
from minsheng.core.errors import MinshengError, Problem, invalid
from minsheng.policy import load
from minsheng.sim import runner

EDITABLE = (
    "assistance.dibao.standard.urban_monthly",
    "assistance.dibao.standard.rural_yearly",
    "assistance.dibao_edge.income_factor",
    "assistance.tekun.standard_factor",
    "assistance.elderly_allowance_monthly.age_80",
    "medical.critical_illness.deductible",
    "medical.critical_illness.annual_cap",
    "medical.critical_illness.scale.brackets[0].rate",
    "medical.critical_illness.scale.brackets[1].rate",
    "medical.critical_illness.scale.brackets[2].rate",
    "medical.assistance.annual_cap.ordinary",
    "pensions.resident.basic_monthly",
    "pensions.resident.tier_subsidies.tier_01",
)
PREFECTURES = runner.PREFECTURES
REGION = divisions.get(PREFECTURES[0]).parent_code or "540000"  # 西藏自治区: the regional default
AREAS = (REGION, *PREFECTURES)
# The largest figure a reform may give a parameter in currency: the engineering maxima of
# core/money.py (docs/parameters.md, "Engineering maxima") — a medical deductible or cap is at
# most a bill (MAX_BILL_FEN), any other standard, allowance or pension at most one payment
# (MAX_PAYMENT_FEN). A ratio's bounds are the parameter's own ``range``.
MEDICAL_MAX = money.MAX_BILL_FEN
OTHER_MAX = money.MAX_PAYMENT_FEN
CELL = re.compile(r"p(?P<i>\d{1,3})\.(?P<code>\d{1,12})")
NUMBER = re.compile(r"\d{1,12}(?:\.\d{1,6})?", re.ASCII)


def cell(i: int, code: str) -> str:
    """The form field of parameter ``EDITABLE[i]`` in area ``code``: ``p0.540100``."""
    return f"p{i}.{code}"


def everywhere(i: int) -> str:
    """The checkbox of parameter ``EDITABLE[i]``: the region's figure replaces the prefectures'
    own values too (ticked by the analyst — never implied)."""
    return f"all{i}"


CELLS = tuple(cell(i, code) for i in range(len(EDITABLE)) for code in AREAS)
FIELDS = (*CELLS, *(everywhere(i) for i in range(len(EDITABLE))), "start")
TICKED = ("on", "true", "1")


def _where(path: str, code: str) -> tuple[str, str, str]:
    """``path`` in ``code``'s name, for a message (zh, bo, en)."""
    d = divisions.get(code)
    return f"{path}（{d.name('zh')}）", f"{path} ({d.name('bo')})", f"{path} ({d.name('en')})"


def check_value(path: str, code: str, text: str) -> str:
    """A typed figure as the overlay takes it, or a clear error naming the cell (zh, bo, en):
    not a number, negative, beyond the engineering maximum, outside the parameter's range."""
    field = cell(EDITABLE.index(path), code)
    zh, bo, en = _where(path, code)
    raw = text.strip().replace(",", "")
    param = load().parameter(path)
    if raw.startswith("-") or raw.startswith("−"):
        raise invalid(
            field,
            "negative",
            f"{zh}不能为负数",
            f"{en} must not be negative",
            f"{bo} ཀླད་ཀོར་ལས་ཆུང་བའི་གྲངས་འགོད་མི་ཆོག",
        )
    if not NUMBER.fullmatch(raw):
        raise invalid(
            field,
            "number",
            f"{zh}应为数字（例：700 或 0.65）",
            f"{en} takes a number (e.g. 700 or 0.65)",
            f"{bo} ཨང་གྲངས་ཞིག་འགོད་དགོས། (དཔེར་ན། 700)",
        )
    if param.unit.startswith("currency"):
        maximum = MEDICAL_MAX if path.startswith("medical.") else OTHER_MAX
        try:
            fen = money.parse(raw, field)
        except MinshengError:
            fen = maximum + 1  # beyond every maximum, or more than two decimals
            if "." in raw and len(raw.split(".", 1)[1]) > 2:
                raise invalid(
                    field,
                    "two_decimals",
                    f"{zh}最多两位小数（精确到分）",
                    f"{en}: at most two decimals (to the fen)",
                    f"{bo} ཚེག་རྗེས་ཀྱི་ཨང་གྲངས་གཉིས་ལས་མང་མི་ཆོག",
                ) from None
        if fen > maximum:
            raise invalid(
                field,
                "too_large",
                f"{zh}过大：最多{money.fmt(maximum)}",
                f"{en} is too large: at most {money.fmt(maximum)}",
                f"{bo} ཆེ་དྲགས་འདུག {money.fmt(maximum)} ལས་བརྒལ་མི་ཆོག",
            )
        return str(Decimal(fen) / 100)
    try:
        value = Decimal(raw)
    except InvalidOperation:  # pragma: no cover - the pattern admits only decimals
        raise invalid(field, "number", f"{zh}应为数字", f"{en} takes a number") from None
    if param.range is not None:
        lo, hi = param.range
        if not lo <= value <= hi:
            raise invalid(
                field,
                "range",
                f"{zh}应在{lo}到{hi}之间",
                f"{en} must be between {lo} and {hi}",
                f"{bo} {lo} ནས་ {hi} བར་ཡིན་དགོས།",
            )
    return str(value)


def check_start(text: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text.strip())
    except ValueError:
        raise invalid(
            "start",
            "date",
            "生效日期格式应为YYYY-MM-DD",
            "a date is YYYY-MM-DD",
            "ཚེས་གྲངས་ནི་YYYY-MM-DD ཡིན་དགོས།",
        ) from None


def unknown_cells(form: Mapping[str, Any]) -> None:
    """A posted figure for a parameter or an area the bench does not have (a prefecture that
    is not one, a county) is refused, not ignored."""
    for key in form:
        m = CELL.fullmatch(str(key))
        if m is None:
            continue
        value = str(form.get(key) or "").strip()
        if key not in CELLS and value:
            code = m["code"]
            raise invalid(
                "prefecture",
                "unknown_prefecture",
                f"{code}不是本区的地市（州），也不是全区",
                f"{code} is not a prefecture of the region, nor the region",
                f"{code} ནི་ས་ཁུལ་འདིའི་གྲོང་ཁྱེར་མིན།",
            )


def own_values(path: str, day: dt.date) -> list[str]:
    """The prefectures with a value of their own for ``path`` on ``day`` (Lhasa's 低保)."""
    tree = load()
    return [c for c in PREFECTURES if tree.at(day, c).info(path).source.startswith("region:")]


def reform_of(values: Mapping[str, str], day: dt.date) -> tuple[dict[str, str], dict[str, Any]]:
    """The cells typed (checked, every error at once) and the reform: one overlay per area with
    a change, the region's first. Nothing typed: an empty reform (the baseline twice). With a
    parameter's "every prefecture" box ticked, the region's figure is also written for each
    prefecture that has a value of its own and no figure typed for it."""
    cells: dict[str, str] = {}
    errors: list[MinshengError] = []
    by_area: dict[str, dict[str, Any]] = {}
    for i, path in enumerate(EDITABLE):
        ticked = str(values.get(everywhere(i)) or "").strip() in TICKED
        region_text = str(values.get(cell(i, REGION)) or "").strip()
        if ticked and region_text:
            cells[everywhere(i)] = "on"
        for code in AREAS:
            text = str(values.get(cell(i, code)) or "").strip()
            if not text:
                continue
            try:
                value = check_value(path, code, text)
            except MinshengError as err:
                errors.append(err)
                continue
            cells[cell(i, code)] = text
            by_area.setdefault(code, {})[path] = {"values": {day.isoformat(): {"value": value}}}
        if ticked and REGION in by_area and path in by_area[REGION]:
            for code in own_values(path, day):
                if path not in by_area.get(code, {}):
                    by_area.setdefault(code, {})[path] = by_area[REGION][path]
    if errors:
        first, *rest = errors
        more: list[Problem] = [p for e in rest for p in e.problems]
        raise MinshengError(
            first.field, first.rule, first.zh, first.en, first.status, more, first.bo
        )
    overlays = [
        {"description": f"analyst's form ({code})", "region": code, "changes": by_area[code]}
        for code in AREAS
        if code in by_area
    ]
    return cells, {"description": "analyst's form", "overlays": overlays}


def renamer(values: Mapping[str, str]) -> Any:
    """A run's error names a parameter (``<path>``): the form's field is the first cell of that
    parameter with a figure typed."""

    def rename(name: str) -> str | None:
        for i, path in enumerate(EDITABLE):
            if path in name:
                typed = [cell(i, c) for c in AREAS if str(values.get(cell(i, c)) or "").strip()]
                return typed[0] if typed else cell(i, REGION)
        return None

    return rename
