"""One cattrs converter, built once: plain data ⇄ document models, with errors that name the field."""

from __future__ import annotations

import json
import math
import os
import re
import unicodedata
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator, Mapping
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from enum import Enum
from pathlib import Path
from typing import Any, TypeVar, cast, get_args, get_origin

import attrs
import cattrs
import yaml
from cattrs.cols import homogenous_tuple_structure_factory

from forms.dispatch import (
    CountAmount,
    DispatchForm,
    ItemShape,
    NoSuchMonth,
    WholePart,
    YearMonth,
    checked_values,
    load_template,
    parse_year_month,
)
from forms.errors import (
    CONTROL_IN_TEXT,
    LONE_SURROGATE,
    NONCHARACTER,
    LoadError,
    Problem,
    hidden_in,
    shown,
    shown_escaping,
)
from forms.parse import NotADate, read_data
from forms.plan import (
    MAX_FIGURE,
    AnnualPlan,
    Category,
    Count,
    Month,
    Name,
    Percent,
    Period,
    PlannedBasis,
    Tag,
    above_max_figure,
    name_key,
    unsigned_zero,
)
from forms.records import Amount, CampaignSteps, EnterpriseRecord, FoundBy, UnitRole
from forms.references import check_references, repeats

T = TypeVar("T")


class _Invalid(ValueError):
    """A value of the wrong shape; its text is shown to the user as is."""


def _whole(value: Any) -> int | None:
    """A whole number as an int: an int, or a number with nothing but zeros after its point (``5.0``,
    a whole number as JSON Schema's ``integer`` takes it; ``2.0000000000000001`` is not one, read
    exactly by :mod:`forms.parse`); one beyond ±MAX_FIGURE as just beyond it. None for anything else."""
    if isinstance(value, int):
        return None if isinstance(value, bool) else value
    if isinstance(value, Decimal):
        number = value if value.is_finite() else None
    else:
        number = Decimal(value) if isinstance(value, float) and math.isfinite(value) else None
    if number is None:
        return None
    if number.copy_abs() > MAX_FIGURE:  # never int() of 1E+999999999
        return MAX_FIGURE + 1 if number > 0 else -MAX_FIGURE - 1
    return int(number) if number == number.to_integral_value() else None


def _count(value: Any, _: Any) -> int:
    if type(value) is int and 0 <= value <= MAX_FIGURE:  # nearly every count
        return value
    number = _whole(value)
    if number is None or number < 0:
        raise _Invalid(f"expected a whole number ≥ 0, got {shown(value)}")
    return _at_most_max(number, value)


Figure = TypeVar("Figure", int, Decimal)


def _at_most_max(number: Figure, value: Any) -> Figure:
    """``number`` (read from ``value``) if it is within MAX_FIGURE."""
    if number > MAX_FIGURE:
        raise _Invalid(above_max_figure(shown(value)))
    return number


def _month(value: Any, _: Any) -> int:
    number = _whole(value)
    if number is None or not 1 <= number <= 12:
        raise _Invalid(f"expected a month 1–12, got {shown(value)}")
    return number


def _year_month(value: Any, _: Any) -> str:
    if isinstance(value, str):
        try:
            parse_year_month(value)
            return value
        except NoSuchMonth as exc:
            raise _Invalid(str(exc)) from None
        except ValueError:
            pass
    # YAML reads an unquoted 2023-05-01 as a date: say how a month is written
    hint = f"; write the month as {value.year:04d}-{value.month:02d}" if isinstance(value, date) else ""
    raise _Invalid(f"expected a month YYYY-MM, got {shown(value)}{hint}")


def _integer(value: Any, _: Any) -> int:
    number = _whole(value)
    if number is None:
        raise _Invalid(f"expected a whole number, got {shown(value)}")
    if abs(number) > MAX_FIGURE:
        raise _Invalid(f"expected a whole number within ±{MAX_FIGURE}, got {shown(value)}")
    return number


#: A number given as text: plain ASCII digits with an optional fraction ("68.20" keeps the two
#: places a YAML number would lose), none of the forms Python's Decimal also reads ("7_2", "٧٢", " 72 ").
_DECIMAL_TEXT = re.compile(r"[0-9]+(\.[0-9]+)?")

#: Decimal places a stated percentage may have; shares are compared at the places stated.
PERCENT_PLACES = 4


