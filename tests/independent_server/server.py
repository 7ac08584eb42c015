"""The independent server on a free port in a background thread, with uvicorn."""

from __future__ import annotations

import asyncio
import random
import threading
from types import TracebackType
from typing import Self
from uuid import UUID

import uvicorn

from independent_server.app import StreamSettings, create_app
from independent_server.rest_variants import RestSettings
from independent_server.seed import SeedUser, seed_store
from independent_server.store import Store, User

# the pipeline's views; one name is not ASCII, so streams carry multi-byte UTF-8
VIEWS = ("icecream", "forklift", "crème glacée")


class IndependentServer:
    """``with IndependentServer() as s: s.url``.

    With ``batch_after`` (seconds), a stand-in for the monitoring pipeline processes one media
    batch that long after each stream opens: on the stream's dataset if it has one, else on the
    subscriber's datasets in turn. So a stream has news while a client reads it, and nothing is
    created while nobody subscribes (the contract kit lists and counts between its streams; its
    closed streams may linger on the server until the next write, so the server's count of open
    streams is no guide to when the kit is reading).
    """

    def __init__(
        self,
        *,
        stream: StreamSettings | None = None,
        batch_after: float | None = None,
        store: Store | None = None,
        rest: RestSettings | None = None,
    ) -> None:
        self.store = Store() if store is None else store
        self.users: dict[str, SeedUser] = seed_store(self.store)
        self._batch_after = batch_after
        self._rnd = random.Random(5)
        self._turn = 0
        hook = self._subscribed if batch_after is not None else None
        self.app = create_app(self.store, stream, rest, on_subscribe=hook)
        config = uvicorn.Config(
            self.app,
            host="127.0.0.1",
            port=0,
            log_level="warning",
            lifespan="off",
            timeout_graceful_shutdown=2,
        )
        self._server = uvicorn.Server(config)
        self._thread = threading.Thread(target=self._run, name="independent-server", daemon=True)
        self._loop: asyncio.AbstractEventLoop | None = None
        self.url = ""

    def _run(self) -> None:
        asyncio.run(self._serve())

    async def _serve(self) -> None:
        self._loop = asyncio.get_running_loop()
        await self._server.serve()

    def _subscribed(self, user: User, dataset_id: UUID | None) -> None:
        assert self._loop is not None
        assert self._batch_after is not None
        if dataset_id is None or dataset_id not in self.store.datasets:
            datasets = self.store.datasets.values()
            mine = sorted((d for d in datasets if user.id in d.members), key=lambda d: str(d.id))
            if not mine:
                return
            dataset_id = mine[self._turn % len(mine)].id
        view = VIEWS[self._turn % len(VIEWS)]
        self._turn += 1
        count = self._rnd.randint(1, 90)
        self._loop.call_later(
            self._batch_after, lambda: self.store.process_batch(dataset_id, view, count)
        )

    def process_batch(self, dataset_id: UUID, view_name: str = "icecream") -> int:
        """Alert every member of a dataset now; returns how many notifications were made."""
        return len(self.store.process_batch(dataset_id, view_name, 12))

    def __enter__(self) -> Self:
        self._thread.start()
        for _ in range(500):
            if self._server.started:
                break
            self._thread.join(0.01)
        else:
            raise RuntimeError("the independent server did not start within 5 s")
        port = self._server.servers[0].sockets[0].getsockname()[1]
        self.url = f"http://127.0.0.1:{port}"
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        if self._loop is not None:
            self._loop.call_soon_threadsafe(self.app.state.shutdown.set)
        self._server.should_exit = True
        self._thread.join(10)
