"""Senders of one-time codes. Pluggable: the console sender (default) logs the code with the
phone number masked; the memory sender keeps codes for tests; an SMS gateway plugs in here."""

from __future__ import annotations

from typing import Protocol

import structlog

from minsheng.core.ids import mask_phone

log = structlog.get_logger("minsheng.auth.otp")


class OtpSender(Protocol):
    def send(self, phone: str | None, person_id: int, code: str) -> None: ...


class ConsoleSender:
    """Development sender: writes the code to the server log (phone masked)."""

    def send(self, phone: str | None, person_id: int, code: str) -> None:
        log.info("otp.sent", to=mask_phone(phone), person_id=person_id, code=code)


class MemorySender:
    """Test sender: remembers the last code per person."""

    def __init__(self) -> None:
        self.sent: dict[int, str] = {}

    def send(self, phone: str | None, person_id: int, code: str) -> None:
        self.sent[person_id] = code


def make_sender(name: str) -> OtpSender:
    if name == "memory":
        return MemorySender()
    if name == "console":
        return ConsoleSender()
    raise ValueError(f"unknown OTP sender {name!r} (console, memory)")
