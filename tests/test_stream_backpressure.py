"""A client that stops reading must not hold up the others, nor grow the server's memory."""

from __future__ import annotations

import logging

import httpx
import pytest
from httpx_sse import EventSource

from mock_server import MockServer

STREAM = "/api/v1/notifications/stream"
BIG = "x" * 10_000_000  # a few of these fill any socket buffer


def test_a_stuck_client_is_dropped_and_does_not_delay_the_others(
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.WARNING)
    with (
        MockServer(clock="manual", stream_queue_size=4, settle_timeout=3) as mock,
        httpx.Client(base_url=mock.url, timeout=10) as c,
        c.stream("GET", STREAM, headers=mock.headers("alice")) as stuck,
        c.stream("GET", STREAM, headers=mock.headers("bob")) as healthy,
    ):
        assert stuck.status_code == healthy.status_code == 200
        mock.inject(*({"user": "alice", "message": BIG} for _ in range(3)))
        mock.clock.advance(3)  # alice's writer is now blocked: her client reads nothing
        mock.inject(*({"user": "alice"} for _ in range(5)))
        mock.clock.advance(3)  # her queue overflows: she is dropped
        assert c.get("/_mock/streams").json() == {"open": 1}
        c.delete("/_mock/streams")
        assert [e.event for e in EventSource(healthy).iter_sse()] == ["ping", "ping"]
    waits = [r for r in caplog.records if "did not write" in r.getMessage()]
    assert waits == [], "advancing the clock waited for the stuck client"
    assert any("cannot keep up" in r.getMessage() for r in caplog.records)
