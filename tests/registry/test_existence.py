"""Issue 10 item 10 (households): a household code answers alike whether it is used elsewhere
or nowhere. 户号 are unique within their county (as they are issued), so a Lhasa caseworker's
code never clashes with, finds, or is refused for a Shigatse household."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import Engine, func, select

from minsheng.core import ids
from minsheng.db import make_sessionmaker
from minsheng.foundation.principals import system
from minsheng.registry import enrolment, existence, service, statuses
from minsheng.registry.models import Household
from minsheng.registry.schemas import HouseholdIn, PersonIn
from tests.conftest import staff_client

BY = system("test")
ELSEWHERE = "RKZ-0001"  # a Shigatse household's code
UNKNOWN = "RKZ-9999"  # no household anywhere


def _shigatse_household(engine: Engine) -> None:
    with make_sessionmaker(engine)() as s:
        service.create_household(
            s, HouseholdIn(code=ELSEWHERE, division_code="540202", area="rural"), BY
        )
        s.commit()


def _person(code: str, seq: int) -> dict[str, Any]:
    number = ids.make_resident_id("540102", dt.date(1990, 2, 2), seq)
    return {
        "id_number": number,
        "name_zh": "户号测试",
        "hukou": "urban",
        "household_code": code,
        "relationship": "head",
    }


def _same(a: Any, b: Any) -> tuple[int, Any]:
    """Status and error body with the code itself taken out."""
    assert a.status_code == b.status_code, (a.text, b.text)
    strip = [r.text.replace(ELSEWHERE, "CODE").replace(UNKNOWN, "CODE") for r in (a, b)]
    assert strip[0] == strip[1]
    return a.status_code, a.json()


def test_joining_a_household_elsewhere_answers_as_unknown(app: Any, engine: Engine) -> None:
    _shigatse_household(engine)
    cw: Any = staff_client(app, engine, "caseworker", "540100")
    code, body = _same(
        cw.post("/api/persons", json=_person(ELSEWHERE, 1)),
        cw.post("/api/persons", json=_person(UNKNOWN, 3)),
    )
    assert code == 404 and body["error"]["field"] == "household_code"


def test_a_code_used_elsewhere_is_free_here(app: Any, engine: Engine) -> None:
    _shigatse_household(engine)
    cw: Any = staff_client(app, engine, "caseworker", "540100")
    made = [
        cw.post("/api/households", json={"code": c, "division_code": "540102", "area": "urban"})
        for c in (ELSEWHERE, UNKNOWN)
    ]
    assert [r.status_code for r in made] == [201, 201], [r.text for r in made]
    again = cw.post(
        "/api/households", json={"code": ELSEWHERE, "division_code": "540102", "area": "urban"}
    )
    assert again.status_code == 409  # a clash in the caller's own county is theirs to know
    # and a person joins the household of their own county, not the Shigatse one
    r = cw.post("/api/persons", json=_person(ELSEWHERE, 5))
    assert r.status_code == 201 and r.json()["household_id"] == made[0].json()["id"]


def test_import_treats_a_code_elsewhere_as_new(app: Any, engine: Engine) -> None:
    _shigatse_household(engine)
    cw: Any = staff_client(app, engine, "caseworker", "540100")

    def upload(code: str, seq: int, dry: bool) -> Any:
        p = _person(code, seq)
        csv = (
            "id_number,name_zh,hukou,household_code,relationship\n"
            f"{p['id_number']},导入,urban,{code},head\n"
        )
        return cw.post(
            "/api/persons/import",
            params={"dry_run": str(dry).lower()},
            files={"file": ("p.csv", csv.encode())},
        )

    for dry in (True, False):
        code, body = _same(upload(ELSEWHERE, 7 + dry, dry), upload(UNKNOWN, 9 + dry * 2, dry))
        assert code == 200 and body["imported"] == 1, body
    with make_sessionmaker(engine)() as s:  # two new Lhasa households; Shigatse's untouched
        n = s.scalar(
            select(func.count()).select_from(Household).where(Household.division_code == "540102")
        )
        assert n == 2
        shigatse = s.scalar(select(Household).where(Household.division_code == "540202"))
        assert shigatse is not None and shigatse.members == []


def test_moving_a_household_onto_a_code_of_its_new_county_is_a_409(
    app: Any, engine: Engine
) -> None:
    cw: Any = staff_client(app, engine, "caseworker", "540100")
    made = [
        cw.post("/api/households", json={"code": "MV-1", "division_code": c, "area": "urban"})
        for c in ("540102", "540103")
    ]
    assert [r.status_code for r in made] == [201, 201]
    r = cw.patch(f"/api/households/{made[1].json()['id']}", json={"division_code": "540102"})
    assert r.status_code == 409 and r.json()["error"]["field"] == "division_code"


def test_records_by_internal_id_elsewhere_answer_as_missing(app: Any, engine: Engine) -> None:
    """Internal ids are sequential: a record elsewhere must answer exactly like an id nobody
    has (404, the same rule and the same words but for the number), on every read by id."""
    with make_sessionmaker(engine)() as s:
        h = service.create_household(
            s, HouseholdIn(code=ELSEWHERE, division_code="540202", area="rural"), BY
        )
        p = service.create_person(
            s,
            PersonIn(
                id_number=ids.make_resident_id("540202", dt.date(1980, 3, 3), 7),
                name_zh="日喀则人",
                hukou="rural",
            ),
            BY,
        )
        s.commit()
        hid, pid = h.id, p.id
    cw: Any = staff_client(app, engine, "caseworker", "540100")
    for path, rid in [
        ("/api/persons/{}", pid),
        ("/api/households/{}", hid),
        ("/api/persons/{}/statuses", pid),
        ("/api/persons/{}/enrolments", pid),
    ]:
        elsewhere = cw.get(path.format(rid))
        missing = cw.get(path.format(999_999))
        assert elsewhere.status_code == missing.status_code == 404, (path, elsewhere.text)
        texts = [r.text.replace(str(rid), "N").replace("999999", "N") for r in (elsewhere, missing)]
        assert texts[0] == texts[1], path


def test_registering_a_number_known_elsewhere_tells_nothing_free(app: Any, engine: Engine) -> None:
    """Found by probing: a registration with one bad field answered 409 for a registered number
    but 422 for an unknown one, unaudited and unbounded. Now every field is checked first, the
    duplicate answer is the same here and elsewhere, each "elsewhere" is audited where the
    person lives, and past the day's budget every registration by that caller is refused."""
    from minsheng.foundation.models import AuditEntry
    from minsheng.registry.existence import MAX_REGISTRATION_CONFLICTS_PER_DAY

    lhasa = [ids.make_resident_id("540102", dt.date(1970, 1, 1), 100 + i) for i in range(25)]
    with make_sessionmaker(engine)() as s:
        for n in lhasa:
            service.create_person(s, PersonIn(id_number=n, name_zh="拉萨人", hukou="urban"), BY)
        s.commit()
    sz: Any = staff_client(app, engine, "caseworker", "540200")
    unknown = ids.make_resident_id("540102", dt.date(1971, 1, 1), 5)

    def body(number: str, **more: Any) -> dict[str, Any]:
        return {
            "id_number": number,
            "name_zh": "测试",
            "hukou": "rural",
            "division_code": "540202",
        } | more

    # a bad field answers alike for a number registered elsewhere and for an unknown one
    for bad in ({"phone": "123"}, {"relationship": "spouse"}, {"household_code": UNKNOWN}):
        a = sz.post("/api/persons", json=body(lhasa[0], **bad))
        b = sz.post("/api/persons", json=body(unknown, **bad))
        assert a.status_code == b.status_code != 409, (bad, a.text, b.text)
        assert a.json()["error"]["rule"] == b.json()["error"]["rule"]
    # a good registration of a number elsewhere: 409, worded as a local duplicate, audited
    r = sz.post("/api/persons", json=body(lhasa[0]))
    assert r.status_code == 409 and r.json()["error"]["rule"] == "duplicate"
    with make_sessionmaker(engine)() as s:
        hits = s.execute(
            select(AuditEntry.region).where(AuditEntry.action == "create_conflict")
        ).all()
    assert [h[0] for h in hits] == ["540102"]
    for n in lhasa[1:MAX_REGISTRATION_CONFLICTS_PER_DAY]:
        assert sz.post("/api/persons", json=body(n)).status_code == 409
    # the budget is spent: every registration is refused, whatever the number (even a new one)
    for n in (lhasa[-1], unknown):
        r = sz.post("/api/persons", json=body(n))
        assert r.status_code == 429 and r.json()["error"]["rule"] == "registration_checks_exceeded"
    with make_sessionmaker(engine)() as s:
        assert existence.find_by_id_number(s, unknown) is None


