"""Registry JSON API: create, get, search and update persons, households, employers, facilities."""

from __future__ import annotations

from fastapi import APIRouter, Depends, File, Query, Request, UploadFile, status
from sqlalchemy import select
from sqlalchemy.orm import Session

from minsheng.core import divisions
from minsheng.core.errors import invalid
from minsheng.fields import Code, SearchText
from minsheng.foundation.principals import Principal
from minsheng.registry import enrolment, importer, organisations, service, statuses
from minsheng.registry.models import Employer, Facility
from minsheng.registry.schemas import (
    MAX_ID,
    EmployerIn,
    EmployerOut,
    EmployerPatch,
    EnrolmentIn,
    EnrolmentOut,
    FacilityIn,
    FacilityOut,
    FacilityPatch,
    HouseholdIn,
    HouseholdOut,
    HouseholdPatch,
    ImportReport,
    LookupIn,
    MemberIn,
    PeriodEnd,
    PersonIn,
    PersonOut,
    PersonPage,
    PersonPatch,
    StatusIn,
    StatusOut,
)
from minsheng.webkit.deps import PathId, lang, uow
from minsheng.webkit.guards import permit

router = APIRouter(prefix="/api", tags=["registry 人员登记"])
MAX_UPLOAD = 20 * 1024 * 1024


@router.post("/persons", response_model=PersonOut, status_code=status.HTTP_201_CREATED)
def create_person(
    data: PersonIn, request: Request, by: Principal = Depends(permit("registry:write"))
) -> PersonOut:
    with uow(request) as s:
        person = service.create_person(s, data, by)
        return service.person_out(person, masked=not service.identifies(by), lang=lang(request))


@router.get("/persons", response_model=PersonPage)
def search_persons(
    request: Request,
    q: SearchText | None = Query(None, description="name (Chinese or Tibetan) contains"),
    division: Code | None = Query(None, description="county or prefecture code"),
    household_id: int | None = Query(None, ge=1, le=MAX_ID),
    limit: int = Query(50, ge=1, le=500),
    offset: int = Query(0, ge=0, le=MAX_ID),
    by: Principal = Depends(permit("registry:read")),
) -> PersonPage:
    """Search persons. ID and phone numbers are masked in lists."""
    with uow(request) as s:
        total, rows = service.search_persons(s, by, q, division, household_id, limit, offset)
        return PersonPage(
            total=total,
            items=[service.person_out(p, masked=True, lang=lang(request)) for p in rows],
        )


@router.post("/persons/lookup", response_model=PersonOut)
def lookup_person(
    data: LookupIn, request: Request, by: Principal = Depends(permit("registry:read"))
) -> PersonOut:
    """Find a person by ID number (POST, so the number stays out of URLs and access logs)."""
    with uow(request) as s:
        person = service.lookup(s, data.id_number, by)  # audited
        return service.person_out(person, masked=not service.identifies(by), lang=lang(request))


@router.get("/persons/{person_id}", response_model=PersonOut)
def get_person(
    person_id: PathId, request: Request, by: Principal = Depends(permit("registry:read"))
) -> PersonOut:
    """One person's record. The full ID and phone number need ``registry:identify`` (the read
    is audited, naming the person); without it they come masked."""
    with uow(request) as s:
        person = service.get_person(s, person_id, by)
        return service.person_out(person, masked=not service.identifies(by), lang=lang(request))


@router.patch("/persons/{person_id}", response_model=PersonOut)
def update_person(
    person_id: PathId,
    patch: PersonPatch,
    request: Request,
    by: Principal = Depends(permit("registry:write")),
) -> PersonOut:
    with uow(request) as s:
        person = service.update_person(s, person_id, patch, by)
        return service.person_out(person, masked=not service.identifies(by), lang=lang(request))


@router.post("/persons/import", response_model=ImportReport)
async def import_persons(
    request: Request,
    file: UploadFile = File(...),
    dry_run: bool = False,
    by: Principal = Depends(permit("registry:import")),
) -> ImportReport:
    """CSV bulk import: good rows in, bad rows listed with line, field and reason."""
    data = await file.read(MAX_UPLOAD + 1)
    if len(data) > MAX_UPLOAD:
        raise invalid("file", "too_large", "文件超过20MB", "the file is larger than 20 MB")
    with uow(request) as s:
        return importer.import_persons(s, data, by, dry_run=dry_run)


