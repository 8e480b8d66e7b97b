"""The auditor's pages: the audit log, browsable (by actor, action, record, resource and date,
paged, newest first) and verifiable from the page (the hash chain walked, as ``minsheng audit
verify`` does, optionally against the last anchor line), with the verdict shown.

Read-only: no route here changes the log. An auditor of a prefecture or county sees the entries
of their region only, as in ``GET /api/audit``.
"""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import HTMLResponse
from sqlalchemy import Select, func, select

from minsheng.auth.models import ApiToken, User
from minsheng.core.errors import MinshengError, Problem
from minsheng.foundation import audit
from minsheng.foundation.models import AuditEntry
from minsheng.foundation.principals import Principal, role_label
from minsheng.webkit.deps import lang, uow
from minsheng.webkit.forms import FormState
from minsheng.webkit.guards import permit
from minsheng.webkit.pager import MAX_PAGE_CHARS, PER_PAGE, Page, page_number
from minsheng.webkit.render import render

router = APIRouter(include_in_schema=False)
FILTERS = ("actor", "action", "resource", "record", "since", "until")
MAX_FILTER = 64  # characters of one filter (the columns are at most 64 wide)
MAX_ANCHOR = 400  # characters of an anchor line (JSON: count, hash, time)
MAX_CHOICES = 200  # distinct actions / resources offered in a filter's list (engineering bound)


def _date(raw: str, name: str) -> dt.date | None:
    text = raw.strip()
    if not text:
        return None
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise MinshengError(
            name,
            "date",
            f"日期格式应为YYYY-MM-DD：{text}",
            f"a date is YYYY-MM-DD: {text}",
            bo="ཚེས་གྲངས་ནི་YYYY-MM-DDཡིན་དགོས།",
        ) from None


def _scoped(stmt: Select[Any], by: Principal) -> Select[Any]:
    scope = by.covered_codes()
    return stmt if scope is None else stmt.where(AuditEntry.region.in_(scope))


def _actors(s: Any, raw: str) -> list[str]:
    """The actors a filter names: as the log writes them (``user:3``, ``token:7``,
    ``system:cli``), or a username — that account and every token it owns."""
    text = raw.strip()
    if ":" in text:
        return [text]
    uid = s.scalar(select(User.id).where(User.username == text))
    if uid is None:
        return []
    owned = s.scalars(select(ApiToken.id).where(ApiToken.user_id == uid))
    return [f"user:{uid}", *(f"token:{t}" for t in owned)]


def filtered(s: Any, by: Principal, f: dict[str, str]) -> tuple[Select[Any], list[Problem]]:
    """The log's entries the filters ask for (and any problem with a filter)."""
    stmt = _scoped(select(AuditEntry), by)
    problems: list[Problem] = []
    if f.get("actor"):
        stmt = stmt.where(AuditEntry.actor.in_(_actors(s, f["actor"])))
    if f.get("action"):
        stmt = stmt.where(AuditEntry.action == f["action"].strip())
    if f.get("resource"):
        stmt = stmt.where(AuditEntry.resource == f["resource"].strip())
    if f.get("record"):
        stmt = stmt.where(AuditEntry.record_id == f["record"].strip())
    bounds: dict[str, dt.date | None] = {}
    for name in ("since", "until"):
        try:
            bounds[name] = _date(f.get(name, ""), name)
        except MinshengError as err:
            problems += err.problems
    since, until = bounds.get("since"), bounds.get("until")
    if since and until and until < since:
        problems.append(
            Problem(
                "until",
                "before_since",
                "截止日期早于起始日期",
                "the end date is before the start date",
                "མཇུག་གི་ཚེས་གྲངས་འགོ་འཛུགས་ཚེས་གྲངས་ལས་སྔ་བ་རེད།",
            )
        )
    if since:
        stmt = stmt.where(AuditEntry.at >= since.isoformat())
    if until:  # ``at`` is an ISO text: the whole of the end day is before the next day
        stmt = stmt.where(AuditEntry.at < (until + dt.timedelta(days=1)).isoformat())
    return stmt, problems


def _choices(s: Any, by: Principal, column: Any) -> list[str]:
    stmt = _scoped(select(column).distinct(), by).order_by(column).limit(MAX_CHOICES)
    return [str(v) for v in s.scalars(stmt)]


