"""Legal but unusual ways to write the JSON answers, each off by default, to try the contract kit
on choices other teams make: indented JSON, ``application/json; charset=utf-8``, extra response
headers, and error bodies with a field besides ``detail``."""

import json
from dataclasses import dataclass, field

from fastapi import FastAPI, Request, Response
from starlette.middleware.base import RequestResponseEndpoint
from starlette.middleware.gzip import GZipMiddleware


@dataclass(frozen=True, slots=True)
class RestSettings:
    json_indent: int | None = None
    content_type: str | None = None  # e.g. "application/json; charset=utf-8"
    extra_headers: dict[str, str] = field(default_factory=dict)
    error_code: bool = False  # {"detail": "...", "code": 401}: more than the one documented key
    gzip: bool = False  # Starlette's GZipMiddleware on every answer (it leaves the stream alone)

    def is_default(self) -> bool:
        return self == RestSettings()


def install(app: FastAPI, settings: RestSettings) -> None:
    """Rewrite every JSON response as ``settings`` says (the stream passes through)."""

    @app.middleware("http")
    async def rewrite(request: Request, call_next: RequestResponseEndpoint) -> Response:
        response = await call_next(request)
        if not response.headers.get("content-type", "").startswith("application/json"):
            response.headers.update(settings.extra_headers)
            return response
        body = b"".join([chunk async for chunk in response.body_iterator])  # type: ignore[attr-defined]
        value = json.loads(body)
        is_error = settings.error_code and response.status_code >= 400
        if is_error and isinstance(value, dict) and isinstance(value.get("detail"), str):
            value["code"] = response.status_code
        headers = {
            k: v for k, v in response.headers.items() if k not in ("content-length", "content-type")
        }
        headers.update(settings.extra_headers)
        return Response(
            json.dumps(value, indent=settings.json_indent).encode(),
            status_code=response.status_code,
            headers=headers,
            media_type=settings.content_type or "application/json",
        )

    if settings.gzip:  # added last, so it is outermost and compresses the rewritten answers
        app.add_middleware(GZipMiddleware, minimum_size=0)
