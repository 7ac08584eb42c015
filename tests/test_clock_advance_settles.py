"""Moving the manual clock returns only once every event that came due is written: the bytes
are on the client's socket when ``POST /_mock/clock/advance`` (or the library's
``clock.advance``) returns. Read at once without waiting, they must be there.

The mock runs on a manual clock that never wakes a sleeper, so the scheduler's own task never
runs a due event: only the advance itself can. A mock whose advance did not write what came
due, and wait for it, fails these tests every time instead of winning a race now and then.
"""

from __future__ import annotations

import asyncio
import socket
import sys
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, ExitStack, contextmanager
from urllib.parse import urlsplit

import pytest

from mock_server import ManualClock, MockServer

STREAM = "/api/v1/notifications/stream"
STREAMS = 100


class SleeplessClock(ManualClock):
    """A manual clock whose sleepers never wake (the scheduler's task sleeps for good)."""

    async def sleep_until(self, deadline: float) -> None:
        await asyncio.get_running_loop().create_future()


def address_of(mock: MockServer) -> tuple[str, int]:
    parts = urlsplit(mock.url)
    assert parts.hostname is not None
    assert parts.port is not None
    return parts.hostname, parts.port


@contextmanager
def raw_stream(mock: MockServer, user: str = "alice") -> Iterator[socket.socket]:
    """A stream on a plain socket, its response headers read; what follows is the body."""
    with socket.create_connection(address_of(mock), timeout=10) as sock:
        sock.sendall(
            f"GET {STREAM} HTTP/1.1\r\nHost: mock\r\n"
            f"Authorization: {mock.headers(user)['Authorization']}\r\n\r\n".encode()
        )
        head = b""
        while b"\r\n\r\n" not in head:
            head += sock.recv(1)
        assert head.startswith(b"HTTP/1.1 200 "), head
        yield sock


def available(sock: socket.socket) -> bytes:
    """What has arrived on the socket so far, without waiting for more."""
    sock.setblocking(False)
    data = b""
    try:
        while chunk := sock.recv(65536):
            data += chunk
    except BlockingIOError:
        pass
    finally:
        sock.setblocking(True)
    return data


@contextmanager
def via_http(mock: MockServer) -> Iterator[Callable[[float], None]]:
    """``POST /_mock/clock/advance`` on a plain keep-alive socket."""
    with socket.create_connection(address_of(mock), timeout=10) as sock:

        def advance(seconds: float) -> None:
            body = f'{{"seconds": {seconds}}}'.encode()
            sock.sendall(
                b"POST /_mock/clock/advance HTTP/1.1\r\nHost: mock\r\n"
                b"Content-Type: application/json\r\n"
                + f"Content-Length: {len(body)}\r\n\r\n".encode()
                + body
            )
            response = b""
            while not (b"\r\n\r\n" in response and response.endswith(b"}")):
                response += sock.recv(65536)
            assert response.startswith(b"HTTP/1.1 200 "), response

        yield advance


@contextmanager
def via_library(mock: MockServer) -> Iterator[Callable[[float], None]]:
    yield mock.clock.advance


@pytest.fixture(scope="module")
def sleepless() -> Iterator[MockServer]:
    with MockServer(clock=SleeplessClock()) as mock:
        yield mock


@pytest.fixture(autouse=True)
def eager_thread_switches() -> Iterator[None]:
    """Hand the GIL over often, so this thread reads while the server's loop is still writing
    whatever it writes after the advance has returned."""
    interval = sys.getswitchinterval()
    sys.setswitchinterval(1e-6)
    yield
    sys.setswitchinterval(interval)


def test_the_scheduler_alone_sends_nothing_on_this_clock(sleepless: MockServer) -> None:
    # the premise: without an advance, moving this clock wakes nobody
    with raw_stream(sleepless) as stream:
        assert isinstance(sleepless.runtime.clock, SleeplessClock)
        sleepless.runtime.clock.advance(10)  # the bare clock, not the mock's advance
        sleepless.reset()  # a round trip through the server's loop
        assert available(stream) == b""
        sleepless.close_streams()


@pytest.mark.parametrize("way", [via_http, via_library], ids=["http", "library"])
def test_due_events_are_on_every_socket_when_advance_returns(
    sleepless: MockServer,
    way: Callable[[MockServer], AbstractContextManager[Callable[[float], None]]],
) -> None:
    with ExitStack() as stack:
        advance = stack.enter_context(way(sleepless))
        bob = stack.enter_context(raw_stream(sleepless, "bob"))
        streams = [stack.enter_context(raw_stream(sleepless)) for _ in range(STREAMS)]
        sleepless.inject(user="bob", metadata={"view_name": "icecream"})
        advance(3)
        arrived = [available(s) for s in (bob, *streams)]  # at once: nothing may be on its way
        assert [b"event: ping\ndata: \n\n" in data for data in arrived] == [True] * (STREAMS + 1)
        assert b"event: notification\ndata: {" in arrived[0]
        assert arrived[0].index(b"event: notification") < arrived[0].index(b"event: ping")
        advance(2.9)
        assert [available(s) for s in streams] == [b""] * STREAMS  # nothing was due
        sleepless.close_streams()
