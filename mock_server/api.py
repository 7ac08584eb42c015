"""The public API's handlers, keyed by the spec's ``operationId``.

Each handler gets the runtime, the authenticated user and the parameters already validated
against ``openapi.yaml``, and answers with the documented 200 body as JSON ``bytes`` (or, for
the stream, the ASGI response to run). Bodies are assembled from each notification's cached
JSON, so a page costs a join, not a re-serialisation. Errors are raised
(:mod:`mock_server.errors`).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping
from typing import Any

from starlette.types import ASGIApp

from mock_server.errors import NotFound
from mock_server.models import User
from mock_server.runtime import MockRuntime
from mock_server.streaming import EventStreamResponse

Handler = Callable[[MockRuntime, User, Mapping[str, Any]], Awaitable[bytes | ASGIApp]]


async def list_notifications(rt: MockRuntime, user: User, p: Mapping[str, Any]) -> bytes:
    offset: int = p["offset"]
    items, total = rt.store.page(
        user.user_id,
        limit=p["limit"],
        offset=offset,
        unread_only=p["unread_only"],
        dataset_id=p["dataset_id"],
    )
    has_more = b"true" if offset + len(items) < total else b"false"
    # one join: chained ``+`` would copy a 100-item page (~60 KB) once per piece
    return b"".join(
        (
            b'{"notifications":[',
            b",".join([n.to_json() for n in items]),
            b'],"total":',
            str(total).encode(),
            b',"has_more":',
            has_more,
            b"}",
        )
    )


async def get_unread_count(rt: MockRuntime, user: User, p: Mapping[str, Any]) -> bytes:
    count = rt.store.unread_count(user.user_id, p["dataset_id"])
    return b'{"count":' + str(count).encode() + b"}"


async def mark_notification_read(rt: MockRuntime, user: User, p: Mapping[str, Any]) -> bytes:
    if not rt.store.mark_read(user.user_id, p["notification_id"], rt.now_us()):
        raise NotFound("Notification not found")
    return b'{"ok":true}'


async def mark_all_read(rt: MockRuntime, user: User, p: Mapping[str, Any]) -> bytes:
    count = rt.store.mark_all_read(user.user_id, p["dataset_id"], rt.now_us())
    return b'{"ok":true,"count":' + str(count).encode() + b"}"


async def stream_notifications(
    rt: MockRuntime, user: User, p: Mapping[str, Any]
) -> EventStreamResponse:
    # subscribe before the response starts, so a client holding the 200 may move the clock
    sub = rt.scheduler.subscribe(user.user_id, p["dataset_id"])
    return EventStreamResponse(rt.scheduler, sub)


HANDLERS: Mapping[str, Handler] = {
    "listNotifications": list_notifications,
    "getUnreadCount": get_unread_count,
    "markNotificationRead": mark_notification_read,
    "markAllNotificationsRead": mark_all_read,
    "streamNotifications": stream_notifications,
}
