"""Yearly eligibility certification (待遇领取资格认证) of pension awards, on the case engine
(``pensions.workflows``).

:func:`scan` matches every award of a region against data first and silently:

- a death in the registry → the award is terminated from the day after the death, the months
  paid after the death month are the overpayment (``overpaid``, the recovery queue), and any
  open task is closed;
- a recent sign of life within ``pensions.certification.recent_evidence_months`` — a settled
  medical bill (``medical.queries.settled_since``), a step of an assistance case of the
  household (``assistance.queries.seen_since``), a use of the social-security card
  (``cards.service.used_since``) → certified silently (a suspended award is resumed);
- the rest, when the certification falls due within :data:`TASK_LEAD_DAYS`, get a task in the
  county queue, certified by the citizen's own face check (``verifiers``) or a staff home visit
  (a note required); a task past its due day lapses and the award is suspended (the roll skips
  it) until certified again, when it resumes and the next roll pays the months withheld.

Each award must be certified within ``pensions.certification.interval_months`` of the last.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import func, insert, select, update
from sqlalchemy import text as sql
from sqlalchemy.orm import Session

from minsheng.assistance import queries as assistance
from minsheng.cards import service as cards
from minsheng.cases import engine
from minsheng.core import divisions, text
from minsheng.core.errors import NotFoundError, invalid
from minsheng.foundation import audit
from minsheng.foundation.principals import Principal
from minsheng.medical import queries as medical
from minsheng.pensions import recovery, rules, verifiers
from minsheng.pensions.awards import add_months, load_award
from minsheng.pensions.enrolment import params
from minsheng.pensions.models import PnAward, PnAwardEvent, PnCertification, PnPayment
from minsheng.pensions.workflows import AWARD, CERTIFICATION
from minsheng.registry.models import Person

#: Engineering bound, not policy: a task opens this many days before the certification is due,
#: so the citizen has time to certify in the app before the award lapses.
TASK_LEAD_DAYS = 30
SCAN_LOCK = 0x706E_7363_616E  # "pnscan": the advisory lock serialising certification scans


@dataclass
class ScanResult:
    region: str
    scanned: int = 0
    silent: dict[str, int] = field(default_factory=dict)  # evidence → count (due awards)
    evidence_any: int = 0  # awards with any sign of life (due or not)
    terminated: list[int] = field(default_factory=list)
    tasks_opened: int = 0
    lapsed: int = 0
    resumed: int = 0

    @property
    def silent_share(self) -> float:
        """The share of living claimants data matching certifies (those with evidence)."""
        living = self.scanned - len(self.terminated)
        return self.evidence_any / living if living else 1.0

    def to_dict(self) -> dict[str, Any]:
        return {
            "region": self.region,
            "scanned": self.scanned,
            "certified_silently": self.silent,
            "with_evidence": self.evidence_any,
            "silent_share": round(self.silent_share, 4),
            "terminated": self.terminated,
            "tasks_opened": self.tasks_opened,
            "lapsed": self.lapsed,
            "resumed": self.resumed,
        }


def _event(session: Session, award: PnAward, event: engine.Event, by: Principal) -> None:
    engine.write_event(
        session,
        PnAwardEvent,
        event,
        by,
        resource="pn_award",
        record_id=award.id,
        division=award.division_code,
        award_id=award.id,
    )


def _step(
    session: Session,
    award: PnAward,
    action: str,
    by: Principal,
    today: dt.date,
    note: str | None = None,
) -> None:
    def work(s: engine.Step) -> str | None:
        award.state = s.targets[0]
        return note

    _event(session, award, AWARD.run(award, action, by, work, day=today, reason=note), by)


def _task_step(
    session: Session,
    task: PnCertification,
    award: PnAward,
    action: str,
    by: Principal,
    today: dt.date,
    note: str | None = None,
    method: str | None = None,
) -> None:
    def work(s: engine.Step) -> str | None:
        task.state = s.targets[0]
        if CERTIFICATION.state(task.state).final:
            task.closed_on, task.open_key, task.method = today, None, method
            task.note = note
        return note

    event = CERTIFICATION.run(task, action, by, work, day=today, reason=note)
    _event(session, award, event, by)


def terminate(
    session: Session,
    award: PnAward,
    death: dt.date,
    by: Principal,
    today: dt.date | None = None,
) -> int:
    """Terminate from the day after ``death``; the overpayment is every month paid after the
    death month, and a recovery case (``pensions.recovery``) opens for it on ``today`` (the
    day of the scan or settlement; by default the later of the death and the clock's day).
    Returns the overpayment (fen)."""
    last = rules.month_text(rules.month_index(death.year, death.month))
    overpaid = session.scalar(
        select(func.coalesce(func.sum(PnPayment.amount), 0)).where(
            PnPayment.award_id == award.id, PnPayment.month > last
        )
    )
    award.terminated_on = death + dt.timedelta(days=1)
    award.overpaid = int(overpaid or 0)
    _step(session, award, "terminate", by, death, f"死亡 {death.isoformat()}; 多发 {overpaid} 分")
    for task in _open_tasks(session, [award.id]):
        _task_step(session, task, award, "close", by, death, "死亡", "death")
    if award.overpaid:
        opened = max(today or dt.date.today(), death)
        recovery.open_case(session, award, death, by, opened)
    return award.overpaid


def _open_tasks(session: Session, award_ids: list[int]) -> list[PnCertification]:
    out: list[PnCertification] = []
    for i in range(0, len(award_ids), 500):
        out += session.scalars(
            select(PnCertification).where(
                PnCertification.award_id.in_(award_ids[i : i + 500]),
                PnCertification.state.in_(CERTIFICATION.open_states),
            )
        ).all()
    return out


def _certified(
    session: Session, award: PnAward, by: Principal, today: dt.date, how: str, own: bool = False
) -> bool:
    """Record a certification on the award; resume it if suspended. True if resumed."""
    interval = params(today, award.division_code).int_("pensions.certification.interval_months")
    award.last_certified_on = today
    award.certification_due = add_months(today, interval)
    if award.state == "suspended":
        award.suspended_on = None
        _step(session, award, "resume_self" if own else "resume", by, today, how)
        return True
    return False


def scan(session: Session, region: str, by: Principal, today: dt.date | None = None) -> ScanResult:
    """Match every award of the region (see the module docstring). Set-based: the evidence is
    three queries (sets of persons), the awards one, the region's open tasks one; the silent
    certifications are bulk updates and the new tasks one bulk insert (one audit entry for
    them, as the scan's own entry covers the silent ones). Only what is a step of a case —
    a death, a resumption, a task matched or lapsed — is written award by award."""
    today = today or dt.date.today()
    code = divisions.get(region, "region").code
    by.require_covers(code, "region")
    if session.get_bind().dialect.name == "postgresql":
        # one scan at a time (two at once would open the same tasks); SQLite units of work
        # hold the write lock from their first statement already
        session.execute(sql("SELECT pg_advisory_xact_lock(:k)"), {"k": SCAN_LOCK})
    prefix = divisions.code_prefix(code)
    p = params(today, None if code == divisions.REGION_CODE else code)
    months = p.int_("pensions.certification.recent_evidence_months")
    interval = p.int_("pensions.certification.interval_months")
    since = add_months(today, -months)
    how_of: dict[int, str] = {}  # person → the first kind of evidence, in this order
    for kind, people in (
        ("card", cards.used_since(session, prefix, since)),
        ("assistance", assistance.seen_since(session, prefix, since)),
        ("medical", medical.settled_since(session, prefix, since)),
    ):
        how_of.update(dict.fromkeys(people, kind))
    lead = today + dt.timedelta(days=TASK_LEAD_DAYS)
    rows = (  # the comparisons are SQL's: no date is read but the few needed
        session.connection()
        .execute(
            select(
                PnAward.id,
                PnAward.person_id,
                PnAward.state == "suspended",
                PnAward.certification_due <= lead,
                Person.death_date.is_not(None),
            )
            .join(Person, Person.id == PnAward.person_id)
            .where(PnAward.division_code.like(prefix + "%"), PnAward.state != "terminated")
        )
        .all()
    )
    result = ScanResult(code, scanned=len(rows))
    silent_ids: list[int] = []
    to_resume: list[int] = []
    matched: dict[int, str] = {}
    no_evidence_due: list[int] = []
    for award_id, person_id, suspended, due_soon, dead in rows:
        if dead:
            award = session.get(PnAward, award_id)
            assert award is not None
            death = session.scalar(select(Person.death_date).where(Person.id == award.person_id))
            assert death is not None
            terminate(session, award, death, by, today)
            result.terminated.append(award_id)
            continue
        how = how_of.get(person_id)
        if how is not None:
            result.evidence_any += 1
            if suspended or due_soon:
                result.silent[how] = result.silent.get(how, 0) + 1
                matched[award_id] = how
                (to_resume if suspended else silent_ids).append(award_id)
        elif due_soon:
            no_evidence_due.append(award_id)
    due_on = add_months(today, interval)
    for i in range(0, len(silent_ids), CHUNK):
        session.execute(
            update(PnAward)
            .where(PnAward.id.in_(silent_ids[i : i + CHUNK]), PnAward.state == "active")
            .values(last_certified_on=today, certification_due=due_on)
            .execution_options(synchronize_session=False)
        )
    for award_id in to_resume:
        award = session.get(PnAward, award_id, populate_existing=True)
        assert award is not None
        result.resumed += int(_certified(session, award, by, today, matched[award_id]))
    open_tasks = _open_tasks_in(session, prefix)
    for task in open_tasks:
        found = matched.get(task.award_id)
        if found is not None:
            award = session.get(PnAward, task.award_id)
            assert award is not None
            _task_step(session, task, award, "match", by, today, found, found)
    _open_or_lapse(session, code, no_evidence_due, open_tasks, by, today, result)
    audit.record(session, by, "certification_scan", "pn_award", None, code, result.to_dict())
    return result


#: Ids per statement of a bulk update (within every database's bound-parameter limit).
CHUNK = 5_000


def _open_tasks_in(session: Session, prefix: str) -> list[PnCertification]:
    """The open tasks of the region's awards, in one query."""
    return list(
        session.scalars(
            select(PnCertification)
            .join(PnAward, PnAward.id == PnCertification.award_id)
            .where(
                PnAward.division_code.like(prefix + "%"),
                PnCertification.state.in_(CERTIFICATION.open_states),
            )
            .order_by(PnCertification.id)
        )
    )


def _open_or_lapse(
    session: Session,
    region: str,
    award_ids: list[int],
    open_tasks: list[PnCertification],
    by: Principal,
    today: dt.date,
    result: ScanResult,
) -> None:
    """Open a task for each of the awards without one — in one insert, audited in one entry
    naming each task — and lapse the open tasks past their day (the award suspended), one by
    one on the case engine."""
    due: dict[int, tuple[str, dt.date]] = {}
    for i in range(0, len(award_ids), CHUNK):
        for award_id, division, day in session.execute(
            select(PnAward.id, PnAward.division_code, PnAward.certification_due).where(
                PnAward.id.in_(award_ids[i : i + CHUNK])
            )
        ):
            due[award_id] = (division, day)
    open_by_award = {t.award_id: t for t in open_tasks if t.award_id in due}
    fresh = [a for a in due if a not in open_by_award]
    if fresh:
        session.execute(
            insert(PnCertification),
            [
                {
                    "award_id": a,
                    "open_key": a,
                    "division_code": due[a][0],
                    "state": "open",
                    "opened_on": today,
                    "due_on": due[a][1],
                }
                for a in fresh
            ],
        )
        made = _open_tasks_of(session, fresh)
        result.tasks_opened += len(made)
        audit.record(
            session,
            by,
            "open",
            "pn_certification",
            None,
            region,
            {"tasks": [[t.id, t.award_id, t.due_on.isoformat()] for t in made]},
        )
        open_by_award.update((t.award_id, t) for t in made)
    for award_id, task in open_by_award.items():
        if task.state == "open" and today > task.due_on:
            award = session.get(PnAward, award_id)
            assert award is not None
            _task_step(session, task, award, "lapse", by, today)
            if award.state == "active":
                award.suspended_on = today
                _step(session, award, "suspend", by, today)
            result.lapsed += 1


def _open_tasks_of(session: Session, award_ids: list[int]) -> list[PnCertification]:
    """The open tasks just inserted for these awards (by their unique open key)."""
    out: list[PnCertification] = []
    for i in range(0, len(award_ids), CHUNK):
        out += session.scalars(
            select(PnCertification)
            .where(PnCertification.open_key.in_(award_ids[i : i + CHUNK]))
            .order_by(PnCertification.id)
        ).all()
    return out


def no_task(task_id: int) -> NotFoundError:
    return NotFoundError(
        "task_id",
        f"认证任务{task_id}不存在",
        f"no certification task {task_id}",
        bo=f"ར་སྤྲོད་ལས་འགན་{task_id}མེད།",
    )


def load_task(session: Session, task_id: int, by: Principal) -> PnCertification:
    task = session.get(PnCertification, task_id)
    if task is None or not by.covers(task.division_code):
        raise no_task(task_id)
    return task


def queue(session: Session, by: Principal, limit: int = 200) -> list[PnCertification]:
    """The open and lapsed tasks of the caller's region, the earliest due first."""
    query = select(PnCertification).where(PnCertification.state.in_(CERTIFICATION.open_states))
    query = engine.in_region(query, PnCertification.division_code, by)
    return list(
        session.scalars(query.order_by(PnCertification.due_on, PnCertification.id).limit(limit))
    )


def visit(
    session: Session, task_id: int, note: str | None, by: Principal, today: dt.date | None = None
) -> PnCertification:
    """A home visit recorded by staff (上门认证): the note is required."""
    today = today or dt.date.today()
    task = load_task(session, task_id, by)
    clean = text.clean(note, "note", "free", max_length=400) if note else None
    award = load_award(session, task.award_id, by)
    _task_step(session, task, award, "visit", by, today, clean, "visit")
    if not _certified(session, award, by, today, "visit"):
        _step(session, award, "certify", by, today, "visit")
    return task


def face(
    session: Session, evidence: str, by: Principal, today: dt.date | None = None
) -> PnCertification:
    """The citizen's own face check in the app (本人刷脸认证) on their open task."""
    today = today or dt.date.today()
    if by.kind != "citizen" or by.person_id is None:
        raise invalid("by", "citizen_only", "只有本人可以刷脸认证", "only the claimant may do this")
    award = session.scalar(select(PnAward).where(PnAward.person_id == by.person_id))
    task = (
        session.scalar(
            select(PnCertification).where(
                PnCertification.award_id == award.id,
                PnCertification.state.in_(CERTIFICATION.open_states),
            )
        )
        if award is not None
        else None
    )
    if award is None or task is None:
        raise NotFoundError(
            "task_id",
            "您当前没有待认证的任务",
            "you have no certification to do now",
            bo="ད་ལྟ་ར་སྤྲོད་བྱ་རྒྱུ་མེད།",
        )
    if not verifiers.configured().verify(by.person_id, evidence):
        raise invalid(
            "evidence",
            "face_mismatch",
            "人脸识别未通过，请重试或联系经办人员上门认证",
            "the face check failed; try again or ask for a home visit",
            bo="གདོང་ངོས་ར་སྤྲོད་མ་ཐུབ།",
        )
    _task_step(session, task, award, "face", by, today, None, "face")
    if not _certified(session, award, by, today, "face", own=True):
        _step(session, award, "certify_self", by, today, "face")
    return task


def task_out(t: PnCertification) -> dict[str, Any]:
    return {
        "id": t.id,
        "award_id": t.award_id,
        "division_code": t.division_code,
        "state": t.state,
        "opened_on": t.opened_on.isoformat(),
        "due_on": t.due_on.isoformat(),
        "closed_on": t.closed_on.isoformat() if t.closed_on else None,
        "method": t.method,
        "note": t.note,
    }
