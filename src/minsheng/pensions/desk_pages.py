"""The caseworker's certification queue and the award page.

- ``/pensions/certification``: the open and lapsed certification tasks of the caller's county or
  prefecture, the earliest due first, filtered by state and overdue, page by page; each with the
  home-visit form — certified (``certification.visit``), not found (the attempt is noted on the
  task, which stays open), or died on a date (the death is recorded in the registry and the
  death settled — the award terminated from the day after, the overpayment recovered, the
  funeral grant and survivors' benefits — ``pensions.commands.settle_death``);
- ``/pensions/persons/{id}/award``: the claim form (待遇申领) or the award — the monthly amount
  with every part explained (formula, the parameters read and their sources), its state and
  history, and the payments by month.

Another region's task or award answers 404, as missing."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any
from urllib.parse import urlencode

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import HTMLResponse, Response
from pydantic import ValidationError
from sqlalchemy import func, select
from sqlalchemy.orm import Session
from starlette.concurrency import run_in_threadpool

from minsheng.cases import engine
from minsheng.core import divisions, money, text
from minsheng.core.errors import ConflictError, MinshengError, invalid
from minsheng.fields import to_minsheng_error
from minsheng.foundation import audit
from minsheng.foundation.principals import Principal
from minsheng.pensions import awards, certification, commands, enrolment, pages
from minsheng.pensions import roll as rolls
from minsheng.pensions.models import PnAward, PnAwardEvent, PnCertification
from minsheng.pensions.pages import PART_NAMES, SCHEME_NAMES
from minsheng.pensions.schemas import ClaimIn, EndIn, SuspendIn
from minsheng.pensions.workflows import AWARD, CERTIFICATION
from minsheng.registry import service as registry
from minsheng.registry.models import Person
from minsheng.registry.schemas import PersonPatch
from minsheng.webkit import flash
from minsheng.webkit.deps import PathId, lang, uow
from minsheng.webkit.forms import FormState, form_values
from minsheng.webkit.guards import permit
from minsheng.webkit.pager import MAX_PAGE_CHARS, PER_PAGE, Page, page_number, paginate
from minsheng.webkit.render import N_, render

router = APIRouter(include_in_schema=False)

VISIT_FIELDS = ("outcome", "note", "death_date")
CLAIM_FIELDS = ("scheme", "start", "category")
OUTCOMES = {
    "certified": N_("Seen in person: certified"),
    "not_found": N_("Not found at home: visit again"),
    "died": N_("Died (give the date)"),
}
CATEGORIES = {
    "worker": N_("Worker"),
    "cadre": N_("Cadre"),
    "female-worker-50": N_("Female worker retiring at 50"),
}
FILTERS = {"": N_("Open and lapsed"), "open": N_("Open"), "lapsed": N_("Lapsed (suspended)")}

flash.register("pn_visit_certified", N_("The home visit is recorded: certified."))
flash.register("pn_visit_not_found", N_("The visit is noted: the person was not found."))
flash.register("pn_visit_died", N_("The death is recorded and the pension terminated."))
flash.register("pn_claimed", N_("The pension is awarded."))
flash.register("pn_suspended", N_("Contributions are suspended."))
flash.register("pn_resumed", N_("Contributions are resumed."))
flash.register("pn_ended", N_("The enrolment is ended."))


def label(lab: tuple[str, str, str], code: str) -> str:
    return {"zh": lab[0], "bo": lab[1], "en": lab[2]}.get(code, lab[0])


# --------------------------------------------------------------------------- the queue


def _queue(
    s: Session, by: Principal, state: str, overdue: bool, raw_page: str, today: dt.date
) -> Page[dict[str, Any]]:
    states = (state,) if state in CERTIFICATION.open_states else CERTIFICATION.open_states
    q = select(PnCertification, Person.name_zh, Person.id_masked, Person.id).join(
        PnAward, PnAward.id == PnCertification.award_id
    )
    q = q.join(Person, Person.id == PnAward.person_id).where(PnCertification.state.in_(states))
    if overdue:
        q = q.where(PnCertification.due_on < today)
    q = engine.in_region(q, PnCertification.division_code, by)
    total = s.scalar(select(func.count()).select_from(q.subquery())) or 0
    pages = max((total + PER_PAGE - 1) // PER_PAGE, 1)
    number = min(page_number(raw_page), pages)
    rows = s.execute(
        q.order_by(PnCertification.due_on, PnCertification.id)
        .limit(PER_PAGE)
        .offset((number - 1) * PER_PAGE)
    ).all()
    items = [
        {
            **certification.task_out(t),
            "name": name,
            "masked": masked,
            "person_id": pid,
            "overdue": today > t.due_on,
            "days_left": (t.due_on - today).days,
        }
        for t, name, masked, pid in rows
    ]
    query = (("state", state), ("overdue", "1" if overdue else ""))
    return Page(items, number, pages, total, PER_PAGE, "/pensions/certification", query)


def _queue_page(
    request: Request,
    by: Principal,
    state: str,
    overdue: bool,
    page: str,
    error: MinshengError | None = None,
    failed: tuple[int, dict[str, str]] | None = None,
) -> HTMLResponse:
    code = lang(request)
    today = dt.date.today()
    with uow(request, immediate=False) as s:
        tasks = _queue(s, by, state, overdue, page, today)
    forms = {t["id"]: FormState.of(f"visit-{t['id']}", fields=VISIT_FIELDS) for t in tasks.items}
    general: FormState | None = None
    if error is not None and failed:
        fs = FormState.of(f"visit-{failed[0]}", failed[1], error, VISIT_FIELDS, _visit_field)
        if failed[0] in forms:
            forms[failed[0]] = fs
        else:
            general = fs
    return render(
        request,
        "pensions/queue.html",
        status=error.status if error else 200,
        tasks=tasks,
        forms=forms,
        general=general,
        state=state,
        overdue=overdue,
        filters=FILTERS,
        outcomes=list(OUTCOMES.items()),
        states={s.name: label(s.label, code) for s in CERTIFICATION.states},
        today=today,
    )


def _visit_field(name: str) -> str | None:
    return {"reason": "note", "evidence": "outcome", "died_on": "death_date"}.get(name)


@router.get("/pensions/certification", response_class=HTMLResponse)
def queue_view(
    request: Request,
    state: str = Query("", max_length=12),
    overdue: str = Query("", max_length=2),
    page: str = Query("1", max_length=MAX_PAGE_CHARS),
    by: Principal = Depends(permit("pensions:read")),
) -> HTMLResponse:
    """The certification tasks of the caller's region to do (home visits), the earliest due
    first."""
    request.state.private = True
    return _queue_page(request, by, state, overdue == "1", page)


def _death_date(raw: str, person: Person) -> dt.date:
    try:
        day = dt.date.fromisoformat(raw.strip())
    except ValueError:
        raise invalid(
            "death_date",
            "required",
            "请填写死亡日期（YYYY-MM-DD）",
            "give the date of death (YYYY-MM-DD)",
            bo="འདས་པའི་ཚེས་གྲངས་འབྲི་དགོས།",
        ) from None
    if not person.birth_date <= day <= dt.date.today():
        raise invalid(
            "death_date",
            "date_range",
            "死亡日期应在出生日期与今天之间",
            "a date of death lies between the birth date and today",
            bo="འདས་པའི་ཚེས་གྲངས་སྐྱེས་ཚེས་དང་དེ་རིང་བར་ཡིན་དགོས།",
        )
    return day


def record_visit(
    s: Session, task_id: int, outcome: str, note: str, death: str, by: Principal
) -> str:
    """Record a home visit's outcome; returns the flash key."""
    task = certification.load_task(s, task_id, by)
    if outcome not in OUTCOMES:
        raise invalid(
            "outcome",
            "unknown_value",
            "请选择上门结果",
            "choose what the visit found",
            bo="ཁྱིམ་དུ་ཕེབས་པའི་གྲུབ་འབྲས་འདེམས་དགོས།",
        )
    if task.state not in CERTIFICATION.open_states:
        raise ConflictError(
            "outcome",
            "closed",
            "该认证任务已办结",
            "this certification task is already closed",
            bo="ར་སྤྲོད་ལས་འགན་འདི་མཇུག་སྒྲིལ་ཟིན།",
        )
    if outcome == "certified":
        certification.visit(s, task_id, note or None, by)
        return "pn_visit_certified"
    award = awards.load_award(s, task.award_id, by)
    if outcome == "not_found":
        clean = text.clean(note, "note", "free", max_length=300) if note.strip() else ""
        if not clean:
            raise invalid(
                "note",
                "required",
                "请写明上门情况",
                "say what the visit found",
                bo="གནས་ཚུལ་འབྲི་དགོས།",
            )
        task.note = f"{dt.date.today().isoformat()} 未见到本人：{clean}"[:400]
        audit.record(s, by, "visit_not_found", "pn_certification", task.id, task.division_code, {})
        return "pn_visit_not_found"
    person = s.get(Person, award.person_id)
    assert person is not None
    day = _death_date(death, person)
    if "terminate" not in AWARD.offered(award.state, by):
        raise ConflictError(
            "outcome",
            "wrong_state",
            "该待遇已终止",
            "this pension has already ended",
            bo="ཐོབ་ཐང་འདི་མཇུག་སྒྲིལ་ཟིན།",
        )
    registry.update_person(s, person.id, PersonPatch(death_date=day), by)
    # the whole settlement: terminated from the next day, the overpayment's recovery case, the
    # funeral grant, survivors' allowance and inheritable balance (the death helper's command)
    commands.settle_death(s, person.id, day, by)
    return "pn_visit_died"


