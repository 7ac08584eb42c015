"""``main(argv) -> int``: parse, pre-flight, run the clause tests under pytest, report.

Safe to call repeatedly in one process: nothing is kept between calls. Exit status: 0 when no
clause failed, 1 when one did, 2 for a usage or pre-flight error (one sentence on stderr).
"""

from __future__ import annotations

import contextlib
import io
import sys
import time
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import TextIO

import pytest

from contract_tests.clauses import CLAUSES
from contract_tests.options import KitOptions, UsageError, parse_options
from contract_tests.plugin import KitPlugin
from contract_tests.preflight import PreflightError, prepare
from contract_tests.report import render_table, write_json, write_junit
from contract_tests.results import ClauseResult
from contract_tests.target import Target
from contract_tests.tokens import Credentials

CHECKS = Path(__file__).resolve().parent / "checks"


@contextlib.contextmanager
def _bundled_mock() -> Iterator[tuple[str, Credentials, Credentials]]:
    """The bundled mock on a free loopback port with a manual clock, and its first two users."""
    from mock_server import MockServer  # only needed when no --base-url is given

    with MockServer(clock="manual") as mock:
        users = list(mock.users.values())
        yield (
            mock.url,
            Credentials(users[0].api_key, users[0].api_secret),
            Credentials(users[1].api_key, users[1].api_secret),
        )


def run_clauses(target: Target, out: TextIO) -> list[ClauseResult]:
    """Run every clause test module under pytest with the kit's plugin; one result per clause."""
    plugin = KitPlugin(target)
    args = [
        str(CHECKS),
        "-c",
        str(CHECKS / "pytest.ini"),
        "--rootdir",
        str(CHECKS),
        "--disable-plugin-autoload",
        "-p",
        "no:cacheprovider",
    ]
    if target.options.verbose:
        code = pytest.main([*args, "-q"], plugins=[plugin])
    else:
        sink = io.StringIO()
        with contextlib.redirect_stdout(sink):
            code = pytest.main([*args, "-p", "no:terminal"], plugins=[plugin])
    if plugin.errors or code in (pytest.ExitCode.INTERNAL_ERROR, pytest.ExitCode.USAGE_ERROR):
        raise RuntimeError(
            "the kit's own tests could not be collected: "
            + "; ".join(plugin.errors or [f"pytest exited {code}"])
        )
    return [
        ClauseResult.combine(
            clause,
            plugin.outcomes.get(clause.id, []),
            plugin.seconds.get(clause.id, 0.0),
            missing="not implemented by this version of the kit",
        )
        for clause in CLAUSES.values()
    ]


def run(options: KitOptions, out: TextIO | None = None, err: TextIO | None = None) -> int:
    out = sys.stdout if out is None else out
    err = sys.stderr if err is None else err
    started = time.monotonic()
    creds_a: Credentials | None
    creds_b: Credentials | None
    with contextlib.ExitStack() as stack:
        if options.base_url is None:
            base_url, a, b = stack.enter_context(_bundled_mock())
            creds_a, creds_b, token = a, b, None
        else:
            base_url = options.base_url
            creds_a = (
                Credentials(options.api_key, options.api_secret)
                if options.api_key and options.api_secret
                else None
            )
            creds_b = (
                Credentials(options.api_key_b, options.api_secret_b)
                if options.api_key_b and options.api_secret_b
                else None
            )
            token = options.token
        try:
            target = prepare(options, base_url, creds_a, creds_b, token)
        except PreflightError as exc:
            print(f"contract_tests: {exc}", file=err)
            return 2
        stack.callback(target.close)
        results = run_clauses(target, out)
        seconds = time.monotonic() - started
        print(render_table(base_url, results, seconds), file=out)
        if options.json_report:
            write_json(options.json_report, base_url, results)
        if options.junitxml:
            write_junit(options.junitxml, base_url, results, seconds)
        return 1 if any(r.status == "failed" for r in results) else 0


def main(argv: Sequence[str] | None = None) -> int:
    """The command line: ``python -m contract_tests --base-url URL --api-key K ...``."""
    try:
        options = parse_options(sys.argv[1:] if argv is None else argv)
    except UsageError as exc:
        print(f"contract_tests: {exc}", file=sys.stderr)
        return 2
    except SystemExit as exc:  # --help
        return int(exc.code or 0)
    if options.list_clauses:
        for clause in CLAUSES.values():
            tags = f" [{', '.join(sorted(clause.tags))}]" if clause.tags else ""
            print(f"{clause.id}{tags}\n    {clause.doc}")
        return 0
    return run(options)
