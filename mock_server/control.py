"""The control plane under ``/_mock``: drive the mock from tests and terminals.

Described by ``control-openapi.yaml`` beside this module. Bad bodies are 422 with FastAPI's
list shape and ``loc`` naming the field (``["body", "seconds"]``); unknown users and datasets
are 404. Only loopback clients are served unless a control token is configured.
"""

from __future__ import annotations

import hmac
import ipaddress
import math
import uuid
from typing import Any

import orjson
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import BaseRoute, Route
from starlette.types import ASGIApp, Receive, Scope, Send

from mock_server.clock import ClockError
from mock_server.errors import (
    Conflict,
    NotFound,
    RequestInvalid,
    error_response,
    field_error,
    json_response,
)
from mock_server.faults import HttpFault
from mock_server.models import User
from mock_server.runtime import EntryError, MockRuntime
from mock_server.store import DuplicateNotification
from mock_server.timefmt import parse_timestamp

_FAULT_KEYS = frozenset({"status", "latency_ms", "sse_error", "sse_drop", "count", "path"})
_BATCH_KEYS = frozenset({"dataset_id", "view_name", "result_count", "batch_id"})


class ControlGuard:
    """Serve loopback clients only, or (with a token) clients that present it."""

    def __init__(self, app: ASGIApp, token: str | None) -> None:
        self.app = app
        self.token = token

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and not self._allowed(scope):
            detail = (
                "The control plane needs the X-Mock-Token header"
                if self.token
                else "The control plane answers loopback clients only"
            )
            response = error_response(_Forbidden(detail))
            await response(scope, receive, send)
            return
        await self.app(scope, receive, send)

    def _allowed(self, scope: Scope) -> bool:
        if self.token is not None:
            for name, value in scope["headers"]:
                if name == b"x-mock-token":
                    return hmac.compare_digest(bytes(value), self.token.encode("latin-1"))
            return False
        client = scope.get("client")
        if not client:
            return True  # in-process transports have no peer address
        try:
            return bool(ipaddress.ip_address(client[0]).is_loopback)
        except ValueError:
            return client[0] in ("testclient", "localhost")


class _Forbidden(Conflict):
    status_code = 403


