"""The event stream: headers, ping cadence, framing, pushed notifications, dataset filter,
401 before streaming, and every event against the schema.

With the bundled mock's manual clock each clause moves time itself (milliseconds of real time);
elsewhere the clauses read one watched stream in real time, bounded by ``--sse-timeout``.
"""

from __future__ import annotations

import json
from typing import Any

import pytest

from contract_tests import expect
from contract_tests.checks.streams import (
    PING,
    QUIET,
    TOLERANCE,
    advance,
    after_pings,
    framing_problem,
    manual,
    notifications,
    opened,
    pings,
    stream_rejected,
    watched,
)
from contract_tests.client import ClauseFailure
from contract_tests.openapi_validation import ContractViolation
from contract_tests.plugin import note
from contract_tests.sse import STREAM, Event, Stream
from contract_tests.target import Target


@pytest.mark.clause("STREAM-CONTENT-TYPE")
def test_content_type(target: Target) -> None:
    with target.stream("a") as stream:
        opened(target, stream)
        kind = stream.header("content-type")
        expect.that(
            kind.split(";")[0].strip().lower() == "text/event-stream",
            f"the stream's Content-Type is {kind!r}",
            stream.exchange(),
        )
        # the point is that no cache or proxy keeps the stream: no-store says so as well
        cache = stream.header("cache-control")
        directives = {d.strip().split("=")[0] for d in cache.lower().split(",")}
        expect.that(
            bool(directives & {"no-cache", "no-store"}),
            f"the stream's Cache-Control is {cache!r}, not no-cache",
            stream.exchange(),
        )


@pytest.mark.clause("STREAM-PING-CADENCE")
def test_ping_cadence(request: pytest.FixtureRequest, target: Target) -> None:
    if manual(target):
        with target.stream("a") as stream:
            opened(target, stream)
            expect.that(
                not stream.read_for(QUIET),
                "an event arrived on connect, before 3 s had passed",
                stream.exchange(),
            )
            elapsed = 0.0
            for seconds, want in (
                (PING, 1),
                (PING - 0.5, 1),
                (0.5, 2),
                (2 * PING, 4),
                (PING - 0.01, 4),
            ):
                advance(target, seconds)
                elapsed += seconds
                after_pings(stream, want)
                stream.read_for(QUIET)  # and nothing more
                got = len(pings(stream.events))
                expect.that(
                    got == want,
                    f"after {elapsed:.2f} s on the server's clock, {got} "
                    f"ping(s) arrived; expected {want}",
                    stream.exchange(note=f"events: {[e.event for e in stream.events]}"),
                )
        note(request, "manual clock: one ping per 3 s advanced")
        return
    if target.options.sse_timeout < PING + TOLERANCE:
        pytest.skip(
            f"--sse-timeout {target.options.sse_timeout:g} s is too short to see a 3 s ping cadence"
        )
    stream = watched(target)
    opened(target, stream)
    _cadence(stream, target.options.sse_timeout)
    note(request, f"{len(pings(stream.events))} pings in {stream.elapsed:.1f} s")


