"""Languages: Chinese first, Tibetan and English beside it (gettext catalogues via Babel).

Catalogues are the ``.po`` files under ``minsheng/locale``; they are compiled in memory when
first used, so there is no build step and no stale ``.mo``. The language of a request comes
from the ``lang`` cookie, then ``Accept-Language``, then Chinese.
"""

from __future__ import annotations

import gettext
import io
from dataclasses import dataclass
from functools import cache
from importlib import resources

from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po

DOMAIN = "messages"
COOKIE = "lang"


@dataclass(frozen=True)
class Language:
    code: str  # short code used in URLs and cookies: zh | bo | en
    locale: str  # gettext catalogue: zh_CN | bo | en
    html: str  # <html lang>: zh-CN | bo | en
    native: str  # the language's own name


LANGUAGES: dict[str, Language] = {
    "zh": Language("zh", "zh_CN", "zh-CN", "中文"),
    "bo": Language("bo", "bo", "bo", "བོད་ཡིག"),
    "en": Language("en", "en", "en", "English"),
}
DEFAULT = "zh"


@cache
def translations(code: str) -> gettext.NullTranslations:
    lang = LANGUAGES.get(code, LANGUAGES[DEFAULT])
    po = resources.files("minsheng") / "locale" / lang.locale / "LC_MESSAGES" / f"{DOMAIN}.po"
    if not po.is_file():
        return gettext.NullTranslations()
    with po.open("rb") as fh:
        catalog = read_po(fh, locale=lang.locale)
    buf = io.BytesIO()
    write_mo(buf, catalog)
    buf.seek(0)
    return gettext.GNUTranslations(buf)


def gettext_for(code: str) -> gettext.NullTranslations:
    return translations(code if code in LANGUAGES else DEFAULT)


def negotiate(cookie: str | None, accept_language: str | None) -> str:
    """The language code for a request: cookie, then Accept-Language, then Chinese."""
    if cookie in LANGUAGES:
        return cookie
    if accept_language:
        weighted: list[tuple[float, int, str]] = []
        for i, part in enumerate(accept_language.split(",")):
            tag, _, params = part.strip().partition(";")
            q = 1.0
            if params.strip().startswith("q="):
                try:
                    q = float(params.strip()[2:])
                except ValueError:
                    q = 0.0
            primary = tag.strip().lower().split("-")[0]
            if primary in LANGUAGES and q > 0:
                weighted.append((-q, i, primary))
        if weighted:
            return sorted(weighted)[0][2]
    return DEFAULT
