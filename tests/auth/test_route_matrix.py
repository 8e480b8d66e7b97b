"""Every route, called as every role, inside and outside its region: allowed or denied.

The route list is read from the app, so a new route without a sample fails this test, and a
route without a permission check stops the app from starting at all. Each registered package
(``minsheng.programmes``) brings its samples in ``tests/<package>/route_samples.py`` (see
``tests/route_kit.py``); the web's own routes are sampled here.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import importlib
from types import ModuleType
from typing import Any

import pytest
from fastapi import APIRouter, FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import Engine

from minsheng import programmes
from minsheng.auth import service as auth
from minsheng.auth.models import RoleGrant
from minsheng.auth.tokens import create_token
from minsheng.auth.users import create_user
from minsheng.core import ids
from minsheng.db import make_sessionmaker
from minsheng.foundation.principals import PERMISSIONS, STAFF_ROLES, system
from minsheng.registry import service as registry
from minsheng.registry.enrolment import add_enrolment
from minsheng.registry.organisations import create_employer, create_facility
from minsheng.registry.schemas import (
    EmployerIn,
    EnrolmentIn,
    FacilityIn,
    HouseholdIn,
    PersonIn,
    StatusIn,
)
from minsheng.registry.statuses import add_status
from minsheng.webkit.guards import (
    CSRF_COOKIE,
    SESSION_COOKIE,
    api_routes,
    guard_of,
    unguarded_routes,
)
from tests.conftest import make_app
from tests.route_kit import BY, INSIDE, OUTSIDE, P1_ID, P2_ID, Samples, World


def sample_modules() -> list[ModuleType]:
    """``tests/<package>/route_samples.py`` of every registered package that mounts routes
    (each such package must have one)."""
    return [
        importlib.import_module(f"tests.{entry.rsplit('.', 1)[-1]}.route_samples")
        for entry, p in zip(programmes.ENTRIES, programmes.registered(), strict=True)
        if p.api or p.pages
    ]


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
        e = create_employer(
            s,
            EmployerIn(
                credit_code=ids.make_credit_code("540102", 77),
                name="拉萨测试单位",
                division_code="540102",
            ),
            BY,
        )
        f = create_facility(s, FacilityIn(code="H54010200077", name="拉萨测试医院", level=3), BY)
        en = add_enrolment(
            s, p1.id, EnrolmentIn(scheme="resident", start_date=dt.date(2020, 1, 1)), BY
        )
        add_status(s, p1.id, StatusIn(kind="dibao", start_date=dt.date(2020, 1, 1)), BY)
        # a status the registry attests: a benefit status ends only through its case
        st = add_status(s, p1.id, StatusIn(kind="unemployed", start_date=dt.date(2020, 1, 1)), BY)
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
                user = create_user(s, BY, f"{role}.{region}", "correct-horse-1", role, region)
                raw, _ = create_token(s, BY, user.id, "matrix", sorted(PERMISSIONS[role]))
                w.tokens[f"{role}@{region}"] = raw
        target = create_user(
            s, BY, "lhasa.target", "correct-horse-1", "cashier", "540102", service_account=True
        )
        _, spare = create_token(s, BY, target.id, "spare", ["registry:read"])
        # grants asked for by an admin of nobody's in this matrix, so any admin may decide them
        asker = system("matrix")
        grants = []
        for i in range(40):
            u = create_user(s, BY, f"pending.{i}", "correct-horse-1", "cashier", "540102")
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
        for module in sample_modules():
            if hasattr(module, "populate"):
                module.populate(s, w)
        for where, person in (("inside", p1), ("outside", p2)):
            w.citizen_cookies[where] = auth.open_session(s, 1, person=person).token
        s.commit()
    return w


def samples(w: World) -> Samples:
    """One request per route. Bodies and path ids all point at Lhasa records."""
    table: Samples = {
        ("GET", "/"): {},
        ("GET", "/lang/{code}"): {"path": {"code": "en"}},
        ("GET", "/tools/id-check"): {},
        ("POST", "/tools/id-check"): {"data": {"value": P1_ID}},
        ("GET", "/docs"): {},
        ("GET", "/healthz"): {},
        ("GET", "/api/divisions"): {},
        ("GET", "/api/divisions/{code}"): {"path": {"code": "540102"}},
        ("POST", "/api/ids/check"): {"json": {"value": P1_ID}},
        ("GET", "/api/parameters/{path}"): {
            "path": {"path": "medical.assistance.annual_cap.ordinary"}
        },
    }
    for module in sample_modules():
        theirs = module.samples(w)
        clash = set(theirs) & set(table)
        assert not clash, f"{module.__name__} samples routes sampled elsewhere: {clash}"
        table.update(theirs)
    return table


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


def collections() -> set[tuple[str, str]]:
    """Routes answering 200 with a list filtered to the caller's region."""
    return set().union(*(getattr(m, "COLLECTIONS", set()) for m in sample_modules()))


def region_free() -> set[tuple[str, str]]:
    """Routes that touch no regional record: every allowed caller gets the same answer."""
    return set().union(*(getattr(m, "REGION_FREE", set()) for m in sample_modules()))


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
    stack = contextlib.ExitStack()  # one event-loop portal per client, not one per request
    for _, _, c in who.values():
        stack.enter_context(c)
    with stack:
        check_every_route(app, routes, table, who, failures)
    assert not failures, "\n".join(failures)


def check_every_route(
    app: FastAPI,
    routes: list[tuple[str, str, Any]],
    table: Samples,
    who: dict[str, tuple[str | None, str, TestClient]],
    failures: list[str],
) -> None:
    COLLECTIONS, REGION_FREE = collections(), region_free()
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
            elif path == "/api/medical/settlements/batch":  # each bill answers in its slot
                slots = {x["status"] for x in r.json()["results"]} if code == 200 else set()
                if code != 200 or not slots or not slots <= {403, 404}:
                    failures.append(f"{name} {method} {path}: outside its region, got {r.text}")
            elif code not in (403, 404):
                failures.append(f"{name} {method} {path}: outside its region, got {code}")


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
