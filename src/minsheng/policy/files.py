"""Reading parameter files (OpenFisca's format): a parameter's dated values, each with its
reference (the policy document that sets it) and status (official or assumed), its unit (yuan in
YAML, integer fen in Minsheng; ratios as exact decimals) and its allowed range; scales of
brackets; a directory of files as a node.

Format::

    description: 职工医保普通门诊统筹年度起付线（在职）
    reference:
      - title: 从"社保指数"看"幸福指数"（seed 002）
        href: seeds/002
    metadata:
      unit: currency-CNY        # currency-CNY (yuan in YAML, fen in Minsheng) | /1 | day | …
      status: official          # official | assumed
    values:
      2022-01-01: {value: 300}
      2023-01-01: {value: 200, metadata: {status: assumed}}

A directory is a node; a file is a node (a mapping of children), a parameter (``values``) or a
scale (``brackets``). Every leaf must carry ``unit``, ``reference`` (on the leaf or on each
value) and ``status`` (on the leaf or on each value). ``metadata.range: [lo, hi]`` bounds the
values of a leaf, for base files and overlays alike; ``metadata.allowed: [code, …]`` lists the
codes a ``codes`` leaf may take (its value is one code or several separated by spaces).
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any

from minsheng.core.errors import MinshengError, invalid
from minsheng.policy import yamlio
from minsheng.policy.scale import MarginalRateScale, Scale

Value = int | Decimal | bool | str | None
STATUSES = ("official", "assumed")
NODE_KEYS = {"description", "metadata", "documentation", "reference"}
BRACKET = re.compile(r"^(?P<name>[^\[\]]+)\[(?P<index>\d+)\]$")


class ParameterFileError(MinshengError):
    """A parameter or overlay file breaks the format."""


def file_error(where: str, rule: str, zh: str, en: str) -> ParameterFileError:
    return ParameterFileError(field=where, rule=rule, zh=zh, en=en)


@dataclass(frozen=True)
class Reference:
    title: str
    href: str

    def to_dict(self) -> dict[str, str]:
        return {"title": self.title, "href": self.href}


@dataclass(frozen=True)
class ValueEntry:
    start: dt.date
    value: Value
    reference: tuple[Reference, ...]
    status: str
    source: str = "base"  # base | region:540100 | reform:<name>


@dataclass(frozen=True)
class ValueInfo:
    """A value in force, with everything needed to explain it."""

    path: str
    value: Value
    unit: str
    start: dt.date
    reference: tuple[Reference, ...]
    status: str
    source: str
    description: str

    def to_dict(self) -> dict[str, Any]:
        v = self.value
        return {
            "path": self.path,
            "value": str(v) if isinstance(v, Decimal) else v,
            "unit": self.unit,
            "start": self.start.isoformat(),
            "reference": [r.to_dict() for r in self.reference],
            "status": self.status,
            "source": self.source,
            "description": self.description,
        }


def references(raw: Any, where: str) -> tuple[Reference, ...]:
    if raw is None:
        return ()
    items = raw if isinstance(raw, list) else [raw]
    out: list[Reference] = []
    for item in items:
        if isinstance(item, str):
            out.append(Reference(title=item, href=""))
        elif isinstance(item, Mapping) and "title" in item:
            out.append(Reference(title=str(item["title"]), href=str(item.get("href", ""))))
        else:
            raise file_error(
                where, "reference_format", "引用应包含title（和href）", "a reference needs a title"
            )
    return tuple(out)


def to_date(raw: Any, where: str) -> dt.date:
    if isinstance(raw, dt.date):
        return raw
    try:
        return dt.date.fromisoformat(str(raw))
    except ValueError:
        raise file_error(
            where, "date_format", f"日期格式不正确：{raw}", f"not an ISO date: {raw}"
        ) from None


RATIO_DECIMALS = 6  # exact integer arithmetic on fen stays far from int64 overflow
# The largest number a leaf that is neither an amount nor a ratio may hold (an age, years, days,
# months, a count): the largest shipped is 20,000 (a candidate pool); the bound keeps every
# product with an amount (≤ 10^12 fen) inside int64 (docs/parameters.md, "Engineering maxima").
MAX_WHOLE = 1_000_000


def convert_value(raw: Any, unit: str, where: str) -> Value:
    """A YAML value in its published unit → Minsheng's: yuan → integer fen, ratios exact."""
    numeric = unit.startswith("currency") or unit == "/1"
    if isinstance(raw, str) and numeric:  # "0.95" from a form or JSON: an exact decimal
        try:
            raw = Decimal(raw.strip())
        except ArithmeticError:
            return str(raw)  # refused by the caller as value_type
    if raw is None or isinstance(raw, bool | str):
        return raw
    if isinstance(raw, float):
        raw = Decimal(repr(raw))
    if not isinstance(raw, int | Decimal):
        raise file_error(where, "value_type", f"值类型不正确：{raw!r}", f"bad value: {raw!r}")
    if unit.startswith("currency"):
        fen = Decimal(raw) * 100
        if fen != fen.to_integral_value():
            raise file_error(
                where, "two_decimals", "金额最多两位小数", "an amount has at most two decimals"
            )
        return int(fen)
    if unit == "/1":
        ratio = Decimal(raw)
        if ratio.is_finite() and ratio.as_tuple().exponent < -RATIO_DECIMALS:  # type: ignore[operator]
            raise file_error(
                where,
                "ratio_precision",
                f"比例最多{RATIO_DECIMALS}位小数：{raw}",
                f"a ratio has at most {RATIO_DECIMALS} decimals: {raw}",
            )
        return ratio
    if isinstance(raw, Decimal) and raw == raw.to_integral_value():
        return int(raw)
    return raw


