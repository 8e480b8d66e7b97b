"""Region packs: one folder of YAML that configures a pooling region (统筹区) end to end (issue 16
item 9) — its own figures for any layer, the brackets of its scales, the shape and rounding
codes its rules take — loaded beside Tibet's files, validated whole, applied all or nothing.

A pack::

    region-pack-shigatse/
      pack.yaml              # name, region (a division code), description, reference, status
      overlays/*.yaml        # overlays (``changes:`` as in policy/regions/), region = the pack's
      parameters/**.yaml     # and/or files mirroring policy/parameters/: the file
                             # parameters/medical/critical_illness/deductible.yaml changes the
                             # leaf medical.critical_illness.deductible (its ``values:``; a scale
                             # its ``brackets:``, one entry per bracket, more to add, null to end)

``read_pack(dir)`` reads every file and collects every problem; ``apply_packs(tree, dirs)``
gives the tree with the packs' overlays, or raises one error listing each problem with the
file, the parameter path and the rule — the tree it was given is unchanged. Each region's values
apply to that region (and the divisions inside it) only; Tibet's stay as they are.

``MINSHENG_REGION_PACKS`` (folders separated by ``os.pathsep``) makes ``policy.load()`` — the
tree the server, the CLI and the simulations read — include the packs.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from minsheng.core import divisions
from minsheng.core.errors import MinshengError, Problem, ValidationError
from minsheng.policy import yamlio
from minsheng.policy.files import NODE_KEYS, references
from minsheng.policy.overlays import Overlay, parse_overlay
from minsheng.policy.parameters import ParameterTree

ENV = "MINSHENG_REGION_PACKS"
PACK_KEYS = {"name", "region", "description", "reference", "status", "documentation"}


@dataclass(frozen=True)
class RegionPack:
    name: str
    region: str
    description: str
    directory: Path
    overlays: tuple[Overlay, ...]

    @property
    def changes(self) -> int:
        return sum(len(o.changes) for o in self.overlays)


class PackError(ValidationError):
    """A region pack that cannot be loaded: every problem, each naming its file and path."""


def _problem(file: Path | str, path: str, rule: str, zh: str, en: str, bo: str = "") -> Problem:
    field = f"{file}: {path}" if path else str(file)
    return Problem(field, rule, zh, en, bo)


# Tibetan lines for the rules of the files' checks whose authors wrote none ({f}: file and path).
TIBETAN = {
    "unknown_parameter": "«{f}» ཞེས་པའི་ཚད་གཞི་མི་འདུག",
    "unit_mismatch": "«{f}» ཡི་ཚད་ཀ་མི་མཐུན།",
    "out_of_range": "«{f}» ཡི་གྲངས་ཐང་ཆོག་པའི་ཁྱབ་ཁོངས་ལས་བརྒལ་འདུག",
    "before_first_value": "«{f}» ཡི་ཚེས་གྲངས་ནི་གྲངས་ཐང་དང་པོའི་སྔོན་ལ་ཡོད།",
    "value_type": "«{f}» ལ་ཨང་གྲངས་དགོས།",
    "two_decimals": "«{f}» ཡི་དངུལ་འབོར་ལ་ཚེག་རྗེས་ཨང་གྲངས་གཉིས་ལས་མང་མི་ཆོག",
    "ratio_precision": "«{f}» ཡི་བསྡུར་ཚད་ལ་ཚེག་རྗེས་ཨང་གྲངས་དྲུག་ལས་མང་མི་ཆོག",
    "date_format": "«{f}» ཡི་ཚེས་གྲངས་ནོར་འདུག (YYYY-MM-DD)",
    "value_missing": "«{f}» ལ་ value མི་འདུག",
    "status_missing": "«{f}» ཡི་ status ནི་ official ཡང་ན་ assumed དགོས།",
    "reference_format": "«{f}» ཡི་ཁུངས་ལ་ title དགོས།",
    "overlay_format": "«{f}» ལ་ changes / values དགོས།",
    "node_format": "«{f}» ཡི་ནང་གི་དབྱེ་བ་ key: value ཡིན་དགོས།",
    "duplicate_change": "«{f}» ཡིག་ཆ་གཞན་ཞིག་གི་ནང་བཟོ་བཅོས་བྱས་ཟིན།",
    "unknown_key": "«{f}» ཞེས་པའི་ key ངོས་འཛིན་མ་ཐུབ།",
    "pack_field": "«{f}» ནི་ pack.yaml ནང་དགོས།",
    "pack_region": "«{f}» ཡི་ས་ཁུལ་ཐུམ་སྒྲིལ་གྱི་ས་ཁུལ་དང་མི་མཐུན།",
    "division_format": "«{f}» ཡི་ས་ཁོངས་ཨང་རྟགས་ལ་ཨང་ཀི་དྲུག་དགོས།",
    "division_unknown": "«{f}» ཡི་ས་ཁོངས་ཀྱི་ཨང་རྟགས་ངོས་འཛིན་མ་ཐུབ།",
}


def _tibetan(p: Problem) -> Problem:
    if p.bo or p.rule not in TIBETAN:
        return p
    return Problem(p.field, p.rule, p.zh, p.en, TIBETAN[p.rule].format(f=p.field))


def _refuse(problems: Sequence[Problem]) -> PackError:
    problems = [_tibetan(p) for p in problems]
    first = problems[0]
    return PackError(
        field=first.field,
        rule=first.rule,
        zh=first.zh,
        en=first.en,
        bo=first.bo,
        more=list(problems[1:]),
    )


def _read(file: Path, problems: list[Problem]) -> Mapping[str, Any] | None:
    """A YAML mapping, or None with the reason among the problems."""
    try:
        data = yamlio.read(file)
    except UnicodeDecodeError as err:
        problems.append(
            _problem(
                file,
                "",
                "not_utf8",
                f"文件不是UTF-8编码（第{err.start}字节）",
                f"the file is not UTF-8 (byte {err.start})",
                f"ཡིག་ཆ་འདི་ UTF-8 མིན། (byte {err.start})",
            )
        )
        return None
    except yaml.YAMLError as err:
        mark = getattr(err, "problem_mark", None)
        at = f"{mark.line + 1}:{mark.column + 1}" if mark is not None else "?"
        problems.append(
            _problem(
                file,
                f"line {at}",
                "not_yaml",
                f"不是有效的YAML（第{at}处）：{getattr(err, 'problem', err)}",
                f"not valid YAML at {at}: {getattr(err, 'problem', err)}",
                f"YAML ནོར་འདུག ({at})",
            )
        )
        return None
    except OSError as err:
        problems.append(
            _problem(file, "", "file_unreadable", "无法读取文件", f"cannot read: {err}")
        )
        return None
    if not isinstance(data, Mapping):
        problems.append(
            _problem(
                file,
                "",
                "pack_format",
                "文件内容应为映射（键: 值）",
                "the file holds a mapping (key: value)",
                "ཡིག་ཆའི་ནང་ key: value དགོས།",
            )
        )
        return None
    return data


def _mirror(path: str, data: Mapping[str, Any], out: dict[str, Any], file: Path) -> list[Problem]:
    """A file of the parameters/ subtree as an overlay's changes (a leaf, a scale, a node)."""
    meta = data.get("metadata") or {}
    if "values" in data:
        unit = meta.get("unit") if isinstance(meta, Mapping) else None
        out[path] = {
            "values": data["values"],
            **({"unit": unit} if unit else {}),
            **({"reference": data["reference"]} if "reference" in data else {}),
            **({"status": meta["status"]} if "status" in meta else {}),
        }
        return []
    if "brackets" in data:
        brackets = data["brackets"]
        if not isinstance(brackets, list):
            return [_problem(file, path, "pack_format", "brackets应为列表", "brackets is a list")]
        found: list[Problem] = []
        for i, bracket in enumerate(brackets):
            if not isinstance(bracket, Mapping) or set(bracket) - {"threshold", "rate"}:
                found.append(
                    _problem(
                        file,
                        f"{path}.brackets[{i}]",
                        "pack_format",
                        "每一段只有threshold和rate",
                        "a bracket has a threshold and a rate",
                    )
                )
                continue
            for part in ("threshold", "rate"):
                if part in bracket:
                    extra = {"reference": data["reference"]} if "reference" in data else {}
                    status = {"status": meta["status"]} if "status" in meta else {}
                    out[f"{path}.brackets[{i}].{part}"] = {
                        "values": bracket[part],
                        **extra,
                        **status,
                    }
        return found
    found = []
    for key, child in data.items():
        if key in NODE_KEYS:
            continue
        child_path = f"{path}.{key}".strip(".")
        if not isinstance(child, Mapping):
            found.append(
                _problem(
                    file,
                    child_path,
                    "node_format",
                    "节点的子项应为映射",
                    "a node's children are mappings",
                )
            )
            continue
        found += _mirror(child_path, child, out, file)
    return found


