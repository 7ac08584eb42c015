"""Unread counts, marking one notification read and marking all read."""

from __future__ import annotations

from typing import Any

import httpx
import jwt
import pytest

from mock_server import MockServer

LIST = "/api/v1/notifications"
COUNT = "/api/v1/notifications/unread-count"
READ_ALL = "/api/v1/notifications/read-all"
DOC_ID = "e94ab07e-c0fe-4db1-83d0-34ea0fd8ee57"  # alice's, unread
ALREADY_READ = "3c2b1a09-8f7e-4d6c-5b4a-39281706f5e4"  # alice's, read in the fixtures
BOBS = "2f7c9e1a-4b3d-4c5e-8f6a-7b8c9d0e1f2a"  # bob's, unread
ICE_CREAM = "a981fc0c-2d1f-11f1-a7ca-d2580fa2deac"
STREETS = "5d2e8f1a-3c4b-4a6d-9e7f-1b2c3d4e5f60"


def read(notification_id: str) -> str:
    return f"/api/v1/notifications/{notification_id}/read"


def unread(client: httpx.Client, **params: str) -> int:
    response = client.get(COUNT, params=params)
    assert response.status_code == 200
    count: int = response.json()["count"]
    return count


def find(client: httpx.Client, notification_id: str) -> dict[str, Any]:
    page = client.get(LIST, params={"limit": 100}).json()
    return next(n for n in page["notifications"] if n["id"] == notification_id)


def clock_now(client: httpx.Client) -> str:
    now: str = client.get("/_mock/clock").json()["now"]
    return now


def test_unread_count_counts_the_callers_unread_notifications(
    alice: httpx.Client, bob: httpx.Client
) -> None:
    assert unread(alice) == 2
    assert unread(bob) == 2
    alice.post("/_mock/notifications", json=[{"user": "alice"}] * 3)
    assert unread(alice) == 5
    assert unread(bob) == 2


def test_unread_count_by_dataset_equals_the_unread_total_of_the_list(alice: httpx.Client) -> None:
    alice.post("/_mock/notifications", json=[{"user": "alice", "dataset_id": STREETS}] * 4)
    for dataset in (ICE_CREAM, STREETS, "c4d5e6f7-0819-4a2b-8c3d-4e5f60718293"):
        listed = alice.get(LIST, params={"unread_only": "true", "dataset_id": dataset}).json()
        assert unread(alice, dataset_id=dataset) == listed["total"]
    assert unread(alice, dataset_id=STREETS) == 5


def test_marking_read_answers_ok_then_404_the_second_time(alice: httpx.Client) -> None:
    first = alice.post(read(DOC_ID))
    assert first.status_code == 200
    assert first.json() == {"ok": True}
    second = alice.post(read(DOC_ID))
    assert second.status_code == 404
    assert second.json() == {"detail": "Notification not found"}


def test_marking_read_sets_read_at_to_the_clocks_now(alice: httpx.Client) -> None:
    alice.post("/_mock/clock/advance", json={"seconds": 12.5})
    now = clock_now(alice)
    assert alice.post(read(DOC_ID)).status_code == 200
    assert find(alice, DOC_ID)["read_at"] == now


def test_marking_read_lowers_the_unread_count_by_one(alice: httpx.Client) -> None:
    before = unread(alice)
    before_ds = unread(alice, dataset_id=ICE_CREAM)
    alice.post(read(DOC_ID))
    assert unread(alice) == before - 1
    assert unread(alice, dataset_id=ICE_CREAM) == before_ds - 1
    listed = alice.get(LIST, params={"unread_only": "true"}).json()
    assert DOC_ID not in [n["id"] for n in listed["notifications"]]


def test_an_unknown_id_is_404(alice: httpx.Client) -> None:
    response = alice.post(read("00000000-0000-4000-8000-000000000000"))
    assert response.status_code == 404
    assert isinstance(response.json()["detail"], str)


def test_an_already_read_notification_is_404_and_keeps_its_read_at(alice: httpx.Client) -> None:
    before = find(alice, ALREADY_READ)["read_at"]
    alice.post("/_mock/clock/advance", json={"seconds": 60})
    assert alice.post(read(ALREADY_READ)).status_code == 404
    assert find(alice, ALREADY_READ)["read_at"] == before == "2026-03-30T09:00:41.118734"


