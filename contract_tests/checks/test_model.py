"""STATEFUL-MODEL: a hypothesis state machine keeps a model of the caller's unread and read ids
and checks the server against it after every step (list a page, read one, read again, read an
unknown id, read-all, count). schemathesis' stateful phase cannot assert "a second read is 404";
this can.

With a control plane every example starts from ``/_mock/reset`` plus fresh notifications. A real
server's data is spent as it goes: each example starts from what the server lists, the examples
share at most ``REAL_READS`` reads, there is no read-all (READ-ALL-COUNT spends the rest), and
the result says how many steps ran.
"""

from __future__ import annotations

import uuid

import pytest
from hypothesis import HealthCheck, Phase, settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    RuleBasedStateMachine,
    invariant,
    precondition,
    rule,
    run_state_machine_as_test,
)

from contract_tests import expect
from contract_tests.client import API, ClauseFailure
from contract_tests.plugin import note
from contract_tests.target import Target

REAL_READS = 3
MAX_WALK = 1000


def machine(target: Target, tally: dict[str, int], trace: list[str]) -> type[RuleBasedStateMachine]:
    controlled = target.control is not None

    class NotificationsModel(RuleBasedStateMachine):
        def __init__(self) -> None:
            super().__init__()
            tally["examples"] += 1
            trace.clear()
            if target.control is not None:
                target.control.reset()
                target.inject("a", 5)
            items = target.walk("a")
            if len(items) > MAX_WALK:
                pytest.skip(f"{len(items)} notifications: too many for the model to follow")
            self.order = [n["id"] for n in items]
            self.unread = {n["id"] for n in items if n["read_at"] is None}
            self.read = {n["id"] for n in items if n["read_at"] is not None}

        def _step(self, what: str) -> None:
            tally["steps"] += 1
            trace.append(what)

        @rule(
            offset=st.integers(0, 12),
            limit=st.integers(1, 8),
            unread_only=st.booleans(),
        )
        def list_page(self, offset: int, limit: int, unread_only: bool) -> None:
            self._step(f"list offset={offset} limit={limit} unread_only={unread_only}")
            body, exchange = target.call(
                "GET",
                API,
                params={"offset": offset, "limit": limit, "unread_only": unread_only},
                expect=200,
            )
            pool = [i for i in self.order if not unread_only or i in self.unread]
            want = pool[offset : offset + limit]
            got = [n["id"] for n in body["notifications"]]
            expect.that(
                got == want,
                f"page offset={offset} limit={limit} unread_only="
                f"{unread_only}: {got}, the model expects {want}",
                exchange,
            )
            expect.that(
                body["total"] == len(pool),
                f"total {body['total']}, the model has {len(pool)}",
                exchange,
            )
            expect.that(
                body["has_more"] is (offset + len(want) < len(pool)),
                f"has_more is {body['has_more']}",
                exchange,
            )
            for n in body["notifications"]:
                expect.that(
                    (n["read_at"] is None) is (n["id"] in self.unread),
                    f"{n['id']}: read_at {n['read_at']}, the model has it "
                    f"{'unread' if n['id'] in self.unread else 'read'}",
                    exchange,
                )

        @precondition(lambda self: bool(self.unread) and tally["reads_left"] > 0)
        @rule(data=st.data())
        def read_one(self, data: st.DataObject) -> None:
            self._step("read an unread one:")
            chosen = data.draw(st.sampled_from(sorted(self.unread)), label="unread id")
            trace[-1] += f" {chosen}"
            body, exchange = target.call("POST", f"{API}/{chosen}/read")
            expect.that(
                exchange.status == 200 and body == {"ok": True},
                f"marking unread {chosen} read answered {exchange.status} {body}",
                exchange,
            )
            self.unread.discard(chosen)
            self.read.add(chosen)
            tally["reads_left"] -= 1

        @precondition(lambda self: bool(self.read))
        @rule(data=st.data())
        def read_again(self, data: st.DataObject) -> None:
            self._step("read a read one again:")
            chosen = data.draw(st.sampled_from(sorted(self.read)), label="read id")
            trace[-1] += f" {chosen}"
            body, exchange = target.call("POST", f"{API}/{chosen}/read")
            expect.that(
                exchange.status == 404,
                f"marking already-read {chosen} read answered {exchange.status}, not 404",
                exchange,
            )
            expect.error_detail(body, exchange, 404)

        @rule()
        def read_unknown(self) -> None:
            self._step("read an unknown id")
            _, exchange = target.call("POST", f"{API}/{uuid.uuid4()}/read")
            expect.that(
                exchange.status == 404,
                f"marking an unknown id read answered {exchange.status}",
                exchange,
            )

        @precondition(lambda self: controlled)
        @rule()
        def read_all(self) -> None:
            self._step("read-all")
            body, exchange = target.call("POST", f"{API}/read-all", expect=200)
            expect.that(
                body == {"ok": True, "count": len(self.unread)},
                f"read-all answered {body}; the model has {len(self.unread)} unread",
                exchange,
            )
            self.read |= self.unread
            self.unread = set()

        @rule()
        def count(self) -> None:
            self._step("count")
            self.check_count()

        @invariant()
        def check_count(self) -> None:
            body, exchange = target.call("GET", f"{API}/unread-count", expect=200)
            expect.that(
                body["count"] == len(self.unread),
                f"unread count {body['count']}, the model has {len(self.unread)}",
                exchange,
            )

    return NotificationsModel