def control_routes(rt: MockRuntime) -> list[BaseRoute]:
    """The ``/_mock`` routes, bound to one runtime."""

    async def health(request: Request) -> Response:
        return json_response(200, rt.health())

    async def users(request: Request) -> Response:
        return json_response(200, [_credentials(rt, u) for u in rt.users.values()])

    async def login(request: Request) -> Response:
        name = request.query_params.get("user")
        if not name:
            raise RequestInvalid([field_error(["query", "user"], "Field required", "missing")])
        user = _user(rt, name)
        target = request.query_params.get("next")
        response: Response
        if target:
            response = RedirectResponse(target, status_code=303)
        else:
            response = json_response(200, {"user": user.name, "user_id": user.user_id})
        response.set_cookie("SESSION", user.session, httponly=True, samesite="lax", path="/")
        return response

    async def notifications(request: Request) -> Response:
        body = await _json_body(request)
        many = isinstance(body, list)
        entries = body if many else [body]
        for i, entry in enumerate(entries):
            if not isinstance(entry, dict):
                loc: list[str | int] = ["body", i] if many else ["body"]
                raise RequestInvalid(
                    [field_error(loc, "Input should be an object", "model_type", entry)]
                )
        try:
            made = rt.inject(entries)
        except KeyError as exc:
            raise NotFound(f"Unknown user {exc.args[0]!r}") from None
        except EntryError as exc:
            loc = ["body", *([exc.index] if many else []), *exc.field.split(".")]
            raise RequestInvalid([field_error(loc, str(exc), "value_error")]) from None
        except DuplicateNotification as exc:
            raise Conflict(str(exc)) from None
        out = [n.to_dict() for n in made]
        return json_response(201, out if many else out[0])

    async def batches(request: Request) -> Response:
        body = _object(await _json_body(request), _BATCH_KEYS)
        dataset = body.get("dataset_id")
        if not isinstance(dataset, str):
            raise _invalid("dataset_id", "A dataset's id or name is required", dataset)
        view = body.get("view_name")
        if view is not None and not isinstance(view, str):
            raise _invalid("view_name", "Input should be a string", view)
        count = body.get("result_count")
        if count is not None and (
            isinstance(count, bool) or not isinstance(count, int) or count < 1
        ):
            raise _invalid("result_count", "Input should be an integer of 1 or more", count)
        batch_id = body.get("batch_id")
        if batch_id is not None:
            batch_id = _uuid(batch_id, "batch_id")
        ds, batch, made = rt.process_batch(
            dataset, view_name=view, result_count=count, batch_id=batch_id
        )
        return json_response(
            201,
            {
                "batch_id": batch,
                "dataset_id": ds.dataset_id,
                "notifications": [n.to_dict() for n in made],
            },
        )

    async def clock(request: Request) -> Response:
        return json_response(200, rt.clock_info())

    async def advance(request: Request) -> Response:
        body = _object(await _json_body(request), frozenset({"seconds"}))
        seconds = body.get("seconds")
        if (
            isinstance(seconds, bool)
            or not isinstance(seconds, int | float)
            or not math.isfinite(seconds)
            or seconds < 0
        ):
            raise _invalid("seconds", "Input should be a number of seconds, 0 or more", seconds)
        await rt.advance(float(seconds))
        return json_response(200, rt.clock_info())

    async def set_clock(request: Request) -> Response:
        body = _object(await _json_body(request), frozenset({"now"}))
        raw = body.get("now")
        try:
            micros = parse_timestamp(raw) if isinstance(raw, str) else None
        except ValueError:
            micros = None
        if micros is None:
            raise _invalid(
                "now", "Input should be a timestamp like 2026-03-31T17:02:12.432489", raw
            )
        try:
            await rt.set_time(micros)
        except ClockError as exc:
            raise Conflict(str(exc)) from None
        return json_response(200, rt.clock_info())

    async def reset(request: Request) -> Response:
        rt.reset()
        return json_response(200, rt.health())

    async def faults(request: Request) -> Response:
        if request.method == "DELETE":
            rt.faults.clear()
            return json_response(200, {"faults": []})
        if request.method == "GET":
            return json_response(200, {"faults": rt.faults.describe()})
        body = _object(await _json_body(request), _FAULT_KEYS)
        _arm(rt, body)
        return json_response(201, {"faults": rt.faults.describe()})

    async def streams(request: Request) -> Response:
        if request.method == "DELETE":
            return json_response(200, {"closed": await rt.close_streams()})
        return json_response(200, {"open": rt.scheduler.subscribers})

    async def state(request: Request) -> Response:
        limit = 1000
        every = sorted(rt.store.all_notifications(), key=lambda n: n.key, reverse=True)
        return json_response(
            200,
            {
                "users": [{**_describe(u), **_counts(rt, u)} for u in rt.users.values()],
                "datasets": [
                    {
                        "dataset_id": d.dataset_id,
                        "name": d.name,
                        "members": list(d.members),
                        "views": [v.name for v in d.views],
                    }
                    for d in rt.directory.datasets.values()
                ],
                "notifications": {
                    "total": len(every),
                    "shown": min(limit, len(every)),
                    "newest": [n.to_dict() for n in every[:limit]],
                },
                "faults": rt.faults.describe(),
                "streams": rt.scheduler.subscribers,
                "clock": rt.clock_info(),
            },
        )

    return [
        Route("/health", health, methods=["GET"]),
        Route("/users", users, methods=["GET"]),
        Route("/login", login, methods=["GET"]),
        Route("/notifications", notifications, methods=["POST"]),
        Route("/batches", batches, methods=["POST"]),
        Route("/clock", clock, methods=["GET"]),
        Route("/clock/advance", advance, methods=["POST"]),
        Route("/clock/set", set_clock, methods=["POST"]),
        Route("/reset", reset, methods=["POST"]),
        Route("/faults", faults, methods=["GET", "POST", "DELETE"]),
        Route("/streams", streams, methods=["GET", "DELETE"]),
        Route("/state", state, methods=["GET"]),
    ]


