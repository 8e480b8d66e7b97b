"""Automated accessibility checks in the browser: axe-core (from npm, ``make assets``) run on a
Playwright page. ``violations(page)`` answers axe's violations of WCAG 2.1 A and AA as short
dicts (rule id, impact, help, the first offending nodes); a test asserts the list is empty and
so prints what is wrong when it is not."""

from __future__ import annotations

import contextlib
from functools import cache
from pathlib import Path
from typing import Any

AXE = Path(__file__).resolve().parents[2] / "node_modules" / "axe-core" / "axe.min.js"
TAGS = ("wcag2a", "wcag2aa", "wcag21a", "wcag21aa")
_RUN = """async (tags) => {
  const r = await window.axe.run(document, {runOnly: {type: "tag", values: tags}});
  return r.violations.map(v => ({
    id: v.id, impact: v.impact, help: v.help,
    nodes: v.nodes.slice(0, 5).map(n => n.target.join(" ") + " :: " + n.html.slice(0, 160)),
  }));
}"""


@cache
def _source() -> str:
    if not AXE.exists():
        raise RuntimeError(f"{AXE} is missing: run `make assets` (npm ci)")
    return AXE.read_text(encoding="utf-8")


def violations(page: Any, tags: tuple[str, ...] = TAGS) -> list[dict[str, Any]]:
    """axe-core's WCAG violations on the page as it is now (the script is evaluated through
    the DevTools protocol, so the page's Content-Security-Policy does not stop it)."""
    if not page.evaluate("() => typeof window.axe === 'object'"):
        page.evaluate("(src) => { (0, eval)(src); }", _source())
    result: list[dict[str, Any]] = page.evaluate(_RUN, list(tags))
    return result


__all__ = ["AXE", "TAGS", "violations"]


def in_view(page: Any, selector: str, whole: bool = True, timeout: float = 10_000) -> bool:
    """Whether the element comes into the window without the user scrolling — the whole of it,
    or (``whole=False``) its start (its first 40 px) — within ``timeout`` ms. Awaited: the
    browser scrolls to a fragment (an error's area) after the load, so read at once the check
    races the scroll (it did, in full runs, on several pages)."""
    from playwright.sync_api import TimeoutError as PlaywrightTimeout

    try:
        page.wait_for_function(
            "([s, whole]) => { const e = document.querySelector(s); if (!e) return false;"
            " const r = e.getBoundingClientRect(); const h = window.innerHeight;"
            " return r.top >= 0 && (whole ? r.bottom <= h : r.top + Math.min(r.height, 40) <= h); }",
            arg=[selector, whole],
            timeout=timeout,
        )
    except PlaywrightTimeout:
        return False
    return True


def focused(page: Any, element_id: str, timeout: float = 10_000) -> str:
    """The id of the element holding the focus once it is ``element_id`` or ``timeout`` ms have
    passed. Awaited like ``in_view``: the page moves the focus (autofocus, or its script to the
    first field in error) after the load, and a read at once raced it in a full CI run."""
    from playwright.sync_api import TimeoutError as PlaywrightTimeout

    with contextlib.suppress(PlaywrightTimeout):
        page.wait_for_function(
            "(id) => document.activeElement && document.activeElement.id === id",
            arg=element_id,
            timeout=timeout,
        )
    found: str = page.evaluate("document.activeElement ? document.activeElement.id : ''")
    return found
