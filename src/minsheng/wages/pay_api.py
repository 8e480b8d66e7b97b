"""JSON API of wage protection: pay — the project's dedicated wage account and its labour-cost
transfers, the month's pay sheets, the pay run (总包代发: prepared by one, issued by another)
and its bank file, pay slips, and the worker's own pay with confirm / dispute.

Desk routes take ``wages:project`` (the contractor's wage officer and the labour bureau's
staff; :mod:`minsheng.wages.access` decides which projects each sees, and the services which
firm may do what); the bank file with full ID numbers takes ``wages:run``."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

from fastapi import APIRouter, Depends, Request, Response
from fastapi.responses import JSONResponse
from pydantic import BaseModel, ConfigDict, Field

from minsheng.core import money
from minsheng.fields import money_text
from minsheng.foundation.principals import Principal
from minsheng.wages import access, pay, pay_accounts, pay_run, pay_views
from minsheng.webkit.deps import PathId, uow
from minsheng.webkit.guards import permit

router = APIRouter(prefix="/api", tags=["wages 根治欠薪"])

TransferText = money_text(pay_accounts.MAX_TRANSFER_FEN)
Month = Field(min_length=7, max_length=7, description="YYYY-MM")


class AccountIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    bank_name: str = Field(min_length=1, max_length=40)
    account_number: str = Field(min_length=1, max_length=40, description="stored encrypted")
    opened_on: dt.date


class FilingIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    filed_on: dt.date


class TransferIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    paid_on: dt.date
    amount: TransferText = Field(description="yuan")  # type: ignore[valid-type]
    reference: str = Field(min_length=1, max_length=64, description="bank reference (idempotent)")


class SheetIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    month: str = Month
    team_id: int | None = Field(default=None, ge=1, description="one team; all teams if absent")
    pieces: dict[int, int] = Field(default_factory=dict, description="worker id → pieces")


class MonthIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    month: str = Month


class CardIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    bank_name: str = Field(min_length=1, max_length=40)
    account_number: str = Field(min_length=1, max_length=40, description="stored encrypted")


class ResponseIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    agree: bool
    note: str | None = Field(default=None, max_length=400)


def _dir(request: Request) -> Path:
    return pay_run.files_dir(Path(request.app.state.settings.data_dir))


@router.get("/wages/projects/{project_id}/pay/account")
def get_account(
    project_id: PathId, request: Request, by: Principal = Depends(permit("wages:project"))
) -> dict[str, Any]:
    """The project's dedicated wage account, its deadlines, balance and transfers."""
    with uow(request, immediate=False) as s:
        project = access.get_project(s, project_id, by)
        return pay_views.account_out(s, project, dt.date.today())


@router.post("/wages/projects/{project_id}/pay/account", status_code=201)
def open_account(
    project_id: PathId,
    data: AccountIn,
    request: Request,
    by: Principal = Depends(permit("wages:project")),
) -> dict[str, Any]:
    """The general contractor opens the account (人社部发〔2021〕53号)."""
    with uow(request) as s:
        a = pay_accounts.open_account(
            s, project_id, data.bank_name, data.account_number, data.opened_on, by
        )
        return {"id": a.id, "account_tail": a.account_tail, "opened_on": a.opened_on.isoformat()}


@router.post("/wages/projects/{project_id}/pay/account/filing")
def file_account(
    project_id: PathId,
    data: FilingIn,
    request: Request,
    by: Principal = Depends(permit("wages:write")),
) -> dict[str, Any]:
    """The labour bureau records the account's filing (备案)."""
    with uow(request) as s:
        a = pay_accounts.file_account(s, project_id, data.filed_on, by)
        return {"id": a.id, "filed_on": data.filed_on.isoformat()}


@router.post("/wages/projects/{project_id}/pay/transfers")
def record_transfer(
    project_id: PathId,
    data: TransferIn,
    request: Request,
    by: Principal = Depends(permit("wages:project")),
) -> JSONResponse:
    """A labour-cost transfer from the developer: 201 when new, 200 for a retried reference."""
    with uow(request) as s:
        t, new = pay_accounts.record_transfer(
            s, project_id, data.paid_on, money.parse(data.amount, "amount"), data.reference, by
        )
        out = pay_views.transfer_out(t)
    return JSONResponse(out, status_code=201 if new else 200)


@router.post("/wages/projects/{project_id}/pay/sheets")
def build_sheets(
    project_id: PathId,
    data: SheetIn,
    request: Request,
    by: Principal = Depends(permit("wages:project")),
) -> dict[str, Any]:
    """Build the month's pay sheet of one team (or of every team) from attendance × rate."""
    with uow(request) as s:
        if data.team_id is None:
            sheets = pay.build_month(s, project_id, data.month, by)
        else:
            pieces = data.pieces or None
            sheets = [pay.build_sheet(s, project_id, data.team_id, data.month, by, None, pieces)]
        return {"sheets": [pay_views.sheet_out(x) for x in sheets]}


