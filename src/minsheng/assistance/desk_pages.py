"""The caseworker's desk beyond the queue: finding a person or household (by name, ID number or
household code), registering a walk-in applicant and their household, and the printable public
notice (公示) or decision letter (决定书) of a case.

Every answer stays inside the caller's region (``registry.search``, the registry's services);
every form keeps what was typed and shows each error next to its field; a registration that
succeeds is a 303 to the household's page with a message (post–redirect–get), where the
application is opened."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any
from urllib.parse import urlencode

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import HTMLResponse, Response
from pydantic import ValidationError
from starlette.concurrency import run_in_threadpool

from minsheng.assistance import assessment, service, vocab
from minsheng.core import divisions, money
from minsheng.core.errors import MinshengError
from minsheng.fields import to_minsheng_error
from minsheng.foundation.principals import Principal
from minsheng.registry import search
from minsheng.registry import service as registry
from minsheng.registry import vocab as registry_vocab
from minsheng.registry.models import Person
from minsheng.registry.schemas import HouseholdIn, PersonIn
from minsheng.webkit import flash, i18n
from minsheng.webkit.deps import PathId, lang, uow
from minsheng.webkit.forms import FormState, form_values
from minsheng.webkit.guards import permit
from minsheng.webkit.pager import MAX_PAGE_CHARS, PER_PAGE, Page, page_number
from minsheng.webkit.render import N_, render

router = APIRouter(include_in_schema=False)

flash.register("person_registered", N_("The person is registered. Open an application below."))

REGISTER_FIELDS = (
    "id_number",
    "name_zh",
    "name_bo",
    "hukou",
    "phone",
    "division_code",
    "household",
    "household_code",
    "area",
    "address",
    "relationship",
)
HOUSEHOLD_MODES = ("new", "join")  # a new household (the person its head) or an existing one


# A case's explanation in a Tibetan page: each step's sentence in Tibetan (the ``bo`` catalogue's
# for its English, ``assessment.TEXTS``) with the figures kept with the step, its value beside
# it; the Chinese sentence stays below it (lang="zh-CN"). Where a case explained before the
# figures were kept lacks those its sentence needs, the step's Tibetan name instead.
STEP_TITLES_BO: dict[str, str] = {
    "members": "མཉམ་དུ་སྡོད་པའི་ཁྱིམ་མི་གྲངས།",
    "income": "ཁྱིམ་ཚང་གི་ཡོང་འབབ། (ཟླ་རེའི་ཆ་སྙོམས།)",
    "temporary": "གནས་སྐབས་ཀྱི་རོགས་སྐྱོར་གྱི་དངུལ་འབོར།",
    "tekun_person": "དཀའ་ངལ་ཆེས་ཆེ་བའི་མི་སྣ་ངོས་འཛིན།",
    "tekun_standard": "འཚོ་བའི་གཞི་རྩའི་ཚད་གཞི།",
    "care_allowance": "ལྟ་སྐྱོང་ཞབས་ཞུའི་རོགས་དངུལ།",
    "per_capita": "མི་རེའི་ཆ་སྙོམས་ཡོང་འབབ།",
    "standard": "འཚོ་བའི་མཐིལ་འགན་ལེན་གྱི་ཚད་གཞི། (མི་རེར་ཟླ་རེར།)",
    "assets": "དངུལ་རྩའི་རྒྱུ་ནོར།",
    "single_household": "མི་གཅིག་ཁྱིམ་ཚང་།",
    "dibao": "འཚོ་བའི་མཐིལ་འགན་ལེན་གྱི་དངུལ་འབོར།",
    "edge": "མཐའ་མཚམས་ཁྱིམ་ཚང་གི་ཐིག་ཁ།",
    # the shapes of a region's 低保 (issue 16 item 8)
    "dibao_band": "རིམ་པ་དབྱེ་ནས་སྤྲོད་པ། (分档)",
    "dibao_minimum": "ཉུང་མཐའི་སྤྲོད་དངུལ། (保底)",
    "dibao_sanwu": "རྒྱབ་རྟེན་མེད་པའི་མི་སྣར་ཆ་ཚང་སྤྲོད་པ། (三无全额)",
    "rounding_yuan_half_up": "སྒོར་མོར་སྒྲིལ་བ། (四舍五入到元)",
    "rounding_yuan_up": "སྒོར་མོ་གོང་དུ་སྒྲིལ་བ། (进位到元)",
    "rounding_yuan_down": "སྒོར་མོ་འོག་ཏུ་སྒྲིལ་བ། (舍去角分)",
    "addon_elderly": "རིགས་དབྱེའི་ཁ་སྣོན། རྒན་པོ། (分类施保·老年人)",
    "addon_minor": "རིགས་དབྱེའི་ཁ་སྣོན། ན་ཆུང་། (分类施保·未成年人)",
    "addon_student": "རིགས་དབྱེའི་ཁ་སྣོན། སློབ་མ། (分类施保·在校学生)",
    "addon_single_parent": "རིགས་དབྱེའི་ཁ་སྣོན། ཕ་མ་གཅིག་པུའི་ཁྱིམ་ཚང་། (分类施保·单亲)",
    "addon_severely_disabled": "རིགས་དབྱེའི་ཁ་སྣོན། དབང་པོ་སྐྱོན་ཅན་ཚབས་ཆེན། (分类施保·重度残疾)",
    "addon_seriously_ill": "རིགས་དབྱེའི་ཁ་སྣོན། ནད་ཚབས་ཆེན། (分类施保·重病)",
    "addon_sanwu": "རིགས་དབྱེའི་ཁ་སྣོན། རྒྱབ་རྟེན་མེད་པའི་མི་སྣ། (分类施保·三无)",
    "rigid": "ངེས་པར་དགོས་པའི་འགྲོ་སོང་།",
}


def step_title(step: str, zh: str, en: str, code: str, figures: object = None) -> str:
    """A rule step's words in the page's language (Tibetan: its sentence with the step's
    figures, else its name)."""
    if code == "en":
        return en
    if code == "bo":
        title = STEP_TITLES_BO.get(step, zh)
        text = assessment.TEXTS.get(step)
        if text is None:
            return title
        shown = dict(figures) if isinstance(figures, Mapping) else {}
        try:
            return i18n.gettext_for("bo").gettext(text[1]).format_map(shown)
        except (KeyError, IndexError, ValueError):
            return title
    return zh


def pick(table: dict[str, vocab.Label], code: str) -> dict[str, str]:
    """A vocabulary's labels in the page's language."""
    i = {"zh": 0, "bo": 1, "en": 2}.get(code, 0)
    return {k: v[i] for k, v in table.items()}


def counties(by: Principal, code: str) -> list[tuple[str, str]]:
    """The counties a caller may register people in, as (code, name) options."""
    scope = by.covered_counties()
    found = divisions.counties() if scope is None else [divisions.get(c) for c in scope]
    return [(c.code, f"{c.name(code)} ({c.code})") for c in found]


# ------------------------------------------------------------------------------ find


@router.get("/assistance/find", response_class=HTMLResponse)
def find(
    request: Request,
    q: str = Query("", max_length=search.MAX_QUERY),
    page: str = Query("1", max_length=MAX_PAGE_CHARS),
    by: Principal = Depends(permit("assistance:read")),
) -> HTMLResponse:
    """Find a person or household: an ID number (exactly), a household code or part of a
    name, inside the caller's region — each row links to the household's page."""
    request.state.private = True
    code = lang(request)
    q = q.strip()
    form = FormState.of("find", {"q": q}, fields=("q",))
    hits: list[search.PersonHit] = []
    total = 0
    number = page_number(page)
    status = 200
    if q:
        try:
            with uow(request) as s:
                total = search.count_persons(s, q, by)
                pages = max((total + PER_PAGE - 1) // PER_PAGE, 1)
                number = min(number, pages)
                hits = search.find_persons(s, q, by, limit=PER_PAGE, offset=(number - 1) * PER_PAGE)
        except MinshengError as err:
            form = FormState.of("find", {"q": q}, err, ("q",))
            status = err.status
    result: Page[search.PersonHit] = Page(
        items=hits,
        number=number,
        pages=max((total + PER_PAGE - 1) // PER_PAGE, 1),
        total=total,
        per_page=PER_PAGE,
        base="/assistance/find",
        query=(("q", q),),
    )
    walk_in = {"id_number": q} if search.looks_like_id(q) else {"name_zh": q} if q else {}
    return render(
        request,
        "assistance/find.html",
        status=status,
        form=form,
        q=q,
        result=result,
        register_href="/assistance/register" + (f"?{urlencode(walk_in)}" if walk_in else ""),
        sexes=pick(registry_vocab.SEXES, code),
        relationships=pick(registry_vocab.RELATIONSHIPS, code),
    )


# ------------------------------------------------------------------------------ register


def _register_page(
    request: Request,
    by: Principal,
    values: dict[str, str],
    error: MinshengError | None = None,
) -> HTMLResponse:
    code = lang(request)
    return render(
        request,
        "assistance/register.html",
        status=error.status if error else 200,
        form=FormState.of("reg", values, error, REGISTER_FIELDS, rename=_rename),
        counties=counties(by, code),
        hukou=list(pick(registry_vocab.HUKOU, code).items()),
        relationships=[
            (k, v) for k, v in pick(registry_vocab.RELATIONSHIPS, code).items() if k != "head"
        ],
    )


def _rename(name: str) -> str | None:
    """The registry's field names as the form's: a household's ``code`` is ``household_code``."""
    return {"code": "household_code"}.get(name)


