"""registry.search.find_persons: exact ID through the lookup hash, household code, name part —
and nothing from outside the caller's region (SQLite and PostgreSQL)."""

import datetime as dt
import json

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from minsheng.core import ids
from minsheng.core.errors import MinshengError
from minsheng.foundation.models import AuditEntry
from minsheng.foundation.principals import staff, system
from minsheng.registry import service
from minsheng.registry.schemas import HouseholdIn, PersonIn
from minsheng.registry.search import MAX_LIMIT, count_persons, find_persons

BY = system("test")
LHASA_CW = staff(1, "cw.lhasa", "caseworker", "540100")  # 拉萨市
NYINGCHI_CW = staff(2, "cw.nyingchi", "caseworker", "540400")  # 林芝市


def pid(code: str, seq: int, born: dt.date = dt.date(1985, 4, 12)) -> str:
    return ids.make_resident_id(code, born, seq)


@pytest.fixture
def people(session: Session) -> dict[str, str]:
    h1 = service.create_household(
        session, HouseholdIn(code="H-0001", division_code="540102", area="urban"), BY
    )
    service.create_household(
        session, HouseholdIn(code="H-0001", division_code="540402", area="rural"), BY
    )
    numbers = {
        "tashi": pid("540102", 11),
        "dolma": pid("540102", 22),
        "pema": pid("540402", 31),
        "under": pid("540102", 41),
    }
    rows = [
        ("tashi", "扎西次仁", "བཀྲ་ཤིས་ཚེ་རིང", "H-0001", "head"),
        ("dolma", "卓玛", "སྒྲོལ་མ", "H-0001", "spouse"),
        ("pema", "扎西白玛", None, None, None),
        ("under", "次_仁%", None, None, None),
    ]
    for key, zh, bo, code, rel in rows:
        service.create_person(
            session,
            PersonIn(
                id_number=numbers[key],
                name_zh=zh,
                name_bo=bo,
                hukou="rural",
                household_code=code,
                relationship=rel,
            ),
            BY,
        )
    assert h1.id
    session.commit()
    return numbers


def names(hits: list) -> list[str]:  # type: ignore[type-arg]
    return sorted(h.name_zh for h in hits)


def test_exact_id_finds_the_person_with_a_masked_id(session: Session, people: dict) -> None:
    [hit] = find_persons(session, people["tashi"], LHASA_CW)
    assert hit.name_zh == "扎西次仁"
    assert hit.id_masked == people["tashi"][:4] + "*" * 14
    assert people["tashi"] not in repr(hit)
    assert hit.household_code == "H-0001" and hit.relationship == "head"
    assert hit.name("bo") == "བཀྲ་ཤིས་ཚེ་རིང" and hit.name("zh") == "扎西次仁"


def test_lowercase_x_and_spaces_are_the_same_id(session: Session) -> None:
    number = next(pid("540102", s) for s in range(1, 999) if pid("540102", s).endswith("X"))
    service.create_person(session, PersonIn(id_number=number, name_zh="测试", hukou="urban"), BY)
    session.commit()
    assert names(find_persons(session, f"  {number.lower()} ", LHASA_CW)) == ["测试"]


def test_another_regions_person_is_not_found_by_exact_id(session: Session, people: dict) -> None:
    assert find_persons(session, people["pema"], LHASA_CW) == []
    assert count_persons(session, people["pema"], LHASA_CW) == 0
    # the same answer as a number nobody registered
    assert find_persons(session, pid("540102", 99), LHASA_CW) == []
    # and Nyingchi's caseworker finds her
    assert names(find_persons(session, people["pema"], NYINGCHI_CW)) == ["扎西白玛"]


def test_name_matches_part_of_the_chinese_or_tibetan_name_in_region(
    session: Session, people: dict
) -> None:
    assert names(find_persons(session, "扎西", LHASA_CW)) == ["扎西次仁"]  # not 扎西白玛 (林芝)
    assert names(find_persons(session, "扎西", BY)) == sorted(["扎西白玛", "扎西次仁"])
    assert names(find_persons(session, "སྒྲོལ", LHASA_CW)) == ["卓玛"]


def test_like_wildcards_in_a_query_are_plain_characters(session: Session, people: dict) -> None:
    assert names(find_persons(session, "%", LHASA_CW)) == ["次_仁%"]
    assert names(find_persons(session, "_", LHASA_CW)) == ["次_仁%"]


def test_household_code_finds_the_members_of_the_regions_household_only(
    session: Session, people: dict
) -> None:
    # the same code exists in 林芝 (no members there); Lhasa sees its own household's members
    assert names(find_persons(session, "H-0001", LHASA_CW)) == sorted(["卓玛", "扎西次仁"])
    assert find_persons(session, "H-0001", NYINGCHI_CW) == []


def test_a_wrong_check_character_is_a_field_error(session: Session, people: dict) -> None:
    bad = people["tashi"][:17] + ("0" if people["tashi"][17] != "0" else "1")
    with pytest.raises(MinshengError) as err:
        find_persons(session, bad, LHASA_CW)
    assert err.value.field == "q" and err.value.rule == "id_checksum"


def test_limit_is_bounded_and_offset_pages(session: Session, people: dict) -> None:
    everyone = find_persons(session, "仁", BY, limit=10_000)
    assert len(everyone) == 2 and MAX_LIMIT == 100
    first = find_persons(session, "仁", BY, limit=1)
    second = find_persons(session, "仁", BY, limit=1, offset=1)
    assert len(first) == len(second) == 1 and first[0].id != second[0].id
    assert count_persons(session, "仁", BY) == 2


def test_empty_query_and_regionless_caller_find_nothing(session: Session, people: dict) -> None:
    assert find_persons(session, "   ", LHASA_CW) == []
    nobody = staff(3, "nobody", "caseworker", "")
    assert find_persons(session, "扎西", nobody) == []


def test_a_search_is_audited_without_its_text(session: Session, people: dict) -> None:
    find_persons(session, people["tashi"], LHASA_CW)
    session.commit()  # the audit entry is appended at the commit
    entry = session.scalars(
        select(AuditEntry).where(AuditEntry.action == "search").order_by(AuditEntry.id.desc())
    ).first()
    assert entry is not None
    assert people["tashi"] not in str(entry.detail)
    detail = json.loads(entry.detail)
    assert detail["via"] == "id_number" and detail["results"] == 1
