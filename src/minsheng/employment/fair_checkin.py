"""On-site check-in at a job fair (入场签到) and the seeker's QR pass.

At the entrance a caseworker swipes or types a visitor's ID number — the person is found
through the registry's keyed hash (the number is neither stored nor logged here) and filed as a
job seeker on the spot (:mod:`minsheng.employment.seeker_filing`) — or scans the QR on the
seeker's phone: a token ``<fair>.<person>.<expiry>.<HMAC>`` signed with the platform's key
(:func:`minsheng.foundation.crypto.keys`), valid ``employment.fair.qr_minutes``.

A check-in is refused, and nothing stored, unless the fair is running now (inside its hours on
one of its days). Checking in twice is one check-in: ``(fair_id, person_id)`` is unique and a
second (or concurrent) attempt answers the first one. The answer lists the booths to visit: the
seeker's best matches among the fair's vacancies
(:func:`minsheng.employment.matching.jobs_for_seeker`), each mapped to the booth its employer
holds.
"""

from __future__ import annotations

import base64
import datetime as dt
import functools
import hashlib
import hmac
import json
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import bindparam, select
from sqlalchemy.orm import Session

from minsheng.core import ids
from minsheng.core.errors import ConflictError, MinshengError, NotFoundError, invalid
from minsheng.db import insert_new, lost_race
from minsheng.employment import match_rules, matching, seeker_filing, seekers
from minsheng.employment.fair_models import (
    EmFair,
    EmFairApplication,
    EmFairBooth,
    EmFairCheckin,
)
from minsheng.employment.fair_schemas import CheckinIn
from minsheng.employment.fairs import LOCAL, get_fair, local, param, phase
from minsheng.employment.seeker_models import EmSeeker
from minsheng.employment.vacancy_models import EmVacancy
from minsheng.foundation import audit, crypto
from minsheng.foundation.principals import Principal
from minsheng.registry.existence import find_by_id_number
from minsheng.registry.models import Employer, Person

RECOMMEND = 5  # booths listed on a check-in


@dataclass
class CheckinResult:
    checkin: EmFairCheckin
    created: bool
    person: Person
    booths: list[dict[str, Any]] = field(default_factory=list)
    facts: Facts | None = None  # the seeker's matching facts, read in the check-in's transaction


# --- the QR pass ---------------------------------------------------------------------------


def _mac(message: str) -> str:
    key = hmac.new(crypto.keys().hmac_key, b"em-fair-pass", hashlib.sha256).digest()
    digest = hmac.new(key, message.encode("ascii"), hashlib.sha256).digest()[:16]
    return base64.urlsafe_b64encode(digest).decode("ascii").rstrip("=")


def qr_minutes(fair: EmFair) -> int:
    return int(param("qr_minutes", fair.starts_on, fair.division_code))


def issue_pass(fair: EmFair, person_id: int, moment: dt.datetime) -> tuple[str, dt.datetime]:
    """The seeker's signed, short-lived pass for ``fair`` and when it expires."""
    expires = int(moment.timestamp()) + 60 * qr_minutes(fair)
    message = f"{fair.id}.{person_id}.{expires}"
    return f"{message}.{_mac(message)}", dt.datetime.fromtimestamp(expires, dt.UTC)


def bad_pass(rule: str = "pass") -> MinshengError:
    return invalid(
        "token",
        rule,
        "二维码无效或已过期：请在手机上刷新后重新出示"
        if rule == "pass"
        else "二维码不是本场招聘会的",
        "the QR pass is invalid or expired: refresh it on the phone"
        if rule == "pass"
        else "the QR pass is for another fair",
        "རྟགས་ཨང་ནོར་འདུག",
    )


