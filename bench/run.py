"""One command, one run: every benchmark of the mock, printed and written to docs/.

    nox -s bench                                 # the full run (about ten minutes)
    nox -s bench -- --smoke --out-dir /tmp/b     # seconds: tiny counts, CI's check that it works

Starts the mock (its CLI, as a process), the bare-Starlette ceiling app on the same uvicorn
settings and Prism on the same ``openapi.yaml``; loads each with wrk in interleaved rounds;
then the stream benchmark, store scale, start-up time, what a test suite pays for the library
(start, stop, the per-test reset) and the contract suite's wall time.
Results go to ``benchmarks.md`` (between its result markers), ``benchmarks.png`` and
``benchmarks.json`` in ``--out-dir``. Nothing here asserts a time: targets are reported.
"""

from __future__ import annotations

import argparse
import contextlib
import dataclasses
import datetime
import json
import shlex
import sys
import tempfile
from collections.abc import Callable, Sequence
from pathlib import Path

if __package__ in (None, ""):  # run as a script: make the repository importable
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench import machine
from bench.contract_time import time_contract_suite
from bench.dataset import token, write_fixtures
from bench.http_bench import FRESH_PER_SECOND, Table, ceiling_bodies, ratios, run_rounds
from bench.library import LibraryResult, run_library
from bench.loadgen import MISSING, wrk_path
from bench.procs import (
    PRISM_PACKAGE,
    ROOT,
    ServerProcess,
    StartError,
    ceiling_process,
    mock_process,
    npx_available,
    prism_process,
)
from bench.report import CEILING, MOCK, PRISM, Results, markdown, plot, targets, write_markdown
from bench.sse_bench import raise_open_files_limit, run_sse
from bench.store_scale import run_scale


def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="bench/run.py", description="Benchmarks of the mock against a ceiling and Prism."
    )
    p.add_argument("--smoke", action="store_true", help="tiny counts and seconds, no Prism (CI)")
    p.add_argument("--rounds", type=_positive_int, help="interleaved rounds (default 3; smoke 1)")
    p.add_argument("--seconds", type=_positive_int, help="seconds per wrk run (default 5; smoke 1)")
    p.add_argument(
        "--connections", type=_positive_int, default=32, help="wrk connections (default 32)"
    )
    p.add_argument(
        "--notifications",
        type=_positive_int,
        help="notifications the caller owns (default 100000; smoke 1000)",
    )
    p.add_argument(
        "--streams", type=_positive_int, help="concurrent SSE streams (default 1000; smoke 20)"
    )
    p.add_argument(
        "--scale",
        type=_sizes,
        help="store sizes, comma-separated (default 10000,100000,1000000; smoke 1000)",
    )
    p.add_argument("--no-prism", action="store_true", help="do not start Prism")
    p.add_argument("--prism", action="store_true", help="start Prism in smoke mode too")
    p.add_argument(
        "--skip",
        action="append",
        default=[],
        choices=("http", "sse", "scale", "library", "contract"),
        help="leave a benchmark out (repeatable)",
    )
    p.add_argument(
        "--out-dir",
        type=Path,
        default=ROOT / "docs",
        help="where benchmarks.md, .png and .json go (default docs/)",
    )
    return p


