"""Authentication bugs: tokens a broken server accepts, and 401s it answers wrongly.

A server that wrongly accepts a token is modelled from the outside: the middleware judges the
token as the broken server would and, if that server would let it in, hands the mock a valid
token for the same user instead. Everything after authentication is the correct mock's.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
from collections.abc import Callable
from typing import Any

import jwt
import orjson
from starlette.datastructures import QueryParams
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from contract_variants.asgi import (
    RequestHeaders,
    header,
    notification_id,
    operation,
)
from contract_variants.base import Variant, variant
from mock_server.errors import RequestInvalid
from mock_server.models import User
from mock_server.runtime import MockRuntime
from mock_server.validation import OperationValidator

Judge = Callable[[str, MockRuntime], User | None]
"""A broken server's verdict on a bearer token: the user it lets in, or None (the mock decides)."""

_OPERATION_IDS = {
    "list": "listNotifications",
    "count": "getUnreadCount",
    "read": "markNotificationRead",
    "read_all": "markAllNotificationsRead",
    "stream": "streamNotifications",
}


def accepting(judge: Judge) -> Callable[[ASGIApp, MockRuntime], ASGIApp]:
    """A wrap that lets in whatever ``judge`` lets in."""

    def wrap(app: ASGIApp, runtime: MockRuntime) -> ASGIApp:
        def rewrite(scope: Scope, headers: RequestHeaders.Headers) -> RequestHeaders.Headers:
            value = header(scope, "authorization")
            scheme, _, token = (value or "").partition(" ")
            if scheme.lower() != "bearer" or not token.strip():
                return headers
            user = judge(token.strip(), runtime)
            if user is None:
                return headers
            good = f"Bearer {runtime.token(user)}".encode()
            return [(k, v) for k, v in headers if k.lower() != b"authorization"] + [
                (b"authorization", good)
            ]

        return RequestHeaders(app, rewrite)

    return wrap


def _parts(token: str, runtime: MockRuntime) -> tuple[dict[str, Any], dict[str, Any], User | None]:
    """Header, unverified claims and the user its ``kid`` names (None if unknown)."""
    try:
        head = jwt.get_unverified_header(token)
        claims = jwt.decode(token, options={"verify_signature": False})
    except jwt.PyJWTError:
        return {}, {}, None
    kid = head.get("kid")
    users = {u.api_key: u for u in runtime.users.values()}
    return head, claims, users.get(kid) if isinstance(kid, str) else None


def _signed_by(token: str, user: User, algorithms: list[str]) -> dict[str, Any] | None:
    try:
        claims: dict[str, Any] = jwt.decode(
            token,
            user.api_secret,
            algorithms=algorithms,
            options={"verify_exp": False, "verify_iat": False, "require": []},
        )
    except jwt.PyJWTError:
        return None
    return claims


def _alg_none(token: str, runtime: MockRuntime) -> User | None:
    head, claims, user = _parts(token, runtime)
    if str(head.get("alg", "")).lower() == "none" and "exp" in claims:
        return user
    return None


_HMAC = {"HS384": hashlib.sha384, "HS512": hashlib.sha512}


def _other_hmac(token: str, runtime: MockRuntime) -> User | None:
    head, claims, user = _parts(token, runtime)
    digest = _HMAC.get(str(head.get("alg")))
    if user is None or digest is None or claims.get("exp", 0) <= runtime.clock.now():
        return None
    # verified by hand: PyJWT warns that these secrets are short for SHA-512 (and it is right)
    signing_input, _, signature = token.rpartition(".")
    expected = hmac.new(user.api_secret.encode(), signing_input.encode(), digest).digest()
    given = base64.urlsafe_b64decode(signature + "=" * (-len(signature) % 4))
    return user if hmac.compare_digest(expected, given) else None


def _no_signature_check(token: str, runtime: MockRuntime) -> User | None:
    head, claims, user = _parts(token, runtime)
    if head.get("alg") == "HS256" and claims.get("exp", 0) > runtime.clock.now():
        return user
    return None


