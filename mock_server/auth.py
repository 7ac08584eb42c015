"""Authentication as the real service does it.

Clients mint their own HS256 JWTs from an API key and secret: header ``kid`` = api key, claims
``sub`` = api key, ``iat``, ``exp``. Browsers send the ``SESSION`` cookie instead. When an
``Authorization`` header is present it decides, whatever cookie comes with it.

Every failure is :class:`NotAuthenticated` (401): no credentials, a malformed header or token,
``alg: none`` or any algorithm but HS256, an unknown key, a bad signature, ``sub`` not the key,
a missing ``exp``, or an expired token. Expiry is judged by the mock's clock with no leeway, so
advancing a manual clock expires tokens; ``iat`` is not judged, since a client's clock and a
manual clock legitimately disagree.

Verified tokens are cached (token -> user, expiry) so that the signature is checked once per
token, not once per request; expiry is still checked on every request.
"""

from __future__ import annotations

from collections.abc import Mapping

import jwt

from mock_server.clock import Clock
from mock_server.errors import NotAuthenticated
from mock_server.models import User

ALGORITHM = "HS256"
_CACHE_LIMIT = 10_000


def mint_token(user: User, *, now: float, ttl: float = 600.0) -> str:
    """A token as the documentation's client builds it (``iss`` = "sdk")."""
    issued = int(now)
    return jwt.encode(
        {"sub": user.api_key, "iat": issued, "exp": issued + int(ttl), "iss": "sdk"},
        user.api_secret,
        algorithm=ALGORITHM,
        headers={"kid": user.api_key},
    )


class Authenticator:
    """Turns a request's ``Authorization`` header or ``SESSION`` cookie into a :class:`User`."""

    def __init__(self, users: Mapping[str, User], clock: Clock) -> None:
        self._by_key = {u.api_key: u for u in users.values()}
        self._by_session = {u.session: u for u in users.values()}
        self._clock = clock
        self._cache: dict[str, tuple[User, float]] = {}

    def authenticate(self, authorization: str | None, session: str | None) -> User:
        if authorization is not None:
            scheme, _, token = authorization.partition(" ")
            if scheme.lower() != "bearer" or not token.strip():
                raise NotAuthenticated("Invalid authentication credentials")
            return self.verify(token.strip())
        if session:
            user = self._by_session.get(session)
            if user is None:
                raise NotAuthenticated("Invalid session")
            return user
        raise NotAuthenticated("Not authenticated")

    def verify(self, token: str) -> User:
        cached = self._cache.get(token)
        if cached is not None:
            user, expires = cached
            if self._clock.now() >= expires:
                raise NotAuthenticated("Token has expired")
            return user
        user, expires = self._verify(token)
        if len(self._cache) >= _CACHE_LIMIT:
            self._cache.clear()
        self._cache[token] = (user, expires)
        return user

    def _verify(self, token: str) -> tuple[User, float]:
        try:
            header = jwt.get_unverified_header(token)
        except jwt.PyJWTError:
            raise NotAuthenticated("Could not validate credentials") from None
        if header.get("alg") != ALGORITHM:
            raise NotAuthenticated("Could not validate credentials: only HS256 tokens are accepted")
        key = header.get("kid")
        user = self._by_key.get(key) if isinstance(key, str) else None
        if user is None:
            raise NotAuthenticated("Could not validate credentials: unknown API key")
        try:
            claims = jwt.decode(
                token,
                user.api_secret,
                algorithms=[ALGORITHM],
                options={
                    "require": ["exp", "sub"],
                    "verify_exp": False,  # judged below by the mock's clock
                    "verify_iat": False,
                    "verify_nbf": False,
                    "verify_aud": False,
                    "verify_iss": False,
                },
            )
        except jwt.PyJWTError:
            raise NotAuthenticated("Could not validate credentials") from None
        exp = claims["exp"]
        if isinstance(exp, bool) or not isinstance(exp, int | float):
            raise NotAuthenticated("Could not validate credentials: exp is not a number")
        if claims["sub"] != user.api_key:
            raise NotAuthenticated("Could not validate credentials: sub is not the API key")
        now = self._clock.now()
        nbf = claims.get("nbf")
        if isinstance(nbf, int | float) and now < nbf:
            raise NotAuthenticated("Token is not yet valid")
        if now >= exp:
            raise NotAuthenticated("Token has expired")
        return user, float(exp)