def _decimal(value: Any, _: Any) -> Decimal:
    # A file's numbers come as Decimals, read as written (forms.parse), so 68.20 keeps its two
    # places; str() of a float (plain data from Python) gives its shortest repr, so 68.2 keeps one.
    if isinstance(value, Decimal):
        number = value
    else:
        if isinstance(value, bool) or not isinstance(value, (int, float, str)):
            raise _Invalid(f"expected a number, got {shown(value)}")
        if isinstance(value, str) and not _DECIMAL_TEXT.fullmatch(value):
            raise _Invalid(f"expected a number, got {shown(value)}")
        try:
            number = Decimal(str(value))
        except InvalidOperation:
            raise _Invalid(f"expected a number, got {shown(value)}") from None
    if not number.is_finite() or number < 0:
        raise _Invalid(f"expected a number ≥ 0, got {shown(value)}")
    return _at_most_max(unsigned_zero(number), value)


def _percent(value: Any, _: Any) -> Decimal:
    number = _decimal(value, _)
    if number.as_tuple().exponent < -PERCENT_PLACES:  # type: ignore[operator]  # finite: an int
        raise _Invalid(f"expected a percentage to at most {PERCENT_PLACES} decimal places, got {shown(value)}")
    return number


def _control_characters(value: str) -> _Invalid:
    return _Invalid(f"expected text without control characters, got {shown(value)}")


def _text(value: Any, _: Any) -> str:
    if not isinstance(value, str):
        if _is_number(value):
            raise _Invalid(f"expected text, got the number {shown(value)}: write it as text, quoted ('{shown(value)}')")
        raise _Invalid(f"expected text, got {shown(value)}")
    if isinstance(value, NotADate):  # unquoted, it was meant as a date, not text
        raise _Invalid(f"no such date: {value} ({value.reason}); if it is text, quote it ('{value}')")
    if not value.strip():  # a unit, a name, an id: blank says nothing (an absent optional field is null)
        raise _Invalid(f"expected text, got blank text {shown(value)}")
    # Text may run over lines and hold tabs (a description, a note); a name may not (below).
    text: str = value
    if not text.isprintable():  # one test in C for nearly all text
        # A Windows line break is one line break: JSON keeps \r\n as written (YAML reads it as \n)
        text = text.replace("\r\n", "\n")
        if CONTROL_IN_TEXT.search(text):  # a lone \r too: it is no line break, and a terminal acts on it
            raise _control_characters(value)
        if half := LONE_SURROGATE.search(text):  # shown escaped (forms.errors.Problem)
            raise _Invalid(f"expected text, got half of a character (a lone surrogate {half.group()}) in {shown(value)}")
        if kept := NONCHARACTER.findall(text):
            raise _Invalid(f"expected text without noncharacters, got {shown_escaping(value, kept)}")
    return text


def _is_number(value: Any) -> bool:
    return isinstance(value, (int, float, Decimal)) and not isinstance(value, bool)


#: A number and nothing else, as text (“10”, “ 2.5 ”): an amount without its unit.
_BARE_NUMBER = re.compile(r"\s*[-+]?(\d+(\.\d*)?|\.\d+)\s*")


def _amount(value: Any, _: Any) -> str:
    """An amount written with its unit (资金 “5万元”), or said in words (“已列入年度预算”): 10 alone, a
    number or the text “10”, is 10元 or 10万元, never guessed."""
    if _is_number(value) or (isinstance(value, str) and _BARE_NUMBER.fullmatch(value)):
        number = shown(value) if _is_number(value) else value.strip()
        raise _Invalid(f"expected an amount with its unit, got the number {number}: write it as text with its "
                       f"unit, quoted ('{number}万元' or '{number}元')")
    return _text(value, _)