@router.get("/assistance/register", response_class=HTMLResponse)
def register_form(
    request: Request,
    id_number: str = Query("", max_length=search.MAX_QUERY),
    name_zh: str = Query("", max_length=search.MAX_QUERY),
    household_code: str = Query("", max_length=search.MAX_QUERY),
    by: Principal = Depends(permit("registry:write")),
) -> HTMLResponse:
    """Register a walk-in applicant: the person, and a new household or the one they join
    (``household_code`` given: a member of that household, from its page)."""
    request.state.private = True
    values = {
        "household": "join" if household_code.strip() else "new",
        "household_code": household_code.strip(),
        "id_number": id_number.strip(),
        "name_zh": name_zh.strip(),
    }
    return _register_page(request, by, values)


@router.post("/assistance/register", response_class=HTMLResponse)
async def register(request: Request, by: Principal = Depends(permit("registry:write"))) -> Response:
    request.state.private = True
    form = await request.form()
    values = {k: v.strip() for k, v in form_values(form, REGISTER_FIELDS).items()}

    def work() -> int:
        mode = values.get("household", "new")
        if mode not in HOUSEHOLD_MODES:
            mode = "new"
        division = values.get("division_code") or None
        with uow(request) as s:
            if mode == "new":
                registry.create_household(
                    s,
                    HouseholdIn(
                        code=values.get("household_code", ""),
                        division_code=division or "",
                        area=values.get("area", ""),  # type: ignore[arg-type]
                        address=values.get("address") or None,
                    ),
                    by,
                )
            person = registry.create_person(
                s,
                PersonIn(
                    id_number=values.get("id_number", ""),
                    name_zh=values.get("name_zh", ""),
                    name_bo=values.get("name_bo") or None,
                    hukou=values.get("hukou", ""),  # type: ignore[arg-type]
                    phone=values.get("phone") or None,
                    division_code=division,
                    household_code=values.get("household_code") or None,
                    relationship="head" if mode == "new" else values.get("relationship") or None,
                ),
                by,
            )
            assert person.household_id is not None
            return person.household_id

    try:
        household_id = await run_in_threadpool(work)
    except ValidationError as err:
        return _register_page(request, by, values, to_minsheng_error(err))
    except MinshengError as err:
        return _register_page(request, by, values, err)
    return flash.redirect(f"/assistance/households/{household_id}", "person_registered", request)


