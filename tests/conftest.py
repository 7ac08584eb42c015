"""Shared fixtures: one mock per session on a manual clock, reset before each test, and HTTP
clients that validate every response the mock sends against its OpenAPI document."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from contract_tests.openapi_validation import SpecValidator
from mock_server import MockServer

ROOT = Path(__file__).resolve().parent.parent
SPEC = ROOT / "openapi.yaml"
CONTROL_SPEC = ROOT / "mock_server" / "control-openapi.yaml"


@pytest.fixture(scope="session")
def api_spec() -> SpecValidator:
    return SpecValidator(SPEC)


@pytest.fixture(scope="session")
def control_spec() -> SpecValidator:
    return SpecValidator(CONTROL_SPEC)


def validating_hook(api: SpecValidator, control: SpecValidator):  # type: ignore[no-untyped-def]
    """An httpx response hook: every response is checked against the spec of its path."""

    def check(response: httpx.Response) -> None:
        path = response.request.url.path
        spec = control if path.startswith("/_mock") else api
        if spec is api and spec.template_for(path) is None:
            return  # undeclared paths: their 404/405 shape is checked by the tests themselves
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
