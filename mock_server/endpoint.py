"""One spec operation served as a raw ASGI app: faults, auth, validation, handler, response.

This is the mock's hot path, so it reads what it needs straight from the ASGI scope instead of
building a Starlette ``Request`` and ``Response`` per call: the two headers auth looks at, the
query string and the router's path parameters. The semantics are Starlette's: header names
are lowercase in the scope and the first ``Authorization`` wins; cookies from every ``Cookie``
header; the query string is decoded as Starlette's ``QueryParams`` does, the last repeat
winning. Errors are raised, as from any endpoint, and become ``{"detail": ...}`` bodies in
the app's exception handlers (:mod:`mock_server.errors`).
"""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType
from urllib.parse import parse_qsl

from starlette.requests import cookie_parser
from starlette.types import ASGIApp, Receive, Scope, Send

from mock_server.api import Handler
from mock_server.errors import InjectedFault
from mock_server.runtime import MockRuntime
from mock_server.spec import Operation
from mock_server.validation import OperationValidator

_JSON = b"application/json"
_NO_QUERY: Mapping[str, str] = MappingProxyType({})


class OperationEndpoint:
    """The ASGI app of one operation; a handler's ``bytes`` are sent as a 200 JSON body, any
    other answer is an ASGI app (the event stream) and is run as the response."""

    __slots__ = ("_authenticate", "_faults", "_handler", "_runtime", "_validate", "operation_id")

    def __init__(self, runtime: MockRuntime, operation: Operation, handler: Handler) -> None:
        self._runtime = runtime
        self._handler = handler
        self._validate = OperationValidator(operation).validate
        self._authenticate = runtime.auth.authenticate
        self._faults = runtime.faults
        self.operation_id = operation.operation_id

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if self._faults.armed:
            await _apply_faults(self._runtime, scope["path"])
        authorization: str | None = None
        cookies: list[bytes] = []
        for name, value in scope["headers"]:
            if name == b"authorization":
                if authorization is None:
                    authorization = value.decode("latin-1")
            elif name == b"cookie":
                cookies.append(value)
        user = self._authenticate(
            authorization, None if authorization is not None else _session(cookies)
        )
        raw_query: bytes = scope["query_string"]
        query = (
            dict(parse_qsl(raw_query.decode("latin-1"), keep_blank_values=True))
            if raw_query
            else _NO_QUERY
        )
        params = self._validate(query, scope["path_params"])
        answer = await self._handler(self._runtime, user, params)
        if isinstance(answer, bytes):
            await send(
                {
                    "type": "http.response.start",
                    "status": 200,
                    "headers": [
                        (b"content-length", str(len(answer)).encode()),
                        (b"content-type", _JSON),
                    ],
                }
            )
            await send({"type": "http.response.body", "body": answer})
        else:
            await answer(scope, receive, send)


class MethodDispatch:
    """The ASGI app of a path with several operations: each method to its own endpoint (the
    router has already answered 405 to any other)."""

    __slots__ = ("_by_method",)

    def __init__(self, by_method: Mapping[str, ASGIApp]) -> None:
        self._by_method = dict(by_method)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        await self._by_method[scope["method"]](scope, receive, send)


def _session(cookie_headers: list[bytes]) -> str | None:
    if not cookie_headers:
        return None
    cookies: dict[str, str] = {}
    for header in cookie_headers:
        cookies.update(cookie_parser(header.decode("latin-1")))
    return cookies.get("SESSION")


async def _apply_faults(runtime: MockRuntime, path: str) -> None:
    status, latency_ms = runtime.faults.take(path)
    if latency_ms:
        await runtime.clock.sleep_until(runtime.clock.now() + latency_ms / 1000)
    if status is not None:
        raise InjectedFault(status, f"Injected fault: HTTP {status}")
