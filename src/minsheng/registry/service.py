"""Registry use cases. Each validates everything before it writes, so bad input changes nothing."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Sequence
from typing import TypeVar

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session, selectinload

from minsheng.core import divisions, ids
from minsheng.core.errors import (
    ConflictError,
    ForbiddenError,
    MinshengError,
    NotFoundError,
    invalid,
)
from minsheng.foundation import audit
from minsheng.foundation.crypto import lookup_hash
from minsheng.foundation.models import AuditEntry
from minsheng.foundation.principals import Principal
from minsheng.registry import vocab
from minsheng.registry.models import (
    Employer,
    Enrolment,
    Facility,
    Household,
    Person,
    SpecialStatus,
)
from minsheng.registry.schemas import (
    EmployerIn,
    EmployerPatch,
    EnrolmentIn,
    FacilityIn,
    FacilityPatch,
    HouseholdIn,
    HouseholdPatch,
    PersonIn,
    PersonOut,
    PersonPatch,
    StatusIn,
)

PHONE = re.compile(r"^(1[3-9]\d{9}|0\d{2,3}-?\d{7,8})$")
EXCLUSIVE_STATUSES = {"tekun", "dibao", "dibao_edge"}  # at most one of these at a time
# Benefit-conferring statuses: every status that opens a payment (低保, 特困, 边缘; 残疾人两项补贴
# from a disability grade; 孤儿基本生活费) or a medical-assistance group (返贫致贫, 边境居民).
# They come only from a decided assistance case (``grant_decided_status``) or from an audited
# import of a decision or certificate issued elsewhere by a supervisor — never from one
# caseworker writing a status (probing found a caseworker's disability status paid ¥250 a
# month in the next roll). What a caseworker records alone opens nothing: 失业 (unemployed).
CASE_STATUSES = frozenset({"tekun", "dibao", "dibao_edge"})  # decided by assistance cases
BENEFIT_STATUSES = CASE_STATUSES | {"disability", "orphan", "poverty_return", "border"}
NO_CERTIFICATE = frozenset({"border"})  # residence in a border county: no certificate to cite
IMPORT_PERMISSION = "assistance:import"  # a supervisor's import of decisions from elsewhere


# ---------------------------------------------------------------------------- validators


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


def _overlaps(
    a_start: dt.date, a_end: dt.date | None, b_start: dt.date, b_end: dt.date | None
) -> bool:
    return a_start <= (b_end or dt.date.max) and b_start <= (a_end or dt.date.max)


def _period(start: dt.date, end: dt.date | None) -> None:
    if end is not None and end < start:
        raise invalid(
            "end_date",
            "period_order",
            "结束日期早于开始日期",
            "the end date is before the start date",
        )


Record = TypeVar("Record", Person, Household, Employer, Facility)
NOUNS_ZH = {"person": "人员", "household": "家庭", "employer": "单位", "facility": "医疗机构"}


def _load(
    session: Session, model: type[Record], record_id: int, what: str, by: Principal
) -> Record:
    """The record with this id, if it lies in ``by``'s region. A record elsewhere answers
    exactly as a missing one (404), so ids say nothing about other regions."""
    found = session.get(model, record_id)
    if found is None or not by.covers(found.division_code):
        raise NotFoundError(
            f"{what}_id", f"{NOUNS_ZH[what]}{record_id}不存在", f"no {what} {record_id}"
        )
    return found


# ---------------------------------------------------------------------------- persons


def normalise_person(
    session: Session, data: PersonIn, today: dt.date | None = None, by: Principal | None = None
) -> Person:
    """Validate a new person and return an unsaved :class:`Person` (household not yet linked);
    a registered ID number is refused last, after every field has passed."""
    person = _person_from(data, today, by)
    if find_by_id_number(session, person.id_number) is not None:
        raise duplicate_person()
    return person


def _person_from(data: PersonIn, today: dt.date | None, by: Principal | None) -> Person:
    parsed = ids.parse_resident_id(data.id_number, "id_number", today)
    if data.sex is not None and data.sex != parsed.sex:
        raise invalid(
            "sex", "sex_mismatch", "性别与身份证号不符", "the sex does not match the ID number"
        )
    if data.birth_date is not None and data.birth_date != parsed.birth_date:
        raise invalid(
            "birth_date",
            "birth_date_mismatch",
            "出生日期与身份证号不符",
            "the birth date does not match the ID number",
        )
    if data.division_code:
        division = county(data.division_code)
    elif parsed.current_division and divisions.get(parsed.current_division).level == "county":
        division = divisions.get(parsed.current_division)
    else:
        raise invalid(
            "division_code",
            "division_required",
            "请填写居住地所在县（区）行政区划代码",
            "give the division code of the county of residence",
        )
    if by is not None:  # the region first: no word on people elsewhere
        by.require_covers(division.code, "person")
    return Person(
        id_number=parsed.number,
        name_zh=data.name_zh.strip(),
        name_bo=(data.name_bo or "").strip() or None,
        sex=parsed.sex,
        birth_date=parsed.birth_date,
        division_code=division.code,
        hukou=data.hukou,
        phone=phone(data.phone),
    )


MAX_REGISTRATION_CONFLICTS_PER_DAY = 20  # "registered elsewhere" answers per actor per UTC day
CONFLICT_ACTIONS = ("import_conflict", "create_conflict")


def duplicate_person() -> ConflictError:
    """The one answer for a registered ID number, in the caller's area or elsewhere."""
    return ConflictError(
        "id_number", "duplicate", "该身份证号已登记", "a person with this ID number exists"
    )