def same_kind(value: Value, shipped: Sequence[Value], where: str) -> Value:
    """An overlay's value of a leaf whose unit is neither currency nor a ratio (years, days,
    a count, a switch, codes) in the kind of the leaf's shipped values: a whole number where
    they are whole numbers (``"50"`` from a form is read as 50), true/false where they are, text
    where they are text — never a string where the rules read a number."""
    kinds = [v for v in shipped if v is not None]
    if value is None or not kinds:
        return value
    first = kinds[0]
    if isinstance(first, bool):
        if not isinstance(value, bool):
            raise invalid(
                where,
                "value_type",
                f"{where}的值应为是或否（true / false）",
                f"{where} takes true or false",
                bo=f"«{where}» ལ་true ཡང་ན་false དགོས།",
            )
        return value
    if isinstance(first, int | Decimal):
        read: Value = value
        if isinstance(read, str):
            try:
                read = Decimal(read.strip())
            except ArithmeticError:
                read = None
        if isinstance(read, bool) or not isinstance(read, int | Decimal):
            raise invalid(
                where,
                "value_type",
                f"{where}的值应为数字",
                f"{where} takes a number",
                bo=f"«{where}» ལ་གྲངས་ཀ་དགོས།",
            )
        number: int | Decimal = read
        if isinstance(number, Decimal) and not number.is_finite():
            raise invalid(where, "value_type", f"{where}的值应为数字", f"{where} takes a number")
        if not -MAX_WHOLE <= number <= MAX_WHOLE:
            raise invalid(
                where,
                "out_of_range",
                f"{where}的值{number}过大（最大{MAX_WHOLE:,}）",
                f"{where} is too large: {number} (at most {MAX_WHOLE:,})",
                bo=f"«{where}» ཡི་གྲངས་ཐང་ཆེ་དྲགས། ({MAX_WHOLE:,})",
            )
        whole = all(isinstance(v, int) for v in kinds)
        if isinstance(number, Decimal) and number == number.to_integral_value():
            number = int(number)
        if whole and not isinstance(number, int):
            raise invalid(
                where,
                "whole_number",
                f"{where}的值应为整数",
                f"{where} takes a whole number",
                bo=f"«{where}» ལ་གྲངས་ཀ་ཆ་ཚང་དགོས།",
            )
        return number
    if not isinstance(value, str):
        raise invalid(
            where,
            "value_type",
            f"{where}的值应为文字或代码",
            f"{where} takes text or codes",
            bo=f"«{where}» ལ་ཡི་གེ་དགོས།",
        )
    return value


