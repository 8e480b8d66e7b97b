"""The parameter tree: loading, region overrides, reform overlays and dated look-up.

Format (OpenFisca's, so the same files load in openfisca-core's ``ParameterNode``)::

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
values of a leaf, for base files and overlays alike.

An *overlay* (a pooling region's override or a what-if reform) changes chosen leaves from a
date: the leaf's own values before the overlay's first date stay, the overlay's values apply
from then on.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from functools import cache
from pathlib import Path
from typing import Any

from minsheng.core import divisions
from minsheng.core.errors import MinshengError, invalid
from minsheng.policy import yamlio
from minsheng.policy.scale import MarginalRateScale, Scale, ScaleAt

Value = int | Decimal | bool | str | None
STATUSES = ("official", "assumed")
NODE_KEYS = {"description", "metadata", "documentation", "reference"}
PARAMETERS_DIR = Path(__file__).parent / "parameters"
REGIONS_DIR = Path(__file__).parent / "regions"
_BRACKET = re.compile(r"^(?P<name>[^\[\]]+)\[(?P<index>\d+)\]$")


class ParameterFileError(MinshengError):
    """A parameter or overlay file breaks the format."""


def _file_error(where: str, rule: str, zh: str, en: str) -> ParameterFileError:
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


def _references(raw: Any, where: str) -> tuple[Reference, ...]:
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
            raise _file_error(
                where, "reference_format", "引用应包含title（和href）", "a reference needs a title"
            )
    return tuple(out)


def _to_date(raw: Any, where: str) -> dt.date:
    if isinstance(raw, dt.date):
        return raw
    try:
        return dt.date.fromisoformat(str(raw))
    except ValueError:
        raise _file_error(
            where, "date_format", f"日期格式不正确：{raw}", f"not an ISO date: {raw}"
        ) from None


RATIO_DECIMALS = 6  # exact integer arithmetic on fen stays far from int64 overflow


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
        raise _file_error(where, "value_type", f"值类型不正确：{raw!r}", f"bad value: {raw!r}")
    if unit.startswith("currency"):
        fen = Decimal(raw) * 100
        if fen != fen.to_integral_value():
            raise _file_error(
                where, "two_decimals", "金额最多两位小数", "an amount has at most two decimals"
            )
        return int(fen)
    if unit == "/1":
        ratio = Decimal(raw)
        if ratio.is_finite() and ratio.as_tuple().exponent < -RATIO_DECIMALS:  # type: ignore[operator]
            raise _file_error(
                where,
                "ratio_precision",
                f"比例最多{RATIO_DECIMALS}位小数：{raw}",
                f"a ratio has at most {RATIO_DECIMALS} decimals: {raw}",
            )
        return ratio
    if isinstance(raw, Decimal) and raw == raw.to_integral_value():
        return int(raw)
    return raw


def _check_range(
    value: Value, bounds: tuple[Decimal, Decimal] | None, unit: str, where: str
) -> None:
    if bounds is None or value is None or isinstance(value, bool | str):
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


@dataclass
class Parameter:
    path: str
    description: str
    unit: str
    entries: list[ValueEntry]
    range: tuple[Decimal, Decimal] | None = None

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
) -> list[ValueEntry]:
    if not isinstance(raw, Mapping) or not raw:
        raise _file_error(where, "values_missing", "缺少values", "a parameter needs values")
    entries: list[ValueEntry] = []
    for key, item in raw.items():
        start = _to_date(key, where)
        if not isinstance(item, Mapping) or "value" not in item:
            raise _file_error(
                where, "value_missing", f"{start}缺少value", f"{start} has no 'value'"
            )
        meta = item.get("metadata") or {}
        ref = _references(item.get("reference"), where) or default_ref
        status = str(meta.get("status", default_status or ""))
        if not ref:
            raise _file_error(
                where, "reference_missing", f"参数{where}缺少来源", f"{where} has no reference"
            )
        if status not in STATUSES:
            raise _file_error(
                where,
                "status_missing",
                f"参数{where}的status应为official或assumed",
                f"{where} needs status official or assumed",
            )
        value = convert_value(item["value"], unit, where)
        _check_range(value, bounds, unit, where)
        entries.append(ValueEntry(start, value, ref, status, source))
    entries.sort(key=lambda e: e.start)
    return entries


def _bounds(meta: Mapping[str, Any], where: str) -> tuple[Decimal, Decimal] | None:
    raw = meta.get("range")
    if raw is None:
        return None
    if not isinstance(raw, list) or len(raw) != 2:
        raise _file_error(where, "range_format", "range应为[下限, 上限]", "range is [lo, hi]")
    return Decimal(raw[0]), Decimal(raw[1])


def _parse_parameter(path: str, data: Mapping[str, Any]) -> Parameter:
    meta = data.get("metadata") or {}
    unit = meta.get("unit")
    if not unit:
        raise _file_error(path, "unit_missing", f"参数{path}缺少unit", f"{path} has no unit")
    bounds = _bounds(meta, path)
    entries = _parse_values(
        data["values"],
        str(unit),
        path,
        _references(data.get("reference"), path),
        meta.get("status"),
        "base",
        bounds,
    )
    return Parameter(path, str(data.get("description", "")), str(unit), entries, bounds)


def _parse_scale(path: str, data: Mapping[str, Any]) -> Scale:
    meta = data.get("metadata") or {}
    kind = meta.get("type", "marginal_rate")
    if kind != "marginal_rate":
        raise _file_error(
            path, "scale_type", f"不支持的分段类型：{kind}", f"unsupported scale type: {kind}"
        )
    ref = _references(data.get("reference"), path)
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
            raise _file_error(
                f"{path}.{key}".strip("."),
                "node_format",
                "节点的子项应为映射",
                "a node's children are mappings",
            )
        node.children[str(key)] = _parse_mapping(f"{path}.{key}".strip("."), child)
    return node


def _load_dir(directory: Path, path: str) -> Node:
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
            node.children[entry.name] = _load_dir(entry, child_path)
        elif entry.suffix in (".yaml", ".yml"):
            node.children[entry.stem] = _parse_mapping(child_path, yamlio.read(entry) or {})
    return node


# ------------------------------------------------------------------------------ overlays


@dataclass(frozen=True)
class Overlay:
    """Changes to chosen leaves from a date: a region's override or a what-if reform."""

    name: str
    description: str
    region: str | None  # a division code, or None for everywhere
    changes: Mapping[str, tuple[ValueEntry, ...]]
    units: Mapping[str, str]  # unit stated by the overlay for a path, checked on apply

    @property
    def source(self) -> str:
        return f"region:{self.region}" if self.region else f"reform:{self.name}"


