"""The server under test as the clauses see it: who to call it as, how to mint tokens, whether a
control plane is there, and calls that check every response against ``openapi.yaml``."""

from __future__ import annotations

import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import jwt
import pytest

from contract_tests.client import API, ClauseFailure, Http, Params
from contract_tests.control import ControlPlane
from contract_tests.exchange import Exchange
from contract_tests.openapi_validation import ContractViolation, SpecValidator
from contract_tests.options import KitOptions
from contract_tests.sse import Stream
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
    _names: dict[str, str] = field(default_factory=dict)
    cache: dict[str, object] = field(default_factory=dict)
    """What clauses share within one run (a watched stream, say)."""

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
        validate: bool = False,
    ) -> tuple[Any, Exchange]:
        """Call, check the status (``expect``), return the JSON body. ``validate`` also checks
        the whole response against openapi.yaml: the shape and schema clauses do; behavioural
        clauses check only their own point, so one schema slip does not fail every clause."""
        sent = self.headers(user) if headers is None else dict(headers)
        response, exchange = self.http.request(method, path, params=params, headers=sent)
        return self.check(method, path, response, exchange, expect, validate=validate), exchange

    def check(
        self,
        method: str,
        path: str,
        response: httpx.Response,
        exchange: Exchange,
        expect: int | None,
        *,
        validate: bool = False,
    ) -> Any:
        if expect is not None and response.status_code != expect:
            raise ClauseFailure(
                f"{method} {path}: expected {expect}, got {response.status_code}", exchange
            )
        if not validate:
            kind = response.headers.get("content-type", "")
            if not response.content or kind.startswith("text/event-stream"):
                return None
            try:
                return response.json()
            except ValueError:
                raise ClauseFailure(
                    f"{method} {path} -> {response.status_code}: the body is not JSON", exchange
                ) from None
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

    def page(self, user: str = "a", **params: str | int | bool) -> dict[str, Any]:
        body, exchange = self.call("GET", API, user=user, params=params, expect=200)
        if not (
            isinstance(body, dict)
            and isinstance(body.get("notifications"), list)
            and isinstance(body.get("total"), int)
            and isinstance(body.get("has_more"), bool)
        ):
            raise ClauseFailure(
                "the list is not {notifications: [...], total: int, has_more: bool}", exchange
            )
        found: dict[str, Any] = body
        return found

    def unread_count(self, user: str = "a", **params: str | int | bool) -> int:
        body, exchange = self.call(
            "GET", f"{API}/unread-count", user=user, params=params, expect=200
        )
        count = body.get("count") if isinstance(body, dict) else None
        if isinstance(count, bool) or not isinstance(count, int):
            raise ClauseFailure(
                f'unread-count answered {body}, not {{"count": <integer>}}', exchange
            )
        return count

    def read(self, notification_id: str, user: str = "a", expect: int | None = 200) -> Any:
        body, _ = self.call("POST", f"{API}/{notification_id}/read", user=user, expect=expect)
        return body

    def read_all(self, user: str = "a", **params: str | int | bool) -> Any:
        body, _ = self.call("POST", f"{API}/read-all", user=user, params=params, expect=200)
        return body

    def walk(self, user: str = "a", page: int = 50, **params: str | int | bool) -> list[Any]:
        """Every notification, page by page (a bounded number of pages)."""
        items: list[Any] = []
        offset = 0
        for _ in range(1000):
            body = self.page(user, limit=page, offset=offset, **params)
            items.extend(body["notifications"])
            offset += len(body["notifications"])
            if not body["has_more"] or not body["notifications"]:
                return items
        raise ClauseFailure(f"{API}: more than 1000 pages of {page}; gave up walking")

    def close(self) -> None:
        self.http.close()
        if self.control is not None:
            self.control.http.close()

    def now(self) -> float:
        """The server's now, when a control plane tells it; else this machine's."""
        return self.control.now() if self.control is not None else time.time()

    def stream(
        self,
        user: str | None = "a",
        params: Params | None = None,
        headers: Mapping[str, str] | None = None,
    ) -> Stream:
        sent = self.headers(user) if headers is None else dict(headers)
        return Stream(
            self.base_url, sent, params, self.options.http_timeout, self.options.sse_timeout
        )

    # -- data (the control plane injects it; elsewhere it is what the server has) ------------

    def mock_name(self, user: str) -> str:
        """The control plane's name of user ``a`` or ``b``."""
        assert self.control is not None
        if not self._names:
            keys = {"a": self.api_key("a"), "b": self.api_key("b")}
            for entry in self.control.users():
                for who, key in keys.items():
                    if key is not None and entry.get("api_key") == key:
                        self._names[who] = str(entry["name"])
        if user not in self._names:
            raise ClauseFailure(f"the control plane does not know user {user}'s api key")
        return self._names[user]

    def api_key(self, user: str) -> str | None:
        """User ``a``'s or ``b``'s API key (with only ``--token``: the token's ``kid``)."""
        creds = self.a if user == "a" else self.b
        if creds is not None:
            return creds.api_key
        if user == "a" and self.token is not None:
            try:
                kid = jwt.get_unverified_header(self.token).get("kid")
            except jwt.PyJWTError:
                return None
            return kid if isinstance(kid, str) else None
        return None

    def mock_datasets(self, user: str) -> list[str]:
        """The dataset ids user ``a``/``b`` can see, from the control plane."""
        assert self.control is not None
        name = self.mock_name(user)
        for entry in self.control.users():
            if entry.get("name") == name:
                return [str(d) for d in entry.get("datasets", [])]
        return []

    def inject(self, user: str = "a", n: int = 1, **fields: Any) -> list[dict[str, Any]]:
        """New unread notifications for ``user`` (control plane only)."""
        assert self.control is not None
        name = self.mock_name(user)
        return self.control.inject([{"user": name, **fields} for _ in range(n)])

    def unread(
        self, user: str = "a", n: int = 1, dataset_id: str | None = None
    ) -> list[dict[str, Any]]:
        """``n`` unread notifications of ``user``: injected when a control plane is there, else
        the oldest unread ones listed. Fewer than ``n`` available skips the clause."""
        if self.control is not None:
            extra: dict[str, Any] = {} if dataset_id is None else {"dataset_id": dataset_id}
            return self.inject(user, n, **extra)
        params: dict[str, str | int | bool] = {"unread_only": True}
        if dataset_id is not None:
            params["dataset_id"] = dataset_id
        total = int(self.page(user, limit=1, **params)["total"])
        if total < n:
            where = f" in dataset {dataset_id}" if dataset_id else ""
            pytest.skip(
                f"needs {n} unread notification(s) of user {user}{where}; the server has {total}"
            )
        # the oldest ones (the newest are what a person looks at first); the newest page if
        # the server cannot page there
        found: list[dict[str, Any]] = []
        for offset in (max(0, total - n), 0):
            found = self.page(user, limit=max(n, 1), offset=offset, **params)["notifications"]
            found = [x for x in found if x.get("read_at") is None][:n]
            if len(found) == n:
                break
        if len(found) < n:
            raise ClauseFailure(
                f"unread_only=true has total {total} but lists fewer than {n} unread",
                self.http.last,
            )
        return found
