"""The app factory: ``create_app(config)`` builds a Starlette app from the spec and a runtime.

    request ─> CORS ─> router ─┬─ /api/v1/... (one route per spec path, a raw ASGI endpoint)
                               │     faults ─> auth (401) ─> spec validation (422) ─> handler
                               └─ /_mock/... control plane (loopback or token guard)

Routes, methods and parameter validation come from ``openapi.yaml``: every ``operationId`` must
have a handler in :mod:`mock_server.api`, and no handler is served without its operation.
Undeclared paths answer 404 and undeclared methods 405 with an ``Allow`` header, both as
``{"detail": ...}``.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator

from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.middleware import Middleware
from starlette.middleware.cors import CORSMiddleware
from starlette.routing import BaseRoute, Mount, Route
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from mock_server.api import HANDLERS
from mock_server.clock import Clock
from mock_server.config import DEFAULT_CORS_ORIGIN_REGEX, MockConfig
from mock_server.control import ControlGuard, control_routes
from mock_server.endpoint import MethodDispatch, OperationEndpoint
from mock_server.errors import (
    MockError,
    handle_http_exception,
    handle_mock_error,
    handle_unexpected,
)
from mock_server.runtime import MockRuntime
from mock_server.spec import Operation, SpecError
from mock_server.store import Store


def create_app(
    config: MockConfig | None = None, *, store: Store | None = None, clock: Clock | None = None
) -> Starlette:
    """Build a mock app. ``app.state.runtime`` is its :class:`MockRuntime`."""
    config = config or MockConfig()
    runtime = MockRuntime(config, store=store, clock=clock)
    routes: list[BaseRoute] = _api_routes(runtime)
    if config.control:
        routes.append(
            Mount(
                "/_mock",
                routes=control_routes(runtime),
                middleware=[Middleware(ControlGuard, token=config.control_token)],
            )
        )

    @contextlib.asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        task = asyncio.create_task(runtime.scheduler.run(), name="mock-stream-scheduler")
        try:
            yield
        finally:
            runtime.scheduler.close_all()
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task

    app = Starlette(
        routes=routes,
        middleware=[_cors(config)],
        exception_handlers={
            MockError: handle_mock_error,
            HTTPException: handle_http_exception,
            Exception: handle_unexpected,
        },
        lifespan=lifespan,
    )
    app.state.runtime = runtime
    return app


def _cors(config: MockConfig) -> Middleware:
    origins = list(config.cors_origins)
    regex: str | None = None
    if not origins:
        regex = DEFAULT_CORS_ORIGIN_REGEX
    elif "*" in origins:  # echo any origin; never answer a literal "*" to a credentialed call
        origins, regex = [], r".*"
    return Middleware(
        _OwnOriginsCORS,
        allow_origins=origins,
        allow_origin_regex=regex,
        allow_credentials=True,
        allow_methods=["GET", "POST", "DELETE"],  # DELETE: the control plane's faults, streams
        allow_headers=["Authorization", "Content-Type", "Last-Event-ID", "X-Mock-Token"],
        max_age=600,
    )


class _OwnOriginsCORS(CORSMiddleware):
    """Starlette's CORS for the allowed origins; a request from any other origin is served as
    if it had no ``Origin`` at all: no ``Access-Control-*`` header (Starlette would still send
    ``Allow-Credentials`` and answer its preflight 400 in plain text), so a preflight from a
    foreign page gets the API's own 405."""

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await super().__call__(scope, receive, send)
            return
        origin = next((v for k, v in scope["headers"] if k == b"origin"), None)
        if origin is None:
            # Not a browser's cross-origin request (curl, SDKs, tests, a same-origin page): all
            # Starlette would add is ``Vary: Origin``, so add just that, on the hot path, without
            # its per-request header objects.
            await self.app(scope, receive, _vary_origin(send))
            return
        if not self.is_allowed_origin(origin.decode("latin-1")):
            await self.app(scope, receive, send)
            return
        await super().__call__(scope, receive, send)


def _vary_origin(send: Send) -> Send:
    """``send`` with ``Origin`` added to the response's ``Vary`` (one header, as Starlette
    writes it), so a cache never serves this answer to a cross-origin page."""

    async def sender(message: Message) -> None:
        if message["type"] == "http.response.start":
            # a new list: the response's own may be reused, and must not gather Vary headers
            raw = list(message.get("headers", ()))
            if any(k.lower() == b"vary" for k, _ in raw):
                varies = [v for k, v in raw if k.lower() == b"vary"]
                raw = [(k, v) for k, v in raw if k.lower() != b"vary"]
                raw.append((b"vary", b", ".join([*varies, b"Origin"])))
            else:
                raw.append((b"vary", b"Origin"))
            message["headers"] = raw
        await send(message)

    return sender


def _api_routes(runtime: MockRuntime) -> list[BaseRoute]:
    by_path: dict[str, dict[str, Operation]] = {}
    for op in runtime.spec.operations:
        if op.operation_id not in HANDLERS:
            raise SpecError(
                f"{runtime.spec.source}: operation {op.operation_id!r} has no handler in the mock"
            )
        by_path.setdefault(op.path, {})[op.method] = op
    routes: list[BaseRoute] = []
    for path, ops in by_path.items():
        endpoints = {
            m: OperationEndpoint(runtime, op, HANDLERS[op.operation_id]) for m, op in ops.items()
        }
        app: ASGIApp = (
            next(iter(endpoints.values())) if len(endpoints) == 1 else MethodDispatch(endpoints)
        )
        # an ASGI app, not a function: Starlette runs it as it is, without a Request per call
        route = Route(path, app, methods=list(ops))
        route.methods = set(ops)  # exactly the declared methods: no implicit HEAD, as FastAPI
        routes.append(route)
    return routes
