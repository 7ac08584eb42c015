"""The benchmark code works: ``bench/run.py --smoke`` runs every benchmark on tiny counts.

No time is asserted (these are benchmarks, not timed tests); what is asserted is that each part
measured something real: every server answered every endpoint without an error, every stream
opened and got the injected notification once, every store size was measured, and the report,
plot and raw results were written.
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent

needs_wrk = pytest.mark.skipif(
    shutil.which("wrk") is None,
    reason="wrk is not installed (Debian's package: apt-get install -y wrk); .ci/run installs it",
)


@needs_wrk
def test_smoke_run_measures_every_benchmark_and_writes_the_report(tmp_path: Path) -> None:
    done = subprocess.run(
        [sys.executable, str(ROOT / "bench" / "run.py"), "--smoke", "--out-dir", str(tmp_path)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]

    raw = json.loads((tmp_path / "benchmarks.json").read_text(encoding="utf-8"))
    endpoints = {"list limit=20", "list limit=100", "unread count", "mark read"}
    assert endpoints | {"read-all (small dataset)"} == set(raw["http"])
    for endpoint, by_server in raw["http"].items():
        assert {"mock", "ceiling"} <= set(by_server), endpoint
        for server in ("mock", "ceiling"):
            (run,) = by_server[server]["results"]
            assert run["requests"] > 0, (endpoint, server)
            assert run["status_errors"] == run["socket_errors"] == 0, (endpoint, server, run)
            # the CPU per request table divides this by the requests: it must have been measured
            assert by_server[server]["server_cpu"][0] > 0, (endpoint, server)

    sse = raw["sse"]
    assert sse["open_ok"] == sse["streams"] == 20
    assert sse["fanout_received"] == 20
    assert sse["pings"] >= 20
    assert sse["errors"] == []

    sizes = [p["notifications"] for p in raw["scale"]["points"]]
    assert sizes == [0, 1000]
    assert all(
        p["list20_runs"][0]["requests"] > 0 and p["count_runs"][0]["requests"] > 0
        for p in raw["scale"]["points"]
    )

    library = raw["library"]
    assert library["start_ms"] > 0
    assert library["stop_ms"] > 0
    assert [p["notifications"] for p in library["resets"]] == [0, 1000]
    assert all(p["reset_ms"] > 0 and p["reset_untouched_ms"] > 0 for p in library["resets"])

    report = (tmp_path / "benchmarks.md").read_text(encoding="utf-8")
    assert report.startswith("# Benchmarks")
    assert "<!-- results -->" in report
    assert "<!-- /results -->" in report
    for endpoint in endpoints:
        assert f"| {endpoint} |" in report
    assert "### Targets" in report
    assert "### For a test suite: the library in-process" in report
    assert "| endpoint | mock CPU / request | ceiling CPU / request | mock / ceiling |" in report
    assert (tmp_path / "benchmarks.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_bench_without_wrk_says_so_in_one_sentence(tmp_path: Path) -> None:
    done = subprocess.run(
        [sys.executable, str(ROOT / "bench" / "run.py"), "--smoke", "--out-dir", str(tmp_path)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
        env={"PATH": str(Path(sys.executable).parent)},
    )
    assert done.returncode == 2
    assert done.stderr == (
        "bench: wrk is not installed; install Debian's package (apt-get install -y wrk) and run "
        "again.\n"
    )
    assert not (tmp_path / "benchmarks.md").exists()


@needs_wrk
def test_the_ab_tool_loads_two_checkouts_alike_and_prints_ratios_to_the_first(
    tmp_path: Path,
) -> None:
    argv = [sys.executable, str(ROOT / "bench" / "ab.py"), f"before={ROOT}", f"after={ROOT}"]
    argv += ["--rounds", "1", "--seconds", "1", "--notifications", "1000"]
    argv += ["--endpoint", "unread count", "--endpoint", "mark read"]
    done = subprocess.run(argv, cwd=tmp_path, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    rows = [line for line in done.stdout.splitlines() if "req/s (" in line]
    assert [row.split()[:3] for row in rows] == [
        ["unread", "count", "before"],
        ["unread", "count", "after"],
        ["mark", "read", "before"],
        ["mark", "read", "after"],
    ]
    assert all("(1.00)" in row for row in rows if " before " in row)  # the first is the base
    # wrk's error answers, per run: every fresh id was unread on both checkouts
    errors = [int(n) for n in re.findall(r"errors (\d+)", done.stdout)]
    assert errors == [0, 0, 0, 0]


def test_the_ab_tool_refuses_a_folder_that_is_not_a_checkout(tmp_path: Path) -> None:
    argv = [sys.executable, str(ROOT / "bench" / "ab.py"), f"a={ROOT}", f"b={tmp_path}"]
    done = subprocess.run(argv, capture_output=True, text=True, timeout=60)
    assert done.returncode == 2
    assert f"{tmp_path} is not a checkout of this repository" in done.stderr
    assert "Traceback" not in done.stderr
