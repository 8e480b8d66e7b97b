"""The caseworker's transfers page (转移接续): an employee pension relationship moving between
regions (国办发〔2009〕66号) — what moves (the whole account and 12 % of the contribution wages
since 1998), where the pension is finally claimed, a temporary account for older movers — or
the linking of the resident and employee schemes (城乡衔接, 人社部发〔2014〕17号); with the
15-working-day steps and their deadlines, and the next step to take given the dates already
recorded (the letter sent, the funds sent, the funds received).

A GET form over the pure rules of ``pensions.transfers`` (the same as ``minsheng pensions
transfer FILE``): it stores nothing and can be bookmarked; errors come back by their field."""

from __future__ import annotations

import datetime as dt
from typing import Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse

from minsheng.core.errors import MinshengError
from minsheng.foundation.principals import Principal
from minsheng.pensions import transfers
from minsheng.pensions.enrolment import params
from minsheng.webkit.forms import FormState
from minsheng.webkit.guards import permit
from minsheng.webkit.render import N_, render

router = APIRouter(include_in_schema=False)

PERIODS = 3  # rows of the history on the form (the CLI takes up to transfers.MAX_PERIODS)
PERIOD_FIELDS = tuple(
    f"p{i}_{k}" for i in range(1, PERIODS + 1) for k in ("place", "from", "to", "wage")
)
FIELDS = (
    "kind", "applied", "birth", "sex", "category", "hukou", "from", "to", "account_balance",
    *PERIOD_FIELDS, "letter_sent", "funds_sent", "funds_received",
    "employee_months", "employee_account", "resident_years", "resident_account",
)  # fmt: skip
MAX_CHARS = 40  # each typed value: an engineering bound
KINDS = {
    "employee": N_("Employee pension between regions"),
    "link": N_("Linking the resident and employee schemes"),
}
SEXES = {"male": N_("Male"), "female": N_("Female")}
CATEGORIES = {
    "worker": N_("Worker"),
    "cadre": N_("Cadre"),
    "female-worker-50": N_("Female worker retiring at 50"),
}
STEPS = {
    "application": N_("Application at the place moving to"),
    "acceptance_letter": N_("The place moving to accepts and sends the letter"),
    "transfer_out": N_("The place moving from transfers the relationship and the funds"),
    "completion": N_("The place moving to completes and informs the insured"),
}
STEP_EVENTS = {"acceptance_letter": "letter_sent", "transfer_out": "funds_sent"}
CLAIM_RULES = {
    "hukou": N_("the place of household registration, where the relationship is"),
    "relationship_years": N_("where the relationship is, with 10 years or more paid there"),
    "last_place_with_years": N_("the last place with 10 years or more paid"),
    "hukou_gathered": N_("the place of household registration, where everything is gathered"),
}
DIRECTIONS = {
    "resident_to_employee": N_("The resident account moves into the employee scheme"),
    "employee_to_resident": N_("The employee account moves into the resident scheme"),
}


def _rename(name: str) -> str | None:
    """A rule's field (``history[0].from``, ``events.funds_sent``) as the form's."""
    if name.startswith("history["):
        i = name[8 : name.index("]")]
        part = name.rsplit(".", 1)[-1] if "." in name else "place"
        return f"p{int(i) + 1}_{'wage' if part == 'monthly_wage' else part}"
    if name == "history":
        return "p1_place"
    if name.startswith("events."):
        return name.split(".", 1)[1]
    return None


def _number(raw: str) -> int | str:
    return int(raw) if raw.isdigit() and len(raw) <= 6 else raw


def request_of(v: dict[str, str]) -> dict[str, Any]:
    """The form's values as the JSON of ``minsheng pensions transfer`` (docs/pensions.md)."""
    data: dict[str, Any] = {
        "kind": v.get("kind", ""),
        "applied": v.get("applied", ""),
        "birth": v.get("birth", ""),
        "sex": v.get("sex", ""),
        "category": v.get("category", "") or "worker",
        "events": {k: v[k] for k in ("letter_sent", "funds_sent", "funds_received") if v.get(k)},
    }
    if data["kind"] == "link":
        for k in ("employee_months", "resident_years"):
            data[k] = _number(v.get(k, ""))
        for k in ("employee_account", "resident_account"):
            data[k] = v.get(k, "") or "0"
        return data
    data.update(hukou=v.get("hukou", ""), account_balance=v.get("account_balance", ""))
    data["from"], data["to"] = v.get("from", ""), v.get("to", "")
    data["history"] = [
        {
            "place": v.get(f"p{i}_place", ""),
            "from": v.get(f"p{i}_from", ""),
            "to": v.get(f"p{i}_to", ""),
            "monthly_wage": v.get(f"p{i}_wage", ""),
        }
        for i in range(1, PERIODS + 1)
        if any(v.get(f"p{i}_{k}") for k in ("place", "from", "to", "wage"))
    ]
    return data


def next_step(steps: list[dict[str, Any]], today: dt.date) -> dict[str, Any] | None:
    """The first step not done yet, with its deadline and whether it is overdue."""
    for row in steps[1:]:
        if "done" not in row:
            deadline = dt.date.fromisoformat(row["deadline"])
            return {**row, "overdue": today > deadline, "event": STEP_EVENTS.get(row["step"])}
    return None


@router.get("/pensions/transfers", response_class=HTMLResponse)
def transfers_page(
    request: Request, by: Principal = Depends(permit("pensions:read"))
) -> HTMLResponse:
    """The transfer form and, once filled in, what moves, where it is claimed and the steps."""
    values = {k: str(v)[:MAX_CHARS].strip() for k, v in request.query_params.items() if k in FIELDS}
    result: dict[str, Any] | None = None
    error: MinshengError | None = None
    today = dt.date.today()
    if values.get("kind"):
        try:
            r = transfers.parse(request_of(values))
            result = transfers.transfer(params(r.applied, None), r)
        except MinshengError as err:
            error = err
    return render(
        request,
        "pensions/transfers.html",
        status=error.status if error else 200,
        f=FormState.of("transfer", values, error, FIELDS, _rename),
        result=result,
        upcoming=next_step(result["steps"], today) if result else None,
        today=today,
        periods=range(1, PERIODS + 1),
        kinds=KINDS,
        sexes=SEXES,
        categories=CATEGORIES,
        steps=STEPS,
        claim_rules=CLAIM_RULES,
        directions=DIRECTIONS,
    )