def _name(value: Any, _: Any) -> str:
    text = _text(value, _)
    printable = text.isprintable()
    # "城桥镇\u200b" and "城桥镇\u3164" print as 城桥镇 and would start a second series of the unit's
    # forms (checked first: strip() would call a U+2028 at the end a space)
    if hidden := hidden_in(text):
        raise _Invalid(f"expected a name without invisible characters (format characters, line or "
                       f"paragraph separators, default-ignorable characters), got {shown_escaping(text, hidden)}")
    if text != text.strip():  # "城桥镇 " would start a unit's second series, or miss its roll-up
        raise _Invalid(f"expected a name without spaces around it, got {shown(value)}")
    if not printable and ("\n" in text or "\t" in text):  # a name is one line
        raise _control_characters(value)
    # One spelling per name: text extracted from a PDF gives 港 as U+2F908, a compatibility
    # ideograph NFC makes 港; names are compared exactly, so they are compared in NFC.
    return text if unicodedata.is_normalized("NFC", text) else unicodedata.normalize("NFC", text)


def _flag(value: Any, _: Any) -> bool:
    if not isinstance(value, bool):
        raise _Invalid(f"expected true or false, got {shown(value)}")
    return value


#: A date as text: YYYY-MM-DD in ASCII digits, not the other forms ``date.fromisoformat`` reads
#: (``20230526``, the week date ``2023-W21-5``).
_DATE_TEXT = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")


def _date(value: Any, _: Any) -> date:
    if isinstance(value, datetime):  # YAML reads 2023-05-26 10:00 so: a date is compared as a day
        raise _Invalid(f"expected a date YYYY-MM-DD without a time, got {value.isoformat(sep=' ')}")
    if isinstance(value, date):
        return value
    if isinstance(value, NotADate):
        raise _Invalid(f"no such date: {value} ({value.reason})")
    if isinstance(value, str) and _DATE_TEXT.fullmatch(value):
        try:
            return date.fromisoformat(value)
        except ValueError as exc:  # 2023-02-29: written as a date, but none
            raise _Invalid(f"no such date: {shown(value)} ({exc})") from None
    raise _Invalid(f"expected a date YYYY-MM-DD, got {shown(value)}")


def _enum(value: Any, cls: type[Enum]) -> Enum:
    try:
        return cls(value)
    except ValueError:
        allowed = ", ".join(str(m.value) for m in cls)
        raise _Invalid(f"expected one of {allowed}, got {shown(value)}") from None


def _is_list_field(t: Any) -> bool:
    """``tuple[X, ...]``: how the models type a list."""
    args = get_args(t)
    return get_origin(t) is tuple and len(args) == 2 and args[1] is ...


def _list_only(t: Any, converter: cattrs.Converter) -> Callable[[Any, Any], Any]:
    """A list field takes a list: text or a mapping is not silently split into its characters or keys."""
    elements = homogenous_tuple_structure_factory(t, converter)

    def structure(value: Any, cls: Any) -> Any:
        if not isinstance(value, (list, tuple)):
            given = _type_name(value) if isinstance(value, dict) else shown(value)
            raise _Invalid(f"expected a list, got {given}")
        return elements(value, cls)

    return structure


def _keyed_by_text(mapping: Mapping[Any, Any]) -> bool:
    """Whether every key of ``mapping`` is text, by the set of the keys' types (one pass in C)."""
    return set(map(type, mapping)) <= {str}


def _text_keyed(converter: cattrs.Converter) -> Callable[[Any, Any], dict[str, Any]]:
    """A mapping keyed by text, its values kept as given (a dispatch form's values, which
    :func:`forms.dispatch.checked_values` reads against the template). A mapping whose keys are all
    text is copied in one pass; anything else goes through cattrs' own hook, which names each bad key."""
    generic = converter.get_structure_hook(dict[str, Any])

    def structure(value: Any, cls: Any) -> dict[str, Any]:
        if type(value) is dict and _keyed_by_text(value):
            return dict(value)
        result: dict[str, Any] = generic(value, cls)
        return result

    return structure


def _enum_value(member: Enum) -> Any:
    return member.value


def _unstructure_decimal(value: Decimal) -> int | float | str:
    """Written back as it was read, places and all, since shares are compared at the places stated:
    72 stays 72 and 68.2 stays 68.2 (numbers), but ``68.20`` becomes the text ``"68.20"``, as a
    number (a float) would lose its trailing zero. Only a plan's percentages and ratio can be
    written so, and they take text (:func:`_decimal`); a form's figures are written by
    :func:`_unstructure_figure`."""
    exponent = value.as_tuple().exponent
    if not isinstance(exponent, int):  # NaN or infinity: only in a document built in Python
        return float(value)
    if exponent >= 0:
        return int(value)
    number = float(value)
    if Decimal(repr(number)).as_tuple() == value.as_tuple():
        return number
    return format(value, "f")


