"""The control plane under /_mock, every route, every response validated against
control-openapi.yaml (and the public API's responses against openapi.yaml)."""

from __future__ import annotations

import re
import threading
from collections.abc import Callable
from concurrent.futures import Future
from pathlib import Path
from typing import Any

import httpx
import pytest
import yaml

from contract_tests.openapi_validation import SpecValidator
from mock_server import MockServer

AppClientFactory = Callable[..., httpx.Client]
LIST = "/api/v1/notifications"
COUNT = "/api/v1/notifications/unread-count"
ICE_CREAM = "a981fc0c-2d1f-11f1-a7ca-d2580fa2deac"
STREETS = "5d2e8f1a-3c4b-4a6d-9e7f-1b2c3d4e5f60"
NOW = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{6}$")
DOC_ID = "e94ab07e-c0fe-4db1-83d0-34ea0fd8ee57"


def now_of(client: httpx.Client) -> str:
    now: str = client.get("/_mock/clock").json()["now"]
    return now


def inject(client: httpx.Client, body: Any) -> httpx.Response:
    return client.post("/_mock/notifications", json=body)


def loc_of(response: httpx.Response) -> list[Any]:
    assert response.status_code == 422, response.text
    [error] = response.json()["detail"]
    loc: list[Any] = error["loc"]
    return loc


# -- health, users, login ---------------------------------------------------------------------


def test_health_summarises_the_mock(client: httpx.Client) -> None:
    body = client.get("/_mock/health").json()
    assert body["status"] == "ok"
    assert (body["users"], body["notifications"], body["streams"]) == (2, 5, 0)
    assert body["clock"]["mode"] == "manual"
    assert NOW.match(body["clock"]["now"])


def test_users_lists_credentials_with_fresh_tokens_that_work(
    client: httpx.Client, mock: MockServer
) -> None:
    client.post("/_mock/clock/advance", json={"seconds": 7200})  # older tokens would be dead
    users = {u["name"]: u for u in client.get("/_mock/users").json()}
    assert set(users) == {"alice", "bob"}
    for name, user in users.items():
        assert user["user_id"] == mock.user(name).user_id
        assert user["api_key"] == mock.user(name).api_key
        page = client.get(LIST, headers={"Authorization": f"Bearer {user['token']}"}).json()
        assert {n["user_id"] for n in page["notifications"]} == {user["user_id"]}
    assert sorted(users["alice"]["datasets"]) == sorted([ICE_CREAM, STREETS])


def test_login_sets_an_httponly_lax_session_cookie_for_the_whole_site(
    client: httpx.Client, mock: MockServer
) -> None:
    response = client.get("/_mock/login", params={"user": "bob"})
    assert response.json() == {"user": "bob", "user_id": mock.user("bob").user_id}
    cookie = response.headers["set-cookie"]
    parts = [p.strip().lower() for p in cookie.split(";")]
    assert parts[0] == f"session={mock.user('bob').session}".lower()
    assert "httponly" in parts
    assert "samesite=lax" in parts
    assert "path=/" in parts
    assert "secure" not in parts  # the mock serves plain http
    # the client keeps the cookie and is now bob
    page = client.get(LIST).json()
    assert {n["user_id"] for n in page["notifications"]} == {mock.user("bob").user_id}


def test_login_by_user_id_and_with_a_redirect(client: httpx.Client, mock: MockServer) -> None:
    alice = mock.user("alice")
    response = client.get("/_mock/login", params={"user": alice.user_id.upper(), "next": "/app"})
    assert response.status_code == 303
    assert response.headers["location"] == "/app"
    assert f"SESSION={alice.session}" in response.headers["set-cookie"]


def test_login_of_an_unknown_user_is_404_and_without_a_user_422(client: httpx.Client) -> None:
    assert client.get("/_mock/login", params={"user": "mallory"}).status_code == 404
    assert loc_of(client.get("/_mock/login")) == ["query", "user"]


# -- notifications ----------------------------------------------------------------------------


