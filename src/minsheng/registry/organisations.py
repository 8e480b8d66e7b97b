"""Employers (用人单位, by unified social credit code) and medical facilities (定点医疗机构, by
facility code and hospital level 一级/二级/三级): registered in the caller's region, read and
corrected there, every write audited."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from minsheng.core import divisions, ids
from minsheng.core.errors import ConflictError, invalid
from minsheng.foundation import audit
from minsheng.foundation.principals import Principal
from minsheng.registry import vocab
from minsheng.registry.checks import apply_update, load
from minsheng.registry.models import Employer, Facility
from minsheng.registry.schemas import EmployerIn, EmployerPatch, FacilityIn, FacilityPatch


def create_employer(session: Session, data: EmployerIn, by: Principal) -> Employer:
    code = ids.parse_credit_code(data.credit_code).code
    division = divisions.get(data.division_code)
    by.require_covers(division.code, "employer")
    if session.scalar(select(Employer.id).where(Employer.credit_code == code)):
        raise ConflictError(
            "credit_code", "duplicate", "该信用代码已登记", "this credit code exists"
        )
    employer = Employer(credit_code=code, name=data.name.strip(), division_code=division.code)
    session.add(employer)
    session.flush()
    audit.record(session, by, "create", "employer", employer.id, employer.division_code)
    return employer


def get_employer(session: Session, employer_id: int, by: Principal) -> Employer:
    return load(session, Employer, employer_id, "employer", by)


def create_facility(session: Session, data: FacilityIn, by: Principal) -> Facility:
    parsed = ids.parse_facility_code(data.code)
    if data.level not in vocab.FACILITY_LEVELS:
        raise invalid(
            "level", "facility_level", "医院等级应为1、2或3（一级/二级/三级）", "level is 1, 2 or 3"
        )
    code_division = parsed.current_division or parsed.division_code
    division = divisions.get(data.division_code or code_division)
    by.require_covers(division.code, "facility")
    if session.scalar(select(Facility.id).where(Facility.code == parsed.code)):
        raise ConflictError(
            "code", "duplicate", "该医疗机构编码已登记", "this facility code exists"
        )
    facility = Facility(
        code=parsed.code, name=data.name.strip(), level=data.level, division_code=division.code
    )
    session.add(facility)
    session.flush()
    audit.record(session, by, "create", "facility", facility.id, facility.division_code)
    return facility


def get_facility(session: Session, facility_id: int, by: Principal) -> Facility:
    return load(session, Facility, facility_id, "facility", by)


def update_employer(
    session: Session, employer_id: int, patch: EmployerPatch, by: Principal
) -> Employer:
    employer = get_employer(session, employer_id, by)
    changes = patch.model_dump(exclude_unset=True)
    if changes.get("division_code") is not None:
        changes["division_code"] = divisions.get(str(changes["division_code"])).code
        by.require_covers(changes["division_code"], "employer")
    apply_update(session, by, "employer", employer, changes, sorted(changes))
    return employer


def update_facility(
    session: Session, facility_id: int, patch: FacilityPatch, by: Principal
) -> Facility:
    facility = get_facility(session, facility_id, by)
    changes = patch.model_dump(exclude_unset=True)
    if "level" in changes and changes["level"] not in vocab.FACILITY_LEVELS:
        raise invalid(
            "level", "facility_level", "医院等级应为1、2或3（一级/二级/三级）", "level is 1, 2 or 3"
        )
    apply_update(session, by, "facility", facility, changes, sorted(changes))
    return facility
