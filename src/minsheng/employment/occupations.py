"""The national occupational classification (中华人民共和国职业分类大典, 2022): the groups shipped
in ``data/occupations.yaml`` with codes and names in Chinese, Tibetan (where known) and English,
used for seekers, vacancies, training and statistics.

A code's level is read from its shape: ``4`` a major group (大类), ``4-02`` a middle group (中类),
``4-02-01`` a minor group (小类), ``4-02-01-01`` an occupation (职业). :func:`get` answers a code
the file holds, or refuses the field in three languages; :func:`major_of` gives any code's major
group, so statistics can group by it whatever depth a record was coded at.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache
from importlib import resources

import yaml

from minsheng.core.errors import invalid

CODE = re.compile(r"[1-8](-\d{2}){0,3}\Z")
LEVELS = ("major", "middle", "minor", "occupation")


@dataclass(frozen=True)
class Occupation:
    code: str
    zh: str
    bo: str
    en: str

    @property
    def level(self) -> str:
        return LEVELS[self.code.count("-")]

    @property
    def parent(self) -> str | None:
        return self.code.rsplit("-", 1)[0] if "-" in self.code else None

    def name(self, lang: str) -> str:
        return {"zh": self.zh, "bo": self.bo or self.zh, "en": self.en or self.zh}.get(
            lang, self.zh
        )


@cache
def table() -> dict[str, Occupation]:
    """Every shipped group, by code, in the file's order."""
    text = (resources.files("minsheng.employment") / "data" / "occupations.yaml").read_text("utf-8")
    data = yaml.safe_load(text)
    out: dict[str, Occupation] = {}
    for g in data["groups"]:
        code = str(g["code"])
        assert CODE.match(code), code
        out[code] = Occupation(code, g["zh"], g.get("bo") or "", g.get("en") or "")
    return out


def get(code: object, field: str = "occupation") -> Occupation:
    """The group of ``code``, or a 422 naming ``field``."""
    found = table().get(code) if isinstance(code, str) else None
    if found is None:
        raise invalid(
            field,
            "occupation",
            "职业代码不在《职业分类大典（2022年版）》中",
            "the occupation code is not in the 2022 national occupational classification",
            bo="ལས་རིགས་ཀྱི་ཨང་རྟགས་ནོར་འདུག",
        )
    return found


def major_of(code: str) -> str:
    return code.split("-", 1)[0]


def children(code: str | None) -> list[Occupation]:
    """The groups directly under ``code`` (None: the major groups)."""
    return [o for o in table().values() if o.parent == code]


__all__ = ["CODE", "LEVELS", "Occupation", "children", "get", "major_of", "table"]
