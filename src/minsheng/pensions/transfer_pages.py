"""The caseworker's transfers page (转移接续): an employee pension relationship moving between
regions (国办发〔2009〕66号) — what moves (the whole account and 12 % of the contribution wages
since 1998), where the pension is finally claimed, a temporary account for older movers — or
the linking of the resident and employee schemes (城乡衔接, 人社部发〔2014〕17号); with the
15-working-day steps and their deadlines, and the next step to take given the dates already
recorded (the letter sent, the funds sent, the funds received).

A GET form over the pure rules of ``pensions.transfers`` (the same as ``minsheng pensions
transfer FILE``): it stores nothing and can be bookmarked; errors come back by their field.
The stored transfers (``pensions.transfer_cases``) have their pages at the end: the open form
of a person, the queue and a transfer's page with its steps."""

from __future__ import annotations

import datetime as dt
import secrets
from typing import Any

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import HTMLResponse, Response
from sqlalchemy import select
from sqlalchemy.orm import Session
from starlette.concurrency import run_in_threadpool

from minsheng.core import divisions, money
from minsheng.core.errors import MinshengError
from minsheng.foundation import audit
from minsheng.foundation.principals import Principal
from minsheng.pensions import enrolment, transfer_cases, transfers
from minsheng.pensions.enrolment import params
from minsheng.registry.models import Person
from minsheng.webkit import flash
from minsheng.webkit.deps import PathId, lang, uow
from minsheng.webkit.forms import FormState, form_values
from minsheng.webkit.guards import permit
from minsheng.webkit.pager import MAX_PAGE_CHARS, PER_PAGE, Page, page_number
from minsheng.webkit.render import N_, render
from minsheng.webkit.steps import day, posted, step_forms, take

router = APIRouter(include_in_schema=False)

PERIODS = 3  # rows of the history on the form (the CLI takes up to transfers.MAX_PERIODS)
PERIOD_FIELDS = tuple(
    f"p{i}_{k}" for i in range(1, PERIODS + 1) for k in ("place", "from", "to", "wage")
)
FIELDS = (
    "kind", "applied", "birth", "sex", "category", "hukou", "from", "to", "account_balance",
    *PERIOD_FIELDS, "letter_sent", "funds_sent", "funds_received",
    "employee_months", "employee_account", "resident_years", "resident_account",
)  # fmt: skip
MAX_CHARS = 40  # each typed value: an engineering bound
KINDS = {
    "employee": N_("Employee pension between regions"),
    "link": N_("Linking the resident and employee schemes"),
}
SEXES = {"male": N_("Male"), "female": N_("Female")}
CATEGORIES = {
    "worker": N_("Worker"),
    "cadre": N_("Cadre"),
    "female-worker-50": N_("Female worker retiring at 50"),
}
STEPS = {
    "application": N_("Application at the place moving to"),
    "acceptance_letter": N_("The place moving to accepts and sends the letter"),
    "transfer_out": N_("The place moving from transfers the relationship and the funds"),
    "completion": N_("The place moving to completes and informs the insured"),
}
STEP_EVENTS = {"acceptance_letter": "letter_sent", "transfer_out": "funds_sent"}
CLAIM_RULES = {
    "hukou": N_("the place of household registration, where the relationship is"),
    "relationship_years": N_("where the relationship is, with 10 years or more paid there"),
    "last_place_with_years": N_("the last place with 10 years or more paid"),
    "hukou_gathered": N_("the place of household registration, where everything is gathered"),
}
DIRECTIONS = {
    "resident_to_employee": N_("The resident account moves into the employee scheme"),
    "employee_to_resident": N_("The employee account moves into the resident scheme"),
}


def _rename(name: str) -> str | None:
    """A rule's field (``history[0].from``, ``events.funds_sent``) as the form's."""
    if name.startswith("history["):
        i = name[8 : name.index("]")]
        part = name.rsplit(".", 1)[-1] if "." in name else "place"
        return f"p{int(i) + 1}_{'wage' if part == 'monthly_wage' else part}"
    if name == "history":
        return "p1_place"
    if name.startswith("events."):
        return name.split(".", 1)[1]
    return None


def _number(raw: str) -> int | str:
    return int(raw) if raw.isdigit() and len(raw) <= 6 else raw


def request_of(v: dict[str, str]) -> dict[str, Any]:
    """The form's values as the JSON of ``minsheng pensions transfer`` (docs/pensions.md)."""
    data: dict[str, Any] = {
        "kind": v.get("kind", ""),
        "applied": v.get("applied", ""),
        "birth": v.get("birth", ""),
        "sex": v.get("sex", ""),
        "category": v.get("category", "") or "worker",
        "events": {k: v[k] for k in ("letter_sent", "funds_sent", "funds_received") if v.get(k)},
    }
    if data["kind"] == "link":
        for k in ("employee_months", "resident_years"):
            data[k] = _number(v.get(k, ""))
        for k in ("employee_account", "resident_account"):
            data[k] = v.get(k, "") or "0"
        return data
    data.update(hukou=v.get("hukou", ""), account_balance=v.get("account_balance", ""))
    data["from"], data["to"] = v.get("from", ""), v.get("to", "")
    data["history"] = [
        {
            "place": v.get(f"p{i}_place", ""),
            "from": v.get(f"p{i}_from", ""),
            "to": v.get(f"p{i}_to", ""),
            "monthly_wage": v.get(f"p{i}_wage", ""),
        }
        for i in range(1, PERIODS + 1)
        if any(v.get(f"p{i}_{k}") for k in ("place", "from", "to", "wage"))
    ]
    return data


