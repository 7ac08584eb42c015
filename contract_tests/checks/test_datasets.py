"""dataset_id: validated (422) on every endpoint that takes it, and filtering what it scopes."""

from __future__ import annotations

import uuid
from collections import Counter

import pytest

from contract_tests import expect
from contract_tests.client import API
from contract_tests.plugin import note
from contract_tests.sse import STREAM
from contract_tests.target import Target

BAD = ("not-a-uuid", "12345")


@pytest.mark.clause("DATASET-ID-VALIDATION")
def test_dataset_id_validation(request: pytest.FixtureRequest, target: Target) -> None:
    before = target.unread_count("a")
    endpoints = [("GET", API), ("GET", f"{API}/unread-count")]
    if target.options.read_only:  # a server that accepted the bad id would mark everything
        note(request, "read-all not tried (--read-only)")
    else:
        endpoints.append(("POST", f"{API}/read-all"))
    for value in BAD:
        for method, path in endpoints:
            body, exchange = target.call(method, path, params={"dataset_id": value}, expect=422)
            expect.validation_error(body, exchange, ["query", "dataset_id"])
        with target.stream("a", params={"dataset_id": value}) as stream:
            exchange = stream.exchange()
            expect.that(
                stream.status == 422,
                f"GET {STREAM}?dataset_id={value}: expected 422, got {stream.status}",
                exchange,
            )
            body = target.check("GET", STREAM, stream.response, exchange, 422)  # type: ignore[arg-type]
            expect.validation_error(body, exchange, ["query", "dataset_id"])
    after = target.unread_count("a")
    expect.that(
        after == before,
        f"a refused read-all changed the unread count from {before} to {after}",
        target.http.last,
    )


@pytest.mark.clause("DATASET-ID-FILTER")
def test_dataset_id_filter(request: pytest.FixtureRequest, target: Target) -> None:
    if target.control is not None:
        for dataset in target.mock_datasets("a")[:3]:
            target.inject("a", 3, dataset_id=dataset)
            target.inject("a", 1, dataset_id=dataset, read_at="2026-01-01T00:00:00.000000")
    items = target.walk("a")
    per = Counter(n["dataset_id"] for n in items)
    unread = Counter(n["dataset_id"] for n in items if n["read_at"] is None)
    datasets = [d for d in per if d is not None]
    if not datasets:
        pytest.skip("the user has no notification with a dataset_id")
    for dataset in datasets[:5]:
        listed = target.walk("a", dataset_id=dataset)
        others = [n["id"] for n in listed if n["dataset_id"] != dataset]
        expect.that(
            not others,
            f"dataset_id={dataset} listed {others[:1]} of another dataset",
            target.http.last,
        )
        expect.that(
            len(listed) == per[dataset],
            f"dataset_id={dataset} listed {len(listed)}; the full list has {per[dataset]} of it",
            target.http.last,
        )
        total = target.page("a", limit=1, dataset_id=dataset)["total"]
        expect.that(
            total == per[dataset],
            f"dataset_id={dataset}: total {total}, expected {per[dataset]}",
            target.http.last,
        )
        count = target.unread_count("a", dataset_id=dataset)
        expect.that(
            count == unread[dataset],
            f"unread-count?dataset_id={dataset} is {count}; "
            f"the list has {unread[dataset]} unread of it",
            target.http.last,
        )
        # a UUID in either case is valid input (the contract's UuidInput)
        target.call("GET", API, params={"limit": 1, "dataset_id": dataset.upper()}, expect=200)
        target.call(
            "GET", f"{API}/unread-count", params={"dataset_id": dataset.upper()}, expect=200
        )
    stranger = str(uuid.uuid4())
    total = target.page("a", limit=1, dataset_id=stranger)["total"]
    expect.that(
        total == 0, f"dataset_id={stranger} (no such dataset) has total {total}", target.http.last
    )
    count = target.unread_count("a", dataset_id=stranger)
    expect.that(count == 0, f"unread-count for an unknown dataset is {count}", target.http.last)
    expect.that(
        sum(per.values()) == len(items) == target.page("a", limit=1)["total"],
        "per-dataset totals do not add up to the total",
        target.http.last,
    )
    note(request, f"{len(datasets)} dataset(s)")
