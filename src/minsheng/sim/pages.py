"""The analyst's bench (政策分析): a reform typed in a form — each parameter's value in force in
the region and in every prefecture beside an input for each — run over the whole synthetic
population; the cost, the winners and losers, the effect by income decile and the share below
the 低保 line by prefecture as tables and charts; saved scenarios with a link to share, side by
side comparison and CSV export (``sim/scenario_pages.py``).

How a value typed for the region (全区) and one typed for a prefecture combine: every figure
becomes a dated override (an overlay, ``docs/parameters.md``) with a ``region``. The region's is
an overlay for ``540000``, which the prefectures without their own value follow — a prefecture
with its own (Lhasa's 低保 standard, 440 元 where the region's is 700) keeps it, and the form
says so beside the input; a prefecture's is an overlay for that prefecture only. A reform never
silently replaces a prefecture's own figure.
"""

from __future__ import annotations

import datetime as dt
import json
import re
import threading
from collections.abc import Mapping
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import HTMLResponse
from starlette.concurrency import run_in_threadpool

from minsheng.core import divisions, money
from minsheng.core.errors import MinshengError, Problem, invalid
from minsheng.fields import MAX_ID
from minsheng.foundation.principals import Principal
from minsheng.policy import load
from minsheng.sim import population, runner, scenarios
from minsheng.webkit import i18n
from minsheng.webkit.deps import lang, uow
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
PREFECTURES = runner.PREFECTURES
REGION = divisions.get(PREFECTURES[0]).parent_code or "540000"  # 西藏自治区: the regional default
AREAS = (REGION, *PREFECTURES)
# The largest figure a reform may give a parameter in currency: the engineering maxima of
# core/money.py (docs/parameters.md, "Engineering maxima") — a medical deductible or cap is at
# most a bill (MAX_BILL_FEN), any other standard, allowance or pension at most one payment
# (MAX_PAYMENT_FEN). A ratio's bounds are the parameter's own ``range``.
MEDICAL_MAX = money.MAX_BILL_FEN
OTHER_MAX = money.MAX_PAYMENT_FEN
DEFAULT_PEOPLE = 200_000
CELL = re.compile(r"p(?P<i>\d{1,3})\.(?P<code>\d{1,12})")
NUMBER = re.compile(r"\d{1,12}(?:\.\d{1,6})?", re.ASCII)
_generating = threading.Lock()


def cell(i: int, code: str) -> str:
    """The form field of parameter ``EDITABLE[i]`` in area ``code``: ``p0.540100``."""
    return f"p{i}.{code}"


def everywhere(i: int) -> str:
    """The checkbox of parameter ``EDITABLE[i]``: the region's figure replaces the prefectures'
    own values too (ticked by the analyst — never implied)."""
    return f"all{i}"


CELLS = tuple(cell(i, code) for i in range(len(EDITABLE)) for code in AREAS)
FIELDS = (*CELLS, *(everywhere(i) for i in range(len(EDITABLE))), "start")
TICKED = ("on", "true", "1")


def _directory(request: Request) -> Path:
    return Path(request.app.state.settings.data_dir) / "sim" / "population"


def ensure_population(directory: Path, people: int = DEFAULT_PEOPLE) -> dict[str, Any]:
    """The page's population, generated once (seed 1) if there is none yet."""
    with _generating:
        if not (directory / "meta.json").exists():
            population.write(directory, people, seed=1, year=dt.date.today().year)
        return population.meta(directory)


def _shown(value: Any, unit: str) -> str:
    if unit.startswith("currency") and isinstance(value, int):
        return str(Decimal(value) / 100)
    return str(value)


def area_name(code: str, language: str) -> str:
    return divisions.get(code).name(language)


def describe(path: str) -> str:
    """A parameter's description (a scale's bracket is named after its scale)."""
    info = load().get(path)
    description = getattr(info, "description", "") or ""
    if not description and ".brackets[" in path:
        scale, rest = path.split(".brackets[", 1)
        n = int(rest.split("]", 1)[0]) + 1
        description = f"{getattr(load().get(scale), 'description', '')}：第{n}段比例"
    return description


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
                "description": describe(path),
                "unit": unit,
                "status": base.status,
                "areas": areas,
                "own": [a for a in areas if a["own"]],
            }
        )
    return rows


def _where(path: str, code: str) -> tuple[str, str, str]:
    """``path`` in ``code``'s name, for a message (zh, bo, en)."""
    d = divisions.get(code)
    return f"{path}（{d.name('zh')}）", f"{path} ({d.name('bo')})", f"{path} ({d.name('en')})"


