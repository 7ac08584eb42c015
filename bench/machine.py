"""What the numbers were measured on: cores, CPU model, load, memory and tool versions."""

from __future__ import annotations

import os
import platform
import subprocess
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path


@dataclass(frozen=True, slots=True)
class Machine:
    nproc: int
    cpu_model: str
    memory_gib: float
    python: str
    versions: dict[str, str]


def load_average() -> tuple[float, float, float]:
    return os.getloadavg()


def _cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text(encoding="utf-8").splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown"


def _memory_gib() -> float:
    try:
        for line in Path("/proc/meminfo").read_text(encoding="utf-8").splitlines():
            if line.startswith("MemTotal:"):
                return int(line.split()[1]) / 2**20
    except OSError:
        pass
    return 0.0


def _tool_version(argv: list[str]) -> str:
    try:
        done = subprocess.run(argv, capture_output=True, text=True, timeout=20)
    except (OSError, subprocess.TimeoutExpired):
        return "not available"
    text = (done.stdout or done.stderr).strip().splitlines()
    return text[0] if text else "not available"


def describe(wrk: str | None) -> Machine:
    versions = {}
    for package in ("starlette", "uvicorn", "uvloop", "httptools", "orjson"):
        try:
            versions[package] = metadata.version(package)
        except metadata.PackageNotFoundError:
            versions[package] = "not installed"
    # wrk's first line: "wrk debian/4.1.0-3+b2 [epoll] Copyright (C) 2012 Will Glozer"
    wrk_line = _tool_version([wrk, "--version"]) if wrk else "wrk not installed"
    versions["wrk"] = wrk_line.removeprefix("wrk ").split(" [")[0].split(" Copyright")[0]
    versions["node"] = _tool_version(["node", "--version"])
    return Machine(
        nproc=os.cpu_count() or 0,
        cpu_model=_cpu_model(),
        memory_gib=_memory_gib(),
        python=platform.python_version(),
        versions=versions,
    )
