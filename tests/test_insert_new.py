"""``db.insert_new``: ``INSERT … ON CONFLICT DO NOTHING RETURNING`` on both databases — the new
row as a loaded object, None on a duplicate key, and the transaction still usable after it
(no savepoint is needed: the conflict is not an error)."""

from __future__ import annotations

from sqlalchemy import Engine, func, select

from minsheng.auth.models import User
from minsheng.db import insert_new, make_sessionmaker, unit_of_work


def _user(name: str, display: str) -> dict[str, object]:
    return {
        "username": name,
        "display_name": display,
        "role": "caseworker",
        "region_code": "540100",
        "password_hash": "x",
    }


def test_a_new_row_comes_back_and_a_duplicate_changes_nothing(engine: Engine) -> None:
    factory = make_sessionmaker(engine)
    with unit_of_work(factory) as s:
        first = insert_new(s, User, _user("desk.one", "第一"), ["username"])
        assert first is not None and first.id is not None
        assert first.active is True  # the column's default applied
        assert first.created_at is not None  # the server's default came back
        assert s.get(User, first.id) is first  # in the session, as if loaded
        again = insert_new(s, User, _user("desk.one", "第二"), ["username"])
        assert again is None
        # the transaction goes on: a later write in it commits with the first row
        other = insert_new(s, User, _user("desk.two", "第三"), ["username"])
        assert other is not None and other.id != first.id
    with factory() as s:
        names = {u: d for u, d in s.execute(select(User.username, User.display_name))}
        assert names == {"desk.one": "第一", "desk.two": "第三"}
        assert s.scalar(select(func.count()).select_from(User)) == 2


def test_a_lost_race_is_a_409_naming_the_field_in_three_languages() -> None:
    from minsheng.db import lost_race

    err = lost_race("id_number")
    assert (err.field, err.rule, err.status) == ("id_number", "retry", 409)
    assert err.zh == "请重试" and err.en == "please try again" and err.bo
