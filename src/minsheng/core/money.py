"""Money is integer fen (分). Decimal strings at the edges; no float ever holds money.

- :func:`parse` turns "12.34", ``Decimal("12.34")`` or an ``int`` of yuan into fen; it refuses
  floats and more than two decimals.
- :func:`fmt` writes fen as ``¥1,234.56``.
- :func:`apply_ratio` is the one rounding rule (half up, to the fen) for ratio × amount,
  for a scalar or a numpy vector. Ratios are exact decimals (``Decimal("0.7")``), turned into
  an integer fraction so the product is exact before it is rounded once.
"""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from fractions import Fraction
from typing import overload

import numpy as np
import numpy.typing as npt

from minsheng.core.errors import invalid

Fen = int
FenArray = npt.NDArray[np.int64]
Ratio = Decimal | Fraction | int

FEN_PER_YUAN = 100


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
        return value * FEN_PER_YUAN
    if isinstance(value, str):
        text = value.strip().replace(",", "").replace("¥", "").replace("￥", "")
        try:
            dec = Decimal(text)
        except InvalidOperation:
            raise invalid(
                field, "decimal", f"金额格式不正确：{value!r}", f"not a decimal amount: {value!r}"
            ) from None
    elif isinstance(value, Decimal):
        dec = value
    else:
        raise invalid(field, "type", "金额类型不正确", f"unsupported amount type {type(value)}")
    if not dec.is_finite():
        raise invalid(field, "finite", "金额必须是有限数", "amount must be finite")
    exponent = dec.normalize().as_tuple().exponent
    if isinstance(exponent, int) and exponent < -2:
        raise invalid(
            field,
            "two_decimals",
            "金额最多两位小数（精确到分）",
            "at most two decimals (to the fen)",
        )
    return int(dec * FEN_PER_YUAN)


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
