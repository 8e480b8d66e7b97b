"""The project's dedicated wage account (农民工工资专用账户, 人社部发〔2021〕53号), the labour-cost
transfers into it (人工费用拨付, 条例 art. 24), and workers' wage cards.

- :func:`open_account` — the general contractor opens the account (bank, account number:
  stored encrypted, only the last four digits shown); :func:`file_account` — the labour bureau
  records its filing (备案). :func:`account_status` says the deadlines (opened within 30 days of
  the construction contract, filed within 30 more) and whether each was met.
- :func:`record_transfer` — a transfer from the developer: date, amount, bank reference. The
  reference is the idempotency key: the same reference with the same date and amount is the
  transfer already recorded (answered again, counted once); with another date or amount, a
  409. The balance rises by the amount, in the same transaction, under the account's row lock.
- :func:`set_wage_card` / :func:`payee` — the worker's bank card for wages; without one, the
  bank account of the worker's live social-security card (:mod:`minsheng.cards`) is paid.

Every write is audited; a project the caller does not see answers as missing
(:func:`minsheng.wages.access.get_project`).
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from functools import lru_cache

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from minsheng.cards import service as cards
from minsheng.cards.models import SocialCard
from minsheng.core import money, text
from minsheng.core.errors import ConflictError, ForbiddenError, NotFoundError, invalid
from minsheng.foundation import audit
from minsheng.foundation.principals import Principal
from minsheng.policy import load
from minsheng.wages import access
from minsheng.wages.models import WgProject, WgProjectFirm, WgWorker
from minsheng.wages.pay_models import WgLabourTransfer, WgWageAccount, WgWageCard
from minsheng.wages.pay_rules import (
    PayParams,
    account_file_due,
    account_open_due,
    next_transfer_due,
)

ACCOUNT_DIGITS = re.compile(r"\d{8,32}", re.ASCII)  # a corporate account: 8–32 digits
CARD_DIGITS = re.compile(r"\d{12,19}", re.ASCII)  # a personal debit card (Luhn-checked)
MAX_TRANSFER_FEN = money.MAX_AMOUNT_FEN


@lru_cache(maxsize=1024)
def params(day: dt.date, division: str) -> PayParams:
    """The pay figures in force on ``day`` in ``division`` (shipped tree, remembered)."""
    return PayParams.from_snapshot(load().at(day, division))


def firm_roles(session: Session, project: WgProject, by: Principal) -> set[str]:
    """The parts the contractor's employer has on ``project`` (empty for anyone else)."""
    employer = access.employer_of(session, by)
    if employer is None:
        return set()
    return set(
        session.scalars(
            select(WgProjectFirm.role).where(
                WgProjectFirm.project_id == project.id, WgProjectFirm.employer_id == employer
            )
        )
    )


def require(
    session: Session,
    project: WgProject,
    by: Principal,
    staff: str,
    firms: tuple[str, ...],
    what: str,
) -> None:
    """``by`` may act: staff with permission ``staff``, or a contractor whose employer has one
    of the parts ``firms`` on the project (总包代发: paying is the general contractor's)."""
    if by.kind == "system" or by.can(staff):
        return
    if by.can("wages:project") and firm_roles(session, project, by) & set(firms):
        return
    raise ForbiddenError(
        "project_id",
        "firm_role",
        f"只有{'、'.join(FIRM_ZH[f] for f in firms)}或主管部门可以{what}",
        f"only the {' or '.join(firms)} firm or the labour bureau may do this",
        bo="ལས་འདི་ཆེད་དུ་བཀོད་པའི་ཚོང་ཁང་ངམ་ལས་ཁུངས་ཀྱིས་བྱེད་དགོས།",
    )


FIRM_ZH = {"developer": "建设单位", "general": "施工总承包单位", "sub": "分包单位"}


