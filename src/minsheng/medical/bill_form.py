"""The cashier's bill form (``medical/pages.py``): its fields (as many line rows as the bill
has, up to :data:`MAX_ROWS`), the posted form turned into a :class:`BillIn` — typed lines, or
an uploaded bill file (docs/medical.md) checked against the identity typed at the window — and
the service's field names (``lines[1].unit_price``) mapped back to the form's (``price_3``) so
an error sits by its cell."""

from __future__ import annotations

import datetime as dt
import json
import re
from typing import Any

from minsheng.core.errors import MinshengError, invalid
from minsheng.medical.schemas import BillIn

MIN_ROWS = 3  # line rows a blank form shows
MAX_ROWS = 100  # line rows a typed bill may have (a longer bill comes as a file: 5,000 lines)
MAX_BILL_FILE = 1024 * 1024  # bytes of an uploaded bill file (docs/medical.md)
LINE_COLUMNS = {  # a bill line's field → the column of the form's row
    "code": "code",
    "name": "name",
    "category": "category",
    "quantity": "qty",
    "unit_price": "price",
    "price_limit": "limit",
    "self_pay_first": "share",
}
HEAD_FIELDS = (
    "bill_file",
    "id_number",
    "ecard",
    "facility_code",
    "visit",
    "service_date",
    "diagnosis",
    "out_of_area_filed",
    "major_disease",
    "account_balance",
)
_LINE_FIELD = re.compile(r"^lines(?:\.(\d+)|\[(\d+)\])(?:\.(\w+))?$")
ROW_FIELD = re.compile(r"^(code|name|category|qty|price|limit|share)_(\d{1,3})$")
_HEAD_RENAMES = {
    "patient": "id_number",
    "patient.id_number": "id_number",
    "patient.person_id": "id_number",
    "patient.ecard": "ecard",
    "balance": "account_balance",
    "lines": "price_0",
    "rows": "rows",
}


def row_count(form: Any) -> int:
    """Rows the posted form had (its ``rows`` field, and any row it filled), bounded."""
    raw = str(form.get("rows") or "") if form is not None else ""
    n = int(raw) if raw.isdigit() and len(raw) <= 3 else MIN_ROWS
    if form is not None:
        for key in form:
            m = ROW_FIELD.match(key)
            if m and int(m.group(2)) < MAX_ROWS and str(form.get(key) or "").strip():
                n = max(n, int(m.group(2)) + 1)
    return max(MIN_ROWS, min(n, MAX_ROWS))


def cashier_fields(rows: int) -> tuple[str, ...]:
    return (
        *HEAD_FIELDS,
        *(f"{col}_{i}" for i in range(rows) for col in LINE_COLUMNS.values()),
        "rows",
    )


def filled(form: Any, rows: int) -> list[int]:
    return [i for i in range(rows) if str(form.get(f"price_{i}") or "").strip()]


def renamer(form: Any, rows: int) -> Any:
    """Map a bill's field (``lines[1].unit_price``) to the cashier form's (``price_3`` when
    rows 0 and 2 were the only ones filled before it): only rows with a price become lines."""
    used = filled(form, rows)

    def rename(name: str) -> str | None:
        m = _LINE_FIELD.match(name)
        if m:
            n = int(m.group(1) or m.group(2))
            row = used[n] if n < len(used) else n
            col = LINE_COLUMNS.get(m.group(3) or "unit_price", "price")
            return f"{col}_{row}" if row < rows else None
        return _HEAD_RENAMES.get(name)

    return rename


def _line(form: Any, i: int) -> dict[str, Any]:
    line: dict[str, Any] = {
        "code": (form.get(f"code_{i}") or f"L{i + 1}").strip(),
        "name": (form.get(f"name_{i}") or "").strip(),
        "category": form.get(f"category_{i}") or "甲",
        "quantity": (form.get(f"qty_{i}") or "1").strip(),
        "unit_price": (form.get(f"price_{i}") or "").strip(),
        "self_pay_first": (form.get(f"share_{i}") or "0").strip(),
    }
    limit = (form.get(f"limit_{i}") or "").strip()
    if limit:
        line["price_limit"] = limit
    return line


def _typed_patient(form: Any) -> dict[str, str]:
    """The identity typed or scanned at the window ({} when none)."""
    scanned = str(form.get("ecard") or "").strip()
    if scanned:
        return {"ecard": scanned}  # a scanned card identifies instead of the typed ID number
    typed = str(form.get("id_number") or "").strip()
    return {"id_number": typed} if typed else {}


