"""The in-memory notification store.

Per user it keeps the notifications ordered by ``(created_at, id)`` in sorted lists (all, unread,
and the same two per dataset), so that:

* a page costs O(log n + limit): the page is a positional slice read backwards (newest first);
* an unread count is O(1): it is the length of the unread list, kept up to date, not recounted;
* marking one read is a dict lookup plus a removal from two sorted lists (O(log n), with the
  small constant of ``sortedcontainers``), whatever the store's size;
* a stream's poll is a bisection of the user's arrival log by sequence number.

Every public method takes the store's lock, so the store is safe to use from the server's event
loop and from other threads (the library's ``MockServer.inject``) at once. Each operation is
atomic: fifty concurrent mark-reads of one id see exactly one success.

``checkpoint()`` and ``rollback()`` are the mock's reset: from a checkpoint on, the store notes
what it adds and what it marks read, and a rollback undoes exactly that, at the cost of the
changes rather than of the store's size (the pytest plugin resets before every test, and a
suite may seed a hundred thousand notifications).
"""

from __future__ import annotations

import bisect
import threading
from collections.abc import Iterable
from operator import attrgetter

from sortedcontainers import SortedKeyList

from mock_server.models import Notification

_KEY = attrgetter("key")
_SEQ = attrgetter("seq")


class DuplicateNotification(ValueError):
    """A notification with this id is already stored."""


def _sorted(items: Iterable[Notification] = ()) -> SortedKeyList:
    return SortedKeyList(items, key=_KEY)


class _Lists:
    __slots__ = ("all", "unread")

    def __init__(self) -> None:
        self.all = _sorted()
        self.unread = _sorted()

    def add(self, n: Notification) -> None:
        self.all.add(n)
        if n.read_at is None:
            self.unread.add(n)


class _Journal:
    """The changes since a checkpoint: notifications added, and unread ones marked read."""

    __slots__ = ("added", "marked")

    def __init__(self) -> None:
        self.added: list[Notification] = []
        self.marked: list[Notification] = []


class _UserIndex:
    __slots__ = ("datasets", "everything", "log")

    def __init__(self) -> None:
        self.everything = _Lists()
        self.datasets: dict[str, _Lists] = {}
        self.log: list[Notification] = []  # arrival order, for streams

    def lists(self, dataset_id: str | None) -> _Lists | None:
        if dataset_id is None:
            return self.everything
        return self.datasets.get(dataset_id)

    def add(self, n: Notification) -> None:
        self.everything.add(n)
        if n.dataset_id is not None:
            lists = self.datasets.get(n.dataset_id)
            if lists is None:
                lists = self.datasets[n.dataset_id] = _Lists()
            lists.add(n)
        self.log.append(n)

    def unmark(self, n: Notification) -> None:
        n.mark_unread()
        self.everything.unread.add(n)
        if n.dataset_id is not None:
            self.datasets[n.dataset_id].unread.add(n)

    def remove_newest(self, items: list[Notification]) -> None:
        """Take out ``items``, the last ones added (so the end of the arrival log)."""
        for n in items:
            self.everything.all.remove(n)
            self.everything.unread.discard(n)
            if n.dataset_id is not None:
                lists = self.datasets[n.dataset_id]
                lists.all.remove(n)
                lists.unread.discard(n)
                if not lists.all:
                    del self.datasets[n.dataset_id]
        del self.log[len(self.log) - len(items) :]


