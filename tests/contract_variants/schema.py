"""Bugs only the response schemas see, and error bodies in the wrong shape."""

from __future__ import annotations

from starlette.types import Scope

from contract_variants.asgi import Reply, as_int, first, on_json, query_of
from contract_variants.base import Variant, variant

_ALL = {"list", "count", "read", "read_all", "stream"}
_VALIDATION = {
    "LIST-LIMIT-BOUNDS",
    "LIST-LIMIT-TYPE",
    "LIST-OFFSET-BOUNDS",
    "LIST-UNREAD-ONLY-PARSING",
    "DATASET-ID-VALIDATION",
    "READ-NON-UUID-422",
}


def _count_as_text(scope: Scope, reply: Reply) -> None:
    if reply.status == 200:
        reply.set_header(b"content-type", b"text/plain; charset=utf-8")


def _detail_as_string(scope: Scope, reply: Reply) -> None:
    if reply.status == 422:
        errors = reply.body["detail"]
        reply.body = {"detail": "; ".join(f"{e['loc'][-1]}: {e['msg']}" for e in errors)}


def _huge_offset_crashes(scope: Scope, reply: Reply) -> None:
    offset = as_int(first(query_of(scope), "offset") or "0")
    if reply.status == 200 and offset is not None and offset > 2**31 - 1:
        reply.status, reply.body = 500, {"detail": "Internal Server Error"}


VARIANTS: tuple[Variant, ...] = (
    variant(
        "unread-count-served-as-text-plain",
        "SCHEMA-REST",
        "the count handler returns PlainTextResponse(json.dumps(...)): text/plain, not JSON",
        wrap=on_json({"count"}, _count_as_text),
    ),
    variant(
        "huge-offset-crashes-500",
        "SCHEMA-REST",
        "offset goes unchecked into a 32-bit SQL OFFSET: above 2**31-1 the database errors, 500",
        wrap=on_json({"list"}, _huge_offset_crashes),
    ),
    variant(
        "validation-detail-as-a-string",
        _VALIDATION,
        "a custom 422 handler flattens the errors into one string: detail is not FastAPI's list",
        wrap=on_json(_ALL, _detail_as_string),
        collateral={"SCHEMA-REST"},
    ),
)
