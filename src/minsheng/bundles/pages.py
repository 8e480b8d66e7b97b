"""Bundle pages: the caseworker's bundle desk (find a person of the region; start a bundle for
them with its one form; see each part's state and the refusing part's error) and the
citizen's (``/me/bundles``: start one's own retirement or card application, see its state).

Each form carries a fresh idempotency key, so a double submit answers the first bundle. A
form that cannot be read (a date that is no date) answers the page again with the field
marked; a bundle a part refused is stored, and the page of the bundle shows why."""

from __future__ import annotations

import secrets
from typing import Any

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from pydantic import BaseModel, ValidationError
from starlette.concurrency import run_in_threadpool

from minsheng.bundles import labels, service
from minsheng.bundles.schemas import FORMS
from minsheng.bundles.workflows import BUNDLE
from minsheng.core import divisions
from minsheng.core.errors import MinshengError
from minsheng.fields import to_minsheng_error
from minsheng.foundation import audit
from minsheng.foundation.principals import Principal
from minsheng.registry import service as registry
from minsheng.webkit import flash
from minsheng.webkit.deps import PathId, lang, uow
from minsheng.webkit.forms import FormState, form_values
from minsheng.webkit.guards import permit
from minsheng.webkit.pager import MAX_PAGE_CHARS, cut, paginate
from minsheng.webkit.render import N_, render

router = APIRouter(include_in_schema=False)

FIELDS: dict[str, tuple[str, ...]] = {
    "find": ("id_number",),
    "retirement": ("category", "start"),
    "death": ("died_on",),
    "hire": ("credit_code", "wage", "start_date"),
    "card": ("division_code",),
}
MAX_TEXT = 64  # engineering bound on a typed value before the form's own checks
CATEGORIES = {  # the msgids the pensions desk uses for the same categories
    "worker": N_("Worker"),
    "cadre": N_("Cadre"),
    "female-worker-50": N_("Female worker retiring at 50"),
}

flash.register("bundle_done", N_("Done: every part of the application is carried out."))
flash.register("bundle_refused", N_("Not done: one part refused, so no part was carried out."))

PART_STATES = {
    "done": ("已办结", "གྲུབ་ཟིན།", "done"),
    "refused": ("未通过", "ཁས་མ་བླངས།", "refused"),
    "rolled_back": ("已撤回", "ཕྱིར་ལོག", "undone"),
    "not_run": ("未办理", "མ་བྱས།", "not run"),
    "skipped": ("无需办理", "དགོས་མེད།", "not needed"),
}


def _i(request: Request) -> int:
    return {"zh": 0, "bo": 1, "en": 2}.get(lang(request), 0)


def _labels(request: Request) -> dict[str, Any]:
    i = _i(request)
    return {
        "kinds": {k: v[i] for k, v in service.KIND_LABELS.items()},
        "states": {s.name: s.label[i] for s in BUNDLE.states},
        "part_states": {k: v[i] for k, v in PART_STATES.items()},
        "categories": list(CATEGORIES.items()),
    }


def _view(request: Request, out: dict[str, Any]) -> dict[str, Any]:
    """A bundle as the page shows it: labels in the reader's language."""
    i = _i(request)
    code = lang(request)
    parts = []
    for p in out["parts"]:
        err = p["error"]
        parts.append(
            {
                **p,
                "label": service.label(out["kind"], p["name"])[i],
                "message": None if err is None else err["message"],
                "lines": labels.lines(p["result"], p["programme"], code),
            }
        )
    error = out["error"]
    return {
        **out,
        "parts": parts,
        "county": divisions.get(out["division_code"]).name(code),
        "error_part": None if error is None else service.label(out["kind"], error["part"])[i],
    }


def _text(form: Any, name: str) -> str:
    return str(form.get(name) or "").strip()[:MAX_TEXT]


def _model(kind: str, person_id: int, form: Any) -> BaseModel:
    values: dict[str, Any] = {"person_id": person_id}
    for name in FIELDS[kind]:
        text = _text(form, name)
        if text:
            values[name] = text
    try:
        return FORMS[kind](**values)
    except ValidationError as err:
        raise to_minsheng_error(err) from None


