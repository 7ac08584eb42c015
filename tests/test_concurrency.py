"""Concurrent requests over real connections: each state change happens exactly once.

Every request is in flight at once (``asyncio.gather`` over one ``httpx.AsyncClient`` with a
connection per request), against the session's real server.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable

import httpx

from mock_server import MockServer

AsyncHook = Callable[[httpx.Response], Awaitable[None]]
DOC_ID = "e94ab07e-c0fe-4db1-83d0-34ea0fd8ee57"
STREETS = "5d2e8f1a-3c4b-4a6d-9e7f-1b2c3d4e5f60"
ICE_CREAM = "a981fc0c-2d1f-11f1-a7ca-d2580fa2deac"
COUNT = "/api/v1/notifications/unread-count"
READ_ALL = "/api/v1/notifications/read-all"


async def _all_at_once(
    mock: MockServer, hook: AsyncHook, requests: list[tuple[str, str, dict[str, str]]]
) -> list[httpx.Response]:
    limits = httpx.Limits(max_connections=len(requests), max_keepalive_connections=0)
    async with httpx.AsyncClient(
        base_url=mock.url,
        headers=mock.headers("alice"),
        timeout=30,
        limits=limits,
        event_hooks={"response": [hook]},
    ) as client:
        return await asyncio.gather(
            *(client.request(method, path, params=params) for method, path, params in requests)
        )


def test_fifty_simultaneous_mark_reads_of_one_id_succeed_exactly_once(
    alice: httpx.Client, mock: MockServer, async_response_hook: AsyncHook
) -> None:
    path = f"/api/v1/notifications/{DOC_ID}/read"
    responses = asyncio.run(_all_at_once(mock, async_response_hook, [("POST", path, {})] * 50))
    statuses = sorted(r.status_code for r in responses)
    assert statuses == [200] + [404] * 49
    assert alice.get(COUNT).json() == {"count": 1}


def test_concurrent_read_alls_never_count_a_notification_twice(
    alice: httpx.Client, mock: MockServer, async_response_hook: AsyncHook
) -> None:
    alice.post("/_mock/notifications", json=[{"user": "alice", "dataset_id": STREETS}] * 60)
    alice.post("/_mock/notifications", json=[{"user": "alice", "dataset_id": ICE_CREAM}] * 40)
    before = alice.get(COUNT).json()["count"]
    assert before == 102
    requests = [
        ("POST", READ_ALL, {"dataset_id": STREETS}),
        ("POST", READ_ALL, {}),
        ("POST", READ_ALL, {"dataset_id": ICE_CREAM}),
    ] * 10
    responses = asyncio.run(_all_at_once(mock, async_response_hook, requests))
    assert all(r.status_code == 200 for r in responses)
    assert sum(r.json()["count"] for r in responses) == before
    assert alice.get(COUNT).json() == {"count": 0}


def test_concurrent_mark_reads_of_different_ids_all_succeed_and_count_down(
    alice: httpx.Client, mock: MockServer, async_response_hook: AsyncHook
) -> None:
    made = alice.post("/_mock/notifications", json=[{"user": "alice"}] * 40).json()
    requests: list[tuple[str, str, dict[str, str]]] = [
        ("POST", f"/api/v1/notifications/{n['id']}/read", {}) for n in made
    ]
    requests += [("POST", f"/api/v1/notifications/{n['id']}/read", {}) for n in made[:10]]
    responses = asyncio.run(_all_at_once(mock, async_response_hook, requests))
    assert sorted(r.status_code for r in responses) == [200] * 40 + [404] * 10
    assert alice.get(COUNT).json() == {"count": 2}
