"""Before any clause runs: is the server there, do the credentials work, is there a control
plane? A problem here ends the run at once with one sentence (:class:`PreflightError`)."""

from __future__ import annotations

import time

import httpx

from contract_tests.client import API, ClauseFailure, Http
from contract_tests.control import detect
from contract_tests.openapi_validation import SpecValidator
from contract_tests.options import KitOptions
from contract_tests.target import Target, default_spec
from contract_tests.tokens import Credentials, TokenMinter


class PreflightError(Exception):
    """The server cannot be checked at all; the message is one sentence."""


def _reason(exc: BaseException) -> str:
    if isinstance(exc, httpx.ConnectError):
        text = str(exc).lower()
        if "refused" in text:
            return "connection refused"
        if "name or service" in text or "nodename" in text or "resolve" in text:
            return "the host name does not resolve"
        return str(exc) or "connection failed"
    if isinstance(exc, httpx.TimeoutException):
        return "no answer within the timeout"
    return str(exc) or type(exc).__name__


def prepare(
    options: KitOptions,
    base_url: str,
    a: Credentials | None,
    b: Credentials | None,
    token: str | None,
) -> Target:
    """Check reachability and credentials, detect the control plane, return the target."""
    http = Http(base_url, options.http_timeout)
    try:
        http.request("GET", f"{API}/unread-count")
    except ClauseFailure as exc:
        http.close()
        cause = exc.__cause__ or exc.__context__
        raise PreflightError(
            f"could not reach {base_url}: {_reason(cause) if cause else exc}"
        ) from None
    control = detect(Http(base_url, options.http_timeout))
    minter = TokenMinter(control.now if control is not None else time.time)
    spec = default_spec()
    target = Target(
        options, base_url, http, SpecValidator(spec), spec, a, b, token, control, minter
    )
    try:
        for user, creds in (("a", a), ("b", b)):
            if creds is None and not (user == "a" and token):
                continue
            _authenticate(target, user, creds)
    except BaseException:
        target.close()
        raise
    http.history.clear()
    return target


def _authenticate(target: Target, user: str, creds: Credentials | None) -> None:
    what = f"api key {creds.api_key}" if creds else "the given token"
    url = f"{target.base_url}{API}/unread-count"
    try:
        response, _ = target.http.request(
            "GET", f"{API}/unread-count", headers=target.headers(user)
        )
    except ClauseFailure as exc:
        raise PreflightError(f"could not reach {target.base_url}: {exc}") from None
    if response.status_code != 200:
        verb = "authenticate" if response.status_code in (401, 403) else "use"
        raise PreflightError(f"could not {verb}: {response.status_code} from {url} for {what}")
