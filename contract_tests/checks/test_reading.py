"""Marking read: one, again, unknown, malformed; read_at; the unread count; read-all."""

from __future__ import annotations

import uuid
from collections import Counter
from datetime import UTC, datetime
from typing import Any

import pytest

from contract_tests import expect
from contract_tests.client import API
from contract_tests.plugin import note
from contract_tests.target import Target

# a real server's clock may differ from this machine's by a little
SKEW = 5.0


def _find(target: Target, notification_id: str, user: str = "a", **params: Any) -> Any:
    for n in target.walk(user, **params):
        if n["id"] == notification_id:
            return n
    return None


@pytest.mark.clause("READ-AGAIN-404")
def test_read_again_is_404(target: Target) -> None:
    (n,) = target.unread("a", 1)
    body, exchange = target.call("POST", f"{API}/{n['id']}/read", expect=200)
    expect.that(body == {"ok": True}, f'mark read answered {body}, not {{"ok": true}}', exchange)
    body, exchange = target.call("POST", f"{API}/{n['id']}/read", expect=404)
    expect.error_detail(body, exchange, 404)


@pytest.mark.clause("READ-UNKNOWN-404")
def test_read_unknown_is_404(target: Target) -> None:
    before = target.unread_count("a")
    # an id in upper case is a valid UUID too (the contract's UuidInput): 404, not 422
    for unknown in (str(uuid.uuid4()), str(uuid.uuid4()).upper()):
        body, exchange = target.call("POST", f"{API}/{unknown}/read", expect=404)
        expect.error_detail(body, exchange, 404)
    after = target.unread_count("a")
    expect.that(
        after == before,
        f"reading unknown ids changed the count {before} -> {after}",
        target.http.last,
    )


@pytest.mark.clause("READ-NON-UUID-422")
def test_read_non_uuid_is_422(target: Target) -> None:
    for value in ("not-a-uuid", "12345"):
        body, exchange = target.call("POST", f"{API}/{value}/read", expect=422)
        expect.validation_error(body, exchange, ["path", "notification_id"])


@pytest.mark.clause("READ-SETS-READ-AT")
def test_read_sets_read_at(target: Target) -> None:
    (n,) = target.unread("a", 1)
    skew = 0.0 if target.control is not None else SKEW
    if target.control is not None and target.control.manual:
        target.control.advance(1)  # so "now" is not the instant the notification was created
    started = target.now()
    target.read(n["id"])
    finished = target.now()
    found = _find(target, n["id"])
    expect.that(
        found is not None, f"{n['id']} is no longer listed after being read", target.http.last
    )
    read_at = found["read_at"]
    expect.that(
        read_at is not None, f"{n['id']} still has read_at null after being read", target.http.last
    )
    stamp = datetime.fromisoformat(read_at).replace(tzinfo=UTC).timestamp()
    expect.that(
        stamp >= started - skew - 1e-6,
        f"{n['id']}: read_at {read_at} is before the request was sent",
        target.http.last,
    )
    expect.that(
        stamp <= finished + skew + 1e-6,
        f"{n['id']}: read_at {read_at} is after the request was answered",
        target.http.last,
    )
    again = _find(target, n["id"], unread_only=True)
    expect.that(
        again is None,
        f"{n['id']} is still listed with unread_only=true after reading",
        target.http.last,
    )


@pytest.mark.clause("COUNT-MATCHES-UNREAD-TOTAL")
def test_count_matches_unread_total(request: pytest.FixtureRequest, target: Target) -> None:
    if target.control is not None:
        for dataset in target.mock_datasets("a")[:2]:
            target.inject("a", 2, dataset_id=dataset)
    count = target.unread_count("a")
    counted = target.http.last
    total = target.page("a", limit=1, unread_only=True)["total"]
    expect.that(
        count == total,
        f"unread-count is {count}, unread_only=true total is {total}",
        counted,
    )
    datasets = Counter(n["dataset_id"] for n in target.walk("a") if n["dataset_id"])
    for dataset in list(datasets)[:5]:
        count = target.unread_count("a", dataset_id=dataset)
        total = target.page("a", limit=1, unread_only=True, dataset_id=dataset)["total"]
        expect.that(
            count == total,
            f"dataset {dataset}: unread-count {count}, unread_only total {total}",
            target.http.last,
        )
    note(request, f"overall and {min(5, len(datasets))} dataset(s)")


