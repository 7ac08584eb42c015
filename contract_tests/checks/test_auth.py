"""Authentication: every kind of bad credential is 401 {"detail": str}, before validation."""

from __future__ import annotations

import uuid
from collections.abc import Callable

import pytest

from contract_tests import expect
from contract_tests.checks.streams import stream_rejected
from contract_tests.client import API
from contract_tests.plugin import note
from contract_tests.target import Target
from contract_tests.tokens import Credentials, TokenMinter

REST = (
    ("GET", API),
    ("GET", f"{API}/unread-count"),
    ("POST", f"{API}/{uuid.UUID(int=0x5EED)}/read"),
    ("POST", f"{API}/read-all"),
)


def _rejected(
    target: Target,
    headers: dict[str, str],
    what: str,
    endpoints: tuple[tuple[str, str], ...] = REST[:2],
) -> None:
    for method, path in endpoints:
        body, exchange = target.call(method, path, headers=headers)
        expect.that(
            exchange.status == 401,
            f"{what}: {method} {path} answered {exchange.status}, not 401",
            exchange,
        )
        expect.error_detail(body, exchange, 401)


def _bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


@pytest.mark.clause("AUTH-MISSING")
def test_missing_credentials(request: pytest.FixtureRequest, target: Target) -> None:
    endpoints: tuple[tuple[str, str], ...] = REST
    if target.options.read_only:  # a server ignoring auth might mark someone's notifications
        endpoints = REST[:2]
        note(request, "the two marking endpoints not tried (--read-only)")
    _rejected(target, {}, "no credentials", endpoints)
    stream_rejected(target, {}, "no credentials")


@pytest.mark.clause("AUTH-MALFORMED")
def test_malformed_bearer(target: Target) -> None:
    for value in (
        "Bearer garbage",
        "Bearer not.a.jwt",
        "Bearer eyJhbGciOiJIUzI1NiJ9.e30.",
    ):
        _rejected(target, {"Authorization": value}, f"Authorization: {value}")


def _crafted(
    kind: Callable[[TokenMinter, Credentials], str], what: str
) -> Callable[[Target], None]:
    def check(target: Target) -> None:
        _rejected(target, _bearer(kind(target.minter, target.creds("a"))), what)

    return check


test_alg_none = pytest.mark.clause("AUTH-ALG-NONE")(
    _crafted(TokenMinter.unsigned, "an unsigned token (alg none)")
)
test_other_alg = pytest.mark.clause("AUTH-OTHER-ALG")(
    _crafted(TokenMinter.other_algorithm, "a token signed with HS512")
)
test_bad_signature = pytest.mark.clause("AUTH-BAD-SIGNATURE")(
    _crafted(TokenMinter.bad_signature, "a token signed with another secret")
)
test_unknown_key = pytest.mark.clause("AUTH-UNKNOWN-KEY")(
    _crafted(TokenMinter.unknown_key, "a token for an unknown API key")
)
test_no_exp = pytest.mark.clause("AUTH-NO-EXP")(_crafted(TokenMinter.no_exp, "a token without exp"))


@pytest.mark.clause("AUTH-EXPIRED")
def test_expired(target: Target) -> None:
    creds = target.creds("a")
    _rejected(target, _bearer(target.minter.expired(creds)), "a token expired an hour ago")
    # no leeway: with a control plane the server's clock is known exactly; elsewhere this
    # machine's clock is trusted to within 15 s
    recently = 1 if target.control is not None else 15
    now = int(target.now())
    token = target.minter.sign(creds, target.minter.claims(creds, iat=now - 60, exp=now - recently))
    _rejected(target, _bearer(token), f"a token expired {recently} s ago")


@pytest.mark.clause("AUTH-BEFORE-VALIDATION")
def test_auth_before_validation(target: Target) -> None:
    for headers, what in (
        ({}, "no credentials"),
        ({"Authorization": "Bearer garbage"}, "a garbage token"),
    ):
        cases: tuple[tuple[str, str, dict[str, str | int | bool]], ...] = (
            ("GET", API, {"limit": 0}),
            ("GET", API, {"offset": -1, "unread_only": "maybe"}),
            ("GET", f"{API}/unread-count", {"dataset_id": "not-a-uuid"}),
            ("POST", f"{API}/not-a-uuid/read", {}),
            ("POST", f"{API}/read-all", {"dataset_id": "not-a-uuid"}),
        )
        if target.options.read_only:
            cases = cases[:-1]
        for method, path, params in cases:
            body, exchange = target.call(method, path, headers=headers, params=params)
            expect.that(
                exchange.status == 401,
                f"{what} and invalid parameters: {method} "
                f"{path} answered {exchange.status}, not 401",
                exchange,
            )
            expect.error_detail(body, exchange, 401)


@pytest.mark.clause("AUTH-VALID")
def test_valid_token(target: Target) -> None:
    token = target.minter.valid(target.creds("a"))
    headers = _bearer(token)
    for method, path in REST[:2]:
        target.call(method, path, headers=headers, expect=200)
    # Deliberately not required: "bearer" in another case. RFC 7235 makes the scheme
    # case-insensitive, but the contract names only "Bearer", and a correct server that
    # matches it exactly must not fail here.
    with target.stream(None, headers=headers) as stream:
        expect.that(
            stream.status == 200,
            f"a valid token: the stream answered {stream.status}",
            stream.exchange(),
        )
