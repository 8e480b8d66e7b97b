"""The frame every page shares (issue 15 points 3, 5 and 6): no open redirect through ``next``,
each staff role lands on its desk, the citizen's sign-in speaks Tibetan and keeps the code's
minutes, answers are gzipped (minding BREACH), static files carry cache headers, a favicon, and
the stylesheet inlined (with its CSP hash) on the pages visitors and citizens see."""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import re
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine

from minsheng.auth.users import create_user
from minsheng.db import make_sessionmaker
from minsheng.foundation.principals import STAFF_ROLES, system
from minsheng.foundation.principals import staff as staff_principal
from minsheng.webkit.deps import safe_next
from minsheng.webkit.render import desks_for, landing_for, static_version

BY = system("test")
PASSWORD = "correct-horse-1"
HOSTILE_NEXT = [
    "//evil.example/",
    "https://evil.example/",
    "http:evil.example",
    "/\\evil.example",
    "\\\\evil.example",
    "/\t/evil.example",
    "/\n/evil.example",
    "javascript:alert(1)",
    "evil.example",
    " /x",
]


def _csrf(c: TestClient, path: str = "/login") -> str:
    page = c.get(path).text
    found = re.search(r'name="csrf_token" value="([^"]+)"', page)
    assert found, page[:500]
    return found.group(1)


def _user(engine: Engine, username: str, role: str, region: str) -> None:
    with make_sessionmaker(engine)() as s:
        create_user(s, BY, username, PASSWORD, role, region)
        s.commit()


def _sign_in(c: TestClient, username: str, next: str | None = None) -> Any:
    data = {"username": username, "password": PASSWORD, "csrf_token": _csrf(c)}
    if next is not None:
        data["next"] = next
    return c.post("/login", data=data, follow_redirects=False)


# ----------------------------------------------------------------------------- ?next=


@pytest.mark.parametrize("target", HOSTILE_NEXT)
def test_safe_next_refuses_every_other_site(target: str) -> None:
    assert safe_next(target, "/fallback") == "/fallback"


@pytest.mark.parametrize("target", ["/me/medical", "/assistance?q=%E6%AC%A1", "/a/b#c"])
def test_safe_next_keeps_paths_of_this_site(target: str) -> None:
    assert safe_next(target, "/fallback") == target


@pytest.mark.parametrize("target", HOSTILE_NEXT[:6])
def test_staff_sign_in_refuses_an_open_redirect(app: Any, engine: Engine, target: str) -> None:
    _user(engine, "lhasa.cw", "caseworker", "540100")
    with TestClient(app) as c:
        r = _sign_in(c, "lhasa.cw", target)
        assert r.status_code == 303
        assert r.headers["location"] == "/assistance"  # their desk, not the other site


def test_staff_sign_in_honours_a_path_of_this_site(app: Any, engine: Engine) -> None:
    _user(engine, "lhasa.cw", "caseworker", "540100")
    with TestClient(app) as c:
        r = _sign_in(c, "lhasa.cw", "/employment/seekers")
        assert r.status_code == 303 and r.headers["location"] == "/employment/seekers"


@pytest.mark.parametrize("target", HOSTILE_NEXT[:6])
def test_language_switch_refuses_an_open_redirect(anon: TestClient, target: str) -> None:
    r = anon.get("/lang/bo", params={"next": target}, follow_redirects=False)
    assert r.status_code == 303 and r.headers["location"] == "/"


def test_a_page_asked_for_before_sign_in_comes_after_it(
    anon: TestClient, app: Any, engine: Engine
) -> None:
    """``/me/medical`` → the citizen's sign-in with ``next`` → the code → ``/me/medical``; a
    hostile ``next`` posted with the code leads to ``/me`` instead."""
    from minsheng.core import ids
    from minsheng.registry import service as registry
    from minsheng.registry.schemas import PersonIn

    number = ids.make_resident_id("540102", dt.date(1985, 5, 5), 41)
    with make_sessionmaker(engine)() as s:
        p = registry.create_person(
            s, PersonIn(id_number=number, name_zh="测试", hukou="urban", phone="13900001111"), BY
        )
        s.commit()
        pk = p.id
    r = anon.get("/me/medical", follow_redirects=False)
    assert r.headers["location"] == "/citizen/login?next=/me/medical"
    page = anon.get(r.headers["location"]).text
    assert 'name="next" value="/me/medical"' in page
    token = _csrf(anon, "/citizen/login")
    page = anon.post(
        "/citizen/login", data={"id_number": number, "next": "/me/medical", "csrf_token": token}
    ).text
    assert 'name="next" value="/me/medical"' in page  # carried to the code step
    code = app.state.otp_sender.sent[pk]
    r = anon.post(
        "/citizen/verify",
        data={"id_number": number, "code": code, "next": "//evil.example", "csrf_token": token},
        follow_redirects=False,
    )
    assert r.status_code == 303 and r.headers["location"] == "/me"


