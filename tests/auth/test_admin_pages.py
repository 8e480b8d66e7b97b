"""The administrator's and the auditor's pages over HTTP: who may open them, the second
approval of a role grant, tokens shown once, accounts closed and reopened, the audit log
filtered and verified — and what each refusal says and leaves unchanged."""

from __future__ import annotations

import re
from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy import Engine, func, select, update

from minsheng.auth.models import ApiToken, RoleGrant, User
from minsheng.db import make_sessionmaker
from minsheng.foundation.models import AuditEntry
from tests.auth.test_signin import login as sign_in
from tests.conftest import staff_client

PASSWORD = "correct-horse-1"


def admin(app: Any, engine: Engine, name: str, region: str = "540000") -> TestClient:
    c = staff_client(app, engine, "admin", region, name)
    assert isinstance(c, TestClient)
    return c


def user_row(engine: Engine, username: str) -> User | None:
    with make_sessionmaker(engine)() as s:
        u = s.scalar(select(User).where(User.username == username))
        if u is not None:
            s.expunge(u)
        return u


def create(c: TestClient, **data: str) -> Any:
    body = {"region_code": "540100", "password": PASSWORD, **data}
    return c.post("/admin/users", data=body, follow_redirects=False)


def test_only_admins_and_auditors_open_their_pages(app: Any, engine: Engine) -> None:
    cw = staff_client(app, engine, "caseworker", "540100")
    auditor = staff_client(app, engine, "auditor", "540000")
    boss = admin(app, engine, "boss")
    for path in ("/admin/users", "/admin/grants", "/admin/tokens", "/audit", "/audit/verify"):
        assert cw.get(path).status_code == 403, path  # type: ignore[attr-defined]
    for path in ("/admin/users", "/admin/grants", "/admin/tokens"):
        assert auditor.get(path).status_code == 403, path  # type: ignore[attr-defined]
        assert boss.get(path).status_code == 200, path
    assert boss.get("/audit").status_code == 403
    r = cw.post("/admin/users", data={"username": "sneaky", "role": "admin"})  # type: ignore[attr-defined]
    assert r.status_code == 403 and user_row(engine, "sneaky") is None


def test_a_role_grant_needs_a_second_admin(app: Any, engine: Engine) -> None:
    maker, checker = admin(app, engine, "maker"), admin(app, engine, "checker")
    r = create(maker, username="new.cw", role="caseworker")
    assert r.status_code == 303
    page = maker.get(r.headers["location"])
    assert "new.cw" in page.text and "grant-note" in page.text  # waits for a second admin
    assert user_row(engine, "new.cw").active is False  # type: ignore[union-attr]
    with make_sessionmaker(engine)() as s:
        grant_id = s.scalar(select(RoleGrant.id).where(RoleGrant.state == "pending"))
    # the maker is offered no approval, and one posted anyway is refused, changing nothing
    listing = maker.get("/admin/grants").text
    assert f"/admin/grants/{grant_id}/approve" not in listing
    r = maker.post(f"/admin/grants/{grant_id}/approve", follow_redirects=False)
    assert r.status_code == 403
    assert "授权申请须由另一名管理员批准" in r.text and 'role="alert"' in r.text
    assert user_row(engine, "new.cw").active is False  # type: ignore[union-attr]
    # a different admin is offered it and approves: the account opens
    assert f"/admin/grants/{grant_id}/approve" in checker.get("/admin/grants").text
    r = checker.post(f"/admin/grants/{grant_id}/approve", follow_redirects=False)
    assert r.status_code == 303 and r.headers["location"] == "/admin/grants"
    assert user_row(engine, "new.cw").active is True  # type: ignore[union-attr]
    assert "new.cw" not in checker.get("/admin/grants").text  # nothing left waiting


