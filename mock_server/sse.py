"""Server-Sent Events wire encoding: a pure function, tested byte for byte.

    event: <name>\\n
    data: <line 1>\\n
    data: <line 2>\\n
    \\n

Data is split on every line ending the SSE spec knows (CRLF, CR, LF), one ``data:`` line each,
so a client reassembles it exactly. Empty data still gets one ``data: `` line: browsers'
EventSource drops an event that has no data line. No ``id:`` is written (the real stream replays
nothing), and a field value may not contain a line break.
"""

from __future__ import annotations

import re

_LINE_BREAK = re.compile(r"\r\n|\r|\n")


def encode_event(event: str, data: str = "", *, retry: int | None = None) -> bytes:
    """One event, ready to write."""
    if _LINE_BREAK.search(event):
        raise ValueError("an SSE event name cannot contain a line break")
    parts = [f"event: {event}\n"]
    if retry is not None:
        parts.append(f"retry: {int(retry)}\n")
    parts.extend(f"data: {line}\n" for line in _LINE_BREAK.split(data))
    parts.append("\n")
    return "".join(parts).encode("utf-8")


PING = encode_event("ping")
