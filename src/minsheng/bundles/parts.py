"""The parts of each bundle: which programme does what, in order. A part is a function of the
bundle's context that calls the programme's own use case (through its published
``commands``, or a shared service below the programmes: the registry, the card) and returns
what it did as plain data — or raises that programme's error, which refuses the whole bundle.

The death bundle's parts are in :mod:`minsheng.bundles.death`.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy.orm import Session

from minsheng.cards import service as cards
from minsheng.core import ids
from minsheng.core.errors import ConflictError, NotFoundError, invalid
from minsheng.foundation.principals import Principal
from minsheng.pensions import commands as pensions
from minsheng.registry import enrolment as medical_enrolment
from minsheng.registry.models import Employer, Enrolment, Person
from minsheng.registry.schemas import EnrolmentIn

Label = tuple[str, str, str]  # zh, bo, en


@dataclass
class Ctx:
    """What every part of one bundle sees: the person, the form, who acts, the day, and what
    the parts before it left for the ones after (``shared``)."""

    session: Session
    person: Person
    form: dict[str, Any]
    by: Principal
    today: dt.date
    shared: dict[str, Any] = field(default_factory=dict)


class Skipped(Exception):
    """A part with nothing to do for this person (not an error): the reason is shown."""

    def __init__(self, zh: str, en: str, bo: str = "") -> None:
        super().__init__(en)
        self.reason = {"zh": zh, "en": en, "bo": bo}


@dataclass(frozen=True)
class Part:
    name: str
    programme: str  # pensions | medical | cards | registry | assistance
    label: Label
    run: Callable[[Ctx], dict[str, Any]]


# ------------------------------------------------------------------------- medical scheme


def _open_medical(person: Person, day: dt.date) -> Enrolment | None:
    """The person's basic medical enrolment running on ``day`` (at most one)."""
    for e in person.enrolments:
        if e.start_date <= day and (e.end_date is None or e.end_date >= day):
            return e
    return None


def _switch_medical(
    c: Ctx, first: dt.date, scheme: str, employer_id: int | None, moved_from: tuple[str, ...]
) -> dict[str, Any]:
    """End the running enrolment of a scheme in ``moved_from`` the day before ``first`` and
    enrol in ``scheme`` from ``first`` (the registry's use cases: overlaps refused)."""
    last = first - dt.timedelta(days=1)
    running = _open_medical(c.person, last) or _open_medical(c.person, first)
    ended = None
    if running is not None:
        if running.scheme not in moved_from:
            raise ConflictError(
                "person_id",
                "medical_scheme",
                f"该人员{running.start_date}起参加的基本医保类别为{running.scheme}，不能转为{scheme}",
                f"the person's medical scheme from {running.start_date} is {running.scheme}: "
                f"it cannot move to {scheme}",
                "སྨན་བཅོས་འགན་ལེན་གྱི་རིགས་སྒྱུར་མི་ཆོག",
            )
        if running.start_date > last:
            raise ConflictError(
                "person_id",
                "medical_scheme",
                f"该人员的{running.scheme}参保自{running.start_date}起，晚于变更日",
                f"the person's {running.scheme} enrolment starts on {running.start_date}, "
                "after the change",
                "སྨན་བཅོས་འགན་ལེན་གྱི་ཚེས་གྲངས་ནོར་འདུག",
            )
        medical_enrolment.end_enrolment(c.session, running.id, last, c.by)
        ended = {"id": running.id, "scheme": running.scheme, "end_date": last.isoformat()}
    elif scheme == "employee_retired":
        raise Skipped(
            "该人员未参加职工医保（在职），医保类别不变",
            "the person is not in employee medical insurance: nothing to move",
            "ལས་བྱེད་པའི་སྨན་བཅོས་འགན་ལེན་ལ་ཞུགས་མེད།",
        )
    new = medical_enrolment.add_enrolment(
        c.session,
        c.person.id,
        EnrolmentIn(scheme=scheme, start_date=first, employer_id=employer_id),
        c.by,
    )
    return {
        "ended": ended,
        "enrolment": {"id": new.id, "scheme": new.scheme, "start_date": first.isoformat()},
    }


# ----------------------------------------------------------------------------- retirement


def _award(c: Ctx) -> dict[str, Any]:
    out = pensions.claim_pension(
        c.session,
        c.person.id,
        c.by,
        scheme="employee_pension",
        category=c.form.get("category") or "worker",
        start=c.form.get("start"),
        today=c.today,
    )
    c.shared["first"] = dt.date.fromisoformat(out["first_day"])
    keep = ("id", "scheme", "start_month", "monthly", "monthly_fen", "state", "first_day")
    return {k: out[k] for k in keep}


def _contributions(c: Ctx) -> dict[str, Any]:
    last = c.shared["first"] - dt.timedelta(days=1)
    ended = pensions.stop_employee_schemes(c.session, c.person.id, last, c.by)
    return {"last_day": last.isoformat(), "ended": [e["scheme"] for e in ended]}


