"""The store's costs do not grow with its size: proved by counting, not by timing.

Every notification in these stores counts each read of one of its attributes. Any work that
visits notifications (a scan, a recount, a re-sort, a filter) reads their attributes, so the
number of reads an operation makes is a deterministic measure of how many it touched. The
tests compare a store with 1,000 notifications per user against one with 30,000: listing a page
must touch about ``limit`` of them, counting unread none, and marking one read a constant few,
whatever the size. (The remaining O(log n) of ``sortedcontainers``' index arithmetic touches no
notification; wall-clock costs are the benchmark's business.)
"""

from __future__ import annotations

import uuid
from typing import Any

import pytest

from mock_server.models import Notification
from mock_server.store import Store

ALICE = "8f2f00c0-8446-49de-935f-0e9e058cb2a8"
BOB = "3b1f6c2a-9d4e-4f7a-8b2c-1e5d7a9c3f60"
DATASETS = ["a981fc0c-2d1f-11f1-a7ca-d2580fa2deac", "5d2e8f1a-3c4b-4a6d-9e7f-1b2c3d4e5f60"]


class Touches:
    count = 0


class CountingNotification(Notification):
    """A notification that counts reads of its attributes (while counting is on)."""

    counting = False

    def __getattribute__(self, name: str) -> Any:
        if type(self).counting:
            Touches.count += 1
        return super().__getattribute__(name)


def counting(
    nid: str, user: str, dataset_id: str, created_at: int, read_at: int | None = None
) -> CountingNotification:
    return CountingNotification(
        id=nid,
        user_id=user,
        entity_type="saved_view",
        entity_id=nid,
        title="",
        message=None,
        metadata={},
        dataset_id=dataset_id,
        created_at=created_at,
        read_at=read_at,
    )


def build(per_user: int) -> tuple[Store, list[str]]:
    store = Store()
    ids: list[str] = []
    batch: list[Notification] = []
    for i in range(per_user):
        for user in (ALICE, BOB):
            nid = str(uuid.UUID(int=len(batch) + 1))
            created_at = 1_000_000 * (i // 3)  # ties, as batches make
            read_at = None if i % 4 else 5
            batch.append(counting(nid, user, DATASETS[i % 2], created_at, read_at))
            if user == ALICE:
                ids.append(nid)
    store.add_many(batch)
    return store, ids


@pytest.fixture(scope="module")
def stores() -> dict[int, tuple[Store, list[str]]]:
    return {n: build(n) for n in (1_000, 30_000)}


def touches(action: Any) -> int:
    Touches.count = 0
    CountingNotification.counting = True
    try:
        action()
    finally:
        CountingNotification.counting = False
    return Touches.count


def test_a_page_touches_only_its_own_notifications_whatever_the_store_size(
    stores: dict[int, tuple[Store, list[str]]],
) -> None:
    for store, _ in stores.values():
        for kwargs in (
            {"limit": 20, "offset": 0},
            {"limit": 20, "offset": 500},
            {"limit": 100, "offset": 900},
            {"limit": 20, "offset": 300, "unread_only": True},
            {"limit": 20, "offset": 300, "dataset_id": DATASETS[1]},
            {"limit": 20, "offset": 10, "unread_only": True, "dataset_id": DATASETS[0]},
        ):
            items: list[Notification] = []
            cost = touches(lambda s=store, out=items, kw=kwargs: out.extend(s.page(ALICE, **kw)[0]))
            assert len(items) == kwargs["limit"]
            assert cost == 0, kwargs  # positional slicing: nothing is visited to find the page


def test_a_page_is_newest_first_and_its_total_is_kept(
    stores: dict[int, tuple[Store, list[str]]],
) -> None:
    store, _ = stores[1_000]
    items, total = store.page(ALICE, limit=100, offset=0)
    keys = [(n.created_at, n.id) for n in items]
    assert keys == sorted(keys, reverse=True)
    assert total == 1_000
    assert store.page(ALICE, limit=1, offset=0, unread_only=True)[1] == 750


def test_an_unread_count_touches_no_notification(
    stores: dict[int, tuple[Store, list[str]]],
) -> None:
    for store, _ in stores.values():
        assert touches(lambda s=store: s.unread_count(ALICE)) == 0
        assert touches(lambda s=store: s.unread_count(ALICE, DATASETS[0])) == 0


def test_marking_one_read_touches_a_constant_few_whatever_the_store_size(
    stores: dict[int, tuple[Store, list[str]]],
) -> None:
    costs = {}
    for size, (store, ids) in stores.items():
        target = ids[len(ids) // 2 + 1]  # unread (i % 4 != 0)
        before = store.unread_count(ALICE)
        costs[size] = touches(lambda s=store, t=target: s.mark_read(ALICE, t, 99))
        assert store.unread_count(ALICE) == before - 1
    assert costs[1_000] == costs[30_000]
    assert costs[30_000] <= 20


def test_marking_all_read_touches_only_what_it_marks(
    stores: dict[int, tuple[Store, list[str]]],
) -> None:
    for store, _ in stores.values():
        unread = store.unread_count(ALICE, DATASETS[1])
        cost = touches(lambda s=store: s.mark_all_read(ALICE, DATASETS[1], 99))
        assert store.unread_count(ALICE, DATASETS[1]) == 0
        assert cost <= 10 * unread


def test_a_rollback_touches_only_what_changed_since_the_checkpoint_whatever_the_store_size(
    stores: dict[int, tuple[Store, list[str]]],
) -> None:
    costs = {}
    for size, (store, ids) in stores.items():
        store.checkpoint()
        before = (len(store), store.unread_count(ALICE), store.unread_count(ALICE, DATASETS[0]))
        unread = [i for i in ids[:40] if (n := store.get(i)) is not None and n.read_at is None]
        for nid in unread[:3]:
            assert store.mark_read(ALICE, nid, 99)
        for i in range(3):
            nid = str(uuid.UUID(int=10**9 + i))
            store.add(counting(nid, ALICE, DATASETS[0], 10**12))
        costs[size] = touches(store.rollback)
        after = (len(store), store.unread_count(ALICE), store.unread_count(ALICE, DATASETS[0]))
        assert after == before
        assert store.get(str(uuid.UUID(int=10**9))) is None
    assert costs[1_000] == costs[30_000], costs
    assert costs[30_000] <= 200, costs
