"""Validate real responses and stream events against an OpenAPI 3.1 document.

Used by the contract suite on any server, and by the project's own tests on every response the
mock sends. Status codes, content types and bodies are checked; a stream event is checked as
the object of its SSE fields, and a ``data`` field declared with ``contentMediaType:
application/json`` is decoded and checked against its ``contentSchema`` (JSON Schema treats
those two keywords as annotations only, so this is done here explicitly).
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import yaml
from jsonschema import Draft202012Validator, FormatChecker
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT202012

_BASE = "urn:openapi"


class ContractViolation(AssertionError):
    """A response or event the contract does not allow; the message says what and where."""


def _pointer(*parts: str) -> str:
    return "/".join(p.replace("~", "~0").replace("/", "~1") for p in parts)


class SpecValidator:
    """Checks responses of the operations an OpenAPI document declares."""

    def __init__(self, spec: str | Path | Mapping[str, Any]) -> None:
        if isinstance(spec, Mapping):
            self.document: Mapping[str, Any] = spec
        else:
            self.document = yaml.safe_load(Path(spec).read_text(encoding="utf-8"))
        resource = Resource.from_contents(self.document, default_specification=DRAFT202012)
        self._registry: Registry = Registry().with_resource(_BASE, resource)
        self._validators: dict[str, Draft202012Validator] = {}
        self._routes: list[tuple[re.Pattern[str], str]] = []
        for template in self.document.get("paths", {}):
            regex = re.sub(r"\\\{[^}]+\\\}", "[^/]+", re.escape(template))
            self._routes.append((re.compile(f"^{regex}$"), template))

    # -- lookups -----------------------------------------------------------------------------

    def template_for(self, path: str) -> str | None:
        for regex, template in self._routes:
            if regex.match(path):
                return template
        return None

    def _resolve(self, node: Any) -> Any:
        while isinstance(node, Mapping) and "$ref" in node:
            ref = node["$ref"]
            target: Any = self.document
            for part in ref.lstrip("#/").split("/"):
                target = target[part.replace("~1", "/").replace("~0", "~")]
            node = target
        return node

    def _validator(self, pointer: str) -> Draft202012Validator:
        validator = self._validators.get(pointer)
        if validator is None:
            validator = Draft202012Validator(
                {"$ref": f"{_BASE}#/{pointer}"},
                registry=self._registry,
                format_checker=FormatChecker(),
            )
            self._validators[pointer] = validator
        return validator

    def _check(self, pointer: str, instance: Any, what: str) -> None:
        errors = sorted(self._validator(pointer).iter_errors(instance), key=lambda e: e.path)
        if errors:
            first = errors[0]
            where = "/".join(str(p) for p in first.absolute_path) or "(root)"
            raise ContractViolation(f"{what}: at {where}: {first.message}")

    # -- responses ---------------------------------------------------------------------------

    def response_schema_pointer(
        self, method: str, path: str, status: int, content_type: str
    ) -> str | None:
        """Where the body schema is, after checking the status and content type are declared.

        Returns None for a declared response without a body.
        """
        template = self.template_for(path)
        what = f"{method.upper()} {path}"
        if template is None:
            raise ContractViolation(f"{what}: the contract declares no such path")
        op = self.document["paths"][template].get(method.lower())
        if op is None:
            raise ContractViolation(f"{what}: the contract declares no {method.upper()} here")
        responses = op.get("responses", {})
        key = str(status) if str(status) in responses else f"{str(status)[0]}XX"
        if key not in responses:
            key = "default"
        if key not in responses:
            raise ContractViolation(
                f"{what}: status {status} is not documented (documented: "
                f"{', '.join(sorted(responses))})"
            )
        response = self._resolve(responses[key])
        content = response.get("content")
        if not content:
            return None
        media = content_type.split(";")[0].strip().lower()
        if media not in content:
            raise ContractViolation(
                f"{what} -> {status}: content type {content_type!r} is not documented "
                f"({', '.join(content)})"
            )
        # point at the resolved response, so refs inside resolve against the document
        base = self._response_pointer(template, method.lower(), key, responses[key])
        return f"{base}/content/{_pointer(media)}/schema"

    def _response_pointer(self, template: str, method: str, key: str, node: Any) -> str:
        if isinstance(node, Mapping) and "$ref" in node:
            return str(node["$ref"]).lstrip("#/")
        return _pointer("paths", template, method, "responses", key)

    def validate_response(
        self, method: str, path: str, status: int, content_type: str | None, body: bytes
    ) -> Any:
        """Check one response; returns the decoded JSON body (None for a stream or no body)."""
        pointer = self.response_schema_pointer(method, path, status, content_type or "")
        if pointer is None:
            return None
        if (content_type or "").startswith("text/event-stream"):
            return None  # streams are checked event by event
        try:
            data = json.loads(body)
        except ValueError:
            raise ContractViolation(
                f"{method.upper()} {path} -> {status}: the body is not JSON: {body[:200]!r}"
            ) from None
        self._check(pointer, data, f"{method.upper()} {path} -> {status}")
        return data

    # -- stream events -----------------------------------------------------------------------

    def validate_event(self, path: str, event: Mapping[str, Any]) -> Any:
        """Check one SSE event ``{"event", "data", "id", "retry"}`` of a stream at ``path``.

        Returns the decoded ``data`` when it is declared as JSON, else the raw data.
        """
        pointer = self.response_schema_pointer("get", path, 200, "text/event-stream")
        if pointer is None:
            raise ContractViolation(f"GET {path}: no event-stream schema is documented")
        instance = {
            "event": event.get("event") or "message",
            "data": event.get("data", ""),
            "id": event.get("id"),
            "retry": event.get("retry"),
        }
        what = f"GET {path} event {instance['event']!r}"
        self._check(pointer, instance, what)
        branch = self._branch_for(pointer, instance["event"])
        data_schema = branch.get("properties", {}).get("data", {}) if branch else {}
        if data_schema.get("contentMediaType") == "application/json":
            try:
                decoded = json.loads(instance["data"])
            except ValueError:
                raise ContractViolation(
                    f"{what}: data is not JSON: {instance['data'][:200]!r}"
                ) from None
            content = data_schema.get("contentSchema", {})
            ref = content.get("$ref")
            if ref:
                self._check(str(ref).lstrip("#/"), decoded, f"{what} data")
            return decoded
        return instance["data"]

    def _branch_for(self, pointer: str, event_name: str) -> Mapping[str, Any] | None:
        node: Any = self.document
        for part in pointer.split("/"):
            node = node[part.replace("~1", "/").replace("~0", "~")]
        node = self._resolve(node)
        for option in node.get("oneOf", node.get("anyOf", [node])):
            option = self._resolve(option)
            name = self._resolve(option.get("properties", {}).get("event", {}))
            if name.get("const") == event_name or event_name in name.get("enum", []):
                branch: Mapping[str, Any] = option
                return branch
        return None
