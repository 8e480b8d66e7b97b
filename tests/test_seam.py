"""The programme seam (``minsheng.programmes``): a toy programme in a temporary package,
registered through the same seam as the real ones, appears everywhere — app routes, CLI,
schema, the home page's desks, the citizen's panels, the permission table and the
microsimulation (a reform on its prefix reruns only it). And the permission table assembled
from the real programmes' declarations is exactly the one the house had by hand."""

from __future__ import annotations

import datetime as dt
import shutil
import sys
import textwrap
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np
import pytest
import typer
from fastapi.testclient import TestClient
from sqlalchemy import Engine
from typer.testing import CliRunner

from minsheng import cli, programmes
from minsheng.auth import service as auth
from minsheng.auth.users import create_user
from minsheng.core import ids
from minsheng.db import Base, make_sessionmaker
from minsheng.foundation.principals import ALL_PERMISSIONS, PERMISSIONS, system
from minsheng.policy import parameters as policy_parameters
from minsheng.registry import service as registry
from minsheng.registry.schemas import PersonIn
from minsheng.sim import model, population, runner
from minsheng.webkit.guards import SESSION_COOKIE, api_routes
from tests.conftest import make_app

# The table as it stood before the seam (issue 11), written out by hand: the assembled table
# must stay exactly this until a programme's declaration changes it on purpose.
BEFORE: dict[str, frozenset[str]] = {
    "citizen": frozenset({"self:read", "self:card", "self:bundles", "bundles:apply", "self:jobs"}),
    "cashier": frozenset({"registry:read", "medical:settle", "medical:read", "cards:scan"}),
    "caseworker": frozenset(
        {
            "registry:read",
            "registry:identify",
            "registry:write",
            "registry:import",
            "medical:settle",
            "medical:read",
            "assistance:read",
            "assistance:write",
            "pensions:read",
            "pensions:write",
            "cards:read",
            "cards:write",
            "bundles:read",
            "bundles:write",
            "bundles:apply",
            "wages:read",
            "wages:write",
            "wages:inspect",
            "wages:project",  # the project desk (wages/access.py scopes it)
            "employment:read",
            "employment:write",
        }
    ),
    "supervisor": frozenset(
        {
            "registry:read",
            "registry:identify",
            "registry:write",
            "registry:import",
            "aggregates:read",
            "medical:settle",
            "medical:read",
            "assistance:read",
            "assistance:write",
            "assistance:run",
            "assistance:import",
            "pensions:read",
            "pensions:write",
            "pensions:run",
            "cards:read",
            "cards:write",
            "bundles:read",
            "bundles:write",
            "bundles:apply",
            "wages:read",
            "wages:write",
            "wages:run",
            "wages:inspect",
            "wages:project",
            "employment:read",
            "employment:write",
            "employment:run",
        }
    ),
    "contractor": frozenset({"wages:project"}),
    "employer": frozenset({"employment:employer"}),  # scoped to its employer (auth.employers)
    "analyst": frozenset({"aggregates:read"}),
    "auditor": frozenset({"audit:read", "wages:read", "employment:read"}),
    "admin": frozenset({"users:admin", "aggregates:read"}),
}


def test_the_assembled_permission_table_is_the_one_written_by_hand() -> None:
    assert PERMISSIONS == BEFORE
    assert frozenset().union(*BEFORE.values()) == ALL_PERMISSIONS


def test_every_package_is_registered_once_with_its_pieces() -> None:
    names = [p.name for p in programmes.registered()]
    assert names == [
        "auth",
        "registry",
        "cases",
        "cards",
        "medical",
        "assistance",
        "pensions",
        "wages",
        "employment",
        "analysis",
        "bundles",
    ]
    assert [p.name for p in programmes.programmes()] == [
        "medical",
        "assistance",
        "pensions",
        "wages",
        "employment",
        "analysis",
    ]
    assert [p.name for p in programmes.microsimulated()] == ["medical", "assistance", "pensions"]
    assert model.outputs() == (
        "medical_basic",
        "medical_critical",
        "medical_assistance",
        "medical_tilted",
        "medical_commercial",
        "dibao",
        "tekun",
        "person_benefits",
        "resident_pension",
        "employee_pension",
        "government_paid_premiums",
        "tier_subsidies",
    )
    assert [p.name for p in programmes.cards()] == [
        "medical",
        "assistance",
        "pensions",
        "wages",
        "employment",
        "analysis",
    ]
    for p in programmes.registered():  # every reference resolves
        for ref in (*p.api, *p.pages, *(r for _, r in p.cli)):
            assert programmes.resolve(ref) is not None, (p.name, ref)
        if p.microsim:
            assert callable(programmes.resolve(p.microsim))


