"""A/B: the mock from two or more checkouts of this repository, loaded in one run.

    python -m bench.ab before=/path/to/old-checkout after=. [--rounds 6] [--seconds 3]
        [--endpoint "unread count" ...]

Each checkout's CLI serves the same bench data (100,000 notifications for one user); every
round runs each endpoint on each checkout, the order rotating, exactly as ``nox -s bench``
runs the mock against the ceiling (``http_bench.run_rounds``). It prints, per endpoint, the
median requests/s, p99 and server CPU time per request of each checkout, with its ratio to the
first one: the way to show what a change to the hot path bought, on a machine whose absolute
numbers drift.
"""

from __future__ import annotations

import argparse
import contextlib
import sys
import tempfile
from collections.abc import Sequence
from pathlib import Path

if __package__ in (None, ""):  # run as a script: make the repository importable
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.dataset import token, write_fixtures
from bench.http_bench import ENDPOINTS, FRESH_PER_SECOND, Table, run_rounds
from bench.loadgen import MISSING, wrk_path
from bench.procs import ServerProcess, StartError, mock_process


def _checkout(text: str) -> tuple[str, Path]:
    name, sep, folder = text.partition("=")
    path = Path(folder).resolve()
    if not sep or not name:
        raise argparse.ArgumentTypeError(f"{text!r} is not NAME=FOLDER")
    if not (path / "mock_server" / "__init__.py").is_file():
        raise argparse.ArgumentTypeError(f"{folder} is not a checkout of this repository")
    return name, path


def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="python -m bench.ab", description=__doc__.split("\n")[0])
    p.add_argument("checkouts", nargs="+", type=_checkout, metavar="NAME=FOLDER")
    p.add_argument("--rounds", type=int, default=6)
    p.add_argument("--seconds", type=float, default=3.0)
    p.add_argument("--connections", type=int, default=32)
    p.add_argument("--notifications", type=int, default=100_000)
    names = [ep.name for ep in ENDPOINTS]
    p.add_argument(
        "--endpoint", action="append", choices=names, help="only these (repeatable; default all)"
    )
    return p


def report(table: Table, names: Sequence[str]) -> list[str]:
    lines = []
    for endpoint, by_server in table.items():
        first = by_server[names[0]]
        for name in names:
            runs = by_server[name]
            rps, cpu = runs.rps, runs.cpu_us_per_request
            lines.append(
                f"{endpoint:<26} {name:<12} {rps:9,.0f} req/s ({rps / first.rps:4.2f})  "
                f"p99 {runs.median(lambda r: r.p99_ms):6.2f} ms  "
                f"CPU {cpu:6.1f} µs/request ({cpu / first.cpu_us_per_request:4.2f})"
            )
    return lines


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    if wrk_path() is None:
        print(f"bench.ab: {MISSING}.", file=sys.stderr)
        return 2
    checkouts: list[tuple[str, Path]] = args.checkouts
    names = [name for name, _ in checkouts]
    if len(set(names)) != len(names):
        print("bench.ab: give each checkout its own name.", file=sys.stderr)
        return 2
    bearer = token()
    with tempfile.TemporaryDirectory(prefix="bench-ab-") as tmp, contextlib.ExitStack() as stack:
        fixtures = write_fixtures(Path(tmp) / "fixtures")
        seeded = ["--fixtures", str(fixtures), "--seed", "1"]
        seeded += ["--notifications", str(args.notifications)]
        try:
            servers: list[ServerProcess] = [
                stack.enter_context(mock_process(seeded, timeout=300, name=name, checkout=path))
                for name, path in checkouts
            ]
        except StartError as exc:
            print(f"bench.ab: {exc}", file=sys.stderr)
            return 1
        if args.endpoint:
            wanted = set(args.endpoint)
            endpoints = tuple(ep for ep in ENDPOINTS if ep.name in wanted)
        else:
            endpoints = ENDPOINTS
        table = run_rounds(
            servers,
            servers,
            bearer,
            rounds=args.rounds,
            seconds=args.seconds,
            connections=args.connections,
            fresh_per_second=FRESH_PER_SECOND,
            endpoints=endpoints,
        )
    print()
    print("\n".join(report(table, names)))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
