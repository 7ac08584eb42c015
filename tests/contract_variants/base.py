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
