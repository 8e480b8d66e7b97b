"""The devices' signed route and the attendance API (issue 13 point 2): wrong key, stale
timestamp, replayed body, retired or unknown device; registration shows the secret once;
reads of a project's month and a worker's own; CSV import in UTF-8 (BOM or not) and GB18030
with a formula-safe CSV of results — on SQLite and PostgreSQL."""

from __future__ import annotations

import datetime as dt
import json
import time
from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy import func, select
from sqlalchemy.engine import Engine

from minsheng.db import make_sessionmaker
from minsheng.wages.attendance import CST
from minsheng.wages.attendance_devices import signature
from minsheng.wages.attendance_models import WgAttendanceEvent, WgDeviceRequest
from tests.conftest import staff_client
from tests.wages.attendance_world import Site, site

YESTERDAY = (dt.datetime.now(CST) - dt.timedelta(days=1)).replace(
    hour=8, minute=0, second=0, microsecond=0
)


def make_site(engine: Engine, **kw: Any) -> Site:
    with make_sessionmaker(engine)() as s:
        found = site(s, **kw)
        s.commit()
        return found


def events(worker: int, prefix: str = "e", late_days: int = 0) -> list[dict[str, Any]]:
    start = YESTERDAY - dt.timedelta(days=late_days)
    return [
        {"id": f"{prefix}1", "worker": worker, "at": start.isoformat(), "kind": "in"},
        {
            "id": f"{prefix}2",
            "worker": worker,
            "at": (start + dt.timedelta(hours=9, minutes=30)).isoformat(),
            "kind": "out",
        },
    ]


def post(
    c: TestClient,
    serial: str,
    secret: str,
    payload: Any,
    ts: int | None = None,
    raw: bytes | None = None,
) -> Any:
    body = raw if raw is not None else json.dumps(payload).encode()
    stamp = str(int(time.time()) if ts is None else ts)
    return c.post(
        f"/api/wages/devices/{serial}/events",
        content=body,
        headers={
            "Content-Type": "application/json",
            "X-Minsheng-Timestamp": stamp,
            "X-Minsheng-Signature": signature(secret, stamp, body),
        },
    )


def stored(engine: Engine) -> int:
    with make_sessionmaker(engine)() as s:
        return int(s.scalar(select(func.count()).select_from(WgAttendanceEvent)) or 0)


def test_a_signed_batch_is_stored_and_answered_per_event(app: Any, engine: Engine) -> None:
    st = make_site(engine)
    with TestClient(app) as c:
        r = post(c, st.device.serial, st.secret, {"events": events(st.workers[0])})
        assert r.status_code == 200, r.text
        body = r.json()
        assert (body["accepted"], body["duplicates"], body["refused"]) == (2, 0, 0)
        assert [x["status"] for x in body["results"]] == ["accepted", "accepted"]
        again = post(
            c,
            st.device.serial,
            st.secret,
            {"events": events(st.workers[0])},
            ts=int(time.time()) + 1,
        )
        assert again.status_code == 200  # a new timestamp: a new signature; events dedupe
        assert (again.json()["accepted"], again.json()["duplicates"]) == (0, 2)
    assert stored(engine) == 2


def test_wrong_key_stale_timestamp_and_unknown_device_are_refused(app: Any, engine: Engine) -> None:
    st = make_site(engine)
    other = make_site(engine, tag=2)
    payload = {"events": events(st.workers[0])}
    with TestClient(app) as c:
        wrong_key = post(c, st.device.serial, other.secret, payload)
        stale = post(c, st.device.serial, st.secret, payload, ts=int(time.time()) - 301)
        ahead = post(c, st.device.serial, st.secret, payload, ts=int(time.time()) + 301)
        unknown = post(c, "NO-SUCH-DEVICE", st.secret, payload)
        body = json.dumps(payload).encode()
        stamp = str(int(time.time()))
        tampered = c.post(
            f"/api/wages/devices/{st.device.serial}/events",
            content=body.replace(b"in", b"out", 1),
            headers={
                "X-Minsheng-Timestamp": stamp,
                "X-Minsheng-Signature": signature(st.secret, stamp, body),
            },
        )
        unsigned = c.post(f"/api/wages/devices/{st.device.serial}/events", json=payload)
    for r in (wrong_key, stale, ahead, unknown, tampered, unsigned):
        assert r.status_code == 401, r.text
        assert r.json()["error"]["rule"] == "bad_signature"
    assert wrong_key.json() == unknown.json()  # the answer tells nothing about the serial
    assert stored(engine) == 0


def test_a_replayed_body_is_refused_and_changes_nothing(app: Any, engine: Engine) -> None:
    st = make_site(engine)
    body = json.dumps({"events": events(st.workers[0])}).encode()
    ts = int(time.time())
    with TestClient(app) as c:
        first = post(c, st.device.serial, st.secret, None, ts=ts, raw=body)
        replay = post(c, st.device.serial, st.secret, None, ts=ts, raw=body)
    assert first.status_code == 200
    assert replay.status_code == 409 and replay.json()["error"]["rule"] == "replayed"
    assert stored(engine) == 2
    with make_sessionmaker(engine)() as s:
        assert s.scalar(select(func.count()).select_from(WgDeviceRequest)) == 1


def test_a_retired_device_is_refused(app: Any, engine: Engine) -> None:
    st = make_site(engine)
    staff = staff_client(app, engine, "caseworker", "540100")
    with staff as c:  # type: ignore[attr-defined]
        assert c.post(f"/api/wages/devices/{st.device.id}/retire").json()["state"] == "retired"
        r = post(c, st.device.serial, st.secret, {"events": events(st.workers[0])})
    assert r.status_code == 401
    assert stored(engine) == 0


