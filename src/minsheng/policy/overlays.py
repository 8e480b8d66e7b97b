"""Overlays: changes to chosen parameters from a date — a pooling region's override of the
regional defaults (统筹区, ``policy/regions/``) or a what-if reform. The leaf's own values before
the overlay's first date stay; the overlay's values apply from then on, each with its own
reference and status."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from minsheng.core import divisions
from minsheng.core.errors import invalid
from minsheng.policy import yamlio
from minsheng.policy.files import STATUSES, Reference, ValueEntry, file_error, references, to_date


@dataclass(frozen=True)
class Overlay:
    """Changes to chosen leaves from a date: a region's override or a what-if reform."""

    name: str
    description: str
    region: str | None  # a division code, or None for everywhere
    changes: Mapping[str, tuple[ValueEntry, ...]]
    units: Mapping[str, str]  # unit stated by the overlay for a path, checked on apply
    origin: str = ""  # the file it came from, named in its errors (a region pack's files)

    @property
    def source(self) -> str:
        return f"region:{self.region}" if self.region else f"reform:{self.name}"


def parse_overlay(data: Mapping[str, Any], name: str) -> Overlay:
    if not isinstance(data, Mapping) or "changes" not in data:
        raise file_error(
            name, "overlay_format", "覆盖文件缺少changes", "an overlay needs 'changes'"
        )
    region = data.get("region")
    if region is not None:
        region = divisions.get(str(region), "region").code
    source = f"region:{region}" if region else f"reform:{name}"
    default_ref = references(data.get("reference"), name)
    default_status = data.get("status")
    changes: dict[str, tuple[ValueEntry, ...]] = {}
    units: dict[str, str] = {}
    for path, change in (data["changes"] or {}).items():
        path = str(path)
        if not isinstance(change, Mapping) or "values" not in change:
            raise file_error(
                path,
                "overlay_format",
                f"{path}的修改缺少values",
                f"the change of {path} needs values",
            )
        meta = change.get("metadata") or {}
        unit = change.get("unit") or meta.get("unit")
        if unit:
            units[path] = str(unit)
        ref = references(change.get("reference"), path) or default_ref
        status = meta.get("status") or change.get("status") or default_status
        # Values are converted once the target's unit is known (in ParameterTree.with_overlay).
        raw_entries = []
        for key, item in change["values"].items():
            if not isinstance(item, Mapping) or "value" not in item:
                raise file_error(path, "value_missing", f"{path}缺少value", f"{path}: no 'value'")
            item_status = (item.get("metadata") or {}).get("status") or status or "assumed"
            if item_status not in STATUSES:
                raise file_error(
                    path,
                    "status_missing",
                    "status应为official或assumed",
                    "status is official or assumed",
                )
            raw_entries.append(
                ValueEntry(
                    to_date(key, path),
                    item["value"],
                    references(item.get("reference"), path) or ref or (Reference(name, ""),),
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
