"""Faults armed through ``/_mock/faults``: forced statuses, latency, stream errors and drops.

HTTP faults match requests whose path starts with their ``path`` and are used up one request at
a time (``count``). Stream faults are used up one stream poll tick at a time. The control plane
is never faulted: only the public API's routes consult this.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any


@dataclass(slots=True)
class HttpFault:
    path: str
    remaining: int
    status: int | None = None
    latency_ms: int | None = None

    def describe(self) -> dict[str, Any]:
        out: dict[str, Any] = {"path": self.path, "count": self.remaining}
        if self.status is not None:
            out["status"] = self.status
        if self.latency_ms is not None:
            out["latency_ms"] = self.latency_ms
        return out


class Faults:
    """The armed faults of one app. Used from the app's event loop only."""

    def __init__(self) -> None:
        self._http: list[HttpFault] = []
        self.sse_error = 0
        self.sse_drop = 0

    @property
    def armed(self) -> bool:
        return bool(self._http)

    def add_http(self, fault: HttpFault) -> None:
        self._http.append(fault)

    def clear(self) -> None:
        self._http.clear()
        self.sse_error = 0
        self.sse_drop = 0

    def take(self, path: str) -> tuple[int | None, int]:
        """Use up the faults matching ``path``: (status to answer or None, latency in ms)."""
        status: int | None = None
        latency = 0
        for fault in self._http:
            if not path.startswith(fault.path):
                continue
            if fault.latency_ms is not None and latency == 0:
                latency = fault.latency_ms
                fault.remaining -= 1
            elif fault.status is not None and status is None:
                status = fault.status
                fault.remaining -= 1
        self._http = [f for f in self._http if f.remaining > 0]
        return status, latency

    def take_sse_error(self) -> bool:
        if self.sse_error > 0:
            self.sse_error -= 1
            return True
        return False

    def take_sse_drop(self) -> bool:
        if self.sse_drop > 0:
            self.sse_drop -= 1
            return True
        return False

    def describe(self) -> list[dict[str, Any]]:
        out = [f.describe() for f in self._http]
        if self.sse_error:
            out.append({"sse_error": self.sse_error})
        if self.sse_drop:
            out.append({"sse_drop": self.sse_drop})
        return out
