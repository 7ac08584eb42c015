"""The report: the results as Markdown (written between markers into ``docs/benchmarks.md``, so
the hand-written analysis around them survives a re-run), the targets met or missed, and a PNG of
requests/s per endpoint and server."""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from bench.http_bench import Table, ratios
from bench.library import LibraryResult
from bench.machine import Machine
from bench.sse_bench import SseResult
from bench.store_scale import ScaleResult

BEGIN, END = "<!-- results -->", "<!-- /results -->"
MOCK, CEILING, PRISM = "mock", "ceiling", "Prism"


@dataclass(slots=True)
class Results:
    command: str
    started: str
    machine: Machine
    load_before: tuple[float, float, float]
    load_after: tuple[float, float, float]
    rounds: int
    seconds: float
    connections: int
    notifications: int
    http: Table
    prism_note: str | None
    startup_s: float
    sse: SseResult | None
    scale: ScaleResult | None
    library: LibraryResult | None
    contract: str  # "12.3 s" or why it is not available


@dataclass(frozen=True, slots=True)
class Target:
    what: str
    goal: str
    measured: str
    met: bool | None  # None: not measured in this run

    @property
    def verdict(self) -> str:
        return "not measured" if self.met is None else ("met" if self.met else "**missed**")


def _ms(value: float) -> str:
    return "n/a" if math.isnan(value) else f"{value:.2f} ms"


def targets(r: Results) -> list[Target]:
    out: list[Target] = []
    to_ceiling = ratios(r.http, MOCK, CEILING)
    to_prism = ratios(r.http, MOCK, PRISM)

    def ratio_target(endpoint: str, goal: float, of: dict[str, float] | None, label: str) -> None:
        value = (of or {}).get(endpoint)
        out.append(
            Target(
                f"{endpoint}: mock / {label} requests/s",
                f">= {goal:g}",
                "n/a" if value is None else f"{value:.2f}",
                None if value is None else value >= goal,
            )
        )

    ratio_target("list limit=20", 0.5, dict(to_ceiling), "ceiling")
    ratio_target("list limit=20", 5, dict(to_prism), "Prism")
    ratio_target("unread count", 0.7, dict(to_ceiling), "ceiling")
    ratio_target("mark read", 0.4, dict(to_ceiling), "ceiling")
    for endpoint, by_server in r.http.items():
        runs = by_server.get(MOCK)
        if runs and runs.results:
            p99 = runs.median(lambda x: x.p99_ms)
            out.append(
                Target(
                    f"{endpoint}: mock p99 at {r.connections} connections",
                    "< 10 ms",
                    _ms(p99),
                    p99 < 10,
                )
            )
    if r.scale is not None and len(r.scale.points) > 1:
        big = r.scale.points[-1]
        small = r.scale.points[1]
        seed = r.scale.seeding_s(big)
        per = r.scale.bytes_per_notification(big)
        n = f"{big.notifications:,}"
        out.append(Target(f"seeding {n} notifications", "< 10 s", f"{seed:.1f} s", seed < 10))
        out.append(
            Target(f"resident memory per notification at {n}", "< 1 KB", f"{per:.0f} B", per < 1024)
        )
        for label, at_big, at_small in (
            ("list limit=20", big.list20.p50_ms, small.list20.p50_ms),
            ("unread count", big.count.p50_ms, small.count.p50_ms),
        ):
            growth = at_big / at_small - 1 if at_small else math.nan
            out.append(
                Target(
                    f"{label} p50 at {n} vs {small.notifications:,}",
                    "within +20%",
                    f"{growth:+.0%}",
                    growth <= 0.2,
                )
            )
    out.append(
        Target("start-up to the first 200", "< 1 s", f"{r.startup_s:.2f} s", r.startup_s < 1)
    )
    contract_s = _seconds(r.contract)
    out.append(
        Target(
            "contract suite against the bundled mock",
            "< 60 s",
            r.contract,
            None if contract_s is None else contract_s < 60,
        )
    )
    if r.sse is not None:
        s = r.sse
        n = f"{s.streams:,}"
        out.append(
            Target(
                f"SSE: every ping within 0.5 s of due ({n} streams)",
                "< 500 ms",
                f"max {_ms(s.ping_late_max_ms)} (bound {_ms(s.ping_late_bound_ms)})",
                s.ping_late_bound_ms < 500 and s.open_ok == s.streams,
            )
        )
        out.append(
            Target(
                f"SSE: fan-out to all {n} streams after the tick",
                "< 200 ms",
                f"max {_ms(s.fanout_max_ms)} (bound {_ms(s.fanout_bound_ms)}), "
                f"{s.fanout_received}/{s.streams} got it",
                s.fanout_max_ms < 200 and s.fanout_received == s.streams,
            )
        )
        out.append(
            Target(
                "SSE: memory per stream",
                "< 20 KB",
                f"{s.rss_per_stream_kb:.1f} KB",
                s.rss_per_stream_kb < 20,
            )
        )
    return out