class Store:
    """Users' notifications, indexed for the API's queries."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._by_id: dict[str, Notification] = {}
        self._users: dict[str, _UserIndex] = {}
        self._seq = 0
        self._journal: _Journal | None = None

    # -- writing -----------------------------------------------------------------------------

    def add(self, notification: Notification) -> Notification:
        """Store one notification. Raises :class:`DuplicateNotification` if its id is taken."""
        with self._lock:
            self._check_new([notification])
            self._insert(notification)
        return notification

    def add_many(self, notifications: Iterable[Notification]) -> int:
        """Store many notifications at once (all or none); returns how many.

        Large loads rebuild the sorted lists in one sort instead of inserting one by one.
        """
        batch = list(notifications)
        with self._lock:
            self._check_new(batch)
            if len(batch) < 1000:
                for n in batch:
                    self._insert(n)
                return len(batch)
            by_user: dict[str, list[Notification]] = {}
            for n in batch:
                self._seq += 1
                n.seq = self._seq
                self._by_id[n.id] = n
                by_user.setdefault(n.user_id, []).append(n)
            for user_id, items in by_user.items():
                self._bulk_insert(user_id, items)
            if self._journal is not None:
                self._journal.added.extend(batch)
        return len(batch)

    def checkpoint(self) -> None:
        """Remember what the store holds now: :meth:`rollback` returns to it."""
        with self._lock:
            self._journal = _Journal()

    def rollback(self) -> None:
        """Undo every change since the checkpoint, which stays: what was added is gone, what
        was marked read is unread again. Sequence numbers keep counting up. Raises
        ``RuntimeError`` if no checkpoint was taken."""
        with self._lock:
            journal = self._journal
            if journal is None:
                raise RuntimeError("the store has no checkpoint to roll back to")
            for n in journal.marked:
                self._users[n.user_id].unmark(n)
            by_user: dict[str, list[Notification]] = {}
            for n in journal.added:
                del self._by_id[n.id]
                by_user.setdefault(n.user_id, []).append(n)
            for user_id, items in by_user.items():
                index = self._users[user_id]
                index.remove_newest(items)
                if not index.everything.all:
                    del self._users[user_id]
            self._journal = _Journal()

    def mark_read(self, user_id: str, notification_id: str, at: int) -> bool:
        """Mark the user's unread notification read. False if it is missing, theirs or not,
        or already read (the API's three reasons for 404)."""
        with self._lock:
            n = self._by_id.get(notification_id)
            if n is None or n.user_id != user_id or n.read_at is not None:
                return False
            index = self._users[user_id]
            index.everything.unread.remove(n)
            if n.dataset_id is not None:
                index.datasets[n.dataset_id].unread.remove(n)
            n.mark_read(at)
            if self._journal is not None:
                self._journal.marked.append(n)
            return True

    def mark_all_read(self, user_id: str, dataset_id: str | None, at: int) -> int:
        """Mark every unread notification of the user (of the dataset, if given) read."""
        with self._lock:
            index = self._users.get(user_id)
            if index is None:
                return 0
            lists = index.lists(dataset_id)
            if lists is None or not lists.unread:
                return 0
            marked = list(lists.unread)
            if dataset_id is None:
                index.everything.unread.clear()
                for ds in index.datasets.values():
                    ds.unread.clear()
            else:
                lists.unread.clear()
                if len(marked) * 4 > len(index.everything.unread):
                    keep = [n for n in index.everything.unread if n.dataset_id != dataset_id]
                    index.everything.unread = _sorted(keep)
                else:
                    for n in marked:
                        index.everything.unread.remove(n)
            for n in marked:
                n.mark_read(at)
            if self._journal is not None:
                self._journal.marked.extend(marked)
            return len(marked)

    # -- reading -----------------------------------------------------------------------------

    def page(
        self,
        user_id: str,
        *,
        limit: int,
        offset: int,
        unread_only: bool = False,
        dataset_id: str | None = None,
    ) -> tuple[list[Notification], int]:
        """One page of the user's notifications, newest first, and the total matching."""
        with self._lock:
            index = self._users.get(user_id)
            lists = None if index is None else index.lists(dataset_id)
            if lists is None:
                return [], 0
            items = lists.unread if unread_only else lists.all
            total = len(items)
            stop = total - offset
            if stop <= 0:
                return [], total
            start = max(stop - limit, 0)
            return list(items.islice(start, stop, reverse=True)), total

    def unread_count(self, user_id: str, dataset_id: str | None = None) -> int:
        with self._lock:
            index = self._users.get(user_id)
            lists = None if index is None else index.lists(dataset_id)
            return 0 if lists is None else len(lists.unread)

    def get(self, notification_id: str) -> Notification | None:
        with self._lock:
            return self._by_id.get(notification_id)

    def __len__(self) -> int:
        return len(self._by_id)

    def count_for(self, user_id: str) -> tuple[int, int]:
        """(all, unread) for one user."""
        with self._lock:
            index = self._users.get(user_id)
            if index is None:
                return 0, 0
            return len(index.everything.all), len(index.everything.unread)

    def all_notifications(self) -> list[Notification]:
        with self._lock:
            return list(self._by_id.values())

    # -- streams -----------------------------------------------------------------------------

    @property
    def sequence(self) -> int:
        """The sequence number of the latest notification stored (a stream's start cursor)."""
        return self._seq

    def arrived_since(self, user_id: str, cursor: int) -> tuple[list[Notification], int]:
        """The user's notifications stored after sequence number ``cursor``, in arrival order,
        and the cursor to ask with next time (taken atomically with the read)."""
        with self._lock:
            index = self._users.get(user_id)
            if index is None or not index.log or index.log[-1].seq <= cursor:
                return [], self._seq
            log = index.log
            return log[bisect.bisect_right(log, cursor, key=_SEQ) :], self._seq

    # -- internals ---------------------------------------------------------------------------

    def _check_new(self, batch: list[Notification]) -> None:
        seen: set[str] = set()
        for n in batch:
            if n.id in self._by_id or n.id in seen:
                raise DuplicateNotification(f"a notification with id {n.id} already exists")
            seen.add(n.id)

    def _index(self, user_id: str) -> _UserIndex:
        index = self._users.get(user_id)
        if index is None:
            index = self._users[user_id] = _UserIndex()
        return index

    def _insert(self, n: Notification) -> None:
        self._seq += 1
        n.seq = self._seq
        self._by_id[n.id] = n
        self._index(n.user_id).add(n)
        if self._journal is not None:
            self._journal.added.append(n)

    def _bulk_insert(self, user_id: str, items: list[Notification]) -> None:
        index = self._index(user_id)
        index.log.extend(items)
        everything = list(index.everything.all)
        everything.extend(items)
        index.everything.all = _sorted(everything)
        index.everything.unread = _sorted(n for n in everything if n.read_at is None)
        touched: dict[str, list[Notification]] = {}
        for n in items:
            if n.dataset_id is not None:
                touched.setdefault(n.dataset_id, []).append(n)
        for dataset_id, new in touched.items():
            lists = index.datasets.get(dataset_id)
            old = [] if lists is None else list(lists.all)
            old.extend(new)
            lists = index.datasets[dataset_id] = _Lists()
            lists.all = _sorted(old)
            lists.unread = _sorted(n for n in old if n.read_at is None)
