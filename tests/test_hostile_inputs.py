"""Hostile input over HTTP, on SQLite and PostgreSQL (issue 10 §1, §5, §16).

Every case sends one bad value where a clumsy user or an attacker would put it — an amount of
2^63 fen or more, a price × quantity that wraps int64, a name with a line break, a NUL or the
bank file's separator, a bidi override, a lone surrogate, an id beyond 32 bits — and asserts:
a 4xx (never a 5xx), the error names the field (with Chinese, Tibetan and English text), and
nothing changed in the database.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

import pytest
from sqlalchemy import Engine, func, select, text

from minsheng.core import ids
from minsheng.db import make_sessionmaker
from minsheng.foundation.principals import system
from minsheng.models import Base
from minsheng.registry import service as registry
from minsheng.registry.enrolment import add_enrolment
from minsheng.registry.models import Person
from minsheng.registry.organisations import create_facility
from minsheng.registry.schemas import EnrolmentIn, FacilityIn, HouseholdIn, PersonIn
from tests.conftest import staff_client

BY = system("test")
YEAR = dt.date.today().year
DAY = dt.date(YEAR, 1, 2) if dt.date.today() >= dt.date(YEAR, 1, 2) else dt.date(YEAR, 1, 1)
P = ids.make_resident_id("540102", dt.date(1970, 7, 7), 31)
NEW = ids.make_resident_id("540102", dt.date(1981, 2, 3), 42)
TWO63 = 2**63  # fen
HUGE = f"{TWO63 // 100}.{TWO63 % 100:02d}"  # 2^63 fen in yuan: 92233720368547758.08
WRAP = "92233720368546858.08"  # the price of the issue: stored as a bill of ¥100
MONTH = f"{dt.date.today().replace(day=1) - dt.timedelta(days=1):%Y-%m}"


@pytest.fixture
def world(engine: Engine) -> dict[str, int]:
    with make_sessionmaker(engine)() as s:
        create_facility(s, FacilityIn(code="H54010200001", name="城关区人民医院", level=2), BY)
        h = registry.create_household(
            s, HouseholdIn(code="HX-1", division_code="540102", area="urban"), BY
        )
        p = registry.create_person(
            s,
            PersonIn(
                id_number=P,
                name_zh="次仁",
                hukou="urban",
                household_code="HX-1",
                relationship="head",
            ),
            BY,
        )
        add_enrolment(s, p.id, EnrolmentIn(scheme="resident", start_date=dt.date(2020, 1, 1)), BY)
        s.commit()
        return {"person": p.id, "household": h.id}


def counts(engine: Engine) -> dict[str, int]:
    """Rows in every table but the audit log (a refused request may be audited)."""
    with engine.connect() as conn:
        return {
            t.name: conn.execute(select(func.count()).select_from(t)).scalar_one()
            for t in Base.metadata.sorted_tables
            if not t.name.startswith(("audit", "auth_throttle"))
        }


def bill(**line: Any) -> dict[str, Any]:
    return {
        "patient": {"id_number": P},
        "facility_code": "H54010200001",
        "visit": "inpatient",
        "service_date": DAY.isoformat(),
        "lines": [{"code": "A1", "category": "甲", "quantity": "1", "unit_price": "100", **line}],
    }


def refused(r: Any, field: str, status: tuple[int, ...] = (422,)) -> dict[str, Any]:
    assert r.status_code in status, (r.status_code, r.text)
    err = r.json()["error"]
    assert field in err["field"], (field, err)
    msg = err["message"]
    assert msg["zh"] and msg["en"], err
    return err


# (name, method, path, body, field named) — {p}/{h} are filled from the world
MONEY_CASES: list[tuple[str, str, str, Any, str]] = [
    ("settle price 2^63", "post", "/api/medical/settlements", bill(unit_price=HUGE), "unit_price"),
    (
        "settle wrapping price",
        "post",
        "/api/medical/settlements",
        bill(unit_price=WRAP),
        "unit_price",
    ),
    (
        "preview price 2^63",
        "post",
        "/api/medical/settlements/preview",
        bill(unit_price=HUGE),
        "unit_price",
    ),
    (
        "price limit 2^63",
        "post",
        "/api/medical/settlements/preview",
        bill(price_limit=HUGE),
        "price_limit",
    ),
    (
        "price over ¥50M",
        "post",
        "/api/medical/settlements",
        bill(unit_price="50000000.01"),
        "unit_price",
    ),
    (
        "price × quantity over a line's maximum",
        "post",
        "/api/medical/settlements",
        bill(unit_price="10000000", quantity="100000"),
        "lines[0]",
    ),
    ("quantity 2^63", "post", "/api/medical/settlements", bill(quantity=str(TWO63)), "quantity"),
    ("quantity decimals", "post", "/api/medical/settlements", bill(quantity="0.00001"), "quantity"),
    (
        "balance stated on the bill 2^63",
        "post",
        "/api/medical/settlements/preview",
        {**bill(), "account_balance": HUGE},
        "account_balance",
    ),
    (
        "account balance 2^63",
        "put",
        "/api/medical/persons/{p}/account",
        {"balance": HUGE},
        "balance",
    ),
    (
        "account balance 1e30",
        "put",
        "/api/medical/persons/{p}/account",
        {"balance": "1e30"},
        "balance",
    ),
    (
        "income 2^63",
        "post",
        "/api/assistance/households/{h}/incomes",
        {"items": [{"person_id": "{p}", "month": MONTH, "kind": "wage", "amount": HUGE}]},
        "amount",
    ),
    (
        "expense 2^63",
        "post",
        "/api/assistance/households/{h}/expenses",
        {"month": MONTH, "kind": "medical", "amount": HUGE},
        "amount",
    ),
    (
        "assets 2^63",
        "put",
        "/api/assistance/households/{h}/assets",
        {"values": {"deposits": HUGE}},
        "deposits",
    ),
    (
        "temporary assistance asked 2^63",
        "post",
        "/api/assistance/cases",
        {"household_id": "{h}", "programme": "temporary", "requested": HUGE},
        "requested",
    ),
    ("receipt id 2^63", "get", f"/medical/receipt/{TWO63}", None, "settlement_id"),
    ("settlement id 2^63", "get", f"/api/medical/settlements/{TWO63}", None, "settlement_id"),
    ("person id 2^63", "get", f"/api/persons/{TWO63}", None, "person_id"),
    ("household id 2^63", "get", f"/api/assistance/households/{TWO63}", None, "household_id"),
    (
        "member id 2^63",
        "post",
        "/api/assistance/households/{h}/incomes",
        {"items": [{"person_id": TWO63, "month": MONTH, "kind": "wage", "amount": "1"}]},
        "person_id",
    ),
]


def fill(value: Any, world: dict[str, int]) -> Any:
    if isinstance(value, str):
        filled = value.replace("{p}", str(world["person"])).replace("{h}", str(world["household"]))
        return int(filled) if filled != value and filled.isdigit() else filled
    if isinstance(value, dict):
        return {k: fill(v, world) for k, v in value.items()}
    if isinstance(value, list):
        return [fill(v, world) for v in value]
    return value


@pytest.mark.parametrize(
    ("name", "method", "path", "body", "field"), MONEY_CASES, ids=[c[0] for c in MONEY_CASES]
)
def test_absurd_amounts_and_ids_get_a_clear_4xx_and_change_nothing(
    app: Any,
    engine: Engine,
    world: dict[str, int],
    name: str,
    method: str,
    path: str,
    body: Any,
    field: str,
) -> None:
    role = "cashier" if "/medical/settlements" in path or "receipt" in path else "supervisor"
    c = staff_client(app, engine, role, "540100", f"{role}.hostile")
    before = counts(engine)
    call: Callable[..., Any] = getattr(c, method)
    kwargs: dict[str, Any] = {"headers": {"accept": "application/json"}}
    if body is not None:
        kwargs["json"] = fill(body, world)
    r = call(fill(path, world), **kwargs)
    refused(r, field)
    assert counts(engine) == before


# ---------------------------------------------------------------- names and free text

BAD_NAMES = [
    ("line feed", "次仁\n00000000|540102197007070031|999999.00", "text_control"),
    ("carriage return", "次仁\r扎西", "text_control"),
    ("NUL", "次\x00仁", "text_control"),
    ("bank separator", "次仁|540102", "text_separator"),
    ("line separator", "次仁\u2028扎西", "text_control"),
    ("paragraph separator", "次仁\u2029", "text_control"),
    ("next line (C1)", "次仁\x85", "text_control"),
    ("escape", "次仁\x1b[31m", "text_control"),
    ("bidi override", "\u202e仁次", "text_bidi"),
    ("bidi isolate", "次\u2066仁", "text_bidi"),
    ("byte-order mark", "次\ufeff仁", "text_invisible"),
    ("zero-width space", "次\u200b仁", "text_invisible"),  # look-alike payees (probing)
    ("tag character", "次\U000e0041仁", "text_invisible"),
    ("Hangul filler", "\u3164", "text_invisible"),  # a name that looks blank
    ("too long", "次" * 65, "text_too_long"),
]


@pytest.mark.parametrize(("label", "name", "rule"), BAD_NAMES, ids=[b[0] for b in BAD_NAMES])
def test_a_name_that_could_become_a_line_or_a_field_is_refused(
    client: Any, engine: Engine, world: dict[str, int], label: str, name: str, rule: str
) -> None:
    before = counts(engine)
    r = client.post("/api/persons", json={"id_number": NEW, "name_zh": name, "hukou": "urban"})
    err = refused(r, "name_zh")
    assert err["rule"] == rule
    assert err["message"]["bo"] and "name_zh" in err["message"]["bo"]  # Tibetan, naming it
    assert "name_zh" in err["message"]["zh"] and "name_zh" in err["message"]["en"]
    # the same on a correction of an existing record
    r = client.patch(f"/api/persons/{world['person']}", json={"name_zh": name})
    refused(r, "name_zh")
    assert counts(engine) == before
    with make_sessionmaker(engine)() as s:
        assert s.get(Person, world["person"]).name_zh == "次仁"  # type: ignore[union-attr]


def test_a_lone_surrogate_is_refused_not_a_500(client: Any, engine: Engine) -> None:
    before = counts(engine)
    raw = f'{{"id_number": "{NEW}", "name_zh": "\\ud800", "hukou": "urban"}}'
    r = client.post("/api/persons", content=raw, headers={"content-type": "application/json"})
    refused(r, "name_zh")
    assert counts(engine) == before


def test_a_name_is_stored_normalised(client: Any, engine: Engine) -> None:
    decomposed = "Tseri\u0301ng"  # e + combining acute → é (NFC)
    r = client.post(
        "/api/persons", json={"id_number": NEW, "name_zh": decomposed, "hukou": "urban"}
    )
    assert r.status_code == 201, r.text
    assert r.json()["name_zh"] == "Tseríng"


@pytest.mark.parametrize(
    ("path", "body", "field"),
    [
        ("/api/households", {"code": "H|1", "division_code": "540102", "area": "urban"}, "code"),
        (
            "/api/households",
            {"code": "HX-2", "division_code": "540102", "area": "urban", "address": "a\nb"},
            "address",
        ),
        (
            "/api/employers",
            {"credit_code": "x", "name": "A\x00B", "division_code": "540102"},
            "name",
        ),
        ("/api/facilities", {"code": "H54010200009", "name": "医院\r\n", "level": 1}, "name"),
    ],
)
def test_other_free_text_fields_are_checked_too(
    client: Any, engine: Engine, path: str, body: dict[str, Any], field: str
) -> None:
    before = counts(engine)
    refused(client.post(path, json=body), field)
    assert counts(engine) == before


def test_a_line_break_in_a_bill_lines_name_is_refused(
    app: Any, engine: Engine, world: dict[str, int]
) -> None:
    c = staff_client(app, engine, "cashier", "540100")
    before = counts(engine)
    refused(c.post("/api/medical/settlements", json=bill(name="药\n品")), "name")
    assert counts(engine) == before


def test_a_decision_reason_keeps_its_line_breaks_but_not_a_nul(
    app: Any, engine: Engine, world: dict[str, int]
) -> None:
    from minsheng.core import text

    assert text.clean("第一行\r\n第二行", "reason", text.FREE) == "第一行\n第二行"
    c = staff_client(app, engine, "caseworker", "540100")
    r = c.post(
        f"/api/assistance/households/{world['household']}/expenses",
        json={"month": MONTH, "kind": "medical", "amount": "10", "note": "x\x00y"},
    )
    refused(r, "note")


@pytest.mark.parametrize("q", ["次\x00", "\u202e", "a\nb"])
def test_a_search_with_a_nul_or_a_control_is_a_422(
    client: Any, engine: Engine, world: dict[str, int], q: str
) -> None:
    for path in ("/api/persons", "/api/employers", "/api/facilities"):
        r = client.get(path, params={"q": q})
        refused(r, "q")
    for path in ("/api/persons", "/api/facilities"):  # the facilities' one found by schemathesis
        r = client.get(path, params={"division": "5401\x00"})
        refused(r, "division")


def test_a_username_no_account_can_have_is_an_unknown_user(anon: Any) -> None:
    """A NUL in a username reached PostgreSQL's query (a 500 there); it is answered as any
    unknown username, on the API and on the sign-in page."""
    token = anon.get("/api/auth/csrf").cookies.get("ms_csrf") or anon.cookies.get("ms_csrf")
    h = {"X-CSRF-Token": token or "", "Origin": "http://testserver"}
    for name in ("admin\x00", "ad\x1bmin", "nobody"):
        r = anon.post("/api/auth/login", json={"username": name, "password": "x" * 12}, headers=h)
        assert r.status_code in (401, 422), r.text
    r = anon.post(
        "/login",
        data={"username": "admin\x00", "password": "x", "csrf_token": token or ""},
        headers={"Origin": "http://testserver"},
    )
    assert r.status_code < 500, r.text


def test_a_search_in_bytes_that_are_not_utf8_is_no_500(client: Any) -> None:
    r = client.get("/api/persons?q=%ED%A0%80%00")  # an encoded lone surrogate and a NUL
    assert r.status_code == 422, r.text


def test_sign_in_and_one_time_code_inputs_refuse_controls() -> None:
    from pydantic import ValidationError

    from minsheng.auth.schemas import LoginIn, OtpIn

    for make in (
        lambda: LoginIn(username="admin\x00", password="x"),
        lambda: OtpIn(id_number=P + "\x00"),
    ):
        with pytest.raises(ValidationError) as err:
            make()
        assert err.value.errors()[0]["type"] == "text_control"


def test_healthy_after_all_that(client: Any, engine: Engine) -> None:
    with engine.connect() as conn:
        assert conn.execute(text("SELECT 1")).scalar_one() == 1
    assert client.get("/api/persons").status_code == 200


def test_a_bill_at_the_maxima_settles_exactly(
    app: Any, engine: Engine, world: dict[str, int]
) -> None:
    """¥10,000,000 × 10 = ¥100,000,000, the bill maximum: every fund exact, nothing wraps."""
    from minsheng.core import money

    c = staff_client(app, engine, "cashier", "540100")
    r = c.post("/api/medical/settlements", json=bill(unit_price="10000000.00", quantity="10"))
    assert r.status_code == 201, r.text
    out = r.json()
    assert out["total"] == money.MAX_BILL_FEN
    assert out["basic"] + out["ci"] + out["assistance"] + out["patient"] == out["total"]
    assert min(out["basic"], out["ci"], out["assistance"], out["patient"]) >= 0
    # one fen more on the same bill is refused, and changes nothing
    before = counts(engine)
    over = bill(unit_price="10000000.00", quantity="10")
    over["lines"].append({"code": "A2", "category": "甲", "quantity": "1", "unit_price": "0.01"})
    refused(c.post("/api/medical/settlements", json=over), "lines")
    assert counts(engine) == before


def test_a_nul_in_a_query_string_is_refused_by_its_name_on_every_door(
    app: Any, anon: Any, engine: Any
) -> None:
    """PostgreSQL text cannot hold NUL: the schemathesis run found a 500 on
    ``GET /api/employment/gigs?state=%00`` there. The kit's guards refuse it first (422,
    naming the parameter) — for the API and for pages, signed in or not."""
    from tests.conftest import staff_client

    staff: Any = staff_client(app, engine, "supervisor", "540000")
    for client, url in (
        (staff, "/api/employment/gigs?state=op%00en"),
        (staff, "/api/wages/projects?q=%00"),
        (anon, "/api/jobs/search?q=a%00b"),
        (anon, "/jobs/gigs?county=54%000"),
    ):
        r = client.get(url)
        assert r.status_code == 422, (url, r.status_code)
    body = staff.get("/api/employment/gigs?state=op%00en").json()["error"]
    assert (body["field"], body["rule"]) == ("state", "nul") and body["message"]["bo"]