def test_a_refused_account_form_keeps_what_was_typed(app: Any, engine: Engine) -> None:
    boss = admin(app, engine, "boss")
    r = create(boss, username="short.pw", role="analyst", password="short", display_name="次仁")
    assert r.status_code == 422
    assert user_row(engine, "short.pw") is None
    html = r.text
    assert re.search(r'id="new-password"[^>]*aria-invalid="true"[^>]*autofocus', html)
    assert 'id="new-password-error"' in html and "密码至少10个字符" in html
    assert 'value="short.pw"' in html and 'value="次仁"' in html  # kept; the password is not
    assert 'value="short"' not in html
    # a Shigatse admin cannot make a Lhasa account: the error names the region field
    far = admin(app, engine, "far.admin", "540200")
    r = create(far, username="lhasa.x", role="analyst")
    assert r.status_code == 403 and 'id="new-region_code-error"' in r.text
    assert user_row(engine, "lhasa.x") is None


def test_another_regions_admin_sees_and_touches_nothing(app: Any, engine: Engine) -> None:
    boss = admin(app, engine, "boss")
    assert create(boss, username="lhasa.analyst", role="analyst").status_code == 303
    uid = user_row(engine, "lhasa.analyst").id  # type: ignore[union-attr]
    far = admin(app, engine, "far.admin", "540200")
    assert "lhasa.analyst" not in far.get("/admin/users").text
    assert far.get(f"/admin/users/{uid}").status_code == 404
    assert far.get(f"/admin/users/{uid + 999}").status_code == 404  # the same answer
    assert far.post(f"/admin/users/{uid}/disable").status_code == 404
    assert user_row(engine, "lhasa.analyst").active is True  # type: ignore[union-attr]


def test_a_token_is_shown_once_works_and_is_revoked(app: Any, engine: Engine) -> None:
    boss = admin(app, engine, "boss")
    create(boss, username="his", role="cashier", region_code="540102", service_account="on")
    uid = user_row(engine, "his").id  # type: ignore[union-attr]
    with make_sessionmaker(engine)() as s:  # the cashier role needs a second admin first
        s.execute(update(User).where(User.id == uid).values(active=True))
        s.commit()
    # no scope: refused next to the scopes, nothing issued
    r = boss.post(f"/admin/users/{uid}/tokens", data={"name": "HIS"})
    assert r.status_code == 422 and 'id="token-scopes-error"' in r.text
    r = boss.post(f"/admin/users/{uid}/tokens", data={"name": "HIS", "scope:registry:read": "on"})
    assert r.status_code == 201 and r.headers["cache-control"] == "no-store"
    secret = re.search(r'id="secret"[^>]*>(msk_[^<]+)<', r.text).group(1)  # type: ignore[union-attr]
    machine = TestClient(app)  # type: ignore[arg-type]
    machine.headers["Authorization"] = f"Bearer {secret}"
    assert machine.get("/api/auth/me").json()["name"] == "his/HIS"
    page = boss.get(f"/admin/users/{uid}").text
    assert secret not in page and secret[:12] in page  # only its first characters again
    assert secret not in boss.get("/admin/tokens").text
    with make_sessionmaker(engine)() as s:
        token_id = s.scalar(select(ApiToken.id).where(ApiToken.user_id == uid))
    r = boss.post(
        f"/admin/tokens/{token_id}/revoke", data={"back": "tokens"}, follow_redirects=False
    )
    assert r.status_code == 303 and r.headers["location"] == "/admin/tokens"
    assert machine.get("/api/auth/me").status_code == 401  # the revoked token is nobody


