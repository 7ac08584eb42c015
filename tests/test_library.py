"""``MockServer``, the mock as a library: a real server on a free port in a background thread,
and what a test reaches through it (users, store, clock, inject, batch, reset, tokens). What
the library changes is checked over HTTP, every response validated against the specs."""

from __future__ import annotations

import asyncio
import math
import socket
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from typing import Any

import httpx
import pytest
from httpx_sse import EventSource

from mock_server import ManualClock, MockConfig, MockServer, create_app
from mock_server.clock import ClockError
from mock_server.errors import NotFound

Hook = Callable[[httpx.Response], None]
LIST = "/api/v1/notifications"
COUNT = "/api/v1/notifications/unread-count"
STREAM = "/api/v1/notifications/stream"
ICE_CREAM = "a981fc0c-2d1f-11f1-a7ca-d2580fa2deac"
DOC_ID = "e94ab07e-c0fe-4db1-83d0-34ea0fd8ee57"


@pytest.fixture
def http(mock: MockServer, response_hook: Hook) -> Iterator[httpx.Client]:
    """An unauthenticated validating client on the session mock."""
    with httpx.Client(
        base_url=mock.url, timeout=10, event_hooks={"response": [response_hook]}
    ) as c:
        yield c


def unread(http: httpx.Client, mock: MockServer, user: str = "alice") -> int:
    count: int = http.get(COUNT, headers=mock.headers(user)).json()["count"]
    return count


def iso(instant: float) -> str:
    """An instant in the API's timestamp format (UTC, microseconds, no offset)."""
    return datetime.fromtimestamp(instant, tz=UTC).strftime("%Y-%m-%dT%H:%M:%S.%f")


def next_hour(mock: MockServer) -> int:
    """A whole hour ahead of the session clock (which other tests have moved, never back)."""
    return (math.floor(mock.clock.now() / 3600) + 2) * 3600


def refuses_connections(port: int) -> bool:
    with socket.socket() as probe:
        return probe.connect_ex(("127.0.0.1", port)) != 0


# -- lifecycle ------------------------------------------------------------------------------------


def test_as_a_context_manager_it_serves_on_a_free_port_until_the_block_ends(
    response_hook: Hook,
) -> None:
    with MockServer(clock="manual") as mock:
        assert mock.url.startswith("http://127.0.0.1:")
        port = int(mock.url.rsplit(":", 1)[1])
        assert port != 0
        with httpx.Client(event_hooks={"response": [response_hook]}) as c:
            assert c.get(f"{mock.url}/_mock/health").json()["status"] == "ok"
    assert refuses_connections(port)


def test_two_mocks_in_one_process_share_nothing(response_hook: Hook) -> None:
    with (
        MockServer(clock="manual") as one,
        MockServer(clock="manual") as two,
        httpx.Client(event_hooks={"response": [response_hook]}) as c,
    ):
        assert one.url != two.url
        still = two.clock.now()
        one.inject(user="alice")
        one.clock.advance(60)
        assert len(one.store) == len(two.store) + 1
        assert two.clock.now() == still
        counts = [c.get(f"{m.url}{COUNT}", headers=m.headers()).json()["count"] for m in (one, two)]
        assert counts[0] == counts[1] + 1


def test_start_returns_the_server_and_starting_twice_is_harmless() -> None:
    mock = MockServer(clock="manual")
    try:
        assert mock.start() is mock
        url = mock.url
        assert mock.start() is mock
        assert mock.url == url
    finally:
        mock.stop()
    mock.stop()  # stopping twice too


def test_keyword_arguments_override_the_configuration() -> None:
    mock = MockServer(clock="manual", seed=4, notifications=7, ping_interval=1.5)
    assert (mock.config.clock, mock.config.seed, mock.config.ping_interval) == ("manual", 4, 1.5)
    assert len(mock.store) == 5 + 7  # the fixtures' five, then the seeded seven


# -- users, store, tokens -----------------------------------------------------------------------


def test_users_are_the_fixture_users_by_name(http: httpx.Client, mock: MockServer) -> None:
    assert sorted(mock.users) == ["alice", "bob"]
    listed = {u["name"]: u["user_id"] for u in http.get("/_mock/users").json()}
    assert listed == {name: user.user_id for name, user in mock.users.items()}
    assert mock.user("alice") is mock.users["alice"]
    assert mock.user(mock.users["bob"].user_id) is mock.users["bob"]


