"""Medical pages: the cashier's window and the citizen's own settlements.

The window (docs/medical.md, "The cashier's window"): find the patient (ID number, name,
social-security card number or a scanned electronic card), enter the bill (as many lines as it
has: "add a line" posts the form back with one more row, no JavaScript needed) or upload the
hospital's bill file, pre-settle — the patient to check and the split land at the top of the
page, the confirm button focused — confirm, print the receipt (A4 or an 80 mm slip). Today's
list of the window's region reprints and reverses (with a reason); the day's totals by fund and
their CSV close the day. Every refusal is shown next to its field, in Chinese, Tibetan and
English, and changes nothing.

The citizen sees their settlements this year, what is left of each cap, and the receipt of
each of their own settlements (and nobody else's)."""

from __future__ import annotations

import datetime as dt
import json
import re
from collections.abc import Iterable
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import HTMLResponse, Response
from pydantic import ValidationError
from sqlalchemy import select
from starlette.concurrency import run_in_threadpool

from minsheng.core import divisions, ids, money
from minsheng.core.errors import MinshengError, NotFoundError, Problem, invalid
from minsheng.core.export import csv_bytes
from minsheng.fields import to_minsheng_error
from minsheng.foundation.principals import Principal
from minsheng.medical import desk, rules, service
from minsheng.medical.models import Settlement
from minsheng.medical.reads import _no_settlement
from minsheng.medical.schemas import BillIn, Line, SettlementOut
from minsheng.policy import load
from minsheng.registry import search, vocab
from minsheng.registry import service as registry
from minsheng.registry.models import Facility, Person
from minsheng.webkit import flash, i18n
from minsheng.webkit.deps import PathId, lang, uow
from minsheng.webkit.forms import FormState, form_values
from minsheng.webkit.guards import permit
from minsheng.webkit.pager import PER_PAGE, Page, page_number
from minsheng.webkit.render import N_, render

