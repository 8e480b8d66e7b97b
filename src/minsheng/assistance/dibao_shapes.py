"""The shapes of a region's 低保 payment beyond the plain gap (issue 16 item 8), pure and
vectorised like ``rules.py`` (which composes them in :func:`~rules.dibao_payment`):

- 取整 (:func:`round_money`): each money family's own rounding rule — to the fen (half up), to
  the whole yuan half up, up, or truncated (``assistance.dibao.rounding.*``,
  ``assistance.dibao.addon.<category>.rounding``); never moves an amount by a yuan or more.
- 分档 (:func:`band_share`): ``gap_method: banded`` — the band of the per-capita income (as a
  share of the standard) pays a share of the standard per member (``assistance.dibao.bands``).
- 保底 (:func:`minimum_per_member`): where the benefit is smaller, ``minimum_payment_share`` ×
  the standard per member is paid.
- “三无” (``assistance.dibao.sanwu_payment: full``): the full standard × members.
- 分类施保 (:func:`addon_amounts`): per eligible member of each category (:data:`ADDON_CATEGORIES`)
  a share of the standard or a fixed sum, each with its rounding; a member in several categories
  gets the highest or the sum (``assistance.dibao.addon.combine``).

Every figure is a parameter; Tibet's defaults (exact gap, no minimum, no add-on, to the fen)
leave every amount as it was.
"""

from __future__ import annotations

from fractions import Fraction

import numpy as np

from minsheng.assistance.figures import (
    ADDON,
    ADDON_CATEGORIES,
    ADDON_COMBINE,
    ADDON_COMBINES,
    ADDON_KINDS,
    I64,
    MINIMUM_SHARE,
    ROUNDING,
    ROUNDINGS,
    AssistanceParams,
    Bools,
)

YUAN = 100  # fen


def round_money(num: I64, den: int, rule: str) -> I64:
    """The exact amount ``num / den`` fen (not negative) rounded by ``rule`` (:data:`ROUNDINGS`):
    ``fen`` half up to the fen; ``yuan_half_up`` half up to the yuan; ``yuan_up`` up to the next
    whole yuan; ``yuan_down`` down to the yuan (角分舍去)."""
    if rule == "fen":
        out: I64 = (2 * num + den) // (2 * den)
    elif rule == "yuan_half_up":
        out = (2 * num + YUAN * den) // (2 * YUAN * den) * YUAN
    elif rule == "yuan_up":
        out = -((-num) // (YUAN * den)) * YUAN
    elif rule == "yuan_down":
        out = num // (YUAN * den) * YUAN
    else:
        raise ValueError(f"rounding {rule!r} is not one of {', '.join(ROUNDINGS)}")
    return out


def rounding(p: AssistanceParams, family: str) -> str:
    """The rounding rule of a money family (``benefit``, ``minimum``)."""
    return p.code(ROUNDING[family], ROUNDINGS)


def share_of(standard: I64, share: Fraction, rule: str) -> I64:
    """share × standard, rounded by ``rule``."""
    return round_money(standard * share.numerator, share.denominator, rule)


def band_index(p: AssistanceParams, per_capita: I64, standard: I64) -> I64:
    """The band of each household: the last band whose threshold (per-capita income ÷ standard)
    the per-capita income reaches; −1 where it reaches none."""
    out = np.full(per_capita.shape, -1, dtype=np.int64)
    for i, (threshold, _, _) in enumerate(p.bands()):
        reached = per_capita * threshold.denominator >= standard * threshold.numerator
        out = np.where(reached, i, out)
    return out


def band_share(p: AssistanceParams, band: I64, standard: I64) -> I64:
    """The band's amount per member: its share of the standard, half up to the fen (0 where no
    band applies)."""
    out = np.zeros(band.shape, dtype=np.int64)
    for i, (_, share, _) in enumerate(p.bands()):
        out = np.where(band == i, share_of(standard, share, "fen"), out)
    return out


def minimum_per_member(p: AssistanceParams, standard: I64) -> I64 | None:
    """保底 per member (``minimum_payment_share`` × standard, by ``rounding.minimum``); None where
    the region has no minimum (share 0)."""
    share = p.ratio(MINIMUM_SHARE)
    if share == 0:
        return None
    return share_of(standard, share, rounding(p, "minimum"))


def addon_per_category(p: AssistanceParams, standard: I64, present: Bools) -> I64:
    """Each member's add-on in each category if they belong to it: [member, category] (fen);
    only the categories ``present`` are read (the others are 0)."""
    columns = []
    for c, here in zip(ADDON_CATEGORIES, present.tolist(), strict=True):
        if not here:
            columns.append(np.zeros(standard.shape, dtype=np.int64))
            continue
        kind = p.code(f"{ADDON[c]}.kind", ADDON_KINDS)
        rule = p.code(f"{ADDON[c]}.rounding", ROUNDINGS)
        if kind == "share":
            columns.append(share_of(standard, p.ratio(f"{ADDON[c]}.share"), rule))
        else:
            fixed = np.full(standard.shape, p.fen(f"{ADDON[c]}.amount"), dtype=np.int64)
            columns.append(round_money(fixed, 1, rule))
    return np.stack(columns, axis=-1)


def addon_amounts(p: AssistanceParams, standard: I64, categories: Bools) -> I64:
    """分类施保 per member per month: ``categories[member, category]`` (:data:`ADDON_CATEGORIES`)
    says which the member belongs to, ``standard`` is their household's 低保 standard. A member
    in several categories gets the highest add-on or the sum (``addon.combine``). The caller
    pays it only to members of 低保 households."""
    present: Bools = np.asarray(categories.any(axis=0))
    if not present.any():
        return np.zeros(standard.shape, dtype=np.int64)  # no member in any category
    each = np.where(categories, addon_per_category(p, standard, present), 0)
    if p.code(ADDON_COMBINE, ADDON_COMBINES) == "sum":
        out: I64 = each.sum(axis=-1)
    else:
        out = each.max(axis=-1, initial=0)
    return out.astype(np.int64)