def check_value(path: str, code: str, text: str) -> str:
    """A typed figure as the overlay takes it, or a clear error naming the cell (zh, bo, en):
    not a number, negative, beyond the engineering maximum, outside the parameter's range."""
    field = cell(EDITABLE.index(path), code)
    zh, bo, en = _where(path, code)
    raw = text.strip().replace(",", "")
    param = load().parameter(path)
    if raw.startswith("-") or raw.startswith("−"):
        raise invalid(
            field,
            "negative",
            f"{zh}不能为负数",
            f"{en} must not be negative",
            f"{bo} ཀླད་ཀོར་ལས་ཆུང་བའི་གྲངས་འགོད་མི་ཆོག",
        )
    if not NUMBER.fullmatch(raw):
        raise invalid(
            field,
            "number",
            f"{zh}应为数字（例：700 或 0.65）",
            f"{en} takes a number (e.g. 700 or 0.65)",
            f"{bo} ཨང་གྲངས་ཞིག་འགོད་དགོས། (དཔེར་ན། 700)",
        )
    if param.unit.startswith("currency"):
        maximum = MEDICAL_MAX if path.startswith("medical.") else OTHER_MAX
        try:
            fen = money.parse(raw, field)
        except MinshengError:
            fen = maximum + 1  # beyond every maximum, or more than two decimals
            if "." in raw and len(raw.split(".", 1)[1]) > 2:
                raise invalid(
                    field,
                    "two_decimals",
                    f"{zh}最多两位小数（精确到分）",
                    f"{en}: at most two decimals (to the fen)",
                    f"{bo} ཚེག་རྗེས་ཀྱི་ཨང་གྲངས་གཉིས་ལས་མང་མི་ཆོག",
                ) from None
        if fen > maximum:
            raise invalid(
                field,
                "too_large",
                f"{zh}过大：最多{money.fmt(maximum)}",
                f"{en} is too large: at most {money.fmt(maximum)}",
                f"{bo} ཆེ་དྲགས་འདུག {money.fmt(maximum)} ལས་བརྒལ་མི་ཆོག",
            )
        return str(Decimal(fen) / 100)
    try:
        value = Decimal(raw)
    except InvalidOperation:  # pragma: no cover - the pattern admits only decimals
        raise invalid(field, "number", f"{zh}应为数字", f"{en} takes a number") from None
    if param.range is not None:
        lo, hi = param.range
        if not lo <= value <= hi:
            raise invalid(
                field,
                "range",
                f"{zh}应在{lo}到{hi}之间",
                f"{en} must be between {lo} and {hi}",
                f"{bo} {lo} ནས་ {hi} བར་ཡིན་དགོས།",
            )
    return str(value)


def check_start(text: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text.strip())
    except ValueError:
        raise invalid(
            "start",
            "date",
            "生效日期格式应为YYYY-MM-DD",
            "a date is YYYY-MM-DD",
            "ཚེས་གྲངས་ནི་YYYY-MM-DD ཡིན་དགོས།",
        ) from None


def unknown_cells(form: Mapping[str, Any]) -> None:
    """A posted figure for a parameter or an area the bench does not have (a prefecture that
    is not one, a county) is refused, not ignored."""
    for key in form:
        m = CELL.fullmatch(str(key))
        if m is None:
            continue
        value = str(form.get(key) or "").strip()
        if key not in CELLS and value:
            code = m["code"]
            raise invalid(
                "prefecture",
                "unknown_prefecture",
                f"{code}不是本区的地市（州），也不是全区",
                f"{code} is not a prefecture of the region, nor the region",
                f"{code} ནི་ས་ཁུལ་འདིའི་གྲོང་ཁྱེར་མིན།",
            )


def own_values(path: str, day: dt.date) -> list[str]:
    """The prefectures with a value of their own for ``path`` on ``day`` (Lhasa's 低保)."""
    tree = load()
    return [c for c in PREFECTURES if tree.at(day, c).info(path).source.startswith("region:")]


def reform_of(values: Mapping[str, str], day: dt.date) -> tuple[dict[str, str], dict[str, Any]]:
    """The cells typed (checked, every error at once) and the reform: one overlay per area with
    a change, the region's first. Nothing typed: an empty reform (the baseline twice). With a
    parameter's "every prefecture" box ticked, the region's figure is also written for each
    prefecture that has a value of its own and no figure typed for it."""
    cells: dict[str, str] = {}
    errors: list[MinshengError] = []
    by_area: dict[str, dict[str, Any]] = {}
    for i, path in enumerate(EDITABLE):
        ticked = str(values.get(everywhere(i)) or "").strip() in TICKED
        region_text = str(values.get(cell(i, REGION)) or "").strip()
        if ticked and region_text:
            cells[everywhere(i)] = "on"
        for code in AREAS:
            text = str(values.get(cell(i, code)) or "").strip()
            if not text:
                continue
            try:
                value = check_value(path, code, text)
            except MinshengError as err:
                errors.append(err)
                continue
            cells[cell(i, code)] = text
            by_area.setdefault(code, {})[path] = {"values": {day.isoformat(): {"value": value}}}
        if ticked and REGION in by_area and path in by_area[REGION]:
            for code in own_values(path, day):
                if path not in by_area.get(code, {}):
                    by_area.setdefault(code, {})[path] = by_area[REGION][path]
    if errors:
        first, *rest = errors
        more: list[Problem] = [p for e in rest for p in e.problems]
        raise MinshengError(
            first.field, first.rule, first.zh, first.en, first.status, more, first.bo
        )
    overlays = [
        {"description": f"analyst's form ({code})", "region": code, "changes": by_area[code]}
        for code in AREAS
        if code in by_area
    ]
    return cells, {"description": "analyst's form", "overlays": overlays}


def _renamer(values: Mapping[str, str]) -> Any:
    """A run's error names a parameter (``<path>``): the form's field is the first cell of that
    parameter with a figure typed."""

    def rename(name: str) -> str | None:
        for i, path in enumerate(EDITABLE):
            if path in name:
                typed = [cell(i, c) for c in AREAS if str(values.get(cell(i, c)) or "").strip()]
                return typed[0] if typed else cell(i, REGION)
        return None

    return rename


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
                        "description": describe(path),
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
        f = FormState.of("", values, err, FIELDS, _renamer(values))
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
