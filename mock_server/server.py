"""Serving an app: the uvicorn server the CLI runs, and :class:`MockServer`, the mock as a
library (a real server on a free port in a background thread).

    with MockServer(clock="manual") as mock:
        token = mock.token("alice")
        httpx.get(f"{mock.url}/api/v1/notifications", headers={"Authorization": f"Bearer {token}"})
        mock.inject({"user": "alice"})
        mock.clock.advance(3)   # the stream's poll and ping are written before this returns
"""

from __future__ import annotations

import asyncio
import contextlib
import errno
import signal
import socket
import threading
from collections.abc import Coroutine, Iterator, Mapping, Sequence
from dataclasses import replace
from typing import Any, TypeVar

import uvicorn
from starlette.applications import Starlette

from mock_server.app import create_app
from mock_server.clock import Clock, ClockError
from mock_server.config import MockConfig
from mock_server.models import Notification, User
from mock_server.runtime import MockRuntime
from mock_server.store import Store
from mock_server.timefmt import format_micros, parse_timestamp

T = TypeVar("T")
_STOP_SIGNALS = (signal.SIGINT, signal.SIGTERM)


class Server(uvicorn.Server):
    """uvicorn, plus: open streams are ended before shutdown waits for connections, and a
    ``ready`` event for callers in other threads."""

    def __init__(self, config: uvicorn.Config) -> None:
        super().__init__(config)
        self.ready = threading.Event()
        self._exit_now: asyncio.Event | None = None
        self._loop: asyncio.AbstractEventLoop | None = None

    async def startup(self, sockets: Any = None) -> None:
        self._loop = asyncio.get_running_loop()
        self._exit_now = asyncio.Event()
        await super().startup(sockets)
        self.ready.set()

    async def main_loop(self) -> None:
        """uvicorn's own loop (a tick every 0.1 s: the Date header, the exit check), ended at
        once by :meth:`exit_soon` instead of at the next tick."""
        assert self._exit_now is not None
        ticking = asyncio.ensure_future(super().main_loop())
        asked = asyncio.ensure_future(self._exit_now.wait())
        try:
            await asyncio.wait({ticking, asked}, return_when=asyncio.FIRST_COMPLETED)
        finally:
            for task in (ticking, asked):
                task.cancel()
            await asyncio.gather(ticking, asked, return_exceptions=True)

    def exit_soon(self) -> None:
        """From any thread: shut down now, as a signal would."""
        self.should_exit = True
        loop, event = self._loop, self._exit_now
        if loop is not None and event is not None:
            with contextlib.suppress(RuntimeError):  # the loop has already closed
                loop.call_soon_threadsafe(event.set)

    @contextlib.contextmanager
    def capture_signals(self) -> Iterator[None]:
        """Ctrl-C and SIGTERM shut the server down gracefully, and that is the end of it: the
        process then exits 0. (uvicorn re-raises the signal after its shutdown, so a stopped
        mock would die of SIGTERM or a KeyboardInterrupt traceback.)"""
        if threading.current_thread() is not threading.main_thread():
            yield  # signals can only be handled in the main thread
            return
        originals = {sig: signal.signal(sig, self.handle_exit) for sig in _STOP_SIGNALS}
        try:
            yield
        finally:
            for sig, handler in originals.items():
                signal.signal(sig, handler)

    async def shutdown(self, sockets: Any = None) -> None:
        app = self.config.loaded_app
        runtime = _find_runtime(app)
        if runtime is not None:
            runtime.scheduler.close_all()
        await super().shutdown(sockets)

    @property
    def port(self) -> int:
        return int(self.servers[0].sockets[0].getsockname()[1])


def _find_runtime(app: Any) -> MockRuntime | None:
    # uvicorn wraps the app in its own middleware; the Starlette app is at the bottom
    for _ in range(5):
        state = getattr(app, "state", None)
        runtime = getattr(state, "runtime", None) if state is not None else None
        if isinstance(runtime, MockRuntime):
            return runtime
        app = getattr(app, "app", None)
    return None


def uvicorn_config(
    app: Starlette, host: str, port: int, log_level: str = "warning"
) -> uvicorn.Config:
    """The server settings the CLI, the library and the benchmark's ceiling all share."""
    return uvicorn.Config(
        app,
        host=host,
        port=port,
        log_level=log_level,
        lifespan="on",
        access_log=False,
        timeout_graceful_shutdown=5,
    )


