"""Bill lines: each line split into 全自费 / 超限价自费 / 先行自付 / 政策范围内 (the national
settlement fields), and the registration-fee waiver ("挂一次号管3天")."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from minsheng.medical.tables import Category

I64 = npt.NDArray[np.int64]
Bools = npt.NDArray[np.bool_]


@dataclass
class Lines:
    """Columns of bill line items. Quantities are exact: ``qty_num / qty_den`` units."""

    category: I64  # Category (甲 / 乙 / 丙)
    unit_price: I64  # fen
    qty_num: I64
    qty_den: I64
    price_limit: I64  # fen per unit; −1 for none
    first_share_num: I64  # 乙类 self-pay-first share, exact fraction
    first_share_den: I64


@dataclass
class Split:
    amount: I64
    full_self: I64  # 全自费
    over_limit: I64  # 超限价自费
    self_first: I64  # 先行自付
    policy: I64  # 政策范围内


def _times(price: I64, num: I64, den: I64) -> I64:
    """price × num / den, half up."""
    prod = price * num
    return (2 * prod + den) // (2 * den)


def split_lines(lines: Lines) -> Split:
    """Split each line into 全自费 / 超限价自费 / 先行自付 / 政策范围内 (national fields)."""
    amount = _times(lines.unit_price, lines.qty_num, lines.qty_den)
    limited = (lines.price_limit >= 0) & (lines.unit_price > lines.price_limit)
    allowed = np.where(limited, _times(lines.price_limit, lines.qty_num, lines.qty_den), amount)
    allowed = np.minimum(allowed, amount)
    out_of_catalogue = lines.category == Category.BING
    full_self = np.where(out_of_catalogue, amount, 0)
    over = np.where(out_of_catalogue, 0, amount - allowed)
    first = np.where(
        lines.category == Category.YI,
        (2 * allowed * lines.first_share_num + lines.first_share_den)
        // (2 * lines.first_share_den),
        0,
    )
    policy = np.where(out_of_catalogue, 0, allowed - first)
    return Split(amount, full_self, over, first, policy)


def registration_waived(days_since_same_disease: I64, window_days: int) -> Bools:
    """ "挂一次号管3天": a follow-up visit for the same disease within ``window_days`` of the
    last one pays no registration fee. ``days_since_same_disease`` is −1 when there was none."""
    waived: Bools = (days_since_same_disease >= 0) & (days_since_same_disease <= window_days)
    return waived & (window_days > 0)
