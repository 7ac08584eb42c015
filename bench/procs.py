"""The servers under test, each a real process: the mock's CLI, the ceiling app and Prism.

Each is started on a free port of 127.0.0.1 and found by the URL it prints; start-up time is
measured from ``Popen`` to the first 200 from a URL of the server's choosing. Their output is
drained by a thread (a full pipe would stall the server) and kept, the last lines only, for the
error message when a server does not come up.
"""

from __future__ import annotations

import collections
import contextlib
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Mapping, Sequence
from pathlib import Path
from types import TracebackType

import httpx
import psutil

ROOT = Path(__file__).resolve().parent.parent
# the last release that runs on Node.js 20 (5.15 and later need Node.js 24)
PRISM_PACKAGE = "@stoplight/prism-cli@5.14.2"
_URL = re.compile(r"http://127\.0\.0\.1:([0-9]+)")


class StartError(RuntimeError):
    """A server did not come up; the message says which and shows its last output."""


class ServerProcess:
    """A server process, started on entry and stopped (SIGTERM, then SIGKILL) on exit."""

    def __init__(
        self,
        name: str,
        argv: Sequence[str],
        *,
        ready_path: str,
        timeout: float = 60.0,
        port: int | None = None,
        ready_headers: Mapping[str, str] | None = None,
        cwd: Path = ROOT,
        env: Mapping[str, str] | None = None,
    ) -> None:
        self.name = name
        self.argv = list(argv)
        self.cwd = cwd
        self.env = None if env is None else dict(env)
        self.ready_path = ready_path
        self.timeout = timeout
        self.port = port
        self.ready_headers = dict(ready_headers or {})
        self.startup_s = 0.0
        self._proc: subprocess.Popen[str] | None = None
        self._lines: collections.deque[str] = collections.deque(maxlen=40)
        self._found = threading.Event()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def pid(self) -> int:
        if self._proc is None:
            raise RuntimeError(f"{self.name} is not running")
        return self._proc.pid

    def rss(self) -> int:
        """Resident memory of the server, its child processes included (npx runs node)."""
        proc = psutil.Process(self.pid)
        total = proc.memory_info().rss
        for child in proc.children(recursive=True):
            with contextlib.suppress(psutil.NoSuchProcess):
                total += child.memory_info().rss
        return int(total)

    def __enter__(self) -> ServerProcess:
        started = time.perf_counter()
        self._proc = subprocess.Popen(
            self.argv,
            cwd=self.cwd,
            env=self.env,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            text=True,
            start_new_session=True,  # its own process group: stopping it stops npx's node too
        )
        threading.Thread(target=self._drain, daemon=True, name=f"{self.name}-output").start()
        try:
            self._wait_ready(started)
        except BaseException:
            self.stop()
            raise
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()

    def stop(self) -> None:
        proc = self._proc
        if proc is None or proc.poll() is not None:
            return
        try:
            os.killpg(proc.pid, signal.SIGTERM)
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait(timeout=10)
        except ProcessLookupError:
            pass

    def _drain(self) -> None:
        proc = self._proc
        assert proc is not None
        assert proc.stdout is not None
        for line in proc.stdout:
            self._lines.append(line.rstrip())
            if self.port is None:
                match = _URL.search(line)
                if match:
                    self.port = int(match.group(1))
                    self._found.set()
        self._found.set()

    def _wait_ready(self, started: float) -> None:
        deadline = started + self.timeout
        with httpx.Client(timeout=2.0, headers=self.ready_headers) as client:
            while time.perf_counter() < deadline:
                proc = self._proc
                assert proc is not None
                if proc.poll() is not None:
                    raise StartError(self._failure(f"exited with status {proc.returncode}"))
                if self.port is None:
                    self._found.wait(0.005)
                    continue
                try:
                    if client.get(self.url + self.ready_path).status_code == 200:
                        self.startup_s = time.perf_counter() - started
                        return
                except httpx.TransportError:
                    pass
                time.sleep(0.005)
        raise StartError(self._failure(f"gave no 200 from {self.ready_path} in {self.timeout} s"))

    def _failure(self, what: str) -> str:
        tail = "\n    ".join(list(self._lines)[-15:]) or "(no output)"
        return f"{self.name} {what}; its last output:\n    {tail}"


def free_port() -> int:
    """A port free right now on 127.0.0.1 (for Prism, which cannot be told to pick one)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def mock_process(
    args: Sequence[str],
    *,
    timeout: float = 120.0,
    name: str = "mock",
    checkout: Path | None = None,
) -> ServerProcess:
    """The mock's CLI on a free port, logging warnings only; from another ``checkout`` of the
    repository if given (its own code, run by this Python)."""
    argv = [sys.executable, "-m", "mock_server", "--port", "0", "--log-level", "warning", *args]
    env = None if checkout is None else {**os.environ, "PYTHONPATH": str(checkout)}
    return ServerProcess(
        name, argv, ready_path="/_mock/health", timeout=timeout, cwd=checkout or ROOT, env=env
    )


def ceiling_process(bodies: Path) -> ServerProcess:
    argv = [sys.executable, "-m", "bench.ceiling", str(bodies)]
    return ServerProcess(
        "ceiling", argv, ready_path="/api/v1/notifications/unread-count", timeout=30
    )


def npx_available() -> bool:
    return shutil.which("npx") is not None


def prism_process(spec: Path, token: str) -> ServerProcess:
    """Prism mocking the same document (static examples, its default)."""
    port = free_port()
    argv = ["npx", "--yes", PRISM_PACKAGE, "mock", str(spec), "-h", "127.0.0.1", "-p", str(port)]
    # Prism checks that a security scheme's credentials are present, so the probe carries them
    return ServerProcess(
        "Prism",
        argv,
        ready_path="/api/v1/notifications",
        ready_headers={"Authorization": f"Bearer {token}"},
        port=port,
    )