@router.post("/pensions/certification/tasks/{task_id}/visit", response_class=HTMLResponse)
async def visit(
    task_id: PathId, request: Request, by: Principal = Depends(permit("pensions:write"))
) -> Response:
    form = await request.form()
    values = form_values(form, (*VISIT_FIELDS, "state", "overdue", "page"))
    state, overdue, page = (
        values.get("state", ""),
        values.get("overdue") == "1",
        values.get("page", "1"),
    )

    def work() -> str:
        with uow(request) as s:
            return record_visit(
                s,
                task_id,
                values.get("outcome", ""),
                values.get("note", ""),
                values.get("death_date", ""),
                by,
            )

    try:
        done = await run_in_threadpool(work)
    except MinshengError as err:
        return _queue_page(request, by, state, overdue, page, err, (task_id, values))
    query = [("state", state), ("overdue", "1" if overdue else "")]
    if page_number(page) > 1:
        query.append(("page", str(page_number(page))))
    kept = urlencode([(k, v) for k, v in query if v])
    return flash.redirect("/pensions/certification" + ("?" + kept if kept else ""), done, request)


# --------------------------------------------------------------------------- the award


def _award_view(s: Session, award: PnAward, code: str, raw_page: str) -> dict[str, Any]:
    out = awards.award_out(award)
    events = s.scalars(
        select(PnAwardEvent).where(PnAwardEvent.award_id == award.id).order_by(PnAwardEvent.id)
    ).all()
    actions = {st.action: label(st.label, code) for st in AWARD.steps}
    states = {st.name: label(st.label, code) for st in AWARD.states}
    pays = [
        {"month": p.month, "amount": p.amount, "run_id": p.run_id}
        for p in reversed(rolls.payments_of(s, award.id))
    ]
    return {
        **out,
        "parts": json.loads(award.parts),
        "state_label": states.get(award.state, award.state),
        "events": [
            {
                "day": e.day,
                "action": actions.get(e.action, e.action),
                "to": states.get(e.to_state, e.to_state),
                "note": e.note,
            }
            for e in events
        ],
        "payments": paginate(pays, raw_page, f"/pensions/persons/{award.person_id}/award"),
    }


