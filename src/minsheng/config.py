"""Settings from the environment (12-factor): one place that reads ``MINSHENG_*``.

Keys for personal data:

- ``MINSHENG_DATA_KEYS`` — AES-256-GCM keys as ``id:base64,id:base64``; the first encrypts,
  all decrypt (so a key can be rotated without downtime, see docs/security.md);
- ``MINSHENG_HMAC_KEY`` — the key of the keyed hash used to look up ID and phone numbers;
- ``MINSHENG_AUDIT_KEY`` — the key of the audit chain's HMAC (optional: without it, a key is
  derived from ``MINSHENG_HMAC_KEY`` for that one purpose). Like the others it lives outside
  the database, so someone who can write the database cannot re-hash the chain.

Other security settings: ``MINSHENG_TOKEN_DAYS`` (API tokens' default lifetime, 90),
``MINSHENG_TRUSTED_PROXIES`` (addresses or networks whose ``X-Forwarded-For`` is believed;
none by default), ``MINSHENG_ORIGINS`` (extra origins allowed to send cookie-borne unsafe
requests, besides the server's own).

Operational: ``MINSHENG_BATCH_MAX`` and ``MINSHENG_GROUP_COMMIT_MAX`` (settlement batches, see
docs/medical.md), ``MINSHENG_GC_THRESHOLD`` (Python's cycle collector, :func:`tune_gc`).

When neither is set and ``MINSHENG_ENV`` is not ``production``, a development key file is made
at ``$MINSHENG_DATA_DIR/keys.json`` (mode 0600) on first use. In production, missing keys stop
the program.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import os
import secrets
from dataclasses import dataclass, field
from pathlib import Path


class ConfigError(RuntimeError):
    """The environment is incomplete or malformed."""


@dataclass(frozen=True)
class Keys:
    data_keys: tuple[tuple[str, bytes], ...]  # (key id, 32-byte key); the first is current
    hmac_key: bytes
    audit_key: bytes | None = None  # None: derived from hmac_key (see ``audit_mac_key``)

    def audit_mac_key(self) -> bytes:
        """The key of the audit chain's HMAC: its own, or one derived from the look-up key."""
        if self.audit_key is not None:
            return self.audit_key
        return hmac.new(self.hmac_key, b"minsheng audit chain v1", hashlib.sha256).digest()

    def purpose_key(self, purpose: str) -> bytes:
        """A key for one purpose (CSRF tokens…), derived from the look-up key."""
        return hmac.new(self.hmac_key, f"minsheng {purpose}".encode(), hashlib.sha256).digest()


@dataclass(frozen=True)
class Settings:
    database_url: str
    data_dir: Path
    environment: str = "development"
    secure_cookies: bool = False
    otp_sender: str = "console"
    session_hours: int = 8
    token_days: int = 90  # API tokens' default lifetime
    trusted_proxies: tuple[str, ...] = ()  # addresses / networks whose X-Forwarded-For counts
    origins: tuple[str, ...] = ()  # extra allowed origins (the server's own always is)
    # the most bills a settlement batch holds (an operational limit, not a policy figure:
    # one unit of work and one request body; docs/medical.md, "Batches")
    batch_max: int = 1000
    # settlements one group commit may hold (1: a transaction per request); docs/medical.md
    group_commit_max: int = 64
    keys: Keys | None = field(default=None, repr=False)

    @classmethod
    def from_env(cls) -> Settings:
        data_dir = Path(os.environ.get("MINSHENG_DATA_DIR", "var")).resolve()
        url = os.environ.get("MINSHENG_DATABASE_URL") or f"sqlite:///{data_dir / 'minsheng.db'}"
        env = os.environ.get("MINSHENG_ENV", "development")
        return cls(
            database_url=normalise_url(url),
            data_dir=data_dir,
            environment=env,
            secure_cookies=os.environ.get("MINSHENG_SECURE_COOKIES", "0") == "1"
            or env == "production",
            otp_sender=os.environ.get("MINSHENG_OTP_SENDER", "console"),
            session_hours=int(os.environ.get("MINSHENG_SESSION_HOURS", "8")),
            token_days=_bounded(
                "MINSHENG_TOKEN_DAYS", os.environ.get("MINSHENG_TOKEN_DAYS", "90"), MAX_TOKEN_DAYS
            ),
            trusted_proxies=_list(os.environ.get("MINSHENG_TRUSTED_PROXIES", "")),
            origins=_list(os.environ.get("MINSHENG_ORIGINS", "")),
            batch_max=_bounded(
                "MINSHENG_BATCH_MAX", os.environ.get("MINSHENG_BATCH_MAX", "1000"), MAX_BATCH
            ),
            group_commit_max=_bounded(
                "MINSHENG_GROUP_COMMIT_MAX", os.environ.get("MINSHENG_GROUP_COMMIT_MAX", "64"), 1000
            ),
            keys=load_keys(data_dir, env),
        )


