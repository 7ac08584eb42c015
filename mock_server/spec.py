"""Reading ``openapi.yaml``: the operations the mock serves and their parameters.

The mock builds its routes and request validation from this, and from nothing else: change a
bound in the spec and the mock's answer changes with it.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any, Literal

import yaml

Location = Literal["query", "path", "header", "cookie"]
_HTTP_METHODS = ("get", "put", "post", "delete", "options", "head", "patch", "trace")


class SpecError(ValueError):
    """The OpenAPI document cannot drive the mock; the message says where and why."""


@dataclass(frozen=True, slots=True)
class Parameter:
    """One declared parameter, with its schema fully resolved."""

    name: str
    location: Location
    required: bool
    schema: Mapping[str, Any]


@dataclass(frozen=True, slots=True)
class Operation:
    """One operation: ``operationId``, method, path template and parameters."""

    operation_id: str
    method: str
    path: str
    parameters: tuple[Parameter, ...]
    media_types: tuple[str, ...]  # of its 200 response


@dataclass(frozen=True, slots=True)
class ApiSpec:
    """The parts of an OpenAPI document the mock is driven by."""

    source: str
    document: Mapping[str, Any]
    operations: tuple[Operation, ...]

    def operation(self, operation_id: str) -> Operation:
        for op in self.operations:
            if op.operation_id == operation_id:
                return op
        raise KeyError(operation_id)


def default_spec_path() -> Path:
    """The bundled ``openapi.yaml``: the repository's top-level file, or the installed copy."""
    here = Path(__file__).resolve().parent
    repo_copy = here.parent / "openapi.yaml"
    if repo_copy.is_file():
        return repo_copy
    return Path(str(resources.files("mock_server") / "data" / "openapi.yaml"))


def load_spec(path: str | Path | None = None) -> ApiSpec:
    """Load and index an OpenAPI 3.x document. Raises :class:`SpecError` with a clear message."""
    source = Path(path) if path is not None else default_spec_path()
    try:
        document = yaml.safe_load(source.read_text(encoding="utf-8"))
    except OSError as exc:
        raise SpecError(f"cannot read the OpenAPI document {source}: {exc.strerror}") from exc
    except yaml.YAMLError as exc:
        raise SpecError(f"{source} is not valid YAML: {exc}") from exc
    if not isinstance(document, dict) or not isinstance(document.get("paths"), dict):
        raise SpecError(f"{source} is not an OpenAPI document: it has no 'paths'")
    resolver = _Resolver(document, str(source))
    operations = []
    for path_template, item in document["paths"].items():
        item = resolver.resolve(item)
        shared = item.get("parameters", [])
        for method in _HTTP_METHODS:
            op = item.get(method)
            if op is None:
                continue
            where = f"{source}: {method.upper()} {path_template}"
            op_id = op.get("operationId")
            if not isinstance(op_id, str):
                raise SpecError(f"{where} has no operationId")
            params = _parameters(resolver, [*shared, *op.get("parameters", [])], where)
            ok = resolver.resolve(op.get("responses", {}).get("200", {}))
            media = tuple(resolver.resolve(ok).get("content", {}).keys())
            operations.append(Operation(op_id, method.upper(), path_template, params, media))
    return ApiSpec(str(source), document, tuple(operations))


def _parameters(resolver: _Resolver, raw: list[Any], where: str) -> tuple[Parameter, ...]:
    merged: dict[tuple[str, str], Parameter] = {}
    for entry in raw:
        p = resolver.resolve(entry)
        name, location = p.get("name"), p.get("in")
        if not isinstance(name, str) or location not in ("query", "path", "header", "cookie"):
            raise SpecError(f"{where}: a parameter lacks a name or a valid 'in'")
        schema = resolver.deep(p.get("schema", {}))
        required = bool(p.get("required", location == "path"))
        merged[(name, location)] = Parameter(name, location, required, schema)
    return tuple(merged.values())


class _Resolver:
    """Resolves local ``$ref``s (``#/components/...``)."""

    def __init__(self, document: Mapping[str, Any], source: str) -> None:
        self._document = document
        self._source = source

    def lookup(self, ref: str) -> Any:
        if not ref.startswith("#/"):
            raise SpecError(f"{self._source}: only local $refs are supported, not {ref!r}")
        node: Any = self._document
        for part in ref[2:].split("/"):
            part = part.replace("~1", "/").replace("~0", "~")
            if not isinstance(node, Mapping) or part not in node:
                raise SpecError(f"{self._source}: $ref {ref!r} points nowhere")
            node = node[part]
        return node

    def resolve(self, node: Any) -> Any:
        seen = 0
        while isinstance(node, Mapping) and "$ref" in node:
            node = self.lookup(node["$ref"])
            seen += 1
            if seen > 50:
                raise SpecError(f"{self._source}: a $ref cycle")
        return node

    def deep(self, node: Any, depth: int = 0) -> Any:
        if depth > 50:
            raise SpecError(f"{self._source}: schema nested too deeply (a $ref cycle?)")
        if isinstance(node, Mapping):
            if "$ref" in node:
                siblings = {k: v for k, v in node.items() if k != "$ref"}
                target = self.deep(self.lookup(node["$ref"]), depth + 1)
                return {**target, **self.deep(siblings, depth + 1)} if siblings else target
            return {k: self.deep(v, depth + 1) for k, v in node.items()}
        if isinstance(node, list):
            return [self.deep(v, depth + 1) for v in node]
        return node