def _seconds(text: str) -> float | None:
    head = text.split(" ", 1)[0]
    try:
        return float(head) if text.endswith(" s") else None
    except ValueError:
        return None


def markdown(r: Results) -> str:
    m = r.machine
    lines = [
        BEGIN,
        f"Measured {r.started} with:",
        "",
        "```sh",
        r.command,
        "```",
        "",
        f"Machine: {m.nproc} cores ({m.cpu_model}), {m.memory_gib:.0f} GiB; load average "
        f"{_load(r.load_before)} at the start, {_load(r.load_after)} at the end (the machine is "
        "shared: prefer the ratios, measured in the same run, to the absolute numbers). "
        f"Python {m.python}; " + ", ".join(f"{k} {v}" for k, v in m.versions.items()) + ".",
        "",
        f"### Requests/s ({r.connections} connections, wrk 1 thread, {r.rounds} interleaved "
        f"rounds of {r.seconds:g} s, medians; the caller owns {r.notifications:,} notifications)",
        "",
    ]
    if r.prism_note:
        lines += [f"Prism: {r.prism_note}", ""]
    servers = [s for s in (MOCK, CEILING, PRISM) if any(s in v for v in r.http.values())]
    header = ["endpoint"] + [f"{s} req/s" for s in servers]
    header += ["mock / ceiling"] + (["mock / Prism"] if PRISM in servers else [])
    header += [f"{s} p50 / p99" for s in servers]
    lines += ["| " + " | ".join(header) + " |", "|" + " --- |" * len(header)]
    to_ceiling = ratios(r.http, MOCK, CEILING)
    to_prism = ratios(r.http, MOCK, PRISM)
    for endpoint, by_server in r.http.items():
        row = [endpoint] + [f"{by_server[s].rps:,.0f}" for s in servers]
        row.append(f"{to_ceiling.get(endpoint, math.nan):.2f}")
        if PRISM in servers:
            row.append(f"{to_prism.get(endpoint, math.nan):.1f}")
        for s in servers:
            runs = by_server[s]
            row.append(
                f"{runs.median(lambda x: x.p50_ms):.2f} / {runs.median(lambda x: x.p99_ms):.2f} ms"
            )
        lines.append("| " + " | ".join(row) + " |")
    lines += ["", _load_generator_note(r), "", "![requests/s per endpoint](benchmarks.png)", ""]
    lines += _cpu_table(r, servers)
    lines += ["### Targets", "", "| target | goal | measured | |", "| --- | --- | --- | --- |"]
    lines += [f"| {t.what} | {t.goal} | {t.measured} | {t.verdict} |" for t in targets(r)]
    lines += [""]
    if r.sse is not None:
        st = r.sse
        lines += [
            f"### Streams ({st.streams:,} concurrent on one mock process, real clock)",
            "",
            "| measure | p50 | p99 | max |",
            "| --- | --- | --- | --- |",
            f"| connect (TCP open to the 200's headers) | {_ms(st.connect_p50_ms)} | | "
            f"{_ms(st.connect_max_ms)} |",
            f"| ping lateness vs due, from the 200's arrival ({st.pings:,} pings) | "
            f"{_ms(st.ping_late_p50_ms)} | {_ms(st.ping_late_p99_ms)} | "
            f"{_ms(st.ping_late_max_ms)} |",
            f"| ping lateness, upper bound (from the request's sending) | | | "
            f"{_ms(st.ping_late_bound_ms)} |",
            f"| fan-out of one notification after the poll tick ({st.fanout_received:,} streams) | "
            f"{_ms(st.fanout_p50_ms)} | {_ms(st.fanout_p99_ms)} | {_ms(st.fanout_max_ms)} |",
            f"| fan-out, upper bound | | | {_ms(st.fanout_bound_ms)} |",
            "",
            f"All {st.open_ok:,} of {st.streams:,} streams opened in {st.all_connected_s:.2f} s; "
            f"resident memory {st.rss_per_stream_kb:.1f} KB per stream."
            + (f" Errors: {'; '.join(st.errors)}." if st.errors else ""),
            "",
        ]
    if r.scale is not None:
        lines += [
            "### Store scale (one mock process per size, one user owning everything)",
            "",
            "| notifications | start-up | seeding | RSS | RSS / notification | list limit=20 p50 / "
            "p99 | unread count p50 / p99 |",
            "| --- | --- | --- | --- | --- | --- | --- |",
        ]
        for p in r.scale.points:
            lines.append(
                f"| {p.notifications:,} | {p.startup_s:.2f} s | {r.scale.seeding_s(p):.2f} s | "
                f"{p.rss_bytes / 2**20:.0f} MiB | {r.scale.bytes_per_notification(p):.0f} B | "
                f"{p.list20.p50_ms:.3f} / {p.list20.p99_ms:.3f} ms | "
                f"{p.count.p50_ms:.3f} / {p.count.p99_ms:.3f} ms |"
            )
        lines += [
            "",
            "Latency here is on one connection (service time, no queueing). Seeding is the "
            "start-up time minus that of the mock that seeds nothing; RSS per notification, the "
            "resident memory minus that mock's, over the count.",
            "",
        ]
    if r.library is not None:
        lib = r.library
        lines += [
            "### For a test suite: the library in-process",
            "",
            f'`MockServer(clock="manual")` with the default data, medians of {lib.repetitions}: '
            f"`start()` to ready {lib.start_ms:.1f} ms, to the first 200 of a list "
            f"{lib.first_request_ms:.1f} ms (a new httpx client included), `stop()` "
            f"{lib.stop_ms:.1f} ms. The pytest plugin resets the mock before every test:",
            "",
            "| notifications | reset after a test that marked one read "
            "| after a test that only read |",
            "| --- | --- | --- |",
        ]
        lines += [
            f"| {p.notifications:,} | {p.reset_ms:.2f} ms | {p.reset_untouched_ms:.2f} ms |"
            for p in lib.resets
        ]
        lines += [""]
    lines += [
        "### Start-up and the contract suite",
        "",
        f"- start-up of the mock's CLI (default data) to the first 200 from `/_mock/health`: "
        f"{r.startup_s:.2f} s",
        f"- `python -m contract_tests` against the bundled mock: {r.contract}",
        END,
    ]
    return "\n".join(lines) + "\n"


