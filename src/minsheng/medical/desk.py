"""The cashier's window (收费窗口) beyond one bill: who the patient is, today's settlements of
the window's region, a reversal with its reason, the day's totals by fund and their CSV.

Read-only queries over the ledger, scoped to the caller's region through the hospital of each
settlement (a settlement of a hospital elsewhere is never listed, reprinted, reversed or
exported: it answers as an unknown one does). The one write is :func:`reverse_with_reason`,
which calls :func:`minsheng.medical.service.reverse` and records the reason in the audit log in
the same transaction (a reversal without a reason changes nothing).

A day is a day of Beijing time (UTC+8, kept across the region), so the list of a day does not
start at 08:00 in the morning."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import Select, func, select
from sqlalchemy.orm import Session

from minsheng.auth.models import User
from minsheng.cards import service as cards
from minsheng.cards.models import SocialCard
from minsheng.core import ids, money, text
from minsheng.core.errors import invalid
from minsheng.foundation import audit
from minsheng.foundation.principals import Principal
from minsheng.medical import intake, service
from minsheng.medical.models import Settlement
from minsheng.medical.reads import _no_settlement
from minsheng.medical.schemas import SettlementOut
from minsheng.registry import search
from minsheng.registry.models import Facility, Person

CST = dt.timezone(dt.timedelta(hours=8), "CST")  # 北京时间: the day a settlement belongs to
REASON_MAX = 200  # characters of a reversal's reason (an engineering bound, docs/medical.md)
DAYS_BACK = 366  # how far back a day's list or report may be asked for
CARD_NUMBER = "ABCDEFGH"  # a social-security card number: a prefecture letter and 8 digits
FUNDS = ("basic", "ci", "assistance", "patient", "account", "cash", "total")
LAYERS = ("tilted", "commercial")  # 倾斜救助, the commercial layer: only where a region has them
CSV_HEADER = (
    "receipt_no",
    "settlement_id",
    "kind",
    "settled_at",
    "facility_code",
    "patient_name",
    "id_masked",
    "visit",
    "total_yuan",
    "basic_yuan",
    "critical_illness_yuan",
    "assistance_yuan",
    "self_pay_yuan",
    "account_yuan",
    "cash_yuan",
    "cashier",
    "reverses_id",
    "reason",
)
LAYER_COLUMNS = {"tilted": "tilted_assistance_yuan", "commercial": "commercial_yuan"}


def csv_header(layers: Sequence[str] = ()) -> tuple[str, ...]:
    """The CSV's columns: :data:`CSV_HEADER`, with a column after ``assistance_yuan`` for each
    of the layers beyond the three that a settlement of the day had (none in Tibet's)."""
    at = CSV_HEADER.index("assistance_yuan") + 1
    more = tuple(LAYER_COLUMNS[x] for x in LAYERS if x in layers)
    return CSV_HEADER[:at] + more + CSV_HEADER[at:]


def local(t: dt.datetime) -> dt.datetime:
    """A stored instant in Beijing time (SQLite gives it back without its zone: UTC)."""
    return (t if t.tzinfo is not None else t.replace(tzinfo=dt.UTC)).astimezone(CST)


def today() -> dt.date:
    return dt.datetime.now(CST).date()


def parse_day(raw: str | None) -> dt.date:
    """The day a list or report is asked for (``YYYY-MM-DD``): today when empty; a day in the
    future or more than :data:`DAYS_BACK` days ago is refused naming the field."""
    if not raw:
        return today()
    try:
        day = dt.date.fromisoformat(raw.strip()[:10])
    except ValueError:
        raise invalid(
            "day",
            "date",
            "日期格式应为 YYYY-MM-DD",
            "a date is written YYYY-MM-DD",
            bo="ཚེས་གྲངས་ YYYY-MM-DD ལྟར་འབྲི་དགོས།",
        ) from None
    if day > today() or day < today() - dt.timedelta(days=DAYS_BACK):
        raise invalid(
            "day",
            "range",
            f"只能查看今天及之前{DAYS_BACK}天内的日期",
            f"only today and the {DAYS_BACK} days before it can be shown",
            bo=f"དེ་རིང་དང་སྔོན་གྱི་ཉིན་{DAYS_BACK}ནང་གི་ཚེས་གྲངས་ཁོ་ན་ལྟ་ཐུབ།",
        )
    return day


def _window(session: Session, day: dt.date) -> tuple[dt.datetime, dt.datetime]:
    start = dt.datetime.combine(day, dt.time(), CST).astimezone(dt.UTC)
    end = start + dt.timedelta(days=1)
    if session.get_bind().dialect.name == "sqlite":  # stored as naive UTC text
        return start.replace(tzinfo=None), end.replace(tzinfo=None)
    return start, end


def receipt_no(s: Settlement | SettlementOut, at: dt.datetime | None) -> str:
    """收据号: ``YB`` + the Beijing date it was settled + the settlement id in 8 digits
    (``YB20261202-00000042``); unique because the id is."""
    day = local(at).strftime("%Y%m%d") if at is not None else "00000000"
    return f"YB{day}-{s.id or 0:08d}"


# ------------------------------------------------------------------------------ the day


def _scoped(stmt: Select[Settlement], by: Principal) -> Select[Settlement]:
    """Only settlements at a hospital in ``by``'s region (the window's own)."""
    stmt = stmt.join(Facility, Facility.id == Settlement.facility_id)
    codes = by.covered_codes()
    if codes is not None:
        stmt = stmt.where(Facility.division_code.in_(codes))
    return stmt


def _of_day(session: Session, by: Principal, day: dt.date, mine: bool) -> Select[Settlement]:
    start, end = _window(session, day)
    stmt = _scoped(select(Settlement), by).where(
        Settlement.created_at >= start, Settlement.created_at < end
    )
    return stmt.where(Settlement.created_by == by.actor) if mine else stmt


@dataclass(frozen=True)
class Row:
    """One settlement of the day as the list, the report and the CSV show it."""

    id: int
    receipt_no: str
    kind: str
    at: dt.datetime  # Beijing time
    facility_code: str
    facility_name: str
    patient_name: str
    patient_name_bo: str | None
    id_masked: str
    visit: str
    figures: dict[str, int]  # FUNDS, and LAYERS where the region's order had them
    cashier: str
    reverses_id: int | None
    reversed_by_id: int | None
    reason: str | None  # why it was reversed (on the original and on its reversal)

    @property
    def reversible(self) -> bool:
        return self.kind == "settle" and self.reversed_by_id is None

    @property
    def funds_paid(self) -> int:
        f = self.figures
        return f["basic"] + f["ci"] + f["assistance"] + sum(f.get(x, 0) for x in LAYERS)


def cashier_names(session: Session, actors: set[str]) -> dict[str, str]:
    """``user:12`` → the staff user's name (an API token or the platform keeps its actor)."""
    uids = {int(a[5:]) for a in actors if a.startswith("user:") and a[5:].isdigit()}
    users = session.execute(
        select(User.id, User.username, User.display_name).where(User.id.in_(uids))
    ).all()
    named = {f"user:{u}": (d or n) for u, n, d in users}
    return {a: named.get(a, a) for a in actors}


def reasons(session: Session, settlements: Sequence[Settlement]) -> dict[int, str]:
    """The reason each of these settlements was reversed, keyed by the settled one's id: the
    reversal row's own column (a settlement's row lists its reversal's)."""
    wanted = {s.reverses_id or s.id for s in settlements}
    if not wanted:
        return {}
    found = session.execute(
        select(Settlement.reverses_id, Settlement.reason).where(
            Settlement.kind == "reverse", Settlement.reverses_id.in_(wanted)
        )
    ).all()
    return {int(orig): str(why) for orig, why in found if orig is not None and why}


def _rows(session: Session, settlements: Sequence[Settlement]) -> list[Row]:
    if not settlements:
        return []
    people = {
        p.id: p
        for p in session.scalars(
            select(Person).where(Person.id.in_({s.person_id for s in settlements}))
        )
    }
    places = {
        f.id: f
        for f in session.scalars(
            select(Facility).where(Facility.id.in_({s.facility_id for s in settlements}))
        )
    }
    names = cashier_names(session, {s.created_by for s in settlements})
    why = reasons(session, settlements)
    rows = []
    for s in settlements:
        p, f = people[s.person_id], places[s.facility_id]
        rows.append(
            Row(
                id=s.id,
                receipt_no=receipt_no(s, s.created_at),
                kind=s.kind,
                at=local(s.created_at),
                facility_code=f.code,
                facility_name=f.name,
                patient_name=p.name_zh,
                patient_name_bo=p.name_bo,
                id_masked=ids.mask_id(p.id_masked),
                visit=s.visit,
                figures={k: int(getattr(s, k)) for k in FUNDS}
                | {k: int(getattr(s, k)) for k in LAYERS if getattr(s, k) is not None},
                cashier=names[s.created_by],
                reverses_id=s.reverses_id,
                reversed_by_id=s.reversed_by_id,
                reason=why.get(s.reverses_id or s.id),
            )
        )
    return rows


def day_page(
    session: Session, by: Principal, day: dt.date, mine: bool, offset: int, limit: int
) -> tuple[list[Row], int]:
    """One page of the day's settlements at the window's region, newest first, and how many
    there are in all."""
    stmt = _of_day(session, by, day, mine)
    total = session.scalar(select(func.count()).select_from(stmt.subquery())) or 0
    rows = session.scalars(
        stmt.order_by(Settlement.id.desc()).offset(max(offset, 0)).limit(limit)
    ).all()
    return _rows(session, rows), total


def day_rows(session: Session, by: Principal, day: dt.date, mine: bool = False) -> list[Row]:
    """Every settlement of the day (the report's CSV), oldest first."""
    rows = session.scalars(_of_day(session, by, day, mine).order_by(Settlement.id)).all()
    audit.record(session, by, "export", "med_day", day.isoformat(), by.region, {"rows": len(rows)})
    return _rows(session, rows)


@dataclass(frozen=True)
class DayTotals:
    """The day's totals (net of reversals) by fund, in fen, and the counts."""

    day: dt.date
    settled: int  # settlements (kind "settle")
    reversed: int  # reversals (kind "reverse") posted that day
    figures: dict[str, int]  # FUNDS and LAYERS
    layers: tuple[str, ...] = ()  # the LAYERS a settlement of the day had (its region's order)


def day_totals(session: Session, by: Principal, day: dt.date, mine: bool = False) -> DayTotals:
    sub = _of_day(session, by, day, mine).subquery()
    names = (*FUNDS, *LAYERS)
    sums = session.execute(
        select(
            *[func.coalesce(func.sum(getattr(sub.c, k)), 0) for k in names],
            *[func.count(getattr(sub.c, k)) for k in LAYERS],  # rows where the layer was on
            func.count().filter(sub.c.kind == "settle"),
            func.count().filter(sub.c.kind == "reverse"),
        )
    ).one()
    n = len(names)
    figures = {k: int(v) for k, v in zip(names, sums[:n], strict=True)}
    layers = tuple(k for k, c in zip(LAYERS, sums[n : n + len(LAYERS)], strict=True) if c)
    settled, reversed_ = sums[n + len(LAYERS)], sums[n + len(LAYERS) + 1]
    return DayTotals(day, int(settled), int(reversed_), figures, layers)


def layers_of(rows: Sequence[Row]) -> tuple[str, ...]:
    """The layers beyond the three that any of these settlements had (the CSV's columns)."""
    return tuple(x for x in LAYERS if any(x in r.figures for r in rows))


def csv_rows(rows: Sequence[Row], layers: Sequence[str] = ()) -> list[list[object]]:
    """The CSV's rows (docs/formats.md: amounts in yuan with two decimals, ID numbers
    masked), with the columns of :func:`csv_header` for ``layers`` (empty where a row's region
    had no such layer); written by :func:`minsheng.core.export.csv_bytes`."""
    at = FUNDS.index("assistance") + 2  # in the CSV, after the total and the three funds
    order = FUNDS[-1:] + FUNDS[:-1]
    funds = (*order[:at], *(x for x in LAYERS if x in layers), *order[at:])
    return [
        [
            r.receipt_no,
            r.id,
            r.kind,
            r.at.strftime("%Y-%m-%d %H:%M:%S"),
            r.facility_code,
            r.patient_name,
            r.id_masked,
            r.visit,
            *[money.to_str(r.figures[k]) if k in r.figures else "" for k in funds],
            r.cashier,
            r.reverses_id,
            r.reason or "",
        ]
        for r in rows
    ]


# ------------------------------------------------------------------------------ reversal


def visible_here(session: Session, settlement_id: int, by: Principal) -> Settlement:
    """A settlement at a hospital of ``by``'s region; any other answers as an unknown id does
    (the window reprints and reverses only its own region's)."""
    s = session.get(Settlement, settlement_id)
    if s is not None:
        f = session.get(Facility, s.facility_id)
        if f is not None and by.covers(f.division_code):
            return s
    raise _no_settlement(settlement_id)


def clean_reason(raw: object) -> str:
    """A reversal's reason: required, one line of at most :data:`REASON_MAX` characters."""
    reason = text.clean(str(raw or ""), "reason", text.SHORT, max_length=REASON_MAX)
    if not reason:
        raise invalid(
            "reason",
            "reason_required",
            "冲销必须填写原因",
            "a reversal needs a reason",
            bo="ཕྱིར་བསུབ་ལ་རྒྱུ་མཚན་འབྲི་དགོས།",
        )
    return reason


def reverse_with_reason(
    session: Session, settlement_id: int, reason: str, by: Principal
) -> SettlementOut:
    """冲销 with its reason: the service's reversal and, in the same transaction, the reason on
    the reversal row and in the audit log (``reverse_reason`` on the original settlement)."""
    why = clean_reason(reason)
    original = visible_here(session, settlement_id, by)
    rev = service.reverse(session, original.id, by)
    row = session.get(Settlement, rev.id)
    assert row is not None
    row.reason = why
    facility = session.get(Facility, original.facility_id)
    assert facility is not None
    audit.record(
        session,
        by,
        "reverse_reason",
        "med_settlement",
        original.id,
        facility.division_code,
        {"reason": why, "reversal_id": rev.id},
    )
    return rev


# ------------------------------------------------------------------------------ look-up


@dataclass(frozen=True)
class Found:
    """A patient found at the window, to check the person (the ID masked)."""

    hit: search.PersonHit
    card_number: str | None
    card_state: str | None


def looks_like_card(q: str) -> bool:
    s = q.strip().upper()
    return len(s) == 9 and s[0] in CARD_NUMBER and s[1:].isdigit()


def look_up(session: Session, q: str, by: Principal, limit: int = 20) -> list[Found]:
    """People at the window by ID number, name or household code (the registry's search, in
    the caller's region), or by social-security card number (卡号, a card of the region).

    An ID number nobody in the region holds counts against the same hourly bound as a
    pre-settlement's (``intake.PATIENT_MISSES_PER_HOUR``, audited ``patient_miss``): the look-up
    is no side door for rebuilding ID numbers from a birth date and a county."""
    q = q.strip()[: search.MAX_QUERY]
    if looks_like_card(q):
        card = session.scalar(select(SocialCard).where(SocialCard.number == q.upper()))
        found = []
        if card is not None and by.covers(card.division_code):
            person = session.get(Person, card.person_id)
            if person is not None and by.covers(person.division_code):
                found = [Found(search.hit(person), card.number, card.state)]
        audit.record(
            session, by, "search", "person", None, by.region, {"via": "card", "results": len(found)}
        )
        return found
    by_id = search.looks_like_id(q) and by.kind != "system"
    key = intake._miss_key(by)
    if by_id and intake._misses_spent(session, key):
        raise intake._too_many_misses()  # the window's bound on ID numbers nobody holds
    hits = search.find_persons(session, q, by, limit=limit)
    if by_id and not hits:  # counted and audited as a pre-settlement's miss is
        intake._count_miss(session, key)
        audit.record(session, by, "patient_miss", "person", None, by.region)
    cards = {
        c.person_id: c
        for c in session.scalars(
            select(SocialCard).where(
                SocialCard.person_id.in_([h.id for h in hits]),
                SocialCard.state.in_(("applied", "made", "issued", "active", "lost")),
            )
        )
    }
    return [
        Found(
            h,
            cards[h.id].number if h.id in cards else None,
            cards[h.id].state if h.id in cards else None,
        )
        for h in hits
    ]


def scan(session: Session, code: str, by: Principal) -> list[Found]:
    """The person a scanned electronic card (电子社保卡) identifies; the same window may present
    the code again while it lives (the pre-settlement, then its confirmation)."""
    person = cards.scan(session, code, by, dt.datetime.now(dt.UTC))
    card = cards.live_card(session, person.id)
    return [Found(search.hit(person), card.number if card else None, card.state if card else None)]
