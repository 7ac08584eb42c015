"""Something failing inside the stream's poll is an ``error`` event, as documented ("the
connection remains open"): the stream goes on, and nothing stored meanwhile is lost."""

from __future__ import annotations

import logging
from typing import Any

import httpx
import pytest
from httpx_sse import EventSource

from contract_tests.openapi_validation import SpecValidator
from mock_server import MockServer
from mock_server.models import Notification
from mock_server.store import Store

STREAM = "/api/v1/notifications/stream"


class FailingStore(Store):
    """A store whose next ``failures`` stream reads raise, as a lost database would."""

    def __init__(self) -> None:
        super().__init__()
        self.failures = 0

    def arrived_since(self, user_id: str, cursor: int) -> tuple[list[Notification], int]:
        if self.failures:
            self.failures -= 1
            raise ConnectionError("the database went away")
        return super().arrived_since(user_id, cursor)


def test_a_failing_poll_is_an_error_event_and_the_stream_goes_on_without_losing_anything(
    api_spec: SpecValidator, caplog: pytest.LogCaptureFixture
) -> None:
    store = FailingStore()
    with (
        MockServer(clock="manual", store=store) as mock,
        httpx.Client(base_url=mock.url, timeout=10) as client,
        client.stream("GET", STREAM, headers=mock.headers()) as response,
    ):
        assert response.status_code == 200
        [made] = mock.inject(user="alice")
        store.failures = 1
        mock.clock.advance(3)  # this poll fails
        mock.clock.advance(3)  # this one delivers what the failed one could not
        client.delete("/_mock/streams")
        events: list[tuple[str, Any]] = [
            (sse.event, api_spec.validate_event(STREAM, {"event": sse.event, "data": sse.data}))
            for sse in EventSource(response).iter_sse()
        ]
    assert [kind for kind, _ in events] == ["error", "ping", "notification", "ping"]
    assert isinstance(events[0][1]["detail"], str)
    assert "database" not in events[0][1]["detail"]  # internals stay in the log
    assert events[2][1] == made.to_dict()
    failures = [r for r in caplog.records if r.levelno >= logging.ERROR]
    assert [r.getMessage() for r in failures] == ["polling notifications failed"]
