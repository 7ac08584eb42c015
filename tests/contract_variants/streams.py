"""Stream bugs: headers, ping cadence, framing, notification events, filtering."""

from __future__ import annotations

from collections.abc import Callable, Iterator

from starlette.types import ASGIApp

from contract_variants.asgi import (
    EventFilter,
    QueryRewrite,
    StreamRewrite,
    event_data,
    event_name,
    is_uuid,
)
from contract_variants.base import Variant, variant
from mock_server.runtime import MockRuntime

Headers = list[tuple[bytes, bytes]]
_PING = b"event: ping\ndata: \n\n"


def on_events(make: Callable[[], EventFilter]) -> Callable[[ASGIApp, MockRuntime], ASGIApp]:
    """A wrap whose every stream gets a fresh filter from ``make``."""
    return lambda app, _runtime: StreamRewrite(app, events=lambda _scope: make())


def on_headers(rewrite: Callable[[Headers], Headers]) -> Callable[[ASGIApp, MockRuntime], ASGIApp]:
    return lambda app, _runtime: StreamRewrite(app, headers=rewrite)


def _drop(name: str) -> EventFilter:
    def events(event: bytes) -> Iterator[bytes]:
        if event_name(event) != name:
            yield event

    return events


def _ping_without_data(event: bytes) -> Iterator[bytes]:
    yield b"event: ping\n\n" if event_name(event) == "ping" else event


def _renamed(event: bytes) -> Iterator[bytes]:
    if event_name(event) == "notification":
        yield b"event: new_notification\ndata: " + event_data(event) + b"\n\n"
    else:
        yield event


def _ping_on_connect() -> EventFilter:
    """The connection's first write is preceded by a ping, as if sent on connect."""
    sent = False

    def events(event: bytes) -> Iterator[bytes]:
        nonlocal sent
        if not sent:
            sent = True
            yield _PING
        yield event

    return events


def _error_text_first() -> EventFilter:
    """The stream's first write starts with an error event whose data is plain text."""
    sent = False

    def events(event: bytes) -> Iterator[bytes]:
        nonlocal sent
        if not sent:
            sent = True
            yield b"event: error\ndata: poll failed, retrying\n\n"
        yield event

    return events


def _content_type(headers: Headers) -> Headers:
    return [(k, b"text/plain; charset=utf-8" if k == b"content-type" else v) for k, v in headers]


def _no_cache_control(headers: Headers) -> Headers:
    return [(k, v) for k, v in headers if k != b"cache-control"]


def _stream_ignores_dataset(app: ASGIApp, runtime: MockRuntime) -> ASGIApp:
    return QueryRewrite(
        app, "stream", lambda q: [(k, v) for k, v in q if k != "dataset_id" or not is_uuid(v)]
    )


VARIANTS: tuple[Variant, ...] = (
    variant(
        "stream-without-pings",
        {"STREAM-PING-CADENCE"},
        "the keepalive task is never started: the stream sends no pings at all",
        wrap=on_events(lambda: _drop("ping")),
    ),
    variant(
        "pings-every-6-seconds",
        "STREAM-PING-CADENCE",
        "PING_INTERVAL = 6: pings every 6 s, proxies with a 5 s idle timeout cut the stream",
        config={"ping_interval": 6.0},
    ),
    variant(
        "ping-on-connect",
        "STREAM-PING-CADENCE",
        "an extra ping goes out with the stream's first write, before 3 s have passed",
        wrap=on_events(_ping_on_connect),
    ),
    variant(
        "ping-without-data-line",
        "STREAM-FRAMING",
        "ping is written as 'event: ping' and a blank line: browsers' EventSource drops it",
        wrap=on_events(lambda: _ping_without_data),
    ),
    variant(
        "stream-content-type-text-plain",
        "STREAM-CONTENT-TYPE",
        "StreamingResponse without media_type='text/event-stream': served as text/plain",
        wrap=on_headers(_content_type),
    ),
    variant(
        "stream-without-cache-control",
        "STREAM-CONTENT-TYPE",
        "the stream forgets Cache-Control: no-cache, so proxies may buffer it",
        wrap=on_headers(_no_cache_control),
    ),
    variant(
        "notifications-polled-every-6-seconds",
        "STREAM-NOTIFICATION-EVENT",
        "POLL_INTERVAL = 6: a notification arrives up to 6 s late, not within one 3 s cycle",
        config={"poll_interval": 6.0},
        collateral={"ISOLATION-STREAM", "STREAM-DATASET-FILTER"},
    ),
    variant(
        "notification-event-misnamed",
        "STREAM-NOTIFICATION-EVENT",
        "the event is named new_notification, so addEventListener('notification') never fires",
        wrap=on_events(lambda: _renamed),
        collateral={"ISOLATION-STREAM", "SCHEMA-STREAM", "STREAM-DATASET-FILTER"},
    ),
    variant(
        "stream-ignores-dataset-id",
        "STREAM-DATASET-FILTER",
        "the stream validates dataset_id but never passes it on to its poll",
        wrap=_stream_ignores_dataset,
    ),
    variant(
        "error-event-with-plain-text-data",
        "SCHEMA-STREAM",
        'error events carry a plain-text message, not the documented {"detail": ...} JSON',
        wrap=on_events(_error_text_first),
    ),
)
