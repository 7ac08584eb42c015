"""What a variant is: the correct mock, composed with one bug, and the clauses that must see it.

    build(config) = middleware_n(... middleware_1(create_app(config', store=Store subclass)))

A variant never edits ``mock_server``: it swaps in a store subclass, changes config values, or
wraps the app in pure ASGI middleware (:mod:`contract_variants.asgi`).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from typing import Any

from starlette.types import ASGIApp

from mock_server import MockConfig, create_app
from mock_server.runtime import MockRuntime
from mock_server.store import Store

Wrap = Callable[[ASGIApp, MockRuntime], ASGIApp]
"""A middleware factory: the app to wrap and the runtime behind it (its users, its clock)."""


@dataclass(frozen=True, slots=True)
class Variant:
    """One contract violation, as a real backend would have it."""

    name: str
    """Names the violation; the proving test's id."""
    breaks: frozenset[str]
    """Clause ids the kit must report failed."""
    bug: str
    """One line: the bug, as it would be in a backend's code."""
    store: Callable[[], Store] | None = None
    wrap: tuple[Wrap, ...] = ()
    """Innermost first."""
    config: Mapping[str, Any] = field(default_factory=dict)
    """``MockConfig`` overrides."""
    collateral: frozenset[str] = frozenset()
    """Other clauses this bug is allowed to fail as well (the fewer, the sharper the kit)."""

    def build(self, config: MockConfig) -> tuple[ASGIApp, MockRuntime]:
        app = create_app(
            replace(config, **self.config), store=None if self.store is None else self.store()
        )
        runtime: MockRuntime = app.state.runtime
        wrapped: ASGIApp = app
        for wrap in self.wrap:
            wrapped = wrap(wrapped, runtime)
        return wrapped, runtime


def variant(
    name: str,
    breaks: str | set[str],
    bug: str,
    *,
    store: Callable[[], Store] | None = None,
    wrap: Wrap | tuple[Wrap, ...] = (),
    config: Mapping[str, Any] | None = None,
    collateral: set[str] | None = None,
) -> Variant:
    """A :class:`Variant`, with the clause ids given as one id or a set."""
    return Variant(
        name=name,
        breaks=frozenset({breaks} if isinstance(breaks, str) else breaks),
        bug=bug,
        store=store,
        wrap=wrap if isinstance(wrap, tuple) else (wrap,),
        config=dict(config or {}),
        collateral=frozenset(collateral or ()),
    )


class CountCache(Store):
    """A store whose unread counts are cached per (user, dataset), as a backend's cache layer
    would, cleared whenever notifications are added, read-all runs or the store is reset. What a
    single read does to the cache is the bug: the subclasses decide."""

    def __init__(self) -> None:
        super().__init__()
        self._counts: dict[tuple[str, str | None], int] = {}

    def unread_count(self, user_id: str, dataset_id: str | None = None) -> int:
        key = (user_id, dataset_id)
        if key not in self._counts:
            self._counts[key] = super().unread_count(user_id, dataset_id)
        return self._counts[key]

    def mark_all_read(self, user_id: str, dataset_id: str | None, at: int) -> int:
        self._counts.clear()
        return super().mark_all_read(user_id, dataset_id, at)

    def add(self, notification: Any) -> Any:
        self._counts.clear()
        return super().add(notification)

    def add_many(self, notifications: Any) -> int:
        self._counts.clear()
        return super().add_many(notifications)

    def rollback(self) -> None:
        self._counts.clear()
        super().rollback()