# ----------------------------------------------------------------------------- landing


def test_every_staff_role_lands_on_a_desk_it_may_open() -> None:
    for role in STAFF_ROLES:
        by = staff_principal(1, "x", role, "540000")
        desk = landing_for(by)
        assert desk is not None, role
        assert desk in [d.href for d in desks_for(by)], (role, desk)
    assert landing_for(staff_principal(1, "x", "cashier", "540102")) == "/medical/cashier"
    assert landing_for(staff_principal(1, "x", "caseworker", "540100")) == "/assistance"
    assert landing_for(staff_principal(1, "x", "analyst", "540000")) == "/analysis"
    assert landing_for(system("x")) is None


def test_staff_land_on_their_desk_after_sign_in_and_from_home(app: Any, engine: Engine) -> None:
    _user(engine, "chengguan.cashier", "cashier", "540102")
    with TestClient(app) as c:
        r = _sign_in(c, "chengguan.cashier")
        assert r.status_code == 303 and r.headers["location"] == "/medical/cashier"
        r = c.get("/", follow_redirects=False)
        assert r.status_code == 303 and r.headers["location"] == "/medical/cashier"
    with TestClient(app) as visitor:  # a visitor still gets the home page
        assert visitor.get("/", follow_redirects=False).status_code == 200


# ----------------------------------------------------------------------------- the citizen


