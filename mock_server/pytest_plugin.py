"""pytest fixtures for the mock, registered through the ``pytest11`` entry point: installing the
package is enough, no ``-p`` or ``pytest_plugins`` needed.

    def test_an_alert_reaches_the_stream(vlmock, vlmock_clock, vlmock_client):
        with vlmock_client.stream("GET", "/api/v1/notifications/stream") as stream:
            vlmock.inject(user="alice", metadata={"view_name": "icecream"})
            vlmock_clock.advance(3)  # returns once the poll and the ping are written
            vlmock.close_streams()  # ends the stream, so read() returns
            assert stream.read().startswith(b"event: notification")

No logic lives here: every fixture is a thin call into :class:`mock_server.MockServer`. One
server runs for the whole session; ``vlmock`` resets it before each test (notifications, read
state and faults; the clock keeps its time). Every fixture can be overridden in a conftest by
defining one of the same name, for example ``vlmock_config`` (session-scoped) to change how the
mock is built, or ``vlmock_token`` to make ``vlmock_client`` another user. An override may ask
for the fixture it replaces to extend it.
"""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest

from mock_server.config import MockConfig
from mock_server.server import ClockHandle, MockServer


@pytest.fixture(scope="session")
def vlmock_config() -> MockConfig:
    """The session mock's configuration: a manual clock, the bundled fixtures."""
    return MockConfig(clock="manual")


@pytest.fixture(scope="session")
def vlmock_session(vlmock_config: MockConfig) -> Iterator[MockServer]:
    """One mock server for the whole session, on a free port."""
    with MockServer(vlmock_config) as server:
        yield server


@pytest.fixture
def vlmock(vlmock_session: MockServer) -> MockServer:
    """The session's mock, reset to its start state (and no faults) for this test."""
    vlmock_session.reset()
    return vlmock_session


@pytest.fixture
def vlmock_clock(vlmock: MockServer) -> ClockHandle:
    """The mock's clock: ``advance(seconds)`` returns once due stream events are written."""
    return vlmock.clock


@pytest.fixture
def vlmock_token(vlmock: MockServer) -> str:
    """A bearer token for ``alice``, minted at the mock's now."""
    return vlmock.token("alice")


@pytest.fixture
def vlmock_client(vlmock: MockServer, vlmock_token: str) -> Iterator[httpx.Client]:
    """An ``httpx.Client`` on the mock's URL, authenticated as ``alice``."""
    with httpx.Client(
        base_url=vlmock.url, headers={"Authorization": f"Bearer {vlmock_token}"}
    ) as client:
        yield client
