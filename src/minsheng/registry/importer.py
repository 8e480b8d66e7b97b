"""CSV bulk import of persons with a per-row report.

Every row is checked first (its own fields, duplicates within the file, clashes with what is
stored). Good rows are then written in one transaction; bad rows are listed with their line,
field and reason. A row is never half-written: a person and their household membership go in
together or not at all.

Columns (header row):
``id_number,name_zh,name_bo,sex,birth_date,division_code,hukou,phone,household_code,relationship``
Only ``id_number``, ``name_zh`` and ``hukou`` are required. A ``household_code`` that does not
exist yet creates the household (in the person's county, urban or rural as their hukou).

Encodings (:func:`decode`; the report says which was used): UTF-8 with or without a BOM,
UTF-16 with a BOM, and GB18030 (a superset of GBK, which Excel on Chinese Windows writes).
UTF-16 without a BOM, UTF-32 and binary files are refused with a clear 422. Every field goes
through the same checks as the API (:mod:`minsheng.fields`: no control characters, no ``|``
in a name, length limits), so a name can never become a second line of a file later.

Registration checks (issue 10 §10; docs/security.md). Whether an ID number is registered
somewhere in the region is not the caller's to know unless the person is in their own area:

- a **dry run** checks a row's ID against the registry only within the caller's area; an ID
  registered elsewhere answers exactly like an unregistered one (the row is "would import");
- a **real import** cannot make the two alike — an unregistered ID is written, a registered
  one cannot be — so a row registered elsewhere answers exactly like one registered in the
  caller's area (``duplicate``), each such row is audited against the person found (so the
  owning area sees it), and they are bounded: at most :data:`MAX_CONFLICTS_PER_DAY` per
  actor per UTC day. Past the bound every further real import by that actor that day is
  refused whole (whatever its rows hold, so the refusal itself tells nothing), and audited.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import itertools

from pydantic import ValidationError as PydanticError
from sqlalchemy.orm import Session

from minsheng.core import ids
from minsheng.core.errors import ConflictError, MinshengError, invalid
from minsheng.fields import to_minsheng_error
from minsheng.foundation import audit
from minsheng.foundation.principals import Principal
from minsheng.registry import service
from minsheng.registry.checks import county, relationship
from minsheng.registry.existence import (
    MAX_REGISTRATION_CONFLICTS_PER_DAY,
    duplicate_person,
    find_by_id_number,
    registration_conflicts_today,
)
from minsheng.registry.models import Household, Person
from minsheng.registry.schemas import ImportProblem, ImportReport, PersonIn

COLUMNS = (
    "id_number",
    "name_zh",
    "name_bo",
    "sex",
    "birth_date",
    "division_code",
    "hukou",
    "phone",
    "household_code",
    "relationship",
)
REQUIRED = ("id_number", "name_zh", "hukou")
MAX_ROWS = 200_000
# rows registered outside the caller's area, per actor per UTC day — one budget with the API's
# registrations (registry.service)
MAX_CONFLICTS_PER_DAY = MAX_REGISTRATION_CONFLICTS_PER_DAY
ENCODINGS = ("utf-8", "utf-8-sig", "utf-16", "gb18030")


def decode(data: bytes) -> tuple[str, str]:
    """The text of an uploaded CSV and the encoding it was read in (see the module notes)."""
    if data.startswith((b"\xff\xfe\x00\x00", b"\x00\x00\xfe\xff")):
        raise _encoding_error("UTF-32")
    if data.startswith(b"\xef\xbb\xbf"):
        return _strict(data, "utf-8-sig"), "utf-8-sig"
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return _strict(data, "utf-16"), "utf-16"
    if b"\x00" in data:  # UTF-16 without a BOM, or not text at all
        raise _encoding_error("UTF-16 without a BOM, or binary")
    try:
        data.decode("utf-8")
    except UnicodeDecodeError:
        return _strict(data, "gb18030"), "gb18030"
    return _strict(data, "utf-8"), "utf-8"


def _strict(data: bytes, encoding: str) -> str:
    """The file decoded, or an ``encoding`` error if it does not decode or does not look like
    text (more than 1% control characters: a stray one in a field is the row's problem)."""
    try:
        text = data.decode(encoding)
    except UnicodeDecodeError:
        raise _encoding_error("binary") from None
    controls = sum(1 for ch in text if (ch < " " and ch not in "\t\r\n") or ch == "\x7f")
    if controls > len(text) // 100 or "\x00" in text:
        raise _encoding_error("binary")
    return text.lstrip("\ufeff")


def _encoding_error(what: str) -> MinshengError:
    return invalid(
        "file",
        "encoding",
        f"无法识别文件编码（{what}）：请另存为UTF-8或GBK/GB18030编码的CSV",
        f"the file's encoding is not supported ({what}): save it as CSV in UTF-8 or GBK/GB18030",
        bo="ཡིག་ཆའི་ཡིག་སྒྲིག་ངོས་འཛིན་མ་ཐུབ། UTF-8 ཡང་ན་ GBK ཐོག་ CSV ཉར་རོགས།",
    )


def _conflicts_today(session: Session, by: Principal) -> int:
    return registration_conflicts_today(session, by)


def _checks_used_up(limit: int) -> ImportProblem:
    return ImportProblem(
        line=0,
        field="file",
        rule="registration_checks_exceeded",
        zh=f"今日与其他地区已登记人员冲突的行数已超过{limit}行，导入被拒绝（未写入任何内容），请联系上级",
        en=f"more than {limit} rows today clashed with people registered outside your area; "
        "the import is refused (nothing was written): ask a supervisor",
        bo=f"དེ་རིང་ས་གནས་གཞན་དུ་ཐོ་འགོད་ཟིན་པ་དང་འགལ་བའི་ཕྲེང་{limit}ལས་བརྒལ་བས་ནང་འདྲེན་བཀག",
    )


def _problem(line: int, err: MinshengError) -> ImportProblem:
    return ImportProblem(
        line=line, field=err.field, rule=err.rule, zh=err.zh, en=err.en, bo=err.tibetan
    )


def _pydantic_problem(line: int, err: PydanticError) -> ImportProblem:
    return _problem(line, to_minsheng_error(err))


def _duplicate() -> ConflictError:
    return duplicate_person()  # in the caller's area or elsewhere, one answer


def import_persons(
    session: Session, data: bytes | str, by: Principal, dry_run: bool = False
) -> ImportReport:
    if isinstance(data, bytes):
        text, encoding = decode(data)
    else:
        text, encoding = data.lstrip("\ufeff"), "text"
    conflicts_before = 0 if dry_run or by.kind == "system" else _conflicts_today(session, by)
    if conflicts_before >= MAX_CONFLICTS_PER_DAY:  # content-independent: tells nothing
        audit.record(session, by, "import_refused", "person", None, by.region, {"reason": "checks"})
        return ImportReport(
            total=0,
            imported=0,
            rejected=0,
            problems=[_checks_used_up(MAX_CONFLICTS_PER_DAY)],
            dry_run=dry_run,
            encoding=encoding,
        )
    reader = csv.DictReader(io.StringIO(text, newline=""))
    try:
        header = [h.strip() for h in (reader.fieldnames or [])]
        rows = list(itertools.islice(reader, MAX_ROWS + 1))
    except csv.Error as err:  # e.g. a bare carriage return inside a field
        raise invalid(
            "file", "csv_format", f"CSV格式不正确：{err}", f"not a valid CSV file: {err}"
        ) from None
    missing = [c for c in REQUIRED if c not in header]
    if missing:
        raise invalid(
            "header",
            "columns_missing",
            f"CSV缺少必需的列：{', '.join(missing)}",
            f"the CSV lacks required columns: {', '.join(missing)}",
        )
    unknown = [h for h in header if h not in COLUMNS]
    if unknown:
        raise invalid(
            "header",
            "columns_unknown",
            f"CSV含有未知的列：{', '.join(unknown)}",
            f"the CSV has unknown columns: {', '.join(unknown)}",
        )

    problems: list[ImportProblem] = []
    good: list[tuple[int, Person, str | None, str | None]] = []
    seen_ids: dict[str, int] = {}
    heads: dict[tuple[str, str], int] = {}
    new_households: dict[tuple[str, str], str] = {}  # (code, county) → area
    today = dt.date.today()
    total = 0
    conflicts: list[tuple[int, Person]] = []  # (line, the person registered elsewhere)
    for line_no, raw in enumerate(rows, start=2):
        total += 1
        if total > MAX_ROWS:
            raise invalid(
                "file", "too_many_rows", f"一次最多导入{MAX_ROWS}行", f"at most {MAX_ROWS} rows"
            )
        row = {k.strip(): (v or "").strip() for k, v in raw.items() if k is not None}
        if None in raw:
            problems.append(
                ImportProblem(
                    line=line_no,
                    field="row",
                    rule="too_many_fields",
                    zh="该行字段数多于表头",
                    en="the row has more fields than the header",
                )
            )
            continue
        try:
            data_in = PersonIn(**{k: (v or None) for k, v in row.items()})  # type: ignore[arg-type]
        except PydanticError as err:
            problems.append(_pydantic_problem(line_no, err))
            continue
        try:
            try:
                person = service.normalise_person(session, data_in, today, by)
            except ConflictError as err:
                if err.rule != "duplicate":
                    raise
                person = _registered(session, data_in, line_no, by, dry_run, conflicts)
            if person.id_number in seen_ids:
                raise invalid(
                    "id_number",
                    "duplicate_in_file",
                    f"与第{seen_ids[person.id_number]}行身份证号重复",
                    f"same ID number as line {seen_ids[person.id_number]}",
                )
            code, rel = data_in.household_code, data_in.relationship
            if code:
                rel = relationship(rel)
                key = (code, person.division_code)  # 户号 are unique within a county
                existing = service.find_household(session, code, person.division_code)
                if existing is not None:
                    service._check_head(session, existing, rel)
                elif key not in new_households:
                    new_households[key] = person.hukou
                if rel == "head":
                    if key in heads:
                        raise invalid(
                            "relationship",
                            "one_head",
                            f"户号{code}的户主已在第{heads[key]}行",
                            f"household {code} already has its head on line {heads[key]}",
                        )
                    heads[key] = line_no
            elif rel:
                raise invalid(
                    "household_code",
                    "household_required",
                    "填写了与户主关系，但没有户号",
                    "a relationship needs a household code",
                )
        except MinshengError as err:
            problems.append(_problem(line_no, err))
            continue
        seen_ids[person.id_number] = line_no
        good.append((line_no, person, code, rel))

    for line_no, found in conflicts:
        audit.record(
            session,
            by,
            "import_conflict",
            "person",
            found.id,
            found.division_code,
            {"line": line_no},
        )
    if conflicts_before + len(conflicts) > MAX_CONFLICTS_PER_DAY:
        audit.record(session, by, "import_refused", "person", None, by.region, {"reason": "checks"})
        return ImportReport(
            total=total,
            imported=0,
            rejected=total,
            problems=[_checks_used_up(MAX_CONFLICTS_PER_DAY)],
            dry_run=dry_run,
            encoding=encoding,
        )
    if not dry_run and good:
        households: dict[tuple[str, str], Household] = {}
        used = {(c, p.division_code) for _, p, c, _ in good if c}
        for (code, county), area in new_households.items():
            if (code, county) in used:
                h = Household(code=code, division_code=county, area=area)
                session.add(h)
                households[(code, county)] = h
        for _, person, code, rel in good:
            if code:
                person.household = households.get(
                    (code, person.division_code)
                ) or service.household_by_code(session, code, person.division_code)
                person.relationship_to_head = rel
            session.add(person)
        session.flush()
        for _, person, _, _ in good:
            audit.record(
                session, by, "create", "person", person.id, person.division_code, {"via": "import"}
            )
    audit.record(
        session,
        by,
        "import",
        "person",
        None,
        by.region,
        {"total": total, "imported": 0 if dry_run else len(good), "dry_run": dry_run},
    )
    return ImportReport(
        total=total,
        imported=len(good),
        rejected=total - len(good),
        problems=problems,
        dry_run=dry_run,
        encoding=encoding,
    )


def _registered(
    session: Session,
    data: PersonIn,
    line: int,
    by: Principal,
    dry_run: bool,
    conflicts: list[tuple[int, Person]],
) -> Person:
    """A row whose ID number is registered: in the caller's area, a duplicate; elsewhere, on a
    dry run, the row as if unregistered (a transient Person, never added); on a real import,
    the same duplicate, counted and audited (see the module notes)."""
    parsed = ids.parse_resident_id(data.id_number, "id_number")
    found = find_by_id_number(session, parsed.number)
    if found is None or by.covers(found.division_code):
        raise _duplicate()
    if not dry_run:
        conflicts.append((line, found))
        raise _duplicate()
    # normalise_person checked everything before the registry look-up, the county included
    division = county(data.division_code) if data.division_code else None
    return Person(
        id_number=parsed.number,
        division_code=division.code if division else parsed.current_division,
        hukou=data.hukou,
    )
