from collections import Counter

import pytest
from sqlalchemy import Engine, func, select

from minsheng.core import divisions, ids
from minsheng.core.errors import MinshengError
from minsheng.demo.population import seed
from minsheng.registry.models import Enrolment, Household, Person, SpecialStatus


def snapshot(engine: Engine) -> list[tuple[str, str, str]]:
    with engine.connect() as conn:
        return [
            tuple(r)
            for r in conn.execute(
                select(Person.id_number, Person.name_zh, Person.division_code).order_by(Person.id)
            )
        ]  # type: ignore[misc]


def test_seed_is_valid_realistic_and_refuses_a_second_run(engine: Engine) -> None:
    report = seed(engine, people=3000, seed=5)
    assert report.people == 3000
    with engine.connect() as conn:
        numbers = conn.scalars(select(Person.id_number)).all()
        assert len(set(numbers)) == 3000
        for n in numbers:
            ids.parse_resident_id(n)  # every ID is valid
        retired = [n for n in numbers if divisions.resolve(n[:6]).retired]
        assert retired, "some IDs carry retired division codes"
        heads = conn.scalar(select(func.count()).where(Person.relationship_to_head == "head"))
        assert heads == conn.scalar(select(func.count(Household.id))) == report.households
        counties = Counter(conn.scalars(select(Person.division_code)))
        prefs = Counter(divisions.get(c).parent_code for c in counties.elements())
        assert len(prefs) == 7
        assert prefs["540100"] > prefs["542500"]  # Lhasa is far larger than Ngari
        urban = conn.scalar(select(func.count()).where(Person.hukou == "urban")) / 3000
        assert 0.2 < urban < 0.5
        dibao = conn.scalar(select(func.count()).where(SpecialStatus.kind == "dibao")) / 3000
        assert 0.02 < dibao < 0.12
        insured = conn.scalar(select(func.count(Enrolment.id))) / 3000
        assert 0.9 < insured <= 1.0
    with pytest.raises(MinshengError) as err:
        seed(engine, people=10, seed=5)
    assert err.value.rule == "not_empty"


def test_seed_is_deterministic(engine: Engine, tmp_path) -> None:  # type: ignore[no-untyped-def]
    from minsheng.db import make_engine, upgrade

    seed(engine, people=500, seed=11)
    other = make_engine(f"sqlite:///{tmp_path / 'other.db'}")
    upgrade(other)
    seed(other, people=500, seed=11)
    assert snapshot(engine) == snapshot(other)
