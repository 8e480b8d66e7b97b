"""Adding and removing a scale's brackets by overlay (issue 16 item 4).

A scale (``MarginalRateScale``) is a list of brackets whose threshold and rate are dated
parameters, so an overlay changes a bracket like any leaf
(``medical.critical_illness.scale.brackets[1].rate``). It also

- **adds** a bracket by naming the next index (``brackets[3]`` of a scale of three), both its
  ``threshold`` and its ``rate``: the bracket is in force from the overlay's date, in the
  overlay's region only (elsewhere it has no value and takes no part);
- **removes** a bracket from a date by setting its threshold and rate to ``null`` there (as
  OpenFisca ends a value): the bracket below then runs up to the next bracket still in force.

When the overlays are applied, the brackets in force must have ascending thresholds on every
date any of them changes, in every region an overlay names, and a bracket is in force whole or
not at all; otherwise the overlay is refused, naming its file, the scale and the date.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from decimal import Decimal
from typing import TYPE_CHECKING

from minsheng.core.errors import Problem
from minsheng.policy.files import Node, Parameter, ValueEntry
from minsheng.policy.overlays import Overlay
from minsheng.policy.scale import MarginalRateScale, Scale

if TYPE_CHECKING:
    import datetime as dt

    from minsheng.policy.parameters import ParameterTree

BRACKET_LEAF = re.compile(r"^(?P<scale>.+)\.brackets\[(?P<index>\d+)\]\.(?P<part>threshold|rate)$")


def where(overlay: Overlay, path: str) -> str:
    """The field an overlay's problem names: its file (when it came from one) and the path."""
    return f"{overlay.origin}: {path}" if overlay.origin else path


def _find(root: Node, path: str) -> Node | Parameter | Scale | None:
    node: Node | Parameter | Scale | None = root
    for part in path.split("."):
        if not isinstance(node, Node) or part not in node.children:
            return None
        node = node.children[part]
    return node


def _extended(node: Node, parts: list[str], count: int) -> Node:
    """A copy of ``node`` whose scale at ``parts`` has ``count`` brackets (new ones empty)."""
    copy = Node(node.path, node.description, dict(node.children))
    child = node.children[parts[0]]
    if len(parts) > 1:
        assert isinstance(child, Node)
        copy.children[parts[0]] = _extended(child, parts[1:], count)
        return copy
    assert isinstance(child, MarginalRateScale)
    brackets = list(child.brackets)
    t0, r0 = brackets[0] if brackets else (None, None)
    t_unit = t0.unit if t0 else "currency-CNY"
    r_unit, r_range = (r0.unit, r0.range) if r0 else ("/1", None)
    for i in range(len(brackets), count):
        base = f"{child.path}.brackets[{i}]"
        brackets.append(
            (
                Parameter(f"{base}.threshold", "", t_unit, []),
                Parameter(f"{base}.rate", "", r_unit, [], r_range),
            )
        )
    copy.children[parts[0]] = MarginalRateScale(child.path, child.description, brackets)
    return copy


def extend_scales(root: Node, overlays: Sequence[Overlay]) -> tuple[Node, list[Problem]]:
    """The tree with room for every bracket an overlay adds; a gap in the indices a problem."""
    wanted: dict[str, int] = {}
    problems: list[Problem] = []
    for o in overlays:
        added: dict[str, set[int]] = {}
        for path in o.changes:
            m = BRACKET_LEAF.match(path)
            scale = _find(root, m["scale"]) if m else None
            if (
                m
                and isinstance(scale, MarginalRateScale)
                and int(m["index"]) >= len(scale.brackets)
            ):
                added.setdefault(m["scale"], set()).add(int(m["index"]))
        for spath, indices in added.items():
            scale = _find(root, spath)
            assert isinstance(scale, MarginalRateScale)
            n = len(scale.brackets)
            if sorted(indices) != list(range(n, n + len(indices))):
                first_gap = min(set(range(n, max(indices) + 1)) - indices)
                problems.append(
                    Problem(
                        where(o, f"{spath}.brackets[{max(indices)}]"),
                        "bracket_gap",
                        f"分段表{spath}现有{n}段，新增的段须接着编号（缺brackets[{first_gap}]）",
                        f"{spath} has {n} brackets: added ones follow on "
                        f"(brackets[{first_gap}] is missing)",
                        f"«{spath}» ཡི་དུམ་བུ་གསར་པའི་ཨང་གྲངས་རིམ་བཞིན་དགོས། brackets[{first_gap}] མི་འདུག",
                    )
                )
                continue
            wanted[spath] = max(wanted.get(spath, n), n + len(indices))
    for spath, count in wanted.items():
        root = _extended(root, spath.split("."), count)
    return root, problems


