"""Filing an arrears complaint (欠薪线索反映): one point for the whole region.

A worker reports from a phone at any hour — signed in (named: the registry's person) or not
(anonymous: a follow-up code and a PIN are shown once and only their hashes are kept) — in
Tibetan or Chinese; or any office takes it at its window (``wages:write``, with the name the
worker gives, or anonymously). The project is picked from the platform's projects (found by
name or county: :func:`find_projects`) or typed free-form with the county when it is not
there. Whatever office or channel took it, the complaint is routed at once to the county
responsible for the project (``division_code``): the project's county, else the county named.
Its acceptance deadline is ``wages.complaints.accept_working_days`` working days after the day
it was received (``core.calendar``: weekends, national holidays, Losar and Shoton skipped).

Follow-up by code: a wrong PIN answers exactly as a missing code (404, the same body), and
tries are counted per code typed (5 in 15 minutes, then 429 whether the code exists or not) —
counted in the database, so they hold across processes.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import secrets
from dataclasses import dataclass
from typing import Any

from argon2.exceptions import VerificationError
from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from minsheng.auth import credentials
from minsheng.cases import engine
from minsheng.core import divisions, money, text
from minsheng.core.errors import MinshengError, NotFoundError, invalid
from minsheng.foundation.crypto import lookup_hash
from minsheng.foundation.principals import Principal
from minsheng.policy import load
from minsheng.registry import checks
from minsheng.wages.complaint_models import LANGS, WgComplaint, WgComplaintEvent
from minsheng.wages.complaint_workflow import COMPLAINT
from minsheng.wages.models import WgProject

CODE_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"  # no 0/O, 1/I/L: read out on a phone
CODE_LENGTH = 10  # shown as XXXXX-XXXXX: 31^10 ≈ 8·10^14 codes
PIN_LENGTH = 6
FOLLOW_TRIES = 5  # wrong tries per code typed in FOLLOW_WINDOW (security settings)
FOLLOW_WINDOW = dt.timedelta(minutes=15)
MAX_WORKERS = 100_000  # workers owed on one complaint: an engineering bound
MAX_FOUND = 20  # projects a search answers


@dataclass(frozen=True)
class ComplaintIn:
    """What a complaint holds as typed (strings, from a form or JSON)."""

    facts: str
    lang: str = "zh"
    project_id: int | None = None
    project_text: str = ""
    county: str = ""
    amount_claimed: str = ""
    workers: str = ""
    phone: str = ""
    worker_name: str = ""
    anonymous: bool = False


@dataclass(frozen=True)
class Filed:
    complaint: WgComplaint
    code: str | None = None  # anonymous only: shown once
    pin: str | None = None


def accept_days(day: dt.date, division: str) -> int:
    value = load().at(day, division)["wages.complaints.accept_working_days"]
    assert isinstance(value, int)
    return value


def missing_complaint() -> NotFoundError:
    """The one answer for a complaint not found, not yours, or a wrong code or PIN."""
    return NotFoundError(
        "complaint",
        "未找到该投诉（查询码或密码不正确）",
        "no such complaint (or the code or PIN is wrong)",
        "ཞུ་གཏུག་མ་རྙེད། (ཨང་རྟགས་སམ་གསང་གྲངས་ནོར།)",
    )


def _county(code: str) -> str:
    code = code.strip()
    try:
        d = divisions.get(code)
    except MinshengError:
        d = None
    if d is None or d.level != "county":
        raise invalid(
            "county",
            "county",
            "请选择项目所在的县（区）",
            "name the county where the project is",
            "ལས་གཞི་ཡོད་སའི་རྫོང་འདེམས་རོགས།",
        )
    return d.code


def _project(session: Session, data: ComplaintIn) -> tuple[WgProject | None, str | None, str]:
    """The project and the county it routes to; a typed name when it is not on the platform."""
    if data.project_id is not None:
        project = session.get(WgProject, data.project_id)
        if project is None:
            raise invalid(
                "project_id",
                "unknown_project",
                "未找到该项目，请重新查找或直接填写项目名称和所在县",
                "no such project: search again, or type its name and county",
                "ལས་གཞི་མ་རྙེད།",
            )
        return project, None, project.division_code
    typed = text.clean(data.project_text, "project_text", "short")
    if not typed:
        raise invalid(
            "project_text",
            "required",
            "请选择项目，或填写项目名称（地点）",
            "pick the project, or type its name or place",
            "ལས་གཞི་འདེམས་པའམ་མིང་འབྲི་རོགས།",
        )
    return None, typed, _county(data.county)


def _amount(value: str) -> int | None:
    value = value.strip()
    if not value:
        return None
    fen = money.parse(value, "amount_claimed")
    if fen < 0 or fen > money.MAX_AMOUNT_FEN:
        raise invalid(
            "amount_claimed",
            "range",
            "欠薪金额应在0至100亿元之间",
            "the amount owed is between 0 and ¥10 billion",
            "གླ་ཕོགས་ཀྱི་གྲངས་ཚད་ནོར།",
        )
    return fen


def _workers(value: str) -> int | None:
    value = value.strip()
    if not value:
        return None
    if not value.isascii() or not value.isdigit() or not 1 <= int(value) <= MAX_WORKERS:
        raise invalid(
            "workers",
            "range",
            f"被欠薪人数应为1至{MAX_WORKERS}的整数",
            f"the number of workers owed is a whole number from 1 to {MAX_WORKERS}",
            "མི་གྲངས་ནོར།",
        )
    return int(value)


def _lang(value: str) -> str:
    if value not in LANGS:
        raise invalid(
            "lang", "unknown_value", "语言应为藏文或中文", "the language is bo or zh", "སྐད་ཡིག་ནོར།"
        )
    return value


def new_code() -> str:
    raw = "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))
    return f"{raw[:5]}-{raw[5:]}"


def normal_code(code: str) -> str:
    """A typed code as stored: upper case, without spaces or dashes (bounded)."""
    raw = "".join(ch for ch in code[:40].upper() if ch.isalnum() and ch.isascii())
    return raw


def file_complaint(session: Session, data: ComplaintIn, by: Principal, today: dt.date) -> Filed:
    """Store a complaint (validate, then write) and route it; the audit entry names the county
    it went to and the office that took it, never the worker."""
    facts = text.clean(data.facts, "facts", "free", min_length=1)
    lang = _lang(data.lang)
    project, typed, county = _project(session, data)
    amount = _amount(data.amount_claimed)
    workers = _workers(data.workers)
    phone = checks.phone(data.phone.strip() or None)
    office = by.kind in ("staff", "token") or by.kind == "system"
    name = text.clean(data.worker_name, "worker_name", "name") if office else ""
    person_id = by.person_id if by.kind == "citizen" and not data.anonymous else None
    anonymous = person_id is None and not name
    code = pin = None
    row = WgComplaint(
        division_code=county,
        project_id=project.id if project else None,
        project_text=typed,
        channel="office" if office else "online",
        received_division=by.region if office and by.kind != "system" else None,
        received_by=engine.accountable(by),
        person_id=person_id,
        anonymous=anonymous,
        worker_name=name or None,
        phone=phone,
        facts=facts,
        lang=lang,
        amount_claimed=amount,
        workers=workers,
        state=COMPLAINT.initial,
        received_on=today,
        accept_by=engine.due(today, accept_days(today, county)),
        recovered=0,
    )
    if anonymous:
        code = new_code()
        pin = "".join(secrets.choice("0123456789") for _ in range(PIN_LENGTH))
        row.followup_hash = lookup_hash(normal_code(code))
        row.pin_hash = credentials.hasher.hash(pin)
    session.add(row)
    session.flush()
    event = engine.Event("file", None, row.state, engine.accountable(by), today, None)
    engine.write_event(
        session,
        WgComplaintEvent,
        event,
        by,
        resource="wg_complaint",
        record_id=row.id,
        division=county,
        detail={"to": row.state, "channel": row.channel, "office": row.received_division},
        complaint_id=row.id,
        amount=0,
    )
    return Filed(row, code, pin)


def follow_up(session: Session, code: str, pin: str) -> WgComplaint:
    """The anonymous complaint of ``code`` if ``pin`` is its PIN; otherwise the one missing
    answer. Each try is counted first, per code typed (the session is committed by the count,
    as the sign-in throttle does); a right PIN clears the count."""
    stored = normal_code(code)
    key = credentials.sha256(f"wg_follow\0{stored}")
    wait = credentials.reserve_try(session, key, FOLLOW_TRIES, FOLLOW_WINDOW)
    if wait is not None:
        n = credentials.minutes(wait)
        raise MinshengError(
            field="code",
            rule="rate_limited",
            zh=f"查询次数过多，请{n}分钟后再试",
            en=f"too many tries: try again in {n} min",
            bo=f"ཚོད་ལྟ་མང་དྲགས། སྐར་མ་{n}རྗེས་ཡང་བསྐྱར་ཚོད་ལྟ་གནང་རོགས།",
            status=429,
        )
    row = None
    if len(stored) == CODE_LENGTH:
        row = session.scalar(
            select(WgComplaint).where(WgComplaint.followup_hash == lookup_hash(stored))
        )
    pin = pin.strip()[:40]
    ok = False
    if row is not None and row.pin_hash:
        try:
            ok = credentials.hasher.verify(row.pin_hash, pin)
        except VerificationError:
            ok = False
    else:
        with contextlib.suppress(VerificationError):  # the same work, found or not
            credentials.hasher.verify(_DUMMY, pin)
    if not ok or row is None:
        raise missing_complaint()
    credentials.clear_tries(session, key)
    return row


_DUMMY = credentials.hasher.hash("not-a-pin")


def find_projects(session: Session, q: str = "", county: str = "") -> list[dict[str, Any]]:
    """Projects by words of their name (or code) and/or county: what the worker picks from.
    Only what the site's notice board shows (名称, 县) — never a firm's or a worker's data."""
    words = text.clean(q, "q", "search").split()
    query = select(WgProject.id, WgProject.name, WgProject.code, WgProject.division_code)
    if county.strip():
        query = query.where(WgProject.division_code == _county(county))
    elif not words:
        return []
    for w in words[:5]:
        pattern = f"%{w.replace('%', '').replace('_', '')}%"
        query = query.where(or_(WgProject.name.like(pattern), WgProject.code.like(pattern)))
    rows = session.execute(query.order_by(WgProject.name).limit(MAX_FOUND)).all()
    return [{"id": r.id, "name": r.name, "code": r.code, "county": r.division_code} for r in rows]
