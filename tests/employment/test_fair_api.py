"""Job fairs over HTTP on both databases: the organiser plans and allocates, a recruiter applies
and records interviews, the entrance checks visitors in (201 the first time, 200 a repeat),
the seeker's phone pages and pass, another region's fair answering 404, and the CLI report."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine, func, select
from typer.testing import CliRunner

from minsheng.auth import service as auth
from minsheng.auth.models import EmployerUser, User
from minsheng.db import make_sessionmaker, unit_of_work
from minsheng.employment import fairs
from minsheng.employment.fair_models import EmFairCheckin
from minsheng.registry.models import Person
from minsheng.webkit.guards import SESSION_COOKIE
from tests.conftest import make_app, staff_client
from tests.employment import fair_kit as k


def _citizen(app: Any, engine: Engine, person_id: int) -> TestClient:
    with unit_of_work(make_sessionmaker(engine)) as s:
        token = auth.open_session(s, 1, person=s.get(Person, person_id)).token
    c = TestClient(app)
    c.cookies.set(SESSION_COOKIE, token)
    c.headers["X-CSRF-Token"] = c.get("/api/auth/csrf").json()["csrf_token"]
    return c


def _bind(engine: Engine, username: str, employer_id: int) -> None:
    with unit_of_work(make_sessionmaker(engine)) as s:
        user = s.scalar(select(User.id).where(User.username == username))
        s.add(EmployerUser(user_id=user, employer_id=employer_id))


def _body(**over: Any) -> dict[str, Any]:
    return k.fair_in(**over).model_dump(mode="json")


def test_a_fair_from_plan_to_report(engine: Engine, monkeypatch: pytest.MonkeyPatch) -> None:
    app = make_app(engine)
    org = staff_client(app, engine, "caseworker", "540100")
    rec = staff_client(app, engine, "employer", "540100")
    with unit_of_work(make_sessionmaker(engine)) as s:
        employer = k.employer(s)
        vids = [k.vacancy(s, employer, "4-03"), k.vacancy(s, employer, "4-03")]
        pid, number = k.person(s)
    _bind(engine, "employer.540100", employer)

    r = org.post("/api/employment/fairs", json=_body())  # type: ignore[attr-defined]
    assert r.status_code == 201, r.text
    fair = r.json()
    assert [b["number"] for b in fair["booths"]] == ["A01", "A02", "A03", "A04", "B01", "B02"]
    fid = fair["id"]
    assert (
        rec.post(  # type: ignore[attr-defined]
            f"/api/employment/fairs/{fid}/applications", json={"vacancy_ids": vids}
        ).status_code
        == 409
    )  # not open yet
    assert org.post(f"/api/employment/fairs/{fid}/open").status_code == 200  # type: ignore[attr-defined]
    a = rec.post(  # type: ignore[attr-defined]
        f"/api/employment/fairs/{fid}/applications", json={"vacancy_ids": vids}
    )
    assert a.status_code == 201, a.text
    app_id = a.json()["id"]
    assert (
        org.post(  # type: ignore[attr-defined]
            f"/api/employment/fair-applications/{app_id}/decision", json={"accept": True}
        ).json()["state"]
        == "accepted"
    )
    plan = org.post(f"/api/employment/fairs/{fid}/allocation").json()  # type: ignore[attr-defined]
    assert list(plan["seats"]) == [str(app_id)] and plan["unplaced"] == []

    # the fair runs: tomorrow at noon
    monkeypatch.setattr(fairs, "now", lambda: k.RUNNING)
    first = org.post(f"/api/employment/fairs/{fid}/checkins", json={"id_number": number})  # type: ignore[attr-defined]
    assert first.status_code == 201, first.text
    assert number not in first.text and first.json()["booths"][0]["booth"] == "A01"
    again = org.post(f"/api/employment/fairs/{fid}/checkins", json={"id_number": number})  # type: ignore[attr-defined]
    assert again.status_code == 200 and again.json()["id"] == first.json()["id"]

    seeker = _citizen(app, engine, pid)
    token = seeker.get(f"/api/me/jobs/fairs/{fid}/pass").json()["token"]
    by_qr = org.post(f"/api/employment/fairs/{fid}/checkins", json={"token": token})  # type: ignore[attr-defined]
    assert by_qr.status_code == 200 and by_qr.json()["id"] == first.json()["id"]
    page = seeker.get(f"/me/jobs/fairs/{fid}")
    assert page.status_code == 200 and "<svg" in page.text and "A01" in page.text

    i = rec.post(  # type: ignore[attr-defined]
        f"/api/employment/fairs/{fid}/interviews", json={"token": token, "outcome": "intends"}
    )
    assert i.status_code == 200, i.text
    live = org.get(f"/api/employment/fairs/{fid}").json()["live"]  # type: ignore[attr-defined]
    assert live == {"visitors": 1, "employers": 1, "interviews": 1, "intentions": 1}
    report = org.get(f"/api/employment/fairs/{fid}/report").json()  # type: ignore[attr-defined]
    assert report["posts"] == 2 and report["intentions"] == 1 and report["hires"] == 0

    with make_sessionmaker(engine)() as s:
        assert s.scalar(select(func.count()).select_from(EmFairCheckin)) == 1
    # the CLI's report reads the same figures
    import minsheng.clikit as clikit
    from minsheng.employment.fair_cli import app as cli

    monkeypatch.setattr(clikit, "engine", lambda: engine)
    out = CliRunner().invoke(cli, ["fair", "report", str(fid)])
    assert out.exit_code == 0, out.output
    assert '"intentions": 1' in out.output


def test_another_regions_fair_answers_as_missing(engine: Engine) -> None:
    app = make_app(engine)
    lhasa = staff_client(app, engine, "caseworker", "540100")
    shigatse = staff_client(app, engine, "caseworker", "540200")
    fid = lhasa.post("/api/employment/fairs", json=_body()).json()["id"]  # type: ignore[attr-defined]
    missing = shigatse.get("/api/employment/fairs/999999")  # type: ignore[attr-defined]
    for path in (f"/api/employment/fairs/{fid}", f"/api/employment/fairs/{fid}/report"):
        r = shigatse.get(path)  # type: ignore[attr-defined]
        assert r.status_code == 404 and r.json() == missing.json()
    r = shigatse.post(f"/api/employment/fairs/{fid}/checkins", json={"id_number": "x"})  # type: ignore[attr-defined]
    assert r.status_code in (404, 422)
    assert shigatse.get("/api/employment/fairs").json()["fairs"] == []  # type: ignore[attr-defined]
    # planning a fair in another region's county is refused
    assert shigatse.post("/api/employment/fairs", json=_body()).status_code == 403  # type: ignore[attr-defined]
    # nor can another region cancel it; its organiser can, with a reason, and once
    cancel = f"/api/employment/fairs/{fid}/cancel"
    r = shigatse.post(cancel, json={"reason": "别处的取消"})  # type: ignore[attr-defined]
    assert r.status_code == 404 and r.json() == missing.json()
    r = lhasa.post(cancel, json={"reason": ""})  # type: ignore[attr-defined]
    assert r.status_code == 422 and r.json()["error"]["field"] == "reason"
    assert lhasa.get(f"/api/employment/fairs/{fid}").json()["state"] != "cancelled"  # type: ignore[attr-defined]
    r = lhasa.post(cancel, json={"reason": "场地检修，改期举办"})  # type: ignore[attr-defined]
    assert r.status_code == 200 and r.json()["state"] == "cancelled"


def test_checkin_outside_the_hours_is_refused_and_stores_nothing(
    engine: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    app = make_app(engine)
    org = staff_client(app, engine, "caseworker", "540100")
    with unit_of_work(make_sessionmaker(engine)) as s:
        _, number = k.person(s)
    second = k.DAY + dt.timedelta(days=1)
    body = _body(ends_on=second.isoformat())
    fid = org.post("/api/employment/fairs", json=body).json()["id"]  # type: ignore[attr-defined]
    for moment, rule, opens in (
        (k.at(k.DAY, 8, 59), "not_open", k.DAY),
        (k.at(k.DAY, 17, 0), "not_open", second),  # the evening of day one: opens tomorrow
        (k.at(second, 17, 0), "over", None),
        (k.at(second + dt.timedelta(days=3), 10), "over", None),
    ):
        monkeypatch.setattr(fairs, "now", lambda m=moment: m)
        r = org.post(f"/api/employment/fairs/{fid}/checkins", json={"id_number": number})  # type: ignore[attr-defined]
        assert r.status_code == 409 and r.json()["error"]["rule"] == rule, r.text
        if opens:
            assert f"{opens.isoformat()} 09:00–17:00" in r.json()["error"]["message"]["en"]
    with make_sessionmaker(engine)() as s:
        assert s.scalar(select(func.count()).select_from(EmFairCheckin)) == 0
