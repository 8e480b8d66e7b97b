"""The walls of the house (docs/architecture.md), checked on every import statement.

- ``core/`` imports nothing of ours but ``core``, and nothing that touches a database or the web;
- ``policy/`` imports only ``core`` and ``policy``;
- every ``rules.py`` imports only ``core`` and ``policy`` (pure: columns in, columns out);
- layers point down (:data:`LAYERS`): a package imports only packages on lower layers — so the
  registry never imports auth, no service imports the web app, the foundation imports no
  service;
- one programme reads another only through that programme's published ``queries`` (or its
  pure ``rules``), never its tables or services;
- only entrypoints (``web/``, ``webkit/``, ``cli.py``, ``clikit.py``) and a package's own
  ``api.py``, ``web.py``, ``cli.py`` and ``pages.py`` import the web or CLI frameworks;
- no source file is longer than one person can hold in mind (:data:`MAX_LINES`).
"""

from __future__ import annotations

import ast
import sys
from pathlib import Path

import pytest

SRC = Path(__file__).resolve().parents[1] / "src" / "minsheng"
STDLIB = set(sys.stdlib_module_names)
IO_LIBS = {
    "sqlalchemy",
    "alembic",
    "psycopg",
    "fastapi",
    "starlette",
    "uvicorn",
    "jinja2",
    "httpx",
    "typer",
    "rich",
}
WEB_LIBS = {"fastapi", "starlette", "uvicorn", "jinja2", "typer", "rich"}
ENTRY_FILES = {"api.py", "cli.py", "pages.py", "web.py", "__main__.py", "clikit.py"}
ENTRY_SUFFIXES = ("_pages.py", "_api.py", "_cli.py")  # desk_pages.py, recovery_api.py,
# recovery_cli.py: routers and command groups too


