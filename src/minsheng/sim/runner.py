"""Run baseline and reform over a whole population: in this process, or on Dask.

The population's partitions (by household) are evaluated independently — each with the live
rules under the baseline tree and under the reform tree — and their integer aggregates added, so
the in-process run and a Dask run give the same fen. Only the programmes whose parameter
prefixes (``PROGRAMME.parameters``) the reform touches are computed again for the reform; the
others' baseline is reused.
"""

from __future__ import annotations

import datetime as dt
import json
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np

from minsheng import programmes
from minsheng.core import divisions
from minsheng.policy import Overlay, ParameterTree, load, parse_overlay
from minsheng.sim import model
from minsheng.sim.population import meta, read

PREFECTURES = [p.code for p in divisions.prefectures()]


_trees: dict[str, ParameterTree] = {}  # per process: a worker builds each reform's tree once


def _plain(obj: Any) -> Any:
    """A reform as JSON-able data with its keys in order (dates as text): a cache key."""
    if isinstance(obj, dict):
        return sorted((str(k), _plain(v)) for k, v in obj.items())
    if isinstance(obj, list | tuple):
        return [_plain(v) for v in obj]
    return str(obj)


def overlays_of(data: dict[str, Any], name: str = "reform") -> list[Overlay]:
    """A reform's overlays: one overlay file's data, or ``{"overlays": [...]}`` — several, each
    with its own ``region`` (a prefecture's own change, or ``540000`` for the regional default
    that prefectures without their own value follow), applied in order after the regions' own
    overrides."""
    if "overlays" in data:
        return [parse_overlay(o, f"{name}.{i}") for i, o in enumerate(data["overlays"])]
    return [parse_overlay(data, name)]


def merged(data: dict[str, Any] | None, name: str = "reform") -> Overlay | None:
    """Every change of a reform in one overlay (for its start date and the programmes it
    touches); the region of each change is kept in the report's ``overlays``."""
    if data is None:
        return None
    parts = overlays_of(data, name)
    if len(parts) == 1:
        return parts[0]
    changes: dict[str, tuple[Any, ...]] = {}
    for o in parts:
        for path, entries in o.changes.items():
            changes[path] = (*changes.get(path, ()), *entries)
    return Overlay(name, str(data.get("description", "")), None, changes, {})


def reform_tree(data: dict[str, Any] | None, name: str = "reform") -> ParameterTree:
    """The reform's tree, checked before anything runs (unknown parameter, wrong unit, a date
    before the parameter's first value, out of range: a clear error)."""
    if data is None:
        return load()
    key = name + json.dumps(_plain(data), ensure_ascii=False)
    tree = _trees.get(key)
    if tree is None:
        if len(_trees) >= 8:
            _trees.clear()
        tree = load()
        for o in overlays_of(data, name):
            tree = tree.with_overlay(o)
        _trees[key] = tree
    return tree


def as_of_date(overlay: Overlay | None, default: dt.date) -> dt.date:
    """Simulate on the reform's (latest) start date, or ``default``."""
    if overlay is None:
        return default
    starts = [e.start for entries in overlay.changes.values() for e in entries]
    return max(starts) if starts else default


def decile_edges(directory: Path) -> np.ndarray:
    """Deciles of per-capita household income over the whole population (integer fen)."""
    import pyarrow.parquet as pq

    m = meta(directory)
    per_capita = []
    for k in range(m["partitions"]):
        t = pq.read_table(
            directory / f"part-{k:05d}.households.parquet", columns=["income", "members"]
        )
        inc, mem = t.column("income").to_numpy(), t.column("members").to_numpy()
        per_capita.append(model.per_capita(inc, mem))
    # the edges are households' own per-capita incomes (integer fen), not interpolations
    edges: np.ndarray = np.percentile(
        np.concatenate(per_capita), np.arange(10, 100, 10), method="lower"
    )
    return edges.astype(np.int64)


