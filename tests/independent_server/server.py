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
from independent_server.store import Store


class IndependentServer:
    """``with IndependentServer() as s: s.url``. ``batch_every`` seconds (if given) and while a
    stream is open, the monitoring pipeline processes a media batch on one of the datasets, so a
    stream has news to deliver; gated on open streams so that the contract kit, which reads one
    thing at a time, never sees a notification appear in the middle of a pagination walk."""

    def __init__(
        self,
        *,
        stream: StreamSettings | None = None,
        batch_every: float | None = None,
        store: Store | None = None,
        rest: RestSettings | None = None,
    ) -> None:
        self.store = Store() if store is None else store
        self.users: dict[str, SeedUser] = seed_store(self.store)
        self.app = create_app(self.store, stream, rest)
        self._batch_every = batch_every
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
        pipeline = asyncio.create_task(self._pipeline()) if self._batch_every else None
        await self._server.serve()
        if pipeline is not None:
            pipeline.cancel()

    async def _pipeline(self) -> None:
        assert self._batch_every is not None
        rnd = random.Random(5)
        datasets = sorted(self.store.datasets, key=str)
        views = ("icecream", "forklift", "crème glacée")
        turn = 0
        while True:
            await asyncio.sleep(self._batch_every)
            if not self.app.state.streams.open:
                continue
            # round robin, so every dataset has news within len(datasets) batches
            dataset = datasets[turn % len(datasets)]
            self.store.process_batch(dataset, views[turn % len(views)], rnd.randint(1, 90))
            turn += 1

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