def imports(path: Path) -> list[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    out: list[str] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            out += [a.name for a in node.names]
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            out.append(node.module)
        elif isinstance(node, ast.ImportFrom) and node.level > 0:
            out.append("minsheng.<relative>")
    return out


def modules(pattern: str) -> list[Path]:
    return sorted(SRC.glob(pattern))


def ours(name: str) -> str | None:
    return (
        name.split(".")[1] if name.startswith("minsheng.") else ("" if name == "minsheng" else None)
    )


def where(path: Path) -> str:
    return str(path.relative_to(SRC)) if path.is_relative_to(SRC) else path.name


def check(paths: list[Path], allowed_ours: set[str], allowed_third: set[str]) -> list[str]:
    bad = []
    for path in paths:
        for name in imports(path):
            top = name.split(".")[0]
            sub = ours(name)
            if sub is not None:
                if sub not in allowed_ours:
                    bad.append(f"{where(path)} imports {name}")
            elif top not in STDLIB and top not in allowed_third:
                bad.append(f"{where(path)} imports {name}")
    return bad


def test_core_is_pure() -> None:
    paths = modules("core/**/*.py")
    assert paths
    assert check(paths, {"core"}, {"numpy", "yaml"}) == []


def test_policy_depends_only_on_core() -> None:
    paths = modules("policy/**/*.py")
    assert paths
    assert check(paths, {"core", "policy"}, {"numpy", "yaml"}) == []


def pure_closure(rules: Path) -> list[Path]:
    """A ``rules.py`` and every module of its own package it imports, directly or not: the
    rules may be split into pure pieces (medical: tables, bills, lines), each held to the
    same rule — so importing a sibling that touches the database still fails."""
    package = rules.parent
    seen, todo = {rules}, [rules]
    own = f"minsheng.{package.name}"
    while todo:
        names = []
        for node in ast.walk(ast.parse(todo.pop().read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                names += [a.name for a in node.names]
            elif isinstance(node, ast.ImportFrom) and node.module:
                names.append(node.module)  # from minsheng.medical.tables import …
                if node.module == own:  # from minsheng.medical import tables
                    names += [f"{own}.{a.name}" for a in node.names]
        for name in names:
            parts = name.split(".")
            if len(parts) >= 3 and f"{parts[0]}.{parts[1]}" == own:
                sibling = package / f"{parts[2]}.py"
                if sibling.exists() and sibling not in seen:
                    seen.add(sibling)
                    todo.append(sibling)
    return sorted(seen)


def test_every_rules_module_is_pure() -> None:
    bad = []
    for rules in modules("**/rules.py"):
        bad += check(pure_closure(rules), {"core", "policy", rules.parent.name}, {"numpy"})
    assert bad == []


def test_a_rules_sibling_that_touches_the_database_fails(tmp_path: Path) -> None:
    package = tmp_path / "toy"
    package.mkdir()
    (package / "rules.py").write_text("from minsheng.toy import helpers\n", encoding="utf-8")
    (package / "helpers.py").write_text("import sqlalchemy\n", encoding="utf-8")
    closure = pure_closure(package / "rules.py")
    assert [p.name for p in closure] == ["helpers.py", "rules.py"]
    assert check(closure, {"core", "policy", "toy"}, {"numpy"}) == ["helpers.py imports sqlalchemy"]


def test_foundation_never_imports_upwards() -> None:
    paths = [SRC / "db.py", SRC / "config.py"]
    assert check(paths, {"core", "db", "config"}, IO_LIBS) == []


@pytest.mark.parametrize(
    "path", [p for p in modules("**/*.py") if "migrations" not in p.parts], ids=str
)
def test_only_entrypoints_use_web_and_cli_frameworks(path: Path) -> None:
    rel = path.relative_to(SRC)
    is_entry = (
        rel.parts[0] in {"web", "webkit"}
        or rel.name in ENTRY_FILES
        or rel.name.endswith(ENTRY_SUFFIXES)  # a package's routers split by desk
    )
    if is_entry:
        return
    used = {n.split(".")[0] for n in imports(path)} & WEB_LIBS
    ours_used = {n for n in imports(path) if n.startswith(("minsheng.web", "minsheng.cli"))}
    assert not used and not ours_used, f"{rel} uses {used | ours_used}"


def test_the_checker_catches_a_violation(tmp_path: Path) -> None:
    bad = tmp_path / "rules.py"
    bad.write_text(
        "import math\nimport sqlalchemy\nfrom minsheng.db import Base\n", encoding="utf-8"
    )
    assert check([bad], {"core", "policy"}, {"numpy"}) == [
        "rules.py imports sqlalchemy",
        "rules.py imports minsheng.db",
    ]


# ----------------------------------------------------------------------------- layers
#
# Each package (or top-level module) of ``src/minsheng`` on its layer; imports point to lower
# layers only (or within the same package). ``minsheng`` itself (``__version__``) is layer 0.
LAYERS: dict[str, int] = {
    "": 0,  # minsheng/__init__.py
    "core": 0,
    "policy": 1,
    "config": 2,
    "db": 3,
    "programmes": 3,  # the seam: standard library only
    "fields": 3,
    "logs": 3,
    "foundation": 4,  # encryption, audit, principals and region scopes
    "webkit": 5,  # the page kit: render, forms, i18n, guards, dependencies
    "clikit": 5,
    "registry": 6,
    "auth": 7,  # users and sessions; citizens sign in with their registered identity
    "cases": 8,
    "population": 8,
    "cards": 9,  # the social-security card: identity at the window, the bank account
    "payments": 9,  # the shared payment engine: run lock, prepared → issued, the bank file
    "medical": 10,
    "assistance": 10,
    "pensions": 10,
    "wages": 10,
    "employment": 10,
    "sim": 10,
    "bundles": 11,  # one-visit bundles: above the programmes, through their published modules
    "demo": 11,
    "models": 11,  # imports every package's tables for Alembic and the tests
    "migrations": 12,  # Alembic's environment reads models
    "web": 12,  # the app that assembles everything
    "cli": 12,
    "__main__": 13,
}
PROGRAMMES = {
    "medical",
    "assistance",
    "pensions",
    "wages",
    "employment",
    "sim",
}  # may read each other only through PUBLISHED
PUBLISHED = {"queries", "commands", "rules"}
#: packages above the programmes held to the same rule (they call programmes' published modules)
ABOVE_PROGRAMMES = {"bundles"}
MAX_LINES = 500


def package_of(path: Path) -> str:
    rel = path.relative_to(SRC)
    return rel.parts[0] if len(rel.parts) > 1 else rel.stem.replace("__init__", "")


def layer_violations(package: str, names: list[str], where_: str) -> list[str]:
    """What in ``names`` (imports of a module of ``package``) points up or sideways."""
    bad = []
    own = LAYERS[package]
    for name in names:
        target = ours(name)
        if target is None or target == package or target == "<relative>":
            continue
        if target not in LAYERS:
            bad.append(f"{where_} imports {name}: package {target!r} has no layer")
        elif (package in PROGRAMMES or package in ABOVE_PROGRAMMES) and target in PROGRAMMES:
            module = name.split(".")[2] if name.count(".") >= 2 else ""
            if module not in PUBLISHED:
                bad.append(f"{where_} imports {name}: read {target} through {target}.queries")
        elif LAYERS[target] >= own:
            bad.append(f"{where_} imports {name}: {target} is not below {package}")
    return bad


def test_every_package_has_a_layer() -> None:
    packages = {package_of(p) for p in modules("**/*.py")}
    assert packages - set(LAYERS) == set(), "add new packages to LAYERS"
    assert set(entry_programmes()) - set(LAYERS) == set()


def entry_programmes() -> list[str]:
    from minsheng import programmes

    return [e.split(".")[1] for e in programmes.ENTRIES]


def test_every_registered_programme_is_held_to_the_queries_rule() -> None:
    import importlib

    from minsheng import programmes

    kinds = {e.split(".")[1]: importlib.import_module(e).PROGRAMME.kind for e in programmes.ENTRIES}
    assert {name for name, kind in kinds.items() if kind == "programme"} <= PROGRAMMES


def imported_modules(path: Path) -> list[str]:
    """Like :func:`imports`, but ``from minsheng.medical import queries`` names the module it
    brings in (``minsheng.medical.queries``), so the published-queries rule sees it."""
    out = imports(path)
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if (
            isinstance(node, ast.ImportFrom)
            and node.level == 0
            and node.module
            and node.module.startswith("minsheng.")
            and node.module.count(".") == 1
        ):
            out += [f"{node.module}.{a.name}" for a in node.names]
            out.remove(node.module)
    return out


def test_layers_point_down() -> None:
    bad = []
    for path in modules("**/*.py"):
        bad += layer_violations(package_of(path), imported_modules(path), where(path))
    assert bad == []


def test_importing_a_programme_module_by_name_is_seen(tmp_path: Path) -> None:
    path = tmp_path / "monitoring.py"
    path.write_text("from minsheng.medical import models, queries\n", encoding="utf-8")
    names = imported_modules(path)
    assert names == ["minsheng.medical.models", "minsheng.medical.queries"]
    assert layer_violations("assistance", names, "monitoring.py") == [
        "monitoring.py imports minsheng.medical.models: read medical through medical.queries"
    ]


@pytest.mark.parametrize(
    ("package", "name", "why"),
    [
        ("registry", "minsheng.auth.service", "registry is below auth"),
        ("foundation", "minsheng.registry.models", "the foundation is below every service"),
        ("medical", "minsheng.web.pages", "programmes use the page kit, never the app"),
        ("webkit", "minsheng.auth.web", "the page kit is below auth"),
        ("assistance", "minsheng.medical.models", "another programme's tables"),
        ("assistance", "minsheng.medical.service", "another programme's services"),
        ("sim", "minsheng.demo.population", "the analysis desk does not use the demo seed"),
        ("core", "minsheng.policy", "core is the floor"),
        ("bundles", "minsheng.pensions.awards", "a bundle calls pensions.commands"),
        ("bundles", "minsheng.assistance.service", "a bundle calls assistance.commands"),
        ("bundles", "minsheng.medical.models", "a bundle writes no programme's tables"),
        ("pensions", "minsheng.bundles.service", "programmes are below the bundles"),
    ],
)
def test_a_wrong_import_fails(package: str, name: str, why: str) -> None:
    assert layer_violations(package, [name], f"{package}/x.py") != [], why


def test_published_reads_pass() -> None:
    assert layer_violations("assistance", ["minsheng.medical.queries"], "a") == []
    assert layer_violations("sim", ["minsheng.assistance.rules"], "a") == []
    assert layer_violations("auth", ["minsheng.registry.models"], "a") == []
    assert layer_violations("bundles", ["minsheng.pensions.commands"], "a") == []
    assert layer_violations("bundles", ["minsheng.cards.service"], "a") == []  # a service


@pytest.mark.parametrize(
    "path", [p for p in modules("**/*.py") if "migrations" not in p.parts], ids=str
)
def test_no_source_file_is_too_long(path: Path) -> None:
    lines = len(path.read_text(encoding="utf-8").splitlines())
    assert lines <= MAX_LINES, f"{where(path)} has {lines} lines: split it along its domain lines"