# ------------------------------------------------------------------------------ letters


@router.get("/assistance/cases/{case_id}/letter", response_class=HTMLResponse)
def letter(
    case_id: PathId, request: Request, by: Principal = Depends(permit("assistance:read"))
) -> HTMLResponse:
    """The case's public notice (公示, while it runs) or decision letter (决定书), to print."""
    request.state.private = True
    code = lang(request)
    today = dt.date.today()
    with uow(request) as s:
        case = service.read_case(s, case_id, by)
        h = registry.get_household(s, case.household_id, by)
        head = next((p for p in h.members if p.relationship_to_head == "head"), None)
        person = s.get(Person, case.person_id) if case.person_id else None
        data: dict[str, Any] = {
            "case": case,
            "h": h,
            "county": divisions.get(h.division_code).name(code),
            "head": _name(head, code) if head else "",
            "person": _name(person, code) if person else "",
            "size": len([p for p in h.members if p.death_date is None]),
        }
    kind = "notice" if case.state == "notice" else "decision" if case.decided_on else "receipt"
    return render(
        request,
        "assistance/letter.html",
        kind=kind,
        today=today,
        one_off=case.programme == "temporary",
        programmes=pick(vocab.PROGRAMMES, code),
        states=pick(vocab.STATES, code),
        fmt=money.fmt,
        step_title=step_title,
        **data,
    )


def _name(p: Person, code: str) -> str:
    return p.name_bo if code == "bo" and p.name_bo else p.name_zh