def next_step(steps: list[dict[str, Any]], today: dt.date) -> dict[str, Any] | None:
    """The first step not done yet, with its deadline and whether it is overdue."""
    for row in steps[1:]:
        if "done" not in row:
            deadline = dt.date.fromisoformat(row["deadline"])
            return {**row, "overdue": today > deadline, "event": STEP_EVENTS.get(row["step"])}
    return None


@router.get("/pensions/transfers", response_class=HTMLResponse)
def transfers_page(
    request: Request, by: Principal = Depends(permit("pensions:read"))
) -> HTMLResponse:
    """The transfer form and, once filled in, what moves, where it is claimed and the steps."""
    values = {k: str(v)[:MAX_CHARS].strip() for k, v in request.query_params.items() if k in FIELDS}
    result: dict[str, Any] | None = None
    error: MinshengError | None = None
    today = dt.date.today()
    if values.get("kind"):
        try:
            r = transfers.parse(request_of(values))
            result = transfers.transfer(params(r.applied, None), r)
        except MinshengError as err:
            error = err
    return render(
        request,
        "pensions/transfers.html",
        status=error.status if error else 200,
        f=FormState.of("transfer", values, error, FIELDS, _rename),
        result=result,
        upcoming=next_step(result["steps"], today) if result else None,
        today=today,
        periods=range(1, PERIODS + 1),
        kinds=KINDS,
        sexes=SEXES,
        categories=CATEGORIES,
        steps=STEPS,
        claim_rules=CLAIM_RULES,
        directions=DIRECTIONS,
    )


# --------------------------------------------------------------------------- stored transfers
#
# /pensions/persons/{id}/transfer: the open form, prefilled from the stored history (the
# person page links it); /pensions/transfer-cases: the queue of the caller's region (either
# side, overdue first, by state, paged); /pensions/transfer-cases/{id}: the steps, their
# deadlines, the history and only the actions the state and the caller's side allow.

CASE_STATES = {
    "": N_("In progress"),
    "applied": N_("Applied"),
    "confirmed": N_("Confirmed by the place moving from"),
    "sent": N_("Funds sent"),
    "done": N_("Done"),
    "refused": N_("Refused"),
}
ACTIONS = {
    "confirm": N_("Confirm and send the contribution record"),
    "send": N_("Transfer the funds"),
    "receive": N_("Receive the funds and credit the account"),
    "refuse": N_("Refuse the transfer"),
}
CASE_STEPS = {
    "confirm": N_("The place moving from confirms and sends the contribution record"),
    "send": N_("The place moving from transfers the funds"),
    "receive": N_("The place moving to receives the funds and credits the account"),
}
OPEN_FIELDS = ("key", *FIELDS)
STEP_FIELDS = ("action", "day", "reason")

flash.register("pn_transfer_opened", N_("The transfer is opened."))
flash.register("pn_transfer_step", N_("The step is recorded."))


def _prefill(s: Session, person: Person) -> tuple[dict[str, str], int]:
    """The open form's values from the stored record: the periods (the first ones; every
    stored period is used on opening), the account balance, the places."""
    history = transfer_cases.stored_history(s, person.id)
    v = {
        "kind": "employee",
        "applied": dt.date.today().isoformat(),
        "birth": person.birth_date.strftime("%Y-%m"),
        "sex": "male" if person.sex == "M" else "female",
        "to": person.division_code,
        "key": secrets.token_urlsafe(12),
    }
    balance = transfer_cases.stored_balance(s, person.id, "employee_pension")
    if balance is not None:
        v["account_balance"] = money.to_str(balance)
    for i, p in enumerate(history[:PERIODS], start=1):
        v.update({f"p{i}_place": p["place"], f"p{i}_from": p["from"], f"p{i}_to": p["to"]})
        v[f"p{i}_wage"] = p["monthly_wage"]
    if history:
        v["from"] = history[-1]["place"]
    return v, len(history)


def _open_page(
    request: Request,
    person_id: int,
    by: Principal,
    values: dict[str, str] | None = None,
    error: MinshengError | None = None,
) -> HTMLResponse:
    request.state.private = True
    with uow(request) as s:
        person = enrolment.visible_person(s, person_id, by)
        filled, stored = _prefill(s, person)
        audit.record(s, by, "read", "pn_record", person.id, person.division_code)
        who = {"id": person.id, "name": person.name_zh, "masked": person.id_masked}
    return render(
        request,
        "pensions/transfer_open.html",
        status=error.status if error else 200,
        person=who,
        stored=stored,
        f=FormState.of("transfer", values or filled, error, OPEN_FIELDS, _rename),
        today=dt.date.today(),
        periods=range(1, PERIODS + 1),
        kinds=KINDS,
        sexes=SEXES,
        categories=CATEGORIES,
    )


