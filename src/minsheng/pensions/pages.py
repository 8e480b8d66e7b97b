"""Pensions pages: the citizen's own insurance (enrolments, contributions by year, accounts and
their statements) and the pension estimate ("if I keep paying tier X until the claim age"); the
caseworker's enrolment desk (find a person of the region, enrol them in a scheme, record a
resident's tier contribution). Plain HTML forms with CSRF tokens; no JavaScript needed."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from typing import Any

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from pydantic import ValidationError
from sqlalchemy.orm import Session
from starlette.concurrency import run_in_threadpool

from minsheng.core import divisions, money
from minsheng.core.errors import MinshengError, invalid
from minsheng.fields import to_minsheng_error
from minsheng.foundation import audit
from minsheng.foundation.principals import Principal
from minsheng.pensions import accounts, contributions, enrolment, estimate
from minsheng.pensions.models import SCHEMES, PnContribution
from minsheng.pensions.schemas import EnrolIn, ResidentContributionIn
from minsheng.policy import load
from minsheng.registry import service as registry
from minsheng.registry.models import Person
from minsheng.webkit import flash
from minsheng.webkit.deps import PathId, lang, uow
from minsheng.webkit.forms import FormState, form_values
from minsheng.webkit.guards import permit
from minsheng.webkit.render import N_, render

router = APIRouter(include_in_schema=False)

SCHEME_NAMES = {
    "employee_pension": N_("Employee pension insurance"),
    "work_injury": N_("Work-injury insurance"),
    "unemployment": N_("Unemployment insurance"),
    "resident_pension": N_("Resident basic pension insurance"),
}
PART_NAMES = {
    "basic": N_("Basic pension"),
    "long_contribution": N_("Extra for long contribution"),
    "account": N_("Individual account pension"),
    "transitional": N_("Transitional pension"),
}
FORMS: dict[str, tuple[str, ...]] = {
    "find": ("id_number",),
    "enrol": ("scheme", "credit_code", "wage", "division_code", "start_date"),
    "contribution": ("year", "tier", "back_payment"),
    "estimate": ("tier",),
    "suspend": ("on",),  # per enrolment: the form "suspend-<id>" (desk_pages)
    "end": ("end_date",),
}
SEX = {"M": "male", "F": "female"}
RESIDENT = "resident_pension"

flash.register("pn_enrolled", N_("The enrolment is recorded."))
flash.register("pn_contributed", N_("The contribution is recorded."))


def _by_year(rows: list[PnContribution]) -> list[dict[str, Any]]:
    """Contributions summed by year and scheme (employees pay monthly, residents yearly)."""
    sums: dict[tuple[int, str], dict[str, Any]] = defaultdict(
        lambda: {"individual": 0, "employer": 0, "subsidy": 0, "months": 0, "government": False}
    )
    for c in rows:
        row = sums[(c.year, c.scheme)]
        row["individual"] += c.individual
        row["employer"] += c.employer
        row["subsidy"] += c.subsidy
        row["months"] += 1 if c.month else 12
        row["government"] = row["government"] or c.government_paid
    return [
        {"year": year, "scheme": scheme, **row}
        for (year, scheme), row in sorted(sums.items(), key=lambda kv: (-kv[0][0], kv[0][1]))
    ]


def _record(s: Session, person: Person) -> dict[str, Any]:
    return {
        "enrolments": [enrolment.enrolment_out(e) for e in enrolment.own_enrolments(s, person.id)],
        "years": _by_year(contributions.own(s, person.id)),
        "accounts": accounts.own_accounts(s, person.id),
    }


def _tiers(division: str) -> list[tuple[str, str]]:
    """The resident tiers in force today, as (value, label) options: the yearly amount and
    its subsidy."""
    p = enrolment.params(dt.date.today(), division)
    return [(money.to_str(a), f"{money.fmt(a)} (+{money.fmt(sub)})") for a, sub in p.tiers()]


def _labels() -> dict[str, Any]:
    return {"schemes": SCHEME_NAMES, "parts": PART_NAMES, "fmt": money.fmt}


# --------------------------------------------------------------------------- the citizen


def projected_history(
    stored: list[PnContribution], birth: dt.date, tier: str, today: dt.date, claim_age: int
) -> list[dict[str, Any]]:
    """The resident history for the estimate: every stored year as paid (the tier, or paid by
    the government), then ``tier`` each year from this year (or the year after the last one
    paid) to the year before the pension starts."""
    history: dict[int, dict[str, Any]] = {}
    for c in stored:
        if c.scheme != RESIDENT:
            continue
        if c.government_paid:
            history[c.year] = {"year": c.year, "government_paid": True}
        else:
            history[c.year] = {"year": c.year, "tier": money.to_str(c.individual)}
    claim_year = birth.year + claim_age
    start = max([today.year, *(y + 1 for y in history)])
    for year in range(start, claim_year):
        history[year] = {"year": year, "tier": tier}
    return [history[y] for y in sorted(history)]


def _estimate_of(s: Session, person: Person, tier_text: str) -> estimate.Estimate:
    """Refuses a tier not in the table (on ``tier``), then estimates."""
    today = dt.date.today()
    p = enrolment.params(today, person.division_code)
    fen = money.parse(tier_text.strip(), "tier") if tier_text.strip() else -1
    tiers = [a for a, _ in p.tiers()]
    if fen not in tiers:
        allowed = "、".join(money.to_str(a) for a in tiers)
        raise invalid(
            "tier",
            "tier",
            f"缴费档次应为以下之一：{allowed}",
            f"the tier must be one of: {allowed}",
            bo=f"འབབ་འཇལ་རིམ་པ་འདི་དག་ལས་གཅིག་འདེམས། {allowed}",
        )
    history = projected_history(
        contributions.own(s, person.id),
        person.birth_date,
        money.to_str(fen),
        today,
        p.int_("pensions.resident.claim_age"),
    )
    data = {
        "scheme": "resident",
        "birth": f"{person.birth_date:%Y-%m}",
        "sex": SEX.get(person.sex, person.sex),
        "history": history,
    }
    return estimate.estimate(load(), data, person.division_code)


def _to_tier(name: str) -> str | None:
    """An estimate's problem with the history (too few years, a tier) belongs to the tier."""
    return "tier" if name.startswith(("history", "tier")) else None


