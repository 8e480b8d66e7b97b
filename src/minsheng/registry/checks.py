"""What every registry record must satisfy before it is written: a county of residence, a phone
number, a relationship to the head of household, a period whose end is not before its start —
and the one region-scoped read of a record by id (a record outside the caller's region answers
exactly like a missing one)."""

from __future__ import annotations

import datetime as dt
import re
from typing import TypeVar

from sqlalchemy.orm import Session

from minsheng.core import divisions, ids
from minsheng.core.errors import NotFoundError, invalid
from minsheng.foundation import audit
from minsheng.foundation.principals import Principal
from minsheng.registry import vocab
from minsheng.registry.models import Employer, Enrolment, Facility, Household, Person, SpecialStatus

PHONE = re.compile(r"^(1[3-9]\d{9}|0\d{2,3}-?\d{7,8})$")


def county(code: str, field: str = "division_code") -> divisions.Division:
    """A current county-level division (a retired code is accepted and mapped)."""
    res = divisions.resolve(code, field)
    if res.division.level != "county" or not res.exact:
        raise invalid(
            field,
            "division_level",
            f"{code}不是县级行政区划，请填写居住地所在县（区）",
            f"{code} is not a county; give the county (district) of residence",
        )
    return res.division


def phone(value: str | None, field: str = "phone") -> str | None:
    if value is None or value.strip() == "":
        return None
    v = value.strip().replace(" ", "")
    if not PHONE.match(v):
        raise invalid(
            field,
            "phone_format",
            f"电话号码格式不正确：{ids.mask_id(v)}",
            "not a mobile (11 digits, 1[3-9]…) or landline (0xx-xxxxxxx) number",
        )
    return v


def relationship(value: str | None, field: str = "relationship") -> str:
    if value not in vocab.RELATIONSHIPS:
        choices = "、".join(v[0] for v in vocab.RELATIONSHIPS.values())
        raise invalid(
            field,
            "relationship_unknown",
            f"与户主关系无效：{value!r}（可选：{choices}）",
            f"unknown relationship {value!r} (one of: {', '.join(vocab.RELATIONSHIPS)})",
        )
    return value


def overlaps(
    a_start: dt.date, a_end: dt.date | None, b_start: dt.date, b_end: dt.date | None
) -> bool:
    """Whether two periods (an open end runs for ever) share a day."""
    return a_start <= (b_end or dt.date.max) and b_start <= (a_end or dt.date.max)


def check_period(start: dt.date, end: dt.date | None) -> None:
    """A period ends on or after the day it starts."""
    if end is not None and end < start:
        raise invalid(
            "end_date",
            "period_order",
            "结束日期早于开始日期",
            "the end date is before the start date",
        )


Record = TypeVar("Record", Person, Household, Employer, Facility)
NOUNS_ZH = {"person": "人员", "household": "家庭", "employer": "单位", "facility": "医疗机构"}


def load(session: Session, model: type[Record], record_id: int, what: str, by: Principal) -> Record:
    """The record with this id, if it lies in ``by``'s region. A record elsewhere answers
    exactly as a missing one (404), so ids say nothing about other regions."""
    found = session.get(model, record_id)
    if found is None or not by.covers(found.division_code):
        raise NotFoundError(
            f"{what}_id", f"{NOUNS_ZH[what]}{record_id}不存在", f"no {what} {record_id}"
        )
    return found


def apply_update(
    session: Session,
    by: Principal,
    what: str,
    record: Household | Employer | Facility,
    changes: dict[str, object],
    fields: list[str],
) -> None:
    """Apply validated changes (no field may become empty), then audit which fields changed."""
    for key, value in changes.items():
        if value is None:
            raise invalid(key, "required", f"{key}不能为空", f"{key} cannot be empty")
        setattr(record, key, value)
    session.flush()
    audit.record(session, by, "update", what, record.id, record.division_code, {"fields": fields})


Period = TypeVar("Period", Enrolment, SpecialStatus)


def load_period(
    session: Session, model: type[Period], record_id: int, by: Principal, what: str, label_zh: str
) -> tuple[Period, Person]:
    """An enrolment or status period with its person, if the person lies in ``by``'s region:
    one answer, naming the record asked for, whether it is missing or someone else's."""
    record = session.get(model, record_id)
    person = session.get(Person, record.person_id) if record is not None else None
    if record is None or person is None or not by.covers(person.division_code):
        raise NotFoundError(f"{what}_id", f"{label_zh}{record_id}不存在", f"no {what} {record_id}")
    return record, person


def close_period(
    session: Session,
    record: Period,
    person: Person,
    end: dt.date,
    by: Principal,
    what: str,
    detail: dict[str, object] | None = None,
) -> Period:
    """Set the last day a checked period applies, and audit it."""
    record.end_date = end
    session.flush()
    audit.record(
        session,
        by,
        "end",
        what,
        record.id,
        person.division_code,
        {"end_date": str(end), **(detail or {})},
    )
    return record
