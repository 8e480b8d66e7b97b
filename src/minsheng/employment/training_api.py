"""JSON API of employment services: vocational training (职业培训): programmes,
enrolment, attendance, certificates, subsidy, placement.

The desk reads with ``employment:read`` and writes with ``employment:write`` (create a course,
move it on, enrol by ID number, keep the attendance sheet); a course of another region answers
404 as a missing one. A citizen (``self:jobs``) reads the courses open near them and their own
enrolments, and enrols themself.
"""

from __future__ import annotations

import datetime as dt
from typing import Any, Literal

from fastapi import APIRouter, Depends, Query, Request
from pydantic import BaseModel, ConfigDict, Field

from minsheng.employment import training, training_views
from minsheng.fields import Code, IdText, Label, OrgName, RecordId
from minsheng.foundation.principals import Principal
from minsheng.webkit.deps import PathId, uow
from minsheng.webkit.guards import permit

router = APIRouter(prefix="/api", tags=["employment 就业服务"])


class CourseIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: Label
    occupation: Code = Field(description="occupation code (职业分类大典 2022), e.g. 6")
    kind: Literal["employment", "upgrade", "order"] = Field(
        description="employment 就业技能, upgrade 岗位技能提升, order 订单式"
    )
    division_code: Code = Field(description="the county the course is held in")
    starts_on: dt.date
    ends_on: dt.date
    hours: int = Field(ge=1, le=2000)
    capacity: int = Field(ge=1, le=1000)
    free: bool = True
    provider_employer_id: RecordId | None = None
    provider_name: OrgName | None = Field(default=None, description="a training institution")
    employer_id: RecordId | None = Field(default=None, description="order-based: the employer")
    hire_promised: int = Field(default=0, ge=0, le=1000)


class AdvanceIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    to: Literal["enrolling", "running", "finished"]


class EnrolIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    id_number: IdText


class SheetIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    day: dt.date
    present: list[RecordId] = Field(max_length=1000, description="enrolment ids present")


@router.get("/employment/training/courses")
def list_courses(
    request: Request,
    state: Literal["planned", "enrolling", "running", "finished"] | None = Query(None),
    by: Principal = Depends(permit("employment:read")),
) -> list[dict[str, Any]]:
    """The courses of your region, newest first."""
    with uow(request, immediate=False) as s:
        return training_views.courses(s, by, state)


@router.post("/employment/training/courses", status_code=201)
def create_course(
    data: CourseIn, request: Request, by: Principal = Depends(permit("employment:write"))
) -> dict[str, Any]:
    """Create a course (planned)."""
    with uow(request) as s:
        c = training.create_course(s, by, dt.date.today(), **data.model_dump())
        return training_views.course_out(c)


def _full(s: Any, course_id: int, by: Principal) -> dict[str, Any]:
    return {
        "course": training_views.course(s, course_id, by),
        "enrolments": training_views.enrolments(s, course_id, by),
    }


@router.get("/employment/training/orders")
def employer_orders(
    request: Request, by: Principal = Depends(permit("employment:employer"))
) -> list[dict[str, Any]]:
    """Your employer's order-based courses with their trainees and results."""
    with uow(request, immediate=False) as s:
        return training_views.for_employer(s, by)


@router.get("/employment/training/courses/{course_id}")
def read_course(
    course_id: PathId, request: Request, by: Principal = Depends(permit("employment:read"))
) -> dict[str, Any]:
    """The course and its trainees (masked IDs, days attended)."""
    with uow(request, immediate=False) as s:
        return _full(s, course_id, by)


@router.post("/employment/training/courses/{course_id}/state")
def advance_course(
    course_id: PathId,
    data: AdvanceIn,
    request: Request,
    by: Principal = Depends(permit("employment:write")),
) -> dict[str, Any]:
    """Move the course on (the finish decides completions, certificates and subsidy)."""
    with uow(request) as s:
        training.advance(s, course_id, data.to, by, dt.date.today())
        return _full(s, course_id, by)


@router.post("/employment/training/courses/{course_id}/enrolments")
def enrol_person(
    course_id: PathId,
    data: EnrolIn,
    request: Request,
    by: Principal = Depends(permit("employment:write")),
) -> dict[str, Any]:
    """Enrol a registered person by ID number (twice is once)."""
    with uow(request) as s:
        e, created = training.enrol(s, course_id, by, dt.date.today(), id_number=data.id_number)
        return {"enrolment_id": e.id, "created": created, "state": e.state}


@router.post("/employment/training/courses/{course_id}/attendance")
def keep_attendance(
    course_id: PathId,
    data: SheetIn,
    request: Request,
    by: Principal = Depends(permit("employment:write")),
) -> dict[str, Any]:
    """The day's sheet: exactly these enrolments were present."""
    with uow(request) as s:
        n = training.record_attendance(s, course_id, data.day, data.present, by, dt.date.today())
        return {"day": data.day.isoformat(), "present": n}


@router.get("/employment/training/courses/{course_id}/subsidy")
def course_subsidy(
    course_id: PathId, request: Request, by: Principal = Depends(permit("employment:read"))
) -> dict[str, Any]:
    """The completions and the subsidy per completion (fen), for payment."""
    with uow(request, immediate=False) as s:
        return training_views.subsidy_list(s, course_id, by)


@router.get("/employment/training/courses/{course_id}/placement")
def course_placement(
    course_id: PathId, request: Request, by: Principal = Depends(permit("employment:read"))
) -> dict[str, Any]:
    """Completions hired within the placement months, and the rate."""
    with uow(request, immediate=False) as s:
        return training_views.placement(s, course_id, by, dt.date.today())


@router.get("/me/training")
def my_training(request: Request, by: Principal = Depends(permit("self:jobs"))) -> dict[str, Any]:
    """Courses open for enrolment in your prefecture, and your own courses."""
    with uow(request, immediate=False) as s:
        return {"open": training_views.open_near(s, by), "mine": training_views.mine(s, by)}


@router.post("/me/training/courses/{course_id}/enrol")
def enrol_me(
    course_id: PathId, request: Request, by: Principal = Depends(permit("self:jobs"))
) -> dict[str, Any]:
    """Enrol yourself on a course open near you (twice is once)."""
    with uow(request) as s:
        e, created = training.enrol(s, course_id, by, dt.date.today())
        return {"enrolment_id": e.id, "created": created, "state": e.state}
