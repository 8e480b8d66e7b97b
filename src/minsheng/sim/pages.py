"""The analyst's bench (政策分析): a reform typed in a form — each parameter's value in force in
the region and in every prefecture beside an input for each — run over the whole synthetic
population; the cost, the winners and losers, the effect by income decile and the share below
the 低保 line by prefecture as tables and charts; saved scenarios with a link to share, side by
side comparison and CSV export (``sim/scenario_pages.py``).

The form's cells, their checks and the reform they make (how a figure typed for the region and
one typed for a prefecture combine) are ``sim/bench_form.py``.
"""

from __future__ import annotations

import datetime as dt
import json
import threading
from decimal import Decimal
from pathlib import Path
from typing import Any

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import HTMLResponse
from starlette.concurrency import run_in_threadpool

from minsheng.core import divisions, money
from minsheng.core.errors import MinshengError
from minsheng.core.text import zh_en
from minsheng.fields import MAX_ID
from minsheng.foundation.principals import Principal
from minsheng.policy import load
from minsheng.sim import population, runner, scenarios
from minsheng.sim.bench_form import (
    EDITABLE,
    FIELDS,
    PREFECTURES,
    REGION,
    cell,
    check_start,
    reform_of,
    renamer,
    unknown_cells,
)
from minsheng.webkit import i18n
from minsheng.webkit.deps import lang, uow
from minsheng.webkit.forms import FormState, form_values
from minsheng.webkit.guards import permit
from minsheng.webkit.render import N_, render

router = APIRouter(include_in_schema=False)
PROGRAMME_NAMES = {
    "medical_basic": N_("Basic medical insurance"),
    "medical_critical": N_("Critical-illness / supplementary insurance"),
    "medical_assistance": N_("Medical assistance"),
    "medical_tilted": N_("Tilted medical assistance"),
    "medical_commercial": N_("Commercial supplementary insurance"),
    "dibao": N_("Minimum living allowance (低保)"),
    "tekun": N_("Extreme-poverty support (特困)"),
    "person_benefits": N_("Disability and old-age subsidies"),
    "resident_pension": N_("Resident basic pension"),
    "employee_pension": N_("Employee basic pension"),
    "government_paid_premiums": N_("Premiums paid by the government"),
    "tier_subsidies": N_("Contribution subsidies (by tier)"),
}
DEFAULT_PEOPLE = 200_000
_generating = threading.Lock()


def _directory(request: Request) -> Path:
    return Path(request.app.state.settings.data_dir) / "sim" / "population"


def ensure_population(directory: Path, people: int = DEFAULT_PEOPLE) -> dict[str, Any]:
    """The page's population, generated once (seed 1) if there is none yet: one generator at a
    time in this process (a thread lock) and across the server's worker processes (an exclusive
    ``flock`` on ``population.lock`` beside the folder — the writer removes the old partitions
    first, so two at once would read each other's half-written files)."""
    directory.parent.mkdir(parents=True, exist_ok=True)
    with _generating, open(directory.parent / "population.lock", "a") as held:
        _flock(held.fileno())
        if not (directory / "meta.json").exists():
            population.write(directory, people, seed=1, year=dt.date.today().year)
        return population.meta(directory)  # the lock is given back when the file closes


def _flock(fd: int) -> None:
    try:
        import fcntl
    except ImportError:  # not POSIX: the thread lock alone
        return
    fcntl.flock(fd, fcntl.LOCK_EX)


def _shown(value: Any, unit: str) -> str:
    if unit.startswith("currency") and isinstance(value, int):
        return str(Decimal(value) / 100)
    return str(value)


def area_name(code: str, language: str) -> str:
    return divisions.get(code).name(language)


def describe(path: str, language: str = "zh") -> str:
    """A parameter's description in the page's language (a scale's bracket is named after its
    scale): the parameter files give Chinese and English (``core.text.zh_en``); the Chinese page
    shows the Chinese, the English page the English, the Tibetan page — there is no Tibetan in
    the files — the Chinese, then the English."""
    info = load().get(path)
    description = getattr(info, "description", "") or ""
    bracket = ""
    if not description and ".brackets[" in path:
        scale, rest = path.split(".brackets[", 1)
        n = int(rest.split("]", 1)[0]) + 1
        description = str(getattr(load().get(scale), "description", ""))
        bracket = {"zh": f"：第{n}段比例", "en": f": rate of bracket {n}"}.get(language, f" ({n})")
    zh, en = zh_en(description)
    if language == "en":
        return (en or zh) + bracket
    if language == "bo":
        return " ".join(part for part in (zh, en) if part) + bracket
    return (zh or en) + bracket


