"""One cattrs converter, built once: plain data ⇄ document models, with errors that name the field."""

from __future__ import annotations

import json
from datetime import date
from decimal import Decimal, InvalidOperation
from enum import Enum
from pathlib import Path
from typing import Any, TypeVar

import cattrs
import yaml

from forms.errors import LoadError, Problem
from forms.parse import read_data
from forms.plan import AnnualPlan, Category, Count, Month, Percent, Period, PlannedBasis, Tag
from forms.references import check_references

T = TypeVar("T")


class _Invalid(ValueError):
    """A value of the wrong shape; its text is shown to the user as is."""


def _shown(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False) if isinstance(value, str) else repr(value)


def _count(value: Any, _: Any) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise _Invalid(f"expected a whole number ≥ 0, got {_shown(value)}")
    return value


def _month(value: Any, _: Any) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= 12:
        raise _Invalid(f"expected a month 1–12, got {_shown(value)}")
    return value


def _integer(value: Any, _: Any) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise _Invalid(f"expected a whole number, got {_shown(value)}")
    return value


def _decimal(value: Any, _: Any) -> Decimal:
    # str() of a float gives its shortest repr, so 68.2 keeps one decimal place as stated.
    if isinstance(value, bool) or not isinstance(value, (int, float, str)):
        raise _Invalid(f"expected a number, got {_shown(value)}")
    try:
        number = Decimal(str(value))
    except InvalidOperation:
        raise _Invalid(f"expected a number, got {_shown(value)}") from None
    if not number.is_finite() or number < 0:
        raise _Invalid(f"expected a number ≥ 0, got {_shown(value)}")
    return number


def _text(value: Any, _: Any) -> str:
    if not isinstance(value, str):
        raise _Invalid(f"expected text, got {_shown(value)}")
    return value


def _flag(value: Any, _: Any) -> bool:
    if not isinstance(value, bool):
        raise _Invalid(f"expected true or false, got {_shown(value)}")
    return value


def _date(value: Any, _: Any) -> date:
    if isinstance(value, date):
        return value
    if isinstance(value, str):
        try:
            return date.fromisoformat(value)
        except ValueError:
            pass
    raise _Invalid(f"expected a date YYYY-MM-DD, got {_shown(value)}")


def _enum(value: Any, cls: type[Enum]) -> Enum:
    try:
        return cls(value)
    except ValueError:
        allowed = ", ".join(str(m.value) for m in cls)
        raise _Invalid(f"expected one of {allowed}, got {_shown(value)}") from None


def _unstructure_decimal(value: Decimal) -> int | float:
    # Written back as the number it was read as: 72 stays 72, 68.2 stays 68.2.
    return int(value) if value == value.to_integral_value() and value.as_tuple().exponent == 0 else float(value)


def _make_converter() -> cattrs.Converter:
    converter = cattrs.Converter(forbid_extra_keys=True, omit_if_default=True)
    converter.register_structure_hook(Count, _count)
    converter.register_structure_hook(Month, _month)
    converter.register_structure_hook(Percent, _decimal)
    converter.register_structure_hook(Decimal, _decimal)
    # Exact-type predicates: a str-valued Enum must not be caught by the str hook.
    converter.register_structure_hook_func(lambda t: t is int, _integer)
    converter.register_structure_hook_func(lambda t: t is str, _text)
    converter.register_structure_hook_func(lambda t: t is bool, _flag)
    converter.register_structure_hook(date, _date)
    for enum in (Category, Tag, Period, PlannedBasis):
        converter.register_structure_hook(enum, _enum)
    converter.register_unstructure_hook(Decimal, _unstructure_decimal)
    converter.register_unstructure_hook(date, date.isoformat)
    converter.register_unstructure_hook(tuple, lambda t: [converter.unstructure(v) for v in t])
    return converter


CONVERTER = _make_converter()


def register_enum(cls: type[Enum]) -> None:
    """Make ``CONVERTER`` read ``cls`` strictly, listing the allowed values on error."""
    CONVERTER.register_structure_hook(cls, _enum)


def _field_path(cattrs_path: str) -> str:
    return cattrs_path.removeprefix("$").removeprefix(".")


