"""One vocabulary of statuses and groups (issue 11, point 7): every status kind used anywhere —
the registry's table (its check constraint), the parameters that list status codes, the
population's groups, the statuses an assistance programme confers, the registry's exclusive and
benefit sets — is a kind of ``minsheng.core.statuses`` with a label in Chinese, Tibetan and
English, and every place reads that one module rather than a list of its own."""

from __future__ import annotations

import re

import pytest

from minsheng import population
from minsheng.assistance import steps
from minsheng.core import statuses
from minsheng.medical import tables
from minsheng.policy import load
from minsheng.registry import statuses as status_records
from minsheng.registry import vocab
from minsheng.registry.models import SpecialStatus


def constraint_kinds() -> set[str]:
    for c in SpecialStatus.__table__.constraints:
        if str(getattr(c, "name", "")).endswith("_kind"):
            return set(re.findall(r"'([a-z_]+)'", str(c.sqltext)))  # type: ignore[attr-defined]
    raise AssertionError("no kind check constraint on SpecialStatus")


def parameter_kinds() -> dict[str, set[str]]:
    """Every status code a parameter lists (unit ``codes``, described as 身份代码), on any date;
    a code may carry a value after a colon (``dibao:2``: the gig market's priority points)."""
    out: dict[str, set[str]] = {}
    for leaf in load().leaves():
        if leaf.unit == "codes" and "身份" in leaf.description:
            out[leaf.path] = {
                c.split(":", 1)[0] for e in leaf.entries for c in str(e.value).split()
            }
    return out


def used() -> dict[str, set[str]]:
    where = {
        "registry check constraint": constraint_kinds(),
        "population groups": set(population.GROUPS) - {"none"},
        "statuses an assistance programme confers": set(statuses.CONFERRED_BY.values()),
        "exclusive statuses": set(statuses.EXCLUSIVE),
        "benefit statuses": set(statuses.BENEFIT),
        "statuses without a certificate": set(statuses.NO_CERTIFICATE),
        "registry vocabulary": set(vocab.STATUS_KINDS),
    }
    where.update({f"parameter {p}": kinds for p, kinds in parameter_kinds().items()})
    return where


def test_the_places_that_use_status_kinds_are_found() -> None:
    places = used()
    assert "parameter medical.assistance.group_precedence" in places
    assert "parameter medical.critical_illness.special_groups.statuses" in places
    assert all(kinds for kinds in places.values())


@pytest.mark.parametrize("place", sorted(used()))
def test_every_status_kind_used_is_in_the_one_vocabulary(place: str) -> None:
    missing = used()[place] - set(statuses.KINDS)
    assert missing == set(), f"{place} uses kinds the vocabulary lacks: {sorted(missing)}"


def test_the_registry_table_holds_exactly_the_vocabulary() -> None:
    assert constraint_kinds() == set(statuses.KINDS)


@pytest.mark.parametrize("kind", sorted(statuses.KINDS))
def test_every_kind_has_a_label_in_chinese_tibetan_and_english(kind: str) -> None:
    labels = {lang: statuses.label(kind, lang) for lang in ("zh", "bo", "en")}
    assert all(text.strip() for text in labels.values()), labels
    assert len(set(labels.values())) == 3, f"{kind}: a label is copied, not translated"
    assert re.search(r"[\u0f00-\u0fff]", labels["bo"]), f"{kind}: the bo label is not Tibetan"
    assert re.search(r"[\u4e00-\u9fff]", labels["zh"]), f"{kind}: the zh label is not Chinese"


def test_the_sets_are_what_the_registry_enforces() -> None:
    assert statuses.FROM_CASES <= statuses.BENEFIT <= set(statuses.KINDS)
    assert statuses.EXCLUSIVE <= statuses.BENEFIT
    assert set(statuses.CONFERRED_BY.values()) == statuses.FROM_CASES
    assert "unemployed" not in statuses.BENEFIT  # what a caseworker records alone opens nothing


def test_the_population_groups_follow_the_medical_group_order() -> None:
    assert tables.GROUPS[: len(statuses.GROUPS)] == statuses.GROUPS
    assert population.GROUPS == statuses.GROUPS


def test_every_place_reads_the_one_vocabulary() -> None:
    """Not a copy kept in step: the registry's labels, the population's groups, the statuses
    a programme confers and the registry's rules are the vocabulary's own objects."""
    assert vocab.STATUS_KINDS is statuses.KINDS
    assert population.GROUPS is statuses.GROUPS
    for name in ("EXCLUSIVE_STATUSES", "CASE_STATUSES", "BENEFIT_STATUSES", "NO_CERTIFICATE"):
        assert not hasattr(status_records, name), f"registry.statuses keeps its own {name}"
    assert not hasattr(steps, "STATUS_OF"), "assistance keeps its own map of statuses"