def _forms(kinds: tuple[str, ...]) -> dict[str, FormState]:
    return {k: FormState.of(k, fields=FIELDS[k]) for k in kinds}


def _key() -> str:
    return secrets.token_urlsafe(18)


async def _start(
    request: Request, kind: str, person_id: int, by: Principal, form: Any
) -> tuple[int | None, MinshengError | None]:
    def work() -> int:
        model = _model(kind, person_id, form)
        with uow(request) as s:
            bundle, _ = service.apply(s, kind, model, by, key=_text(form, "key") or None)
            return bundle.id

    try:
        return await run_in_threadpool(work), None
    except MinshengError as err:
        return None, err


# --------------------------------------------------------------------------- the desk


def _desk_page(
    request: Request,
    by: Principal,
    page: str | None,
    f: FormState,
    status: int = 200,
) -> HTMLResponse:
    """The desk: the find form (``f``: as typed, with its error) above the region's bundles,
    newest first — read up to the service's bound, and the page says when it was cut."""
    with uow(request, immediate=False) as s:
        read, capped = cut(service.listing(s, by, limit=service.MAX_LIST + 1), service.MAX_LIST)
        rows = [
            {"id": b.id, "kind": b.kind, "state": b.state, "day": b.day, "person_id": b.person_id}
            for b in read
        ]
    return render(
        request,
        "bundles/desk.html",
        status=status,
        f=f,
        p=paginate(rows, page, "/bundles", {}, capped=capped),
        **_labels(request),
    )


@router.get("/bundles", response_class=HTMLResponse)
def desk(
    request: Request,
    page: str = Query("1", max_length=MAX_PAGE_CHARS),
    by: Principal = Depends(permit("bundles:read")),
) -> HTMLResponse:
    """The bundle desk: find a person of the region by ID number (posted), and the region's
    recent bundles."""
    return _desk_page(request, by, page, FormState.of("", fields=FIELDS["find"]))


@router.post("/bundles/find", response_class=HTMLResponse)
async def find(request: Request, by: Principal = Depends(permit("bundles:read"))) -> Response:
    form = await request.form()
    number = _text(form, "id_number")[:40]

    def work() -> int:
        with uow(request) as s:
            return registry.lookup(s, number, by).id

    try:
        person_id = await run_in_threadpool(work)
    except MinshengError as err:  # the error by its field, the list still below it
        request.state.private = True
        f = FormState.of("", {"id_number": number}, err, FIELDS["find"])
        return _desk_page(request, by, "1", f, err.status)
    return RedirectResponse(f"/bundles/persons/{person_id}", status_code=303)


def _person_page(
    request: Request,
    person_id: int,
    by: Principal,
    error: MinshengError | None = None,
    failed: tuple[str, dict[str, str]] | None = None,
) -> HTMLResponse:
    request.state.private = True
    with uow(request) as s:
        person = registry.load_person(s, person_id, by)
        audit.record(s, by, "read", "bundle_person", person.id, person.division_code)
        who = {
            "id": person.id,
            "name": person.name_zh,
            "masked": person.id_masked,
            "county": divisions.get(person.division_code).name(lang(request)),
            "division_code": person.division_code,
        }
        bundles = [
            {"id": b.id, "kind": b.kind, "state": b.state, "day": b.day}
            for b in service.listing(s, by, person_id=person.id)
        ]
    forms = _forms(tuple(service.PARTS))
    if error is not None and failed:
        forms[failed[0]] = FormState.of(failed[0], failed[1], error, FIELDS[failed[0]])
    return render(
        request,
        "bundles/person.html",
        status=error.status if error else 200,
        person=who,
        bundles=bundles,
        forms=forms,
        key=_key(),
        **_labels(request),
    )


