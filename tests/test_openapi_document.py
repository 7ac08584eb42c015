"""openapi.yaml states the contract decisions the mock and the kit follow.

These read the document itself (not the mock): a bound, default, error body or event schema that
drifts from the decisions in the issues fails here first.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import pytest
import yaml
from jsonschema import Draft202012Validator
from openapi_spec_validator import validate
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT202012

SPEC_PATH = Path(__file__).resolve().parent.parent / "openapi.yaml"
DOC_EXAMPLE_ID = "e94ab07e-c0fe-4db1-83d0-34ea0fd8ee57"
OPERATIONS = {
    ("get", "/api/v1/notifications"): "listNotifications",
    ("get", "/api/v1/notifications/unread-count"): "getUnreadCount",
    ("post", "/api/v1/notifications/{notification_id}/read"): "markNotificationRead",
    ("post", "/api/v1/notifications/read-all"): "markAllNotificationsRead",
    ("get", "/api/v1/notifications/stream"): "streamNotifications",
}


@pytest.fixture(scope="module")
def spec() -> dict[str, Any]:
    document: dict[str, Any] = yaml.safe_load(SPEC_PATH.read_text(encoding="utf-8"))
    return document


def resolve(spec: Mapping[str, Any], node: Any) -> Any:
    while isinstance(node, Mapping) and "$ref" in node:
        target: Any = spec
        for part in str(node["$ref"]).removeprefix("#/").split("/"):
            target = target[part]
        node = target
    return node


def schema_validator(spec: Mapping[str, Any], name: str) -> Draft202012Validator:
    registry: Registry[Any] = Registry().with_resource(
        "urn:spec", Resource.from_contents(spec, default_specification=DRAFT202012)
    )
    return Draft202012Validator({"$ref": f"urn:spec#/components/schemas/{name}"}, registry=registry)


def operation(spec: Mapping[str, Any], operation_id: str) -> Mapping[str, Any]:
    for (method, path), op_id in OPERATIONS.items():
        if op_id == operation_id:
            return resolve(spec, spec["paths"][path][method])  # type: ignore[no-any-return]
    raise KeyError(operation_id)


def parameter(spec: Mapping[str, Any], operation_id: str, name: str) -> Mapping[str, Any]:
    for raw in operation(spec, operation_id).get("parameters", []):
        p = resolve(spec, raw)
        if p["name"] == name:
            return {**p, "schema": resolve(spec, p["schema"])}
    raise KeyError(name)


def test_the_document_is_valid_openapi_3_1(spec: dict[str, Any]) -> None:
    assert spec["openapi"].startswith("3.1")
    validate(spec)


def test_every_operation_has_its_stable_operation_id(spec: dict[str, Any]) -> None:
    found = {
        (method, path): op["operationId"]
        for path, item in spec["paths"].items()
        for method, op in item.items()
        if method in {"get", "post", "put", "patch", "delete"}
    }
    assert found == OPERATIONS


def test_limit_is_an_integer_from_1_to_100_defaulting_to_20(spec: dict[str, Any]) -> None:
    limit = parameter(spec, "listNotifications", "limit")
    assert limit["in"] == "query"
    assert {"type": "integer", "minimum": 1, "maximum": 100, "default": 20}.items() <= (
        limit["schema"].items()
    )


def test_offset_is_a_non_negative_integer_defaulting_to_0(spec: dict[str, Any]) -> None:
    offset = parameter(spec, "listNotifications", "offset")
    assert {"type": "integer", "minimum": 0, "default": 0}.items() <= offset["schema"].items()


def test_unread_only_is_a_boolean_defaulting_to_false(spec: dict[str, Any]) -> None:
    unread_only = parameter(spec, "listNotifications", "unread_only")
    assert {"type": "boolean", "default": False}.items() <= unread_only["schema"].items()


@pytest.mark.parametrize(
    "operation_id",
    ["listNotifications", "getUnreadCount", "markAllNotificationsRead", "streamNotifications"],
)
def test_dataset_id_is_an_optional_uuid_wherever_it_is_taken(
    spec: dict[str, Any], operation_id: str
) -> None:
    dataset_id = parameter(spec, operation_id, "dataset_id")
    assert dataset_id["in"] == "query"
    assert not dataset_id.get("required", False)
    assert dataset_id["schema"]["format"] == "uuid"
    pattern = re.compile(dataset_id["schema"]["pattern"])
    assert pattern.search("A981FC0C-2D1F-11F1-A7CA-D2580FA2DEAC")
    assert not pattern.search("not-a-uuid")


def test_notification_id_is_a_required_uuid_path_parameter(spec: dict[str, Any]) -> None:
    notification_id = parameter(spec, "markNotificationRead", "notification_id")
    assert notification_id["in"] == "path"
    assert notification_id["required"] is True
    assert notification_id["schema"]["format"] == "uuid"


@pytest.mark.parametrize("operation_id", sorted(OPERATIONS.values()))
def test_every_operation_documents_401_422_and_500_with_their_bodies(
    spec: dict[str, Any], operation_id: str
) -> None:
    responses = operation(spec, operation_id)["responses"]
    assert {"200", "401", "422", "500"} <= set(responses)
    for status, schema in (("401", "Error"), ("500", "Error"), ("422", "HTTPValidationError")):
        body = resolve(spec, responses[status])["content"]["application/json"]["schema"]
        assert body == {"$ref": f"#/components/schemas/{schema}"}


def test_only_mark_read_documents_a_404(spec: dict[str, Any]) -> None:
    with_404 = {op for op in OPERATIONS.values() if "404" in operation(spec, op)["responses"]}
    assert with_404 == {"markNotificationRead"}
    body = operation(spec, "markNotificationRead")["responses"]["404"]["content"]
    assert body["application/json"]["schema"] == {"$ref": "#/components/schemas/Error"}


def test_error_bodies_are_a_string_detail_or_fastapis_validation_list(
    spec: dict[str, Any],
) -> None:
    error = schema_validator(spec, "Error")
    assert error.is_valid({"detail": "Notification not found"})
    assert not error.is_valid({"detail": [{"loc": ["query", "limit"], "msg": "m", "type": "t"}]})
    assert not error.is_valid({})
    validation = schema_validator(spec, "HTTPValidationError")
    assert validation.is_valid(
        {"detail": [{"loc": ["query", "limit"], "msg": "Input should be...", "type": "t"}]}
    )
    assert not validation.is_valid({"detail": "limit is wrong"})
    assert not validation.is_valid({"detail": [{"loc": ["query", "limit"], "msg": "m"}]})


def test_both_security_schemes_are_accepted_on_every_operation(spec: dict[str, Any]) -> None:
    schemes = spec["components"]["securitySchemes"]
    bearer = {"type": "http", "scheme": "bearer", "bearerFormat": "JWT"}
    assert bearer.items() <= schemes["bearerAuth"].items()
    cookie = {"type": "apiKey", "in": "cookie", "name": "SESSION"}
    assert cookie.items() <= schemes["sessionCookie"].items()
    # alternatives (OR), not both at once (AND)
    assert spec["security"] == [{"bearerAuth": []}, {"sessionCookie": []}]
    assert all("security" not in operation(spec, op) for op in OPERATIONS.values())


def test_the_documentation_example_is_a_valid_notification_page(spec: dict[str, Any]) -> None:
    example = spec["components"]["examples"]["DocPage"]["value"]
    assert example["notifications"][0]["id"] == DOC_EXAMPLE_ID
    schema_validator(spec, "NotificationList").validate(example)


def test_a_notification_has_exactly_the_ten_documented_fields(spec: dict[str, Any]) -> None:
    notification = spec["components"]["schemas"]["Notification"]
    fields = {"id", "user_id", "entity_type", "entity_id", "title", "message", "metadata"}
    fields |= {"dataset_id", "created_at", "read_at"}
    assert set(notification["required"]) == set(notification["properties"]) == fields
    assert notification["additionalProperties"] is False
    metadata = spec["components"]["schemas"]["NotificationMetadata"]
    assert set(metadata["required"]) == {
        "batch_id",
        "is_alert",
        "view_name",
        "dataset_name",
        "result_count",
    }
    assert metadata["additionalProperties"] is True


def test_timestamps_are_naive_iso_8601_not_rfc_3339(spec: dict[str, Any]) -> None:
    timestamp = spec["components"]["schemas"]["Timestamp"]
    assert "format" not in timestamp, "format: date-time would reject the doc's own example"
    check = schema_validator(spec, "Timestamp")
    assert check.is_valid("2026-03-31T17:02:12.432489")
    for bad in ("2026-03-31T17:02:12.432489Z", "2026-03-31T17:02:12+00:00", "2026-13-01T00:00:00"):
        assert not check.is_valid(bad), bad


def test_uuids_in_responses_are_canonical_lowercase(spec: dict[str, Any]) -> None:
    check = schema_validator(spec, "Uuid")
    assert check.is_valid(DOC_EXAMPLE_ID)
    assert not check.is_valid(DOC_EXAMPLE_ID.upper())


def test_mark_read_and_read_all_answer_ok_and_ok_with_count(spec: dict[str, Any]) -> None:
    ok = schema_validator(spec, "Ok")
    assert ok.is_valid({"ok": True})
    assert not ok.is_valid({"ok": False})
    ok_count = schema_validator(spec, "OkCount")
    assert ok_count.is_valid({"ok": True, "count": 0})
    assert not ok_count.is_valid({"ok": True})
    assert not ok_count.is_valid({"ok": True, "count": -1})
    assert schema_validator(spec, "UnreadCount").is_valid({"count": 3})


def test_the_stream_is_text_event_stream_of_three_event_kinds(spec: dict[str, Any]) -> None:
    ok = operation(spec, "streamNotifications")["responses"]["200"]
    assert "Cache-Control" in ok["headers"]
    content = ok["content"]
    assert list(content) == ["text/event-stream"]
    event = resolve(spec, content["text/event-stream"]["schema"])
    kinds = {resolve(spec, branch)["properties"]["event"]["const"] for branch in event["oneOf"]}
    assert kinds == {"notification", "ping", "error"}
    check = schema_validator(spec, "StreamEvent")
    assert check.is_valid({"event": "ping", "data": ""})
    assert not check.is_valid({"event": "ping"})
    assert not check.is_valid({"event": "message", "data": "hello"})
    for example in content["text/event-stream"]["examples"].values():
        check.validate(example["value"])


def test_notification_event_data_is_json_whose_content_is_a_notification(
    spec: dict[str, Any],
) -> None:
    data = spec["components"]["schemas"]["NotificationEvent"]["properties"]["data"]
    assert data["type"] == "string"
    assert data["contentMediaType"] == "application/json"
    assert data["contentSchema"] == {"$ref": "#/components/schemas/Notification"}
    example = spec["paths"]["/api/v1/notifications/stream"]["get"]["responses"]["200"]
    wire = example["content"]["text/event-stream"]["examples"]["notification"]["value"]["data"]
    schema_validator(spec, "Notification").validate(json.loads(wire))


def test_descriptions_carry_the_documentation_statements(spec: dict[str, Any]) -> None:
    def text(operation_id: str) -> str:
        return " ".join(str(operation(spec, operation_id)["description"]).split())

    assert "Increment `offset` by `limit`" in text("listNotifications")
    assert "newest first" in text("listNotifications")
    assert "does not belong to the authenticated user, or is already read" in text(
        "markNotificationRead"
    )
    assert "polls the database every 3 seconds" in text("streamNotifications")
    assert "keepalive event sent every 3 seconds" in text("streamNotifications")
