"""Structured logs (structlog) that never carry a full ID or phone number.

Every event — ours and the libraries' (uvicorn's access log included) — passes through
:func:`redact`, which masks anything shaped like a resident ID number (18 characters, or the old
15 digits) or a mobile number, wherever it appears in the message or its fields.
"""

from __future__ import annotations

import logging
import os
import re
import sys
from typing import Any

import structlog

from minsheng.core.ids import mask_id, mask_phone

ID_LIKE = re.compile(r"(?<![0-9A-Za-z])(\d{17}[\dXx]|\d{15})(?![0-9A-Za-z])")
PHONE_LIKE = re.compile(r"(?<!\d)(1[3-9]\d{9})(?!\d)")


def redact(text: str) -> str:
    text = ID_LIKE.sub(lambda m: mask_id(m.group(1)), text)
    return PHONE_LIKE.sub(lambda m: mask_phone(m.group(1)) or "", text)


def _redact_value(value: Any) -> Any:
    if isinstance(value, str):
        return redact(value)
    if isinstance(value, dict):
        return {k: _redact_value(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return type(value)(_redact_value(v) for v in value)
    return value


def redact_processor(_logger: Any, _name: str, event: dict[str, Any]) -> dict[str, Any]:
    return {k: _redact_value(v) for k, v in event.items()}


class RedactingFilter(logging.Filter):
    """For stdlib records that skip structlog: mask the formatted message itself."""

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        clean = redact(message)
        if clean != message:
            record.msg, record.args = clean, None
        return True


def configure(json_logs: bool = False, level: int = logging.INFO) -> None:
    shared: list[Any] = [
        structlog.contextvars.merge_contextvars,
        structlog.stdlib.add_log_level,
        structlog.stdlib.add_logger_name,
        structlog.processors.TimeStamper(fmt="iso", utc=True),
        structlog.processors.format_exc_info,
        redact_processor,
    ]
    structlog.configure(
        processors=[*shared, structlog.stdlib.ProcessorFormatter.wrap_for_formatter],
        logger_factory=structlog.stdlib.LoggerFactory(),
        wrapper_class=structlog.stdlib.BoundLogger,
        cache_logger_on_first_use=True,
    )
    renderer: Any = (
        structlog.processors.JSONRenderer(ensure_ascii=False)
        if json_logs
        else structlog.dev.ConsoleRenderer(colors=False)
    )
    formatter = structlog.stdlib.ProcessorFormatter(
        foreign_pre_chain=shared,
        processors=[structlog.stdlib.ProcessorFormatter.remove_processors_meta, renderer],
    )
    handlers: list[logging.Handler] = [logging.StreamHandler(sys.stderr)]
    log_file = os.environ.get("MINSHENG_LOG_FILE")
    if log_file:  # also write every event, as JSON lines, to a file
        file_handler = logging.FileHandler(log_file, encoding="utf-8")
        file_handler.setFormatter(
            structlog.stdlib.ProcessorFormatter(
                foreign_pre_chain=shared,
                processors=[
                    structlog.stdlib.ProcessorFormatter.remove_processors_meta,
                    structlog.processors.JSONRenderer(ensure_ascii=False),
                ],
            )
        )
        handlers.append(file_handler)
    root = logging.getLogger()
    for old in [h for h in root.handlers if getattr(h, "minsheng", False)]:
        root.removeHandler(old)
        old.close()
    for h in handlers:
        if h.formatter is None:
            h.setFormatter(formatter)
        h.addFilter(RedactingFilter())
        h.minsheng = True  # type: ignore[attr-defined]
        root.addHandler(h)
    root.setLevel(level)
    for name in ("uvicorn", "uvicorn.error", "uvicorn.access"):
        lg = logging.getLogger(name)
        # ``--no-access-log`` (uvicorn leaves the access logger without handlers, not passing
        # events on): an operator's choice, kept — it costs a sixth of a small request's CPU
        off = name == "uvicorn.access" and not lg.propagate and not lg.handlers
        lg.handlers[:] = []
        lg.propagate = not off
        lg.disabled = False  # a dictConfig run before (a test server, a library) may disable it
        lg.setLevel(logging.NOTSET)
