"""The job seeker's profile form, shared by the caseworker's desk and the seeker's phone page:
its fields, the posted values turned into a :class:`ProfileIn`, and the service's field names
(``occupations[1]``) mapped back to the form's (``occupation_2``) so an error sits by its field.

Lists are typed as text separated by commas (``,`` ``，`` ``、``) or chosen in up to three selects
(occupations, counties); languages are checkboxes (Tibetan, Chinese, English) and a text for
others. The choice lists name groups and counties in the page's language."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

from pydantic import ValidationError as PydanticValidationError

from minsheng.core import divisions
from minsheng.core.errors import MinshengError, invalid
from minsheng.employment import occupations
from minsheng.employment.seeker_schemas import ProfileIn
from minsheng.fields import to_minsheng_error

SLOTS = 3  # occupation and county selects on the form
MAIN_LANGUAGES = ("bo", "zh", "en")
PROFILE_FIELDS = (
    "education",
    "major",
    "skills",
    "certificates",
    *(f"occupation_{i}" for i in range(1, SLOTS + 1)),
    "wage_min",
    *(f"county_{i}" for i in range(1, SLOTS + 1)),
    *(f"lang_{c}" for c in MAIN_LANGUAGES),
    "languages_other",
    "available_from",
    "consent",
)
SEPARATORS = re.compile(r"[,，、;；\n]+")
MAX_CHARS = 400  # one posted value: an engineering bound (the schema bounds each item)


def split(text: str) -> list[str]:
    return [p.strip() for p in SEPARATORS.split(text or "") if p.strip()]


def occupation_options(lang: str) -> list[tuple[str, str]]:
    out = [("", "—")]
    for o in occupations.table().values():
        if o.level in ("major", "middle"):
            indent = "" if o.level == "major" else "\u00a0\u00a0"
            out.append((o.code, f"{indent}{o.code} {o.name(lang)}"))
    return out


def county_options(lang: str) -> list[tuple[str, str]]:
    return [("", "—")] + [(c.code, c.name(lang)) for c in divisions.counties()]


def values_of(seeker: dict[str, Any]) -> dict[str, str]:
    """The form's values from a record as :func:`seeker_views.seeker_out` gives it."""
    out: dict[str, str] = {
        "education": seeker.get("education") or "",
        "major": seeker.get("major") or "",
        "skills": "，".join(seeker.get("skills") or []),
        "certificates": "，".join(seeker.get("certificates") or []),
        "wage_min": seeker.get("wage_min") or "",
        "available_from": seeker.get("available_from") or "",
        "consent": "on" if seeker.get("consent") else "",
    }
    for i, code in enumerate((seeker.get("occupations") or [])[:SLOTS], 1):
        out[f"occupation_{i}"] = code
    for i, code in enumerate((seeker.get("counties") or [])[:SLOTS], 1):
        out[f"county_{i}"] = code
    langs = seeker.get("languages") or []
    for c in MAIN_LANGUAGES:
        out[f"lang_{c}"] = "on" if c in langs else ""
    out["languages_other"] = ", ".join(c for c in langs if c not in MAIN_LANGUAGES)
    return out


def _filled(values: dict[str, str], stem: str) -> list[tuple[str, str]]:
    """(form field, value) of the filled selects ``stem_1`` … in order."""
    out = []
    for i in range(1, SLOTS + 1):
        name = f"{stem}_{i}"
        v = values.get(name, "").strip()
        if v:
            out.append((name, v))
    return out


def parse(values: dict[str, str]) -> tuple[ProfileIn, Any]:
    """The profile the form posted, and the renaming of the service's field names to the
    form's; a :class:`MinshengError` naming the form's field when the schema refuses it."""
    occ = _filled(values, "occupation")
    cty = _filled(values, "county")
    langs = [c for c in MAIN_LANGUAGES if values.get(f"lang_{c}") in ("on", "1", "true")]
    others = split(values.get("languages_other", ""))
    raw: dict[str, Any] = {
        "education": values.get("education", "").strip() or None,
        "major": values.get("major", "").strip() or None,
        "skills": split(values.get("skills", "")),
        "certificates": split(values.get("certificates", "")),
        "occupations": [v for _, v in occ],
        "wage_min": values.get("wage_min", "").strip() or None,
        "counties": [v for _, v in cty],
        "languages": langs + others,
        "available_from": values.get("available_from", "").strip() or None,
        "consent": values.get("consent") in ("on", "1", "true"),
    }

    def rename(name: str) -> str | None:
        m = re.match(r"(occupations|counties|languages)[\[.](\d+)\]?", name)
        if m is None:
            return {"skills": "skills", "certificates": "certificates"}.get(name.split(".")[0])
        i = int(m.group(2))
        if m.group(1) == "occupations":
            return occ[i][0] if i < len(occ) else "occupation_1"
        if m.group(1) == "counties":
            return cty[i][0] if i < len(cty) else "county_1"
        return "languages_other"

    try:
        return ProfileIn.model_validate(raw), rename
    except PydanticValidationError as err:
        raise _Refused(to_minsheng_error(err), rename) from None


def status_of(values: dict[str, str]) -> tuple[str, int | None, dt.date | None]:
    """The status form's (status, graduate year, from day), or a refusal naming the field."""
    status = values.get("status", "").strip()
    raw_year = values.get("graduate_year", "").strip()
    year: int | None = None
    if raw_year:
        if not (raw_year.isascii() and raw_year.isdigit() and len(raw_year) == 4):
            raise invalid(
                "graduate_year",
                "year",
                "毕业年份应为四位数字",
                "the year of graduation is four digits",
                "ལོ་ཨང་གྲངས་བཞི་དགོས།",
            )
        year = int(raw_year)
    raw_day = values.get("from_day", "").strip()
    day: dt.date | None = None
    if raw_day:
        try:
            day = dt.date.fromisoformat(raw_day)
        except ValueError:
            raise invalid(
                "from_day", "date", "日期格式应为YYYY-MM-DD", "a date is YYYY-MM-DD", "ཚེས་གྲངས་ནོར།"
            ) from None
    return status, year, day


class _Refused(Exception):
    def __init__(self, error: MinshengError, rename: Any) -> None:
        super().__init__(str(error))
        self.error = error
        self.rename = rename


Refused = _Refused

__all__ = [
    "PROFILE_FIELDS",
    "Refused",
    "county_options",
    "occupation_options",
    "parse",
    "split",
    "status_of",
    "values_of",
]
