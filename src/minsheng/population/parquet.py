"""The Parquet sink: a population directory of partitions, one file per table and partition.

Layout::

    meta.json                           people, households, per-table rows, seed, year, partitions
    part-00000.households.parquet       one file per table and partition (zstd)
    part-00000.persons.parquet
    part-00000.<extension table>.parquet

Of the generator's own columns only ``CORE`` is written (what the microsimulation reads); every
column or table an extension adds is written too.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

from minsheng.population.extensions import extend
from minsheng.population.generator import GENERATED, Partition, generate

CORE = {
    "households": ("household_id", "prefecture", "area", "members"),
    "persons": ("person_id", "household", "age", "scheme", "group", "grade", "border"),
}


def columns(part: Partition) -> dict[str, dict[str, Any]]:
    """The columns the sink writes: ``CORE`` of the generated tables, then what extensions added."""
    out: dict[str, dict[str, Any]] = {}
    for name, cols in part.tables().items():
        own = GENERATED.get(name, ())
        keep = [c for c in CORE.get(name, ()) if c in cols] + [c for c in cols if c not in own]
        out[name] = {c: cols[c] for c in keep}
    return out


def partition(
    people: int, seed: int, index: int, year: int, first_household: int = 0, first_person: int = 0
) -> Partition:
    """One generated and extended partition, as it is written (ages on 30 June of ``year``)."""
    part = generate(people, seed, index, dt.date(year, 6, 30), first_household, first_person)
    return extend(part, "parquet")


def write(
    out: Path,
    people: int,
    seed: int,
    year: int,
    partition_size: int = 250_000,
    progress: Callable[[int, int], None] | None = None,
) -> dict[str, Any]:
    """Generate and write a population; returns its ``meta.json``."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    out.mkdir(parents=True, exist_ok=True)
    for old in out.glob("part-*.parquet"):
        old.unlink()
    parts = max(1, -(-people // partition_size))
    done = first_h = first_p = 0
    rows: dict[str, int] = {}
    tables: list[str] = []
    for k in range(parts):
        n = min(partition_size, people - done)
        part = partition(n, seed, k, year, first_h, first_p)
        for name, cols in columns(part).items():
            pq.write_table(pa.table(cols), out / f"part-{k:05d}.{name}.parquet", compression="zstd")
            rows[name] = rows.get(name, 0) + len(next(iter(cols.values()))) if cols else 0
            if name not in tables:
                tables.append(name)
        first_h += len(part.households["household_id"])
        first_p += len(part.persons["person_id"])
        done += n
        if progress:
            progress(done, people)
    meta = {
        "people": first_p,
        "households": first_h,
        **{name: rows[name] for name in tables if name not in ("households", "persons")},
        "seed": seed,
        "year": year,
        "partitions": parts,
        "tables": tables,
        "generator": 2,
    }
    (out / "meta.json").write_text(json.dumps(meta, indent=2), encoding="utf-8")
    return meta


def meta(directory: Path) -> dict[str, Any]:
    from minsheng.core.errors import invalid

    path = directory / "meta.json"
    if not path.exists():
        raise invalid(
            "population",
            "missing",
            f"{directory}中没有模拟人口，请先运行 minsheng sim population",
            f"no population in {directory}: run `minsheng sim population` first",
        )
    data: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    return data


def read(directory: Path, k: int, tables: tuple[str, ...] | None = None) -> Partition:
    """Partition ``k`` (every table of ``meta.json`` unless ``tables`` names some)."""
    import pyarrow.parquet as pq

    m = meta(directory)
    names = tables or tuple(m.get("tables", ("households", "persons", "bills")))
    data = {}
    for name in names:
        t = pq.read_table(directory / f"part-{k:05d}.{name}.parquet")
        data[name] = {c: t.column(c).to_numpy() for c in t.column_names}
    return Partition(data, index=k, seed=int(m["seed"]), today=dt.date(int(m["year"]), 6, 30))


def iter_partitions(directory: Path) -> Iterator[Partition]:
    for k in range(meta(directory)["partitions"]):
        yield read(directory, k)
