"""Reading an event stream without ever hanging: a reader thread feeds raw chunks to the caller,
who stops at a deadline whatever the server does. Events are parsed from the raw bytes, so the
framing itself (``event:`` line, ``data:`` lines, blank line) can be checked."""

from __future__ import annotations

import codecs
import contextlib
import queue
import socket
import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from types import TracebackType
from typing import Any

import httpx

from contract_tests.client import API, ClauseFailure, Params, _param
from contract_tests.exchange import Exchange

STREAM = f"{API}/stream"


@dataclass(frozen=True, slots=True)
class Event:
    """One event: its fields, its raw block (without the blank line), when it was complete."""

    event: str
    data: str
    raw: str
    at: float
    id: str | None = None
    retry: int | None = None

    def as_fields(self) -> dict[str, Any]:
        return {"event": self.event, "data": self.data, "id": self.id, "retry": self.retry}


@dataclass(slots=True)
class EventParser:
    """Raw chunks in, complete events out. TCP cuts a stream anywhere: inside a UTF-8 character
    (hence the incremental decoder) or between the CR and LF of a CRLF line end (hence a CR at
    the end of a chunk waits for the next one)."""

    buffer: str = ""
    events: list[Event] = field(default_factory=list)
    _decoder: codecs.IncrementalDecoder = field(
        default_factory=lambda: codecs.getincrementaldecoder("utf-8")("replace")
    )
    _cr: bool = False
    _started: bool = False

    def feed(self, chunk: bytes, at: float) -> list[Event]:
        text = ("\r" if self._cr else "") + self._decoder.decode(chunk)
        if not self._started and text:
            self._started = True
            text = text.removeprefix("\ufeff")  # one leading BOM is ignored, as the SSE format says
        self._cr = text.endswith("\r")
        if self._cr:
            text = text[:-1]
        self.buffer += text.replace("\r\n", "\n").replace("\r", "\n")
        done: list[Event] = []
        while "\n\n" in self.buffer:
            block, self.buffer = self.buffer.split("\n\n", 1)
            event = _parse_block(block, at)
            if event is not None:
                done.append(event)
        self.events.extend(done)
        return done


def _parse_block(block: str, at: float) -> Event | None:
    name, data, ident, retry = "message", [], None, None
    meaningful = False
    for line in block.split("\n"):
        if line.startswith(":"):
            continue  # a comment
        key, sep, value = line.partition(":")
        if sep and value.startswith(" "):
            value = value[1:]
        meaningful = meaningful or key in ("event", "data")  # id/retry alone dispatch nothing
        if key == "event":
            name = value
        elif key == "data":
            data.append(value)
        elif key == "id":
            ident = value
        elif key == "retry" and value.isdigit():
            retry = int(value)
    if not meaningful:
        return None
    return Event(name, "\n".join(data), block, at, ident, retry)


