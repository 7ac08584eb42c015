"""The wire format of timestamps: naive ISO-8601 in UTC with six fractional digits.

Instants are kept as integer microseconds since the epoch (exact, cheap to compare and sort)
and formatted only at the edge.
"""

from __future__ import annotations

import re
from datetime import datetime, timedelta

_EPOCH = datetime(1970, 1, 1)
_PATTERN = re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,6})?", re.ASCII)


def to_micros(seconds: float) -> int:
    """Seconds since the epoch (a clock reading) to integer microseconds."""
    return round(seconds * 1_000_000)


def format_micros(micros: int) -> str:
    """``2026-03-31T17:02:12.432489``: always six digits, never an offset."""
    return (_EPOCH + timedelta(microseconds=micros)).strftime("%Y-%m-%dT%H:%M:%S.%f")


def parse_timestamp(text: str) -> int:
    """Parse the wire format (a trailing ``Z`` or ``+00:00`` is tolerated) to microseconds.

    Raises ``ValueError`` with a readable message for anything else.
    """
    raw = text
    if text.endswith("Z"):
        text = text[:-1]
    elif text.endswith("+00:00"):
        text = text[:-6]
    if not _PATTERN.fullmatch(text):
        raise ValueError(f"{raw!r} is not a timestamp like 2026-03-31T17:02:12.432489")
    try:
        parsed = datetime.fromisoformat(text)
    except ValueError as exc:
        raise ValueError(f"{raw!r} is not a valid date and time") from exc
    delta = parsed - _EPOCH
    return (delta.days * 86_400 + delta.seconds) * 1_000_000 + delta.microseconds


def micros_to_seconds(micros: int) -> float:
    return micros / 1_000_000
