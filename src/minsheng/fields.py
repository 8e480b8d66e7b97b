"""The field types every input schema uses, so every programme inherits the same checks.

Built on :mod:`minsheng.core.text` (free text: NFC, no controls, no separators where not
meaningful, length limits) and the maxima of :mod:`minsheng.core.money` (amounts that no real
case reaches, far below 2^53 fen). A schema says ``name_zh: Name`` or ``unit_price:
PriceText`` and an API, a page form, a CSV import and the CLI all refuse the same values with
the same clear error, naming the field in Chinese, Tibetan and English.

Errors raised inside validation are :class:`pydantic_core.PydanticCustomError` whose ``ctx``
carries ``zh``, ``bo`` and ``en``; :func:`to_minsheng_error` turns a pydantic
``ValidationError`` into a :class:`~minsheng.core.errors.MinshengError` (for the CLI, the
importer and pages), and the web layer reads the same ``ctx`` for its 422 answers.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated, Any

from pydantic import AfterValidator, Field, ValidationInfo
from pydantic import ValidationError as PydanticValidationError
from pydantic_core import PydanticCustomError

from minsheng.core import money, schema_errors, text
from minsheng.core.errors import MinshengError, Problem

MAX_ID = 2**31 - 1  # primary keys are 32-bit on PostgreSQL
RecordId = Annotated[int, Field(ge=1, le=MAX_ID, description="record id")]


def _field(info: ValidationInfo | None) -> str:
    return (info.field_name if info is not None else None) or "value"


def _custom(err: MinshengError) -> PydanticCustomError:
    return PydanticCustomError(
        err.rule, "{en}", {"en": err.en, "zh": err.zh, "bo": err.tibetan, "field": err.field}
    )


def _text(kind: text.Kind, max_length: int, min_length: int) -> Callable[..., str]:
    def check(value: str, info: ValidationInfo) -> str:
        try:
            return text.clean(
                value, _field(info), kind, max_length=max_length, min_length=min_length
            )
        except MinshengError as err:
            raise _custom(err) from None

    return check


def _raw(max_length: int) -> Any:
    # the raw bound, a little above the limit (normalising and stripping may shorten)
    return Field(max_length=4 * max_length + 64)


def _t(kind: text.Kind, max_length: int, min_length: int = 0) -> AfterValidator:
    return AfterValidator(_text(kind, max_length, min_length))


# Explicit aliases (not text_type() calls) so that mypy sees them as types. Each limit is at
# most its column's length (PostgreSQL enforces VARCHAR(n)). A ``Field(max_length=…)`` beside
# one of these types does not narrow it (pydantic keeps one bound): choose the type instead.
Name = Annotated[str, _raw(64), _t(text.NAME, 64, 1)]  # 姓名（汉文）, a person's name
NameBo = Annotated[str, _raw(128), _t(text.NAME, 128)]  # 姓名（藏文）: longer in code points
OrgName = Annotated[str, _raw(200), _t(text.NAME, 200, 1)]  # an employer's / facility's name
ShortText = Annotated[str, _raw(200), _t(text.SHORT, 200)]  # one line: an address, a label
Label = Annotated[str, _raw(100), _t(text.SHORT, 100)]  # a line's item name, a token's name
FreeText = Annotated[str, _raw(2000), _t(text.FREE, 2000)]  # a note (line breaks allowed)
Reason = Annotated[str, _raw(400), _t(text.FREE, 400)]  # a decision's reason
Code = Annotated[str, _raw(32), _t(text.CODE, 32)]  # an identifier: 户号, a vocabulary word
CatalogueCode = Annotated[str, _raw(40), _t(text.CODE, 40)]  # 医保目录编码, admission number
DiagnosisCode = Annotated[str, _raw(20), _t(text.CODE, 20)]  # ICD-10
SearchText = Annotated[str, _raw(100), _t(text.SEARCH, 100)]  # a search query
Username = Annotated[str, _raw(64), _t(text.CODE, 64)]  # a staff sign-in name
IdText = Annotated[str, _raw(32), _t(text.SHORT, 32)]  # an ID or phone number as typed


def text_type(kind: text.Kind, max_length: int, min_length: int = 0) -> Any:
    """A new ``Annotated[str, …]`` checked by :func:`minsheng.core.text.clean` as ``kind``
    (for a limit not above; at runtime only — mypy wants the explicit form)."""
    return Annotated[str, _raw(max_length), _t(kind, max_length, min_length)]


def _money(maximum: int) -> Callable[..., str]:
    def check(value: str, info: ValidationInfo) -> str:
        field = _field(info)
        try:
            fen = money.parse(value, field)
        except MinshengError as err:
            if err.rule == "too_large":  # name this field's own maximum
                raise _custom(money.too_large(field, maximum)) from None
            # Not a decimal amount: left to the service, which parses it again and names the
            # field where it sits (``lines[0].unit_price``); only the bound is checked here.
            return value
        try:
            money.bounded(fen, field, maximum)
        except MinshengError as err:
            raise _custom(err) from None
        return value.strip()

    return check


def _m(maximum: int) -> AfterValidator:
    return AfterValidator(_money(maximum))


_MONEY = Field(max_length=32, description="yuan as a decimal string, e.g. '123.45'")
MoneyText = Annotated[str, _MONEY, _m(money.MAX_AMOUNT_FEN)]
PriceText = Annotated[str, _MONEY, _m(money.MAX_PRICE_FEN)]  # a line's unit price / limit
BalanceText = Annotated[str, _MONEY, _m(money.MAX_BALANCE_FEN)]  # a personal account balance
IncomeText = Annotated[str, _MONEY, _m(money.MAX_INCOME_FEN)]  # a month's income of one kind
ExpenseText = Annotated[str, _MONEY, _m(money.MAX_EXPENSE_FEN)]  # one rigid expense
AssetText = Annotated[str, _MONEY, _m(money.MAX_ASSET_FEN)]  # a household's assets of a kind
PaymentText = Annotated[str, _MONEY, _m(money.MAX_PAYMENT_FEN)]  # one payment (临时救助)


def money_text(maximum: int) -> Any:
    """A decimal string of yuan (``"123.45"``) whose value is within ±``maximum`` fen.

    The string is kept (services parse it to fen with :func:`minsheng.core.money.parse`);
    the sign is left to the service, which names its own rule for a negative amount."""
    return Annotated[str, _MONEY, _m(maximum)]


FenAmount = Annotated[int, Field(ge=-money.MAX_AMOUNT_FEN, le=money.MAX_AMOUNT_FEN)]


def problems_of(err: PydanticValidationError) -> list[Problem]:
    """Each pydantic error as a :class:`Problem` naming the field (zh / bo / en)."""
    out = []
    for e in err.errors():
        field = ".".join(str(p) for p in e.get("loc", ())) or "value"
        ctx = e.get("ctx") or {}
        zh, en, bo = ctx.get("zh"), ctx.get("en"), ctx.get("bo")
        if isinstance(zh, str) and isinstance(en, str):
            out.append(Problem(field, str(e["type"]), zh, en, bo if isinstance(bo, str) else ""))
        else:
            zh, en, bo = schema_errors.describe(e, field)
            out.append(Problem(field, str(e["type"]), zh, en, bo))
    return out


def to_minsheng_error(err: PydanticValidationError) -> MinshengError:
    """A pydantic error as the house's error (the first problem; the rest in ``more``)."""
    first, *more = problems_of(err) or [Problem("value", "invalid", "值无效", "invalid value")]
    return MinshengError(
        field=first.field, rule=first.rule, zh=first.zh, en=first.en, bo=first.bo, more=more
    )
