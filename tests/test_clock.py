"""The clocks: a manual clock moves only when told to and wakes its sleepers when it reaches
their deadline (at or past it); a scaled clock runs faster than the wall clock."""

from __future__ import annotations

import asyncio
import math
import threading
import time

import pytest

from mock_server.clock import Clock, ClockError, ManualClock, RealClock, ScaledClock


async def run_ready_callbacks() -> None:
    """Let the loop run what is ready (a few zero-length yields: no time passes)."""
    for _ in range(5):
        await asyncio.sleep(0)


def test_a_manual_clock_stands_still_until_moved() -> None:
    clock = ManualClock(start=1_000.0)
    assert clock.mode == "manual"
    assert clock.now() == clock.now() == 1_000.0
    assert clock.advance(2.5) == 1_002.5
    assert clock.set(2_000.0) == clock.now() == 2_000.0


def test_a_manual_clock_starts_at_the_wall_clocks_now_by_default() -> None:
    before = time.time()
    clock = ManualClock()
    assert before <= clock.now() <= time.time()


@pytest.mark.parametrize("seconds", [-0.001, -5, math.nan])
def test_a_manual_clock_refuses_to_advance_backwards_or_by_nan(seconds: float) -> None:
    clock = ManualClock(start=10.0)
    with pytest.raises(ClockError, match="only moves forward"):
        clock.advance(seconds)
    assert clock.now() == 10.0


def test_a_manual_clock_refuses_to_be_set_into_the_past() -> None:
    clock = ManualClock(start=10.0)
    with pytest.raises(ClockError, match="never runs backwards"):
        clock.set(9.999)
    assert clock.set(10.0) == 10.0  # now itself is fine


def test_sleeping_until_a_past_or_present_deadline_returns_at_once() -> None:
    clock = ManualClock(start=10.0)

    async def main() -> None:
        await clock.sleep_until(9.0)
        await clock.sleep_until(10.0)

    asyncio.run(main())


def test_a_sleeper_wakes_when_the_clock_reaches_its_deadline_not_before() -> None:
    clock = ManualClock(start=0.0)

    async def main() -> list[str]:
        log: list[str] = []

        async def sleeper(name: str, deadline: float) -> None:
            await clock.sleep_until(deadline)
            log.append(f"{name}@{clock.now()}")

        tasks = [asyncio.create_task(sleeper(n, d)) for n, d in (("b", 3.0), ("a", 1.0))]
        await run_ready_callbacks()  # both are asleep on the clock now
        clock.advance(0.999)
        await run_ready_callbacks()
        assert log == []
        clock.advance(0.001)  # exactly at a's deadline
        await asyncio.wait_for(tasks[1], 1)
        assert log == ["a@1.0"]
        clock.set(10.0)  # past b's
        await asyncio.wait_for(tasks[0], 1)
        return log

    assert asyncio.run(main()) == ["a@1.0", "b@10.0"]


def test_a_manual_clock_moved_from_another_thread_wakes_a_sleeper_on_its_loop() -> None:
    clock = ManualClock(start=0.0)

    async def main() -> float:
        task = asyncio.create_task(clock.sleep_until(5.0))
        await run_ready_callbacks()
        mover = threading.Thread(target=clock.advance, args=(5.0,))
        mover.start()
        await asyncio.wait_for(task, 5)
        mover.join()
        return clock.now()

    assert asyncio.run(main()) == 5.0


def test_a_sleeper_whose_loop_has_closed_does_not_break_the_clock() -> None:
    clock = ManualClock(start=0.0)

    async def abandon() -> None:
        task = asyncio.create_task(clock.sleep_until(1.0))
        await run_ready_callbacks()
        task.cancel()

    asyncio.run(abandon())  # its loop is closed now
    assert clock.advance(1.0) == 1.0


def test_a_scaled_clock_runs_factor_times_faster() -> None:
    clock = ScaledClock(factor=10_000, start=0.0)
    assert clock.mode == "scaled"
    wall = time.monotonic()
    asyncio.run(clock.sleep_until(50.0))  # 50 s of scaled time: 5 ms of real time
    assert clock.now() >= 50.0
    assert time.monotonic() - wall < 5  # a real 50 s wait would fail this


@pytest.mark.parametrize("factor", [0, -1])
def test_a_scaled_clock_needs_a_positive_factor(factor: float) -> None:
    with pytest.raises(ClockError, match="positive factor"):
        ScaledClock(factor)


def test_the_real_clock_follows_the_wall_clock() -> None:
    clock = RealClock()
    assert clock.mode == "real"
    before = time.time()
    assert before <= clock.now() <= time.time()
    asyncio.run(clock.sleep_until(before))  # in the past: returns at once


@pytest.mark.parametrize("clock", [RealClock(), ManualClock(), ScaledClock(2.0)])
def test_every_clock_satisfies_the_clock_protocol(clock: Clock) -> None:
    assert isinstance(clock.now(), float)
    assert clock.mode in ("real", "manual", "scaled")
