"""Reproducible, realistic generated data: datasets, saved views and processed media batches.

The documented delivery rule is modelled: one processed batch alerts every user with access to
the dataset, once per alerting view, and all those notifications share the batch's
``batch_id`` (and its metadata object). The same seed gives the same datasets, ids, names,
counts and order; timestamps count back from the clock's start, so they are identical run to run
only when the start instant is.
"""

from __future__ import annotations

import random
from collections.abc import Iterator
from dataclasses import dataclass

from mock_server.fixtures import Directory
from mock_server.models import Dataset, Notification, View

_SUBJECTS = (
    "Retail shelves",
    "Drone survey",
    "Traffic cams",
    "Wildlife traps",
    "Solar panels",
    "Crop fields",
    "Warehouse floor",
    "Street signs",
    "Bakery line",
    "Harbor cranes",
    "Parking lots",
    "Ski slopes",
    "Kitchen hygiene",
    "Assembly line",
    "Beach cleanup",
)
_SUFFIXES = ("2026", "Q3", "v2", "north", "night shift", "raw", "EU", "pilot")
_VIEWS = (
    "empty shelves",
    "misplaced items",
    "people without helmets",
    "cracked panels",
    "deer at night",
    "blurry frames",
    "duplicates",
    "red lights",
    "open doors",
    "smoke",
    "forklifts",
    "spills",
    "weeds",
    "rust",
    "crowds",
    "dogs",
    "snow on lens",
    "bright glare",
    "overexposed",
    "mislabeled boxes",
)
_SECOND = 1_000_000


@dataclass(frozen=True, slots=True)
class Seeded:
    datasets: tuple[Dataset, ...]
    notifications: list[Notification]


def generate(seed: int, count: int, directory: Directory, *, now: int) -> Seeded:
    """``count`` notifications for the directory's users, the newest at ``now`` (µs) or before."""
    rng = random.Random(seed)
    datasets = _datasets(rng, directory)
    everyone = list(directory.datasets.values()) + datasets
    usable = [d for d in everyone if d.members and d.views]
    notifications: list[Notification] = []
    if not usable or count <= 0:
        return Seeded(tuple(datasets), notifications)
    uid = _uuids(rng)
    by_name = directory.users
    t = now - rng.randrange(1, 120) * _SECOND
    read_before = now - 6 * 3600 * _SECOND  # most alerts older than six hours have been read
    # the loop runs once per notification: its lookups are hoisted (a million seeded in seconds)
    random_, sample, choice = rng.random, rng.sample, rng.choice
    # randrange(a, b) and randint(a, b - 1) are a + _randbelow(b - a): the same draws, without
    # their argument checks (never given an empty range here)
    below = getattr(rng, "_randbelow", None) or rng.randrange
    append, make = notifications.append, Notification
    members_of = {d.dataset_id: [by_name[m].user_id for m in d.members] for d in usable}
    widest = max(len(d.members) for d in usable)
    while len(notifications) < count:
        left = count - len(notifications)
        # a batch alerts every member once per alerting view: never cut one short, so near the
        # end only a dataset whose batch still fits is picked (a private one always does)
        if left >= widest:
            ds = choice(usable)
        else:
            ds = choice([d for d in usable if len(d.members) <= left] or usable)
        batch_id = next(uid)
        members = members_of[ds.dataset_id]
        most = min(3, len(ds.views), max(1, left // len(members)))
        k = 1 if most == 1 else 1 + below(most)  # randint(1, most)
        dataset_id = ds.dataset_id
        old = t < read_before
        # sample(views, 1) draws exactly what choice(views) does, without sample's type checks
        for view in (choice(ds.views),) if k == 1 else sample(ds.views, k):
            meta = {
                "batch_id": batch_id,
                "is_alert": True,
                "view_name": view.name,
                "dataset_name": ds.name,
                "result_count": int(rng.paretovariate(1.2) * 5),
            }
            entity_id = view.entity_id
            for user_id in members:
                read_at = None
                if old and random_() < 0.8:  # read within a day, before now
                    latest = min(86_400, (now - t) // _SECOND)
                    read_at = t + (60 + below(latest - 60)) * _SECOND
                # fields in declaration order: id, user_id, entity_type, entity_id, title,
                # message, metadata, dataset_id, created_at, read_at
                append(
                    make(
                        next(uid),
                        user_id,
                        "saved_view",
                        entity_id,
                        "",
                        None,
                        meta,
                        dataset_id,
                        t,
                        read_at,
                    )
                )
                if len(notifications) == count:
                    return Seeded(tuple(datasets), notifications)
        t -= (1 + below(899)) * _SECOND + below(_SECOND)  # randrange(1, 900), randrange(1 s)
    return Seeded(tuple(datasets), notifications)


def _uuids(rng: random.Random) -> Iterator[str]:
    """Version-4 UUIDs from the generator's bits: what ``str(uuid.UUID(int=bits, version=4))``
    returns, without building a UUID object for each."""
    getrandbits = rng.getrandbits
    while True:
        bits = getrandbits(128)
        bits = (bits & ~(0xC000 << 48) | 0x8000 << 48) & ~(0xF000 << 64) | 4 << 76
        h = f"{bits:032x}"
        yield f"{h[:8]}-{h[8:12]}-{h[12:16]}-{h[16:20]}-{h[20:]}"


def _datasets(rng: random.Random, directory: Directory) -> list[Dataset]:
    names = sorted(directory.users)
    uid = _uuids(rng)
    made: list[Dataset] = []
    for subject in rng.sample(_SUBJECTS, 6):
        name = f"{subject} {rng.choice(_SUFFIXES)}"
        # some datasets are shared by everyone, some by a few, some private (the first one,
        # always: a batch of one fits any count of notifications left to generate)
        size = 1 if not made else rng.choice((len(names), max(1, len(names) // 2), 1))
        members = tuple(sorted(rng.sample(names, size)))
        views = tuple(View(next(uid), v) for v in rng.sample(_VIEWS, rng.randint(1, 4)))
        made.append(Dataset(next(uid), name, members, views))
    return made