def rows_for(day: dt.date, language: str) -> list[dict[str, Any]]:
    """Each editable parameter with its value in force on ``day`` in the region and in every
    prefecture (``own``: the prefecture has a value of its own, not the region's)."""
    tree = load()
    rows = []
    for i, path in enumerate(EDITABLE):
        base = tree.at(day, None).info(path)
        unit = "元" if base.unit.startswith("currency") else ""
        areas = [
            {
                "code": REGION,
                "name": area_name(REGION, language),
                "field": cell(i, REGION),
                "current": _shown(base.value, base.unit),
                "own": False,
                "region": True,
            }
        ]
        for code in PREFECTURES:
            info = tree.at(day, code).info(path)
            areas.append(
                {
                    "code": code,
                    "name": area_name(code, language),
                    "field": cell(i, code),
                    "current": _shown(info.value, info.unit),
                    "own": info.source.startswith("region:"),
                    "region": False,
                }
            )
        rows.append(
            {
                "i": i,
                "path": path,
                "description": describe(path, language),
                "unit": unit,
                "status": base.status,
                "areas": areas,
                "own": [a for a in areas if a["own"]],
            }
        )
    return rows


def run_reform(request: Request, reform: dict[str, Any], day: dt.date) -> dict[str, Any]:
    """Baseline and the reform over the page's population (generated on the first run)."""
    directory = _directory(request)
    ensure_population(directory)
    return runner.run(directory, reform if reform["overlays"] else None, "form", as_of=day)


def yuan(fen: int) -> int:
    """Whole yuan for the charts (the tables beside them carry the exact fen)."""
    return money.apply_ratio(fen, Decimal("0.01"))


def wan(fen: int) -> str:
    """万元 with two decimals, as text (a chart's axis; the table has the fen)."""
    return str((Decimal(fen) / 1_000_000).quantize(Decimal("0.01")))


def percent(part: int, whole: int) -> str:
    """``part`` of ``whole`` in percent, two decimals ("—" of nothing)."""
    if whole == 0:
        return "—"
    return str((Decimal(part) * 100 / Decimal(whole)).quantize(Decimal("0.01")))


def charts_of(result: dict[str, Any], language: str) -> dict[str, Any]:
    """The charts' data: the change by programme as a share of its own baseline (a normalised
    view, so a 1% change of a large fund and of a small one are as visible — the yuan are in
    the table beside it), the change by prefecture (万元), per household by decile (元) and the
    people below the 低保 line before and after by prefecture (persons)."""
    tr = i18n.gettext_for(language).gettext
    names = [tr(PROGRAMME_NAMES[p["programme"]]) for p in result["programmes"]]
    poverty = result.get("poverty") or {}
    return {
        "programmes": names,
        "programme_change": [
            percent(p["change"], p["baseline"]) if p["baseline"] else "0"
            for p in result["programmes"]
        ],
        "prefectures": [area_name(c, language) for c in PREFECTURES],
        "prefecture_change": [
            wan(v["reform"] - v["baseline"]) for v in result["by_prefecture"].values()
        ],
        "deciles": [str(d["decile"]) for d in result["deciles"]],
        "decile_change": [yuan(d["change_per_household"]) for d in result["deciles"]],
        "poverty_baseline": [
            poverty.get(c, {}).get("baseline", {}).get("people", 0) for c in PREFECTURES
        ],
        "poverty_reform": [
            poverty.get(c, {}).get("reform", {}).get("people", 0) for c in PREFECTURES
        ],
        "labels": {
            "baseline": tr(N_("Baseline")),
            "reform": tr(N_("Reform")),
            "change": tr(N_("Change")),
            "percent": tr(N_("Change, percent of baseline")),
            "wan": tr(N_("10,000 yuan (万元)")),
            "yuan": tr(N_("yuan per household (元)")),
            "persons": tr(N_("persons")),
            "decile": tr(N_("Income decile")),
        },
    }


