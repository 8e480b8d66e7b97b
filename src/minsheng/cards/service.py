"""Card use cases: apply, take a step of the card's life, link a bank account, read one's own
card, show and scan the electronic card. Each takes ``by`` (who acts), checks the region of
what it loads (a card elsewhere answers as missing), and audits what it changes."""

from __future__ import annotations

import datetime as dt
import re
import secrets
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from minsheng.cards import ecard
from minsheng.cards.models import CardEvent, ECardUse, SocialCard
from minsheng.cards.workflows import CARD
from minsheng.cases import engine
from minsheng.core import divisions, text
from minsheng.core.errors import ConflictError, ForbiddenError, NotFoundError, invalid
from minsheng.foundation import audit
from minsheng.foundation.principals import Principal
from minsheng.registry import checks
from minsheng.registry.models import Person

LIVE = ("applied", "made", "issued", "active", "lost")  # a person holds at most one of these
BANK_DIGITS = re.compile(r"\d{12,19}", re.ASCII)
PREFECTURE_LETTERS = "ABCDEFGH"


@dataclass(frozen=True)
class CardView:
    """A card as people are shown it: never the whole bank account."""

    id: int
    person_id: int
    number: str
    state: str
    division_code: str
    applied_on: dt.date
    activated_on: dt.date | None
    bank_name: str | None
    bank_account_tail: str | None
    replaces_id: int | None
    actions: tuple[str, ...]


def view(card: SocialCard, by: Principal) -> CardView:
    return CardView(
        card.id,
        card.person_id,
        card.number,
        card.state,
        card.division_code,
        card.applied_on,
        card.activated_on,
        card.bank_name,
        card.bank_account_tail,
        card.replaces_id,
        tuple(CARD.offered(card.state, by, {})),
    )


def _not_found(card_id: int) -> NotFoundError:
    return NotFoundError("card_id", f"社保卡{card_id}不存在", f"no card {card_id}")


def load(session: Session, card_id: int, by: Principal) -> SocialCard:
    """A card by id: staff see their region's, a citizen only their own; anything else is
    missing."""
    card = session.get(SocialCard, card_id)
    if card is None:
        raise _not_found(card_id)
    if by.kind == "citizen":
        if card.person_id != by.person_id:
            raise _not_found(card_id)
    elif not by.covers(card.division_code):
        raise _not_found(card_id)
    return card


def live_card(session: Session, person_id: int) -> SocialCard | None:
    return session.scalar(
        select(SocialCard).where(SocialCard.person_id == person_id, SocialCard.state.in_(LIVE))
    )


def _number(card: SocialCard) -> str:
    """卡号: the issuing prefecture's letter and an eight-digit sequence (never the ID)."""
    prefectures = [d.code for d in divisions.prefectures()]
    pref = divisions.ancestors(card.division_code)
    index = next((i for i, code in enumerate(prefectures) if code in pref), 0)
    return f"{PREFECTURE_LETTERS[index]}{card.id:08d}"


def _event(session: Session, card: SocialCard, event: engine.Event, by: Principal) -> None:
    """The step's history row and its audit entry (the case engine's one event writer)."""
    engine.write_event(
        session,
        CardEvent,
        event,
        by,
        resource="card",
        record_id=card.id,
        division=card.division_code,
        card_id=card.id,
    )


def apply(
    session: Session, person_id: int, division_code: str, by: Principal, today: dt.date
) -> SocialCard:
    """申领: a new card for a registered person, issued by ``division_code`` (any county: where
    the person lives or works). One live card per person (a lost one is replaced, not doubled)."""
    person = checks.load(session, Person, person_id, "person", by)
    county = checks.county(division_code)
    by.require_covers(county.code, "card")
    if person.death_date is not None:
        raise invalid(
            "person_id", "deceased", "该人员已死亡，不能申领社保卡", "the person has died: no card"
        )
    session.refresh(person, with_for_update=True)  # serialise two applications for one person
    if live_card(session, person.id) is not None:
        raise ConflictError(
            "person_id",
            "card_exists",
            "该人员已有一张在用的社保卡；遗失请挂失后补换",
            "the person already holds a card; report it lost and replace it",
        )
    return _new(session, person, county.code, today, by)


