"""Settings from the environment (12-factor): one place that reads ``MINSHENG_*``."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class Settings:
    database_url: str
    data_dir: Path

    @classmethod
    def from_env(cls) -> Settings:
        data_dir = Path(os.environ.get("MINSHENG_DATA_DIR", "var")).resolve()
        url = os.environ.get("MINSHENG_DATABASE_URL") or f"sqlite:///{data_dir / 'minsheng.db'}"
        return cls(database_url=normalise_url(url), data_dir=data_dir)


def normalise_url(url: str) -> str:
    """Accept plain ``postgresql://`` URLs and use the psycopg 3 driver for them."""
    if url.startswith("postgres://"):
        url = "postgresql://" + url[len("postgres://") :]
    if url.startswith("postgresql://"):
        url = "postgresql+psycopg://" + url[len("postgresql://") :]
    return url
