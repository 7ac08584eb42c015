"""Isolation bugs: one user's notifications reaching another in list, count, read or stream."""

from __future__ import annotations

from typing import Any

from contract_variants.base import CountCache, Variant, variant
from mock_server.models import Notification
from mock_server.store import Store


class ListLeaksEveryone(Store):
    """The list query lost its ``WHERE user_id = :me``: every user's notifications are listed."""

    def page(self, user_id: str, *, limit: int, offset: int, **filters: Any) -> Any:
        merged: list[Notification] = []
        for owner in self._owners():
            _, total = super().page(owner, limit=1, offset=0, **filters)
            merged += super().page(owner, limit=max(total, 1), offset=0, **filters)[0]
        merged.sort(key=lambda n: n.key, reverse=True)
        return merged[offset : offset + limit], len(merged)

    def _owners(self) -> list[str]:
        return sorted({n.user_id for n in self.all_notifications()})


class CountCacheDecrementsEveryone(CountCache):
    """Unread counts are cached; a read decrements every cached count, not just the reader's."""

    def mark_read(self, user_id: str, notification_id: str, at: int) -> bool:
        done = super().mark_read(user_id, notification_id, at)
        if done:
            n = self.get(notification_id)
            for key in list(self._counts):
                if key[1] is None or (n is not None and key[1] == n.dataset_id):
                    self._counts[key] -= 1
        return done


class ReadIgnoresOwner(Store):
    """``UPDATE ... WHERE id = :id`` without ``AND user_id = :me``: anyone may mark any id."""

    def mark_read(self, user_id: str, notification_id: str, at: int) -> bool:
        n = self.get(notification_id)
        return super().mark_read(user_id if n is None else n.user_id, notification_id, at)


class OwnerCheckedAfterUpdate(Store):
    """The owner is checked after the UPDATE has run: a foreign id answers 404, but it is
    marked read for its owner all the same."""

    def mark_read(self, user_id: str, notification_id: str, at: int) -> bool:
        n = self.get(notification_id)
        if n is not None and n.user_id != user_id:
            super().mark_read(n.user_id, notification_id, at)
            return False
        return super().mark_read(user_id, notification_id, at)


class ReadAllMarksEveryone(Store):
    """read-all's UPDATE lost its ``WHERE user_id = :me``; it still answers the caller's count."""

    def mark_all_read(self, user_id: str, dataset_id: str | None, at: int) -> int:
        owners = {n.user_id for n in self.all_notifications()} - {user_id}
        for owner in sorted(owners):
            super().mark_all_read(owner, dataset_id, at)
        return super().mark_all_read(user_id, dataset_id, at)


class StreamLeaksEveryone(Store):
    """The stream's poll asks for every notification since its cursor, whoever it is for."""

    def arrived_since(self, user_id: str, cursor: int) -> tuple[list[Notification], int]:
        fresh = sorted((n for n in self.all_notifications() if n.seq > cursor), key=lambda n: n.seq)
        return fresh, self.sequence


VARIANTS: tuple[Variant, ...] = (
    variant(
        "list-leaks-other-users",
        "ISOLATION-LIST",
        "the list query lost its WHERE user_id = :me: every user's notifications are listed",
        store=ListLeaksEveryone,
        collateral={
            "COUNT-MATCHES-UNREAD-TOTAL",
            "DATASET-ID-FILTER",
            "ISOLATION-READ-ALL",
            "LIST-UNREAD-ONLY-FILTER",
            "READ-ALL-COUNT",
            "READ-ALL-DATASET-SCOPE",
            "STATEFUL-MODEL",
        },
    ),
    variant(
        "count-changes-when-another-user-reads",
        "ISOLATION-COUNT",
        "cached unread counts: one user's read decrements every user's cached count",
        store=CountCacheDecrementsEveryone,
    ),
    variant(
        "mark-read-of-another-users-notification",
        "ISOLATION-READ",
        "UPDATE ... WHERE id = :id without AND user_id = :me: anyone's id can be marked read",
        store=ReadIgnoresOwner,
    ),
    variant(
        "foreign-read-404-but-marked",
        "ISOLATION-READ",
        "the owner is checked after the UPDATE: 404, yet the owner's notification is now read",
        store=OwnerCheckedAfterUpdate,
    ),
    variant(
        "read-all-marks-other-users",
        "ISOLATION-READ-ALL",
        "read-all's UPDATE lost its WHERE user_id = :me: it clears every user's notifications",
        store=ReadAllMarksEveryone,
    ),
    variant(
        "stream-leaks-other-users",
        "ISOLATION-STREAM",
        "the stream's poll selects every new notification since its cursor, whoever it is for",
        store=StreamLeaksEveryone,
    ),
)