def _list(text: str) -> tuple[str, ...]:
    return tuple(part.strip() for part in text.split(",") if part.strip())


MAX_TOKEN_DAYS = 366  # an engineering bound: a token lives at most a year (docs/security.md)


MAX_BATCH = 10_000  # an engineering bound on MINSHENG_BATCH_MAX (the request body's cap)


def _bounded(name: str, text: str, most: int) -> int:
    try:
        n = int(text)
    except ValueError as exc:
        raise ConfigError(f"{name} is a whole number") from exc
    if not 1 <= n <= most:
        raise ConfigError(f"{name} is between 1 and {most}")
    return n


# Python's cycle collector: a settlement allocates thousands of short-lived objects (and frees
# nearly all by reference counting), so at CPython's 700 the collector runs every few bills and
# costs a batch about an eighth of its time (docs/benchmarks.md, issue 17, "The collector").
GC_THRESHOLD = 10_000  # young-generation threshold the server and the CLI run with
GC_OLDER = 50  # each older generation collected once per this many younger collections
MAX_GC_THRESHOLD = 1_000_000  # an engineering bound: garbage cycles held before a collection


def tune_gc() -> int:
    """Run Python's cycle collector less often — every ``MINSHENG_GC_THRESHOLD`` allocations
    (default :data:`GC_THRESHOLD`) — in the server's processes and the command line (tests keep
    CPython's defaults); the threshold set."""
    import gc

    name = "MINSHENG_GC_THRESHOLD"
    n = _bounded(name, os.environ.get(name, str(GC_THRESHOLD)), MAX_GC_THRESHOLD)
    gc.set_threshold(n, GC_OLDER, GC_OLDER)
    return n


def private_dir(path: Path) -> None:
    """Make ``path`` (and its missing parents) and keep it owner-only (0700).

    An existing folder is tightened only when it is ours and not a shared one (sticky bit, as
    /tmp): the data folder holds the database, the key file and the bank files.
    """
    path.mkdir(mode=0o700, parents=True, exist_ok=True)
    st = path.stat()
    if st.st_uid == os.getuid() and not st.st_mode & 0o1000 and st.st_mode & 0o077:
        os.chmod(path, 0o700)


def normalise_url(url: str) -> str:
    """Accept plain ``postgresql://`` URLs and use the psycopg 3 driver for them."""
    if url.startswith("postgres://"):
        url = "postgresql://" + url[len("postgres://") :]
    if url.startswith("postgresql://"):
        url = "postgresql+psycopg://" + url[len("postgresql://") :]
    return url


def _b64(text: str, what: str) -> bytes:
    try:
        raw = base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
    except ValueError as exc:
        raise ConfigError(f"{what} is not base64") from exc
    if len(raw) != 32:
        raise ConfigError(f"{what} must be 32 bytes, got {len(raw)}")
    return raw


def new_key() -> str:
    return base64.urlsafe_b64encode(secrets.token_bytes(32)).decode().rstrip("=")


def parse_data_keys(text: str) -> tuple[tuple[str, bytes], ...]:
    keys = []
    for part in text.split(","):
        kid, sep, value = part.strip().partition(":")
        if not sep or not kid or not value:
            raise ConfigError("MINSHENG_DATA_KEYS is 'id:base64[,id:base64…]'")
        keys.append((kid, _b64(value, f"data key {kid}")))
    if len({k for k, _ in keys}) != len(keys):
        raise ConfigError("MINSHENG_DATA_KEYS has a key id twice")
    return tuple(keys)


def load_keys(data_dir: Path, environment: str = "development") -> Keys:
    data = os.environ.get("MINSHENG_DATA_KEYS")
    mac = os.environ.get("MINSHENG_HMAC_KEY")
    audit_env = os.environ.get("MINSHENG_AUDIT_KEY")
    audit = _b64(audit_env, "MINSHENG_AUDIT_KEY") if audit_env else None
    if data and mac:
        return Keys(parse_data_keys(data), _b64(mac, "MINSHENG_HMAC_KEY"), audit)
    if data or mac:
        raise ConfigError("set both MINSHENG_DATA_KEYS and MINSHENG_HMAC_KEY, or neither")
    if environment == "production":
        raise ConfigError("production needs MINSHENG_DATA_KEYS and MINSHENG_HMAC_KEY")
    path = data_dir / "keys.json"
    private_dir(data_dir)
    if not path.exists():
        content = {
            "data_keys": f"dev1:{new_key()}",
            "hmac_key": new_key(),
            "audit_key": new_key(),
        }
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as fh:
            json.dump(content, fh)
    stored = json.loads(path.read_text())
    if "audit_key" in stored and audit is None:
        audit = _b64(stored["audit_key"], "audit_key")
    return Keys(parse_data_keys(stored["data_keys"]), _b64(stored["hmac_key"], "hmac_key"), audit)
