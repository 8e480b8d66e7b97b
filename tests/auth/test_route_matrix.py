"""Every route, called as every role, inside and outside its region: allowed or denied.

The route list is read from the app, so a new route without a sample here fails this test, and
a route without a permission check stops the app from starting at all.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

import pytest
from fastapi import APIRouter, FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import Engine

from minsheng.assistance import service as assistance
from minsheng.assistance.models import Warning
from minsheng.assistance.schemas import CaseIn
from minsheng.auth import service as auth
from minsheng.auth.models import RoleGrant
from minsheng.auth.permissions import PERMISSIONS, STAFF_ROLES, system
from minsheng.auth.web import CSRF_COOKIE, SESSION_COOKIE, api_routes, guard_of, unguarded_routes
from minsheng.core import ids
from minsheng.db import make_sessionmaker
from minsheng.medical import service as medical
from minsheng.medical.schemas import BillIn
from minsheng.registry import service as registry
from minsheng.registry.schemas import (
    EmployerIn,
    EnrolmentIn,
    FacilityIn,
    HouseholdIn,
    PersonIn,
    StatusIn,
)
from tests.conftest import make_app

BY = system("test")
INSIDE, OUTSIDE = "540100", "540200"  # Lhasa holds every record below; Shigatse does not
P1_ID = ids.make_resident_id("540102", dt.date(1980, 5, 5), 11)
P2_ID = ids.make_resident_id("540202", dt.date(1981, 6, 6), 12)


@dataclass
class World:
    ids: dict[str, int] = field(default_factory=dict)
    tokens: dict[str, str] = field(default_factory=dict)  # "role@region" → bearer token
    citizen_cookies: dict[str, str] = field(default_factory=dict)
    grants: list[int] = field(default_factory=list)


def build_world(engine: Engine) -> World:
    w = World()
    with make_sessionmaker(engine)() as s:
        h = registry.create_household(
            s, HouseholdIn(code="LS-1", division_code="540102", area="urban"), BY
        )
        p1 = registry.create_person(
            s,
            PersonIn(
                id_number=P1_ID,
                name_zh="测试拉萨人",
                hukou="urban",
                household_code="LS-1",
                relationship="head",
            ),
            BY,
        )
        p2 = registry.create_person(
            s, PersonIn(id_number=P2_ID, name_zh="测试日喀则人", hukou="rural"), BY
        )
        e = registry.create_employer(
            s,
            EmployerIn(
                credit_code=ids.make_credit_code("540102", 77),
                name="拉萨测试单位",
                division_code="540102",
            ),
            BY,
        )
        f = registry.create_facility(
            s, FacilityIn(code="H54010200077", name="拉萨测试医院", level=3), BY
        )
        en = registry.add_enrolment(
            s, p1.id, EnrolmentIn(scheme="resident", start_date=dt.date(2020, 1, 1)), BY
        )
        registry.add_status(s, p1.id, StatusIn(kind="dibao", start_date=dt.date(2020, 1, 1)), BY)
        # a status the registry attests: a benefit status ends only through its case
        st = registry.add_status(
            s, p1.id, StatusIn(kind="border", start_date=dt.date(2020, 1, 1)), BY
        )
        w.ids.update(
            person=p1.id,
            household=h.id,
            employer=e.id,
            facility=f.id,
            enrolment=en.id,
            status=st.id,
        )
        for role in STAFF_ROLES:
            for region in (INSIDE, OUTSIDE):
                user = auth.create_user(s, BY, f"{role}.{region}", "correct-horse-1", role, region)
                raw, _ = auth.create_token(s, BY, user.id, "matrix", sorted(PERMISSIONS[role]))
                w.tokens[f"{role}@{region}"] = raw
        target = auth.create_user(
            s, BY, "lhasa.target", "correct-horse-1", "cashier", "540102", service_account=True
        )
        _, spare = auth.create_token(s, BY, target.id, "spare", ["registry:read"])
        # grants asked for by an admin of nobody's in this matrix, so any admin may decide them
        asker = system("matrix")
        grants = []
        for i in range(40):
            u = auth.create_user(s, BY, f"pending.{i}", "correct-horse-1", "cashier", "540102")
            u.active = False
            grant = RoleGrant(
                user_id=u.id,
                role="cashier",
                region_code="540102",
                state="pending",
                requested_by=asker.actor,
                requested_by_user=None,
                requested_at=dt.datetime.now(dt.UTC),
            )
            s.add(grant)
            s.flush()
            grants.append(grant.id)
        w.grants = grants
        w.ids.update(user=target.id, token=spare.id)
        settled = medical.settle(s, BillIn.model_validate(lhasa_bill()), BY)
        w.ids["settlement"] = settled.id or 0
        w.ids["preview"] = (
            medical.presettle(s, BillIn.model_validate(lhasa_bill()), BY).preview_id or 0
        )
        case = assistance.open_case(s, CaseIn(household_id=h.id, programme="dibao"), BY)
        warning = Warning(
            household_id=h.id,
            division_code="540102",
            cause="review_due",
            cause_key="matrix",
            open_key="matrix",
            state="new",
            raised_on=dt.date.today(),
            deadline=dt.date.today(),
        )
        s.add(warning)
        s.flush()
        w.ids.update(case=case.id, warning=warning.id)
        for where, person in (("inside", p1), ("outside", p2)):
            w.citizen_cookies[where] = auth.open_session(s, 1, person=person).token
        s.commit()
    return w


def lhasa_bill() -> dict[str, Any]:
    return {
        "patient": {"id_number": P1_ID},
        "facility_code": "H54010200077",
        "visit": "outpatient",
        "service_date": dt.date.today().isoformat(),
        "lines": [{"code": "A1", "category": "甲", "unit_price": "100.00"}],
    }


def samples(w: World) -> dict[tuple[str, str], dict[str, Any]]:
    """One request per route. Bodies and path ids all point at Lhasa records."""
    n = iter(range(100, 10_000))

    def new_id() -> str:
        return ids.make_resident_id("540102", dt.date(1990, 1, 1), next(n) % 1000)

    person = {"person_id": w.ids["person"]}
    grant_ids = iter(w.grants)
    return {
        ("GET", "/"): {},
        ("GET", "/lang/{code}"): {"path": {"code": "en"}},
        ("GET", "/tools/id-check"): {},
        ("POST", "/tools/id-check"): {"data": {"value": P1_ID}},
        ("GET", "/login"): {},
        ("POST", "/login"): {"data": {"username": "nobody", "password": "wrong-password"}},
        ("POST", "/logout"): {},
        ("GET", "/citizen/login"): {},
        ("POST", "/citizen/login"): {"data": {"id_number": P1_ID}},
        ("POST", "/citizen/verify"): {"data": {"id_number": P1_ID, "code": "000000"}},
        ("GET", "/me"): {},
        ("GET", "/docs"): {},
        ("GET", "/healthz"): {},
        ("GET", "/api/auth/csrf"): {},
        ("GET", "/api/auth/me"): {},
        ("POST", "/api/auth/login"): {"json": {"username": "nobody", "password": "wrong-password"}},
        ("POST", "/api/auth/logout"): {},
        ("POST", "/api/auth/otp"): {"json": {"id_number": P1_ID}},
        ("POST", "/api/auth/otp/verify"): {"json": {"id_number": P1_ID, "code": "000000"}},
        ("POST", "/api/users"): {
            "json": lambda: {
                "username": f"u{next(n)}",
                "password": "correct-horse-1",
                "role": "cashier",
                "region_code": "540102",
            }
        },
        ("GET", "/api/users"): {"marker": "540100"},
        ("POST", "/api/users/{user_id}/tokens"): {
            "path": {"user_id": w.ids["user"]},
            "json": {"name": "t", "scopes": ["registry:read"]},
        },
        ("DELETE", "/api/tokens/{token_id}"): {"path": {"token_id": w.ids["token"]}},
        ("GET", "/api/users/grants"): {"marker": "540102"},
        ("POST", "/api/users/grants/{grant_id}/approve"): {
            "path": lambda: {"grant_id": next(grant_ids)}
        },
        ("POST", "/api/users/grants/{grant_id}/reject"): {
            "path": lambda: {"grant_id": next(grant_ids)}
        },
        ("GET", "/api/audit"): {"marker": '"region":"5401'},
        ("GET", "/api/audit/verify"): {"marker": None},
        ("GET", "/api/stats/registry"): {"marker": "540100"},
        ("GET", "/api/me/household"): {},
        ("GET", "/api/divisions"): {},
        ("GET", "/api/divisions/{code}"): {"path": {"code": "540102"}},
        ("POST", "/api/ids/check"): {"json": {"value": P1_ID}},
        ("GET", "/api/parameters/{path}"): {
            "path": {"path": "medical.assistance.annual_cap.ordinary"}
        },
        ("POST", "/api/persons"): {
            "json": lambda: {
                "id_number": new_id(),
                "name_zh": "新",
                "hukou": "urban",
                "division_code": "540102",
            }
        },
        ("GET", "/api/persons"): {"marker": "测试拉萨人"},
        ("POST", "/api/persons/lookup"): {"json": {"id_number": P1_ID}},
        ("GET", "/api/persons/{person_id}"): {"path": person},
        ("PATCH", "/api/persons/{person_id}"): {"path": person, "json": {"name_bo": "ཚེ་རིང"}},
        ("POST", "/api/persons/import"): {
            "files": lambda: {
                "file": (
                    "p.csv",
                    f"id_number,name_zh,hukou,division_code\n{new_id()},导入,urban,540102\n".encode(),
                )
            }
        },
        ("GET", "/api/persons/{person_id}/enrolments"): {"path": person},
        ("POST", "/api/persons/{person_id}/enrolments"): {
            "path": person,
            "json": {"scheme": "resident", "start_date": "2020-01-01"},
        },
        ("GET", "/api/persons/{person_id}/statuses"): {"path": person},
        ("POST", "/api/persons/{person_id}/statuses"): {
            "path": person,
            "json": {"kind": "border", "start_date": "2024-01-01"},
        },
        ("POST", "/api/households"): {
            "json": lambda: {"code": f"LS-{next(n)}", "division_code": "540102", "area": "urban"}
        },
        ("GET", "/api/households/{household_id}"): {"path": {"household_id": w.ids["household"]}},
        ("PATCH", "/api/households/{household_id}"): {
            "path": {"household_id": w.ids["household"]},
            "json": {"address": "八廓街"},
        },
        ("POST", "/api/households/{household_id}/members"): {
            "path": {"household_id": w.ids["household"]},
            "json": {"person_id": w.ids["person"], "relationship": "head"},
        },
        ("POST", "/api/employers"): {
            "json": lambda: {
                "credit_code": ids.make_credit_code("540102", next(n)),
                "name": "新单位",
                "division_code": "540102",
            }
        },
        ("GET", "/api/employers"): {"marker": "拉萨测试单位"},
        ("GET", "/api/employers/{employer_id}"): {"path": {"employer_id": w.ids["employer"]}},
        ("PATCH", "/api/employers/{employer_id}"): {
            "path": {"employer_id": w.ids["employer"]},
            "json": {"name": "拉萨测试单位"},
        },
        ("POST", "/api/facilities"): {
            "json": lambda: {"code": f"H540102{next(n):05d}", "name": "新医院", "level": 1}
        },
        ("GET", "/api/facilities"): {"marker": "拉萨测试医院"},
        ("GET", "/api/facilities/{facility_id}"): {"path": {"facility_id": w.ids["facility"]}},
        ("PATCH", "/api/facilities/{facility_id}"): {
            "path": {"facility_id": w.ids["facility"]},
            "json": {"level": 3},
        },
        ("PATCH", "/api/enrolments/{enrolment_id}"): {
            "path": {"enrolment_id": w.ids["enrolment"]},
            "json": {"end_date": "2031-01-01"},
        },
        ("POST", "/api/medical/settlements/preview"): {"json": lhasa_bill()},
        ("POST", "/api/medical/settlements"): {"json": lhasa_bill()},
        ("POST", "/api/medical/previews/{preview_id}/confirm"): {  # another's preview: 404
            "path": {"preview_id": w.ids["preview"]},
            "json": {"fingerprint": "0" * 64},
        },
        ("POST", "/api/medical/settlements/{settlement_id}/reverse"): {
            "path": {"settlement_id": w.ids["settlement"]}
        },
        ("GET", "/api/medical/settlements/{settlement_id}"): {
            "path": {"settlement_id": w.ids["settlement"]}
        },
        ("GET", "/api/medical/persons/{person_id}/settlements"): {"path": person},
        ("GET", "/api/me/settlements"): {},
        ("GET", "/api/medical/settlements/{settlement_id}/fhir"): {
            "path": {"settlement_id": w.ids["settlement"]}
        },
        ("PUT", "/api/medical/persons/{person_id}/account"): {
            "path": person,
            "json": {"balance": "100.00"},
        },
        ("GET", "/medical/cashier"): {},
        ("POST", "/medical/cashier"): {
            "data": {
                "id_number": P1_ID,
                "facility_code": "H54010200077",
                "visit": "outpatient",
                "service_date": dt.date.today().isoformat(),
                "price_0": "100.00",
                "action": "preview",
            }
        },
        ("GET", "/medical/receipt/{settlement_id}"): {
            "path": {"settlement_id": w.ids["settlement"]}
        },
        ("GET", "/me/medical"): {},
        **assistance_samples(w),
        ("PATCH", "/api/statuses/{status_id}"): {
            "path": {"status_id": w.ids["status"]},
            "json": {"end_date": "2031-01-01"},
        },
    }


def assistance_samples(w: World) -> dict[tuple[str, str], dict[str, Any]]:
    household = {"household_id": w.ids["household"]}
    case = {"case_id": w.ids["case"]}
    warning = {"warning_id": w.ids["warning"]}
    month = f"{dt.date.today():%Y-%m}"
    income = {"person_id": w.ids["person"], "month": month, "kind": "wage", "amount": "100"}
    A = "/api/assistance"
    return {
        ("POST", A + "/households/{household_id}/incomes"): {
            "path": household,
            "json": {"items": [income]},
        },
        ("PUT", A + "/households/{household_id}/assets"): {
            "path": household,
            "json": {"values": {"deposits": "1000"}},
        },
        ("POST", A + "/households/{household_id}/expenses"): {
            "path": household,
            "json": {"month": month, "kind": "medical", "amount": "500"},
        },
        ("GET", A + "/households/{household_id}"): {"path": household},
        ("POST", A + "/cases"): {
            "json": {
                "household_id": w.ids["household"],
                "programme": "temporary",
                "requested": "500",
            }
        },
        ("GET", A + "/cases/{case_id}"): {"path": case},
        ("POST", A + "/cases/{case_id}/actions"): {"path": case, "json": {"action": "check"}},
        ("GET", A + "/queue"): {"marker": "540102"},
        ("POST", A + "/warnings/{warning_id}"): {"path": warning, "json": {"state": "checking"}},
        ("POST", A + "/scan"): {"json": {"region": INSIDE}},
        ("POST", A + "/payroll"): {"json": {"region": INSIDE, "month": month}},
        # run 1 is the Lhasa run the POST above makes (it pays nobody: 404 for its bank file)
        ("GET", A + "/payroll/{run_id}/bank-file"): {"path": {"run_id": 1}},
        ("GET", A + "/payroll/{run_id}/roll"): {"path": {"run_id": 1}},
        ("GET", "/api/me/assistance"): {},
        ("GET", "/assistance"): {"marker": "/assistance/households/"},
        ("GET", "/assistance/households/{household_id}"): {"path": household},
        ("POST", "/assistance/households/{household_id}/incomes"): {
            "path": household,
            "data": income,
        },
        ("POST", "/assistance/households/{household_id}/assets"): {
            "path": household,
            "data": {"deposits": "100"},
        },
        ("POST", "/assistance/households/{household_id}/expenses"): {
            "path": household,
            "data": {"month": month, "kind": "education", "amount": "100"},
        },
        ("POST", "/assistance/households/{household_id}/cases"): {
            "path": household,
            "data": {"programme": "temporary", "requested": "300"},
        },
        ("POST", "/assistance/cases/{case_id}/action"): {"path": case, "data": {"action": "check"}},
        ("POST", "/assistance/warnings/{warning_id}"): {
            "path": warning,
            "data": {"state": "checking"},
        },
        ("GET", "/me/assistance"): {},
        ("GET", "/analysis"): {},
        ("POST", "/analysis"): {"data": {"start": "not-a-date"}},  # refused before any run
    }


def call(c: TestClient, method: str, path: str, sample: dict[str, Any]) -> Any:
    where = sample.get("path", {})
    url = path.format(**(where() if callable(where) else where))
    kw: dict[str, Any] = {}
    for k in ("json", "data", "files"):
        if k in sample:
            v = sample[k]
            kw[k] = v() if callable(v) else v
    return c.request(method, url, follow_redirects=False, **kw)


def clients(app: FastAPI, w: World) -> dict[str, tuple[str | None, str, TestClient]]:
    """name → (role, where, client). Cookie-based callers carry a valid CSRF pair, so that
    what is tested is the permission, not the CSRF check."""
    out: dict[str, tuple[str | None, str, TestClient]] = {}
    token = TestClient(app).get("/api/auth/csrf").json()["csrf_token"]  # a signed one
    anon = TestClient(app)
    anon.cookies.set(CSRF_COOKIE, token)  # set by hand: signing out does not take it away
    anon.headers["X-CSRF-Token"] = token
    out["anonymous"] = (None, "-", anon)
    for where in ("inside", "outside"):
        c = TestClient(app)
        c.cookies.set(SESSION_COOKIE, w.citizen_cookies[where])
        c.headers["X-CSRF-Token"] = c.get("/api/auth/csrf").json()["csrf_token"]  # bound
        out[f"citizen@{where}"] = ("citizen", where, c)
    for role in STAFF_ROLES:
        for region, where in ((INSIDE, "inside"), (OUTSIDE, "outside")):
            c = TestClient(app)
            c.headers["Authorization"] = f"Bearer {w.tokens[f'{role}@{region}']}"
            out[f"{role}@{where}"] = (role, where, c)
    return out


COLLECTIONS = {
    ("GET", "/api/persons"),
    ("GET", "/api/employers"),
    ("GET", "/api/facilities"),
    ("GET", "/api/users"),
    ("GET", "/api/users/grants"),
    ("GET", "/api/audit"),
    ("GET", "/api/audit/verify"),
    ("GET", "/api/stats/registry"),
    ("GET", "/api/me/household"),
    ("GET", "/api/me/settlements"),
    ("GET", "/me/medical"),
    ("GET", "/api/assistance/queue"),
    ("GET", "/api/me/assistance"),
    ("GET", "/assistance"),
    ("GET", "/me/assistance"),
    ("GET", "/analysis"),
    ("GET", "/medical/cashier"),
    ("GET", "/me"),
}


# Routes that touch no regional record (the synthetic population of policy analysis holds no
# one's data): every allowed caller gets the same answer, wherever their region.
REGION_FREE = {("POST", "/analysis")}


def test_every_route_as_every_role(engine: Engine) -> None:
    app = make_app(engine)
    assert isinstance(app, FastAPI)
    w = build_world(engine)
    table = samples(w)
    routes = [(m, r.path, r) for r in api_routes(app) for m in sorted(r.methods)]
    assert len(routes) > 50
    routes.sort(key=lambda x: "logout" in x[1])  # signing out last keeps the sessions alive
    missing = [f"{m} {p}" for m, p, _ in routes if (m, p) not in table]
    assert not missing, f"routes without a sample in this matrix: {missing}"
    failures: list[str] = []
    who = clients(app, w)
    for method, path, route in routes:
        permission = guard_of(route)
        assert permission, f"{method} {path} has no permission check"
        sample = table[(method, path)]
        for name, (role, where, c) in who.items():
            app.state.limiter.reset()
            r = call(c, method, path, sample)
            code = r.status_code
            allowed = role is not None and permission in PERMISSIONS.get(role, frozenset())
            if code >= 500:
                failures.append(f"{name} {method} {path}: {code}")
            elif permission == "public":
                if code == 403:
                    failures.append(f"{name} {method} {path}: public route answered 403")
            elif not allowed:
                if code not in (401, 403, 303):
                    failures.append(f"{name} {method} {path}: expected denial, got {code}")
            elif (method, path) in REGION_FREE:
                if code in (401, 403):
                    failures.append(f"{name} {method} {path}: denied ({code})")
            elif (method, path) in COLLECTIONS:
                marker = sample.get("marker")
                if code != 200:
                    failures.append(f"{name} {method} {path}: expected 200, got {code}")
                elif where == "outside" and marker and marker in r.text:
                    failures.append(f"{name} {method} {path}: leaked a Lhasa record ({marker})")
            elif where == "inside":
                if code in (401, 403):
                    failures.append(f"{name} {method} {path}: denied inside its region ({code})")
            elif path == "/api/persons/import":  # a per-row report: the row is refused, not stored
                rules = {p["rule"] for p in r.json()["problems"]} if code == 200 else set()
                if code != 200 or r.json()["imported"] != 0 or rules != {"out_of_region"}:
                    failures.append(
                        f"{name} {method} {path}: outside its region, imported {r.text}"
                    )
            elif code not in (403, 404):
                failures.append(f"{name} {method} {path}: outside its region, got {code}")
    assert not failures, "\n".join(failures)


def test_an_unguarded_route_is_refused() -> None:
    app = FastAPI()

    @app.get("/open")
    def open_route() -> dict[str, str]:
        return {}

    router = APIRouter(prefix="/api")

    @router.post("/also-open")
    def also_open() -> dict[str, str]:
        return {}

    app.include_router(router)
    assert unguarded_routes(app) == ["GET /open", "POST /api/also-open"]


@pytest.mark.parametrize("role", STAFF_ROLES)
def test_roles_hold_only_their_permissions(role: str) -> None:
    perms = PERMISSIONS[role]
    assert ("audit:read" in perms) == (role == "auditor")
    assert ("users:admin" in perms) == (role == "admin")
    if role in ("analyst", "auditor", "admin"):
        assert "registry:read" not in perms
