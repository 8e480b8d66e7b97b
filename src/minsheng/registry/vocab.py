"""Controlled vocabularies of the registry, with their Chinese, Tibetan and English labels."""

from __future__ import annotations

from typing import Final

from minsheng.core import statuses

Label = statuses.Label  # (zh, bo, en)

SEXES: Final[dict[str, Label]] = {
    "M": ("男", "ཕོ།", "male"),
    "F": ("女", "མོ།", "female"),
}

HUKOU: Final[dict[str, Label]] = {  # 户籍性质
    "urban": ("城镇", "གྲོང་ཁྱེར།", "urban"),
    "rural": ("农村", "གྲོང་གསེབ།", "rural"),
}

RELATIONSHIPS: Final[dict[str, Label]] = {  # 与户主关系
    "head": ("户主", "ཁྱིམ་བདག", "head of household"),
    "spouse": ("配偶", "བཟའ་ཟླ།", "spouse"),
    "child": ("子女", "བུ་ཕྲུག", "child"),
    "parent": ("父母", "ཕ་མ།", "parent"),
    "grandchild": ("孙子女", "ཚ་བོ་ཚ་མོ།", "grandchild"),
    "grandparent": ("祖父母", "མེས་པོ་རྨོལ་མོ།", "grandparent"),
    "sibling": ("兄弟姐妹", "སྤུན་མཆེད།", "sibling"),
    "child_in_law": ("儿媳女婿", "མནའ་མ་དང་མག་པ།", "child-in-law"),
    "other": ("其他", "གཞན།", "other"),
}

SCHEMES: Final[dict[str, Label]] = {  # 参保类别
    "employee_active": (
        "职工医保（在职）",
        "ལས་བྱེད་པའི་གསོ་བཅོས་འགན་ལེན།（ལས་ཐོག）",
        "employee, working",
    ),
    "employee_retired": (
        "职工医保（退休）",
        "ལས་བྱེད་པའི་གསོ་བཅོས་འགན་ལེན།（ངལ་གསོ）",
        "employee, retired",
    ),
    "resident": ("城乡居民医保", "གྲོང་གསེབ་སྡོད་དམངས་གསོ་བཅོས་འགན་ལེན།", "urban and rural residents"),
}

STATUS_KINDS: Final[dict[str, Label]] = statuses.KINDS  # 特殊身份: the one vocabulary

FACILITY_LEVELS: Final[dict[int, Label]] = {
    1: ("一级", "རིམ་པ་དང་པོ།", "level 1"),
    2: ("二级", "རིམ་པ་གཉིས་པ།", "level 2"),
    3: ("三级", "རིམ་པ་གསུམ་པ།", "level 3"),
}

DISABILITY_GRADES: Final[tuple[int, ...]] = (1, 2, 3, 4)


def label(table: dict[str, Label] | dict[int, Label], key: str | int, lang: str = "zh") -> str:
    zh, bo, en = table[key]  # type: ignore[index]
    return {"zh": zh, "bo": bo, "en": en}.get(lang, zh)