def _unknown_key_default_user(token: str, runtime: MockRuntime) -> User | None:
    head, _, user = _parts(token, runtime)
    if isinstance(head.get("kid"), str) and user is None:
        return next(iter(runtime.users.values()))
    return None


def _no_exp(token: str, runtime: MockRuntime) -> User | None:
    _, claims, user = _parts(token, runtime)
    if user is not None and "exp" not in claims and _signed_by(token, user, ["HS256"]):
        return user
    return None


def _exp_leeway(seconds: float) -> Judge:
    def judge(token: str, runtime: MockRuntime) -> User | None:
        _, claims, user = _parts(token, runtime)
        exp = claims.get("exp")
        if (
            user is None
            or not isinstance(exp, int | float)
            or not _signed_by(token, user, ["HS256"])
        ):
            return None
        return user if exp + seconds > runtime.clock.now() else None

    return judge


class _Reject:
    """Answers unauthenticated requests itself, in a broken way: ``respond(scope, send)``
    runs for requests that ``applies(scope)`` selects."""

    def __init__(
        self,
        app: ASGIApp,
        applies: Callable[[Scope], bool],
        status: int,
        body: bytes,
        content_type: bytes = b"application/json",
    ) -> None:
        self.app = app
        self._applies = applies
        self._status = status
        self._body = body
        self._type = content_type

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or operation(scope) is None or not self._applies(scope):
            await self.app(scope, receive, send)
            return
        headers = [
            (b"content-type", self._type),
            (b"content-length", str(len(self._body)).encode()),
        ]
        await send({"type": "http.response.start", "status": self._status, "headers": headers})
        await send({"type": "http.response.body", "body": self._body, "more_body": False})


def _no_credentials(scope: Scope) -> bool:
    cookie = header(scope, "cookie") or ""
    return header(scope, "authorization") is None and "SESSION=" not in cookie


def _garbage_bearer(scope: Scope) -> bool:
    scheme, _, token = (header(scope, "authorization") or "").partition(" ")
    return scheme.lower() == "bearer" and token.count(".") != 2


class StreamCookieOnly:
    """The stream was written for the browser: it reads only the ``SESSION`` cookie, so a
    client sending a valid bearer token (the documented Python example) gets 401 there."""

    def __init__(self, app: ASGIApp, runtime: MockRuntime) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if operation(scope) == "stream" and "SESSION=" not in (header(scope, "cookie") or ""):
            body = b'{"detail":"Not authenticated"}'
            headers = [(b"content-type", b"application/json")]
            await send({"type": "http.response.start", "status": 401, "headers": headers})
            await send({"type": "http.response.body", "body": body, "more_body": False})
            return
        await self.app(scope, receive, send)


class ValidateBeforeAuth:
    """Parameters are validated before authentication: an anonymous bad request gets 422."""

    def __init__(self, app: ASGIApp, runtime: MockRuntime) -> None:
        self.app = app
        self._validators = {
            op.operation_id: OperationValidator(op) for op in runtime.spec.operations
        }

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        op = operation(scope) if scope["type"] == "http" else None
        if op is not None and _no_credentials(scope):
            nid = notification_id(scope)
            path = {} if nid is None else {"notification_id": nid}
            try:
                self._validators[_OPERATION_IDS[op]].validate(
                    QueryParams(scope.get("query_string", b"")), path
                )
            except RequestInvalid as exc:
                body = orjson.dumps(exc.body())
                headers = [(b"content-type", b"application/json")]
                await send({"type": "http.response.start", "status": 422, "headers": headers})
                await send({"type": "http.response.body", "body": body, "more_body": False})
                return
        await self.app(scope, receive, send)


class StreamAuthInside:
    """The stream authenticates inside its generator: a rejected token still gets a 200
    ``text/event-stream`` whose only event says error, instead of a 401 before streaming."""

    def __init__(self, app: ASGIApp, runtime: MockRuntime) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or operation(scope) != "stream" or _no_credentials(scope):
            await self.app(scope, receive, send)
            return
        rejected = False

        async def relay(message: Message) -> None:
            nonlocal rejected
            if message["type"] == "http.response.start" and message["status"] == 401:
                rejected = True
                headers = [
                    (b"content-type", b"text/event-stream; charset=utf-8"),
                    (b"cache-control", b"no-cache"),
                ]
                await send({"type": "http.response.start", "status": 200, "headers": headers})
                return
            if rejected:
                if not message.get("more_body", False):
                    event = b'event: error\ndata: {"detail":"Could not validate credentials"}\n\n'
                    await send({"type": "http.response.body", "body": event, "more_body": False})
                return
            await send(message)

        await self.app(scope, receive, relay)


