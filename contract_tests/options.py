"""The kit's command line, parsed into one frozen :class:`KitOptions`.

Bad options end the run with one sentence (:class:`UsageError`), never argparse's exit.
"""

from __future__ import annotations

import argparse
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

from contract_tests.clauses import CLAUSES


class UsageError(Exception):
    """A bad option or combination; the message is one sentence for the terminal."""


@dataclass(frozen=True, slots=True)
class KitOptions:
    """Everything a run needs, from the command line (or built directly by a caller)."""

    base_url: str | None = None
    api_key: str | None = None
    api_secret: str | None = None
    api_key_b: str | None = None
    api_secret_b: str | None = None
    token: str | None = None
    read_only: bool = False
    sse_timeout: float = 7.0
    http_timeout: float = 10.0
    max_examples: int = 25
    junitxml: Path | None = None
    json_report: Path | None = None
    clauses: tuple[str, ...] = ()
    verbose: bool = False
    list_clauses: bool = False


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> None:  # type: ignore[override]
        raise UsageError(message)


def _positive(name: str, kind: type[float] | type[int]) -> argparse._ActionType:
    def convert(raw: str) -> float | int:
        try:
            value = kind(raw)
        except ValueError:
            raise argparse.ArgumentTypeError(
                f"{name} needs a {'number' if kind is float else 'whole number'}, not {raw!r}"
            ) from None
        if value <= 0:
            raise argparse.ArgumentTypeError(f"{name} must be more than 0, not {raw}")
        return value

    return convert


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(
        prog="python -m contract_tests",
        description="Check a Notifications API server against openapi.yaml, clause by clause. "
        "With no --base-url, the bundled mock is started and its fixture users are used.",
        allow_abbrev=False,
    )
    add = parser.add_argument
    add("--base-url", metavar="URL", help="the server to check, e.g. https://staging.example.com")
    add("--api-key", metavar="KEY", help="the first user's API key (tokens are minted from it)")
    add("--api-secret", metavar="SECRET", help="the first user's API secret")
    add("--api-key-b", metavar="KEY2", help="a second user's API key: enables isolation clauses")
    add("--api-secret-b", metavar="SECRET2", help="the second user's API secret")
    add(
        "--token",
        metavar="JWT",
        help="a ready token for the first user, when no secret is at "
        "hand (clauses that mint tokens are then skipped)",
    )
    add("--read-only", action="store_true", help="skip every clause that marks notifications read")
    add(
        "--sse-timeout",
        metavar="S",
        type=_positive("--sse-timeout", float),
        default=7.0,
        help="the longest any one stream read may take (default 7 s: a little over two pings)",
    )
    add(
        "--http-timeout",
        metavar="S",
        type=_positive("--http-timeout", float),
        default=10.0,
        help="timeout of every other HTTP call (default 10 s)",
    )
    add(
        "--max-examples",
        metavar="N",
        type=_positive("--max-examples", int),
        default=25,
        help="schemathesis examples per operation (default 25, deterministic)",
    )
    add("--junitxml", metavar="PATH", type=Path, help="also write a JUnit XML report for CI")
    add("--json-report", metavar="PATH", type=Path, help="also write a JSON report")
    add(
        "--clause",
        metavar="ID",
        action="append",
        default=[],
        dest="clauses",
        help="run only this clause (repeatable); the others are reported as skipped",
    )
    add("--list-clauses", action="store_true", help="print every clause id and its doc sentence")
    add("-v", "--verbose", action="store_true", help="show pytest's own output too")
    return parser


def parse_options(argv: Sequence[str]) -> KitOptions:
    """Parse and check the command line; raises :class:`UsageError` with one sentence."""
    ns = build_parser().parse_args(list(argv))
    if (ns.api_key is None) != (ns.api_secret is None):
        raise UsageError("--api-key and --api-secret go together")
    if (ns.api_key_b is None) != (ns.api_secret_b is None):
        raise UsageError("--api-key-b and --api-secret-b go together")
    if ns.base_url is not None:
        parts = urlsplit(ns.base_url)
        if parts.scheme not in ("http", "https") or not parts.netloc:
            raise UsageError(f"--base-url needs an http:// or https:// URL, not {ns.base_url!r}")
        if ns.token is None and (ns.api_key is None or ns.api_secret is None):
            raise UsageError("--base-url needs --api-key and --api-secret (or --token)")
    if ns.base_url is None and (ns.api_key or ns.token or ns.api_key_b):
        raise UsageError(
            "credentials need --base-url (without it the bundled mock's users are used)"
        )
    for flag, path in (("--junitxml", ns.junitxml), ("--json-report", ns.json_report)):
        if path is not None and not path.resolve().parent.is_dir():
            raise UsageError(f"{flag}: the folder {str(path.parent)!r} does not exist")
    unknown = [c for c in ns.clauses if c not in CLAUSES]
    if unknown:
        raise UsageError(f"unknown clause {unknown[0]!r} (--list-clauses prints them)")
    return KitOptions(
        base_url=ns.base_url.rstrip("/") if ns.base_url else None,
        api_key=ns.api_key,
        api_secret=ns.api_secret,
        api_key_b=ns.api_key_b,
        api_secret_b=ns.api_secret_b,
        token=ns.token,
        read_only=ns.read_only,
        sse_timeout=ns.sse_timeout,
        http_timeout=ns.http_timeout,
        max_examples=ns.max_examples,
        junitxml=ns.junitxml,
        json_report=ns.json_report,
        clauses=tuple(ns.clauses),
        verbose=ns.verbose,
        list_clauses=ns.list_clauses,
    )
