"""Checks that a document's internal references resolve: a plan that names an unknown group,
item or key-unit category cannot be evaluated, so it is a load error, not a finding."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterator, Sequence
from typing import TypeVar

from forms.errors import Problem
from forms.plan import AnnualPlan, Tag, name_key

MONTHS = 12
T = TypeVar("T")


def repeats(entries: Sequence[T], key: Callable[[T], object]) -> Iterator[tuple[int, int, T]]:
    """Each entry that repeats an earlier one by ``key``: its index, the first one's index, the entry."""
    first: dict[object, int] = {}
    for index, entry in enumerate(entries):
        if (earlier := first.setdefault(key(entry), index)) != index:
            yield index, earlier, entry


def _empty(part: str) -> str:
    return f"an empty list: leave {part} out if the plan has none"


def check_references(plan: AnnualPlan) -> list[Problem]:
    problems: list[Problem] = []
    # An empty table or list gives its rules nothing to check: they would pass unchecked.
    if plan.schedule is not None and not plan.schedule.rows:
        problems.append(Problem("schedule.rows", _empty("schedule")))
    if plan.key_units is not None:
        problems.extend(Problem(f"key_units.{field}", _empty("key_units"))
                        for field, entries in (("categories", plan.key_units.categories), ("units", plan.key_units.units))
                        if not entries)
    groups = {g.id: g for g in plan.groups}
    ids = [g.id for g in plan.groups] + [i.id for i in plan.items]
    for name, n in sorted(Counter(ids).items()):
        if n > 1:
            problems.append(Problem("items", f"id {name!r} is used {n} times; ids of items and groups must be unique"))

    categories = {c.id for c in plan.key_units.categories} if plan.key_units else set()
    for index, item in enumerate(plan.items):
        where = f"items[{index}]"
        if item.group is not None:
            group = groups.get(item.group)
            if group is None:
                problems.append(Problem(f"{where}.group", f"unknown group {item.group!r}"))
            elif group.category != item.category:
                problems.append(Problem(f"{where}.category",
                                        f"item is {item.category.value} but its group {group.id!r} is {group.category.value}"))
        if item.covers and Tag.OUTSIDE_KEY_UNITS in item.tags:
            # 三、（一）: key units get yearly full-coverage checks, the other enterprises spot checks.
            problems.append(Problem(f"{where}.covers", "an item tagged outside-key-units draws its sample from outside "
                                    "the key units, so its checks cannot cover a key-unit category: drop covers or the tag"))
        for k, category in enumerate(item.covers):
            if plan.key_units is None:
                problems.append(Problem(f"{where}.covers[{k}]", "names a key-unit category but the plan has no key_units list"))
            elif category not in categories:
                problems.append(Problem(f"{where}.covers[{k}]", f"unknown key-unit category {category!r}"))
        problems.extend(Problem(f"{where}.covers[{k}]", f"key-unit category {category!r} is listed more than once")
                        for k, _, category in repeats(item.covers, str))  # its units would be counted twice
        problems.extend(Problem(f"{where}.sampled_units[{k}]", f"sampled unit {name!r} is listed more than once")
                        for k, _, name in repeats(item.sampled_units, name_key))

    if plan.schedule is not None:
        known = set(ids)
        item_groups = {i.id: i.group for i in plan.items}
        for index, row in enumerate(plan.schedule.rows):
            if row.ref not in known:
                problems.append(Problem(f"schedule.rows[{index}].ref", f"unknown item or group {row.ref!r}"))
            if len(row.monthly) != MONTHS:
                problems.append(Problem(f"schedule.rows[{index}].monthly", f"expected {MONTHS} months, got {len(row.monthly)}"))
        item_rows: dict[str, list[int]] = {}  # group → the rows of its items
        for index, row in enumerate(plan.schedule.rows):
            if (group_id := item_groups.get(row.ref)) is not None:
                item_rows.setdefault(group_id, []).append(index)
        for index, row in enumerate(plan.schedule.rows):
            if row.ref in groups and row.ref in item_rows:  # a subtotal row: its checks counted twice
                rows = ", ".join(f"rows[{k}]" for k in item_rows[row.ref])
                problems.append(Problem(f"schedule.rows[{index}].ref", f"group {row.ref!r} has a row, and so do its "
                                        f"items ({rows}): give the group's row or its items' rows, not both"))
        refs = Counter(row.ref for row in plan.schedule.rows)
        for ref, n in sorted(refs.items()):
            if n > 1:
                problems.append(Problem("schedule.rows", f"{ref!r} has {n} rows; one row per item or group"))
        totals = plan.schedule.monthly_totals
        if totals is not None and len(totals) != MONTHS:
            problems.append(Problem("schedule.monthly_totals", f"expected {MONTHS} months, got {len(totals)}"))
        if plan.schedule.unit_visits:
            # Matched as the engine matches a visit to the list: whitespace and bracket widths aside.
            names = {name_key(u.name) for u in plan.key_units.units} if plan.key_units else set()
            for index, visit in enumerate(plan.schedule.unit_visits):
                if name_key(visit.unit) not in names:
                    problems.append(Problem(f"schedule.unit_visits[{index}].unit",
                                            f"not a key unit of this plan: {visit.unit!r}"))

    if plan.key_units is not None:
        category_ids = Counter(c.id for c in plan.key_units.categories)
        for name, n in sorted(category_ids.items()):
            if n > 1:
                problems.append(Problem("key_units.categories", f"category {name!r} is listed {n} times"))
        for index, unit in enumerate(plan.key_units.units):
            if unit.category not in categories:
                problems.append(Problem(f"key_units.units[{index}].category", f"unknown key-unit category {unit.category!r}"))
        numbers = Counter(u.no for u in plan.key_units.units)
        for no, n in sorted(numbers.items()):
            if n > 1:
                problems.append(Problem("key_units.units", f"number {no} is used {n} times"))
        if plan.key_units.new_units is not None:
            for index, part in enumerate(plan.key_units.new_units.parts):
                for k, category in enumerate(part.categories):
                    if category not in categories:
                        problems.append(Problem(f"key_units.new_units.parts[{index}].categories[{k}]",
                                                f"unknown key-unit category {category!r}"))
    return problems
