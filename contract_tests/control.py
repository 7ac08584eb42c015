"""The bundled mock's ``/_mock`` control plane, seen from the kit (described in
``mock_server/control-openapi.yaml``). Any other server has none: then :func:`detect` is None and
the clauses use the data that is there and real time."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from contract_tests.client import ClauseFailure, Http
from contract_tests.timefmt import parse_naive


@dataclass(slots=True)
class ControlPlane:
    """Reset, inject, move the clock. ``manual`` says whether the clock moves only when told."""

    http: Http
    manual: bool

    def _call(self, method: str, path: str, body: Any = None) -> Any:
        response, exchange = self.http.request(method, f"/_mock{path}", json=body)
        if response.status_code >= 300:
            raise ClauseFailure(
                f"control plane: {method} /_mock{path} -> {response.status_code}", exchange
            )
        return response.json()

    def now(self) -> float:
        return parse_naive(self._call("GET", "/clock")["now"])

    def reset(self) -> None:
        self._call("POST", "/reset")

    def advance(self, seconds: float) -> None:
        """Move a manual clock; returns once every stream event that came due is written."""
        self._call("POST", "/clock/advance", {"seconds": seconds})

    def inject(self, entries: Sequence[Mapping[str, Any]]) -> list[dict[str, Any]]:
        made: list[dict[str, Any]] = self._call("POST", "/notifications", list(entries))
        return made

    def users(self) -> list[dict[str, Any]]:
        found: list[dict[str, Any]] = self._call("GET", "/users")
        return found

    def state(self) -> dict[str, Any]:
        found: dict[str, Any] = self._call("GET", "/state")
        return found


def detect(http: Http) -> ControlPlane | None:
    """The control plane, when ``GET /_mock/health`` answers as the bundled mock does."""
    try:
        response, _ = http.request("GET", "/_mock/health")
        health = response.json() if response.status_code == 200 else None
        clock, _ = http.request("GET", "/_mock/clock") if health else (None, None)
        info = clock.json() if clock is not None and clock.status_code == 200 else None
    except (ClauseFailure, ValueError):
        health = info = None
    if not (isinstance(health, dict) and health.get("status") == "ok") or not (
        isinstance(info, dict) and isinstance(info.get("now"), str)
    ):
        http.close()
        return None
    return ControlPlane(http, manual=info.get("mode") == "manual")
