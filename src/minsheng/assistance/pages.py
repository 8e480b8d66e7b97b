"""Assistance pages: the caseworker's queue (applications and warnings of their counties), the
household page (members, incomes, decisions, warnings, payments, and the forms that move a case
along), and the citizen's own benefits. Plain HTML forms with CSRF tokens."""

from __future__ import annotations

import datetime as dt
from dataclasses import replace
from typing import Any
from urllib.parse import urlencode

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import HTMLResponse, Response
from pydantic import ValidationError
from sqlalchemy.orm import Session
from starlette.concurrency import run_in_threadpool

from minsheng.assistance import (
    desk_pages,
    household,
    monitoring,
    payroll,
    queue_pages,
    service,
    vocab,
    workflows,
)
from minsheng.assistance.models import Case
from minsheng.assistance.schemas import AssetsIn, CaseIn, ExpenseIn, IncomeIn, IncomesIn
from minsheng.core import money
from minsheng.core.errors import MinshengError
from minsheng.fields import to_minsheng_error
from minsheng.foundation.principals import Principal
from minsheng.registry import service as registry
from minsheng.registry import vocab as registry_vocab
from minsheng.registry.models import Person
from minsheng.webkit import flash
from minsheng.webkit.deps import PathId, lang, uow
from minsheng.webkit.forms import FormState, form_values
from minsheng.webkit.guards import permit
from minsheng.webkit.pager import MAX_PAGE_CHARS
from minsheng.webkit.render import render
from minsheng.webkit.steps import Held, refusals
from minsheng.webkit.steps import held as held_step

router = APIRouter(include_in_schema=False)
# the household page's forms: element-id prefix → the fields each shows, in order
# what a warning's form carries back to the queue it came from (its page and filters), each
# posted as ``back_<name>`` (the form's own ``state`` is the warning's new state)
BACK = ("page", "wpage", "programme", "state", "due", "sort", "wstate")
FORMS: dict[str, tuple[str, ...]] = {
    "income": ("person_id", "month", "kind", "amount"),
    "asset": tuple(vocab.ASSET_KINDS),
    "expense": ("month", "kind", "amount"),
    "apply": ("programme", "person_id", "single", "care_level", "requested"),
    "case": ("action", "reason"),
    "warning": ("state", "reason"),
}


def _labels(request: Request) -> dict[str, Any]:
    code = lang(request)

    def lab(table: dict[str, vocab.Label]) -> dict[str, str]:
        return {k: {"zh": v[0], "bo": v[1], "en": v[2]}.get(code, v[0]) for k, v in table.items()}

    return {
        "programmes": lab(vocab.PROGRAMMES),
        "states": lab(vocab.STATES),
        "actions": lab(vocab.ACTIONS),
        "causes": lab(vocab.CAUSES),
        "wstates": lab(vocab.WARNING_STATES),
        "income_kinds": lab(vocab.INCOME_KINDS),
        "payment_kinds": lab(vocab.PAYMENT_KINDS),
        "care_levels": lab(vocab.CARE_LEVELS),
        "status_labels": lab(registry_vocab.STATUS_KINDS),
        "asset_kinds": lab(vocab.ASSET_KINDS),
        "expense_kinds": lab(vocab.EXPENSE_KINDS),
        "fmt": money.fmt,
        "step_title": desk_pages.step_title,
    }


@router.get("/assistance", response_class=HTMLResponse)
def queue(
    request: Request,
    page: str = Query("1", max_length=MAX_PAGE_CHARS),
    wpage: str = Query("1", max_length=MAX_PAGE_CHARS),
    programme: str = Query("", max_length=MAX_PAGE_CHARS),
    state: str = Query("", max_length=MAX_PAGE_CHARS),
    due: str = Query("", max_length=MAX_PAGE_CHARS),
    sort: str = Query("due", max_length=MAX_PAGE_CHARS),
    wstate: str = Query("", max_length=MAX_PAGE_CHARS),
    by: Principal = Depends(permit("assistance:read")),
) -> HTMLResponse:
    """The caseworker's queue: applications and reviews (filtered by programme, state and due
    date, sorted), then open warnings, each a page of rows read from the database with the
    total shown (a supervisor's whole region too: every warning is on some page)."""
    f = queue_pages.Filters.of(programme, state, due, sort)
    return _queue_page(request, by, page, wpage, f, wstate)


