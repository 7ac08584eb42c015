"""Reading bugs: mark one read, the unread count, mark all read."""

from __future__ import annotations

from starlette.types import ASGIApp, Scope

from contract_variants.asgi import JsonRewrite, Reply, is_uuid, notification_id, on_json
from contract_variants.base import CountCache, Variant, variant
from mock_server.runtime import MockRuntime
from mock_server.store import Store


class SecondReadSucceeds(Store):
    """``UPDATE ... SET read_at = COALESCE(read_at, now)``: marking a read one again is a 200."""

    def mark_read(self, user_id: str, notification_id: str, at: int) -> bool:
        n = self.get(notification_id)
        if n is not None and n.user_id == user_id and n.read_at is not None:
            return True
        return super().mark_read(user_id, notification_id, at)


class RowcountNotChecked(Store):
    """The handler ignores the UPDATE's rowcount: every well-formed id answers 200."""

    def mark_read(self, user_id: str, notification_id: str, at: int) -> bool:
        super().mark_read(user_id, notification_id, at)
        return True


class ReadAtLeftNull(Store):
    """Marking sets an ``is_read`` flag; the ``read_at`` column is never written."""

    def __init__(self) -> None:
        super().__init__()
        self._read: set[str] = set()

    def mark_read(self, user_id: str, notification_id: str, at: int) -> bool:
        if notification_id in self._read or not super().mark_read(user_id, notification_id, at):
            return False
        self._read.add(notification_id)
        n = self.get(notification_id)
        assert n is not None
        n.read_at = None
        n._json = None
        return True

    def rollback(self) -> None:
        super().rollback()
        self._read.clear()


class ReadAtIsCreatedAt(Store):
    """``read_at = notification.created_at``: the wrong column copied."""

    def mark_read(self, user_id: str, notification_id: str, at: int) -> bool:
        n = self.get(notification_id)
        return super().mark_read(user_id, notification_id, at if n is None else n.created_at)


class CountCachedUntilReadAll(CountCache):
    """Unread counts are cached per user and dataset; only read-all and new notifications
    invalidate the cache, a single read does not."""


class CountIgnoresDataset(Store):
    """The unread-count handler never passes ``dataset_id`` on to its query."""

    def unread_count(self, user_id: str, dataset_id: str | None = None) -> int:
        return super().unread_count(user_id, None)


class CountIncludesRead(Store):
    """``SELECT COUNT(*) ... WHERE user_id = :me`` without ``read_at IS NULL``."""

    def unread_count(self, user_id: str, dataset_id: str | None = None) -> int:
        return self.page(user_id, limit=1, offset=0, dataset_id=dataset_id)[1]


class ReadAllReturnsTotal(Store):
    """read-all answers with the number of notifications in scope, read ones included."""

    def mark_all_read(self, user_id: str, dataset_id: str | None, at: int) -> int:
        _, total = self.page(user_id, limit=1, offset=0, dataset_id=dataset_id)
        super().mark_all_read(user_id, dataset_id, at)
        return total


class ReadAllIgnoresDataset(Store):
    """read-all drops its ``dataset_id`` filter: it clears every dataset."""

    def mark_all_read(self, user_id: str, dataset_id: str | None, at: int) -> int:
        return super().mark_all_read(user_id, None, at)


class ReadAllMissesTheNewest(Store):
    """read-all's batched UPDATE loop stops one short: the newest unread stays unread."""

    def mark_all_read(self, user_id: str, dataset_id: str | None, at: int) -> int:
        unread, _ = self.page(
            user_id, limit=10**9, offset=0, unread_only=True, dataset_id=dataset_id
        )
        marked = 0
        for n in unread[1:]:
            marked += self.mark_read(user_id, n.id, at)
        return marked


class ReadAllThenReadOneSucceeds(Store):
    """read-all sets a bulk flag the single-read path does not look at: a notification that
    read-all cleared can still be marked read, once, with a 200."""

    def __init__(self) -> None:
        super().__init__()
        self._bulk: set[str] = set()

    def mark_all_read(self, user_id: str, dataset_id: str | None, at: int) -> int:
        unread, _ = self.page(
            user_id, limit=10**9, offset=0, unread_only=True, dataset_id=dataset_id
        )
        self._bulk.update(n.id for n in unread)
        return super().mark_all_read(user_id, dataset_id, at)

    def mark_read(self, user_id: str, notification_id: str, at: int) -> bool:
        n = self.get(notification_id)
        if notification_id in self._bulk and n is not None and n.user_id == user_id:
            self._bulk.discard(notification_id)
            return True
        return super().mark_read(user_id, notification_id, at)

    def rollback(self) -> None:
        super().rollback()
        self._bulk.clear()