router = APIRouter(include_in_schema=False)
flash.register("reversed", N_("The settlement is reversed."))
# fund names shown on receipts, marked for the catalogues
FUND_NAMES = [
    N_("basic"),
    N_("critical_illness"),
    N_("supplementary"),
    N_("assistance"),
    N_("outpatient"),
    N_("inpatient"),
]
CAP_LABELS = {  # a yearly cap's fund → its label on the citizen's page
    "outpatient": N_("Outpatient (basic insurance)"),
    "inpatient": N_("Inpatient (basic insurance)"),
    "critical_illness": N_("Critical-illness / supplementary insurance"),
    "assistance": N_("Medical assistance"),
}
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
COLUMN_LABELS = {  # the form's column → its label (msgid), to name a field in a message
    "code": N_("Code"),
    "name": N_("Item"),
    "category": N_("Category"),
    "qty": N_("Quantity"),
    "price": N_("Unit price"),
    "limit": N_("Price limit"),
    "share": N_("Self-pay-first share"),
}
HEAD_LABELS = {
    "id_number": N_("Resident ID number"),
    "ecard": N_("Or scan the electronic social-security card"),
    "facility_code": N_("Hospital"),
    "visit": N_("Visit"),
    "service_date": N_("Date of service"),
    "diagnosis": N_("Diagnosis (ICD-10)"),
    "account_balance": N_("Personal account available"),
    "bill_file": N_("Bill file"),
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
_ROW_FIELD = re.compile(r"^(code|name|category|qty|price|limit|share)_(\d{1,3})$")
_HEAD_RENAMES = {
    "patient": "id_number",
    "patient.id_number": "id_number",
    "patient.person_id": "id_number",
    "patient.ecard": "ecard",
    "balance": "account_balance",
    "lines": "price_0",
    "rows": "rows",
}
# Tibetan lines for the ID number's arithmetic checks, whose source (core.ids) has none yet
_ID_RULES_BO = {
    "id_length": "ཐོབ་ཐང་ལག་ཁྱེར་གྱི་ཨང་རྟགས་ལ་ཡིག་འབྲུ་18(ཡང་ན་རྙིང་པ་15)དགོས།",
    "id_charset": "ཐོབ་ཐང་ལག་ཁྱེར་གྱི་ཨང་རྟགས་སྔོན་མ་17ནི་ཨང་ཀི་དང་། མཐའ་མ་ཨང་ཀི་འམ་X ཡིན་དགོས།",
    "id_checksum": "ཐོབ་ཐང་ལག་ཁྱེར་གྱི་ཨང་རྟགས་ཀྱི་ཞིབ་བཤེར་ཨང་ནོར་འདུག ཨང་རྟགས་ཡང་བསྐྱར་ལྟོས།",
}


# ----------------------------------------------------------------------------- the form


def row_count(form: Any) -> int:
    """Rows the posted form had (its ``rows`` field, and any row it filled), bounded."""
    raw = str(form.get("rows") or "") if form is not None else ""
    n = int(raw) if raw.isdigit() and len(raw) <= 3 else MIN_ROWS
    if form is not None:
        for key in form:
            m = _ROW_FIELD.match(key)
            if m and int(m.group(2)) < MAX_ROWS and str(form.get(key) or "").strip():
                n = max(n, int(m.group(2)) + 1)
    return max(MIN_ROWS, min(n, MAX_ROWS))


def cashier_fields(rows: int) -> tuple[str, ...]:
    return (
        *HEAD_FIELDS,
        *(f"{col}_{i}" for i in range(rows) for col in LINE_COLUMNS.values()),
        "rows",
    )


def _filled(form: Any, rows: int) -> list[int]:
    return [i for i in range(rows) if str(form.get(f"price_{i}") or "").strip()]


def _renamer(form: Any, rows: int) -> Any:
    """Map a bill's field (``lines[1].unit_price``) to the cashier form's (``price_3`` when
    rows 0 and 2 were the only ones filled before it): only rows with a price become lines."""
    used = _filled(form, rows)

    def rename(name: str) -> str | None:
        m = _LINE_FIELD.match(name)
        if m:
            n = int(m.group(1) or m.group(2))
            row = used[n] if n < len(used) else n
            col = LINE_COLUMNS.get(m.group(3) or "unit_price", "price")
            return f"{col}_{row}" if row < rows else None
        return _HEAD_RENAMES.get(name)

    return rename


def _label(msgid: str, code: str) -> str:
    return i18n.gettext_for(code).gettext(msgid)


def _field_label(name: str, code: str) -> str | None:
    """The label a person reads for a form field, in ``code``'s language."""
    m = _ROW_FIELD.match(name)
    if m:
        col = _label(COLUMN_LABELS[m.group(1)], code)
        row = int(m.group(2)) + 1
        return {
            "zh": f"第{row}行“{col}”",
            "bo": f"ཐིག་ཕྲེང་{row} «{col}»",
            "en": f"line {row}, {col}",
        }[code]
    if name in HEAD_LABELS:
        return _label(HEAD_LABELS[name], code)
    return None


def _named(message: str, path: str, label: str | None, prefix: bool) -> str:
    """``message`` with the raw field ``path`` replaced by ``label`` — and, for a cell of the
    lines' table whose message does not name it, the label in front."""
    if not label:
        return message
    if path in message:
        return message.replace(path, label)
    return f"{label}: {message}" if prefix and label not in message else message


def readable(err: MinshengError | ValidationError, rename: Any) -> list[Problem]:
    """The service's problems as the cashier reads them: a raw field path in a message
    (``lines[0].quantity不是数字``) becomes the row and column's label, and a problem without a
    Tibetan line gets one that names the field in Tibetan."""
    if isinstance(err, ValidationError):
        err = to_minsheng_error(err)
    out = []
    for p in err.problems:
        target = rename(p.field) or p.field
        zh, en, bo = p.zh, p.en, p.bo
        labels = {c: _field_label(target, c) for c in ("zh", "bo", "en")}
        row = _ROW_FIELD.match(target) is not None  # a cell: its message must say which
        zh = _named(zh, p.field, labels["zh"], row)
        en = _named(en, p.field, labels["en"], row)
        bo = _named(bo, p.field, labels["bo"], row) if bo else ""
        if not bo:
            bo = _ID_RULES_BO.get(p.rule) or f"{labels['bo'] or p.field}: ནང་གི་གྲངས་ཐང་ནོར་འདུག"
        out.append(Problem(p.field, p.rule, zh, en, bo))
    return out


def _cashier_form(
    form: Any = None, err: MinshengError | ValidationError | None = None, rows: int = MIN_ROWS
) -> FormState:
    fields = cashier_fields(rows)
    if form is None:
        return FormState.of(fields=fields)
    values = form_values(form, fields)
    values["rows"] = str(rows)
    rename = _renamer(form, rows)
    problems = readable(err, rename) if err is not None else None
    return FormState.of("", values, problems, fields, rename)


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


def _form_bill(form: Any, rows: int) -> BillIn:
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
            "lines": [_line(form, i) for i in _filled(form, rows)],
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
    if _filled(form, rows):
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


def _facilities(request: Request, by: Principal) -> list[Facility]:
    with uow(request, immediate=False) as s:
        stmt = select(Facility).order_by(Facility.code)
        codes = by.covered_codes()
        if codes is not None:
            stmt = stmt.where(Facility.division_code.in_(codes))
        return list(s.scalars(stmt.limit(200)).all())


def _lookup_form(values: dict[str, str] | None = None, err: Any = None) -> FormState:
    return FormState.of("lk", values or {}, err, ("q",), lambda n: "q")


def _page(
    request: Request,
    by: Principal,
    f: FormState,
    rows: int,
    status: int = 200,
    result: SettlementOut | None = None,
    bill: BillIn | None = None,
    lk: FormState | None = None,
    found: list[desk.Found] | None = None,
) -> HTMLResponse:
    code = lang(request)
    person = result.person if result is not None else None
    return render(
        request,
        "medical/cashier.html",
        status=status,
        f=f,
        lk=lk or _lookup_form(),
        found=found,
        rows=range(rows),
        row_count=rows,
        max_rows=MAX_ROWS,
        result=result,
        file_lines=bill.lines if bill is not None and result is not None else None,
        facilities=_facilities(request, by),
        today=dt.date.today().isoformat(),
        scheme=vocab.label(vocab.SCHEMES, person.scheme, code) if person else "",
        groups=[vocab.label(vocab.STATUS_KINDS, g, code) for g in person.groups] if person else [],
        expires=desk.local(result.expires_at).strftime("%H:%M")
        if result is not None and result.expires_at
        else None,
        status_label=lambda g: vocab.label(vocab.STATUS_KINDS, g, code),
        card_states=CARD_STATES,
    )


CARD_STATES = {
    "applied": N_("applied for"),
    "made": N_("made"),
    "issued": N_("issued"),
    "active": N_("active"),
    "lost": N_("reported lost"),
}


@router.get("/medical/cashier", response_class=HTMLResponse)
def cashier(request: Request, by: Principal = Depends(permit("medical:settle"))) -> HTMLResponse:
    return _page(request, by, _cashier_form(), MIN_ROWS)


def _preview_ref(form: Any) -> tuple[int, str]:
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


@router.post("/medical/cashier", response_class=HTMLResponse)
async def cashier_submit(
    request: Request, by: Principal = Depends(permit("medical:settle"))
) -> Response:
    """Add a line (the form back with one more row), calculate (预结算, stored; the patient
    and the split shown at the top) or confirm: the confirm posts exactly the stored
    pre-settlement named by the page's preview id and fingerprint, and refuses if the bill in
    the form was changed since (docs/medical.md). A confirm of an uploaded bill needs no file:
    the pre-settlement is stored."""
    request.state.private = True  # the answer names the patient
    form = await request.form()
    rows = row_count(form)
    action = form.get("action")
    if action == "add_line":
        if rows >= MAX_ROWS:
            err = invalid(
                "rows",
                "too_many_rows",
                f"表单最多{MAX_ROWS}行明细；更长的账单请上传账单文件",
                f"the form has at most {MAX_ROWS} lines; upload a bill file for a longer bill",
                bo=f"རེའུ་མིག་ནང་ཐིག་ཕྲེང་{MAX_ROWS}ལས་མང་བ་མི་ཆོག ཐོ་ཁྲ་རིང་པོ་ཡིག་ཆས་ཡར་འཇུག",
            )
            return _page(request, by, _cashier_form(form, err, rows), rows, status=422)
        return _page(request, by, _cashier_form(form, None, rows + 1), rows + 1)
    confirm = action == "confirm"
    upload = form.get("bill_file")
    has_file = upload is not None and not isinstance(upload, str) and bool(upload.filename)
    bill: BillIn | None = None
    try:
        if has_file:
            assert upload is not None and not isinstance(upload, str)
            bill = file_bill(await upload.read(MAX_BILL_FILE + 1), form, rows)
        elif _filled(form, rows) or not confirm:
            bill = _form_bill(form, rows)
        # a confirm without a bill in the form (the preview was of an uploaded file) posts
        # the stored pre-settlement as it is
    except (ValidationError, MinshengError) as err:
        return _page(request, by, _cashier_form(form, err, rows), rows, status=422)

    def work() -> SettlementOut:
        if confirm:
            preview_id, fp = _preview_ref(form)
            return service.retrying(
                lambda: uow(request), lambda s: service.confirm(s, preview_id, fp, by, bill=bill)
            )
        assert bill is not None
        with uow(request) as s:
            return service.presettle(s, bill, by)

    try:
        result = await run_in_threadpool(work)
    except MinshengError as err:
        return _page(request, by, _cashier_form(form, err, rows), rows, status=err.status)
    if confirm:
        return flash.redirect(f"/medical/receipt/{result.id}", "settled", request)
    return _page(
        request,
        by,
        _cashier_form(form, None, rows),
        rows,
        result=result,
        bill=bill if has_file else None,
    )


@router.post("/medical/cashier/lookup", response_class=HTMLResponse)
async def cashier_lookup(
    request: Request, by: Principal = Depends(permit("medical:settle"))
) -> HTMLResponse:
    """Find the patient: an ID number (exactly), a name or household code (the registry's
    search), a social-security card number, or a scanned electronic card, in the window's
    region. Posted, not a GET, so an ID number never lands in a URL (logs, history); nothing
    changes, so it answers directly. An ID number or a scanned card found is put into the
    bill form — it is what the patient presented."""
    request.state.private = True
    form = await request.form()
    q = str(form.get("q") or "").strip()
    values = {"q": q}
    if not q:
        err = invalid(
            "q",
            "required",
            "请输入身份证号、姓名、社保卡号或扫描电子社保卡",
            "type an ID number, a name or a card number, or scan the electronic card",
            bo="ཐོབ་ཐང་ལག་ཁྱེར་གྱི་ཨང་རྟགས་སམ་མིང་། བྱང་བུའི་ཨང་གྲངས་འབྲི་བའམ་བཤེར་དགོས།",
        )
        return _page(request, by, _cashier_form(), MIN_ROWS, 422, lk=_lookup_form(values, err))

    def work() -> list[desk.Found]:
        with uow(request) as s:
            if q.startswith("MSEC1."):
                return desk.scan(s, q, by)
            return desk.look_up(s, q, by)

    try:
        found = await run_in_threadpool(work)
    except MinshengError as err:
        problems = readable(err, lambda n: "q")
        return _page(
            request, by, _cashier_form(), MIN_ROWS, err.status, lk=_lookup_form(values, problems)
        )
    prefill: dict[str, str] = {}
    if q.startswith("MSEC1.") and found:
        prefill = {"ecard": q}
    elif search.looks_like_id(q) and found:
        prefill = {"id_number": q.upper()}
    f = FormState.of("", prefill, None, cashier_fields(MIN_ROWS)) if prefill else _cashier_form()
    return _page(request, by, f, MIN_ROWS, lk=_lookup_form(values), found=found)


# ----------------------------------------------------------------------------- the receipt


def _bill_lines(stored: str) -> list[Line]:
    try:
        return BillIn.model_validate_json(stored).lines
    except ValidationError:  # a bill stored under older rules: the receipt shows no lines
        return []


def _receipt(
    request: Request, out: SettlementOut, row: Settlement, by: Principal, citizen: bool
) -> HTMLResponse:
    code = lang(request)
    with uow(request, immediate=False) as s:
        person = s.get(Person, out.person_id)
        facility = s.get(Facility, out.facility_id)
        assert person is not None and facility is not None
        cashier = desk.cashier_names(s, {row.created_by})[row.created_by]
        why = desk.reasons(s, [row.reverses_id or row.id]).get(row.reverses_id or row.id)
        name = person.name_bo if code == "bo" and person.name_bo else person.name_zh
        masked = ids.mask_id(person.id_masked)
    paper = request.query_params.get("paper")
    return render(
        request,
        "medical/receipt.html",
        s=out,
        receipt_no=desk.receipt_no(out, row.created_at),
        settled_at=desk.local(row.created_at).strftime("%Y-%m-%d %H:%M"),
        cashier=cashier,
        reason=why,
        lines=_bill_lines(row.bill),
        patient_name=name,
        masked=masked,
        facility=facility,
        scheme=vocab.label(vocab.SCHEMES, out.scheme, code),
        fmt=money.fmt,
        citizen=citizen,
        slip=paper == "slip",
        line_amount=_line_amount,
    )


def _line_amount(line: Line) -> str:
    """Price × quantity of a stored line, for the receipt (the rules' own figures are the
    split; this is the line as billed)."""
    try:
        fen = Decimal(money.parse(line.unit_price, "unit_price")) * Decimal(line.quantity)
        return money.fmt(int(fen.quantize(Decimal(1), rounding=ROUND_HALF_UP)))
    except (MinshengError, ValueError, ArithmeticError):
        return ""


@router.get("/medical/receipt/{settlement_id}", response_class=HTMLResponse)
def receipt(
    settlement_id: PathId, request: Request, by: Principal = Depends(permit("medical:read"))
) -> HTMLResponse:
    """The receipt (and its reprint): number, time, cashier, line items, the split and why,
    in the reader's language; printed without the page's menus or the collapsed parameters."""
    request.state.private = True
    with uow(request) as s:
        out = service.get(s, settlement_id, by)
        row = s.get(Settlement, settlement_id)
        assert row is not None
        s.expunge(row)
    return _receipt(request, out, row, by, citizen=False)


@router.get("/me/medical/{settlement_id}", response_class=HTMLResponse)
def my_receipt(
    settlement_id: PathId, request: Request, by: Principal = Depends(permit("self:read"))
) -> HTMLResponse:
    """A citizen's receipt of their own settlement; anyone else's answers as unknown."""
    request.state.private = True
    with uow(request, immediate=False) as s:
        row = s.get(Settlement, settlement_id)
        if row is None or by.person_id is None or row.person_id != by.person_id:
            raise _no_settlement(settlement_id)
        out = service.out(row)
        s.expunge(row)
    return _receipt(request, out, row, by, citizen=True)


# ----------------------------------------------------------------------------- the day


def _day(raw: str) -> tuple[dt.date, MinshengError | None]:
    try:
        return desk.parse_day(raw), None
    except MinshengError as err:
        return desk.today(), err


def _paged(rows: Iterable[desk.Row], number: int, total: int, query: dict[str, str]) -> Page[Any]:
    pages = max((total + PER_PAGE - 1) // PER_PAGE, 1)
    return Page(
        items=list(rows),
        number=min(number, pages),
        pages=pages,
        total=total,
        per_page=PER_PAGE,
        base="/medical/cashier/today",
        query=tuple(query.items()),
    )


@router.get("/medical/cashier/today", response_class=HTMLResponse)
def today_list(
    request: Request,
    day: str = Query("", max_length=10),
    mine: str = Query("", max_length=1),
    page: str = Query("", max_length=40),
    by: Principal = Depends(permit("medical:settle")),
) -> HTMLResponse:
    """The day's settlements at the window's region (or only this cashier's), newest first,
    paged, each with its reprint and — while not reversed — its reversal."""
    request.state.private = True
    d, err = _day(day)
    only_mine = mine == "1"
    with uow(request, immediate=False) as s:
        # the page asked for, clamped to the last one (the count first: nothing is read twice)
        _, total = desk.day_page(s, by, d, only_mine, 0, 0)
        pages = max((total + PER_PAGE - 1) // PER_PAGE, 1)
        number = min(page_number(page), pages)
        rows, total = desk.day_page(s, by, d, only_mine, (number - 1) * PER_PAGE, PER_PAGE)
    query = {"day": d.isoformat() if d != desk.today() else "", "mine": "1" if only_mine else ""}
    return render(
        request,
        "medical/today.html",
        status=422 if err else 200,
        f=FormState.of(
            "day", {"day": day if err else d.isoformat(), "mine": mine}, err, ("day", "mine")
        ),
        p=_paged(rows, number, total, query),
        day=d,
        mine=only_mine,
        is_today=d == desk.today(),
    )


def _reverse_page(
    request: Request, by: Principal, settlement_id: int, f: FormState, status: int = 200
) -> HTMLResponse:
    with uow(request, immediate=False) as s:
        row = desk.visible_here(s, settlement_id, by)
        (item,) = desk._rows(s, [row])
    return render(request, "medical/reverse.html", status=status, f=f, r=item)


@router.get("/medical/cashier/reverse/{settlement_id}", response_class=HTMLResponse)
def reverse_form(
    settlement_id: PathId, request: Request, by: Principal = Depends(permit("medical:settle"))
) -> HTMLResponse:
    """What will be reversed (冲销), and the reason to give."""
    request.state.private = True
    return _reverse_page(request, by, settlement_id, FormState.of("rv", fields=("reason",)))


@router.post("/medical/cashier/reverse/{settlement_id}", response_class=HTMLResponse)
async def reverse_submit(
    settlement_id: PathId, request: Request, by: Principal = Depends(permit("medical:settle"))
) -> Response:
    """Reverse with a reason: back to today's list with a message, or the form again with the
    reason kept and its error next to it (nothing reversed)."""
    request.state.private = True
    form = await request.form()
    reason = str(form.get("reason") or "")

    def work() -> SettlementOut:
        with uow(request) as s:
            return desk.reverse_with_reason(s, settlement_id, reason, by)

    try:
        await run_in_threadpool(work)
    except MinshengError as err:
        if isinstance(err, NotFoundError):
            raise
        f = FormState.of("rv", {"reason": reason}, readable(err, lambda n: "reason"), ("reason",))
        return _reverse_page(request, by, settlement_id, f, status=err.status)
    return flash.redirect("/medical/cashier/today", "reversed", request)


@router.get("/medical/cashier/report", response_class=HTMLResponse)
def day_report(
    request: Request,
    day: str = Query("", max_length=10),
    mine: str = Query("", max_length=1),
    by: Principal = Depends(permit("medical:settle")),
) -> HTMLResponse:
    """End of day (日结): the day's totals by fund, net of reversals, and the CSV of its rows."""
    d, err = _day(day)
    only_mine = mine == "1"
    with uow(request, immediate=False) as s:
        totals = desk.day_totals(s, by, d, only_mine)
    return render(
        request,
        "medical/report.html",
        status=422 if err else 200,
        f=FormState.of(
            "day", {"day": day if err else d.isoformat(), "mine": mine}, err, ("day", "mine")
        ),
        t=totals,
        day=d,
        mine=only_mine,
    )


@router.get("/medical/cashier/report.csv")
def day_report_csv(
    request: Request,
    day: str = Query("", max_length=10),
    mine: str = Query("", max_length=1),
    by: Principal = Depends(permit("medical:settle")),
) -> Response:
    """The day's settlements as CSV (docs/formats.md; columns in docs/medical.md)."""
    d = desk.parse_day(day)
    with uow(request) as s:
        rows = desk.day_rows(s, by, d, mine == "1")
    return Response(
        csv_bytes(desk.CSV_HEADER, desk.csv_rows(rows)),
        media_type="text/csv; charset=utf-8",
        headers={
            "Content-Disposition": f'attachment; filename="medical-day-{d.isoformat()}.csv"',
            "Cache-Control": "no-store",
        },
    )


# ----------------------------------------------------------------------------- the citizen


@router.get("/me/medical", response_class=HTMLResponse)
def my_medical(request: Request, by: Principal = Depends(permit("self:read"))) -> HTMLResponse:
    """A citizen's settlements this year (each opens its receipt) and what is left of each
    yearly cap."""
    request.state.private = True
    year = dt.date.today().year
    with uow(request) as s:
        person = s.get(Person, by.person_id)
        assert person is not None
        rows = s.scalars(
            select(Settlement)
            .where(Settlement.person_id == person.id, Settlement.year == year)
            .order_by(Settlement.id)
        ).all()
        items = [service.out(r) for r in rows]
        totals = service.totals(s, person.id, year)
        enrolment = registry.enrolment_on(person, dt.date.today())
        statuses = set(registry.statuses_on(person, dt.date.today()))
    caps: list[tuple[str, int, int | None]] = []
    if enrolment is not None:
        p = rules.MedicalParams.from_snapshot(load().at(dt.date.today(), enrolment.pooling_region))
        scheme = rules.Scheme[enrolment.scheme.upper()]
        cap = rules.yearly_caps(p, scheme, p.special(statuses, enrolment.scheme))
        caps = [
            ("outpatient", totals["op_paid"], cap["outpatient"]),
            ("inpatient", totals["ip_paid"], cap["inpatient"]),
            ("critical_illness", totals["ci_paid"], cap["critical_illness"]),
        ]
        if statuses & set(p.medical_statuses()):
            caps.append(("assistance", totals["as_paid"], cap["assistance"]))
    return render(
        request,
        "medical/mine.html",
        cap_labels=CAP_LABELS,
        items=items,
        caps=caps,
        year=year,
        fmt=money.fmt,
        scheme=vocab.label(vocab.SCHEMES, enrolment.scheme, lang(request)) if enrolment else None,
        county=divisions.get(person.division_code).name(lang(request)),
    )
