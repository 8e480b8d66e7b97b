"""The words of one-to-one help in Chinese, Tibetan and English: categories (with the reason of
each in a sentence), channels, services, answers, outcomes, statistics' measures, and the
workflow's states and steps (from the case engine's table)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from minsheng.core import divisions, statuses
from minsheng.core.errors import MinshengError
from minsheng.employment.help_workflow import HELP

Label = tuple[str, str, str]  # zh, bo, en
LANGS = ("zh", "bo", "en")

CATEGORY_LABELS: dict[str, Label] = {
    "age": ("大龄失业人员（4050）", "ལོ་ན་ཅུང་རྒས་པའི་ལས་མེད་མི་སྣ།", "older unemployed (40/50)"),
    "disability": ("残疾人", "དབང་པོ་སྐྱོན་ཅན།", "person with disability"),
    "dibao": ("低保、特困家庭成员", "འཚོ་བའི་མཐིལ་འགན་ལེན་ཁྱིམ་ཚང་།", "低保 / 特困 household"),
    "zero_employment": ("零就业家庭成员", "ལས་ཞུགས་མེད་པའི་ཁྱིམ་ཚང་།", "zero-employment household"),
    "long_unemployed": ("长期失业人员", "ལས་མེད་དུས་ཡུན་རིང་བ།", "unemployed a year or more"),
    "graduate": ("离校未就业高校毕业生", "ལས་ཞུགས་མེད་པའི་སློབ་མཐར་ཕྱིན་པ།", "graduate not yet employed"),
    "relocated": ("易地扶贫搬迁家庭成员", "ས་གནས་གཞན་དུ་སྤོས་པའི་ཁྱིམ་ཚང་།", "relocated household"),
    "land_lost": ("失地农民", "ཞིང་ས་ཤོར་བའི་ཞིང་པ།", "farmer whose land was requisitioned"),
}
CHANNEL_LABELS: dict[str, Label] = {
    "visit": ("入户走访", "ཁྱིམ་དུ་འཚམས་འདྲི།", "home visit"),
    "phone": ("电话", "ཁ་པར།", "phone"),
    "message": ("短信、微信", "འཕྲིན་ཐུང་།", "message"),
    "office": ("来窗口", "ལས་ཁུངས་སུ་བྱོན།", "at the office"),
}
KIND_LABELS: dict[str, Label] = {
    "job_lead": ("岗位推荐", "ལས་གནས་འོས་སྦྱོར།", "job lead"),
    "training_offer": ("培训推荐", "སྦྱོང་བརྡར་འོས་སྦྱོར།", "training offer"),
}
RESPONSE_LABELS: dict[str, Label] = {
    "pending": ("待答复", "ལན་སྒུག་བཞིན།", "awaiting answer"),
    "accepted": ("接受", "ཁས་བླངས།", "accepted"),
    "refused": ("拒绝", "ཁས་མ་བླངས།", "refused"),
}
MEASURE_LABELS: dict[str, Label] = {
    "new_jobs": ("城镇新增就业（用工备案）", "གྲོང་ཁྱེར་ལས་ཞུགས་གསར་པ།", "new urban jobs (hires filed)"),
    "unemployed": ("登记失业人员", "ཐོ་འགོད་བྱས་པའི་ལས་མེད།", "registered unemployed"),
    "fairs": ("举办招聘会", "ལས་ཀའི་འཚོང་འདུས།", "job fairs held"),
    "placed": ("就业困难人员实现就业", "ལས་ཞུགས་དཀའ་བ་ལས་ཀར་ཞུགས།", "hard-to-employ people placed"),
    "trained": ("培训结业", "སྦྱོང་བརྡར་མཇུག་སྒྲིལ།", "training completions"),
}


def pick(table: dict[str, Label], code: str) -> dict[str, str]:
    i = LANGS.index(code) if code in LANGS else 0
    return {k: v[i] for k, v in table.items()}


def county_name(code: str, lang: str = "zh") -> str:
    try:
        return divisions.get(code).name(lang if lang in LANGS else "zh")
    except MinshengError:
        return code


def reason(cat: dict[str, Any], lang: str = "zh") -> str:
    """The reason of one category in a short sentence."""
    c = cat.get("category")
    zh = lang == "zh"
    bo = lang == "bo"
    if c == "age":
        woman = cat.get("sex") == "F"
        age = cat.get("age")
        if zh:
            return f"{'女' if woman else '男'}，{age}周岁"
        if bo:
            return f"{'བུད་མེད།' if woman else 'སྐྱེས་པ།'} ལོ་{age}"
        return f"{'woman' if woman else 'man'}, {age}"
    if c in ("disability", "dibao", "relocated", "land_lost"):
        known = [k for k in cat.get("statuses") or () if k in statuses.KINDS]
        return "、".join(statuses.label(k, lang) for k in known)
    if c == "zero_employment":
        return {"zh": "家庭中劳动年龄成员均未就业", "bo": "ཁྱིམ་མི་ལས་ཀར་མ་ཞུགས།"}.get(
            lang, "no member of working age employed"
        )
    if c == "long_unemployed":
        since, months = cat.get("since"), cat.get("months")
        if zh:
            return f"自{since}起失业，已{months}个月"
        if bo:
            return f"{since} ནས་ལས་མེད། ཟླ་{months}"
        return f"unemployed since {since}, {months} months"
    if c == "graduate":
        year, months = cat.get("year"), cat.get("months")
        if zh:
            return f"{year}年毕业，失业{months}个月"
        if bo:
            return f"{year} ལོར་སློབ་མཐར་ཕྱིན། ཟླ་{months}"
        return f"graduated {year}, unemployed {months} months"
    return ""


def labels(lang: str) -> dict[str, Any]:
    """Everything a help page names, in ``lang``."""
    i = LANGS.index(lang) if lang in LANGS else 0
    county: Callable[[str], str] = lambda code: county_name(code, LANGS[i])  # noqa: E731
    return {
        "categories": pick(CATEGORY_LABELS, lang),
        "channel_names": pick(CHANNEL_LABELS, lang),
        "kind_names": pick(KIND_LABELS, lang),
        "response_names": pick(RESPONSE_LABELS, lang),
        "measure_names": pick(MEASURE_LABELS, lang),
        "states": {s.name: s.label[i] for s in HELP.states},
        "steps": {s.action: s.label[i] for s in HELP.steps},
        "county_name": county,
        "reason": lambda cat: reason(cat, LANGS[i]),
    }
