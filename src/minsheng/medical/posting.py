"""A settlement's stored values from the rules' result: the one place that turns bill ``i`` of a
(vectorised) :func:`rules.settle` into the columns of ``med_settlements`` and its explanation —
for the single settlement, the pre-settlement and every bill of a batch alike."""

from __future__ import annotations

import json
from typing import Any

from minsheng.medical import rules
from minsheng.medical.codes import COMMERCIAL, TILTED
from minsheng.medical.intake import Inputs, referenced_bill
from minsheng.medical.reads import info_dict, render
from minsheng.medical.schemas import BillIn, FundStep
from minsheng.policy import ValueInfo


def explanation(
    bills: rules.Bills, r: rules.Result, params: rules.MedicalParams, i: int
) -> tuple[list[FundStep], str]:
    """Bill ``i``'s steps as the API shows them, and as stored: the JSON of
    ``[step.model_dump() for step in steps]``, each step's figures encoded once per list of
    figures (they are most of it, and the same for every bill of a table cell)."""
    raw = rules.explain(bills, r, params, i)
    return render(raw), "[" + ", ".join(_step_json(s) for s in raw) + "]"


def _step_json(s: rules.Step) -> str:
    """One step as ``FundStep.model_dump`` would be encoded (``json.dumps`` with its default
    separators), written out field by field: ints and flags as they are, strings and lists
    through ``json.dumps``, the figures from :func:`_figures_json`."""
    terms = (
        json.dumps([{"name": x.name, "fact": x.fact, "added": x.added} for x in s.terms],
                   ensure_ascii=False)
        if s.terms
        else "[]"
    )  # fmt: skip
    return (
        f'{{"fund": {_text(s.fund)}, "base": {_int(s.base)}, '
        f'"deductible": {_int(s.deductible)}, "ratio": {_text(s.ratio)}, '
        f'"cap_left": {_int(s.cap_left)}, "cap_reached": {_flag(s.cap_reached)}, '
        f'"amount": {_int(s.amount)}, "parameters": {_figures_json(s.parameters)}, '
        f'"terms": {terms}, "admission": {_int(s.admission)}, '
        f'"bands": {_ints(s.bands)}, "counted": {_int(s.counted)}, '
        f'"segments": {_ints(s.segments)}, "threshold_basis": {_text(s.threshold_basis)}}}'
    )


def _int(v: int | None) -> str:
    return "null" if v is None else str(int(v))


def _flag(v: bool) -> str:
    return "true" if v else "false"


def _text(v: str | None) -> str:
    if v is None:
        return "null"
    made = _TEXTS.get(v)  # a fund's name, a ratio ("0.5"), a basis: a few dozen recur
    if made is None:
        if len(_TEXTS) >= FIGURES_KEPT:
            _TEXTS.clear()
        made = _TEXTS[v] = json.dumps(v, ensure_ascii=False)
    return made


_TEXTS: dict[str, str] = {}


def _ints(v: tuple[int, ...] | None) -> str:
    return json.dumps([int(x) for x in v]) if v else "null"


def _figures_json(infos: tuple[ValueInfo, ...]) -> str:
    key = tuple(id(x) for x in infos)
    kept = _FIGURES.get(key)
    if kept is not None:  # the same figures: theirs are held, so their ids are not reused
        return kept[1]
    made = json.dumps([info_dict(x) for x in infos], ensure_ascii=False)
    if len(_FIGURES) >= FIGURES_KEPT:
        _FIGURES.clear()
    _FIGURES[key] = (infos, made)  # the figures held: their ids are not reused while kept
    return made


FIGURES_KEPT = 20_000  # lists of figures kept encoded: an engineering bound
_FIGURES: dict[tuple[int, ...], tuple[tuple[ValueInfo, ...], str]] = {}


def values(
    bill: BillIn,
    person_id: int,
    facility_id: int,
    fp: str,
    inputs: Inputs,
    r: rules.Result,
    i: int,
    explained: str,
    actor: str,
) -> dict[str, Any]:
    """The columns of the settlement bill ``i`` of ``r`` makes (no key, no debits, no id)."""
    row = inputs.row
    order = inputs.params.t.order  # a layer the region's order lacks pays nothing: NULL
    basic, ci, assistance = int(r.basic[i]), int(r.ci[i]), int(r.assistance[i])
    tilted, commercial, patient = int(r.tilted[i]), int(r.commercial[i]), int(r.patient[i])
    return {
        "kind": "settle",
        "person_id": person_id,
        "year": bill.service_date.year,
        "facility_id": facility_id,
        "fingerprint": fp,
        "service_date": bill.service_date,
        "visit": bill.visit,
        "scheme": row.scheme,
        "level": row.level,
        "area": row.area,
        "admission_no": bill.admission_no,
        "diagnosis": bill.diagnosis,
        "total": basic + ci + assistance + tilted + commercial + patient,
        "full_self": row.full_self,
        "over_limit": row.over_limit,
        "self_first": row.self_first,
        "policy": row.policy,
        "basic": basic,
        "ci": ci,
        "assistance": assistance,
        "tilted": tilted if TILTED in order else None,
        "commercial": commercial if COMMERCIAL in order else None,
        "patient": patient,
        "account": int(r.account[i]),
        "cash": int(r.cash[i]),
        "op_deductible": int(r.op_deductible[i]),
        "ci_base": int(r.ci_base[i]),
        "as_deductible": int(r.as_deductible[i]),
        "basic_above": int(r.basic_above[i]),
        "cm_deductible": int(r.cm_deductible[i]),
        "explanation": explained,
        "bill": referenced_bill(bill, person_id),
        "inputs": json.dumps(inputs.stored(), ensure_ascii=False),
        "created_by": actor,
    }
