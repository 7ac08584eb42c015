"""The contract's timestamps: naive UTC with microseconds, ``2026-03-31T17:02:12.432489``."""

from __future__ import annotations

import re
from datetime import UTC, datetime

NAIVE_MICROS = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{6}$")


def parse_naive(text: str) -> float:
    """Epoch seconds of a naive UTC timestamp (any ISO form Python reads)."""
    moment = datetime.fromisoformat(text)
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.timestamp()
