"""Seeded data: reproducible, realistic, and following the documented delivery rule."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from typing import Any

import httpx
import pytest

AppClientFactory = Callable[..., httpx.Client]
FIXTURE_COUNT = 5


def state(client: httpx.Client) -> dict[str, Any]:
    body: dict[str, Any] = client.get("/_mock/state").json()
    return body


def seeded(state: dict[str, Any]) -> list[dict[str, Any]]:
    """The generated notifications (the fixtures' are dated March 2026)."""
    fixture_ids = {
        "e94ab07e-c0fe-4db1-83d0-34ea0fd8ee57",
        "2f7c9e1a-4b3d-4c5e-8f6a-7b8c9d0e1f2a",
        "6a5b4c3d-2e1f-4a0b-9c8d-7e6f5a4b3c2d",
        "3c2b1a09-8f7e-4d6c-5b4a-39281706f5e4",
        "8b7a6f5e-4d3c-4b2a-9180-f7e6d5c4b3a2",
    }
    return [n for n in state["notifications"]["newest"] if n["id"] not in fixture_ids]


def timeless(notes: list[dict[str, Any]]) -> list[tuple[Any, ...]]:
    """What a seed decides, whatever instant the mock started at."""
    return [
        (
            n["id"],
            n["user_id"],
            n["entity_id"],
            n["dataset_id"],
            n["metadata"],
            n["read_at"] is None,
        )
        for n in notes
    ]


def test_the_same_seed_gives_the_same_data(app_client: AppClientFactory) -> None:
    first, second = state(app_client(seed=7)), state(app_client(seed=7))
    assert timeless(seeded(first)) == timeless(seeded(second))
    assert first["datasets"] == second["datasets"]
    assert [u["notifications"] for u in first["users"]] == [
        u["notifications"] for u in second["users"]
    ]


def test_another_seed_gives_other_data(app_client: AppClientFactory) -> None:
    first, second = state(app_client(seed=7)), state(app_client(seed=8))
    assert {n["id"] for n in seeded(first)}.isdisjoint({n["id"] for n in seeded(second)})
    assert first["datasets"] != second["datasets"]


@pytest.mark.parametrize("count", [0, 1, 2, 7, 250])
def test_notifications_sets_how_many_are_generated(
    app_client: AppClientFactory, count: int
) -> None:
    client = app_client(seed=3, notifications=count)
    assert client.get("/_mock/health").json()["notifications"] == FIXTURE_COUNT + count


def test_a_seed_alone_generates_one_hundred(app_client: AppClientFactory) -> None:
    client = app_client(seed=3)
    assert client.get("/_mock/health").json()["notifications"] == FIXTURE_COUNT + 100


def test_a_count_alone_generates_from_seed_zero(app_client: AppClientFactory) -> None:
    assert timeless(seeded(state(app_client(notifications=30)))) == timeless(
        seeded(state(app_client(seed=0, notifications=30)))
    )


@pytest.mark.parametrize("seed", [1, 2, 3, 4, 5])
@pytest.mark.parametrize("count", [1, 3, 61])
def test_every_batch_alerts_every_member_of_its_dataset_once_per_view(
    app_client: AppClientFactory, seed: int, count: int
) -> None:
    dump = state(app_client(seed=seed, notifications=count))
    user_ids = {u["name"]: u["user_id"] for u in dump["users"]}
    members = {d["dataset_id"]: {user_ids[m] for m in d["members"]} for d in dump["datasets"]}
    notes = seeded(dump)
    assert len(notes) == count
    by_alert: dict[tuple[str, str], list[dict[str, Any]]] = defaultdict(list)
    for n in notes:
        by_alert[(n["metadata"]["batch_id"], n["metadata"]["view_name"])].append(n)
    for (batch_id, view), alerted in by_alert.items():
        dataset_id = alerted[0]["dataset_id"]
        assert sorted(n["user_id"] for n in alerted) == sorted(members[dataset_id]), (
            batch_id,
            view,
        )
        assert len({n["created_at"] for n in alerted}) == 1
        assert len({n["dataset_id"] for n in alerted}) == 1
        assert len({n["entity_id"] for n in alerted}) == 1
        assert len({n["metadata"]["result_count"] for n in alerted}) == 1


def test_seeded_data_is_realistic(app_client: AppClientFactory) -> None:
    client = app_client(seed=11, notifications=400)
    dump = state(client)
    now = dump["clock"]["now"]
    datasets = {d["dataset_id"]: d for d in dump["datasets"]}
    assert len(datasets) == 3 + 6
    notes = seeded(dump)
    for n in notes:
        dataset = datasets[n["dataset_id"]]
        assert n["metadata"]["dataset_name"] == dataset["name"]
        assert n["metadata"]["view_name"] in dataset["views"]
        assert n["metadata"]["is_alert"] is True
        assert isinstance(n["metadata"]["result_count"], int)
        assert n["metadata"]["result_count"] > 0
        assert n["entity_type"] == "saved_view"
        assert n["created_at"] <= now
        if n["read_at"] is not None:
            assert n["created_at"] < n["read_at"] <= now
    assert len({n["metadata"]["view_name"] for n in notes}) > 5
    assert len({n["metadata"]["result_count"] for n in notes}) > 20
    read = sum(n["read_at"] is not None for n in notes)
    assert 0 < read < len(notes)  # some read, some not
    created = [n["created_at"] for n in notes]
    assert len(set(created)) > 50  # batches spread over time


def test_seeded_notifications_are_served_by_the_api(app_client: AppClientFactory) -> None:
    client = app_client(seed=5, notifications=120)
    users = {u["name"]: u for u in client.get("/_mock/users").json()}
    counts = {u["name"]: (u["notifications"], u["unread"]) for u in state(client)["users"]}
    for name, user in users.items():
        headers = {"Authorization": f"Bearer {user['token']}"}
        page = client.get("/api/v1/notifications", headers=headers).json()
        unread = client.get("/api/v1/notifications/unread-count", headers=headers).json()
        assert (page["total"], unread["count"]) == counts[name]
        assert {n["user_id"] for n in page["notifications"]} == {user["user_id"]}


def test_reset_brings_back_the_seeded_state(app_client: AppClientFactory) -> None:
    client = app_client(seed=5, notifications=50)
    before = timeless(seeded(state(client)))
    token = client.get("/_mock/users").json()[0]["token"]
    client.post("/api/v1/notifications/read-all", headers={"Authorization": f"Bearer {token}"})
    client.post("/_mock/reset")
    assert timeless(seeded(state(client))) == before