def _unstructure_figure(value: Any) -> Any:
    """A figure of a form's item as a number: whole (an int), or an amount of money (a float, exact
    to its 4 places at most), whose trailing zeros carry nothing: amounts are compared in 0.0001 万元
    and a form's figures do not take text."""
    if not isinstance(value, Decimal) or not value.is_finite():
        return _plain(value)
    return int(value) if value == value.to_integral_value() else float(value)


def _make_converter() -> cattrs.Converter:
    converter = cattrs.Converter(forbid_extra_keys=True, omit_if_default=True)
    # Annotated aliases are matched by equality, before the hooks of their underlying types.
    converter.register_structure_hook_func(lambda t: t == Count, _count)
    converter.register_structure_hook_func(lambda t: t == Month, _month)
    converter.register_structure_hook_func(lambda t: t == Percent, _percent)
    converter.register_structure_hook_func(lambda t: t == Name, _name)
    converter.register_structure_hook_func(lambda t: t == Amount, _amount)
    converter.register_structure_hook(Decimal, _decimal)
    converter.register_structure_hook(int, _integer)
    converter.register_structure_hook(bool, _flag)
    # Each str-valued Enum gets its own hook (register_enum), which is more specific than this one.
    converter.register_structure_hook(str, _text)
    converter.register_structure_hook(date, _date)
    converter.register_structure_hook_func(lambda t: t == YearMonth, _year_month)
    converter.register_structure_hook_factory(_is_list_field, _list_only)
    converter.register_structure_hook_func(lambda t: t == dict[str, Any], _text_keyed(converter))
    for enum in (Category, Tag, Period, PlannedBasis, ItemShape, FoundBy, UnitRole):
        converter.register_structure_hook(enum, _enum)
        converter.register_unstructure_hook(enum, _enum_value)
    converter.register_unstructure_hook(Decimal, _unstructure_decimal)
    for pair in (CountAmount, WholePart):
        converter.register_unstructure_hook(pair, lambda v: _unstructure_pair(v))  # defined below
    converter.register_unstructure_hook(date, date.isoformat)
    converter.register_unstructure_hook(tuple, lambda t: [converter.unstructure(v) for v in t])
    return converter


CONVERTER = _make_converter()


def register_enum(cls: type[Enum]) -> None:
    """Make ``CONVERTER`` read ``cls`` strictly, listing the allowed values on error."""
    CONVERTER.register_structure_hook(cls, _enum)
    CONVERTER.register_unstructure_hook(cls, _enum_value)


def _field_path(cattrs_path: str) -> str:
    return cattrs_path.removeprefix("$").removeprefix(".")


