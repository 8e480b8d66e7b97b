"""YAML reading that keeps numbers exact: floats become Decimal, read from their text."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path
from typing import Any

import yaml


class ExactLoader(yaml.SafeLoader):
    """A SafeLoader whose floats are Decimals (0.7 stays exactly 7/10)."""


def _decimal(loader: yaml.SafeLoader, node: yaml.Node) -> Decimal:
    assert isinstance(node, yaml.ScalarNode)
    text = str(loader.construct_scalar(node)).replace("_", "")
    return Decimal(text)


def _timestamp(loader: yaml.SafeLoader, node: yaml.Node) -> Any:
    """A date as YAML reads it; one that is no date (2026-02-30) stays text, for the reader to
    refuse naming its place (``files.to_date``: ``date_format``)."""
    assert isinstance(node, yaml.ScalarNode)
    try:
        return loader.construct_yaml_timestamp(node)
    except ValueError:
        return str(node.value)


ExactLoader.add_constructor("tag:yaml.org,2002:float", _decimal)
ExactLoader.add_constructor("tag:yaml.org,2002:timestamp", _timestamp)


def read(path: Path) -> Any:
    with path.open(encoding="utf-8") as fh:
        return yaml.load(fh, Loader=ExactLoader)


def read_text(text: str) -> Any:
    return yaml.load(text, Loader=ExactLoader)
