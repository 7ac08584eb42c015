"""Store scale: the mock's CLI seeding 0, 10k, 100k and 1M notifications for one user, each a
fresh process.

* seeding time: the start-up time (to the first 200 from ``/_mock/health``) minus that of the
  process that seeds nothing;
* resident memory per notification: the process's RSS minus that of the process that seeds
  nothing, over the count;
* list (``limit=20``) and unread-count latency on one connection (service time, no queueing),
  which must not grow with the store.
"""

from __future__ import annotations

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
    list20: LoadResult
    count: LoadResult


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
    log: Callable[[str], None] = print,
) -> ScaleResult:
    """One mock process per size (0 first, the baseline)."""
    headers = {"Authorization": f"Bearer {token}"}
    list20 = lua_script("GET", "/api/v1/notifications?limit=20", headers)
    count = lua_script("GET", "/api/v1/notifications/unread-count", headers)
    points = []
    for size in (0, *sizes):
        args = ["--fixtures", str(fixtures), "--seed", "1", "--notifications", str(size)]
        with mock_process(args, timeout=300) as mock:
            rss = mock.rss()
            point = ScalePoint(
                notifications=size,
                startup_s=mock.startup_s,
                rss_bytes=rss,
                list20=run_wrk(mock.url, list20, seconds=seconds, connections=1),
                count=run_wrk(mock.url, count, seconds=seconds, connections=1),
            )
        points.append(point)
        log(
            f"  {size:>9,} notifications: up in {point.startup_s:.2f} s, RSS {rss / 2**20:.0f} MiB,"
            f" list p50 {point.list20.p50_ms:.3f} ms, count p50 {point.count.p50_ms:.3f} ms"
        )
    return ScaleResult(tuple(points))
