"""How a help plan is answered: the person (masked ID only), the categories with their
reasons, the services owed and delivered, the contact log, the history and the steps the caller
may take (:func:`out` for lists, :func:`detail` for one plan)."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from minsheng.cases import engine as cases
from minsheng.employment import help_rules as hr
from minsheng.employment.help import contacts, counts, events, offered, params, services
from minsheng.employment.help_models import EmHelpPlan
from minsheng.foundation.principals import Principal
from minsheng.registry.models import Person


def people(session: Session, person_ids: list[int]) -> dict[int, Person]:
    if not person_ids:
        return {}
    rows = session.scalars(select(Person).where(Person.id.in_(person_ids)))
    return {p.id: p for p in rows}


def out(
    plan: EmHelpPlan,
    today: dt.date,
    person: Person | None = None,
    tally: dict[str, int] | None = None,
    p: hr.HelpParams | None = None,
) -> dict[str, Any]:
    """A plan as the API answers it (masked ID only)."""
    tally = tally or {"job_lead": 0, "training_offer": 0, "refused": 0, "contacts": 0}
    is_open = plan.state == "open"
    owed = hr.shortfall(p, tally["job_lead"], tally["training_offer"]) if p else None
    return {
        "id": plan.id,
        "person_id": plan.person_id,
        "name": person.name_zh if person else None,
        "name_bo": person.name_bo if person else None,
        "id_masked": person.id_masked if person else None,
        "division_code": plan.division_code,
        "categories": json.loads(plan.categories or "[]"),
        "state": plan.state,
        "opened_on": plan.opened_on.isoformat(),
        "contact_by": plan.contact_by.isoformat(),
        "due_on": plan.due_on.isoformat(),
        "overdue": is_open and cases.overdue(plan.due_on, today),
        "contacts_made": tally.get("contacts", 0),
        "contact_overdue": is_open
        and not tally.get("contacts", 0)
        and cases.overdue(plan.contact_by, today),
        "assignee": plan.assignee,
        "services": {"job_lead": tally["job_lead"], "training_offer": tally["training_offer"]},
        "refused": tally["refused"],
        "owed": owed,
        "hire_id": plan.hire_id,
        "outcome_note": plan.outcome_note,
        "closed_on": plan.closed_on.isoformat() if plan.closed_on else None,
    }


def detail(session: Session, plan: EmHelpPlan, by: Principal, today: dt.date) -> dict[str, Any]:
    """A plan with its services, contact log, history and the steps the caller may take."""
    person = session.get(Person, plan.person_id)
    p = params(today, plan.division_code)
    return out(plan, today, person, counts(session, [plan.id])[plan.id], p) | {
        "contacts": [
            {
                "id": c.id,
                "day": c.day.isoformat(),
                "channel": c.channel,
                "note": c.note,
                "next_step": c.next_step,
                "next_on": c.next_on.isoformat() if c.next_on else None,
                "by": c.by,
            }
            for c in contacts(session, plan.id)
        ],
        "service_list": [
            {
                "id": s.id,
                "kind": s.kind,
                "vacancy_id": s.vacancy_id,
                "course_id": s.course_id,
                "text": s.text,
                "offered_on": s.offered_on.isoformat(),
                "response": s.response,
                "responded_on": s.responded_on.isoformat() if s.responded_on else None,
            }
            for s in services(session, plan.id)
        ],
        "events": [
            {
                "day": e.day.isoformat(),
                "action": e.action,
                "from": e.from_state,
                "to": e.to_state,
                "note": e.note,
                "by": e.by,
            }
            for e in events(session, plan.id)
        ],
        "offered": list(offered(plan, by)),
    }