def _new(
    session: Session, person: Person, county: str, today: dt.date, by: Principal
) -> SocialCard:
    card = SocialCard(
        person_id=person.id,
        number=secrets.token_hex(6),  # replaced by the real number once the id is known
        division_code=county,
        state=CARD.initial,
        applied_on=today,
    )
    session.add(card)
    session.flush()
    card.number = _number(card)
    _event(
        session, card, engine.Event("apply", None, card.state, engine.accountable(by), today), by
    )
    return card


DATES = {"made": "made_on", "issued": "issued_on", "active": "activated_on", "lost": "lost_on"}


def step(
    session: Session,
    card_id: int,
    action: str,
    by: Principal,
    today: dt.date,
    reason: str | None = None,
    version: int | None = None,
) -> SocialCard:
    """Take one step of the card's life (the table in :mod:`minsheng.cards.workflows`). A
    replacement opens the new card; a stale ``version`` (someone else acted first) is a 409."""
    card = load(session, card_id, by)
    session.refresh(card, with_for_update=True)
    if version is not None and version != card.version:
        raise ConflictError(
            "version",
            "stale",
            "该卡已被他人处理，请刷新后重试",
            "someone else changed this card; reload and try again",
        )
    note = text.clean(reason, "reason", "free", max_length=400) if reason else None
    replacement: list[SocialCard] = []

    def work(s: engine.Step) -> str | None:
        target = s.targets[0]
        card.state = target
        if target in DATES:
            setattr(card, DATES[target], today)
        if target in ("replaced", "cancelled"):
            card.closed_on = today
            card.reason = note
        if target == "replaced":
            person = session.get(Person, card.person_id)
            assert person is not None
            new = _new(session, person, card.division_code, today, by)
            new.replaces_id = card.id
            new.bank_name, new.bank_account = card.bank_name, card.bank_account
            new.bank_account_tail = card.bank_account_tail
            replacement.append(new)
        return note

    event = CARD.run(card, action, by, work, day=today, reason=note)
    card.version += 1
    _event(session, card, event, by)
    return replacement[0] if replacement else card


def _luhn(digits: str) -> bool:
    total = 0
    for i, ch in enumerate(reversed(digits)):
        d = int(ch)
        if i % 2:
            d = d * 2 - 9 if d > 4 else d * 2
        total += d
    return total % 10 == 0


def link_bank(
    session: Session, card_id: int, bank_name: str, account: str, by: Principal
) -> SocialCard:
    """Link the card's financial account (金融账户): 12–19 digits passing the Luhn check; the
    number is stored encrypted, only its last four digits are shown."""
    card = load(session, card_id, by)
    if card.state in ("replaced", "cancelled"):
        raise ConflictError(
            "card_id", "wrong_state", "该卡已补换或注销", "the card is replaced or cancelled"
        )
    name = text.clean(bank_name, "bank_name", "name", max_length=40, min_length=1)
    digits = account.replace(" ", "") if isinstance(account, str) else ""
    if not BANK_DIGITS.fullmatch(digits) or not _luhn(digits):
        raise invalid(
            "bank_account",
            "bank_account",
            "银行账号应为12—19位数字且校验位正确",
            "the bank account must be 12–19 digits with a valid check digit",
            bo="དངུལ་ཁང་གི་ཨང་གྲངས་ནོར་འདུག",
        )
    card.bank_name, card.bank_account, card.bank_account_tail = name, digits, digits[-4:]
    card.version += 1
    audit.record(session, by, "link_bank", "card", card.id, card.division_code)
    return card


