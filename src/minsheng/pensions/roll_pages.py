"""The supervisor's rolls page: run the month's pension roll (a second run of a month with
nothing new due shows the run that paid it, and records nothing), its totals (claimants, paid,
months of arrears and withheld months paid, suspended awards skipped, awards without a bank
account), issuing the bank file with maker–checker (the supervisor who ran the roll does not
issue it: another one does), the download, the past runs page by page; and the certification
scan (button) with its result.

The roll on this page is the ``roll.run`` use case (``prepared``), then ``payments.engine.finish``
by a second supervisor (``issued``, the file written). Download reuses ``roll.bank_file_of``,
refused while the run waits for its checker (``bank_file_of`` would issue it)."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from sqlalchemy import func, select
from sqlalchemy.orm import Session
from starlette.concurrency import run_in_threadpool

from minsheng.cases import engine as cases
from minsheng.core import divisions, money
from minsheng.core.errors import ConflictError, ForbiddenError, MinshengError
from minsheng.foundation.models import AuditEntry
from minsheng.foundation.principals import Principal
from minsheng.payments import engine as payments
from minsheng.pensions import certification, rules
from minsheng.pensions import roll as rolls
from minsheng.pensions.awards import month_of
from minsheng.pensions.models import PnAward, PnPayment, PnRollRun
from minsheng.webkit import flash
from minsheng.webkit.deps import PathId, lang, uow
from minsheng.webkit.forms import FormState, form_values
from minsheng.webkit.guards import permit
from minsheng.webkit.pager import MAX_PAGE_CHARS, cut, paginate
from minsheng.webkit.render import N_, render

router = APIRouter(include_in_schema=False)

FORMS: dict[str, tuple[str, ...]] = {"roll": ("month", "region"), "scan": ("region",)}
RUN_STATES = {
    "prepared": N_("Prepared: waiting for a second supervisor to issue it"),
    "issued": N_("Issued"),
}

EVIDENCE = {
    "medical": N_("a medical bill"),
    "assistance": N_("an assistance visit"),
    "card": N_("card use"),
}

flash.register("pn_roll_prepared", N_("The roll is prepared. Another supervisor issues it."))
flash.register("pn_roll_same", N_("Nothing new is due this month: this is the run that paid it."))
flash.register("pn_roll_issued", N_("The roll is issued and its bank file written."))
flash.register("pn_scan_done", N_("The certification scan has run."))


def _dir(request: Request) -> Path:
    return rolls.files_dir(Path(request.app.state.settings.data_dir))


#: The newest runs of the caller's region the page lists (page by page)
LISTED = 2000


def _runs(s: Session, by: Principal, limit: int = LISTED) -> list[PnRollRun]:
    """The newest runs of the caller's region (filtered in SQL: a region's runs are listed
    however many other regions ran since)."""
    q = select(PnRollRun).order_by(PnRollRun.id.desc()).limit(limit)
    codes = by.covered_codes()
    if codes is not None:
        q = q.where(PnRollRun.region.in_(codes))
    return list(s.scalars(q))


def load_run(s: Session, run_id: int, by: Principal) -> PnRollRun:
    """The run, if ``by`` covers its region; elsewhere answers as missing."""
    run = s.get(PnRollRun, run_id)
    if run is None or not by.covers(run.region):
        raise payments.no_run()
    return run


def _run_out(r: PnRollRun, code: str) -> dict[str, Any]:
    return {
        "id": r.id,
        "month": r.month,
        "region": divisions.get(r.region).name(code),
        "state": r.state,
        "new_payments": r.new_payments,
        "new_total": r.new_total,
        "at": f"{r.at:%Y-%m-%d %H:%M}" if r.at else "",
        "file": r.file_name,
    }


def _last_scan(s: Session, by: Principal) -> dict[str, Any] | None:
    """The newest certification scan of the caller's region (filtered in SQL)."""
    q = (
        select(AuditEntry)
        .where(AuditEntry.action == "certification_scan", AuditEntry.resource == "pn_award")
        .order_by(AuditEntry.id.desc())
        .limit(1)
    )
    codes = by.covered_codes()
    if codes is not None:
        q = q.where(AuditEntry.region.in_(codes))
    e = s.scalar(q)
    if e is None:
        return None
    detail: dict[str, Any] = json.loads(e.detail or "{}")
    return {"at": e.at[:16].replace("T", " "), **detail}


def _region_options(by: Principal, code: str) -> list[tuple[str, str]]:
    mine = by.region or divisions.REGION_CODE
    d = divisions.get(mine)
    out = [(d.code, d.name(code))]
    if d.level == "region":
        out += [(p.code, p.name(code)) for p in divisions.prefectures()]
    return out