def registration_conflicts_today(session: Session, by: Principal) -> int:
    """How often today ``by`` was told that an ID registered outside their area is registered
    (by an import or a registration): each time is audited against the person found."""
    midnight = dt.datetime.now(dt.UTC).strftime("%Y-%m-%dT00:00:00")
    return (
        session.scalar(
            select(func.count(AuditEntry.id)).where(
                AuditEntry.actor == by.actor,
                AuditEntry.action.in_(CONFLICT_ACTIONS),
                AuditEntry.at >= midnight,
            )
        )
        or 0
    )


def registration_checks_exceeded(limit: int = MAX_REGISTRATION_CONFLICTS_PER_DAY) -> MinshengError:
    return MinshengError(
        field="id_number",
        rule="registration_checks_exceeded",
        zh=f"今日与其他地区已登记人员冲突已超过{limit}次，登记被拒绝（未写入任何内容），请联系上级",
        en=f"more than {limit} registrations today clashed with people registered outside your "
        "area; registration is refused (nothing was written): ask a supervisor",
        bo=f"དེ་རིང་ས་གནས་གཞན་དུ་ཐོ་འགོད་ཟིན་པ་དང་འགལ་བ་{limit}ལས་བརྒལ་བས་ཐོ་འགོད་བཀག",
        status=429,
    )


def create_person(session: Session, data: PersonIn, by: Principal) -> Person:
    if (
        by.kind != "system"
        and registration_conflicts_today(session, by) >= MAX_REGISTRATION_CONFLICTS_PER_DAY
    ):
        raise registration_checks_exceeded()  # whatever the number: the refusal tells nothing
    person = _person_from(data, None, by)
    household = None
    if data.household_code:  # a household of the person's county (checked to be the caller's)
        household = household_by_code(
            session, data.household_code, person.division_code, "household_code"
        )
        rel = relationship(data.relationship)
        _check_head(session, household, rel)
        person.relationship_to_head = rel
    elif data.relationship:
        raise invalid(
            "household_code",
            "household_required",
            "填写了与户主关系，但没有户号",
            "a relationship needs a household code",
        )
    # every field (the household too) is checked before the registry is asked: otherwise an
    # invalid field would answer "not registered" for free where a registered number is a 409
    found = find_by_id_number(session, person.id_number)
    if found is not None:
        err = duplicate_person()
        if not by.covers(found.division_code):  # the same answer, audited where they live
            found_id, found_region = found.id, found.division_code

            def record(s: Session) -> None:  # kept although the request is refused
                audit.record(s, by, "create_conflict", "person", found_id, found_region)

            err.after_rollback.append(record)
        raise err
    session.add(person)
    if household is not None:
        by.require_covers(household.division_code, "household")
        person.household = household
    session.flush()
    audit.record(session, by, "create", "person", person.id, person.division_code)
    return person


