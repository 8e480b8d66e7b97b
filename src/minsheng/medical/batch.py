"""Settling many bills in one unit of work: a hospital system's batch, or the single-bill
requests that group commit gathers from many connections.

:func:`settle_many` settles the items in the order given (so each patient's bills in order),
each exactly as :func:`service.settle` would — same checks, idempotency, audit entry and ledger
caps — and a bill that fails leaves nothing behind: its error takes its slot and the others
still settle. The caller's unit of work commits them together."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from minsheng.core.errors import MinshengError
from minsheng.foundation.principals import Principal
from minsheng.medical import service
from minsheng.medical.schemas import BillIn, SettlementOut


@dataclass(frozen=True)
class Item:
    """One bill of a batch, with its own caller (group commit mixes callers) and the
    Idempotency-Key as sent (checked as :func:`service.check_key` checks it)."""

    bill: BillIn
    by: Principal
    key: str | None


Outcome = SettlementOut | MinshengError


def _duplicate_key(err: IntegrityError) -> bool:
    return "idempotency_key" in str(err.orig)


def _one(session: Session, item: Item) -> Outcome:
    """One item in its own savepoint: settled, or rolled back whole and its error returned.

    What a refusal must leave behind (``MinshengError.after_rollback``: a patient miss counted
    and audited) is written after the savepoint's rollback, in the batch's transaction."""
    for attempt in (1, 2):
        nested = session.begin_nested()
        try:
            result = service.settle(session, item.bill, item.by, idempotency_key=item.key)
            nested.commit()
            return result
        except MinshengError as err:
            nested.rollback()
            for work in err.after_rollback:
                work(session)
            return err
        except IntegrityError as err:
            # a concurrent request with this key committed first (PostgreSQL, another
            # process): once more, now finding the winner — a retry's answer, or a 409
            nested.rollback()
            if not _duplicate_key(err) or attempt == 2:
                raise
    raise AssertionError("unreachable")  # pragma: no cover


def settle_many(session: Session, items: Sequence[Item]) -> list[Outcome]:
    """Settle ``items`` in order inside the caller's open transaction (the caller commits):
    each result a :class:`SettlementOut`, or the :class:`MinshengError` that refused it."""
    return [_one(session, item) for item in items]