@router.get("/pensions/persons/{person_id}/transfer", response_class=HTMLResponse)
def open_form(
    person_id: PathId, request: Request, by: Principal = Depends(permit("pensions:write"))
) -> HTMLResponse:
    """The form that opens a stored transfer for the person, prefilled from their record."""
    return _open_page(request, person_id, by)


@router.post("/pensions/persons/{person_id}/transfer", response_class=HTMLResponse)
async def open_case(
    person_id: PathId, request: Request, by: Principal = Depends(permit("pensions:write"))
) -> Response:
    values = {
        k: v[:MAX_CHARS].strip() for k, v in form_values(await request.form(), OPEN_FIELDS).items()
    }

    def work() -> int:
        with uow(request) as s:
            data = request_of(values)
            data.pop("events", None)
            key = values.get("key", "")
            return transfer_cases.open_transfer(s, person_id, data, key, by).id

    try:
        tid = await run_in_threadpool(work)
    except MinshengError as err:
        return _open_page(request, person_id, by, values, err)
    return flash.redirect(f"/pensions/transfer-cases/{tid}", "pn_transfer_opened", request)


def _place(code: str, lang_code: str) -> str:
    try:
        return f"{divisions.get(code).name(lang_code)} ({code})"
    except Exception:
        return code


@router.get("/pensions/transfer-cases", response_class=HTMLResponse)
def queue_page(
    request: Request,
    state: str = Query("", max_length=24),
    page: str = Query("1", max_length=MAX_PAGE_CHARS),
    by: Principal = Depends(permit("pensions:read")),
) -> HTMLResponse:
    """The transfers of the caller's region, overdue first, by state, page by page."""
    code, today = lang(request), dt.date.today()
    state = state if state in CASE_STATES else ""
    with uow(request, immediate=False) as s:
        q, count = transfer_cases.queue_query(by, state, today)
        total = s.scalar(count) or 0
        pages = max((total + PER_PAGE - 1) // PER_PAGE, 1)
        number = min(page_number(page), pages)
        rows = s.scalars(q.limit(PER_PAGE).offset((number - 1) * PER_PAGE)).all()
        names = dict(
            s.execute(
                select(Person.id, Person.name_zh).where(Person.id.in_([t.person_id for t in rows]))
            ).all()
        )
        items = [
            {
                **transfer_cases.out(t, today),
                "name": names.get(t.person_id, ""),
                "from_name": _place(t.from_division, code),
                "to_name": _place(t.to_division, code),
            }
            for t in rows
        ]
    return render(
        request,
        "pensions/transfer_queue.html",
        cases=Page(
            items, number, pages, total, PER_PAGE, "/pensions/transfer-cases", (("state", state),)
        ),
        state=state,
        states=CASE_STATES,
        kinds=KINDS,
    )


def _case_page(
    request: Request,
    transfer_id: int,
    by: Principal,
    values: dict[str, str] | None = None,
    error: MinshengError | None = None,
) -> HTMLResponse:
    request.state.private = True
    code, today = lang(request), dt.date.today()
    with uow(request) as s:
        t = transfer_cases.load(s, transfer_id, by)
        audit.record(s, by, "read", "pn_transfer", t.id, t.to_division)
        person = s.get(Person, t.person_id)
        view = {
            **transfer_cases.out(t, today),
            "name": person.name_zh if person else "",
            "masked": person.id_masked if person else "",
            "from_name": _place(t.from_division, code),
            "to_name": _place(t.to_division, code),
        }
        history = transfer_cases.events(s, t)
        offered = transfer_cases.offered(s, t, by)
    steps = step_forms(offered, STEP_FIELDS, values, error)
    return render(
        request,
        "pensions/transfer_case.html",
        status=error.status if error else 200,
        t=view,
        history=history,
        steps=steps,
        actions=ACTIONS,
        case_steps=CASE_STEPS,
        states=CASE_STATES,
        kinds=KINDS,
        today=today,
    )


@router.get("/pensions/transfer-cases/{transfer_id}", response_class=HTMLResponse)
def case_page(
    transfer_id: PathId, request: Request, by: Principal = Depends(permit("pensions:read"))
) -> HTMLResponse:
    """One transfer: its amounts, steps and deadlines, history, and the actions open to you."""
    return _case_page(request, transfer_id, by)


@router.post("/pensions/transfer-cases/{transfer_id}/steps", response_class=HTMLResponse)
async def step(
    transfer_id: PathId, request: Request, by: Principal = Depends(permit("pensions:write"))
) -> Response:
    values = posted(await request.form(), STEP_FIELDS)

    def work() -> None:
        when = day(values.get("day", ""), "day")
        with uow(request) as s:
            transfer_cases.take_step(
                s,
                transfer_id,
                values.get("action", ""),
                by,
                day=when,
                reason=values.get("reason") or None,
            )

    return await take(
        request,
        work,
        done=f"/pensions/transfer-cases/{transfer_id}",
        message="pn_transfer_step",
        again=lambda err: _case_page(request, transfer_id, by, values, err),
    )
