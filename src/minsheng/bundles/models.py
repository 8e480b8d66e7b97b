"""Bundle tables (一件事一次办): one application (``bundles``), its parts — one per programme
concerned, each with its state and its result or error as JSON (``bundle_parts``) — and the
bundle's life on the case engine (``bundle_events``).

``key`` is the caller's idempotency key (unique, optional); ``done_key`` is the natural key of
a completed application (``retirement:<person>``, ``hire:<person>:<credit code>:<start>`` …),
unique, so the same application retried answers the first bundle and never runs twice.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import CheckConstraint, Date, DateTime, ForeignKey, Integer, String, Text, func
from sqlalchemy.orm import Mapped, mapped_column

from minsheng.db import Base

KINDS = ("retirement", "death", "hire", "card")
STATES = ("received", "done", "refused")
#: done: carried out; refused: this part's error refused the bundle; rolled_back: it was
#: carried out, then undone with the rest; not_run: a part before it refused; skipped: nothing
#: to do for this person (the result says why)
PART_STATES = ("done", "refused", "rolled_back", "not_run", "skipped")


def _in(column: str, values: tuple[str, ...]) -> str:
    return f"{column} IN ({', '.join(repr(v) for v in values)})"


class Bundle(Base):
    """One application of a bundle for one person, filed in ``division_code``."""

    __tablename__ = "bundles"

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(12))
    person_id: Mapped[int] = mapped_column(ForeignKey("persons.id"), index=True)
    division_code: Mapped[str] = mapped_column(String(6), index=True)
    state: Mapped[str] = mapped_column(String(12))
    key: Mapped[str | None] = mapped_column(String(80), unique=True)  # the caller's key
    done_key: Mapped[str | None] = mapped_column(String(120), unique=True)  # once done
    form: Mapped[str] = mapped_column(Text)  # the one form, as JSON
    error: Mapped[str | None] = mapped_column(Text)  # the refusing part's error, as JSON
    day: Mapped[dt.date] = mapped_column(Date)
    by: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[dt.datetime] = mapped_column(
        DateTime(timezone=True), server_default=func.now()
    )

    __table_args__ = (
        CheckConstraint(_in("kind", KINDS), name="kind"),
        CheckConstraint(_in("state", STATES), name="state"),
    )


class BundlePart(Base):
    """One programme's part of a bundle: its state and what it did (or why it refused)."""

    __tablename__ = "bundle_parts"

    id: Mapped[int] = mapped_column(primary_key=True)
    bundle_id: Mapped[int] = mapped_column(ForeignKey("bundles.id"), index=True)
    seq: Mapped[int] = mapped_column(Integer)
    name: Mapped[str] = mapped_column(String(24))
    programme: Mapped[str] = mapped_column(String(16))
    state: Mapped[str] = mapped_column(String(12))
    result: Mapped[str | None] = mapped_column(Text)  # JSON
    error: Mapped[str | None] = mapped_column(Text)  # JSON

    __table_args__ = (CheckConstraint(_in("state", PART_STATES), name="state"),)


class BundleEvent(Base):
    """One step of a bundle's life (the case engine's ``Event``)."""

    __tablename__ = "bundle_events"

    id: Mapped[int] = mapped_column(primary_key=True)
    bundle_id: Mapped[int] = mapped_column(ForeignKey("bundles.id"), index=True)
    at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
    day: Mapped[dt.date] = mapped_column(Date)
    action: Mapped[str] = mapped_column(String(24))
    from_state: Mapped[str | None] = mapped_column(String(12))
    to_state: Mapped[str] = mapped_column(String(12))
    note: Mapped[str | None] = mapped_column(String(400))
    by: Mapped[str] = mapped_column(String(64))
