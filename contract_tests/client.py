"""HTTP to the server under test: every call has a timeout and is recorded as an
:class:`Exchange`, so a failing clause can show the request that broke it."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

import httpx

from contract_tests.exchange import Exchange

API = "/api/v1/notifications"
Params = Mapping[str, str | int | bool]
Auth = Callable[[], dict[str, str]]


def _param(value: str | int | bool) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


class ClauseFailure(AssertionError):
    """A clause does not hold; carries the exchange that shows it."""

    def __init__(
        self,
        message: str,
        exchange: Exchange | None = None,
        *,
        repro: str | None = None,
        detail: str | None = None,
    ) -> None:
        super().__init__(message)
        self.exchange = exchange
        self.repro = repro or (exchange.curl() if exchange is not None else None)
        self.detail = detail or (exchange.describe() if exchange is not None else None)


class Http:
    """An ``httpx.Client`` that remembers its last exchanges."""

    def __init__(self, base_url: str, timeout: float, *, keep: int = 50) -> None:
        self.base_url = base_url
        self._client = httpx.Client(base_url=base_url, timeout=timeout)
        self.timeout = timeout
        self.history: list[Exchange] = []
        self._keep = keep

    def close(self) -> None:
        self._client.close()

    @property
    def last(self) -> Exchange | None:
        return self.history[-1] if self.history else None

    def record(self, exchange: Exchange) -> Exchange:
        self.history.append(exchange)
        del self.history[: -self._keep]
        return exchange

    def request(
        self,
        method: str,
        path: str,
        *,
        params: Params | None = None,
        headers: Mapping[str, str] | None = None,
        json: Any = None,
    ) -> tuple[httpx.Response, Exchange]:
        query = {k: _param(v) for k, v in (params or {}).items()}
        request = self._client.build_request(
            method, path, params=query, headers=dict(headers or {}), json=json
        )
        sent = tuple(
            (k, v)
            for k, v in request.headers.items()
            if k.lower() in ("authorization", "content-type", "cookie")
        )
        try:
            response = self._client.send(request)
        except httpx.HTTPError as exc:
            self.record(
                Exchange(method, str(request.url), sent, request.content or None, error=str(exc))
            )
            raise ClauseFailure(
                f"{method} {request.url} failed: {exc or type(exc).__name__}", self.last
            ) from None
        exchange = Exchange(
            method,
            str(request.url),
            sent,
            request.content or None,
            response.status_code,
            tuple(response.headers.items()),
            response.content,
        )
        return response, self.record(exchange)

    def stream(
        self,
        path: str,
        *,
        params: Params | None = None,
        headers: Mapping[str, str] | None = None,
        read_timeout: float,
    ) -> Any:
        """An ``httpx`` streaming context for ``GET path`` (the caller bounds the reading)."""
        query = {k: _param(v) for k, v in (params or {}).items()}
        timeout = httpx.Timeout(self.timeout, read=read_timeout)
        return self._client.stream(
            "GET", path, params=query, headers=dict(headers or {}), timeout=timeout
        )
