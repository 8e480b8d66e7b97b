"""A bill's lines parsed and bounded for the rules: every amount a decimal string checked
(range, decimals) and turned into exact integers before anything reaches int64."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from fractions import Fraction

import numpy as np

from minsheng.core import money
from minsheng.core.errors import MinshengError, invalid
from minsheng.medical import rules
from minsheng.medical.schemas import Line


def _decimal(
    text: str, field: str, lo: Decimal, hi: Decimal | None = None, places: int | None = None
) -> Decimal:
    """A decimal within [lo, hi] with at most ``places`` decimals, or a clear error."""
    raw = str(text).strip()
    if len(raw) > 32:
        raise invalid(
            field, "decimal", f"{field}不是数字：{raw[:32]!r}…", f"not a number: {raw[:32]!r}…"
        )
    try:
        value = Decimal(raw)
    except InvalidOperation:
        raise invalid(
            field, "decimal", f"{field}不是数字：{text!r}", f"not a number: {text!r}"
        ) from None
    if not value.is_finite() or value < lo or (hi is not None and value > hi):
        raise invalid(
            field,
            "range",
            f"{field}超出范围：{text}（{lo}–{hi}）",
            f"{field} is out of range: {text} ({lo}–{hi})",
            bo=f"«{field}» ཡི་གྲངས་ཐང་ཚད་ལས་བརྒལ་འདུག ({lo}–{hi})",
        )
    exponent = value.normalize().as_tuple().exponent
    if places is not None and isinstance(exponent, int) and exponent < -places:
        raise invalid(
            field,
            "decimals",
            f"{field}最多{places}位小数：{text}",
            f"{field} has at most {places} decimals: {text}",
            bo=f"«{field}» ཡི་ཚག་རྗེས་གྲངས་ཀ་{places}ལས་མང་བ་མི་ཆོག",
        )
    return value


def parse_lines(lines: list[Line]) -> rules.Lines:
    """The bill's lines as the rules' int64 vectors, every value bounded first.

    Bounds (docs/parameters.md, "Engineering maxima"): unit price and price limit at most
    ``MAX_PRICE_FEN``, quantity at most ``MAX_QUANTITY`` with ``MAX_QUANTITY_DECIMALS``
    decimals, each line's price × quantity at most ``MAX_LINE_FEN`` and the bill's total at
    most ``MAX_BILL_FEN`` — computed exactly in Python integers before anything reaches int64,
    so the vectorised rules (price × quantity numerator, × self-pay share) cannot wrap.
    """
    cat, price, qn, qd, limit, sn, sd = [], [], [], [], [], [], []
    total = 0
    for i, line in enumerate(lines):
        where = f"lines[{i}]"
        q = _QUANTITIES.get(line.quantity)
        if q is None:
            q = _kept(
                _QUANTITIES,
                line.quantity,
                _decimal(
                    line.quantity,
                    f"{where}.quantity",
                    Decimal(0),
                    Decimal(money.MAX_QUANTITY),
                    money.MAX_QUANTITY_DECIMALS,
                ),
            )
        share = _SHARES.get(line.self_pay_first)
        if share is None:
            share = _kept(
                _SHARES,
                line.self_pay_first,
                _decimal(line.self_pay_first, f"{where}.self_pay_first", Decimal(0), Decimal(1), 6),
            )
        unit = _price(line.unit_price, f"{where}.unit_price")
        lim = -1 if line.price_limit is None else _price(line.price_limit, f"{where}.price_limit")
        if unit < 0 or (line.price_limit is not None and lim < 0):
            raise invalid(
                f"{where}.unit_price", "negative", "单价不能为负", "prices cannot be negative"
            )
        if line.category != "乙" and share:
            raise invalid(
                f"{where}.self_pay_first",
                "only_yi",
                "只有乙类项目有先行自付比例",
                "only 乙类 items have a self-pay-first share",
            )
        # exact (fen, or a Fraction of fen), before anything reaches int64
        amount = unit * q.numerator if q.denominator == 1 else unit * q
        if amount > money.MAX_LINE_FEN:
            raise money.too_large(where, money.MAX_LINE_FEN)  # price × quantity of this line
        total = money.checked_sum((total, round(amount)), "lines", money.MAX_BILL_FEN)
        cat.append(rules.CATEGORIES.index(line.category))
        price.append(unit)
        qn.append(q.numerator)
        qd.append(q.denominator)
        limit.append(lim)
        sn.append(share.numerator)
        sd.append(share.denominator)
    return rules.Lines(*[np.array(v, dtype=np.int64) for v in (cat, price, qn, qd, limit, sn, sd)])


# The quantities and self-pay shares already read ("1", "2", "0", "0.1" …: a few values
# recur on nearly every line), each as the exact Fraction its checks let through — only values
# that passed are kept, so a refusal is made (and names its line) every time.
KEPT_VALUES = 4096  # per table: an engineering bound
_QUANTITIES: dict[str, Fraction] = {}
_SHARES: dict[str, Fraction] = {}


def _kept(table: dict[str, Fraction], text: str, value: Decimal) -> Fraction:
    if len(table) >= KEPT_VALUES:
        table.clear()
    made = table[text] = Fraction(value)
    return made


def _price(text: str, field: str) -> int:
    try:
        return money.bounded(money.parse(text, field), field, money.MAX_PRICE_FEN)
    except MinshengError as err:
        if err.rule == "too_large":
            raise money.too_large(field, money.MAX_PRICE_FEN) from None
        raise
