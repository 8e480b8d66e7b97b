"""CSV import: encodings, free-text checks, and what a dry run may not tell (issue 10 §1, §10,
§16). Runs on SQLite and PostgreSQL (the ``session`` fixture)."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from minsheng.core import ids
from minsheng.core.errors import MinshengError
from minsheng.foundation.models import AuditEntry
from minsheng.foundation.principals import Principal, staff, system
from minsheng.registry import importer
from minsheng.registry.importer import MAX_CONFLICTS_PER_DAY, decode, import_persons
from minsheng.registry.models import Person
from minsheng.registry.schemas import PersonIn
from minsheng.registry.service import create_person

D = dt.date
BY = system("test")
LHASA = staff(7, "lhasa.caseworker", "caseworker", "540100")
HEADER = "id_number,name_zh,name_bo,hukou,division_code\n"


def rid(seq: int, county: str = "540102") -> str:
    return ids.make_resident_id(county, D(1980, 1, 1) + dt.timedelta(days=seq), seq % 1000)


def people(session: Session) -> int:
    return session.scalar(select(func.count(Person.id))) or 0


ROWS = f"{rid(1)},次仁,ཚེ་རིང,rural,\n{rid(2)},卓玛,སྒྲོལ་མ,urban,\n"


@pytest.mark.parametrize(
    ("encode", "encoding"),
    [
        (lambda t: t.encode("utf-8"), "utf-8"),
        (lambda t: t.encode("utf-8-sig"), "utf-8-sig"),
        (lambda t: t.encode("utf-16"), "utf-16"),  # with a BOM
        (lambda t: "\ufeff".encode("utf-16-be") + t.encode("utf-16-be"), "utf-16"),
        (lambda t: t.encode("gb18030"), "gb18030"),
    ],
    ids=["utf-8", "utf-8-bom", "utf-16-le-bom", "utf-16-be-bom", "gb18030"],
)
def test_each_encoding_is_read_and_named(session: Session, encode: Any, encoding: str) -> None:
    report = import_persons(session, encode(HEADER + ROWS), BY)
    session.commit()
    assert report.encoding == encoding
    assert (report.imported, report.rejected) == (2, 0), report.problems
    names = set(session.scalars(select(Person.name_zh)))
    assert names == {"次仁", "卓玛"}


def test_a_gbk_file_from_excel(session: Session) -> None:
    """Excel on Chinese Windows writes GBK (code page 936); GB18030 reads it the same."""
    data = (HEADER.replace("\n", "\r\n") + f"{rid(3)},扎西,,rural,\r\n").encode("gbk")
    with pytest.raises(UnicodeDecodeError):
        data.decode("utf-8")
    report = import_persons(session, data, BY)
    assert report.encoding == "gb18030" and report.imported == 1
    session.flush()
    assert session.scalar(select(Person.name_zh)) == "扎西"


@pytest.mark.parametrize(
    "data",
    [
        (HEADER + ROWS).encode("utf-16-le"),  # UTF-16 without a BOM
        (HEADER + ROWS).encode("utf-32"),
        bytes(range(256)) * 4,  # binary
        b"\x89PNG\r\n\x1a\n" + bytes(64),
        b"id_number,name_zh,hukou\n\x01\x02\x03,\x04,rural\n",  # control bytes
    ],
    ids=["utf-16-no-bom", "utf-32", "binary", "png", "controls"],
)
def test_unreadable_files_are_a_clear_422(session: Session, data: bytes) -> None:
    with pytest.raises(MinshengError) as err:
        import_persons(session, data, BY)
    e = err.value
    assert (e.status, e.field, e.rule) == (422, "file", "encoding")
    assert "UTF-8" in e.zh and "GB" in e.en and e.bo
    assert people(session) == 0


def test_decode_prefers_utf8() -> None:
    assert decode("次仁".encode()) == ("次仁", "utf-8")
    assert decode("次仁".encode("gb18030")) == ("次仁", "gb18030")


@pytest.mark.parametrize(
    ("name", "rule"),
    [
        ('"次仁\n00000000|5401|999.00"', "text_control"),  # a quoted line break
        ("次仁|5401", "text_separator"),
        ('"次\r仁"', "text_control"),
        ("次\u202e仁", "text_bidi"),
        ("次\x00仁", "encoding"),  # a NUL byte in the file: not a text file
    ],
)
def test_a_name_that_could_forge_a_bank_line_is_refused_in_the_import(
    session: Session, name: str, rule: str
) -> None:
    csv = HEADER + f"{rid(4)},{name},,rural,\n{rid(5)},卓玛,,rural,\n"
    try:
        report = import_persons(session, csv.encode(), BY)
    except MinshengError as err:
        assert err.rule == rule
        return
    session.commit()
    assert report.imported == 1 and report.rejected == 1
    (p,) = report.problems
    assert (p.line, p.field, p.rule) == (2, "name_zh", rule)
    assert "name_zh" in p.zh and "name_zh" in p.en and "name_zh" in p.bo
    assert set(session.scalars(select(Person.name_zh))) == {"卓玛"}


def test_the_cli_path_refuses_it_too(session: Session) -> None:
    """``minsheng person add`` builds the same PersonIn: a clear error, not a traceback."""
    from pydantic import ValidationError

    from minsheng.fields import to_minsheng_error

    with pytest.raises(ValidationError) as err:
        PersonIn(id_number=rid(6), name_zh="次仁\n伪造", hukou="rural")
    e = to_minsheng_error(err.value)
    assert (e.field, e.rule) == ("name_zh", "text_control") and e.bo


# ------------------------------------------------ registration checks (issue 10 §10)


def _register_elsewhere(session: Session, n: int) -> list[str]:
    """n people registered in Shigatse (outside the Lhasa caseworker's area)."""
    numbers = [rid(100 + i, "540202") for i in range(n)]
    for number in numbers:
        create_person(session, PersonIn(id_number=number, name_zh="格桑", hukou="rural"), BY)
    session.commit()
    return numbers


def _csv(numbers: list[str]) -> bytes:
    # the rows name a Lhasa county: the caller's own area (else they are refused as such)
    return (HEADER + "".join(f"{n},测试,,rural,540102\n" for n in numbers)).encode()


def _shape(report: Any) -> Any:
    return (report.total, report.imported, report.rejected, report.problems)


def test_a_dry_run_tells_nothing_about_registrations_elsewhere(session: Session) -> None:
    elsewhere = _register_elsewhere(session, 5)
    unknown = [rid(200 + i, "540202") for i in range(5)]
    a = import_persons(session, _csv(elsewhere), LHASA, dry_run=True)
    b = import_persons(session, _csv(unknown), LHASA, dry_run=True)
    assert _shape(a) == _shape(b) == (5, 5, 0, [])
    session.commit()
    assert people(session) == 5  # the dry runs wrote nobody
    dry = session.scalars(select(AuditEntry.detail).where(AuditEntry.action == "import")).all()
    assert [json.loads(d)["dry_run"] for d in dry] == [True, True]  # but they are audited


def test_a_dry_run_still_finds_duplicates_in_the_callers_own_area(session: Session) -> None:
    mine = rid(300)
    create_person(session, PersonIn(id_number=mine, name_zh="次仁", hukou="rural"), BY)
    report = import_persons(session, _csv([mine]), LHASA, dry_run=True)
    assert [(p.line, p.rule) for p in report.problems] == [(2, "duplicate")]


def test_a_real_import_answers_elsewhere_like_here_audits_and_bounds_it(session: Session) -> None:
    elsewhere = _register_elsewhere(session, MAX_CONFLICTS_PER_DAY + 3)
    here = rid(400)
    create_person(session, PersonIn(id_number=here, name_zh="次仁", hukou="rural"), BY)
    session.commit()
    # a row registered elsewhere and one registered in the caller's area: one answer
    report = import_persons(session, _csv([here, elsewhere[0]]), LHASA)
    session.commit()
    a, b = report.problems
    assert (a.field, a.rule, a.zh, a.en) == (b.field, b.rule, b.zh, b.en)
    # each such row is audited against the person found, in that person's area
    hits = session.execute(
        select(AuditEntry.record_id, AuditEntry.region).where(
            AuditEntry.action == "import_conflict"
        )
    ).all()
    found = session.scalar(select(Person).where(Person.name_zh == "格桑"))
    assert found is not None and len(hits) == 1 and hits[0][1] == "540202"
    # bounded: past MAX_CONFLICTS_PER_DAY a file is refused whole and nothing is written
    fresh = rid(500)
    report = import_persons(session, _csv([*elsewhere[1:], fresh]), LHASA)
    session.commit()
    assert report.imported == 0
    assert [p.rule for p in report.problems] == ["registration_checks_exceeded"]
    assert session.scalar(select(func.count()).where(Person.id_hash.is_not(None))) == people(
        session
    )
    assert not _registered(session, fresh)
    # and for the rest of the day every real import by that actor is refused, whatever it holds
    report = import_persons(session, _csv([rid(501)]), LHASA)
    assert [p.rule for p in report.problems] == ["registration_checks_exceeded"]
    assert not _registered(session, rid(501))
    # a dry run is still fine (it tells nothing), and so is another caseworker
    assert import_persons(session, _csv([rid(502)]), LHASA, dry_run=True).imported == 1
    other = staff(8, "other", "caseworker", "540100")
    assert import_persons(session, _csv([rid(503)]), other).imported == 1


def _registered(session: Session, number: str) -> bool:
    from minsheng.registry.existence import find_by_id_number

    return find_by_id_number(session, number) is not None


def test_limits_are_module_constants() -> None:
    assert importer.MAX_CONFLICTS_PER_DAY == MAX_CONFLICTS_PER_DAY > 0
    assert isinstance(LHASA, Principal)
