"""Whether a resident ID number is already registered — and how often one caller may be told so.

A registered ID number has one answer (409) whether the person lives in the caller's area or
elsewhere; each "registered elsewhere" answer is audited against the person found and bounded
per caller per UTC day, so registrations and imports cannot be used to learn who is registered
outside one's area."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import bindparam, func, select
from sqlalchemy.orm import Session

from minsheng.core.errors import ConflictError, MinshengError
from minsheng.foundation.crypto import lookup_hash
from minsheng.foundation.models import AuditEntry
from minsheng.foundation.principals import Principal
from minsheng.registry.models import Person

MAX_REGISTRATION_CONFLICTS_PER_DAY = 20  # "registered elsewhere" answers per actor per UTC day
CONFLICT_ACTIONS = ("import_conflict", "create_conflict")


def duplicate_person() -> ConflictError:
    """The one answer for a registered ID number, in the caller's area or elsewhere."""
    return ConflictError(
        "id_number", "duplicate", "该身份证号已登记", "a person with this ID number exists"
    )


def registration_conflicts_today(session: Session, by: Principal) -> int:
    """How often today ``by`` was told that an ID registered outside their area is registered
    (by an import or a registration): each time is audited against the person found."""
    midnight = dt.datetime.now(dt.UTC).strftime("%Y-%m-%dT00:00:00")
    return (
        session.scalar(
            select(func.count(AuditEntry.id)).where(
                AuditEntry.actor == by.actor,
                AuditEntry.action.in_(CONFLICT_ACTIONS),
                AuditEntry.at >= midnight,
            )
        )
        or 0
    )


def registration_checks_exceeded(limit: int = MAX_REGISTRATION_CONFLICTS_PER_DAY) -> MinshengError:
    return MinshengError(
        field="id_number",
        rule="registration_checks_exceeded",
        zh=f"今日与其他地区已登记人员冲突已超过{limit}次，登记被拒绝（未写入任何内容），请联系上级",
        en=f"more than {limit} registrations today clashed with people registered outside your "
        "area; registration is refused (nothing was written): ask a supervisor",
        bo=f"དེ་རིང་ས་གནས་གཞན་དུ་ཐོ་འགོད་ཟིན་པ་དང་འགལ་བ་{limit}ལས་བརྒལ་བས་ཐོ་འགོད་བཀག",
        status=429,
    )


_BY_HASH = select(Person).where(Person.id_hash == bindparam("id_hash"))  # built once


def find_by_id_number(session: Session, id_number: str) -> Person | None:
    return session.scalar(_BY_HASH, {"id_hash": lookup_hash(id_number)})
