"""The load generator: wrk, driven through a generated Lua script.

The script sets the method, the headers (the bearer token) and, for mark-read, walks a file of
fresh notification ids so that every request reads a different unread notification. Its
``done`` hook prints one JSON line with wrk's own counts and latency percentiles, which is what
is parsed (not wrk's human summary).
"""

from __future__ import annotations

import json
import resource
import shutil
import subprocess
import tempfile
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

MISSING = "wrk is not installed; install Debian's package (apt-get install -y wrk) and run again"
_MARK = "WRKJSON "

_LUA = """
local method = {method}
local template = {template}
local body = {body}
local headers = {{{headers}}}
local ids = {{}}
local ids_file = {ids_file}
if ids_file ~= "" then
  for line in io.lines(ids_file) do ids[#ids + 1] = line end
end
local next_id = 1

request = function()
  local path = template
  if #ids > 0 then
    path = string.gsub(template, "{{id}}", ids[next_id])
    next_id = next_id % #ids + 1  -- past the end ids repeat: those answers count as errors
  end
  return wrk.format(method, path, headers, body)
end

done = function(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    '{mark}{{"requests":%d,"duration_us":%d,"status_errors":%d,"socket_errors":%d,'
    .. '"p50_us":%d,"p90_us":%d,"p99_us":%d,"max_us":%d}}\\n',
    summary.requests, summary.duration, e.status, e.connect + e.read + e.write + e.timeout,
    latency:percentile(50), latency:percentile(90), latency:percentile(99), latency.max))
end
"""


@dataclass(frozen=True, slots=True)
class LoadResult:
    """One wrk run: throughput, latency percentiles (ms) and how many answers were wrong."""

    requests: int
    seconds: float
    p50_ms: float
    p90_ms: float
    p99_ms: float
    max_ms: float
    status_errors: int
    socket_errors: int
    wrk_cpu: float
    """wrk's CPU time over the wall time of the run: well under 1.0 means it kept up."""

    @property
    def rps(self) -> float:
        return self.requests / self.seconds if self.seconds else 0.0


def wrk_path() -> str | None:
    return shutil.which("wrk")


def _lua_string(text: str) -> str:
    return json.dumps(text)  # a JSON string of printable ASCII is a valid Lua string literal


def lua_script(
    method: str,
    template: str,
    headers: Mapping[str, str],
    *,
    ids_file: Path | None = None,
    body: str = "",
) -> str:
    """The wrk script for one endpoint; ``{id}`` in ``template`` takes the next id."""
    pairs = ", ".join(f"[{_lua_string(k)}] = {_lua_string(v)}" for k, v in headers.items())
    return _LUA.format(
        method=_lua_string(method),
        template=_lua_string(template),
        body=_lua_string(body) if body else "nil",
        headers=pairs,
        ids_file=_lua_string(str(ids_file) if ids_file else ""),
        mark=_MARK,
    )


def run_wrk(
    base_url: str,
    script: str,
    *,
    seconds: float,
    connections: int = 32,
    threads: int = 1,
) -> LoadResult:
    """Load ``base_url`` for ``seconds`` with the script; raises RuntimeError if wrk fails."""
    wrk = wrk_path()
    if wrk is None:
        raise RuntimeError(MISSING)
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as f:
        f.write(script)
        path = Path(f.name)
    try:
        argv = [
            wrk,
            f"-t{threads}",
            f"-c{connections}",
            f"-d{max(1, round(seconds))}s",
            "--timeout",
            "5s",
            "-s",
            str(path),
            base_url,
        ]
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        done = subprocess.run(argv, capture_output=True, text=True, timeout=seconds + 60)
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
    finally:
        path.unlink(missing_ok=True)
    line = next((ln for ln in done.stdout.splitlines() if ln.startswith(_MARK)), None)
    if done.returncode != 0 or line is None:
        raise RuntimeError(f"wrk failed ({done.returncode}): {done.stderr.strip() or done.stdout}")
    data = json.loads(line[len(_MARK) :])
    return LoadResult(
        requests=data["requests"],
        seconds=data["duration_us"] / 1e6,
        p50_ms=data["p50_us"] / 1000,
        p90_ms=data["p90_us"] / 1000,
        p99_ms=data["p99_us"] / 1000,
        max_ms=data["max_us"] / 1000,
        status_errors=data["status_errors"],
        socket_errors=data["socket_errors"],
        wrk_cpu=(after.ru_utime + after.ru_stime - before.ru_utime - before.ru_stime)
        / max(data["duration_us"] / 1e6, 1e-9),
    )