def test_a_reform_path_touches_the_programmes_reading_its_prefix() -> None:
    assert programmes.touched_by(["medical.critical_illness.scale.brackets[0].rate"]) == ["medical"]
    assert programmes.touched_by(["economy.per_capita_disposable_income"]) == ["assistance"]
    assert programmes.touched_by(["assistance.dibao.standard.rural_yearly"]) == ["assistance"]
    assert programmes.touched_by(["medicalx.y"]) == []


# ------------------------------------------------------------------------------ the toy

TOY = {
    "__init__.py": """
        from minsheng.programmes import Link, Programme, Text

        PROGRAMME = Programme(
            name="toy",
            title=Text("玩具", "རྩེད་ཆས།", "Toy programme"),
            summary=Text("玩具项目的说明", "རྩེད་ཆས་ཀྱི་འགྲེལ་བཤད།", "Summary of the toy programme"),
            rank=60,
            api=("toyprog.api:router",),
            pages=("toyprog.pages:router",),
            cli=(("toy", "toyprog.cli:app"),),
            models="toyprog.models",
            permissions={"caseworker": frozenset({"toy:read"})},
            desks=(Link("/toy", Text("玩具台", "རྩེད་ཆས་ལས་ཁུངས།", "Toy desk"), "toy:read"),),
            panels=(Link("/me/toy", Text("我的玩具", "ངའི་རྩེད་ཆས།", "My toys"), "self:read"),),
            parameters=("toy.",),
            microsim="toyprog.microsim:simulate",
            outputs=("toy_grant",),
        )
    """,
    "api.py": """
        from fastapi import APIRouter, Depends

        from minsheng.foundation.principals import Principal
        from minsheng.webkit.guards import permit

        router = APIRouter(prefix="/api", tags=["toy"])


        @router.get("/toy/ping")
        def ping(by: Principal = Depends(permit("toy:read"))) -> dict[str, str]:
            return {"toy": "pong", "by": by.name}
    """,
    "pages.py": """
        from fastapi import APIRouter, Depends
        from fastapi.responses import HTMLResponse

        from minsheng.foundation.principals import Principal
        from minsheng.webkit.guards import permit

        router = APIRouter(include_in_schema=False)


        @router.get("/toy", response_class=HTMLResponse)
        def desk(by: Principal = Depends(permit("toy:read"))) -> HTMLResponse:
            return HTMLResponse("<p>toy desk</p>")


        @router.get("/me/toy", response_class=HTMLResponse)
        def mine(by: Principal = Depends(permit("self:read"))) -> HTMLResponse:
            return HTMLResponse("<p>my toys</p>")
    """,
    "cli.py": '''
        import typer

        app = typer.Typer(help="Toy programme commands")


        @app.command()
        def hello() -> None:
            """Say hello."""
            typer.echo("hello from the toy")
    ''',
    "models.py": """
        from sqlalchemy.orm import Mapped, mapped_column

        from minsheng.db import Base


        class ToyThing(Base):
            __tablename__ = "toy_thing"
            id: Mapped[int] = mapped_column(primary_key=True)
    """,
    "microsim.py": """
        import numpy as np

        CALLS = []


        def simulate(part, tree, as_of):
            h = part.households
            amount = np.zeros(len(h["area"]), dtype=np.int64)
            for region in np.unique(h["prefecture"]):
                sel = h["prefecture"] == region
                amount[sel] = tree.at(as_of, str(region)).info("toy.grant_yearly").value
            CALLS.append(int(amount.sum()))
            return {"toy_grant": amount}
    """,
}