@router.get("/me/pensions/estimate", response_class=HTMLResponse)
def my_estimate(
    request: Request,
    tier: str = Query("", max_length=20),
    by: Principal = Depends(permit("self:read")),
) -> HTMLResponse:
    """ "If I keep paying tier X until the claim age": the monthly pension with each part, its
    formula and the parameters it read, and the account year by year. A GET form: it changes
    nothing and can be bookmarked."""
    request.state.private = True
    result: estimate.Estimate | None = None
    error: MinshengError | None = None
    with uow(request, immediate=False) as s:
        person = s.get(Person, by.person_id)
        assert person is not None
        division = person.division_code
        if tier:
            try:
                result = _estimate_of(s, person, tier)
            except MinshengError as err:
                error = err
    f = FormState.of("estimate", {"tier": tier}, error, FORMS["estimate"], _to_tier)
    return render(
        request,
        "pensions/estimate.html",
        status=error.status if error else 200,
        f=f,
        tiers=_tiers(division),
        result=result,
        **_labels(),
    )


# --------------------------------------------------------------------------- the desk


@router.get("/pensions", response_class=HTMLResponse)
def desk(request: Request, by: Principal = Depends(permit("pensions:read"))) -> HTMLResponse:
    """The enrolment desk: find a person of the region by their ID number (posted, never in a
    URL)."""
    return render(request, "pensions/desk.html", f=FormState.of("", fields=FORMS["find"]))


@router.post("/pensions/find", response_class=HTMLResponse)
async def find(request: Request, by: Principal = Depends(permit("pensions:read"))) -> Response:
    form = await request.form()
    number = str(form.get("id_number") or "").strip()

    def work() -> int:
        with uow(request) as s:
            return registry.lookup(s, number, by).id

    try:
        person_id = await run_in_threadpool(work)
    except MinshengError as err:
        request.state.private = True
        f = FormState.of("", {"id_number": number[:40]}, err, FORMS["find"])
        return render(request, "pensions/desk.html", status=err.status, f=f)
    return RedirectResponse(f"/pensions/persons/{person_id}", status_code=303)


