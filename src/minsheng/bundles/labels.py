"""A bundle part's result as a reader sees it: each field under its name in the reader's
language, codes (schemes, states, counties) by their labels, yes/no for flags, and the
machine's duplicates (``*_fen`` beside a yuan text) left out.

Results are the programmes' own dictionaries, stored as JSON when the part ran; this table
is the one place that names their fields for people (zh, bo, en).
"""

from __future__ import annotations

from typing import Any

from minsheng.cases.engine import workflows
from minsheng.core import divisions
from minsheng.registry import vocab

Label = tuple[str, str, str]  # zh, bo, en

FIELDS: dict[str, Label] = {
    "id": ("编号", "ཨང་རྟགས།", "number"),
    "award_id": ("待遇编号", "ཕོགས་ཀྱི་ཨང་རྟགས།", "award number"),
    "card_id": ("社保卡申领编号", "བྱང་བུའི་ཞུ་ཡིག་ཨང་།", "card application"),
    "number": ("社保卡号", "བྱང་བུའི་ཨང་།", "card number"),
    "enrolment": ("新参保", "འགན་ལེན་གསར་པ།", "new enrolment"),
    "enrolment_id": ("参保编号", "འགན་ལེན་ཨང་།", "enrolment number"),
    "ended": ("终止参保", "མཚམས་བཞག་པའི་འགན་ལེན།", "enrolments ended"),
    "resident_pension_ended": (
        "居民养老保险终止于",
        "སྡོད་དམངས་རྒན་གསོ་མཚམས་འཇོག",
        "resident pension ended on",
    ),
    "scheme": ("险种", "འགན་ལེན་རིགས།", "scheme"),
    "state": ("状态", "གནས་སྟངས།", "state"),
    "county": ("县（区）", "རྫོང་།", "county"),
    "start_month": ("起始月份", "འགོ་འཛུགས་ཟླ་བ།", "first month"),
    "first_day": ("首日", "ཉིན་དང་པོ།", "first day"),
    "last_day": ("末日", "ཉིན་མཇུག་མ།", "last day"),
    "start_date": ("开始日期", "འགོ་འཛུགས་ཚེས་གྲངས།", "start date"),
    "end_date": ("结束日期", "མཇུག་སྒྲིལ་ཚེས་གྲངས།", "end date"),
    "monthly": ("月养老金（元）", "ཟླ་རེའི་རྒན་གསོའི་ཕོགས།", "monthly pension (yuan)"),
    "employer_id": ("单位编号", "ལས་ཁུངས་ཨང་།", "employer number"),
    "employer": ("单位", "ལས་ཁུངས།", "employer"),
    "credit_code": ("统一社会信用代码", "སྤྱི་ཚོགས་ཡིད་རྟོན་ཨང་རྟགས།", "credit code"),
    "wage": ("工资（元/月）", "གླ་ཕོགས།", "wage (yuan a month)"),
    "base": ("缴费基数（元/月）", "འབབ་འཇལ་གཞི་གྲངས།", "contribution base (yuan a month)"),
    "death_date": ("死亡日期", "འདས་པའི་ཚེས་གྲངས།", "date of death"),
    "recorded_before": ("此前已登记", "སྔོན་ལ་ཐོ་བཀོད་ཟིན།", "recorded before"),
    "terminated_on": ("待遇终止于", "ཕོགས་མཚམས་བཅད་པའི་ཚེས།", "pension stopped on"),
    "overpaid": ("多发金额（元）", "ལྷག་སྤྲོད་དངུལ།", "overpaid (yuan)"),
    "recovery_id": ("追回案件编号", "ཕྱིར་ལེན་ཨང་།", "recovery case"),
    "owed_by_heirs": ("继承人应退（元）", "རྒྱུད་འཛིན་པས་ཕྱིར་སྤྲོད་དགོས།", "owed by heirs (yuan)"),
    "amount": ("金额（元）", "དངུལ་འབོར།", "amount (yuan)"),
    "deducted": ("抵扣（元）", "བཅད་པ།", "deducted (yuan)"),
    "payable": ("应发（元）", "སྤྲོད་དགོས།", "payable (yuan)"),
    "cases": ("复核的救助案件", "བསྐྱར་ཞིབ་བྱས་པའི་ཡིག་ཚགས།", "assistance cases reviewed"),
}
YES_NO: dict[bool, Label] = {True: ("是", "ཡིན།", "yes"), False: ("否", "མིན།", "no")}
PENSION_SCHEMES: dict[str, Label] = {
    "employee_pension": ("职工基本养老保险", "ལས་བྱེད་པའི་རྒན་གསོའི་འགན་ལེན།", "employee pension"),
    "resident_pension": ("城乡居民基本养老保险", "སྡོད་དམངས་རྒན་གསོའི་འགན་ལེན།", "resident pension"),
    "work_injury": ("工伤保险", "ལས་རྨས་འགན་ལེན།", "work-injury insurance"),
    "unemployment": ("失业保险", "ལས་མེད་འགན་ལེན།", "unemployment insurance"),
}
#: the workflow whose states a part's ``state`` names, by the part's programme
STATE_WORKFLOW = {"cards": "cards.card", "pensions": "pensions.award"}
HIDDEN = {"skipped", "parts"}  # shown elsewhere on the page


