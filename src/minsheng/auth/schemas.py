"""Shapes of the security API."""

from __future__ import annotations

import datetime as dt
from typing import Any

from pydantic import BaseModel, Field

from minsheng.fields import Code, IdText, Label, Username


class LoginIn(BaseModel):
    username: Username
    password: str = Field(max_length=256)


class OtpIn(BaseModel):
    id_number: IdText


class OtpVerifyIn(BaseModel):
    id_number: IdText
    code: Code


class WhoAmI(BaseModel):
    kind: str
    name: str
    role: str | None
    region: str | None
    permissions: list[str]
    csrf_token: str | None = None


class UserIn(BaseModel):
    username: Username
    password: str = Field(max_length=256)
    role: Code
    region_code: Code
    display_name: Label | None = None


class UserOut(BaseModel):
    id: int
    username: str
    display_name: str
    role: str
    region_code: str
    active: bool


class TokenIn(BaseModel):
    name: Label
    scopes: list[Code] = Field(max_length=100)
    expires_at: dt.datetime | None = None


class TokenOut(BaseModel):
    id: int
    name: str
    prefix: str
    scopes: list[str]
    token: str | None = Field(default=None, description="shown once, at creation")


class AuditOut(BaseModel):
    id: int
    at: str
    actor: str
    role: str | None
    action: str
    resource: str
    record_id: str | None
    region: str | None
    ip: str | None
    detail: dict[str, Any]
    hash: str


class AuditPage(BaseModel):
    total: int
    items: list[AuditOut]