def _retire_medical(c: Ctx) -> dict[str, Any]:
    return _switch_medical(c, c.shared["first"], "employee_retired", None, ("employee_active",))


RETIREMENT = (
    Part(
        "pension",
        "pensions",
        ("核定并发放养老金", "རྒན་གསོའི་ཕོགས་གཏན་འཁེལ།", "pension awarded"),
        _award,
    ),
    Part(
        "contributions",
        "pensions",
        ("停止职工社保缴费", "ལས་བྱེད་པའི་འགན་ལེན་འབབ་དངུལ་མཚམས་འཇོག", "contributions stopped"),
        _contributions,
    ),
    Part(
        "medical",
        "medical",
        ("医保转为职工退休", "སྨན་བཅོས་འགན་ལེན་ལས་རྒན་དུ་བསྒྱུར།", "medical: employee retired"),
        _retire_medical,
    ),
)


# ------------------------------------------------------------------------------------ hire


def _employment(c: Ctx) -> dict[str, Any]:
    """用工登记: the hire record — the employer (by its credit code, in the caller's region),
    the first day and the wage; nothing is enrolled yet."""
    code = ids.parse_credit_code(c.form["credit_code"], "credit_code").code
    employer = c.session.query(Employer).filter(Employer.credit_code == code).one_or_none()
    if employer is None or not c.by.covers(employer.division_code):
        raise NotFoundError(
            "credit_code",
            "没有登记该信用代码的单位",
            "no employer with this credit code",
            "ཨང་རྟགས་འདི་ལྡན་པའི་ལས་ཁུངས་མེད།",
        )
    start: dt.date = c.form["start_date"]
    if c.person.death_date is not None:
        raise invalid(
            "person_id", "deceased", "该人员已死亡", "the person has died", "མི་འདི་འདས་ཟིན།"
        )
    if start < c.person.birth_date:
        raise invalid("start_date", "before_birth", "录用日期早于出生日期", "starts before birth")
    c.shared.update(employer=employer, start=start, credit_code=code)
    return {
        "employer_id": employer.id,
        "credit_code": code,
        "employer": employer.name,
        "start_date": start.isoformat(),
        "wage": c.form["wage"],
    }


def _enrol(scheme: str) -> Callable[[Ctx], dict[str, Any]]:
    def run(c: Ctx) -> dict[str, Any]:
        out: dict[str, Any] = {}
        start = c.shared["start"]
        if scheme == "employee_pension":  # one pension scheme at a time
            ended = pensions.end_resident_pension(
                c.session, c.person.id, start - dt.timedelta(days=1), c.by
            )
            if ended is not None:
                out["resident_pension_ended"] = ended["end_date"]
        e = pensions.enrol_employee(
            c.session, c.person.id, scheme, c.shared["credit_code"], c.form["wage"], start, c.by
        )
        out.update(enrolment_id=e["id"], base=e["base"], start_date=e["start_date"])
        return out

    return run


def _hire_medical(c: Ctx) -> dict[str, Any]:
    return _switch_medical(
        c, c.shared["start"], "employee_active", c.shared["employer"].id, ("resident",)
    )


HIRE = (
    Part(
        "employment",
        "registry",
        ("用工登记", "ལས་མི་བཀོལ་ཐོ།", "employment registered"),
        _employment,
    ),
    Part(
        "employee_pension",
        "pensions",
        ("职工养老保险参保", "ལས་བྱེད་པའི་རྒན་གསོའི་འགན་ལེན།", "employee pension"),
        _enrol("employee_pension"),
    ),
    Part(
        "medical",
        "medical",
        ("职工医保参保", "ལས་བྱེད་པའི་སྨན་བཅོས་འགན་ལེན།", "employee medical insurance"),
        _hire_medical,
    ),
    Part(
        "work_injury",
        "pensions",
        ("工伤保险参保", "ལས་རྨས་འགན་ལེན།", "work-injury insurance"),
        _enrol("work_injury"),
    ),
    Part(
        "unemployment",
        "pensions",
        ("失业保险参保", "ལས་མེད་འགན་ལེན།", "unemployment insurance"),
        _enrol("unemployment"),
    ),
)


# ------------------------------------------------------------------------------------ card


def _card(c: Ctx) -> dict[str, Any]:
    county = c.form.get("division_code") or c.person.division_code
    card = cards.apply(c.session, c.person.id, county, c.by, c.today)
    return {"card_id": card.id, "number": card.number, "state": card.state, "county": county}


CARD = (
    Part(
        "card",
        "cards",
        ("社保卡申领", "སྤྱི་ཚོགས་འགན་ལེན་བྱང་བུ་ཞུ་བ།", "card applied for"),
        _card,
    ),
)