@router.get("/persons/{person_id}/enrolments", response_model=list[EnrolmentOut])
def list_enrolments(
    person_id: PathId, request: Request, by: Principal = Depends(permit("registry:read"))
) -> list[EnrolmentOut]:
    with uow(request) as s:
        person = service.get_person(s, person_id, by)
        return [EnrolmentOut.model_validate(e, from_attributes=True) for e in person.enrolments]


@router.post(
    "/persons/{person_id}/enrolments",
    response_model=EnrolmentOut,
    status_code=status.HTTP_201_CREATED,
)
def add_enrolment(
    person_id: PathId,
    data: EnrolmentIn,
    request: Request,
    by: Principal = Depends(permit("registry:write")),
) -> EnrolmentOut:
    with uow(request) as s:
        e = enrolment.add_enrolment(s, person_id, data, by)
        return EnrolmentOut.model_validate(e, from_attributes=True)


@router.get("/persons/{person_id}/statuses", response_model=list[StatusOut])
def list_statuses(
    person_id: PathId, request: Request, by: Principal = Depends(permit("registry:read"))
) -> list[StatusOut]:
    with uow(request) as s:
        person = service.get_person(s, person_id, by)
        return [StatusOut.model_validate(x, from_attributes=True) for x in person.statuses]


@router.post(
    "/persons/{person_id}/statuses", response_model=StatusOut, status_code=status.HTTP_201_CREATED
)
def add_status(
    person_id: PathId,
    data: StatusIn,
    request: Request,
    by: Principal = Depends(permit("registry:write")),
) -> StatusOut:
    with uow(request) as s:
        x = statuses.add_status(s, person_id, data, by)
        return StatusOut.model_validate(x, from_attributes=True)


def _household_out(
    s: Session, household_id: int, request: Request, by: Principal, read: bool = False
) -> HouseholdOut:
    s.expire_all()
    if read:
        h = service.read_household(s, household_id, by)
    else:
        h = service.get_household(s, household_id, by)
    code = lang(request)
    return HouseholdOut(
        id=h.id,
        code=h.code,
        division_code=h.division_code,
        division_name=divisions.get(h.division_code).name(code),
        area=h.area,
        address=h.address,
        members=[service.person_out(p, masked=True, lang=code) for p in h.members],
    )


@router.post("/households", response_model=HouseholdOut, status_code=status.HTTP_201_CREATED)
def create_household(
    data: HouseholdIn, request: Request, by: Principal = Depends(permit("registry:write"))
) -> HouseholdOut:
    with uow(request) as s:
        h = service.create_household(s, data, by)
        return _household_out(s, h.id, request, by)


@router.get("/households/{household_id}", response_model=HouseholdOut)
def get_household(
    household_id: PathId, request: Request, by: Principal = Depends(permit("registry:read"))
) -> HouseholdOut:
    with uow(request) as s:
        return _household_out(s, household_id, request, by, read=True)


@router.post("/households/{household_id}/members", response_model=HouseholdOut)
def add_member(
    household_id: PathId,
    data: MemberIn,
    request: Request,
    by: Principal = Depends(permit("registry:write")),
) -> HouseholdOut:
    with uow(request) as s:
        service.add_member(s, household_id, data.person_id, data.relationship, by)
        s.flush()
        s.expire_all()
        return _household_out(s, household_id, request, by)


@router.post("/employers", response_model=EmployerOut, status_code=status.HTTP_201_CREATED)
def create_employer(
    data: EmployerIn, request: Request, by: Principal = Depends(permit("registry:write"))
) -> EmployerOut:
    with uow(request) as s:
        return EmployerOut.model_validate(
            organisations.create_employer(s, data, by), from_attributes=True
        )


@router.get("/employers", response_model=list[EmployerOut])
def list_employers(
    request: Request,
    q: SearchText | None = Query(None),
    limit: int = Query(50, ge=1, le=500),
    offset: int = Query(0, ge=0, le=MAX_ID),
    by: Principal = Depends(permit("registry:read")),
) -> list[EmployerOut]:
    with uow(request) as s:
        stmt = select(Employer).order_by(Employer.id).limit(limit).offset(offset)
        scope = by.covered_codes()
        if scope is not None:
            stmt = stmt.where(Employer.division_code.in_(scope))
        if q:
            stmt = stmt.where(Employer.name.like(f"%{q}%"))
        return [EmployerOut.model_validate(e, from_attributes=True) for e in s.scalars(stmt)]