def _positive_int(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a whole number") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"{text!r}: must be 1 or more")
    return value


def _sizes(text: str) -> list[int]:
    return [_positive_int(part.strip()) for part in text.split(",") if part.strip()]


def main(argv: Sequence[str] | None = None) -> int:
    given = list(sys.argv[1:] if argv is None else argv)
    args = build_parser().parse_args(given)
    wrk = wrk_path()
    if wrk is None and "http" not in args.skip:
        print(f"bench: {MISSING}.", file=sys.stderr)
        return 2
    smoke: bool = args.smoke
    rounds: int = args.rounds or (1 if smoke else 3)
    seconds: int = args.seconds or (1 if smoke else 5)
    notifications: int = args.notifications or (1000 if smoke else 100_000)
    streams: int = args.streams or (20 if smoke else 1000)
    interval = 0.5 if smoke else 3.0
    sizes: list[int] = args.scale or ([1000] if smoke else [10_000, 100_000, 1_000_000])
    prism_wanted = not args.no_prism and (not smoke or args.prism)
    raise_open_files_limit(max(4096, streams * 2 + 256))
    log: Callable[[str], None] = print

    started = datetime.datetime.now(datetime.UTC).strftime("%Y-%m-%d %H:%M UTC")
    info = machine.describe(wrk)
    info.versions["Prism"] = PRISM_PACKAGE.rsplit("@", 1)[1] if prism_wanted else "not run"
    load_before = machine.load_average()
    log(f"bench: {info.nproc} cores ({info.cpu_model}), load average {load_before}")
    bearer = token()
    with tempfile.TemporaryDirectory(prefix="bench-") as tmp:
        fixtures = write_fixtures(Path(tmp) / "fixtures")
        try:
            with mock_process([]) as plain:
                startup = plain.startup_s
            log(f"start-up of the mock to the first 200: {startup:.3f} s")
            http: Table = {}
            prism_note: str | None = None
            if "http" not in args.skip:
                http, prism_note = _http(
                    fixtures,
                    Path(tmp),
                    bearer,
                    notifications=notifications,
                    prism=prism_wanted,
                    rounds=rounds,
                    seconds=seconds,
                    connections=args.connections,
                    log=log,
                )
            sse = None
            if "sse" not in args.skip:
                log(f"streams: {streams:,} on one mock, real clock, events every {interval:g} s")
                every = str(interval)
                sse_args = ["--fixtures", str(fixtures)]
                sse_args += ["--ping-interval", every, "--poll-interval", every]
                with mock_process(sse_args) as mock:
                    sse = run_sse(
                        mock,
                        bearer,
                        streams=streams,
                        interval=interval,
                        ticks=1 if smoke else 3,
                        log=log,
                    )
            scale = None
            if "scale" not in args.skip:
                log(f"store scale: {', '.join(f'{s:,}' for s in sizes)} notifications")
                scale = run_scale(
                    fixtures, bearer, sizes=sizes, seconds=seconds, rounds=rounds, log=log
                )
        except StartError as exc:
            print(f"bench: {exc}", file=sys.stderr)
            return 1
    library: LibraryResult | None = None
    if "library" not in args.skip:
        library = run_library(
            repetitions=3 if smoke else 10,
            sizes=[0, 1000] if smoke else [0, 10_000, 100_000],
            log=log,
        )
    if "contract" in args.skip or smoke:
        contract = "not measured (smoke mode or --skip contract)"
    else:
        contract = time_contract_suite()
    log(f"contract suite against the bundled mock: {contract}")

    results = Results(
        command="nox -s bench" + (" -- " + shlex.join(given) if given else ""),
        started=started,
        machine=info,
        load_before=load_before,
        load_after=machine.load_average(),
        rounds=rounds,
        seconds=seconds,
        connections=args.connections,
        notifications=notifications,
        http=http,
        prism_note=prism_note,
        startup_s=startup,
        sse=sse,
        scale=scale,
        library=library,
        contract=contract,
    )
    out: Path = args.out_dir
    write_markdown(out / "benchmarks.md", markdown(results))
    if http:
        plot(
            http,
            out / "benchmarks.png",
            f"Median requests/s of {rounds} interleaved rounds, wrk with {args.connections} "
            f"connections ({info.nproc} cores, load average {load_before[0]:.2f} at the start)",
        )
    raw = json.dumps(dataclasses.asdict(results), indent=1, default=str)
    (out / "benchmarks.json").write_text(raw + "\n", encoding="utf-8")
    _summary(results, log)
    log(f"bench: wrote {out / 'benchmarks.md'}")
    wrong = _wrong_answers(results)
    for problem in wrong:
        print(f"bench: {problem}", file=sys.stderr)
    return 1 if wrong else 0


def _http(
    fixtures: Path,
    tmp: Path,
    bearer: str,
    *,
    notifications: int,
    prism: bool,
    rounds: int,
    seconds: int,
    connections: int,
    log: Callable[[str], None],
) -> tuple[Table, str | None]:
    args = ["--fixtures", str(fixtures), "--seed", "1", "--notifications", str(notifications)]
    note: str | None = None
    with contextlib.ExitStack() as stack:
        mock = stack.enter_context(mock_process(args, timeout=300))
        bodies = tmp / "bodies.json"
        bodies.write_text(json.dumps(ceiling_bodies(mock, bearer)), encoding="utf-8")
        servers: list[ServerProcess] = [mock, stack.enter_context(ceiling_process(bodies))]
        if not prism:
            note = "not run (smoke mode or --no-prism)."
        elif not npx_available():
            note = "not run: npx is not installed (Node.js brings it)."
        else:
            try:
                servers.append(stack.enter_context(prism_process(ROOT / "openapi.yaml", bearer)))
            except StartError as exc:
                note = f"not run: {exc}"
        for server in servers:
            log(f"{server.name}: {server.url}, up in {server.startup_s:.2f} s")
        table = run_rounds(
            servers,
            [mock],
            bearer,
            rounds=rounds,
            seconds=seconds,
            connections=connections,
            fresh_per_second=FRESH_PER_SECOND,
            log=log,
        )
    return table, note


def _wrong_answers(results: Results) -> list[str]:
    """Throughput of wrong answers means nothing: every problem, one sentence each."""
    problems = []
    for endpoint, by_server in results.http.items():
        for server, runs in by_server.items():
            bad = sum(r.status_errors + r.socket_errors for r in runs.results)
            if bad and server != PRISM:  # Prism's answers are its own business
                problems.append(f"{server} answered {bad} {endpoint} requests with an error")
    if results.sse is not None:
        sse = results.sse
        problems += [f"streams: {e}" for e in sse.errors]
        if sse.open_ok < sse.streams:
            problems.append(f"streams: only {sse.open_ok} of {sse.streams} opened")
        if sse.fanout_received < sse.open_ok:
            problems.append(
                f"streams: only {sse.fanout_received} of {sse.open_ok} got the notification"
            )
    return problems


def _summary(results: Results, log: Callable[[str], None]) -> None:
    log("")
    for of, to in ((MOCK, CEILING), (MOCK, PRISM)):
        for endpoint, value in ratios(results.http, of, to).items():
            log(f"  {endpoint:<26} {of} / {to}: {value:.2f}")
    log("")
    for t in targets(results):
        log(f"  {t.verdict.strip('*'):<13} {t.what}: {t.measured} (goal {t.goal})")


if __name__ == "__main__":
    raise SystemExit(main())
