"""Each new help plan gets a helper caseworker (分派帮扶责任人): an active caseworker account
(role ``caseworker``, not a service account) holding ``employment:write`` whose region covers the
plan's county — the one with the fewest open plans, then the lowest account number. No such
caseworker: the plan waits unassigned in its county's queue (a supervisor assigns it). Two
queries for the whole refresh (the accounts, their open plans); the count follows each pick."""

from __future__ import annotations

from collections import Counter

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from minsheng.auth.models import User
from minsheng.auth.service import staff_principal
from minsheng.employment.help_models import EmHelpPlan
from minsheng.employment.help_workflow import WRITE
from minsheng.foundation.principals import Principal


class Helpers:
    """The caseworkers who may help, and their open plans."""

    def __init__(self, session: Session) -> None:
        users = session.scalars(
            select(User)
            .where(
                User.active.is_(True), User.service_account.is_(False), User.role == "caseworker"
            )
            .order_by(User.id)
        )
        self.staff: list[Principal] = [
            p for p in (staff_principal(u) for u in users) if p.can(WRITE)
        ]
        self.load: Counter[str] = Counter()
        for who, n in session.execute(
            select(EmHelpPlan.assignee, func.count())
            .where(EmHelpPlan.state == "open", EmHelpPlan.assignee.is_not(None))
            .group_by(EmHelpPlan.assignee)
        ):
            self.load[str(who)] = int(n)

    def pick(self, county: str) -> str | None:
        """The accountable name (``user:N``) of the least-loaded caseworker covering
        ``county``, counted as one more plan; None when nobody covers it."""
        able = [p for p in self.staff if p.covers(county)]
        if not able:
            return None
        chosen = min(able, key=lambda p: (self.load[p.actor], p.user_id or 0))
        self.load[chosen.actor] += 1
        return chosen.actor
