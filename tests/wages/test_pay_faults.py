"""The wage pay run killed (SIGKILL) at every step of the payment engine, through the CLI
(``minsheng wages payroll YYYY-MM --project ID --issue``): the retry finishes what the crash
left, every issued run has exactly one final bank file that the independent reader accepts,
no worker is paid twice for a month, and the account's balance is what came in less what was
paid — never below zero."""

from __future__ import annotations

import datetime as dt
import os
import signal
import subprocess
import sys
from pathlib import Path

from sqlalchemy import Engine, func, select, update

from minsheng.db import make_sessionmaker, unit_of_work
from minsheng.payments import engine as payments
from minsheng.wages import pay, pay_run
from minsheng.wages.models import WgWorker
from minsheng.wages.pay_models import WgLabourTransfer, WgPayment, WgPayRun, WgWageAccount
from tests.assistance import bankfile_reader as reader
from tests.wages.pay_kit import BY, funded, site, work

ROOT = Path(__file__).resolve().parents[2]


def cli(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "minsheng", "wages", *args],
        env=env,
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_killed_at_every_step_nobody_is_paid_twice(engine: Engine, tmp_path: Path) -> None:
    factory = make_sessionmaker(engine)
    months = [f"2026-{m:02d}" for m in range(5, 5 + len(payments.FAULT_STEPS))]
    with unit_of_work(factory) as s:
        k = site(s)
        s.execute(update(WgWorker).values(entry_on=dt.date(2026, 1, 5)))
        for m in months:
            work(s, k, "day", dt.date.fromisoformat(f"{m}-12"), 480)
            work(s, k, "sub", dt.date.fromisoformat(f"{m}-13"), 480)
        funded(s, k, 10_000_000)
    env = dict(os.environ)
    env["MINSHENG_DATABASE_URL"] = engine.url.render_as_string(hide_password=False)
    env["MINSHENG_DATA_DIR"] = str(tmp_path)
    directory = pay_run.files_dir(tmp_path)
    for month, step in zip(months, payments.FAULT_STEPS, strict=True):
        if month == months[0]:  # the CLI's first step builds the sheets (once: it is slow)
            built = cli(env, "payroll", month, "--project", str(k.project_id))
            assert built.returncode == 0 and '"sheets"' in built.stdout, built.stderr
        else:
            with unit_of_work(factory) as s:
                pay.build_month(s, k.project_id, month, BY)
        r = cli(
            {**env, "MINSHENG_FAULT": f"payroll:{step}"},
            "payroll",
            month,
            "--project",
            str(k.project_id),
            "--issue",
        )
        assert r.returncode == -signal.SIGKILL, (step, r.returncode, r.stderr)
        pay_run.pay(factory, k.project_id, month, BY, directory)  # the retry finishes it
        _files_agree(engine, directory)
    with make_sessionmaker(engine)() as s:
        paid = s.execute(select(WgPayment.pay_key, WgPayment.month)).all()
        assert len(paid) == len({key for key, _ in paid}) == 2 * len(months)
        assert sorted({m for _, m in paid}) == months
        came = s.scalar(select(func.sum(WgLabourTransfer.amount)))
        out = s.scalar(select(func.sum(WgPayment.amount)))
        assert s.scalar(select(WgWageAccount.balance)) == came - out >= 0
        assert {r.state for r in s.scalars(select(WgPayRun))} == {"issued"}
        assert pay.paid_for(s, k.workers["day"], months[0]) is not None


def _files_agree(engine: Engine, directory: Path) -> None:
    files = sorted(p.name for p in directory.iterdir())
    assert not [n for n in files if n.endswith(".tmp")], files
    with make_sessionmaker(engine)() as s:
        runs = [r for r in s.scalars(select(WgPayRun)) if r.file_name]
        assert sorted(str(r.file_name) for r in runs) == files
        for run in runs:
            f = reader.parse((directory / str(run.file_name)).read_bytes())
            keys = set(s.scalars(select(WgPayment.pay_key).where(WgPayment.run_id == run.id)))
            assert {rec.ref for rec in f.records} == keys
            assert f.run_id == run.id and run.state == "issued"
