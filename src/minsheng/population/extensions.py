"""How a programme adds its own columns to the synthetic population.

A programme registers an :class:`Extension`: a function that receives a generated
:class:`~minsheng.population.generator.Partition` and a random generator of its own, and adds
columns to ``households`` / ``persons`` or whole tables of its own (``bills``, ``contributions``,
``vacancies``…), in place, as numpy arrays of the partition's length::

    from minsheng.population import Extension, register

    def contributions(part, rng):
        p = part.persons
        years = np.where(p["works"], rng.integers(0, 30, len(p["age"])), 0)
        part.persons["contribution_years"] = years            # a column on persons
        part.data["contributions"] = {"person": ..., "year": ..., "amount": ...}  # a table

    register(Extension("pensions", contributions, after=("assistance",)))

Rules of the hook:

- **Determinism.** The extension draws only from the ``rng`` it is given:
  ``default_rng([seed, partition, crc32(name)])``. The core's draws and every other extension's
  are therefore unchanged when a programme is added, removed or reordered.
- **Order.** Extensions run in registration order, after the ones named in ``after`` (which
  must be registered first); an extension may read what those added.
- **Sinks.** ``sinks`` says where the columns go: ``"parquet"`` (``minsheng sim population``
  writes every added column and table beside the core ones) and/or ``"database"`` (the demo
  seed; the extension's ``write`` then gets an open connection and the ids of the inserted rows
  to bulk-insert its tables). Most programmes only need the microsimulation.
- **Money** is integer fen; shapes come from the programme's own section of
  ``population/assumptions.yaml`` (marked ``source: assumed`` unless a figure is published).

Registration normally happens when the programme's package is imported (its descriptor names
the module); ``minsheng.sim.population`` registers the assistance (income and assets) and
medical (bills) extensions the current model reads.
"""

from __future__ import annotations

import zlib
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np

from minsheng.population.generator import Partition

SINKS = ("parquet", "database")


@dataclass(frozen=True)
class Extension:
    name: str
    add: Callable[[Partition, np.random.Generator], None]
    sinks: tuple[str, ...] = ("parquet",)
    after: tuple[str, ...] = ()
    # database sink only: write(connection, partition, ids) bulk-inserts the extension's rows;
    # ``ids`` maps "households" / "persons" to the database ids of the partition's rows
    write: Callable[[Any, Partition, dict[str, np.ndarray]], int] | None = None


_REGISTRY: dict[str, Extension] = {}


def register(ext: Extension) -> Extension:
    """Add (or replace, by name) an extension. Returns it, so it can decorate a module constant."""
    unknown = [s for s in ext.sinks if s not in SINKS]
    missing = [n for n in ext.after if n not in _REGISTRY and n != ext.name]
    if unknown or missing:
        raise ValueError(f"extension {ext.name}: unknown sinks {unknown} or missing {missing}")
    _REGISTRY[ext.name] = ext
    return ext


def unregister(name: str) -> None:
    _REGISTRY.pop(name, None)


def registered(sink: str | None = None) -> list[Extension]:
    """The extensions for ``sink`` (all when None), in registration order."""
    return [e for e in _REGISTRY.values() if sink is None or sink in e.sinks]


def stream(seed: int, index: int, name: str) -> np.random.Generator:
    """The extension's own random stream for partition ``index`` of ``seed``."""
    return np.random.default_rng([seed, index, zlib.crc32(name.encode("utf-8"))])


def extend(part: Partition, sink: str, only: tuple[str, ...] | None = None) -> Partition:
    """Run the registered extensions of ``sink`` (or just ``only``) on ``part``, in place."""
    for ext in registered(sink):
        if only is None or ext.name in only:
            ext.add(part, stream(part.seed, part.index, ext.name))
    return part
