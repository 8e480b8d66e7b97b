"""The monthly pension roll (issue 12, point 6) on the shared payment engine: each active award
paid once per month into the card's bank account, a retried roll pays nothing new, an award
without a bank account is listed unpayable, a back-dated claim is paid its arrears; two rolls
at once and a kill -9 at every step of the bank file pay nobody twice."""

from __future__ import annotations

import datetime as dt
import os
import re
import signal
import subprocess
import sys
import threading
from pathlib import Path

from sqlalchemy import Engine, select

from minsheng.db import make_sessionmaker, unit_of_work
from minsheng.payments import engine as payments
from minsheng.pensions import roll as rolls
from minsheng.pensions.models import PnAward, PnPayment, PnRollRun
from minsheng.registry import service as registry
from minsheng.registry.schemas import PersonPatch
from tests.assistance import bankfile_reader as reader
from tests.pensions.award_kit import BY, claim, luhn_account, resident

ROOT = Path(__file__).resolve().parents[2]
FINAL = re.compile(r"pension-(\d{4}-\d{2})-(\d{6})-run(\d+)\.txt")


def read(path: Path) -> reader.BankFile:
    """The independent reader of MSBANK/1, on a pension roll's final file name."""
    m = FINAL.fullmatch(path.name)
    if m is None:
        raise reader.Refused(f"not a final pension bank-file name: {path.name}")
    f = reader.parse(path.read_bytes())
    if (f.month, f.region, f.run_id) != (m.group(1), m.group(2), int(m.group(3))):
        raise reader.Refused("file name and header disagree")
    return f


def last_day(month: str) -> dt.date:
    y, m = (int(x) for x in month.split("-"))
    return dt.date(y + (m == 12), m % 12 + 1, 1) - dt.timedelta(days=1)


def roll(engine: Engine, month: str, directory: Path, region: str = "540100") -> rolls.RollResult:
    return rolls.issue(
        make_sessionmaker(engine), month, region, BY, directory, today=last_day(month)
    )


def paid(engine: Engine, award_id: int) -> list[str]:
    with make_sessionmaker(engine)() as s:
        return [p.month for p in rolls.payments_of(s, award_id)]


def test_each_active_award_is_paid_once_per_month_into_its_card_account(
    engine: Engine, tmp_path: Path
) -> None:
    with unit_of_work(make_sessionmaker(engine)) as s:
        banked = claim(s, resident(s, 1), start="2025-04")
        unbanked = claim(s, resident(s, 2, bank=False))
        ids, monthly, pid = (banked.id, unbanked.id), banked.monthly, banked.person_id
    first = roll(engine, "2025-06", tmp_path)
    assert first.state == "issued"
    assert first.new_payments == 3 and first.new_total == 3 * monthly  # April–June: arrears
    assert first.unpayable == [ids[1]]
    assert paid(engine, ids[0]) == ["2025-04", "2025-05", "2025-06"]
    assert paid(engine, ids[1]) == []
    again = roll(engine, "2025-06", tmp_path)
    assert again.new_payments == 0 and again.already_paid == 0 and again.file_name is None
    f = read(tmp_path / str(first.file_name))
    assert [r.ref for r in f.records] == [rolls.pay_key(ids[0], m) for m in paid(engine, ids[0])]
    assert all(luhn_account(pid) in r.memo for r in f.records)
    with make_sessionmaker(engine)() as s:
        name, body = rolls.bank_file_of(s, first.run_id, BY, tmp_path)
        assert body == (tmp_path / name).read_bytes()
    nxt = roll(engine, "2025-07", tmp_path)
    assert nxt.new_payments == 1 and paid(engine, ids[0])[-1] == "2025-07"


def test_a_future_month_and_another_region_are_refused(engine: Engine, tmp_path: Path) -> None:
    import pytest

    from minsheng.core.errors import MinshengError
    from minsheng.foundation.principals import staff

    with pytest.raises(MinshengError) as e:
        rolls.issue(
            make_sessionmaker(engine), "2025-08", "540100", BY, tmp_path, dt.date(2025, 7, 31)
        )
    assert e.value.field == "month"
    far = staff(1, "far", "supervisor", "540200")
    with pytest.raises(MinshengError) as e:
        rolls.issue(make_sessionmaker(engine), "2025-06", "540100", far, tmp_path)
    assert e.value.field == "region"


