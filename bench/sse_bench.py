"""The stream benchmark: many concurrent SSE streams on one mock process with the real clock.

The client is this process (the mock is another), on raw asyncio streams: one task per stream
that only scans for ``event: ping`` / ``event: notification`` markers, so 1,000 streams with a
ping each every 3 s cost it next to nothing.

What it reports, per the SSE issue:

* connect time: from opening the TCP connection to the 200's headers;
* ping lateness: arrival minus due time. A stream's events are due at its subscription plus a
  whole number of intervals. The subscription happens after the request is sent and just before
  the 200's headers are: measured from the headers' arrival, lateness is a close estimate (a
  little under the truth); measured from the request's sending, an upper bound (never
  flattering, but it includes the wait of the connect storm). Both are reported;
* fan-out: one notification injected through ``/_mock/notifications``; each stream's latency is
  its arrival minus the poll tick that carried it (due time as above), and every stream must
  get it exactly once;
* memory per stream: the mock's resident memory with the streams open, minus before, over N.
"""

from __future__ import annotations

import asyncio
import math
import resource
import statistics
import time
from collections.abc import Callable
from dataclasses import dataclass, field

import httpx

from bench.procs import ServerProcess

_PING = b"event: ping\n"
_NOTE = b"event: notification\n"


def raise_open_files_limit(wanted: int) -> int:
    """Raise the soft open-files limit towards ``wanted`` (up to the hard limit); the new soft
    limit. Processes started afterwards (the mock) inherit it."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    target = wanted if hard == resource.RLIM_INFINITY else min(wanted, hard)
    if soft != resource.RLIM_INFINITY and soft < target:
        try:
            resource.setrlimit(resource.RLIMIT_NOFILE, (target, hard))
            soft = target
        except (ValueError, OSError):
            pass
    return int(soft)


@dataclass(slots=True)
class Stream:
    sent: float = 0.0  # the request was written: before the subscription
    opened: float = 0.0  # the 200's headers arrived: just after it
    connect_s: float = 0.0
    pings: list[float] = field(default_factory=list)
    notifications: list[float] = field(default_factory=list)
    error: str | None = None


@dataclass(frozen=True, slots=True)
class SseResult:
    streams: int
    open_ok: int
    connect_p50_ms: float
    connect_max_ms: float
    all_connected_s: float
    pings: int
    ping_late_p50_ms: float
    ping_late_p99_ms: float
    ping_late_max_ms: float
    ping_late_bound_ms: float
    fanout_received: int
    fanout_p50_ms: float
    fanout_p99_ms: float
    fanout_max_ms: float
    fanout_bound_ms: float
    rss_per_stream_kb: float
    errors: tuple[str, ...]


async def _open(
    host: str, port: int, token: str, stream: Stream
) -> tuple[asyncio.StreamReader, asyncio.StreamWriter]:
    started = time.time()
    reader, writer = await asyncio.open_connection(host, port)
    stream.sent = time.time()
    writer.write(
        (
            f"GET /api/v1/notifications/stream HTTP/1.1\r\nHost: {host}:{port}\r\n"
            f"Authorization: Bearer {token}\r\nAccept: text/event-stream\r\n\r\n"
        ).encode()
    )
    head = await reader.readuntil(b"\r\n\r\n")
    if not head.startswith(b"HTTP/1.1 200"):
        raise RuntimeError(head.split(b"\r\n", 1)[0].decode(errors="replace"))
    stream.opened = time.time()
    stream.connect_s = stream.opened - started
    return reader, writer


async def _read(reader: asyncio.StreamReader, stream: Stream) -> None:
    rest = b""
    while True:
        data = await reader.read(65536)
        if not data:
            return
        now = time.time()
        *events, rest = (rest + data).split(b"\n\n")  # complete events; chunk framing between
        for event in events:
            if _PING in event:
                stream.pings.append(now)
            elif _NOTE in event:
                stream.notifications.append(now)


def _lateness(arrival: float, base: float, interval: float) -> float:
    """Arrival minus the nearest due time (base + k intervals, k >= 1): negative when the base
    is later than the true subscription, as the headers' arrival is by a little."""
    k = max(1, round((arrival - base) / interval))
    return arrival - (base + k * interval)


def _pct(values: list[float], q: float) -> float:
    if not values:
        return math.nan
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