def _overlay(
    file: Path, head: Mapping[str, Any], changes: Mapping[str, Any], problems: list[Problem]
) -> Overlay:
    """One file's changes as an overlay; each change parsed alone so every problem is found."""
    merged: dict[str, Any] = {}
    units: dict[str, str] = {}
    for path, change in changes.items():
        try:
            one = parse_overlay({**head, "changes": {str(path): change}}, str(file))
        except MinshengError as err:
            problems += [_problem(file, p.field, p.rule, p.zh, p.en, p.bo) for p in err.problems]
            continue
        merged.update(one.changes)
        units.update(one.units)
    return Overlay(
        f"{head.get('name', '')}:{file.name}",
        str(head.get("description", "")),
        str(head["region"]),
        merged,
        units,
        str(file),
    )


def read_pack(directory: str | Path) -> RegionPack:
    """Every file of the pack read and checked against the format; raises :class:`PackError`
    with every problem found. The values are checked against the tree by ``apply_packs``."""
    problems: list[Problem] = []
    pack = _read_pack(Path(directory), problems)
    if problems or pack is None:
        raise _refuse(problems)
    return pack


def _read_pack(root: Path, problems: list[Problem]) -> RegionPack | None:
    """The pack with every change that could be read (None if its pack.yaml cannot be), the
    problems of the others added to ``problems``."""
    manifest = root / "pack.yaml"
    if not root.is_dir() or not manifest.is_file():
        problems.append(
            _problem(
                manifest,
                "",
                "pack_missing",
                "区域参数包须是含pack.yaml的文件夹",
                "a region pack is a folder with a pack.yaml",
                "ས་ཁུལ་ཐུམ་སྒྲིལ་ལ་ pack.yaml དགོས།",
            )
        )
        return None
    head = dict(_read(manifest, problems) or {})
    for key in sorted(set(head) - PACK_KEYS, key=str):
        problems.append(
            _problem(
                manifest,
                str(key),
                "unknown_key",
                f"pack.yaml不认识的键：{key}（可用：{'、'.join(sorted(PACK_KEYS))}）",
                f"pack.yaml has no key {key} (keys: {', '.join(sorted(PACK_KEYS))})",
            )
        )
    for key in ("name", "region"):
        if head and not head.get(key):
            problems.append(
                _problem(
                    manifest, key, "pack_field", f"pack.yaml须写{key}", f"pack.yaml needs {key}"
                )
            )
    try:
        if head.get("region"):
            head["region"] = divisions.get(str(head["region"]), "region").code
    except MinshengError as err:
        problems.append(_problem(manifest, "region", err.rule, err.zh, err.en, err.bo))
    try:
        references(head.get("reference"), "reference")
    except MinshengError as err:
        problems.append(_problem(manifest, "reference", err.rule, err.zh, err.en, err.bo))
    if problems:
        return None

    overlays: list[Overlay] = []
    seen: dict[str, Path] = {}
    pack_head: dict[str, Any] = {
        k: head[k] for k in ("name", "region", "reference", "status") if k in head
    }

    def add(file: Path, changes: Mapping[str, Any], own: Mapping[str, Any]) -> None:
        for path in changes:
            if str(path) in seen:
                problems.append(
                    _problem(
                        file,
                        str(path),
                        "duplicate_change",
                        f"{path}已在{seen[str(path)]}中修改",
                        f"{path} is changed in {seen[str(path)]} already",
                    )
                )
        fresh = {p: c for p, c in changes.items() if str(p) not in seen}
        seen.update({str(p): file for p in fresh})
        description = own.get("description", head.get("description", ""))
        defaults = {k: own[k] for k in ("reference", "status") if k in own}
        file_head: dict[str, Any] = {**pack_head, **defaults, "description": description}
        overlays.append(_overlay(file, file_head, fresh, problems))

    for file in sorted((root / "overlays").glob("*.y*ml")):
        data = _read(file, problems)
        if data is None:
            continue
        if data.get("region") not in (None, head["region"]):
            problems.append(
                _problem(
                    file,
                    "region",
                    "pack_region",
                    f"包内文件的区域须是包的区域{head['region']}",
                    f"a pack's files are for the pack's region {head['region']}",
                )
            )
            continue
        changes = data.get("changes")
        if not isinstance(changes, Mapping):
            problems.append(
                _problem(
                    file,
                    "changes",
                    "overlay_format",
                    "覆盖文件缺少changes",
                    "an overlay needs 'changes'",
                )
            )
            continue
        add(file, changes, data)

    tree_dir = root / "parameters"
    for file in sorted(tree_dir.rglob("*.y*ml")):
        if file.name == "index.yaml":
            continue
        data = _read(file, problems)
        if data is None:
            continue
        rel = file.relative_to(tree_dir).with_suffix("")
        mirrored: dict[str, Any] = {}
        problems += _mirror(".".join(rel.parts), data, mirrored, file)
        add(file, mirrored, {"description": data.get("description", head.get("description"))})

    if not problems and not any(o.changes for o in overlays):
        problems.append(
            _problem(
                root,
                "",
                "pack_empty",
                "参数包里没有任何修改（overlays/或parameters/）",
                "the pack changes nothing (overlays/ or parameters/)",
                "ཐུམ་སྒྲིལ་འདིའི་ནང་བཟོ་བཅོས་གང་ཡང་མི་འདུག",
            )
        )
    return RegionPack(
        str(head["name"]),
        str(head["region"]),
        str(head.get("description", "")),
        root,
        tuple(o for o in overlays if o.changes),
    )


