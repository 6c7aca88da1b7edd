"""The monthly dispatch form (调度表) of a hazard-rectification campaign, and its templates.

A template (``forms/templates/<variant>.yaml``) lists the form's sections and numbered items with
their labels verbatim from the seed. Items are named by a ``key`` shared by every variant, so rules
speak of ``penalties`` whether the form numbers it 3.3 (Chongming) or 3.2 (Linyi).

Figures are cumulative since the campaign began. ``None`` means *not reported* (a blank cell),
which is not 0: rules that compare figures treat a blank explicitly.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import date
from decimal import Decimal, InvalidOperation
from enum import StrEnum
from functools import cache, cached_property
from pathlib import Path
from typing import Annotated, Any

import attrs

from forms.errors import shown
from forms.plan import MAX_FIGURE, Count, Name, above_max_figure, unsigned_zero

TEMPLATES_DIR = Path(__file__).parent / "templates"
_YEAR_MONTH = re.compile(r"([0-9]{4})-([0-9]{2})")  # ASCII digits only, matched whole (no trailing newline)

#: A month as ``YYYY-MM``.
YearMonth = Annotated[str, "year-month YYYY-MM"]


class NoSuchMonth(ValueError):
    """A month written as ``YYYY-MM`` that no calendar has: year 0000 (a date has none)."""


def parse_year_month(text: str) -> tuple[int, int]:
    """``"2023-06"`` → ``(2023, 6)``; raises ValueError for anything else, :class:`NoSuchMonth`
    for a month of year 0000."""
    match = _YEAR_MONTH.fullmatch(text)
    if not match or not 1 <= int(match.group(2)) <= 12:
        raise ValueError(text)
    year = int(match.group(1))
    if year < 1:  # date() starts at year 1: its deadline and first day could not be dated
        raise NoSuchMonth(f"no such month: {shown(text)} (there is no year 0000)")
    return year, int(match.group(2))


class ItemShape(StrEnum):
    """What one item of the form holds."""

    COUNT = "count"  # a whole number
    COUNT_AMOUNT = "count-amount"  # 行政处罚（次，万元）: how many, and how much
    WHOLE_PART = "whole-part"  # …，其中…: a whole and the part of it the label names
    YES_NO = "yes-no"  # 是否…


@attrs.frozen
class FormItem:
    """One numbered item of a form: its key in a form's values, label as the seed writes it, unit
    and shape."""

    number: int
    key: str
    label: str
    unit: str
    shape: ItemShape = ItemShape.COUNT
    amount_unit: str | None = None

    @cached_property  # read for every figure of every form
    def whole_numbers(self) -> bool:
        """Whether the item's figures are counts (个, 家, 次 …) rather than money (万元). A
        count-amount item's amount is money whatever its count is: see :meth:`in_whole_numbers`."""
        return self.unit != "万元"

    def in_whole_numbers(self, figure: str) -> bool:
        """Whether one of the item's figures (``count``, ``amount``, ``whole``, ``part``; ``""`` for
        a count item's one) is a whole number: an amount is money (万元), the others are in the
        item's unit."""
        return figure != "amount" and self.whole_numbers


@attrs.frozen
class FormSection:
    """One numbered section of a dispatch form and its items, in the form's order."""

    number: int
    name: str
    items: tuple[FormItem, ...]