def _unknown_id_crashes(app: ASGIApp, runtime: MockRuntime) -> ASGIApp:
    def rewrite(scope: Scope, reply: Reply) -> None:
        nid = notification_id(scope) or ""
        if reply.status == 404 and runtime.store.get(nid) is None:
            reply.status, reply.body = 500, b"Internal Server Error"
            reply.set_header(b"content-type", b"text/plain; charset=utf-8")

    return JsonRewrite(app, {"read"}, rewrite)


def _non_uuid_404(scope: Scope, reply: Reply) -> None:
    if reply.status == 422 and not is_uuid(notification_id(scope) or ""):
        reply.status, reply.body = 404, {"detail": "Notification not found"}


VARIANTS: tuple[Variant, ...] = (
    variant(
        "second-mark-read-succeeds",
        "READ-AGAIN-404",
        "SET read_at = COALESCE(read_at, now()): marking an already read notification is a 200",
        store=SecondReadSucceeds,
        collateral={"STATEFUL-MODEL"},
    ),
    variant(
        "mark-read-never-404",
        {"READ-AGAIN-404", "READ-UNKNOWN-404", "ISOLATION-READ"},
        "the handler ignores the UPDATE's rowcount: unknown, foreign and read ids all answer 200",
        store=RowcountNotChecked,
        collateral={"STATEFUL-MODEL"},
    ),
    variant(
        "unknown-id-crashes-500",
        "READ-UNKNOWN-404",
        "db.get(id).user_id: an unknown id raises AttributeError, a 500",
        wrap=_unknown_id_crashes,
        collateral={"SCHEMA-REST", "STATEFUL-MODEL"},
    ),
    variant(
        "non-uuid-id-404",
        "READ-NON-UUID-422",
        "notification_id: str instead of UUID: 'not-a-uuid' is looked up and answers 404",
        wrap=on_json({"read"}, _non_uuid_404),
    ),
    variant(
        "read-at-left-null",
        "READ-SETS-READ-AT",
        "marking sets an is_read flag and never writes read_at: it stays null",
        store=ReadAtLeftNull,
        collateral={"STATEFUL-MODEL"},
    ),
    variant(
        "read-at-is-created-at",
        "READ-SETS-READ-AT",
        "read_at = notification.created_at: the wrong column copied, read before the request",
        store=ReadAtIsCreatedAt,
    ),
    variant(
        "count-not-decremented-on-read",
        "COUNT-DECREMENTS-ON-READ",
        "the unread count is cached and only read-all invalidates it, a single read does not",
        store=CountCachedUntilReadAll,
        collateral={"STATEFUL-MODEL"},
    ),
    variant(
        "count-ignores-dataset-id",
        {"COUNT-MATCHES-UNREAD-TOTAL", "DATASET-ID-FILTER"},
        "the unread-count handler never passes dataset_id to its query",
        store=CountIgnoresDataset,
        collateral={"READ-ALL-DATASET-SCOPE"},
    ),
    variant(
        "count-includes-read-notifications",
        "COUNT-MATCHES-UNREAD-TOTAL",
        "SELECT COUNT(*) WHERE user_id = :me, without read_at IS NULL",
        store=CountIncludesRead,
        collateral={
            "COUNT-DECREMENTS-ON-READ",
            "DATASET-ID-FILTER",
            "LIST-UNREAD-ONLY-FILTER",
            "READ-ALL-COUNT",
            "READ-ALL-DATASET-SCOPE",
            "STATEFUL-MODEL",
        },
    ),
    variant(
        "read-all-returns-total-not-unread",
        "READ-ALL-COUNT",
        "read-all answers COUNT(*) of the scope, read ones included, not the rows it updated",
        store=ReadAllReturnsTotal,
        collateral={"STATEFUL-MODEL"},
    ),
    variant(
        "read-all-misses-the-newest",
        "READ-ALL-COUNT",
        "read-all's batched UPDATE stops one short: the newest unread stays unread",
        store=ReadAllMissesTheNewest,
        collateral={"READ-ALL-DATASET-SCOPE", "STATEFUL-MODEL"},
    ),
    variant(
        "read-all-ignores-dataset-id",
        "READ-ALL-DATASET-SCOPE",
        "read-all drops its dataset_id filter and clears every dataset",
        store=ReadAllIgnoresDataset,
    ),
    variant(
        "read-after-read-all-succeeds",
        "STATEFUL-MODEL",
        "read-all sets a bulk flag the single read ignores: a cleared notification reads once more",
        store=ReadAllThenReadOneSucceeds,
    ),
)
