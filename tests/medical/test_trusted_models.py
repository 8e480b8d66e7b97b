"""``reads.trusted`` builds a settlement's answer and its steps without pydantic's per-field
loop: it must make exactly what ``model_construct`` makes — the same fields, the same set of
fields given, the same JSON — and refuse nothing silently (a field left out is caught here, not
in an answer)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from minsheng.medical.reads import OUT_FIELDS, trusted
from minsheng.medical.schemas import FundStep, SettlementOut


def _step(**over: Any) -> dict[str, Any]:
    base = {
        "fund": "basic", "base": 1000, "deductible": 100, "ratio": "0.5", "cap_left": None,
        "cap_reached": False, "amount": 450, "parameters": [{"path": "a.b", "value": 1}],
        "terms": [], "admission": None, "bands": [1, 2], "counted": 900, "segments": None,
        "threshold_basis": None,
    }  # fmt: skip
    return base | over


def _same(a: Any, b: Any) -> None:
    assert a.__dict__ == b.__dict__
    assert a.model_fields_set == b.model_fields_set
    assert a.__pydantic_extra__ == b.__pydantic_extra__
    assert a.__pydantic_private__ == b.__pydantic_private__
    assert a.model_dump_json() == b.model_dump_json() and a == b


def test_a_step_is_what_model_construct_makes() -> None:
    for values in (_step(), _step(cap_left=0, cap_reached=True, admission=2, segments=[1, 1])):
        _same(trusted(FundStep, dict(values)), FundStep.model_construct(**values))
    assert set(_step()) == set(FundStep.model_fields)  # every field named: nothing defaulted


def test_an_answer_is_what_model_construct_makes() -> None:
    values: dict[str, Any] = {f: 0 for f in OUT_FIELDS}
    values.update(
        id=7, kind="settle", service_date=dt.date(2026, 1, 2), visit="outpatient",
        scheme="resident", area="local", tilted=None, commercial=None, reverses_id=None,
        reversed_by_id=None, fingerprint="f" * 64,
    )  # fmt: skip
    steps = [trusted(FundStep, _step())]
    full = values | {
        "explanation": steps, "preview": False, "preview_id": None, "expires_at": None,
        "person": None,
    }  # fmt: skip
    assert set(full) == set(SettlementOut.model_fields)  # out_of names every field
    _same(trusted(SettlementOut, dict(full)), SettlementOut.model_construct(**full))


def test_a_field_left_out_is_an_error_not_a_hole() -> None:
    import pytest

    values = _step()
    del values["counted"]
    with pytest.raises(KeyError, match="counted"):
        trusted(FundStep, values)