def rerun_for(overlay: Overlay | None) -> tuple[str, ...]:
    """The microsimulated programmes a reform touches (by parameter prefix), in order."""
    if overlay is None:
        return ()
    return tuple(programmes.touched_by(list(overlay.changes)))


def run_partition(
    directory: str,
    k: int,
    reform_data: dict[str, Any] | None,
    reform_name: str,
    as_of: dt.date,
    edges: np.ndarray,
    rerun: tuple[str, ...],
) -> model.Aggregates:
    """One partition, baseline and reform (what runs on a Dask worker): the programmes in
    ``rerun`` are computed again under the reform, the others' baseline is reused."""
    part = read(Path(directory), k)
    base_tree = load()
    base = model.simulate(part, base_tree, as_of)
    reform = dict(base)
    if rerun:
        reform.update(model.simulate(part, reform_tree(reform_data, reform_name), as_of, rerun))
    return model.aggregate(part, base, reform, PREFECTURES, edges)


def run(
    directory: Path,
    reform_data: dict[str, Any] | None = None,
    reform_name: str = "reform",
    as_of: dt.date | None = None,
    client: Any = None,
    progress: Callable[[int, int], None] | None = None,
) -> dict[str, Any]:
    """Baseline and reform over the population in ``directory``; a report (amounts in fen)."""
    t0 = time.perf_counter()
    overlay = merged(reform_data, reform_name)
    reform_tree(reform_data, reform_name)  # checks the reform before any computing
    m = meta(directory)
    day = as_of or as_of_date(overlay, dt.date(m["year"], 6, 30))
    rerun = rerun_for(overlay)
    edges = decile_edges(directory)
    args = (reform_data, reform_name, day, edges, rerun)
    parts = range(m["partitions"])
    total: model.Aggregates | None = None
    if client is None:
        for k in parts:
            agg = run_partition(str(directory), k, *args)
            total = agg if total is None else total.add(agg)
            if progress:
                progress(k + 1, m["partitions"])
        workers = 1
    else:
        n = len(parts)
        columns = [[str(directory)] * n, list(parts), *[[a] * n for a in args]]
        futures = client.map(run_partition, *columns, pure=False)
        from distributed import as_completed

        for done, fut in enumerate(as_completed(futures), 1):  # type: ignore[no-untyped-call]
            agg = fut.result()
            total = agg if total is None else total.add(agg)
            if progress:
                progress(done, m["partitions"])
        workers = len(client.scheduler_info()["workers"])
    assert total is not None
    out = report(total, m, day, overlay, time.perf_counter() - t0, workers, rerun)
    if reform_data is not None and out["reform"] is not None:
        out["reform"]["overlays"] = [
            {
                "region": o.region,
                "changes": {
                    path: [{"start": e.start.isoformat(), "value": str(e.value)} for e in entries]
                    for path, entries in o.changes.items()
                },
            }
            for o in overlays_of(reform_data, reform_name)
        ]
    return out