def _award_page(
    request: Request,
    person_id: int,
    by: Principal,
    page: str = "1",
    error: MinshengError | None = None,
    values: dict[str, str] | None = None,
) -> HTMLResponse:
    request.state.private = True
    code = lang(request)
    with uow(request) as s:
        person = enrolment.visible_person(s, person_id, by)
        found = awards.award_of(s, person.id)
        award = awards.load_award(s, found.id, by) if found is not None else None
        audit.record(s, by, "read", "pn_award", award.id if award else None, person.division_code)
        view = _award_view(s, award, code, page) if award else None
        who = {
            "id": person.id,
            "name": person.name_zh,
            "masked": person.id_masked,
            "birth": person.birth_date,
            "county": divisions.get(person.division_code).name(code),
        }
    return render(
        request,
        "pensions/award.html",
        status=error.status if error else 200,
        person=who,
        award=view,
        f=FormState.of("claim", values, error, CLAIM_FIELDS),
        schemes=[(k, SCHEME_NAMES[k]) for k in ("resident_pension", "employee_pension")],
        categories=list(CATEGORIES.items()),
        names=SCHEME_NAMES,
        parts=PART_NAMES,
        fmt=money.fmt,
    )


@router.get("/pensions/persons/{person_id}/award", response_class=HTMLResponse)
def award_view(
    person_id: PathId,
    request: Request,
    page: str = Query("1", max_length=MAX_PAGE_CHARS),
    by: Principal = Depends(permit("pensions:read")),
) -> HTMLResponse:
    """The person's award with the explanation of every figure, or the claim form."""
    return _award_page(request, person_id, by, page)