@router.get("/wages/projects/{project_id}/pay/sheets")
def list_sheets(
    project_id: PathId, request: Request, by: Principal = Depends(permit("wages:project"))
) -> dict[str, Any]:
    """The project's pay sheets, newest month first."""
    with uow(request, immediate=False) as s:
        return {"sheets": [pay_views.sheet_out(x) for x in pay.sheets_of(s, project_id, by)]}


@router.get("/wages/pay/sheets/{sheet_id}")
def get_sheet(
    sheet_id: PathId, request: Request, by: Principal = Depends(permit("wages:project"))
) -> dict[str, Any]:
    """A pay sheet with its lines (workers by name; back pay marked)."""
    with uow(request, immediate=False) as s:
        return pay_views.sheet_full(s, pay.get_sheet(s, sheet_id, by))


@router.get("/wages/pay/lines/{line_id}/slip")
def get_slip(
    line_id: PathId, request: Request, by: Principal = Depends(permit("wages:project"))
) -> dict[str, Any]:
    """A worker's pay slip (工资条)."""
    with uow(request, immediate=False) as s:
        return pay_views.slip_out(s, pay.slip(s, line_id, by))


@router.post("/wages/projects/{project_id}/pay/runs", status_code=201)
def prepare_run(
    project_id: PathId,
    data: MonthIn,
    request: Request,
    by: Principal = Depends(permit("wages:project")),
) -> dict[str, Any]:
    """Prepare the month's pay run from the dedicated account (another person issues it)."""
    with uow(request) as s:
        return pay_run.prepare(s, project_id, data.month, by).to_dict()


@router.get("/wages/projects/{project_id}/pay/runs")
def list_runs(
    project_id: PathId, request: Request, by: Principal = Depends(permit("wages:project"))
) -> dict[str, Any]:
    with uow(request, immediate=False) as s:
        return {"runs": [pay_views.run_out(r) for r in pay_run.runs_of(s, project_id, by)]}


@router.post("/wages/pay/runs/{run_id}/issue")
def issue_run(
    run_id: PathId, request: Request, by: Principal = Depends(permit("wages:project"))
) -> dict[str, Any]:
    """Issue a prepared run: the bank file written (maker–checker: not who prepared it)."""
    with uow(request) as s:
        return pay_views.run_out(pay_run.finish(s, run_id, by, _dir(request)))


@router.get(
    "/wages/pay/runs/{run_id}/bank-file",
    response_class=Response,
    responses={200: {"content": {"text/plain": {}}, "description": "MSBANK/1 (docs/formats.md)"}},
)
def bank_file(
    run_id: PathId, request: Request, by: Principal = Depends(permit("wages:run"))
) -> Response:
    """A run's bank transfer file (full ID numbers and accounts: the bank's channel only)."""
    with uow(request) as s:
        name, body = pay_run.bank_file_of(s, run_id, by, _dir(request))
    return Response(
        body,
        media_type="text/plain; charset=utf-8",
        headers={
            "Content-Disposition": f'attachment; filename="{name}"',
            "Cache-Control": "no-store",
        },
    )


@router.put("/wages/workers/{worker_id}/wage-card")
def set_wage_card(
    worker_id: PathId,
    data: CardIn,
    request: Request,
    by: Principal = Depends(permit("wages:project")),
) -> dict[str, Any]:
    """The worker's own bank card for wages (工资卡; without one, the social-security card's
    bank account is paid). Only the last four digits are answered."""
    with uow(request) as s:
        worker = access.get_worker(s, worker_id, by)
        card = pay_accounts.set_wage_card(
            s, worker.person_id, data.bank_name, data.account_number, by
        )
        return {"person_id": card.person_id, "bank_name": card.bank_name, "tail": card.account_tail}


@router.get("/me/wages/pay")
def my_pay(request: Request, by: Principal = Depends(permit("self:read"))) -> dict[str, Any]:
    """The worker's own pay lines, newest month first, with whether each month is paid."""
    with uow(request, immediate=False) as s:
        lines = pay.my_lines(s, by)
        keys = [pay.pay_key(ln.worker_id, ln.for_month) for ln in lines]
        paid = pay.paid_keys(s, keys)
        return {
            "lines": [
                pay_views.line_out(ln, None, k in paid) for ln, k in zip(lines, keys, strict=True)
            ]
        }


@router.get("/me/wages/pay/{line_id}")
def my_slip(
    line_id: PathId, request: Request, by: Principal = Depends(permit("self:read"))
) -> dict[str, Any]:
    """The worker's own pay slip."""
    with uow(request, immediate=False) as s:
        return pay_views.slip_out(s, pay.slip(s, line_id, by))


@router.post("/me/wages/pay/{line_id}/response")
def respond(
    line_id: PathId,
    data: ResponseIn,
    request: Request,
    by: Principal = Depends(permit("self:read")),
) -> dict[str, Any]:
    """The worker confirms (``agree``) or disputes their line (a note says why)."""
    with uow(request) as s:
        line = pay.respond(s, line_id, by, data.agree, data.note)
        return {"id": line.id, "confirmation": line.confirmation}