def test_disable_reset_and_reopen_an_account(app: Any, engine: Engine) -> None:
    boss = admin(app, engine, "boss")
    create(boss, username="lhasa.analyst", role="analyst")
    uid = user_row(engine, "lhasa.analyst").id  # type: ignore[union-attr]
    person = TestClient(app)  # type: ignore[arg-type]

    def tries(password: str) -> int:
        fresh = TestClient(app)  # type: ignore[arg-type]
        return int(sign_in(fresh, "lhasa.analyst", password).status_code)

    assert sign_in(person, "lhasa.analyst", PASSWORD).status_code == 200
    # a new password: the old one stops working and the open session is closed
    r = boss.post(f"/admin/users/{uid}/password", data={"password": "short"})
    assert r.status_code == 422 and 'id="pw-password-error"' in r.text
    r = boss.post(
        f"/admin/users/{uid}/password", data={"password": "brand-new-horse"}, follow_redirects=False
    )
    assert r.status_code == 303
    assert person.get("/api/auth/me").json()["kind"] == "anonymous"
    assert tries(PASSWORD) == 401
    assert tries("brand-new-horse") == 200
    # disabled: no sign-in; disabling twice says so
    assert boss.post(f"/admin/users/{uid}/disable", follow_redirects=False).status_code == 303
    assert tries("brand-new-horse") == 401
    again = boss.post(f"/admin/users/{uid}/disable")
    assert again.status_code == 409 and "该账户已停用" in again.text
    # an analyst reads no personal data: opened again at once
    assert boss.post(f"/admin/users/{uid}/enable", follow_redirects=False).status_code == 303
    assert user_row(engine, "lhasa.analyst").active is True  # type: ignore[union-attr]
    # an admin cannot disable their own account
    me = user_row(engine, "boss").id  # type: ignore[union-attr]
    assert boss.post(f"/admin/users/{me}/disable").status_code == 403


def test_reopening_a_personal_data_role_waits_for_a_second_admin(app: Any, engine: Engine) -> None:
    boss, other = admin(app, engine, "boss"), admin(app, engine, "other")
    create(boss, username="lhasa.cw", role="caseworker")
    uid = user_row(engine, "lhasa.cw").id  # type: ignore[union-attr]
    with make_sessionmaker(engine)() as s:
        grant_id = s.scalar(select(RoleGrant.id).where(RoleGrant.user_id == uid))
    other.post(f"/admin/grants/{grant_id}/approve")
    assert boss.post(f"/admin/users/{uid}/disable", follow_redirects=False).status_code == 303
    r = boss.post(f"/admin/users/{uid}/enable", follow_redirects=False)
    assert r.status_code == 303
    assert user_row(engine, "lhasa.cw").active is False  # type: ignore[union-attr]
    with make_sessionmaker(engine)() as s:
        pending = s.scalar(
            select(func.count()).where(RoleGrant.user_id == uid, RoleGrant.state == "pending")
        )
    assert pending == 1


def test_the_audit_log_filters_pages_and_verifies(app: Any, engine: Engine) -> None:
    boss = admin(app, engine, "boss")
    for i in range(30):
        create(boss, username=f"bulk.{i}", role="analyst")
    auditor = staff_client(app, engine, "auditor", "540000")
    page = auditor.get("/audit?action=create&resource=user")  # type: ignore[attr-defined]
    assert page.status_code == 200 and "1–25" in page.text and "?action=create" in page.text
    second = auditor.get("/audit?action=create&resource=user&page=2")  # type: ignore[attr-defined]
    assert "26–32" in second.text  # 30 made here, the admin and the auditor
    by_name = auditor.get("/audit?actor=boss&action=create")  # type: ignore[attr-defined]
    assert by_name.text.count("<tr><td") == 25
    bad = auditor.get("/audit?since=2026-02-30")  # type: ignore[attr-defined]
    assert bad.status_code == 422 and 'id="since-error"' in bad.text
    assert 'value="2026-02-30"' in bad.text  # what was typed stays in the field
    ok = auditor.get("/audit/verify")  # type: ignore[attr-defined]
    assert ok.status_code == 200 and "verdict-ok" in ok.text
    with make_sessionmaker(engine)() as s:  # someone edits an entry behind the log's back
        s.execute(update(AuditEntry).where(AuditEntry.id == 5).values(detail='{"role":"admin"}'))
        s.commit()
    broken = auditor.get("/audit/verify")  # type: ignore[attr-defined]
    assert "verdict-bad" in broken.text and "entry 5 was changed" in broken.text
    wrong = auditor.get("/audit/verify?anchor=not-json")  # type: ignore[attr-defined]
    assert wrong.status_code == 422 and 'id="anchor-error"' in wrong.text


def test_a_prefecture_auditor_reads_only_their_region(app: Any, engine: Engine) -> None:
    boss = admin(app, engine, "boss")
    create(boss, username="lhasa.one", role="analyst", region_code="540100")
    create(boss, username="shigatse.one", role="analyst", region_code="540200")
    lhasa = staff_client(app, engine, "auditor", "540100", "lhasa.auditor")
    text = lhasa.get("/audit?resource=user").text  # type: ignore[attr-defined]
    assert "540100" in text and "540200" not in text


