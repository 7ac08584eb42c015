"""Pure ASGI middleware that turns the correct mock into a broken one from the outside.

Each piece rewrites one thing a real backend could get wrong, and nothing else:

    client ─> QueryRewrite ─> RequestHeaders ─> create_app(config) ─> JsonRewrite / StreamRewrite

* :class:`QueryRewrite` changes the query string before the mock parses it (a clamp, a default);
* :class:`RequestHeaders` changes the request's headers (a token the broken server would accept);
* :class:`JsonRewrite` buffers a JSON response and rewrites its status, body or headers;
* :class:`StreamRewrite` rewrites a stream's headers and each of its events as they are written.

The control plane (``/_mock``) is never touched: the kit injects data and moves the clock
through it exactly as on the correct mock.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Callable, Iterator, MutableMapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qsl, urlencode

import orjson
from starlette.types import ASGIApp, Message, Receive, Scope, Send

API = "/api/v1/notifications"
STREAM = f"{API}/stream"
COUNT = f"{API}/unread-count"
READ_ALL = f"{API}/read-all"
_READ_ONE = re.compile(rf"^{API}/([^/]+)/read$")

Query = list[tuple[str, str]]


def operation(scope: Scope) -> str | None:
    """The public operation a request is for, or None (control plane, unknown paths)."""
    path, method = scope.get("path", ""), scope.get("method", "")
    if path == API and method == "GET":
        return "list"
    if path == COUNT and method == "GET":
        return "count"
    if path == READ_ALL and method == "POST":
        return "read_all"
    if path == STREAM and method == "GET":
        return "stream"
    if _READ_ONE.match(path) and method == "POST":
        return "read"
    return None


def notification_id(scope: Scope) -> str | None:
    match = _READ_ONE.match(scope.get("path", ""))
    return None if match is None else match.group(1)


def query_of(scope: Scope) -> Query:
    return parse_qsl(scope.get("query_string", b"").decode("latin-1"), keep_blank_values=True)


def first(query: Query, name: str) -> str | None:
    return next((v for k, v in query if k == name), None)


def header(scope: Scope, name: str) -> str | None:
    key = name.lower().encode("latin-1")
    for k, v in scope.get("headers", []):
        if k.lower() == key:
            return bytes(v).decode("latin-1")
    return None


class QueryRewrite:
    """Rewrites the query of one operation: ``rewrite(query) -> query``."""

    def __init__(self, app: ASGIApp, op: str, rewrite: Callable[[Query], Query]) -> None:
        self.app = app
        self._op = op
        self._rewrite = rewrite

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and operation(scope) == self._op:
            query = self._rewrite(query_of(scope))
            scope = {**scope, "query_string": urlencode(query).encode("latin-1")}
        await self.app(scope, receive, send)


class RequestHeaders:
    """Rewrites the headers of public API requests: ``rewrite(scope, headers) -> headers``."""

    Headers = list[tuple[bytes, bytes]]

    def __init__(self, app: ASGIApp, rewrite: Callable[[Scope, Headers], Headers]) -> None:
        self.app = app
        self._rewrite = rewrite

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and operation(scope) is not None:
            headers = self._rewrite(scope, [(bytes(k), bytes(v)) for k, v in scope["headers"]])
            scope = {**scope, "headers": headers}
        await self.app(scope, receive, send)


@dataclass(slots=True)
class Reply:
    """A buffered response a :class:`JsonRewrite` may change."""

    status: int
    body: Any
    """The parsed JSON body (None when it was not JSON); set it to bytes to send them as is."""
    headers: list[tuple[bytes, bytes]]

    def set_header(self, name: bytes, value: bytes | None) -> None:
        self.headers = [(k, v) for k, v in self.headers if k.lower() != name]
        if value is not None:
            self.headers.append((name, value))


class JsonRewrite:
    """Buffers the JSON responses of the given operations and lets ``rewrite(scope, reply)``
    change them in place. Streams pass through untouched."""

    def __init__(
        self, app: ASGIApp, ops: set[str], rewrite: Callable[[Scope, Reply], None]
    ) -> None:
        self.app = app
        self._ops = ops
        self._rewrite = rewrite

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or operation(scope) not in self._ops:
            await self.app(scope, receive, send)
            return
        start: Message | None = None
        chunks: list[bytes] = []
        streaming = False

        async def capture(message: Message) -> None:
            nonlocal start, streaming
            if message["type"] == "http.response.start":
                start = message
                kind = _header_value(message["headers"], b"content-type")
                streaming = kind.startswith(b"text/event-stream")
                if streaming:
                    await send(message)
                return
            if streaming:
                await send(message)
                return
            chunks.append(message.get("body", b""))
            if message.get("more_body", False):
                return
            assert start is not None
            raw = b"".join(chunks)
            try:
                parsed: Any = orjson.loads(raw)
            except orjson.JSONDecodeError:
                parsed = None
            reply = Reply(start["status"], parsed, list(start["headers"]))
            self._rewrite(scope, reply)
            if reply.body is None or isinstance(reply.body, bytes):
                body = raw if reply.body is None else reply.body
            else:
                body = orjson.dumps(reply.body)
            reply.set_header(b"content-length", str(len(body)).encode())
            await send({**start, "status": reply.status, "headers": reply.headers})
            await send({"type": "http.response.body", "body": body, "more_body": False})

        await self.app(scope, receive, capture)


def _header_value(headers: Any, name: bytes) -> bytes:
    for k, v in headers:
        if bytes(k).lower() == name:
            return bytes(v)
    return b""


Event = MutableMapping[str, str]
"""One stream event as its SSE fields: ``{"event": "ping", "data": ""}``."""

EventFilter = Callable[[bytes], Iterator[bytes]]
"""One stream's rewriter: an encoded event in, the events to write instead out."""