def my_card(session: Session, by: Principal) -> SocialCard | None:
    """The citizen's live card, if any."""
    if by.kind != "citizen" or by.person_id is None:
        raise ForbiddenError("person", "citizen_only", "仅限本人查看", "for the holder only")
    return live_card(session, by.person_id)


def no_card() -> Exception:
    return invalid(
        "card",
        "no_active_card",
        "您没有已启用的社保卡",
        "you hold no active card",
        bo="ཁྱེད་ལ་སྤྱོད་བཞིན་པའི་བྱང་བུ་མི་འདུག",
    )


def show_ecard(session: Session, by: Principal, now: dt.datetime) -> tuple[str, dt.datetime]:
    """A fresh electronic-card code for the citizen's own active card."""
    card = my_card(session, by)
    if card is None or card.state != "active":
        raise no_card()
    code, expires = ecard.mint(card.id, now)
    audit.record(session, by, "show_ecard", "card", card.id, card.division_code)
    return code, expires


def scan(session: Session, code: str, by: Principal, now: dt.datetime) -> Person:
    """The person a scanned electronic card identifies. Any window may scan any card: showing
    the code is the patient presenting themself (out-of-area care is settled too); the code
    proves presence, so unlike an ID number typed in, it is not counted as a look-up."""
    card = ecard.verify(session, code, by.actor, now)
    person = session.get(Person, card.person_id)
    if person is None or person.death_date is not None:
        raise ecard.refused()
    audit.record(session, by, "scan_ecard", "card", card.id, card.division_code)
    return person


def history(session: Session, card: SocialCard) -> list[CardEvent]:
    return list(
        session.scalars(
            select(CardEvent).where(CardEvent.card_id == card.id).order_by(CardEvent.id)
        )
    )


__all__ = ["CardView", "apply", "link_bank", "load", "my_card", "scan", "show_ecard", "step"]


def payee_accounts(session: Session, person_ids: list[int]) -> dict[int, str]:
    """The bank account (decrypted) of each person's live card that has one — what the pension
    roll pays into (a person without one is left out). For the payment engine only: the
    caller never logs or shows the full account. (Only the person index is used: the state is
    checked here, so SQLite never scans the state index once per chunk.)"""
    out: dict[int, str] = {}
    for i in range(0, len(person_ids), 500):
        chunk = person_ids[i : i + 500]
        for pid, state, account in session.execute(
            select(SocialCard.person_id, SocialCard.state, SocialCard.bank_account).where(
                SocialCard.person_id.in_(chunk)
            )
        ):
            if state in LIVE and account:
                out[pid] = account
    return out


def used_since(session: Session, prefix: str, since: dt.date) -> set[int]:
    """The persons of the region (card issued in a county under ``prefix``) whose card was used
    on or after ``since``: a step of its life (activated, reported lost, …) or a scan of its
    electronic card at a window — evidence that the holder is alive (pension certification)."""
    start = dt.datetime.combine(since, dt.time(), tzinfo=dt.UTC)
    in_region = SocialCard.division_code.like(prefix + "%")
    stepped = select(SocialCard.person_id).join(CardEvent, CardEvent.card_id == SocialCard.id)
    scanned = select(SocialCard.person_id).join(ECardUse, ECardUse.card_id == SocialCard.id)
    found = set(session.scalars(stepped.where(in_region, CardEvent.day >= since)))
    found |= set(session.scalars(scanned.where(in_region, ECardUse.expires_at >= start)))
    return found


def with_payee_account(session: Session, person_ids: list[int]) -> set[int]:
    """Which of the persons hold a live card with a bank account (nothing decrypted; only the
    person index is used, as in :func:`payee_accounts`)."""
    out: set[int] = set()
    for i in range(0, len(person_ids), 500):
        for pid, state, tail in session.execute(
            select(SocialCard.person_id, SocialCard.state, SocialCard.bank_account_tail).where(
                SocialCard.person_id.in_(person_ids[i : i + 500])
            )
        ):
            if state in LIVE and tail:
                out.add(pid)
    return out
