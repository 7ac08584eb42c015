"""The in-memory store: users, datasets, notifications, one lock around all of them."""

from __future__ import annotations

import threading
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any


def utcnow() -> datetime:
    """Naive UTC, as the backend stores its timestamps."""
    return datetime.now(UTC).replace(tzinfo=None)


@dataclass(slots=True)
class User:
    id: uuid.UUID
    name: str
    api_key: str
    api_secret: str
    session: str


@dataclass(slots=True)
class Dataset:
    id: uuid.UUID
    name: str
    members: set[uuid.UUID]


@dataclass(slots=True)
class NotificationRow:
    id: uuid.UUID
    user_id: uuid.UUID
    entity_type: str
    entity_id: uuid.UUID
    title: str
    message: str | None
    metadata: dict[str, Any]
    dataset_id: uuid.UUID | None
    created_at: datetime
    read_at: datetime | None
    seq: int = 0


@dataclass
class Store:
    """Everything the server knows. ``now`` is injected so tests could pin it."""

    now: Callable[[], datetime] = utcnow
    users: dict[uuid.UUID, User] = field(default_factory=dict)
    datasets: dict[uuid.UUID, Dataset] = field(default_factory=dict)
    rows: dict[uuid.UUID, NotificationRow] = field(default_factory=dict)
    lock: threading.Lock = field(default_factory=threading.Lock)
    _seq: int = 0

    def add_user(self, user: User) -> None:
        with self.lock:
            self.users[user.id] = user

    def add_dataset(self, dataset: Dataset) -> None:
        with self.lock:
            self.datasets[dataset.id] = dataset

    def by_api_key(self, api_key: str) -> User | None:
        with self.lock:
            return next((u for u in self.users.values() if u.api_key == api_key), None)

    def by_session(self, session: str) -> User | None:
        with self.lock:
            return next((u for u in self.users.values() if u.session == session), None)

    def add(self, row: NotificationRow) -> NotificationRow:
        with self.lock:
            self._seq += 1
            row.seq = self._seq
            self.rows[row.id] = row
            return row

    def last_seq(self) -> int:
        with self.lock:
            return self._seq

    def process_batch(
        self, dataset_id: uuid.UUID, view_name: str, result_count: int
    ) -> list[NotificationRow]:
        """What the monitoring pipeline does after a media batch: alert every member."""
        with self.lock:
            dataset = self.datasets[dataset_id]
            members = sorted(dataset.members)
        batch_id, view_id, created = uuid.uuid4(), uuid.uuid5(dataset_id, view_name), self.now()
        return [
            self.add(
                NotificationRow(
                    id=uuid.uuid4(),
                    user_id=member,
                    entity_type="saved_view",
                    entity_id=view_id,
                    title="",
                    message=None,
                    metadata={
                        "batch_id": str(batch_id),
                        "is_alert": True,
                        "view_name": view_name,
                        "dataset_name": dataset.name,
                        "result_count": result_count,
                        "view_id": str(view_id),
                    },
                    dataset_id=dataset_id,
                    created_at=created,
                    read_at=None,
                )
            )
            for member in members
        ]

    def _matching(
        self, user_id: uuid.UUID, unread_only: bool, dataset_id: uuid.UUID | None
    ) -> list[NotificationRow]:
        return [
            r
            for r in self.rows.values()
            if r.user_id == user_id
            and (not unread_only or r.read_at is None)
            and (dataset_id is None or r.dataset_id == dataset_id)
        ]

    def page(
        self,
        user_id: uuid.UUID,
        *,
        limit: int,
        offset: int,
        unread_only: bool,
        dataset_id: uuid.UUID | None,
    ) -> tuple[list[NotificationRow], int]:
        with self.lock:
            rows = self._matching(user_id, unread_only, dataset_id)
        rows.sort(key=lambda r: (r.created_at, r.id), reverse=True)
        return rows[offset : offset + limit], len(rows)

    def unread_count(self, user_id: uuid.UUID, dataset_id: uuid.UUID | None) -> int:
        with self.lock:
            return len(self._matching(user_id, True, dataset_id))

    def mark_read(self, user_id: uuid.UUID, notification_id: uuid.UUID) -> bool:
        with self.lock:
            row = self.rows.get(notification_id)
            if row is None or row.user_id != user_id or row.read_at is not None:
                return False
            row.read_at = self.now()
            return True

    def mark_all_read(self, user_id: uuid.UUID, dataset_id: uuid.UUID | None) -> int:
        with self.lock:
            rows = self._matching(user_id, True, dataset_id)
            now = self.now()
            for row in rows:
                row.read_at = now
            return len(rows)

    def created_since(
        self, user_id: uuid.UUID, seq: int, dataset_id: uuid.UUID | None
    ) -> tuple[list[NotificationRow], int]:
        """The caller's notifications added after ``seq``, oldest first, and the new high mark."""
        with self.lock:
            rows = [
                r
                for r in self.rows.values()
                if r.seq > seq
                and r.user_id == user_id
                and (dataset_id is None or r.dataset_id == dataset_id)
            ]
            return sorted(rows, key=lambda r: r.seq), self._seq