def _person_page(
    request: Request,
    person_id: int,
    by: Principal,
    error: MinshengError | None = None,
    failed: tuple[str, dict[str, str]] | None = None,
) -> HTMLResponse:
    request.state.private = True
    with uow(request) as s:
        person = enrolment.visible_person(s, person_id, by)
        audit.record(s, by, "read", "pn_record", person.id, person.division_code)
        data = _record(s, person)
        who: dict[str, Any] = {
            "id": person.id,
            "name": person.name_zh,
            "masked": person.id_masked,
            "birth": person.birth_date,
            "county": divisions.get(person.division_code).name(lang(request)),
            "division_code": person.division_code,
        }
    forms = {name: FormState.of(name, fields=FORMS[name]) for name in ("enrol", "contribution")}
    if error is not None and failed:
        forms[failed[0]] = FormState.of(failed[0], failed[1], error, FORMS[failed[0].split("-")[0]])
    return render(
        request,
        "pensions/person.html",
        status=error.status if error else 200,
        person=who,
        forms=forms,
        scheme_options=[(k, SCHEME_NAMES[k]) for k in SCHEMES],
        tiers=_tiers(who["division_code"]),
        today=dt.date.today(),
        **data,
        **_labels(),
    )


@router.get("/pensions/persons/{person_id}", response_class=HTMLResponse)
def person_view(
    person_id: PathId, request: Request, by: Principal = Depends(permit("pensions:read"))
) -> HTMLResponse:
    return _person_page(request, person_id, by)


async def _do(
    request: Request, person_id: int, by: Principal, work: Any, form: Any, name: str, done: str
) -> Response:
    """Run a form's work in one transaction: 303 back with ``done``, or the page again with
    the form as typed and each error by its field (nothing changed)."""
    failed = (name, form_values(form, FORMS[name.split("-")[0]]))
    try:
        await run_in_threadpool(work)
    except ValidationError as err:
        return _person_page(request, person_id, by, to_minsheng_error(err), failed)
    except MinshengError as err:
        return _person_page(request, person_id, by, err, failed)
    return flash.redirect(f"/pensions/persons/{person_id}", done, request)


def _text(form: Any, name: str) -> str | None:
    return str(form.get(name) or "").strip() or None


@router.post("/pensions/persons/{person_id}/enrolments", response_class=HTMLResponse)
async def enrol(
    person_id: PathId, request: Request, by: Principal = Depends(permit("pensions:write"))
) -> Response:
    form = await request.form()

    def work() -> None:
        data = EnrolIn.model_validate(
            {
                "person_id": person_id,
                "scheme": _text(form, "scheme") or "",
                "credit_code": _text(form, "credit_code"),
                "wage": _text(form, "wage"),
                "division_code": _text(form, "division_code"),
                "start_date": _text(form, "start_date") or "",
            }
        )
        with uow(request) as s:
            enrolment.visible_person(s, person_id, by)
            enrolment.enrol(s, data, by)

    return await _do(request, person_id, by, work, form, "enrol", "pn_enrolled")


@router.post("/pensions/persons/{person_id}/contributions", response_class=HTMLResponse)
async def contribute(
    person_id: PathId, request: Request, by: Principal = Depends(permit("pensions:write"))
) -> Response:
    form = await request.form()

    def work() -> None:
        year = _text(form, "year") or ""
        data = ResidentContributionIn.model_validate(
            {
                "person_id": person_id,
                "year": int(year) if year.isdigit() and len(year) <= 4 else year,
                "tier": _text(form, "tier") or "",
                "back_payment": form.get("back_payment") == "on",
            }
        )
        with uow(request) as s:
            enrolment.visible_person(s, person_id, by)
            contributions.record_resident(s, data, by)

    return await _do(request, person_id, by, work, form, "contribution", "pn_contributed")