def _describe(exc: BaseException, _type: Any) -> str:
    if isinstance(exc, _Invalid):
        return str(exc)
    if isinstance(exc, KeyError):
        return "required field is missing"
    if isinstance(exc, cattrs.ForbiddenExtraKeysError):
        return "unknown field"  # replaced per key below
    if isinstance(exc, AttributeError) and exc.name in ("keys", "items"):  # a list or text where fields belong
        return f"expected a mapping, got {_type_name(exc.obj)}"
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
    ``at`` is the path of ``data`` inside its file, prefixed to every problem's path.

    A document (``cls`` one of :data:`forms.DOCUMENT_KINDS`' models, its data without ``kind``) is read
    as :func:`document_from_data` reads it: a dispatch form's values against its template, a plan's
    references, a campaign's steps."""
    if cls in _DOCUMENT_CLASSES and isinstance(data, dict):
        try:
            return cast(T, _document(dict(data), cast(type[Document], cls), file))  # a copy: a form's values are replaced
        except LoadError as exc:
            raise LoadError(file, [Problem(_within(at, p.path), p.message) for p in exc.problems]) from None
    return _structure(data, cls, file, at)


def _within(at: str, path: str) -> str:
    """``path`` inside the part of a file at ``at``."""
    return (f"{at}.{path}" if path else at) if at else path


def _structure(data: Any, cls: type[T], file: str = "<data>", at: str = "") -> T:
    """:func:`structure` by the model's fields alone."""
    if not isinstance(data, dict):
        raise LoadError(file, [Problem(at, f"expected a mapping, got {_type_name(data)}")])
    try:
        return CONVERTER.structure(data, cls)
    except Exception as exc:  # cattrs raises ExceptionGroups; every leaf becomes a Problem
        problems = _expand_unknown_fields(exc, _problems(exc))
        raise LoadError(file, [Problem(_within(at, p.path), p.message) for p in problems]) from None


def _type_name(value: Any) -> str:
    return {list: "a list", dict: "a mapping", str: "text", type(None): "nothing"}.get(type(value), type(value).__name__)


def _expand_unknown_fields(exc: BaseException, problems: list[Problem]) -> list[Problem]:
    expanded: list[Problem] = []
    extra = _collect_extra_keys(exc, "")
    for problem in problems:
        keys = extra.get(problem.path) if problem.message == "unknown field" else None
        if keys:
            expanded.extend(Problem(f"{problem.path}.{k}".lstrip("."), "unknown field") for k in keys)
        else:  # never dropped: a problem not found in the tree is shown as it came
            expanded.append(problem)
    return expanded


def _collect_extra_keys(exc: BaseException, path: str) -> dict[str, list[str]]:
    """Map each object path to its unknown keys, walking cattrs' error tree like transform_error does
    and writing each path as it does (a list's element ``[3]``, a mapping's ``['min_joint_share']``)."""
    found: dict[str, list[str]] = {}
    if isinstance(exc, cattrs.ForbiddenExtraKeysError):
        # YAML keys need not be text (`7: x`); a key is named as written, sorted as text.
        found[path] = sorted({str(key) for key in exc.extra_fields})
    elif isinstance(exc, cattrs.ClassValidationError):
        fields, rest = exc.group_exceptions()
        for inner, field in fields:
            found.update(_collect_extra_keys(inner, f"{path}.{field.name}".lstrip(".")))
        for inner in rest:
            found.update(_collect_extra_keys(inner, path))
    elif isinstance(exc, cattrs.IterableValidationError):
        elements, rest = exc.group_exceptions()
        for inner, element in elements:
            found.update(_collect_extra_keys(inner, f"{path}[{element.index!r}]"))
        for inner in rest:
            found.update(_collect_extra_keys(inner, path))
    return found


#: A document zhifa checks.
Document = AnnualPlan | DispatchForm | EnterpriseRecord | CampaignSteps

#: Document kinds a file may declare in its ``kind`` field, and the model each loads into.
DOCUMENT_KINDS: dict[str, type[Document]] = {
    "annual-plan": AnnualPlan,
    "dispatch-form": DispatchForm,
    "enterprise-record": EnterpriseRecord,
    "campaign-steps": CampaignSteps,
}


_KIND_OF_CLASS = {cls: kind for kind, cls in DOCUMENT_KINDS.items()}
_DOCUMENT_CLASSES = frozenset(DOCUMENT_KINDS.values())


def kind_of(document: Document) -> str:
    """The ``kind`` a document is written with."""
    kind = _KIND_OF_CLASS.get(type(document))
    if kind is not None:
        return kind
    for kind, cls in DOCUMENT_KINDS.items():  # a subclass of a model
        if isinstance(document, cls):
            return kind
    raise TypeError(f"not a zhifa document: {type(document).__name__}")


def _read_values(variant: str, raw: Any) -> tuple[dict[str, Any] | None, list[Problem]]:
    """A form's values read against its variant's template, and their problems (None for the
    values when the variant is unknown or they are not a mapping)."""
    try:
        template = load_template(variant)
    except KeyError as exc:
        return None, [Problem("variant", exc.args[0])]
    if not isinstance(raw, dict):
        return None, [Problem("values", "expected a mapping of item keys to figures")]
    values, problems = checked_values(template, raw)
    return values, [Problem(path, message) for path, message in problems]


def _dispatch_form(body: dict[str, Any], file: str) -> DispatchForm:
    """A dispatch form from its fields (``kind`` left out, in a dict of the caller's own, whose
    values are replaced by those read). Its values are read against its variant's template before
    the rest is structured, so that the form is built once, with the values read; when the rest
    fails too, one reading names the problems of both (except where the variant or the values
    themselves are among what failed)."""
    variant, raw = body.get("variant"), body.get("values")
    found: list[Problem] = []
    read = False
    if isinstance(variant, str) and (type(raw) is dict or isinstance(raw, Mapping)) and _keyed_by_text(raw):
        read = True
        values, found = _read_values(variant, raw if type(raw) is dict else dict(raw))
        if values is not None:
            body["values"] = values
    try:
        form = _structure(body, DispatchForm, file)
    except LoadError as exc:
        if any(p.path.split(".")[0].split("[")[0] in ("variant", "values") for p in exc.problems):
            found = []
        raise LoadError(file, [*exc.problems, *found]) from None
    if not read:  # values cattrs took that were not read above (anything else with items): read them now
        values, found = _read_values(form.variant, form.values)
        if values is not None:
            form = attrs.evolve(form, values=values)
    found += _member_problems(form)
    if found:
        raise LoadError(file, found)
    return form


def _member_problems(form: DispatchForm) -> list[Problem]:
    """A unit listed twice among an aggregate form's members, or its own unit among them (it would be
    added up into itself), names matched as the engine matches them (:func:`forms.plan.name_key`):
    ``城桥镇（东）`` and ``城桥镇(东)`` are one unit. Each shown as the form writes it."""
    if not form.members:  # most forms: a unit's own (its name keyed for nothing, 9 % of loading one)
        return []
    written: dict[str, list[str]] = defaultdict(list)
    for member in form.members:
        written[name_key(member)].append(member)
    found = []
    for names in written.values():
        if len(names) > 1:
            other = _otherwise(names[0], names)
            found.append(Problem("members", f"unit {names[0]!r} is listed more than once"
                                            + (f" (also as {other})" if other else "")))
    if own := written.get(name_key(form.unit)):
        other = _otherwise(form.unit, own)
        found.append(Problem("members", f"the form's own unit {form.unit!r} cannot be one of its members"
                                        + (f" (listed as {other})" if other else "")))
    return found


def _otherwise(name: str, names: list[str]) -> str:
    """How else ``names`` write ``name``, in the order written, for a message (``'城桥镇(东)'``)."""
    return ", ".join(repr(n) for n in dict.fromkeys(names) if n != name)


def _repeated_steps(steps: CampaignSteps) -> list[Problem]:
    """A step recorded twice would be judged by whichever date came last; a role stated twice is a slip."""
    return [*(Problem(f"milestones[{index}].step", f"step {m.step!r} is recorded already, at milestones[{earlier}]")
              for index, earlier, m in repeats(steps.milestones, lambda m: m.step)),
            *(Problem(f"roles[{index}]", f"role {role.value!r} is stated already, at roles[{earlier}]")
              for index, earlier, role in repeats(steps.roles or (), lambda role: role))]


def _record_problems(record: EnterpriseRecord) -> list[Problem]:
    return _repeated_contractors(record) + _backdated_hazards(record) + _as_of_too_early(record.as_of, _held_dates(record))


def _held_dates(record: EnterpriseRecord) -> Iterator[tuple[str, date]]:
    """Each day a record says something was done or found, with its field path (a deferred
    hazard's deadline is a day planned, and may fall after the record ends)."""
    for field in ("leader_checks", "drills", "warning_education"):
        for index, day in enumerate(getattr(record, field)):
            yield f"{field}[{index}]", day
    for field in ("outsourcing_review", "key_post_review"):
        review = getattr(record, field)
        if review is not None:
            yield f"{field}.done", review.done
    for index, hazard in enumerate(record.hazards):
        yield f"hazards[{index}].found", hazard.found
        if hazard.rectified is not None:
            yield f"hazards[{index}].rectified", hazard.rectified


def _as_of_too_early(as_of: date | None, held: Iterable[tuple[str, date]]) -> list[Problem]:
    """A record running to a day (``as_of``) before a day it holds: a slip (2022 for 2023) that
    would leave every period and step after it “not yet due”. Names the latest such day (the
    first of them in the file, if several fall on it)."""
    if as_of is None:
        return []
    later = [(day, path) for path, day in held if day > as_of]
    if not later:
        return []
    day, path = max(later, key=lambda found: found[0])  # max keeps the first of equals
    which = f"the latest of {len(later)} days the record holds after it" if len(later) > 1 else "a day the record holds"
    return [Problem("as_of", f"{as_of.isoformat()} is before {path} ({day.isoformat()}), {which}: a record runs "
                             f"to a day on or after every day it holds; check the year")]


def _repeated_contractors(record: EnterpriseRecord) -> list[Problem]:
    """A contractor listed twice in one outsourcing review (names matched by :func:`forms.plan.name_key`):
    a slip that would have it reported twice, where each contractor is reported once."""
    review = record.outsourcing_review
    if review is None:
        return []
    return [Problem(f"outsourcing_review.contractors[{index}].name",
                    f"contractor {c.name!r} is listed already, at outsourcing_review.contractors[{earlier}]")
            for index, earlier, c in repeats(review.contractors, lambda c: name_key(c.name))]


def _backdated_hazards(record: EnterpriseRecord) -> list[Problem]:
    """A hazard rectified, or given a deadline, before it was found: a slip (07-01 for 07-11), which
    would have it rectified at once and neither its five elements nor its report asked for."""
    found = []
    for index, hazard in enumerate(record.hazards):
        day = hazard.found.isoformat()
        if hazard.rectified is not None and hazard.rectified < hazard.found:
            found.append(Problem(f"hazards[{index}].rectified",
                                 f"{hazard.rectified.isoformat()} is before the hazard was found ({day})"))
        if hazard.deferred is not None and hazard.deferred.deadline is not None and hazard.deferred.deadline < hazard.found:
            found.append(Problem(f"hazards[{index}].deferred.deadline",
                                 f"{hazard.deferred.deadline.isoformat()} is before the hazard was found ({day})"))
    return found


def document_from_data(data: Any, file: str = "<data>") -> Document:
    """Build a document from parsed data whose ``kind`` field says what it is."""
    if not isinstance(data, dict):
        raise LoadError(file, [Problem("", f"expected a mapping at the top level, got {_type_name(data)}")])
    kind = data.get("kind")
    known = ", ".join(DOCUMENT_KINDS)
    if kind is None:
        raise LoadError(file, [Problem("kind", f"required field is missing; expected one of {known}")])
    if not isinstance(kind, str) or kind not in DOCUMENT_KINDS:
        raise LoadError(file, [Problem("kind", f"expected one of {known}, got {shown(kind)}")])
    return _document({k: v for k, v in data.items() if k != "kind"}, DOCUMENT_KINDS[kind], file)


def _document(body: dict[str, Any], cls: type[Document], file: str) -> Document:
    """A document of model ``cls`` from its fields (``kind`` left out, in a dict of the caller's own)."""
    if cls is DispatchForm:  # its values are read against its template
        return _dispatch_form(body, file)
    document = _structure(body, cls, file)
    problems = (check_references(document) if isinstance(document, AnnualPlan)
                else _repeated_steps(document) + _as_of_too_early(
                    document.as_of, ((f"milestones[{k}].done", m.done) for k, m in enumerate(document.milestones)))
                if isinstance(document, CampaignSteps)
                else _record_problems(document) if isinstance(document, EnterpriseRecord) else [])
    if problems:
        raise LoadError(file, problems)
    return document


def _unstructure_pair(pair: CountAmount | WholePart) -> dict[str, Any]:
    """A form's two-figure item, its blank figures left out."""
    return {f.name: _unstructure_figure(v) for f in attrs.fields(type(pair)) if (v := getattr(pair, f.name)) is not None}


def _plain(value: Any) -> Any:
    """Plain data of a value by what it is, not by what its field is typed as: a document built in
    Python may hold anything, and its data is read to say what (:func:`built_wrongly`)."""
    if isinstance(value, (CountAmount, WholePart)):
        return _unstructure_pair(value)
    if attrs.has(type(value)):
        return {f.name: _plain(getattr(value, f.name)) for f in attrs.fields(type(value))}
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, (tuple, list)):
        return [_plain(v) for v in value]
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, date) and not isinstance(value, datetime):  # a time is refused as written
        return value.isoformat()
    return _unstructure_decimal(value) if isinstance(value, Decimal) else value


