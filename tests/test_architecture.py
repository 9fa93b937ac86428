"""The package boundaries hold: dependencies point one way, and one engine builds the fetchers.

Read from the source (ast), not by importing: a boundary crossed in a branch that no test runs is still caught.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
#: The only module allowed to build ``Fetchers``: two fetcher sets in one process are two browsers and two
#: views of a host's politeness.
ENGINE = ROOT / "monitor" / "engine.py"


def _modules(package: str) -> list[Path]:
    return sorted((ROOT / package).rglob("*.py"))


def _imported(tree: ast.AST) -> Iterator[str]:
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            yield from (alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            yield node.module


def _name(path: Path) -> str:
    return str(path.relative_to(ROOT))


@pytest.mark.parametrize("package", ["scrapers", "storage"])
def test_lower_layers_never_import_monitor(package: str) -> None:
    crossings = [
        f"{_name(path)} imports {module}"
        for path in _modules(package)
        for module in _imported(ast.parse(path.read_text(encoding="utf-8")))
        if module == "monitor" or module.startswith("monitor.")
    ]
    assert not crossings, "scrapers and storage must not depend on monitor:\n" + "\n".join(crossings)


def test_scrapers_never_import_storage() -> None:
    """Fetching and reading know nothing of where results go (the monitor wires stores in)."""
    crossings = [
        f"{_name(path)} imports {module}"
        for path in _modules("scrapers")
        for module in _imported(ast.parse(path.read_text(encoding="utf-8")))
        if module == "storage" or module.startswith("storage.")
    ]
    assert not crossings, "\n".join(crossings)


def _builds_fetchers(tree: ast.AST) -> bool:
    for node in ast.walk(tree):
        if isinstance(node, ast.Call):
            func = node.func
            name = func.id if isinstance(func, ast.Name) else func.attr if isinstance(func, ast.Attribute) else ""
            if name == "Fetchers":
                return True
    return False


def test_only_the_engine_builds_fetchers() -> None:
    builders = [
        _name(path)
        for package in ("monitor", "scrapers", "storage")
        for path in _modules(package)
        if path != ENGINE and _builds_fetchers(ast.parse(path.read_text(encoding="utf-8")))
    ]
    assert not builders, f"build fetchers through monitor.engine.Monitor, not in {builders}"


def test_the_checks_above_can_fail() -> None:
    """The detectors see what they look for (a check that cannot fail proves nothing)."""
    assert _builds_fetchers(ast.parse("from monitor.fetchers import Fetchers\nf = Fetchers(config)"))
    assert _builds_fetchers(ast.parse("import monitor.fetchers as m\nf = m.Fetchers(config)"))
    assert not _builds_fetchers(ast.parse("f: Fetchers | None = None"))
    assert list(_imported(ast.parse("from monitor.engine import Monitor"))) == ["monitor.engine"]
    assert _builds_fetchers(ast.parse(ENGINE.read_text(encoding="utf-8")))
