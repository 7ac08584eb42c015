"""Start-up data: two users with their own credentials, datasets shared and not, a few dozen
notifications each (some read), made the way the pipeline makes them (one batch, every member)."""

from __future__ import annotations

import random
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta

from independent_server.store import Dataset, NotificationRow, Store, User, utcnow


@dataclass(frozen=True, slots=True)
class SeedUser:
    name: str
    api_key: str
    api_secret: str
    session: str


USERS = (
    SeedUser("carol", "ind_carol_7Qx2", "ind-secret-carol-5d7e0b1f9a2c41e8b07d", "sess-carol-81ac"),
    SeedUser("dave", "ind_dave_3Kp9", "ind-secret-dave-c4b8e2a61f07d93a5e12", "sess-dave-2f6d"),
)
# (name, members): the first two are shared, the others belong to one user each.
DATASETS = (
    ("Ice cream", ("carol", "dave")),
    ("Street scenes", ("carol", "dave")),
    ("Retail shelves", ("carol",)),
    ("Drone survey", ("carol",)),
    ("Warehouse", ("dave",)),
)
VIEWS = ("icecream", "pedestrians", "empty shelf", "blurry", "forklift", "night shots")


def seed_store(store: Store, *, batches: int = 60, seed: int = 11) -> dict[str, SeedUser]:
    """Fill ``store``; returns the users by name. Timestamps lie in the last days before now."""
    rnd = random.Random(seed)
    ids = {u.name: uuid.UUID(int=rnd.getrandbits(128), version=4) for u in USERS}
    for u in USERS:
        store.add_user(User(ids[u.name], u.name, u.api_key, u.api_secret, u.session))
    datasets = []
    for name, members in DATASETS:
        dataset = Dataset(uuid.UUID(int=rnd.getrandbits(128), version=4), name, set())
        dataset.members = {ids[m] for m in members}
        store.add_dataset(dataset)
        datasets.append(dataset)
    now = utcnow()
    when = now - timedelta(days=3)
    for i in range(batches):
        dataset = rnd.choice(datasets)
        if i % 9 != 4:  # every ninth batch shares its instant with the previous one
            when += timedelta(seconds=rnd.randint(60, 3600), microseconds=rnd.randint(0, 999999))
        _batch(store, rnd, dataset, when, now)
    for u in USERS:  # a system notification with no dataset
        store.add(
            NotificationRow(
                id=uuid.UUID(int=rnd.getrandbits(128), version=4),
                user_id=ids[u.name],
                entity_type="saved_view",
                entity_id=uuid.UUID(int=rnd.getrandbits(128), version=4),
                title="Monitoring paused",
                message="Alerting was paused during maintenance.",
                metadata={
                    "batch_id": str(uuid.UUID(int=rnd.getrandbits(128), version=4)),
                    "is_alert": False,
                    "view_name": "",
                    "dataset_name": "",
                    "result_count": 0,
                },
                dataset_id=None,
                created_at=now - timedelta(days=4),
                read_at=None,
            )
        )
    return {u.name: u for u in USERS}


def _batch(
    store: Store, rnd: random.Random, dataset: Dataset, when: datetime, now: datetime
) -> None:
    view = rnd.choice(VIEWS)
    view_id = uuid.uuid5(dataset.id, view)
    batch_id = uuid.UUID(int=rnd.getrandbits(128), version=4)
    count = rnd.randint(1, 2500)
    for member in sorted(dataset.members):
        read = rnd.random() < 0.3
        store.add(
            NotificationRow(
                id=uuid.UUID(int=rnd.getrandbits(128), version=4),
                user_id=member,
                entity_type="saved_view",
                entity_id=view_id,
                title="",
                message=None,
                metadata={
                    "batch_id": str(batch_id),
                    "is_alert": True,
                    "view_name": view,
                    "dataset_name": dataset.name,
                    "result_count": count,
                    "view_id": str(view_id),
                },
                dataset_id=dataset.id,
                created_at=when,
                read_at=min(now, when + timedelta(minutes=rnd.randint(1, 600))) if read else None,
            )
        )
