"""CSV bulk import of persons with a per-row report.

Every row is checked first (its own fields, duplicates within the file, clashes with what is
stored). Good rows are then written in one transaction; bad rows are listed with their line,
field and reason. A row is never half-written: a person and their household membership go in
together or not at all.

Columns (UTF-8, header row; a BOM is fine):
``id_number,name_zh,name_bo,sex,birth_date,division_code,hukou,phone,household_code,relationship``
Only ``id_number``, ``name_zh`` and ``hukou`` are required. A ``household_code`` that does not
exist yet creates the household (in the person's county, urban or rural as their hukou).
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import itertools

from pydantic import ValidationError as PydanticError
from sqlalchemy.orm import Session

from minsheng.auth import audit
from minsheng.auth.permissions import Principal
from minsheng.core.errors import MinshengError, invalid
from minsheng.registry import service
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


def _problem(line: int, err: MinshengError) -> ImportProblem:
    return ImportProblem(line=line, field=err.field, rule=err.rule, zh=err.zh, en=err.en)


def _pydantic_problem(line: int, err: PydanticError) -> ImportProblem:
    first = err.errors()[0]
    field = ".".join(str(p) for p in first["loc"]) or "row"
    return ImportProblem(
        line=line,
        field=field,
        rule=str(first["type"]),
        zh=f"字段{field}的值无效",
        en=f"invalid value for {field}: {first['msg']}",
    )


def import_persons(
    session: Session, data: bytes | str, by: Principal, dry_run: bool = False
) -> ImportReport:
    text = data.decode("utf-8-sig") if isinstance(data, bytes) else data.lstrip("\ufeff")
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
    heads: dict[str, int] = {}
    new_households: dict[str, tuple[str, str]] = {}
    today = dt.date.today()
    total = 0
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
            person = service.normalise_person(session, data_in, today, by)
            if person.id_number in seen_ids:
                raise invalid(
                    "id_number",
                    "duplicate_in_file",
                    f"与第{seen_ids[person.id_number]}行身份证号重复",
                    f"same ID number as line {seen_ids[person.id_number]}",
                )
            code, rel = data_in.household_code, data_in.relationship
            if code:
                rel = service.relationship(rel)
                existing = service.find_household(session, code, person.division_code)
                if existing is not None:
                    by.require_covers(existing.division_code, "household")
                    service._check_head(session, existing, rel)
                elif code not in new_households:
                    new_households[code] = (person.division_code, person.hukou)
                if rel == "head":
                    if code in heads:
                        raise invalid(
                            "relationship",
                            "one_head",
                            f"户号{code}的户主已在第{heads[code]}行",
                            f"household {code} already has its head on line {heads[code]}",
                        )
                    heads[code] = line_no
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

    if not dry_run and good:
        households: dict[str, Household] = {}
        for code, (division_code, area) in new_households.items():
            if any(c == code for _, _, c, _ in good):
                h = Household(code=code, division_code=division_code, area=area)
                session.add(h)
                households[code] = h
        for _, person, code, rel in good:
            if code:
                person.household = households.get(code) or service.household_by_code(
                    session, code, person.division_code
                )
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
    )