def test_no_month_after_a_recorded_death_is_paid(engine: Engine, tmp_path: Path) -> None:
    with unit_of_work(make_sessionmaker(engine)) as s:
        award = claim(s, resident(s, 3), start="2025-01")
        registry.update_person(s, award.person_id, PersonPatch(death_date=dt.date(2025, 3, 9)), BY)
        award_id = award.id
    roll(engine, "2025-06", tmp_path)
    assert paid(engine, award_id) == ["2025-01", "2025-02", "2025-03"]


def test_two_rolls_at_once_pay_once(engine: Engine, tmp_path: Path) -> None:
    with unit_of_work(make_sessionmaker(engine)) as s:
        ids = [claim(s, resident(s, 10 + i)).id for i in range(4)]
    errors: list[BaseException] = []
    barrier = threading.Barrier(3)

    def go(region: str) -> None:
        try:
            barrier.wait()
            roll(engine, "2025-06", tmp_path / "pensions", region)
        except BaseException as err:
            errors.append(err)

    threads = [threading.Thread(target=go, args=(r,)) for r in ("540100", "540000", "540102")]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not [e for e in errors if getattr(e, "status", 409) != 409], errors
    roll(engine, "2025-06", tmp_path / "pensions")
    for award_id in ids:
        assert paid(engine, award_id) == ["2025-06"]
    _files_agree(engine, tmp_path / "pensions")


def _files_agree(engine: Engine, directory: Path) -> None:
    """Every payment in exactly one issued file, every run issued, no file without its run."""
    with make_sessionmaker(engine)() as s:
        runs = {r.id: r for r in s.scalars(select(PnRollRun))}
        keys = {p.pay_key for p in s.scalars(select(PnPayment))}
        assert s.scalar(select(PnAward.id).where(PnAward.paid_through.is_(None))) is None
    seen: dict[str, int] = {}
    for path in sorted(directory.iterdir()) if directory.exists() else []:
        try:
            f = read(path)
        except reader.Refused:
            assert path.name.startswith("."), path.name  # only temporaries may be refused
            continue
        assert runs[f.run_id].digest == f.digest
        for rec in f.records:
            seen[rec.ref] = seen.get(rec.ref, 0) + 1
    assert {r.state for r in runs.values()} <= {"issued"}
    assert set(seen) == keys and all(n == 1 for n in seen.values()), seen


def test_killed_at_every_step_nobody_is_paid_twice(engine: Engine, tmp_path: Path) -> None:
    with unit_of_work(make_sessionmaker(engine)) as s:
        for i in range(3):
            claim(s, resident(s, 20 + i), start="2025-01")
    env = dict(os.environ)
    env["MINSHENG_DATABASE_URL"] = engine.url.render_as_string(hide_password=False)
    env["MINSHENG_DATA_DIR"] = str(tmp_path)
    directory = rolls.files_dir(tmp_path)
    for i, step in enumerate(payments.FAULT_STEPS):
        month = f"2025-{i + 1:02d}"
        r = subprocess.run(
            [sys.executable, "-m", "minsheng", "pensions", "roll", month, "--region", "540100"],
            env={**env, "MINSHENG_FAULT": f"payroll:{step}"},
            cwd=ROOT,
            capture_output=True,
            text=True,
            timeout=120,
        )
        assert r.returncode == -signal.SIGKILL, (step, r.returncode, r.stderr)
        roll(engine, month, directory)  # the retry finishes what the crash left
        _files_agree(engine, directory)
    with make_sessionmaker(engine)() as s:
        months = sorted({p.month for p in s.scalars(select(PnPayment))})
    assert months == [f"2025-{i + 1:02d}" for i in range(len(payments.FAULT_STEPS))]
