"""The server under test as the clauses see it: who to call it as, how to mint tokens, whether a
control plane is there, and calls that check every response against ``openapi.yaml``."""

from __future__ import annotations

import time
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx

from contract_tests.client import API, ClauseFailure, Http, Params
from contract_tests.control import ControlPlane
from contract_tests.exchange import Exchange
from contract_tests.openapi_validation import ContractViolation, SpecValidator
from contract_tests.options import KitOptions
from contract_tests.tokens import Credentials, TokenMinter


def default_spec() -> Path:
    """The bundled ``openapi.yaml`` (the repository's, or the installed package's copy)."""
    here = Path(__file__).resolve().parent
    for candidate in (here.parent / "openapi.yaml", here.parent / "mock_server/data/openapi.yaml"):
        if candidate.is_file():
            return candidate
    raise FileNotFoundError("openapi.yaml is not bundled with this installation")


@dataclass(slots=True)
class Target:
    """One run's view of the server. Users are ``"a"`` and (optionally) ``"b"``."""

    options: KitOptions
    base_url: str
    http: Http
    validator: SpecValidator
    spec_path: Path
    a: Credentials | None
    b: Credentials | None
    token: str | None
    control: ControlPlane | None
    minter: TokenMinter

    @property
    def can_mint(self) -> bool:
        return self.a is not None

    @property
    def has_b(self) -> bool:
        return self.b is not None

    def creds(self, user: str = "a") -> Credentials:
        found = self.a if user == "a" else self.b
        if found is None:
            raise ClauseFailure(f"no credentials for user {user}")
        return found

    def bearer(self, user: str = "a") -> str:
        if user == "a" and self.a is None:
            assert self.token is not None
            return self.token
        return self.minter.valid(self.creds(user))

    def headers(self, user: str | None = "a") -> dict[str, str]:
        if user is None:
            return {}
        return {"Authorization": f"Bearer {self.bearer(user)}"}

    # -- checked calls -----------------------------------------------------------------------

    def call(
        self,
        method: str,
        path: str,
        *,
        user: str | None = "a",
        params: Params | None = None,
        headers: Mapping[str, str] | None = None,
        expect: int | None = None,
    ) -> tuple[Any, Exchange]:
        """Call, check the response against the contract (and ``expect``), return its JSON."""
        sent = self.headers(user) if headers is None else dict(headers)
        response, exchange = self.http.request(method, path, params=params, headers=sent)
        return self.check(method, path, response, exchange, expect), exchange

    def check(
        self,
        method: str,
        path: str,
        response: httpx.Response,
        exchange: Exchange,
        expect: int | None,
    ) -> Any:
        if expect is not None and response.status_code != expect:
            raise ClauseFailure(
                f"{method} {path}: expected {expect}, got {response.status_code}", exchange
            )
        try:
            return self.validator.validate_response(
                method,
                path,
                response.status_code,
                response.headers.get("content-type"),
                response.content,
            )
        except ContractViolation as exc:
            raise ClauseFailure(str(exc), exchange) from None

    def list(self, user: str = "a", **params: str | int | bool) -> dict[str, Any]:
        body, _ = self.call("GET", API, user=user, params=params, expect=200)
        found: dict[str, Any] = body
        return found

    def unread_count(self, user: str = "a", **params: str | int | bool) -> int:
        body, _ = self.call("GET", f"{API}/unread-count", user=user, params=params, expect=200)
        return int(body["count"])

    def read(self, notification_id: str, user: str = "a", expect: int | None = 200) -> Any:
        body, _ = self.call("POST", f"{API}/{notification_id}/read", user=user, expect=expect)
        return body

    def read_all(self, user: str = "a", **params: str | int | bool) -> Any:
        body, _ = self.call("POST", f"{API}/read-all", user=user, params=params, expect=200)
        return body

    def walk(self, user: str = "a", page: int = 100, **params: str | int | bool) -> list[Any]:
        """Every notification, page by page (a bounded number of pages)."""
        items: list[Any] = []
        offset = 0
        for _ in range(1000):
            body = self.list(user, limit=page, offset=offset, **params)
            items.extend(body["notifications"])
            offset += len(body["notifications"])
            if not body["has_more"] or not body["notifications"]:
                return items
        raise ClauseFailure(f"{API}: more than 1000 pages of {page}; gave up walking")

    def wall_now(self) -> float:
        return self.control.now() if self.control is not None else time.time()
