"""The run's report: a table for people, JSON for tools, JUnit XML for CI (one testcase per
clause, named by its id)."""

from __future__ import annotations

import json
import textwrap
import xml.etree.ElementTree as ET
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from contract_tests.results import FAILED, PASSED, SKIPPED, ClauseResult

_MARK = {PASSED: "passed", FAILED: "FAILED", SKIPPED: "skipped"}
_WIDTH = 110


def summary(results: Sequence[ClauseResult]) -> dict[str, int]:
    return {s: sum(1 for r in results if r.status == s) for s in (PASSED, FAILED, SKIPPED)}


def render_table(base_url: str, results: Sequence[ClauseResult], seconds: float) -> str:
    """Each clause on one line (id, doc sentence, verdict and why); then each failure in full."""
    id_w = max(len(r.clause.id) for r in results)
    lines = [f"Contract check of {base_url}", ""]
    lines.append(f"{'clause':<{id_w}}  {'result':<7}  checks")
    lines.append(f"{'-' * id_w}  {'-' * 7}  {'-' * (_WIDTH - id_w - 11)}")
    pad = " " * (id_w + 11)
    for r in results:
        doc = textwrap.wrap(r.clause.doc, width=max(40, _WIDTH - len(pad)))
        lines.append(f"{r.clause.id:<{id_w}}  {_MARK[r.status]:<7}  {doc[0]}")
        lines.extend(pad + more for more in doc[1:])
        if r.reason and r.status != PASSED:
            lines.append(f"{pad}-> {r.reason}")
        elif r.reason:
            lines.append(f"{pad}({r.reason})")
    failures = [r for r in results if r.status == FAILED]
    for r in failures:
        lines += [
            "",
            f"== {r.clause.id} failed: {r.clause.title}",
            f"   {r.clause.doc}",
            f"   {r.reason}",
        ]
        if r.detail:
            lines += [textwrap.indent(r.detail, "   ")]
    counts = summary(results)
    lines += [
        "",
        f"{counts[PASSED]} passed, {counts[FAILED]} failed, {counts[SKIPPED]} skipped "
        f"of {len(results)} clauses in {seconds:.1f} s",
    ]
    return "\n".join(lines)


def as_json(base_url: str, results: Sequence[ClauseResult]) -> dict[str, Any]:
    return {
        "base_url": base_url,
        "clauses": [
            {
                "id": r.clause.id,
                "title": r.clause.title,
                "doc": r.clause.doc,
                "status": r.status,
                "reason": r.reason,
                "repro": r.repro,
            }
            for r in results
        ],
        "summary": summary(results),
    }


def write_json(path: Path, base_url: str, results: Sequence[ClauseResult]) -> None:
    path.write_text(json.dumps(as_json(base_url, results), indent=2) + "\n", encoding="utf-8")


def write_junit(path: Path, base_url: str, results: Sequence[ClauseResult], seconds: float) -> None:
    counts = summary(results)
    suite = ET.Element(
        "testsuite",
        name="contract",
        tests=str(len(results)),
        failures=str(counts[FAILED]),
        skipped=str(counts[SKIPPED]),
        errors="0",
        time=f"{seconds:.3f}",
    )
    ET.SubElement(ET.SubElement(suite, "properties"), "property", name="base_url", value=base_url)
    for r in results:
        case = ET.SubElement(
            suite,
            "testcase",
            classname=f"contract.{r.clause.group or 'clauses'}",
            name=f"{r.clause.id}: {r.clause.title}",
            time=f"{r.seconds:.3f}",
        )
        if r.status == FAILED:
            failure = ET.SubElement(case, "failure", message=r.reason or "failed")
            failure.text = "\n".join(x for x in (r.clause.doc, r.reason, r.detail) if x)
        elif r.status == SKIPPED:
            ET.SubElement(case, "skipped", message=r.reason or "skipped")
        elif r.reason:
            ET.SubElement(case, "system-out").text = r.reason
    root = ET.Element("testsuites")
    root.append(suite)
    ET.ElementTree(root).write(path, encoding="utf-8", xml_declaration=True)
