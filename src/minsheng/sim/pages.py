"""The analyst's page: edit parameters in a form, run baseline and reform over the whole
synthetic population, and see the cost, the winners and losers and the effect by income decile
as tables and ECharts charts (ECharts from npm at build time, served from /static/vendor)."""

from __future__ import annotations

import datetime as dt
import json
import threading
from decimal import Decimal
from pathlib import Path
from typing import Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse
from starlette.concurrency import run_in_threadpool

from minsheng.core import divisions, money
from minsheng.core.errors import MinshengError
from minsheng.foundation.principals import Principal
from minsheng.policy import load
from minsheng.sim import population, runner
from minsheng.webkit import i18n
from minsheng.webkit.deps import lang
from minsheng.webkit.forms import FormState, form_values
from minsheng.webkit.guards import permit
from minsheng.webkit.render import N_, render

router = APIRouter(include_in_schema=False)
EDITABLE = (
    "assistance.dibao.standard.urban_monthly",
    "assistance.dibao.standard.rural_yearly",
    "assistance.dibao_edge.income_factor",
    "assistance.tekun.standard_factor",
    "assistance.elderly_allowance_monthly.age_80",
    "medical.critical_illness.deductible",
    "medical.critical_illness.annual_cap",
    "medical.critical_illness.scale.brackets[0].rate",
    "medical.critical_illness.scale.brackets[1].rate",
    "medical.critical_illness.scale.brackets[2].rate",
    "medical.assistance.annual_cap.ordinary",
    "pensions.resident.basic_monthly",
    "pensions.resident.tier_subsidies.tier_01",
)
PROGRAMME_NAMES = {
    "medical_basic": N_("Basic medical insurance"),
    "medical_critical": N_("Critical-illness / supplementary insurance"),
    "medical_assistance": N_("Medical assistance"),
    "dibao": N_("Minimum living allowance (低保)"),
    "tekun": N_("Extreme-poverty support (特困)"),
    "person_benefits": N_("Disability and old-age subsidies"),
    "resident_pension": N_("Resident basic pension"),
    "employee_pension": N_("Employee basic pension"),
    "government_paid_premiums": N_("Premiums paid by the government"),
    "tier_subsidies": N_("Contribution subsidies (by tier)"),
}
FIELDS = (*EDITABLE, "start")
DEFAULT_PEOPLE = 200_000
_generating = threading.Lock()


def _directory(request: Request) -> Path:
    return Path(request.app.state.settings.data_dir) / "sim" / "population"


def ensure_population(directory: Path, people: int = DEFAULT_PEOPLE) -> dict[str, Any]:
    """The page's population, generated once (seed 1) if there is none yet."""
    with _generating:
        if not (directory / "meta.json").exists():
            population.write(directory, people, seed=1, year=dt.date.today().year)
        return population.meta(directory)


def yuan(fen: int) -> int:
    """Whole yuan for the charts (the tables beside them carry the exact fen)."""
    return money.apply_ratio(fen, Decimal("0.01"))


def _shown(value: Any, unit: str) -> str:
    if unit.startswith("currency") and isinstance(value, int):
        return str(Decimal(value) / 100)
    return str(value)


def _rows(form: Any = None) -> list[dict[str, Any]]:
    snap = load().at(dt.date.today(), None)
    rows = []
    for path in EDITABLE:
        info = snap.info(path)
        description = info.description
        if not description and ".brackets[" in path:  # a scale's bracket: name it after the scale
            scale, rest = path.split(".brackets[", 1)
            n = int(rest.split("]", 1)[0]) + 1
            description = f"{load().get(scale).description}：第{n}段比例"
        rows.append(
            {
                "path": path,
                "description": description,
                "unit": "元" if info.unit.startswith("currency") else "",
                "current": _shown(info.value, info.unit),
                "status": info.status,
                "new": (form.get(path) or "").strip() if form is not None else "",
            }
        )
    return rows


def _rename(name: str) -> str | None:
    """A reform's error names the parameter (``changes.<path>…``, ``<path>.values…``): the
    form's field is the parameter's row."""
    for path in EDITABLE:
        if path in name:
            return path
    return None


def _page(request: Request, status: int = 200, **extra: Any) -> HTMLResponse:
    d = _directory(request)
    meta = population.meta(d) if (d / "meta.json").exists() else None
    charts_ready = (
        Path(__file__).parents[1] / "web" / "static" / "vendor" / "echarts.min.js"
    ).exists()
    return render(
        request,
        "sim/analysis.html",
        charts_ready=charts_ready,
        status=status,
        meta=meta,
        default_people=DEFAULT_PEOPLE,
        names=PROGRAMME_NAMES,
        fmt=money.fmt,
        **extra,
    )


@router.get("/analysis", response_class=HTMLResponse)
def analysis(request: Request, by: Principal = Depends(permit("aggregates:read"))) -> HTMLResponse:
    start = f"{dt.date.today().year}-01-01"
    return _page(request, rows=_rows(), f=FormState.of(values={"start": start}), result=None)


@router.post("/analysis", response_class=HTMLResponse)
async def run_analysis(
    request: Request, by: Principal = Depends(permit("aggregates:read"))
) -> HTMLResponse:
    form = await request.form()
    rows = _rows(form)
    start = str(form.get("start") or "").strip()
    code = lang(request)
    try:
        try:
            day = dt.date.fromisoformat(start)
        except ValueError:
            raise MinshengError(
                "start",
                "date",
                "生效日期格式应为YYYY-MM-DD",
                "a date is YYYY-MM-DD",
                bo="ཚེས་གྲངས་ནི་YYYY-MM-DD ཡིན་དགོས།",
            ) from None
        changes = {r["path"]: {"values": {day: {"value": r["new"]}}} for r in rows if r["new"]}
        reform = {"description": "analyst's form", "changes": changes} if changes else None
        directory = _directory(request)

        def work() -> dict[str, Any]:
            ensure_population(directory)
            return runner.run(directory, reform, "form", as_of=day)

        result = await run_in_threadpool(work)
    except MinshengError as err:
        f = FormState.of("", form_values(form, FIELDS), err, FIELDS, _rename)
        return _page(request, status=err.status, rows=rows, f=f, result=None)
    tr = i18n.gettext_for(code).gettext
    charts = {
        "programmes": [tr(PROGRAMME_NAMES[p["programme"]]) for p in result["programmes"]],
        "baseline": [yuan(p["baseline"]) for p in result["programmes"]],
        "reform": [yuan(p["reform"]) for p in result["programmes"]],
        "prefectures": [divisions.get(c).name(code) for c in runner.PREFECTURES],
        "prefecture_change": [
            yuan(v["reform"] - v["baseline"]) for v in result["by_prefecture"].values()
        ],
        "deciles": [d["decile"] for d in result["deciles"]],
        "decile_change": [yuan(d["change_per_household"]) for d in result["deciles"]],
        "labels": {
            "baseline": tr("Baseline"),
            "reform": tr("Reform"),
            "change": tr("Change"),
        },
    }
    return _page(
        request,
        rows=rows,
        f=FormState.of("", form_values(form, FIELDS)),
        result=result,
        charts=json.dumps(charts, ensure_ascii=False),
        prefecture_names={c: divisions.get(c).name(code) for c in runner.PREFECTURES},
    )
