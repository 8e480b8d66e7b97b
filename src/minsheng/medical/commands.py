"""What other programmes may do to medical security's records — its published commands.

Like :mod:`minsheng.medical.queries` (reads), these are the only writes another programme may
make to medical's tables; ``tests/test_architecture.py`` lets a programme import a sibling's
``queries``, ``commands`` and ``rules`` only. Each says in policy words what it does, writes in
the caller's transaction and audits.
"""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import select
from sqlalchemy.orm import Session

from minsheng.core import money
from minsheng.foundation import audit
from minsheng.foundation.principals import Principal
from minsheng.medical.models import PersonalAccount


def credit_personal_accounts(
    session: Session, rows: Sequence[tuple[int, int]], by: Principal, what: str = "monthly"
) -> int:
    """Add ``fen`` to each person's employee medical personal account (个人账户划入), opening
    the account if the person has none. ``rows`` are ``(person_id, fen)`` with ``fen ≥ 0``;
    a balance never passes :data:`minsheng.core.money.MAX_BALANCE_FEN`. The caller keeps the
    record of which month was credited (so it credits a month once). → the fen added."""
    if not rows:
        return 0
    for person_id, fen in rows:
        if fen < 0:
            raise ValueError(f"a credit to person {person_id} is negative")
    ids = [pid for pid, _ in rows]
    accounts: dict[int, PersonalAccount] = {}
    for start in range(0, len(ids), 500):
        for a in session.scalars(
            select(PersonalAccount).where(PersonalAccount.person_id.in_(ids[start : start + 500]))
        ):
            accounts[a.person_id] = a
    total = 0
    for person_id, fen in rows:
        acct = accounts.get(person_id)
        if acct is None:
            acct = accounts[person_id] = PersonalAccount(
                person_id=person_id, balance=0, family_sharing=True
            )
            session.add(acct)
        acct.balance = money.bounded((acct.balance or 0) + fen, "balance", money.MAX_BALANCE_FEN)
        total += fen
    session.flush()
    audit.record(
        session,
        by,
        "credit",
        "med_account",
        None,
        by.region,
        {"what": what, "accounts": len(rows), "total": total},
    )
    return total