@router.post("/pensions/persons/{person_id}/award", response_class=HTMLResponse)
async def claim(
    person_id: PathId, request: Request, by: Principal = Depends(permit("pensions:write"))
) -> Response:
    form = await request.form()
    values = form_values(form, CLAIM_FIELDS)

    def work() -> None:
        data = ClaimIn.model_validate(
            {
                "person_id": person_id,
                "scheme": values.get("scheme", "").strip(),
                "start": values.get("start", "").strip() or None,
                "category": values.get("category", "").strip() or "worker",
            }
        )
        with uow(request) as s:
            enrolment.visible_person(s, person_id, by)
            awards.claim(s, data, by)

    try:
        await run_in_threadpool(work)
    except ValidationError as err:
        return _award_page(request, person_id, by, error=to_minsheng_error(err), values=values)
    except MinshengError as err:
        return _award_page(request, person_id, by, error=err, values=values)
    return flash.redirect(f"/pensions/persons/{person_id}/award", "pn_claimed", request)


# --------------------------------------------------------------------------- enrolment actions


def _enrolment_owner(request: Request, enrolment_id: int, by: Principal) -> int:
    with uow(request, immediate=False) as s:
        return enrolment.load_enrolment(s, enrolment_id, by).person_id


@router.post("/pensions/enrolments/{enrolment_id}/suspend", response_class=HTMLResponse)
async def suspend(
    enrolment_id: PathId, request: Request, by: Principal = Depends(permit("pensions:write"))
) -> Response:
    """Suspend contributions from a day (暂停缴费), or resume them (an empty day)."""
    form = await request.form()
    person_id = await run_in_threadpool(_enrolment_owner, request, enrolment_id, by)

    def work() -> None:
        raw = str(form.get("on") or "").strip()
        data = SuspendIn.model_validate({"on": raw or None})
        with uow(request) as s:
            enrolment.suspend(s, enrolment_id, data.on, by)

    done = "pn_resumed" if not str(form.get("on") or "").strip() else "pn_suspended"
    return await pages._do(request, person_id, by, work, form, f"suspend-{enrolment_id}", done)


@router.post("/pensions/enrolments/{enrolment_id}/end", response_class=HTMLResponse)
async def end(
    enrolment_id: PathId, request: Request, by: Principal = Depends(permit("pensions:write"))
) -> Response:
    """End an enrolment on its last day."""
    form = await request.form()
    person_id = await run_in_threadpool(_enrolment_owner, request, enrolment_id, by)

    def work() -> None:
        data = EndIn.model_validate({"end_date": str(form.get("end_date") or "").strip()})
        with uow(request) as s:
            enrolment.end_enrolment(s, enrolment_id, data.end_date, by)

    return await pages._do(request, person_id, by, work, form, f"end-{enrolment_id}", "pn_ended")