def parse_overlay(data: Mapping[str, Any], name: str) -> Overlay:
    if not isinstance(data, Mapping) or "changes" not in data:
        raise _file_error(
            name, "overlay_format", "覆盖文件缺少changes", "an overlay needs 'changes'"
        )
    region = data.get("region")
    if region is not None:
        region = divisions.get(str(region), "region").code
    source = f"region:{region}" if region else f"reform:{name}"
    default_ref = _references(data.get("reference"), name)
    default_status = data.get("status")
    changes: dict[str, tuple[ValueEntry, ...]] = {}
    units: dict[str, str] = {}
    for path, change in (data["changes"] or {}).items():
        path = str(path)
        if not isinstance(change, Mapping) or "values" not in change:
            raise _file_error(
                path,
                "overlay_format",
                f"{path}的修改缺少values",
                f"the change of {path} needs values",
            )
        meta = change.get("metadata") or {}
        unit = change.get("unit") or meta.get("unit")
        if unit:
            units[path] = str(unit)
        ref = _references(change.get("reference"), path) or default_ref
        status = meta.get("status") or change.get("status") or default_status
        # Values are converted once the target's unit is known (in ParameterTree.with_overlay).
        raw_entries = []
        for key, item in change["values"].items():
            if not isinstance(item, Mapping) or "value" not in item:
                raise _file_error(path, "value_missing", f"{path}缺少value", f"{path}: no 'value'")
            item_status = (item.get("metadata") or {}).get("status") or status or "assumed"
            if item_status not in STATUSES:
                raise _file_error(
                    path,
                    "status_missing",
                    "status应为official或assumed",
                    "status is official or assumed",
                )
            raw_entries.append(
                ValueEntry(
                    _to_date(key, path),
                    item["value"],
                    _references(item.get("reference"), path) or ref or (Reference(name, ""),),
                    str(item_status),
                    source,
                )
            )
        changes[path] = tuple(sorted(raw_entries, key=lambda e: e.start))
    return Overlay(name, str(data.get("description", "")), region, changes, units)


def load_overlay(path: str | Path) -> Overlay:
    p = Path(path)
    if not p.exists():
        raise invalid("params", "file_missing", f"找不到文件：{p}", f"no such file: {p}")
    return parse_overlay(yamlio.read(p) or {}, p.stem)


