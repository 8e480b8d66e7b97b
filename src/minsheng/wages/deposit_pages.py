"""Pages of wage deposits, on the page kit (the blacklist's are in ``blacklist_pages``).

- ``/wages/projects/{id}/deposit``: the project's deposit panel on the desk — the assessment
  (rate, amount or exemption), the form and the deadlines (overdue flagged), the ledger, and
  the forms the state and the caller allow (assess, lodge, draw, top up, notice, return).

Refused posts answer the page again with the form as typed and the error by its field;
done ones redirect with a one-time message (post–redirect–get).
"""

from __future__ import annotations

import datetime as dt

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import HTMLResponse, Response

from minsheng.core import money
from minsheng.core.errors import MinshengError, invalid
from minsheng.foundation.principals import Principal
from minsheng.wages import deposit_payouts as payouts
from minsheng.wages import deposits
from minsheng.wages.access import get_project
from minsheng.webkit import flash
from minsheng.webkit import steps as steps_kit
from minsheng.webkit.deps import PathId, lang, uow
from minsheng.webkit.guards import permit
from minsheng.webkit.i18n import gettext_for
from minsheng.webkit.pager import MAX_PAGE_CHARS, paginate
from minsheng.webkit.render import N_, render

router = APIRouter(include_in_schema=False)

DEPOSIT_FIELDS = (
    "action",
    "form",
    "amount",
    "bank",
    "guarantee_no",
    "expires_on",
    "reference",
    "entry_id",
    "paid_on",
    "workers",
)
MAX_CHARS = 400

STATES = {
    "due": N_("Due"),
    "exempt": N_("Exempt"),
    "lodged": N_("Lodged"),
    "notice": N_("Return notice"),
    "returned": N_("Returned"),
}
BANDS = {
    "exempt": N_("Exempt"),
    "lower": N_("Lower rate (clean record)"),
    "base": N_("Base rate"),
    "higher": N_("Higher rate (recent arrears)"),
}
KINDS = {
    "lodge": N_("Lodged"),
    "draw": N_("Drawn for arrears"),
    "top_up": N_("Topped up"),
    "return": N_("Returned"),
}
FORMS = {"cash": N_("Cash"), "guarantee": N_("Bank guarantee")}
OVERDUE = {
    "lodge": N_("Not lodged by its deadline"),
    "top_up": N_("Not topped up by its deadline"),
    "guarantee": N_("The bank guarantee has expired"),
    "return": N_("Not returned by its deadline"),
    "payout": N_("A draw not paid to the workers by its deadline"),
}

STEP_LABELS = {
    "assess": N_("Assess the deposit"),
    "lodge": N_("Lodge the deposit"),
    "draw": N_("Draw for confirmed arrears"),
    "payout": N_("Record the payout to the workers"),
    "top_up": N_("Top up"),
    "notice": N_("Publish the return notice"),
    "return": N_("Return the deposit"),
}

flash.register("wg_deposit_done", N_("The deposit is updated."))


# ------------------------------------------------------------------ the deposit panel


