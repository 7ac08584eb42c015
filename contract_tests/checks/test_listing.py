"""Listing: bounds and parsing of limit, offset and unread_only; order; pagination; shape."""

from __future__ import annotations

import itertools
import re
from datetime import datetime
from typing import Any

import pytest

from contract_tests import expect
from contract_tests.client import API
from contract_tests.plugin import note
from contract_tests.target import Target
from contract_tests.timefmt import NAIVE_MICROS

FIELDS = {
    "id",
    "user_id",
    "entity_type",
    "entity_id",
    "title",
    "message",
    "metadata",
    "dataset_id",
    "created_at",
    "read_at",
}
METADATA = {"batch_id", "is_alert", "view_name", "dataset_name", "result_count"}
UUID = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$")
TIMESTAMP = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,6})?$")


def _bad(target: Target, name: str, value: str | int) -> None:
    body, exchange = target.call("GET", API, params={name: value}, expect=422)
    expect.validation_error(body, exchange, ["query", name])


@pytest.mark.clause("LIST-LIMIT-BOUNDS")
def test_limit_bounds(target: Target) -> None:
    if target.control is not None:
        target.inject("a", 101)
    for limit in (1, 100):
        body, exchange = target.call("GET", API, params={"limit": limit}, expect=200)
        got = len(body["notifications"])
        expect.that(got <= limit, f"limit={limit} returned {got} notifications", exchange)
        expect.that(
            got == min(limit, body["total"]),
            f"limit={limit} with total {body['total']} returned {got} notifications",
            exchange,
        )
    for limit in (0, 101, -1):
        _bad(target, "limit", limit)


@pytest.mark.clause("LIST-LIMIT-TYPE")
def test_limit_type(target: Target) -> None:
    for limit in ("abc", "1.5"):
        _bad(target, "limit", limit)


@pytest.mark.clause("LIST-OFFSET-BOUNDS")
def test_offset_bounds(target: Target) -> None:
    target.call("GET", API, params={"offset": 0}, expect=200)
    for offset in (-1, "abc"):
        _bad(target, "offset", offset)


@pytest.mark.clause("LIST-DEFAULT-LIMIT")
def test_default_limit(request: pytest.FixtureRequest, target: Target) -> None:
    if target.control is not None:
        target.inject("a", 25)
    body, exchange = target.call("GET", API, expect=200)
    total, got = body["total"], len(body["notifications"])
    expect.that(
        got == min(20, total),
        f"without limit, {got} notifications came back of {total} (the default is 20)",
        exchange,
    )
    if total <= 20:
        pytest.skip(f"only {total} notifications: a default of 20 cannot be told from a larger one")
    note(request, f"{total} notifications")


# the documentation's spellings in any case (the contract also allows t/f and y/n; a server
# that refuses those is not failed for it)
TRUE = ("true", "1", "yes", "on", "TRUE", "True", "YeS", "oN")
FALSE = ("false", "0", "no", "off", "FALSE", "False", "nO", "OfF")


@pytest.mark.clause("LIST-UNREAD-ONLY-PARSING")
def test_unread_only_parsing(target: Target) -> None:
    everything = target.page("a", limit=1)["total"]
    unread = target.page("a", limit=1, unread_only="true")["total"]
    for value, want in [*((v, unread) for v in TRUE), *((v, everything) for v in FALSE)]:
        body, exchange = target.call(
            "GET", API, params={"unread_only": value, "limit": 1}, expect=200
        )
        expect.that(
            body["total"] == want,
            f"unread_only={value} gave total {body['total']}, expected {want} "
            f"(all: {everything}, unread: {unread})",
            exchange,
        )
    for value in ("maybe", "2", "nope", "truee"):
        _bad(target, "unread_only", value)


@pytest.mark.clause("LIST-UNREAD-ONLY-FILTER")
def test_unread_only_filter(request: pytest.FixtureRequest, target: Target) -> None:
    if target.control is not None:
        target.inject("a", 3)
    items = target.walk("a", unread_only=True)
    for item in items:
        expect.that(
            item["read_at"] is None,
            f"unread_only=true listed {item['id']}, read at {item['read_at']}",
            target.http.last,
        )
    count = target.unread_count("a")
    total = target.page("a", limit=1, unread_only=True)["total"]
    expect.that(
        total == count == len(items),
        f"unread_only=true: total {total}, {len(items)} listed, unread count {count}",
        target.http.last,
    )
    everything = target.page("a", limit=1)["total"]
    if everything == count:
        note(request, "every notification is unread: the filter removed nothing")


def _key(item: dict[str, Any]) -> tuple[datetime, str]:
    return (datetime.fromisoformat(item["created_at"]), item["id"])


@pytest.mark.clause("LIST-ORDER")
def test_order(request: pytest.FixtureRequest, target: Target) -> None:
    if target.control is not None:
        # ties (one injection shares created_at) and out-of-order creation times
        target.inject("a", 4)
        for stamp in (
            "2026-01-02T00:00:00.000001",
            "2026-01-01T00:00:00.500000",
            "2026-01-03T12:00:00.250000",
        ):
            target.inject("a", 2, created_at=stamp)
    items: list[Any] = []
    offset = 0
    for _ in range(30):
        body = target.page("a", limit=7, offset=offset)
        items.extend(body["notifications"])
        offset += len(body["notifications"])
        if not body["has_more"] or not body["notifications"]:
            break
    for before, after in itertools.pairwise(items):
        expect.that(
            _key(before) > _key(after),
            f"not newest first: {before['id']} ({before['created_at']}) is listed before "
            f"{after['id']} ({after['created_at']})",
            target.http.last,
        )
    if len(items) < 2:
        pytest.skip(f"{len(items)} notification(s): no order to check")
    note(request, f"{len(items)} notifications over pages of 7")


