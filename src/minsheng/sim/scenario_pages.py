"""Saved scenarios on the analyst's bench: save a run (post–redirect–get to its own page, the
link to share), the list of saved scenarios (paged), two to five side by side, and one
scenario's results as CSV (``docs/formats.md``; ``docs/analysis.md`` lists the columns).

A scenario is data about policy, not people: any holder of ``aggregates:read`` opens any
scenario, wherever their region; who saved it and when is shown, and the save is audited."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import HTMLResponse, Response
from starlette.concurrency import run_in_threadpool

from minsheng.core import money
from minsheng.core.errors import MinshengError, invalid
from minsheng.core.export import csv_bytes
from minsheng.foundation.principals import Principal
from minsheng.sim import bench_form, scenarios
from minsheng.sim import pages as bench
from minsheng.webkit import flash, i18n
from minsheng.webkit.deps import PathId, lang, uow
from minsheng.webkit.forms import FormState
from minsheng.webkit.guards import permit
from minsheng.webkit.pager import PER_PAGE, Page, page_number
from minsheng.webkit.render import N_, render

router = APIRouter(include_in_schema=False)
flash.register("sim_saved", N_("The scenario is saved. Share this page's address with others."))
COMPARE_MIN, COMPARE_MAX = 2, 5  # scenarios side by side: a table wider than five is unreadable
CSV_HEADER = (
    "section",
    "key",
    "name_zh",
    "baseline",
    "reform",
    "change",
    "unit",
)


@router.post("/analysis/scenarios", response_class=HTMLResponse)
async def save_scenario(
    request: Request, by: Principal = Depends(permit("aggregates:read"))
) -> Response:
    """Run the reform again (the figures come with the form) and save it with its result."""
    values, form = await bench._posted(request)
    code = lang(request)
    try:
        bench_form.unknown_cells(form)
        day = bench_form.check_start(values.get("start", ""))
        cells, reform = bench_form.reform_of(values, day)
    except MinshengError as err:
        f = FormState.of("", values, err, bench_form.FIELDS, bench_form.renamer(values))
        shown = bench._day_or_today(values.get("start", ""))
        return bench.page(
            request, status=err.status, rows=bench.rows_for(shown, code), f=f, result=None
        )
    result = await run_in_threadpool(bench.run_reform, request, reform, day)
    try:

        def work() -> int:
            with uow(request) as s:
                return scenarios.save(
                    s,
                    by,
                    name=values.get("name", ""),
                    start=day,
                    cells=cells,
                    reform=reform,
                    result=result,
                ).id

        saved = await run_in_threadpool(work)
    except MinshengError as err:
        return bench.page(
            request,
            status=err.status,
            rows=bench.rows_for(day, code),
            f=FormState.of("", values),
            save=FormState.of("save", values, err, ("name",)),
            changes=bench.changes_of(reform, code),
            **bench.result_context(result, code),
        )
    return flash.redirect(f"/analysis/scenarios/{saved}", "sim_saved", request)


@router.get("/analysis/scenarios", response_class=HTMLResponse)
def scenario_list(
    request: Request,
    page: str = Query("", max_length=40),
    by: Principal = Depends(permit("aggregates:read")),
) -> HTMLResponse:
    """Every saved scenario, newest first, 25 a page; tick two or more to compare."""
    number = page_number(page)
    with uow(request, immediate=False) as s:
        items, total = scenarios.listing(s, 0, PER_PAGE)
        pages = max((total + PER_PAGE - 1) // PER_PAGE, 1)
        number = min(number, pages)
        if number > 1:
            items, total = scenarios.listing(s, (number - 1) * PER_PAGE, PER_PAGE)
    p = Page(items, number, pages, total, PER_PAGE, "/analysis/scenarios")
    return render(request, "sim/scenarios.html", p=p, fmt=money.fmt)


@router.get("/analysis/scenarios/{scenario_id}", response_class=HTMLResponse)
def scenario_page(
    scenario_id: PathId, request: Request, by: Principal = Depends(permit("aggregates:read"))
) -> HTMLResponse:
    """One saved scenario: who saved it and when, its changes, its result (the shared link)."""
    code = lang(request)
    with uow(request, immediate=False) as s:
        sc = scenarios.get(s, scenario_id)
    return render(
        request,
        "sim/scenario.html",
        sc=sc,
        changes=bench.changes_of(sc.reform, code),
        names=bench.PROGRAMME_NAMES,
        fmt=money.fmt,
        charts_ready=bench.charts_ready(),
        **bench.result_context(sc.result, code),
    )


def _yuan(fen: int) -> str:
    """Yuan with two decimals (the CSV's amounts, as every CSV of the platform writes them)."""
    return str((Decimal(fen) / 100).quantize(Decimal("0.01")))


def csv_rows(sc: scenarios.Scenario) -> list[list[object]]:
    """A scenario's results as rows: by programme and by prefecture (yuan), by decile (yuan per
    household), beneficiary households by programme and people and households below the 低保
    line by prefecture (counts)."""
    from minsheng.core import divisions

    r = sc.result
    zh = i18n.gettext_for("zh").gettext
    rows: list[list[object]] = []
    for p in r["programmes"]:
        rows.append(
            ["programme", p["programme"], zh(bench.PROGRAMME_NAMES[p["programme"]]),
             _yuan(p["baseline"]), _yuan(p["reform"]), _yuan(p["change"]), "yuan"]
        )  # fmt: skip
    for p in r["programmes"]:
        b, f = p["beneficiaries_baseline"], p["beneficiaries_reform"]
        rows.append(
            ["beneficiaries", p["programme"], zh(bench.PROGRAMME_NAMES[p["programme"]]),
             b, f, f - b, "households"]
        )  # fmt: skip
    for code, v in r["by_prefecture"].items():
        rows.append(
            ["prefecture", code, divisions.get(code).name("zh"), _yuan(v["baseline"]),
             _yuan(v["reform"]), _yuan(v["reform"] - v["baseline"]), "yuan"]
        )  # fmt: skip
    for d in r["deciles"]:
        n = d["households"] or 1
        rows.append(
            ["decile", d["decile"], f"第{d['decile']}组", _yuan(d["baseline"] // n),
             _yuan(d["reform"] // n), _yuan(d["change_per_household"]), "yuan per household"]
        )  # fmt: skip
    for code, v in (r.get("poverty") or {}).items():
        name = "全区" if code == "total" else divisions.get(code).name("zh")
        for kind, unit in (("households", "households"), ("people", "persons")):
            b, f = v["baseline"][kind], v["reform"][kind]
            rows.append([f"below_dibao_line_{kind}", code, name, b, f, f - b, unit])
            rows.append([f"{kind}_total", code, name, v[kind], v[kind], 0, unit])
    return rows


@router.get("/analysis/scenarios/{scenario_id}/results.csv")
def scenario_csv(
    scenario_id: PathId, request: Request, by: Principal = Depends(permit("aggregates:read"))
) -> Response:
    with uow(request, immediate=False) as s:
        sc = scenarios.get(s, scenario_id)
    return Response(
        csv_bytes(CSV_HEADER, csv_rows(sc)),
        media_type="text/csv; charset=utf-8",
        headers={
            "Content-Disposition": f'attachment; filename="scenario-{sc.id}.csv"',
            "Cache-Control": "no-store",
        },
    )


def _ids(raw: list[str]) -> list[int]:
    ids: list[int] = []
    for text in raw:
        t = text.strip()
        if not (t.isascii() and t.isdigit() and len(t) < 10):
            raise invalid(
                "ids",
                "number",
                "方案编号应为数字",
                "a scenario id is a number",
                "འཆར་གཞིའི་ཨང་ཨང་གྲངས་ཡིན་དགོས།",
            )
        if int(t) not in ids:
            ids.append(int(t))
    if not COMPARE_MIN <= len(ids) <= COMPARE_MAX:
        raise invalid(
            "ids",
            "count",
            f"请选择{COMPARE_MIN}到{COMPARE_MAX}个方案进行比较",
            f"choose {COMPARE_MIN} to {COMPARE_MAX} scenarios to compare",
            f"བསྡུར་བར་འཆར་གཞི་ {COMPARE_MIN} ནས་ {COMPARE_MAX} བར་འདེམས་རོགས།",
        )
    return ids


@router.get("/analysis/compare", response_class=HTMLResponse)
def compare(
    request: Request,
    ids: list[str] = Query([], max_length=COMPARE_MAX * 2),
    by: Principal = Depends(permit("aggregates:read")),
) -> HTMLResponse:
    """Two to five saved scenarios side by side: the change by programme and in total, the
    households better and worse off, and the people below the 低保 line."""
    code = lang(request)
    try:
        chosen = _ids(ids)
        with uow(request, immediate=False) as s:
            picked = [scenarios.get(s, i) for i in chosen]
    except MinshengError as err:
        return render(
            request,
            "sim/compare.html",
            status=err.status,
            f=FormState.of("", {}, err, ("ids",)),
            picked=[],
            rows=[],
        )
    # every programme any of them reports (an output reported only where it pays may be in one
    # scenario and not another), in report order
    listed = {p["programme"] for sc in picked for p in sc.result["programmes"]}
    programmes = [name for name in bench.PROGRAMME_NAMES if name in listed]
    programmes += sorted(listed - set(programmes))
    rows: list[dict[str, Any]] = []
    for name in programmes:
        cells = []
        for sc in picked:
            got = {p["programme"]: p for p in sc.result["programmes"]}.get(name)
            cells.append(money.fmt(got["change"]) if got else "—")
        rows.append({"label": bench.PROGRAMME_NAMES[name], "cells": cells})
    totals = [money.fmt(sc.result["total"]["change"]) for sc in picked]
    rows.append({"label": N_("All programmes"), "cells": totals, "strong": True})
    rows.append(
        {"label": N_("Households better off"),
         "cells": [f"{sc.result['winners']['households']:,}" for sc in picked]}
    )  # fmt: skip
    rows.append(
        {"label": N_("Households worse off"),
         "cells": [f"{sc.result['losers']['households']:,}" for sc in picked]}
    )  # fmt: skip
    poverty = []
    for sc in picked:
        total = (sc.result.get("poverty") or {}).get("total")
        poverty.append(
            f"{bench.percent(total['baseline']['people'], total['people'])}% → "
            f"{bench.percent(total['reform']['people'], total['people'])}%"
            if total
            else "—"
        )
    rows.append({"label": N_("People below the 低保 line"), "cells": poverty})
    return render(
        request,
        "sim/compare.html",
        f=FormState.of(),
        picked=picked,
        rows=rows,
        all_changes={sc.id: bench.changes_of(sc.reform, code) for sc in picked},
    )