def _digits(value: object, field: str, pattern: re.Pattern[str], luhn: bool) -> str:
    digits = value.replace(" ", "") if isinstance(value, str) else ""
    if not pattern.fullmatch(digits) or (luhn and not _luhn(digits)):
        raise invalid(
            field,
            "bank_account",
            "银行账号位数或校验位不正确",
            "the bank account has the wrong number of digits or a wrong check digit",
            bo="དངུལ་ཁང་གི་ཨང་གྲངས་ནོར་འདུག",
        )
    return digits


def _luhn(digits: str) -> bool:
    total = 0
    for i, ch in enumerate(reversed(digits)):
        d = int(ch)
        if i % 2:
            d = d * 2 - 9 if d > 4 else d * 2
        total += d
    return total % 10 == 0


def account_of(session: Session, project_id: int) -> WgWageAccount | None:
    return session.scalar(select(WgWageAccount).where(WgWageAccount.project_id == project_id))


def no_account() -> NotFoundError:
    return NotFoundError(
        "account",
        "该项目尚未开设农民工工资专用账户",
        "the project has no dedicated wage account yet",
        "ལས་གཞི་འདིར་གླ་ཕོགས་ཆེད་སྤྱོད་རྩིས་ཁྲ་མི་འདུག",
    )


def open_account(
    session: Session,
    project_id: int,
    bank_name: str,
    account_number: str,
    opened_on: dt.date,
    by: Principal,
) -> WgWageAccount:
    """Open the project's dedicated account (one per project; a second is a 409)."""
    project = access.get_project(session, project_id, by, for_update=True)
    require(session, project, by, "wages:write", ("general",), "开设专用账户")
    name = text.clean(bank_name, "bank_name", "name", max_length=40, min_length=1)
    digits = _digits(account_number, "account_number", ACCOUNT_DIGITS, luhn=False)
    if opened_on < project.contract_signed_on:
        raise invalid(
            "opened_on",
            "before_contract",
            "开户日期早于施工合同签订日期",
            "the account cannot be opened before the construction contract",
            bo="རྩིས་ཁྲ་ཁ་ཕྱེ་བའི་ཚེས་གྲངས་ཆིངས་ཡིག་གི་སྔོན་ལ་ཡིན་མི་ཆོག",
        )
    if account_of(session, project.id) is not None:
        raise ConflictError(
            "project_id",
            "account_exists",
            "该项目已开设农民工工资专用账户",
            "the project already has its dedicated wage account",
            bo="ལས་གཞི་འདིར་གླ་ཕོགས་ཆེད་སྤྱོད་རྩིས་ཁྲ་ཡོད་ཟིན།",
        )
    account = WgWageAccount(
        project_id=project.id,
        division_code=project.division_code,
        bank_name=name,
        account_number=digits,
        account_tail=digits[-4:],
        opened_on=opened_on,
        balance=0,
    )
    session.add(account)
    session.flush()
    audit.record(
        session,
        by,
        "open_account",
        "wage_account",
        account.id,
        project.division_code,
        {"project_id": project.id, "bank": name, "tail": account.account_tail},
    )
    return account


def file_account(
    session: Session, project_id: int, filed_on: dt.date, by: Principal
) -> WgWageAccount:
    """The labour bureau records the account's filing (备案)."""
    project = access.get_project(session, project_id, by, for_update=True)
    require(session, project, by, "wages:write", (), "登记专用账户备案")
    account = account_of(session, project.id)
    if account is None:
        raise no_account()
    if filed_on < account.opened_on:
        raise invalid(
            "filed_on",
            "before_opening",
            "备案日期早于开户日期",
            "the filing cannot precede the opening",
            bo="ཐོ་འགོད་ཚེས་གྲངས་ཁ་ཕྱེ་བའི་སྔོན་ལ་ཡིན་མི་ཆོག",
        )
    if account.filed_on is not None:
        raise ConflictError(
            "filed_on",
            "already_filed",
            f"该账户已于{account.filed_on.isoformat()}备案",
            f"the account was filed on {account.filed_on.isoformat()}",
            bo="རྩིས་ཁྲ་འདི་ཐོ་འགོད་བྱས་ཟིན།",
        )
    account.filed_on = filed_on
    account.version += 1
    audit.record(session, by, "file_account", "wage_account", account.id, project.division_code)
    return account


