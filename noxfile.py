#!/usr/bin/env python3
"""Sessions for vl-notifications-mock. Run ``nox -l`` to list them.

On a machine with only Python 3.11+, ``python3 noxfile.py -s tests`` works too: it installs nox
into ``.nox/_bootstrap`` once and runs it. Versions and dependency groups come from
``pyproject.toml``.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent

try:
    import nox
except ImportError:  # pragma: no cover - the bootstrap path, before nox exists
    if __name__ != "__main__":
        raise
    venv = HERE / ".nox" / "_bootstrap"
    python = venv / ("Scripts/python.exe" if os.name == "nt" else "bin/python")
    if not python.exists():
        print("noxfile.py: installing nox into .nox/_bootstrap (once)", file=sys.stderr)
        subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
        subprocess.run(
            [str(python), "-m", "pip", "install", "-q", "nox>=2025.2.9", "uv"], check=True
        )
    os.chdir(HERE)
    os.execv(str(python), [str(python), str(HERE / "noxfile.py"), *sys.argv[1:]])

PYPROJECT = nox.project.load_toml(HERE / "pyproject.toml")
# Pinned: Redocly announces that later CLI releases need Node.js 22; these machines have Node.js 20.
REDOCLY = "@redocly/cli@2.77.0"
SPECS = ("openapi.yaml", "mock_server/control-openapi.yaml")

nox.needs_version = ">=2025.2.9"
nox.options.default_venv_backend = "uv|virtualenv"
nox.options.reuse_existing_virtualenvs = True
nox.options.sessions = ["tests", "lint", "typecheck"]


def _install(session: nox.Session, *groups: str) -> None:
    deps = [d for g in groups for d in nox.project.dependency_groups(PYPROJECT, g)]
    session.install("-e", ".", *deps)


@nox.session
def tests(session: nox.Session) -> None:
    """Run the whole test suite (mock, SSE, plugin, browser, contract kit)."""
    _install(session, "test")
    session.run("python", "-m", "pytest", *session.posargs)


@nox.session
def lint(session: nox.Session) -> None:
    """ruff, then validate and lint openapi.yaml (openapi-spec-validator, Redocly CLI)."""
    _install(session, "lint")
    session.run("ruff", "check", ".")
    session.run("ruff", "format", "--check", ".")
    session.run("openapi-spec-validator", *SPECS)
    session.run("npx", "--yes", REDOCLY, "lint", "--format", "stylish", *SPECS, external=True)


@nox.session
def typecheck(session: nox.Session) -> None:
    """mypy --strict over the packages, tests and benchmarks."""
    _install(session, "typecheck")
    session.run("mypy", *session.posargs)


@nox.session(default=False)
def mock(session: nox.Session) -> None:
    """Run the mock server; arguments after -- go to its CLI (see --help)."""
    _install(session)
    session.run("vl-notifications-mock", *session.posargs)


@nox.session(default=False)
def contract(session: nox.Session) -> None:
    """Check a server against the contract: nox -s contract -- --base-url URL ... (no URL: the
    bundled mock)."""
    _install(session, "contract")
    session.run("python", "-m", "contract_tests", *session.posargs)


@nox.session(default=False)
def bench(session: nox.Session) -> None:
    """Benchmarks: the mock against a bare Starlette ceiling and Prism (see docs/benchmarks.md)."""
    _install(session, "bench")
    session.run("python", "bench/run.py", *session.posargs)


@nox.session(default=False)
def ab(session: nox.Session) -> None:
    """The mock from two or more checkouts in one interleaved run: NAME=FOLDER ... (bench/ab.py)."""
    _install(session, "bench")
    session.run("python", "bench/ab.py", *session.posargs)


if __name__ == "__main__":
    nox.main()