def test_ending_a_period_elsewhere_answers_as_missing(app: Any, engine: Engine) -> None:
    """Found by probing: PATCH /api/enrolments/{id} and /api/statuses/{id} elsewhere answered
    "no person N" (the owner's id), unknown ids "no enrolment N"."""
    from minsheng.registry.schemas import EnrolmentIn, StatusIn

    with make_sessionmaker(engine)() as s:
        p = service.create_person(
            s,
            PersonIn(
                id_number=ids.make_resident_id("540202", dt.date(1960, 5, 5), 9),
                name_zh="日喀则人",
                hukou="rural",
            ),
            BY,
        )
        e = enrolment.add_enrolment(
            s, p.id, EnrolmentIn(scheme="resident", start_date=dt.date(2024, 1, 1)), BY
        )
        st = statuses.add_status(
            s, p.id, StatusIn(kind="border", start_date=dt.date(2024, 1, 1)), BY
        )
        s.commit()
        eid, sid = e.id, st.id
    cw: Any = staff_client(app, engine, "caseworker", "540100")
    end = {"end_date": "2026-12-31"}
    for path, rid in (("/api/enrolments/{}", eid), ("/api/statuses/{}", sid)):
        elsewhere = cw.patch(path.format(rid), json=end)
        missing = cw.patch(path.format(999_999), json=end)
        assert elsewhere.status_code == missing.status_code == 404, elsewhere.text
        texts = [r.text.replace(str(rid), "N").replace("999999", "N") for r in (elsewhere, missing)]
        assert texts[0] == texts[1], texts
