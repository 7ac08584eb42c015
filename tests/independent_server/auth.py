"""Authentication as a FastAPI dependency: a bearer JWT (HS256, kid = sub = api key) or, when no
Authorization header is sent, the SESSION cookie. Every failure is 401 ``{"detail": ...}``."""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated

import jwt
from fastapi import Cookie, Depends, Header, HTTPException, status
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from independent_server.store import Store, User

# auto_error=False: some FastAPI versions answer a missing header with 403; the contract says 401.
bearer = HTTPBearer(auto_error=False)


def _unauthorized(detail: str) -> HTTPException:
    return HTTPException(
        status_code=status.HTTP_401_UNAUTHORIZED,
        detail=detail,
        headers={"WWW-Authenticate": "Bearer"},
    )


def verify_token(store: Store, token: str) -> User:
    try:
        header = jwt.get_unverified_header(token)
    except jwt.PyJWTError as exc:
        raise _unauthorized("Could not validate credentials") from exc
    kid = header.get("kid")
    user = store.by_api_key(kid) if isinstance(kid, str) else None
    if user is None:
        raise _unauthorized("Could not validate credentials")
    try:
        claims = jwt.decode(
            token,
            user.api_secret,
            algorithms=["HS256"],
            options={"require": ["exp", "iat", "sub"]},
        )
    except jwt.ExpiredSignatureError as exc:
        raise _unauthorized("Token has expired") from exc
    except jwt.PyJWTError as exc:
        raise _unauthorized("Could not validate credentials") from exc
    if claims.get("sub") != user.api_key:
        raise _unauthorized("Could not validate credentials")
    return user


def current_user_dependency(store: Store) -> Callable[..., User]:
    """The dependency every route takes; built per app, so two apps share nothing."""

    def current_user(
        credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(bearer)],
        authorization: Annotated[str | None, Header()] = None,
        session: Annotated[str | None, Cookie(alias="SESSION")] = None,
    ) -> User:
        if credentials is not None:
            return verify_token(store, credentials.credentials)
        if authorization is not None:  # present but not "Bearer <token>"
            raise _unauthorized("Could not validate credentials")
        if session:
            user = store.by_session(session)
            if user is None:
                raise _unauthorized("Could not validate credentials")
            return user
        raise _unauthorized("Not authenticated")

    return current_user
