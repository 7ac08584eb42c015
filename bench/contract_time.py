"""The contract suite's wall time against the bundled mock, run as the user would run it."""

from __future__ import annotations

import importlib.util
import subprocess
import sys
import time

from bench.procs import ROOT


def time_contract_suite(args: list[str] | None = None, *, timeout: float = 600) -> str:
    """``"12.3 s"``, or one sentence saying why it could not be measured."""
    try:
        available = importlib.util.find_spec("contract_tests.__main__") is not None
    except ImportError:
        available = False
    if not available:
        return "not available (contract_tests has no __main__ in this checkout yet)"
    started = time.perf_counter()
    try:
        done = subprocess.run(
            [sys.executable, "-m", "contract_tests", *(args or [])],
            cwd=ROOT,
            capture_output=True,
            text=True,
            timeout=timeout,
        )
    except subprocess.TimeoutExpired:
        return f"not measured: it did not finish in {timeout:.0f} s"
    elapsed = time.perf_counter() - started
    if done.returncode != 0:
        last = (done.stdout.strip() or done.stderr.strip()).splitlines()[-1:] or ["no output"]
        return f"{elapsed:.1f} s, but it exited {done.returncode} ({last[0]})"
    return f"{elapsed:.1f} s"
