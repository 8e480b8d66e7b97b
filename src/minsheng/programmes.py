"""The programme seam: every programme (and shared service) declares itself once, here they
are listed, and the app, the CLI, the schema, the home page, the citizen's pages, the
permission table and the microsimulation iterate over them.

A programme package puts one :class:`Programme` in its ``__init__.py`` as ``PROGRAMME``; the
one line a new programme adds is its package in :data:`ENTRIES`. Routers, Typer apps, models
and microsimulation functions are named by import path (``"minsheng.medical.api:router"``),
so reading the descriptors imports nothing heavy and no package imports another's internals.

This module imports only the standard library: the foundation and the services may read it.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any, Literal, Protocol

#: The registered packages, in order (services first, then programmes). One line each.
ENTRIES: list[str] = [
    "minsheng.auth",
    "minsheng.registry",
    "minsheng.cases",
    "minsheng.cards",
    "minsheng.medical",
    "minsheng.assistance",
    "minsheng.pensions",
    "minsheng.wages",
    "minsheng.employment",
    "minsheng.sim",
    "minsheng.bundles",
]

Ref = str | Callable[[], Any]  # "package.module:attribute", or a callable returning the object


class Columns(Protocol):
    """One partition of the synthetic population as the microsimulation hands it to a
    programme: numpy columns by name. Person ``household`` and bill ``person`` index rows of
    the partition; a programme's own columns (extensions) sit beside the shared ones."""

    @property
    def households(self) -> Mapping[str, Any]: ...
    @property
    def persons(self) -> Mapping[str, Any]: ...
    @property
    def bills(self) -> Mapping[str, Any]: ...


@dataclass(frozen=True)
class Text:
    """A label in the three languages of the platform (language codes zh | bo | en)."""

    zh: str
    bo: str
    en: str

    def __call__(self, lang: str) -> str:
        return {"zh": self.zh, "bo": self.bo, "en": self.en}.get(lang) or self.zh


@dataclass(frozen=True)
class Link:
    """A staff desk or a citizen's panel a programme contributes: where, what, who may open."""

    href: str
    title: Text
    permission: str
    rank: int = 50  # place in the menu (lower first)


@dataclass(frozen=True)
class Programme:
    """What a programme (or shared service) brings to the house."""

    name: str
    title: Text
    kind: Literal["programme", "service", "planned"] = "programme"
    summary: Text | None = None  # its card on the home page (services have none)
    rank: int = 50  # place of its card on the home page
    api: tuple[Ref, ...] = ()  # FastAPI routers of the JSON API
    pages: tuple[Ref, ...] = ()  # FastAPI routers of server-rendered pages
    cli: tuple[tuple[str, Ref], ...] = ()  # (command, Typer app)
    models: str | None = None  # the module holding its tables
    permissions: Mapping[str, frozenset[str]] = field(default_factory=dict)  # role → given
    desks: tuple[Link, ...] = ()  # staff desks
    panels: tuple[Link, ...] = ()  # the citizen's panels
    parameters: tuple[str, ...] = ()  # parameter prefixes its rules read ("medical.")
    microsim: Ref | None = None  # f(partition, tree, as_of) -> {output: fen per household}
    outputs: tuple[str, ...] = ()  # the microsimulation's outputs, in report order
    # of those, the ones reported only where they pay something (a layer a region may not
    # settle: 倾斜救助, the commercial layer); the others are always reported
    outputs_where_paid: tuple[str, ...] = ()

    def reads(self, path: str) -> bool:
        """Whether a parameter path lies under (or above) one of this programme's prefixes."""
        return any(
            path.startswith(p) or p.startswith(path.rstrip(".") + ".") or path == p.rstrip(".")
            for p in self.parameters
        )