def test_citizen_sign_in_errors_speak_tibetan_and_keep_the_minutes(
    anon: TestClient, app: Any, engine: Engine
) -> None:
    from minsheng.auth import service
    from minsheng.core import ids

    anon.cookies.set("lang", "bo")
    token = _csrf(anon, "/citizen/login")
    r = anon.post("/citizen/login", data={"id_number": "54010219800303", "csrf_token": token})
    assert r.status_code == 422
    assert "ཡིག་འབྲུ་ 18" in r.text and "14" in r.text  # Tibetan, with the length typed
    assert 'id="id_number-error"' in r.text
    number = ids.make_resident_id("540102", dt.date(1985, 5, 5), 43)  # not registered: same page
    r = anon.post("/citizen/login", data={"id_number": number, "csrf_token": token})
    assert r.status_code == 200 and 'name="code"' in r.text
    assert 'id="resend-form"' in r.text  # "send the code again" is offered
    r = anon.post(
        "/citizen/verify", data={"id_number": number, "code": "123456", "csrf_token": token}
    )
    minutes = int(service.OTP_LIFETIME.total_seconds() // 60)
    assert r.status_code == 401
    assert f"སྐར་མ་ {minutes} ནང་ནུས་པ་ལྡན" in r.text
    assert f"{minutes}分钟内有效" in r.text and f"valid for {minutes} minutes" in r.text
    assert 'href="/citizen/login"' in r.text  # another ID number


def test_the_resend_is_limited_like_the_api(anon: TestClient) -> None:
    from minsheng.core import ids

    number = ids.make_resident_id("540102", dt.date(1985, 5, 5), 45)
    token = _csrf(anon, "/citizen/login")
    for _ in range(3):  # guards.LIMITS["otp_send_id"]: 3 codes an ID in 10 minutes
        r = anon.post(
            "/citizen/login", data={"id_number": number, "resend": "1", "csrf_token": token}
        )
        assert r.status_code == 200
    r = anon.post("/citizen/login", data={"id_number": number, "resend": "1", "csrf_token": token})
    assert r.status_code == 429 and 'name="code"' in r.text  # still the code step
    assert "请求过于频繁" in r.text and "རེ་ཞུ་མང་དྲགས་འདུག" in r.text
    r = anon.post("/api/auth/otp", json={"id_number": number}, headers={"x-csrf-token": token})
    assert r.status_code == 429  # the API counts the same sends


def test_error_pages_always_carry_tibetan(anon: TestClient) -> None:
    for lang in ("zh", "bo", "en"):
        anon.cookies.set("lang", lang)
        r = anon.post("/citizen/login", data={"id_number": "x"})  # no CSRF token: 403
        assert r.status_code == 403
        assert 'lang="bo"' in r.text and "དབང་ཚད་མེད" in r.text, lang
        assert "CSRF" in r.text


# ----------------------------------------------------------------------------- delivery


def test_pages_and_static_files_are_gzipped(anon: TestClient) -> None:
    r = anon.get("/", headers={"accept-encoding": "gzip"})
    assert r.headers.get("content-encoding") == "gzip"
    assert "accept-encoding" in r.headers.get("vary", "").lower()
    r = anon.get("/static/style.css", headers={"accept-encoding": "gzip"})
    assert r.headers.get("content-encoding") == "gzip"
    raw = anon.get("/static/style.css", headers={"accept-encoding": "identity"})
    assert "content-encoding" not in raw.headers
    assert int(r.headers["content-length"]) < int(raw.headers["content-length"]) / 2


def test_breach_signed_in_answers_are_gzipped_only_for_this_sites_requests(
    app: Any, engine: Engine
) -> None:
    """A signed-in page holds the session's CSRF token and reflects what was asked: gzipped
    only for a request the browser says comes from this site (or the user), never for one
    another site's page made it send, nor one that does not say."""
    _user(engine, "lhasa.cw", "caseworker", "540100")
    with TestClient(app) as c:
        _sign_in(c, "lhasa.cw")
        for site, compressed in (
            ("same-origin", True),
            ("none", True),
            ("cross-site", False),
            ("same-site", False),
            (None, False),
        ):
            headers = {"accept-encoding": "gzip"}
            if site:
                headers["sec-fetch-site"] = site
            r = c.get("/assistance", headers=headers)
            assert r.status_code == 200
            assert (r.headers.get("content-encoding") == "gzip") is compressed, site
            assert "sec-fetch-site" in r.headers.get("vary", "").lower()  # caches are told
        r = c.get(
            "/static/style.css", headers={"accept-encoding": "gzip", "sec-fetch-site": "cross-site"}
        )
        assert r.headers.get("content-encoding") == "gzip"  # no secret in a static file


def test_static_files_carry_cache_headers(anon: TestClient) -> None:
    version = static_version("style.css")
    assert version
    r = anon.get(f"/static/style.css?v={version}")
    assert r.headers["cache-control"] == "public, max-age=31536000, immutable"
    r = anon.get("/static/style.css")
    assert r.headers["cache-control"] == "no-cache" and r.headers.get("etag")
    again = anon.get("/static/style.css", headers={"if-none-match": r.headers["etag"]})
    assert again.status_code == 304 and again.headers["cache-control"] == "no-cache"
    stale = anon.get("/static/style.css?v=000000000000")  # an old version: checked each time
    assert stale.headers["cache-control"] == "no-cache"
    assert anon.get("/api/auth/me").headers["cache-control"] == "no-store"


def test_favicon(anon: TestClient) -> None:
    page = anon.get("/").text
    assert f'href="/static/favicon.svg?v={static_version("favicon.svg")}"' in page
    assert anon.get("/static/favicon.svg").headers["content-type"].startswith("image/svg+xml")
    r = anon.get("/favicon.ico")
    assert r.status_code == 200 and r.content[:4] == b"\x00\x00\x01\x00"  # an ICO file


def test_visitor_pages_inline_the_stylesheet_under_a_csp_hash(
    anon: TestClient, app: Any, engine: Engine
) -> None:
    r = anon.get("/citizen/login")
    css = re.search(r"<style>(.*?)</style>", r.text, re.S)
    assert css and ".top" in css.group(1)
    digest = base64.b64encode(hashlib.sha256(css.group(1).encode()).digest()).decode()
    csp = r.headers["content-security-policy"]
    assert f"style-src 'self' 'sha256-{digest}'" in csp and "unsafe-inline" not in csp
    assert 'rel="stylesheet" href="/static/style.css' not in r.text
    _user(engine, "lhasa.cw", "caseworker", "540100")
    with TestClient(app) as c:  # staff pages link it, cached under its hash
        _sign_in(c, "lhasa.cw")
        page = c.get("/assistance")
        assert f'href="/static/style.css?v={static_version("style.css")}"' in page.text
        assert "<style>" not in page.text.split("</head>")[0]
        assert "sha256-" not in page.headers["content-security-policy"]
