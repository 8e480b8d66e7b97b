"""Marginal-rate scales (segmented payouts such as 大病保险), exact in integer fen.

A scale is a list of brackets (threshold, rate); the payout for an amount ``x`` is
Σ rate_i × (portion of x between threshold_i and threshold_{i+1}), like a tax scale. The sum
is formed exactly as an integer fraction and rounded once, half up, to the fen — for one
amount or a numpy vector of them.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction
from functools import cached_property
from typing import TYPE_CHECKING, Any, overload

import numpy as np
import numpy.typing as npt

if TYPE_CHECKING:
    from minsheng.policy.files import Parameter, ValueInfo

FenArray = npt.NDArray[np.int64]


@dataclass
class MarginalRateScale:
    """A scale as stored in the tree: each bracket's threshold and rate are dated parameters."""

    path: str
    description: str
    brackets: list[tuple[Parameter, Parameter]]


Scale = MarginalRateScale


@dataclass(frozen=True)
class ScaleAt:
    """A scale's thresholds (fen, ascending) and rates on one date."""

    path: str
    thresholds: tuple[int, ...]
    rates: tuple[Decimal, ...]
    infos: tuple[ValueInfo, ...] = ()

    def __post_init__(self) -> None:
        if list(self.thresholds) != sorted(self.thresholds):
            raise ValueError(f"{self.path}: thresholds must ascend")
        if len(self.thresholds) != len(self.rates):
            raise ValueError(f"{self.path}: one rate per threshold")

    @cached_property
    def _integer_rates(self) -> tuple[list[int], int]:
        fracs = [Fraction(r) for r in self.rates]
        den = math.lcm(*(f.denominator for f in fracs)) if fracs else 1
        return [int(f * den) for f in fracs], den

    @property
    def den(self) -> int:
        """The common denominator of the rates (:meth:`raw` is over it)."""
        return self._integer_rates[1]

    def raw(self, amount: FenArray) -> FenArray:
        """The payout on each amount before rounding, as numerators over :attr:`den` — so a
        difference of two payouts can be rounded once (thresholds measured otherwise)."""
        nums, _ = self._integer_rates
        uppers = [*self.thresholds[1:], None]
        x = amount.astype(np.int64, copy=False)
        total = np.zeros_like(x)
        for lo, hi, num in zip(self.thresholds, uppers, nums, strict=True):
            part = np.maximum(x - lo, 0)
            if hi is not None:
                part = np.minimum(part, hi - lo)
            total += part * num
        return total

    @overload
    def calc(self, amount: int) -> int: ...
    @overload
    def calc(self, amount: FenArray) -> FenArray: ...
    def calc(self, amount: int | FenArray) -> int | FenArray:
        """Payout on ``amount`` fen (int or int64 array), rounded half up to the fen once."""
        nums, den = self._integer_rates
        uppers = [*self.thresholds[1:], None]
        if isinstance(amount, np.ndarray):
            return ((2 * self.raw(amount) + den) // (2 * den)).astype(np.int64)
        value = int(amount)
        scalar = 0
        for lo, hi, num in zip(self.thresholds, uppers, nums, strict=True):
            portion = max(value - lo, 0)
            if hi is not None:
                portion = min(portion, hi - lo)
            scalar += portion * num
        return (2 * scalar + den) // (2 * den)

    def marginal_rate(self, amount: int) -> Decimal:
        """The rate of the bracket ``amount`` falls in (0 below the first threshold)."""
        rate = Decimal(0)
        for lo, r in zip(self.thresholds, self.rates, strict=True):
            if amount >= lo:
                rate = r
        return rate

    def to_dict(self) -> dict[str, Any]:
        return {
            "path": self.path,
            "brackets": [
                {"threshold": t, "rate": str(r)}
                for t, r in zip(self.thresholds, self.rates, strict=True)
            ],
        }