def check_range(
    value: Value, bounds: tuple[Decimal, Decimal] | None, unit: str, where: str
) -> None:
    if value is None or isinstance(value, bool | str):
        return
    if bounds is None:  # amounts and ratios are never negative unless the leaf's range says so
        if (unit.startswith("currency") or unit == "/1") and value < 0:
            raise invalid(
                where,
                "out_of_range",
                f"参数{where}的值不能为负数（单位{unit}）",
                f"{where} cannot be negative (unit {unit})",
                bo=f"«{where}» ཡི་གྲངས་ཐང་ཀླད་ཀོར་ལས་ཆུང་མི་ཆོག",
            )
        return
    lo, hi = bounds
    number = Decimal(value) / 100 if unit.startswith("currency") else Decimal(value)
    if not lo <= number <= hi:
        raise invalid(
            where,
            "out_of_range",
            f"参数{where}的值{number}超出允许范围[{lo}, {hi}]（单位{unit}）",
            f"value {number} of {where} is outside [{lo}, {hi}] (unit {unit})",
        )


def check_codes(value: Value, allowed: tuple[str, ...] | None, where: str) -> None:
    """A ``codes`` value: every space-separated code among the leaf's ``metadata.allowed``."""
    if allowed is None or value is None:
        return
    unknown = [c for c in str(value).split() if c not in allowed]
    if unknown or not str(value).split():
        shown = " ".join(unknown) or repr(value)
        raise invalid(
            where,
            "code_not_allowed",
            f"参数{where}的代码{shown}不在允许的代码中（{'、'.join(allowed)}）",
            f"{where}: {shown} is not one of the allowed codes ({', '.join(allowed)})",
            bo=f"«{where}» ཡི་ཨང་རྟགས་ {shown} ཆོག་མཆན་ཡོད་པའི་ཨང་རྟགས་ནང་མི་འདུག",
        )


@dataclass
class Parameter:
    path: str
    description: str
    unit: str
    entries: list[ValueEntry]
    range: tuple[Decimal, Decimal] | None = None
    allowed: tuple[str, ...] | None = None  # the codes a ``codes`` leaf may take

    @property
    def first_date(self) -> dt.date:
        return self.entries[0].start


@dataclass
class Node:
    path: str
    description: str
    children: dict[str, Node | Parameter | Scale] = field(default_factory=dict)


def _parse_values(
    raw: Any,
    unit: str,
    where: str,
    default_ref: tuple[Reference, ...],
    default_status: str | None,
    source: str,
    bounds: tuple[Decimal, Decimal] | None,
    allowed: tuple[str, ...] | None = None,
) -> list[ValueEntry]:
    if not isinstance(raw, Mapping) or not raw:
        raise file_error(where, "values_missing", "缺少values", "a parameter needs values")
    entries: list[ValueEntry] = []
    for key, item in raw.items():
        start = to_date(key, where)
        if not isinstance(item, Mapping) or "value" not in item:
            raise file_error(where, "value_missing", f"{start}缺少value", f"{start} has no 'value'")
        meta = item.get("metadata") or {}
        ref = references(item.get("reference"), where) or default_ref
        status = str(meta.get("status", default_status or ""))
        if not ref:
            raise file_error(
                where, "reference_missing", f"参数{where}缺少来源", f"{where} has no reference"
            )
        if status not in STATUSES:
            raise file_error(
                where,
                "status_missing",
                f"参数{where}的status应为official或assumed",
                f"{where} needs status official or assumed",
            )
        value = convert_value(item["value"], unit, where)
        check_range(value, bounds, unit, where)
        check_codes(value, allowed, where)
        entries.append(ValueEntry(start, value, ref, status, source))
    entries.sort(key=lambda e: e.start)
    return entries


