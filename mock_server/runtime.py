"""Everything one mock app owns, built from a :class:`MockConfig`: clock, store, users, auth,
faults and the stream scheduler, plus the operations the control plane and the library share
(inject, batches, reset, clock moves)."""

from __future__ import annotations

import contextlib
import gc
import random
import uuid
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import replace
from typing import Any

from mock_server.auth import Authenticator, mint_token
from mock_server.clock import Clock, ManualClock, RealClock, ScaledClock
from mock_server.config import MockConfig
from mock_server.errors import Conflict, NotFound
from mock_server.faults import Faults
from mock_server.fixtures import Directory, FieldError, build_notification, load_fixtures
from mock_server.models import Dataset, Notification, User
from mock_server.seed import generate
from mock_server.spec import ApiSpec, load_spec
from mock_server.store import Store
from mock_server.streaming import Scheduler
from mock_server.timefmt import format_micros, to_micros


class EntryError(ValueError):
    """Entry ``index`` of an injection has a bad ``field``."""

    def __init__(self, index: int, field: str, message: str) -> None:
        super().__init__(message)
        self.index = index
        self.field = field


@contextlib.contextmanager
def _gc_paused() -> Iterator[None]:
    """Seeding allocates millions of objects and not one reference cycle: left running, the
    cyclic collector rescans the growing heap over and over for nothing (a quarter of the
    seeding time at a million)."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def make_clock(config: MockConfig) -> Clock:
    if config.clock == "manual":
        return ManualClock()
    if config.clock == "scaled":
        return ScaledClock(config.clock_factor)
    return RealClock()


class MockRuntime:
    """The state and behaviour behind one mock app."""

    def __init__(
        self, config: MockConfig, *, store: Store | None = None, clock: Clock | None = None
    ) -> None:
        self.config = config
        self.clock: Clock = clock if clock is not None else make_clock(config)
        self.spec: ApiSpec = load_spec(config.spec_path)
        start = self.now_us()
        # one pause for the whole start state: each re-enabling costs a collection over
        # everything allocated while paused
        with _gc_paused():
            fixtures = load_fixtures(config.fixtures_dir, now=start)
            directory = fixtures.directory
            initial = list(fixtures.notifications)
            if config.seed is not None or config.notifications is not None:
                count = config.notifications if config.notifications is not None else 100
                seeded = generate(config.seed or 0, count, directory, now=start)
                datasets = dict(directory.datasets)
                datasets.update((d.dataset_id, d) for d in seeded.datasets)
                directory = replace(directory, datasets=datasets)
                initial.extend(seeded.notifications)
            self.directory: Directory = directory
            # The start state is stored as built, and reset rolls the store back to it: the
            # store notes what changes after its checkpoint, so a reset costs the changes
            # made since, not the size of the start state.
            self.store = store if store is not None else Store()
            self.store.add_many(initial)
            self.store.checkpoint()
        self.faults = Faults()
        self._rng = random.Random(config.seed)
        self.auth = Authenticator(directory.users, self.clock)
        self.scheduler = Scheduler(
            self.store,
            self.clock,
            self.faults,
            ping_interval=config.ping_interval,
            poll_interval=config.poll_interval,
            queue_size=config.stream_queue_size,
        )

    @property
    def users(self) -> Mapping[str, User]:
        return self.directory.users

    def now_us(self) -> int:
        return to_micros(self.clock.now())

    def token(self, user: User, ttl: float | None = None) -> str:
        """A token for ``user`` minted at the mock's now."""
        return mint_token(
            user, now=self.clock.now(), ttl=self.config.token_ttl if ttl is None else ttl
        )

    # -- state -------------------------------------------------------------------------------

    def reset(self) -> None:
        """Back to the start state with no faults; the clock keeps its time."""
        self.faults.clear()
        self.store.rollback()
        self.scheduler.rebase()

    def inject(self, entries: Sequence[Mapping[str, Any]]) -> list[Notification]:
        """Complete and store notifications, all or none.

        Raises ``KeyError(user)`` for an unknown user, :class:`EntryError` for a bad field and
        ``DuplicateNotification`` for a taken id.
        """
        now = self.now_us()
        built = []
        for i, entry in enumerate(entries):
            try:
                built.append(build_notification(entry, self.directory, now=now))
            except FieldError as exc:
                raise EntryError(i, exc.field, str(exc)) from None
        self.store.add_many(built)
        return built

    def process_batch(
        self,
        dataset_ref: str,
        *,
        view_name: str | None = None,
        result_count: int | None = None,
        batch_id: str | None = None,
    ) -> tuple[Dataset, str, list[Notification]]:
        """A processed media batch: every alerting view of the dataset (or the one named)
        alerts every member, all with one ``batch_id``."""
        dataset = self.directory.find_dataset(dataset_ref)
        if dataset is None:
            raise NotFound(f"Unknown dataset {dataset_ref!r}")
        views = [v for v in dataset.views if view_name is None or v.name == view_name]
        if not views:
            raise NotFound(f"Dataset {dataset.name!r} has no alerting view {view_name!r}")
        batch = batch_id or str(uuid.uuid4())
        now = self.now_us()
        made = []
        for view in views:
            count = result_count if result_count is not None else self._rng.randint(1, 500)
            meta = {
                "batch_id": batch,
                "is_alert": True,
                "view_name": view.name,
                "dataset_name": dataset.name,
                "result_count": count,
            }
            for member in dataset.members:
                made.append(
                    Notification(
                        id=str(uuid.uuid4()),
                        user_id=self.users[member].user_id,
                        entity_type="saved_view",
                        entity_id=view.entity_id,
                        title="",
                        message=None,
                        metadata=meta,
                        dataset_id=dataset.dataset_id,
                        created_at=now,
                    )
                )
        self.store.add_many(made)
        return dataset, batch, made

    # -- clock -------------------------------------------------------------------------------

    def _manual(self) -> ManualClock:
        if not isinstance(self.clock, ManualClock):
            raise Conflict(
                f"The clock is {self.clock.mode}; start the mock with --clock manual to move it"
            )
        return self.clock

    async def advance(self, seconds: float) -> None:
        """Move a manual clock; returns once every event that came due has been written."""
        self._manual().advance(seconds)
        await self.scheduler.settle(self.config.settle_timeout)

    async def set_time(self, micros: int) -> None:
        self._manual().set(micros / 1_000_000)
        await self.scheduler.settle(self.config.settle_timeout)

    async def close_streams(self) -> int:
        """End every open stream cleanly; returns once they have finished writing."""
        return await self.scheduler.close_all_and_wait(self.config.settle_timeout)

    def clock_info(self) -> dict[str, Any]:
        return {"now": format_micros(self.now_us()), "mode": self.clock.mode}

    def health(self) -> dict[str, Any]:
        return {
            "status": "ok",
            "users": len(self.users),
            "notifications": len(self.store),
            "streams": self.scheduler.subscribers,
            "clock": self.clock_info(),
        }