def form_bill(form: Any, rows: int) -> BillIn:
    return BillIn.model_validate(
        {
            "patient": _typed_patient(form),
            "facility_code": (form.get("facility_code") or "").strip(),
            "visit": form.get("visit") or "outpatient",
            "service_date": form.get("service_date") or dt.date.today().isoformat(),
            "diagnosis": (form.get("diagnosis") or "").strip() or None,
            "out_of_area_filed": form.get("out_of_area_filed") == "on",
            "major_disease": form.get("major_disease") == "on",
            "account_balance": (form.get("account_balance") or "0").strip() or "0",
            "lines": [_line(form, i) for i in filled(form, rows)],
        }
    )


def _file_problem(rule: str, zh: str, en: str, bo: str, field: str = "bill_file") -> MinshengError:
    return invalid(field, rule, zh, en, bo=bo)


def _same_patient(typed: dict[str, str], given: dict[str, Any]) -> bool:
    def norm(d: dict[str, Any]) -> tuple[str, str]:
        return (
            str(d.get("id_number") or "").strip().upper(),
            str(d.get("ecard") or "").strip(),
        )

    return norm(typed) == norm({k: given.get(k) for k in ("id_number", "ecard")})


def file_bill(data: bytes, form: Any, rows: int) -> BillIn:
    """The uploaded bill (docs/medical.md format). The identity typed at the window is never
    replaced silently: a file naming no patient takes the typed one; a file naming another
    patient than the one typed is refused on the ID field; a file with typed lines too is
    refused (which of them is the bill?)."""
    if len(data) > MAX_BILL_FILE:
        raise _file_problem(
            "too_large",
            f"账单文件不能超过{MAX_BILL_FILE // 1024} KB",
            f"a bill file has at most {MAX_BILL_FILE // 1024} KB",
            f"ཐོ་ཁྲའི་ཡིག་ཆ་ KB {MAX_BILL_FILE // 1024} ལས་ཆེ་མི་ཆོག",
        )
    if filled(form, rows):
        raise _file_problem(
            "file_and_lines",
            "请只用一种方式：上传账单文件，或在下方填写明细，不能同时使用",
            "upload a bill file or type the lines below, not both",
            "ཐོ་ཁྲའི་ཡིག་ཆ་ཡར་འཇུག་གམ་ཐིག་ཕྲེང་འབྲི་བ་གཅིག་ཁོ་ན་བྱེད་དགོས།",
        )
    try:
        raw = json.loads(data)
    except (ValueError, UnicodeDecodeError):
        raise _file_problem(
            "json",
            "账单文件不是有效的 JSON",
            "the bill file is not valid JSON",
            "ཐོ་ཁྲའི་ཡིག་ཆ་ JSON ཡང་དག་མིན།",
        ) from None
    if not isinstance(raw, dict):
        raise _file_problem(
            "json",
            "账单文件应是一个 JSON 对象",
            "the bill file must be one JSON object",
            "ཐོ་ཁྲའི་ཡིག་ཆ་ JSON object གཅིག་དགོས།",
        )
    typed = _typed_patient(form)
    given = raw.get("patient")
    if not given:
        raw["patient"] = typed
    elif typed and not (isinstance(given, dict) and _same_patient(typed, given)):
        raise _file_problem(
            "file_patient_differs",
            "账单文件中的患者与窗口输入的身份证号不同：请清空其一后重新计算",
            "the bill file names another patient than the ID typed at the window: clear one "
            "and calculate again",
            "ཐོ་ཁྲའི་ཡིག་ཆའི་ནད་པ་དང་བཅུག་པའི་ཨང་རྟགས་མི་མཐུན། གཅིག་བསུབ་ནས་ཡང་བསྐྱར་རྩིས།",
            field="id_number",
        )
    return BillIn.model_validate(raw)


def preview_ref(form: Any) -> tuple[int, str]:
    """The pre-settlement a confirm names (hidden fields of the preview page)."""
    raw = str(form.get("preview_id") or "")
    fp = str(form.get("fingerprint") or "")
    if not raw.isdigit() or len(raw) > 12 or not fp:
        raise invalid(
            "preview_id",
            "preview_required",
            "请先计算（预结算），再确认",
            "calculate (pre-settle) first, then confirm",
            bo="སྔོན་ལ་རྩིས་རྒྱག་ནས་གཏན་འཁེལ་གནང་།",
        )
    return int(raw), fp
