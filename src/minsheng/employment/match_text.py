"""Tokens for full-text search, the same for indexing and for queries.

- Chinese runs are cut into words by jieba (its dictionary loaded once, on first use, with its
  logging quiet); a run of two or more characters also gives its single characters (so a query
  of one character still finds it) and then its character bigrams, in order (so a query word
  matches wherever its characters stand together, however jieba cut the text: a two-character
  word is itself a bigram, a longer one is the phrase of its bigrams — rare tokens, unlike
  single characters, so the phrase is cheap to look up).
- Tibetan is split into syllables at the tsheg (་) and the shad (།, ༎ …); each syllable is a
  token.
- Latin letters and digits form words, lower-cased.

Everything else (punctuation, spaces, symbols) separates tokens. :func:`tokens` answers the
list in order (duplicates kept), :func:`text` the space-joined string stored in the index.
"""

from __future__ import annotations

import logging
import re
import threading
from functools import cache
from typing import Any

# a run of Han characters, of Tibetan letters/vowel signs, or of Latin letters and digits
_RUNS = re.compile(r"([\u3400-\u9fff\uf900-\ufaff]+)|([\u0f40-\u0fbc]+)|([0-9A-Za-z]+)")
_LOCK = threading.Lock()
MAX_TOKENS = 2000  # a document longer than this is indexed by its first tokens
MAX_LATIN = 64  # a longer Latin/digit run is cut (no word is longer)


@cache
def _jieba() -> Any:
    with _LOCK:
        import jieba

        jieba.setLogLevel(logging.WARNING)
        logging.getLogger("jieba").setLevel(logging.WARNING)
        jieba.initialize()
        return jieba


def bigrams(run: str) -> list[str]:
    """The run's character bigrams in order (``"化学原料"`` → 化学, 学原, 原料)."""
    return [run[i : i + 2] for i in range(len(run) - 1)]


def _han(run: str) -> list[str]:
    if len(run) == 1:
        return [run]
    # a word of two characters is one of the run's bigrams, one character one of its characters
    longer = [w for w in _jieba().lcut(run, HMM=False) if len(w) > 2]
    return [*longer, *run, *bigrams(run)]


def tokens(value: str | None) -> list[str]:
    """The search tokens of ``value`` in order."""
    if not value:
        return []
    out: list[str] = []
    for m in _RUNS.finditer(value):
        han, tibetan, latin = m.groups()
        if han:
            out.extend(_han(han))
        elif tibetan:
            out.append(tibetan)
        elif latin:
            out.append(latin.lower()[:MAX_LATIN])
        if len(out) >= MAX_TOKENS:
            return out[:MAX_TOKENS]
    return out


def text(*values: str | None) -> str:
    """The space-joined tokens of ``values`` (what the index stores)."""
    return " ".join(t for v in values for t in tokens(v))


def _han_words(run: str) -> list[str]:
    """jieba's words of a query's Chinese run, consecutive single characters joined (a word
    jieba does not know, e.g. part of one, is looked for as its bigrams in a row)."""
    out: list[str] = []
    single = False
    for word in _jieba().lcut(run, HMM=False) if len(run) > 1 else [run]:
        if len(word) == 1 and single:
            out[-1] += word
        else:
            out.append(word)
        single = len(word) == 1
    return out


def query_groups(q: str | None, limit: int = 12) -> list[tuple[str, ...]]:
    """A query's terms, each as alternatives: ``(word,)`` — a single character, a two-character
    word (a bigram of the text), a Tibetan syllable or a Latin word — or for a Chinese word of
    three or more characters ``(word, b1, b2, …)``: the word, or else its bigrams in a row (jieba
    may cut the query differently from the text it is looking for). At most ``limit`` distinct
    groups."""
    if not q:
        return []
    out: dict[tuple[str, ...], None] = {}
    for m in _RUNS.finditer(q[:500]):
        han, tibetan, latin = m.groups()
        if han:
            for word in _han_words(han):
                out.setdefault((word, *bigrams(word)) if len(word) > 2 else (word,), None)
        elif tibetan:
            out.setdefault((tibetan,), None)
        elif latin:
            out.setdefault((latin.lower()[:MAX_LATIN],), None)
    return list(out)[:limit]


__all__ = ["MAX_LATIN", "MAX_TOKENS", "bigrams", "query_groups", "text", "tokens"]
