"""The kit leaves nothing open on the server it checks: a stream it closes ends on the server
at once, not at the server's next write (which, on a manual clock, may never come)."""

from __future__ import annotations

import httpx
import pytest

from contract_tests.sse import Stream
from mock_server import MockServer


def open_streams(client: httpx.Client) -> int:
    count: int = client.get("/_mock/streams").json()["open"]
    return count


def test_a_stream_the_kit_closes_ends_on_the_server_without_a_write(
    mock: MockServer, client: httpx.Client
) -> None:
    with Stream(mock.url, mock.headers(), None, http_timeout=5, sse_timeout=5) as stream:
        assert stream.status == 200
        assert open_streams(client) == 1
    # the manual clock has not moved, so the server has written nothing since the headers:
    # only the kit's close can end the stream
    for _ in range(5_000):
        if open_streams(client) == 0:
            break
    else:
        pytest.fail("the server still holds the stream the kit closed")
    assert stream.events == []