def _queue_page(
    request: Request,
    by: Principal,
    page: str,
    wpage: str,
    f: queue_pages.Filters,
    wstate: str = "",
    error: MinshengError | None = None,
    failed: tuple[str, dict[str, str]] | None = None,
) -> HTMLResponse:
    """The queue; after a refused warning form (``failed``: its prefix and what was typed),
    that form again with its error next to the field."""
    today = dt.date.today()
    labels = _labels(request)
    wstate = wstate if wstate in monitoring.OPEN else ""
    keep = {**f.query(), **({"wstate": wstate} if wstate else {})}
    with uow(request) as s:
        case_page = queue_pages.page_of(
            s, queue_pages.case_query(by, f, today), page, "/assistance", {**keep, "wpage": wpage}
        )
        warning_page = queue_pages.page_of(
            s,
            queue_pages.warning_query(by, wstate, f.due),
            wpage,
            "/assistance",
            {**keep, "page": page},
            param="wpage",
        )
        open_warnings = list(warning_page.items)
        cases = replace(
            case_page,
            items=[service.case_out(s, c, today, events=False) for c in case_page.items],
        )
        warnings = replace(
            warning_page, items=[monitoring.warning_out(w, today) for w in open_warnings]
        )
        next_states = {w.id: monitoring.offered(w, by) for w in open_warnings}
        codes = queue_pages.household_codes(
            s, {c.household_id for c in cases.items} | {w.household_id for w in warnings.items}
        )
    return render(
        request,
        "assistance/queue.html",
        cases=cases,
        warnings=warnings,
        next_states=next_states,
        codes=codes,
        filters=f,
        wstate=wstate,
        keep=keep,
        csv_href="/assistance/queue.csv" + (f"?{urlencode(f.query())}" if f.query() else ""),
        queue_states=queue_pages.QUEUE_STATES,
        sorts=queue_pages.SORTS,
        dues=queue_pages.DUE,
        wpage=wpage,
        status=error.status if error else 200,
        failed=FormState.of(failed[0], failed[1], error, FORMS["warning"])
        if error is not None and failed
        else None,
        **labels,
    )


def _household_page(
    request: Request,
    household_id: int,
    by: Principal,
    error: MinshengError | None = None,
    failed: tuple[str, dict[str, str]] | None = None,
) -> HTMLResponse:
    """The household page; after a refused form (``failed``: its prefix and what was typed),
    that form again with each error next to its field."""
    request.state.private = True
    today = dt.date.today()
    with uow(request) as s:
        h = registry.read_household(s, household_id, by)
        members = [
            {
                "id": p.id,
                "name": p.name_bo if lang(request) == "bo" and p.name_bo else p.name_zh,
                "masked": p.id_masked,
                "age": household.age_on(p, today),
                "relationship": p.relationship_to_head,
                "statuses": registry.statuses_on(p, today),
                "died": p.death_date,
            }
            for p in h.members
        ]
        names = {m["id"]: m["name"] for m in members}
        cases = service.household_cases(s, h.id)
        data = {
            "h": {"id": h.id, "code": h.code, "area": h.area, "division_code": h.division_code},
            "members": members,
            "names": names,
            "incomes": household.incomes_table(s, h.id, today),
            "assets": household.assets_of(s, h.id),
            "expenses": household.expenses_of(s, h.id)[:24],
            "cases": [service.case_out(s, c, today) for c in cases],
            # only what the state allows and this user may do (permission, maker–checker),
            # and today (no approval while the public notice runs); the rest said in words
            **_steps_of(s, cases, by, today),
            "warnings": [
                monitoring.warning_out(w, today) for w in monitoring.household_warnings(s, h.id)
            ],
            "payments": payroll.household_payments(s, h.id),
        }
    forms = {name: FormState.of(name, fields=fields) for name, fields in FORMS.items()}
    if error is not None:
        name, values = failed or ("apply", {})
        prefix = name.split("-", 1)[0]
        forms[prefix] = FormState.of(name, values, error, FORMS[prefix])
    return render(
        request,
        "assistance/household.html",
        status=error.status if error else 200,
        forms=forms,
        failed_case=failed[0] if error is not None and failed else None,
        this_month=f"{today:%Y-%m}",
        **data,
        **_labels(request),
    )