@router.get("/bundles/persons/{person_id}", response_class=HTMLResponse)
def person_view(
    person_id: PathId, request: Request, by: Principal = Depends(permit("bundles:read"))
) -> HTMLResponse:
    """A person's bundles and the one form of each bundle."""
    return _person_page(request, person_id, by)


@router.post("/bundles/persons/{person_id}/{kind}", response_class=HTMLResponse)
async def start(
    person_id: PathId,
    kind: str,
    request: Request,
    by: Principal = Depends(permit("bundles:write")),
) -> Response:
    """Start the bundle ``kind`` for the person: all or nothing."""
    form = await request.form()
    kind = service.check_kind(kind[:MAX_TEXT])
    bundle_id, err = await _start(request, kind, person_id, by, form)
    if err is not None or bundle_id is None:
        return _person_page(request, person_id, by, err, (kind, form_values(form, FIELDS[kind])))
    return await _redirect(request, bundle_id, by, "/bundles")


async def _redirect(request: Request, bundle_id: int, by: Principal, base: str) -> Response:
    def state() -> str:
        with uow(request, immediate=False) as s:
            return service.load(s, bundle_id, by).state

    done = await run_in_threadpool(state) == "done"
    return flash.redirect(
        f"{base}/{bundle_id}", "bundle_done" if done else "bundle_refused", request
    )


@router.get("/bundles/{bundle_id}", response_class=HTMLResponse)
def bundle_view(
    bundle_id: PathId, request: Request, by: Principal = Depends(permit("bundles:read"))
) -> HTMLResponse:
    """One bundle: its state, each part's state and result, the refusing part's error."""
    request.state.private = True
    with uow(request, immediate=False) as s:
        out = service.bundle_out(s, service.load(s, bundle_id, by))
    return render(
        request, "bundles/bundle.html", b=_view(request, out), back="/bundles", **_labels(request)
    )


# --------------------------------------------------------------------------- the citizen


def _mine_page(
    request: Request,
    by: Principal,
    error: MinshengError | None = None,
    failed: tuple[str, dict[str, str]] | None = None,
) -> HTMLResponse:
    request.state.private = True
    with uow(request, immediate=False) as s:
        bundles = [
            {"id": b.id, "kind": b.kind, "state": b.state, "day": b.day}
            for b in service.listing(s, by)
        ]
    forms = _forms(service.CITIZEN_KINDS)
    if error is not None and failed:
        forms[failed[0]] = FormState.of(failed[0], failed[1], error, FIELDS[failed[0]])
    return render(
        request,
        "bundles/mine.html",
        status=error.status if error else 200,
        bundles=bundles,
        forms=forms,
        key=_key(),
        **_labels(request),
    )


@router.get("/me/bundles", response_class=HTMLResponse)
def mine(request: Request, by: Principal = Depends(permit("self:bundles"))) -> HTMLResponse:
    """The citizen's bundles, and the start of their own retirement or card application."""
    return _mine_page(request, by)


@router.post("/me/bundles/{kind}", response_class=HTMLResponse)
async def my_start(
    kind: str, request: Request, by: Principal = Depends(permit("self:bundles"))
) -> Response:
    form = await request.form()
    kind = service.check_kind(kind[:MAX_TEXT])
    if kind not in service.CITIZEN_KINDS or by.person_id is None:
        return _mine_page(request, by, service.staff_only(), None)
    bundle_id, err = await _start(request, kind, by.person_id, by, form)
    if err is not None or bundle_id is None:
        return _mine_page(request, by, err, (kind, form_values(form, FIELDS[kind])))
    return await _redirect(request, bundle_id, by, "/me/bundles")


@router.get("/me/bundles/{bundle_id}", response_class=HTMLResponse)
def my_bundle(
    bundle_id: PathId, request: Request, by: Principal = Depends(permit("self:bundles"))
) -> HTMLResponse:
    request.state.private = True
    with uow(request, immediate=False) as s:
        out = service.bundle_out(s, service.load(s, bundle_id, by))
    return render(
        request,
        "bundles/bundle.html",
        b=_view(request, out),
        back="/me/bundles",
        **_labels(request),
    )