def _cadence(stream: Stream, timeout: float) -> None:
    # from when the request was sent: a server may hold its headers back until the first event
    times = [e.at - stream.sent_at for e in stream.events]
    ex = stream.exchange(note=f"events at {[round(t, 2) for t in times]} s")
    # An event on connect breaks "nothing is sent on connect" only on the manual clock, where
    # the kit owns time; in real time a server whose loop pings first and then sleeps keeps the
    # cadence a client relies on, so only the gaps and the count are held against it.
    last = 0.0
    for t in [*times, stream.read_until_at - stream.sent_at]:
        expect.that(
            t - last <= PING + TOLERANCE,
            f"{t - last:.2f} s passed without an event (a ping is due every 3 s)",
            ex,
        )
        last = t
    want = int((stream.elapsed - TOLERANCE) // PING)
    got = len(pings(stream.events))
    expect.that(got >= want, f"{got} ping(s) in {stream.elapsed:.1f} s; expected {want}", ex)
    if stream.ended:
        raise ClauseFailure(f"{stream.ended} after {stream.elapsed:.1f} s", ex)


def _framing(stream: Stream) -> None:
    for event in stream.events:
        problem = framing_problem(event)
        expect.that(problem is None, str(problem), stream.exchange())


@pytest.mark.clause("STREAM-FRAMING")
def test_framing(request: pytest.FixtureRequest, target: Target) -> None:
    if manual(target):
        with target.stream("a") as stream:
            opened(target, stream)
            target.inject("a", 1)
            advance(target, PING)
            after_pings(stream, 1)
            stream.read_for(QUIET)
    else:
        stream = watched(target)
        opened(target, stream)
    expect.that(
        bool(stream.events) or not stream.pending,
        f"bytes arrived that never end an event (no blank line): {stream.pending[:120]!r}",
        stream.exchange(),
    )
    if manual(target):
        expect.that(
            not stream.pending.strip(),
            f"bytes after the last complete event: {stream.pending[:120]!r}",
            stream.exchange(),
        )
    _framing(stream)
    if not stream.events:
        pytest.skip(f"no event arrived within {target.options.sse_timeout} s")
    note(request, f"{len(stream.events)} events: {sorted({e.event for e in stream.events})}")


def _validate(target: Target, stream: Stream, event: Event) -> object:
    try:
        return target.validator.validate_event(STREAM, event.as_fields())
    except ContractViolation as exc:
        raise ClauseFailure(str(exc), stream.exchange(note=f"event: {event.raw[:300]}")) from None


def _json(event: Event) -> dict[str, Any]:
    """A notification event's data, decoded (an empty dict when it is not a JSON object)."""
    try:
        data = json.loads(event.data)
    except ValueError:
        return {}
    return data if isinstance(data, dict) else {}


@pytest.mark.clause("STREAM-NOTIFICATION-EVENT")
def test_notification_event(request: pytest.FixtureRequest, target: Target) -> None:
    if manual(target):
        (old,) = target.inject("a", 1)
        advance(target, 1)
        with target.stream("a") as stream:
            opened(target, stream)
            (new,) = target.inject("a", 1)
            early = notifications(stream.read_for(QUIET))
            expect.that(
                not early,
                "a notification arrived at once, before the next poll",
                stream.exchange(),
            )
            advance(target, PING)
            events = after_pings(stream, 1)
            stream.read_for(QUIET)
            events = stream.events
        names = [e.event for e in events]
        ex = stream.exchange(note=f"events: {names}")
        got = notifications(events)
        ids = []
        for event in got:
            data = _validate(target, stream, event)
            ids.append(data["id"] if isinstance(data, dict) else None)
        expect.that(
            old["id"] not in ids,
            "a notification created before connecting was sent on the stream",
            ex,
        )
        expect.that(
            ids == [new["id"]],
            f"after one poll, the stream sent notifications {ids}; expected "
            f"[{new['id']}], the one created after connecting",
            ex,
        )
        return
    stream = watched(target)
    opened(target, stream)
    got = notifications(stream.events)
    for event in got:
        data = _validate(target, stream, event)
        expect.that(
            isinstance(data, dict) and data.get("read_at") is None,
            "a pushed notification is already read",
            stream.exchange(),
        )
    if not got:
        pytest.skip(
            f"no notification was created during the {stream.elapsed:.1f} s the stream was watched"
        )
    note(request, f"{len(got)} notification event(s)")


@pytest.mark.clause("STREAM-DATASET-FILTER")
def test_dataset_filter(request: pytest.FixtureRequest, target: Target) -> None:
    if manual(target):
        datasets = target.mock_datasets("a")
        if len(datasets) < 2:
            pytest.skip("the mock's user a sees fewer than two datasets")
        wanted, other = datasets[:2]
        with target.stream("a", params={"dataset_id": wanted}) as stream:
            opened(target, stream)
            (mine,) = target.inject("a", 1, dataset_id=wanted)
            target.inject("a", 1, dataset_id=other)
            advance(target, PING)
            after_pings(stream, 1)
            stream.read_for(QUIET)
        ids = [_json(e).get("id") for e in notifications(stream.events)]
        expect.that(
            ids == [mine["id"]],
            f"a stream of dataset {wanted} sent {ids}; expected only [{mine['id']}] (one "
            f"notification of {wanted} and one of {other} were created)",
            stream.exchange(),
        )
        return
    datasets = (
        target.mock_datasets("a")
        if target.control is not None
        else [
            n["dataset_id"] for n in target.page("a", limit=50)["notifications"] if n["dataset_id"]
        ]
    )
    if not datasets:
        pytest.skip("no dataset_id is known to filter on (user a lists none)")
    wanted = datasets[0]
    with target.stream("a", params={"dataset_id": wanted}) as stream:
        opened(target, stream)
        if target.control is not None:  # a control plane on a real clock: make news
            for news in target.mock_datasets("a")[:2]:
                target.inject("a", 1, dataset_id=news)
        stream.read_for(target.options.sse_timeout)
    got = notifications(stream.events)
    for event in got:
        dataset = _json(event).get("dataset_id")
        expect.that(
            dataset == wanted,
            f"a stream of dataset {wanted} sent a notification of {dataset}",
            stream.exchange(note=f"event: {event.raw[:300]}"),
        )
    if not got:
        pytest.skip(
            f"no notification of dataset {wanted} arrived within {target.options.sse_timeout} s"
        )
    note(request, f"{len(got)} notification event(s)")


@pytest.mark.clause("STREAM-AUTH-401")
def test_stream_auth_401(target: Target) -> None:
    cases: list[tuple[dict[str, str], str]] = [
        ({}, "no credentials"),
        ({"Authorization": "Bearer garbage"}, "a garbage token"),
    ]
    if target.can_mint:
        cases.append(
            (
                {"Authorization": f"Bearer {target.minter.expired(target.creds('a'))}"},
                "an expired token",
            )
        )
    for headers, what in cases:
        stream_rejected(target, headers, what)


@pytest.mark.clause("SCHEMA-STREAM")
def test_stream_events_validate(request: pytest.FixtureRequest, target: Target) -> None:
    if manual(target):
        with target.stream("a") as stream:
            opened(target, stream)
            target.inject("a", 2)
            advance(target, PING)
            after_pings(stream, 1)
            target.inject("a", 1, message="a message")
            advance(target, PING)
            after_pings(stream, 2)
    else:
        stream = watched(target)
        opened(target, stream)
    for event in stream.events[:50]:
        _validate(target, stream, event)
    if not stream.events:
        pytest.skip(f"no event arrived within {target.options.sse_timeout} s")
    note(request, f"{len(stream.events)} events validated")
