"""SCHEMA-REST: schemathesis over every REST operation (the stream has its own clause), every
built-in check on, invalid input required to be 422, auth given through its configuration."""

from __future__ import annotations

import re
from typing import Any

import pytest

from contract_tests.client import ClauseFailure
from contract_tests.plugin import note
from contract_tests.target import Target

MARKING = ("markNotificationRead", "markAllNotificationsRead")
CURL = re.compile(r"^\s*(curl .*)$", re.MULTILINE)


def _config(target: Target) -> Any:
    import schemathesis

    return schemathesis.Config.from_dict(
        {
            "base-url": target.base_url,
            "request-timeout": target.options.http_timeout,
            "generation": {
                "deterministic": True,
                "database": "none",
                "max-examples": target.options.max_examples,
            },
            # invalid input: 422 (401 when a case drops the token, 404/405 for a mangled path
            # or method); never accepted, never a 5xx
            "checks": {
                "negative_data_rejection": {"expected-statuses": ["401", "404", "405", "422"]},
                "not_a_server_error": {"expected-statuses": ["2xx", "3xx", "4xx"]},
            },
            "auth": {"openapi": {"bearerAuth": {"bearer": target.bearer("a")}}},
        }
    )


@pytest.mark.clause("SCHEMA-REST")
def test_schemathesis_over_every_rest_operation(
    request: pytest.FixtureRequest, target: Target
) -> None:
    import schemathesis
    from hypothesis import HealthCheck, Phase, given, settings
    from schemathesis import GenerationMode

    schema: Any = schemathesis.openapi.from_path(target.spec_path, config=_config(target))
    schema = schema.exclude(operation_id="streamNotifications")
    if target.options.read_only:
        for operation_id in MARKING:
            schema = schema.exclude(operation_id=operation_id)
    failures: list[tuple[str, str]] = []
    cases = 0
    operations = 0
    for result in schema.get_all_operations():
        operation = result.ok()
        operations += 1
        for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE):

            @given(case=operation.as_strategy(generation_mode=mode))
            @settings(
                max_examples=target.options.max_examples,
                derandomize=True,
                database=None,
                deadline=None,
                suppress_health_check=list(HealthCheck),
                phases=[Phase.explicit, Phase.generate],
                report_multiple_bugs=False,
            )
            def run(case: Any) -> None:
                nonlocal cases
                cases += 1
                case.call_and_validate()

            try:
                run()
            except (Exception, BaseExceptionGroup) as exc:  # schemathesis' FailureGroup
                failures.append((f"{operation.label} ({mode.value})", _describe(exc)))
                break
    if failures:
        label, text = failures[0]
        found = CURL.search(text)
        message = _headline(text, label)
        if len(failures) > 1:
            message += f" (and {len(failures) - 1} more operation(s): "
            message += ", ".join(f[0] for f in failures[1:]) + ")"
        # schemathesis hides the token; the repro line gets it back
        token = f"Authorization: Bearer {target.bearer('a')}"
        curl = found.group(1).replace("Authorization: [Filtered]", token) if found else None
        detail = text.strip().replace("Authorization: [Filtered]", token)
        raise ClauseFailure(message, repro=curl, detail=detail)
    note(request, f"{operations} operations, {cases} generated requests")


def _describe(exc: BaseException) -> str:
    """schemathesis' failure as text (a FailureGroup's text holds every member and the curl)."""
    return str(exc)


def _headline(text: str, label: str) -> str:
    """``label: ST108 Response violates schema: "2" is not of type "integer"``."""
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    for at, line in enumerate(lines):
        if line.startswith("- "):
            detail = lines[at + 1] if at + 1 < len(lines) else ""
            return f"{label}: {line[2:]}" + (f": {detail}" if detail else "")
    return f"{label}: {lines[0] if lines else 'failed'}"
