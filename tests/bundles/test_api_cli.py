"""The bundles API and CLI on both databases: a retirement started over HTTP answers 201 with
each part's state; the same application with the same Idempotency-Key answers 200 with the same
bundle; a refused one is stored and answers the refusing part's status with the error naming
the part and the field; another region's caseworker gets 404 for the person and the bundle;
``minsheng bundles apply`` / ``show`` print the bundle and exit 1 on a refusal."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

import pytest
from sqlalchemy import Engine, func, select
from typer.testing import CliRunner

from minsheng.bundles.models import Bundle
from minsheng.cli import app as cli
from minsheng.db import make_sessionmaker, unit_of_work
from minsheng.pensions.models import PnAward
from tests.bundles.kit import employer, person, retiring
from tests.conftest import staff_client


@pytest.fixture
def people(engine: Engine) -> dict[str, int]:
    with unit_of_work(make_sessionmaker(engine)) as s:
        employer(s)
        return {
            "retiree": retiring(s, 1),
            "young": retiring(s, 3, born=dt.date(1975, 5, 10)),
            "plain": person(s, 5, born=dt.date(1990, 1, 1)),
        }


def test_retirement_over_http_and_its_retry(
    app: Any, engine: Engine, people: dict[str, int]
) -> None:
    lhasa = staff_client(app, engine, "caseworker", "540100")
    key = {"Idempotency-Key": "retire-0001"}
    r = lhasa.post("/api/bundles/retirement", json={"person_id": people["retiree"]}, headers=key)  # type: ignore[attr-defined]
    assert r.status_code == 201, r.text
    body = r.json()
    assert body["state"] == "done"
    assert [(p["name"], p["state"]) for p in body["parts"]] == [
        ("pension", "done"),
        ("contributions", "done"),
        ("medical", "done"),
    ]
    again = lhasa.post(
        "/api/bundles/retirement", json={"person_id": people["retiree"]}, headers=key
    )  # type: ignore[attr-defined]
    assert again.status_code == 200 and again.json()["id"] == body["id"]
    shown = lhasa.get(f"/api/bundles/{body['id']}")  # type: ignore[attr-defined]
    assert shown.status_code == 200 and shown.json()["parts"] == body["parts"]
    listed = lhasa.get("/api/bundles", params={"person_id": people["retiree"]}).json()  # type: ignore[attr-defined]
    assert [b["id"] for b in listed["bundles"]] == [body["id"]]
    with make_sessionmaker(engine)() as s:
        assert s.scalar(select(func.count()).select_from(PnAward)) == 1
    shigatse = staff_client(app, engine, "caseworker", "540200")
    assert shigatse.get(f"/api/bundles/{body['id']}").status_code == 404  # type: ignore[attr-defined]
    assert shigatse.get("/api/bundles").json() == {"bundles": []}  # type: ignore[attr-defined]
    r = shigatse.post("/api/bundles/card", json={"person_id": people["plain"]})  # type: ignore[attr-defined]
    assert r.status_code == 404 and r.json()["error"]["field"] == "person_id"


def test_a_refused_bundle_is_stored_and_answers_the_parts_status(
    app: Any, engine: Engine, people: dict[str, int]
) -> None:
    lhasa = staff_client(app, engine, "caseworker", "540100")
    r = lhasa.post("/api/bundles/retirement", json={"person_id": people["young"]})  # type: ignore[attr-defined]
    assert r.status_code == 409, r.text
    body = r.json()
    assert body["state"] == "refused"
    assert (body["error"]["part"], body["error"]["field"], body["error"]["rule"]) == (
        "pension",
        "start",
        "too_young",
    )
    assert body["error"]["message"]["zh"] and body["error"]["message"]["bo"]
    assert [p["state"] for p in body["parts"]] == ["refused", "not_run", "not_run"]
    r = lhasa.post(  # type: ignore[attr-defined]
        "/api/bundles/hire",
        json={
            "person_id": people["plain"],
            "credit_code": "91540102MA6T00001X",
            "wage": "6000",
            "start_date": dt.date.today().isoformat(),
        },
    )
    assert r.status_code == 422 and r.json()["error"]["field"] == "credit_code"
    with make_sessionmaker(engine)() as s:
        assert s.scalar(select(func.count()).select_from(Bundle)) == 2


def test_the_cli_applies_and_shows(
    engine: Engine, people: dict[str, int], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("MINSHENG_DATABASE_URL", engine.url.render_as_string(hide_password=False))
    runner = CliRunner()
    r = runner.invoke(cli, ["bundles", "apply", "card", "--person", str(people["plain"])])
    assert r.exit_code == 0, r.output
    out = json.loads(r.stdout)
    assert out["state"] == "done" and out["parts"][0]["name"] == "card"
    shown = runner.invoke(cli, ["bundles", "show", str(out["id"])])
    assert shown.exit_code == 0 and json.loads(shown.stdout)["id"] == out["id"]
    refused = runner.invoke(
        cli, ["bundles", "apply", "retirement", "--person", str(people["young"])]
    )
    assert refused.exit_code == 1
    assert "too_young" in refused.output and "start" in refused.output
    bad = runner.invoke(cli, ["bundles", "apply", "hire", "--person", "1", "--start", "2025-13-01"])
    assert bad.exit_code == 1 and "start_date" in bad.output