def _rolls_page(
    request: Request,
    by: Principal,
    page: str = "1",
    error: MinshengError | None = None,
    failed: tuple[str, dict[str, str]] | None = None,
) -> HTMLResponse:
    code = lang(request)
    with uow(request, immediate=False) as s:
        runs, capped = cut(_runs(s, by, LISTED + 1), LISTED)  # more: the page says so
        scan = _last_scan(s, by)
    shown = paginate(runs, page, "/pensions/rolls", capped=capped)
    listed = shown.map(lambda r: _run_out(r, code))  # only this page's runs are described
    forms = {n: FormState.of(n, fields=f) for n, f in FORMS.items()}
    if error is not None and failed:
        forms[failed[0]] = FormState.of(failed[0], failed[1], error, FORMS[failed[0]])
    return render(
        request,
        "pensions/rolls.html",
        status=error.status if error else 200,
        runs=listed,
        scan=scan,
        forms=forms,
        regions=_region_options(by, code),
        this_month=f"{dt.date.today():%Y-%m}",
        states=RUN_STATES,
        evidence=EVIDENCE,
        fmt=money.fmt,
    )


@router.get("/pensions/rolls", response_class=HTMLResponse)
def rolls_page(
    request: Request,
    page: str = Query("1", max_length=MAX_PAGE_CHARS),
    by: Principal = Depends(permit("pensions:run")),
) -> HTMLResponse:
    """The runs of the caller's region, the newest first; the forms to run a month and scan."""
    return _rolls_page(request, by, page)


def _earlier(s: Session, month: str, region: str) -> PnRollRun | None:
    """The last run of ``month`` in ``region`` that paid anyone."""
    return s.scalar(
        select(PnRollRun)
        .where(PnRollRun.month == month, PnRollRun.region == region, PnRollRun.new_payments > 0)
        .order_by(PnRollRun.id.desc())
        .limit(1)
    )


@router.post("/pensions/rolls", response_class=HTMLResponse)
async def run_roll(request: Request, by: Principal = Depends(permit("pensions:run"))) -> Response:
    """Run the month's roll (prepared; nothing written to a file until a checker issues it).
    When nothing new is due and the month has a run that paid, that run is shown again."""
    form = await request.form()
    values = form_values(form, FORMS["roll"])

    def work() -> tuple[int, bool]:
        month_text = values.get("month", "").strip()
        region = values.get("region", "").strip() or by.region or divisions.REGION_CODE
        month = month_of(month_text)
        code = divisions.get(region, "region").code
        by.require_covers(code, "region")
        with uow(request) as s:
            items, _ = rolls.due(s, month, divisions.code_prefix(code))
            key = rules.month_text(month)
            before = _earlier(s, key, code)
            if not items and before is not None:
                return before.id, False
            return rolls.run(s, key, code, by).run_id, True

    try:
        run_id, new = await run_in_threadpool(work)
    except MinshengError as err:
        return _rolls_page(request, by, error=err, failed=("roll", values))
    return flash.redirect(
        f"/pensions/rolls/runs/{run_id}", "pn_roll_prepared" if new else "pn_roll_same", request
    )


def totals(s: Session, run: PnRollRun) -> dict[str, Any]:
    """What the run paid: claimants, payments and the sum, the months paid for earlier months
    (arrears of a back-dated claim, months withheld while suspended and paid on resumption);
    suspended awards of the region not paid through the run's month; awards without an
    account (the run's record)."""
    paid = s.execute(
        select(
            func.count(func.distinct(PnPayment.award_id)),
            func.count(PnPayment.id),
            func.coalesce(func.sum(PnPayment.amount), 0),
        ).where(PnPayment.run_id == run.id)
    ).one()
    earlier = s.execute(
        select(func.count(PnPayment.id), func.coalesce(func.sum(PnPayment.amount), 0)).where(
            PnPayment.run_id == run.id, PnPayment.month < run.month
        )
    ).one()
    skipped = s.scalar(
        select(func.count(PnAward.id)).where(
            PnAward.division_code.like(divisions.code_prefix(run.region) + "%"),
            PnAward.state == "suspended",
            PnAward.start_month <= run.month,
            (PnAward.paid_through.is_(None)) | (PnAward.paid_through < run.month),
        )
    )
    entry = s.scalar(
        select(AuditEntry.detail).where(
            AuditEntry.action == "payroll",
            AuditEntry.resource == rolls.LEDGER.run_entity,
            AuditEntry.record_id == str(run.id),
        )
    )
    unpayable = json.loads(entry).get("unpayable") if entry else None
    return {
        "claimants": int(paid[0]),
        "payments": int(paid[1]),
        "paid": int(paid[2]),
        "earlier_months": int(earlier[0]),
        "earlier_paid": int(earlier[1]),
        "suspended": int(skipped or 0),
        "unpayable": unpayable,
    }


