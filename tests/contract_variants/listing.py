"""Listing bugs: bounds, defaults, parsing, order and pagination arithmetic."""

from __future__ import annotations

from typing import Any

from starlette.types import Scope

from contract_variants.asgi import Query, Reply, as_int, first, on_json, on_query, query_of
from contract_variants.asgi import replace_param as param
from contract_variants.base import Variant, variant
from mock_server.models import Notification
from mock_server.store import Store

_BOOLS = {"true", "false", "1", "0", "yes", "no", "on", "off"}


def _clamp_limit(value: str) -> str:
    n = as_int(value)
    return value if n is None else str(min(max(n, 1), 100))


def _truncate(value: str) -> str:
    try:
        return str(int(float(value)))
    except ValueError:
        return value


def _default_limit(query: Query) -> Query:
    return query if first(query, "limit") is not None else [*query, ("limit", "10")]


def _skip_one(value: str) -> str:
    n = as_int(value)
    return value if n is None or n <= 0 else str(n + 1)


class OldestFirst(Store):
    """Pages read the sorted index forwards: oldest first."""

    def page(self, user_id: str, *, limit: int, offset: int, **filters: Any) -> Any:
        _, total = super().page(user_id, limit=1, offset=0, **filters)
        stop = total - offset
        if stop <= 0:
            return [], total
        start = max(stop - limit, 0)
        items, _ = super().page(user_id, limit=stop - start, offset=start, **filters)
        return items[::-1], total


class TiesByIdAscending(Store):
    """``ORDER BY created_at DESC, id ASC``: notifications of one instant come in id order."""

    def page(self, user_id: str, *, limit: int, offset: int, **filters: Any) -> Any:
        _, total = super().page(user_id, limit=1, offset=0, **filters)
        everything, _ = super().page(user_id, limit=max(total, 1), offset=0, **filters)
        ordered: list[Notification] = sorted(everything, key=lambda n: n.id)
        ordered.sort(key=lambda n: n.created_at, reverse=True)
        return ordered[offset : offset + limit], total


class UnreadOnlyCountsButListsAll(Store):
    """``unread_only`` filters the COUNT(*) query but not the page query."""

    def page(self, user_id: str, *, unread_only: bool = False, **rest: Any) -> Any:
        items, _ = super().page(user_id, unread_only=False, **rest)
        _, total = super().page(user_id, unread_only=unread_only, **rest)
        return items, total


def _has_more_when_full(scope: Scope, reply: Reply) -> None:
    if reply.status == 200:
        limit = as_int(first(query_of(scope), "limit") or "20") or 20
        reply.body["has_more"] = len(reply.body["notifications"]) == limit


def _total_is_page_length(scope: Scope, reply: Reply) -> None:
    if reply.status == 200:
        reply.body["total"] = len(reply.body["notifications"])


def _past_end_404(scope: Scope, reply: Reply) -> None:
    offset = as_int(first(query_of(scope), "offset") or "0") or 0
    if reply.status == 200 and offset > 0 and not reply.body["notifications"]:
        reply.status, reply.body = 404, {"detail": "Page not found"}


def _aware_timestamps(scope: Scope, reply: Reply) -> None:
    if reply.status == 200:
        for n in reply.body["notifications"]:
            for name in ("created_at", "read_at"):
                if n[name] is not None:
                    n[name] += "+00:00"


def _drop_batch_id(scope: Scope, reply: Reply) -> None:
    if reply.status == 200:
        for n in reply.body["notifications"]:
            n["metadata"] = {k: v for k, v in n["metadata"].items() if k != "batch_id"}