class Stream:
    """An open stream. ``with Stream.open(...) as s: s.read_until(...)``."""

    def __init__(
        self,
        base_url: str,
        headers: Mapping[str, str],
        params: Params | None,
        http_timeout: float,
        sse_timeout: float,
    ) -> None:
        # the caller's deadline bounds every read; the socket's own timeout is only a backstop
        self._client = httpx.Client(
            base_url=base_url, timeout=httpx.Timeout(http_timeout, read=sse_timeout + 1)
        )
        query = {k: _param(v) for k, v in (params or {}).items()}
        self.request = self._client.build_request(
            "GET", STREAM, params=query, headers=dict(headers)
        )
        self.sse_timeout = sse_timeout
        self.response: httpx.Response | None = None
        self._chunks: queue.Queue[tuple[float, bytes | BaseException | None]] = queue.Queue()
        self._parser = EventParser()
        self.ended: str | None = None
        self.opened_at = 0.0
        self.sent_at = 0.0
        self.read_until_at = 0.0
        self.body = b""
        self._pump_thread: threading.Thread | None = None

    # -- lifecycle ---------------------------------------------------------------------------

    def __enter__(self) -> Stream:
        self.sent_at = time.monotonic()
        try:
            self.response = self._client.send(self.request, stream=True)
        except httpx.HTTPError as exc:
            self._client.close()
            raise ClauseFailure(
                f"GET {self.request.url} failed: {exc}",
                self.exchange(error=str(exc) or type(exc).__name__),
            ) from None
        self.opened_at = time.monotonic()
        if self.response.status_code == 200:
            self._pump_thread = threading.Thread(
                target=self._pump, name="contract-sse", daemon=True
            )
            self._pump_thread.start()
        else:
            self.body = self.response.read()
        return self

    def __exit__(
        self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.close()

    def close(self) -> None:
        """End the stream now. The socket is shut down first: that wakes the reader thread
        from its blocking read, and the server sees the connection end at once (closing the
        socket alone would wait for the reader, that is for the server's next write)."""
        if self.response is not None:
            stream = self.response.extensions.get("network_stream")
            sock = stream.get_extra_info("socket") if stream is not None else None
            if isinstance(sock, socket.socket):
                with contextlib.suppress(OSError):
                    sock.shutdown(socket.SHUT_RDWR)
            if self._pump_thread is not None:
                self._pump_thread.join(timeout=1.0)
            with contextlib.suppress(Exception):
                self.response.close()
        with contextlib.suppress(Exception):
            self._client.close()

    def _pump(self) -> None:
        assert self.response is not None
        try:
            # decoded bytes: a server may gzip its stream (framing is judged after decoding)
            for chunk in self.response.iter_bytes():
                self._chunks.put((time.monotonic(), chunk))
            self._chunks.put((time.monotonic(), None))
        except BaseException as exc:
            self._chunks.put((time.monotonic(), exc))

    # -- reading -----------------------------------------------------------------------------

    @property
    def status(self) -> int:
        assert self.response is not None
        return self.response.status_code

    @property
    def events(self) -> list[Event]:
        return self._parser.events

    def header(self, name: str) -> str:
        assert self.response is not None
        return str(self.response.headers.get(name, ""))

    def read_until(
        self, done: Callable[[list[Event]], bool], timeout: float | None = None
    ) -> list[Event]:
        """Read until ``done(events so far)`` or ``timeout`` (default ``--sse-timeout``) passes
        or the stream ends. Returns every event read so far."""
        deadline = time.monotonic() + (self.sse_timeout if timeout is None else timeout)
        while not done(self._parser.events) and self.ended is None:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                break
            try:
                at, chunk = self._chunks.get(timeout=remaining)
            except queue.Empty:
                break
            if chunk is None:
                self.ended = "the server closed the stream"
            elif isinstance(chunk, BaseException):
                self.ended = f"the stream broke: {chunk or type(chunk).__name__}"
            else:
                self.body += chunk
                self._parser.feed(chunk, at)
        self.read_until_at = time.monotonic()
        return self._parser.events

    @property
    def elapsed(self) -> float:
        """Seconds from the response's headers to the end of the last read."""
        return max(0.0, self.read_until_at - self.opened_at)

    def read_for(self, seconds: float) -> list[Event]:
        """Everything that arrives within ``seconds``."""
        return self.read_until(lambda _: False, timeout=seconds)

    def read_count(self, n: int, timeout: float | None = None) -> list[Event]:
        return self.read_until(lambda evs: len(evs) >= n, timeout)

    @property
    def pending(self) -> str:
        """Bytes received that do not (yet) end an event."""
        return self._parser.buffer

    def exchange(self, error: str | None = None, note: str | None = None) -> Exchange:
        sent = tuple(
            (k, v)
            for k, v in self.request.headers.items()
            if k.lower() in ("authorization", "cookie")
        )
        response = self.response
        return Exchange(
            "GET",
            str(self.request.url),
            sent,
            None,
            response.status_code if response is not None else None,
            tuple(response.headers.items()) if response is not None else (),
            self.body[-1500:],
            error,
            (note,) if note else (),
        )
