"""The one vocabulary of special statuses (特殊身份) and the groups they make.

Every place that names a status reads it here: the registry (which kinds a person may hold, and
its check constraint), the assistance workflow (the status a decided case confers), the
synthetic population (each household's group), the pages (the labels) and the medical rules
(through the parameters, which list status codes). ``tests/registry/test_vocabulary.py`` fails
if a kind used anywhere is missing here or lacks a label in Chinese, Tibetan or English.

What is policy is not here but a dated, cited parameter: which status decides a person's
medical-assistance group when they hold several (``medical.assistance.group_precedence``), who
gets 大病保险's "一降一升一取消" (``medical.critical_illness.special_groups.statuses``), whose
pension contributions the government pays (``pensions.resident.government_paid.statuses``).

This module is data only (it imports nothing), so every layer may read it — the pure rules and
the population generator included.
"""

from __future__ import annotations

from typing import Final

Label = tuple[str, str, str]  # (zh, bo, en)

KINDS: Final[dict[str, Label]] = {  # 特殊身份
    "tekun": ("特困人员", "དཀའ་ངལ་ཆེས་ཆེ་བའི་མི་སྣ།", "extreme poverty (特困)"),
    "dibao": ("低保对象", "འཚོ་བའི་མཐིལ་འགན་ལེན།", "minimum living allowance (低保)"),
    "dibao_edge": (
        "低保边缘家庭成员",
        "འཚོ་བའི་མཐིལ་འགན་ལེན་གྱི་མཐའ་མཚམས།",
        "low-income edge family (低保边缘)",
    ),
    "poverty_return": ("返贫致贫人口", "ཡང་བསྐྱར་དབུལ་པོར་གྱུར་པ།", "returned to poverty (返贫致贫)"),
    "border": ("边境一线群众", "མཐའ་མཚམས་ཀྱི་མང་ཚོགས།", "border resident (边境一线)"),
    "disability": ("残疾人", "དབང་པོ་སྐྱོན་ཅན།", "person with disability (残疾)"),
    "unemployed": ("失业人员", "ལས་མེད་མི་སྣ།", "unemployed (失业)"),
    "orphan": ("孤儿", "ཕ་མ་མེད་པའི་ཕྲུ་གུ", "orphan (孤儿)"),
    # recorded from the lists of the bodies that decide them (the relocation programme, the land
    # requisition); they open no payment, only employment help (employment.help.*)
    "relocated": (
        "易地扶贫搬迁人口",
        "ས་གནས་གཞན་དུ་སྤོས་པའི་མི་སྣ།",
        "relocated for poverty alleviation (易地扶贫搬迁)",
    ),
    "land_lost": ("失地农民", "ཞིང་ས་ཤོར་བའི་ཞིང་པ།", "farmer whose land was requisitioned (失地农民)"),
}

# The assistance statuses a person holds at most one of at a time (特困 供养 excludes 低保, and
# 低保边缘 is by definition neither): the registry refuses an overlapping second one.
EXCLUSIVE: Final = frozenset({"tekun", "dibao", "dibao_edge"})

# Which assistance programme's approved case confers which status (programme → status kind);
# a stop or a failed review ends it. Statuses decided by assistance cases:
CONFERRED_BY: Final[dict[str, str]] = {
    "dibao": "dibao",
    "tekun": "tekun",
    "dibao_edge": "dibao_edge",
}
FROM_CASES: Final = frozenset(CONFERRED_BY.values())

# Benefit-conferring statuses: every status that opens a payment (低保, 特困, 边缘; 残疾人两项补贴
# from a disability grade; 孤儿基本生活费) or a medical-assistance group (返贫致贫, 边境居民).
# They come only from a decided assistance case or from an audited import of a decision or
# certificate issued elsewhere by a supervisor — never from one caseworker writing a status.
# What a caseworker records alone opens nothing: 失业 (unemployed).
BENEFIT: Final = FROM_CASES | {"disability", "orphan", "poverty_return", "border"}
NO_CERTIFICATE: Final = frozenset({"border"})  # residence in a border county: nothing to cite

# A household's special group in the synthetic population, by index (0 none): the order of the
# medical rules' groups (``medical.tables.Group``), whose precedence is the parameter above.
GROUPS: Final[tuple[str, ...]] = ("none", "tekun", "dibao", "dibao_edge", "poverty_return")


def label(kind: str, lang: str = "zh") -> str:
    """The kind's label in ``lang`` (zh, bo or en; Chinese otherwise)."""
    zh, bo, en = KINDS[kind]
    return {"zh": zh, "bo": bo, "en": en}.get(lang, zh)
