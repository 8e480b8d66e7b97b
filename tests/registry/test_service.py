import datetime as dt

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from minsheng.core import ids
from minsheng.core.errors import MinshengError
from minsheng.foundation.principals import system
from minsheng.registry import service
from minsheng.registry.enrolment import add_enrolment
from minsheng.registry.models import Enrolment, Household, Person
from minsheng.registry.organisations import create_employer, create_facility
from minsheng.registry.schemas import (
    EmployerIn,
    EnrolmentIn,
    FacilityIn,
    HouseholdIn,
    PersonIn,
    PersonPatch,
    StatusIn,
)
from minsheng.registry.statuses import add_status

D = dt.date


BY = system("test")


def pid(code: str = "540102", born: dt.date = D(1985, 4, 12), seq: int = 11) -> str:
    return ids.make_resident_id(code, born, seq)


def add(session: Session, **kw: object) -> Person:
    data = {"id_number": pid(), "name_zh": "扎西次仁", "hukou": "rural", **kw}
    person = service.create_person(session, PersonIn(**data), BY)  # type: ignore[arg-type]
    session.commit()
    return person


def count(session: Session) -> int:
    return session.scalar(select(func.count(Person.id))) or 0


def test_create_person_derives_sex_birth_and_county(session: Session) -> None:
    p = add(session, name_bo="བཀྲ་ཤིས་ཚེ་རིང", phone="13908900000")
    assert (p.sex, p.birth_date, p.division_code) == ("M", D(1985, 4, 12), "540102")
    out = service.person_out(p, masked=True)
    assert out.id_number == p.id_number[:4] + "*" * 14
    assert out.phone == "139****0000"
    assert out.division_name == "城关区"


def test_retired_code_in_id_maps_residence_to_current_county(session: Session) -> None:
    p = add(session, id_number=pid("542621"))  # 林芝县 → 巴宜区
    assert p.division_code == "540402"


@pytest.mark.parametrize(
    ("kw", "field", "rule"),
    [
        ({"id_number": "540102198504120119"}, "id_number", "id_checksum"),
        ({"sex": "F"}, "sex", "sex_mismatch"),
        ({"birth_date": D(1985, 4, 13)}, "birth_date", "birth_date_mismatch"),
        ({"division_code": "540100"}, "division_code", "division_level"),
        ({"division_code": "549999"}, "division_code", "division_unknown"),
        ({"phone": "12345"}, "phone", "phone_format"),
        ({"household_code": "NOPE", "relationship": "head"}, "household_code", "not_found"),
        ({"relationship": "head"}, "household_code", "household_required"),
        ({"id_number": "11010519491231002X"}, "division_code", "division_required"),
    ],
)
def test_bad_person_changes_nothing(session: Session, kw: dict, field: str, rule: str) -> None:  # type: ignore[type-arg]
    with pytest.raises(MinshengError) as err:
        add(session, **kw)
    session.rollback()
    assert (err.value.field, err.value.rule) == (field, rule)
    assert count(session) == 0


def test_duplicate_id(session: Session) -> None:
    add(session)
    with pytest.raises(MinshengError) as err:
        add(session)
    session.rollback()
    assert err.value.rule == "duplicate" and err.value.status == 409
    assert count(session) == 1


def test_household_one_head_and_one_household(session: Session) -> None:
    h = service.create_household(
        session, HouseholdIn(code="H1", division_code="540102", area="urban"), BY
    )
    other = service.create_household(
        session, HouseholdIn(code="H2", division_code="540102", area="urban"), BY
    )
    session.commit()
    head = add(session, household_code="H1", relationship="head")
    spouse = add(session, id_number=pid(seq=12), name_zh="卓玛")
    service.add_member(session, h.id, spouse.id, "spouse", BY)
    session.commit()
    with pytest.raises(MinshengError) as err:
        add(session, id_number=pid(seq=14), household_code="H1", relationship="head")
    session.rollback()
    assert err.value.rule == "one_head"
    with pytest.raises(MinshengError) as err:
        service.add_member(session, other.id, spouse.id, "head", BY)
    session.rollback()
    assert err.value.rule == "one_household"
    members = {p.relationship_to_head for p in session.get(Household, h.id).members}  # type: ignore[union-attr]
    assert members == {"head", "spouse"}
    assert head.household_id == h.id


def test_search_by_name_and_prefecture(session: Session) -> None:
    add(session)
    add(session, id_number=pid("540202", seq=21), name_zh="次仁卓玛")
    add(session, id_number=pid("540423", seq=31), name_zh="王伟")
    total, rows = service.search_persons(session, BY, q="次仁")
    assert total == 2
    total, rows = service.search_persons(session, BY, division="540200")
    assert [p.division_code for p in rows] == ["540202"]
    total, rows = service.search_persons(session, BY, division="540423")
    assert [p.name_zh for p in rows] == ["王伟"]


