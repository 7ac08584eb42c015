"""The notification stream on a manual clock: cadence, delivery, filters, faults, clean-up.

Each test opens streams, moves the mock's clock, then ends every stream through
``DELETE /_mock/streams`` (which returns once what was due has been written) and reads each
stream to its end. So the exact sequence of events is known without waiting on real time.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from typing import Any

import httpx
import pytest
from httpx_sse import EventSource

from contract_tests.openapi_validation import SpecValidator
from mock_server import MockServer

STREAM = "/api/v1/notifications/stream"
ICE_CREAM = "a981fc0c-2d1f-11f1-a7ca-d2580fa2deac"
STREETS = "5d2e8f1a-3c4b-4a6d-9e7f-1b2c3d4e5f60"


class Stream:
    """An open stream whose events are read after the server ends it."""

    def __init__(self, response: httpx.Response, spec: SpecValidator) -> None:
        self.response = response
        self._spec = spec

    def events(self) -> list[tuple[str, Any]]:
        """Every event until the end of the stream, each validated against openapi.yaml."""
        out = []
        for sse in EventSource(self.response).iter_sse():
            data = self._spec.validate_event(
                STREAM,
                {"event": sse.event, "data": sse.data, "id": sse.id or None, "retry": sse.retry},
            )
            out.append((sse.event, data))
        return out

    def kinds(self) -> list[str]:
        return [kind for kind, _ in self.events()]


@pytest.fixture
def open_stream(client: httpx.Client, mock: MockServer, api_spec: SpecValidator) -> Iterator[Any]:
    with ExitStack() as stack:

        @contextmanager
        def _open_one(user: str = "alice", **params: str) -> Iterator[Stream]:
            headers = {"Authorization": f"Bearer {mock.token(user)}"}
            with client.stream("GET", STREAM, headers=headers, params=params) as response:
                assert response.status_code == 200
                yield Stream(response, api_spec)

        def opener(user: str = "alice", **params: str) -> Stream:
            return stack.enter_context(_open_one(user, **params))

        yield opener


def advance(client: httpx.Client, seconds: float) -> None:
    assert client.post("/_mock/clock/advance", json={"seconds": seconds}).status_code == 200


def end_streams(client: httpx.Client) -> int:
    response = client.delete("/_mock/streams")
    assert response.status_code == 200
    return int(response.json()["closed"])


def test_nothing_is_sent_on_connect(client: httpx.Client, open_stream: Any) -> None:
    stream = open_stream()
    assert end_streams(client) == 1
    assert stream.events() == []


def test_stream_response_is_an_unbuffered_event_stream(
    client: httpx.Client, mock: MockServer
) -> None:
    headers = {"Authorization": f"Bearer {mock.token()}"}
    with client.stream("GET", STREAM, headers=headers) as response:
        assert response.headers["content-type"].startswith("text/event-stream")
        assert response.headers["cache-control"] == "no-cache"
        assert response.headers["x-accel-buffering"] == "no"
        end_streams(client)


def test_advancing_nine_seconds_sends_exactly_three_pings(
    client: httpx.Client, open_stream: Any
) -> None:
    stream = open_stream()
    advance(client, 9)
    end_streams(client)
    assert stream.events() == [("ping", ""), ("ping", ""), ("ping", "")]


def test_advancing_less_than_an_interval_sends_nothing(
    client: httpx.Client, open_stream: Any
) -> None:
    stream = open_stream()
    advance(client, 2.9)
    end_streams(client)
    assert stream.events() == []


def test_a_ping_is_due_when_the_clock_reaches_its_due_time(
    client: httpx.Client, open_stream: Any
) -> None:
    stream = open_stream()
    advance(client, 2.5)
    advance(client, 0.5)
    end_streams(client)
    assert stream.kinds() == ["ping"]


def test_ping_is_written_as_an_event_with_an_empty_data_line(
    client: httpx.Client, mock: MockServer
) -> None:
    headers = {"Authorization": f"Bearer {mock.token()}"}
    with client.stream("GET", STREAM, headers=headers) as response:
        advance(client, 3)
        end_streams(client)
        assert response.read() == b"event: ping\ndata: \n\n"


def test_notification_stored_while_open_arrives_at_the_next_poll_before_the_ping(
    client: httpx.Client, mock: MockServer, open_stream: Any
) -> None:
    stream = open_stream()
    advance(client, 1)
    created = client.post("/_mock/notifications", json={"user": "alice"}).json()
    advance(client, 1.9)  # not yet: delivery waits for the stream's own poll
    advance(client, 0.1)
    end_streams(client)
    events = stream.events()
    assert [kind for kind, _ in events] == ["notification", "ping"]
    assert events[0][1] == created


def test_notifications_arrive_in_the_order_they_were_stored(
    client: httpx.Client, open_stream: Any
) -> None:
    stream = open_stream()
    first = client.post("/_mock/notifications", json={"user": "alice"}).json()
    second = client.post("/_mock/notifications", json={"user": "alice"}).json()
    advance(client, 3)
    end_streams(client)
    assert [data["id"] for kind, data in stream.events() if kind == "notification"] == [
        first["id"],
        second["id"],
    ]


def test_new_means_stored_after_the_stream_opened_whatever_its_created_at(
    client: httpx.Client, open_stream: Any
) -> None:
    before = client.post("/_mock/notifications", json={"user": "alice"}).json()
    stream = open_stream()
    old = client.post(
        "/_mock/notifications", json={"user": "alice", "created_at": "2020-01-01T00:00:00.000000"}
    ).json()
    advance(client, 3)
    end_streams(client)
    delivered = [data["id"] for kind, data in stream.events() if kind == "notification"]
    assert delivered == [old["id"]]
    assert before["id"] not in delivered


def test_each_notification_is_delivered_once(client: httpx.Client, open_stream: Any) -> None:
    stream = open_stream()
    client.post("/_mock/notifications", json={"user": "alice"})
    advance(client, 9)
    end_streams(client)
    assert stream.kinds() == ["notification", "ping", "ping", "ping"]


def test_each_stream_keeps_its_own_schedule(client: httpx.Client, open_stream: Any) -> None:
    early = open_stream()
    advance(client, 1.5)
    late = open_stream()
    advance(client, 1.5)  # early's first tick; late is only half way
    client.post("/_mock/notifications", json={"user": "alice"})
    advance(client, 1.5)  # late's first tick
    end_streams(client)
    assert early.kinds() == ["ping"]
    assert late.kinds() == ["notification", "ping"]


def test_stream_filtered_by_dataset_gets_only_that_dataset(
    client: httpx.Client, open_stream: Any
) -> None:
    stream = open_stream(dataset_id=ICE_CREAM)
    client.post("/_mock/notifications", json={"user": "alice", "dataset_id": STREETS})
    wanted = client.post(
        "/_mock/notifications", json={"user": "alice", "dataset_id": ICE_CREAM}
    ).json()
    advance(client, 3)
    end_streams(client)
    assert stream.events() == [("notification", wanted), ("ping", "")]


def test_a_user_never_streams_another_users_notifications(
    client: httpx.Client, open_stream: Any
) -> None:
    alices = open_stream("alice")
    bobs = open_stream("bob")
    batch = client.post(
        "/_mock/batches", json={"dataset_id": ICE_CREAM, "view_name": "icecream"}
    ).json()
    client.post("/_mock/notifications", json={"user": "bob", "dataset_id": ICE_CREAM})
    advance(client, 3)
    end_streams(client)
    alice_id = batch["notifications"][0]["user_id"]
    for stream, expected in ((alices, 1), (bobs, 2)):
        notes = [data for kind, data in stream.events() if kind == "notification"]
        assert len(notes) == expected
        owners = {n["user_id"] for n in notes}
        assert len(owners) == 1
        assert (alice_id in owners) == (stream is alices)


def test_one_batch_reaches_every_member_with_the_same_batch_id(
    client: httpx.Client, open_stream: Any
) -> None:
    streams = [open_stream("alice"), open_stream("bob")]
    client.post("/_mock/batches", json={"dataset_id": "Ice cream", "view_name": "icecream"})
    advance(client, 3)
    end_streams(client)
    batch_ids = set()
    for stream in streams:
        notes = [data for kind, data in stream.events() if kind == "notification"]
        assert len(notes) == 1
        batch_ids.add(notes[0]["metadata"]["batch_id"])
    assert len(batch_ids) == 1


def test_the_session_cookie_opens_a_stream(client: httpx.Client, mock: MockServer) -> None:
    client.get("/_mock/login", params={"user": "bob"})
    with client.stream("GET", STREAM) as response:
        assert response.status_code == 200
        client.post("/_mock/notifications", json={"user": "bob"})
        advance(client, 3)
        end_streams(client)
        events = [e for e in EventSource(response).iter_sse() if e.event == "notification"]
    assert json.loads(events[0].data)["user_id"] == mock.user("bob").user_id


def test_without_credentials_the_stream_is_a_401_json_error(client: httpx.Client) -> None:
    response = client.get(STREAM)
    assert response.status_code == 401
    assert isinstance(response.json()["detail"], str)
    assert client.get("/_mock/streams").json() == {"open": 0}


def test_an_expired_token_is_refused_before_the_stream_opens(
    client: httpx.Client, mock: MockServer
) -> None:
    token = mock.token("alice", ttl=5)
    advance(client, 5)
    response = client.get(STREAM, headers={"Authorization": f"Bearer {token}"})
    assert response.status_code == 401


def test_a_bad_dataset_id_is_a_422_before_the_stream_opens(
    client: httpx.Client, mock: MockServer
) -> None:
    response = client.get(
        STREAM,
        params={"dataset_id": "not-a-uuid"},
        headers={"Authorization": f"Bearer {mock.token()}"},
    )
    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"] == ["query", "dataset_id"]


def test_an_error_fault_sends_an_error_event_and_the_stream_stays_open(
    client: httpx.Client, open_stream: Any
) -> None:
    stream = open_stream()
    assert client.post("/_mock/faults", json={"sse_error": 1}).status_code == 201
    client.post("/_mock/notifications", json={"user": "alice"})
    advance(client, 6)
    end_streams(client)
    events = stream.events()
    assert [kind for kind, _ in events] == ["error", "notification", "ping", "ping"]
    assert isinstance(events[0][1]["detail"], str)


def test_a_drop_fault_ends_the_stream_at_its_next_poll(
    client: httpx.Client, open_stream: Any
) -> None:
    stream = open_stream()
    advance(client, 3)
    client.post("/_mock/faults", json={"sse_drop": 1})
    advance(client, 3)
    assert client.get("/_mock/streams").json() == {"open": 0}
    assert stream.kinds() == ["ping"]


def test_reset_does_not_replay_the_start_state_to_open_streams(
    client: httpx.Client, open_stream: Any
) -> None:
    stream = open_stream()
    client.post("/_mock/reset")
    advance(client, 3)
    end_streams(client)
    assert stream.kinds() == ["ping"]


def test_library_clock_advance_writes_due_events_before_returning(
    client: httpx.Client, mock: MockServer, open_stream: Any
) -> None:
    stream = open_stream()
    mock.inject(user="alice")
    mock.clock.advance(3)
    end_streams(client)
    assert stream.kinds() == ["notification", "ping"]


def test_dropped_clients_leave_no_subscription_behind(mock: MockServer) -> None:
    headers = {"Authorization": f"Bearer {mock.token()}"}
    # one client (building one costs ~25 ms): a stream closed unread closes its connection
    with httpx.Client(base_url=mock.url, timeout=10) as c:
        for _ in range(50):
            with c.stream("GET", STREAM, headers=headers) as response:
                assert response.status_code == 200
        # the server notices each disconnect by itself; wait for it without sleeping
        for _ in range(10_000):
            if c.get("/_mock/streams").json()["open"] == 0:
                break
        assert c.get("/_mock/streams").json() == {"open": 0}
