"""The contract kit proved: it passes the correct mock and fails every broken variant on the
clause that variant breaks (issue 5, "Proving the kit").

Each variant (``tests/contract_variants``) is the correct mock with one contract violation,
served over real HTTP on a free port; the kit runs in-process against it with two users and
the control plane, and its JSON report must name the broken clause among the failed ones and
fail nothing beyond the variant's small allowed collateral.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from contract_tests.clauses import CLAUSES
from contract_variants import VARIANTS, Variant, serve
from contract_variants.base import variant
from contract_variants.kit import KitRun, run_kit
from mock_server import MockConfig

MANUAL = MockConfig(clock="manual")
CORRECT = variant("correct", set(), "no bug: the bundled mock as it is")


@pytest.fixture
def report(tmp_path: Path) -> Path:
    return tmp_path / "contract.json"


def _clause_ids(run: KitRun) -> set[str]:
    return set(run.clauses)


def test_kit_passes_the_correct_mock_with_every_clause_exercised(report: Path) -> None:
    with serve(CORRECT, MANUAL) as running:
        run = run_kit(running, report)
    assert _clause_ids(run) == set(CLAUSES), run.output
    assert run.failed == set(), run.explain(run.failed)
    assert run.skipped == set(), run.explain(run.skipped)
    assert run.exit_code == 0, run.output


@pytest.mark.parametrize("broken", VARIANTS, ids=[v.name for v in VARIANTS])
def test_kit_fails_the_variant_on_the_clause_it_breaks(broken: Variant, report: Path) -> None:
    with serve(broken, MANUAL) as running:
        run = run_kit(running, report)
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
        assert v.collateral.isdisjoint(v.breaks), v.name
        assert (v.breaks | v.collateral) <= set(CLAUSES), v.name
