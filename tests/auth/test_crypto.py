import datetime as dt

import pytest
import sqlalchemy as sa
from sqlalchemy import Engine
from sqlalchemy.orm import Session

from minsheng.config import Keys, load_keys, new_key, parse_data_keys
from minsheng.core import ids
from minsheng.db import downgrade, upgrade
from minsheng.foundation import crypto
from minsheng.foundation.principals import system
from minsheng.registry import service
from minsheng.registry.existence import find_by_id_number
from minsheng.registry.schemas import PersonIn

A = ids.make_resident_id("540102", dt.date(1980, 1, 2), 17)


@pytest.fixture
def keyring():  # type: ignore[no-untyped-def]
    before = crypto.keys()
    yield
    crypto.configure(before)


def test_round_trip_and_fresh_nonces() -> None:
    a, b = crypto.encrypt(A), crypto.encrypt(A)
    assert a != b  # a new nonce every time
    assert A not in a
    assert crypto.decrypt(a) == crypto.decrypt(b) == A


def test_tampered_ciphertext_is_refused() -> None:
    token = crypto.encrypt(A)
    import base64

    kid, body = token.split("$")
    raw = bytearray(base64.urlsafe_b64decode(body))
    raw[14] ^= 0x01  # one bit of the ciphertext
    flipped = base64.urlsafe_b64encode(bytes(raw)).decode()
    with pytest.raises(Exception):  # noqa: B017 - cryptography's InvalidTag
        crypto.decrypt(f"{kid}${flipped}")


def test_rotation_keeps_old_values_readable(keyring) -> None:  # type: ignore[no-untyped-def]
    old = crypto.encrypt(A)
    old_keys = crypto.keys()
    new = Keys(parse_data_keys(f"k2:{new_key()}") + old_keys.data_keys, old_keys.hmac_key)
    crypto.configure(new)
    assert crypto.decrypt(old) == A
    fresh = crypto.encrypt(A)
    assert crypto.key_id_of(fresh) == "k2"
    crypto.configure(Keys(parse_data_keys(f"k3:{new_key()}"), old_keys.hmac_key))
    with pytest.raises(ValueError, match="no key"):
        crypto.decrypt(old)


def test_lookup_hash_is_keyed_and_normalised(keyring) -> None:  # type: ignore[no-untyped-def]
    h = crypto.lookup_hash(A)
    assert h == crypto.lookup_hash(" " + A.lower() + " ")
    assert A not in h and len(h) == 64
    k = crypto.keys()
    crypto.configure(Keys(k.data_keys, b"x" * 32))
    assert crypto.lookup_hash(A) != h


def test_stored_rows_hold_no_plain_number(session: Session) -> None:
    service.create_person(
        session,
        PersonIn(id_number=A, name_zh="次仁", hukou="rural", phone="13908901234"),
        system("t"),
    )
    session.commit()
    raw = session.execute(
        sa.text("SELECT id_number, phone, id_hash, id_masked, phone_masked FROM persons")
    ).one()
    assert A not in raw[0] and "13908901234" not in raw[1]
    assert raw[2] == crypto.lookup_hash(A)
    assert (raw[3], raw[4]) == ("5401" + "*" * 14, "139****1234")
    assert find_by_id_number(session, A) is not None


def test_migration_encrypts_existing_rows_and_back(engine: Engine) -> None:
    downgrade(engine, "0001")
    with engine.begin() as conn:
        conn.execute(
            sa.text(
                "INSERT INTO persons (id_number, name_zh, sex, birth_date, division_code, hukou, phone) "
                "VALUES (:n, '次仁', 'M', '1980-01-02', '540102', 'rural', '13908901234')"
            ),
            {"n": A},
        )
    upgrade(engine)
    with engine.connect() as conn:
        row = conn.execute(sa.text("SELECT id_number, id_hash, phone FROM persons")).one()
    assert A not in row[0] and crypto.decrypt(row[0]) == A
    assert row[1] == crypto.lookup_hash(A)
    assert crypto.decrypt(row[2]) == "13908901234"
    downgrade(engine, "0001")
    with engine.connect() as conn:
        assert conn.execute(sa.text("SELECT id_number FROM persons")).scalar() == A
    upgrade(engine)


def test_development_key_file(tmp_path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.delenv("MINSHENG_DATA_KEYS")
    monkeypatch.delenv("MINSHENG_HMAC_KEY")
    first = load_keys(tmp_path)
    assert (tmp_path / "keys.json").stat().st_mode & 0o777 == 0o600
    assert load_keys(tmp_path) == first  # the same keys next time
    from minsheng.config import ConfigError

    with pytest.raises(ConfigError):
        load_keys(tmp_path / "elsewhere", "production")