def test_a_malformed_body_or_oversized_batch_is_a_422(app: Any, engine: Engine) -> None:
    st = make_site(engine)
    big = {"events": [events(st.workers[0])[0] | {"id": f"b{i}"} for i in range(5001)]}
    with TestClient(app) as c:
        not_json = post(c, st.device.serial, st.secret, None, raw=b"\xff{not json")
        no_events = post(c, st.device.serial, st.secret, {"evts": []})
        too_many = post(c, st.device.serial, st.secret, big)
        # a refused request is not remembered: the device may send it again
        after = post(c, st.device.serial, st.secret, {"events": events(st.workers[0])})
    assert not_json.status_code == no_events.status_code == 422
    assert too_many.status_code in (413, 422)
    assert after.status_code == 200 and stored(engine) == 2


def test_registration_shows_the_secret_once_and_reads_the_month(app: Any, engine: Engine) -> None:
    st = make_site(engine)
    month = YESTERDAY.strftime("%Y-%m")
    lhasa = staff_client(app, engine, "caseworker", "540100")
    shigatse = staff_client(app, engine, "caseworker", "540200")
    with lhasa as c, shigatse as far:  # type: ignore[attr-defined]
        r = c.post(f"/api/wages/projects/{st.project_id}/devices", json={"serial": "GATE-0042"})
        assert r.status_code == 201, r.text
        secret = r.json()["secret"]
        assert len(secret) >= 40
        listed = c.get(f"/api/wages/projects/{st.project_id}/devices").json()
        assert {d["serial"] for d in listed} == {st.device.serial, "GATE-0042"}
        assert all("secret" not in d for d in listed)
        dup = c.post(f"/api/wages/projects/{st.project_id}/devices", json={"serial": "GATE-0042"})
        assert dup.status_code == 409
        assert (
            far.post(
                f"/api/wages/projects/{st.project_id}/devices", json={"serial": "GATE-0043"}
            ).status_code
            == 404
        )
        assert post(c, "GATE-0042", secret, {"events": events(st.workers[0])}).status_code == 200
        got = c.get(f"/api/wages/projects/{st.project_id}/attendance?month={month}").json()
        assert got["summary"][0]["worker_id"] == st.workers[0]
        assert (got["summary"][0]["days"], got["summary"][0]["hours"]) == (1, 9.5)
        assert got["summary"][0]["overtime_hours"] == 1.5
        assert got["days"][0]["first_in"].startswith(YESTERDAY.strftime("%Y-%m-%dT08:00"))
        assert far.get(f"/api/wages/projects/{st.project_id}/attendance").status_code == 404
        bad = c.get(f"/api/wages/projects/{st.project_id}/attendance?month=2026-13")
        assert bad.status_code == 422 and bad.json()["error"]["field"] == "month"


def _csv(rows: list[str]) -> str:
    return "device_serial,event_id,worker_id,at,kind,备注\r\n" + "".join(r + "\r\n" for r in rows)


def test_csv_import_in_each_encoding_with_formula_safe_results(app: Any, engine: Engine) -> None:
    st = make_site(engine)
    w, serial = st.workers[0], st.device.serial
    day = YESTERDAY.strftime("%Y-%m-%dT")
    text = _csv(
        [
            f"{serial},c1,{w},{day}08:00:00+08:00,in,东门",
            f"{serial},c2,{w},{day}17:00:00+08:00,out,东门",
            f"{serial},=HYPERLINK(1),{w},{day}12:00:00+08:00,in,注入",
            f"OTHER-DEVICE,c3,{w},{day}12:00:00+08:00,in,",
            f"{serial},c4,{w},{day}12:00:00+08:00,进场,藏历新年",
        ]
    )
    staff = staff_client(app, engine, "caseworker", "540100")
    url = f"/api/wages/projects/{st.project_id}/attendance/import"
    with staff as c:  # type: ignore[attr-defined]
        first = c.post(url, files={"file": ("a.csv", text.encode("gb18030"), "text/csv")})
        assert first.status_code == 200, first.text
        rep = first.json()
        assert rep["encoding"] == "gb18030"
        assert (rep["accepted"], rep["refused"], rep["duplicates"]) == (2, 3, 0)
        assert [(r["line"], r["status"], r.get("rule")) for r in rep["results"]] == [
            (2, "accepted", None),
            (3, "accepted", None),
            (4, "refused", "id"),
            (5, "refused", "device"),
            (6, "refused", "kind"),
        ]
        bom = c.post(
            url + "?format=csv",
            files={"file": ("a.csv", ("\ufeff" + text).encode(), "text/csv")},
        )
        assert bom.status_code == 200
        out = bom.content.decode("utf-8-sig")
        assert out.startswith("line,device_serial,event_id,status")
        assert "'=HYPERLINK(1)" in out and ",=HYPERLINK" not in out
        assert out.count("duplicate") == 2  # the same events again: ignored, counted
        plain = c.post(url, files={"file": ("a.csv", text.encode(), "text/csv")}).json()
        assert plain["encoding"] == "utf-8" and plain["duplicates"] == 2
        missing = c.post(url, files={"file": ("a.csv", b"serial,at\r\n", "text/csv")})
        assert missing.status_code == 422 and missing.json()["error"]["rule"] == "columns"
    assert stored(engine) == 2


def test_a_worker_reads_their_own_attendance(app: Any, engine: Engine) -> None:
    st = make_site(engine)
    with TestClient(app) as c:
        post(c, st.device.serial, st.secret, {"events": events(st.workers[0])})
    staff = staff_client(app, engine, "caseworker", "540100")
    with staff as c:  # type: ignore[attr-defined]
        assert c.get("/api/me/wages/attendance").status_code == 403  # staff have no self
