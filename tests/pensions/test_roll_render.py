"""The roll's bank file at scale (issue 12, the roll under 30 s): what the file costs is the
work and nothing else — the stored ID number and bank account decrypted once per person paid
(not once per month of arrears, nor for a replaced card), and the records formatted as they
are, all checked at once, escaped field by field only when something needs it — with the very
bytes the per-field writer made (``MSBANK/1``, docs/formats.md)."""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sqlalchemy import Engine, func, select, update

from minsheng.core import export
from minsheng.core.errors import ConflictError
from minsheng.db import make_sessionmaker, unit_of_work
from minsheng.foundation import crypto
from minsheng.payments import engine as engine_module
from minsheng.pensions import roll as rolls
from minsheng.pensions.models import PnAward, PnPayment, PnRollRun
from tests.assistance import bankfile_reader as reader
from tests.pensions.award_kit import BY
from tests.pensions.test_roll_scale import MONTH, TODAY, per_award, population


def per_field(region: str, month: str, run_id: int, rows: list[tuple[Any, ...]]) -> bytes:
    """The writer as it was: every field of every record through ``escape_field``."""
    total = sum(r[3] for r in rows)
    head = ["MSBANK/1", export.escape_field(region), export.escape_field(month), str(run_id)]
    lines = ["|".join([*head, str(len(rows)), str(total)])]
    for i, (ref, name, idn, amount, memo) in enumerate(rows, 1):
        fields = [ref, name, idn, str(amount), memo]
        lines.append("|".join(["D", str(i), *(export.escape_field(f) for f in fields)]))
    signed = ("\n".join(lines) + "\n").encode("utf-8")
    digest = hashlib.sha256(signed).hexdigest()
    return signed + f"T|{len(rows)}|{total}|{digest}\n".encode()


# text that is mostly plain, with now and then a separator, a line break, a control, a
# backslash, a C1 control or a Unicode line separator
NASTY = st.text(
    alphabet=st.one_of(
        st.sampled_from("张三卓玛 0123456789ABCXxa-:"),
        st.sampled_from("|\\\n\r\t\x00\x1b\x7f\x85\x9f\u2028\u2029"),
        st.characters(codec="utf-8"),
    ),
    max_size=12,
)
ROW = st.tuples(NASTY, NASTY, NASTY, st.integers(1, 10**12), NASTY)


@settings(max_examples=300, deadline=None)
@given(st.lists(ROW, max_size=8), NASTY, st.sampled_from(["2025-06", "20|5\n06"]))
def test_the_bulk_writer_makes_the_per_field_writers_bytes(
    rows: list[tuple[Any, ...]], region: str, month: str
) -> None:
    data, digest = export.bank_file_rows(region, month, 7, rows)
    assert data == per_field(region, month, 7, rows)
    assert export.bank_digest(data) == digest
    transfers = [export.Transfer(*r) for r in rows]
    assert export.bank_file(region, month, 7, transfers) == (data, digest)
    # the independent reader gives every field back as it was
    f = reader.parse(export.bank_file_rows("540000", "2025-06", 7, rows)[0])
    assert [(x.ref, x.name, x.id_number, x.amount, x.memo) for x in f.records] == rows


@pytest.mark.parametrize("amount", [0, -1, True, 1.5, "5"])
def test_the_bulk_writer_refuses_an_amount_that_is_not_positive_fen(amount: Any) -> None:
    with pytest.raises(ValueError, match="positive integer"):
        export.bank_file_rows("540000", "2025-06", 1, [("k", "n", "i", amount, "m")])


def test_the_bulk_writer_refuses_a_field_that_is_not_text() -> None:
    with pytest.raises(TypeError):
        export.bank_file_rows("540000", "2025-06", 1, [("k", None, "i", 5, "m")])


def test_decrypt_many_is_decrypt_of_each_and_refuses_what_decrypt_refuses() -> None:
    plain = ["540102198001020017", "", "6222000000000001", "卓玛"]
    tokens = [crypto.encrypt(p) for p in plain]
    assert crypto.decrypt_many(tokens) == plain == [crypto.decrypt(t) for t in tokens]
    for bad in ("no-dollar", "nokey$AAAA", tokens[0][:-4] + "AAAA"):
        with pytest.raises(Exception) as many:
            crypto.decrypt_many([tokens[1], bad])
        with pytest.raises(Exception) as one:
            crypto.decrypt(bad)
        assert type(many.value) is type(one.value)


@pytest.fixture
def decryptions(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[int]]:
    """Counts every AES-GCM decryption (``crypto.decrypt`` and ``decrypt_many`` alike)."""
    seen = [0]
    real = crypto._aead

    class Counting:
        def __init__(self, aead: Any) -> None:
            self.aead = aead

        def decrypt(self, *args: Any) -> bytes:
            seen[0] += 1
            return self.aead.decrypt(*args)  # type: ignore[no-any-return]

        def encrypt(self, *args: Any) -> bytes:
            return self.aead.encrypt(*args)  # type: ignore[no-any-return]

    monkeypatch.setattr(crypto, "_aead", lambda key: Counting(real(key)))
    yield seen


def test_the_file_decrypts_once_per_person_paid(
    engine: Engine, tmp_path: Path, decryptions: list[int]
) -> None:
    """Claimants with up to six months of arrears, replaced cards still holding an old account,
    cards no longer live: two decryptions per person paid (ID number, account), no more."""
    population(engine, 1_500)
    expected, _ = per_award(engine, MONTH, "5401")
    decryptions[0] = 0
    factory = make_sessionmaker(engine)
    r = rolls.issue(factory, MONTH, "540100", BY, tmp_path, today=TODAY)
    with factory() as s:
        people = set(s.scalars(select(PnPayment.person_id).where(PnPayment.run_id == r.run_id)))
    assert r.new_payments == len(expected) > 1.5 * len(people)  # arrears: months > people
    assert decryptions[0] == 2 * len(people)
    f = reader.parse((tmp_path / str(r.file_name)).read_bytes())
    assert [(x.ref, x.name, x.id_number, x.amount, x.memo) for x in f.records] == expected


def test_a_key_paid_behind_the_lock_is_a_clean_conflict_on_either_database(
    engine: Engine, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """If something bypassed the lock and the paid-key check, the bulk insert (COPY on
    PostgreSQL, executemany elsewhere) meets the unique key: the run is refused as busy (409)
    and nothing of it stays."""
    population(engine, 600)
    factory = make_sessionmaker(engine)
    first = rolls.issue(factory, MONTH, "540100", BY, tmp_path, today=TODAY)
    assert first.new_payments > 0
    with unit_of_work(factory) as s:  # as if the first roll's paid_through were lost
        s.execute(update(PnAward).values(paid_through=None))
        before = s.scalar(select(func.count()).select_from(PnPayment))
    monkeypatch.setattr(engine_module, "paid_keys", lambda *a: set())
    with pytest.raises(ConflictError) as refused:
        rolls.issue(factory, MONTH, "540100", BY, tmp_path, today=TODAY)
    assert refused.value.rule == "payroll_busy"
    with factory() as s:
        assert s.scalar(select(func.count()).select_from(PnPayment)) == before
        assert s.scalar(select(func.count()).select_from(PnRollRun)) == 1
