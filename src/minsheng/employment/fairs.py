"""Job fairs (招聘会): a fair and its booths, who sees it, and where it stands in time.

A fair is held in a county (``division_code``) on one or more days with daily opening hours in
local time (China Standard Time, UTC+8). The organiser — a caseworker with
``employment:write`` covering the county — plans it with its booths, opens it for employers'
applications, and allocates the booths (:mod:`minsheng.employment.fair_booths`). Whether it is
running or over is read from the clock (:func:`phase`), never stored: a fair is *running*
inside its hours on its days and *over* after the last day's closing.

Who sees a fair: the staff whose region covers its county (and the platform); a recruiter
(role ``employer``) of a fair in its region; a citizen, any fair open for applications or
allocated. A fair outside what the caller sees answers exactly as a missing one (404).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import bindparam, false, func, select
from sqlalchemy.orm import Session

from minsheng.core import divisions
from minsheng.core.errors import ConflictError, NotFoundError, invalid
from minsheng.employment.booth_rules import booth_key
from minsheng.employment.fair_models import (
    BOOTH_CLASSES,
    CADENCES,
    THEMES,
    EmFair,
    EmFairBooth,
)
from minsheng.employment.fair_schemas import MAX_BOOTHS, MAX_DAYS, FairIn
from minsheng.foundation import audit
from minsheng.foundation.principals import Principal
from minsheng.policy import load

LOCAL = dt.timezone(dt.timedelta(hours=8), "CST")  # Beijing time, kept across the region
PREFIX = {"standard": "A", "large": "B", "corner": "C"}
THEME_LABELS = {
    "general": ("综合招聘", "སྤྱིར་བཏང་།", "General"),
    "graduates": ("高校毕业生专场", "སློབ་ཐོན་པ།", "Graduates"),
    "rural": ("农牧民转移就业专场", "ཞིང་འབྲོག་པ།", "Rural labour"),
    "disabled": ("残疾人专场", "དབང་པོ་སྐྱོན་ཅན།", "Disabled people"),
    "women": ("女性专场", "བུད་མེད།", "Women"),
    "relocated": ("易地搬迁群众专场", "གནས་སྤོ་བ།", "Relocated households"),
}
CADENCE_LABELS = {
    "once": ("单场", "ཐེངས་གཅིག", "One-off"),
    "weekly": ("周周有招聘", "གཟའ་འཁོར་རེ།", "Weekly"),
    "monthly": ("月月有专场", "ཟླ་རེ།", "Monthly special"),
}


def now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def param(name: str, day: dt.date, division: str) -> Any:
    """The parameter ``employment.fair.<name>`` on ``day`` in ``division``."""
    return load().at(day, division)[f"employment.fair.{name}"]


def capacity(klass: str, day: dt.date, division: str) -> int:
    """Posts a booth of ``klass`` shows (``employment.fair.booth_capacity_<class>``)."""
    return int(param(f"booth_capacity_{klass}", day, division))


def missing_fair(field: str = "fair_id") -> NotFoundError:
    return NotFoundError(field, "没有这场招聘会", "no such job fair", "ལས་ཀའི་འཚོང་འདུས་འདི་མེད།")


def is_recruiter(by: Principal) -> bool:
    return by.kind in ("staff", "token") and by.role == "employer"


def can_see(fair: EmFair, by: Principal) -> bool:
    if by.kind == "system":
        return True
    if by.kind == "citizen":
        return fair.state in ("open", "allocated")
    if by.kind in ("staff", "token"):
        return by.covers(fair.division_code)
    return False


def visible(query: Any, by: Principal) -> Any:
    """Restrict ``query`` (a select over :class:`EmFair`) to the fairs ``by`` sees."""
    if by.kind == "system":
        return query
    if by.kind == "citizen":
        return query.where(EmFair.state.in_(("open", "allocated")))
    if by.kind not in ("staff", "token") or not by.region:
        return query.where(false())
    codes = by.covered_codes()
    return query if codes is None else query.where(EmFair.division_code.in_(codes))


_FAIR = select(EmFair).where(EmFair.id == bindparam("fair_id"))  # built once: every check-in


def get_fair(session: Session, fair_id: int, by: Principal, *, for_update: bool = False) -> EmFair:
    """The fair if ``by`` sees it, else 404 as for a missing one; ``for_update`` locks it."""
    query = _FAIR.with_for_update() if for_update else _FAIR
    fair = session.scalar(query, {"fair_id": fair_id})
    if fair is None or not can_see(fair, by):
        raise missing_fair()
    return fair


def local(moment: dt.datetime) -> dt.datetime:
    return moment.astimezone(LOCAL)


def phase(fair: EmFair, moment: dt.datetime) -> str:
    """``cancelled``, ``over``, ``running`` (inside its hours on one of its days), ``closed``
    (one of its days, outside the hours), or the stored state before its first opening."""
    if fair.state == "cancelled":
        return "cancelled"
    at = local(moment)
    day, time = at.date(), at.time().replace(tzinfo=None)
    if day > fair.ends_on or (day == fair.ends_on and time >= fair.closes_at):
        return "over"
    if fair.starts_on <= day and fair.opens_at <= time < fair.closes_at:
        return "running"
    if fair.starts_on < day or (day == fair.starts_on and time >= fair.closes_at):
        return "closed"
    return fair.state


def _validate(data: FairIn, today: dt.date) -> tuple[dt.date, str]:
    try:
        county = divisions.get(data.division_code)
    except Exception:
        county = None
    if county is None or county.level != "county":
        raise invalid(
            "division_code",
            "county",
            "招聘会须在一个县（区）举办：请填写县级区划代码",
            "a fair is held in a county: give a county's division code",
            "རྫོང་གི་ཨང་རྟགས་འབྲི་དགོས།",
        )
    for value, allowed, name in (
        (data.theme, THEMES, "theme"),
        (data.cadence, CADENCES, "cadence"),
    ):
        if value not in allowed:
            raise invalid(
                name,
                name,
                f"可选值：{'、'.join(allowed)}",
                f"one of {', '.join(allowed)}",
                "གདམ་ག་ནོར་འདུག",
            )
    ends = data.ends_on or data.starts_on
    if data.starts_on < today:
        raise invalid(
            "starts_on",
            "past",
            "招聘会的首日不能早于今天",
            "a fair's first day is today or later",
            "ཉིན་དང་པོ་དེ་རིང་ནས་འགོ་འཛུགས་དགོས།",
        )
    if ends < data.starts_on or (ends - data.starts_on).days >= MAX_DAYS:
        raise invalid(
            "ends_on",
            "days",
            f"结束日期须在首日当天或之后，且不超过{MAX_DAYS}天",
            f"the last day is on or after the first, within {MAX_DAYS} days",
            "མཇུག་གི་ཉིན་མོ་ནོར་འདུག",
        )
    if data.closes_at <= data.opens_at:
        raise invalid(
            "closes_at",
            "hours",
            "闭馆时间须晚于开馆时间",
            "the fair closes after it opens",
            "སྒོ་རྒྱག་དུས་ནོར་འདུག",
        )
    for b in data.booths:
        _booth_class(b.klass)
    if sum(b.count for b in data.booths) > MAX_BOOTHS:
        raise too_many_booths()
    return ends, county.code


def _booth_class(klass: str, field: str = "klass") -> str:
    if klass not in BOOTH_CLASSES:
        raise invalid(
            field,
            "klass",
            "展位类型应为标准、大型或转角",
            "a booth class is standard, large or corner",
            "འགྲེམས་ཁང་གི་རིགས་ནོར་འདུག",
        )
    return klass


def too_many_booths() -> Exception:
    return invalid(
        "count",
        "booths",
        f"一场招聘会至多{MAX_BOOTHS}个展位",
        f"a fair has at most {MAX_BOOTHS} booths",
        "འགྲེམས་ཁང་མང་དྲགས།",
    )


def create_fair(session: Session, data: FairIn, by: Principal, today: dt.date) -> EmFair:
    """Plan a fair with its booths (state ``planned``). Audited."""
    ends, county = _validate(data, today)
    by.require_covers(county)
    fair = EmFair(
        name=data.name,
        division_code=county,
        venue=data.venue,
        theme=data.theme,
        cadence=data.cadence,
        starts_on=data.starts_on,
        ends_on=ends,
        opens_at=data.opens_at.replace(tzinfo=None),
        closes_at=data.closes_at.replace(tzinfo=None),
        state="planned",
        created_by=by.actor,
    )
    session.add(fair)
    session.flush()
    for b in data.booths:
        _add(session, fair, b.klass, b.count)
    audit.record(
        session,
        by,
        "create",
        "em_fair",
        fair.id,
        county,
        {"starts_on": fair.starts_on.isoformat(), "booths": sum(b.count for b in data.booths)},
    )
    return fair


def _add(session: Session, fair: EmFair, klass: str, count: int) -> list[EmFairBooth]:
    prefix = PREFIX[klass]
    numbers = session.scalars(
        select(EmFairBooth.number).where(EmFairBooth.fair_id == fair.id, EmFairBooth.klass == klass)
    ).all()
    start = 1 + max((int(n[1:]) for n in numbers if n[1:].isdigit()), default=0)
    cap = capacity(klass, fair.starts_on, fair.division_code)
    rows = [
        EmFairBooth(fair_id=fair.id, number=f"{prefix}{i:02d}", klass=klass, capacity=cap)
        for i in range(start, start + count)
    ]
    session.add_all(rows)
    session.flush()
    return rows


def add_booths(
    session: Session, fair_id: int, klass: str, count: int, by: Principal
) -> list[EmFairBooth]:
    """Add ``count`` booths of ``klass`` to a fair not yet running. Audited."""
    fair = get_fair(session, fair_id, by, for_update=True)
    _booth_class(klass)
    if fair.state not in ("planned", "open"):
        raise not_before_allocation()
    have = session.scalar(select(func.count()).where(EmFairBooth.fair_id == fair.id)) or 0
    if have + count > MAX_BOOTHS:
        raise too_many_booths()
    rows = _add(session, fair, klass, count)
    audit.record(
        session,
        by,
        "add_booths",
        "em_fair",
        fair.id,
        fair.division_code,
        {"klass": klass, "count": count},
    )
    return rows


def not_before_allocation() -> Exception:
    return ConflictError(
        "fair_id",
        "allocated",
        "展位已分配，不能再增加展位或受理申请",
        "the booths are allocated: no more booths or applications",
        "འགྲེམས་ཁང་བགོ་ཟིན།",
    )


def open_applications(session: Session, fair_id: int, by: Principal) -> EmFair:
    """planned → open: employers may apply for booths. Audited; a repeat changes nothing."""
    fair = get_fair(session, fair_id, by, for_update=True)
    if fair.state == "open":
        return fair
    if fair.state != "planned":
        raise not_before_allocation()
    fair.state = "open"
    audit.record(session, by, "open", "em_fair", fair.id, fair.division_code, None)
    return fair


def cancel_fair(
    session: Session, fair_id: int, reason: str, by: Principal, moment: dt.datetime
) -> EmFair:
    """Cancel a fair that is not over (取消招聘会), with the reason: check-ins are refused from
    now on (``phase`` answers ``cancelled``); the booth applications stay on record. Audited
    with the reason; a repeat changes nothing. A fair that is over cannot be cancelled (409)."""
    fair = get_fair(session, fair_id, by, for_update=True)
    if fair.state == "cancelled":
        return fair
    if phase(fair, moment) == "over":
        raise ConflictError(
            "fair_id",
            "over",
            "招聘会已结束，不能取消",
            "the fair is over: it cannot be cancelled",
            "འཚོང་འདུས་གྲོལ་ཟིན་པས་མེད་པར་བཟོ་མི་ཐུབ།",
        )
    before, fair.state = fair.state, "cancelled"
    audit.record(
        session,
        by,
        "cancel",
        "em_fair",
        fair.id,
        fair.division_code,
        {"from": before, "reason": reason},
    )
    return fair


def booths_of(session: Session, fair_id: int) -> list[EmFairBooth]:
    rows = session.scalars(select(EmFairBooth).where(EmFairBooth.fair_id == fair_id)).all()
    return sorted(rows, key=lambda b: booth_key(b.number))


def label(table: dict[str, tuple[str, str, str]], key: str, lang: str) -> str:
    zh, bo, en = table.get(key, (key, key, key))
    return {"zh": zh, "bo": bo, "en": en}.get(lang, zh)


def fair_out(fair: EmFair, moment: dt.datetime | None = None) -> dict[str, Any]:
    return {
        "id": fair.id,
        "name": fair.name,
        "division_code": fair.division_code,
        "venue": fair.venue,
        "theme": fair.theme,
        "cadence": fair.cadence,
        "starts_on": fair.starts_on.isoformat(),
        "ends_on": fair.ends_on.isoformat(),
        "opens_at": fair.opens_at.strftime("%H:%M"),
        "closes_at": fair.closes_at.strftime("%H:%M"),
        "state": fair.state,
        "phase": phase(fair, moment or now()),
    }


def booth_out(b: EmFairBooth) -> dict[str, Any]:
    return {
        "id": b.id,
        "number": b.number,
        "klass": b.klass,
        "capacity": b.capacity,
        "zone": b.zone,
    }


__all__ = [
    "LOCAL",
    "add_booths",
    "booth_out",
    "booths_of",
    "can_see",
    "capacity",
    "create_fair",
    "fair_out",
    "get_fair",
    "missing_fair",
    "now",
    "open_applications",
    "param",
    "phase",
    "visible",
]
