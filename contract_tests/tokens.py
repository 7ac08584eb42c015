"""Tokens as real clients build them (HS256, ``kid`` = ``sub`` = the API key, ``iat``, ``exp``),
and the broken ones the auth clauses send. PyJWT does the signing; ``alg: none`` is built by hand
because PyJWT refuses to.
"""

from __future__ import annotations

import base64
import json
import warnings
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import jwt


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


@dataclass(frozen=True, slots=True)
class Credentials:
    """A user's API key and secret."""

    api_key: str
    api_secret: str


@dataclass(frozen=True, slots=True)
class TokenMinter:
    """Mints tokens at ``now()`` (the server's clock when the kit can read it, else the wall
    clock), ``ttl`` seconds long."""

    now: Callable[[], float]
    ttl: int = 300

    def claims(self, creds: Credentials, **overrides: Any) -> dict[str, Any]:
        # a second early: a server whose clock is a little behind must not see iat in its future
        issued = int(self.now()) - 1
        claims: dict[str, Any] = {
            "sub": creds.api_key,
            "iat": issued,
            "exp": issued + self.ttl,
            "iss": "sdk",
        }
        claims.update(overrides)
        return {k: v for k, v in claims.items() if v is not None}

    def valid(self, creds: Credentials) -> str:
        return self.sign(creds, self.claims(creds))

    def sign(
        self,
        creds: Credentials,
        claims: dict[str, Any],
        *,
        secret: str | None = None,
        algorithm: str = "HS256",
        kid: str | None = None,
    ) -> str:
        with warnings.catch_warnings():  # PyJWT warns about short secrets; not ours to judge
            warnings.simplefilter("ignore")
            return jwt.encode(
                claims,
                creds.api_secret if secret is None else secret,
                algorithm=algorithm,
                headers={"kid": creds.api_key if kid is None else kid},
            )

    # -- the broken ones ---------------------------------------------------------------------

    def unsigned(self, creds: Credentials) -> str:
        header = {"alg": "none", "typ": "JWT", "kid": creds.api_key}
        body = self.claims(creds)
        return f"{_b64(json.dumps(header).encode())}.{_b64(json.dumps(body).encode())}."

    def other_algorithm(self, creds: Credentials) -> str:
        return self.sign(creds, self.claims(creds), algorithm="HS512")

    def bad_signature(self, creds: Credentials) -> str:
        return self.sign(creds, self.claims(creds), secret=creds.api_secret + "-not-the-secret")

    def unknown_key(self, creds: Credentials) -> str:
        stranger = Credentials("vl_key_nobody_" + creds.api_key[-6:], creds.api_secret)
        return self.sign(stranger, self.claims(stranger))

    def no_exp(self, creds: Credentials) -> str:
        return self.sign(creds, self.claims(creds, exp=None))

    def expired(self, creds: Credentials) -> str:
        issued = int(self.now()) - 3600
        return self.sign(creds, self.claims(creds, iat=issued, exp=issued + 600))
