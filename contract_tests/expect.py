"""Assertions the clauses share; each failure names what the contract says and carries the
exchange that broke it."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from contract_tests.client import ClauseFailure
from contract_tests.exchange import Exchange


def that(condition: bool, message: str, exchange: Exchange | None = None) -> None:
    if not condition:
        raise ClauseFailure(message, exchange)


def validation_error(body: Any, exchange: Exchange, loc: Sequence[str]) -> None:
    """FastAPI's 422 body: ``{"detail": [{"loc": [...], "msg": str, "type": str}, ...]}`` with
    an entry whose ``loc`` is ``loc``."""
    detail = body.get("detail") if isinstance(body, dict) else None
    that(
        isinstance(detail, list) and bool(detail),
        f'422 body is not FastAPI\'s {{"detail": [...]}}: {str(body)[:200]}',
        exchange,
    )
    assert isinstance(detail, list)
    locs = [e.get("loc") for e in detail if isinstance(e, dict)]
    that(
        list(loc) in locs,
        f"422 body does not name {list(loc)} (its locs: {locs})",
        exchange,
    )
    for entry in detail:
        that(
            isinstance(entry, dict)
            and isinstance(entry.get("msg"), str)
            and isinstance(entry.get("type"), str),
            f"422 detail entry lacks msg/type strings: {entry}",
            exchange,
        )


def error_detail(body: Any, exchange: Exchange, status: int) -> None:
    """``{"detail": str}``, as every 401 and 404 is."""
    that(
        isinstance(body, dict) and isinstance(body.get("detail"), str),
        f'{status} body is not {{"detail": str}}: {str(body)[:200]}',
        exchange,
    )