@pytest.fixture
def toy(tmp_path: Path) -> Iterator[str]:
    """The toy package on ``sys.path``, registered; everything undone afterwards."""
    root = tmp_path / "toysrc"
    package = root / "toyprog"
    package.mkdir(parents=True)
    for name, text in TOY.items():
        (package / name).write_text(textwrap.dedent(text))
    sys.path.insert(0, str(root))
    programmes.register("toyprog")
    try:
        yield "toyprog"
    finally:
        programmes.unregister("toyprog")
        sys.path.remove(str(root))
        table = Base.metadata.tables.get("toy_thing")
        if table is not None:
            Base.metadata.remove(table)
        for mod in [m for m in sys.modules if m == "toyprog" or m.startswith("toyprog.")]:
            del sys.modules[mod]
        assert "toy:read" not in frozenset().union(*PERMISSIONS.values())


# each database's run imports the toy afresh; its class replaces the previous run's
@pytest.mark.filterwarnings("ignore:This declarative base already contains a class")
def test_a_toy_programme_appears_everywhere(toy: str, engine: Engine) -> None:
    # the permission table: the toy's permission, given to the role it names, and no other
    assert "toy:read" in PERMISSIONS["caseworker"]
    assert all("toy:read" not in v for r, v in PERMISSIONS.items() if r != "caseworker")
    assert PERMISSIONS["caseworker"] - {"toy:read"} == BEFORE["caseworker"]

    # the schema: its table in Base.metadata once its models are loaded the usual way
    from minsheng import models

    models.load_all()
    assert "toy_thing" in Base.metadata.tables

    # the CLI: its command listed and runnable
    fresh = typer.Typer()
    cli.register_programmes(fresh)
    out = CliRunner().invoke(fresh, ["--help"]).output
    assert "toy" in out and "medical" in out and "assistance" in out
    assert CliRunner().invoke(fresh, ["toy", "hello"]).output.strip() == "hello from the toy"

    # the app: its API and pages mounted and guarded
    app: Any = make_app(engine)
    paths = {r.path for r in api_routes(app)}
    assert {"/api/toy/ping", "/toy", "/me/toy"} <= paths
    assert TestClient(app).get("/api/toy/ping").status_code == 401
    pid = ids.make_resident_id("540102", dt.date(1980, 5, 5), 11)
    with make_sessionmaker(engine)() as s:
        by = system("test")
        person = registry.create_person(
            s, PersonIn(id_number=pid, name_zh="玩具", hukou="urban", division_code="540102"), by
        )
        for role in ("caseworker", "cashier"):
            create_user(s, by, f"toy.{role}", "correct-horse-1", role, "540100")
        citizen = auth.open_session(s, 1, person=person).token
        s.commit()

    def signed_in(username: str) -> TestClient:
        c = TestClient(app)
        token = c.get("/api/auth/csrf").json()["csrf_token"]
        r = c.post(
            "/api/auth/login",
            json={"username": username, "password": "correct-horse-1"},
            headers={"X-CSRF-Token": token},
        )
        assert r.status_code == 200, r.text
        return c

    caseworker, cashier = signed_in("toy.caseworker"), signed_in("toy.cashier")
    r = caseworker.get("/api/toy/ping")
    assert r.status_code == 200 and r.json()["toy"] == "pong"
    assert cashier.get("/api/toy/ping").status_code == 403

    def page(c: TestClient, lang: str, path: str = "/") -> str:
        c.cookies.set("lang", lang)
        return c.get(path).text

    # the home page: its card for everyone, its desk for those who may open it
    anon_home = page(TestClient(app), "en")
    assert "Toy programme" in anon_home and "Summary of the toy programme" in anon_home
    assert 'href="/toy"' not in anon_home
    assert anon_home.index("Medical security") < anon_home.index("Toy programme")  # by rank
    assert anon_home.index("Toy programme") < anon_home.index("Policy analysis")
    # staff land on a desk from "/" (issue 15); the toy desk stands in every page's menu
    landed = caseworker.get("/", follow_redirects=False)
    assert landed.status_code == 303
    desk = page(caseworker, "en", "/assistance")
    assert '<a href="/toy">Toy desk</a>' in desk
    assert 'href="/toy"' not in cashier.get("/medical/cashier").text
    assert "玩具台" in page(caseworker, "zh", "/assistance")

    # the citizen's page: its panel beside the others
    c = TestClient(app)
    c.cookies.set(SESSION_COOKIE, citizen)
    c.cookies.set("lang", "bo")
    me = c.get("/me")
    assert me.status_code == 200
    assert '<a href="/me/toy">ངའི་རྩེད་ཆས།</a>' in me.text
    assert me.text.index('href="/me/medical"') < me.text.index('href="/me/toy"')
    assert c.get("/me/toy").status_code == 200
    assert 'href="/me/toy"' not in desk  # staff have no citizen's panels