def test_the_store_is_the_one_the_server_answers_from(http: httpx.Client, mock: MockServer) -> None:
    assert len(mock.store) == http.get("/_mock/health").json()["notifications"]
    alice = mock.users["alice"].user_id
    mine = [n.id for n in mock.store.all_notifications() if n.user_id == alice]
    listed = http.get(LIST, headers=mock.headers(), params={"limit": 100}).json()
    assert sorted(n["id"] for n in listed["notifications"]) == sorted(mine)


def test_a_token_authenticates_its_user_and_expires_on_the_mock_clock(
    http: httpx.Client, mock: MockServer
) -> None:
    mock.clock.set(float(math.ceil(mock.clock.now())))  # a JWT's exp is whole seconds
    token = mock.token("bob", ttl=5)
    headers = {"Authorization": f"Bearer {token}"}
    listed = http.get(LIST, headers=headers).json()["notifications"]
    assert {n["user_id"] for n in listed} == {mock.users["bob"].user_id}
    mock.clock.advance(4.999)
    assert http.get(LIST, headers=headers).status_code == 200
    mock.clock.advance(0.001)
    assert http.get(LIST, headers=headers).status_code == 401


def test_headers_carry_a_bearer_token_for_the_user(http: httpx.Client, mock: MockServer) -> None:
    headers = mock.headers("bob")
    assert headers["Authorization"].startswith("Bearer ")
    assert http.get(COUNT, headers=headers).status_code == 200


# -- clock ----------------------------------------------------------------------------------------


def test_advancing_the_library_clock_moves_the_http_clock_by_exactly_that(
    http: httpx.Client, mock: MockServer
) -> None:
    start = next_hour(mock)
    mock.clock.set(iso(start))
    mock.clock.advance(90.25)
    assert mock.clock.now_iso() == iso(start + 90.25)
    assert mock.clock.now_iso().endswith(":01:30.250000")
    assert http.get("/_mock/clock").json() == {"now": mock.clock.now_iso(), "mode": "manual"}


def test_the_library_clock_can_be_set_by_epoch_seconds_or_timestamp(
    http: httpx.Client, mock: MockServer
) -> None:
    start = next_hour(mock)
    mock.clock.set(iso(start)[:-6] + "000002")
    assert http.get("/_mock/clock").json()["now"] == iso(start + 0.000002)
    mock.clock.set(start + 3600.5)
    assert mock.clock.now() == pytest.approx(start + 3600.5, abs=1e-6)
    assert http.get("/_mock/clock").json()["now"] == iso(start + 3600.5)


def test_moving_the_http_clock_is_seen_by_the_library(http: httpx.Client, mock: MockServer) -> None:
    before = mock.clock.now()
    http.post("/_mock/clock/advance", json={"seconds": 12})
    assert mock.clock.now() == pytest.approx(before + 12, abs=1e-6)
    assert mock.clock.mode == "manual"


def test_created_at_and_read_at_come_from_the_mock_clock(
    http: httpx.Client, mock: MockServer
) -> None:
    start = next_hour(mock)
    mock.clock.set(start)
    [made] = mock.inject(user="alice")
    assert made.to_dict()["created_at"] == iso(start)
    mock.clock.advance(1.5)
    http.post(f"{LIST}/{made.id}/read", headers=mock.headers())
    stored = mock.store.get(made.id)
    assert stored is not None
    assert stored.to_dict()["read_at"] == iso(start + 1.5)


def test_the_clock_never_runs_backwards(mock: MockServer) -> None:
    now = mock.clock.now()
    with pytest.raises(ClockError, match="only moves forward"):
        mock.clock.advance(-1)
    with pytest.raises(ClockError, match="never runs backwards"):
        mock.clock.set(now - 1)
    with pytest.raises(ValueError, match="not a timestamp"):
        mock.clock.set("yesterday")
    assert mock.clock.now() == now


# -- inject, batch, reset -------------------------------------------------------------------------


def test_inject_completes_and_stores_a_notification_the_api_then_lists(
    http: httpx.Client, mock: MockServer
) -> None:
    [made] = mock.inject(user="alice", metadata={"view_name": "icecream", "result_count": 12})
    first = http.get(LIST, headers=mock.headers(), params={"limit": 1}).json()["notifications"][0]
    assert first == made.to_dict()
    assert first["metadata"]["view_name"] == "icecream"
    assert first["metadata"]["is_alert"] is True
    assert first["read_at"] is None