# ------------------------------------------------------------------------------ the tree


def _split(path: str) -> list[str]:
    return [p for p in path.strip().split(".") if p]


class ParameterTree:
    """The whole parameter tree with its overlays. Immutable; ``with_overlay`` makes a new one."""

    def __init__(self, root: Node, overlays: Sequence[Overlay] = ()) -> None:
        self.root = root
        self.overlays = tuple(overlays)
        self._timelines: dict[tuple[str, tuple[str, ...]], list[ValueEntry]] = {}
        self._snapshots: dict[tuple[dt.date, str | None], Snapshot] = {}
        self._checked = [self._check_overlay(o) for o in self.overlays]

    # -- structure
    def get(self, path: str) -> Node | Parameter | Scale:
        """The node, parameter or scale at ``path`` (``a.b.scale.brackets[1].rate`` too)."""
        node: Any = self.root
        for part in _split(path):
            m = _BRACKET.match(part)
            if isinstance(node, Node) and part in node.children:
                node = node.children[part]
            elif (
                isinstance(node, MarginalRateScale)
                and m is not None
                and m["name"] == "brackets"
                and int(m["index"]) < len(node.brackets)
            ):
                node = node.brackets[int(m["index"])]
            elif isinstance(node, tuple) and part in ("threshold", "rate"):
                node = node[0] if part == "threshold" else node[1]
            else:
                raise self._unknown(path)
        if isinstance(node, tuple):
            raise self._unknown(path)
        return node  # type: ignore[no-any-return]

    def parameter(self, path: str) -> Parameter:
        node = self.get(path)
        if not isinstance(node, Parameter):
            raise invalid(
                "parameter",
                "not_a_leaf",
                f"{path}不是单个参数（是节点或分段表）",
                f"{path} is not a single parameter (a node or a scale)",
            )
        return node

    @staticmethod
    def _unknown(path: str) -> MinshengError:
        return invalid(
            "parameter", "unknown_parameter", f"未知的参数：{path}", f"unknown parameter: {path}"
        )

    def leaves(self) -> Iterator[Parameter]:
        """Every single-valued parameter, scale brackets' thresholds and rates included."""

        def walk(node: Node | Parameter | Scale) -> Iterator[Parameter]:
            if isinstance(node, Parameter):
                yield node
            elif isinstance(node, MarginalRateScale):
                for t, r in node.brackets:
                    yield t
                    yield r
            elif isinstance(node, Node):
                for child in node.children.values():
                    yield from walk(child)

        yield from walk(self.root)

    # -- overlays
    def _check_overlay(self, overlay: Overlay) -> Overlay:
        converted: dict[str, tuple[ValueEntry, ...]] = {}
        for path, entries in overlay.changes.items():
            param = self.parameter(path)
            stated = overlay.units.get(path)
            if stated and stated != param.unit:
                raise invalid(
                    path,
                    "unit_mismatch",
                    f"{path}的单位是{param.unit}，覆盖文件写的是{stated}",
                    f"{path} is in {param.unit}, the overlay says {stated}",
                )
            out = []
            for e in entries:
                if e.start < param.first_date:
                    raise invalid(
                        path,
                        "before_first_value",
                        f"{path}最早从{param.first_date}起有值，不能从{e.start}起修改",
                        f"{path} has values from {param.first_date}, not from {e.start}",
                    )
                try:
                    value = convert_value(e.value, param.unit, path)
                except ParameterFileError as err:
                    raise invalid(path, err.rule, err.zh, err.en) from None
                numeric = param.unit.startswith("currency") or param.unit == "/1"
                if numeric and (value is None or isinstance(value, bool | str)):
                    raise invalid(
                        path, "value_type", f"{path}的值应为数字", f"{path} takes a number"
                    )
                _check_range(value, param.range, param.unit, path)
                out.append(ValueEntry(e.start, value, e.reference, e.status, e.source))
            converted[path] = tuple(out)
        return Overlay(overlay.name, overlay.description, overlay.region, converted, overlay.units)

    def with_overlay(self, overlay: Overlay | str | Path) -> ParameterTree:
        o = overlay if isinstance(overlay, Overlay) else load_overlay(overlay)
        return ParameterTree(self.root, [*self.overlays, o])

    # -- look-up
    def _chain(self, region: str | None) -> tuple[str, ...]:
        if region is None:
            return ()
        return tuple(reversed(divisions.ancestors(str(region))))  # region → prefecture → county

    def timeline(self, path: str, region: str | None = None) -> list[ValueEntry]:
        chain = self._chain(region)
        key = (path, chain)
        if key in self._timelines:
            return self._timelines[key]
        entries = list(self.parameter(path).entries)
        applicable = [o for o in self._checked if o.region is not None and o.region in chain]
        applicable.sort(key=lambda o: chain.index(o.region) if o.region else 0)
        applicable += [o for o in self._checked if o.region is None]
        for o in applicable:
            if path in o.changes:
                new = list(o.changes[path])
                entries = [e for e in entries if e.start < new[0].start] + new
        self._timelines[key] = entries
        return entries

    def at(self, date: dt.date, region: str | None = None) -> Snapshot:
        """The values in force on ``date`` in ``region`` (any division code, or None)."""
        snap = self._snapshots.get((date, region))
        if snap is None:
            code = divisions.get(region, "region").code if region is not None else None
            if len(self._snapshots) > 4096:
                self._snapshots.clear()
            snap = self._snapshots[(date, region)] = Snapshot(self, date, code)
        return snap


