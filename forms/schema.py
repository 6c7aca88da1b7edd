"""JSON Schema of the document formats, derived from the attrs models and the form templates so
they cannot drift.

``python -m forms.schema DIR`` writes ``<kind>.schema.json`` for every document kind into DIR; the
published copies are in ``forms/schemas/`` and a test checks they are current.
"""

from __future__ import annotations

import json
import sys
import types
import typing
from datetime import date
from decimal import Decimal
from enum import Enum
from typing import Any

import attrs

from forms.dispatch import ItemShape, YearMonth, load_template, variants
from forms.plan import MAX_FIGURE, Count, Month, Name, Percent

_NAMED: dict[Any, dict[str, Any]] = {
    Count: {"type": "integer", "minimum": 0, "maximum": MAX_FIGURE},
    Month: {"type": "integer", "minimum": 1, "maximum": 12},
    Percent: {"type": "number", "minimum": 0, "maximum": MAX_FIGURE},
    Decimal: {"type": "number", "minimum": 0, "maximum": MAX_FIGURE},
    str: {"type": "string"},
    Name: {"type": "string", "pattern": r"^\S(?:[\s\S]*\S)?$"},  # no spaces around it
    bool: {"type": "boolean"},
    int: {"type": "integer", "minimum": -MAX_FIGURE, "maximum": MAX_FIGURE},
    date: {"type": "string", "format": "date"},
    YearMonth: {"type": "string", "pattern": "^[0-9]{4}-(0[1-9]|1[0-2])$"},
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


_TITLES = {
    "annual-plan": "zhifa annual enforcement plan",
    "dispatch-form": "zhifa dispatch form (调度表) of a hazard-rectification campaign",
    "enterprise-record": "zhifa enterprise campaign record",
    "campaign-steps": "zhifa dated campaign steps of a reporting unit",
}


def _figure(whole: bool) -> dict[str, Any]:
    return {"type": "integer" if whole else "number", "minimum": 0, "maximum": MAX_FIGURE}


def _pair(first: str, second: str, first_whole: bool, second_whole: bool) -> dict[str, Any]:
    return {"type": "object", "additionalProperties": False,
            "properties": {first: _figure(first_whole), second: _figure(second_whole)}}


def _form_values(variant: str) -> dict[str, Any]:
    """The ``values`` of a variant's form: its item keys, each of its shape (a blank is left out or null)."""
    properties: dict[str, Any] = {}
    for section, item in load_template(variant).items():
        if item.shape is ItemShape.COUNT:
            shape = _figure(True)
        elif item.shape is ItemShape.YES_NO:
            shape = {"type": "boolean"}
        elif item.shape is ItemShape.COUNT_AMOUNT:
            shape = _pair("count", "amount", item.in_whole_numbers("count"), item.in_whole_numbers("amount"))
        else:
            shape = _pair("whole", "part", item.in_whole_numbers("whole"), item.in_whole_numbers("part"))
        shape["description"] = f"{section.number}.{item.number} {item.label}"
        properties[item.key] = {"anyOf": [shape, {"type": "null"}]}
    return {"type": "object", "properties": properties, "additionalProperties": False}


def document_schema(kind: str) -> dict[str, Any]:
    """The JSON Schema (2020-12) of a document file of one kind (see :data:`forms.DOCUMENT_KINDS`)."""
    from forms.convert import DOCUMENT_KINDS

    cls = DOCUMENT_KINDS[kind]
    defs: dict[str, Any] = {}
    if kind == "dispatch-form":
        hints = typing.get_type_hints(cls, include_extras=True)
        body: dict[str, Any] = {"type": "object", "properties": {}, "additionalProperties": False, "required": []}
        for field in attrs.fields(cls):
            body["properties"][field.name] = {"type": "object"} if field.name == "values" else _schema(hints[field.name], defs)
            if field.default is attrs.NOTHING:
                body["required"].append(field.name)
        body["properties"]["variant"] = {"enum": list(variants())}
        body["allOf"] = [{"if": {"properties": {"variant": {"const": v}}},
                          "then": {"properties": {"values": _form_values(v)}}} for v in variants()]
        body["description"] = " ".join((cls.__doc__ or "").split())
    else:
        body = _object(cls, defs)
    body["properties"] = {"kind": {"const": kind}, **body["properties"]}
    body["required"] = ["kind", *body.get("required", [])]
    schema: dict[str, Any] = {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": f"https://zhifa.invalid/schemas/{kind}.schema.json",
        "title": _TITLES[kind],
        **body,
    }
    if defs:
        schema["$defs"] = dict(sorted(defs.items()))
    return schema


def annual_plan_schema() -> dict[str, Any]:
    """The JSON Schema (2020-12) of an annual-plan file."""
    return document_schema("annual-plan")


def main(argv: list[str]) -> int:
    from pathlib import Path

    from forms.convert import DOCUMENT_KINDS

    if len(argv) != 1:
        print("usage: python -m forms.schema DIR", file=sys.stderr)
        return 2
    for kind in DOCUMENT_KINDS:
        text = json.dumps(document_schema(kind), ensure_ascii=False, indent=2) + "\n"
        (Path(argv[0]) / f"{kind}.schema.json").write_text(text, encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
