"""Social-insurance API: enrolment, contributions, the government-paid run and its list, the
yearly crediting of accounts, the monthly medical-account credit, a person's record, and the
citizen's own (``/api/me/pensions``)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from fastapi import APIRouter, Depends, Request, Response, status
from fastapi import Path as PathParam

from minsheng.core import divisions
from minsheng.foundation import audit
from minsheng.foundation.principals import Principal
from minsheng.pensions import accounts, awards, certification, contributions, enrolment, government
from minsheng.pensions import roll as rolls
from minsheng.pensions.schemas import (
    ClaimIn,
    EmployeeContributionIn,
    EndIn,
    EnrolIn,
    FaceIn,
    MedicalCreditIn,
    RegionIn,
    ResidentContributionIn,
    SuspendIn,
    VisitIn,
)
from minsheng.registry.models import Person
from minsheng.webkit.deps import PathId, factory, uow
from minsheng.webkit.guards import permit

router = APIRouter(prefix="/api", tags=["pensions 社会保险与养老"])

Year = PathParam(ge=1992, le=2200, description="calendar year")


@router.post("/pensions/enrolments", status_code=status.HTTP_201_CREATED)
def enrol(
    data: EnrolIn, request: Request, by: Principal = Depends(permit("pensions:write"))
) -> dict[str, Any]:
    """Enrol a person in a scheme (employee schemes through the employer's credit code)."""
    with uow(request) as s:
        return enrolment.enrolment_out(enrolment.enrol(s, data, by))


@router.post("/pensions/enrolments/{enrolment_id}/end")
def end(
    enrolment_id: PathId,
    data: EndIn,
    request: Request,
    by: Principal = Depends(permit("pensions:write")),
) -> dict[str, Any]:
    with uow(request) as s:
        return enrolment.enrolment_out(enrolment.end_enrolment(s, enrolment_id, data.end_date, by))


@router.post("/pensions/enrolments/{enrolment_id}/suspend")
def suspend(
    enrolment_id: PathId,
    data: SuspendIn,
    request: Request,
    by: Principal = Depends(permit("pensions:write")),
) -> dict[str, Any]:
    """Suspend contributions from ``on``, or resume (``on`` null)."""
    with uow(request) as s:
        return enrolment.enrolment_out(enrolment.suspend(s, enrolment_id, data.on, by))


def _recorded(r: contributions.Recorded, response: Response) -> dict[str, Any]:
    response.status_code = status.HTTP_201_CREATED if r.created else status.HTTP_200_OK
    return {
        "created": r.created,
        "contributions": [contributions.contribution_out(c) for c in r.rows],
    }


@router.post("/pensions/contributions/resident", status_code=status.HTTP_201_CREATED)
def contribute_resident(
    data: ResidentContributionIn,
    request: Request,
    response: Response,
    by: Principal = Depends(permit("pensions:write")),
) -> dict[str, Any]:
    """A resident's yearly contribution at a tier (201); the same period posted again answers
    the stored one (200), other figures for it 409."""
    with uow(request) as s:
        return _recorded(contributions.record_resident(s, data, by), response)


@router.post("/pensions/contributions/employee", status_code=status.HTTP_201_CREATED)
def contribute_employee(
    data: EmployeeContributionIn,
    request: Request,
    response: Response,
    by: Principal = Depends(permit("pensions:write")),
) -> dict[str, Any]:
    """An employee's monthly contributions for a range of months of a year."""
    with uow(request) as s:
        return _recorded(contributions.record_employee(s, data, by), response)


@router.get("/pensions/persons/{person_id}")
def person_record(
    person_id: PathId, request: Request, by: Principal = Depends(permit("pensions:read"))
) -> dict[str, Any]:
    """A person's enrolments, contributions and accounts with their statements (audited)."""
    with uow(request) as s:
        return _record(s, person_id, by)


def _record(s: Any, person_id: int, by: Principal) -> dict[str, Any]:
    person = enrolment.visible_person(s, person_id, by)
    audit.record(s, by, "read", "pn_record", person.id, person.division_code)
    return {
        "person_id": person.id,
        "enrolments": [
            enrolment.enrolment_out(e) for e in enrolment.enrolments_of(s, person_id, by)
        ],
        "contributions": [
            contributions.contribution_out(c)
            for c in contributions.contributions_of(s, person_id, by)
        ],
        "accounts": accounts.accounts_of(s, person_id, by),
    }


@router.get("/me/pensions")
def my_pensions(request: Request, by: Principal = Depends(permit("self:read"))) -> dict[str, Any]:
    """The signed-in citizen's own enrolments, contributions and accounts."""
    assert by.person_id is not None
    with uow(request) as s:
        person = s.get(Person, by.person_id)
        assert person is not None
        audit.record(s, by, "read", "pn_self", person.id, person.division_code)
        return {
            "enrolments": [
                enrolment.enrolment_out(e) for e in enrolment.own_enrolments(s, person.id)
            ],
            "contributions": [
                contributions.contribution_out(c) for c in contributions.own(s, person.id)
            ],
            "accounts": accounts.own_accounts(s, person.id),
        }


@router.post("/pensions/government-paid/{year}")
def run_government_paid(
    request: Request,
    year: int = Year,
    by: Principal = Depends(permit("pensions:run")),
) -> dict[str, Any]:
    """政府代缴 for ``year`` in the caller's region (idempotent: a rerun records nothing)."""
    with uow(request) as s:
        run = government.government_paid(s, year, by)
        return {"year": year, "new": run.new, "listed": len(run.listed)}


@router.get("/pensions/government-paid/{year}/list.csv")
def government_paid_list(
    request: Request,
    year: int = Year,
    by: Principal = Depends(permit("pensions:read")),
) -> Response:
    """The finance bureau's list of the year's government-paid contributions (CSV)."""
    with uow(request) as s:
        listed = government.government_list(s, year, by)
        audit.record(s, by, "export", "pn_government_paid", year, by.region, {"n": len(listed)})
        body = government.GovernmentRun(year, 0, listed).csv()
    return Response(
        body,
        media_type="text/csv; charset=utf-8",
        headers={
            "Content-Disposition": f'attachment; filename="government-paid-{year}.csv"',
            "Cache-Control": "no-store",
        },
    )


@router.post("/pensions/credit/{year}")
def credit(
    request: Request,
    year: int = Year,
    by: Principal = Depends(permit("pensions:run")),
) -> dict[str, Any]:
    """Credit ``year`` to every account in the caller's region (one transaction; idempotent)."""
    with uow(request) as s:
        return accounts.credit_year(s, year, by).to_dict()


@router.post("/pensions/medical-credit")
def medical_credit(
    data: MedicalCreditIn, request: Request, by: Principal = Depends(permit("pensions:run"))
) -> dict[str, Any]:
    """The month's credit to employees' medical personal accounts (each person once)."""
    with uow(request) as s:
        return accounts.credit_medical(s, data.year, data.month, by)


# ----------------------------------------------------------------- awards, roll, certification

Month = PathParam(pattern=r"^\d{4}-\d{2}$", description="YYYY-MM")


@router.post("/pensions/awards", status_code=status.HTTP_201_CREATED)
def claim(
    data: ClaimIn, request: Request, by: Principal = Depends(permit("pensions:write"))
) -> dict[str, Any]:
    """Award a pension (待遇核定): the amount with its parts; contributions end."""
    with uow(request) as s:
        return awards.award_out(awards.claim(s, data, by))


@router.get("/pensions/awards/{award_id}")
def award(
    award_id: PathId, request: Request, by: Principal = Depends(permit("pensions:read"))
) -> dict[str, Any]:
    with uow(request, immediate=False) as s:
        a = awards.load_award(s, award_id, by)
        return {
            **awards.award_out(a),
            "payments": [
                {"month": p.month, "amount_fen": p.amount, "run_id": p.run_id}
                for p in rolls.payments_of(s, a.id)
            ],
        }


def _roll_dir(request: Request) -> Path:
    return rolls.files_dir(Path(request.app.state.settings.data_dir))


@router.post("/pensions/roll/{month}")
def roll(
    data: RegionIn,
    request: Request,
    month: str = Month,
    by: Principal = Depends(permit("pensions:run")),
) -> dict[str, Any]:
    """The month's pension roll in the region: idempotent. A supervisor's run is ``prepared``
    and another supervisor issues it (``POST /api/pensions/roll/runs/{id}/issue``,
    maker–checker); its bank file is written crash-safely then."""
    region = data.region or by.region or divisions.REGION_CODE
    return rolls.issue(factory(request), month, region, by, _roll_dir(request)).to_dict()


@router.post("/pensions/roll/runs/{run_id}/issue")
def roll_issue(
    run_id: PathId, request: Request, by: Principal = Depends(permit("pensions:run"))
) -> dict[str, Any]:
    """Issue a prepared roll (the checker: not the supervisor who ran it)."""
    with uow(request) as s:
        run = rolls.issue_run(s, run_id, by, _roll_dir(request))
        return {"run_id": run.id, "state": run.state, "digest": run.digest}


@router.get(
    "/pensions/roll/runs/{run_id}/bank-file",
    response_class=Response,
    responses={200: {"content": {"text/plain": {}}, "description": "MSBANK/1 (docs/formats.md)"}},
)
def roll_bank_file(
    run_id: PathId, request: Request, by: Principal = Depends(permit("pensions:run"))
) -> Response:
    """A roll's bank transfer file (full ID numbers and accounts: the bank's channel only)."""
    with uow(request) as s:
        name, body = rolls.bank_file_of(s, run_id, by, _roll_dir(request))
    return Response(
        body,
        media_type="text/plain; charset=utf-8",
        headers={
            "Content-Disposition": f'attachment; filename="{name}"',
            "Cache-Control": "no-store",
        },
    )


@router.post("/pensions/certification/scan")
def certification_scan(
    data: RegionIn, request: Request, by: Principal = Depends(permit("pensions:run"))
) -> dict[str, Any]:
    """Data matching over every award of the region; tasks for the rest; overdue suspended."""
    with uow(request) as s:
        region = data.region or by.region or divisions.REGION_CODE
        return certification.scan(s, region, by).to_dict()


@router.get("/pensions/certification/queue")
def certification_queue(
    request: Request, by: Principal = Depends(permit("pensions:read"))
) -> dict[str, Any]:
    with uow(request, immediate=False) as s:
        return {"tasks": [certification.task_out(t) for t in certification.queue(s, by)]}


@router.post("/pensions/certification/tasks/{task_id}/visit")
def certification_visit(
    task_id: PathId,
    data: VisitIn,
    request: Request,
    by: Principal = Depends(permit("pensions:write")),
) -> dict[str, Any]:
    """A home visit recorded by staff (上门认证; the note is required)."""
    with uow(request) as s:
        return certification.task_out(certification.visit(s, task_id, data.note, by))


@router.post("/me/pensions/certify")
def certify_self(
    data: FaceIn, request: Request, by: Principal = Depends(permit("self:read"))
) -> dict[str, Any]:
    """The citizen's own face check on their open certification task."""
    with uow(request) as s:
        return certification.task_out(certification.face(s, data.evidence, by))