def test_one_object_is_stored_and_returned_whole(client: httpx.Client, mock: MockServer) -> None:
    client.post("/_mock/clock/advance", json={"seconds": 3.25})
    now = now_of(client)
    response = inject(client, {"user": "alice"})
    assert response.status_code == 201
    made = response.json()
    assert made["user_id"] == mock.user("alice").user_id
    assert made["created_at"] == now
    assert made["read_at"] is None
    assert (made["entity_type"], made["title"], made["message"]) == ("saved_view", "", None)
    assert made["dataset_id"] == ICE_CREAM  # alice's first dataset
    assert made["metadata"]["dataset_name"] == "Ice cream"
    assert made["metadata"]["is_alert"] is True
    assert made["entity_id"] == "94431831-ceeb-4e21-8c5b-84c78783bd4b"  # a view of it
    headers = mock.headers("alice")
    assert client.get(LIST, headers=headers).json()["notifications"][0] == made


def test_a_list_is_stored_and_returned_as_a_list(client: httpx.Client, mock: MockServer) -> None:
    response = inject(client, [{"user": "alice"}, {"user": "bob"}, {"user": "alice"}])
    assert response.status_code == 201
    made = response.json()
    assert [n["user_id"] for n in made] == [mock.user(u).user_id for u in ("alice", "bob", "alice")]
    assert client.get("/_mock/health").json()["notifications"] == 8
    assert inject(client, []).json() == []


def test_every_given_field_is_kept(client: httpx.Client) -> None:
    given = {
        "user": "alice",
        "id": "11111111-2222-4333-8444-555555555555",
        "entity_type": "dataset",
        "entity_id": "66666666-7777-4888-9999-000000000000",
        "title": "Hello",
        "message": "A message",
        "metadata": {
            "batch_id": "abcdefab-cdef-4bcd-8fab-cdefabcdefab",
            "is_alert": False,
            "view_name": "v",
            "dataset_name": "d",
            "result_count": 0,
            "extra": [1, 2],
        },
        "dataset_id": STREETS,
        "created_at": "2020-02-29T23:59:59.999999",
        "read_at": "2020-03-01T00:00:00.000000",
    }
    made = inject(client, given).json()
    expected = {k: v for k, v in given.items() if k != "user"}
    assert made == {**expected, "user_id": made["user_id"]}


def test_a_given_created_at_places_the_notification_in_time_order(
    client: httpx.Client, mock: MockServer
) -> None:
    made = inject(client, {"user": "alice", "created_at": "2026-03-30T12:00:00.000000"}).json()
    page = client.get(LIST, headers=mock.headers("alice")).json()
    assert [n["id"] for n in page["notifications"]].index(made["id"]) == 1


def test_a_null_dataset_id_is_kept_null(client: httpx.Client) -> None:
    made = inject(client, {"user": "bob", "dataset_id": None}).json()
    assert made["dataset_id"] is None
    assert made["metadata"]["dataset_name"]  # still a complete metadata object


def test_the_user_may_be_named_by_user_id(client: httpx.Client, mock: MockServer) -> None:
    bob = mock.user("bob").user_id
    assert inject(client, {"user": bob}).json()["user_id"] == bob
    assert inject(client, {"user": bob.upper()}).json()["user_id"] == bob
    assert inject(client, {"user_id": bob.upper()}).json()["user_id"] == bob
    assert inject(client, {"user": "bob", "user_id": bob}).json()["user_id"] == bob


def test_a_listed_notification_can_be_sent_back_with_a_new_id(
    client: httpx.Client, mock: MockServer
) -> None:
    listed = client.get(LIST, headers=mock.headers("bob")).json()["notifications"][0]
    copy = {**listed, "id": "0f0f0f0f-0f0f-4f0f-8f0f-0f0f0f0f0f0f"}
    assert inject(client, copy).json() == copy
    assert inject(client, listed).status_code == 409  # its id is taken


