"""The mock is driven by the OpenAPI document it is given: bounds, defaults and operations come
from the spec and nowhere else, and what the spec does not declare does not exist."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx
import pytest
import yaml

from mock_server import MockConfig, create_app
from mock_server.spec import SpecError

SPEC = Path(__file__).resolve().parent.parent / "openapi.yaml"
AppClientFactory = Callable[..., httpx.Client]

LIST = "/api/v1/notifications"


def _spec_copy(tmp_path: Path, change: Any) -> Path:
    document = yaml.safe_load(SPEC.read_text(encoding="utf-8"))
    change(document)
    path = tmp_path / "openapi.yaml"
    path.write_text(yaml.safe_dump(document, sort_keys=False), encoding="utf-8")
    return path


def _limit_schema(document: dict[str, Any]) -> dict[str, Any]:
    schema: dict[str, Any] = document["components"]["parameters"]["Limit"]["schema"]
    return schema


def _authed(client: httpx.Client) -> httpx.Client:
    runtime = client.app.state.runtime  # type: ignore[attr-defined]
    client.headers["Authorization"] = f"Bearer {runtime.token(runtime.users['alice'])}"
    return client


def _add_alice_notifications(client: httpx.Client, count: int) -> None:
    response = client.post("/_mock/notifications", json=[{"user": "alice"}] * count)
    assert response.status_code == 201


def test_a_lowered_maximum_in_the_spec_makes_the_mock_refuse_what_it_accepted(
    tmp_path: Path, app_client: AppClientFactory
) -> None:
    spec = _spec_copy(tmp_path, lambda d: _limit_schema(d).update(maximum=50))
    stock = _authed(app_client())
    changed = _authed(app_client(spec_path=spec))
    assert stock.get(LIST, params={"limit": 51}).status_code == 200
    assert changed.get(LIST, params={"limit": 50}).status_code == 200
    refused = changed.get(LIST, params={"limit": 51})
    assert refused.status_code == 422
    assert refused.json()["detail"] == [
        {
            "type": "less_than_equal",
            "loc": ["query", "limit"],
            "msg": "Input should be less than or equal to 50",
            "input": "51",
            "ctx": {"le": 50},
        }
    ]


def test_a_changed_default_in_the_spec_changes_the_default_page_size(
    tmp_path: Path, app_client: AppClientFactory
) -> None:
    spec = _spec_copy(tmp_path, lambda d: _limit_schema(d).update(default=3))
    client = _authed(app_client(spec_path=spec))
    _add_alice_notifications(client, 5)
    page = client.get(LIST).json()
    assert len(page["notifications"]) == 3
    assert page["has_more"] is True


def test_a_changed_parameter_format_in_the_spec_changes_what_is_accepted(
    tmp_path: Path, app_client: AppClientFactory
) -> None:
    def offset_as_multiple_of_ten(document: dict[str, Any]) -> None:
        document["components"]["parameters"]["Offset"]["schema"]["maximum"] = 10

    client = _authed(app_client(spec_path=_spec_copy(tmp_path, offset_as_multiple_of_ten)))
    assert client.get(LIST, params={"offset": 10}).status_code == 200
    assert client.get(LIST, params={"offset": 11}).json()["detail"][0]["loc"] == [
        "query",
        "offset",
    ]


def test_an_operation_without_a_handler_is_a_clear_start_up_error(tmp_path: Path) -> None:
    def rename(document: dict[str, Any]) -> None:
        document["paths"]["/api/v1/notifications"]["get"]["operationId"] = "listEverything"

    spec = _spec_copy(tmp_path, rename)
    with pytest.raises(SpecError, match=r"'listEverything' has no handler in the mock"):
        create_app(MockConfig(spec_path=spec))


def test_an_operation_without_a_handler_stops_the_cli_with_one_sentence(tmp_path: Path) -> None:
    def rename(document: dict[str, Any]) -> None:
        document["paths"]["/api/v1/notifications"]["get"]["operationId"] = "listEverything"

    spec = _spec_copy(tmp_path, rename)
    done = subprocess.run(
        [sys.executable, "-m", "mock_server", "--port", "0", "--spec", str(spec)],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert done.returncode == 2
    assert done.stdout == ""
    assert done.stderr.count("\n") == 1
    assert "listEverything" in done.stderr
    assert str(spec) in done.stderr
    assert "Traceback" not in done.stderr


def test_a_path_removed_from_the_spec_is_not_served(
    tmp_path: Path, app_client: AppClientFactory
) -> None:
    def drop_unread_count(document: dict[str, Any]) -> None:
        del document["paths"]["/api/v1/notifications/unread-count"]

    client = _authed(app_client(spec_path=_spec_copy(tmp_path, drop_unread_count)))
    response = client.get("/api/v1/notifications/unread-count")
    assert response.status_code == 404
    assert response.json() == {"detail": "Not Found"}


def test_an_undeclared_path_is_404_not_found(alice: httpx.Client) -> None:
    for path in ("/", "/api/v1", "/api/v2/notifications", "/api/v1/notifications/x/y/z"):
        response = alice.get(path)
        assert response.status_code == 404, path
        assert response.json() == {"detail": "Not Found"}
        assert response.headers["content-type"] == "application/json"


def test_an_undeclared_method_is_405_with_an_allow_header(alice: httpx.Client) -> None:
    cases = {
        ("DELETE", LIST): "GET",
        ("POST", LIST): "GET",
        ("PUT", "/api/v1/notifications/unread-count"): "GET",
        ("GET", "/api/v1/notifications/read-all"): "POST",
        ("GET", "/api/v1/notifications/e94ab07e-c0fe-4db1-83d0-34ea0fd8ee57/read"): "POST",
        ("HEAD", LIST): "GET",
        ("PATCH", "/api/v1/notifications/stream"): "GET",
    }
    for (method, path), allowed in cases.items():
        response = alice.request(method, path)
        assert response.status_code == 405, (method, path)
        assert response.headers["allow"] == allowed
        if method != "HEAD":
            assert response.json() == {"detail": "Method Not Allowed"}
