"""The domain's values: users, datasets and notifications. No web, no time, no I/O."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import orjson

from mock_server.timefmt import format_micros


@dataclass(frozen=True, slots=True)
class User:
    """A user of the mock and the credentials the real service would give them."""

    name: str
    user_id: str
    api_key: str
    api_secret: str
    session: str


@dataclass(frozen=True, slots=True)
class View:
    """A saved view with alerting enabled."""

    entity_id: str
    name: str


@dataclass(frozen=True, slots=True)
class Dataset:
    """A dataset, the users who can see it and its alerting views."""

    dataset_id: str
    name: str
    members: tuple[str, ...]  # user names
    views: tuple[View, ...]


@dataclass(slots=True, eq=False)
class Notification:
    """One notification, as stored.

    Instants are integer microseconds. ``key`` orders notifications oldest first; lists read
    it backwards for newest first. ``seq`` is the order in which the store received it, which is
    what "new since a stream's last poll" means. ``metadata`` may be shared between the
    notifications of one batch: treat it as read-only.
    """

    id: str
    user_id: str
    entity_type: str
    entity_id: str
    title: str
    message: str | None
    metadata: dict[str, Any]
    dataset_id: str | None
    created_at: int
    read_at: int | None = None
    seq: int = 0
    key: tuple[int, str] = field(init=False)
    _json: bytes | None = field(default=None, init=False, repr=False)

    def __post_init__(self) -> None:
        self.key = (self.created_at, self.id)

    def to_dict(self) -> dict[str, Any]:
        """The public API's Notification object: exactly its ten fields."""
        return {
            "id": self.id,
            "user_id": self.user_id,
            "entity_type": self.entity_type,
            "entity_id": self.entity_id,
            "title": self.title,
            "message": self.message,
            "metadata": self.metadata,
            "dataset_id": self.dataset_id,
            "created_at": format_micros(self.created_at),
            "read_at": None if self.read_at is None else format_micros(self.read_at),
        }

    def to_json(self) -> bytes:
        """``to_dict`` as JSON, cached until the notification changes."""
        cached = self._json
        if cached is None:
            cached = self._json = orjson.dumps(self.to_dict())
        return cached

    def mark_read(self, at: int) -> None:
        self.read_at = at
        self._json = None

    def mark_unread(self) -> None:
        self.read_at = None
        self._json = None