def read_pass(token: str, fair_id: int, moment: dt.datetime) -> int:
    """The person id a valid, unexpired pass for ``fair_id`` names (or 422 on ``token``)."""
    parts = token.strip().split(".")
    if len(parts) != 4 or not all(p.isdigit() for p in parts[:3]):
        raise bad_pass()
    message = ".".join(parts[:3])
    if not hmac.compare_digest(_mac(message), parts[3]):
        raise bad_pass()
    if int(parts[2]) < moment.timestamp():
        raise bad_pass()
    if int(parts[0]) != fair_id:
        raise bad_pass("other_fair")
    return int(parts[1])


# --- who is at the entrance ----------------------------------------------------------------


def no_such_person() -> NotFoundError:
    return NotFoundError(
        "id_number",
        "人员库中没有该身份证号的人员：请先到窗口登记",
        "no registered person has this ID number: register at the desk first",
        "ཐོ་འགོད་བྱས་པའི་མི་སྣ་མེད།",
    )


def visitor(
    session: Session, fair: EmFair, data: CheckinIn, moment: dt.datetime
) -> tuple[Person, str, str | None]:
    """(person, how they came: ``id`` or ``qr``, the ID number typed if any)."""
    if data.token:
        person = session.get(Person, read_pass(data.token, fair.id, moment))
        if person is None:
            raise bad_pass()
        return person, "qr", None
    if not data.id_number:
        raise invalid(
            "id_number",
            "required",
            "请刷身份证、输入身份证号或扫描二维码",
            "swipe or type an ID number, or scan the QR pass",
            "ཐོབ་ཐང་ལག་ཁྱེར་གྱི་ཨང་གྲངས་འབྲི་དགོས།",
        )
    number = ids.parse_resident_id(data.id_number, "id_number").number
    person = find_by_id_number(session, number)
    if person is None:
        raise no_such_person()
    if person.death_date is not None:
        raise invalid(
            "id_number", "deceased", "该人员已死亡", "this person has died", "མི་འདི་འདས་ཟིན།"
        )
    return person, "id", number


def require_running(fair: EmFair, moment: dt.datetime) -> None:
    """Refuse (409, naming when) unless the fair is running at ``moment``."""
    now_phase = phase(fair, moment)
    if now_phase == "running":
        return
    at = local(moment)
    hours = f"{fair.opens_at:%H:%M}–{fair.closes_at:%H:%M}"
    if now_phase == "over":
        zh, en, bo, rule = "招聘会已结束", "the fair is over", "འཚོང་འདུས་གྲོལ་ཟིན།", "over"
    elif now_phase == "cancelled":
        zh, en, bo, rule = (
            "招聘会已取消",
            "the fair is cancelled",
            "འཚོང་འདུས་མེད་པར་བཟོས།",
            "cancelled",
        )
    else:
        day = fair.starts_on if at.date() < fair.starts_on else at.date()
        if now_phase == "closed" and at.time().replace(tzinfo=None) >= fair.closes_at:
            day = at.date() + dt.timedelta(days=1)
        zh = f"招聘会尚未开始入场：{day.isoformat()} {hours}（北京时间）开放"
        en = f"the fair is not open now: it opens {day.isoformat()} {hours} (Beijing time)"
        bo, rule = "འཚོང་འདུས་ད་དུང་སྒོ་མ་ཕྱེ།", "not_open"
    raise ConflictError("fair_id", rule, zh, en, bo)


# --- check-in ------------------------------------------------------------------------------


@dataclass
class Arrival:
    """Who stands at the entrance of which running fair, read before any write."""

    fair: EmFair
    person: Person
    via: str  # id | qr
    number: str | None  # the ID number typed, if any
    existing: EmFairCheckin | None  # their check-in, if they are in already
    filing: seeker_filing.Filing  # their seeker record, or the one to open (from the ID number)


