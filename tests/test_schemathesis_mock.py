"""schemathesis over every REST operation of openapi.yaml against the mock: no 500, no schema
violation, no accepted invalid input, every built-in check on (see tests/schemathesis.toml).

The mock runs in process (schemathesis' own ASGI client, no socket), built once for the module:
generated cases only need a valid token, and nothing here moves its clock.
"""

from __future__ import annotations

import tomllib
from pathlib import Path
from typing import Any

import schemathesis

from mock_server import MockConfig, create_app

ROOT = Path(__file__).resolve().parent.parent
SETTINGS = Path(__file__).resolve().parent / "schemathesis.toml"

APP = create_app(MockConfig(clock="manual"))


def _config() -> Any:
    settings = tomllib.loads(SETTINGS.read_text(encoding="utf-8"))
    runtime = APP.state.runtime
    token = runtime.token(runtime.users["alice"])
    settings["auth"] = {"openapi": {"bearerAuth": {"bearer": token}}}
    return schemathesis.Config.from_dict(settings)


_schema = schemathesis.openapi.from_path(ROOT / "openapi.yaml", config=_config())
_schema.app = APP
schema = _schema.exclude(operation_id="streamNotifications")


@schema.parametrize()
def test_the_mock_answers_every_generated_request_as_the_contract_says(case: Any) -> None:
    case.call_and_validate()