def bind_socket(host: str, port: int) -> socket.socket:
    """A TCP socket bound to ``host:port`` (0: a free port), or one sentence saying why not."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        sock.bind((host, port))
    except OSError as exc:
        sock.close()
        if exc.errno == errno.EADDRINUSE:
            raise RuntimeError(
                f"port {port} on {host} is already in use; pass port=0 for a free one"
            ) from None
        raise RuntimeError(f"the mock cannot listen on {host}:{port}: {exc.strerror}") from None
    return sock


class ClockHandle:
    """The mock's clock, seen from the caller's thread. Moving it waits for the streams."""

    def __init__(self, server: MockServer) -> None:
        self._server = server

    @property
    def mode(self) -> str:
        return self._server.runtime.clock.mode

    def now(self) -> float:
        return self._server.runtime.clock.now()

    def now_iso(self) -> str:
        return format_micros(self._server.runtime.now_us())

    def advance(self, seconds: float) -> None:
        """Move a manual clock forward; returns once every event that came due is written."""
        self._manual()
        self._server.call(self._server.runtime.advance(seconds))

    def set(self, instant: float | str) -> None:
        """Jump to an instant (epoch seconds or a timestamp string), never backwards."""
        self._manual()
        micros = (
            parse_timestamp(instant) if isinstance(instant, str) else round(instant * 1_000_000)
        )
        self._server.call(self._server.runtime.set_time(micros))

    def _manual(self) -> None:
        if self.mode != "manual":
            raise ClockError(
                f"the mock's clock is {self.mode}; only a manual clock moves: "
                'MockServer(clock="manual")'
            )


class MockServer:
    """The mock on a free port in a background thread. Use as a context manager.

    Keyword arguments override :class:`MockConfig` fields (``clock="manual"``, ``seed=1``...).
    ``clock`` may also be a :class:`Clock` object, and ``store`` a :class:`Store`: they are used
    instead of the ones the configuration would build, as :func:`create_app` does.
    """

    def __init__(
        self,
        config: MockConfig | None = None,
        *,
        host: str = "127.0.0.1",
        port: int = 0,
        store: Store | None = None,
        clock: str | Clock | None = None,
        **overrides: Any,
    ) -> None:
        injected = None if clock is None or isinstance(clock, str) else clock
        if clock is not None:
            overrides["clock"] = clock if injected is None else injected.mode
        self.config = replace(config or MockConfig(), **overrides)  # checks the values
        self.app = create_app(self.config, store=store, clock=injected)
        self.runtime: MockRuntime = self.app.state.runtime
        self._host = host
        self._port = port
        self._server: Server | None = None
        self._thread: threading.Thread | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self._stopped = False
        self.clock = ClockHandle(self)

    # -- lifecycle ---------------------------------------------------------------------------

    def start(self) -> MockServer:
        if self._server is not None:
            return self
        if self._stopped:  # the app's scheduler belongs to the loop that has closed
            raise RuntimeError("a stopped mock cannot start again; create a new MockServer")
        # bound here, in the caller's thread, so a taken port is an error the caller sees
        sock = bind_socket(self._host, self._port)
        server = Server(uvicorn_config(self.app, self._host, self._port))
        loop_ready = threading.Event()

        def run() -> None:
            factory = server.config.get_loop_factory()
            loop = factory() if factory is not None else asyncio.new_event_loop()
            self._loop = loop
            asyncio.set_event_loop(loop)
            loop_ready.set()
            try:
                loop.run_until_complete(server.serve(sockets=[sock]))
            finally:
                loop.close()
                sock.close()

        self._thread = threading.Thread(target=run, name="vl-notifications-mock", daemon=True)
        self._server = server
        self._thread.start()
        loop_ready.wait()
        while not server.ready.wait(0.05):
            if not self._thread.is_alive():
                self._server = None
                raise RuntimeError(
                    f"the mock could not start on {self._host}:{self._port}; see the log above"
                )
        return self

    def stop(self) -> None:
        server, thread = self._server, self._thread
        if server is None or thread is None:
            return
        server.exit_soon()
        self._stopped = True
        thread.join(timeout=10)
        self._server = None
        self._thread = None

    def __enter__(self) -> MockServer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    # -- what tests use ----------------------------------------------------------------------

    @property
    def url(self) -> str:
        if self._server is None:
            raise RuntimeError(
                "the mock is not running; use it as a context manager or call start()"
            )
        return f"http://{self._host}:{self._server.port}"

    @property
    def users(self) -> Mapping[str, User]:
        return self.runtime.users

    @property
    def store(self) -> Store:
        return self.runtime.store

    def user(self, name: str) -> User:
        """A user by name or ``user_id``."""
        user = self.runtime.directory.find_user(name)
        if user is None:
            raise self._unknown_user(name)
        return user

    def _unknown_user(self, name: object) -> KeyError:
        return KeyError(f"no user {name!r}; the mock has {', '.join(self.users)}")

    def token(self, user: str = "alice", *, ttl: float | None = None) -> str:
        """A bearer token for a user, minted at the mock's now."""
        return self.runtime.token(self.user(user), ttl)

    def headers(self, user: str = "alice") -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token(user)}"}

    def inject(self, *notifications: Mapping[str, Any], **fields: Any) -> list[Notification]:
        """Store notifications, completed as ``POST /_mock/notifications`` completes them.

        ``mock.inject(user="alice")`` or ``mock.inject({"user": "bob"}, {"user": "alice"})``.
        """
        entries: Sequence[Mapping[str, Any]] = list(notifications) or [fields]
        try:
            return self.call(self._async(lambda: self.runtime.inject(entries)))
        except KeyError as exc:  # the runtime names only the user
            name = exc.args[0] if exc.args else None
            if not isinstance(name, str) or self.runtime.directory.find_user(name) is not None:
                raise
            raise self._unknown_user(name) from None

    def batch(self, dataset: str, **options: Any) -> list[Notification]:
        """A processed media batch on a dataset (id or name): every member is alerted."""
        return self.call(self._async(lambda: self.runtime.process_batch(dataset, **options)[2]))

    @property
    def streams(self) -> int:
        """How many notification streams are open now."""
        return self.runtime.scheduler.subscribers

    def close_streams(self) -> int:
        """End every open stream cleanly (as ``DELETE /_mock/streams``); returns how many were
        open, once each has written what it had. A client reading one then sees its end."""
        return self.call(self.runtime.close_streams())

    def reset(self) -> None:
        """Back to the seeded start state with no faults; the clock keeps its time."""
        self.call(self._async(self.runtime.reset))

    def call(self, coro: Coroutine[Any, Any, T]) -> T:
        """Run a coroutine on the server's loop and wait for its result."""
        if self._loop is None or self._server is None:
            coro.close()
            raise RuntimeError("the mock is not running")
        return asyncio.run_coroutine_threadsafe(coro, self._loop).result(timeout=30)

    @staticmethod
    async def _async(fn: Any) -> Any:
        return fn()
