"""What the stream clauses share: driving a manual clock, and (without one) a single watched
stream that several clauses read, so a real server costs one ``--sse-timeout`` wait, not six."""

from __future__ import annotations

import re

from contract_tests import expect
from contract_tests.sse import STREAM, Event, Stream
from contract_tests.target import Target

PING = 3.0
TOLERANCE = 1.0  # real time: network and scheduling jitter allowed on each 3 s
QUIET = 0.15  # how long "nothing arrives" is watched after a manual clock moved
ARRIVE = 3.0  # how long an event the manual clock made due may take to arrive
EVENT_LINE = re.compile(r"^event: ?[A-Za-z0-9_.-]+$")


def manual(target: Target) -> bool:
    return target.control is not None and target.control.manual


def advance(target: Target, seconds: float) -> None:
    assert target.control is not None
    target.control.advance(seconds)


def stream_rejected(target: Target, headers: dict[str, str], what: str) -> None:
    """The stream refuses ``headers`` as the contract says: 401 ``{"detail": str}`` as JSON,
    before any stream opens."""
    with target.stream(None, headers=headers) as stream:
        exchange = stream.exchange()
        expect.that(
            stream.status == 401,
            f"{what}: GET {STREAM} answered {stream.status}, not 401",
            exchange,
        )
        kind = stream.header("content-type")
        expect.that(
            kind.startswith("application/json"),
            f"{what}: the stream's 401 is {kind!r}, not JSON (no stream may open)",
            exchange,
        )
        assert stream.response is not None
        body = target.check("GET", STREAM, stream.response, exchange, 401)
        expect.error_detail(body, exchange, 401)


def opened(target: Target, stream: Stream) -> None:
    expect.that(
        stream.status == 200, f"GET {STREAM} answered {stream.status}, not 200", stream.exchange()
    )


def pings(events: list[Event]) -> list[Event]:
    return [e for e in events if e.event == "ping"]


def notifications(events: list[Event]) -> list[Event]:
    return [e for e in events if e.event == "notification"]


def after_pings(stream: Stream, n: int) -> list[Event]:
    """Read until ``n`` pings in all have arrived (or ``ARRIVE`` passes)."""
    return stream.read_until(lambda evs: len(pings(evs)) >= n, timeout=ARRIVE)


def watched(target: Target) -> Stream:
    """User a's stream, read for ``--sse-timeout`` once per run (real time only)."""
    cached = target.cache.get("watched-stream")
    if isinstance(cached, Stream):
        return cached
    stream = target.stream("a")
    with stream:
        if stream.status == 200:
            if target.control is not None:  # a control plane on a real clock: make news
                target.inject("a", 1)
            stream.read_for(target.options.sse_timeout)
    target.cache["watched-stream"] = stream
    return stream


def framing_problem(event: Event) -> str | None:
    # Field order inside an event means nothing to SSE (every client dispatches the same event),
    # so it is not held against a server: one `event:` line, `data:` lines, nothing else.
    lines = [line for line in event.raw.split("\n") if not line.startswith((":", "retry:"))]
    named = [line for line in lines if line.startswith("event:")]
    if len(named) != 1 or not EVENT_LINE.match(named[0]):
        return f"an event has no single `event: <name>` line: {event.raw[:120]!r}"
    rest = [line for line in lines if line is not named[0]]
    if not rest:
        return f"event {event.event!r} has no data line: {event.raw[:120]!r}"
    for line in rest:
        if not line.startswith("data:"):
            return f"event {event.event!r} has a line that is not data: {line[:120]!r}"
    if event.event == "ping" and event.data != "":
        return f"a ping's data is {event.data[:80]!r}, not empty"
    return None
