"""Dated, cited policy parameters in OpenFisca's YAML format.

``load()`` gives the parameter tree shipped with Minsheng (``policy/parameters/``) with the
pooling regions' overrides (``policy/regions/``); ``tree.at(date, region)`` gives the values in
force on that date in that region; ``tree.with_overlay(path)`` applies a what-if reform.
"""

from minsheng.policy.files import Parameter, Reference, ValueInfo
from minsheng.policy.overlays import Overlay, load_overlay, parse_overlay
from minsheng.policy.parameters import ParameterTree, Snapshot, load
from minsheng.policy.scale import MarginalRateScale, Scale, ScaleAt

__all__ = [
    "MarginalRateScale",
    "Overlay",
    "Parameter",
    "ParameterTree",
    "Reference",
    "Scale",
    "ScaleAt",
    "Snapshot",
    "ValueInfo",
    "load",
    "load_overlay",
    "parse_overlay",
]
