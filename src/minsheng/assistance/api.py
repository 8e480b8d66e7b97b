"""Social-assistance API: record a household's circumstances, run cases through the workflow,
handle warnings, run the scan and the payment roll, and the citizen's own benefits."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

from fastapi import APIRouter, Depends, Request, Response, status
from pydantic import BaseModel, Field

from minsheng.assistance import household, monitoring, payroll, rolls, service
from minsheng.assistance.schemas import (
    ActionIn,
    AssetsIn,
    AssignIn,
    CaseIn,
    CaseOut,
    ExpenseIn,
    IncomesIn,
    PaymentOut,
    WarningActionIn,
    WarningOut,
)
from minsheng.foundation import audit
from minsheng.foundation.principals import Principal
from minsheng.registry import service as registry
from minsheng.registry.models import Person
from minsheng.webkit.deps import PathId, factory, uow
from minsheng.webkit.guards import permit

router = APIRouter(prefix="/api", tags=["assistance 社会救助"])


def payment_out(p: Any) -> PaymentOut:
    return PaymentOut(
        month=p.month, kind=p.kind, amount=p.amount, person_id=p.person_id, case_id=p.case_id
    )


@router.post("/assistance/households/{household_id}/incomes")
def record_incomes(
    household_id: PathId,
    data: IncomesIn,
    request: Request,
    by: Principal = Depends(permit("assistance:write")),
) -> dict[str, int]:
    """Record members' incomes by month and kind (replaces the same person, month and kind)."""
    with uow(request) as s:
        return {"recorded": household.record_incomes(s, household_id, data, by)}


@router.put("/assistance/households/{household_id}/assets")
def set_assets(
    household_id: PathId,
    data: AssetsIn,
    request: Request,
    by: Principal = Depends(permit("assistance:write")),
) -> dict[str, int]:
    with uow(request) as s:
        return household.set_assets(s, household_id, data, by)


@router.post("/assistance/households/{household_id}/expenses", status_code=status.HTTP_201_CREATED)
def record_expense(
    household_id: PathId,
    data: ExpenseIn,
    request: Request,
    by: Principal = Depends(permit("assistance:write")),
) -> dict[str, int]:
    with uow(request) as s:
        return {"id": household.record_expense(s, household_id, data, by)}


@router.get("/assistance/households/{household_id}")
def household_summary(
    household_id: PathId, request: Request, by: Principal = Depends(permit("assistance:read"))
) -> dict[str, Any]:
    """A household's members, incomes of the last 12 months, assets, expenses, cases, warnings
    and payments."""
    today = dt.date.today()
    with uow(request) as s:
        h = registry.read_household(s, household_id, by)
        return {
            "id": h.id,
            "code": h.code,
            "division_code": h.division_code,
            "area": h.area,
            "members": [
                registry.person_out(p, masked=True).model_dump(mode="json") for p in h.members
            ],
            "incomes": household.incomes_table(s, h.id, today),
            "assets": household.assets_of(s, h.id),
            "expenses": [
                {"month": f"{e.month:%Y-%m}", "kind": e.kind, "amount": e.amount, "note": e.note}
                for e in household.expenses_of(s, h.id)
            ],
            "cases": [
                service.case_out(s, c, today).model_dump(mode="json")
                for c in service.household_cases(s, h.id)
            ],
            "warnings": [
                monitoring.warning_out(w, today).model_dump(mode="json")
                for w in monitoring.household_warnings(s, h.id)
            ],
            "payments": [payment_out(p).model_dump() for p in payroll.household_payments(s, h.id)],
        }


@router.post("/assistance/cases", response_model=CaseOut, status_code=status.HTTP_201_CREATED)
def open_case(
    data: CaseIn, request: Request, by: Principal = Depends(permit("assistance:write"))
) -> CaseOut:
    """申请: open a case (低保, 特困, 低保边缘, 刚性支出, 临时救助)."""
    with uow(request) as s:
        return service.case_out(s, service.open_case(s, data, by))


@router.get("/assistance/cases/{case_id}", response_model=CaseOut)
def get_case(
    case_id: PathId, request: Request, by: Principal = Depends(permit("assistance:read"))
) -> CaseOut:
    with uow(request) as s:
        return service.read_case(s, case_id, by)


@router.post("/assistance/cases/{case_id}/actions", response_model=CaseOut)
def case_action(
    case_id: PathId,
    data: ActionIn,
    request: Request,
    by: Principal = Depends(permit("assistance:write")),
) -> CaseOut:
    """check → notice (公示) → approve | reject; review (复核); stop."""
    with uow(request) as s:
        case = service.act(s, case_id, data.action, by, data.reason)
        return service.case_out(s, case)


@router.get("/assistance/queue")
def queue(request: Request, by: Principal = Depends(permit("assistance:read"))) -> dict[str, Any]:
    """The caseworker's queue: cases and open warnings in their counties, overdue flagged."""
    today = dt.date.today()
    with uow(request) as s:
        return {
            "cases": [
                service.case_out(s, c, today, events=False).model_dump(mode="json")
                for c in service.queue(s, by)
            ],
            "warnings": [
                monitoring.warning_out(w, today).model_dump(mode="json")
                for w in monitoring.open_warnings(s, by)
            ],
        }


