"""Minsheng 民生 — a platform for a region's people's-livelihood programmes."""

__version__ = "0.1.0"
