"""dataset_id bugs: validation on each endpoint that takes it, and filtering."""

from __future__ import annotations

from typing import Any

from starlette.types import Scope

from contract_variants.asgi import Reply, is_uuid, on_json, on_query
from contract_variants.asgi import replace_param as param
from contract_variants.base import Variant, variant
from mock_server.store import Store


def _drop_if_not_uuid(value: str) -> str | None:
    return value if is_uuid(value) else None


def _bad_dataset_id(scope: Scope, reply: Reply) -> bool:
    """The mock refused the request for its dataset_id alone."""
    if reply.status != 422:
        return False
    return all(e["loc"] == ["query", "dataset_id"] for e in reply.body["detail"])


def _list_non_uuid_is_empty(scope: Scope, reply: Reply) -> None:
    if _bad_dataset_id(scope, reply):
        reply.status, reply.body = 200, {"notifications": [], "total": 0, "has_more": False}


def _count_non_uuid_is_zero(scope: Scope, reply: Reply) -> None:
    if _bad_dataset_id(scope, reply):
        reply.status, reply.body = 200, {"count": 0}


class DatasetFiltersCountNotPage(Store):
    """``dataset_id`` filters the COUNT(*) query but not the page query."""

    def page(self, user_id: str, *, dataset_id: str | None = None, **rest: Any) -> Any:
        items, _ = super().page(user_id, dataset_id=None, **rest)
        _, total = super().page(user_id, dataset_id=dataset_id, **rest)
        return items, total


VARIANTS: tuple[Variant, ...] = (
    variant(
        "list-non-uuid-dataset-id-accepted",
        "DATASET-ID-VALIDATION",
        "dataset_id: str on the list: a non-UUID matches nothing and lists an empty page",
        wrap=on_json({"list"}, _list_non_uuid_is_empty),
        collateral={"SCHEMA-REST"},
    ),
    variant(
        "count-non-uuid-dataset-id-accepted",
        "DATASET-ID-VALIDATION",
        "dataset_id: str on unread-count: a non-UUID counts 0 instead of a 422",
        wrap=on_json({"count"}, _count_non_uuid_is_zero),
        collateral={"SCHEMA-REST"},
    ),
    variant(
        "read-all-non-uuid-dataset-id-marks-everything",
        "DATASET-ID-VALIDATION",
        "read-all parses dataset_id leniently: a non-UUID is dropped and everything is marked read",
        wrap=on_query("read_all", lambda q: param(q, "dataset_id", _drop_if_not_uuid)),
        collateral={"SCHEMA-REST"},
    ),
    variant(
        "stream-non-uuid-dataset-id-accepted",
        "DATASET-ID-VALIDATION",
        "the stream parses dataset_id leniently: a non-UUID opens an unfiltered stream",
        wrap=on_query("stream", lambda q: param(q, "dataset_id", _drop_if_not_uuid)),
    ),
    variant(
        "dataset-filter-on-total-not-page",
        "DATASET-ID-FILTER",
        "dataset_id filters the COUNT(*) query but not the page: other datasets are listed",
        store=DatasetFiltersCountNotPage,
    ),
)
