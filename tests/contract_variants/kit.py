"""Running the contract kit in-process against a served variant, and reading its JSON report."""

from __future__ import annotations

import contextlib
import io
import json
from collections.abc import Sequence
from collections.abc import Set as AbstractSet
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from contract_tests import main as kit_main
from contract_variants.serving import Running
from mock_server.models import User


@dataclass(frozen=True, slots=True)
class KitRun:
    """One run of the kit: its exit status, its clauses by status, and what it printed."""

    exit_code: int
    clauses: dict[str, dict[str, Any]]
    output: str

    def ids(self, status: str) -> set[str]:
        return {cid for cid, c in self.clauses.items() if c["status"] == status}

    @property
    def failed(self) -> set[str]:
        return self.ids("failed")

    @property
    def skipped(self) -> set[str]:
        return self.ids("skipped")

    def explain(self, ids: AbstractSet[str]) -> str:
        """The kit's own reason (and curl line) for each of ``ids``, for an assertion message."""
        lines = []
        for cid in sorted(ids):
            c = self.clauses.get(cid, {})
            lines.append(f"  {cid}: {c.get('status')}: {c.get('reason')}")
            if c.get("repro"):
                lines.append(f"      {c['repro']}")
        return "\n".join(lines)


def credentials(running: Running, name: str) -> User:
    user = running.runtime.directory.find_user(name)
    assert user is not None, f"the variant has no user {name!r}"
    return user


def run_kit(running: Running, report: Path, *extra: str, second_user: bool = True) -> KitRun:
    """``python -m contract_tests --base-url ... --json-report report`` in this process,
    with alice (and bob) of the variant's fixtures."""
    alice = credentials(running, "alice")
    argv: list[str] = [
        "--base-url",
        running.url,
        "--api-key",
        alice.api_key,
        "--api-secret",
        alice.api_secret,
    ]
    if second_user:
        bob = credentials(running, "bob")
        argv += ["--api-key-b", bob.api_key, "--api-secret-b", bob.api_secret]
    argv += ["--json-report", str(report), *extra]
    return _run(argv, report)


def _run(argv: Sequence[str], report: Path) -> KitRun:
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = kit_main(list(argv))
    output = out.getvalue() + err.getvalue()
    clauses: dict[str, dict[str, Any]] = {}
    if report.exists():
        document = json.loads(report.read_text(encoding="utf-8"))
        clauses = {c["id"]: c for c in document["clauses"]}
    return KitRun(code, clauses, output)