def test_inject_takes_several_entries_for_several_users(
    http: httpx.Client, mock: MockServer
) -> None:
    before = unread(http, mock, "alice"), unread(http, mock, "bob")
    made = mock.inject({"user": "alice"}, {"user": "bob"}, {"user": "bob"})
    assert [n.user_id for n in made] == [mock.users[u].user_id for u in ("alice", "bob", "bob")]
    assert (unread(http, mock, "alice"), unread(http, mock, "bob")) == (
        before[0] + 1,
        before[1] + 2,
    )


def test_an_injected_notification_reaches_an_open_stream_at_its_next_poll(
    http: httpx.Client, mock: MockServer
) -> None:
    with http.stream("GET", STREAM, headers=mock.headers()) as response:
        [made] = mock.inject(user="alice")
        mock.clock.advance(3)
        http.delete("/_mock/streams")
        events = [(e.event, e.data) for e in EventSource(response).iter_sse()]
    assert events == [("notification", made.to_json().decode()), ("ping", "")]


def test_streams_counts_open_streams_and_close_streams_ends_them_after_their_events(
    http: httpx.Client, mock: MockServer
) -> None:
    assert mock.streams == 0
    with (
        http.stream("GET", STREAM, headers=mock.headers("alice")) as alices,
        http.stream("GET", STREAM, headers=mock.headers("bob")) as bobs,
    ):
        assert mock.streams == 2 == http.get("/_mock/streams").json()["open"]
        mock.inject(user="bob")
        mock.clock.advance(3)
        assert mock.close_streams() == 2
        assert mock.streams == 0
        assert [e.event for e in EventSource(alices).iter_sse()] == ["ping"]
        assert [e.event for e in EventSource(bobs).iter_sse()] == ["notification", "ping"]
    assert mock.close_streams() == 0


def test_batch_alerts_every_member_of_the_dataset_with_one_batch_id(
    http: httpx.Client, mock: MockServer
) -> None:
    made = mock.batch("Ice cream", view_name="icecream", result_count=12)
    assert sorted(n.user_id for n in made) == sorted(u.user_id for u in mock.users.values())
    assert len({n.metadata["batch_id"] for n in made}) == 1
    for user in ("alice", "bob"):
        first = http.get(LIST, headers=mock.headers(user), params={"dataset_id": ICE_CREAM})
        meta = first.json()["notifications"][0]["metadata"]
        assert (meta["view_name"], meta["result_count"]) == ("icecream", 12)


def test_reset_restores_the_start_state_and_disarms_faults_but_keeps_the_time(
    http: httpx.Client, mock: MockServer
) -> None:
    start = len(mock.store), unread(http, mock)
    mock.inject(user="alice")
    http.post(f"{LIST}/{DOC_ID}/read", headers=mock.headers())
    http.post("/_mock/faults", json={"status": 500, "count": 5})
    mock.clock.advance(100)
    now = mock.clock.now()
    mock.reset()
    assert (len(mock.store), unread(http, mock)) == start
    assert http.get("/_mock/faults").json() == {"faults": []}
    assert mock.clock.now() == now


def test_no_task_outlives_the_streams_it_served(mock: MockServer) -> None:
    async def tasks() -> list[str]:
        return sorted(getattr(t.get_coro(), "__qualname__", "?") for t in asyncio.all_tasks())

    def open_and_drop(c: httpx.Client, count: int) -> None:
        for _ in range(count):
            with c.stream("GET", STREAM, headers=mock.headers()) as response:
                assert response.status_code == 200
        c.delete("/_mock/streams")  # returns once every open stream has unsubscribed
        assert c.get("/_mock/streams").json() == {"open": 0}

    with httpx.Client(base_url=mock.url, timeout=10) as c:
        open_and_drop(c, 1)  # the scheduler now waits on the clock, as it will after many
        # a request's task ends just after its response is sent: give the loop its turns
        baseline = min((mock.call(tasks()) for _ in range(50)), key=len)
        open_and_drop(c, 20)
    after = min((mock.call(tasks()) for _ in range(50)), key=len)
    assert after == baseline


# -- misuse: one sentence each ----------------------------------------------------------------


def test_a_mock_that_is_not_running_says_so() -> None:
    mock = MockServer(clock="manual")
    for use in (
        lambda: mock.url,
        lambda: mock.inject(user="alice"),
        lambda: mock.batch("Ice cream"),
        mock.reset,
        mock.close_streams,
        lambda: mock.clock.advance(1),
    ):
        with pytest.raises(RuntimeError, match="the mock is not running"):
            use()


def test_a_stopped_mock_says_it_is_not_running() -> None:
    with MockServer(clock="manual") as mock:
        pass
    with pytest.raises(RuntimeError, match="the mock is not running"):
        mock.inject(user="alice")