async def _run(
    mock: ServerProcess,
    token: str,
    streams: int,
    interval: float,
    ticks: int,
    log: Callable[[str], None],
) -> SseResult:
    host, port = "127.0.0.1", int(mock.url.rsplit(":", 1)[1])
    states = [Stream() for _ in range(streams)]
    writers: list[asyncio.StreamWriter] = []
    readers: list[asyncio.Task[None]] = []
    errors: list[str] = []
    async with httpx.AsyncClient(base_url=mock.url, timeout=30) as control:
        (await control.get("/_mock/health")).raise_for_status()
        rss_before = mock.rss()
        started = time.time()
        gate = asyncio.Semaphore(256)  # connect in waves the listen backlog absorbs

        async def open_one(stream: Stream) -> None:
            async with gate:
                try:
                    reader, writer = await _open(host, port, token, stream)
                except (OSError, RuntimeError, asyncio.IncompleteReadError) as exc:
                    stream.error = f"{type(exc).__name__}: {exc}"
                    return
            writers.append(writer)
            readers.append(asyncio.create_task(_read(reader, stream)))

        await asyncio.gather(*(open_one(s) for s in states))
        all_connected = time.time() - started
        opened = [s for s in states if s.error is None]
        errors.extend(sorted({s.error for s in states if s.error is not None}))
        log(f"  {len(opened)}/{streams} streams open in {all_connected:.2f} s")
        open_count = (await control.get("/_mock/streams")).json()["open"]
        # a few ping ticks, then one notification, then one more tick for it to arrive
        await asyncio.sleep(interval * ticks + interval / 2)
        rss_open = mock.rss()
        injected_at = time.time()
        (await control.post("/_mock/notifications", json={"user": "bench"})).raise_for_status()
        await asyncio.sleep(interval * 1.5)
        for w in writers:
            w.close()
        for t in readers:
            t.cancel()
        await asyncio.gather(*readers, return_exceptions=True)
    late = [_lateness(p, s.opened, interval) for s in opened for p in s.pings]
    late_bound = [_lateness(p, s.sent, interval) for s in opened for p in s.pings]
    got = [s for s in opened if len(s.notifications) == 1 and s.notifications[0] >= injected_at]
    fan = [_lateness(s.notifications[0], s.opened, interval) for s in got]
    fan_bound = [_lateness(s.notifications[0], s.sent, interval) for s in got]
    doubled = sum(1 for s in opened if len(s.notifications) > 1)
    if doubled:
        errors.append(f"{doubled} streams got the notification more than once")
    if open_count != len(opened):
        errors.append(f"the mock counted {open_count} open streams, the client {len(opened)}")
    connects = [s.connect_s for s in opened]
    return SseResult(
        streams=streams,
        open_ok=len(opened),
        connect_p50_ms=statistics.median(connects) * 1000 if connects else math.nan,
        connect_max_ms=max(connects, default=math.nan) * 1000,
        all_connected_s=all_connected,
        pings=len(late),
        ping_late_p50_ms=_pct(late, 0.5) * 1000,
        ping_late_p99_ms=_pct(late, 0.99) * 1000,
        ping_late_max_ms=max(late, default=math.nan) * 1000,
        ping_late_bound_ms=max(late_bound, default=math.nan) * 1000,
        fanout_received=len(fan),
        fanout_p50_ms=_pct(fan, 0.5) * 1000,
        fanout_p99_ms=_pct(fan, 0.99) * 1000,
        fanout_max_ms=max(fan, default=math.nan) * 1000,
        fanout_bound_ms=max(fan_bound, default=math.nan) * 1000,
        rss_per_stream_kb=(rss_open - rss_before) / max(1, len(opened)) / 1024,
        errors=tuple(errors),
    )


def run_sse(
    mock: ServerProcess,
    token: str,
    *,
    streams: int,
    interval: float,
    ticks: int = 3,
    log: Callable[[str], None] = print,
) -> SseResult:
    """Open ``streams`` streams on the running mock (its ping and poll ``interval`` apart)."""
    try:
        import uvloop  # the same event loop uvicorn picks: an efficient client
    except ImportError:  # pragma: no cover - uvicorn[standard] brings it
        return asyncio.run(_run(mock, token, streams, interval, ticks, log))
    return uvloop.run(_run(mock, token, streams, interval, ticks, log))