TOY_PARAMETER = """
description: 玩具补贴（测试）Toy grant (tests only)
reference:
  - title: the seam test
    href: https://example.org/toy
metadata:
  unit: currency-CNY
  status: assumed
values:
  2020-01-01:
    value: 100
"""


@pytest.fixture
def toy_tree(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The live parameter tree with the toy's one parameter beside it."""
    params = tmp_path / "parameters"
    shutil.copytree(policy_parameters.PARAMETERS_DIR, params)
    (params / "toy").mkdir()
    (params / "toy" / "index.yaml").write_text("description: 玩具 Toy programme\n")
    (params / "toy" / "grant_yearly.yaml").write_text(TOY_PARAMETER)
    tree = policy_parameters.load_tree(params)
    monkeypatch.setattr(runner, "load", lambda: tree)
    monkeypatch.setattr(runner, "_trees", {})


def test_a_reform_on_the_toys_prefix_reruns_only_the_toy(
    toy: str, toy_tree: None, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import importlib

    microsim = importlib.import_module("toyprog.microsim")
    pop = tmp_path / "pop"
    population.write(pop, 3_000, seed=3, year=2026, partition_size=1_500)
    reran: list[tuple[str, ...]] = []
    real = model.simulate

    def spy(part: Any, tree: Any, as_of: dt.date, names: Any = None) -> Any:
        reran.append(tuple(names) if names is not None else ("all",))
        return real(part, tree, as_of, names)

    monkeypatch.setattr(model, "simulate", spy)
    base = runner.run(pop)
    assert base["recomputed"] == {
        "medical": False,
        "assistance": False,
        "pensions": False,
        "toy": False,
    }
    assert set(reran) == {("all",)}
    households = base["population"]["households"]
    toy_row = next(p for p in base["programmes"] if p["programme"] == "toy_grant")
    assert toy_row["baseline"] == toy_row["reform"] == 100_00 * households

    reran.clear()
    microsim.CALLS.clear()
    reform = {"changes": {"toy.grant_yearly": {"values": {"2026-01-01": {"value": "150"}}}}}
    r = runner.run(pop, reform, "toy150")
    assert r["recomputed"] == {
        "medical": False,
        "assistance": False,
        "pensions": False,
        "toy": True,
    }
    assert set(reran) == {("all",), ("toy",)}  # each partition: baseline, then the toy alone
    rows = {p["programme"]: p for p in r["programmes"]}
    assert rows["toy_grant"]["change"] == 50_00 * households == r["total"]["change"]
    # every output is reported, but those reported only where they pay (Tibet: none of them)
    assert set(rows) == set(model.outputs()) - model.outputs_where_paid()
    assert all(rows[o]["change"] == 0 for o in rows if o != "toy_grant")
    assert np.sum(microsim.CALLS) == (100_00 + 150_00) * households

    reran.clear()
    dibao = {
        "changes": {
            "assistance.dibao.standard.rural_yearly": {
                "unit": "currency-CNY",
                "values": {"2026-01-01": {"value": "5184.30"}},
            }
        }
    }
    r = runner.run(pop, dibao, "rural10")
    assert r["recomputed"] == {
        "medical": False,
        "assistance": True,
        "pensions": False,
        "toy": False,
    }
    assert set(reran) == {("all",), ("assistance",)}
    assert {p["programme"]: p for p in r["programmes"]}["toy_grant"]["change"] == 0
