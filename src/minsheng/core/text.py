"""Free text at the edges: one check for every name, code, note and search typed by anyone.

Whatever a person types may later be written into a bank file, a CSV, a log line or a SQL
parameter. A line break or a field separator inside a name can become another line or another
field there (issue 10 §1); a NUL breaks PostgreSQL; a bidi override makes a name display as
something else. So every free-text value is checked once, where it comes in:

- NFC-normalised (a composed and a decomposed 'é', or Tibetan stacks typed two ways, compare
  equal and are stored one way), stripped of surrounding spaces (not of line breaks: a line
  break at the end of a name is refused like one in the middle);
- refused if it holds a C0 or C1 control character (NUL, tab, CR, LF, ESC, DEL, U+0080–U+009F),
  a line or paragraph separator (U+2028 / U+2029, U+0085), a bidi embedding, override or
  isolate (U+202A–U+202E, U+2066–U+2069, U+200E / U+200F, U+061C), a byte-order mark or
  zero-width no-break space (U+FEFF), a lone surrogate (JSON can carry one; UTF-8 cannot) or a
  non-character (U+FFFE, U+FFFF, …);
- refused if it holds an invisible character: any other format character (Unicode Cf: zero-
  width space and joiners, soft hyphen, tag characters), a private-use or unassigned code
  point, or a filler that renders as nothing (U+115F, U+1160, U+3164, U+FFA0) — each would let
  two names that look the same differ, or a name look blank (found by probing);
- a name must hold at least one letter;
- refused if it holds a separator that is not meaningful in that kind of text (``|``, the bank
  file's field separator, in a name or a code);
- refused if longer than its limit (counted in code points after normalisation).

Kinds (:data:`KINDS`): ``name`` (a person's or an organisation's name, one line), ``short`` (a
one-line label), ``free`` (a note or a reason: line breaks allowed, normalised to ``\\n``),
``code`` (an identifier: no white space at all), ``search`` (a query: one line).

Pure: stdlib only. Errors are :func:`minsheng.core.errors.invalid` naming the field, in
Chinese, Tibetan and English.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

from minsheng.core.errors import ValidationError, invalid

BIDI_CONTROLS = frozenset(
    "\u061c\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069"
)
LINE_SEPARATORS = frozenset("\u2028\u2029\u0085")
FILLERS = frozenset("\u115f\u1160\u3164\uffa0")  # Hangul fillers: letters that show nothing
INVISIBLE_CATEGORIES = ("Cf", "Co", "Cn")  # format, private use, unassigned
FIELD_SEPARATORS = "|"  # the bank file's separator (payroll); never meaningful in a name or code


@dataclass(frozen=True)
class Kind:
    """What a kind of text may hold."""

    name: str
    max_length: int
    newlines: bool = False  # line breaks allowed (normalised to "\n")
    spaces: bool = True  # inner white space allowed
    forbidden: str = ""  # further characters refused (separators not meaningful here)


NAME = Kind("name", 128, forbidden=FIELD_SEPARATORS)
SHORT = Kind("short", 200, forbidden=FIELD_SEPARATORS)
FREE = Kind("free", 2000, newlines=True)
CODE = Kind("code", 64, spaces=False, forbidden=FIELD_SEPARATORS + "\"'`,;<>\\")
SEARCH = Kind("search", 100)
KINDS = {k.name: k for k in (NAME, SHORT, FREE, CODE, SEARCH)}


def _describe(ch: str) -> str:
    """A printable description of one refused character: U+000A LINE FEED."""
    name = unicodedata.name(ch, "") or {
        "\x00": "NULL",
        "\t": "CHARACTER TABULATION",
        "\n": "LINE FEED",
        "\r": "CARRIAGE RETURN",
    }.get(ch, "")
    return f"U+{ord(ch):04X}{' ' + name if name else ''}"


def bad_character(text: str, kind: Kind = SHORT) -> str | None:
    """The first character ``text`` may not hold as ``kind`` (None if every one is fine)."""
    for ch in text:
        if ch == "\n" and kind.newlines:
            continue
        if ch == "\t" and kind.newlines:
            continue  # a tab inside a note is harmless (writers escape it)
        category = unicodedata.category(ch)
        if category in ("Cc", "Cs", "Zl", "Zp"):
            return ch
        if ch in BIDI_CONTROLS or ch in LINE_SEPARATORS or ch == "\ufeff":
            return ch
        if (0xFDD0 <= ord(ch) <= 0xFDEF) or (ord(ch) & 0xFFFE) == 0xFFFE:
            return ch  # non-characters
        if category in INVISIBLE_CATEGORIES or ch in FILLERS:
            return ch
        if ch in kind.forbidden:
            return ch
        if not kind.spaces and category.startswith("Z"):
            return ch
    return None


def clean(
    value: str,
    field: str,
    kind: Kind | str = SHORT,
    *,
    max_length: int | None = None,
    min_length: int = 0,
) -> str:
    """``value`` NFC-normalised and stripped, or a :class:`ValidationError` naming ``field``.

    >>> clean("  次仁  ", "name_zh", "name")
    '次仁'
    >>> clean("a\\r\\nb", "note", "free")
    'a\\nb'
    """
    k = KINDS[kind] if isinstance(kind, str) else kind
    limit = k.max_length if max_length is None else max_length
    if not isinstance(value, str):
        raise invalid(
            field,
            "text_type",
            f"“{field}”应为文本",
            f"{field} must be text",
            bo=f"«{field}» ཡི་གེ་ཞིག་དགོས།",
        )
    if len(value) > 4 * limit + 64:  # refuse before normalising a huge value
        raise too_long(field, limit)
    # A lone surrogate cannot be normalised or stored: refuse it before anything else.
    if any("\ud800" <= ch <= "\udfff" for ch in value):
        raise _bad(field, "\ud800")
    text = unicodedata.normalize("NFC", value)
    if k.newlines:
        text = text.replace("\r\n", "\n").replace("\r", "\n")
    text = _strip(text, k)
    ch = bad_character(text, k)
    if ch is not None:
        raise _bad(field, ch)
    if len(text) > limit:
        raise too_long(field, limit)
    if len(text) < min_length:
        raise invalid(
            field,
            "text_empty",
            f"“{field}”不能为空",
            f"{field} must not be empty",
            bo=f"«{field}» སྟོང་པ་ཡིན་མི་ཆོག",
        )
    if k is NAME and text and not any(unicodedata.category(c)[0] == "L" for c in text):
        raise invalid(
            field,
            "text_no_letter",
            f"“{field}”应含有文字",
            f"{field} must hold at least one letter",
            bo=f"«{field}» ནང་ཡི་གེ་གཅིག་ཡོད་དགོས།",
        )
    return text


def _strip(text: str, kind: Kind) -> str:
    """Spaces (Unicode Zs: space, no-break space, ideographic space) off both ends — not line
    breaks or other controls, which are refused wherever they are (a free text may end in a
    line break: dropped)."""
    start, end = 0, len(text)
    while start < end and unicodedata.category(text[start]) == "Zs":
        start += 1
    while end > start and (
        unicodedata.category(text[end - 1]) == "Zs" or (kind.newlines and text[end - 1] in "\n\t")
    ):
        end -= 1
    return text[start:end]


def too_long(field: str, limit: int) -> ValidationError:
    return invalid(
        field,
        "text_too_long",
        f"“{field}”最多{limit}个字符",
        f"{field} is at most {limit} characters",
        bo=f"«{field}» ཡི་གེ་{limit}ལས་མང་བ་མི་ཆོག",
    )


def _bad(field: str, ch: str) -> ValidationError:
    what = _describe(ch) if ch != "\ud800" else "a lone surrogate (U+D800–U+DFFF)"
    if ch == "|":
        return invalid(
            field,
            "text_separator",
            f"“{field}”不能含有分隔符“|”",
            f"{field} must not contain the separator '|'",
            bo=f"«{field}» ནང་དབྱེ་རྟགས་ '|' འཇུག་མི་ཆོག",
        )
    if unicodedata.category(ch) in ("Cc", "Zl", "Zp") or ch in LINE_SEPARATORS:
        rule, zh_what = "text_control", "控制字符（如换行、制表符、NUL）"
    elif ch in BIDI_CONTROLS:
        rule, zh_what = "text_bidi", "文字方向控制符"
    elif unicodedata.category(ch).startswith("Z"):
        rule, zh_what = "text_space", "空白字符"
    elif unicodedata.category(ch) in INVISIBLE_CATEGORIES or ch in FILLERS:
        rule, zh_what = "text_invisible", "不可见字符"
    else:
        rule, zh_what = "text_character", "不允许的字符"
    return invalid(
        field,
        rule,
        f"“{field}”含有{zh_what}：{what}，请删除",
        f"{field} contains a character that is not allowed here: {what}; remove it",
        bo=f"«{field}» ནང་འཇུག་མི་ཆོག་པའི་ཡིག་རྟགས་ {what} འདུག་པས་སུབ་རོགས།",
    )


#: An idempotency key (``Idempotency-Key``): ASCII letters, digits and ``. _ : -``, at most
#: this long — a UUID or a hospital system's number fits.
KEY_MAX = 64
_KEY_CHARS = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789._:-")


def idempotency_key(
    key: str | None, field: str = "idempotency_key", shortest: int = 1
) -> str | None:
    """An idempotency key as sent (None when absent), or a clear error naming ``field`` —
    never a 500 from a column too short. ``shortest`` lets a caller ask for longer keys."""
    if key is None:
        return None
    if shortest <= len(key) <= KEY_MAX and set(key) <= _KEY_CHARS:
        return key
    raise invalid(
        field,
        "key_format",
        f"幂等键（Idempotency-Key）须为{shortest}至{KEY_MAX}个字母、数字或 . _ : - 字符",
        f"an Idempotency-Key is {shortest} to {KEY_MAX} letters, digits or . _ : - characters",
        bo=f"Idempotency-Key ནི་ཡི་གེ་དང་ཨང་ཀི་ {shortest}–{KEY_MAX} ཡིན་དགོས།",
    )


# Chinese characters and the full-width punctuation that goes with them (（）：、，。 …)
_CHINESE = re.compile(r"[\u3000-\u303f\u3400-\u4dbf\u4e00-\u9fff\uff00-\uffef]")


def zh_en(text: str) -> tuple[str, str]:
    """A parameter file's two-language description — ``"中文说明 English words"``, the Chinese
    first — as (Chinese, English): the English is what follows the last Chinese character,
    when it has Latin letters; otherwise it is empty and everything is the Chinese."""
    last = None
    for m in _CHINESE.finditer(text):
        last = m.end()
    if last is None:
        return "", text.strip()
    rest = text[last:].strip()
    if not re.search(r"[A-Za-z]", rest):
        return text.strip(), ""
    return text[:last].strip(), rest
