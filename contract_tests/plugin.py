"""The pytest plugin a run is made of: it carries the target to the clause tests (as fixtures),
orders and skips them, and collects one :class:`Outcome` per test, by clause id."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Generator
from typing import Any

import pytest

from contract_tests.clauses import CLAUSE_IDS, CLAUSES, Clause
from contract_tests.client import ClauseFailure
from contract_tests.results import FAILED, PASSED, SKIPPED, Outcome
from contract_tests.target import Target

# read-all and the model consume a real server's unread data: they run last, in this order
# (and schemathesis, whose generated read-alls would clear everything, runs after them all)
_LAST = (
    "READ-ALL-DATASET-SCOPE",
    "STATEFUL-MODEL",
    "ISOLATION-READ-ALL",
    "READ-ALL-COUNT",
    "SCHEMA-REST",
)


def _order(clause_id: str) -> tuple[int, int]:
    clause = CLAUSES[clause_id]
    if clause_id in _LAST:
        return (2, _LAST.index(clause_id))
    return (1 if clause.marks else 0, CLAUSE_IDS.index(clause_id))


def clause_of(item: pytest.Item) -> Clause | None:
    marker = item.get_closest_marker("clause")
    return CLAUSES.get(str(marker.args[0])) if marker and marker.args else None


def skip_reason(clause: Clause, target: Target) -> str | None:
    """Why ``clause`` cannot run against this target with these options, if it cannot."""
    options = target.options
    if options.clauses and clause.id not in options.clauses:
        return "not selected (--clause)"
    if clause.marks and options.read_only and clause.id != "SCHEMA-REST":
        return "marks notifications read (--read-only)"
    if clause.needs_mint and not target.can_mint:
        return "needs --api-key and --api-secret to mint tokens (only --token was given)"
    if clause.needs_b and not target.has_b:
        return "needs a second user (--api-key-b and --api-secret-b)"
    return None


class KitPlugin:
    """Registered with ``pytest.main(..., plugins=[KitPlugin(target)])``."""

    def __init__(self, target: Target) -> None:
        self._target = target
        self.outcomes: dict[str, list[Outcome]] = defaultdict(list)
        self.seconds: dict[str, float] = defaultdict(float)
        self.errors: list[str] = []

    # -- fixtures ----------------------------------------------------------------------------

    @pytest.fixture
    def target(self) -> Target:
        """The server under test; with a control plane, reset to its start state first."""
        self._target.http.history.clear()
        if self._target.control is not None:
            self._target.control.reset()
        return self._target

    # -- collection --------------------------------------------------------------------------

    def pytest_configure(self, config: pytest.Config) -> None:
        config.addinivalue_line("markers", "clause(id): the clause id a test checks")

    def pytest_collection_modifyitems(self, items: list[pytest.Item]) -> None:
        for item in items:
            clause = clause_of(item)
            if clause is None:
                continue
            reason = skip_reason(clause, self._target)
            if reason:
                item.add_marker(pytest.mark.skip(reason=reason))
        items.sort(key=lambda i: _order(c.id) if (c := clause_of(i)) else (3, 0))

    def pytest_collectreport(self, report: pytest.CollectReport) -> None:
        if report.failed:
            self.errors.append(f"{report.nodeid}: {report.longreprtext}")

    # -- outcomes ----------------------------------------------------------------------------

    @pytest.hookimpl(hookwrapper=True)
    def pytest_runtest_makereport(
        self, item: pytest.Item, call: pytest.CallInfo[None]
    ) -> Generator[None, Any, None]:
        outcome = yield
        report: pytest.TestReport = outcome.get_result()
        clause = clause_of(item)
        if clause is None:
            return
        if report.when == "call" or (report.when == "setup" and report.outcome != "passed"):
            self.seconds[clause.id] += call.duration
            self.outcomes[clause.id].append(self._outcome(item, report, call))

    def _outcome(
        self, item: pytest.Item, report: pytest.TestReport, call: pytest.CallInfo[None]
    ) -> Outcome:
        if report.skipped:
            longrepr = report.longrepr
            reason = longrepr[2] if isinstance(longrepr, tuple) else str(longrepr)
            return Outcome(SKIPPED, reason.removeprefix("Skipped: "))
        if report.passed:
            notes = getattr(item, "kit_notes", None)
            return Outcome(PASSED, "; ".join(notes) if notes else None)
        exc = call.excinfo.value if call.excinfo else None
        message = _message(exc) if exc is not None else report.longreprtext
        if isinstance(exc, ClauseFailure):
            return Outcome(FAILED, message, exc.repro, self._detail(exc))
        # an unexpected error: show the last exchange, and where it happened
        exchange = self._target.http.last
        where = report.longreprtext.strip().splitlines()[-1:] if report.longreprtext else []
        detail = "\n".join([*(where), *([exchange.describe()] if exchange else [])]) or None
        return Outcome(FAILED, message, exchange.curl() if exchange else None, detail)

    def _detail(self, exc: ClauseFailure) -> str | None:
        """The failing exchange, and the one it was compared with (the latest other one:
        most clauses compare two answers)."""
        if exc.exchange is None or exc.detail != exc.exchange.describe():
            return exc.detail
        history = self._target.http.history
        if exc.exchange not in history:
            return exc.detail
        at = history.index(exc.exchange)
        other = history[-1] if at < len(history) - 1 else (history[at - 1] if at else None)
        if other is None:
            return exc.detail
        return f"{exc.detail}\ncompared with:\n{other.describe(300)}"


def _message(exc: BaseException) -> str:
    text = str(exc).strip()
    if not isinstance(exc, AssertionError):
        text = f"{type(exc).__name__}: {text}"
    first = text.splitlines()[0] if text else type(exc).__name__
    return first[:500]


def note(request: pytest.FixtureRequest, text: str) -> None:
    """Attach a sentence to the clause's result (how much it could exercise)."""
    notes: list[str] = request.node.__dict__.setdefault("kit_notes", [])
    notes.append(text)
