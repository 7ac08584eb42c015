"""What a test suite pays for the mock in-process: the library's ``MockServer`` started and
stopped (a CI job or a test module starts one), and its ``reset()``, which the pytest plugin
runs before every test, at the sizes a suite may seed.

Measured in this process, as a test suite would use it: each figure is the median of several
repetitions, with the collector running as it would in a suite.
"""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import httpx

from mock_server import MockConfig, MockServer


@dataclass(frozen=True, slots=True)
class ResetPoint:
    notifications: int
    reset_ms: float
    """The median ``reset()`` after a test that marked one notification read."""
    reset_untouched_ms: float
    """The median ``reset()`` after a test that only read."""


@dataclass(frozen=True, slots=True)
class LibraryResult:
    start_ms: float
    """``MockServer(clock="manual").start()`` to ready, default data (median)."""
    first_request_ms: float
    """From ``MockServer(...)`` to the first 200 of ``GET /api/v1/notifications`` (median)."""
    stop_ms: float
    repetitions: int
    resets: list[ResetPoint]


def _median_ms(samples: list[float]) -> float:
    return statistics.median(samples) * 1000


def run_library(
    *, repetitions: int, sizes: Sequence[int], log: Callable[[str], None] = print
) -> LibraryResult:
    starts: list[float] = []
    firsts: list[float] = []
    stops: list[float] = []
    for _ in range(repetitions):
        t0 = time.perf_counter()
        mock = MockServer(clock="manual")
        mock.start()
        t1 = time.perf_counter()
        with httpx.Client(base_url=mock.url, headers=mock.headers()) as client:
            client.get("/api/v1/notifications").raise_for_status()
        t2 = time.perf_counter()
        mock.stop()
        t3 = time.perf_counter()
        starts.append(t1 - t0)
        firsts.append(t2 - t0)
        stops.append(t3 - t2)
    log(
        f"library: start {_median_ms(starts):.1f} ms, first 200 {_median_ms(firsts):.1f} ms, "
        f"stop {_median_ms(stops):.1f} ms (medians of {repetitions})"
    )
    resets = [_resets(size, repetitions) for size in sizes]
    for point in resets:
        log(
            f"  reset with {point.notifications:,} notifications: {point.reset_ms:.2f} ms "
            f"after a mark-read, {point.reset_untouched_ms:.2f} ms after reads only"
        )
    return LibraryResult(
        start_ms=_median_ms(starts),
        first_request_ms=_median_ms(firsts),
        stop_ms=_median_ms(stops),
        repetitions=repetitions,
        resets=resets,
    )


def _resets(size: int, repetitions: int) -> ResetPoint:
    config = MockConfig(clock="manual", seed=1 if size else None, notifications=size or None)
    with (
        MockServer(config) as mock,
        httpx.Client(base_url=mock.url, headers=mock.headers()) as client,
    ):
        touched: list[float] = []
        untouched: list[float] = []
        for _ in range(repetitions):
            # a test that marks one notification read, then the plugin's reset
            page = client.get("/api/v1/notifications", params={"unread_only": "true"}).json()
            if page["notifications"]:
                nid = page["notifications"][0]["id"]
                client.post(f"/api/v1/notifications/{nid}/read").raise_for_status()
            t0 = time.perf_counter()
            mock.reset()
            touched.append(time.perf_counter() - t0)
            # a test that only reads
            client.get("/api/v1/notifications").raise_for_status()
            t0 = time.perf_counter()
            mock.reset()
            untouched.append(time.perf_counter() - t0)
    return ResetPoint(size, _median_ms(touched), _median_ms(untouched))