# Programmes announced on the home page before their package exists (removed when it lands).
PLANNED: tuple[Programme, ...] = (
    Programme(
        name="pensions",
        kind="planned",
        rank=30,
        title=Text("社会保险与养老", "སྤྱི་ཚོགས་འགན་ལེན་དང་རྒན་གསོ།", "Social insurance and pensions"),
        summary=Text(
            "参保登记、城乡居民养老保险、待遇领取资格认证",
            "འགན་ལེན་ཐོ་འགོད། སྡོད་དམངས་རྒན་གསོའི་ཕོགས། ལོ་ལྟར་ཆོག་ཐམ་ར་སྤྲོད།",
            "Enrolment, resident pensions, yearly eligibility certification",
        ),
    ),
)

_cache: list[Programme] | None = None
_listeners: list[Callable[[], None]] = []


def registered() -> list[Programme]:
    """Every registered programme and service, in :data:`ENTRIES` order."""
    global _cache
    if _cache is None:
        found = []
        for entry in ENTRIES:
            descriptor = importlib.import_module(entry).PROGRAMME
            if not isinstance(descriptor, Programme):
                raise TypeError(f"{entry}.PROGRAMME is not a Programme")
            found.append(descriptor)
        names = [p.name for p in found]
        if len(set(names)) != len(names):
            raise ValueError(f"two programmes share a name: {names}")
        _cache = found
    return list(_cache)


def programmes() -> list[Programme]:
    """The registered programmes, without the shared services."""
    return [p for p in registered() if p.kind == "programme"]


def get(name: str) -> Programme:
    for p in registered():
        if p.name == name:
            return p
    raise KeyError(name)


def register(entry: str) -> None:
    """Add a package to the registry at run time (tests: a toy programme)."""
    if entry not in ENTRIES:
        ENTRIES.append(entry)
    _changed()


def unregister(entry: str) -> None:
    if entry in ENTRIES:
        ENTRIES.remove(entry)
    _changed()


def on_change(listener: Callable[[], None]) -> None:
    """Call ``listener`` whenever a package is registered or removed (derived tables)."""
    _listeners.append(listener)


def _changed() -> None:
    global _cache
    _cache = None
    for listener in _listeners:
        listener()


def resolve(ref: Ref) -> Any:
    """The object a reference names: ``"pkg.module:attr"`` imported, or a callable called."""
    if callable(ref):
        return ref()
    module, _, attr = ref.partition(":")
    obj: Any = importlib.import_module(module)
    for part in attr.split(".") if attr else ():
        obj = getattr(obj, part)
    return obj


def permission_table(
    roles: Iterator[str] | list[str] | tuple[str, ...],
) -> dict[str, frozenset[str]]:
    """Each role's permissions: the union of what every registered package gives it."""
    table: dict[str, set[str]] = {r: set() for r in roles}
    for p in registered():
        for role, given in p.permissions.items():
            if role not in table:
                raise ValueError(f"{p.name} gives permissions to an unknown role {role!r}")
            table[role] |= given
    return {r: frozenset(v) for r, v in table.items()}


def desks() -> list[Link]:
    """Every staff desk, in menu order."""
    return sorted((d for p in registered() for d in p.desks), key=lambda d: d.rank)


def desks_by_programme() -> list[tuple[Programme, list[Link]]]:
    """Every staff desk under the programme that brings it, the programmes in the order of
    their first desk."""
    groups = [(p, sorted(p.desks, key=lambda d: d.rank)) for p in registered() if p.desks]
    return sorted(groups, key=lambda g: g[1][0].rank)


def panels() -> list[Link]:
    """Every citizen's panel, in menu order."""
    return sorted((d for p in registered() for d in p.panels), key=lambda d: d.rank)


def cards() -> list[Programme]:
    """The programmes on the home page (registered and planned), in their order."""
    shown = [p for p in registered() if p.summary is not None]
    names = {p.name for p in shown}
    shown += [p for p in PLANNED if p.name not in names]
    return sorted(shown, key=lambda p: p.rank)


def microsimulated() -> list[Programme]:
    """The programmes with a microsimulation, in report order."""
    return [p for p in registered() if p.microsim is not None]


def touched_by(paths: list[str] | tuple[str, ...] | set[str]) -> list[str]:
    """Names of the microsimulated programmes whose parameters any of ``paths`` changes."""
    return [p.name for p in microsimulated() if any(p.reads(path) for path in paths)]