def report(
    agg: model.Aggregates,
    m: dict[str, Any],
    day: dt.date,
    overlay: Overlay | None,
    seconds: float,
    workers: int,
    rerun: tuple[str, ...],
) -> dict[str, Any]:
    progs = []
    names = model.outputs()
    quiet = model.outputs_where_paid()
    for p in names:
        b, r = agg.cost[f"baseline:{p}"], agg.cost[f"reform:{p}"]
        if p in quiet and not (b.any() or r.any()):
            continue  # a layer no region settles (Tibet: 倾斜救助, the commercial layer)
        progs.append(
            {
                "programme": p,
                "baseline": int(b.sum()),
                "reform": int(r.sum()),
                "change": int((r - b).sum()),
                "beneficiaries_baseline": int(agg.beneficiaries[f"baseline:{p}"].sum()),
                "beneficiaries_reform": int(agg.beneficiaries[f"reform:{p}"].sum()),
                "by_prefecture": {
                    code: {"baseline": int(b[i]), "reform": int(r[i])}
                    for i, code in enumerate(agg.prefectures)
                },
            }
        )
    deciles = [
        {
            "decile": i + 1,
            "households": int(n),
            "baseline": int(b),
            "reform": int(r),
            "change_per_household": int((r - b) // n) if n else 0,
        }
        for i, (n, b, r) in enumerate(agg.by_decile)
    ]
    return {
        "as_of": day.isoformat(),
        "population": {"people": agg.people, "households": agg.households, "seed": m["seed"]},
        "reform": None
        if overlay is None
        else {
            "name": overlay.name,
            "changes": {
                path: [{"start": e.start.isoformat(), "value": str(e.value)} for e in entries]
                for path, entries in overlay.changes.items()
            },
        },
        "recomputed": {p.name: p.name in rerun for p in programmes.microsimulated()},
        "programmes": progs,
        "by_prefecture": {
            code: {
                scenario: int(sum(agg.cost[f"{scenario}:{p}"][i] for p in names))
                for scenario in ("baseline", "reform")
            }
            for i, code in enumerate(agg.prefectures)
        },
        "total": {
            "baseline": sum(x["baseline"] for x in progs),
            "reform": sum(x["reform"] for x in progs),
            "change": sum(x["change"] for x in progs),
        },
        "winners": {"households": int(agg.winners[0]), "gain": int(agg.winners[1])},
        "losers": {"households": int(agg.losers[0]), "loss": int(agg.losers[1])},
        "deciles": deciles,
        "poverty": poverty(agg),
        "seconds": round(seconds, 2),
        "workers": workers,
    }


def poverty(agg: model.Aggregates, output: str = "dibao") -> dict[str, Any]:
    """Households and people below the 低保 line before and after, by prefecture: those the
    rules find eligible (``output`` paid, i.e. per-capita income under the prefecture's
    standard and assets within the limit) — the microsimulation's own outputs."""
    if f"baseline:{output}" not in agg.cost or len(agg.households_by) != len(agg.prefectures):
        return {}
    out: dict[str, Any] = {}
    for i, code in enumerate([*agg.prefectures, "total"]):
        pick = slice(None) if code == "total" else slice(i, i + 1)
        row: dict[str, Any] = {
            "households": int(agg.households_by[pick].sum()),
            "people": int(agg.people_by[pick].sum()),
        }
        for scenario in ("baseline", "reform"):
            row[scenario] = {
                "households": int(agg.beneficiaries[f"{scenario}:{output}"][pick].sum()),
                "people": int(agg.members[f"{scenario}:{output}"][pick].sum()),
            }
        out[code] = row
    return out


def worker_settings() -> dict[str, Any]:
    """Dask settings for numpy-heavy partitions, measured on this machine.

    Dask's nanny gives workers ``MALLOC_TRIM_THRESHOLD_=65536``, and a worker computes in a
    thread of its own, whose glibc arena is trimmed and re-mapped around every large numpy
    buffer: a partition took 2–3× as long in a worker as in a plain process. One malloc arena
    (``MALLOC_ARENA_MAX=1``) with glibc's own thresholds brings it back to the in-process time.
    The statistical profiler and the frequent monitors are turned down too.
    """
    import dask
    import distributed  # noqa: F401  (loads its configuration defaults)

    environ = dict(dask.config.get("distributed.nanny.pre-spawn-environ"))
    environ.pop("MALLOC_TRIM_THRESHOLD_", None)
    environ["MALLOC_ARENA_MAX"] = "1"
    return {
        "distributed.nanny.pre-spawn-environ": environ,
        "distributed.worker.profile.enabled": False,
        "distributed.admin.system-monitor.interval": "5s",
    }


def local_cluster(workers: int) -> tuple[Any, Any]:
    """A Dask LocalCluster of ``workers`` processes (one thread each) and its client."""
    import dask
    from distributed import Client, LocalCluster

    with dask.config.set(worker_settings()):
        cluster = LocalCluster(  # type: ignore[no-untyped-call]
            n_workers=workers, threads_per_worker=1, processes=True, dashboard_address=None
        )
    return cluster, Client(cluster)  # type: ignore[no-untyped-call]