def _maker_checker(run: PnRollRun, by: Principal) -> MinshengError | None:
    """Why ``by`` may not issue the run now, or None."""
    if run.state != "prepared":
        return ConflictError(
            "run_id",
            "already_issued",
            "该批次已发放，银行文件已生成",
            "this run is already issued and its bank file written",
            bo="རིམ་པ་འདི་སྔོན་ནས་འགྲེམ་སྤྲོད་བྱས་ཟིན།",
        )
    if run.by in (by.actor, cases.accountable(by)):
        return ForbiddenError(
            "run_id",
            "maker_checker",
            "本批次由您运行，须由另一位主管审核发放（审核审批分离）",
            "you ran this roll, so another supervisor issues it (maker–checker)",
            bo="རིམ་པ་འདི་ཁྱེད་ཀྱིས་བཏང་བས་འགོ་འཛིན་གཞན་ཞིག་གིས་འགྲེམ་སྤྲོད་བྱེད་དགོས།",
        )
    return None


def _run_page(
    request: Request, run_id: int, by: Principal, error: MinshengError | None = None
) -> HTMLResponse:
    with uow(request, immediate=False) as s:
        run = load_run(s, run_id, by)
        out = _run_out(run, lang(request))
        figures = totals(s, run)
        why = _maker_checker(run, by)
    return render(
        request,
        "pensions/roll_run.html",
        status=error.status if error else 200,
        run=out,
        t=figures,
        can_issue=why is None,
        why_not=FormState.of("issue", err=why, fields=("issue",)).general
        if why and out["state"] == "prepared"
        else [],
        f=FormState.of("issue", err=error),
        states=RUN_STATES,
        fmt=money.fmt,
    )


@router.get("/pensions/rolls/runs/{run_id}", response_class=HTMLResponse)
def run_view(
    run_id: PathId, request: Request, by: Principal = Depends(permit("pensions:run"))
) -> HTMLResponse:
    return _run_page(request, run_id, by)


@router.post("/pensions/rolls/runs/{run_id}/issue", response_class=HTMLResponse)
async def issue_run(
    run_id: PathId, request: Request, by: Principal = Depends(permit("pensions:run"))
) -> Response:
    """The checker issues a prepared run: the bank file is written and the run ``issued``."""
    directory = _dir(request)

    def work() -> None:
        with uow(request) as s:
            run = load_run(s, run_id, by)
            why = _maker_checker(run, by)
            if why is not None:
                raise why
            payments.finish(s, rolls.LEDGER, run.id, directory, by)

    try:
        await run_in_threadpool(work)
    except MinshengError as err:
        return _run_page(request, run_id, by, err)
    return flash.redirect(f"/pensions/rolls/runs/{run_id}", "pn_roll_issued", request)


@router.get("/pensions/rolls/runs/{run_id}/bank-file", response_class=Response)
def run_bank_file(
    run_id: PathId, request: Request, by: Principal = Depends(permit("pensions:run"))
) -> Response:
    """The issued run's bank file (MSBANK/1), as the API's download."""
    with uow(request) as s:
        run = load_run(s, run_id, by)
        if run.state == "prepared":
            raise ConflictError(
                "run_id",
                "not_issued",
                "该批次尚未审核发放，不能下载银行文件",
                "this run is not issued yet: a second supervisor issues it before the download",
                bo="རིམ་པ་འདི་ད་དུང་འགྲེམ་སྤྲོད་བྱས་མེད།",
            )
        name, body = rolls.bank_file_of(s, run_id, by, _dir(request))
    return Response(
        body,
        media_type="text/plain; charset=utf-8",
        headers={
            "Content-Disposition": f'attachment; filename="{name}"',
            "Cache-Control": "no-store",
        },
    )


@router.post("/pensions/rolls/scan", response_class=HTMLResponse)
async def run_scan(request: Request, by: Principal = Depends(permit("pensions:run"))) -> Response:
    """The certification scan over every award of the region (its result on the rolls page)."""
    form = await request.form()
    values = form_values(form, FORMS["scan"])

    def work() -> None:
        region = values.get("region", "").strip() or by.region or divisions.REGION_CODE
        with uow(request) as s:
            certification.scan(s, region, by)

    try:
        await run_in_threadpool(work)
    except MinshengError as err:
        return _rolls_page(request, by, error=err, failed=("scan", values))
    response: RedirectResponse = flash.redirect("/pensions/rolls#scan", "pn_scan_done", request)
    return response
