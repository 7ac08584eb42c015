"""Request validation compiled from the spec's parameter schemas.

Each declared parameter becomes a small parser: raw text in, a typed value out, or one
FastAPI-shaped error (``{"type", "loc", "msg", "input", "ctx"?}``) naming it in ``loc``. Only
the schema decides: types, bounds, defaults, formats and patterns all come from
``openapi.yaml``.

Deliberate choices, matching FastAPI (pydantic 2) where the contract relies on it:

* integers are ASCII decimal digits with an optional sign; ``1.5`` and ``abc`` are
  ``int_parsing`` errors;
* booleans accept ``true/false/1/0/yes/no/on/off/t/f/y/n`` in any case;
* a UUID is the hyphenated 8-4-4-4-12 form (what ``format: uuid`` means in JSON Schema) and is
  returned canonical lowercase;
* when a parameter repeats, the last value wins.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from typing import Any

from mock_server.errors import RequestInvalid, ValidationItem
from mock_server.spec import Operation, Parameter, SpecError

_INT = re.compile(r"[+-]?[0-9]+")
_NUMBER = re.compile(r"[+-]?([0-9]+(\.[0-9]*)?|\.[0-9]+)([eE][+-]?[0-9]+)?")
_UUID = re.compile(r"[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}")
_TRUE = frozenset({"true", "1", "yes", "on", "t", "y"})
_FALSE = frozenset({"false", "0", "no", "off", "f", "n"})

# raw text -> (value, error); exactly one of the two is meaningful
Parser = Callable[[str], tuple[Any, ValidationItem | None]]


class ParameterValidator:
    """Parses and checks one parameter."""

    __slots__ = ("default", "loc", "name", "parse", "required")

    def __init__(self, parameter: Parameter) -> None:
        self.name = parameter.name
        self.loc: list[str | int] = [parameter.location, parameter.name]
        self.required = parameter.required
        self.default = parameter.schema.get("default")
        self.parse = _compile(parameter.schema, self.loc, parameter.name)

    def __call__(self, raw: str | None) -> tuple[Any, ValidationItem | None]:
        if raw is None:
            if self.required:
                return None, {
                    "type": "missing",
                    "loc": self.loc,
                    "msg": "Field required",
                    "input": None,
                }
            return self.default, None
        return self.parse(raw)


class OperationValidator:
    """Validates every parameter of one operation and collects all errors, as FastAPI does."""

    __slots__ = ("_path", "_query")

    def __init__(self, operation: Operation) -> None:
        self._query: list[ParameterValidator] = []
        self._path: list[ParameterValidator] = []
        for p in operation.parameters:
            if p.location == "query":
                self._query.append(ParameterValidator(p))
            elif p.location == "path":
                self._path.append(ParameterValidator(p))
            # header and cookie parameters are not declared by this API; ignored if present

    def validate(self, query: Mapping[str, str], path: Mapping[str, str]) -> dict[str, Any]:
        """The typed parameters, defaults filled in; raises :class:`RequestInvalid`."""
        values: dict[str, Any] = {}
        errors: list[ValidationItem] | None = None
        for validator, source in ((v, path) for v in self._path):
            value, error = validator(source.get(validator.name))
            if error is not None:
                errors = errors or []
                errors.append(error)
            values[validator.name] = value
        for validator in self._query:
            value, error = validator(query.get(validator.name))
            if error is not None:
                errors = errors or []
                errors.append(error)
            values[validator.name] = value
        if errors:
            raise RequestInvalid(errors)
        return values


def _compile(schema: Mapping[str, Any], loc: list[str | int], name: str) -> Parser:
    kind = schema.get("type")
    if isinstance(kind, list):
        kinds = [k for k in kind if k != "null"]
        kind = kinds[0] if len(kinds) == 1 else None
    if kind == "integer":
        return _integer(schema, loc)
    if kind == "number":
        return _number(schema, loc)
    if kind == "boolean":
        return _boolean(loc)
    if kind == "string":
        return _string(schema, loc)
    raise SpecError(f"parameter {name!r}: the mock cannot validate a schema of type {kind!r}")


def _error(loc: list[str | int], kind: str, msg: str, raw: str, **ctx: Any) -> ValidationItem:
    item: ValidationItem = {"type": kind, "loc": loc, "msg": msg, "input": raw}
    if ctx:
        item["ctx"] = ctx
    return item


def _bounds(
    schema: Mapping[str, Any], loc: list[str | int]
) -> Callable[[Any, str], ValidationItem | None]:
    lo, hi = schema.get("minimum"), schema.get("maximum")
    xlo, xhi = schema.get("exclusiveMinimum"), schema.get("exclusiveMaximum")

    def check(value: Any, raw: str) -> ValidationItem | None:
        if lo is not None and value < lo:
            return _error(
                loc,
                "greater_than_equal",
                f"Input should be greater than or equal to {lo}",
                raw,
                ge=lo,
            )
        if hi is not None and value > hi:
            return _error(
                loc, "less_than_equal", f"Input should be less than or equal to {hi}", raw, le=hi
            )
        if xlo is not None and value <= xlo:
            return _error(loc, "greater_than", f"Input should be greater than {xlo}", raw, gt=xlo)
        if xhi is not None and value >= xhi:
            return _error(loc, "less_than", f"Input should be less than {xhi}", raw, lt=xhi)
        return None

    return check


def _integer(schema: Mapping[str, Any], loc: list[str | int]) -> Parser:
    bounds = _bounds(schema, loc)

    def parse(raw: str) -> tuple[Any, ValidationItem | None]:
        text = raw
        if not _INT.fullmatch(text):
            return None, _error(
                loc,
                "int_parsing",
                "Input should be a valid integer, unable to parse string as an integer",
                raw,
            )
        value = int(text)
        return value, bounds(value, raw)

    return parse


def _number(schema: Mapping[str, Any], loc: list[str | int]) -> Parser:
    bounds = _bounds(schema, loc)

    def parse(raw: str) -> tuple[Any, ValidationItem | None]:
        text = raw
        if not _NUMBER.fullmatch(text):
            return None, _error(
                loc,
                "float_parsing",
                "Input should be a valid number, unable to parse string as a number",
                raw,
            )
        value = float(text)
        return value, bounds(value, raw)

    return parse


def _boolean(loc: list[str | int]) -> Parser:
    def parse(raw: str) -> tuple[Any, ValidationItem | None]:
        text = raw.lower()
        if text in _TRUE:
            return True, None
        if text in _FALSE:
            return False, None
        return None, _error(
            loc, "bool_parsing", "Input should be a valid boolean, unable to interpret input", raw
        )

    return parse


def _string(schema: Mapping[str, Any], loc: list[str | int]) -> Parser:
    is_uuid = schema.get("format") == "uuid"
    pattern = re.compile(schema["pattern"]) if "pattern" in schema else None
    min_length, max_length = schema.get("minLength"), schema.get("maxLength")
    enum = schema.get("enum")

    def parse(raw: str) -> tuple[Any, ValidationItem | None]:
        if is_uuid:
            if not _UUID.fullmatch(raw):
                return None, _error(
                    loc,
                    "uuid_parsing",
                    "Input should be a valid UUID, in the form "
                    "xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx",
                    raw,
                )
            raw = raw.lower()
        if min_length is not None and len(raw) < min_length:
            return None, _error(
                loc,
                "string_too_short",
                f"String should have at least {min_length} characters",
                raw,
                min_length=min_length,
            )
        if max_length is not None and len(raw) > max_length:
            return None, _error(
                loc,
                "string_too_long",
                f"String should have at most {max_length} characters",
                raw,
                max_length=max_length,
            )
        if pattern is not None and not pattern.search(raw):
            return None, _error(
                loc,
                "string_pattern_mismatch",
                f"String should match pattern '{pattern.pattern}'",
                raw,
                pattern=pattern.pattern,
            )
        if enum is not None and raw not in enum:
            return None, _error(
                loc,
                "enum",
                f"Input should be {' or '.join(map(repr, enum))}",
                raw,
                expected=", ".join(map(repr, enum)),
            )
        return raw, None

    return parse
