"""A settlement as a FHIR ``ExplanationOfBenefit`` for hospitals' systems.

Built and validated with ``fhir.resources`` (its R4B models: FHIR 4.3, the R4 line's current
release; an R4 reader accepts every element used here). Amounts are decimal yuan in CNY; each
fund is a ``total`` with its own category code (倾斜救助 and the commercial layer only where the
region's layer order has them), the ``benefit`` total and the payment their sum; every fund's
explanation — base, deductible, ratio, cap, the parameters and their sources — is a
``processNote``.
"""

from __future__ import annotations

from typing import Any

from fhir.resources.R4B.explanationofbenefit import ExplanationOfBenefit

from minsheng.core import money
from minsheng.medical.schemas import SettlementOut
from minsheng.registry import vocab

FUND_SYSTEM = "urn:minsheng:medical:fund"
ADJUDICATION = "http://terminology.hl7.org/CodeSystem/adjudication"
CLAIM_TYPE = "http://terminology.hl7.org/CodeSystem/claim-type"
FUND_NAMES = {
    "basic": "基本医疗保险 basic medical insurance",
    "ci": "大病保险／大额医疗补助 critical-illness / supplementary insurance",
    "assistance": "医疗救助 medical assistance",
    "tilted": "倾斜救助 tilted assistance",
    "commercial": "商业补充医疗保险（惠民保） commercial supplementary insurance",
    "patient": "个人负担 the patient's share",
    "account": "个人账户 personal account",
    "cash": "现金 cash",
}

# the funds in the order they settle; 倾斜救助 and the commercial layer only where a region has them
FUNDS = ("basic", "ci", "assistance", "tilted", "commercial", "patient", "account", "cash")


def _money(fen: int) -> dict[str, Any]:
    return {"value": money.to_str(fen), "currency": "CNY"}


def _total(code: str, display: str, fen: int, system: str = FUND_SYSTEM) -> dict[str, Any]:
    return {
        "category": {"coding": [{"system": system, "code": code, "display": display}]},
        "amount": _money(fen),
    }


def explanation_of_benefit(
    s: SettlementOut, person_ref: str, facility_code: str, facility_name: str
) -> ExplanationOfBenefit:
    notes = []
    for i, step in enumerate(s.explanation, start=1):
        cap = (
            "no yearly cap"
            if step.cap_left is None
            else f"left of the yearly cap {money.fmt(step.cap_left)}"
        )
        params = "; ".join(
            f"{p['path']} = {p['value']} {p['unit']} from {p['start']} ({p['status']}: "
            f"{p['reference'][0]['title'] if p['reference'] else ''})"
            for p in step.parameters
        )
        notes.append(
            {
                "number": i,
                "type": "display",
                "text": (
                    f"{step.fund}: base {money.fmt(step.base)}, "
                    f"deductible {money.fmt(step.deductible)}, "
                    f"ratio {step.ratio}, {cap}{' (reached)' if step.cap_reached else ''} → "
                    f"{money.fmt(step.amount)}. Parameters: {params}"
                ),
                "language": {"coding": [{"system": "urn:ietf:bcp:47", "code": "en"}]},
            }
        )
    totals = [
        _total("submitted", "submitted amount", s.total, ADJUDICATION),
        _total("benefit", "benefit amount", s.funds_paid, ADJUDICATION),
        *[
            _total(k, FUND_NAMES[k], getattr(s, k))
            for k in FUNDS
            if getattr(s, k) is not None  # a layer the region's order lacks: no entry
        ],
    ]
    resource = {
        "id": f"settlement-{s.id}",
        "identifier": [{"system": "urn:minsheng:medical:settlement", "value": str(s.id)}],
        "status": "cancelled" if s.reversed_by_id or s.kind == "reverse" else "active",
        "type": {
            "coding": [
                {
                    "system": CLAIM_TYPE,
                    "code": "institutional" if s.visit == "inpatient" else "professional",
                }
            ]
        },
        "use": "claim",
        "patient": {"reference": person_ref},
        "billablePeriod": {"start": s.service_date.isoformat(), "end": s.service_date.isoformat()},
        "created": f"{s.service_date.isoformat()}T00:00:00+08:00",
        "insurer": {"display": "医疗保障经办机构 medical security agency"},
        "provider": {
            "identifier": {"system": "urn:chs:fixmedins", "value": facility_code},
            "display": facility_name,
        },
        "outcome": "complete",
        "insurance": [
            {"focal": True, "coverage": {"display": vocab.label(vocab.SCHEMES, s.scheme, "en")}}
        ],
        "total": totals,
        "payment": {"amount": _money(s.funds_paid)},
        "processNote": notes,
    }
    return ExplanationOfBenefit.model_validate(resource)
