"""Pages of monitoring and early warning: the county inspector's warning queue (filters by
level, cause and county; deadlines; a step form offered only where the caller may take one)
and the county and region dashboard (open warnings by level and cause, arrears outstanding,
the "zero arrears" count against the next Spring Festival and Losar, bar charts drawn as SVG
on the server — no script, no CDN). Labels in Chinese, Tibetan and English (``LABELS``)."""

from __future__ import annotations

import datetime as dt
from typing import Any
from urllib.parse import urlencode

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import HTMLResponse, Response
from starlette.concurrency import run_in_threadpool

from minsheng.core import divisions, money
from minsheng.core.errors import MinshengError
from minsheng.foundation.principals import Principal
from minsheng.wages import warnings
from minsheng.wages.warning_models import CAUSES, LEVELS
from minsheng.wages.warning_workflow import WARNING
from minsheng.webkit import flash
from minsheng.webkit.deps import PathId, lang, uow
from minsheng.webkit.forms import FormState, form_values
from minsheng.webkit.guards import permit
from minsheng.webkit.pager import MAX_PAGE_CHARS, PER_PAGE, Page, window
from minsheng.webkit.render import render

router = APIRouter(include_in_schema=False)
FIELDS = ("action", "reason")

CAUSE_LABELS: dict[str, tuple[str, str, str]] = {
    "transfer_late": ("人工费用未按月拨付", "ལས་ཀའི་གླ་ཆ་ཟླ་རེར་མ་སྤྲོད།", "labour cost not transferred"),
    "no_pay_sheet": ("未编制工资支付表", "གླ་ཕོགས་སྤྲོད་ཐོ་མ་བཟོས།", "no pay sheet for a month"),
    "attendance_unpaid": ("有考勤无工资", "ལས་ལ་ཞུགས་ཀྱང་གླ་ཕོགས་མ་སྤྲོད།", "attendance without pay"),
    "pay_below": ("少发工资", "གླ་ཕོགས་ཉུང་བ་སྤྲོད།", "pay below attendance × rate"),
    "account_missing": ("专用账户未开设或未备案", "ཆེད་སྤྱོད་རྩིས་ཁྲ་མ་ཕྱེ།", "wage account missing"),
    "deposit_missing": ("工资保证金未存储", "འགན་ལེན་མ་དངུལ་མ་བཞག", "wage deposit missing"),
    "no_contract": ("无劳动合同用工", "ལས་ཀའི་གན་རྒྱ་མེད།", "working without a contract"),
    "balance_low": ("账户余额不足", "རྩིས་ཁྲའི་ལྷག་འབབ་མི་འདང་།", "balance below the next pay sheet"),
    "complaint_cluster": ("投诉集中", "ཞུ་གཏུག་མང་པོ་བྱུང་།", "complaints clustering"),
}
LEVEL_LABELS = {
    "blue": ("蓝色", "སྔོན་པོ།", "blue"),
    "yellow": ("黄色", "སེར་པོ།", "yellow"),
    "red": ("红色", "དམར་པོ།", "red"),
}
LEVEL_FILL = {"blue": "#1f5fbf", "yellow": "#b58a00", "red": "#b3261e"}
TEXT = {
    "queue": ("欠薪预警队列", "གླ་ཕོགས་ཉེན་བརྡའི་གྲལ་རིམ།", "Wage arrears warnings"),
    "dashboard": ("根治欠薪监控看板", "གླ་ཕོགས་ལྟ་སྐུལ་ངོས་ལེབ།", "Wage arrears dashboard"),
    "level": ("级别", "རིམ་པ།", "Level"),
    "cause": ("原因", "རྒྱུ་རྐྱེན།", "Cause"),
    "county": ("县区", "རྫོང་།", "County"),
    "project": ("项目", "ལས་གཞི།", "Project"),
    "days": ("逾期天数", "ཉིན་གྲངས།", "Days overdue"),
    "deadline": ("处置时限", "དུས་ཚོད།", "Deadline"),
    "state": ("状态", "གནས་སྟངས།", "State"),
    "action": ("操作", "བྱ་བ།", "Action"),
    "reason": ("处理情况", "རྒྱུ་མཚན།", "Reason"),
    "save": ("提交", "ཕུལ།", "Submit"),
    "filter": ("筛选", "འདེམས།", "Filter"),
    "all": ("全部", "ཚང་མ།", "All"),
    "none": ("没有待办预警。", "ཉེན་བརྡ་མེད།", "No open warnings."),
    "overdue": ("已超期", "དུས་ཡོལ།", "Overdue"),
    "open": ("待办预警", "ཉེན་བརྡ།", "Open warnings"),
    "arrears": ("欠薪金额", "བསྒྱངས་པའི་གླ་ཕོགས།", "Arrears outstanding"),
    "zero": ("零拖欠项目", "བསྒྱངས་མེད་ལས་གཞི།", "Projects with zero arrears"),
    "projects": ("在建项目", "ལས་གཞི།", "Active projects"),
    "by_level": ("按级别", "རིམ་པ་ལྟར།", "By level"),
    "by_cause": ("按原因", "རྒྱུ་རྐྱེན་ལྟར།", "By cause"),
    "by_county": ("按县区", "རྫོང་ལྟར།", "By county"),
    "spring_festival": ("春节", "རྒྱ་ལོ་གསར་པ།", "Spring Festival"),
    "losar": ("藏历新年", "ལོ་གསར།", "Losar"),
    "days_left": ("天后", "ཉིན་གྲངས།", "days left"),
    "not_published": ("假期安排尚未公布", "གསལ་བསྒྲགས་མ་བྱས།", "holidays not yet published"),
    "queue_link": ("查看预警队列", "ཉེན་བརྡ་ལྟ།", "See the warning queue"),
    "dashboard_link": ("查看监控看板", "ངོས་ལེབ་ལྟ།", "See the dashboard"),
}


