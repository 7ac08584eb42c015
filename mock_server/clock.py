"""The one source of time.

Every part of the mock that knows the time or waits asks a :class:`Clock`: stream pings and poll
ticks, ``created_at``, ``read_at``, token expiry, injected latency. Nothing else calls
``time.time``, ``datetime.now`` or ``asyncio.sleep``.

Three implementations:

* :class:`RealClock` follows the wall clock.
* :class:`ManualClock` stands still until told to move (``advance``/``set``); sleepers wake when
  the clock reaches their deadline (at or past it). Safe to move from any thread.
* :class:`ScaledClock` runs ``factor`` times faster than the wall clock, for demos.
"""

from __future__ import annotations

import asyncio
import heapq
import itertools
import threading
import time
from typing import Literal, Protocol

ClockMode = Literal["real", "manual", "scaled"]


class Clock(Protocol):
    """What the mock needs of time: the current instant and a way to wait for one."""

    @property
    def mode(self) -> ClockMode: ...

    def now(self) -> float:
        """Seconds since the Unix epoch, UTC."""
        ...

    async def sleep_until(self, deadline: float) -> None:
        """Return once :meth:`now` is at or past ``deadline``."""
        ...


class ClockError(ValueError):
    """A manual clock was asked to do something a clock cannot do (run backwards)."""


class RealClock:
    """The wall clock."""

    @property
    def mode(self) -> ClockMode:
        return "real"

    def now(self) -> float:
        return time.time()

    async def sleep_until(self, deadline: float) -> None:
        delay = deadline - time.time()
        while delay > 0:
            await asyncio.sleep(delay)
            delay = deadline - time.time()


class ScaledClock:
    """Wall-clock time running ``factor`` times faster, starting at ``start`` (default: now)."""

    def __init__(self, factor: float, start: float | None = None) -> None:
        if factor <= 0:
            raise ClockError("a scaled clock needs a positive factor")
        self._factor = factor
        self._start = time.time() if start is None else start
        self._origin = time.monotonic()

    @property
    def mode(self) -> ClockMode:
        return "scaled"

    def now(self) -> float:
        return self._start + (time.monotonic() - self._origin) * self._factor

    async def sleep_until(self, deadline: float) -> None:
        delay = deadline - self.now()
        while delay > 0:
            await asyncio.sleep(delay / self._factor)
            delay = deadline - self.now()


class _Sleeper:
    __slots__ = ("future", "loop")

    def __init__(self, loop: asyncio.AbstractEventLoop, future: asyncio.Future[None]) -> None:
        self.loop = loop
        self.future = future


class ManualClock:
    """A clock that moves only when told to.

    ``start`` defaults to the wall clock's now at creation, so tokens a client mints with its own
    clock are valid here for their lifetime, measured in manual time.
    """

    def __init__(self, start: float | None = None) -> None:
        self._now = time.time() if start is None else float(start)
        self._lock = threading.Lock()
        self._sleepers: list[tuple[float, int, _Sleeper]] = []
        self._seq = itertools.count()

    @property
    def mode(self) -> ClockMode:
        return "manual"

    def now(self) -> float:
        return self._now

    def advance(self, seconds: float) -> float:
        """Move forward by ``seconds`` (0 or more) and wake every sleeper now due."""
        if not seconds >= 0:  # also rejects NaN
            raise ClockError(f"the clock only moves forward; cannot advance by {seconds!r} s")
        with self._lock:
            self._now += seconds
            due = self._pop_due()
        self._wake(due)
        return self._now

    def set(self, instant: float) -> float:
        """Jump to ``instant`` (at or after now) and wake every sleeper now due."""
        with self._lock:
            if not instant >= self._now:
                raise ClockError("the clock never runs backwards")
            self._now = float(instant)
            due = self._pop_due()
        self._wake(due)
        return self._now

    async def sleep_until(self, deadline: float) -> None:
        loop = asyncio.get_running_loop()
        future: asyncio.Future[None] = loop.create_future()
        with self._lock:
            if deadline <= self._now:
                return
            heapq.heappush(self._sleepers, (deadline, next(self._seq), _Sleeper(loop, future)))
        await future

    def _pop_due(self) -> list[_Sleeper]:
        due: list[_Sleeper] = []
        while self._sleepers and self._sleepers[0][0] <= self._now:
            due.append(heapq.heappop(self._sleepers)[2])
        return due

    @staticmethod
    def _wake(sleepers: list[_Sleeper]) -> None:
        for sleeper in sleepers:
            if sleeper.loop.is_closed():
                continue
            sleeper.loop.call_soon_threadsafe(_resolve, sleeper.future)


def _resolve(future: asyncio.Future[None]) -> None:
    if not future.done():
        future.set_result(None)
