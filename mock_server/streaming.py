"""The notification stream: one scheduler per app drives every open stream.

Each stream keeps its own schedule, as the real server's per-connection loop does: nothing is
sent on connect; every poll interval after the connection opened it sends the notifications
stored for its user (and dataset) since its last poll, and every ping interval a ping. When a
poll and a ping fall due together, the poll goes first. An event is due when the clock reaches
its due time (at or past).

    clock ──> Scheduler.run_due() ──> Subscription queue ──> EventStreamResponse writer ──> socket
                (one task per app)      (bounded list)         (the connection's own task)

The scheduler never waits on a client: it appends encoded events to each stream's bounded
queue. A client whose queue is full is too slow and is dropped (its writer is cancelled), not
buffered without limit. A stream that ends (client gone, drop fault, shutdown) unsubscribes in a
``finally``: no task, queue or heap entry outlives it.

``settle()`` makes tests deterministic: after a manual clock moves, it runs everything that
came due and returns once every open stream has written it.
"""

from __future__ import annotations

import asyncio
import heapq
import itertools
import logging

import anyio
from starlette.types import Receive, Scope, Send

from mock_server.clock import Clock
from mock_server.faults import Faults
from mock_server.sse import PING, encode_event
from mock_server.store import Store

log = logging.getLogger("mock_server.streaming")

_POLL, _PING = 0, 1
_ERROR = encode_event("error", '{"detail":"Internal error while polling notifications"}')
_HEADERS = [
    (b"content-type", b"text/event-stream; charset=utf-8"),
    (b"cache-control", b"no-cache"),
    (b"x-accel-buffering", b"no"),
]


class Subscription:
    """One open stream: who it is for, where its poll cursor is, and what waits to be sent."""

    __slots__ = (
        "closed",
        "cursor",
        "dataset_id",
        "dropped",
        "pending",
        "queue",
        "scope",
        "sending",
        "user_id",
        "waiter",
    )

    def __init__(self, user_id: str, dataset_id: str | None, cursor: int) -> None:
        self.user_id = user_id
        self.dataset_id = dataset_id
        self.cursor = cursor
        # a list, not a deque, and a bare future, not an Event: each of those two would cost
        # ~800 bytes per open stream, and 1,000 idle streams are the case to be cheap in
        self.queue: list[bytes] = []
        self.waiter: asyncio.Future[None] | None = None  # the writer waits on it for events
        self.pending = 0  # events queued or being written
        self.sending = False  # the writer is inside send(): its chunk is with the server
        self.closed = False
        self.dropped = False
        self.scope: anyio.CancelScope | None = None

    def wake(self) -> None:
        """Wake the writer (events queued, or the stream closed)."""
        waiter = self.waiter
        if waiter is not None and not waiter.done():
            waiter.set_result(None)