def test_a_role_change_waits_for_a_second_admin_and_a_rejection_changes_nothing(
    app: Any, engine: Engine
) -> None:
    """Issue 15 point 5: roles are managed from pages. An analyst (no personal data) becomes a
    caseworker only when a different admin approves; a rejected change leaves the account as
    it was, open; a role without personal data applies at once; one's own role, an unchanged
    one and another region's account are refused."""
    maker, checker = admin(app, engine, "role.maker"), admin(app, engine, "role.checker")
    r = create(checker, username="ana.lyst", role="analyst")
    assert r.status_code == 303
    user = user_row(engine, "ana.lyst")
    assert user is not None and user.active and user.role == "analyst"
    page = f"/admin/users/{user.id}"
    assert f'action="{page}/role"' in maker.get(page).text
    # to a personal-data role: pending, the account keeps its role meanwhile
    body = {"role": "caseworker", "region_code": "540100"}
    r = maker.post(f"{page}/role", data=body, follow_redirects=False)
    assert r.status_code == 303
    assert user_row(engine, "ana.lyst").role == "analyst"  # type: ignore[union-attr]
    with make_sessionmaker(engine)() as s:
        grant_id = s.scalar(
            select(RoleGrant.id).where(RoleGrant.user_id == user.id, RoleGrant.state == "pending")
        )
    assert grant_id is not None
    again = maker.post(f"{page}/role", data=body, follow_redirects=False)  # one waits already
    assert again.status_code == 409
    assert maker.post(f"/admin/grants/{grant_id}/reject").status_code == 403  # not the maker
    r = checker.post(f"/admin/grants/{grant_id}/reject", follow_redirects=False)
    assert r.status_code == 303
    told = checker.get(r.headers["location"]).text  # not "the account stays closed"
    assert "keeps its role" in told or "保留原角色" in told
    after = user_row(engine, "ana.lyst")
    assert after is not None and after.role == "analyst" and after.active  # nothing moved
    # asked again and approved by the other admin: the role and region are the grant's
    assert maker.post(f"{page}/role", data=body, follow_redirects=False).status_code == 303
    with make_sessionmaker(engine)() as s:
        grant_id = s.scalar(
            select(RoleGrant.id).where(RoleGrant.user_id == user.id, RoleGrant.state == "pending")
        )
    assert checker.post(f"/admin/grants/{grant_id}/approve", follow_redirects=False).is_redirect
    after = user_row(engine, "ana.lyst")
    assert after is not None and (after.role, after.region_code, after.active) == (
        "caseworker",
        "540100",
        True,
    )
    # back to analyst: no personal data, applied at once and audited
    r = maker.post(f"{page}/role", data={"role": "analyst", "region_code": "540000"})
    assert r.status_code == 200
    assert user_row(engine, "ana.lyst").role == "analyst"  # type: ignore[union-attr]
    with make_sessionmaker(engine)() as s:
        assert s.scalar(select(func.count()).where(AuditEntry.action == "change_role")) == 1
    # refusals, each changing nothing
    same = maker.post(f"{page}/role", data={"role": "analyst", "region_code": "540000"})
    assert same.status_code == 409
    bad = maker.post(f"{page}/role", data={"role": "emperor", "region_code": "540000"})
    assert bad.status_code == 422 and 'aria-invalid="true"' in bad.text
    me = user_row(engine, "role.maker")
    assert me is not None
    own = maker.post(
        f"/admin/users/{me.id}/role", data={"role": "analyst", "region_code": "540000"}
    )
    assert own.status_code == 403 and user_row(engine, "role.maker").role == "admin"  # type: ignore[union-attr]
    shigatse = admin(app, engine, "role.far", "540200")
    far = shigatse.post(f"{page}/role", data={"role": "auditor", "region_code": "540200"})
    assert far.status_code == 404
    assert user_row(engine, "ana.lyst").role == "analyst"  # type: ignore[union-attr]
