import datetime as dt

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from minsheng.core import ids
from minsheng.core.errors import MinshengError
from minsheng.foundation.principals import system
from minsheng.registry.importer import import_persons
from minsheng.registry.models import Household, Person

D = dt.date
A = ids.make_resident_id("540102", D(1970, 3, 1), 11)
B = ids.make_resident_id("540102", D(1972, 5, 9), 22)
C = ids.make_resident_id("540102", D(2001, 8, 8), 33)
BY = system("test")
HEADER = "id_number,name_zh,name_bo,sex,birth_date,division_code,hukou,phone,household_code,relationship\n"


def people(session: Session) -> int:
    return session.scalar(select(func.count(Person.id))) or 0


def test_good_rows_in_bad_rows_reported(session: Session) -> None:
    csv = (
        HEADER
        + f"{A},次仁,ཚེ་རིང,M,,,rural,13908901234,HH-1,head\n"  # line 2: good
        + f"{B},卓玛,,F,1972-05-09,540102,rural,,HH-1,spouse\n"  # line 3: good
        + f"{A[:-1]}0,错误,,,,,rural,,,\n"  # line 4: bad checksum
        + f"{C},达瓦,,F,,,rural,,HH-1,child\n"  # line 5: sex does not match the ID
        + f"{A},重复,,,,,urban,,,\n"  # line 6: duplicate of line 2
        + f"{ids.make_resident_id('540102', D(1990, 1, 1), 44)},平措,,,,,suburban,,,\n"  # line 7: bad hukou
        + f"{ids.make_resident_id('540102', D(1991, 1, 1), 55)},尼玛,,,,,rural,,HH-1,head\n"  # line 8: 2nd head
    )
    report = import_persons(session, csv.encode("utf-8-sig"), BY)
    session.commit()
    assert (report.total, report.imported, report.rejected) == (7, 2, 5)
    by_line = {p.line: (p.field, p.rule) for p in report.problems}
    assert by_line == {
        4: ("id_number", "id_checksum"),
        5: ("sex", "sex_mismatch"),
        6: ("id_number", "duplicate_in_file"),
        7: ("hukou", "literal_error"),
        8: ("relationship", "one_head"),
    }
    assert all(p.zh and p.en for p in report.problems)
    assert people(session) == 2
    household = session.scalar(select(Household).where(Household.code == "HH-1"))
    assert household is not None and household.area == "rural"
    assert {m.relationship_to_head for m in household.members} == {"head", "spouse"}


def test_dry_run_writes_nothing(session: Session) -> None:
    report = import_persons(session, HEADER + f"{A},次仁,,,,,rural,,HH-9,head\n", BY, dry_run=True)
    session.commit()
    assert report.imported == 1 and report.dry_run
    assert people(session) == 0
    assert session.scalar(select(func.count(Household.id))) == 0


def test_rows_clashing_with_stored_data(session: Session) -> None:
    import_persons(session, HEADER + f"{A},次仁,,,,,rural,,HH-1,head\n", BY)
    session.commit()
    report = import_persons(
        session,
        HEADER
        + f"{A},又一次,,,,,rural,,,\n{B},卓玛,,,,,rural,,HH-1,head\n{C},达瓦,,,,,rural,,HH-1,child\n",
        BY,
    )
    session.commit()
    assert {(p.line, p.rule) for p in report.problems} == {(2, "duplicate"), (3, "one_head")}
    assert report.imported == 1
    assert people(session) == 2


@pytest.mark.parametrize(
    ("text", "rule"),
    [
        ("name_zh,hukou\n次仁,rural\n", "columns_missing"),
        ("id_number,name_zh,hukou,colour\n", "columns_unknown"),
    ],
)
def test_bad_header_rejects_whole_file(session: Session, text: str, rule: str) -> None:
    with pytest.raises(MinshengError) as err:
        import_persons(session, text, BY)
    assert err.value.rule == rule and err.value.field == "header"


def test_row_with_extra_fields(session: Session) -> None:
    report = import_persons(session, "id_number,name_zh,hukou\n" + f"{A},次仁,rural,extra\n", BY)
    assert report.problems[0].rule == "too_many_fields"
    assert people(session) == 0


def test_a_file_that_is_not_csv_is_refused_whole(session: Session) -> None:
    # found by schemathesis: a bare carriage return inside a field made the parser raise (500);
    # it is now read as a line break, and what the parser still refuses is a clear error
    with pytest.raises(MinshengError) as err:
        import_persons(session, b"\r0", BY)
    assert (err.value.field, err.value.rule) == ("header", "columns_missing")
    with pytest.raises(MinshengError) as err:
        import_persons(session, b"a" * 200_000, BY)  # a field past the csv module's limit
    assert (err.value.field, err.value.rule) == ("file", "csv_format")
    assert people(session) == 0