@pytest.mark.parametrize(
    "use",
    [
        lambda m: m.token("mallory"),
        lambda m: m.headers("mallory"),
        lambda m: m.user("mallory"),
        lambda m: m.inject(user="mallory"),
        lambda m: m.inject({"user": "alice"}, {"user": "mallory"}),
    ],
    ids=["token", "headers", "user", "inject", "inject-many"],
)
def test_an_unknown_user_is_named_with_the_users_there_are(
    mock: MockServer, use: Callable[[MockServer], object]
) -> None:
    stored = len(mock.store)
    with pytest.raises(KeyError, match=r"no user 'mallory'; the mock has alice, bob"):
        use(mock)
    assert len(mock.store) == stored  # an injection is all or none


def test_an_unknown_dataset_is_named(mock: MockServer) -> None:
    with pytest.raises(NotFound, match="Unknown dataset 'Gelato'"):
        mock.batch("Gelato")


def test_a_taken_port_is_one_sentence(mock: MockServer) -> None:
    port = int(mock.url.rsplit(":", 1)[1])
    with pytest.raises(RuntimeError, match=rf"^port {port} on 127\.0\.0\.1 is already in use"):
        MockServer(port=port).start()


def test_an_unknown_clock_mode_is_refused() -> None:
    with pytest.raises(ValueError, match="unknown clock 'manul'; use real, manual or scaled"):
        MockServer(clock="manul")


def test_the_app_factory_refuses_an_unknown_clock_mode_too() -> None:
    with pytest.raises(ValueError, match="unknown clock 'bogus'; use real, manual or scaled"):
        create_app(MockConfig(clock="bogus"))  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("field", "value", "sentence"),
    [
        ("ping_interval", 0.0, "ping_interval must be positive, not 0.0"),
        ("poll_interval", -3.0, "poll_interval must be positive, not -3.0"),
        ("clock_factor", 0.0, "clock_factor must be positive, not 0.0"),
        ("stream_queue_size", 0, "stream_queue_size must be positive, not 0"),
    ],
)
def test_a_config_value_that_cannot_work_is_one_sentence(
    field: str, value: float, sentence: str
) -> None:
    overrides: dict[str, Any] = {field: value}
    with pytest.raises(ValueError, match=f"^{sentence}$"):
        MockServer(**overrides)


@pytest.mark.parametrize("mode", ["real", "scaled"])
def test_a_clock_that_is_not_manual_cannot_be_moved_from_the_library(mode: str) -> None:
    mock = MockServer(clock=mode)
    moves: list[Callable[[], None]] = [
        lambda: mock.clock.advance(1),
        lambda: mock.clock.set(mock.clock.now() + 60),
    ]
    for move in moves:
        with pytest.raises(
            ClockError, match=rf"^the mock's clock is {mode}; only a manual clock moves: MockServer"
        ):
            move()


def test_a_stopped_mock_cannot_start_again() -> None:
    mock = MockServer(clock="manual")
    mock.start()
    mock.stop()
    with pytest.raises(RuntimeError, match="cannot start again; create a new MockServer"):
        mock.start()


def test_stopping_ends_an_open_stream_cleanly_and_frees_the_port(response_hook: Hook) -> None:
    mock = MockServer(clock="manual")
    mock.start()
    url = mock.url
    with (
        httpx.Client(base_url=url, event_hooks={"response": [response_hook]}) as client,
        client.stream("GET", "/api/v1/notifications/stream", headers=mock.headers()) as stream,
    ):
        assert stream.status_code == 200
        mock.stop()  # returns once the server is down
        assert b"".join(stream.iter_bytes()) == b""  # a clean end of the stream, nothing lost
    with pytest.raises(httpx.ConnectError):
        httpx.get(url + "/_mock/health")


def test_a_clock_object_is_used_instead_of_the_configured_one(response_hook: Hook) -> None:
    clock = ManualClock(start=2_000_000_000.0)
    with (
        MockServer(clock=clock) as mock,
        httpx.Client(base_url=mock.url, event_hooks={"response": [response_hook]}) as c,
    ):
        assert mock.runtime.clock is clock
        assert mock.config.clock == "manual"
        assert c.get("/_mock/clock").json() == {"now": iso(2_000_000_000.0), "mode": "manual"}
        clock.advance(1.5)  # whoever moves it, the mock sees it
        assert c.get("/_mock/clock").json()["now"] == iso(2_000_000_001.5)
