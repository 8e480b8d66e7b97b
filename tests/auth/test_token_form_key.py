"""A token form is used once: reloading the page that showed a new token (the browser posts the
form again), a double click, or two requests at once mint one token, never two."""

from __future__ import annotations

import re
import threading
from typing import Any

import pytest
from sqlalchemy import Engine, func, select, update

from minsheng.auth import tokens
from minsheng.auth.models import ApiToken, User
from minsheng.core.errors import ConflictError, MinshengError
from minsheng.db import make_sessionmaker
from tests.auth.test_admin_pages import admin, create, user_row
from tests.conftest import system


def _service_account(boss: Any, engine: Engine) -> int:
    create(boss, username="his", role="cashier", region_code="540102", service_account="on")
    uid = user_row(engine, "his").id  # type: ignore[union-attr]
    with make_sessionmaker(engine)() as s:  # the cashier role would need a second admin first
        s.execute(update(User).where(User.id == uid).values(active=True))
        s.commit()
    return uid


def _count(engine: Engine, uid: int) -> int:
    with make_sessionmaker(engine)() as s:
        return s.scalar(select(func.count()).where(ApiToken.user_id == uid)) or 0


def test_reloading_the_new_token_page_issues_nothing_more(app: Any, engine: Engine) -> None:
    boss = admin(app, engine, "boss")
    uid = _service_account(boss, engine)
    page = boss.get(f"/admin/users/{uid}").text
    key = re.search(r'name="form_key" value="([^"]+)"', page).group(1)  # type: ignore[union-attr]
    form = {"name": "HIS", "scope:registry:read": "on", "form_key": key}
    first = boss.post(f"/admin/users/{uid}/tokens", data=form)
    assert first.status_code == 201
    secret = re.search(r'id="secret"[^>]*>(msk_[^<]+)<', first.text).group(1)  # type: ignore[union-attr]
    again = boss.post(f"/admin/users/{uid}/tokens", data=form, follow_redirects=False)  # reload
    assert again.status_code == 303 and again.headers["location"] == f"/admin/users/{uid}"
    shown = boss.get(again.headers["location"]).text
    assert 'id="secret"' not in shown and secret not in shown
    assert "这次没有签发新令牌" in shown  # the page in its language (zh-CN): nothing new
    assert _count(engine, uid) == 1
    # the answer carries a fresh key: the next token is a new request, and is issued
    fresh = re.search(r'name="form_key" value="([^"]+)"', first.text).group(1)  # type: ignore[union-attr]
    assert fresh != key
    assert (
        boss.post(f"/admin/users/{uid}/tokens", data={**form, "form_key": fresh}).status_code == 201
    )
    assert _count(engine, uid) == 2


@pytest.mark.parametrize("bad", ["x" * 65, "a b", "ключ\n"])
def test_a_forged_form_key_is_refused_by_name(app: Any, engine: Engine, bad: str) -> None:
    boss = admin(app, engine, "boss")
    uid = _service_account(boss, engine)
    r = boss.post(
        f"/admin/users/{uid}/tokens",
        data={"name": "HIS", "scope:registry:read": "on", "form_key": bad},
    )
    assert r.status_code == 422 and "msk_" not in r.text
    assert _count(engine, uid) == 0


def test_two_requests_with_one_form_key_at_once_mint_one_token(app: Any, engine: Engine) -> None:
    boss = admin(app, engine, "boss")
    uid = _service_account(boss, engine)
    maker = make_sessionmaker(engine)
    gate = threading.Barrier(3)
    answers: list[str] = []

    def issue() -> None:
        gate.wait()
        try:
            with maker() as s:
                tokens.create_token(s, system(), uid, "HIS", ["registry:read"], form_key="k" * 22)
                s.commit()
            answers.append("issued")
        except ConflictError as err:
            answers.append(err.rule)
        except MinshengError as err:  # SQLite: a writer that waited too long
            answers.append(err.rule)

    threads = [threading.Thread(target=issue) for _ in range(3)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert answers.count("issued") == 1, answers
    assert _count(engine, uid) == 1
