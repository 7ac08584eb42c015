"""Isolation between two users: lists, counts, reads, read-all and streams."""

from __future__ import annotations

import json

import pytest

from contract_tests import expect
from contract_tests.checks.streams import PING, QUIET, advance, after_pings, manual, opened
from contract_tests.client import API
from contract_tests.plugin import note
from contract_tests.target import Target


def _shared_dataset(target: Target) -> str | None:
    if target.control is None:
        return None
    b_sets = set(target.mock_datasets("b"))
    return next((d for d in target.mock_datasets("a") if d in b_sets), None)


def _seed_both(target: Target, n: int = 2) -> None:
    if target.control is not None:
        shared = _shared_dataset(target)
        extra = {} if shared is None else {"dataset_id": shared}
        target.inject("a", n, **extra)
        target.inject("b", n, **extra)


@pytest.mark.clause("ISOLATION-LIST")
def test_lists_are_per_user(request: pytest.FixtureRequest, target: Target) -> None:
    _seed_both(target)
    a_items, b_items = target.walk("a"), target.walk("b")
    a_ids, b_ids = {n["id"] for n in a_items}, {n["id"] for n in b_items}
    both = a_ids & b_ids
    expect.that(
        not both, f"{sorted(both)[0] if both else ''} is listed for both users", target.http.last
    )
    a_users, b_users = {n["user_id"] for n in a_items}, {n["user_id"] for n in b_items}
    expect.that(
        len(a_users) <= 1 and len(b_users) <= 1,
        f"one user's list holds notifications of several user_ids: {a_users | b_users}",
        target.http.last,
    )
    expect.that(
        not (a_users & b_users),
        f"both users list notifications of user {sorted(a_users & b_users)}",
        target.http.last,
    )
    if not a_items or not b_items:
        pytest.skip(f"user a lists {len(a_items)}, user b {len(b_items)}: a leak needs both")
    note(request, f"{len(a_items)} and {len(b_items)} notifications")


@pytest.mark.clause("ISOLATION-COUNT")
def test_counts_are_per_user(target: Target) -> None:
    _seed_both(target)
    for reader, other in (("b", "a"), ("a", "b")):
        (n,) = target.unread(reader, 1)
        before = target.unread_count(other)
        target.read(n["id"], user=reader)
        after = target.unread_count(other)
        expect.that(
            after == before,
            f"user {other}'s unread count went {before} -> {after} when "
            f"user {reader} read {n['id']}",
            target.http.last,
        )


@pytest.mark.clause("ISOLATION-READ")
def test_reading_anothers_is_404(target: Target) -> None:
    _seed_both(target)
    (n,) = target.unread("b", 1)
    before = target.unread_count("b")
    body, exchange = target.call("POST", f"{API}/{n['id']}/read", user="a")
    expect.that(
        exchange.status == 404,
        f"user a marking user b's {n['id']} read answered {exchange.status}, not 404",
        exchange,
    )
    expect.error_detail(body, exchange, 404)
    after = target.unread_count("b")
    still = [x for x in target.walk("b", unread_only=True) if x["id"] == n["id"]]
    expect.that(
        bool(still) and after == before,
        f"user b's {n['id']} is no longer unread (count {before} -> {after}) after user "
        "a tried to read it",
        target.http.last,
    )


@pytest.mark.clause("ISOLATION-READ-ALL")
def test_read_all_is_per_user(request: pytest.FixtureRequest, target: Target) -> None:
    # b reads all, so a real server keeps a's unread notifications for READ-ALL-COUNT
    pairs = (("b", "a"), ("a", "b")) if target.control is not None else (("b", "a"),)
    for reader, other in pairs:
        if target.control is not None:
            target.control.reset()
            _seed_both(target, 3)
        before = target.unread_count(other)
        unread = {n["id"] for n in target.walk(other, unread_only=True)}
        target.read_all(reader)
        after = target.unread_count(other)
        still = {n["id"] for n in target.walk(other, unread_only=True)}
        expect.that(
            after == before and still == unread,
            f"user {reader}'s read-all changed user {other}'s unread: count {before} -> "
            f"{after}, {len(unread - still)} notification(s) marked",
            target.http.last,
        )
        if before == 0:
            pytest.skip(f"user {other} has no unread notification a leak could mark")
    note(request, " and ".join(f"{r}'s read-all" for r, _ in pairs))


@pytest.mark.clause("ISOLATION-STREAM")
def test_streams_are_per_user(request: pytest.FixtureRequest, target: Target) -> None:
    if manual(target):
        with target.stream("a") as a_stream, target.stream("b") as b_stream:
            opened(target, a_stream)
            opened(target, b_stream)
            (for_a,) = target.inject("a", 1, **_dataset(target))
            (for_b,) = target.inject("b", 1, **_dataset(target))
            advance(target, PING)
            after_pings(a_stream, 1)
            after_pings(b_stream, 1)
            a_stream.read_for(QUIET)
        for stream, mine, theirs, who in (
            (a_stream, for_a, for_b, "a"),
            (b_stream, for_b, for_a, "b"),
        ):
            ids = [_id(e.data) for e in stream.events if e.event == "notification"]
            expect.that(
                theirs["id"] not in ids,
                f"user {who}'s stream sent the other user's notification {theirs['id']}",
                stream.exchange(),
            )
            expect.that(
                ids == [mine["id"]],
                f"user {who}'s stream sent {ids}; expected [{mine['id']}]",
                stream.exchange(),
            )
        return
    a_user = {n["user_id"] for n in target.page("a", limit=50)["notifications"]}
    b_user = {n["user_id"] for n in target.page("b", limit=50)["notifications"]}
    with target.stream("a") as a_stream, target.stream("b") as b_stream:
        opened(target, a_stream)
        opened(target, b_stream)
        if target.control is not None:  # a control plane on a real clock: make news
            target.inject("a", 1, **_dataset(target))
            target.inject("b", 1, **_dataset(target))
        a_stream.read_for(target.options.sse_timeout)
        b_stream.read_for(QUIET)
    seen = 0
    for stream, own, others, who in (
        (a_stream, a_user, b_user, "a"),
        (b_stream, b_user, a_user, "b"),
    ):
        for event in stream.events:
            if event.event != "notification":
                continue
            seen += 1
            owner = _field(event.data, "user_id")
            expect.that(
                owner not in others or owner in own,
                f"user {who}'s stream sent a notification of user {owner}",
                stream.exchange(note=f"event: {event.raw[:300]}"),
            )
    if not seen:
        pytest.skip(f"no notification reached either stream within {target.options.sse_timeout} s")
    note(request, f"{seen} notification event(s)")


def _dataset(target: Target) -> dict[str, str]:
    shared = _shared_dataset(target)
    return {} if shared is None else {"dataset_id": shared}


def _field(data: str, name: str) -> object:
    try:
        decoded = json.loads(data)
    except ValueError:
        return None
    return decoded.get(name) if isinstance(decoded, dict) else None


def _id(data: str) -> object:
    return _field(data, "id")