@pytest.mark.clause("LIST-PAGINATION-WALK")
def test_pagination_walk(request: pytest.FixtureRequest, target: Target) -> None:
    if target.control is not None:
        target.inject("a", 40)
        short = -target.page("a", limit=1)["total"] % 7
        if short:  # a full last page: has_more must be false on it too
            target.inject("a", short)
    total = target.page("a", limit=1)["total"]
    if total > 10_000:
        pytest.skip(f"{total} notifications: too many to walk")
    limit = 7 if total <= 140 else 100
    seen: list[str] = []
    offset = 0
    while True:
        body, exchange = target.call(
            "GET", API, params={"limit": limit, "offset": offset}, expect=200
        )
        page = body["notifications"]
        expect.that(
            body["total"] == total,
            f"offset={offset}: total is {body['total']}, the first page said {total}",
            exchange,
        )
        expect.that(
            len(page) == max(0, min(limit, total - offset)),
            f"offset={offset} limit={limit} of {total}: {len(page)} notifications (a gap)",
            exchange,
        )
        want_more = offset + len(page) < total
        expect.that(
            body["has_more"] is want_more,
            f"offset={offset}: has_more is {body['has_more']} with {len(page)} of {total}",
            exchange,
        )
        repeated = [n["id"] for n in page if n["id"] in seen]
        expect.that(
            not repeated,
            f"offset={offset}: {repeated[0] if repeated else ''} was on an earlier page",
            exchange,
        )
        seen.extend(n["id"] for n in page)
        offset += len(page)
        if not body["has_more"] or not page:
            break
    expect.that(
        len(seen) == total,
        f"the walk found {len(seen)} notifications, total {total}",
        target.http.last,
    )
    # the last page exactly full, and the page just before it
    for size in sorted({1, limit, min(total, 100)}):
        for offset, more in ((total - size, False), (total - size - 1, True)):
            if offset < 0:
                continue
            body, exchange = target.call(
                "GET", API, params={"limit": size, "offset": offset}, expect=200
            )
            expect.that(
                len(body["notifications"]) == size and body["has_more"] is more,
                f"offset={offset} limit={size} of {total}: {len(body['notifications'])} "
                f"notifications, has_more {body['has_more']} (expected {size}, {more})",
                exchange,
            )
    if total <= limit:
        pytest.skip(f"{total} notifications fit on one page: nothing to walk")
    note(request, f"{total} notifications in pages of {limit}")


@pytest.mark.clause("LIST-OFFSET-PAST-END")
def test_offset_past_end(target: Target) -> None:
    total = target.page("a", limit=1)["total"]
    for offset in (total, total + 1, total + 50):
        body, exchange = target.call("GET", API, params={"offset": offset, "limit": 10}, expect=200)
        expect.that(
            body["notifications"] == [] and body["total"] == total and body["has_more"] is False,
            f"offset={offset} of {total}: {len(body['notifications'])} notifications, total "
            f"{body['total']}, has_more {body['has_more']} (expected [], {total}, false)",
            exchange,
        )


@pytest.mark.clause("LIST-SHAPE")
def test_shape(request: pytest.FixtureRequest, target: Target) -> None:
    if target.control is not None:
        target.inject("a", 2, message="checked by the contract kit")
    body, exchange = target.call("GET", API, params={"limit": 50}, expect=200, validate=True)
    items = body["notifications"]
    if not items:
        pytest.skip("the user has no notifications to look at")
    for n in items:
        keys = set(n)
        expect.that(
            keys == FIELDS,
            f"{n.get('id')}: fields {sorted(keys ^ FIELDS)} differ from the ten documented",
            exchange,
        )
        for name in ("id", "user_id", "entity_id"):
            expect.that(
                bool(UUID.match(str(n[name]))),
                f"{n['id']}: {name} {n[name]!r} is not a canonical lowercase UUID",
                exchange,
            )
        for name in ("dataset_id",):
            expect.that(
                n[name] is None or bool(UUID.match(str(n[name]))),
                f"{n['id']}: {name} {n[name]!r} is not a canonical lowercase UUID",
                exchange,
            )
        for name in ("created_at", "read_at"):
            value = n[name]
            if name == "read_at" and value is None:
                continue
            expect.that(
                isinstance(value, str) and bool(TIMESTAMP.match(value)),
                f"{n['id']}: {name} {value!r} is not a naive timestamp like "
                "2026-03-31T17:02:12.432489",
                exchange,
            )
        meta = n["metadata"]
        missing = METADATA - set(meta) if isinstance(meta, dict) else METADATA
        expect.that(not missing, f"{n['id']}: metadata lacks {sorted(missing)}", exchange)
        expect.that(
            bool(UUID.match(str(meta["batch_id"]))),
            f"{n['id']}: metadata.batch_id {meta['batch_id']!r} is not a canonical UUID",
            exchange,
        )
    micro = sum(1 for n in items if NAIVE_MICROS.match(n["created_at"]))
    note(request, f"{len(items)} notifications ({micro} with six-digit fractions)")
