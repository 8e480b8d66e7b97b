"""The parameter tree: loading the shipped files with the regions' overrides, applying a reform
overlay, and the dated look-up ``tree.at(date, region)`` of the values in force — each value
with the reference, status and source it came from.

The file format is in :mod:`minsheng.policy.files`, overlays in :mod:`minsheng.policy.overlays`.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator, Sequence
from decimal import Decimal
from functools import cache
from pathlib import Path
from typing import Any

from minsheng.core import divisions
from minsheng.core.errors import MinshengError, Problem, ValidationError, invalid
from minsheng.policy import yamlio
from minsheng.policy.brackets import BRACKET_LEAF, check_scales, extend_scales, where
from minsheng.policy.files import (
    BRACKET,
    Node,
    Parameter,
    ParameterFileError,
    Value,
    ValueEntry,
    ValueInfo,
    check_codes,
    check_range,
    convert_value,
    load_dir,
    same_kind,
)
from minsheng.policy.overlays import Overlay, load_overlay, parse_overlay
from minsheng.policy.scale import MarginalRateScale, Scale, ScaleAt

PARAMETERS_DIR = Path(__file__).parent / "parameters"
REGIONS_DIR = Path(__file__).parent / "regions"


def _split(path: str) -> list[str]:
    return [p for p in path.strip().split(".") if p]


class ParameterTree:
    """The whole parameter tree with its overlays. Immutable; ``with_overlay`` makes a new one."""

    def __init__(self, root: Node, overlays: Sequence[Overlay] = ()) -> None:
        """Every overlay is checked here, all of them: any problem refuses the whole tree
        (one error listing each problem, its file and path), so nothing half applies."""
        self.overlays = tuple(overlays)
        self.root, problems = extend_scales(root, self.overlays)
        self._timelines: dict[tuple[str, tuple[str, ...]], list[ValueEntry]] = {}
        self._snapshots: dict[tuple[dt.date, str | None], Snapshot] = {}
        self._checked: list[Overlay] = []
        for o in self.overlays:
            checked, found = self._check_overlay(o)
            self._checked.append(checked)
            problems += found
        if not problems:
            problems = check_scales(self, self._checked)
        if problems:
            first = problems[0]
            raise ValidationError(
                field=first.field,
                rule=first.rule,
                zh=first.zh,
                en=first.en,
                bo=first.bo,
                more=problems[1:],
            )

    # -- structure
    def get(self, path: str) -> Node | Parameter | Scale:
        """The node, parameter or scale at ``path`` (``a.b.scale.brackets[1].rate`` too)."""
        node: Any = self.root
        for part in _split(path):
            m = BRACKET.match(part)
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
        """Every single-valued parameter of the files, scale brackets' thresholds and rates
        included (not the brackets an overlay adds: those have no values of their own)."""

        def walk(node: Node | Parameter | Scale) -> Iterator[Parameter]:
            if isinstance(node, Parameter):
                yield node
            elif isinstance(node, MarginalRateScale):
                for t, r in node.brackets:
                    if t.entries:  # a bracket only an overlay adds has no values of its own
                        yield t
                        yield r
            elif isinstance(node, Node):
                for child in node.children.values():
                    yield from walk(child)

        yield from walk(self.root)

    # -- overlays
    def _check_overlay(self, overlay: Overlay) -> tuple[Overlay, list[Problem]]:
        converted: dict[str, tuple[ValueEntry, ...]] = {}
        problems: list[Problem] = []
        for path, entries in overlay.changes.items():
            try:
                converted[path] = self._check_change(path, entries, overlay.units.get(path))
            except MinshengError as err:
                problems += [
                    Problem(where(overlay, path), p.rule, p.zh, p.en, p.bo) for p in err.problems
                ]
        checked = Overlay(
            overlay.name,
            overlay.description,
            overlay.region,
            converted,
            overlay.units,
            overlay.origin,
        )
        return checked, problems

    def _check_change(
        self, path: str, entries: Sequence[ValueEntry], stated: str | None
    ) -> tuple[ValueEntry, ...]:
        param = self.parameter(path)
        if stated and stated != param.unit:
            raise invalid(
                path,
                "unit_mismatch",
                f"{path}的单位是{param.unit}，覆盖文件写的是{stated}",
                f"{path} is in {param.unit}, the overlay says {stated}",
            )
        out = []
        for e in entries:
            if param.entries and e.start < param.first_date:
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
            ends = value is None and BRACKET_LEAF.match(path) is not None  # a bracket removed
            if numeric and not ends and (value is None or isinstance(value, bool | str)):
                raise invalid(path, "value_type", f"{path}的值应为数字", f"{path} takes a number")
            if not numeric:
                value = same_kind(value, [x.value for x in param.entries], path)
            check_range(value, param.range, param.unit, path)
            check_codes(value, param.allowed, path)
            out.append(ValueEntry(e.start, value, e.reference, e.status, e.source))
        return tuple(out)

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
            first = entries[0].start if entries else "—"
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
        for tp, rp in node.brackets:
            if not self._bracket_in_force(tp, rp):
                continue  # added elsewhere, or removed by an overlay (brackets.py)
            t = self.info(tp.path)
            r = self.info(rp.path)
            thresholds.append(int(t.value))  # type: ignore[arg-type]
            rates.append(Decimal(r.value))  # type: ignore[arg-type]
            infos += [t, r]
        scale = ScaleAt(path, tuple(thresholds), tuple(rates), tuple(infos))
        self._scales[path] = scale
        return scale

    def _bracket_in_force(self, threshold: Parameter, rate: Parameter) -> bool:
        """False for a bracket ended (null) by an overlay or added only for another region;
        a bracket not yet in force raises ``not_in_force`` as any leaf does."""
        for leaf in (threshold, rate):
            current = None
            for e in self.tree.timeline(leaf.path, self.region):
                if e.start <= self.date:
                    current = e
            if current is None and not leaf.entries:
                return False
            if current is not None and current.value is None:
                return False
        return True

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
    root = load_dir(parameters_dir, "")
    overlays: list[Overlay] = []
    if regions_dir is not None and regions_dir.exists():
        for f in sorted(regions_dir.glob("*.yaml")):
            overlays.append(parse_overlay(yamlio.read(f) or {}, f.stem))
    return ParameterTree(root, overlays)


@cache
def load() -> ParameterTree:
    """The parameter tree shipped with Minsheng, with the pooling regions' overrides and the
    region packs named by ``MINSHENG_REGION_PACKS`` (:mod:`minsheng.policy.packs`)."""
    from minsheng.policy.packs import apply_packs, env_packs

    dirs = env_packs()
    return apply_packs(load_tree(), dirs) if dirs else load_tree()
