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
    password: str = Field(
        default="", max_length=256, description="not needed for a service account"
    )
    role: Code
    region_code: Code
    display_name: Label | None = None
    service_account: bool = Field(
        default=False, description="a machine client's account: tokens only, no sign-in"
    )


class UserOut(BaseModel):
    id: int
    username: str
    display_name: str
    role: str
    region_code: str
    active: bool
    service_account: bool = False
    pending_grant_id: int | None = Field(
        default=None, description="the role grant a second admin must approve"
    )


class GrantOut(BaseModel):
    id: int
    user_id: int
    role: str
    region_code: str
    state: str
    requested_by: str
    requested_at: dt.datetime
    decided_by: str | None
    decided_at: dt.datetime | None


class TokenIn(BaseModel):
    name: Label
    scopes: list[Code] = Field(max_length=100)
    expires_at: dt.datetime | None = None


class TokenOut(BaseModel):
    id: int
    name: str
    prefix: str
    scopes: list[str]
    expires_at: dt.datetime | None = None
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


class ErrorMessage(BaseModel):
    zh: str
    en: str
    bo: str | None = None


class ErrorBody(BaseModel):
    field: str
    rule: str
    message: ErrorMessage
    problems: list[dict[str, Any]] | None = None


class ErrorAnswer(BaseModel):
    """Every refusal: which field, which rule, and why in Chinese, Tibetan and English."""

    error: ErrorBody
