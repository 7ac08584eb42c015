"""Contract-test kit for Visual Layer's Notifications API: checks any server against
``openapi.yaml``, clause by clause.

``python -m contract_tests --base-url URL --api-key KEY --api-secret SECRET`` (or
``contract_tests.main(argv) -> int`` in process). See ``clauses.py`` for what is checked.
"""

from __future__ import annotations

from collections.abc import Sequence


def main(argv: Sequence[str] | None = None) -> int:
    """Run the kit; returns the exit status (0 nothing failed, 1 a clause failed, 2 usage or
    pre-flight error). Imports the engine lazily so ``SpecValidator`` users pay nothing."""
    from contract_tests.runner import main as run_main

    return run_main(argv)


__all__ = ["main"]