def labels(request: Request) -> dict[str, Any]:
    i = {"zh": 0, "bo": 1, "en": 2}.get(lang(request), 0)

    def pick(table: dict[str, tuple[str, str, str]]) -> dict[str, str]:
        return {k: v[i] for k, v in table.items()}

    return {
        "t": pick(TEXT),
        "causes": pick(CAUSE_LABELS),
        "levels": pick(LEVEL_LABELS),
        "states": {s.name: s.label[i] for s in WARNING.states},
        "steps": {s.action: s.label[i] for s in WARNING.steps},
        "fill": LEVEL_FILL,
        "fmt": money.fmt,
        "county_name": lambda code: _county(code, i),
    }


def _county(code: str, i: int) -> str:
    try:
        d = divisions.get(code)
    except MinshengError:
        return code
    return d.name(("zh", "bo", "en")[i])


def _queue_page(
    request: Request,
    by: Principal,
    level: str,
    cause: str,
    county: str,
    page: str,
    error: MinshengError | None = None,
    failed: tuple[int, dict[str, str]] | None = None,
) -> HTMLResponse:
    today = dt.date.today()
    with uow(request, immediate=False) as s:
        lv, cs, ct = level or None, cause or None, county or None
        _none, total = warnings.listing(s, by, level=lv, cause=cs, county=ct, limit=0)
        number, pages, offset = window(page, total)
        rows, total = warnings.listing(
            s, by, level=lv, cause=cs, county=ct, limit=PER_PAGE, offset=offset
        )
        names = warnings.project_names(s, [w.project_id for w in rows])
        items = [warnings.out(w, today, names.get(w.project_id)) for w in rows]
        offered = {w.id: warnings.offered(s, w, by) for w in rows}
    keep = {k: v for k, v in {"level": level, "cause": cause, "county": county}.items() if v}
    covered = by.covered_counties()
    counties = [c.code for c in divisions.counties()] if covered is None else sorted(covered)
    return render(
        request,
        "wages/warnings/queue.html",
        status=error.status if error else 200,
        rows=Page(items, number, pages, total, PER_PAGE, "/wages/warnings", tuple(keep.items())),
        total=total,
        offered=offered,
        level=level,
        cause=cause,
        county=county,
        counties=counties,
        all_levels=LEVELS,
        all_causes=CAUSES,
        failed_id=failed[0] if failed else None,
        failed=FormState.of(f"w{failed[0]}", failed[1], error, FIELDS)
        if error and failed
        else None,
        error=error if error and not failed else None,
        back=urlencode(keep),
        **labels(request),
    )


def _valid(value: str, allowed: tuple[str, ...]) -> str:
    return value if value in allowed else ""


@router.get("/wages/warnings", response_class=HTMLResponse)
def queue(
    request: Request,
    level: str = Query("", max_length=8),
    cause: str = Query("", max_length=24),
    county: str = Query("", max_length=6),
    page: str = Query("1", max_length=MAX_PAGE_CHARS),
    by: Principal = Depends(permit("wages:read")),
) -> HTMLResponse:
    """The inspector's queue: open warnings of the caller's region, red first, then the
    earliest deadline."""
    if county and not (county.isdigit() and len(county) == 6):
        county = ""
    return _queue_page(request, by, _valid(level, LEVELS), _valid(cause, CAUSES), county, page)


@router.post("/wages/warnings/{warning_id}", response_class=HTMLResponse)
async def take_step(
    warning_id: PathId, request: Request, by: Principal = Depends(permit("wages:inspect"))
) -> Response:
    """A step on a warning from the queue; refused, the queue again with the form as typed."""
    form = await request.form()
    back = {k: str(form.get(k) or "")[:24] for k in ("level", "cause", "county")}

    def work() -> None:
        with uow(request) as s:
            reason = str(form.get("reason") or "")[:400]
            warnings.act(s, warning_id, str(form.get("action") or "")[:24], by, reason)

    try:
        await run_in_threadpool(work)
    except MinshengError as err:
        values = form_values(form, FIELDS)
        return _queue_page(
            request,
            by,
            _valid(back["level"], LEVELS),
            _valid(back["cause"], CAUSES),
            back["county"] if back["county"].isdigit() else "",
            "1",
            err,
            (warning_id, values),
        )
    kept = urlencode({k: v for k, v in back.items() if v})
    return flash.redirect("/wages/warnings" + (f"?{kept}" if kept else ""), "saved", request)


@router.get("/wages/dashboard", response_class=HTMLResponse)
def dashboard(
    request: Request,
    county: str = Query("", max_length=6),
    by: Principal = Depends(permit("wages:read")),
) -> HTMLResponse:
    """The county and region dashboard."""
    if county and not (county.isdigit() and len(county) == 6):
        county = ""
    today = dt.date.today()
    with uow(request, immediate=False) as s:
        d = warnings.dashboard(s, by, today, county or None)
    top_level = max(d.by_level.values() or [0]) or 1
    top_cause = max(d.by_cause.values() or [0]) or 1
    return render(
        request,
        "wages/warnings/dashboard.html",
        d=d,
        county=county,
        today=today,
        top_level=top_level,
        top_cause=top_cause,
        all_levels=LEVELS,
        all_causes=CAUSES,
        **labels(request),
    )