@pytest.mark.parametrize(
    ("body", "loc"),
    [
        ({"user": "alice", "id": "nope"}, ["body", "id"]),
        ({"user": "alice", "entity_id": 5}, ["body", "entity_id"]),
        ({"user": "alice", "dataset_id": "x"}, ["body", "dataset_id"]),
        ({"user": "alice", "title": None}, ["body", "title"]),
        ({"user": "alice", "message": 3}, ["body", "message"]),
        ({"user": "alice", "created_at": "yesterday"}, ["body", "created_at"]),
        ({"user": "alice", "created_at": "2026-02-30T00:00:00.000000"}, ["body", "created_at"]),
        ({"user": "alice", "read_at": 1}, ["body", "read_at"]),
        ({"user": "alice", "metadata": []}, ["body", "metadata"]),
        ({"user": "alice", "metadata": {"result_count": -1}}, ["body", "metadata", "result_count"]),
        ({"user": "alice", "metadata": {"is_alert": "yes"}}, ["body", "metadata", "is_alert"]),
        ({"user": "alice", "metadata": {"batch_id": "b"}}, ["body", "metadata", "batch_id"]),
        ({"user": "alice", "colour": "red"}, ["body", "colour"]),
        ({"title": "who?"}, ["body", "user"]),
        ({"user": 7}, ["body", "user"]),
        ({"user": "alice", "user_id": "3b1f6c2a-9d4e-4f7a-8b2c-1e5d7a9c3f60"}, ["body", "user_id"]),
        ("alice", ["body"]),
        ([{"user": "alice"}, 3], ["body", 1]),
        ([{"user": "alice"}, {"user": "bob", "id": "x"}], ["body", 1, "id"]),
    ],
)
def test_a_bad_body_is_422_naming_the_field_and_stores_nothing(
    client: httpx.Client, body: Any, loc: list[Any]
) -> None:
    assert loc_of(inject(client, body)) == loc
    assert client.get("/_mock/health").json()["notifications"] == 5


def test_a_body_that_is_not_json_is_422(client: httpx.Client) -> None:
    response = client.post(
        "/_mock/notifications",
        content=b"{user: alice",
        headers={"content-type": "application/json"},
    )
    assert loc_of(response) == ["body"]


def test_an_unknown_user_is_404_and_stores_nothing(client: httpx.Client) -> None:
    for body in (
        {"user": "mallory"},
        {"user_id": "00000000-0000-4000-8000-000000000000"},
        [{"user": "alice"}, {"user": "mallory"}],
    ):
        response = inject(client, body)
        assert response.status_code == 404
        assert "mallory" in response.json()["detail"] or "00000000" in response.json()["detail"]
    assert client.get("/_mock/health").json()["notifications"] == 5


def test_a_taken_id_is_409(client: httpx.Client) -> None:
    response = inject(client, {"user": "alice", "id": DOC_ID})
    assert response.status_code == 409
    duplicate = {"user": "alice", "id": "12121212-1212-4121-8121-121212121212"}
    assert inject(client, [duplicate, duplicate]).status_code == 409
    assert client.get("/_mock/health").json()["notifications"] == 5


def test_control_notifications_have_the_public_contracts_shape(
    api_spec: SpecValidator, control_spec: SpecValidator
) -> None:
    public = api_spec.document["components"]["schemas"]["Notification"]
    control = control_spec.document["components"]["schemas"]["Notification"]
    for key in ("type", "required", "additionalProperties"):
        assert control[key] == public[key]
    assert set(control["properties"]) == set(public["properties"])
    public_meta = api_spec.document["components"]["schemas"]["NotificationMetadata"]
    control_meta = control_spec.document["components"]["schemas"]["NotificationMetadata"]
    assert control_meta["required"] == public_meta["required"]


# -- batches ----------------------------------------------------------------------------------


def test_a_batch_alerts_every_member_once_per_view_with_one_batch_id(
    client: httpx.Client, mock: MockServer
) -> None:
    response = client.post("/_mock/batches", json={"dataset_id": ICE_CREAM, "result_count": 9})
    assert response.status_code == 201
    batch = response.json()
    notes = batch["notifications"]
    assert batch["dataset_id"] == ICE_CREAM
    assert {n["metadata"]["batch_id"] for n in notes} == {batch["batch_id"]}
    members = {mock.user("alice").user_id, mock.user("bob").user_id}
    views = {"icecream", "melting cones"}
    assert {(n["user_id"], n["metadata"]["view_name"]) for n in notes} == {
        (u, v) for u in members for v in views
    }
    assert len(notes) == 4
    assert {n["metadata"]["result_count"] for n in notes} == {9}
    for name in ("alice", "bob"):
        assert client.get(COUNT, headers=mock.headers(name)).json()["count"] == 4


def test_a_batch_on_a_private_dataset_alerts_only_its_member(
    client: httpx.Client, mock: MockServer
) -> None:
    batch = client.post("/_mock/batches", json={"dataset_id": "Street scenes"}).json()
    assert {n["user_id"] for n in batch["notifications"]} == {mock.user("alice").user_id}
    assert client.get(COUNT, headers=mock.headers("bob")).json()["count"] == 2