def poverty_rows(result: dict[str, Any], language: str) -> list[dict[str, Any]]:
    """The share of households and of people below the 低保 line, before and after."""
    out = []
    for code, row in (result.get("poverty") or {}).items():
        total = code == "total"
        out.append(
            {
                "code": code,
                "name": None if total else area_name(code, language),
                "total": total,
                "households": row["households"],
                "people": row["people"],
                "hb": row["baseline"]["households"],
                "hr": row["reform"]["households"],
                "pb": row["baseline"]["people"],
                "pr": row["reform"]["people"],
                "hb_rate": percent(row["baseline"]["households"], row["households"]),
                "hr_rate": percent(row["reform"]["households"], row["households"]),
                "pb_rate": percent(row["baseline"]["people"], row["people"]),
                "pr_rate": percent(row["reform"]["people"], row["people"]),
            }
        )
    return out


def changes_of(reform: dict[str, Any], language: str) -> list[dict[str, str]]:
    """A reform's changes as rows: parameter, where, from, value."""
    out = []
    for o in reform.get("overlays", []):
        for path, change in o["changes"].items():
            for start, item in change["values"].items():
                out.append(
                    {
                        "path": path,
                        "description": describe(path, language),
                        "where": area_name(o["region"], language),
                        "start": str(start),
                        "value": str(item["value"]),
                    }
                )
    return out


def result_context(result: dict[str, Any], language: str) -> dict[str, Any]:
    """What a template needs to show a run's result (the bench, a saved scenario)."""
    return {
        "result": result,
        "charts": json.dumps(charts_of(result, language), ensure_ascii=False),
        "poverty": poverty_rows(result, language),
        "prefecture_names": {c: area_name(c, language) for c in PREFECTURES},
    }


def charts_ready() -> bool:
    return (Path(__file__).parents[1] / "web" / "static" / "vendor" / "charts.min.js").exists()


def page(request: Request, status: int = 200, **extra: Any) -> HTMLResponse:
    d = _directory(request)
    meta = population.meta(d) if (d / "meta.json").exists() else None
    return render(
        request,
        "sim/analysis.html",
        charts_ready=charts_ready(),
        status=status,
        meta=meta,
        default_people=DEFAULT_PEOPLE,
        names=PROGRAMME_NAMES,
        fmt=money.fmt,
        **extra,
    )


def _day_or_today(text: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text.strip())
    except ValueError:
        return dt.date.today()


@router.get("/analysis", response_class=HTMLResponse)
def analysis(
    request: Request,
    scenario: int | None = Query(None, ge=1, le=MAX_ID),
    by: Principal = Depends(permit("aggregates:read")),
) -> HTMLResponse:
    """The bench; ``?scenario=ID`` fills the form with a saved scenario's figures."""
    values: dict[str, str] = {"start": f"{dt.date.today().year}-01-01"}
    loaded = None
    if scenario is not None:
        with uow(request, immediate=False) as s:
            loaded = scenarios.get(s, scenario)
        values = {**loaded.cells, "start": loaded.start.isoformat()}
    day = _day_or_today(values["start"])
    return page(
        request,
        rows=rows_for(day, lang(request)),
        f=FormState.of(values=values),
        loaded=loaded,
        result=None,
    )


async def _posted(request: Request) -> tuple[dict[str, str], Any]:
    form = await request.form()
    return form_values(form, (*FIELDS, "name")), form


@router.post("/analysis", response_class=HTMLResponse)
async def run_analysis(
    request: Request, by: Principal = Depends(permit("aggregates:read"))
) -> HTMLResponse:
    """Run the reform typed; the result is shown under the form, which the page scrolls to
    (the form's action ends in ``#result``)."""
    values, form = await _posted(request)
    code = lang(request)
    try:
        unknown_cells(form)
        day = check_start(values.get("start", ""))
        _cells, reform = reform_of(values, day)
        result = await run_in_threadpool(run_reform, request, reform, day)
    except MinshengError as err:
        f = FormState.of("", values, err, FIELDS, renamer(values))
        shown = _day_or_today(values.get("start", ""))
        return page(request, status=err.status, rows=rows_for(shown, code), f=f, result=None)
    return page(
        request,
        rows=rows_for(day, code),
        f=FormState.of("", values),
        save=FormState.of("save", {}),
        changes=changes_of(reform, code),
        **result_context(result, code),
    )