@dataclass(frozen=True)
class AccountStatus:
    """The account's deadlines and where they stand on ``today``."""

    open_due: dt.date
    opened_on: dt.date | None
    open_late: bool  # opened after the deadline, or not opened and the deadline passed
    file_due: dt.date | None
    filed_on: dt.date | None
    file_late: bool
    last_transfer: dt.date | None
    next_transfer_due: dt.date | None
    transfer_late: bool
    balance: int


def account_status(session: Session, project: WgProject, today: dt.date) -> AccountStatus:
    """Deadlines of the project's account (project visibility checked by the caller)."""
    p = params(project.contract_signed_on, project.division_code)
    open_due = account_open_due(project.contract_signed_on, p)
    account = account_of(session, project.id)
    if account is None:
        return AccountStatus(
            open_due, None, today > open_due, None, None, False, None, None, False, 0
        )
    file_due = account_file_due(account.opened_on, p)
    filed = account.filed_on
    last = session.scalar(
        select(func.max(WgLabourTransfer.paid_on)).where(WgLabourTransfer.account_id == account.id)
    )
    nxt = next_transfer_due(last or account.opened_on, p)
    return AccountStatus(
        open_due,
        account.opened_on,
        account.opened_on > open_due,
        file_due,
        filed,
        (filed or today) > file_due,
        last,
        nxt,
        today > nxt,
        account.balance,
    )


def record_transfer(
    session: Session,
    project_id: int,
    paid_on: dt.date,
    amount: int,
    reference: str,
    by: Principal,
    today: dt.date | None = None,
) -> tuple[WgLabourTransfer, bool]:
    """Record a labour-cost transfer into the account; returns it and whether it is new (a
    retried reference answers the stored transfer, see the module docstring)."""
    today = today or dt.date.today()
    project = access.get_project(session, project_id, by)
    require(session, project, by, "wages:write", ("developer", "general"), "登记人工费用拨付")
    ref = text.clean(reference, "reference", "code", max_length=64, min_length=1)
    amount = money.bounded(amount, "amount", MAX_TRANSFER_FEN)
    if amount <= 0:
        raise invalid(
            "amount",
            "positive",
            "拨付金额须大于零",
            "the amount must be more than zero",
            bo="དངུལ་གྲངས་ཀླད་ཀོར་ལས་མང་བ་དགོས།",
        )
    if paid_on > today:
        raise invalid(
            "paid_on",
            "future",
            "拨付日期不能晚于今天",
            "a transfer cannot be dated in the future",
            bo="ཚེས་གྲངས་མ་འོངས་པ་ཡིན་མི་ཆོག",
        )
    account = session.scalar(
        select(WgWageAccount).where(WgWageAccount.project_id == project.id).with_for_update()
    )
    if account is None:
        raise no_account()
    if paid_on < account.opened_on:
        raise invalid(
            "paid_on",
            "before_opening",
            "拨付日期早于专用账户开户日期",
            "a transfer cannot precede the account's opening",
            bo="ཚེས་གྲངས་རྩིས་ཁྲ་ཁ་ཕྱེ་བའི་སྔོན་ལ་ཡིན་མི་ཆོག",
        )
    done = session.scalar(
        select(WgLabourTransfer).where(
            WgLabourTransfer.account_id == account.id, WgLabourTransfer.reference == ref
        )
    )
    if done is not None:
        if (done.paid_on, done.amount) != (paid_on, amount):
            raise ConflictError(
                "reference",
                "reference_reused",
                "该银行流水号已登记为另一笔拨付（日期或金额不同）",
                "this bank reference is recorded for another transfer (other date or amount)",
                bo="དངུལ་ཁང་གི་ཨང་གྲངས་འདི་དངུལ་སྤྲོད་གཞན་ཞིག་ལ་བཀོད་ཟིན།",
            )
        return done, False
    money.bounded(account.balance + amount, "amount", MAX_TRANSFER_FEN)
    transfer = WgLabourTransfer(
        account_id=account.id,
        project_id=project.id,
        paid_on=paid_on,
        amount=amount,
        reference=ref,
        by=by.actor,
    )
    session.add(transfer)
    account.balance += amount
    account.version += 1
    session.flush()
    audit.record(
        session,
        by,
        "labour_transfer",
        "wage_account",
        account.id,
        project.division_code,
        {"transfer_id": transfer.id, "amount": amount, "paid_on": paid_on.isoformat()},
    )
    return transfer, True


