"""Reading settlements: a settlement as the API shows it (:func:`out`, its explanation rendered
from the rules' steps by :func:`render`), and the reads staff may make — a settlement of their
region's hospital or patient, a person's settlements of a year. Elsewhere answers as unknown."""

from __future__ import annotations

import json
from typing import Any, TypeVar

from pydantic import BaseModel
from sqlalchemy import select
from sqlalchemy.orm import Session

from minsheng.core.errors import NotFoundError
from minsheng.foundation import audit
from minsheng.foundation.principals import Principal
from minsheng.medical import rules
from minsheng.medical.models import Settlement
from minsheng.medical.schemas import FundStep, SettlementOut
from minsheng.policy import ValueInfo
from minsheng.registry.models import Facility, Person

# ----------------------------------------------------------------------------- explanation


M = TypeVar("M", bound=BaseModel)


def trusted(cls: type[M], values: dict[str, Any]) -> M:
    """``cls.model_construct(**values)`` for ``values`` that name every field of ``cls`` (no
    aliases, no defaults to fill, no extras, no private state): the same instance, without
    pydantic's per-field loop (a settlement's answer and its steps are built a few thousand
    times a second). ``tests/medical/test_trusted_models.py`` holds it equal to
    ``model_construct``."""
    m = cls.__new__(cls)
    fields = cls.__pydantic_fields__  # in their declared order, as model_construct sets them
    object.__setattr__(m, "__dict__", {name: values[name] for name in fields})
    object.__setattr__(m, "__pydantic_fields_set__", set(fields))
    object.__setattr__(m, "__pydantic_extra__", None)
    object.__setattr__(m, "__pydantic_private__", None)
    return m


def render(steps: list[rules.Step]) -> list[FundStep]:
    """The rules' steps as the API shows them (each parameter with value, date and source)."""
    return [
        trusted(  # the rules' own values: ints, strings, None — no coercion
            FundStep,
            {
                "fund": s.fund,
                "base": s.base,
                "deductible": s.deductible,
                "ratio": s.ratio,
                "cap_left": s.cap_left,
                "cap_reached": s.cap_reached,
                "amount": s.amount,
                "parameters": [dict(info_dict(i)) for i in s.parameters],  # a copy: the cache's
                "terms": [{"name": x.name, "fact": x.fact, "added": x.added} for x in s.terms],
                "admission": s.admission,
                "bands": list(s.bands) if s.bands else None,
                "counted": s.counted,
                "segments": list(s.segments) if s.segments else None,
                "threshold_basis": s.threshold_basis,
            },
        )
        for s in steps
    ]


def info_dict(info: ValueInfo) -> dict[str, Any]:
    """A figure's dict as the explanation shows it, built once per figure: the figures of the
    rules in force are kept (``intake.params_on``), and so are theirs (by identity, the figure
    held, so an id is not reused while kept; at most :data:`INFOS_KEPT`)."""
    kept = _INFOS.get(id(info))
    if kept is not None and kept[0] is info:
        return kept[1]
    made = info.to_dict()
    if len(_INFOS) >= INFOS_KEPT:
        _INFOS.clear()
    _INFOS[id(info)] = (info, made)
    return made


INFOS_KEPT = 20_000  # explanation figures kept in memory: an engineering bound
_INFOS: dict[int, tuple[ValueInfo, dict[str, Any]]] = {}


OUT_FIELDS = (
    "id", "kind", "person_id", "year", "facility_id", "service_date", "visit", "scheme",
    "level", "area", "total", "full_self", "over_limit", "self_first", "policy", "basic", "ci",
    "assistance", "tilted", "commercial", "patient", "account", "cash", "reverses_id",
    "reversed_by_id", "fingerprint",
)  # fmt: skip


def out(s: Any, preview: bool = False) -> SettlementOut:
    """A settlement as the API shows it (``s``: a ``Settlement`` or a row of its table)."""
    return SettlementOut(
        **{f: getattr(s, f) for f in OUT_FIELDS},
        explanation=[FundStep(**x) for x in json.loads(s.explanation)],
        preview=preview,
    )


def out_of(values: dict[str, Any], steps: list[FundStep]) -> SettlementOut:
    """A settlement just made, from the columns written (``posting.values`` and its id) and its
    rendered steps: every value is already of its field's type, so nothing is validated again."""
    answer = {f: values.get(f) for f in OUT_FIELDS}
    answer.update(explanation=steps, preview=False, preview_id=None, expires_at=None, person=None)
    return trusted(SettlementOut, answer)


def _no_settlement(settlement_id: int) -> NotFoundError:
    return NotFoundError(
        "settlement_id",
        f"结算单{settlement_id}不存在",
        f"no settlement {settlement_id}",
        bo=f"འཛིན་ཐོ་ {settlement_id} མེད།",
    )


def _visible(
    session: Session, settlement_id: int, by: Principal
) -> tuple[Settlement, Facility, Person]:
    """A settlement whose hospital or patient lies in ``by``'s region. Any other answers as an
    unknown id does: a settlement elsewhere and no settlement look the same."""
    s = session.get(Settlement, settlement_id)
    if s is not None:
        facility = session.get(Facility, s.facility_id)
        person = session.get(Person, s.person_id)
        assert facility is not None and person is not None  # foreign keys
        if by.covers(facility.division_code) or by.covers(person.division_code):
            return s, facility, person
    raise _no_settlement(settlement_id)


def person_in_region(session: Session, person_id: int, by: Principal) -> Person:
    """A person of ``by``'s region by internal id; elsewhere answers as unknown does."""
    person = session.get(Person, person_id)
    if person is None or not by.covers(person.division_code):
        raise NotFoundError(
            "person_id",
            f"人员{person_id}不存在",
            f"no person {person_id}",
            bo=f"མི་ {person_id} མེད།",
        )
    return person


def get(session: Session, settlement_id: int, by: Principal) -> SettlementOut:
    """A settlement, for staff of the hospital's region or of the patient's."""
    s, facility, _ = _visible(session, settlement_id, by)
    audit.record(session, by, "read", "med_settlement", s.id, facility.division_code)
    return out(s)


def list_for(session: Session, person_id: int, year: int, by: Principal) -> list[SettlementOut]:
    person = person_in_region(session, person_id, by)
    audit.record(session, by, "read", "person", person.id, person.division_code)
    rows = session.scalars(
        select(Settlement)
        .where(Settlement.person_id == person_id, Settlement.year == year)
        .order_by(Settlement.id)
    ).all()
    return [out(s) for s in rows]