def _describe(exc: BaseException, _type: Any) -> str:
    if isinstance(exc, _Invalid):
        return str(exc)
    if isinstance(exc, KeyError):
        return "required field is missing"
    if isinstance(exc, cattrs.ForbiddenExtraKeysError):
        return "unknown field"  # replaced per key below
    if isinstance(exc, TypeError):
        return f"expected a list or mapping here ({exc})"
    return f"invalid value ({exc})"


def _problems(exc: Exception) -> list[Problem]:
    problems: list[Problem] = []
    for line in cattrs.transform_error(exc, path="$", format_exception=_describe):
        message, _, where = line.rpartition(" @ ")
        problems.append(Problem(_field_path(where), message))
    return problems


def structure(data: Any, cls: type[T], file: str = "<data>", at: str = "") -> T:
    """Turn plain data into ``cls``, or raise :class:`LoadError` naming every bad field.
    ``at`` is the path of ``data`` inside its file, prefixed to every problem's path."""
    if not isinstance(data, dict):
        raise LoadError(file, [Problem(at, f"expected a mapping, got {_type_name(data)}")])
    try:
        return CONVERTER.structure(data, cls)
    except Exception as exc:  # cattrs raises ExceptionGroups; every leaf becomes a Problem
        problems = _expand_unknown_fields(exc, _problems(exc))
        if at:
            problems = [Problem(f"{at}.{p.path}" if p.path else at, p.message) for p in problems]
        raise LoadError(file, problems) from None


def _type_name(value: Any) -> str:
    return {list: "a list", str: "text", type(None): "nothing"}.get(type(value), type(value).__name__)


def _expand_unknown_fields(exc: BaseException, problems: list[Problem]) -> list[Problem]:
    expanded: list[Problem] = []
    extra = _collect_extra_keys(exc, "")
    for problem in problems:
        if problem.message == "unknown field":
            keys = extra.get(problem.path, [])
            expanded.extend(Problem(f"{problem.path}.{k}".lstrip("."), "unknown field") for k in keys)
        else:
            expanded.append(problem)
    return expanded


def _collect_extra_keys(exc: BaseException, path: str) -> dict[str, list[str]]:
    """Map each object path to its unknown keys, walking cattrs' error tree like transform_error does."""
    found: dict[str, list[str]] = {}
    if isinstance(exc, cattrs.ForbiddenExtraKeysError):
        found[path] = sorted(exc.extra_fields)
    elif isinstance(exc, cattrs.ClassValidationError):
        with_notes, without = exc.group_exceptions()
        for inner, note in with_notes:
            found.update(_collect_extra_keys(inner, f"{path}.{note.name}".lstrip(".")))
        for inner in without:
            found.update(_collect_extra_keys(inner, path))
    elif isinstance(exc, cattrs.IterableValidationError):
        with_notes, without = exc.group_exceptions()
        for inner, note in with_notes:
            found.update(_collect_extra_keys(inner, f"{path}[{note.index}]"))
        for inner in without:
            found.update(_collect_extra_keys(inner, path))
    return found


def load_plan(path: str | Path) -> AnnualPlan:
    """Load an annual plan from a YAML or JSON file; raises :class:`LoadError`."""
    file = str(path)
    plan = structure(read_data(path), AnnualPlan, file)
    problems = check_references(plan)
    if problems:
        raise LoadError(file, problems)
    return plan


def plan_from_data(data: Any, file: str = "<data>") -> AnnualPlan:
    """Build an annual plan from already-parsed data (a dict as read from JSON or YAML)."""
    plan = structure(data, AnnualPlan, file)
    problems = check_references(plan)
    if problems:
        raise LoadError(file, problems)
    return plan


def unstructure(document: Any) -> dict[str, Any]:
    """The plain-data form of a document: what a file holds."""
    data: dict[str, Any] = CONVERTER.unstructure(document)
    return data


def dump_plan(plan: AnnualPlan, fmt: str = "yaml") -> str:
    """Write a plan back as YAML or JSON text that :func:`load_plan` reads to an equal plan."""
    data = unstructure(plan)
    if fmt == "json":
        return json.dumps(data, ensure_ascii=False, indent=2) + "\n"
    if fmt == "yaml":
        return yaml.safe_dump(data, allow_unicode=True, sort_keys=False, width=120)
    raise ValueError(f"unknown format {fmt!r}; use yaml or json")
