"""One clause's outcome, and how the outcomes of its tests add up."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from contract_tests.clauses import Clause

PASSED, FAILED, SKIPPED = "passed", "failed", "skipped"


@dataclass(frozen=True, slots=True)
class Outcome:
    """What one test (one parametrisation) of a clause did."""

    status: str
    reason: str | None = None
    repro: str | None = None
    detail: str | None = None


@dataclass(frozen=True, slots=True)
class ClauseResult:
    """A clause's verdict: failed if any of its tests failed, skipped if none ran."""

    clause: Clause
    status: str
    reason: str | None
    repro: str | None
    detail: str | None
    seconds: float = 0.0

    @classmethod
    def combine(
        cls,
        clause: Clause,
        outcomes: Iterable[Outcome],
        seconds: float = 0.0,
        missing: str = "not exercised",
    ) -> ClauseResult:
        got = list(outcomes)
        for status in (FAILED, PASSED, SKIPPED):
            picked = [o for o in got if o.status == status]
            if picked:
                first = picked[0]
                reason = first.reason
                if status == PASSED:
                    notes = [o.reason for o in got if o.reason]
                    reason = "; ".join(dict.fromkeys(notes)) or None
                return cls(clause, status, reason, first.repro, first.detail, seconds)
        return cls(clause, SKIPPED, missing, None, None, seconds)