VARIANTS: tuple[Variant, ...] = (
    variant(
        "limit-clamped-instead-of-422",
        "LIST-LIMIT-BOUNDS",
        "limit = min(max(limit, 1), 100): out-of-range limits are clamped, not rejected",
        wrap=on_query("list", lambda q: param(q, "limit", _clamp_limit)),
    ),
    variant(
        "limit-maximum-off-by-one-101-accepted",
        "LIST-LIMIT-BOUNDS",
        "Query(le=101): limit=101 is accepted (and served as 100)",
        wrap=on_query("list", lambda q: param(q, "limit", lambda v: "100" if v == "101" else v)),
    ),
    variant(
        "limit-100-rejected-exclusive-maximum",
        "LIST-LIMIT-BOUNDS",
        "Query(lt=100) instead of le=100: the documented maximum limit=100 is a 422",
        wrap=on_query("list", lambda q: param(q, "limit", lambda v: "101" if v == "100" else v)),
    ),
    variant(
        "limit-float-truncated",
        "LIST-LIMIT-TYPE",
        "limit parsed with int(float(value)): limit=1.5 is served as 1 instead of a 422",
        wrap=on_query("list", lambda q: param(q, "limit", _truncate)),
    ),
    variant(
        "offset-negative-treated-as-zero",
        "LIST-OFFSET-BOUNDS",
        "offset = max(offset, 0): offset=-1 is served as the first page instead of a 422",
        wrap=on_query(
            "list", lambda q: param(q, "offset", lambda v: "0" if (as_int(v) or 0) < 0 else v)
        ),
    ),
    variant(
        "default-limit-10",
        "LIST-DEFAULT-LIMIT",
        "Query(default=10): without limit a page holds 10 notifications, not the documented 20",
        wrap=on_query("list", _default_limit),
    ),
    variant(
        "unread-only-maybe-accepted",
        "LIST-UNREAD-ONLY-PARSING",
        'unread_only = value.lower() == "true": "maybe" (or anything unknown) means false',
        wrap=on_query(
            "list",
            lambda q: param(q, "unread_only", lambda v: v if v.lower() in _BOOLS else "false"),
        ),
    ),
    variant(
        "unread-only-lists-read-notifications",
        "LIST-UNREAD-ONLY-FILTER",
        "unread_only filters the COUNT(*) query but not the page query",
        store=UnreadOnlyCountsButListsAll,
        collateral={"READ-SETS-READ-AT", "STATEFUL-MODEL"},
    ),
    variant(
        "oldest-first",
        "LIST-ORDER",
        "ORDER BY created_at ASC: pages list the oldest notification first",
        store=OldestFirst,
    ),
    variant(
        "ties-ordered-by-id-ascending",
        "LIST-ORDER",
        "ORDER BY created_at DESC, id ASC: one instant's notifications in the wrong order",
        store=TiesByIdAscending,
    ),
    variant(
        "has-more-true-on-a-full-last-page",
        "LIST-PAGINATION-WALK",
        "has_more = len(page) == limit: a last page that is exactly full says there is more",
        wrap=on_json({"list"}, _has_more_when_full),
        collateral={"STATEFUL-MODEL"},
    ),
    variant(
        "total-is-the-page-length",
        "LIST-PAGINATION-WALK",
        "total = len(page) instead of COUNT(*) over the whole filter",
        wrap=on_json({"list"}, _total_is_page_length),
        collateral={
            "COUNT-MATCHES-UNREAD-TOTAL",
            "DATASET-ID-FILTER",
            "LIST-OFFSET-PAST-END",
            "LIST-UNREAD-ONLY-FILTER",
            "STATEFUL-MODEL",
        },
    ),
    variant(
        "offset-past-the-end-404",
        "LIST-OFFSET-PAST-END",
        "an empty page past the end raises 404 Page not found instead of an empty 200",
        wrap=on_json({"list"}, _past_end_404),
        collateral={"SCHEMA-REST", "STATEFUL-MODEL"},
    ),
    variant(
        "offset-skips-one-notification-per-page",
        "LIST-PAGINATION-WALK",
        "OFFSET offset + 1 (a 1-based offset): each page after the first skips one notification",
        wrap=on_query("list", lambda q: param(q, "offset", _skip_one)),
        collateral={"STATEFUL-MODEL"},
    ),
    variant(
        "timestamps-with-utc-offset",
        "LIST-SHAPE",
        "timezone-aware datetimes: created_at and read_at end in +00:00 instead of naive UTC",
        wrap=on_json({"list"}, _aware_timestamps),
        collateral={"SCHEMA-REST"},
    ),
    variant(
        "metadata-without-batch-id",
        "LIST-SHAPE",
        "the metadata serializer forgets batch_id: four keys instead of the documented five",
        wrap=on_json({"list"}, _drop_batch_id),
        collateral={"SCHEMA-REST"},
    ),
)
