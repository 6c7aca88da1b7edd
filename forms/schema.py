"""JSON Schema of the document formats, derived from the attrs models and the form templates so
they cannot drift.

``python -m forms.schema DIR`` writes ``<kind>.schema.json`` for every document kind into DIR; the
published copies are in ``forms/schemas/`` and a test checks they are current.
"""

from __future__ import annotations

import copy
import itertools
import json
import re
import sys
import types
import typing
import unicodedata
from collections.abc import Iterable
from datetime import date
from decimal import Decimal
from enum import Enum
from typing import Any

import attrs

from forms.dispatch import ItemShape, YearMonth, load_template, variants
from forms.errors import DEFAULT_IGNORABLE, NONCHARACTERS, code_ranges, hidden_in_name
from forms.plan import MAX_FIGURE, Count, Month, Name, Percent, Tag
from forms.records import Amount
from forms.references import MONTHS

#: The end of a pattern: ``$`` alone lets a trailing line break through in Python's ``re`` (and so in
#: jsonschema), which the loaders refuse; ``$(?!\n)`` ends the text in Python and ECMA-262 alike.
_END = r"$(?!\n)"


def _ranges(codes: Iterable[int]) -> str:
    """A character class's body naming ``codes`` (lone surrogates aside) as ranges that Python's
    ``re`` and ECMA-262 (with the ``u`` flag JSON Schema 2020-12 asks for) read alike: ``\\uXXXX``
    escapes in the BMP, the characters themselves beyond it (ECMA-262's ``\\u{…}`` and Python's
    ``\\U…`` each mean nothing to the other). No ``\\p{…}``: Python's ``re`` has none."""
    spans = code_ranges(code for code in sorted(set(codes)) if not 0xD800 <= code <= 0xDFFF)

    def one(code: int) -> str:
        return f"\\u{code:04x}" if code <= 0xFFFF else chr(code)
    return "".join(one(lo) if lo == hi else f"{one(lo)}-{one(hi)}" for lo, hi in spans)


def _of_categories(*categories: str) -> list[int]:
    every = range(0x110000)  # in C throughout: a pass in Python would cost a quarter of a second
    return list(itertools.compress(every, map(frozenset(categories).__contains__, map(unicodedata.category, map(chr, every)))))


_CONTROLS = [*range(0x00, 0x20), *range(0x7F, 0xA0)]  # category Cc
#: The characters a text may not hold (forms.errors.CONTROL_IN_TEXT, NONCHARACTER; ``\r`` only
#: before ``\n``), those a name may not (the control characters, forms.errors.hidden_in_name: Cf,
#: Zl, Zp as Python's unicodedata has them, DEFAULT_IGNORABLE, the noncharacters), and the white
#: space a text may not be only of and a name may not begin or end with (str.isspace; ECMA-262's
#: and Python's ``\s`` differ).
_REFUSED_IN_TEXT = _ranges([*(c for c in _CONTROLS if chr(c) not in "\t\n"), *NONCHARACTERS])
_REFUSED_IN_NAME = _ranges([*_CONTROLS, *_of_categories("Cf", "Zl", "Zp"), *NONCHARACTERS,
                            *(c for lo, hi in DEFAULT_IGNORABLE for c in range(lo, hi + 1))])
_SPACE = _ranges(c for c in range(0x3001) if chr(c).isspace())


#: Digits of a figure's whole part: up to MAX_FIGURE, after any leading zeros.
_WHOLE_PART = f"0*(?:[0-9]{{1,{len(str(MAX_FIGURE)) - 1}}}(?:\\.[0-9]{{places}})?|{MAX_FIGURE}(?:\\.0{{places}})?)"


def _number_text(places: str) -> str:
    """A pattern of a figure given as text in plain ASCII digits (``"68.20"``), at most MAX_FIGURE,
    with ``places`` (a quantifier) digits after the point."""
    return "^" + _WHOLE_PART.replace("{places}", places) + _END


#: What each pattern means, in words (the formats page shows these).
PATTERNS = {
    _number_text("{1,4}"): "in ASCII digits, at most 4 decimal places",
    _number_text("+"): "in ASCII digits",
    f"^(?=[\\s\\S]*[^{_SPACE}])(?:[^{_REFUSED_IN_TEXT}]|\\r\\n)*{_END}":
        "not blank, no control characters but line breaks (\\n, \\r\\n) and tabs, no noncharacters",
    f"^[^{_SPACE}{_REFUSED_IN_NAME}](?:[^{_REFUSED_IN_NAME}]*[^{_SPACE}{_REFUSED_IN_NAME}])?{_END}":
        "one line, no spaces around it, no control, format or default-ignorable characters, no line or "
        "paragraph separators, no noncharacters",
    f"^(?!0000)[0-9]{{4}}-[0-9]{{2}}-[0-9]{{2}}{_END}": "YYYY-MM-DD, not in year 0000",
    f"^(?!0000)[0-9]{{4}}-(0[1-9]|1[0-2]){_END}": "YYYY-MM, not in year 0000",
}
_PERCENT_TEXT, _DECIMAL_TEXT, _TEXT, _NAME, _DATE, _YEAR_MONTH = PATTERNS


def _figure_or_text(places: str) -> dict[str, Any]:
    return {"anyOf": [{"type": "number", "minimum": 0, "maximum": MAX_FIGURE},
                      {"type": "string", "pattern": _number_text(places)}]}