@attrs.frozen
class FormTemplate:
    """One variant of the dispatch form, as its seed lays it out."""

    variant: str
    source: str
    profile: str  # the campaign profile a form of this variant is checked under by default
    title: str
    notes: tuple[str, ...]
    sections: tuple[FormSection, ...]
    #: What the form's 外包外租管理混乱 count means, as a contractor's conditions
    #: (``forms.records.Contractor``) that must all hold, or its enterprise counts as disorderly.
    #: Each campaign says its own.
    orderly_outsourcing: tuple[str, ...]
    #: Conditions whose failure a reading of the campaign may count as disorderly, or not, where
    #: it does not define 混乱 exactly: an enterprise failing only these may count (empty where
    #: the form defines its conditions, as Chongming's 附件 注2 does).
    outsourcing_may_count: tuple[str, ...] = attrs.field(default=())

    @outsourcing_may_count.validator
    def _conditions_known_and_counted_once(self, attribute: attrs.Attribute[tuple[str, ...]],
                                           value: tuple[str, ...]) -> None:
        from forms.records import CONTRACTOR_CONDITIONS  # records build on this module

        for name, conditions in (("orderly_outsourcing", self.orderly_outsourcing), (attribute.name, value)):
            if unknown := sorted(set(conditions) - set(CONTRACTOR_CONDITIONS)):
                raise ValueError(f"{name}: {', '.join(unknown)} not a contractor's condition a review records "
                                 f"(one of {', '.join(CONTRACTOR_CONDITIONS)})")
        if both := sorted(set(value) & set(self.orderly_outsourcing)):  # a condition counts, or may
            raise ValueError(f"{attribute.name}: {', '.join(both)} also in orderly_outsourcing: a condition "
                             f"counts or may count, not both")

    def items(self) -> Iterator[tuple[FormSection, FormItem]]:
        for section in self.sections:
            for item in section.items:
                yield section, item

    def item(self, key: str) -> FormItem:
        return self.items_by_key[key]

    @cached_property
    def items_by_key(self) -> dict[str, FormItem]:
        """Every item by its key, in the form's order."""
        return {item.key: item for _, item in self.items()}

    @cached_property
    def count_keys(self) -> frozenset[str]:
        """The keys of items that hold one whole number."""
        return frozenset(key for key, item in self.items_by_key.items() if item.shape is ItemShape.COUNT)

    @cached_property
    def keys(self) -> tuple[str, ...]:
        return tuple(self.items_by_key)

    def section_of(self, key: str) -> FormSection:
        return self._section_of[key]

    @cached_property
    def _section_of(self) -> dict[str, FormSection]:
        return {item.key: section for section, item in self.items()}


@attrs.frozen
class CountAmount:
    """行政处罚（次，万元）: the number of penalties and their total amount."""

    count: Count | None = None
    amount: Decimal | None = None


@attrs.frozen
class WholePart:
    """An item with a 其中 part: e.g. typical cases, of which dangerous-operation crimes."""

    whole: Decimal | None = None
    part: Decimal | None = None


FormValue = int | bool | CountAmount | WholePart | None

_PAIRS = frozenset((CountAmount, WholePart))


def _neither_figure(value: Any) -> bool:
    kind = type(value)
    return ((kind is CountAmount and value.count is None and value.amount is None)
            or (kind is WholePart and value.whole is None and value.part is None))


def _blank_pairs_as_none(values: dict[str, Any]) -> dict[str, Any]:
    """A paired item with neither figure (``penalties: {}``) as None: the rules read both alike, and
    so a form equals itself read back from Excel, where both are two blank cells."""
    # Every form loaded passes through here: one loop reading fields (half the time of listing
    # the pairs first; attrs' ``==`` is Python), and a copy only for a form that has such a pair.
    if isinstance(values, dict):
        for value in values.values():
            if type(value) in _PAIRS and _neither_figure(value):
                return {k: None if _neither_figure(v) else v for k, v in values.items()}
    return values


@attrs.frozen
class DispatchForm:
    """One reporting unit's dispatch form for one month (cumulative figures).

    An aggregate form (a township's or the district's roll-up) lists the units it adds up in
    ``members``."""

    variant: str
    unit: Name
    month: YearMonth
    profile: str
    #: Item key → ``FormValue``. Typed ``Any`` for the converter, since values are checked against
    #: the variant's template by :func:`checked_values`, which knows each item's shape. A paired
    #: item with neither figure is None.
    values: dict[str, Any] = attrs.field(converter=_blank_pairs_as_none)
    submitted: date | None = None
    members: tuple[Name, ...] = ()

    def value(self, key: str) -> FormValue:
        return self.values.get(key)


@cache
def load_template(variant: str) -> FormTemplate:
    """The template of a form variant, from ``forms/templates``."""
    from forms.convert import structure
    from forms.parse import read_data

    if variant not in variants():  # a name, never a path: nothing outside forms/templates is read
        raise KeyError(f"unknown form variant {variant!r}; known variants: {', '.join(variants())}")
    path = TEMPLATES_DIR / f"{variant}.yaml"
    return structure(read_data(path), FormTemplate, str(path))


@cache  # the templates shipped with zhifa
def variants() -> tuple[str, ...]:
    """The names of the form variants: the templates in ``forms/templates``."""
    return tuple(sorted(p.stem for p in TEMPLATES_DIR.glob("*.yaml")))


#: Decimal places an amount of money (万元) may have, 0.0001 万元 being one yuan. Amounts are
#: compared in these units (``engine.campaign_facts.SCALE``), so a finer one would be cut, not compared.
MONEY_PLACES = 4


