"""Attacks on the pension desk pages: hostile input in the home-visit, self-certify, roll and
death forms answers 4xx in words (never a 500), and another region's records are missing."""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

from sqlalchemy import Engine

from minsheng.pensions.models import PnAward, PnCertification
from tests.conftest import make_app
from tests.pensions.test_desk_pages import citizen, row, staff_client, world  # noqa: F401

HOSTILE = [
    "9999-12-31",
    "0001-01-01",
    "2025-13-01",
    "99999999999999999999",
    "-1",
    "a\x00b",
    "x" * 100_000,
    "\r\n\t",
    "١٢٣",
]


def test_hostile_desk_form_values_never_answer_500(engine: Engine, world: dict[str, Any]) -> None:  # noqa: F811
    app = make_app(engine)
    cw: Any = staff_client(app, engine, "caseworker", "540100")
    sup: Any = staff_client(app, engine, "supervisor", "540100", "sup2")
    c = citizen(app, world["cookies"]["p1"])
    out = []
    for v in HOSTILE:
        for data in (
            {"outcome": "certified", "note": v},
            {"outcome": "not_found", "note": v},
            {"outcome": "died", "note": "x", "death_date": v},
            {"outcome": v},
            {"outcome": "certified", "note": "ok", "page": v, "state": v},
        ):
            r = cw.post(f"/pensions/certification/tasks/{world['t2']}/visit", data=data)
            out.append(("visit", repr(data)[:60], r.status_code))
        for q in (
            f"?page={quote(v[:3000])}",
            f"?state={quote(v[:3000])}",
            f"?overdue={quote(v[:3000])}",
        ):
            out.append(("queue", q[:40], cw.get("/pensions/certification" + q).status_code))
        r = c.post("/me/pensions/certify", data={"evidence": v})
        out.append(("certify", repr(v)[:30], r.status_code))
        r = sup.post("/pensions/rolls", data={"month": v, "region": "540100"})
        out.append(("roll", repr(v)[:30], r.status_code))
        r = sup.post("/pensions/rolls", data={"month": "2025-06", "region": v})
        out.append(("rollregion", repr(v)[:30], r.status_code))
        r = sup.post("/pensions/rolls/scan", data={"region": v})
        out.append(("scan", repr(v)[:30], r.status_code))
        out.append(
            ("rolls", v[:30], sup.get(f"/pensions/rolls?page={quote(v[:3000])}").status_code)
        )
        r = cw.post(
            f"/pensions/persons/{world['unclaimed']}/award",
            data={"scheme": "resident_pension", "start": v},
        )
        out.append(("claim", repr(v)[:30], r.status_code))
    for o in out:
        print(o)
    assert not [o for o in out if o[2] >= 500], [o for o in out if o[2] >= 500]
    assert row(engine, PnAward, world["a1"]) is not None
    assert row(engine, PnCertification, world["t3"]).state == "open"


def test_a_visit_note_with_nul_or_too_long_is_refused_by_its_field(
    engine: Engine,
    world: dict[str, Any],  # noqa: F811
) -> None:
    app = make_app(engine)
    cw: Any = staff_client(app, engine, "caseworker", "540100")
    url = f"/pensions/certification/tasks/{world['t1']}/visit"
    for note in ("a\x00b", "x" * 100_000, "a\x1bb"):
        r = cw.post(url, data={"outcome": "certified", "note": note})
        assert r.status_code == 422, (note[:10], r.status_code)
        assert f'id="visit-{world["t1"]}-note-error"' in r.text
        assert row(engine, PnCertification, world["t1"]).state == "open"


def test_self_certify_with_non_ascii_evidence_is_refused_not_a_500(
    engine: Engine,
    world: dict[str, Any],  # noqa: F811
) -> None:
    app = make_app(engine)
    c = citizen(app, world["cookies"]["p1"])
    for evidence in ("١٢٣", "dev-face-ok:人", "ཀ"):
        r = c.post("/me/pensions/certify", data={"evidence": evidence})
        assert r.status_code == 422, r.status_code
        assert 'id="certify-evidence-error"' in r.text
    assert row(engine, PnCertification, world["t1"]).state == "open"
