"""Money is integer fen (分). Decimal strings at the edges; no float ever holds money.

- :func:`parse` turns "12.34", ``Decimal("12.34")`` or an ``int`` of yuan into fen; it refuses
  floats and more than two decimals.
- :func:`fmt` writes fen as ``¥1,234.56``.
- Maxima (documented and reasoned in docs/parameters.md, "Engineering maxima"): every amount
  that comes in has a ceiling no real case reaches, far below 2^53 fen (so a JavaScript client
  reads it exactly) and far below 2^63 (so int64 arithmetic on sums of them cannot wrap).
  :func:`parse` refuses anything beyond :data:`MAX_AMOUNT_FEN`; :func:`bounded` checks a field's
  own maximum; :func:`checked_mul` / :func:`checked_sum` compute exactly (Python ints) and raise
  a clear error instead of wrapping.
- :func:`apply_ratio` is the one rounding rule (half up, to the fen) for ratio × amount,
  for a scalar or a numpy vector. Ratios are exact decimals (``Decimal("0.7")``), turned into
  an integer fraction so the product is exact before it is rounded once.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from decimal import Decimal, InvalidOperation
from fractions import Fraction
from typing import overload

import numpy as np
import numpy.typing as npt

from minsheng.core.errors import ValidationError, invalid

Fen = int
FenArray = npt.NDArray[np.int64]
Ratio = Decimal | Fraction | int

FEN_PER_YUAN = 100

# --- engineering maxima (docs/parameters.md, "Engineering maxima"); not policy figures.
YUAN = FEN_PER_YUAN
MAX_AMOUNT_FEN = 10_000_000_000 * YUAN  # ¥10 billion: no single amount of any kind is larger
MAX_PRICE_FEN = 50_000_000 * YUAN  # ¥50 million: a line's unit price or price limit
MAX_QUANTITY = 100_000  # units on one bill line
MAX_QUANTITY_DECIMALS = 4  # 0.0001 of a unit
MAX_LINE_FEN = 100_000_000 * YUAN  # ¥100 million: price × quantity of one line
MAX_BILL_FEN = 100_000_000 * YUAN  # ¥100 million: one bill's total
MAX_BALANCE_FEN = 10_000_000 * YUAN  # ¥10 million: a personal account balance
MAX_INCOME_FEN = 10_000_000 * YUAN  # ¥10 million: one person's income of one kind in one month
MAX_EXPENSE_FEN = 100_000_000 * YUAN  # ¥100 million: one rigid expense (as large as a bill)
MAX_ASSET_FEN = 1_000_000_000 * YUAN  # ¥1 billion: a household's assets of one kind
MAX_PAYMENT_FEN = 10_000_000 * YUAN  # ¥10 million: one assistance payment or request
JS_SAFE_FEN = 2**53 - 1  # every maximum above (and sums of them) stays below this
assert MAX_AMOUNT_FEN * 1000 < JS_SAFE_FEN


# An amount as people write it: an optional sign, ASCII digits (commas only between whole
# groups of three), an optional point and decimals; how many digits is for the maximum to say.
# The plain form — ASCII digits, at most two decimals, nothing around them — read without
# Decimal (the same value and the same bound as the general path below, which reads the rest)
_PLAIN = re.compile(r"(\d{1,20})(?:\.(\d{1,2}))?", re.ASCII)
AMOUNT_TEXT = re.compile(r"[+-]?(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d+)?", re.ASCII)


def parse(value: str | Decimal | int, field: str = "amount") -> Fen:
    """Parse an amount in yuan into fen.

    >>> parse("12.34")
    1234
    """
    if isinstance(value, bool | float):
        raise invalid(
            field,
            "no_float",
            "金额不能是浮点数，请用字符串或整数",
            "amounts must not be floats; send a decimal string",
        )
    if isinstance(value, int):
        return bounded(value * FEN_PER_YUAN, field)
    if isinstance(value, str):
        plain = _PLAIN.fullmatch(value)  # "1234" or "1234.5" or "1234.56": most amounts sent
        if plain is not None:
            yuan, cents = plain.groups()
            fen = int(yuan) * FEN_PER_YUAN + (int(cents.ljust(2, "0")) if cents else 0)
            if fen > MAX_AMOUNT_FEN:
                raise too_large(field, MAX_AMOUNT_FEN)
            return fen
        text = value.strip().removeprefix("¥").removeprefix("￥").strip()
        if not AMOUNT_TEXT.fullmatch(text):
            # ASCII digits only, one point, commas only as whole thousands groups: "1,5" is a
            # decimal-comma typo (not ¥15), and "1e3", "1_000", "１２３" are no amounts a person
            # writes — Decimal() would take them all
            raise invalid(
                field,
                "decimal",
                f"金额格式不正确：{value[:40]!r}（例：1234.56 或 1,234.56）",
                f"not a decimal amount: {value[:40]!r} (e.g. 1234.56 or 1,234.56)",
                f"«{field}» དངུལ་གྲངས་ཀྱི་རྣམ་པ་ནོར་འདུག (དཔེར་ན། 1234.56)",
            )
        try:
            dec = Decimal(text.replace(",", ""))
        except InvalidOperation:  # pragma: no cover - the pattern admits only decimals
            raise invalid(
                field, "decimal", f"金额格式不正确：{value!r}", f"not a decimal amount: {value!r}"
            ) from None
    elif isinstance(value, Decimal):
        dec = value
    else:
        raise invalid(field, "type", "金额类型不正确", f"unsupported amount type {type(value)}")
    if not dec.is_finite():
        raise invalid(field, "finite", "金额必须是有限数", "amount must be finite")
    # Before any arithmetic on it, and without the decimal context (which would round, or
    # overflow on "1e999999999"): copy_abs and comparisons are exact.
    if dec.adjusted() > 20 or dec.copy_abs() > Decimal(MAX_AMOUNT_FEN).scaleb(-2):
        raise too_large(field, MAX_AMOUNT_FEN)
    exponent = dec.as_tuple().exponent
    if isinstance(exponent, int) and exponent < -2 and dec != dec.quantize(Decimal("0.01")):
        raise invalid(
            field,
            "two_decimals",
            "金额最多两位小数（精确到分）",
            "at most two decimals (to the fen)",
        )
    return int(dec.scaleb(2))


def too_large(field: str, maximum: Fen) -> ValidationError:
    """The error for an amount beyond its maximum (never a wrapped number, never a 500)."""
    return invalid(
        field,
        "too_large",
        f"“{field}”金额过大：最多{fmt(maximum)}",
        f"{field} is too large: at most {fmt(maximum)}",
        bo=f"«{field}» ཡི་དངུལ་གྲངས་ཆེ་དྲགས་འདུག {fmt(maximum)} ལས་བརྒལ་མི་ཆོག",
    )


def bounded(fen: Fen, field: str, maximum: Fen = MAX_AMOUNT_FEN) -> Fen:
    """``fen`` if ``|fen| <= maximum``, else a clear ``too_large`` error naming ``field``."""
    if abs(fen) > maximum:
        raise too_large(field, maximum)
    return fen


def checked_mul(a: int, b: int, field: str, maximum: Fen = MAX_AMOUNT_FEN) -> int:
    """a × b, exact, or a ``too_large`` error if ``|a × b| > maximum`` (never wraps)."""
    return bounded(int(a) * int(b), field, maximum)


def checked_sum(values: Iterable[int], field: str, maximum: Fen = MAX_AMOUNT_FEN) -> int:
    """The exact sum, or a ``too_large`` error as soon as a partial sum passes ``maximum``."""
    total = 0
    for v in values:
        total += int(v)
        if abs(total) > maximum:
            raise too_large(field, maximum)
    return total


def check_array(values: FenArray, field: str, maximum: Fen = MAX_AMOUNT_FEN) -> FenArray:
    """An int64 vector whose every element is within ±maximum (checked, not assumed)."""
    if values.size and max(int(values.max()), -int(values.min())) > maximum:
        raise too_large(field, maximum)
    return values


def to_decimal(fen: Fen) -> Decimal:
    """Fen as a Decimal of yuan with two places: 1234 → Decimal('12.34')."""
    return (Decimal(fen) / FEN_PER_YUAN).quantize(Decimal("0.01"))


def to_str(fen: Fen) -> str:
    """Fen as a plain decimal string of yuan, for JSON: 1234 → '12.34'."""
    return str(to_decimal(fen))


def fmt(fen: Fen) -> str:
    """Fen formatted for people: 123456 → '¥1,234.56', -5 → '-¥0.05'."""
    sign = "-" if fen < 0 else ""
    yuan, cents = divmod(abs(fen), FEN_PER_YUAN)
    return f"{sign}¥{yuan:,}.{cents:02d}"


def _fraction(ratio: Ratio) -> Fraction:
    if isinstance(ratio, float):
        raise TypeError("ratios must be Decimal, Fraction or int, not float")
    return Fraction(ratio)


@overload
def apply_ratio(amount: Fen, ratio: Ratio) -> Fen: ...
@overload
def apply_ratio(amount: FenArray, ratio: Ratio) -> FenArray: ...
def apply_ratio(amount: Fen | FenArray, ratio: Ratio) -> Fen | FenArray:
    """ratio × amount, rounded half up (away from zero on a tie) to the fen.

    The one rounding rule of Minsheng. Works on an int or an int64 array of fen.

    >>> apply_ratio(15, Decimal("0.5"))
    8
    >>> apply_ratio(-15, Decimal("0.5"))
    -8
    """
    frac = _fraction(ratio)
    num, den = frac.numerator, frac.denominator
    if isinstance(amount, np.ndarray):
        a = amount.astype(np.int64, copy=False)
        prod = np.abs(a) * np.int64(num)
        rounded = (2 * prod + den) // (2 * den)
        return np.where(a < 0, -rounded, rounded).astype(np.int64)
    if isinstance(amount, bool) or not isinstance(amount, int | np.integer):
        raise TypeError("amount must be integer fen")
    a_int = int(amount)
    rounded_int = (2 * abs(a_int) * num + den) // (2 * den)
    return -rounded_int if a_int < 0 else rounded_int


IntArray = npt.NDArray[np.int64]


def ratio_table(ratios: list[Decimal] | tuple[Decimal, ...]) -> tuple[list[int], int]:
    """Exact integer numerators over one common denominator: [0.7, 0.85] → ([14, 17], 20)."""
    fracs = [_fraction(r) for r in ratios]
    den = 1
    for f in fracs:
        den = den * f.denominator // _gcd(den, f.denominator)
    return [int(f * den) for f in fracs], den


def _gcd(a: int, b: int) -> int:
    while b:
        a, b = b, a % b
    return a


def apply_ratios(amounts: FenArray, numerators: IntArray, denominator: int) -> FenArray:
    """Element-wise ``amount × numerator / denominator``, rounded half up (away from zero) —
    the same rule as :func:`apply_ratio`, for a different ratio on every row."""
    a = amounts.astype(np.int64, copy=False)
    prod = np.abs(a) * numerators.astype(np.int64, copy=False)
    rounded = (2 * prod + denominator) // (2 * denominator)
    return np.where(a < 0, -rounded, rounded).astype(np.int64)