def arrive(
    session: Session, fair_id: int, data: CheckinIn, by: Principal, moment: dt.datetime
) -> Arrival:
    """The reads of a check-in: the fair (in the caller's region), the visitor, the fair
    running now (else 409), their check-in if any. Nothing is written."""
    fair = get_fair(session, fair_id, by)
    person, via, number = visitor(session, fair, data, moment)
    require_running(fair, moment)
    existing = _existing(session, fair.id, person.id)
    if existing is not None:  # a repeat: answered from the check-in
        filing = seeker_filing.Filing(None, None)
    elif number is not None:  # filed now from the ID number if need be
        filing = seeker_filing.plan_filing(session, person, by, local(moment).date())
    else:  # a QR pass files no one: the record they have, if any
        filing = seeker_filing.Filing(seekers.seeker_of_person(session, person.id), None)
    return Arrival(fair, person, via, number, existing, filing)


def checkin(
    session: Session,
    fair_id: int,
    data: CheckinIn,
    by: Principal,
    moment: dt.datetime,
    *,
    recommend: bool = True,
    arrival: Arrival | None = None,
) -> CheckinResult:
    """Check a visitor in (see the module). Audited once, on the first check-in. Without
    ``recommend`` the booths are left to the caller (:func:`recommended`), e.g. to read them
    after the commit, outside the write transaction; ``arrival`` (from :func:`arrive`, read
    just before in another transaction) spares the reads — a concurrent check-in of the same
    person still loses on the unique key."""
    a = arrival or arrive(session, fair_id, data, by, moment)
    fair, person = a.fair, a.person
    if a.existing is not None:
        booths = (
            recommended_for_seeker(session, fair, a.existing.seeker_id, moment) if recommend else []
        )
        return CheckinResult(a.existing, False, person, booths)
    seeker = seeker_filing.file_planned(session, person, a.filing, by, local(moment).date())
    facts = matching.seeker_facts(seeker) if seeker is not None else None
    row = insert_new(
        session,
        EmFairCheckin,
        {
            "fair_id": fair.id,
            "person_id": person.id,
            "seeker_id": seeker.id if seeker is not None else None,
            "via": a.via,
            "by": by.actor[:64],
            "at": moment,
        },
        ["fair_id", "person_id"],
    )
    if row is None:  # a concurrent check-in of the same person won: theirs is the one
        again = _existing(session, fair.id, person.id)
        if again is None:
            raise lost_race("id_number")
        booths = recommended_for_seeker(session, fair, again.seeker_id, moment) if recommend else []
        return CheckinResult(again, False, person, booths)
    audit.record(
        session,
        by,
        "checkin",
        "em_fair_checkin",
        row.id,
        fair.division_code,
        {"fair_id": fair.id, "person_id": person.id, "via": a.via},
    )
    booths = recommended_for_seeker(session, fair, facts, moment) if recommend else []
    return CheckinResult(row, True, person, booths, facts)


_CHECKED_IN = select(EmFairCheckin).where(
    EmFairCheckin.fair_id == bindparam("fair_id"),
    EmFairCheckin.person_id == bindparam("person_id"),
)


def _existing(session: Session, fair_id: int, person_id: int) -> EmFairCheckin | None:
    return session.scalar(_CHECKED_IN, {"fair_id": fair_id, "person_id": person_id})


def checked_in(session: Session, fair_id: int, person_id: int) -> EmFairCheckin | None:
    return _existing(session, fair_id, person_id)


# --- the booths to visit -------------------------------------------------------------------


# What a fair offers, in one statement built once (a fair's entrance reads it for every
# visitor): each open vacancy of an employer holding a booth, with the booth, the employer's
# name and the application's list of the vacancies it brings (kept in Python: the list is JSON).
_OFFER = (
    select(
        *matching.VACANCY_COLUMNS,
        EmVacancy.title,
        EmFairApplication.vacancy_ids,
        EmFairBooth.number,
        EmFairApplication.employer_id,
        Employer.name,
    )
    .select_from(EmFairApplication)
    .join(EmFairBooth, EmFairBooth.id == EmFairApplication.booth_id)
    .join(Employer, Employer.id == EmFairApplication.employer_id)
    .join(EmVacancy, EmVacancy.employer_id == EmFairApplication.employer_id)
    .where(
        EmFairApplication.fair_id == bindparam("fair_id"),
        EmVacancy.state == "published",
        EmVacancy.closing_on >= bindparam("today"),
        EmVacancy.filled < EmVacancy.count,
    )
    .order_by(EmVacancy.id.desc())
)


