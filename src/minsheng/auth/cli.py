"""``minsheng user | audit | keys``: staff accounts, API tokens, audit check, key rotation."""

from __future__ import annotations

import typer
from sqlalchemy import select

from minsheng.auth import audit, crypto, service
from minsheng.auth.models import User
from minsheng.auth.permissions import STAFF_ROLES, system
from minsheng.clikit import friendly, print_json, session
from minsheng.core.errors import invalid

user_app = typer.Typer(help="Staff accounts and API tokens", no_args_is_help=True)
audit_app = typer.Typer(help="The tamper-evident audit log", no_args_is_help=True)
keys_app = typer.Typer(help="Keys that protect personal data", no_args_is_help=True)


@user_app.command("add")
@friendly
def add_user(
    username: str = typer.Option(...),
    role: str = typer.Option(..., help=" | ".join(STAFF_ROLES)),
    region: str = typer.Option(..., help="division code: 540000, a prefecture or a county"),
    name: str = typer.Option(None, help="display name"),
    password: str = typer.Option(
        ..., prompt=True, hide_input=True, confirmation_prompt=True, help="at least 10 characters"
    ),
) -> None:
    """Create a staff account (password hashed with Argon2id)."""
    with session() as s:
        user = service.create_user(s, system("cli"), username, password, role, region, name)
        print_json(
            {
                "id": user.id,
                "username": user.username,
                "role": user.role,
                "region": user.region_code,
            }
        )


@user_app.command("list")
def list_users() -> None:
    with session() as s:
        for u in s.scalars(select(User).order_by(User.id)):
            state = "active" if u.active else "inactive"
            typer.echo(f"{u.id}\t{u.username}\t{u.role}\t{u.region_code}\t{state}")


@user_app.command("token")
@friendly
def add_token(
    username: str = typer.Option(..., help="the account the token acts for"),
    name: str = typer.Option(..., help="what uses it, e.g. 'Lhasa People's Hospital HIS'"),
    scopes: str = typer.Option(..., help="space-separated permissions, e.g. 'registry:read'"),
) -> None:
    """Issue a bearer token for a machine client. The token is printed once."""
    with session() as s:
        user = s.scalar(select(User).where(User.username == username))
        if user is None:
            raise invalid("username", "not_found", f"用户{username}不存在", f"no user {username}")
        raw, token = service.create_token(s, system("cli"), user.id, name, scopes.split())
        print_json({"id": token.id, "token": raw, "scopes": token.scopes.split()})


@audit_app.command("verify")
def verify() -> None:
    """Walk the hash chain; exit 1 at the first edited, deleted or moved entry."""
    with session() as s:
        verdict = audit.verify(s)
    print_json(verdict.to_dict())
    if not verdict.ok:
        raise typer.Exit(1)


@keys_app.command("new")
def new_key() -> None:
    """Print a fresh random key (base64) for MINSHENG_DATA_KEYS or MINSHENG_HMAC_KEY."""
    from minsheng.config import new_key as make

    typer.echo(make())


@keys_app.command("rotate")
def rotate() -> None:
    """Re-encrypt every ID and phone number under the current (first) data key.

    Put the new key first in MINSHENG_DATA_KEYS, keep the old one after it, run this, then
    remove the old key. See docs/security.md.
    """
    import sqlalchemy as sa

    current = crypto.current_key_id()
    raw = sa.table(  # the columns as stored: ciphertext, no decrypting type
        "persons", sa.column("id", sa.Integer), sa.column("id_number"), sa.column("phone")
    )
    changed = 0
    with session() as s:
        rows = s.execute(sa.select(raw.c.id, raw.c.id_number, raw.c.phone)).all()
        for pid, number, phone in rows:
            stale = crypto.key_id_of(number) != current or (
                phone is not None and crypto.key_id_of(phone) != current
            )
            if not stale:
                continue
            values = {"id_number": crypto.encrypt(crypto.decrypt(number))}
            if phone is not None:
                values["phone"] = crypto.encrypt(crypto.decrypt(phone))
            s.execute(raw.update().where(raw.c.id == pid).values(**values))
            changed += 1
        audit.record(
            s, system("cli"), "rotate", "keys", None, None, {"key": current, "rows": changed}
        )
    print_json({"current_key": current, "re_encrypted": changed})
