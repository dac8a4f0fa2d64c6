"""The import graph (issue #14): no circle among the project's modules, and the layers
bot → workers → notifications → models point one way only — ``workers/`` and
``notifications/`` import nothing from ``bot/``, ``models/`` imports neither aiogram nor
Dramatiq. Read with grimp from the source (imports inside functions count too; those under
``if TYPE_CHECKING:`` do not, they never run).

Run it alone: ``.venv/bin/python -m pytest -q tests/unit/test_architecture.py``."""

from __future__ import annotations

import sys
from collections.abc import Iterable
from functools import cache
from pathlib import Path

import grimp
import pytest

ROOT = Path(__file__).resolve().parents[2]
PACKAGES = ("bot", "workers", "notifications", "models", "ops")


@cache
def graph() -> grimp.ImportGraph:
    if str(ROOT) not in sys.path:
        sys.path.insert(0, str(ROOT))
    return grimp.build_graph(
        *PACKAGES, include_external_packages=True, exclude_type_checking_imports=True
    )


def _ours(module: str) -> bool:
    return module.split(".")[0] in PACKAGES


def import_cycles() -> list[list[str]]:
    """The strongly connected sets of the project's modules (Tarjan), largest first; each
    one of them is at least one circle of imports."""
    g = graph()
    nodes = sorted(m for m in g.modules if _ours(m))
    edges = {
        m: sorted(x for x in g.find_modules_directly_imported_by(m) if _ours(x)) for m in nodes
    }
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []
    counter = 0
    for root in nodes:  # iterative, so a deep chain does not hit the recursion limit
        if root in index:
            continue
        work: list[tuple[str, Iterable[str]]] = []
        index[root] = low[root] = counter
        counter += 1
        stack.append(root)
        on_stack.add(root)
        work.append((root, iter(edges[root])))
        while work:
            node, children = work[-1]
            advanced = False
            for child in children:
                if child not in index:
                    index[child] = low[child] = counter
                    counter += 1
                    stack.append(child)
                    on_stack.add(child)
                    work.append((child, iter(edges[child])))
                    advanced = True
                    break
                if child in on_stack:
                    low[node] = min(low[node], index[child])
            if advanced:
                continue
            work.pop()
            if work:
                parent = work[-1][0]
                low[parent] = min(low[parent], low[node])
            if low[node] == index[node]:
                members = []
                while True:
                    m = stack.pop()
                    on_stack.discard(m)
                    members.append(m)
                    if m == node:
                        break
                if len(members) > 1 or node in edges[node]:
                    found.append(sorted(members))
    return sorted(found, key=lambda c: (-len(c), c))


def _describe(cycle: list[str]) -> str:
    """One circle through the set, spelled out (a → b → … → a), and the set's members."""
    g = graph()
    first = cycle[0]
    back = next(
        (
            chain
            for m in g.find_modules_that_directly_import(first)
            if m in cycle and (chain := g.find_shortest_chain(importer=first, imported=m))
        ),
        None,
    )
    circle = " → ".join([*back, first]) if back else first
    return f"{circle}\n    (the set: {', '.join(cycle)})"


def test_no_import_cycles() -> None:
    cycles = import_cycles()
    assert not cycles, f"{len(cycles)} import circle(s):\n" + "\n".join(
        f"  {_describe(c)}" for c in cycles
    )


@pytest.mark.parametrize("lower", ["workers", "notifications", "models", "ops"])
def test_lower_layers_never_import_the_bot(lower: str) -> None:
    g = graph()
    found = sorted(
        (i["importer"], i["imported"], i["line_number"])
        for i in g.find_matching_direct_imports(import_expression=f"{lower}.** -> bot.**")
    )
    assert not found, f"{lower}/ imports bot/: {found}"


def test_notifications_never_import_workers() -> None:
    g = graph()
    found = g.find_matching_direct_imports(import_expression="notifications.** -> workers.**")
    assert not found, found


@pytest.mark.parametrize("framework", ["aiogram", "dramatiq", "apscheduler"])
def test_models_import_no_framework(framework: str) -> None:
    """models/ is the domain: no Telegram, no queue (issue #14)."""
    g = graph()
    found = sorted(
        m for m in g.find_modules_that_directly_import(framework) if m.split(".")[0] == "models"
    )
    assert not found, f"models/ imports {framework}: {found}"


def test_models_never_import_the_upper_layers() -> None:
    g = graph()
    found = [
        (i["importer"], i["imported"])
        for upper in ("bot", "workers", "notifications")
        for i in g.find_matching_direct_imports(import_expression=f"models.** -> {upper}.**")
    ]
    assert not found, f"models/ imports an upper layer: {sorted(found)}"
