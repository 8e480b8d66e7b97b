"""The register of people (人员) and households (家庭户): registering, finding, reading and
correcting a person; a household's 户号, members and head; which statuses and enrolment hold for a
person on a day. Each use case validates everything before it writes, so bad input changes
nothing; every read of one person or household is region-checked and audited.

Elsewhere in the registry: ``checks`` (validators, the region-scoped read), ``existence``
(whether an ID number is registered), ``organisations`` (employers, facilities), ``enrolment``
(参保) and ``statuses`` (特殊身份)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session, selectinload

from minsheng.core import divisions, ids
from minsheng.core.errors import ConflictError, NotFoundError, invalid
from minsheng.foundation import audit
from minsheng.foundation.principals import Principal
from minsheng.registry.checks import apply_update, county, load, phone, relationship
from minsheng.registry.existence import (
    MAX_REGISTRATION_CONFLICTS_PER_DAY,
    duplicate_person,
    find_by_id_number,
    registration_checks_exceeded,
    registration_conflicts_today,
)
from minsheng.registry.models import Enrolment, Household, Person
from minsheng.registry.schemas import (
    HouseholdIn,
    HouseholdPatch,
    PersonIn,
    PersonOut,
    PersonPatch,
)

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
    return load(session, Person, person_id, "person", by)


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
    return load(session, Household, household_id, "household", by)


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


def statuses_on(person: Person, day: dt.date) -> list[str]:
    return [s.kind for s in person.statuses if s.start_date <= day <= (s.end_date or dt.date.max)]


def enrolment_on(person: Person, day: dt.date) -> Enrolment | None:
    for e in person.enrolments:
        if e.start_date <= day <= (e.end_date or dt.date.max):
            return e
    return None


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
    apply_update(
        session, by, "household", household, changes, sorted(patch.model_dump(exclude_unset=True))
    )
    return household