def test_update_person(session: Session) -> None:
    p = add(session)
    service.update_person(
        session, p.id, PersonPatch(phone="13800000000", division_code="540103"), BY
    )
    session.commit()
    assert (p.phone, p.division_code) == ("13800000000", "540103")
    with pytest.raises(MinshengError) as err:
        service.update_person(session, p.id, PersonPatch(division_code="999999"), BY)
    session.rollback()
    assert err.value.field == "division_code"
    session.refresh(p)
    assert p.division_code == "540103"


def test_enrolment_periods_do_not_overlap(session: Session) -> None:
    p = add(session)
    emp = create_employer(
        session,
        EmployerIn(
            credit_code=ids.make_credit_code("540102", 7),
            name="拉萨示范公司",
            division_code="540102",
        ),
        BY,
    )
    add_enrolment(
        session,
        p.id,
        EnrolmentIn(scheme="resident", start_date=D(2020, 1, 1), end_date=D(2023, 6, 30)),
        BY,
    )
    e = add_enrolment(
        session,
        p.id,
        EnrolmentIn(scheme="employee_active", start_date=D(2023, 7, 1), employer_id=emp.id),
        BY,
    )
    session.commit()
    assert e.pooling_region == "540100"
    with pytest.raises(MinshengError) as err:
        add_enrolment(session, p.id, EnrolmentIn(scheme="resident", start_date=D(2024, 1, 1)), BY)
    session.rollback()
    assert err.value.rule == "enrolment_overlap"
    for bad, rule in [
        (EnrolmentIn(scheme="nope", start_date=D(2030, 1, 1)), "scheme_unknown"),
        (
            EnrolmentIn(scheme="resident", start_date=D(1980, 1, 1), end_date=D(1981, 1, 1)),
            "before_birth",
        ),
        (
            EnrolmentIn(scheme="resident", start_date=D(2030, 1, 2), end_date=D(2030, 1, 1)),
            "period_order",
        ),
    ]:
        with pytest.raises(MinshengError) as err:
            add_enrolment(session, p.id, bad, BY)
        session.rollback()
        assert err.value.rule == rule
    assert session.scalar(select(func.count(Enrolment.id))) == 2
    assert service.enrolment_on(p, D(2022, 1, 1)).scheme == "resident"  # type: ignore[union-attr]
    assert service.enrolment_on(p, D(2024, 1, 1)).scheme == "employee_active"  # type: ignore[union-attr]


def test_statuses(session: Session) -> None:
    p = add(session)
    add_status(
        session,
        p.id,
        StatusIn(kind="dibao", start_date=D(2022, 1, 1), end_date=D(2023, 12, 31)),
        BY,
    )
    add_status(
        session,
        p.id,
        StatusIn(
            kind="disability",
            start_date=D(2022, 1, 1),
            disability_grade=2,
            certificate_expiry=D(2027, 1, 1),
        ),
        BY,
    )
    add_status(session, p.id, StatusIn(kind="tekun", start_date=D(2024, 1, 1)), BY)
    session.commit()
    assert set(service.statuses_on(p, D(2023, 1, 1))) == {"dibao", "disability"}
    assert set(service.statuses_on(p, D(2024, 6, 1))) == {"tekun", "disability"}
    cases = [
        (StatusIn(kind="dibao_edge", start_date=D(2025, 1, 1)), "status_overlap"),  # tekun is open
        (StatusIn(kind="disability", start_date=D(2025, 1, 1), disability_grade=5), "grade_range"),
        (
            StatusIn(kind="border", start_date=D(2025, 1, 1), disability_grade=1),
            "grade_only_for_disability",
        ),
        (StatusIn(kind="rich", start_date=D(2025, 1, 1)), "status_unknown"),
    ]
    for bad, rule in cases:
        with pytest.raises(MinshengError) as err:
            add_status(session, p.id, bad, BY)
        session.rollback()
        assert err.value.rule == rule


def test_employers_and_facilities(session: Session) -> None:
    with pytest.raises(MinshengError) as err:
        create_employer(
            session,
            EmployerIn(credit_code="91350100M000100Y44", name="x", division_code="540102"),
            BY,
        )
    assert err.value.rule == "credit_checksum"
    f = create_facility(
        session, FacilityIn(code="H54010200001", name="城关区人民医院", level=2), BY
    )
    assert f.division_code == "540102"
    with pytest.raises(MinshengError) as err:
        create_facility(session, FacilityIn(code="H54010200002", name="x", level=4), BY)
    assert err.value.field == "level"
    with pytest.raises(MinshengError) as err:
        create_facility(session, FacilityIn(code="H54010200001", name="again", level=1), BY)
    assert err.value.rule == "duplicate"