def _cpu_table(r: Results, servers: list[str]) -> list[str]:
    header = ["endpoint"] + [f"{s} CPU / request" for s in servers] + ["mock / ceiling"]
    lines = [
        "Server CPU time per request (user + system, median of the rounds): the work each "
        "request costs, steadier than requests/s on a shared machine, since time the machine's "
        "other tenants take is not counted.",
        "",
        "| " + " | ".join(header) + " |",
        "|" + " --- |" * len(header),
    ]
    for endpoint, by_server in r.http.items():
        cost = {s: by_server[s].cpu_us_per_request for s in servers}
        ratio = cost[MOCK] / cost[CEILING] if MOCK in cost and cost.get(CEILING) else math.nan
        row = [endpoint] + [f"{cost[s]:.0f} µs" for s in servers] + [f"{ratio:.2f}"]
        lines.append("| " + " | ".join(row) + " |")
    return [*lines, ""]


def _load(load: tuple[float, float, float]) -> str:
    return " / ".join(f"{x:.2f}" for x in load)


def _load_generator_note(r: Results) -> str:
    parts = []
    for server in (MOCK, CEILING, PRISM):
        wrk = [x.wrk_cpu for v in r.http.values() if server in v for x in v[server].results]
        cpu = [c for v in r.http.values() if server in v for c in v[server].server_cpu]
        if wrk:
            parts.append(
                f"against {server}, wrk used at most {max(wrk):.0%} of a core while the "
                f"server used {min(cpu):.0%}-{max(cpu):.0%}"
            )
    return "The load generator was not the bottleneck: " + "; ".join(parts) + "." if parts else ""


def write_markdown(path: Path, body: str, title: str = "# Benchmarks\n\n") -> None:
    """Replace the results between the markers, keeping the rest of the file."""
    old = path.read_text(encoding="utf-8") if path.exists() else title + BEGIN + "\n" + END + "\n"
    if BEGIN in old and END in old:
        head, rest = old.split(BEGIN, 1)
        tail = rest.split(END, 1)[1].lstrip("\n")
        text = head + body + ("\n" + tail if tail else "")
    else:
        text = old.rstrip("\n") + "\n\n" + body
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")


def plot(table: Table, path: Path, title: str) -> None:
    """A grouped bar chart of median requests/s per endpoint, one bar per server."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    endpoints = list(table)
    servers: Sequence[str] = [
        s for s in (MOCK, CEILING, PRISM) if any(s in v for v in table.values())
    ]
    colours = {MOCK: "#1f77b4", CEILING: "#7f7f7f", PRISM: "#d62728"}
    width = 0.8 / max(1, len(servers))
    fig, ax = plt.subplots(figsize=(10, 5.5), dpi=110)
    for i, server in enumerate(servers):
        xs = [j + (i - (len(servers) - 1) / 2) * width for j in range(len(endpoints))]
        values = [table[e][server].rps if server in table[e] else 0 for e in endpoints]
        bars = ax.bar(xs, values, width, label=server, color=colours[server])
        ax.bar_label(bars, labels=[f"{v:,.0f}" for v in values], fontsize=7, padding=2)
    ax.set_xticks(range(len(endpoints)), endpoints, fontsize=9)
    ax.set_ylabel("requests/s (median of rounds)")
    ax.set_title(title, fontsize=10)
    top = max((r.rps for v in table.values() for r in v.values()), default=0)
    ax.set_ylim(0, top * 1.15 or 1)  # headroom for the legend above the bars
    ax.legend(loc="upper center", ncol=len(servers), frameon=False)
    ax.grid(axis="y", alpha=0.3)
    fig.tight_layout()
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path)
    plt.close(fig)
