"""``minsheng user | audit | keys``: staff accounts, API tokens, audit check, key rotation."""

from __future__ import annotations

import datetime as dt
import json
import os
from pathlib import Path

import typer
from sqlalchemy import select

from minsheng.auth import tokens, users
from minsheng.auth.models import User
from minsheng.clikit import friendly, print_json, session
from minsheng.core.errors import invalid
from minsheng.foundation import audit, crypto
from minsheng.foundation.principals import STAFF_ROLES, system

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
        user = users.create_user(s, system("cli"), username, password, role, region, name)
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
        from minsheng.config import Settings

        lifetime = dt.timedelta(days=Settings.from_env().token_days)
        raw, token = tokens.create_token(
            s, system("cli"), user.id, name, scopes.split(), lifetime=lifetime
        )
        print_json(
            {
                "id": token.id,
                "token": raw,
                "scopes": token.scopes.split(),
                "expires_at": token.expires_at,
            }
        )


@user_app.command("grants")
def list_grants() -> None:
    """Role grants awaiting a second admin's approval."""
    with session() as s:
        for g in users.pending_grants(s, system("cli")):
            typer.echo(f"{g.id}\tuser {g.user_id}\t{g.role}\t{g.region_code}\t{g.requested_by}")


@user_app.command("approve")
@friendly
def approve(
    grant_id: int = typer.Argument(..., help="the grant's id (minsheng user grants)"),
    reject: bool = typer.Option(False, help="reject instead"),
) -> None:
    """Decide a pending role grant as the operator (audited as system:cli)."""
    with session() as s:
        grant = users.decide_grant(s, system("cli"), grant_id, approve=not reject)
        print_json({"id": grant.id, "state": grant.state, "user_id": grant.user_id})


@audit_app.command("verify")
def verify(
    anchor: Path = typer.Option(
        None, help="a file written by `minsheng audit anchor`: check against its last line"
    ),
) -> None:
    """Walk the keyed hash chain; exit 1 at the first edited, deleted or moved entry, or when
    the history before the last anchor was rewritten or cut."""
    last = _last_anchor(anchor) if anchor else None
    with session() as s:
        verdict = audit.verify(s, anchor=last)
    out = verdict.to_dict()
    if last is not None:
        out["anchor"] = last.to_dict()
    print_json(out)
    if not verdict.ok:
        raise typer.Exit(1)


def _last_anchor(path: Path) -> audit.Anchor:
    lines = [line for line in path.read_text().splitlines() if line.strip()]
    if not lines:
        typer.echo(f"no anchor in {path}", err=True)
        raise typer.Exit(2)
    return audit.Anchor.from_dict(json.loads(lines[-1]))


@audit_app.command("anchor")
def anchor(
    out: Path = typer.Option(
        ..., help="file to append the head to (JSON lines); ship it off this machine"
    ),
) -> None:
    """Append the chain's head (count, hash, time) to OUT after verifying the chain.

    Run it periodically (e.g. nightly) and copy OUT somewhere the database's writers cannot
    reach; `minsheng audit verify --anchor OUT` then catches a rewrite of anything before.
    """
    with session() as s:
        verdict = audit.verify(s)
        if not verdict.ok:
            print_json(verdict.to_dict())
            raise typer.Exit(1)
        head = audit.head_anchor(s)
    fd = os.open(out, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
    with os.fdopen(fd, "a") as fh:
        fh.write(json.dumps(head.to_dict()) + "\n")
    print_json(head.to_dict())


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
