"""Listing: bounds and parsing of limit, offset and unread_only; order; pagination; shape."""

from __future__ import annotations

import pytest

from contract_tests import expect
from contract_tests.client import API
from contract_tests.target import Target


@pytest.mark.clause("LIST-LIMIT-BOUNDS")
def test_limit_bounds(target: Target) -> None:
    for limit in (1, 100):
        body, exchange = target.call("GET", API, params={"limit": limit}, expect=200)
        expect.that(
            len(body["notifications"]) <= limit,
            f"limit={limit} returned {len(body['notifications'])} notifications",
            exchange,
        )
    for limit in (0, 101, -1):
        body, exchange = target.call("GET", API, params={"limit": limit}, expect=422)
        expect.validation_error(body, exchange, ["query", "limit"])
