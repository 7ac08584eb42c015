"""The import layering that ARCHITECTURE.md states is the one the code has."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PACKAGE = ROOT / "mock_server"
WEB_STACK = {"starlette", "uvicorn", "anyio", "httpx"}
PURE_LAYERS = 2  # the first two layers stay off the web stack


def declared_layers() -> list[tuple[str, list[str]]]:
    text = (ROOT / "ARCHITECTURE.md").read_text(encoding="utf-8")
    block = re.search(r"<!-- layers:mock_server -->\s*```\n(.*?)```", text, re.S)
    assert block, "ARCHITECTURE.md lost its layers block"
    layers = []
    for line in block.group(1).strip().splitlines():
        name, _, modules = line.partition(":")
        layers.append((name.strip(), modules.split()))
    return layers


def imports_of(path: Path) -> set[str]:
    """Top-level names imported, with ``mock_server.x`` kept as ``mock_server.x``."""
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            for alias in node.names:
                found.add(_key(alias.name))
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            if node.module == "mock_server":
                found.update(f"mock_server.{alias.name}" for alias in node.names)
            else:
                found.add(_key(node.module))
    return found


def _key(module: str) -> str:
    parts = module.split(".")
    return ".".join(parts[:2]) if parts[0] == "mock_server" else parts[0]


LAYERS = declared_layers()
LAYER_OF = {module: i for i, (_, modules) in enumerate(LAYERS) for module in modules}


def test_every_module_of_the_package_has_a_declared_layer() -> None:
    modules = {p.stem for p in PACKAGE.glob("*.py")}
    assert modules == set(LAYER_OF), "update the layers block in ARCHITECTURE.md"


@pytest.mark.parametrize("module", sorted(LAYER_OF))
def test_a_module_imports_only_from_its_layer_and_the_layers_above(module: str) -> None:
    layer = LAYER_OF[module]
    imported = imports_of(PACKAGE / f"{module}.py")
    below = {
        name
        for name in imported
        if name.startswith("mock_server.") and LAYER_OF.get(name.split(".")[1], -1) > layer
    }
    assert not below, f"{module} ({LAYERS[layer][0]}) imports from a lower layer: {below}"
    if layer < PURE_LAYERS:
        assert not imported & WEB_STACK, f"{module} must not import the web stack"


def test_the_kit_imports_the_mock_only_lazily() -> None:
    for path in (ROOT / "contract_tests").rglob("*.py"):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in tree.body:  # module level only: a lazy import inside a function is fine
            names = (
                [a.name for a in node.names]
                if isinstance(node, ast.Import)
                else [node.module or ""]
                if isinstance(node, ast.ImportFrom)
                else []
            )
            assert not any(n.split(".")[0] == "mock_server" for n in names), path


# -- the clock is the only source of time --------------------------------------------------------

CLOCK_MODULE = "clock.py"
TIME_SOURCES = frozenset(
    {
        "time.time",
        "time.time_ns",
        "time.sleep",
        "time.monotonic",
        "time.monotonic_ns",
        "time.perf_counter",
        "asyncio.sleep",
        "anyio.sleep",
        "trio.sleep",
        "datetime.now",
        "datetime.utcnow",
        "datetime.today",
        "date.today",
    }
)


def time_sources_in(source: str) -> list[str]:
    """Every read of the wall clock or real sleep in ``source``: ``time.time()``,
    ``datetime.datetime.now()``, ``from asyncio import sleep``..."""
    found: list[str] = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.ImportFrom) and node.module:
            for alias in node.names:
                dotted = f"{node.module.split('.')[-1]}.{alias.name}"
                if dotted in TIME_SOURCES:
                    found.append(f"line {node.lineno}: from {node.module} import {alias.name}")
        elif isinstance(node, ast.Attribute):
            parts = [node.attr]
            value = node.value
            while isinstance(value, ast.Attribute):
                parts.append(value.attr)
                value = value.value
            if isinstance(value, ast.Name):
                parts.append(value.id)
                dotted = ".".join(reversed(parts[:2]))
                if dotted in TIME_SOURCES:
                    found.append(f"line {node.lineno}: {'.'.join(reversed(parts))}")
    return found


@pytest.mark.parametrize(
    "source",
    [
        "import time\nt = time.time()",
        "import asyncio\nasync def f():\n    await asyncio.sleep(1)",
        "import datetime\nd = datetime.datetime.now()",
        "from datetime import datetime\nd = datetime.now()",
        "from datetime import date\nd = date.today()",
        "from asyncio import sleep",
        "from time import monotonic as m",
        "import anyio\nasync def f():\n    await anyio.sleep(0)",
    ],
)
def test_the_time_source_scan_finds_a_read_of_the_wall_clock(source: str) -> None:
    assert time_sources_in(source)


def test_the_time_source_scan_ignores_the_mock_clock() -> None:
    assert time_sources_in("await clock.sleep_until(clock.now() + 3)\nx = self.time") == []


@pytest.mark.parametrize(
    "path",
    sorted(p.relative_to(ROOT).as_posix() for p in PACKAGE.glob("*.py") if p.name != CLOCK_MODULE),
)
def test_only_the_clock_module_reads_the_time_or_sleeps(path: str) -> None:
    found = time_sources_in((ROOT / path).read_text(encoding="utf-8"))
    assert not found, f"{path} reads time outside clock.py: {found}"
