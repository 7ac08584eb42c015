"""The mock's configuration: one frozen value, built at the CLI edge or by the library."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import get_args

from mock_server.clock import ClockMode

DEFAULT_CORS_ORIGIN_REGEX = r"https?://(localhost|127\.0\.0\.1|\[::1\])(:[0-9]+)?"


@dataclass(frozen=True, slots=True)
class MockConfig:
    """Everything that shapes a mock app. Defaults are the documented service's behaviour."""

    spec_path: Path | None = None
    """The OpenAPI document to serve (default: the bundled ``openapi.yaml``)."""
    fixtures_dir: Path | None = None
    """Folder with ``users.yaml``, ``datasets.yaml``, ``notifications.yaml`` (default: bundled)."""
    seed: int | None = None
    """Generate extra notifications reproducibly from this seed."""
    notifications: int | None = None
    """How many notifications to generate (default 100 when ``seed`` is set)."""
    clock: ClockMode = "real"
    clock_factor: float = 10.0
    """Speed of a ``scaled`` clock."""
    ping_interval: float = 3.0
    poll_interval: float = 3.0
    stream_queue_size: int = 1000
    """Events a stream may have waiting before its client is judged too slow and dropped."""
    token_ttl: float = 3600.0
    """Lifetime of the tokens the control plane mints."""
    cors_origins: tuple[str, ...] = ()
    """Allowed browser origins; empty means any ``http://localhost:*`` / ``127.0.0.1:*``."""
    control: bool = True
    control_token: str | None = None
    settle_timeout: float = 5.0
    """Real seconds a clock advance waits for streams to write what came due."""

    def __post_init__(self) -> None:
        # A library caller's typo must not silently become another mock (clock="manul" used to
        # give a real clock); the CLI parses its options before building this, so this is the
        # library's one readable sentence.
        modes = get_args(ClockMode)
        if self.clock not in modes:
            raise ValueError(
                f"unknown clock {self.clock!r}; use {', '.join(modes[:-1])} or {modes[-1]}"
            )
        positive = {
            "clock_factor": self.clock_factor,
            "ping_interval": self.ping_interval,
            "poll_interval": self.poll_interval,
            "token_ttl": self.token_ttl,
            "stream_queue_size": self.stream_queue_size,
        }
        for name, value in positive.items():
            if not value > 0:
                raise ValueError(f"{name} must be positive, not {value!r}")