@router.post("/assistance/warnings/{warning_id}", response_model=WarningOut)
def handle_warning(
    warning_id: PathId,
    data: WarningActionIn,
    request: Request,
    by: Principal = Depends(permit("assistance:write")),
) -> WarningOut:
    with uow(request) as s:
        return monitoring.warning_out(monitoring.handle(s, warning_id, data.state, by, data.reason))


@router.post("/assistance/cases/{case_id}/assignee", response_model=CaseOut)
def assign_case(
    case_id: PathId,
    data: AssignIn,
    request: Request,
    by: Principal = Depends(permit("assistance:write")),
) -> CaseOut:
    """分派: give the case to a caseworker whose region covers it (null: unassign)."""
    with uow(request) as s:
        return service.case_out(s, service.assign(s, case_id, data.assignee, by))


@router.post("/assistance/warnings/{warning_id}/assignee", response_model=WarningOut)
def assign_warning(
    warning_id: PathId,
    data: AssignIn,
    request: Request,
    by: Principal = Depends(permit("assistance:write")),
) -> WarningOut:
    """分派: give the open warning to a caseworker whose region covers it (null: unassign)."""
    with uow(request) as s:
        return monitoring.warning_out(monitoring.assign(s, warning_id, data.assignee, by))


class RegionIn(BaseModel):
    region: str = Field(default="540000", max_length=6, description="division code")


class PayrollIn(RegionIn):
    month: str = Field(max_length=7, description="YYYY-MM")


@router.post("/assistance/scan")
def run_scan(
    data: RegionIn, request: Request, by: Principal = Depends(permit("assistance:run"))
) -> dict[str, Any]:
    """Run the early-warning scan over a region now (it also runs nightly)."""
    with uow(request) as s:
        r = monitoring.scan(s, by, data.region)
        return {"households": r.households, "raised": r.raised, "already_known": r.already_known}


@router.post("/assistance/payroll")
def run_payroll(
    data: PayrollIn, request: Request, by: Principal = Depends(permit("assistance:run"))
) -> dict[str, Any]:
    """Pay the month in a region: only what is due and not yet paid. The same use case as the
    CLI: the run's bank file is written (owner-only) and can be downloaded from
    ``/api/assistance/payroll/{run_id}/bank-file``."""
    r = payroll.issue(factory(request), data.month, data.region, by, _payroll_dir(request))
    return r.summary()


def _payroll_dir(request: Request) -> Path:
    return payroll.files_dir(Path(request.app.state.settings.data_dir))


@router.get(
    "/assistance/payroll/{run_id}/bank-file",
    response_class=Response,
    responses={200: {"content": {"text/plain": {}}, "description": "MSBANK/1 (docs/formats.md)"}},
)
def payroll_bank_file(
    run_id: PathId, request: Request, by: Principal = Depends(permit("assistance:run"))
) -> Response:
    """A run's bank transfer file (full ID numbers: for the bank's channel only). Audited."""
    with uow(request) as s:
        name, body = payroll.bank_file_of(s, run_id, by, _payroll_dir(request))
    return _attachment(body, name, "text/plain; charset=utf-8")


@router.get(
    "/assistance/payroll/{run_id}/roll",
    response_class=Response,
    responses={200: {"content": {"text/csv": {}}, "description": "the month's roll (CSV)"}},
)
def payroll_roll(
    run_id: PathId, request: Request, by: Principal = Depends(permit("assistance:run"))
) -> Response:
    """The month's roll for a run's region as it stands (CSV, ID numbers masked). Audited."""
    with uow(request) as s:
        name, body = rolls.roll_of(s, run_id, by)
    return _attachment(body, name, "text/csv; charset=utf-8")


def _attachment(body: bytes, name: str, media_type: str) -> Response:
    return Response(
        body,
        media_type=media_type,
        headers={
            "Content-Disposition": f'attachment; filename="{name}"',
            "Cache-Control": "no-store",
        },
    )


@router.get("/me/assistance")
def my_assistance(request: Request, by: Principal = Depends(permit("self:read"))) -> dict[str, Any]:
    """The signed-in citizen's household: its assistance decisions and payments."""
    assert by.person_id is not None
    with uow(request) as s:
        person = s.get(Person, by.person_id)
        assert person is not None
        audit.record(s, by, "read", "assistance_self", person.id, person.division_code)
        cases = service.citizen_cases(s, person)
        pays = payroll.household_payments(s, person.household_id) if person.household_id else []
        return {
            "cases": [
                {
                    "id": c.id,
                    "programme": c.programme,
                    "state": c.state,
                    "monthly_amount": c.monthly_amount,
                    "decided_on": c.decided_on,
                    "review_due": c.review_due,
                }
                for c in cases
            ],
            "payments": [payment_out(p).model_dump() for p in pays],
        }