def _steps_of(
    s: Session, found: list[Case], by: Principal, today: dt.date
) -> dict[str, dict[int, Any]]:
    """Per case: the steps offered now, and those not possible now with the reason in words
    (the case engine's refusal, or the public notice's last day)."""
    offered: dict[int, tuple[str, ...]] = {}
    held: dict[int, list[Held]] = {}
    for c in found:
        steps = service.offered(s, c, by)
        flow = workflows.of_case(c.programme)
        not_now = refusals(flow, c.state, by, service.history(s, c), steps)
        if "approve" in steps and c.notice_end is not None and today <= c.notice_end:
            steps = tuple(a for a in steps if a != "approve")
            end = c.notice_end.isoformat()
            not_now.append(
                held_step(
                    "approve",
                    f"公示期至{end}，期满后方可确认",
                    f"the public notice runs until {end}; the case can be approved after it",
                    f"ཁྱབ་བསྒྲགས་ཀྱི་དུས་ཚོད་{end}བར་ཡིན། དེའི་རྗེས་སུ་ཆོག་མཆན་སྤྲོད་ཆོག",
                    until=c.notice_end,
                )
            )
        offered[c.id], held[c.id] = steps, not_now
    return {"offered": offered, "held": held}


@router.get("/assistance/households/{household_id}", response_class=HTMLResponse)
def household_view(
    household_id: PathId, request: Request, by: Principal = Depends(permit("assistance:read"))
) -> HTMLResponse:
    return _household_page(request, household_id, by)


async def _do(
    request: Request,
    household_id: int,
    by: Principal,
    work: Any,
    form: Any,
    name: str,
    done: str,
) -> Response:
    """Run a form's work in one transaction: then 303 back to the household page with the
    success message ``done`` (a reload does not post again), or the page again with the form
    ``name`` as it was typed and its errors (nothing changed)."""
    failed = (name, form_values(form, FORMS[name.split("-", 1)[0]]))
    try:
        await run_in_threadpool(work)
    except ValidationError as err:
        return _household_page(request, household_id, by, to_minsheng_error(err), failed)
    except MinshengError as err:
        return _household_page(request, household_id, by, err, failed)
    return flash.redirect(f"/assistance/households/{household_id}", done, request)


@router.post("/assistance/households/{household_id}/incomes", response_class=HTMLResponse)
async def record_income(
    household_id: PathId, request: Request, by: Principal = Depends(permit("assistance:write"))
) -> Response:
    form = await request.form()

    def work() -> None:
        item = IncomeIn(
            person_id=int(str(form.get("person_id") or 0) or 0),
            month=str(form.get("month") or ""),
            kind=str(form.get("kind") or ""),
            amount=str(form.get("amount") or ""),
        )
        with uow(request) as s:
            household.record_incomes(s, household_id, IncomesIn(items=[item]), by)

    return await _do(request, household_id, by, work, form, "income", "income_recorded")


@router.post("/assistance/households/{household_id}/assets", response_class=HTMLResponse)
async def set_assets(
    household_id: PathId, request: Request, by: Principal = Depends(permit("assistance:write"))
) -> Response:
    form = await request.form()

    def work() -> None:
        values = {k: str(form.get(k) or "0").strip() or "0" for k in vocab.ASSET_KINDS}
        with uow(request) as s:
            household.set_assets(s, household_id, AssetsIn(values=values), by)

    return await _do(request, household_id, by, work, form, "asset", "assets_saved")


@router.post("/assistance/households/{household_id}/expenses", response_class=HTMLResponse)
async def record_expense(
    household_id: PathId, request: Request, by: Principal = Depends(permit("assistance:write"))
) -> Response:
    form = await request.form()

    def work() -> None:
        data = ExpenseIn(
            month=str(form.get("month") or ""),
            kind=str(form.get("kind") or ""),
            amount=str(form.get("amount") or ""),
        )
        with uow(request) as s:
            household.record_expense(s, household_id, data, by)

    return await _do(request, household_id, by, work, form, "expense", "expense_recorded")


