"""``lang`` on every span of another language.

The ``runs`` filter cuts a text into runs of one script and wraps each run of Tibetan (U+0F00–
U+0FFF) on a page that is not Tibetan in ``<span lang="bo">``, and each run of Han characters on
a page that is not Chinese in ``<span lang="zh-CN">`` — a person's Chinese name on a Tibetan
page, the "(低保)" inside a translated label, a division's name that has no translation — so a
screen reader speaks it in the right voice and the browser picks the right font. Text of the
page's own language, digits and punctuation are left as they are.
"""

from __future__ import annotations

import re
from typing import Any

from markupsafe import Markup, escape

TIBETAN = re.compile(r"[\u0f00-\u0fff]")
HAN = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\u3000-\u303f\uff00-\uffef]")
# a run: Tibetan letters and the spaces/punctuation between them, or Han and its punctuation
_RUN = re.compile(
    r"(?P<bo>[\u0f00-\u0fff](?:[\u0f00-\u0fff\s]*[\u0f00-\u0fff])?)"
    r"|(?P<zh>[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\u3000-\u303f\uff00-\uffef]"
    r"(?:[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\u3000-\u303f\uff00-\uffef\s·]*"
    r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\u3000-\u303f\uff00-\uffef])?)"
)
HTML_LANG = {"bo": "bo", "zh": "zh-CN"}


def runs(value: Any, page_lang: str) -> Markup:
    """``value`` escaped, with each run of another script in a span naming its language.

    ``page_lang`` is the page's ``<html lang>`` (zh-CN / bo / en)."""
    if isinstance(value, Markup):
        return value
    text = "" if value is None else str(value)
    out: list[str] = []
    pos = 0
    for m in _RUN.finditer(text):
        kind = m.lastgroup or ""
        code = HTML_LANG[kind]
        if code == page_lang:
            continue
        out.append(str(escape(text[pos : m.start()])))
        out.append(f'<span lang="{code}">{escape(m.group())}</span>')
        pos = m.end()
    out.append(str(escape(text[pos:])))
    return Markup("".join(out))


def foreign(value: Any, page_lang: str) -> str:
    """The ``lang`` of the first run of another script in ``value`` ("" when there is none), for
    an element that can hold no span (an ``<option>``, an attribute)."""
    for m in _RUN.finditer("" if value is None else str(value)):
        code = HTML_LANG[m.lastgroup or ""]
        if code != page_lang:
            return code
    return ""
