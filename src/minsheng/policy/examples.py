"""Worked examples as tests an operator writes (``minsheng params test FILE …``).

A region publishes worked examples (政策解读 with 算例): a patient's bills and what each fund
paid, a household and its 低保. An operator writes each as YAML — the inputs, the date and
region, the region's own figures where they differ from the files (``parameters:``, an overlay's
``changes``), the expected amounts, and where the example was published (``reference:``) — and
runs them against the configuration, like OpenFisca's YAML tests. A miss names the example, the
place (which bill, which amount) and both values.

The file format (one example a file, or several under ``examples:``)::

    description: 三口之家，月收入1000元，标准600元
    reference: 民政部 民发〔2021〕57号 (https://…)
    programme: assistance        # or medical; inferred from the keys when left out
    date: 2026-06-01
    region: null                 # a division code, or null for the region-wide figures
    parameters:                  # optional: the region's figures, an overlay's changes
      assistance.dibao.standard.urban_monthly: {values: {2026-01-01: {value: 600}}}
    rule: determine              # then the programme's own inputs and expectations
    inputs: {…}
    expected: {…}

This module reads the files and builds each example's parameter tree; the programmes run them
(``minsheng.medical.examples`` / ``minsheng.assistance.examples``: ``run(example) -> [Miss]``).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from minsheng.core.errors import MinshengError
from minsheng.policy.files import file_error
from minsheng.policy.overlays import parse_overlay
from minsheng.policy.parameters import ParameterTree, load

PROGRAMMES = ("medical", "assistance")


@dataclass(frozen=True)
class Miss:
    """One expected value the configuration did not reproduce."""

    where: str  # e.g. "bill 2 basic", "dibao_amount"
    want: str
    got: str

    def line(self) -> str:
        return f"{self.where}: want {self.want}, got {self.got}"


@dataclass(frozen=True)
class Example:
    """One worked example, read from its file."""

    name: str  # the file's stem, and its index when the file holds several
    source: str  # the file it came from
    programme: str
    data: Mapping[str, Any]

    @property
    def description(self) -> str:
        return str(self.data.get("description", ""))

    @property
    def reference(self) -> str:
        ref = self.data.get("reference", "")
        return ref if isinstance(ref, str) else yaml.safe_dump(ref, allow_unicode=True).strip()

    @property
    def date(self) -> dt.date:
        raw = self.data.get("date")
        if isinstance(raw, dt.date):
            return raw
        try:
            return dt.date.fromisoformat(str(raw))
        except ValueError:
            raise self.error(
                "date", "example_date", "日期须为YYYY-MM-DD", "date: YYYY-MM-DD"
            ) from None

    @property
    def region(self) -> str | None:
        raw = self.data.get("region")
        return None if raw is None else str(raw)

    def tree(self, base: ParameterTree | None = None) -> ParameterTree:
        """The parameters the example is computed with: the files, plus its own figures."""
        tree = base if base is not None else load()
        changes = self.data.get("parameters")
        if not changes:
            return tree
        overlay = {"description": self.description, "region": None, "changes": changes}
        return tree.with_overlay(parse_overlay(overlay, f"{self.source}: parameters"))

    def error(self, field: str, rule: str, zh: str, en: str) -> MinshengError:
        return file_error(f"{self.source}: {field}", rule, zh, en)


def _programme(data: Mapping[str, Any], source: str) -> str:
    named = data.get("programme")
    if named is None:
        named = "medical" if "bills" in data else "assistance" if "rule" in data else None
    if named not in PROGRAMMES:
        raise file_error(
            f"{source}: programme",
            "example_programme",
            f"算例须写明programme（{'、'.join(PROGRAMMES)}）",
            f"an example names its programme ({', '.join(PROGRAMMES)})",
        )
    return str(named)


def read_examples(paths: Iterable[str | Path]) -> list[Example]:
    """Every example in the files (a folder: its ``*.yaml`` files, sorted, its subfolders'
    included — e.g. ``published/``), in order."""
    out: list[Example] = []
    for given in paths:
        path = Path(given)
        files = sorted(path.rglob("*.yaml")) if path.is_dir() else [path]
        for file in files:
            try:
                data = yaml.safe_load(file.read_text(encoding="utf-8"))
            except (OSError, UnicodeDecodeError, yaml.YAMLError) as err:
                raise file_error(
                    str(file), "example_file", "无法读取算例文件", f"cannot read: {err}"
                ) from None
            cases = data.get("examples") if isinstance(data, Mapping) else None
            items = cases if isinstance(cases, list) else [data]
            for i, item in enumerate(items):
                source = f"{file}" if len(items) == 1 else f"{file}#{i + 1}"
                if not isinstance(item, Mapping):
                    raise file_error(
                        source, "example_format", "算例须为映射", "an example is a mapping"
                    )
                name = file.stem if len(items) == 1 else f"{file.stem}#{i + 1}"
                out.append(Example(name, source, _programme(item, source), item))
    return out