@router.get("/audit", response_class=HTMLResponse)
def audit_log(
    request: Request,
    actor: str = Query("", max_length=MAX_FILTER),
    action: str = Query("", max_length=MAX_FILTER),
    resource: str = Query("", max_length=MAX_FILTER),
    record: str = Query("", max_length=MAX_FILTER),
    since: str = Query("", max_length=MAX_FILTER),
    until: str = Query("", max_length=MAX_FILTER),
    page: str = Query("1", max_length=MAX_PAGE_CHARS),
    by: Principal = Depends(permit("audit:read")),
) -> HTMLResponse:
    """The audit log, newest first, filtered and paged."""
    values = {
        "actor": actor,
        "action": action,
        "resource": resource,
        "record": record,
        "since": since,
        "until": until,
    }
    with uow(request, immediate=False) as s:
        stmt, problems = filtered(s, by, values)
        if problems:
            stmt = stmt.where(AuditEntry.id < 0)  # a bad filter shows nothing, and says why
        total = s.scalar(select(func.count()).select_from(stmt.subquery())) or 0
        pages = max((total + PER_PAGE - 1) // PER_PAGE, 1)
        number = min(page_number(page), pages)
        rows = s.scalars(
            stmt.order_by(AuditEntry.id.desc()).limit(PER_PAGE).offset((number - 1) * PER_PAGE)
        ).all()
        uids = {u for u in (_user_id(e.actor) for e in rows) if u is not None}
        names = dict(s.execute(select(User.id, User.username).where(User.id.in_(uids))).all())
        entries = [
            {
                "id": e.id,
                "at": e.at.replace("T", " ")[:19],
                "actor": e.actor,
                "username": names.get(_user_id(e.actor) or 0),
                "role": e.role,
                "action": e.action,
                "resource": e.resource,
                "record": e.record_id,
                "region": e.region,
                "detail": _detail(e.detail),
                "hash": e.hash[:12],
            }
            for e in rows
        ]
        actions = _choices(s, by, AuditEntry.action)
        resources = _choices(s, by, AuditEntry.resource)
    listed = Page(
        items=entries,
        number=number,
        pages=pages,
        total=total,
        per_page=PER_PAGE,
        base="/audit",
        query=tuple((k, v) for k, v in values.items() if v),
    )
    form = FormState.of("", values, problems, FILTERS)
    code = lang(request)
    return render(
        request,
        "auth/audit_log.html",
        status=422 if problems else 200,
        f=form,
        entries=listed,
        actions=actions,
        resources=resources,
        roles={e["role"]: role_label(e["role"], code) for e in entries if e["role"]},
    )


def _user_id(actor: str) -> int | None:
    kind, _, rest = actor.partition(":")
    return int(rest) if kind == "user" and rest.isdigit() else None


def _detail(raw: str) -> str:
    try:
        value = json.loads(raw or "{}")
    except ValueError:
        return raw
    if not value:
        return ""
    return json.dumps(value, ensure_ascii=False, sort_keys=True)


@router.get("/audit/verify", response_class=HTMLResponse)
def audit_verify(
    request: Request,
    anchor: str = Query("", max_length=MAX_ANCHOR),
    by: Principal = Depends(permit("audit:read")),
) -> HTMLResponse:
    """Walk the whole hash chain now and show the verdict; with an anchor line (the last line
    of the file ``minsheng audit anchor`` appends to), also check the history before it."""
    problems: list[Problem] = []
    last: audit.Anchor | None = None
    if anchor.strip():
        try:
            data = json.loads(anchor)
            last = audit.Anchor.from_dict(data)
        except (ValueError, KeyError, TypeError):
            problems.append(
                Problem(
                    "anchor",
                    "anchor_format",
                    "锚点应为 minsheng audit anchor 写出的一行 JSON（count、hash、at）",
                    "an anchor is one JSON line written by minsheng audit anchor (count, hash, at)",
                    "ཨན་ཁྲོར་ནི་ minsheng audit anchor ཡིས་བྲིས་པའི་ JSON ཐིག་ཕྲེང་གཅིག་ཡིན་དགོས།",
                )
            )
    verdict = None
    if not problems:
        with uow(request, immediate=False) as s:
            verdict = audit.verify(s, anchor=last)
    return render(
        request,
        "auth/audit_verify.html",
        status=422 if problems else 200,
        f=FormState.of("", {"anchor": anchor}, problems, ("anchor",)),
        verdict=verdict,
        anchored=last,
        checked_at=dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M:%S"),
    )