@router.get("/employers/{employer_id}", response_model=EmployerOut)
def get_employer(
    employer_id: PathId, request: Request, by: Principal = Depends(permit("registry:read"))
) -> EmployerOut:
    with uow(request) as s:
        return EmployerOut.model_validate(
            organisations.get_employer(s, employer_id, by), from_attributes=True
        )


@router.post("/facilities", response_model=FacilityOut, status_code=status.HTTP_201_CREATED)
def create_facility(
    data: FacilityIn, request: Request, by: Principal = Depends(permit("registry:write"))
) -> FacilityOut:
    with uow(request) as s:
        return FacilityOut.model_validate(
            organisations.create_facility(s, data, by), from_attributes=True
        )


@router.get("/facilities", response_model=list[FacilityOut])
def list_facilities(
    request: Request,
    q: SearchText | None = Query(None),
    division: Code | None = Query(None),
    limit: int = Query(50, ge=1, le=500),
    offset: int = Query(0, ge=0, le=MAX_ID),
    by: Principal = Depends(permit("registry:read")),
) -> list[FacilityOut]:
    with uow(request) as s:
        stmt = select(Facility).order_by(Facility.id).limit(limit).offset(offset)
        scope = by.covered_counties()
        if scope is not None:
            stmt = stmt.where(Facility.division_code.in_(scope))
        if q:
            stmt = stmt.where(Facility.name.like(f"%{q}%"))
        if division:
            stmt = stmt.where(Facility.division_code == division)
        return [FacilityOut.model_validate(f, from_attributes=True) for f in s.scalars(stmt)]


@router.get("/facilities/{facility_id}", response_model=FacilityOut)
def get_facility(
    facility_id: PathId, request: Request, by: Principal = Depends(permit("registry:read"))
) -> FacilityOut:
    with uow(request) as s:
        return FacilityOut.model_validate(
            organisations.get_facility(s, facility_id, by), from_attributes=True
        )


@router.patch("/households/{household_id}", response_model=HouseholdOut)
def update_household(
    household_id: PathId,
    patch: HouseholdPatch,
    request: Request,
    by: Principal = Depends(permit("registry:write")),
) -> HouseholdOut:
    with uow(request) as s:
        service.update_household(s, household_id, patch, by)
        return _household_out(s, household_id, request, by)


@router.patch("/employers/{employer_id}", response_model=EmployerOut)
def update_employer(
    employer_id: PathId,
    patch: EmployerPatch,
    request: Request,
    by: Principal = Depends(permit("registry:write")),
) -> EmployerOut:
    with uow(request) as s:
        e = organisations.update_employer(s, employer_id, patch, by)
        return EmployerOut.model_validate(e, from_attributes=True)


@router.patch("/facilities/{facility_id}", response_model=FacilityOut)
def update_facility(
    facility_id: PathId,
    patch: FacilityPatch,
    request: Request,
    by: Principal = Depends(permit("registry:write")),
) -> FacilityOut:
    with uow(request) as s:
        f = organisations.update_facility(s, facility_id, patch, by)
        return FacilityOut.model_validate(f, from_attributes=True)


@router.patch("/enrolments/{enrolment_id}", response_model=EnrolmentOut)
def end_enrolment(
    enrolment_id: PathId,
    data: PeriodEnd,
    request: Request,
    by: Principal = Depends(permit("registry:write")),
) -> EnrolmentOut:
    """Close an enrolment period (the last day it applies)."""
    with uow(request) as s:
        e = enrolment.end_enrolment(s, enrolment_id, data.end_date, by)
        return EnrolmentOut.model_validate(e, from_attributes=True)


@router.patch("/statuses/{status_id}", response_model=StatusOut)
def end_status(
    status_id: PathId,
    data: PeriodEnd,
    request: Request,
    by: Principal = Depends(permit("registry:write")),
) -> StatusOut:
    """Close a special status (the last day it applies)."""
    with uow(request) as s:
        x = statuses.end_status(s, status_id, data.end_date, by)
        return StatusOut.model_validate(x, from_attributes=True)
