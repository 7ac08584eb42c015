"""Broken variants of the mock, one contract violation each, that the contract kit must catch.

``VARIANTS`` is every variant; ``serve(variant, config)`` runs one on a free 127.0.0.1 port.
A variant is the correct mock composed with one bug, from outside (``base.py``): a store
subclass, a config value or pure ASGI middleware (``asgi.py``). The modules group them by what
they break: ``listing``, ``datasets``, ``reading``, ``isolation``, ``authn``, ``streams``,
``schema``.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator

from contract_variants import authn, datasets, isolation, listing, reading, schema, streams
from contract_variants.base import Variant
from contract_variants.serving import Running
from contract_variants.serving import serve as _serve
from mock_server import MockConfig

VARIANTS: tuple[Variant, ...] = (
    *schema.VARIANTS,
    *listing.VARIANTS,
    *datasets.VARIANTS,
    *reading.VARIANTS,
    *isolation.VARIANTS,
    *authn.VARIANTS,
    *streams.VARIANTS,
)


@contextlib.contextmanager
def serve(variant: Variant, config: MockConfig) -> Iterator[Running]:
    """Run ``variant`` built on ``config`` until the block ends."""
    app, runtime = variant.build(config)
    with _serve(app, runtime) as running:
        yield running


__all__ = ["VARIANTS", "Running", "Variant", "serve"]
