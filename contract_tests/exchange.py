"""What a failure shows: the request that broke a clause, the response, and a ``curl`` line."""

from __future__ import annotations

import shlex
from dataclasses import dataclass, field

_CANONICAL = {"authorization": "Authorization", "content-type": "Content-Type", "cookie": "Cookie"}


@dataclass(frozen=True, slots=True)
class Exchange:
    """One request and what came back (``status`` None when nothing did)."""

    method: str
    url: str
    headers: tuple[tuple[str, str], ...] = ()
    body: bytes | None = None
    status: int | None = None
    response_headers: tuple[tuple[str, str], ...] = ()
    response_body: bytes = b""
    error: str | None = None
    notes: tuple[str, ...] = field(default=())

    def curl(self) -> str:
        parts = ["curl", "-sS", "-i"]
        if self.method.upper() != "GET":
            parts += ["-X", self.method.upper()]
        for name, value in self.headers:
            parts += ["-H", f"{_CANONICAL.get(name.lower(), name)}: {value}"]
        if self.body:
            parts += ["--data-binary", self.body.decode("utf-8", "replace")]
        if self.response_header("content-type", "").startswith("text/event-stream"):
            parts.append("-N")
        parts.append(self.url)
        return " ".join(shlex.quote(p) for p in parts)

    def response_header(self, name: str, default: str = "") -> str:
        for key, value in self.response_headers:
            if key.lower() == name.lower():
                return value
        return default

    def describe(self, limit: int = 600) -> str:
        lines = [f"request:  {self.method.upper()} {self.url}"]
        if self.error:
            lines.append(f"response: none ({self.error})")
        elif self.status is not None:
            kind = self.response_header("content-type")
            body = self.response_body[:limit].decode("utf-8", "replace")
            more = " ..." if len(self.response_body) > limit else ""
            lines.append(f"response: {self.status} {kind}".rstrip())
            if body:
                lines.append(f"          {body}{more}")
        lines.extend(self.notes)
        lines.append(f"curl:     {self.curl()}")
        return "\n".join(lines)
