"""Shared fixtures: one mock per session on a manual clock, reset before each test, and HTTP
clients that validate every response the mock sends against its OpenAPI document."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Iterator
from contextlib import ExitStack
from dataclasses import replace
from pathlib import Path
from typing import Any

import httpx
import pytest

from contract_tests.openapi_validation import SpecValidator
from mock_server import MockConfig, MockServer, create_app

ROOT = Path(__file__).resolve().parent.parent
SPEC = ROOT / "openapi.yaml"
CONTROL_SPEC = ROOT / "mock_server" / "control-openapi.yaml"


@pytest.fixture(scope="session")
def api_spec() -> SpecValidator:
    return SpecValidator(SPEC)


@pytest.fixture(scope="session")
def control_spec() -> SpecValidator:
    return SpecValidator(CONTROL_SPEC)


def validating_hook(api: SpecValidator, control: SpecValidator) -> Callable[[httpx.Response], None]:
    """An httpx response hook: every response is checked against the spec of its path."""

    def check(response: httpx.Response) -> None:
        path = response.request.url.path
        spec = control if path.startswith("/_mock") else api
        template = spec.template_for(path)
        method = response.request.method.lower()
        if template is None or method not in spec.document["paths"][template]:
            return  # undeclared paths and methods: their 404/405 is checked by the tests themselves
        content_type = response.headers.get("content-type", "")
        if content_type.startswith("text/event-stream"):
            spec.response_schema_pointer(
                response.request.method, path, response.status_code, content_type
            )
            return
        response.read()
        spec.validate_response(
            response.request.method, path, response.status_code, content_type, response.content
        )

    return check


@pytest.fixture(scope="session")
def session_mock() -> Iterator[MockServer]:
    with MockServer(clock="manual") as mock:
        yield mock


@pytest.fixture
def mock(session_mock: MockServer) -> MockServer:
    """The session's mock, back at its start state."""
    session_mock.reset()
    return session_mock


@pytest.fixture
def client(
    mock: MockServer, api_spec: SpecValidator, control_spec: SpecValidator
) -> Iterator[httpx.Client]:
    """An unauthenticated client whose responses are validated against the specs."""
    with httpx.Client(
        base_url=mock.url,
        timeout=10,
        event_hooks={"response": [validating_hook(api_spec, control_spec)]},
    ) as c:
        yield c


@pytest.fixture
def alice(client: httpx.Client, mock: MockServer) -> httpx.Client:
    """``client`` authenticated as alice (a fresh token per request is not needed)."""
    client.headers["Authorization"] = f"Bearer {mock.token('alice')}"
    return client


@pytest.fixture
def bob(
    mock: MockServer, api_spec: SpecValidator, control_spec: SpecValidator
) -> Iterator[httpx.Client]:
    with httpx.Client(
        base_url=mock.url,
        timeout=10,
        headers={"Authorization": f"Bearer {mock.token('bob')}"},
        event_hooks={"response": [validating_hook(api_spec, control_spec)]},
    ) as c:
        yield c


def async_validating_hook(
    api: SpecValidator, control: SpecValidator
) -> Callable[[httpx.Response], Awaitable[None]]:
    """``validating_hook`` for an ``httpx.AsyncClient``."""
    check = validating_hook(api, control)

    async def acheck(response: httpx.Response) -> None:
        if not response.headers.get("content-type", "").startswith("text/event-stream"):
            await response.aread()
        check(response)

    return acheck


class InProcessTransport(httpx.BaseTransport):
    """Sends each request to an ASGI app in this process (no socket, no server thread), from a
    given client address. For tests of configurations that need their own app: far cheaper
    than a server per test. The app's lifespan is not run, so streams are out of scope."""

    def __init__(self, app: Any, client: tuple[str, int] = ("127.0.0.1", 50000)) -> None:
        self._transport = httpx.ASGITransport(app, client=client)

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        async def send() -> httpx.Response:
            response = await self._transport.handle_async_request(request)
            body = await response.aread()
            return httpx.Response(
                response.status_code, headers=response.headers, content=body, request=request
            )

        return asyncio.run(send())


AppClientFactory = Callable[..., httpx.Client]


@pytest.fixture
def app_client(api_spec: SpecValidator, control_spec: SpecValidator) -> Iterator[AppClientFactory]:
    """``app_client(client=("10.0.0.7", 5000), seed=3, ...)``: a validating client on a fresh
    in-process app built from ``MockConfig(clock="manual", **overrides)``, its responses
    validated against the spec it serves. The app is at ``client.app`` (its runtime at
    ``client.app.state.runtime``)."""
    with ExitStack() as stack:

        def make(
            config: MockConfig | None = None,
            *,
            client: tuple[str, int] = ("127.0.0.1", 50000),
            **overrides: Any,
        ) -> httpx.Client:
            config = replace(config or MockConfig(clock="manual"), **overrides)
            app = create_app(config)
            # responses are checked against the document the app serves
            api = api_spec if config.spec_path is None else SpecValidator(config.spec_path)
            control = control_spec if config.control else SpecValidator({"paths": {}})
            c = stack.enter_context(
                httpx.Client(
                    base_url="http://mock.test",
                    transport=InProcessTransport(app, client),
                    event_hooks={"response": [validating_hook(api, control)]},
                )
            )
            c.app = app  # type: ignore[attr-defined]
            return c

        yield make


@pytest.fixture(scope="session")
def response_hook(
    api_spec: SpecValidator, control_spec: SpecValidator
) -> Callable[[httpx.Response], None]:
    """The validating hook, for tests that build their own clients (``event_hooks``)."""
    return validating_hook(api_spec, control_spec)


@pytest.fixture(scope="session")
def async_response_hook(
    api_spec: SpecValidator, control_spec: SpecValidator
) -> Callable[[httpx.Response], Awaitable[None]]:
    """The validating hook for an ``httpx.AsyncClient``."""
    return async_validating_hook(api_spec, control_spec)