def _differences(given: Any, read: Any, path: str) -> Iterator[Problem]:
    """Where ``given`` (built in Python) differs from ``read`` (its data as a loader reads it)."""
    if attrs.has(type(read)) and type(given) is type(read):
        for field in attrs.fields(type(read)):
            yield from _differences(getattr(given, field.name), getattr(read, field.name),
                                    f"{path}.{field.name}".lstrip("."))
    elif isinstance(given, dict) and isinstance(read, dict):
        for key in read:
            yield from _differences(given.get(key), read[key], f"{path}.{key}")
    elif isinstance(given, (tuple, list)) and isinstance(read, tuple) and len(given) == len(read):
        for index, (one, other) in enumerate(zip(given, read, strict=True)):
            yield from _differences(one, other, f"{path}[{index}]")
    elif given != read:  # 3 for Decimal(3), "key" for Category.KEY: alike
        yield Problem(path, f"expected {type(read).__name__}, got {type(given).__name__} {shown(given)}")


def built_wrongly(document: Document, file: str) -> LoadError | None:
    """What is wrong in a document built in Python (``attrs.evolve``, a constructor), as
    :class:`LoadError` naming ``file`` and each bad field: what a loader would refuse in its data,
    or else each value not of the type a loader gives; None for neither. Slow: for explaining a
    document the engine failed on, not for checking every document."""
    try:
        read = document_from_data({"kind": kind_of(document), **_plain(document)}, file)
    except LoadError as exc:
        return exc
    problems = list(_differences(document, read, ""))
    return LoadError(file, problems) if problems else None


