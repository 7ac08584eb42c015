"""The response models, as the backend declares them for FastAPI."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal
from uuid import UUID

from pydantic import BaseModel

from independent_server.store import NotificationRow


class Notification(BaseModel):
    id: UUID
    user_id: UUID
    entity_type: str
    entity_id: UUID
    title: str
    message: str | None
    metadata: dict[str, Any]
    dataset_id: UUID | None
    created_at: datetime
    read_at: datetime | None

    @classmethod
    def of(cls, row: NotificationRow) -> Notification:
        return cls(
            id=row.id,
            user_id=row.user_id,
            entity_type=row.entity_type,
            entity_id=row.entity_id,
            title=row.title,
            message=row.message,
            metadata=row.metadata,
            dataset_id=row.dataset_id,
            created_at=row.created_at,
            read_at=row.read_at,
        )


class NotificationList(BaseModel):
    notifications: list[Notification]
    total: int
    has_more: bool


class UnreadCount(BaseModel):
    count: int


class Ok(BaseModel):
    ok: Literal[True] = True


class OkCount(BaseModel):
    ok: Literal[True] = True
    count: int