@router.post("/assistance/households/{household_id}/cases", response_class=HTMLResponse)
async def apply(
    household_id: PathId, request: Request, by: Principal = Depends(permit("assistance:write"))
) -> Response:
    form = await request.form()

    def work() -> None:
        person = str(form.get("person_id") or "").strip()
        data = CaseIn(
            household_id=household_id,
            programme=str(form.get("programme") or ""),
            person_id=int(person) if person.isdigit() else None,
            single=form.get("single") == "on",
            care_level=str(form.get("care_level") or "") or None,
            has_supporter=form.get("has_supporter") == "on",
            requested=str(form.get("requested") or "").strip() or None,
        )
        with uow(request) as s:
            service.open_case(s, data, by)

    return await _do(request, household_id, by, work, form, "apply", "case_opened")


@router.post("/assistance/cases/{case_id}/action", response_class=HTMLResponse)
async def case_action(
    case_id: PathId, request: Request, by: Principal = Depends(permit("assistance:write"))
) -> Response:
    form = await request.form()

    def household_of() -> int:
        with uow(request, immediate=False) as s:
            return service.get_case(s, case_id, by).household_id

    household_id = await run_in_threadpool(household_of)

    def work() -> None:
        with uow(request) as s:
            reason = str(form.get("reason") or "").strip() or None
            service.act(s, case_id, str(form.get("action") or ""), by, reason)

    return await _do(request, household_id, by, work, form, f"case-{case_id}", "case_moved")


@router.post("/assistance/warnings/{warning_id}", response_class=HTMLResponse)
async def handle_warning(
    warning_id: PathId, request: Request, by: Principal = Depends(permit("assistance:write"))
) -> Response:
    form = await request.form()

    def work() -> None:
        with uow(request) as s:
            reason = str(form.get("reason") or "").strip() or None
            monitoring.handle(s, warning_id, str(form.get("state") or ""), by, reason)

    back = {k: str(form.get(f"back_{k}") or "")[:MAX_PAGE_CHARS] for k in BACK}
    try:
        await run_in_threadpool(work)
    except MinshengError as err:
        failed = (f"warning-{warning_id}", form_values(form, FORMS["warning"]))
        f = queue_pages.Filters.of(back["programme"], back["state"], back["due"], back["sort"])
        return _queue_page(
            request, by, back["page"] or "1", back["wpage"], f, back["wstate"], err, failed
        )
    kept = urlencode({k: v for k, v in back.items() if v and v != "1"})
    return flash.redirect("/assistance" + (f"?{kept}" if kept else ""), "warning_saved", request)


@router.get("/me/assistance", response_class=HTMLResponse)
def mine(request: Request, by: Principal = Depends(permit("self:read"))) -> HTMLResponse:
    """The citizen's own benefits: their household (names in the page's language), the
    decisions with how each was worked out, and the payments."""
    request.state.private = True
    code = lang(request)
    today = dt.date.today()
    with uow(request) as s:
        person = s.get(Person, by.person_id)
        assert person is not None
        cases = service.citizen_cases(s, person)
        pays = payroll.household_payments(s, person.household_id) if person.household_id else []
        members = (
            [
                {
                    "name": p.name_bo if code == "bo" and p.name_bo else p.name_zh,
                    "relationship": p.relationship_to_head,
                    "me": p.id == person.id,
                }
                for p in person.household.members
                if p.death_date is None
            ]
            if person.household is not None
            else []
        )
        rows = [
            {
                "programme": c.programme,
                "state": c.state,
                "amount": c.monthly_amount,
                "decided_on": c.decided_on,
                "review_due": c.review_due,
                "explanation": service.case_out(s, c, today, events=False).explanation,
            }
            for c in cases
        ]
        payments = [{"month": p.month, "kind": p.kind, "amount": p.amount} for p in pays]
    return render(
        request,
        "assistance/mine.html",
        cases=rows,
        payments=payments,
        members=members,
        relationships=desk_pages.pick(registry_vocab.RELATIONSHIPS, code),
        **_labels(request),
    )


# the desk's other pages (find, register a walk-in, letters) and the queue's CSV, on this router
router.include_router(desk_pages.router)
router.include_router(queue_pages.router)
