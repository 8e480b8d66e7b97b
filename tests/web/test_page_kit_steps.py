"""The page kit's case steps (``minsheng.webkit.steps``): only the steps the state and the
caller allow get a form; a refused step answers the page again with what was typed and the
error by its field; a done step flashes and redirects; a step not possible now is explained in
words, with the day it opens."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from fastapi import FastAPI, Request
from fastapi.responses import HTMLResponse, Response
from fastapi.testclient import TestClient

from minsheng.cases.engine import State, Step, Workflow, accountable
from minsheng.core.errors import ConflictError, MinshengError, NotFoundError, invalid
from minsheng.foundation.principals import Principal
from minsheng.webkit import flash, steps
from minsheng.webkit.i18n import gettext_for
from minsheng.webkit.render import TEMPLATES

FIELDS = ("action", "day", "reason")

PAGE = """{% import "_kit.html" as kit with context %}
{{ kit.step_errors(s) }}
{% for a, fs in s %}{% call(fs) kit.step_form(s, a, "/c/1/steps", labels[a], secondary=a == "refuse") %}
{{ kit.field(fs, "day", "Done on", type="date", value="2026-12-01") }}
{{ kit.field(fs, "reason", "Reason") }}
{% endcall %}{% endfor %}
{{ kit.steps_held(s, labels) }}"""
LABELS = {"accept": "Accept", "refuse": "Refuse", "close": "Close", "return": "Return"}


def draw(s: steps.Steps, lang: str = "en") -> str:
    html = "bo" if lang == "bo" else ("zh-CN" if lang == "zh" else "en")
    ctx = {"_": gettext_for(lang).gettext, "csrf": "tok", "lang": type("L", (), {"html": html})}
    return TEMPLATES.env.from_string(PAGE).render(s=s, labels=LABELS, **ctx)


def test_only_the_offered_steps_get_a_form_each_posting_its_name() -> None:
    s = steps.step_forms(("accept", "refuse"), FIELDS)
    page = draw(s)
    assert re.findall(r'<form method="post" action="/c/1/steps"[^>]* id="([^"]+)"', page) == [
        "step-accept-form",
        "step-refuse-form",
    ]
    assert page.count('name="action" value="accept"') == 1
    assert 'value="close"' not in page and 'name="csrf_token" value="tok"' in page
    assert 'class="secondary">Refuse</button>' in page and ">Accept</button>" in page
    assert "aria-invalid" not in page and "error-summary" not in page
    assert s.offered == ("accept", "refuse") and "close" not in s and len(s) == 2


def test_a_refused_step_keeps_what_was_typed_and_shows_the_error_by_its_field() -> None:
    err = invalid("reason", "required", "请填写理由", "give a reason", "རྒྱུ་མཚན་འབྲི་རོགས།")
    typed = {"action": "refuse", "day": "2026-11-30", "reason": ""}
    s = steps.step_forms(("accept", "refuse"), FIELDS, typed, err)
    assert s.failed == "refuse" and s.general is None
    assert s["refuse"].error("reason") is not None and not s["accept"].failed
    page = draw(s)
    refuse = page.split('id="step-refuse-form"')[1]
    accept = page.split('id="step-accept-form"')[1].split("</form>")[0]
    assert re.search(r'id="step-refuse-day"[^>]*value="2026-11-30"', refuse)  # kept
    reason = re.search(r'<input type="text" id="step-refuse-reason"[^>]*>', refuse)
    assert reason and 'aria-invalid="true"' in reason.group() and "autofocus" in reason.group()
    message = re.search(r'id="step-refuse-reason-error">(.*?)</p>', refuse, re.S)
    assert message and "请填写理由" in message.group(1) and "give a reason" in message.group(1)
    assert "རྒྱུ་མཚན" in message.group(1)
    assert 'value="2026-12-01"' in accept and "aria-invalid" not in accept  # untouched
    assert page.count("error-summary") == 1 and 'href="#step-refuse-reason"' in page


def test_a_refusal_of_a_step_no_longer_offered_is_shown_at_the_top_never_lost() -> None:
    err = ConflictError("action", "wrong_state", "案件已结案，不能受理", "the case is closed")
    s = steps.step_forms(("close",), FIELDS, {"action": "accept", "reason": "x"}, err)
    assert s.general is not None and s.general.general[0].zh == "案件已结案，不能受理"
    assert not s.general.errors  # no link to a field that is not on the page
    page = draw(s, "zh")
    top = page.split("<form")[0]
    assert "error-summary" in top and "案件已结案，不能受理" in top and 'href="#' not in top


def test_a_step_not_possible_now_says_why_and_from_when() -> None:
    held = steps.held(
        "return",
        "返还公示至2026-12-10止，期满后方可返还",
        "the notice runs until 2026-12-10: return after it",
        "གསལ་བསྒྲགས་ 2026-12-10 བར་ཡིན།",
        until=dt.date(2026, 12, 10),
    )
    s = steps.step_forms(("close",), FIELDS, held=[held])
    page = draw(s)
    assert 'value="return"' not in page  # no form for it
    line = re.search(r'<li id="step-held-return">(.*?)</li>', page, re.S)
    assert line and "Return" in line.group(1) and "runs until 2026-12-10" in line.group(1)
    assert "2026-12-10" in line.group(1).split('class="until"')[1]
    # a held step that is offered after all is not explained twice
    assert steps.step_forms(("return",), FIELDS, held=[held]).held == []


def _flow() -> Workflow:
    label = ("x", "x", "x")
    return Workflow(
        name="t",
        title=label,
        subject=("案件", "ལས་དོན།", "case"),
        initial="open",
        states=(State("open", ("待办", "", "open"), open=True), State("done", label, final=True)),
        steps=(
            Step("check", ("open",), ("open",), "t:write", ("审核", "", "check")),
            Step(
                "approve",
                ("open",),
                ("done",),
                "t:write",
                ("审批", "", "approve"),
                not_by=("check",),
                not_by_text=(
                    "您已审核，请由另一位经办人员审批",
                    "",
                    "you checked it: another approves",
                ),
            ),
            Step("audit", ("open",), ("open",), "t:audit", ("审计", "", "audit")),
        ),
    )


def test_the_engines_refusal_explains_a_step_in_words_and_a_step_of_another_role_is_silent() -> (
    None
):
    flow = _flow()
    me = Principal("staff", "me", "caseworker", "540100", frozenset({"t:write"}), user_id=5)
    history = {"check": [accountable(me)]}
    offered = flow.offered("open", me, history)
    assert offered == ("check",)
    held = steps.refusals(flow, "open", me, history, offered)
    assert [h.action for h in held] == ["approve"]  # "audit" needs another role: not explained
    assert held[0].text("en") == "you checked it: another approves"
    assert held[0].why.bo  # never an empty Tibetan line


def test_day_parses_a_date_and_names_the_field() -> None:
    assert steps.day("", default=dt.date(2026, 1, 2)) == dt.date(2026, 1, 2)
    assert steps.day(" 2026-03-04 ", "paid_on") == dt.date(2026, 3, 4)
    with pytest.raises(MinshengError) as bad:
        steps.day("4/3/2026", "paid_on")
    assert bad.value.problems[0].field == "paid_on" and bad.value.problems[0].bo
    with pytest.raises(MinshengError) as late:
        steps.day("2026-12-03", not_after=dt.date(2026, 12, 2))
    assert late.value.problems[0].rule == "future" and "2026-12-02" in late.value.problems[0].en
    assert steps.posted({"reason": "  x" * 300, "f": object()}, ("reason", "f", "g")) == {
        "reason": ("  x" * 300)[:400].strip()
    }


def _app(outcome: list[Exception | None]) -> FastAPI:
    app = FastAPI()
    seen: list[str] = []

    @app.post("/c/{cid}/steps")
    async def post(cid: int, request: Request) -> Response:
        values = steps.posted(await request.form(), FIELDS)

        def work() -> None:
            seen.append(values.get("action", ""))
            if outcome[0] is not None:
                raise outcome[0]

        def again(err: MinshengError) -> HTMLResponse:
            s = steps.step_forms(("accept", "refuse"), FIELDS, values, err)
            return HTMLResponse(draw(s), status_code=err.status)

        return await steps.take(request, work, done=f"/c/{cid}", message="case_moved", again=again)

    app.state.seen = seen
    return app


def test_take_flashes_and_redirects_when_done_and_answers_the_form_again_when_refused() -> None:
    outcome: list[Exception | None] = [None]
    app = _app(outcome)
    c = TestClient(app, raise_server_exceptions=True)
    r = c.post("/c/7/steps", data={"action": "accept"}, follow_redirects=False)
    assert r.status_code == 303 and r.headers["location"] == "/c/7"
    assert flash.read(r.cookies.get(flash.COOKIE)) == "case_moved"

    outcome[0] = invalid("reason", "required", "请填写理由", "give a reason", "ཀ")
    r = c.post("/c/7/steps", data={"action": "refuse", "reason": " "}, follow_redirects=False)
    assert r.status_code == 422 and flash.COOKIE not in r.headers.get("set-cookie", "")
    assert 'id="step-refuse-reason-error"' in r.text and "give a reason" in r.text

    outcome[0] = NotFoundError("case", "not_found", "没有这个案件", "no such case")
    with pytest.raises(NotFoundError):  # a missing case is the app's 404, not a form error
        c.post("/c/7/steps", data={"action": "accept"}, follow_redirects=False)
    assert app.state.seen == ["accept", "refuse", "accept"]