def find_by_id_number(session: Session, id_number: str) -> Person | None:
    return session.scalar(select(Person).where(Person.id_hash == lookup_hash(id_number)))


def lookup(session: Session, id_number: str, by: Principal) -> Person:
    parsed = ids.parse_resident_id(id_number)
    person = find_by_id_number(session, parsed.number)
    if person is None or not by.covers(person.division_code):
        # outside the caller's region looks the same as unknown: no word on people elsewhere
        raise NotFoundError("id_number", "没有登记该身份证号", "no person with this ID number")
    audit.record(
        session, by, "read", "person", person.id, person.division_code, {"via": "id_number"}
    )
    return person


def load_person(session: Session, person_id: int, by: Principal) -> Person:
    """A person inside ``by``'s region, without an audit entry (for writes that audit)."""
    return _load(session, Person, person_id, "person", by)


IDENTIFY = "registry:identify"  # the full ID and phone number, in an audited one-person read


def identifies(by: Principal) -> bool:
    """Whether ``by`` sees full ID and phone numbers in one-person answers (caseworkers,
    supervisors, the platform); others (a cashier, a narrowly scoped token) see them masked."""
    return by.kind == "system" or by.can(IDENTIFY)


def get_person(session: Session, person_id: int, by: Principal) -> Person:
    """Read a person's record: region-checked and audited."""
    person = load_person(session, person_id, by)
    audit.record(session, by, "read", "person", person.id, person.division_code)
    return person


def search_persons(
    session: Session,
    by: Principal,
    q: str | None = None,
    division: str | None = None,
    household_id: int | None = None,
    limit: int = 50,
    offset: int = 0,
) -> tuple[int, Sequence[Person]]:
    stmt = select(Person)
    scope = by.covered_counties()
    if scope is not None:
        stmt = stmt.where(Person.division_code.in_(scope))
    if q:
        like = f"%{q.strip()}%"
        stmt = stmt.where(or_(Person.name_zh.like(like), Person.name_bo.like(like)))
    if division:
        d = divisions.get(division, "division")
        if d.level == "county":
            stmt = stmt.where(Person.division_code == d.code)
        elif d.level == "prefecture":
            stmt = stmt.where(
                Person.division_code.in_([c.code for c in divisions.counties(d.code)])
            )
    if household_id is not None:
        stmt = stmt.where(Person.household_id == household_id)
    total = session.scalar(select(func.count()).select_from(stmt.subquery())) or 0
    rows = session.scalars(
        stmt.options(selectinload(Person.household))
        .order_by(Person.id)
        .limit(max(1, min(limit, 500)))
        .offset(max(0, offset))
    ).all()
    audit.record(
        session,
        by,
        "search",
        "person",
        None,
        by.region,
        {
            "division": division,
            "household_id": household_id,
            "name_query": bool(q),
            "results": len(rows),
        },
    )
    return total, rows


def update_person(session: Session, person_id: int, patch: PersonPatch, by: Principal) -> Person:
    person = load_person(session, person_id, by)
    changes = patch.model_dump(exclude_unset=True)
    if "division_code" in changes and changes["division_code"] is not None:
        changes["division_code"] = county(changes["division_code"]).code
        by.require_covers(changes["division_code"], "person")
    if "phone" in changes:
        changes["phone"] = phone(changes["phone"])
    death = changes.get("death_date")
    if death is not None and not (person.birth_date <= death <= dt.date.today()):
        raise invalid(
            "death_date",
            "date_range",
            "死亡日期应在出生日期与今天之间",
            "a date of death lies between the birth date and today",
        )
    for key in ("name_zh", "hukou", "division_code"):
        if key in changes and changes[key] is None:
            raise invalid(key, "required", f"{key}不能为空", f"{key} cannot be empty")
    for key, value in changes.items():
        setattr(person, key, value)
    session.flush()
    audit.record(
        session,
        by,
        "update",
        "person",
        person.id,
        person.division_code,
        {"fields": sorted(changes)},
    )
    return person


