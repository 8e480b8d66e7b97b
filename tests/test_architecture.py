"""The walls of the house (docs/architecture.md), checked on every import statement.

- ``core/`` imports nothing of ours but ``core``, and nothing that touches a database or the web;
- ``policy/`` imports only ``core`` and ``policy``;
- every ``rules.py`` imports only ``core`` and ``policy`` (pure: columns in, columns out);
- the foundation (``core``, ``policy``, ``db``, ``config``) never imports a programme or an
  entrypoint;
- only entrypoints (``web/``, ``cli.py``, ``clikit.py``) and a package's own ``api.py``, ``web.py``,
  ``cli.py`` and ``pages.py`` import the web or CLI frameworks.
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
    is_entry = rel.parts[0] == "web" or rel.name in ENTRY_FILES
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