def _arm(rt: MockRuntime, body: dict[str, Any]) -> None:
    kinds = [k for k in ("status", "latency_ms", "sse_error", "sse_drop") if k in body]
    if len(kinds) != 1:
        raise _invalid(
            kinds[1] if kinds else "status",
            "Give exactly one of status, latency_ms, sse_error, sse_drop",
            None,
        )
    kind = kinds[0]
    value = _int(body, kind, 400 if kind == "status" else 0 if kind == "latency_ms" else 1)
    if kind == "status" and value > 599:
        raise _invalid("status", "Input should be an HTTP status from 400 to 599", value)
    if kind == "sse_error":
        rt.faults.sse_error += value
        return
    if kind == "sse_drop":
        rt.faults.sse_drop += value
        return
    count = _int(body, "count", 1) if "count" in body else 1
    path = body.get("path", "/api/v1")
    if not isinstance(path, str) or not path.startswith("/"):
        raise _invalid("path", "Input should be a path starting with /", path)
    if path.startswith("/_mock"):
        raise _invalid("path", "The control plane is never faulted", path)
    rt.faults.add_http(
        HttpFault(
            path=path,
            remaining=count,
            status=value if kind == "status" else None,
            latency_ms=value if kind == "latency_ms" else None,
        )
    )


def _int(body: dict[str, Any], key: str, minimum: int) -> int:
    value = body.get(key)
    if isinstance(value, bool) or not isinstance(value, int) or value < minimum:
        raise _invalid(key, f"Input should be an integer of {minimum} or more", value)
    return value


def _invalid(field: str, msg: str, value: Any) -> RequestInvalid:
    return RequestInvalid([field_error(["body", field], msg, "value_error", value)])


async def _json_body(request: Request) -> Any:
    raw = await request.body()
    try:
        return orjson.loads(raw)
    except orjson.JSONDecodeError:
        raise RequestInvalid([field_error(["body"], "JSON decode error", "json_invalid")]) from None


def _object(body: Any, allowed: frozenset[str]) -> dict[str, Any]:
    if not isinstance(body, dict):
        raise RequestInvalid(
            [field_error(["body"], "Input should be an object", "model_type", body)]
        )
    for key in body:
        if key not in allowed:
            raise _invalid(
                key, f"Unknown field; expected one of {', '.join(sorted(allowed))}", body[key]
            )
    return body


def _uuid(value: Any, field: str) -> str:
    try:
        if isinstance(value, str):
            return str(uuid.UUID(value))
    except ValueError:
        pass
    raise _invalid(field, "Input should be a valid UUID", value)


def _user(rt: MockRuntime, name: str) -> User:
    user = rt.directory.find_user(name)
    if user is None:
        raise NotFound(f"Unknown user {name!r}")
    return user


def _describe(user: User) -> dict[str, Any]:
    return {
        "name": user.name,
        "user_id": user.user_id,
        "api_key": user.api_key,
        "api_secret": user.api_secret,
        "session": user.session,
    }


def _credentials(rt: MockRuntime, user: User) -> dict[str, Any]:
    return {
        **_describe(user),
        "token": rt.token(user),
        "datasets": [d.dataset_id for d in rt.directory.datasets_of(user)],
    }


def _counts(rt: MockRuntime, user: User) -> dict[str, int]:
    total, unread = rt.store.count_for(user.user_id)
    return {"notifications": total, "unread": unread}
