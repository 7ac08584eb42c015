"""The contract kit proved: it passes the correct mock and fails every broken variant on the
clause that variant breaks (issue 5, "Proving the kit").

Each variant (``tests/contract_variants``) is the correct mock with one contract violation,
served over real HTTP on a free port; the kit runs in-process against it with two users and
the control plane, and its JSON report must name the broken clause among the failed ones. In CI
each variant runs only the clauses it breaks (0.3 s instead of 10 s a variant); with
``CONTRACT_VARIANTS_EVERY_CLAUSE=1`` it runs every clause and must fail nothing beyond its
allowed ``collateral``, which is what such a run observed (python3 noxfile.py -s tests --
tests/test_contract_kit.py, about 11 minutes on two cores).

The "real server" path (no control plane, real time) is proved with the correct mock and five
variants; a --read-only run there must leave every notification as it was.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from contract_variants import VARIANTS, Variant, serve
from contract_variants.kit import KitRun, run_kit

from contract_tests.clauses import CLAUSES
from mock_server import MockConfig

MANUAL = MockConfig(clock="manual")
REAL_SERVER = MockConfig(clock="real", control=False, seed=5, notifications=100)
"""The "real server" path: no control plane, real time, seeded data (alice has 44 unread)."""
CORRECT = Variant("correct", frozenset(), "no bug: the bundled mock as it is")

EVERY_CLAUSE = os.environ.get("CONTRACT_VARIANTS_EVERY_CLAUSE") == "1"
"""Run each variant against every clause, not only those it breaks, so that the failures are
held to the variant's allowed collateral: about 10 s a variant instead of 0.4 s, so not in CI
(each variant's ``collateral`` is what such a run observed)."""
MOCK_SSE_TIMEOUT = ("--sse-timeout", "1")
"""On the manual clock every due event is written before the clock move returns, so a stream
read that waits longer than a second waits for something that will not come."""
REAL_PATH = (
    "stream-without-pings",
    "second-mark-read-succeeds",
    "list-leaks-other-users",
    "read-all-ignores-dataset-id",
    "expired-token-accepted-within-leeway",
)
"""Variants proved on the real-server path too, each on the clauses it breaks."""
BY_NAME = {v.name: v for v in VARIANTS}


def selection(broken: Variant) -> list[str]:
    """``--clause`` options for a variant: the clauses it breaks (with
    ``CONTRACT_VARIANTS_EVERY_CLAUSE=1``: none, so every clause runs)."""
    if EVERY_CLAUSE:
        return []
    return [arg for cid in CLAUSES if cid in broken.breaks for arg in ("--clause", cid)]


@pytest.fixture
def report(tmp_path: Path) -> Path:
    return tmp_path / "contract.json"


def _clause_ids(run: KitRun) -> set[str]:
    return set(run.clauses)


def test_kit_passes_the_correct_mock_with_every_clause_exercised(report: Path) -> None:
    # (its wall time is a benchmark's business: bench/contract_time.py, docs/benchmarks.md)
    with serve(CORRECT, MANUAL) as running:
        run = run_kit(running, report)
    assert _clause_ids(run) == set(CLAUSES), run.output
    assert run.failed == set(), run.explain(run.failed)
    assert run.skipped == set(), run.explain(run.skipped)
    assert run.exit_code == 0, run.output


@pytest.mark.parametrize("broken", VARIANTS, ids=[v.name for v in VARIANTS])
def test_kit_fails_the_variant_on_the_clause_it_breaks(broken: Variant, report: Path) -> None:
    with serve(broken, MANUAL) as running:
        run = run_kit(running, report, *MOCK_SSE_TIMEOUT, *selection(broken))
    missed = broken.breaks - run.failed
    assert not missed, (
        f"{broken.name} ({broken.bug}): the kit did not fail {sorted(missed)}\n"
        + run.explain(missed)
    )
    unexpected = run.failed - broken.breaks - broken.collateral
    assert not unexpected, (
        f"{broken.name}: the kit also failed clauses outside the allowed set\n"
        + run.explain(unexpected)
    )
    assert run.exit_code == 1, run.output


def test_every_clause_is_broken_by_some_variant() -> None:
    broken = set().union(*(v.breaks for v in VARIANTS))
    assert broken == set(CLAUSES), (
        f"clauses no variant breaks: {sorted(set(CLAUSES) - broken)}; "
        f"unknown clause ids: {sorted(broken - set(CLAUSES))}"
    )


def test_variants_name_only_known_clauses_and_have_unique_names() -> None:
    names = [v.name for v in VARIANTS]
    assert len(names) == len(set(names))
    for v in VARIANTS:
        assert v.breaks, f"{v.name} breaks nothing"
        assert v.bug, f"{v.name} has no description"
        assert "\n" not in v.bug, f"{v.name}: the description is one line"
        assert v.collateral.isdisjoint(v.breaks), v.name
        assert (v.breaks | v.collateral) <= set(CLAUSES), v.name


def test_kit_passes_a_correct_server_without_control_plane_on_real_time(report: Path) -> None:
    with serve(CORRECT, REAL_SERVER) as running:
        run = run_kit(running, report)
    assert run.failed == set(), run.explain(run.failed)
    for cid in run.skipped:
        assert CLAUSES[cid].streams, f"{cid} was skipped on a real server: {run.explain({cid})}"
        assert run.clauses[cid]["reason"], f"{cid} was skipped without a reason"
    assert run.exit_code == 0, run.output


@pytest.mark.parametrize("name", REAL_PATH)
def test_kit_fails_the_variant_on_a_real_server_too(name: str, report: Path) -> None:
    broken = BY_NAME[name]
    clauses = [arg for cid in sorted(broken.breaks) for arg in ("--clause", cid)]
    with serve(broken, REAL_SERVER) as running:
        run = run_kit(running, report, *clauses)
    assert broken.breaks <= run.failed, run.explain(broken.breaks)
    assert run.exit_code == 1, run.output


def test_read_only_run_marks_nothing(report: Path) -> None:
    # the real-server path, where nothing but the API changes the data; stream clauses only
    # read (and on real time only cost time), so they are left out of this run
    not_streaming = [arg for c in CLAUSES.values() if not c.streams for arg in ("--clause", c.id)]
    with serve(CORRECT, REAL_SERVER) as running:
        store = running.runtime.store
        before = {n.id: n.read_at for n in store.all_notifications()}
        run = run_kit(running, report, "--read-only", *not_streaming)
        after = {n.id: n.read_at for n in store.all_notifications()}
    assert after == before, "a --read-only run marked notifications read"
    assert run.failed == set(), run.explain(run.failed)
    for clause in CLAUSES.values():
        if clause.marks and clause.id != "SCHEMA-REST":  # it runs, without the mark operations
            assert clause.id in run.skipped, f"{clause.id} marks, yet ran under --read-only"
            assert run.clauses[clause.id]["reason"], f"{clause.id} skipped without a reason"
    assert run.exit_code == 0, run.output


def test_the_read_only_check_sees_a_run_that_marks(report: Path) -> None:
    # the comparison above can fail: the same server, one marking clause, no --read-only
    with serve(CORRECT, REAL_SERVER) as running:
        store = running.runtime.store
        before = {n.id: n.read_at for n in store.all_notifications()}
        run = run_kit(running, report, "--clause", "READ-AGAIN-404")
        after = {n.id: n.read_at for n in store.all_notifications()}
    assert run.exit_code == 0, run.output
    changed = [nid for nid, read_at in after.items() if read_at != before[nid]]
    assert len(changed) == 1, f"READ-AGAIN-404 marked {len(changed)} notifications, not one"