def test_a_batch_of_one_view_with_a_given_batch_id(client: httpx.Client) -> None:
    batch_id = "0a0a0a0a-0b0b-4c0c-8d0d-0e0e0e0e0e0e"
    batch = client.post(
        "/_mock/batches",
        json={"dataset_id": "Ice cream", "view_name": "icecream", "batch_id": batch_id.upper()},
    ).json()
    assert batch["batch_id"] == batch_id
    assert len(batch["notifications"]) == 2
    assert {n["metadata"]["view_name"] for n in batch["notifications"]} == {"icecream"}


@pytest.mark.parametrize(
    ("body", "status", "loc"),
    [
        ({"dataset_id": "Atlantis"}, 404, None),
        ({"dataset_id": ICE_CREAM, "view_name": "no such view"}, 404, None),
        ({}, 422, ["body", "dataset_id"]),
        ({"dataset_id": 3}, 422, ["body", "dataset_id"]),
        ({"dataset_id": ICE_CREAM, "result_count": 0}, 422, ["body", "result_count"]),
        ({"dataset_id": ICE_CREAM, "result_count": "9"}, 422, ["body", "result_count"]),
        ({"dataset_id": ICE_CREAM, "batch_id": "b"}, 422, ["body", "batch_id"]),
        ({"dataset_id": ICE_CREAM, "view_name": 1}, 422, ["body", "view_name"]),
        ({"dataset_id": ICE_CREAM, "colour": 1}, 422, ["body", "colour"]),
        ([], 422, ["body"]),
    ],
)
def test_a_bad_batch_is_refused_and_stores_nothing(
    client: httpx.Client, body: Any, status: int, loc: list[Any] | None
) -> None:
    response = client.post("/_mock/batches", json=body)
    assert response.status_code == status
    if loc is not None:
        assert loc_of(response) == loc
    assert client.get("/_mock/health").json()["notifications"] == 5


# -- clock ------------------------------------------------------------------------------------


def test_the_clock_reports_its_mode_and_now(client: httpx.Client, mock: MockServer) -> None:
    body = client.get("/_mock/clock").json()
    assert body["mode"] == "manual"
    assert body["now"] == mock.clock.now_iso()


def test_advancing_the_clock_moves_now_by_exactly_that(client: httpx.Client) -> None:
    client.post("/_mock/clock/set", json={"now": "2030-01-01T00:00:00.000000"})
    moved = client.post("/_mock/clock/advance", json={"seconds": 90061.5})
    assert moved.json() == {"now": "2030-01-02T01:01:01.500000", "mode": "manual"}
    assert client.post("/_mock/clock/advance", json={"seconds": 0}).status_code == 200
    assert now_of(client) == "2030-01-02T01:01:01.500000"


@pytest.mark.parametrize("body", [{"seconds": -1}, {"seconds": "1"}, {"seconds": True}, {}, []])
def test_a_bad_advance_is_422_and_moves_nothing(client: httpx.Client, body: Any) -> None:
    before = now_of(client)
    response = client.post("/_mock/clock/advance", json=body)
    assert response.status_code == 422
    assert now_of(client) == before


def test_setting_the_clock_forwards_works_and_backwards_is_409(client: httpx.Client) -> None:
    assert client.post("/_mock/clock/set", json={"now": "2031-05-05T05:05:05.050505"}).json() == {
        "now": "2031-05-05T05:05:05.050505",
        "mode": "manual",
    }
    back = client.post("/_mock/clock/set", json={"now": "2031-05-05T05:05:05.050504"})
    assert back.status_code == 409
    assert now_of(client) == "2031-05-05T05:05:05.050505"
    assert loc_of(client.post("/_mock/clock/set", json={"now": "soon"})) == ["body", "now"]


def test_a_real_clock_cannot_be_moved(app_client: AppClientFactory) -> None:
    client = app_client(clock="real")
    assert client.get("/_mock/clock").json()["mode"] == "real"
    response = client.post("/_mock/clock/advance", json={"seconds": 1})
    assert response.status_code == 409
    assert "--clock manual" in response.json()["detail"]


# -- reset ------------------------------------------------------------------------------------


