"""The documentation's Python SSE example, run as written against the mock: it prints its
``Alert:`` lines for the alerts injected while it listens, and nothing for pings or for a
notification that is not an alert.

Only the two placeholders are substituted (the base URL and the JWT). The example loops until
the server ends the stream, so it runs in a thread and ``DELETE /_mock/streams`` ends it once
the clock has moved past the poll.
"""

from __future__ import annotations

import functools
import threading
from collections.abc import Callable, Iterator
from typing import Any
from urllib.parse import urlsplit

import httpx
import pytest
import requests
from httpx_sse import EventSource

from contract_tests.openapi_validation import SpecValidator
from mock_server import MockServer

STREAM = "/api/v1/notifications/stream"
STREETS = "5d2e8f1a-3c4b-4a6d-9e7f-1b2c3d4e5f60"

# "Real-Time Notification Stream (SSE)" > "Python Example", copied verbatim
DOC_EXAMPLE = """\
import requests
import json

VL_BASE_URL = "https://app.visual-layer.com"
JWT_TOKEN = "<your-jwt-token>"

headers = {"Authorization": f"Bearer {JWT_TOKEN}"}

# Open SSE stream
resp = requests.get(
    f"{VL_BASE_URL}/api/v1/notifications/stream",
    headers=headers,
    stream=True,
)

for line in resp.iter_lines(decode_unicode=True):
    if line.startswith("data: ") and line.strip() != "data:":
        data = json.loads(line[6:])
        if "metadata" in data and data["metadata"].get("is_alert"):
            print(f"Alert: {data['metadata']['view_name']}")
            print(f"  {data['metadata']['result_count']} new results")
"""


def substitute(code: str, **values: str) -> str:
    """Replace each placeholder string literal of the example, which must occur exactly once."""
    for placeholder, value in values.items():
        literal = f'"{placeholder}"'
        assert code.count(literal) == 1, f"the example has no single {literal}"
        code = code.replace(literal, repr(value))
    return code


def run_in_thread(code: str) -> tuple[threading.Thread, list[BaseException]]:
    errors: list[BaseException] = []

    def run() -> None:
        try:
            exec(compile(code, "notifications-api: Python Example", "exec"), {"__name__": "doc"})
        except BaseException as exc:
            errors.append(exc)

    thread = threading.Thread(target=run, name="doc-python-example", daemon=True)
    thread.start()
    return thread, errors


def wait_for_open_streams(client: httpx.Client, count: int, thread: threading.Thread) -> None:
    """Return once ``count`` streams are open (the example's request is in flight until then)."""
    for _ in range(20_000):
        if client.get("/_mock/streams").json()["open"] >= count:
            return
        assert thread.is_alive(), "the example ended before its stream opened"
    pytest.fail(f"{count} streams did not open")


@pytest.fixture
def checked_requests(monkeypatch: pytest.MonkeyPatch, api_spec: SpecValidator) -> list[int]:
    """``requests.get`` as the example calls it, with a hook that checks the response's status
    and content type are ones openapi.yaml declares for the path."""
    seen: list[int] = []

    def check(response: requests.Response, *args: Any, **kwargs: Any) -> None:
        path = urlsplit(response.url).path
        api_spec.response_schema_pointer(
            "GET", path, response.status_code, response.headers.get("content-type", "")
        )
        seen.append(response.status_code)

    monkeypatch.setattr(requests, "get", functools.partial(requests.get, hooks={"response": check}))
    return seen


@pytest.fixture
def twin_stream(
    client: httpx.Client, mock: MockServer, api_spec: SpecValidator
) -> Iterator[Callable[[], list[tuple[str, Any]]]]:
    """A second stream for alice, opened first, whose events are validated against the spec:
    the same events the example's stream is sent."""
    with client.stream("GET", STREAM, headers=mock.headers("alice")) as response:
        assert response.status_code == 200

        def events() -> list[tuple[str, Any]]:
            return [
                (sse.event, api_spec.validate_event(STREAM, {"event": sse.event, "data": sse.data}))
                for sse in EventSource(response).iter_sse()
            ]

        yield events


def test_the_documentations_python_example_prints_an_alert_for_each_injected_alert(
    client: httpx.Client,
    mock: MockServer,
    capsys: pytest.CaptureFixture[str],
    checked_requests: list[int],
    twin_stream: Callable[[], list[tuple[str, Any]]],
) -> None:
    code = substitute(
        DOC_EXAMPLE,
        **{"https://app.visual-layer.com": mock.url, "<your-jwt-token>": mock.token("alice")},
    )
    thread, errors = run_in_thread(code)
    wait_for_open_streams(client, 2, thread)  # the twin's and the example's

    client.post(
        "/_mock/notifications",
        json={"user": "alice", "metadata": {"view_name": "icecream", "result_count": 12}},
    )
    client.post(
        "/_mock/notifications",
        json={"user": "alice", "metadata": {"view_name": "quiet view", "is_alert": False}},
    )
    client.post(
        "/_mock/batches",
        json={"dataset_id": STREETS, "view_name": "cyclists at night", "result_count": 3},
    )
    client.post("/_mock/notifications", json={"user": "bob", "metadata": {"view_name": "bobs"}})
    client.post("/_mock/clock/advance", json={"seconds": 6})  # two polls, two pings
    client.delete("/_mock/streams")  # ends both streams: the example's loop ends
    thread.join(timeout=10)

    assert not thread.is_alive(), "the example did not finish when its stream ended"
    assert errors == []
    assert checked_requests == [200]
    assert capsys.readouterr().out.splitlines() == [
        "Alert: icecream",
        "  12 new results",
        "Alert: cyclists at night",
        "  3 new results",
    ]
    assert [kind for kind, _ in twin_stream()] == ["notification"] * 3 + ["ping", "ping"]


def test_the_documentations_python_example_is_refused_with_a_bad_token(
    client: httpx.Client, mock: MockServer, checked_requests: list[int]
) -> None:
    # the example does not check the status: the 401 body has no "data: " line, so it prints
    # nothing and ends
    code = substitute(
        DOC_EXAMPLE,
        **{"https://app.visual-layer.com": mock.url, "<your-jwt-token>": "not-a-jwt"},
    )
    thread, errors = run_in_thread(code)
    thread.join(timeout=10)
    assert not thread.is_alive()
    assert errors == []
    assert checked_requests == [401]
    assert client.get("/_mock/streams").json() == {"open": 0}
