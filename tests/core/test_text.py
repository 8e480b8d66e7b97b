"""core.text: one check for every free-text value (issue 10 §1, §16)."""

from __future__ import annotations

import unicodedata

import pytest
from hypothesis import given
from hypothesis import strategies as st

from minsheng.core import text
from minsheng.core.errors import ValidationError

CONTROLS = [chr(c) for c in [*range(0x00, 0x20), *range(0x7F, 0xA0)]]
REFUSED_EVERYWHERE = [
    *[c for c in CONTROLS if c not in "\n\t"],
    "\u2028",
    "\u2029",
    "\u202a",
    "\u202b",
    "\u202c",
    "\u202d",
    "\u202e",
    "\u2066",
    "\u2067",
    "\u2068",
    "\u2069",
    "\u200e",
    "\u200f",
    "\u061c",
    "\ufeff",
    "\ufffe",
    "\uffff",
    "\ufdd0",
    "\ud800",
    "\udfff",
]


@pytest.mark.parametrize("ch", REFUSED_EVERYWHERE, ids=lambda c: f"U+{ord(c):04X}")
@pytest.mark.parametrize("kind", list(text.KINDS.values()), ids=lambda k: k.name)
def test_refused_in_every_kind_and_named(ch: str, kind: text.Kind) -> None:
    if ch == "\r" and kind.newlines:
        return  # a carriage return in a note is a line end: normalised to "\n" (below)
    with pytest.raises(ValidationError) as err:
        text.clean(f"a{ch}b", "name_zh", kind)
    e = err.value
    assert e.field == "name_zh" and e.rule.startswith("text_")
    assert "name_zh" in e.zh and "name_zh" in e.en and "name_zh" in e.bo  # zh, en, Tibetan
    assert e.status == 422


@pytest.mark.parametrize("ch", ["\n", "\t"])
@pytest.mark.parametrize("kind", [text.NAME, text.SHORT, text.CODE, text.SEARCH])
def test_line_breaks_and_tabs_only_in_free_text(ch: str, kind: text.Kind) -> None:
    with pytest.raises(ValidationError):
        text.clean(f"a{ch}b", "f", kind)
    assert text.clean(f"a{ch}b", "f", text.FREE) == f"a{ch}b"


def test_a_line_break_at_the_end_of_a_name_is_refused_not_stripped() -> None:
    for tail in ("\n", "\r\n", "\u2029", "\x85"):
        with pytest.raises(ValidationError):
            text.clean("次仁" + tail, "name_zh", text.NAME)


def test_free_text_normalises_line_ends() -> None:
    assert text.clean("一\r\n二\r三\n", "reason", text.FREE) == "一\n二\n三"


@pytest.mark.parametrize("kind", [text.NAME, text.SHORT, text.CODE])
def test_the_bank_separator_is_refused_where_not_meaningful(kind: text.Kind) -> None:
    with pytest.raises(ValidationError) as err:
        text.clean("次仁|5401", "name_zh", kind)
    assert err.value.rule == "text_separator" and "|" in err.value.zh


def test_the_separator_is_fine_in_a_note() -> None:
    assert text.clean("a | b", "note", text.FREE) == "a | b"


def test_codes_have_no_spaces_or_quotes() -> None:
    for bad in ("H 1", "H\u3000 1", 'H"1', "H,1", "H;1"):
        with pytest.raises(ValidationError):
            text.clean(bad, "code", text.CODE)
    assert text.clean("HH-1_a.b", "code", text.CODE) == "HH-1_a.b"


def test_real_names_pass() -> None:
    for name in (
        "次仁",
        "阿沛·阿旺晋美",
        "ཚེ་རིང་དབང་འདུས།",
        "O'Brien-Smith",
        "Zhāng Sān",
        "巴桑 次仁",
    ):
        assert text.clean(name, "name", text.NAME) == unicodedata.normalize("NFC", name)


def test_nfc_and_spaces() -> None:
    assert text.clean("\u3000 Tseri\u0301ng\u00a0 ", "name", text.NAME) == "Tseríng"


def test_length_is_counted_after_normalising() -> None:
    assert text.clean("e\u0301" * 64, "name", text.NAME, max_length=64) == "é" * 64
    with pytest.raises(ValidationError) as err:
        text.clean("x" * 65, "name", text.NAME, max_length=64)
    assert err.value.rule == "text_too_long" and "64" in err.value.zh


def test_empty_when_a_minimum_is_asked() -> None:
    with pytest.raises(ValidationError) as err:
        text.clean("   ", "name_zh", text.NAME, min_length=1)
    assert err.value.rule == "text_empty"


def test_huge_values_are_refused_before_normalising() -> None:
    with pytest.raises(ValidationError) as err:
        text.clean("x" * 10_000_000, "name", text.NAME)
    assert err.value.rule == "text_too_long"


@given(st.text(max_size=80))
def test_whatever_passes_holds_no_line_and_no_separator(value: str) -> None:
    """Property: anything `name` accepts can't become another line or field of a file."""
    try:
        out = text.clean(value, "name", text.NAME)
    except ValidationError:
        return
    assert out == unicodedata.normalize("NFC", out)
    assert "|" not in out and not any(unicodedata.category(c) in ("Cc", "Cs") for c in out)
    assert len(out.splitlines()) <= 1
    out.encode("utf-8")  # storable in UTF-8 (PostgreSQL): no lone surrogate left
    assert "\x00" not in out


@pytest.mark.parametrize(
    "ch",
    ["\u200b", "\u200c", "\u200d", "\u00ad", "\U000e0041", "\u3164", "\u115f", "\ue000", "\u0378"],
)
def test_invisible_characters_are_refused(ch: str) -> None:
    """Found by probing: zero-width characters, tag characters and a Hangul filler passed in
    names and reached the bank file — two names that look the same could differ, or a name
    could look blank."""
    for kind in ("name", "short", "code", "free"):
        with pytest.raises(ValidationError) as err:
            text.clean(f"次{ch}仁", "name_zh", kind)
        assert err.value.rule == "text_invisible" and err.value.field == "name_zh"
        assert err.value.bo


def test_a_name_needs_a_letter() -> None:
    with pytest.raises(ValidationError) as err:
        text.clean("·", "name_zh", "name")
    assert err.value.rule == "text_no_letter"
    assert text.clean("བཀྲ་ཤིས།", "name_bo", "name") == "བཀྲ་ཤིས།"
    assert text.clean("O'Brien-Smith", "name", "name") == "O'Brien-Smith"
