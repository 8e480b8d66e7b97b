"""What the HTTP benchmarks share: a scratch database, a uvicorn server on a free port of
127.0.0.1, and wrk as the client (C, one thread: the Python client's own CPU is left out of the
two cores the server has)."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from pathlib import Path


def environment(data_dir: Path, pg_url: str | None = None) -> str:
    """The server's environment: its data directory and database (a SQLite file there, or a
    scratch database of its own on the PostgreSQL server of ``pg_url``)."""
    os.environ["MINSHENG_DATA_DIR"] = str(data_dir)
    db_url = f"sqlite:///{data_dir / 'bench.db'}"
    if pg_url:
        from sqlalchemy import create_engine

        from minsheng.config import normalise_url

        scratch = f"minsheng_bench_{int(time.time())}"
        admin = create_engine(normalise_url(pg_url), isolation_level="AUTOCOMMIT")
        with admin.connect() as conn:
            conn.exec_driver_sql(f'CREATE DATABASE "{scratch}"')
        admin.dispose()
        db_url = normalise_url(pg_url).rsplit("/", 1)[0] + "/" + scratch
    os.environ["MINSHENG_DATABASE_URL"] = db_url
    from minsheng.config import Settings
    from minsheng.foundation import crypto

    keys = Settings.from_env().keys
    assert keys is not None
    crypto.configure(keys)
    return db_url


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def start_server(workers: int) -> tuple[subprocess.Popen[bytes], str]:
    """uvicorn serving the platform (the environment's database) on a free port, once it
    answers /healthz: (the process, its base URL)."""
    import httpx

    port = free_port()
    server = subprocess.Popen(
        [sys.executable, "-m", "uvicorn", "--factory", "minsheng.web.app:create_app",
         "--host", "127.0.0.1", "--port", str(port), "--log-level", "warning",
         "--no-access-log", "--workers", str(workers)],
        env=dict(os.environ),
    )  # fmt: skip
    base = f"http://127.0.0.1:{port}"
    for _ in range(300):
        try:
            if httpx.get(f"{base}/healthz", timeout=1).status_code == 200:
                break
        except httpx.HTTPError:
            time.sleep(0.1)
    return server, base


WRK = Path(__file__).resolve().parent / "wrk"


def wrk_rate(args: list[str]) -> tuple[float, str, int]:
    """(requests/s, the latency line "p50 … p99 …", the script's not-first count) of a wrk run."""
    out = subprocess.run(["wrk", *args], capture_output=True, text=True, check=True).stdout
    rate = float(next(ln.split()[1] for ln in out.splitlines() if ln.startswith("Requests/sec")))
    pct = {}
    for ln in out.splitlines():
        parts = ln.split()
        if len(parts) == 2 and parts[0] in ("50%", "99%"):
            pct[parts[0]] = parts[1]
    others = next((int(ln.split()[1]) for ln in out.splitlines() if ln.startswith("not-first")), 0)
    return rate, f"p50 {pct.get('50%', '?')}, p99 {pct.get('99%', '?')}", others