_NAMED: dict[Any, dict[str, Any]] = {
    Count: {"type": "integer", "minimum": 0, "maximum": MAX_FIGURE},
    Month: {"type": "integer", "minimum": 1, "maximum": 12},
    Percent: _figure_or_text("{1,4}"),
    Decimal: _figure_or_text("+"),
    str: {"type": "string", "pattern": _TEXT},
    Name: {"type": "string", "pattern": _NAME},
    Amount: {"type": "string", "pattern": _TEXT, "not": {"pattern": r"^\s*[-+]?(\d+(\.\d*)?|\.\d+)\s*$"}},
    bool: {"type": "boolean"},
    int: {"type": "integer", "minimum": -MAX_FIGURE, "maximum": MAX_FIGURE},
    date: {"type": "string", "format": "date", "pattern": _DATE},
    YearMonth: {"type": "string", "pattern": _YEAR_MONTH},
}

#: Lists the loaders take only without repeats, or only of a length: (model, field) → what JSON
#: Schema says of them. A list of objects unique by one field (ids, steps) cannot be said so.
_LISTS: dict[tuple[str, str], dict[str, Any]] = {
    ("InspectionItem", "covers"): {"uniqueItems": True},
    ("InspectionItem", "sampled_units"): {"uniqueItems": True},
    ("ScheduleRow", "monthly"): {"minItems": MONTHS, "maxItems": MONTHS},
    ("Schedule", "monthly_totals"): {"minItems": MONTHS, "maxItems": MONTHS},
    # An empty table or list is left out instead: its rules then say they were not checked.
    ("Schedule", "rows"): {"minItems": 1},
    ("KeyUnitList", "categories"): {"minItems": 1},
    ("KeyUnitList", "units"): {"minItems": 1},
    ("DispatchForm", "members"): {"uniqueItems": True},
    ("CampaignSteps", "roles"): {"uniqueItems": True},
}


#: What a model's fields say of each other, where JSON Schema can say it: model → schema keywords.
_BETWEEN_FIELDS: dict[str, dict[str, Any]] = {
    # An item drawn from outside the key units covers no key-unit category (forms.references).
    "InspectionItem": {"if": {"properties": {"tags": {"contains": {"const": Tag.OUTSIDE_KEY_UNITS.value}}},
                              "required": ["tags"]},
                       "then": {"properties": {"covers": {"maxItems": 0}}}},
}


def _with_list_rules(schema: dict[str, Any], rules: dict[str, Any] | None) -> dict[str, Any]:
    """``schema`` (of a list, or of a list or null) with ``rules`` added to the list."""
    if rules:
        for branch in schema.get("anyOf", [schema]):
            if branch.get("type") == "array":
                branch.update(rules)
    return schema


def _schema(tp: Any, defs: dict[str, Any]) -> dict[str, Any]:
    if tp in _NAMED:
        return copy.deepcopy(_NAMED[tp])  # a copy the caller may add to
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
        properties[field.name] = _with_list_rules(_schema(hints[field.name], defs), _LISTS.get((cls.__name__, field.name)))
        if field.default is attrs.NOTHING:
            required.append(field.name)
    result: dict[str, Any] = {"type": "object", "properties": properties, "additionalProperties": False}
    if cls.__doc__:
        result["description"] = " ".join(cls.__doc__.split())
    if required:
        result["required"] = required
    return result | _BETWEEN_FIELDS.get(cls.__name__, {})


_TITLES = {
    "annual-plan": "zhifa annual enforcement plan",
    "dispatch-form": "zhifa dispatch form (调度表) of a hazard-rectification campaign",
    "enterprise-record": "zhifa enterprise campaign record",
    "campaign-steps": "zhifa dated campaign steps of a reporting unit",
}


def _figure(whole: bool) -> dict[str, Any]:
    return {"type": "integer" if whole else "number", "minimum": 0, "maximum": MAX_FIGURE}


def _pair(first: str, second: str, first_whole: bool, second_whole: bool) -> dict[str, Any]:
    """Two figures, either of which may be blank (left out or null)."""
    return {"type": "object", "additionalProperties": False,
            "properties": {first: {"anyOf": [_figure(first_whole), {"type": "null"}]},
                           second: {"anyOf": [_figure(second_whole), {"type": "null"}]}}}


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
            body["properties"][field.name] = ({"type": "object"} if field.name == "values" else _with_list_rules(
                _schema(hints[field.name], defs), _LISTS.get((cls.__name__, field.name))))
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


def _json_escape(match: re.Match[str]) -> str:
    code = ord(match.group())
    if code <= 0xFFFF:
        return f"\\u{code:04x}"
    code -= 0x10000
    return f"\\u{0xD800 + (code >> 10):04x}\\u{0xDC00 + (code & 0x3FF):04x}"


def _escaping_the_unseen(text: str) -> str:
    """JSON text with every character beyond ASCII that is not printable, or not seen (a pattern's
    U+E0000, U+1FFFE), written as JSON's escape (``\\udb40\\udc00``): the same JSON, readable."""
    return re.sub("[^\\x00-\\x7e]", lambda m: m.group() if m.group().isprintable() and not hidden_in_name(m.group())
                  else _json_escape(m), text)


def main(argv: list[str]) -> int:
    from pathlib import Path

    from forms.convert import DOCUMENT_KINDS

    if len(argv) != 1:
        print("usage: python -m forms.schema DIR", file=sys.stderr)
        return 2
    for kind in DOCUMENT_KINDS:
        text = _escaping_the_unseen(json.dumps(document_schema(kind), ensure_ascii=False, indent=2)) + "\n"
        (Path(argv[0]) / f"{kind}.schema.json").write_text(text, encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