def person_out(person: Person, masked: bool = False, lang: str = "zh") -> PersonOut:
    """A person for an answer. ``masked`` (lists, households, anyone without
    ``registry:identify``) shows the ID as its prefecture only and the phone as 139****1234:
    beside the birth date, sex and county shown, that leaves 500 ID numbers and 10,000 mobile
    numbers (tests/test_id_rebuild.py). Only an audited one-person read shows them in full."""
    return PersonOut(
        id=person.id,
        # re-masked on the way out, so a row stored under an older, wider mask leaks nothing
        id_number=ids.mask_id(person.id_masked) if masked else person.id_number,
        name_zh=person.name_zh,
        name_bo=person.name_bo,
        sex=person.sex,
        birth_date=person.birth_date,
        division_code=person.division_code,
        division_name=divisions.get(person.division_code).name(lang),
        hukou=person.hukou,
        phone=(person.phone_masked if masked else person.phone),
        household_id=person.household_id,
        household_code=person.household.code if person.household else None,
        relationship=person.relationship_to_head,
        death_date=person.death_date,
    )


# ---------------------------------------------------------------------------- households


def find_household(session: Session, code: str, county: str) -> Household | None:
    """The household with this 户号 in this county (codes are unique within a county)."""
    return session.scalar(
        select(Household).where(Household.code == code.strip(), Household.division_code == county)
    )


def household_by_code(session: Session, code: str, county: str, field: str = "code") -> Household:
    """The household with this code in ``county`` — 404 alike whether the code is used in
    another county or nowhere (no word on households elsewhere)."""
    household = find_household(session, code, county)
    if household is None:
        name = divisions.get(county).name_zh
        raise NotFoundError(
            field,
            f"{name}没有户号为{code}的家庭",
            f"no household with code {code} in {county}",
            f"{county} ནང་ཁྱིམ་ཚང་ཨང་གྲངས་{code}མེད།",
        )
    return household


def get_household(session: Session, household_id: int, by: Principal) -> Household:
    return _load(session, Household, household_id, "household", by)


def read_household(session: Session, household_id: int, by: Principal) -> Household:
    """Read a household with its members: region-checked and audited."""
    household = get_household(session, household_id, by)
    audit.record(
        session,
        by,
        "read",
        "household",
        household.id,
        household.division_code,
        {"members": [p.id for p in household.members]},
    )
    return household


def create_household(session: Session, data: HouseholdIn, by: Principal) -> Household:
    division = county(data.division_code)
    by.require_covers(division.code, "household")
    if find_household(session, data.code, division.code) is not None:  # inside by's region
        raise ConflictError(
            "code",
            "duplicate",
            "本县（区）已有该户号",
            "a household with this code exists in this county",
            "ཁུལ་འདིར་ཁྱིམ་ཚང་ཨང་གྲངས་འདི་ཡོད་ཟིན།",
        )
    household = Household(
        code=data.code.strip(), division_code=division.code, area=data.area, address=data.address
    )
    session.add(household)
    session.flush()
    audit.record(session, by, "create", "household", household.id, household.division_code)
    return household


def _check_head(session: Session, household: Household, rel: str) -> None:
    if rel != "head":
        return
    exists = session.scalar(
        select(Person.id).where(
            Person.household_id == household.id, Person.relationship_to_head == "head"
        )
    )
    if exists:
        raise ConflictError(
            "relationship", "one_head", "该户已有户主", "the household already has a head"
        )


def add_member(
    session: Session, household_id: int, person_id: int, rel: str, by: Principal
) -> Person:
    household = get_household(session, household_id, by)
    person = load_person(session, person_id, by)
    rel = relationship(rel)
    if person.household_id is not None and person.household_id != household.id:
        raise ConflictError(
            "person_id",
            "one_household",
            "此人已属于另一户，请先迁出",
            "this person belongs to another household; move them out first",
        )
    _check_head(session, household, rel)
    person.household = household
    person.relationship_to_head = rel
    session.flush()
    audit.record(
        session,
        by,
        "add_member",
        "household",
        household.id,
        household.division_code,
        {"person_id": person.id, "relationship": rel},
    )
    return person


# ------------------------------------------------------------ employers and facilities


