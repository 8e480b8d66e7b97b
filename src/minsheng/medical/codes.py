"""The named codes of the medical rules (scheme, visit, area, assistance group, catalogue
category): every table is indexed by these, never by arithmetic on bare integers."""

from __future__ import annotations

from enum import IntEnum


class Scheme(IntEnum):
    """险种: the insurance scheme the patient is enrolled in."""

    EMPLOYEE_ACTIVE = 0  # 职工医保（在职）
    EMPLOYEE_RETIRED = 1  # 职工医保（退休）
    RESIDENT = 2  # 城乡居民医保


class Visit(IntEnum):
    OUTPATIENT = 0  # 门诊
    INPATIENT = 1  # 住院


class Area(IntEnum):
    LOCAL = 0  # 本地
    FILED = 1  # 异地已备案
    UNFILED = 2  # 异地未备案


class Group(IntEnum):
    """医疗救助对象类别 (the assistance group; precedence is a parameter, see registry.vocab)."""

    NONE = 0
    TEKUN = 1  # 特困供养人员
    DIBAO = 2  # 低保对象
    DIBAO_EDGE = 3  # 低保边缘
    POVERTY_RETURN = 4  # 返贫致贫人口
    SERIOUS_ILLNESS = 5  # 因病致贫重病患者


class Category(IntEnum):
    """医保目录类别 of a bill line."""

    JIA = 0  # 甲类
    YI = 1  # 乙类
    BING = 2  # 丙类 (out of the catalogue: 全自费)


def codes(enum: type[IntEnum]) -> tuple[str, ...]:
    """The lower-case codes of an enum in index order (``Scheme`` → employee_active, …)."""
    return tuple(m.name.lower() for m in enum)


SCHEMES = codes(Scheme)
VISITS = codes(Visit)
AREAS = codes(Area)
GROUPS = codes(Group)
LEVELS = (1, 2, 3)  # hospital level 一级/二级/三级
CATEGORIES = ("甲", "乙", "丙")
# the settlement layers (``medical.layers.order`` lists them in the order a region settles them)
LAYERS = ("basic", "critical_illness", "assistance", "tilted_assistance", "commercial")
BASIC, CRITICAL, ASSISTANCE, TILTED, COMMERCIAL = LAYERS
THREE_LAYERS = (BASIC, CRITICAL, ASSISTANCE)  # 三重制度 in their usual order (Tibet's)