def plan_from_data(data: Any, file: str = "<data>") -> AnnualPlan:
    """Build an annual plan from parsed data; ``kind`` may be left out."""
    if isinstance(data, dict) and "kind" not in data:
        data = {"kind": "annual-plan", **data}
    document = document_from_data(data, file)
    if not isinstance(document, AnnualPlan):
        raise LoadError(file, [Problem("kind", f"expected annual-plan, got {kind_of(document)}")])
    return document


def load_document(path: str | Path) -> Document:
    """Load a document from a YAML or JSON file, or a dispatch form from an .xlsx workbook; raises
    :class:`LoadError` naming the file and the field (or the cell)."""
    if os.path.splitext(path)[1].lower() == ".xlsx":
        from forms.xlsx import read_form

        return read_form(path)
    data = read_data(path)
    try:
        return document_from_data(data, str(path))
    except LoadError as exc:
        named = data.get("profile") if isinstance(data, dict) else None
        exc.profile = named if isinstance(named, str) else None
        raise


def load_plan(path: str | Path) -> AnnualPlan:
    """Load an annual plan from a YAML or JSON file; raises :class:`LoadError`."""
    return plan_from_data(read_data(path), str(path))


def unstructure(document: Any) -> dict[str, Any]:
    """The plain-data form of a document: what a file holds. A Decimal is written as a number
    where a float holds it with its places (``68.2``), else as text (``"68.20"``), so that the
    document read back is equal and checks the same."""
    data: dict[str, Any] = CONVERTER.unstructure(document)
    return data


