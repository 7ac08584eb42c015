"""Domain errors, and the one place they become HTTP bodies.

    MockError                      -> {"detail": "<message>"} with its status
     +-- NotAuthenticated  401     (carries WWW-Authenticate: Bearer)
     +-- NotFound          404
     +-- Conflict          409     (control plane: e.g. moving a real clock)
     +-- InjectedFault     any     (a fault armed through /_mock/faults)
     +-- RequestInvalid    422     -> {"detail": [{"type", "loc", "msg", "input", ...}]}

Everything else that escapes a handler is a 500 ``{"detail": "Internal Server Error"}``.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, ClassVar

import orjson
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import Response

ValidationItem = dict[str, Any]


class MockError(Exception):
    """An error with an HTTP status and a string ``detail``."""

    status_code = 500
    headers: ClassVar[Mapping[str, str] | None] = None

    def __init__(self, detail: str) -> None:
        super().__init__(detail)
        self.detail = detail

    def body(self) -> Any:
        return {"detail": self.detail}


class NotAuthenticated(MockError):
    status_code = 401
    headers: ClassVar[Mapping[str, str] | None] = {"WWW-Authenticate": "Bearer"}


class NotFound(MockError):
    status_code = 404


class Conflict(MockError):
    status_code = 409


class InjectedFault(MockError):
    """A status forced by a fault. A forced 422 has the validation error's list body, so that
    a client sees the shape the contract gives every 422."""

    def __init__(self, status_code: int, detail: str) -> None:
        super().__init__(detail)
        self.status_code = status_code

    def body(self) -> Any:
        if self.status_code == 422:
            return {"detail": [field_error(["query"], self.detail, "injected_fault")]}
        return {"detail": self.detail}


class RequestInvalid(MockError):
    """A 422 carrying FastAPI's list of validation errors."""

    status_code = 422

    def __init__(self, errors: list[ValidationItem]) -> None:
        super().__init__("; ".join(str(e.get("msg")) for e in errors))
        self.errors = errors

    def body(self) -> Any:
        return {"detail": self.errors}


def field_error(loc: list[str | int], msg: str, kind: str, value: Any = None) -> ValidationItem:
    """One FastAPI-shaped validation error."""
    return {"type": kind, "loc": loc, "msg": msg, "input": value}


def json_response(status: int, body: Any, headers: Mapping[str, str] | None = None) -> Response:
    return Response(orjson.dumps(body), status, headers, media_type="application/json")


def error_response(error: MockError) -> Response:
    return json_response(error.status_code, error.body(), error.headers)


async def handle_mock_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, MockError)
    return error_response(exc)


async def handle_http_exception(request: Request, exc: Exception) -> Response:
    """Starlette's own 404/405 (undeclared paths and methods) in the API's error shape."""
    assert isinstance(exc, HTTPException)
    return json_response(exc.status_code, {"detail": exc.detail}, exc.headers)


async def handle_unexpected(request: Request, exc: Exception) -> Response:
    return json_response(500, {"detail": "Internal Server Error"})
