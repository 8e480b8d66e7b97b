"""Request-scoped helpers shared by routers: the session factory and the language."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Annotated
from urllib.parse import urlsplit

from fastapi import Path, Request
from sqlalchemy.orm import Session, sessionmaker

from minsheng.db import unit_of_work
from minsheng.fields import MAX_ID
from minsheng.webkit import i18n

PathId = Annotated[int, Path(ge=1, le=MAX_ID, description="record id")]


def factory(request: Request) -> sessionmaker[Session]:
    return request.app.state.sessionmaker  # type: ignore[no-any-return]


@contextmanager
def uow(request: Request, immediate: bool = True) -> Iterator[Session]:
    """One unit of work for a request: commits when the block ends, rolls back on error.

    Handlers open it themselves so that the commit happens before the response is built.
    """
    with unit_of_work(factory(request), immediate) as session:
        yield session


def lang(request: Request) -> str:
    code = getattr(request.state, "lang", None)
    if code is None:
        code = i18n.negotiate(
            request.cookies.get(i18n.COOKIE), request.headers.get("accept-language")
        )
        request.state.lang = code
    return code


def safe_next(target: str | None, default: str = "/") -> str:
    """``target`` when it is a path of this site, else ``default`` (no open redirect).

    Only a relative path that starts with one ``/`` is kept: ``//host``, ``https://host``,
    ``/\\host`` (browsers read a backslash as a slash), and anything holding a control
    character or a space (browsers drop tabs and newlines, so ``/\\t/host`` is ``//host``) are
    refused, as is a path over 2,000 characters."""
    if not target or len(target) > 2000:
        return default
    if any(c in target for c in "\\ ") or any(ord(c) < 0x20 or ord(c) == 0x7F for c in target):
        return default
    if not target.startswith("/") or target.startswith("//"):
        return default
    parts = urlsplit(target)
    if parts.scheme or parts.netloc:
        return default
    return target