def _deposit_page(
    request: Request,
    project_id: int,
    by: Principal,
    values: dict[str, str] | None = None,
    error: MinshengError | None = None,
    page: str = "1",
) -> HTMLResponse:
    request.state.private = True
    today = dt.date.today()
    _ = gettext_for(lang(request)).gettext
    with uow(request, immediate=False) as s:
        project = get_project(s, project_id, by)
        dep = deposits.deposit_of(s, project_id, by)
        view = deposits.deposit_out(dep, today) if dep else None
        rows = [deposits.entry_out(e) for e in deposits.entries(s, dep)] if dep else []
        unpaid = {e.id for e in payouts.unpaid_draws(s, [dep.id])} if dep else set()
        for r in rows:
            if r["kind"] == "draw" and r["id"] not in unpaid:
                done = payouts.payout_of(s, r["id"])
                r["payout"] = payouts.payout_out(done) if done else None
        name = project.name
    late = [r for r in rows if r["id"] in unpaid and r["pay_by"] and r["pay_by"] < str(today)]
    if view is not None and late:
        view["overdue"].append("payout")
    offered: list[str] = []
    if view is None:
        offered.append("assess")
    else:
        st = view["state"]
        if st == "due":
            offered.append("lodge")
        if st in ("lodged", "notice") and (by.can("wages:inspect") or by.kind == "system"):
            offered.append("draw")
        if st == "lodged" and view["balance"] < view["required"]:
            offered.append("top_up")
        if st == "lodged":
            offered.append("notice")
        if st == "notice" and (by.can("wages:run") or by.kind == "system"):
            offered.append("return")
        if unpaid and (by.can("wages:inspect") or by.kind == "system"):
            offered.append("payout")
    held = []
    if view is not None and view["state"] == "notice" and "return" in offered:
        until = dt.date.fromisoformat(view["notice_until"])
        if today <= until:  # the service would refuse it: say so, with the day it opens
            offered.remove("return")
            held.append(
                steps_kit.held(
                    "return",
                    f"返还公示至{until.isoformat()}止，期满后方可返还",
                    f"the notice runs until {until.isoformat()}: return after it",
                    f"གསལ་བསྒྲགས་ {until.isoformat()} བར་ཡིན། དེའི་རྗེས་སུ་སླར་སྤྲོད་ཆོག",
                    until=until,
                )
            )
    steps = steps_kit.step_forms(
        offered, DEPOSIT_FIELDS, values, error, prefix="deposit", held=held, ids="deposit-{action}"
    )
    ledger = paginate(rows, page, f"/wages/projects/{project_id}/deposit")
    return render(
        request,
        "wages/deposits/panel.html",
        status=error.status if error else 200,
        project_id=project_id,
        project_name=name,
        d=view,
        entries=ledger,
        unpaid=[r for r in rows if r["id"] in unpaid],
        steps=steps,
        step_labels={k: _(v) for k, v in STEP_LABELS.items()},
        fmt=money.fmt,
        states=STATES,
        bands=BANDS,
        kinds=KINDS,
        deposit_forms=FORMS,
        overdue_labels=OVERDUE,
    )


@router.get("/wages/projects/{project_id}/deposit", response_class=HTMLResponse)
def deposit_page(
    project_id: PathId,
    request: Request,
    page: str = Query("1", max_length=MAX_PAGE_CHARS),
    by: Principal = Depends(permit("wages:project")),
) -> HTMLResponse:
    """The project's deposit: assessment, deadlines, ledger (paged) and the steps open to you."""
    return _deposit_page(request, project_id, by, page=page)


@router.post("/wages/projects/{project_id}/deposit", response_class=HTMLResponse)
async def deposit_post(
    project_id: PathId, request: Request, by: Principal = Depends(permit("wages:project"))
) -> Response:
    values = steps_kit.posted(await request.form(), DEPOSIT_FIELDS, MAX_CHARS)

    def work() -> None:
        action, today = values.get("action", ""), dt.date.today()
        with uow(request) as s:
            if action == "assess":
                deposits.assess(s, project_id, by, today)
            elif action == "lodge":
                deposits.lodge(
                    s,
                    project_id,
                    form=values.get("form", ""),
                    amount=values.get("amount", ""),
                    bank=values.get("bank", ""),
                    guarantee_no=values.get("guarantee_no") or None,
                    expires_on=steps_kit.day(values.get("expires_on", ""), "expires_on"),
                    by=by,
                    today=today,
                )
            elif action == "draw":
                deposits.draw(
                    s,
                    project_id,
                    amount=values.get("amount", ""),
                    reference=values.get("reference", ""),
                    by=by,
                    today=today,
                )
            elif action == "payout":
                entry = values.get("entry_id", "")
                workers = values.get("workers", "").strip()
                payouts.record_payout(
                    s,
                    project_id,
                    int(entry) if entry.isdigit() and len(entry) < 10 else None,
                    paid_on=steps_kit.day(values.get("paid_on", ""), "paid_on"),
                    workers=int(workers) if workers.isdigit() and len(workers) < 7 else workers,
                    reference=values.get("reference", ""),
                    by=by,
                    today=today,
                )
            elif action == "top_up":
                deposits.top_up(s, project_id, amount=values.get("amount", ""), by=by, today=today)
            elif action == "notice":
                deposits.open_notice(s, project_id, by=by, today=today)
            elif action == "return":
                deposits.return_deposit(s, project_id, by=by, today=today)
            else:
                raise invalid("action", "choice", "未知的操作", "unknown action", "བྱ་སྤྱོད་མི་ཤེས།")

    return await steps_kit.take(
        request,
        work,
        done=f"/wages/projects/{project_id}/deposit",
        message="wg_deposit_done",
        again=lambda err: _deposit_page(request, project_id, by, values, err),
    )
