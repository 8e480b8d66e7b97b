"""Attacks on the bundles API (issue 12, point 9): hostile values in each bundle's one form
answer a 4xx in words and store nothing half-done; never a 500."""

from __future__ import annotations

import re
from typing import Any

from sqlalchemy import Engine

from tests.bundles.test_api_cli import people  # noqa: F401
from tests.conftest import staff_client

DATES = ["9999-12-31", "0001-01-01", "2025-13-01", "2025-02-30", "１９９０-01-01"]
TEXTS = ["a\x00b", "x" * 20_000, "91540102\r\nMA0000000", "‮91540102", "-1"]


def test_hostile_bundle_forms_never_answer_500(
    app: Any,
    engine: Engine,
    people: dict[str, int],  # noqa: F811
) -> None:
    c = staff_client(app, engine, "caseworker", "540100")
    out: list[tuple[str, str, int]] = []
    pid, young = people["retiree"], people["plain"]
    for d in DATES:
        for body in (
            ("death", {"person_id": young, "died_on": d}),
            ("hire", {"person_id": young, "credit_code": "x", "wage": "6000", "start_date": d}),
        ):
            r = c.post(f"/api/bundles/{body[0]}", json=body[1])  # type: ignore[attr-defined]
            out.append((body[0], d, r.status_code))
    for v in [*TEXTS, "9999999999999", "2025-13", "0000-00", "9999-12", "0001-01"]:
        for kind, body in (
            (
                "hire",
                {"person_id": young, "credit_code": v, "wage": "6000", "start_date": "2025-06-01"},
            ),
            (
                "hire",
                {"person_id": young, "credit_code": "x", "wage": v, "start_date": "2025-06-01"},
            ),
            ("retirement", {"person_id": pid, "category": v}),
            ("retirement", {"person_id": pid, "start": v[:7]}),
            ("card", {"person_id": young, "division_code": v}),
        ):
            r = c.post(
                f"/api/bundles/{kind}", json=body, headers={"Idempotency-Key": f"k-{len(out)}"}
            )  # type: ignore[attr-defined]
            out.append((kind, repr(v)[:30], r.status_code))
    for q in ("?person_id=-1", "?person_id=99999999999999999999", "?kind=x%00", "?state=%0a"):
        out.append(("list", q, c.get("/api/bundles" + q).status_code))  # type: ignore[attr-defined]
    for o in out:
        print(o)
    assert not [o for o in out if o[2] >= 500], [o for o in out if o[2] >= 500]


def test_another_regions_person_and_bundle_answer_as_truly_missing(
    app: Any,
    engine: Engine,
    people: dict[str, int],  # noqa: F811
) -> None:
    import datetime as dt

    from minsheng.core import ids

    lhasa = staff_client(app, engine, "caseworker", "540100")
    done = lhasa.post("/api/bundles/card", json={"person_id": people["plain"]})  # type: ignore[attr-defined]
    assert done.status_code == 201, done.text
    bid = done.json()["id"]
    far = staff_client(app, engine, "caseworker", "540200")

    def same(a: Any, b: Any, x: str, y: str) -> None:
        assert a.status_code == b.status_code == 404, (a.status_code, b.status_code)
        digits = re.compile(r"\d+|nonce-[^\"' ]+|nonce=\"[^\"]*\"|value=\"[^\"]{20,}\"")
        assert digits.sub("N", a.text) == digits.sub("N", b.text)

    g = far.get  # type: ignore[attr-defined]
    same(g(f"/api/bundles/{bid}"), g(f"/api/bundles/{bid + 99}"), str(bid), str(bid + 99))
    same(g(f"/bundles/{bid}"), g(f"/bundles/{bid + 99}"), str(bid), str(bid + 99))
    pid = people["plain"]
    same(g(f"/bundles/persons/{pid}"), g(f"/bundles/persons/{pid + 99}"), str(pid), str(pid + 99))
    theirs = ids.make_resident_id("540102", dt.date(1990, 1, 1), 5)
    nobody = ids.make_resident_id("540102", dt.date(1990, 1, 1), 77)
    p = far.post  # type: ignore[attr-defined]
    a = p("/bundles/find", data={"id_number": theirs}, follow_redirects=False)
    b = p("/bundles/find", data={"id_number": nobody}, follow_redirects=False)
    assert a.status_code == b.status_code and a.status_code != 303
    strip = a.text.replace(theirs, "N"), b.text.replace(nobody, "N")
    tok = re.compile(r'name="csrf_token" value="[^"]*"|nonce-[^"\' ]+|nonce="[^"]*"')
    assert tok.sub("", strip[0]) == tok.sub("", strip[1])
