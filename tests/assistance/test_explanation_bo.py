"""Issue 16 item 11 for items 7–8: every sentence of a 低保 / 分类施保 decision's explanation has a
Tibetan body — the rounding rule, each add-on category, the minimum payment, the 三无 full
amount, the band — from the ``bo`` catalogue, filled with the figures kept with the step, never
the English copied; and the Tibetan page shows it."""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal
from typing import Any

import pytest
from sqlalchemy import Engine

from minsheng.assistance import assessment, decision, rules, service
from minsheng.assistance.decision import Applicant
from minsheng.assistance.desk_pages import step_title
from minsheng.assistance.figures import ADDON_CATEGORIES
from minsheng.db import make_sessionmaker
from minsheng.webkit import i18n
from tests.assistance.conftest import BY
from tests.assistance.test_explanation_reads import INCOMES, PARAMS, SHAPED, _shaped
from tests.conftest import staff_client

TIBETAN = re.compile(r"[\u0F00-\u0FFF]")
WORD = re.compile(r"[A-Za-z]{2,}")  # an English word (the figures are ¥ amounts and months)
FIGURE = re.compile(r"¥[\d,.]+|\d{4}-\d{2}")


def _is_tibetan(text: str) -> bool:
    return bool(text.strip()) and bool(TIBETAN.search(text)) and not WORD.search(text)


def test_every_sentence_has_its_tibetan_in_the_catalogue() -> None:
    """Each step's English sentence is a msgid with a Tibetan msgstr carrying the same figures."""
    bo = i18n.gettext_for("bo").gettext
    for what, (zh, en) in assessment.TEXTS.items():
        tibetan = bo(en)
        assert tibetan != en and _is_tibetan(tibetan.format_map(_Blank())), what
        names = sorted(re.findall(r"\{(\w+)\}", en))
        assert (
            sorted(re.findall(r"\{(\w+)\}", tibetan))
            == names
            == sorted(re.findall(r"\{(\w+)\}", zh))
        ), what


class _Blank(dict[str, str]):
    def __missing__(self, key: str) -> str:
        return "¥1.00"


ALL_ADDONS = {
    **{f"assistance.dibao.addon.{c}.kind": "share" for c in ADDON_CATEGORIES},
    **{f"assistance.dibao.addon.{c}.share": Decimal("0.1") for c in ADDON_CATEGORIES},
}


@pytest.mark.parametrize("rounding", ["yuan_half_up", "yuan_up", "yuan_down"])
@pytest.mark.parametrize("sanwu", [False, True])
def test_each_shapes_sentence_renders_in_tibetan_with_its_figures(
    rounding: str, sanwu: bool
) -> None:
    p = _shaped(
        PARAMS["base"],
        **{**SHAPED, **ALL_ADDONS, "assistance.dibao.rounding.benefit": rounding},
    )
    cats = tuple((c,) for c in ADDON_CATEGORIES)  # one member in each category
    a = Applicant(
        rules.DIBAO, "urban", len(cats), INCOMES["low_wage"], sanwu=sanwu, categories=cats
    )
    found = decision.decide(p, a)
    steps = assessment.render(found.steps, dt.date(2025, 6, 1), dt.date(2026, 6, 1))
    what = {s.step for s in steps}
    want = {"dibao_band", "dibao_minimum", f"rounding_{rounding}"}
    want |= {f"addon_{c}" for c in ADDON_CATEGORIES} | ({"dibao_sanwu"} if sanwu else set())
    assert want <= what
    for s in steps:
        bo = step_title(s.step, s.zh, s.en, "bo", s.figures)  # as the Tibetan page shows it
        assert _is_tibetan(bo), (s.step, bo)
        # the step's figures (¥ amounts, months) are in the Tibetan as in the Chinese
        assert FIGURE.findall(bo) == FIGURE.findall(s.zh), (s.step, bo, s.zh)
    shaped = [s for s in steps if s.step in want]
    assert len(shaped) == len(want)
    band = next(s for s in steps if s.step == "dibao_band")
    shown = step_title(band.step, band.zh, band.en, "bo", band.figures)
    assert shown.startswith("རིམ་པ་དབྱེ་ནས་སྤྲོད་པ།") and band.figures["each"] in shown


def test_the_tibetan_page_shows_the_sentence_and_an_old_case_its_name() -> None:
    """The page's words: Tibetan shows the step's sentence with its figures; a case explained
    before the figures were kept shows the step's Tibetan name where its sentence needs one;
    Chinese and English as stored."""
    zh, en = assessment.TEXTS["dibao_minimum"]
    figures = {"minimum": "¥168.00"}
    bo = i18n.gettext_for("bo").gettext(en).format(**figures)
    assert step_title("dibao_minimum", zh, en, "bo", figures) == bo and "¥168.00" in bo
    assert step_title("dibao_minimum", zh, en, "bo", {}) == "ཉུང་མཐའི་སྤྲོད་དངུལ། (保底)"
    assert step_title("dibao_minimum", zh, en, "bo") == "ཉུང་མཐའི་སྤྲོད་དངུལ། (保底)"
    members = assessment.TEXTS["members"]
    assert step_title("members", *members, "bo") == "མཉམ་དུ་སྡོད་པའི་ཁྱིམ་མི་གྲངས།"
    assert step_title("dibao_minimum", zh, en, "zh", figures) == zh
    assert step_title("dibao_minimum", zh, en, "en", figures) == en


def test_the_household_page_and_the_letter_say_it_in_tibetan(
    app: object, engine: Engine, world: dict[str, int]
) -> None:
    """A checked 低保 case on the caseworker's Tibetan page and its letter: each step's Tibetan
    sentence (the household's figures filled in), the Chinese one beside it."""
    from tests.assistance.test_desk import open_case

    case_id = open_case(engine, world["household"])
    with make_sessionmaker(engine)() as s:
        service.act(s, case_id, "check", BY)
        s.commit()
    c: Any = staff_client(app, engine, "caseworker", "540100", "bo.cw")
    c.headers["Accept-Language"] = "bo"
    page = c.get(f"/assistance/households/{world['household']}").text
    section = page.split(f'id="case-{case_id}"')[1].split("</section>")[0]
    for what in ("members", "per_capita", "dibao"):
        zh, en = assessment.TEXTS[what]
        assert i18n.gettext_for("bo").gettext(en) in section, what
        assert zh in section  # the Chinese sentence stays beside it
    # the income sentence with the case's own window and sum
    assert re.search(r"\d{4}-\d{2} ནས་ \d{4}-\d{2} བར་གྱི་ཁྱིམ་ཚང་གི་ཡོང་འབབ་ ¥", section)
    letter = c.get(f"/assistance/cases/{case_id}/letter").text
    assert i18n.gettext_for("bo").gettext(assessment.TEXTS["dibao"][1]) in letter