def create_employer(session: Session, data: EmployerIn, by: Principal) -> Employer:
    code = ids.parse_credit_code(data.credit_code).code
    division = divisions.get(data.division_code)
    by.require_covers(division.code, "employer")
    if session.scalar(select(Employer.id).where(Employer.credit_code == code)):
        raise ConflictError(
            "credit_code", "duplicate", "该信用代码已登记", "this credit code exists"
        )
    employer = Employer(credit_code=code, name=data.name.strip(), division_code=division.code)
    session.add(employer)
    session.flush()
    audit.record(session, by, "create", "employer", employer.id, employer.division_code)
    return employer


def get_employer(session: Session, employer_id: int, by: Principal) -> Employer:
    return _load(session, Employer, employer_id, "employer", by)


def create_facility(session: Session, data: FacilityIn, by: Principal) -> Facility:
    parsed = ids.parse_facility_code(data.code)
    if data.level not in vocab.FACILITY_LEVELS:
        raise invalid(
            "level", "facility_level", "医院等级应为1、2或3（一级/二级/三级）", "level is 1, 2 or 3"
        )
    code_division = parsed.current_division or parsed.division_code
    division = divisions.get(data.division_code or code_division)
    by.require_covers(division.code, "facility")
    if session.scalar(select(Facility.id).where(Facility.code == parsed.code)):
        raise ConflictError(
            "code", "duplicate", "该医疗机构编码已登记", "this facility code exists"
        )
    facility = Facility(
        code=parsed.code, name=data.name.strip(), level=data.level, division_code=division.code
    )
    session.add(facility)
    session.flush()
    audit.record(session, by, "create", "facility", facility.id, facility.division_code)
    return facility


def get_facility(session: Session, facility_id: int, by: Principal) -> Facility:
    return _load(session, Facility, facility_id, "facility", by)


# ------------------------------------------------------------ enrolment and statuses


