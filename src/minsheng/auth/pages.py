"""Sign-in pages: staff (password) and citizens (ID number and a one-time code), and the
citizen's own page. Plain HTML forms with CSRF tokens; no JavaScript needed."""

from __future__ import annotations

import datetime as dt

from fastapi import APIRouter, Depends, Form, Query, Request
from fastapi.responses import HTMLResponse, Response

from minsheng.auth import service
from minsheng.auth.api import start_session
from minsheng.auth.credentials import SignInError
from minsheng.auth.web import open_session_for
from minsheng.core import divisions, ids
from minsheng.core.errors import MinshengError
from minsheng.foundation.crypto import lookup_hash
from minsheng.foundation.principals import Principal
from minsheng.registry import service as registry
from minsheng.registry import vocab
from minsheng.registry.models import Person
from minsheng.webkit import flash
from minsheng.webkit.deps import lang, safe_next, uow
from minsheng.webkit.errors import with_tibetan
from minsheng.webkit.forms import FormState
from minsheng.webkit.guards import (
    CSRF_COOKIE,
    SESSION_COOKIE,
    client_ip,
    limit,
    permit,
    public,
)
from minsheng.webkit.render import landing_for, render

router = APIRouter(include_in_schema=False)
LOGIN_FIELDS = ("username", "password")
OTP_MINUTES = int(service.OTP_LIFETIME.total_seconds() // 60)


def _wrong_code(err: MinshengError) -> MinshengError:
    """A wrong or expired code says how long a code lasts (and so when to ask for another)."""
    if err.rule != "bad_code":
        return with_tibetan(err)
    m = OTP_MINUTES
    return SignInError(
        "bad_code",
        f"验证码不正确或已过期。验证码发送后{m}分钟内有效，可重新获取。",
        f"the code is wrong or has expired. A code is valid for {m} minutes after it is sent; "
        "you can ask for a new one.",
        err.status,
        bo=f"ར་སྤྲོད་ཨང་གྲངས་ནོར་འདུག་གམ་དུས་ཚོད་ཡོལ་ཟིན། ཨང་གྲངས་བཏང་རྗེས་སྐར་མ་ {m} ནང་ནུས་པ་ལྡན། "
        "ཨང་གྲངས་གསར་པ་ཞིག་ལེན་ཆོག",
    )


def staff_landing(by: Principal, target: str | None) -> str:
    """Where a staff member goes after signing in: ``next`` if it is a path of this site, else
    their desk (:func:`minsheng.webkit.render.landing_for`), else the home page."""
    default = landing_for(by) or "/"
    return safe_next(target, default) if target else default


@router.get("/login", response_class=HTMLResponse)
def login_form(
    request: Request, next: str = Query("", max_length=2000), by: Principal = Depends(public())
) -> HTMLResponse:
    return render(request, "auth/login.html", next=safe_next(next, ""), f=FormState.of())


@router.post("/login", response_class=HTMLResponse)
def login(
    request: Request,
    username: str = Form("", max_length=64),
    password: str = Form("", max_length=256),
    next: str = Form("", max_length=2000),
    by: Principal = Depends(public()),
) -> Response:
    ip = client_ip(request) or "-"
    try:
        limit(request, "login_ip", ip)
        with uow(request) as s:
            user = service.authenticate(s, username, password, ip)
            new = open_session_for(request, s, user=user)
            signed_in = service.staff_principal(user, ip)
    except MinshengError as err:
        # a wrong name or password names no field (which of the two is not said): the message
        # sits on the password, the name is kept
        f = FormState.of(
            "",
            {"username": username},
            with_tibetan(err),
            LOGIN_FIELDS,
            rename=lambda name: name if name in LOGIN_FIELDS else "password",
        )
        return render(request, "auth/login.html", status=err.status, next=safe_next(next, ""), f=f)
    response = flash.redirect(staff_landing(signed_in, next), "signed_in", request)
    start_session(request, response, new)
    return response


@router.post("/logout")
def logout(request: Request, by: Principal = Depends(public())) -> Response:
    token = request.cookies.get(SESSION_COOKIE)
    if token:
        with uow(request) as s:
            service.close_session(s, token, by)
    response = flash.redirect("/", "signed_out", request)
    response.delete_cookie(SESSION_COOKIE, path="/")
    response.delete_cookie(CSRF_COOKIE, path="/")
    return response


def _id_step(
    request: Request, next: str, id_number: str = "", err: MinshengError | None = None
) -> HTMLResponse:
    f = FormState.of(
        "",
        {"id_number": id_number},
        with_tibetan(err) if err else None,
        ("id_number",),
        rename=lambda name: "id_number",  # a limit or the ID: either way, this field
    )
    return render(
        request,
        "auth/citizen_login.html",
        status=err.status if err else 200,
        step="id",
        f=f,
        next=safe_next(next, ""),
    )


@router.get("/citizen/login", response_class=HTMLResponse)
def citizen_form(
    request: Request, next: str = Query("", max_length=2000), by: Principal = Depends(public())
) -> HTMLResponse:
    return _id_step(request, next)


@router.post("/citizen/login", response_class=HTMLResponse)
def citizen_send(
    request: Request,
    id_number: str = Form("", max_length=20),
    next: str = Form("", max_length=2000),
    resend: str = Form("", max_length=1),
    by: Principal = Depends(public()),
) -> HTMLResponse:
    """Send the code (again, with ``resend``: the same limits as the API's
    ``POST /api/auth/otp``); the page answers the same whether or not the ID is registered."""
    try:
        parsed = ids.parse_resident_id(id_number)
        limit(request, "otp_send_ip", client_ip(request) or "-")
        limit(request, "otp_send_id", lookup_hash(parsed.number))
        with uow(request) as s:
            service.send_code(s, parsed.number, request.app.state.otp_sender)
    except MinshengError as err:
        if resend and err.rule == "rate_limited":  # asked again too soon: said on the code page
            return _code_step(request, id_number.strip().upper(), next, err)
        return _id_step(request, next, id_number, err)
    return _code_step(request, parsed.number, next, sent_again=bool(resend))


def _code_step(
    request: Request,
    id_number: str,
    next: str,
    err: MinshengError | None = None,
    sent_again: bool = False,
) -> HTMLResponse:
    f = FormState.of("", {}, _wrong_code(err) if err else None, ("code",), rename=lambda n: "code")
    return render(
        request,
        "auth/citizen_login.html",
        status=err.status if err else 200,
        step="code",
        f=f,
        id_number=id_number,
        id_masked=ids.mask_id(id_number) if id_number else "",
        otp_minutes=OTP_MINUTES,
        next=safe_next(next, ""),
        sent_again=sent_again,
    )


@router.post("/citizen/verify", response_class=HTMLResponse)
def citizen_verify(
    request: Request,
    id_number: str = Form("", max_length=20),
    code: str = Form("", max_length=12),
    next: str = Form("", max_length=2000),
    by: Principal = Depends(public()),
) -> Response:
    ip = client_ip(request) or "-"
    try:
        limit(request, "otp_verify_ip", ip)
        with uow(request) as s:
            person = service.verify_code(s, id_number, code)
            new = open_session_for(request, s, person=person)
    except MinshengError as err:
        return _code_step(request, id_number, next, err)
    response = flash.redirect(safe_next(next, "/me"), "signed_in", request)
    start_session(request, response, new)
    return response


@router.get("/me", response_class=HTMLResponse)
def my_page(request: Request, by: Principal = Depends(permit("self:read"))) -> HTMLResponse:
    """A citizen's own record and household."""
    request.state.private = True
    code = lang(request)
    with uow(request) as s:
        person = s.get(Person, by.person_id)
        assert person is not None
        me = registry.person_out(person, lang=code)
        others = (
            [
                registry.person_out(m, masked=True, lang=code)
                for m in person.household.members
                if m.id != person.id
            ]
            if person.household
            else []
        )
        statuses = [
            vocab.label(vocab.STATUS_KINDS, k, code)
            for k in registry.statuses_on(person, dt.date.today())
        ]
        enrolment = registry.enrolment_on(person, dt.date.today())
        scheme = vocab.label(vocab.SCHEMES, enrolment.scheme, code) if enrolment else None
    return render(
        request,
        "auth/me.html",
        me=me,
        id_masked=ids.mask_id(me.id_number),
        others=others,
        statuses=statuses,
        scheme=scheme,
        county=divisions.get(me.division_code).name(code),
        relationship_label=lambda r: vocab.label(vocab.RELATIONSHIPS, r, code) if r else "",
    )
