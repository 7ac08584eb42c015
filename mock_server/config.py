"""The mock's configuration: one frozen value, built at the CLI edge or by the library."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

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
