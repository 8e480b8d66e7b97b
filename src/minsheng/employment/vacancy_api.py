"""JSON API of employment services: employers' vacancies, checked before publication, and
hire filings (用工登记备案).

``/api/employment/employer/…`` is the recruiter's (``employment:employer``): their employer's
vacancies (create a draft, change it, publish, close) and hires (record, file). Their employer
is the one :func:`minsheng.auth.employers.employer_of` gives; an unbound recruiter sees none.
``/api/employment/vacancies`` and ``/api/employment/hires/overdue`` are the caseworker's review
(``employment:read``) in their region; a take-down needs ``employment:run``. A refused publish
answers 422 with every reason in ``error.problems``. A record outside what the caller sees
answers 404, as a missing one.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from fastapi import APIRouter, Depends, Query, Request

from minsheng.employment import hires, vacancies
from minsheng.employment.vacancy_models import EmVacancy
from minsheng.employment.vacancy_schemas import HireIn, TakeDownIn, VacancyIn, VacancyPatch
from minsheng.employment.vacancy_views import hires_out, vacancies_out
from minsheng.fields import Code
from minsheng.foundation.principals import Principal
from minsheng.webkit.deps import PathId, uow
from minsheng.webkit.guards import permit

router = APIRouter(prefix="/api", tags=["employment 就业服务"])
MAX_LIST = 500
EMPLOYER = "employment:employer"


def _one(s: Any, v: EmVacancy) -> dict[str, Any]:
    return vacancies_out(s, [v])[0]


# --- the recruiter's desk ---------------------------------------------------------------


@router.get("/employment/employer/vacancies")
def our_vacancies(
    request: Request,
    state: str | None = Query(default=None, max_length=12),
    by: Principal = Depends(permit(EMPLOYER)),
) -> dict[str, Any]:
    """Our employer's vacancies (at most 500, newest first)."""
    with uow(request, immediate=False) as s:
        rows = s.scalars(vacancies.listing(by, state).limit(MAX_LIST)).all()
        return {"vacancies": vacancies_out(s, rows)}


@router.post("/employment/employer/vacancies", status_code=201)
def create_vacancy(
    data: VacancyIn, request: Request, by: Principal = Depends(permit(EMPLOYER))
) -> dict[str, Any]:
    """A new vacancy, as a draft (publish it to run the rules)."""
    with uow(request) as s:
        return _one(s, vacancies.create_vacancy(s, data, by))


@router.get("/employment/employer/vacancies/{vacancy_id}")
def our_vacancy(
    vacancy_id: PathId, request: Request, by: Principal = Depends(permit(EMPLOYER))
) -> dict[str, Any]:
    with uow(request, immediate=False) as s:
        return _one(s, vacancies.get_vacancy(s, vacancy_id, by))


@router.patch("/employment/employer/vacancies/{vacancy_id}")
def update_vacancy(
    vacancy_id: PathId,
    data: VacancyPatch,
    request: Request,
    by: Principal = Depends(permit(EMPLOYER)),
) -> dict[str, Any]:
    """Change a draft or refused vacancy (it becomes a draft again)."""
    with uow(request) as s:
        return _one(s, vacancies.update_vacancy(s, vacancy_id, data, by))


@router.post("/employment/employer/vacancies/{vacancy_id}/publish")
def publish_vacancy(
    vacancy_id: PathId, request: Request, by: Principal = Depends(permit(EMPLOYER))
) -> dict[str, Any]:
    """Publish it if the posting rules pass; otherwise 422 with every reason."""
    with uow(request) as s:
        return _one(s, vacancies.publish(s, vacancy_id, by))


@router.post("/employment/employer/vacancies/{vacancy_id}/close")
def close_vacancy(
    vacancy_id: PathId, request: Request, by: Principal = Depends(permit(EMPLOYER))
) -> dict[str, Any]:
    with uow(request) as s:
        return _one(s, vacancies.close_vacancy(s, vacancy_id, by))


@router.get("/employment/employer/hires")
def our_hires(
    request: Request,
    state: str | None = Query(default=None, max_length=6),
    by: Principal = Depends(permit(EMPLOYER)),
) -> dict[str, Any]:
    """Our employer's hires, newest first (``state=due`` for those still to file)."""
    today = dt.date.today()
    with uow(request, immediate=False) as s:
        query = hires.due(by) if state == "due" else hires.hires(by)
        return {"hires": hires_out(s, s.scalars(query.limit(MAX_LIST)).all(), today)}


@router.post("/employment/employer/hires", status_code=201)
def record_hire(
    data: HireIn, request: Request, by: Principal = Depends(permit(EMPLOYER))
) -> dict[str, Any]:
    """Record a hire (filed at once unless ``file`` is false); a vacancy's place is filled."""
    today = dt.date.today()
    with uow(request) as s:
        hire = hires.record_hire(
            s,
            data.employer_id,
            data.id_number,
            data.vacancy_id,
            data.occupation,
            data.hired_on,
            by,
            today,
            file=data.file,
        )
        return hires_out(s, [hire], today)[0]


@router.post("/employment/employer/hires/{hire_id}/file")
def file_hire(
    hire_id: PathId, request: Request, by: Principal = Depends(permit(EMPLOYER))
) -> dict[str, Any]:
    """File a due hire (late when past its deadline)."""
    today = dt.date.today()
    with uow(request) as s:
        return hires_out(s, [hires.file_hire(s, hire_id, by, today)], today)[0]


# --- the caseworker's review -------------------------------------------------------------


@router.get("/employment/vacancies")
def list_vacancies(
    request: Request,
    state: str | None = Query(default=None, max_length=12),
    county: Code | None = Query(default=None),
    occupation: Code | None = Query(default=None),
    by: Principal = Depends(permit("employment:read")),
) -> dict[str, Any]:
    """The region's vacancies (at most 500, newest first), by state, county and occupation."""
    with uow(request, immediate=False) as s:
        rows = s.scalars(vacancies.listing(by, state, county, occupation).limit(MAX_LIST)).all()
        return {"vacancies": vacancies_out(s, rows)}


@router.get("/employment/vacancies/{vacancy_id}")
def show_vacancy(
    vacancy_id: PathId, request: Request, by: Principal = Depends(permit("employment:read"))
) -> dict[str, Any]:
    with uow(request, immediate=False) as s:
        return _one(s, vacancies.get_vacancy(s, vacancy_id, by))


@router.post("/employment/vacancies/{vacancy_id}/take-down")
def take_down(
    vacancy_id: PathId,
    data: TakeDownIn,
    request: Request,
    by: Principal = Depends(permit("employment:run")),
) -> dict[str, Any]:
    """A supervisor takes a published vacancy down, with the reason."""
    with uow(request) as s:
        return _one(s, vacancies.take_down(s, vacancy_id, data.reason, by))


@router.get("/employment/hires/overdue")
def overdue_hires(
    request: Request, by: Principal = Depends(permit("employment:read"))
) -> dict[str, Any]:
    """The region's hires still unfiled past their deadline, the earliest first."""
    today = dt.date.today()
    with uow(request, immediate=False) as s:
        rows = s.scalars(hires.overdue(by, today).limit(MAX_LIST)).all()
        return {"hires": hires_out(s, rows, today)}
