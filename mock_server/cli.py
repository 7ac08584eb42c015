"""``vl-notifications-mock`` / ``python -m mock_server``: run the mock from a terminal.

The environment and argv are read here and nowhere else. Mistakes (a bad fixture file, a port
in use, a bad option) end with one readable sentence and exit status 2, never a traceback.
"""

from __future__ import annotations

import argparse
import errno
import gc
import math
import shlex
import socket
import sys
from collections.abc import Sequence
from pathlib import Path

from mock_server.app import create_app
from mock_server.config import MockConfig
from mock_server.fixtures import FixtureError
from mock_server.runtime import MockRuntime
from mock_server.server import Server, uvicorn_config
from mock_server.spec import SpecError


def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="vl-notifications-mock",
        description="In-memory mock of Visual Layer's Notifications API, with a controllable "
        "clock and a /_mock control plane.",
    )
    p.add_argument("--host", default="127.0.0.1", help="interface to bind (default 127.0.0.1)")
    p.add_argument("--port", type=_port, default=8000, help="port to bind (default 8000; 0 = any)")
    p.add_argument("--seed", type=int, help="generate realistic notifications from this seed")
    p.add_argument(
        "--notifications",
        type=_count,
        metavar="COUNT",
        help="how many notifications to generate (default 100 with --seed)",
    )
    p.add_argument(
        "--fixtures",
        type=Path,
        metavar="DIR",
        help="folder with users.yaml, datasets.yaml, notifications.yaml",
    )
    p.add_argument("--spec", type=Path, metavar="FILE", help="OpenAPI document to serve")
    p.add_argument(
        "--clock",
        choices=("real", "manual", "scaled"),
        default="real",
        help="real time (default), a manual clock moved through /_mock/clock/advance, "
        "or real time sped up by --clock-factor",
    )
    p.add_argument(
        "--clock-factor",
        type=_positive,
        default=10.0,
        help="speed of the scaled clock (default 10)",
    )
    p.add_argument(
        "--ping-interval",
        type=_positive,
        default=3.0,
        metavar="S",
        help="seconds between stream pings (default 3)",
    )
    p.add_argument(
        "--poll-interval",
        type=_positive,
        default=3.0,
        metavar="S",
        help="seconds between stream polls for new notifications (default 3)",
    )
    p.add_argument(
        "--cors-origin",
        action="append",
        default=[],
        metavar="ORIGIN",
        help="allowed browser origin, repeatable ('*' echoes any); default any "
        "http://localhost:* and http://127.0.0.1:*",
    )
    p.add_argument("--no-control", action="store_true", help="serve no /_mock control plane")
    p.add_argument(
        "--control-token",
        metavar="TOKEN",
        help="serve the control plane to any client sending X-Mock-Token: TOKEN "
        "(default: loopback clients only)",
    )
    p.add_argument(
        "--log-level",
        default="info",
        choices=("critical", "error", "warning", "info", "debug", "trace"),
    )
    return p


def _count(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a whole number") from None
    if value < 0:
        raise argparse.ArgumentTypeError(f"{text!r}: must be 0 or more")
    return value


def _port(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a port number") from None
    if not 0 <= value <= 65535:
        raise argparse.ArgumentTypeError(f"{text!r}: a port is from 0 to 65535")
    return value


def _positive(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a number of seconds") from None
    if not 0 < value < math.inf:
        raise argparse.ArgumentTypeError(f"{text!r}: must be more than 0")
    return value


def _bind(host: str, port: int) -> socket.socket:
    """The listening socket, bound here so that a taken port is one clear sentence."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    try:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind((host, port))
    except OSError:
        sock.close()
        raise
    sock.set_inheritable(True)
    return sock


def config_from_args(args: argparse.Namespace) -> MockConfig:
    return MockConfig(
        spec_path=args.spec,
        fixtures_dir=args.fixtures,
        seed=args.seed,
        notifications=args.notifications,
        clock=args.clock,
        clock_factor=args.clock_factor,
        ping_interval=args.ping_interval,
        poll_interval=args.poll_interval,
        cors_origins=tuple(args.cors_origin),
        control=not args.no_control,
        control_token=args.control_token,
    )


def banner(runtime: MockRuntime, base_url: str) -> str:
    """What a person needs to start: the URL, credentials and a curl line that works."""
    lines = [
        f"Visual Layer Notifications mock on {base_url}  (clock: {runtime.clock.mode}, "
        f"{len(runtime.store)} notifications)",
        "",
    ]
    for user in runtime.users.values():
        total, unread = runtime.store.count_for(user.user_id)
        lines.append(
            f"  {user.name}: api_key={user.api_key} api_secret={user.api_secret} "
            f"SESSION={user.session}  ({total} notifications, {unread} unread)"
        )
    first = next(iter(runtime.users.values()))
    token = runtime.token(first)
    lines += [
        "",
        f"Try it ({first.name}'s token, valid {int(runtime.config.token_ttl)} s of mock time):",
        f"  curl -H {shlex.quote('Authorization: Bearer ' + token)} "
        f"{shlex.quote(base_url + '/api/v1/notifications?limit=5')}",
    ]
    if runtime.config.control:
        lines += [
            f"  curl -N -H {shlex.quote('Authorization: Bearer ' + token)} "
            f"{base_url}/api/v1/notifications/stream",
            f"  curl -X POST -H 'Content-Type: application/json' -d '{{\"dataset_id\": "
            f'"Ice cream"}}\' {base_url}/_mock/batches',
            f"Fresh tokens: curl {base_url}/_mock/users",
        ]
    return "\n".join(lines)


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    # The start state lives as long as the process, so the cyclic collector need not scan it:
    # built with the collector off and frozen before it is back on (left to the collector, a
    # million seeded notifications cost a young collection over all of them at start-up, and
    # 0.6 s per full collection mid-request later).
    gc.disable()
    try:
        app = create_app(config_from_args(args))
        gc.freeze()
    except (FixtureError, SpecError) as exc:
        print(f"vl-notifications-mock: {exc}", file=sys.stderr)
        return 2
    finally:
        gc.enable()
    runtime: MockRuntime = app.state.runtime
    try:
        sock = _bind(args.host, args.port)
    except OSError as exc:
        reason = "the port is in use" if exc.errno == errno.EADDRINUSE else exc.strerror
        print(
            f"vl-notifications-mock: cannot listen on {args.host}:{args.port}: {reason}",
            file=sys.stderr,
        )
        return 2
    server = Server(uvicorn_config(app, args.host, args.port, args.log_level))
    original_startup = server.startup

    async def startup(sockets: object = None) -> None:
        await original_startup(sockets)
        if server.started:
            host = f"[{args.host}]" if ":" in args.host else args.host
            print(banner(runtime, f"http://{host}:{server.port}"), flush=True)

    server.startup = startup  # type: ignore[method-assign]
    with sock:
        server.run(sockets=[sock])
    return 0 if server.started else 1


if __name__ == "__main__":
    raise SystemExit(main())
