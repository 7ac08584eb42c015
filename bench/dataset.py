"""The benchmark's data: one user who owns every generated notification, and one small dataset
of their own for read-all.

The mock is started with ``--fixtures`` pointing at a folder written here and ``--seed 1
--notifications N``: with one user, every generated notification is theirs, so "the caller owns
100,000 notifications" is exactly true. The small dataset has no alerting view, so the generator
puts nothing in it; it holds the few notifications written into ``notifications.yaml``.
"""

from __future__ import annotations

import time
from pathlib import Path

import yaml

from mock_server.auth import mint_token
from mock_server.models import User

USER = User(
    name="bench",
    user_id="0b3e5f7a-1c2d-4e6f-8a9b-0c1d2e3f4a5b",
    api_key="vl_key_bench_5e6f7a8b",
    api_secret="vl_secret_bench_9c0d1e2f3a4b5c6d7e8f9a0b1c2d3e4f",
    session="sess_bench_1a2b3c4d5e6f7a8b",
)
SMALL_DATASET = "6a7b8c9d-0e1f-4a2b-9c3d-4e5f6a7b8c9d"
SMALL_SIZE = 20


def write_fixtures(folder: Path) -> Path:
    """Write users.yaml, datasets.yaml and notifications.yaml into ``folder``; returns it."""
    folder.mkdir(parents=True, exist_ok=True)
    users = [
        {
            "name": USER.name,
            "user_id": USER.user_id,
            "api_key": USER.api_key,
            "api_secret": USER.api_secret,
            "session": USER.session,
        }
    ]
    datasets = [
        {"dataset_id": SMALL_DATASET, "name": "Bench small", "members": [USER.name], "views": []}
    ]
    notifications = [
        {"user": USER.name, "dataset_id": SMALL_DATASET, "created_at": f"2026-01-01T00:00:{i:02}"}
        for i in range(SMALL_SIZE)
    ]
    for name, data in (
        ("users.yaml", users),
        ("datasets.yaml", datasets),
        ("notifications.yaml", notifications),
    ):
        (folder / name).write_text(yaml.safe_dump(data, sort_keys=False), encoding="utf-8")
    return folder


def token(ttl: float = 6 * 3600) -> str:
    """A bearer token for the bench user, valid for the whole run on the real clock."""
    return mint_token(USER, now=time.time(), ttl=ttl)