def add_enrolment(session: Session, person_id: int, data: EnrolmentIn, by: Principal) -> Enrolment:
    person = load_person(session, person_id, by)
    if data.scheme not in vocab.SCHEMES:
        raise invalid(
            "scheme",
            "scheme_unknown",
            f"参保类别无效：{data.scheme}（职工在职 employee_active、职工退休 employee_retired、"
            "城乡居民 resident）",
            f"unknown scheme {data.scheme!r} (employee_active, employee_retired, resident)",
        )
    _period(data.start_date, data.end_date)
    if data.start_date < person.birth_date:
        raise invalid(
            "start_date", "before_birth", "参保开始日期早于出生日期", "starts before birth"
        )
    if data.employer_id is not None and session.get(Employer, data.employer_id) is None:
        raise NotFoundError(
            "employer_id", f"单位{data.employer_id}不存在", f"no employer {data.employer_id}"
        )
    for e in person.enrolments:
        if _overlaps(e.start_date, e.end_date, data.start_date, data.end_date):
            raise ConflictError(
                "start_date",
                "enrolment_overlap",
                f"与已有参保期间（{e.start_date}起）重叠：同一时间只能参加一种基本医保",
                f"overlaps the enrolment from {e.start_date}: one basic scheme at a time",
            )
    enrolment = Enrolment(
        person_id=person.id,
        scheme=data.scheme,
        start_date=data.start_date,
        end_date=data.end_date,
        employer_id=data.employer_id,
        pooling_region=divisions.pooling_region(person.division_code),
    )
    session.add(enrolment)
    session.flush()
    session.refresh(person)
    audit.record(
        session,
        by,
        "create",
        "enrolment",
        enrolment.id,
        person.division_code,
        {"person_id": person.id, "scheme": enrolment.scheme},
    )
    return enrolment


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

    A benefit-conferring status (:data:`BENEFIT_STATUSES`) is refused here unless it is an
    import of a decision or certificate issued elsewhere: by the platform itself, or by a
    supervisor with ``assistance:import`` who gives its number (低保证, 特困证, 残疾证 …) — the
    audit entry says ``import``. Decisions taken in Minsheng go through
    ``grant_decided_status`` from the assistance workflow."""
    if data.kind in BENEFIT_STATUSES:
        if not may_import_benefits(by):
            raise _benefit_refused(data.kind)
        if (
            by.kind != "system"
            and data.kind not in NO_CERTIFICATE
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
    _period(data.start_date, data.end_date)
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
        exclusive = {s.kind, data.kind} <= EXCLUSIVE_STATUSES
        if (same or exclusive) and _overlaps(
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


def statuses_on(person: Person, day: dt.date) -> list[str]:
    return [s.kind for s in person.statuses if s.start_date <= day <= (s.end_date or dt.date.max)]


def enrolment_on(person: Person, day: dt.date) -> Enrolment | None:
    for e in person.enrolments:
        if e.start_date <= day <= (e.end_date or dt.date.max):
            return e
    return None


# ------------------------------------------------------------ updates


def _update(
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


def update_household(
    session: Session, household_id: int, patch: HouseholdPatch, by: Principal
) -> Household:
    household = get_household(session, household_id, by)
    changes = patch.model_dump(exclude_unset=True)
    if changes.get("division_code") is not None:
        changes["division_code"] = county(str(changes["division_code"])).code
        by.require_covers(changes["division_code"], "household")
        clash = find_household(session, household.code, changes["division_code"])
        if clash is not None and clash.id != household.id:  # codes are unique per county
            raise ConflictError(
                "division_code",
                "duplicate",
                "目标县（区）已有相同户号的家庭",
                "the county moved to already has a household with this code",
                "ཁུལ་དེར་ཁྱིམ་ཚང་ཨང་གྲངས་འདི་ཡོད་ཟིན།",
            )
    if "address" in changes and changes["address"] is None:
        household.address = None
        del changes["address"]
    _update(
        session, by, "household", household, changes, sorted(patch.model_dump(exclude_unset=True))
    )
    return household


def update_employer(
    session: Session, employer_id: int, patch: EmployerPatch, by: Principal
) -> Employer:
    employer = get_employer(session, employer_id, by)
    changes = patch.model_dump(exclude_unset=True)
    if changes.get("division_code") is not None:
        changes["division_code"] = divisions.get(str(changes["division_code"])).code
        by.require_covers(changes["division_code"], "employer")
    _update(session, by, "employer", employer, changes, sorted(changes))
    return employer


def update_facility(
    session: Session, facility_id: int, patch: FacilityPatch, by: Principal
) -> Facility:
    facility = get_facility(session, facility_id, by)
    changes = patch.model_dump(exclude_unset=True)
    if "level" in changes and changes["level"] not in vocab.FACILITY_LEVELS:
        raise invalid(
            "level", "facility_level", "医院等级应为1、2或3（一级/二级/三级）", "level is 1, 2 or 3"
        )
    _update(session, by, "facility", facility, changes, sorted(changes))
    return facility


Period = TypeVar("Period", Enrolment, SpecialStatus)


def _end_period(
    session: Session,
    model: type[Period],
    record_id: int,
    end: dt.date,
    by: Principal,
    what: str,
    label_zh: str,
    via_case: int | None = None,
) -> Period:
    record = session.get(model, record_id)
    person = session.get(Person, record.person_id) if record is not None else None
    if record is None or person is None or not by.covers(person.division_code):
        # one answer, naming the record asked for, whether it is missing or someone else's
        raise NotFoundError(f"{what}_id", f"{label_zh}{record_id}不存在", f"no {what} {record_id}")
    _period(record.start_date, end)
    if isinstance(record, SpecialStatus) and record.kind in BENEFIT_STATUSES:
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
    record.end_date = end
    session.flush()
    detail: dict[str, object] = {"end_date": str(end)}
    if via_case is not None:
        detail["case_id"] = via_case
    audit.record(session, by, "end", what, record.id, person.division_code, detail)
    return record


def end_enrolment(session: Session, enrolment_id: int, end: dt.date, by: Principal) -> Enrolment:
    """Close an enrolment period (the last day it applies)."""
    return _end_period(session, Enrolment, enrolment_id, end, by, "enrolment", "参保记录")


def end_status(
    session: Session, status_id: int, end: dt.date, by: Principal, via_case: int | None = None
) -> SpecialStatus:
    """Close a special status (the last day it applies). A benefit status (特困/低保/低保边缘)
    ends through its case (``via_case``: the workflow's stop or review) or an importer's
    correction, and only ever earlier than it was."""
    return _end_period(
        session, SpecialStatus, status_id, end, by, "status", "身份记录", via_case=via_case
    )
