"""One synthetic population for the whole platform (issue 11, point 6).

``generator.generate`` draws people and households (numpy, deterministic by seed, every shape
from ``assumptions.yaml``); programmes add their own columns through
``extensions.register`` (see that module for the hook); two sinks write the result:

- ``parquet`` — partitions for the microsimulation (``minsheng sim population``);
- ``database`` — bulk inserts into the registry for demonstrations (``minsheng demo seed``),
  with names, resident IDs (encrypted by their column type), phones, households, enrolments,
  special statuses, employers and facilities.

Layering: the generator and the extension registry import only ``core``; the Parquet sink adds
``pyarrow``; the database sink (imported on its own, never from here) reads the registry's
tables. ``sim`` and ``demo`` both build on this package, neither on the other.
"""

from minsheng.core.statuses import GROUPS
from minsheng.population.extensions import Extension, extend, register, registered
from minsheng.population.generator import Partition, assumptions, generate

__all__ = [
    "GROUPS",
    "Extension",
    "Partition",
    "assumptions",
    "extend",
    "generate",
    "register",
    "registered",
]
