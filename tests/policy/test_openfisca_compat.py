"""The parameter files stay in OpenFisca's format: openfisca-core loads them with the same values."""

import datetime as dt
from decimal import Decimal

import numpy as np
import pytest

from minsheng.policy import load
from minsheng.policy.parameters import PARAMETERS_DIR

openfisca = pytest.importorskip("openfisca_core.parameters")


@pytest.fixture(scope="module")
def of_root():  # type: ignore[no-untyped-def]
    return openfisca.ParameterNode("root", directory_path=str(PARAMETERS_DIR))


def test_every_leaf_value_agrees(of_root) -> None:  # type: ignore[no-untyped-def]
    tree = load()
    checked = 0
    for leaf in tree.leaves():
        if ".brackets[" in leaf.path:
            continue
        for e in leaf.entries:
            ours = tree.at(e.start)[leaf.path]
            theirs = of_root(e.start.isoformat())
            for part in leaf.path.split("."):
                theirs = theirs[part]
            if leaf.unit.startswith("currency"):
                assert Decimal(str(theirs)) * 100 == ours, leaf.path
            elif isinstance(ours, bool):
                assert bool(theirs) is ours, leaf.path
            elif isinstance(ours, str):  # a ``codes`` leaf (group_precedence)
                assert str(theirs) == ours, leaf.path
            else:
                assert Decimal(str(theirs)) == Decimal(ours), leaf.path
            checked += 1
    assert checked > 60


def test_scale_agrees(of_root) -> None:  # type: ignore[no-untyped-def]
    day = dt.date(2024, 6, 1)
    ours = load().at(day).scale("medical.critical_illness.scale")
    theirs = of_root.medical.critical_illness.scale(day.isoformat())
    fen = np.array([0, 1, 4_999_999, 5_000_000, 12_345_678, 99_999_999], dtype=np.int64)
    theirs_fen = np.asarray(theirs.calc(fen / 100)) * 100
    assert np.all(np.abs(ours.calc(fen) - theirs_fen) <= 0.5 + 1e-6)
