"""Store scale: the mock's CLI seeding 0, 10k, 100k and 1M notifications for one user, each a
fresh process.

* seeding time: the start-up time (to the first 200 from ``/_mock/health``) minus that of the
  process that seeds nothing;
* resident memory per notification: the process's RSS minus that of the process that seeds
  nothing, over the count;
* list (``limit=20``) and unread-count latency on one connection (service time, no queueing),
  which must not grow with the store. Every size's process stays up while the latencies are
  measured in interleaved rounds (medians reported), so that the machine's load hits all sizes
  alike.
"""

from __future__ import annotations

import contextlib
import statistics
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

from bench.loadgen import LoadResult, lua_script, run_wrk
from bench.procs import mock_process


@dataclass(frozen=True, slots=True)
class ScalePoint:
    notifications: int
    startup_s: float
    rss_bytes: int
    list20_runs: tuple[LoadResult, ...]
    count_runs: tuple[LoadResult, ...]

    @property
    def list20(self) -> Latency:
        return Latency.of(self.list20_runs)

    @property
    def count(self) -> Latency:
        return Latency.of(self.count_runs)


@dataclass(frozen=True, slots=True)
class Latency:
    p50_ms: float
    p99_ms: float

    @staticmethod
    def of(runs: Sequence[LoadResult]) -> Latency:
        return Latency(
            statistics.median(r.p50_ms for r in runs), statistics.median(r.p99_ms for r in runs)
        )


@dataclass(frozen=True, slots=True)
class ScaleResult:
    points: tuple[ScalePoint, ...]

    @property
    def baseline(self) -> ScalePoint:
        return self.points[0]

    def seeding_s(self, point: ScalePoint) -> float:
        return point.startup_s - self.baseline.startup_s

    def bytes_per_notification(self, point: ScalePoint) -> float:
        if not point.notifications:
            return 0.0
        return (point.rss_bytes - self.baseline.rss_bytes) / point.notifications


def run_scale(
    fixtures: Path,
    token: str,
    *,
    sizes: Sequence[int],
    seconds: float,
    rounds: int,
    log: Callable[[str], None] = print,
) -> ScaleResult:
    """One mock process per size (0 first, the baseline), started one after the other."""
    headers = {"Authorization": f"Bearer {token}"}
    list20 = lua_script("GET", "/api/v1/notifications?limit=20", headers)
    count = lua_script("GET", "/api/v1/notifications/unread-count", headers)
    all_sizes = (0, *sizes)
    runs: dict[int, tuple[list[LoadResult], list[LoadResult]]] = {n: ([], []) for n in all_sizes}
    with contextlib.ExitStack() as stack:
        mocks = []
        for size in all_sizes:
            args = ["--fixtures", str(fixtures), "--seed", "1", "--notifications", str(size)]
            mock = stack.enter_context(mock_process(args, timeout=300))
            rss = mock.rss()
            mocks.append((size, mock, rss))
            log(f"  {size:>9,} notifications: up in {mock.startup_s:.2f} s, RSS {rss >> 20} MiB")
        for _ in range(rounds):
            for size, mock, _rss in mocks:
                runs[size][0].append(run_wrk(mock.url, list20, seconds=seconds, connections=1))
                runs[size][1].append(run_wrk(mock.url, count, seconds=seconds, connections=1))
    points = tuple(
        ScalePoint(size, mock.startup_s, rss, tuple(runs[size][0]), tuple(runs[size][1]))
        for size, mock, rss in mocks
    )
    for p in points:
        log(
            f"  {p.notifications:>9,} notifications: list p50 {p.list20.p50_ms:.3f} ms, "
            f"count p50 {p.count.p50_ms:.3f} ms"
        )
    return ScaleResult(points)