class Scheduler:
    """Drives every stream of one app from one clock."""

    def __init__(
        self,
        store: Store,
        clock: Clock,
        faults: Faults,
        *,
        ping_interval: float,
        poll_interval: float,
        queue_size: int,
    ) -> None:
        self._store = store
        self._clock = clock
        self._faults = faults
        self._ping_interval = ping_interval
        self._poll_interval = poll_interval
        self._queue_size = queue_size
        self._subs: set[Subscription] = set()
        self._heap: list[tuple[float, int, int, Subscription]] = []
        self._order = itertools.count()
        self._dead = 0
        self._changed = asyncio.Event()
        self._progress = asyncio.Event()

    @property
    def subscribers(self) -> int:
        return len(self._subs)

    def subscribe(self, user_id: str, dataset_id: str | None) -> Subscription:
        """Open a stream now. Call before sending headers, so the clock may move at once."""
        _, cursor = self._store.arrived_since(user_id, self._store.sequence)
        sub = Subscription(user_id, dataset_id, cursor)
        self._subs.add(sub)
        now = self._clock.now()
        head = self._heap[0][0] if self._heap else None
        self._push(now + self._poll_interval, _POLL, sub)
        self._push(now + self._ping_interval, _PING, sub)
        if head is None or self._heap[0][0] < head:
            self._changed.set()
        return sub

    def unsubscribe(self, sub: Subscription) -> None:
        if sub not in self._subs:
            return
        self._subs.discard(sub)
        sub.closed = True
        sub.queue.clear()
        self.written(sub, sub.pending)
        self._dead += 2
        if self._dead * 2 > len(self._heap):
            self._heap = [e for e in self._heap if not e[3].closed]
            heapq.heapify(self._heap)
            self._dead = 0

    def rebase(self) -> None:
        """After a reset: what the store now holds is not new to any open stream."""
        for sub in self._subs:
            _, sub.cursor = self._store.arrived_since(sub.user_id, self._store.sequence)

    def close_all(self) -> None:
        """End every stream cleanly (server shutdown): writers flush and finish."""
        for sub in list(self._subs):
            self._close(sub)

    async def close_all_and_wait(self, limit: float) -> int:
        """End every stream and return once their writers have flushed and finished.

        Returns how many streams were open. Clients see a clean end of stream (browsers'
        EventSource then reconnects), which also makes a handy fence in tests.
        """
        count = len(self._subs)
        self.close_all()
        try:
            async with asyncio.timeout(limit):
                while self._subs:
                    self._progress.clear()
                    await self._progress.wait()
        except TimeoutError:
            log.warning("%d streams did not finish within %.1f s", len(self._subs), limit)
        return count

    def run_due(self) -> None:
        """Send everything due at the clock's now, in due order."""
        now = self._clock.now()
        heap = self._heap
        while heap and heap[0][0] <= now:
            due, kind, _, sub = heapq.heappop(heap)
            if sub.closed:
                self._dead = max(0, self._dead - 1)
                continue
            if kind == _POLL:
                self._poll(sub)
                if not sub.closed:
                    self._push(due + self._poll_interval, _POLL, sub)
            else:
                self._send(sub, PING)
                self._push(due + self._ping_interval, _PING, sub)

    async def settle(self, limit: float) -> None:
        """Run what is due, then return once every open stream has handed it to the server.

        A stream that a due event closed (a drop fault) is waited for until it has ended and
        unsubscribed. A writer blocked inside ``send`` is back-pressured by a client that stopped
        reading: its earlier chunk is already with the server and it is not waited for (it is
        dropped once its queue fills). ``limit`` real seconds bound the wait all the same.
        """
        self.run_due()
        try:
            async with asyncio.timeout(limit):
                while any((s.pending or s.closed) and not s.sending for s in self._subs):
                    self._progress.clear()
                    await self._progress.wait()
        except TimeoutError:
            log.warning("streams did not write their due events within %.1f s", limit)

    async def run(self) -> None:
        """The scheduler's task: sleep on the clock until the next due event, run it, repeat."""
        while True:
            self._changed.clear()
            if not self._heap:
                await self._changed.wait()
                continue
            sleeper = asyncio.ensure_future(self._clock.sleep_until(self._heap[0][0]))
            changed = asyncio.ensure_future(self._changed.wait())
            try:
                await asyncio.wait({sleeper, changed}, return_when=asyncio.FIRST_COMPLETED)
            finally:
                sleeper.cancel()
                changed.cancel()
            self.run_due()

    # -- internals ---------------------------------------------------------------------------

    def _push(self, due: float, kind: int, sub: Subscription) -> None:
        heapq.heappush(self._heap, (due, kind, next(self._order), sub))

    def _poll(self, sub: Subscription) -> None:
        if self._faults.take_sse_drop():
            self._close(sub)
            return
        if self._faults.take_sse_error():
            self._send(sub, _ERROR)
        try:
            fresh, sub.cursor = self._store.arrived_since(sub.user_id, sub.cursor)
            for n in fresh:
                if sub.dataset_id is None or n.dataset_id == sub.dataset_id:
                    self._send(sub, b"event: notification\ndata: " + n.to_json() + b"\n\n")
        except Exception:  # the documented behaviour: an error event, the stream stays open
            log.exception("polling notifications failed")
            self._send(sub, _ERROR)

    def _send(self, sub: Subscription, chunk: bytes) -> None:
        if sub.closed:
            return
        if len(sub.queue) >= self._queue_size:
            log.warning(
                "dropping a stream whose client cannot keep up (%d events waiting)", len(sub.queue)
            )
            sub.dropped = True
            self._close(sub)
            if sub.scope is not None:
                sub.scope.cancel()
            return
        sub.queue.append(chunk)
        sub.pending += 1
        sub.wake()

    def _close(self, sub: Subscription) -> None:
        sub.closed = True
        sub.wake()

    def written(self, sub: Subscription, count: int) -> None:
        """A writer reports ``count`` events written (or discarded with their stream)."""
        sub.pending = max(0, sub.pending - count)
        self._progress.set()


class EventStreamResponse:
    """The ASGI response of one stream. The subscription already exists when it is called."""

    def __init__(self, scheduler: Scheduler, sub: Subscription) -> None:
        self._scheduler = scheduler
        self._sub = sub

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        sub = self._sub
        watcher: asyncio.Task[None] | None = None
        try:
            await send({"type": "http.response.start", "status": 200, "headers": _HEADERS})
            # a cancel scope and a plain task rather than a task group: the same cancellation,
            # a few kilobytes less per open stream
            with anyio.CancelScope() as cancel_scope:
                sub.scope = cancel_scope
                watcher = asyncio.ensure_future(self._watch_disconnect(receive))
                await self._write(send)
            if not sub.dropped:
                await send({"type": "http.response.body", "body": b"", "more_body": False})
        except OSError:  # the client went away mid-write
            pass
        finally:
            if watcher is not None:
                watcher.cancel()
            self._scheduler.unsubscribe(sub)

    async def _write(self, send: Send) -> None:
        sub = self._sub
        loop = asyncio.get_running_loop()
        while True:
            while not sub.queue:
                if sub.closed:
                    return
                sub.waiter = loop.create_future()
                try:
                    await sub.waiter
                finally:
                    sub.waiter = None
            count = len(sub.queue)
            chunk = b"".join(sub.queue)
            sub.queue.clear()
            sub.sending = True
            try:
                await send({"type": "http.response.body", "body": chunk, "more_body": True})
            finally:
                sub.sending = False
            self._scheduler.written(sub, count)

    async def _watch_disconnect(self, receive: Receive) -> None:
        while True:
            message = await receive()
            if message["type"] == "http.disconnect":
                self._sub.closed = True
                if self._sub.scope is not None:
                    self._sub.scope.cancel()
                return