def test_another_users_notification_is_404_and_stays_unread_for_its_owner(
    alice: httpx.Client, bob: httpx.Client
) -> None:
    response = alice.post(read(BOBS))
    assert response.status_code == 404
    assert unread(alice) == 2
    assert unread(bob) == 2
    assert find(bob, BOBS)["read_at"] is None
    assert bob.post(read(BOBS)).status_code == 200


def test_an_uppercase_id_in_the_path_marks_the_notification(alice: httpx.Client) -> None:
    assert alice.post(read(DOC_ID.upper())).status_code == 200
    assert find(alice, DOC_ID)["read_at"] is not None
    assert alice.post(read(DOC_ID)).status_code == 404


@pytest.mark.parametrize("bad", ["not-a-uuid", "123", "e94ab07e-c0fe-4db1-83d0-34ea0fd8ee5"])
def test_an_id_that_is_not_a_uuid_is_422_naming_the_path_parameter(
    alice: httpx.Client, bad: str
) -> None:
    response = alice.post(read(bad))
    assert response.status_code == 422
    [error] = response.json()["detail"]
    assert error["loc"] == ["path", "notification_id"]
    assert error["type"] == "uuid_parsing"
    assert error["input"] == bad


def test_read_all_counts_what_it_marked_then_zero(alice: httpx.Client) -> None:
    alice.post("/_mock/notifications", json=[{"user": "alice"}] * 5)
    assert unread(alice) == 7
    first = alice.post(READ_ALL)
    assert first.json() == {"ok": True, "count": 7}
    assert unread(alice) == 0
    assert alice.post(READ_ALL).json() == {"ok": True, "count": 0}


def test_read_all_sets_read_at_to_now_and_leaves_earlier_reads_alone(alice: httpx.Client) -> None:
    alice.post("/_mock/clock/advance", json={"seconds": 1})
    now = clock_now(alice)
    alice.post(READ_ALL)
    page = alice.get(LIST).json()["notifications"]
    read_at = {n["id"]: n["read_at"] for n in page}
    assert read_at[DOC_ID] == now
    assert read_at[ALREADY_READ] == "2026-03-30T09:00:41.118734"


def test_read_all_of_one_dataset_leaves_other_datasets_unread(alice: httpx.Client) -> None:
    alice.post("/_mock/notifications", json=[{"user": "alice", "dataset_id": STREETS}] * 3)
    assert unread(alice, dataset_id=STREETS) == 4
    response = alice.post(READ_ALL, params={"dataset_id": STREETS.upper()})
    assert response.json() == {"ok": True, "count": 4}
    assert unread(alice, dataset_id=STREETS) == 0
    assert unread(alice, dataset_id=ICE_CREAM) == 1
    assert unread(alice) == 1
    assert find(alice, DOC_ID)["read_at"] is None


def test_read_all_never_touches_another_users_notifications(
    alice: httpx.Client, bob: httpx.Client, mock: MockServer
) -> None:
    assert alice.post(READ_ALL, params={"dataset_id": ICE_CREAM}).json()["count"] == 1
    assert unread(bob, dataset_id=ICE_CREAM) == 1
    assert alice.post(READ_ALL).json()["count"] == 1
    assert unread(bob) == 2


def test_a_notification_read_by_read_all_cannot_be_marked_again(alice: httpx.Client) -> None:
    alice.post(READ_ALL)
    assert alice.post(read(DOC_ID)).status_code == 404


def test_the_documentations_full_workflow_runs_as_written(
    client: httpx.Client, mock: MockServer
) -> None:
    # the doc's "Python Example: Full Workflow", with a token minted from alice's key and secret
    alice = mock.user("alice")
    now = int(mock.clock.now())
    token = jwt.encode(
        {"sub": alice.api_key, "iat": now, "exp": now + 600, "iss": "sdk"},
        alice.api_secret,
        algorithm="HS256",
        headers={"kid": alice.api_key},
    )
    headers = {"Authorization": f"Bearer {token}"}
    client.post("/_mock/batches", json={"dataset_id": STREETS, "result_count": 12})
    resp = client.get(COUNT, headers=headers, params={"dataset_id": STREETS})
    assert resp.json()["count"] == 3
    resp = client.get(
        LIST, headers=headers, params={"dataset_id": STREETS, "limit": 10, "unread_only": True}
    )
    data = resp.json()
    assert [n["metadata"]["result_count"] for n in data["notifications"]][:2] == [12, 12]
    assert data["total"] == 3
    resp = client.post(READ_ALL, headers=headers, params={"dataset_id": STREETS})
    assert resp.json()["count"] == 3
