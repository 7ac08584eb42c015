"""The contract kit against a server it was not written beside: ``tests/independent_server``, a
FastAPI implementation written from openapi.yaml and the public documentation only. A correct
server must pass with zero failures; a skipped clause is allowed only with its reason (printed).
Real time: the stream clauses wait for real pings, so the full runs take about 25 s each."""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from independent_server import IndependentServer, Store
from independent_server.app import StreamSettings
from independent_server.store import NotificationRow

import contract_tests

# A batch is processed 1.5 s after each stream opens, so the stream clauses have news.
BATCH_AFTER = 1.5


def kit_argv(server: IndependentServer, report: Path, *extra: str) -> list[str]:
    a, b = server.users["carol"], server.users["dave"]
    return [
        "--base-url", server.url,
        "--api-key", a.api_key, "--api-secret", a.api_secret,
        "--api-key-b", b.api_key, "--api-secret-b", b.api_secret,
        "--json-report", str(report),
        *extra,
    ]  # fmt: skip


def run_kit(server: IndependentServer, report: Path, *extra: str) -> tuple[int, dict[str, Any]]:
    code = contract_tests.main(kit_argv(server, report, *extra))
    result: dict[str, Any] = json.loads(report.read_text())
    return code, result


def clauses_with(result: dict[str, Any], status: str) -> list[dict[str, Any]]:
    return [c for c in result["clauses"] if c["status"] == status]


def read_state(store: Store) -> dict[uuid.UUID, object]:
    """Every notification's read_at: what a read-only run must leave exactly as it was."""
    with store.lock:
        return {row.id: row.read_at for row in store.rows.values()}


@pytest.fixture
def server() -> Iterator[IndependentServer]:
    with IndependentServer(batch_after=BATCH_AFTER) as s:
        yield s


def test_the_kit_passes_an_independent_fastapi_server(
    server: IndependentServer, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, result = run_kit(server, tmp_path / "report.json")
    failed = clauses_with(result, "failed")
    skipped = clauses_with(result, "skipped")
    with capsys.disabled():
        for clause in skipped:
            print(f"\n{clause['id']} skipped: {clause['reason']}")
    assert [(c["id"], c["reason"]) for c in failed] == []
    assert code == 0
    assert all(c["reason"] for c in skipped)
    assert result["summary"]["passed"] + len(skipped) == len(result["clauses"])


def unread_counts(server: IndependentServer) -> dict[str, int]:
    users = {name: server.store.by_api_key(u.api_key) for name, u in server.users.items()}
    return {n: server.store.unread_count(u.id, None) for n, u in users.items() if u is not None}


def added_since(server: IndependentServer, before: dict[uuid.UUID, object]) -> dict[str, int]:
    """How many notifications the pipeline made for each user after ``before`` was taken."""
    users = {name: server.store.by_api_key(u.api_key) for name, u in server.users.items()}
    ids = {u.id: name for name, u in users.items() if u is not None}
    with server.store.lock:
        new = [row.user_id for row in server.store.rows.values() if row.id not in before]
    return {n: sum(1 for user_id in new if user_id == i) for i, n in ids.items()}


def test_a_read_only_run_marks_nothing_on_the_independent_server(
    server: IndependentServer, tmp_path: Path
) -> None:
    counts, before = unread_counts(server), read_state(server.store)
    # Short stream reads and fewer generated requests: this run is about what it leaves marked.
    code, result = run_kit(
        server,
        tmp_path / "report.json",
        "--read-only",
        "--sse-timeout",
        "4",
        "--max-examples",
        "10",
    )
    assert code == 0, [c["id"] for c in clauses_with(result, "failed")]
    added = added_since(server, before)  # made unread by the pipeline while streams were open
    assert unread_counts(server) == {n: counts[n] + added[n] for n in counts}
    after = read_state(server.store)
    assert {k: after[k] for k in before} == before
    assert clauses_with(result, "skipped")  # the marking clauses, each with its reason
    assert all(c["reason"] for c in clauses_with(result, "skipped"))


class OneTooManyUnread(Store):
    """A broken server: its unread count is one more than its unread list."""

    def unread_count(self, user_id: uuid.UUID, dataset_id: uuid.UUID | None) -> int:
        return super().unread_count(user_id, dataset_id) + 1


def test_the_same_run_fails_an_independent_server_with_one_wrong_count(tmp_path: Path) -> None:
    with IndependentServer(store=OneTooManyUnread()) as broken:
        code, result = run_kit(
            broken, tmp_path / "report.json", "--clause", "COUNT-MATCHES-UNREAD-TOTAL"
        )
    assert code == 1
    assert [c["id"] for c in clauses_with(result, "failed")] == ["COUNT-MATCHES-UNREAD-TOTAL"]


def test_the_read_only_comparison_sees_a_server_that_marks_on_listing(tmp_path: Path) -> None:
    with IndependentServer(store=MarksOnListing()) as broken:
        before = read_state(broken.store)
        run_kit(broken, tmp_path / "report.json", "--read-only", "--clause", "LIST-SHAPE")
        after = read_state(broken.store)
    assert {k: after[k] for k in before} != before


class MarksOnListing(Store):
    """A broken server: listing marks the first unread notification of the page read."""

    def page(
        self,
        user_id: uuid.UUID,
        *,
        limit: int,
        offset: int,
        unread_only: bool,
        dataset_id: uuid.UUID | None,
    ) -> tuple[list[NotificationRow], int]:
        rows, total = super().page(
            user_id, limit=limit, offset=offset, unread_only=unread_only, dataset_id=dataset_id
        )
        next((r for r in rows if self.mark_read(user_id, r.id)), None)
        return rows, total


STREAM_CLAUSES = (
    "SCHEMA-STREAM",
    "STREAM-CONTENT-TYPE",
    "STREAM-PING-CADENCE",
    "STREAM-FRAMING",
    "STREAM-NOTIFICATION-EVENT",
)
LEGAL_STREAMS = {
    # each of these once failed a correct server: the kit must read them as any SSE client does
    "a CRLF cut between its CR and LF": StreamSettings(split="crlf"),
    "a write cut inside a UTF-8 character": StreamSettings(split="utf8"),
    "a leading byte-order mark": StreamSettings(bom=True),
    "data before event in each block": StreamSettings(data_first=True),
    "a gzip-encoded stream": StreamSettings(gzip=True),
}


@pytest.mark.parametrize("settings", LEGAL_STREAMS.values(), ids=list(LEGAL_STREAMS))
def test_the_kit_reads_every_legal_way_of_writing_the_stream(
    settings: StreamSettings, tmp_path: Path
) -> None:
    with IndependentServer(stream=settings, batch_after=BATCH_AFTER) as server:
        selected = [arg for cid in STREAM_CLAUSES for arg in ("--clause", cid)]
        code, result = run_kit(server, tmp_path / "report.json", "--sse-timeout", "4.5", *selected)
    outcome = {c["id"]: (c["status"], c["reason"]) for c in result["clauses"]}
    assert {cid: outcome[cid] for cid in STREAM_CLAUSES if outcome[cid][0] != "passed"} == {}
    assert code == 0