def _bounds(meta: Mapping[str, Any], where: str) -> tuple[Decimal, Decimal] | None:
    raw = meta.get("range")
    if raw is None:
        return None
    if not isinstance(raw, list) or len(raw) != 2:
        raise file_error(where, "range_format", "range应为[下限, 上限]", "range is [lo, hi]")
    return Decimal(raw[0]), Decimal(raw[1])


def _allowed(meta: Mapping[str, Any], where: str) -> tuple[str, ...] | None:
    raw = meta.get("allowed")
    if raw is None:
        return None
    if not isinstance(raw, list) or not raw:
        raise file_error(
            where, "allowed_format", "allowed应为代码列表", "allowed is a list of codes"
        )
    return tuple(str(c) for c in raw)


def _parse_parameter(path: str, data: Mapping[str, Any]) -> Parameter:
    meta = data.get("metadata") or {}
    unit = meta.get("unit")
    if not unit:
        raise file_error(path, "unit_missing", f"参数{path}缺少unit", f"{path} has no unit")
    bounds = _bounds(meta, path)
    allowed = _allowed(meta, path)
    entries = _parse_values(
        data["values"],
        str(unit),
        path,
        references(data.get("reference"), path),
        meta.get("status"),
        "base",
        bounds,
        allowed,
    )
    description = str(data.get("description", ""))
    return Parameter(path, description, str(unit), entries, bounds, allowed)


def _parse_scale(path: str, data: Mapping[str, Any]) -> Scale:
    meta = data.get("metadata") or {}
    kind = meta.get("type", "marginal_rate")
    if kind != "marginal_rate":
        raise file_error(
            path, "scale_type", f"不支持的分段类型：{kind}", f"unsupported scale type: {kind}"
        )
    ref = references(data.get("reference"), path)
    status = meta.get("status")
    t_unit = str(meta.get("threshold_unit", "currency-CNY"))
    r_unit = str(meta.get("rate_unit", "/1"))
    brackets: list[tuple[Parameter, Parameter]] = []
    for i, b in enumerate(data["brackets"]):
        tp, rp = f"{path}.brackets[{i}].threshold", f"{path}.brackets[{i}].rate"
        t = Parameter(
            tp, "", t_unit, _parse_values(b["threshold"], t_unit, tp, ref, status, "base", None)
        )
        rb = (Decimal(0), Decimal(1))
        r = Parameter(
            rp, "", r_unit, _parse_values(b["rate"], r_unit, rp, ref, status, "base", rb), rb
        )
        brackets.append((t, r))
    return MarginalRateScale(path, str(data.get("description", "")), brackets)


def _parse_mapping(path: str, data: Mapping[str, Any]) -> Node | Parameter | Scale:
    if "values" in data:
        return _parse_parameter(path, data)
    if "brackets" in data:
        return _parse_scale(path, data)
    node = Node(path, str(data.get("description", "")))
    for key, child in data.items():
        if key in NODE_KEYS:
            continue
        if not isinstance(child, Mapping):
            raise file_error(
                f"{path}.{key}".strip("."),
                "node_format",
                "节点的子项应为映射",
                "a node's children are mappings",
            )
        node.children[str(key)] = _parse_mapping(f"{path}.{key}".strip("."), child)
    return node


def load_dir(directory: Path, path: str) -> Node:
    index = directory / "index.yaml"
    description = ""
    if index.exists():
        description = str((yamlio.read(index) or {}).get("description", ""))
    node = Node(path, description)
    for entry in sorted(directory.iterdir()):
        if entry.name == "index.yaml" or entry.name.startswith("."):
            continue
        child_path = f"{path}.{entry.stem}".strip(".")
        if entry.is_dir():
            node.children[entry.name] = load_dir(entry, child_path)
        elif entry.suffix in (".yaml", ".yml"):
            node.children[entry.stem] = _parse_mapping(child_path, yamlio.read(entry) or {})
    return node