@pytest.mark.clause("STATEFUL-MODEL")
def test_stateful_model(request: pytest.FixtureRequest, target: Target) -> None:
    controlled = target.control is not None
    # a real server's reads are spent across every example, at most REAL_READS of them
    tally = {"examples": 0, "steps": 0, "reads_left": 1_000_000 if controlled else REAL_READS}
    trace: list[str] = []
    try:
        try:
            _run(target, tally, trace, controlled)
        except BaseExceptionGroup as group:  # hypothesis' FlakyFailure: the first real failure
            found = _first_failure(group)
            if found is None:
                raise
            raise found from None
    except ClauseFailure as exc:
        steps = [f"  {i}. {step}" for i, step in enumerate(trace, 1)][-12:]
        where = [exc.exchange.describe()] if exc.exchange is not None else []
        when = f"after {len(trace)} step(s)" if trace else "before any step"
        if not controlled:
            # the model knows only what the kit did: a notification created or read by anyone
            # else during the run (a live pipeline, another client) looks like a server bug
            when += "; if anything else touches this user's notifications, use a dedicated user"
        raise ClauseFailure(
            f"{exc} ({when})",
            exc.exchange,
            detail="\n".join([*(["the steps:", *steps] if steps else []), *where]),
        ) from None
    how = (
        ""
        if controlled
        else "; no read-all on a server without a control plane: READ-ALL-COUNT does it"
    )
    note(request, f"{tally['steps']} steps in {tally['examples']} example(s){how}")


def _first_failure(group: BaseExceptionGroup[BaseException]) -> ClauseFailure | None:
    for member in group.exceptions:
        if isinstance(member, ClauseFailure):
            return member
        if isinstance(member, BaseExceptionGroup):
            found = _first_failure(member)
            if found is not None:
                return found
    return None


def _run(target: Target, tally: dict[str, int], trace: list[str], controlled: bool) -> None:
    run_state_machine_as_test(
        machine(target, tally, trace),
        settings=settings(
            # the first example is hypothesis' simplest (one rule over and over): a few more
            max_examples=8 if controlled else 5,
            stateful_step_count=15 if controlled else 20,
            derandomize=True,
            database=None,
            deadline=None,
            suppress_health_check=list(HealthCheck),
            phases=[Phase.generate],
            report_multiple_bugs=False,
        ),
    )
