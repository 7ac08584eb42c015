"""The FastAPI app: the five documented routes over an injected store.

Contract choices made here (all within openapi.yaml): the stream is sse-starlette's
``EventSourceResponse`` (CRLF framing, ``text/event-stream; charset=utf-8``, its own comment pings
every 15 s left on) with ``Cache-Control: no-cache``; every ``ping_interval`` seconds after the
connection opened it polls for the caller's notifications created since the last poll, sends each
as a ``notification`` event, then one ``ping`` with empty data.
"""

import time
import zlib
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass
from typing import Annotated
from uuid import UUID

import anyio
from fastapi import Depends, FastAPI, Query, Request
from fastapi.responses import JSONResponse
from sse_starlette import EventSourceResponse, ServerSentEvent

from independent_server.auth import current_user_dependency
from independent_server.rest_variants import RestSettings, install
from independent_server.schemas import (
    Notification,
    NotificationList,
    Ok,
    OkCount,
    UnreadCount,
)
from independent_server.store import Store, User


@dataclass(frozen=True, slots=True)
class StreamSettings:
    """How the stream is written. The defaults are sse-starlette's; every other value is a legal
    variant of the SSE format (WHATWG HTML, "Server-sent events") a team might ship."""

    ping_interval: float = 3.0
    sep: str = "\r\n"  # or "\n" or "\r": the three line endings the format allows
    comment_pings: float | None = None  # sse-starlette's own ": ping - <time>" comments (15 s)
    data_space: bool = True  # False: "data:{...}" (the space after the colon is optional)
    # a write boundary inside each event: "crlf" between \r and \n, "mid" halfway, "utf8"
    # between the bytes of its first non-ASCII character
    split: str | None = None
    content_type: str | None = None  # e.g. "text/event-stream" (no charset) or upper-case UTF-8
    multiline_json: bool = False  # the notification's JSON indented over several data: lines
    keepalive_comment: bool = False  # a ": keepalive" comment block before every ping
    bom: bool = False  # a U+FEFF at the start of the stream (the format says to ignore it)
    data_first: bool = False  # "data:" before "event:" (field order in a block is free)
    # Content-Encoding: gzip when the client accepts it, flushed after every write (what nginx
    # does with text/event-stream in gzip_types)
    gzip: bool = False


@dataclass(slots=True)
class StreamGauge:
    """How many streams are open now (what an ops dashboard would graph)."""

    open: int = 0


def create_app(
    store: Store,
    stream: StreamSettings | None = None,
    rest: RestSettings | None = None,
    on_subscribe: Callable[[User, UUID | None], None] | None = None,
) -> FastAPI:
    """Build the API over ``store``; ``shutdown`` in ``app.state`` ends every open stream.
    ``on_subscribe(user, dataset_id)`` is called as each stream opens (metrics, tests)."""
    settings = stream or StreamSettings()
    shutdown = anyio.Event()
    app = FastAPI(title="Notifications (independent)", openapi_url=None, docs_url=None)
    app.state.shutdown = shutdown
    gauge = app.state.streams = StreamGauge()
    CurrentUser = Annotated[User, Depends(current_user_dependency(store))]
    DatasetId = Annotated[UUID | None, Query()]

    @app.exception_handler(Exception)
    async def internal_error(request: Request, exc: Exception) -> JSONResponse:
        return JSONResponse({"detail": "Internal Server Error"}, status_code=500)

    @app.get("/api/v1/notifications", response_model=NotificationList)
    def list_notifications(
        user: CurrentUser,
        limit: Annotated[int, Query(ge=1, le=100)] = 20,
        offset: Annotated[int, Query(ge=0)] = 0,
        unread_only: bool = False,
        dataset_id: DatasetId = None,
    ) -> NotificationList:
        rows, total = store.page(
            user.id, limit=limit, offset=offset, unread_only=unread_only, dataset_id=dataset_id
        )
        return NotificationList(
            notifications=[Notification.of(r) for r in rows],
            total=total,
            has_more=offset + len(rows) < total,
        )

    @app.get("/api/v1/notifications/unread-count", response_model=UnreadCount)
    def unread_count(user: CurrentUser, dataset_id: DatasetId = None) -> UnreadCount:
        return UnreadCount(count=store.unread_count(user.id, dataset_id))

    @app.post("/api/v1/notifications/read-all", response_model=OkCount)
    def read_all(user: CurrentUser, dataset_id: DatasetId = None) -> OkCount:
        return OkCount(count=store.mark_all_read(user.id, dataset_id))

    @app.post(
        "/api/v1/notifications/{notification_id}/read",
        response_model=Ok,
        responses={404: {"description": "Notification not found"}},
    )
    def read_one(user: CurrentUser, notification_id: UUID) -> Ok | JSONResponse:
        if not store.mark_read(user.id, notification_id):
            return JSONResponse({"detail": "Notification not found"}, status_code=404)
        return Ok()

    @app.get("/api/v1/notifications/stream")
    async def stream_notifications(
        request: Request, user: CurrentUser, dataset_id: DatasetId = None
    ) -> EventSourceResponse:
        # "New" is measured from here, the request, not from when the body starts streaming.
        opened, seen = time.monotonic(), store.last_seq()
        if on_subscribe is not None:
            on_subscribe(user, dataset_id)
        headers = {"Cache-Control": "no-cache"}
        if settings.content_type is not None:
            headers["Content-Type"] = settings.content_type
        events = _events(store, user, dataset_id, settings, opened, seen, gauge)
        if settings.gzip and "gzip" in request.headers.get("accept-encoding", ""):
            headers["Content-Encoding"] = "gzip"
            events = _gzipped(events)
        return EventSourceResponse(
            events,
            headers=headers,
            sep=settings.sep,
            ping=settings.comment_pings,
            shutdown_event=shutdown,
        )

    if rest is not None and not rest.is_default():
        install(app, rest)
    return app