def apply_packs(tree: ParameterTree, directories: Iterable[str | Path]) -> ParameterTree:
    """``tree`` with the packs' overlays after its own; every problem of every pack raised
    together (:class:`PackError`), and then nothing is applied."""
    packs: list[RegionPack] = []
    problems: list[Problem] = []
    for d in directories:
        pack = _read_pack(Path(d), problems)
        if pack is not None:
            packs.append(pack)
    try:  # the changes that could be read are checked against the tree too: every problem
        applied = ParameterTree(
            tree.root, [*tree.overlays, *(o for p in packs for o in p.overlays)]
        )
    except MinshengError as err:
        problems += err.problems
    if problems:
        raise _refuse(problems)
    return applied


def env_packs() -> list[Path]:
    """The packs named by ``MINSHENG_REGION_PACKS``."""
    raw = os.environ.get(ENV, "")
    return [Path(p) for p in raw.split(os.pathsep) if p.strip()]


def use_packs(directories: Sequence[str | Path]) -> ParameterTree:
    """Check the packs against the shipped tree, then make ``policy.load()`` include them (for
    this process and the processes it starts: the server's workers)."""
    from minsheng.policy.parameters import load, load_tree

    dirs = [*env_packs(), *(Path(d) for d in directories)]
    tree = apply_packs(load_tree(), dirs)  # raises, and nothing changes, on any problem
    os.environ[ENV] = os.pathsep.join(str(d) for d in dirs)
    load.cache_clear()
    return tree
