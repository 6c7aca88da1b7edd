"""JSON Schema of the document formats, derived from the attrs models so the two cannot drift.

``python -m forms.schema`` prints the annual-plan schema; the published copy is
``forms/schemas/annual-plan.schema.json`` and a test checks it is current.
"""

from __future__ import annotations

import json
import types
import typing
from datetime import date
from decimal import Decimal
from enum import Enum
from typing import Any

import attrs

from forms.plan import AnnualPlan, Count, Month, Percent

_NAMED: dict[Any, dict[str, Any]] = {
    Count: {"type": "integer", "minimum": 0},
    Month: {"type": "integer", "minimum": 1, "maximum": 12},
    Percent: {"type": "number", "minimum": 0},
    Decimal: {"type": "number", "minimum": 0},
    str: {"type": "string"},
    bool: {"type": "boolean"},
    int: {"type": "integer"},
    date: {"type": "string", "format": "date"},
}


def _schema(tp: Any, defs: dict[str, Any]) -> dict[str, Any]:
    if tp in _NAMED:
        return dict(_NAMED[tp])
    origin = typing.get_origin(tp)
    if origin in (typing.Union, types.UnionType):
        return {"anyOf": [_schema(arg, defs) for arg in typing.get_args(tp)]}
    if tp is type(None):
        return {"type": "null"}
    if origin is tuple:
        return {"type": "array", "items": _schema(typing.get_args(tp)[0], defs)}
    if isinstance(tp, type) and issubclass(tp, Enum):
        return {"enum": [m.value for m in tp]}
    if attrs.has(tp):
        if tp.__name__ not in defs:
            defs[tp.__name__] = {}  # placeholder against recursion
            defs[tp.__name__] = _object(tp, defs)
        return {"$ref": f"#/$defs/{tp.__name__}"}
    raise TypeError(f"no JSON Schema for {tp!r}")


def _object(cls: type, defs: dict[str, Any]) -> dict[str, Any]:
    hints = typing.get_type_hints(cls, include_extras=True)
    properties = {}
    required = []
    for field in attrs.fields(cls):
        properties[field.name] = _schema(hints[field.name], defs)
        if field.default is attrs.NOTHING:
            required.append(field.name)
    result: dict[str, Any] = {"type": "object", "properties": properties, "additionalProperties": False}
    if cls.__doc__:
        result["description"] = " ".join(cls.__doc__.split())
    if required:
        result["required"] = required
    return result


def annual_plan_schema() -> dict[str, Any]:
    """The JSON Schema (2020-12) of an annual-plan file."""
    defs: dict[str, Any] = {}
    body = _object(AnnualPlan, defs)
    body["properties"] = {"kind": {"const": "annual-plan"}, **body["properties"]}
    body["required"] = ["kind", *body["required"]]
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": "https://zhifa.invalid/schemas/annual-plan.schema.json",
        "title": "zhifa annual enforcement plan",
        **body,
        "$defs": dict(sorted(defs.items())),
    }


if __name__ == "__main__":
    print(json.dumps(annual_plan_schema(), ensure_ascii=False, indent=2))