def test_reset_restores_the_start_state_and_disarms_faults_but_keeps_the_time(
    client: httpx.Client, mock: MockServer
) -> None:
    headers = mock.headers("alice")
    inject(client, [{"user": "alice"}] * 3)
    client.post("/api/v1/notifications/read-all", headers=headers)
    client.post("/_mock/faults", json={"status": 500, "count": 5, "path": "/api/v1/nothing"})
    client.post("/_mock/clock/advance", json={"seconds": 100})
    before = now_of(client)
    health = client.post("/_mock/reset").json()
    assert health["notifications"] == 5
    assert health["clock"]["now"] == before
    assert client.get("/_mock/faults").json() == {"faults": []}
    assert client.get(COUNT, headers=headers).json() == {"count": 2}
    assert client.get(LIST, headers=headers).json()["total"] == 3


# -- faults -----------------------------------------------------------------------------------


def test_a_status_fault_answers_the_next_n_matching_requests(
    client: httpx.Client, mock: MockServer
) -> None:
    headers = mock.headers("alice")
    armed = client.post("/_mock/faults", json={"status": 500, "count": 2, "path": COUNT})
    assert armed.status_code == 201
    assert armed.json() == {"faults": [{"path": COUNT, "count": 2, "status": 500}]}
    assert client.get(LIST, headers=headers).status_code == 200  # another path
    for _ in range(2):
        response = client.get(COUNT, headers=headers)
        assert response.status_code == 500
        assert isinstance(response.json()["detail"], str)
    assert client.get(COUNT, headers=headers).status_code == 200
    assert client.get("/_mock/faults").json() == {"faults": []}


def test_a_fault_defaults_to_one_request_under_api_v1(
    client: httpx.Client, mock: MockServer
) -> None:
    armed = client.post("/_mock/faults", json={"status": 500}).json()
    assert armed == {"faults": [{"path": "/api/v1", "count": 1, "status": 500}]}
    # it comes before authentication: the request did not need to be valid
    assert client.post("/api/v1/notifications/read-all").status_code == 500
    assert client.post("/api/v1/notifications/read-all").status_code == 401


def test_a_forced_422_has_the_validation_error_shape(
    client: httpx.Client, mock: MockServer
) -> None:
    client.post("/_mock/faults", json={"status": 422})
    response = client.get(LIST, headers=mock.headers("alice"))
    assert response.status_code == 422
    assert isinstance(response.json()["detail"], list)


def test_the_control_plane_is_never_faulted(client: httpx.Client, mock: MockServer) -> None:
    client.post("/_mock/faults", json={"status": 500, "count": 3, "path": "/"})
    assert client.get("/_mock/health").status_code == 200
    assert client.get("/_mock/faults").status_code == 200
    assert client.get(LIST, headers=mock.headers("alice")).status_code == 500
    refused = client.post("/_mock/faults", json={"status": 500, "path": "/_mock/health"})
    assert loc_of(refused) == ["body", "path"]


def test_delete_disarms_every_fault(client: httpx.Client, mock: MockServer) -> None:
    client.post("/_mock/faults", json={"status": 503, "count": 9})
    client.post("/_mock/faults", json={"latency_ms": 5000, "count": 9})
    client.post("/_mock/faults", json={"sse_error": 2})
    assert len(client.get("/_mock/faults").json()["faults"]) == 3
    assert client.delete("/_mock/faults").json() == {"faults": []}
    assert client.get(LIST, headers=mock.headers("alice")).status_code == 200


@pytest.mark.parametrize(
    ("body", "loc"),
    [
        ({"status": 200}, ["body", "status"]),
        ({"status": 600}, ["body", "status"]),
        ({"status": "500"}, ["body", "status"]),
        ({"status": 500, "latency_ms": 5}, ["body", "latency_ms"]),
        ({"count": 2}, ["body", "status"]),
        ({"status": 500, "count": 0}, ["body", "count"]),
        ({"status": 500, "path": "api"}, ["body", "path"]),
        ({"latency_ms": -1}, ["body", "latency_ms"]),
        ({"sse_drop": 0}, ["body", "sse_drop"]),
        ({"status": 500, "colour": 1}, ["body", "colour"]),
    ],
)
def test_a_bad_fault_is_422_and_arms_nothing(
    client: httpx.Client, body: dict[str, Any], loc: list[Any]
) -> None:
    assert loc_of(client.post("/_mock/faults", json=body)) == loc
    assert client.get("/_mock/faults").json() == {"faults": []}