class Snapshot:
    """Values in force on one date in one region. ``snap["a.b"]`` or ``snap.a.b``."""

    def __init__(self, tree: ParameterTree, date: dt.date, region: str | None) -> None:
        self.tree, self.date, self.region = tree, date, region
        self._infos: dict[str, ValueInfo] = {}
        self._scales: dict[str, ScaleAt] = {}

    def info(self, path: str) -> ValueInfo:
        hit = self._infos.get(path)
        if hit is not None:
            return hit
        param = self.tree.parameter(path)
        entries = self.tree.timeline(path, self.region)
        current = None
        for e in entries:
            if e.start <= self.date:
                current = e
            else:
                break
        if current is None or current.value is None:
            first = entries[0].start
            raise invalid(
                path,
                "not_in_force",
                f"参数{path}在{self.date}没有生效的值（最早从{first}起）",
                f"{path} has no value in force on {self.date} (values start {first})",
            )
        info = ValueInfo(
            path,
            current.value,
            param.unit,
            current.start,
            current.reference,
            current.status,
            current.source,
            param.description,
        )
        self._infos[path] = info
        return info

    def scale(self, path: str) -> ScaleAt:
        hit = self._scales.get(path)
        if hit is not None:
            return hit
        node = self.tree.get(path)
        if not isinstance(node, MarginalRateScale):
            raise invalid("parameter", "not_a_scale", f"{path}不是分段表", f"{path} is not a scale")
        thresholds, rates, infos = [], [], []
        for i in range(len(node.brackets)):
            t = self.info(f"{path}.brackets[{i}].threshold")
            r = self.info(f"{path}.brackets[{i}].rate")
            thresholds.append(int(t.value))  # type: ignore[arg-type]
            rates.append(Decimal(r.value))  # type: ignore[arg-type]
            infos += [t, r]
        scale = ScaleAt(path, tuple(thresholds), tuple(rates), tuple(infos))
        self._scales[path] = scale
        return scale

    def __getitem__(self, path: str) -> Value | ScaleAt:
        hit = self._infos.get(path)
        if hit is not None:
            return hit.value
        node = self.tree.get(path)
        if isinstance(node, MarginalRateScale):
            return self.scale(path)
        if isinstance(node, Node):
            return _View(self, path)  # type: ignore[return-value]
        return self.info(path).value

    def __getattr__(self, name: str) -> Any:
        if name.startswith("_"):
            raise AttributeError(name)
        return self[name]


class _View:
    """A node of a snapshot, for attribute access: ``snap.medical.assistance``."""

    def __init__(self, snap: Snapshot, path: str) -> None:
        self._snap, self._path = snap, path

    def __getattr__(self, name: str) -> Any:
        if name.startswith("_"):
            raise AttributeError(name)
        return self._snap[f"{self._path}.{name}"]

    def __getitem__(self, name: str) -> Any:
        return self._snap[f"{self._path}.{name}"]


def load_tree(
    parameters_dir: Path = PARAMETERS_DIR, regions_dir: Path | None = REGIONS_DIR
) -> ParameterTree:
    root = _load_dir(parameters_dir, "")
    overlays: list[Overlay] = []
    if regions_dir is not None and regions_dir.exists():
        for f in sorted(regions_dir.glob("*.yaml")):
            overlays.append(parse_overlay(yamlio.read(f) or {}, f.stem))
    return ParameterTree(root, overlays)


@cache
def load() -> ParameterTree:
    """The parameter tree shipped with Minsheng, with the pooling regions' overrides."""
    return load_tree()
