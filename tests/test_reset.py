"""``POST /_mock/reset`` (and so the pytest plugin's reset before every test) gives back exactly
the start state, whatever a test did: injections one by one and in bulk, batches, marking read
one, all, or a dataset's. The store undoes only what changed since the start, so every list,
filter and count the API serves is compared, not just totals."""

from __future__ import annotations

from typing import Any

import httpx
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from mock_server import MockConfig, MockServer

LIST = "/api/v1/notifications"
COUNT = "/api/v1/notifications/unread-count"
USERS = ["alice", "bob"]


def _walk(client: httpx.Client, headers: dict[str, str], **params: Any) -> list[dict[str, Any]]:
    items: list[dict[str, Any]] = []
    while True:
        page = client.get(
            LIST, headers=headers, params={**params, "limit": 100, "offset": len(items)}
        )
        assert page.status_code == 200, page.text
        body = page.json()
        items += body["notifications"]
        if not body["has_more"]:
            assert len(items) == body["total"]
            return items


def snapshot(client: httpx.Client, mock: MockServer) -> dict[str, Any]:
    """Everything the API shows each user: every list and count, overall and per dataset."""
    datasets = [d["dataset_id"] for d in client.get("/_mock/state").json()["datasets"]]
    seen: dict[str, Any] = {}
    for user in USERS:
        headers = mock.headers(user)
        for dataset in [None, *datasets]:
            filt = {} if dataset is None else {"dataset_id": dataset}
            seen[f"{user} {dataset} all"] = _walk(client, headers, **filt)
            seen[f"{user} {dataset} unread"] = _walk(client, headers, unread_only="true", **filt)
            seen[f"{user} {dataset} count"] = client.get(COUNT, headers=headers, params=filt).json()
    state = client.get("/_mock/state").json()
    seen["users"] = state["users"]
    seen["total"] = state["notifications"]["total"]
    return seen


users = st.sampled_from(USERS)
operations = st.one_of(
    st.tuples(st.just("inject"), users, st.sampled_from([1, 3, 1000]), st.booleans()),
    st.tuples(st.just("batch"), st.integers(0, 5)),
    st.tuples(st.just("mark"), users, st.integers(0, 10)),
    st.tuples(st.just("mark-all"), users, st.integers(-1, 5)),
)


def apply(client: httpx.Client, mock: MockServer, op: tuple[Any, ...], datasets: list[str]) -> None:
    kind = op[0]
    if kind == "inject":
        _, user, count, on_dataset = op
        entry: dict[str, Any] = {"user": user}
        if on_dataset:
            entry["dataset_id"] = datasets[0]
        assert client.post("/_mock/notifications", json=[entry] * count).status_code == 201
    elif kind == "batch":
        made = client.post("/_mock/batches", json={"dataset_id": datasets[op[1] % len(datasets)]})
        assert made.status_code == 201
    elif kind == "mark":
        _, user, pick = op
        headers = mock.headers(user)
        unread = _walk(client, headers, unread_only="true")
        if unread:
            nid = unread[pick % len(unread)]["id"]
            assert client.post(f"{LIST}/{nid}/read", headers=headers).status_code == 200
    else:
        _, user, which = op
        params = {} if which < 0 else {"dataset_id": datasets[which % len(datasets)]}
        response = client.post(f"{LIST}/read-all", headers=mock.headers(user), params=params)
        assert response.status_code == 200


@pytest.fixture(scope="module")
def seeded() -> Any:
    # fixtures plus generated data, so that every user has read and unread notifications in
    # several datasets
    with MockServer(MockConfig(clock="manual", seed=3, notifications=300)) as mock:
        yield mock


@pytest.fixture(scope="module")
def start(seeded: MockServer) -> dict[str, Any]:
    """The snapshot of the start state, taken before any test has changed anything."""
    with httpx.Client(base_url=seeded.url, timeout=30) as client:
        return snapshot(client, seeded)


@settings(
    max_examples=15,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(st.lists(operations, min_size=1, max_size=8))
def test_reset_gives_back_exactly_the_start_state_whatever_was_done(
    seeded: MockServer, start: dict[str, Any], response_hook: Any, ops: list[tuple[Any, ...]]
) -> None:
    with httpx.Client(
        base_url=seeded.url, timeout=30, event_hooks={"response": [response_hook]}
    ) as client:
        datasets = [d["dataset_id"] for d in client.get("/_mock/state").json()["datasets"]]
        for op in ops:
            apply(client, seeded, op, datasets)
        assert client.post("/_mock/reset").status_code == 200
        after = snapshot(client, seeded)
        assert after.keys() == start.keys()
        for key, value in start.items():  # the first difference, named
            assert after[key] == value, key


def test_reset_twice_and_after_nothing_changes_nothing(
    seeded: MockServer, start: dict[str, Any], response_hook: Any
) -> None:
    with httpx.Client(
        base_url=seeded.url, timeout=30, event_hooks={"response": [response_hook]}
    ) as client:
        client.post("/_mock/reset")
        client.post("/_mock/reset")
        assert snapshot(client, seeded) == start
