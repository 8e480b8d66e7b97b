"""Medical pages: the cashier's window and the citizen's own settlements.

The window (docs/medical.md, "The cashier's window"): find the patient (ID number, name,
social-security card number or a scanned electronic card), enter the bill (as many lines as it
has: "add a line" posts the form back with one more row, no JavaScript needed) or upload the
hospital's bill file, pre-settle — the patient to check and the split land at the top of the
page, the confirm button focused — confirm, print the receipt (A4 or an 80 mm slip). Every
refusal is shown next to its field, in Chinese, Tibetan and English, and changes nothing. The
form's fields and the posted bill are ``medical/bill_form.py``; today's list, its reversals and
the end of day are ``medical/day_pages.py``.

The citizen sees their settlements this year, what is left of each cap, and the receipt of
each of their own settlements (and nobody else's)."""

from __future__ import annotations

import datetime as dt
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, Response
from pydantic import ValidationError
from sqlalchemy import select
from starlette.concurrency import run_in_threadpool

from minsheng.core import divisions, ids, money
from minsheng.core.errors import MinshengError, Problem, invalid
from minsheng.fields import to_minsheng_error
from minsheng.foundation.principals import Principal
from minsheng.medical import desk, rules, service
from minsheng.medical.bill_form import (
    MAX_BILL_FILE,
    MAX_ROWS,
    MIN_ROWS,
    ROW_FIELD,
    cashier_fields,
    file_bill,
    filled,
    form_bill,
    preview_ref,
    renamer,
    row_count,
)
from minsheng.medical.codes import COMMERCIAL, TILTED
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
from minsheng.webkit.render import N_, render

router = APIRouter(include_in_schema=False)
# fund names shown on receipts, marked for the catalogues
FUND_NAMES = [
    N_("basic"),
    N_("critical_illness"),
    N_("supplementary"),
    N_("assistance"),
    N_("tilted_assistance"),  # 倾斜救助
    N_("commercial"),  # 商业补充医疗保险 (惠民保-style)
    N_("outpatient"),
    N_("inpatient"),
]
CAP_LABELS = {  # a yearly cap's fund → its label on the citizen's page
    "outpatient": N_("Outpatient (basic insurance)"),
    "inpatient": N_("Inpatient (basic insurance)"),
    "critical_illness": N_("Critical-illness / supplementary insurance"),
    "assistance": N_("Medical assistance"),
    "tilted": N_("Tilted assistance"),  # only where the region's order has the layer
    "commercial": N_("Commercial supplementary insurance"),
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
# Tibetan lines for the ID number's arithmetic checks, whose source (core.ids) has none yet
_ID_RULES_BO = {
    "id_length": "ཐོབ་ཐང་ལག་ཁྱེར་གྱི་ཨང་རྟགས་ལ་ཡིག་འབྲུ་18(ཡང་ན་རྙིང་པ་15)དགོས།",
    "id_charset": "ཐོབ་ཐང་ལག་ཁྱེར་གྱི་ཨང་རྟགས་སྔོན་མ་17ནི་ཨང་ཀི་དང་། མཐའ་མ་ཨང་ཀི་འམ་X ཡིན་དགོས།",
    "id_checksum": "ཐོབ་ཐང་ལག་ཁྱེར་གྱི་ཨང་རྟགས་ཀྱི་ཞིབ་བཤེར་ཨང་ནོར་འདུག ཨང་རྟགས་ཡང་བསྐྱར་ལྟོས།",
}


# ----------------------------------------------------------------------------- the form


def _label(msgid: str, code: str) -> str:
    return i18n.gettext_for(code).gettext(msgid)


def _field_label(name: str, code: str) -> str | None:
    """The label a person reads for a form field, in ``code``'s language."""
    m = ROW_FIELD.match(name)
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
        row = ROW_FIELD.match(target) is not None  # a cell: its message must say which
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
    rename = renamer(form, rows)
    problems = readable(err, rename) if err is not None else None
    return FormState.of("", values, problems, fields, rename)


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
        elif filled(form, rows) or not confirm:
            bill = form_bill(form, rows)
        # a confirm without a bill in the form (the preview was of an uploaded file) posts
        # the stored pre-settlement as it is
    except (ValidationError, MinshengError) as err:
        return _page(request, by, _cashier_form(form, err, rows), rows, status=422)

    def work() -> SettlementOut:
        if confirm:
            preview_id, fp = preview_ref(form)
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
        why = desk.reasons(s, [row]).get(row.reverses_id or row.id)
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
            if TILTED in p.t.order:  # 倾斜救助: for assistance groups, its yearly limit
                caps.append(("tilted", totals["ta_paid"], p.t.ta_cap))
        if COMMERCIAL in p.t.order:
            caps.append(("commercial", totals["cm_paid"], p.t.cm_cap))
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
