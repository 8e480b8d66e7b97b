"""Security headers, request size limits, and logs that never carry a full ID number."""

from __future__ import annotations

import datetime as dt
import logging
from typing import Any

import pytest
import structlog
from fastapi.testclient import TestClient

from minsheng import logs
from minsheng.core import ids

P = ids.make_resident_id("540102", dt.date(1985, 3, 3), 21)


def test_security_headers_on_pages_and_api(anon: TestClient) -> None:
    for path in ("/", "/api/divisions/540100", "/no/such/page"):
        h = anon.get(path).headers
        csp = h["content-security-policy"]
        assert (
            "script-src 'self'" in csp
            and "unsafe-inline" not in csp.split("script-src")[1].split(";")[0]
        )
        assert "frame-ancestors 'none'" in csp
        assert h["x-frame-options"] == "DENY"
        assert h["x-content-type-options"] == "nosniff"
    assert anon.get("/api/divisions").headers["cache-control"] == "no-store"


def test_pages_carry_no_inline_script(anon: TestClient) -> None:
    for path in ("/", "/docs", "/login", "/citizen/login", "/tools/id-check"):
        html = anon.get(path).text
        for tag in html.split("<script")[1:]:
            assert tag.split(">")[0].strip().startswith("src="), f"inline script on {path}"


def test_request_size_limit(client: Any) -> None:
    big = "x" * (1024 * 1024 + 10)
    r = client.post(
        "/api/ids/check",
        content=f'{{"value": "{big}"}}',
        headers={"content-type": "application/json"},
    )
    assert r.status_code == 413 and r.json()["error"]["rule"] == "too_large"

    def chunks():  # type: ignore[no-untyped-def]
        for _ in range(20):
            yield b"x" * 100_000

    r = client.post(
        "/api/ids/check", content=chunks(), headers={"content-type": "application/json"}
    )
    assert r.status_code == 413
    # imports may be larger
    name = "扎" * 60
    csv = "id_number,name_zh,hukou\n" + "".join(f"bad,{name},rural\n" for _ in range(6_000))
    assert len(csv.encode()) > 1024 * 1024
    r = client.post(
        "/api/persons/import",
        files={"file": ("p.csv", csv.encode(), "text/csv")},
        params={"dry_run": True},
    )
    assert r.status_code == 200


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (f"looked up {P} today", f"looked up {P[:4]}************** today"),
        ("call 13908901234", "call 139****1234"),
        ("id=110105491231002", "id=1101***********"),
        ("order 12345678901234567890", "order 12345678901234567890"),  # 20 digits: not an ID
    ],
)
def test_redact(text: str, expected: str) -> None:
    assert logs.redact(text) == expected


def test_structured_and_plain_logs_are_masked(
    caplog: pytest.LogCaptureFixture, capsys: pytest.CaptureFixture[str]
) -> None:
    # a logging config run earlier in the process (a test server's, a library's) may have
    # disabled the access logger or raised its level: configure() takes it back
    logging.getLogger("uvicorn.access").disabled = True
    logging.getLogger("uvicorn.access").setLevel(logging.CRITICAL)
    logs.configure()
    structlog.get_logger("t").info("lookup", id_number=P, note=f"for {P}")
    logging.getLogger("uvicorn.access").info('127.0.0.1 - "GET /x?id=%s HTTP/1.1" 200', P)
    err = capsys.readouterr().err
    assert "lookup" in err and "GET /x" in err
    assert P not in err and P[:4] + "*" * 14 in err


def test_an_access_log_turned_off_stays_off(capsys: pytest.CaptureFixture[str]) -> None:
    access = logging.getLogger("uvicorn.access")
    before = (access.propagate, list(access.handlers))
    try:
        # what uvicorn's --no-access-log (``minsheng serve --no-access-log``) leaves behind
        access.handlers = []
        access.propagate = False
        logs.configure()
        access.info('127.0.0.1 - "GET /quiet HTTP/1.1" 200')
        assert "GET /quiet" not in capsys.readouterr().err
        # turned on (uvicorn's own handler, not propagating): routed through ours, redacted
        access.handlers = [logging.NullHandler()]
        logs.configure()
        access.info('127.0.0.1 - "GET /loud HTTP/1.1" 200')
        assert "GET /loud" in capsys.readouterr().err
    finally:
        access.propagate, access.handlers = before[0], before[1]
        logs.configure()


def test_an_api_client_with_a_bearer_token_is_given_no_csrf_cookie(client: Any, anon: Any) -> None:
    """A bearer token carries no ambient authority: no CSRF nonce is minted for it, and no
    cookie is set on an HIS's every request — unless it asks for one (``/api/auth/csrf``, a
    page with a form); a browser without cookies still gets its token."""
    assert client.headers["authorization"].lower().startswith("bearer ")
    r = client.get("/api/divisions/540100")
    assert r.status_code == 200 and "set-cookie" not in r.headers
    asked = client.get("/api/auth/csrf")
    assert asked.json()["csrf_token"] and "ms_csrf=" in asked.headers["set-cookie"]
    browser = anon.get("/api/auth/me")
    assert "ms_csrf=" in browser.headers["set-cookie"] and browser.json()["csrf_token"]
