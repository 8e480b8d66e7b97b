"""Errors that name the field and the rule that failed, in Chinese and English.

Every error a user can cause is a :class:`MinshengError`. The web layer turns it into a
4xx answer in the caller's language; the CLI prints it and exits non-zero. Nothing that
raised it has written anything (callers validate before they write, or roll back).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from dataclasses import field as dc_field
from typing import Any


def tibetan_fallback(field: str) -> str:
    """The Tibetan line of an error whose author wrote none: "the value of «field» is wrong"."""
    return f"«{field}» ནང་གི་གྲངས་ཐང་ནོར་འདུག"


@dataclass(frozen=True)
class Problem:
    """One thing wrong with one field: which field, which rule, and why (zh / bo / en)."""

    field: str
    rule: str
    zh: str
    en: str
    bo: str = ""

    def to_dict(self) -> dict[str, str]:
        return {
            "field": self.field,
            "rule": self.rule,
            "zh": self.zh,
            "bo": self.bo or tibetan_fallback(self.field),
            "en": self.en,
        }


@dataclass
class MinshengError(Exception):
    """A user-caused error. ``status`` is the HTTP status the web layer answers with."""

    field: str
    rule: str
    zh: str
    en: str
    status: int = 422
    more: list[Problem] = dc_field(default_factory=list)
    bo: str = ""  # Tibetan; when empty, a generic line naming the field (tibetan_fallback)
    # Work that must be stored although the request is refused (an audit entry saying that
    # someone asked about a person elsewhere): the unit of work runs each with the session
    # after rolling the request back, and commits them (db.unit_of_work).
    after_rollback: list[Callable[[Any], None]] = dc_field(default_factory=list)

    def __post_init__(self) -> None:
        super().__init__(f"{self.field}: {self.rule}: {self.zh} / {self.en}")

    @property
    def tibetan(self) -> str:
        return self.bo or tibetan_fallback(self.field)

    @property
    def problems(self) -> list[Problem]:
        return [Problem(self.field, self.rule, self.zh, self.en, self.bo), *self.more]

    def to_dict(self) -> dict[str, Any]:
        return {
            "error": {
                "field": self.field,
                "rule": self.rule,
                "message": {"zh": self.zh, "bo": self.tibetan, "en": self.en},
                "problems": [p.to_dict() for p in self.problems],
            }
        }

    def __str__(self) -> str:
        return f"{self.field}: {self.zh} / {self.en} [{self.rule}]"


class ValidationError(MinshengError):
    """Bad input: the value of ``field`` breaks ``rule``."""


class NotFoundError(MinshengError):
    """The thing named does not exist."""

    def __init__(self, field: str, zh: str, en: str, bo: str = "") -> None:
        super().__init__(field=field, rule="not_found", zh=zh, en=en, status=404, bo=bo)


class ConflictError(MinshengError):
    """The request clashes with what is stored (a duplicate, an overlap)."""

    def __init__(self, field: str, rule: str, zh: str, en: str, bo: str = "") -> None:
        super().__init__(field=field, rule=rule, zh=zh, en=en, status=409, bo=bo)


def invalid(field: str, rule: str, zh: str, en: str, bo: str = "") -> ValidationError:
    """Shorthand used by validators: ``raise invalid("id_number", "checksum", ..., ...)``."""
    return ValidationError(field=field, rule=rule, zh=zh, en=en, bo=bo)


class ForbiddenError(MinshengError):
    """The caller may not do this (role or region)."""

    def __init__(self, field: str, rule: str, zh: str, en: str, bo: str = "") -> None:
        super().__init__(field=field, rule=rule, zh=zh, en=en, status=403, bo=bo)


class UnauthenticatedError(MinshengError):
    """The caller must sign in first."""

    def __init__(self, zh: str = "请先登录", en: str = "sign in first") -> None:
        super().__init__(field="authorization", rule="unauthenticated", zh=zh, en=en, status=401)