class StreamRewrite:
    """Rewrites the notification stream: its response headers with ``headers(list) -> list``,
    and its events with a fresh ``events()`` filter per connection (so a filter may count)."""

    def __init__(
        self,
        app: ASGIApp,
        *,
        events: Callable[[Scope], EventFilter] | None = None,
        headers: Callable[[list[tuple[bytes, bytes]]], list[tuple[bytes, bytes]]] | None = None,
    ) -> None:
        self.app = app
        self._events = events
        self._headers = headers

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or operation(scope) != "stream":
            await self.app(scope, receive, send)
            return
        rewrite = None if self._events is None else self._events(scope)
        is_stream = False

        async def relay(message: Message) -> None:
            nonlocal is_stream
            if message["type"] == "http.response.start":
                kind = _header_value(message["headers"], b"content-type")
                is_stream = kind.startswith(b"text/event-stream")
                if is_stream and self._headers is not None:
                    message = {**message, "headers": self._headers(list(message["headers"]))}
            elif is_stream and rewrite is not None and message.get("body"):
                body = b"".join(
                    out for event in split_events(message["body"]) for out in rewrite(event)
                )
                message = {**message, "body": body}
            await send(message)

        await self.app(scope, receive, relay)


def split_events(chunk: bytes) -> list[bytes]:
    """The events of a chunk the mock wrote (it always writes whole events, ``\\n\\n``-ended)."""
    return [part + b"\n\n" for part in chunk.split(b"\n\n") if part]


def event_name(event: bytes) -> str:
    for line in event.split(b"\n"):
        if line.startswith(b"event:"):
            return line[len(b"event:") :].strip().decode()
    return "message"


def event_data(event: bytes) -> bytes:
    """The event's data lines joined, as a client reassembles them."""
    return b"\n".join(
        line[len(b"data:") :].removeprefix(b" ")
        for line in event.split(b"\n")
        if line.startswith(b"data:")
    )


def on_query(op: str, rewrite: Callable[[Query], Query]) -> Callable[[ASGIApp, Any], ASGIApp]:
    """A :data:`~contract_variants.base.Wrap` for :class:`QueryRewrite`."""
    return lambda app, _runtime: QueryRewrite(app, op, rewrite)


def on_json(
    ops: set[str], rewrite: Callable[[Scope, Reply], None]
) -> Callable[[ASGIApp, Any], ASGIApp]:
    """A :data:`~contract_variants.base.Wrap` for :class:`JsonRewrite`."""
    return lambda app, _runtime: JsonRewrite(app, ops, rewrite)


def replace_param(query: Query, name: str, fix: Callable[[str], str | None]) -> Query:
    """``query`` with each value of ``name`` passed through ``fix`` (None drops it)."""
    out: Query = []
    for key, value in query:
        if key == name:
            fixed = fix(value)
            if fixed is not None:
                out.append((key, fixed))
        else:
            out.append((key, value))
    return out


def as_int(value: str) -> int | None:
    try:
        return int(value)
    except ValueError:
        return None


def is_uuid(value: str) -> bool:
    try:
        uuid.UUID(value)
    except ValueError:
        return False
    return True