def _at(entries: list[ValueEntry], day: dt.date) -> ValueEntry | None:
    current = None
    for e in entries:
        if e.start <= day:
            current = e
    return current


def check_scales(tree: ParameterTree, overlays: Sequence[Overlay]) -> list[Problem]:
    """Every scale an overlay touches: whole brackets and ascending thresholds on each date."""
    touched: dict[str, list[Overlay]] = {}
    for o in overlays:
        for path in o.changes:
            m = BRACKET_LEAF.match(path)
            if m and o not in touched.setdefault(m["scale"], []):
                touched[m["scale"]].append(o)
    problems: list[Problem] = []
    for spath, by in touched.items():
        scale = tree.get(spath)
        assert isinstance(scale, MarginalRateScale)
        for region in dict.fromkeys([None, *(o.region for o in by if o.region)]):
            blame = [o for o in by if o.region == region] or by
            found = _check_one(tree, scale, region, where(blame[-1], spath))
            if found:
                problems.append(found)
    return problems


def _shown(value: int, unit: str) -> str:
    return f"{Decimal(value).scaleb(-2)} {unit}" if unit.startswith("currency") else str(value)


def _check_one(
    tree: ParameterTree, scale: MarginalRateScale, region: str | None, field: str
) -> Problem | None:
    lines = [
        (tree.timeline(t.path, region), tree.timeline(r.path, region)) for t, r in scale.brackets
    ]
    days = sorted({e.start for pair in lines for tl in pair for e in tl})
    for day in days:
        previous: tuple[int, int] | None = None
        for i, (tl_t, tl_r) in enumerate(lines):
            t, r = _at(tl_t, day), _at(tl_r, day)
            t_on = t is not None and t.value is not None
            r_on = r is not None and r.value is not None
            if t_on != r_on:
                return Problem(
                    field,
                    "bracket_incomplete",
                    f"分段表{scale.path}第{i}段在{day}只有门槛或只有比例（新增或删除一段须同时"
                    "写threshold和rate）",
                    f"{scale.path} bracket {i} has a threshold or a rate alone on {day} (a bracket "
                    "is added or removed with both its threshold and its rate)",
                    f"«{scale.path}» ཡི་དུམ་བུ་ {i} ལ་ {day} ཉིན་ threshold དང་ rate གཉིས་ཀ་དགོས།",
                )
            if not t_on:
                continue
            assert t is not None
            value = int(t.value)  # type: ignore[arg-type]
            if previous is not None and value < previous[1]:  # equal: an empty bracket, harmless
                unit = scale.brackets[i][0].unit
                now, below = _shown(value, unit), _shown(previous[1], unit)
                return Problem(
                    field,
                    "thresholds_not_ascending",
                    f"分段表{scale.path}在{day}的门槛不得递减：第{i}段的{now}"
                    f"低于第{previous[0]}段的{below}",
                    f"the thresholds of {scale.path} must not descend on {day}: bracket {i}'s "
                    f"{now} is below bracket {previous[0]}'s {below}",
                    f"«{scale.path}» ཡི་འགོ་ཚད་ {day} ཉིན་རིམ་བཞིན་མཐོ་རུ་འགྲོ་དགོས།",
                )
            previous = (i, value)
    return None
