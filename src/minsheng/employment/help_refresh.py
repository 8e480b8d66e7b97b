"""The nightly refresh of the hard-to-employ list (``minsheng employment help refresh``):
recompute who counts (:mod:`minsheng.employment.help_rules`) from the registry (age, sex,
special statuses of the person and their household, household membership and employment
enrolments), the seeker records (seekers unemployed or graduates not yet employed, the start
of their unbroken run of such statuses, the graduation year) and the hire filings (a hire after
that start ends the run);
open a help plan for each newly counted person, refresh the categories of open plans, and end
the plans of people no longer counted, with the reason. A handful of set-based queries for the
whole region, never one per person. Running it twice on a day changes nothing the second time.
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import asdict, dataclass
from typing import Any

import numpy as np
from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session

from minsheng.cases.engine import Event, accountable
from minsheng.core import divisions
from minsheng.employment import help_rules as hr
from minsheng.employment.help import params, record
from minsheng.employment.help_assign import Helpers
from minsheng.employment.help_models import EmHelpPlan
from minsheng.employment.help_workflow import HELP, PERSONAL, RUN
from minsheng.employment.seeker_models import EmSeeker, EmSeekerStatus
from minsheng.employment.vacancy_models import EmHire
from minsheng.foundation.principals import Principal
from minsheng.registry.models import Enrolment, Household, Person, SpecialStatus

# the seeker statuses of a person out of work: unemployed, or a graduate not yet employed
SEEKING = ("unemployed", "graduate")


@dataclass(frozen=True)
class Refresh:
    day: str
    region: str
    counted: int  # hard to employ today
    opened: int
    ended: int
    updated: int  # open plans whose categories changed

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


def _prefix(by: Principal, region: str | None) -> str:
    code = divisions.get(region or by.region or divisions.REGION_CODE).code
    by.require_covers(code, "region")
    return divisions.code_prefix(code)


def _active_status(today: dt.date) -> Any:
    return (SpecialStatus.start_date <= today) & (
        or_(SpecialStatus.end_date.is_(None), SpecialStatus.end_date >= today)
    )


def _unemployed_since(session: Session, seeker_q: Any) -> dict[int, dt.date]:
    """Each candidate seeker's start of the unbroken run of unemployed statuses (history read
    in one query, ordered)."""
    rows = session.execute(
        select(EmSeekerStatus.seeker_id, EmSeekerStatus.status, EmSeekerStatus.from_day)
        .where(EmSeekerStatus.seeker_id.in_(seeker_q))
        .order_by(EmSeekerStatus.seeker_id, EmSeekerStatus.from_day, EmSeekerStatus.id)
    )
    since: dict[int, dt.date] = {}
    for sid, status, day in rows:
        if status in SEEKING:
            since.setdefault(sid, day)
        else:
            since.pop(sid, None)
    return since


def compute(
    session: Session, today: dt.date, prefix: str, p: hr.HelpParams
) -> dict[int, tuple[int, str, list[dict[str, Any]]]]:
    """Who counts in the division ``prefix``: person → (seeker id, county, categories with the
    reasons of each)."""
    seeker_q = (
        select(EmSeeker.id)
        .join(Person, Person.id == EmSeeker.person_id)
        .where(
            EmSeeker.state == "active",
            EmSeeker.status.in_(SEEKING),
            Person.death_date.is_(None),
            Person.division_code.like(prefix + "%"),
        )
    )
    rows = session.execute(
        select(
            EmSeeker.id,
            Person.id,
            Person.division_code,
            Person.sex,
            Person.birth_date,
            EmSeeker.graduate_year,
            Person.household_id,
            func.date(EmSeeker.created_at),
        )
        .join(Person, Person.id == EmSeeker.person_id)
        .where(EmSeeker.id.in_(seeker_q))
        .order_by(Person.id)
    ).all()
    if not rows:
        return {}
    since = _unemployed_since(session, seeker_q)
    person_q = select(EmSeeker.person_id).where(EmSeeker.id.in_(seeker_q))
    last_hire = dict(
        session.execute(
            select(EmHire.person_id, func.max(EmHire.hired_on))
            .where(EmHire.person_id.in_(person_q), EmHire.hired_on <= today)
            .group_by(EmHire.person_id)
        ).all()
    )
    held: dict[int, set[str]] = {}  # the person's own statuses that count
    own_house: dict[int, set[str]] = {}  # …and their own 低保/特困 (a household of one)
    landless: dict[int, set[str]] = {}  # their own 失地农民
    own_moved: dict[int, set[str]] = {}  # their own 易地搬迁 (a household of one)
    own_kinds = (*p.person_statuses, *p.household_statuses, *p.land_lost_statuses)
    for pid, kind in session.execute(
        select(SpecialStatus.person_id, SpecialStatus.kind).where(
            SpecialStatus.person_id.in_(person_q),
            SpecialStatus.kind.in_((*own_kinds, *p.relocated_statuses) or ("-",)),
            _active_status(today),
        )
    ):
        if kind in p.person_statuses:
            held.setdefault(pid, set()).add(kind)
        if kind in p.household_statuses:
            own_house.setdefault(pid, set()).add(kind)
        if kind in p.land_lost_statuses:
            landless.setdefault(pid, set()).add(kind)
        if kind in p.relocated_statuses:
            own_moved.setdefault(pid, set()).add(kind)
    house_q = select(Person.household_id).where(
        Person.id.in_(person_q), Person.household_id.is_not(None)
    )
    house_held: dict[int, set[str]] = {}  # a member's 低保/特困
    house_moved: dict[int, set[str]] = {}  # a member's 易地搬迁
    for hid, kind in session.execute(
        select(Person.household_id, SpecialStatus.kind)
        .join(SpecialStatus, SpecialStatus.person_id == Person.id)
        .where(
            Person.household_id.in_(house_q),
            SpecialStatus.kind.in_((*p.household_statuses, *p.relocated_statuses) or ("-",)),
            _active_status(today),
        )
    ):
        if kind in p.household_statuses:
            house_held.setdefault(int(hid or 0), set()).add(kind)
        if kind in p.relocated_statuses:
            house_moved.setdefault(int(hid or 0), set()).add(kind)
    members = session.execute(
        select(Person.id, Person.household_id, Person.sex, Person.birth_date, Household.area)
        .join(Household, Household.id == Person.household_id)
        .where(Person.household_id.in_(house_q), Person.death_date.is_(None))
    ).all()
    member_q = select(Person.id).where(Person.household_id.in_(house_q))
    employed = set(
        session.scalars(
            select(EmSeeker.person_id).where(
                EmSeeker.status == "employed", EmSeeker.person_id.in_(member_q)
            )
        )
    ) | set(
        session.scalars(
            select(Enrolment.person_id).where(
                Enrolment.employer_id.is_not(None),
                Enrolment.start_date <= today,
                or_(Enrolment.end_date.is_(None), Enrolment.end_date >= today),
                Enrolment.person_id.in_(member_q),
            )
        )
    )
    hired = set(
        session.scalars(
            select(EmHire.person_id).where(
                EmHire.person_id.in_(member_q),
                EmHire.hired_on <= today,
                EmHire.hired_on > today - dt.timedelta(days=p.zero_employment_hired_days),
            )
        )
    )

    def start(sid: int, pid: int, created: Any) -> Any:
        day = since.get(sid)
        if day is None:
            day = dt.date.fromisoformat(str(created)[:10]) if created else today
        hire = last_hire.get(pid)
        if hire is not None and hire >= day:
            return None  # hired since: not unemployed, whatever the seeker record says
        return day

    starts = [start(r[0], r[1], r[7]) for r in rows]
    # a member hired within the year is at work, unless out of work again since the hire
    out_again = {r[1] for r, st in zip(rows, starts, strict=True) if st is not None}
    employed |= hired - out_again
    m_house = np.array([m[1] for m in members], dtype=np.int64)
    m_sex = np.array([m[2] for m in members], dtype=np.str_)
    m_birth = np.array([m[3] for m in members], dtype="datetime64[D]")
    m_age = hr.ages(m_birth, today) if members else np.zeros(0, dtype=np.int64)
    m_work = hr.working_age(p, m_sex, m_age) if members else np.zeros(0, dtype=bool)
    m_employed = np.array([m[0] in employed for m in members], dtype=bool)
    # 零就业家庭 is a household of the areas the parameter names (urban: 城镇零就业家庭)
    zero_houses = np.array(
        sorted({int(m[1] or 0) for m in members if m[4] in p.zero_employment_areas}), dtype=np.int64
    )
    house = np.array([r[6] or 0 for r in rows], dtype=np.int64)
    zero_house = np.where(np.isin(house, zero_houses), house, 0)
    cats = hr.categories(
        p,
        today,
        sex=np.array([r[3] for r in rows], dtype=np.str_),
        birth=np.array([r[4] for r in rows], dtype="datetime64[D]"),
        unemployed_since=np.array(
            [np.datetime64(s, "D") if s else hr.NO_DAY for s in starts], dtype="datetime64[D]"
        ),
        graduate_year=np.array([r[5] or 0 for r in rows], dtype=np.int64),
        person_status=np.array([r[1] in held for r in rows], dtype=bool),
        household_status=np.array(
            [(r[6] or 0) in house_held or r[1] in own_house for r in rows], dtype=bool
        ),
        household_zero=hr.zero_employment(zero_house, m_house, m_work, m_employed),
        relocated=np.array(
            [(r[6] or 0) in house_moved or r[1] in own_moved for r in rows], dtype=bool
        ),
        land_lost=np.array([r[1] in landless for r in rows], dtype=bool),
    )
    hit = hr.counted(cats)
    age = hr.ages(np.array([r[4] for r in rows], dtype="datetime64[D]"), today)
    months = hr.whole_months(
        np.array([np.datetime64(s, "D") if s else hr.NO_DAY for s in starts]), today
    )
    out: dict[int, tuple[int, str, list[dict[str, Any]]]] = {}
    for i in (int(x) for x in np.flatnonzero(hit)):
        r = rows[i]
        why: dict[str, dict[str, Any]] = {
            "age": {"sex": r[3], "age": int(age[i])},
            "disability": {"statuses": sorted(held.get(r[1], ()))},
            "dibao": {
                "statuses": sorted(house_held.get(r[6] or 0, set()) | own_house.get(r[1], set()))
            },
            "zero_employment": {"household_id": r[6]},
            "long_unemployed": {"since": str(starts[i]), "months": int(months[i])},
            "graduate": {"year": r[5], "months": int(months[i])},
            "relocated": {
                "statuses": sorted(house_moved.get(r[6] or 0, set()) | own_moved.get(r[1], set()))
            },
            "land_lost": {"statuses": sorted(landless.get(r[1], ()))},
        }
        found = [{"category": c} | why[c] for c in hr.CATEGORIES if cats[c][i]]
        out[r[1]] = (r[0], r[2], found)
    return out


def refresh(session: Session, today: dt.date, by: Principal, region: str | None = None) -> Refresh:
    """The nightly job: recompute the list over ``region`` (default: the caller's), open a plan
    for each newly counted person, end those no longer counted (with the reason)."""
    if not by.can(RUN):
        HELP.begin("open", "end", by, reason="·")  # raises the engine's refusal
    prefix = _prefix(by, region)
    p = params(today, divisions.REGION_CODE)
    found = compute(session, today, prefix, p)
    open_plans = {
        plan.person_id: plan
        for plan in session.scalars(
            select(EmHelpPlan).where(
                EmHelpPlan.state == "open", EmHelpPlan.division_code.like(prefix + "%")
            )
        )
    }
    closed = dict(
        session.execute(
            select(EmHelpPlan.person_id, func.max(EmHelpPlan.closed_on))
            .where(EmHelpPlan.state.in_(PERSONAL))
            .group_by(EmHelpPlan.person_id)
        ).all()
    )
    # whole-table reads, never a list of ids in the query (a region's list may pass a driver's
    # limit on parameters)
    anywhere_open = set(
        session.scalars(select(EmHelpPlan.person_id).where(EmHelpPlan.state == "open"))
    )
    opened = ended = updated = 0
    helpers = Helpers(session)
    who = accountable(by)
    for pid, plan in sorted(open_plans.items()):
        if pid in found:
            _, county, cats = found[pid]
            text = json.dumps(cats, ensure_ascii=False, sort_keys=True)
            if text != plan.categories or county != plan.division_code:
                plan.categories, plan.division_code = text, county
                updated += 1
            continue
        plan.state, plan.closed_on, plan.open_key = "ended", today, None
        plan.outcome_note = "no longer counted as hard to employ"
        record(session, plan, Event("end", "open", "ended", who, today, plan.outcome_note), by)
        ended += 1
    for pid, (sid, county, cats) in sorted(found.items()):
        if pid in anywhere_open or not hr.reopenable(p, closed.get(pid), today):
            continue
        contact_by, due_on = hr.plan_deadlines(p, today)
        helper = helpers.pick(county)
        plan = EmHelpPlan(
            person_id=pid,
            seeker_id=sid,
            division_code=county,
            open_key=f"p{pid}",
            categories=json.dumps(cats, ensure_ascii=False, sort_keys=True),
            state="open",
            opened_on=today,
            contact_by=contact_by,
            due_on=due_on,
            assignee=helper,
        )
        session.add(plan)
        session.flush()
        note = ",".join(c["category"] for c in cats) + (f"; {helper}" if helper else "")
        record(session, plan, Event("open", None, "open", who, today, note), by)
        opened += 1
    return Refresh(
        day=today.isoformat(),
        region=prefix.ljust(6, "0"),
        counted=len(found),
        opened=opened,
        ended=ended,
        updated=updated,
    )
