"""One synthetic population (issue 11, point 6): one generator, shaped only by
``population/assumptions.yaml``, deterministic by seed, extended by programmes through a hook,
written by a Parquet and a database sink; ``sim`` and the generator never import ``demo``."""

from __future__ import annotations

import ast
import datetime as dt
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from sqlalchemy import Engine, func, select

from minsheng.core import ids
from minsheng.population import Extension, extensions, generate, generator, parquet, register
from minsheng.population.database import resident_ids

SRC = Path(__file__).resolve().parents[2] / "src" / "minsheng"
DAY = dt.date(2026, 6, 30)


def _imports(path: Path) -> set[str]:
    out: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            out |= {a.name for a in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module:
            out.add(node.module)
    return out


def test_sim_and_the_generator_never_import_demo_and_the_generator_stays_low() -> None:
    for path in [*SRC.glob("sim/**/*.py"), *SRC.glob("population/*.py")]:
        assert not any(n.startswith("minsheng.demo") for n in _imports(path)), path
    for name in ("generator.py", "extensions.py", "__init__.py"):
        ours = {n.split(".")[1] for n in _imports(SRC / "population" / name) if "." in n}
        ours &= {p.name for p in SRC.iterdir()}
        assert ours <= {"core", "population"}, (name, ours)


def test_exactly_the_people_asked_for_deterministic_by_seed_and_partition() -> None:
    a, b = generate(5_003, seed=4, index=2, today=DAY), generate(5_003, seed=4, index=2, today=DAY)
    c = generate(5_003, seed=4, index=3, today=DAY)
    assert len(a.persons["age"]) == 5_003 == int(a.households["members"].sum())
    for t in ("households", "persons"):
        for col in generator.GENERATED[t]:
            assert np.array_equal(a.tables()[t][col], b.tables()[t][col]), col
    assert not np.array_equal(a.persons["age"], c.persons["age"])
    heads = a.heads()
    assert (a.persons["relationship"][heads] == 0).all()  # every household has its head first
    assert (a.persons["relationship"] == 0).sum() == len(heads)


def test_shapes_come_from_the_assumptions_file(monkeypatch: pytest.MonkeyPatch) -> None:
    base = generate(20_000, seed=1, today=DAY)
    urban = float((base.households["area"] == 0).mean())
    assert abs(urban - generator.assumptions()["urban_share"]["value"]) < 0.02  # census 35.73%
    assert abs(float((base.persons["scheme"] >= 0).mean()) - 0.965) < 0.01
    changed = dict(generator.assumptions())
    changed["enrolment"] = {**changed["enrolment"], "insured_rate": 0.5}
    monkeypatch.setattr(generator, "assumptions", lambda: changed)
    other = generate(20_000, seed=1, today=DAY)
    assert abs(float((other.persons["scheme"] >= 0).mean()) - 0.5) < 0.02


@pytest.fixture
def toy() -> Iterator[list[tuple[Any, ...]]]:
    """A toy programme: a column on persons, a table of its own, and a database writer."""
    calls: list[tuple[Any, ...]] = []

    def add(part: generator.Partition, rng: np.random.Generator) -> None:
        n = len(part.persons["age"])
        part.persons["toy_years"] = np.where(part.persons["works"], rng.integers(1, 30, n), 0)
        worker = np.flatnonzero(part.persons["works"]).astype(np.int64)
        part.data["toy_jobs"] = {"person": worker, "wage": rng.integers(1, 10**6, len(worker))}

    def write(conn: Any, part: generator.Partition, ids_of: dict[str, np.ndarray]) -> int:
        calls.append((len(part.persons["age"]), int(ids_of["persons"][0])))
        return 0

    register(Extension("toy", add, sinks=("parquet", "database"), write=write))
    yield calls
    extensions.unregister("toy")


def test_a_programme_adds_columns_and_tables_without_changing_anything_else(
    tmp_path: Path, toy: list[tuple[Any, ...]]
) -> None:
    from minsheng.sim import population as simpop  # registers assistance and medical

    with_toy = tmp_path / "with"
    m = parquet.write(with_toy, 12_000, seed=3, year=2026, partition_size=5_000)
    assert set(m["tables"]) == {"households", "persons", "bills", "toy_jobs"} and m["toy_jobs"] > 0
    part = simpop.read(with_toy, 1)
    assert "toy_years" in part.persons and len(part.data["toy_jobs"]["person"]) > 0
    assert "county" not in part.households  # generator-only columns stay out of Parquet
    extensions.unregister("toy")
    plain = tmp_path / "plain"
    parquet.write(plain, 12_000, seed=3, year=2026, partition_size=5_000)
    other = simpop.read(plain, 1)
    for t in ("households", "persons", "bills"):
        for col, values in other.tables()[t].items():
            assert np.array_equal(values, part.tables()[t][col]), (t, col)


def test_the_database_sink_runs_database_extensions(
    engine: Engine, toy: list[tuple[Any, ...]]
) -> None:
    from minsheng.demo.population import seed
    from minsheng.registry.models import Person

    report = seed(engine, people=300, seed=8)
    with engine.connect() as conn:
        first = conn.scalar(select(func.min(Person.id)))
    assert toy == [(300, first)] and report.people == 300


def test_resident_ids_are_valid_and_unique_across_partitions() -> None:
    rng = np.random.default_rng(0)
    n = 480  # of the 500 sequence numbers per county, day and sex: many clashes to resolve
    county = np.array(["540102"] * n)
    birth = np.full(n, np.datetime64("2018-05-05"))  # after 2015: no retired codes
    male = np.ones(n, dtype=bool)
    seen: set[int] = set()
    numbers = resident_ids(rng, county, birth, male, seen)
    assert len(set(numbers)) == n == len(seen)
    for number, m in zip(numbers, male, strict=True):
        parsed = ids.parse_resident_id(number)
        assert parsed.sex == ("M" if m else "F")
    again = resident_ids(rng, county[:15], birth[:15], male[:15], seen)  # a second partition
    assert not set(again) & set(numbers)


def test_the_database_and_parquet_sinks_hold_the_same_people(engine: Engine) -> None:
    """One population, two sinks: the demo seed's households and people are the generator's."""
    from minsheng.assistance.household import age_between
    from minsheng.demo.population import seed
    from minsheng.registry.models import Household, Person

    today = dt.date(2026, 3, 1)
    seed(engine, people=700, seed=12, today=today)
    part = generate(700, seed=12, index=0, today=today)
    with engine.connect() as conn:
        counties = conn.scalars(select(Household.division_code).order_by(Household.id)).all()
        people = conn.execute(
            select(Person.birth_date, Person.hukou, Person.relationship_to_head).order_by(Person.id)
        ).all()
    assert list(counties) == part.households["county"].tolist()
    assert [age_between(b, today) for b, _, _ in people] == part.persons["age"].tolist()
    urban = (part.households["area"][part.persons["household"]] == 0).tolist()
    assert [h == "urban" for _, h, _ in people] == urban
    rel = [generator.RELATIONSHIPS[r] for r in part.persons["relationship"]]
    assert [r for _, _, r in people] == rel