def _number(value: Any, whole: bool) -> Decimal | int:
    """A figure of a form: a whole number (a count), or else money in 万元 to MONEY_PLACES places."""
    if type(value) is int and 0 <= value <= MAX_FIGURE:  # the common case, without a Decimal round trip
        return value if whole else Decimal(value)
    expected = f"expected a {'whole number' if whole else 'number'} ≥ 0, got {shown(value)}"
    if isinstance(value, Decimal):  # a file's number with a point, read exactly as written (forms.parse)
        number = value
    elif isinstance(value, bool) or not isinstance(value, (int, float)):
        raise ValueError(expected)
    else:
        try:
            number = Decimal(str(value))
        except InvalidOperation:
            raise ValueError(expected) from None
    if not number.is_finite() or number < 0 or (whole and number != number.to_integral_value()):
        raise ValueError(expected)
    if number > MAX_FIGURE:
        raise ValueError(above_max_figure(shown(value)))
    if not whole and number != round(number, MONEY_PLACES):
        raise ValueError(f"expected an amount in 万元 to at most {MONEY_PLACES} decimal places (one yuan), "
                         f"got {shown(value)}")
    return int(number) if whole else unsigned_zero(number)


def _pair(item: FormItem, raw: Any, names: tuple[str, str], where: str, problems: list[tuple[str, str]]) -> dict[str, Any]:
    if not isinstance(raw, dict):
        problems.append((where, f"expected a mapping with {names[0]} and {names[1]}, got {shown(raw)}"))
        return {}
    parsed: dict[str, Any] = {}
    for name in raw:
        if name not in names:
            problems.append((f"{where}.{name}", "unknown field"))
    for name in names:
        value = raw.get(name)
        if value is not None:
            try:
                parsed[name] = _number(value, item.in_whole_numbers(name))
            except ValueError as exc:
                problems.append((f"{where}.{name}", str(exc)))
    return parsed


#: The figures of each two-figure shape, as a form gives them.
_PAIR_NAMES = {ItemShape.COUNT_AMOUNT: ("count", "amount"), ItemShape.WHOLE_PART: ("whole", "part")}


def _plain_pair(item: FormItem, raw: dict[str, Any]) -> CountAmount | WholePart | None:
    """A two-figure item given as whole numbers in range, or blank, as most are: read without
    :func:`_pair`'s figure-by-figure checks (two thirds of checking a form's values). None for anything else,
    which :func:`_pair` reads and names the problems of."""
    first_name, second_name = _PAIR_NAMES[item.shape]
    first, second = raw.get(first_name), raw.get(second_name)
    if len(raw) != (first_name in raw) + (second_name in raw):
        return None  # a field of another name
    for figure in (first, second):
        if figure is not None and not (type(figure) is int and 0 <= figure <= MAX_FIGURE):
            return None
    if item.shape is ItemShape.WHOLE_PART:
        return WholePart(None if first is None else Decimal(first), None if second is None else Decimal(second))
    if not item.whole_numbers:
        return None  # a count kept in money: no shipped template has one
    return CountAmount(first, None if second is None else Decimal(second))


def checked_values(template: FormTemplate, raw: dict[str, Any]) -> tuple[dict[str, FormValue], list[tuple[str, str]]]:
    """Values of a form read against its template: every item present (``None`` when not
    reported), each of the item's shape. Returns the values and (field path, message) problems."""
    problems: list[tuple[str, str]] = []
    values: dict[str, FormValue] = {}
    keys = template.items_by_key
    if not raw.keys() <= keys.keys():
        for name in raw:
            if name not in keys:
                problems.append((f"values.{name}", f"not an item of the {template.variant} form"))
    counts = template.count_keys
    for key, item in keys.items():
        value = raw.get(key)
        if value is None:
            values[key] = None
            continue
        if type(value) is int and 0 <= value <= MAX_FIGURE and key in counts:
            values[key] = value  # the common case: a count, nothing to convert
            continue
        if type(value) is dict and item.shape in _PAIR_NAMES and (plain := _plain_pair(item, value)) is not None:
            values[key] = plain
            continue
        where = f"values.{key}"
        if item.shape is ItemShape.YES_NO:
            if isinstance(value, bool):
                values[item.key] = value
            else:
                problems.append((where, f"expected true or false, got {shown(value)}"))
        elif item.shape is ItemShape.COUNT:
            try:
                values[item.key] = int(_number(value, True))
            except ValueError as exc:
                problems.append((where, str(exc)))
        elif item.shape is ItemShape.COUNT_AMOUNT:
            pair = _pair(item, value, _PAIR_NAMES[item.shape], where, problems)
            values[item.key] = CountAmount(**pair)
        else:
            pair = _pair(item, value, _PAIR_NAMES[item.shape], where, problems)
            values[item.key] = WholePart(**{k: Decimal(v) for k, v in pair.items()})
    return values, problems
