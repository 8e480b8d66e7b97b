"""Reading settlements: a settlement as the API shows it (:func:`out`, its explanation rendered
from the rules' steps by :func:`render`), and the reads staff may make — a settlement of their
region's hospital or patient, a person's settlements of a year. Elsewhere answers as unknown."""

from __future__ import annotations

import json
from typing import Any

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


def render(steps: list[rules.Step]) -> list[FundStep]:
    """The rules' steps as the API shows them (each parameter with value, date and source)."""
    return [
        FundStep(
            fund=s.fund,
            base=s.base,
            deductible=s.deductible,
            ratio=s.ratio,
            cap_left=s.cap_left,
            cap_reached=s.cap_reached,
            amount=s.amount,
            parameters=[info_dict(i) for i in s.parameters],
            terms=[{"name": x.name, "fact": x.fact, "added": x.added} for x in s.terms],
            admission=s.admission,
            bands=list(s.bands) if s.bands else None,
            counted=s.counted,
            segments=list(s.segments) if s.segments else None,
            threshold_basis=s.threshold_basis,
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


def out(s: Any, preview: bool = False, steps: list[FundStep] | None = None) -> SettlementOut:
    """A settlement as the API shows it (``s``: a ``Settlement``, a row of its table, or a
    batch's values); ``steps``: its explanation already rendered (else read from its JSON)."""
    return SettlementOut(
        id=s.id,
        kind=s.kind,
        person_id=s.person_id,
        year=s.year,
        facility_id=s.facility_id,
        service_date=s.service_date,
        visit=s.visit,
        scheme=s.scheme,
        level=s.level,
        area=s.area,
        total=s.total,
        full_self=s.full_self,
        over_limit=s.over_limit,
        self_first=s.self_first,
        policy=s.policy,
        basic=s.basic,
        ci=s.ci,
        assistance=s.assistance,
        tilted=s.tilted,
        commercial=s.commercial,
        patient=s.patient,
        account=s.account,
        cash=s.cash,
        reverses_id=s.reverses_id,
        reversed_by_id=s.reversed_by_id,
        explanation=steps
        if steps is not None
        else [FundStep(**x) for x in json.loads(s.explanation)],
        preview=preview,
        fingerprint=s.fingerprint,
    )


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
