"""Requests/s and latency per endpoint for the mock, the ceiling and Prism, in interleaved
rounds: each round runs every endpoint against every server (the servers' order rotating from
round to round), so that a burst of load from elsewhere on the machine hits all three alike.

Before each run of a server with a control plane (the mock; in an A/B, every checkout's mock)
it is reset to its seeded start state; before a mark-read run each is also given the same fresh
unread notifications, one per request wrk can make, whose ids wrk's script walks. The ceiling
and Prism get the same ids (the ceiling ignores them; Prism answers from the spec's examples).
"""

from __future__ import annotations

import contextlib
import statistics
import tempfile
import uuid
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import httpx
import psutil

from bench.dataset import SMALL_DATASET
from bench.loadgen import LoadResult, lua_script, run_wrk
from bench.procs import ServerProcess, StartError

_READ = "/api/v1/notifications/{id}/read"
FRESH_PER_SECOND = 30_000  # fresh unread ids made per second of a mark-read run (> any rate:
# the mock marks over 15,000 a second on a quiet machine, and a repeated id would be a 404)


@dataclass(frozen=True, slots=True)
class Endpoint:
    """One benchmarked request. ``path`` may hold ``{id}``: a fresh unread id per request."""

    name: str
    method: str
    path: str
    route: str  # the ceiling's key: "METHOD /template?query"

    @property
    def fresh_ids(self) -> bool:
        return "{id}" in self.path


ENDPOINTS: tuple[Endpoint, ...] = (
    Endpoint(
        "list limit=20",
        "GET",
        "/api/v1/notifications?limit=20",
        "GET /api/v1/notifications?limit=20",
    ),
    Endpoint(
        "list limit=100",
        "GET",
        "/api/v1/notifications?limit=100",
        "GET /api/v1/notifications?limit=100",
    ),
    Endpoint(
        "unread count",
        "GET",
        "/api/v1/notifications/unread-count",
        "GET /api/v1/notifications/unread-count",
    ),
    Endpoint("mark read", "POST", _READ, "POST /api/v1/notifications/{notification_id}/read"),
    Endpoint(
        "read-all (small dataset)",
        "POST",
        f"/api/v1/notifications/read-all?dataset_id={SMALL_DATASET}",
        f"POST /api/v1/notifications/read-all?dataset_id={SMALL_DATASET}",
    ),
)


@dataclass(slots=True)
class Runs:
    """Every round's result for one (endpoint, server) pair, and the server's CPU share."""

    results: list[LoadResult] = field(default_factory=list)
    server_cpu: list[float] = field(default_factory=list)

    def median(self, pick: Callable[[LoadResult], float]) -> float:
        return statistics.median(pick(r) for r in self.results) if self.results else 0.0

    @property
    def rps(self) -> float:
        return self.median(lambda r: r.rps)

    @property
    def cpu_us_per_request(self) -> float:
        """The median over rounds of the server's CPU time per answered request (µs): the work
        a request costs, which CPU taken by the machine's other tenants does not inflate."""
        per_round = [
            share * r.seconds / r.requests * 1e6
            for r, share in zip(self.results, self.server_cpu, strict=True)
            if r.requests
        ]
        return statistics.median(per_round) if per_round else 0.0


Table = dict[str, dict[str, Runs]]  # endpoint name -> server name -> runs


def ceiling_bodies(mock: ServerProcess, token: str) -> dict[str, str]:
    """What the mock answers to each endpoint: the ceiling answers the same bytes' worth."""
    bodies: dict[str, str] = {}
    with httpx.Client(base_url=mock.url, headers=_auth(token), timeout=30) as client:
        [fresh] = fresh_ids(1)
        inject_fresh(client, [fresh])
        for ep in ENDPOINTS:
            path = ep.path.replace("{id}", fresh)
            response = client.request(ep.method, path)
            if response.status_code != 200:
                raise StartError(
                    f"mock answered {ep.method} {path} with {response.status_code} "
                    f"({response.text[:200]}), so there is nothing to benchmark"
                )
            bodies[ep.route] = response.text
        client.post("/_mock/reset").raise_for_status()
    return bodies


def fresh_ids(count: int) -> list[str]:
    return [str(uuid.uuid4()) for _ in range(count)]


def inject_fresh(client: httpx.Client, ids: Sequence[str]) -> None:
    """Store a new unread notification for the bench user under each id."""
    for start in range(0, len(ids), 20_000):
        entries = [
            {"user": "bench", "dataset_id": None, "id": i} for i in ids[start : start + 20_000]
        ]
        client.post("/_mock/notifications", json=entries).raise_for_status()


def _auth(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def _cpu_seconds(server: ServerProcess) -> float:
    proc = psutil.Process(server.pid)
    total = sum(proc.cpu_times()[:2])
    for child in proc.children(recursive=True):
        with contextlib.suppress(psutil.NoSuchProcess):
            total += sum(child.cpu_times()[:2])
    return float(total)


def run_rounds(
    servers: Sequence[ServerProcess],
    controlled: Sequence[ServerProcess],
    token: str,
    *,
    rounds: int,
    seconds: float,
    connections: int,
    fresh_per_second: int,
    endpoints: Sequence[Endpoint] = ENDPOINTS,
    log: Callable[[str], None] = print,
) -> Table:
    """``rounds`` interleaved rounds over every endpoint and server; the table of results.
    ``controlled`` are the servers with a control plane (reset, fresh ids before each run)."""
    table: Table = {ep.name: {s.name: Runs() for s in servers} for ep in endpoints}
    with contextlib.ExitStack() as stack:
        tmp = Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="bench-ids-")))
        controls = [
            stack.enter_context(httpx.Client(base_url=s.url, headers=_auth(token), timeout=120))
            for s in controlled
        ]
        ids_file = tmp / "ids.txt"
        for r in range(rounds):
            order = list(servers[r % len(servers) :]) + list(servers[: r % len(servers)])
            for ep in endpoints:
                for control in controls:
                    control.post("/_mock/reset").raise_for_status()
                if ep.fresh_ids:
                    ids = fresh_ids(max(100, int(fresh_per_second * seconds)))
                    for control in controls:
                        inject_fresh(control, ids)
                    ids_file.write_text("\n".join(ids) + "\n", encoding="utf-8")
                script = lua_script(
                    ep.method,
                    ep.path,
                    _auth(token),
                    ids_file=ids_file if ep.fresh_ids else None,
                )
                for server in order:
                    cpu = _cpu_seconds(server)
                    result = run_wrk(server.url, script, seconds=seconds, connections=connections)
                    runs = table[ep.name][server.name]
                    runs.results.append(result)
                    runs.server_cpu.append((_cpu_seconds(server) - cpu) / result.seconds)
                    log(
                        f"  round {r + 1}/{rounds}  {ep.name:<26} {server.name:<16} "
                        f"{result.rps:9.0f} req/s  p50 {result.p50_ms:6.2f} ms  "
                        f"p99 {result.p99_ms:7.2f} ms  errors {result.status_errors}"
                    )
    return table


def ratios(table: Table, of: str, to: str) -> Mapping[str, float]:
    """Per endpoint, the median requests/s of server ``of`` over that of server ``to``."""
    out = {}
    for name, by_server in table.items():
        if of in by_server and to in by_server and by_server[to].rps:
            out[name] = by_server[of].rps / by_server[to].rps
    return out