class _Dumper(yaml.SafeDumper):
    """Writes lists of plain values on one line ([12, 6, 28, …]), as people write monthly rows."""

    def represent_list(self, data: Iterable[Any]) -> yaml.SequenceNode:
        values = list(data)
        flow = all(not isinstance(v, (dict, list)) for v in values)
        return self.represent_sequence("tag:yaml.org,2002:seq", values, flow_style=flow)


_Dumper.add_representer(list, _Dumper.represent_list)


def document_data(document: Document) -> dict[str, Any]:
    """The file form of a document, ``kind`` first; items a form leaves blank are left out."""
    data = unstructure(document)
    if isinstance(document, DispatchForm):
        data["values"] = {k: v for k, v in data["values"].items() if v is not None}
    return {"kind": kind_of(document), **data}


def dump_document(document: Document, fmt: str = "yaml") -> str:
    """Write a document as YAML or JSON text that :func:`load_document` reads back to an equal one."""
    data = document_data(document)
    if fmt == "json":
        return json.dumps(data, ensure_ascii=False, indent=2) + "\n"
    if fmt == "yaml":
        return yaml.dump(data, Dumper=_Dumper, allow_unicode=True, sort_keys=False, width=120)
    raise ValueError(f"unknown format {fmt!r}; use yaml or json")


def dump_plan(plan: AnnualPlan, fmt: str = "yaml") -> str:
    """Write a plan back as YAML or JSON text that :func:`load_plan` reads to an equal plan."""
    return dump_document(plan, fmt)