def test_latency_holds_the_request_until_the_mock_clock_has_moved(
    client: httpx.Client, mock: MockServer
) -> None:
    client.post("/_mock/faults", json={"latency_ms": 60_000, "path": COUNT})
    result: Future[httpx.Response] = Future()

    def call() -> None:
        with httpx.Client(base_url=mock.url, timeout=30) as c:
            result.set_result(c.get(COUNT, headers=mock.headers("alice")))

    worker = threading.Thread(target=call)
    worker.start()
    # the fault is used up when the request starts waiting on the clock
    for _ in range(10_000):
        if not client.get("/_mock/faults").json()["faults"]:
            break
    assert not result.done()
    client.post("/_mock/clock/advance", json={"seconds": 59.9})
    assert not result.done()
    assert client.get(COUNT, headers=mock.headers("alice")).status_code == 200  # not held
    client.post("/_mock/clock/advance", json={"seconds": 0.1})
    response = result.result(timeout=10)
    worker.join()
    assert response.status_code == 200
    assert response.json() == {"count": 2}


# -- state, streams ---------------------------------------------------------------------------


def test_state_dumps_users_datasets_notifications_faults_streams_and_clock(
    client: httpx.Client,
) -> None:
    client.post("/_mock/faults", json={"sse_drop": 1})
    state = client.get("/_mock/state").json()
    counts = {u["name"]: (u["notifications"], u["unread"]) for u in state["users"]}
    assert counts == {"alice": (3, 2), "bob": (2, 2)}
    assert {d["name"] for d in state["datasets"]} == {
        "Ice cream",
        "Street scenes",
        "Warehouse shelves",
    }
    assert state["notifications"]["total"] == 5
    assert state["notifications"]["newest"][0]["id"] == DOC_ID
    assert state["faults"] == [{"sse_drop": 1}]
    assert state["streams"] == 0
    assert state["clock"]["mode"] == "manual"


def test_streams_reports_and_closes_open_streams(client: httpx.Client) -> None:
    assert client.get("/_mock/streams").json() == {"open": 0}
    assert client.delete("/_mock/streams").json() == {"closed": 0}


# -- who may use it ---------------------------------------------------------------------------


def test_a_client_off_loopback_is_refused(app_client: AppClientFactory) -> None:
    remote = app_client(client=("203.0.113.9", 40000))
    for method, path in (("GET", "/_mock/health"), ("POST", "/_mock/reset")):
        response = remote.request(method, path)
        assert response.status_code == 403
        assert "loopback" in response.json()["detail"]
    # the public API is served to anyone
    assert remote.get(LIST).status_code == 401


@pytest.mark.parametrize("address", ["127.0.0.1", "127.8.9.10", "::1"])
def test_loopback_clients_are_served(app_client: AppClientFactory, address: str) -> None:
    assert app_client(client=(address, 40000)).get("/_mock/health").status_code == 200


def test_a_control_token_is_required_of_every_client_once_set(
    app_client: AppClientFactory,
) -> None:
    for address in ("127.0.0.1", "203.0.113.9"):
        client = app_client(client=(address, 40000), control_token="s3cret")
        assert client.get("/_mock/health").status_code == 403
        wrong = client.get("/_mock/health", headers={"X-Mock-Token": "guess"})
        assert wrong.status_code == 403
        assert "X-Mock-Token" in wrong.json()["detail"]
        right = client.get("/_mock/health", headers={"X-Mock-Token": "s3cret"})
        assert right.status_code == 200


def test_without_the_control_plane_mock_paths_do_not_exist(app_client: AppClientFactory) -> None:
    client = app_client(control=False)
    for path in ("/_mock/health", "/_mock/users", "/_mock/reset"):
        response = client.get(path)
        assert response.status_code == 404
        assert response.json() == {"detail": "Not Found"}
    assert client.get(LIST).status_code == 401


def test_every_route_of_the_control_spec_is_served(
    client: httpx.Client, control_spec: SpecValidator
) -> None:
    for template, item in control_spec.document["paths"].items():
        for method in item:
            response = client.request(method.upper(), template, json={})
            assert response.status_code not in (404, 405), (method, template)


def test_the_control_spec_declares_a_403_on_every_operation() -> None:
    path = Path(__file__).resolve().parent.parent / "mock_server" / "control-openapi.yaml"
    document = yaml.safe_load(path.read_text(encoding="utf-8"))
    for template, item in document["paths"].items():
        for method, operation in item.items():
            assert "403" in operation["responses"], (method, template)