VARIANTS: tuple[Variant, ...] = (
    variant(
        "alg-none-accepted",
        "AUTH-ALG-NONE",
        "jwt.decode(..., options={'verify_signature': False}) when the header says alg: none",
        wrap=accepting(_alg_none),
    ),
    variant(
        "hs512-accepted",
        "AUTH-OTHER-ALG",
        "jwt.decode(..., algorithms=['HS256', 'HS384', 'HS512']): HS512 with the secret is let in",
        wrap=accepting(_other_hmac),
    ),
    variant(
        "bad-signature-accepted",
        "AUTH-BAD-SIGNATURE",
        "the signature is never verified: any HS256 token naming a known key is let in",
        wrap=accepting(_no_signature_check),
    ),
    variant(
        "unknown-key-falls-back-to-default-user",
        "AUTH-UNKNOWN-KEY",
        "an unknown kid falls back to the first (demo) user, a dev shortcut left on",
        wrap=accepting(_unknown_key_default_user),
    ),
    variant(
        "token-without-exp-accepted",
        "AUTH-NO-EXP",
        "exp is not in the decoder's required claims: a token without exp never expires",
        wrap=accepting(_no_exp),
    ),
    variant(
        "expired-token-accepted",
        "AUTH-EXPIRED",
        "jwt.decode(..., options={'verify_exp': False}): expiry is never checked",
        wrap=accepting(_exp_leeway(10**9)),
        collateral={"STREAM-AUTH-401"},
    ),
    variant(
        "expired-token-accepted-within-leeway",
        "AUTH-EXPIRED",
        "jwt.decode(..., leeway=3600): a token expired less than an hour ago is let in",
        wrap=accepting(_exp_leeway(3600)),
        collateral={"STREAM-AUTH-401"},
    ),
    variant(
        "missing-credentials-403",
        "AUTH-MISSING",
        "FastAPI's HTTPBearer default: no credentials is a 403 Not authenticated, not a 401",
        wrap=lambda app, _rt: _Reject(app, _no_credentials, 403, b'{"detail":"Not authenticated"}'),
        collateral={"AUTH-BEFORE-VALIDATION", "STREAM-AUTH-401"},
    ),
    variant(
        "garbage-bearer-500",
        "AUTH-MALFORMED",
        "a bearer that is not a JWT raises DecodeError unhandled: 500 in plain text",
        wrap=lambda app, _rt: _Reject(
            app, _garbage_bearer, 500, b"Internal Server Error", b"text/plain; charset=utf-8"
        ),
        collateral={"AUTH-BEFORE-VALIDATION", "SCHEMA-REST", "STREAM-AUTH-401"},
    ),
    variant(
        "validation-before-auth",
        "AUTH-BEFORE-VALIDATION",
        "query parameters are validated before the auth dependency runs: 422 before 401",
        wrap=ValidateBeforeAuth,
    ),
    variant(
        "stream-accepts-only-the-session-cookie",
        "AUTH-VALID",
        "the stream reads only the SESSION cookie: a valid bearer token gets 401 there",
        wrap=StreamCookieOnly,
        collateral={
            "SCHEMA-STREAM",
            "STREAM-CONTENT-TYPE",
            "STREAM-PING-CADENCE",
            "STREAM-FRAMING",
            "STREAM-NOTIFICATION-EVENT",
            "STREAM-DATASET-FILTER",
            "ISOLATION-STREAM",
        },
    ),
    variant(
        "stream-bad-token-opens-stream",
        "STREAM-AUTH-401",
        "the stream authenticates inside its generator: a bad token gets 200 and an error event",
        wrap=StreamAuthInside,
    ),
)