@pytest.mark.clause("COUNT-DECREMENTS-ON-READ")
def test_count_decrements_on_read(target: Target) -> None:
    (n,) = target.unread("a", 1)
    before = target.unread_count("a")
    scoped = n["dataset_id"]
    before_ds = target.unread_count("a", dataset_id=scoped) if scoped else None
    target.read(n["id"])
    after = target.unread_count("a")
    expect.that(
        after == before - 1,
        f"unread count {before} -> {after} after one read (expected one less)",
        target.http.last,
    )
    if scoped:
        after_ds = target.unread_count("a", dataset_id=scoped)
        assert before_ds is not None
        expect.that(
            after_ds == before_ds - 1,
            f"dataset {scoped}: unread count {before_ds} -> {after_ds} after one read",
            target.http.last,
        )


def _unread_by_dataset(target: Target, user: str = "a") -> Counter[str | None]:
    return Counter(n["dataset_id"] for n in target.walk(user, unread_only=True))


@pytest.mark.clause("READ-ALL-DATASET-SCOPE")
def test_read_all_dataset_scope(request: pytest.FixtureRequest, target: Target) -> None:
    if target.control is not None:
        for i, dataset in enumerate(target.mock_datasets("a")[:2]):
            target.inject("a", 2 + i, dataset_id=dataset)
    unread = _unread_by_dataset(target)
    candidates = sorted((c, d) for d, c in unread.items() if d is not None)
    if not candidates or sum(unread.values()) == candidates[0][0]:
        pytest.skip(
            "needs unread notifications in one dataset and unread ones outside it; "
            f"unread by dataset: {dict(unread) or 'none'}"
        )
    cleared, dataset = candidates[0]  # the smallest: spend as little as possible
    before = target.unread_count("a")
    body, exchange = target.call(
        "POST", f"{API}/read-all", params={"dataset_id": dataset}, expect=200
    )
    expect.that(
        body.get("count") == cleared,
        f"read-all?dataset_id={dataset} answered count {body.get('count')}; that dataset "
        f"had {cleared} unread",
        exchange,
    )
    left = target.unread_count("a", dataset_id=dataset)
    expect.that(
        left == 0, f"dataset {dataset} still has {left} unread after its read-all", target.http.last
    )
    after = _unread_by_dataset(target)
    for other, count in unread.items():
        if other != dataset:
            expect.that(
                after.get(other, 0) == count,
                f"read-all?dataset_id={dataset} changed dataset {other}'s unread from "
                f"{count} to {after.get(other, 0)}",
                target.http.last,
            )
    total = target.unread_count("a")
    expect.that(
        total == before - cleared,
        f"unread count {before} -> {total}, expected {before - cleared}",
        target.http.last,
    )
    note(request, f"cleared {cleared} in one dataset, {sum(unread.values()) - cleared} left")


@pytest.mark.clause("READ-ALL-COUNT")
def test_read_all_count(request: pytest.FixtureRequest, target: Target) -> None:
    if target.control is not None:
        target.inject("a", 3)
    before = target.unread_count("a")
    body, exchange = target.call("POST", f"{API}/read-all", expect=200)
    expect.that(
        body == {"ok": True, "count": before},
        f"read-all answered {body}; there were {before} unread",
        exchange,
    )
    after = target.unread_count("a")
    expect.that(after == 0, f"the unread count is {after} after read-all", target.http.last)
    listed = target.page("a", limit=1, unread_only=True)["total"]
    expect.that(
        listed == 0, f"unread_only=true still lists {listed} after read-all", target.http.last
    )
    body, exchange = target.call("POST", f"{API}/read-all", expect=200)
    expect.that(
        body == {"ok": True, "count": 0},
        f'a second read-all answered {body}, not {{"ok": true, "count": 0}}',
        exchange,
    )
    if before == 0:
        pytest.skip("no unread notification to clear: only the second read-all's 0 was checked")
    note(request, f"cleared {before}")