async def _events(
    store: Store,
    user: User,
    dataset_id: UUID | None,
    settings: StreamSettings,
    opened: float,
    seen: int,
    gauge: StreamGauge,
) -> AsyncIterator[bytes]:
    gauge.open += 1
    try:
        tick = 0
        while True:
            tick += 1
            await anyio.sleep(max(0.0, opened + tick * settings.ping_interval - time.monotonic()))
            rows, seen = store.created_since(user.id, seen, dataset_id)
            chunks: list[bytes] = [b"\xef\xbb\xbf"] if settings.bom and tick == 1 else []
            for row in rows:
                note = Notification.of(row)
                text = note.model_dump_json(indent=2 if settings.multiline_json else None)
                chunks.append(encode(settings, "notification", text))
            if settings.keepalive_comment:
                chunks.append(ServerSentEvent(comment="keepalive", sep=settings.sep).encode())
            chunks.append(encode(settings, "ping", ""))
            for chunk in chunks:
                for part in _split(settings, chunk):
                    yield part
                    if settings.split:
                        await anyio.sleep(0.05)  # so the parts reach the client apart
    finally:
        gauge.open -= 1


def encode(settings: StreamSettings, event: str, data: str) -> bytes:
    """One event as sse-starlette writes it, then the configured variant applied."""
    raw = ServerSentEvent(data=data, event=event, sep=settings.sep).encode()
    if settings.data_first:
        sep = settings.sep.encode()
        head, rest = raw.split(sep, 1)  # the event line, then data lines and the blank line
        raw = rest[: -len(sep)] + head + sep + sep
    return raw if settings.data_space else raw.replace(b"data: ", b"data:")


def _split(settings: StreamSettings, chunk: bytes) -> list[bytes]:
    if settings.split == "crlf" and b"\r\n" in chunk:
        cut = chunk.index(b"\r\n") + 1
    elif settings.split == "mid" and len(chunk) > 1:
        cut = len(chunk) // 2
    elif settings.split == "utf8" and any(b >= 0x80 for b in chunk):
        cut = next(i for i, b in enumerate(chunk) if b >= 0x80) + 1
    else:
        return [chunk]
    return [chunk[:cut], chunk[cut:]]


async def _gzipped(chunks: AsyncIterator[bytes]) -> AsyncIterator[bytes]:
    packer = zlib.compressobj(wbits=31)  # 31: the gzip container
    async for chunk in chunks:
        yield packer.compress(chunk) + packer.flush(zlib.Z_SYNC_FLUSH)
