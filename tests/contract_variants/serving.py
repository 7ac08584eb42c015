"""A variant on a real HTTP server: a free 127.0.0.1 port, uvicorn in a background thread.

The same :class:`mock_server.server.Server` and settings as the CLI and ``MockServer``, so a
variant differs from the bundled mock only in the bug it carries.
"""

from __future__ import annotations

import asyncio
import contextlib
import threading
from collections.abc import Iterator
from dataclasses import dataclass

from starlette.types import ASGIApp

from mock_server.runtime import MockRuntime
from mock_server.server import Server, uvicorn_config


@dataclass(frozen=True, slots=True)
class Running:
    """A served variant: where it listens and the runtime behind it."""

    url: str
    runtime: MockRuntime


@contextlib.contextmanager
def serve(app: ASGIApp, runtime: MockRuntime) -> Iterator[Running]:
    """Serve ``app`` (the mock app of ``runtime``, wrapped) until the block ends."""
    server = Server(uvicorn_config(app, "127.0.0.1", 0))  # type: ignore[arg-type]
    loop = asyncio.new_event_loop()

    def run() -> None:
        asyncio.set_event_loop(loop)
        try:
            loop.run_until_complete(server.serve())
        finally:
            loop.close()

    thread = threading.Thread(target=run, name="contract-variant", daemon=True)
    thread.start()
    while not server.ready.wait(0.05):
        if not thread.is_alive():
            raise RuntimeError("a contract variant could not start its server")
    try:
        yield Running(f"http://127.0.0.1:{server.port}", runtime)
    finally:
        # open streams end first, so uvicorn's graceful shutdown has nothing to wait for
        loop.call_soon_threadsafe(runtime.scheduler.close_all)
        server.should_exit = True
        thread.join(timeout=10)