@functools.lru_cache(maxsize=4096)
def _ids(vacancy_ids: str) -> frozenset[int]:
    return frozenset(int(v) for v in json.loads(vacancy_ids))


def offer(session: Session, fair_id: int, today: dt.date) -> list[Any]:
    """The open vacancies brought to ``fair_id`` (rows of :data:`matching.VACANCY_COLUMNS`
    with ``title``, ``number`` — the booth —, ``employer_id`` and ``name``), newest first, each
    once — read afresh: a vacancy filled, closed or withdrawn, a booth or a name changed, is
    seen by the next visitor."""
    out: dict[int, Any] = {}
    for row in session.execute(_OFFER, {"fair_id": fair_id, "today": today}):
        if row.id not in out and row.id in _ids(row.vacancy_ids):
            out[row.id] = row
    return list(out.values())


Facts = match_rules.SeekerFacts


def seeker_facts_of(session: Session, seeker_id: int | None) -> Facts | None:
    """The matching facts of the seeker record ``seeker_id`` (None: no record)."""
    seeker = session.get(EmSeeker, seeker_id) if seeker_id is not None else None
    return matching.seeker_facts(seeker) if seeker is not None else None


def recommended_for_seeker(
    session: Session, fair: EmFair, seeker: int | Facts | None, moment: dt.datetime
) -> list[dict[str, Any]]:
    """The seeker's best booths at ``fair`` (one line per booth, best first): ``seeker`` a
    record's id, or its facts in hand (a record just filed)."""
    facts = seeker_facts_of(session, seeker) if isinstance(seeker, int) else seeker
    if facts is None:
        return []
    day = max(local(moment).date(), fair.starts_on)
    rows = offer(session, fair.id, day)
    if not rows:
        return []
    w, pool = matching.weights(day, facts.county)
    found = matching.rank_jobs(facts, rows[:pool], w, RECOMMEND * 3)
    by_id = {r.id: r for r in rows}
    out: list[dict[str, Any]] = []
    seen: set[str] = set()
    for m in found:
        r = by_id[m.id]
        if r.number in seen:
            continue
        seen.add(r.number)
        out.append(
            {
                "booth": r.number,
                "employer_id": r.employer_id,
                "employer": r.name,
                "vacancy_id": m.id,
                "title": r.title,
                "score": round(m.score, 4),
            }
        )
        if len(out) == RECOMMEND:
            break
    return out


def recommended(
    session: Session, fair: EmFair, result: CheckinResult, moment: dt.datetime
) -> list[dict[str, Any]]:
    """The booths to list on ``result``: from the facts read at the check-in, else the
    record's."""
    seeker = result.facts if result.facts is not None else result.checkin.seeker_id
    return recommended_for_seeker(session, fair, seeker, moment)


def aware(moment: dt.datetime) -> dt.datetime:
    """A stored moment as an aware one (SQLite hands back naive UTC)."""
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=dt.UTC)


def checkin_out(result: CheckinResult) -> dict[str, Any]:
    row = result.checkin
    return {
        "id": row.id,
        "fair_id": row.fair_id,
        "person": {
            "id": result.person.id,
            "name": result.person.name_zh,
            "id_masked": result.person.id_masked,
        },
        "seeker_id": row.seeker_id,
        "via": row.via,
        "at": aware(row.at).astimezone(LOCAL).isoformat(timespec="seconds"),
        "first": result.created,
        "booths": result.booths,
    }


__all__ = [
    "Arrival",
    "CheckinResult",
    "Person",
    "arrive",
    "checked_in",
    "checkin",
    "checkin_out",
    "issue_pass",
    "offer",
    "read_pass",
    "recommended_for_seeker",
    "require_running",
    "visitor",
]
