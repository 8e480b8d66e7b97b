"""身后一件事 (death of a pensioner): its parts (filled in below)."""

from __future__ import annotations

from minsheng.bundles.parts import Part

DEATH: tuple[Part, ...] = ()