def transfers(session: Session, account_id: int) -> list[WgLabourTransfer]:
    return list(
        session.scalars(
            select(WgLabourTransfer)
            .where(WgLabourTransfer.account_id == account_id)
            .order_by(WgLabourTransfer.paid_on, WgLabourTransfer.id)
        )
    )


# ---------------------------------------------------------------------------- wage cards


def set_wage_card(
    session: Session,
    person_id: int,
    bank_name: str,
    account_number: str,
    by: Principal,
    today: dt.date | None = None,
) -> WgWageCard:
    """Set the worker's wage card: the worker themself (a citizen), or staff / a contractor of
    a project the worker is on."""
    if by.kind == "citizen":
        if by.person_id != person_id:
            raise no_worker()
    elif by.kind != "system":
        on = session.scalars(select(WgWorker.project_id).where(WgWorker.person_id == person_id))
        if not any(_sees(session, pid, by) for pid in on):
            raise no_worker()
    name = text.clean(bank_name, "bank_name", "name", max_length=40, min_length=1)
    digits = _digits(account_number, "account_number", CARD_DIGITS, luhn=True)
    card = session.scalar(select(WgWageCard).where(WgWageCard.person_id == person_id))
    if card is None:
        card = WgWageCard(person_id=person_id)
        session.add(card)
    card.bank_name, card.account_number, card.account_tail = name, digits, digits[-4:]
    card.set_on, card.by = today or dt.date.today(), by.actor
    session.flush()
    audit.record(session, by, "set_wage_card", "wage_card", card.id, None, {"tail": digits[-4:]})
    return card


def _sees(session: Session, project_id: int, by: Principal) -> bool:
    project = session.get(WgProject, project_id)
    return project is not None and access.can_see(session, project, by)


def no_worker() -> NotFoundError:
    return NotFoundError("person_id", "没有这名工人", "no such worker", "ལས་མི་འདི་མེད།")


def payee_tails(session: Session, person_ids: list[int]) -> dict[int, tuple[str, str]]:
    """Each person's wage card (bank name, last four digits) — the wage card, else the live
    social-security card's bank account; a person with neither is left out. Nothing is
    decrypted."""
    out: dict[int, tuple[str, str]] = {}
    if not person_ids:
        return out
    for pid, state, bank, tail in session.execute(
        select(
            SocialCard.person_id,
            SocialCard.state,
            SocialCard.bank_name,
            SocialCard.bank_account_tail,
        ).where(SocialCard.person_id.in_(person_ids))
    ):
        if state in cards.LIVE and tail:
            out[pid] = (bank or "", tail)
    for pid, bank, tail in session.execute(
        select(WgWageCard.person_id, WgWageCard.bank_name, WgWageCard.account_tail).where(
            WgWageCard.person_id.in_(person_ids)
        )
    ):
        out[pid] = (bank, tail)
    return out


def payee_accounts(session: Session, person_ids: list[int]) -> dict[int, str]:
    """Each person's full account to pay (decrypted; for the bank file only, never shown or
    logged): the wage card, else the live social-security card's account."""
    out = cards.payee_accounts(session, person_ids)
    for pid, account in session.execute(
        select(WgWageCard.person_id, WgWageCard.account_number).where(
            WgWageCard.person_id.in_(person_ids or [0])
        )
    ):
        out[pid] = account
    return out
