"""Medical pages: the cashier's window (find the patient, enter the bill, see the split, confirm,
print the receipt) and the citizen's own settlements with what is left of each cap. Plain HTML
forms with CSRF tokens; no JavaScript needed."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, Response
from pydantic import ValidationError
from sqlalchemy import select
from starlette.concurrency import run_in_threadpool

from minsheng.core import divisions, money
from minsheng.core.errors import MinshengError, invalid
from minsheng.fields import to_minsheng_error
from minsheng.foundation.principals import Principal
from minsheng.medical import rules, service
from minsheng.medical.models import Settlement
from minsheng.medical.schemas import BillIn, SettlementOut
from minsheng.policy import load
from minsheng.registry import service as registry
from minsheng.registry import vocab
from minsheng.registry.models import Facility, Person
from minsheng.webkit import flash
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
    N_("outpatient"),
    N_("inpatient"),
]
LINE_ROWS = 6  # line-item rows on the cashier's form
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
CASHIER_FIELDS = HEAD_FIELDS + tuple(
    f"{col}_{i}" for i in range(LINE_ROWS) for col in LINE_COLUMNS.values()
)
_LINE_FIELD = re.compile(r"^lines(?:\.(\d+)|\[(\d+)\])(?:\.(\w+))?$")
_HEAD_RENAMES = {
    "patient": "id_number",
    "patient.id_number": "id_number",
    "patient.person_id": "id_number",
    "patient.ecard": "ecard",
    "balance": "account_balance",
    "lines": "price_0",
}


def _renamer(form: Any) -> Any:
    """Map a bill's field (``lines[1].unit_price``) to the cashier form's (``price_3`` when
    rows 0 and 2 were the only ones filled before it): only rows with a price become lines."""
    used = [i for i in range(LINE_ROWS) if str(form.get(f"price_{i}") or "").strip()]

    def rename(name: str) -> str | None:
        m = _LINE_FIELD.match(name)
        if m:
            n = int(m.group(1) or m.group(2))
            row = used[n] if n < len(used) else n
            col = LINE_COLUMNS.get(m.group(3) or "unit_price", "price")
            return f"{col}_{row}" if row < LINE_ROWS else None
        return _HEAD_RENAMES.get(name)

    return rename


def _cashier_form(form: Any = None, err: Any = None) -> FormState:
    if form is None:
        return FormState.of(fields=CASHIER_FIELDS)
    values = form_values(form, CASHIER_FIELDS)
    return FormState.of("", values, err, CASHIER_FIELDS, _renamer(form))


def _form_bill(form: Any) -> BillIn:
    lines = []
    for i in range(LINE_ROWS):
        price = (form.get(f"price_{i}") or "").strip()
        if not price:
            continue
        line: dict[str, Any] = {
            "code": (form.get(f"code_{i}") or f"L{i + 1}").strip(),
            "name": (form.get(f"name_{i}") or "").strip(),
            "category": form.get(f"category_{i}") or "甲",
            "quantity": (form.get(f"qty_{i}") or "1").strip(),
            "unit_price": price,
            "self_pay_first": (form.get(f"share_{i}") or "0").strip(),
        }
        limit = (form.get(f"limit_{i}") or "").strip()
        if limit:
            line["price_limit"] = limit
        lines.append(line)
    scanned = str(form.get("ecard") or "").strip()
    return BillIn.model_validate(
        {
            # a scanned electronic card identifies the patient instead of the typed ID number
            "patient": {"ecard": scanned}
            if scanned
            else {"id_number": (form.get("id_number") or "").strip()},
            "facility_code": (form.get("facility_code") or "").strip(),
            "visit": form.get("visit") or "outpatient",
            "service_date": form.get("service_date") or dt.date.today().isoformat(),
            "diagnosis": (form.get("diagnosis") or "").strip() or None,
            "out_of_area_filed": form.get("out_of_area_filed") == "on",
            "major_disease": form.get("major_disease") == "on",
            "account_balance": (form.get("account_balance") or "0").strip() or "0",
            "lines": lines,
        }
    )


def _facilities(request: Request, by: Principal) -> list[Facility]:
    with uow(request, immediate=False) as s:
        rows = s.scalars(select(Facility).order_by(Facility.code)).all()
        return [f for f in rows if by.covers(f.division_code)][:200]


@router.get("/medical/cashier", response_class=HTMLResponse)
def cashier(request: Request, by: Principal = Depends(permit("medical:settle"))) -> HTMLResponse:
    return render(
        request,
        "medical/cashier.html",
        f=_cashier_form(),
        rows=range(LINE_ROWS),
        result=None,
        facilities=_facilities(request, by),
        today=dt.date.today().isoformat(),
    )


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
    """Calculate (预结算, stored and shown with who the patient is) or confirm: the confirm
    posts exactly the stored pre-settlement named by the page's preview id and fingerprint, and
    refuses if the bill in the form was changed since (docs/medical.md)."""
    request.state.private = True  # the answer names the patient
    form = await request.form()
    confirm = form.get("action") == "confirm"
    upload = form.get("bill_file")
    has_file = upload is not None and not isinstance(upload, str) and bool(upload.filename)
    has_lines = any(str(form.get(f"price_{i}") or "").strip() for i in range(LINE_ROWS))
    bill: BillIn | None = None
    try:
        if has_file:
            assert upload is not None and not isinstance(upload, str)
            data = await upload.read(1024 * 1024)
            bill = BillIn.model_validate_json(data)  # an uploaded bill (docs/medical.md format)
        elif has_lines or not confirm:
            bill = _form_bill(form)
        # a confirm without a bill in the form (the preview was of an uploaded file) posts
        # the stored pre-settlement as it is
    except ValidationError as err:
        error = to_minsheng_error(err)
        return render(
            request,
            "medical/cashier.html",
            status=422,
            f=_cashier_form(form, error),
            rows=range(LINE_ROWS),
            result=None,
            facilities=_facilities(request, by),
            today=dt.date.today().isoformat(),
        )

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
        return render(
            request,
            "medical/cashier.html",
            status=err.status,
            f=_cashier_form(form, err),
            rows=range(LINE_ROWS),
            result=None,
            facilities=_facilities(request, by),
            today=dt.date.today().isoformat(),
        )
    if confirm:
        return flash.redirect(f"/medical/receipt/{result.id}", "settled", request)
    return render(
        request,
        "medical/cashier.html",
        f=_cashier_form(form),
        rows=range(LINE_ROWS),
        result=result,
        facilities=_facilities(request, by),
        today=dt.date.today().isoformat(),
        scheme=vocab.label(vocab.SCHEMES, result.person.scheme, lang(request))
        if result.person
        else "",
        groups=[vocab.label(vocab.STATUS_KINDS, g, lang(request)) for g in result.person.groups]
        if result.person
        else [],
    )


@router.get("/medical/receipt/{settlement_id}", response_class=HTMLResponse)
def receipt(
    settlement_id: PathId, request: Request, by: Principal = Depends(permit("medical:read"))
) -> HTMLResponse:
    """The receipt: the split, and why, in the reader's language (Chinese beside it)."""
    request.state.private = True
    with uow(request) as s:
        out = service.get(s, settlement_id, by)
        person = s.get(Person, out.person_id)
        facility = s.get(Facility, out.facility_id)
        assert person is not None and facility is not None
        name = person.name_zh
        masked = person.id_masked
    return render(
        request,
        "medical/receipt.html",
        s=out,
        patient_name=name,
        masked=masked,
        facility=facility,
        scheme=vocab.label(vocab.SCHEMES, out.scheme, lang(request)),
        fmt=money.fmt,
    )


@router.get("/me/medical", response_class=HTMLResponse)
def my_medical(request: Request, by: Principal = Depends(permit("self:read"))) -> HTMLResponse:
    """A citizen's settlements this year and what is left of each yearly cap."""
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
        items=items,
        caps=caps,
        year=year,
        fmt=money.fmt,
        scheme=vocab.label(vocab.SCHEMES, enrolment.scheme, lang(request)) if enrolment else None,
        county=divisions.get(person.division_code).name(lang(request)),
    )
