"""Special statuses (特殊身份) a person holds for a period: 特困, 低保, 低保边缘, 残疾 (with its
grade), 孤儿, 返贫致贫, 边境一线, 失业.

A benefit status — one that opens a payment or a medical-assistance group — comes only from a
decided assistance case (:func:`grant_decided_status`) or from an audited import of a decision
or certificate issued elsewhere, by the platform or a supervisor; it ends through its case or
such a correction, and only ever earlier. What a caseworker records alone opens nothing."""

from __future__ import annotations

import datetime as dt

from sqlalchemy.orm import Session

from minsheng.core import statuses
from minsheng.core.errors import ConflictError, ForbiddenError, invalid
from minsheng.foundation import audit
from minsheng.foundation.principals import Principal
from minsheng.registry import vocab
from minsheng.registry.checks import check_period, close_period, load_period, overlaps
from minsheng.registry.models import SpecialStatus
from minsheng.registry.schemas import StatusIn
from minsheng.registry.service import load_person

IMPORT_PERMISSION = "assistance:import"  # a supervisor's import of decisions from elsewhere


def _benefit_refused(kind: str) -> ForbiddenError:
    label = vocab.label(vocab.STATUS_KINDS, kind)
    return ForbiddenError(
        "kind",
        "benefit_status_from_case",
        f"“{label}”身份只能由审批通过的救助申请产生（或由主管导入已有的审批决定），"
        "请通过社会救助申请办理",
        f"a {kind!r} status comes only from an approved assistance case (or a supervisor's"
        " import of a decision taken elsewhere): open a case instead",
        "ཁྱད་པར་ཐོབ་ཐང་འདི་སྐྱབས་སྐྱོར་ཞུ་ཡིག་ཆོག་མཆན་ཐོབ་རྗེས་ཁོ་ན་ཡོང་།",
    )


def may_import_benefits(by: Principal) -> bool:
    """The platform itself (CLI, seed, migration from an earlier system, run by an operator) or
    a supervisor holding ``assistance:import`` may record a benefit decided elsewhere."""
    return by.kind == "system" or by.can(IMPORT_PERMISSION)


def add_status(session: Session, person_id: int, data: StatusIn, by: Principal) -> SpecialStatus:
    """Record a status the registry attests (disability certificate, border residence, …).

    A benefit-conferring status (:data:`statuses.BENEFIT`) is refused here unless it is an
    import of a decision or certificate issued elsewhere: by the platform itself, or by a
    supervisor with ``assistance:import`` who gives its number (低保证, 特困证, 残疾证 …) — the
    audit entry says ``import``. Decisions taken in Minsheng go through
    ``grant_decided_status`` from the assistance workflow."""
    if data.kind in statuses.BENEFIT:
        if not may_import_benefits(by):
            raise _benefit_refused(data.kind)
        if (
            by.kind != "system"
            and data.kind not in statuses.NO_CERTIFICATE
            and not (data.certificate_no or "").strip()
        ):
            raise invalid(
                "certificate_no",
                "required",
                "导入已有的救助决定或证件需填写证件号（低保证、特困证、残疾证号等）",
                "importing a decision or certificate issued elsewhere needs its number",
                "ལག་ཁྱེར་ཨང་གྲངས་འབྲི་དགོས།",
            )
        return _add_status(session, person_id, data, by, "import", {"source": "import"})
    return _add_status(session, person_id, data, by, "create", {})


def grant_decided_status(
    session: Session, person_id: int, data: StatusIn, by: Principal, case_id: int
) -> SpecialStatus:
    """The status an approved assistance case confers (called by the assistance workflow only,
    after its maker–checker check); the audit entry names the case."""
    return _add_status(session, person_id, data, by, "create", {"case_id": case_id})


def _add_status(
    session: Session,
    person_id: int,
    data: StatusIn,
    by: Principal,
    action: str,
    detail: dict[str, object],
) -> SpecialStatus:
    person = load_person(session, person_id, by)
    if data.kind not in vocab.STATUS_KINDS:
        raise invalid(
            "kind",
            "status_unknown",
            f"特殊身份类别无效：{data.kind}",
            f"unknown status {data.kind!r} (one of: {', '.join(vocab.STATUS_KINDS)})",
        )
    check_period(data.start_date, data.end_date)
    if data.kind == "disability":
        if data.disability_grade not in vocab.DISABILITY_GRADES:
            raise invalid(
                "disability_grade",
                "grade_range",
                "残疾等级应为1至4级",
                "a disability grade is 1 to 4",
            )
    elif data.disability_grade is not None or data.certificate_expiry is not None:
        raise invalid(
            "disability_grade",
            "grade_only_for_disability",
            "只有残疾身份才有残疾等级和证件有效期",
            "only a disability status has a grade and a certificate expiry",
        )
    for s in person.statuses:
        same = s.kind == data.kind
        exclusive = {s.kind, data.kind} <= statuses.EXCLUSIVE
        if (same or exclusive) and overlaps(
            s.start_date, s.end_date, data.start_date, data.end_date
        ):
            raise ConflictError(
                "kind",
                "status_overlap",
                f"与已有身份“{vocab.label(vocab.STATUS_KINDS, s.kind)}”"
                f"（{s.start_date}起）期间重叠",
                f"overlaps the status {s.kind!r} from {s.start_date}",
            )
    status = SpecialStatus(person_id=person.id, **data.model_dump())
    session.add(status)
    session.flush()
    session.refresh(person)
    audit.record(
        session,
        by,
        action,
        "status",
        status.id,
        person.division_code,
        {"person_id": person.id, "kind": status.kind, **detail},
    )
    return status


def end_status(
    session: Session, status_id: int, end: dt.date, by: Principal, via_case: int | None = None
) -> SpecialStatus:
    """Close a special status (the last day it applies). A benefit status (特困/低保/低保边缘)
    ends through its case (``via_case``: the workflow's stop or review) or an importer's
    correction, and only ever earlier than it was."""
    record, person = load_period(session, SpecialStatus, status_id, by, "status", "身份记录")
    check_period(record.start_date, end)
    if record.kind in statuses.BENEFIT:
        if via_case is None and not may_import_benefits(by):
            raise _benefit_refused(record.kind)  # the case's stop or review decides
        if record.end_date is not None and end > record.end_date:
            raise ForbiddenError(
                "end_date",
                "benefit_status_extended",
                "救助身份的结束日期只能提前，不能延长；延续救助需重新申请",
                "a benefit status can end earlier, never later: a new period needs a new case",
                "ཐོབ་ཐང་གི་མཇུག་སྒྲིལ་ཚེས་གྲངས་རྒྱ་བསྐྱེད་མི་ཆོག",
            )
    detail: dict[str, object] = {} if via_case is None else {"case_id": via_case}
    return close_period(session, record, person, end, by, "status", detail)