def _lang_index(code: str) -> int:
    return {"zh": 0, "bo": 1, "en": 2}.get(code, 0)


def field(key: str, code: str) -> str:
    """A result field's name in the reader's language (the key itself when unknown)."""
    label = FIELDS.get(key)
    return label[_lang_index(code)] if label else key


def _scheme(value: str, i: int) -> str | None:
    label = PENSION_SCHEMES.get(value) or vocab.SCHEMES.get(value)
    return label[i] if label else None


def _state(value: str, programme: str, i: int) -> str:
    name = STATE_WORKFLOW.get(programme)
    for wf in workflows():
        if wf.name == name:
            for s in wf.states:
                if s.name == value:
                    return s.label[i]
    return value


def value(key: str, v: Any, programme: str, code: str) -> str:
    """One value as text: a code by its label, a flag as yes/no, a county by its name."""
    i = _lang_index(code)
    if isinstance(v, bool):
        return YES_NO[v][i]
    if key == "scheme" and isinstance(v, str):
        return _scheme(v, i) or v
    if key == "state" and isinstance(v, str):
        return _state(v, programme, i)
    if key in ("county", "division_code") and isinstance(v, str):
        found = {d.code: d for d in divisions.all_divisions()}.get(v)
        return found.name(code) if found else v
    if key.endswith("_id") or key == "id":
        return f"#{v}"
    return str(v)


def _scalar(v: Any) -> bool:
    return isinstance(v, str | int | float | bool)


def _record(item: dict[str, Any], programme: str, code: str) -> str:
    return " · ".join(
        f"{field(k, code)} {value(k, v, programme, code)}"
        for k, v in item.items()
        if _scalar(v) and not k.endswith("_fen")
    )


def lines(result: dict[str, Any] | None, programme: str, code: str) -> list[tuple[str, str]]:
    """A part's result as (field, text) lines: scalars by their labels, a list of codes
    joined, a record by its labelled scalar fields; ``*_fen`` duplicates left out."""
    out: list[tuple[str, str]] = []
    for key, v in (result or {}).items():
        if key in HIDDEN or v is None or key.endswith("_fen"):
            continue
        name = field(key, code)
        if _scalar(v):
            out.append((name, value(key, v, programme, code)))
        elif isinstance(v, list) and all(_scalar(x) for x in v):
            key1 = "scheme" if key == "ended" else key
            out.append((name, ", ".join(value(key1, x, programme, code) for x in v) or "—"))
        elif isinstance(v, list):
            for item in v:
                if isinstance(item, dict):
                    out.append((name, _record(item, programme, code)))
        elif isinstance(v, dict):
            out.append((name, _record(v, programme, code)))
    return out
