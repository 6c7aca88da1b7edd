"""The annual enforcement plan (年度执法计划 / 监督检查计划) as data.

Field names follow the plan's own vocabulary. Counts are in 家次 (unit-visits) unless the
field says otherwise. A value the source leaves out stays ``None``: zhifa never guesses a
number, and rules that need a missing value report that they could not be checked.
"""

from __future__ import annotations

import calendar
import re
from datetime import date
from decimal import Decimal
from enum import StrEnum
from typing import Annotated

import attrs

#: The largest figure a document may state (a count, an amount, a percentage). durable-rules
#: compares whole numbers exactly only below 2**63 and silently gets larger ones wrong; this cap,
#: far above any real figure, keeps the sums, products and scaled amounts the rules compare below
#: that too (and the engine refuses any that is not, in ``engine.runtime.to_send``).
MAX_FIGURE = 10**9


def above_max_figure(shown: str) -> str:
    """What loaders say of a figure above MAX_FIGURE, shown as ``shown``."""
    return f"expected a number ≤ {MAX_FIGURE}, got {shown}"


def unsigned_zero(number: Decimal) -> Decimal:
    """A zero written with a sign (``-0.0``) as the zero it is, places kept: messages would show -0."""
    return number.copy_abs() if number.is_zero() else number


# Annotated aliases: plain ints and Decimals to Python code, strictly checked by the loader.
#: A whole number from 0 to MAX_FIGURE (家次, 家, 天, 人).
Count = Annotated[int, "whole number ≥ 0"]
#: A month of the year, 1–12.
Month = Annotated[int, "month 1–12"]
#: A percentage as the plan states it (72, 68.2, or "68.20" as text to keep a trailing zero); the
#: digits after the point, at most four (``forms.convert.PERCENT_PLACES``), are its precision.
Percent = Annotated[Decimal, "percentage as stated"]
#: The name of a unit or enterprise, matched across documents by :func:`name_key` (a unit's forms, a
#: township's members, a record's spot-checking unit): the loader refuses spaces around it.
Name = Annotated[str, "name matched by name_key"]
_SPACE = re.compile(r"\s+")


#: Half-width brackets as their full-width forms: names are written either way (林德气体(上海)有限公司).
_BRACKETS = str.maketrans("()", "（）")


def name_key(name: str) -> str:
    """A name as documents are matched by (a plan's lists, a unit's forms, enterprise records):
    whitespace inside it removed (上海某甲 有限公司) and brackets read full-width, as the same name
    is written with either (the seeds mix them)."""
    return _SPACE.sub("", name).translate(_BRACKETS)


class Category(StrEnum):
    """Key (重点检查) or general (一般检查) inspection."""

    KEY = "key"
    GENERAL = "general"


class Tag(StrEnum):
    """What kind of check an item is; rules select items by tag."""

    DOUBLE_RANDOM = "double-random"  # 双随机、一公开 random spot check
    JOINT = "joint"  # 跨部门联合 cross-department joint check
    SPECIAL = "special"  # 专项执法检查
    SAMPLE = "sample"  # 抽查: units drawn from a population, not a fixed list
    #: Its sample is drawn from outside the key-unit list, as the plan says (对其他企业以抽查方式开展一般检查;
    #: 避免与区重点监管单位重复): no sampled unit may be a key unit, and its checks cover no key-unit
    #: category (the loader refuses ``covers`` on it).
    OUTSIDE_KEY_UNITS = "outside-key-units"


class Period(StrEnum):
    """How often an item's checks recur, as the plan states it."""

    YEARLY = "yearly"
    HALF_YEARLY = "half-yearly"
    QUARTERLY = "quarterly"
    MONTHLY = "monthly"


class PlannedBasis(StrEnum):
    """Whether an item's 家次 counts visits or a converted workload (折算工作量)."""

    VISITS = "visits"
    CONVERTED = "converted"


@attrs.frozen
class Group:
    """A heading that sums items, e.g. 区重点单位执法检查（181家次）."""

    id: str
    name: str
    category: Category
    planned: Count | None = None


@attrs.frozen
class InspectionItem:
    """One line of the plan: what is inspected and how many 家次."""

    id: str
    name: str
    category: Category
    planned: Count
    group: str | None = None
    tags: tuple[Tag, ...] = ()
    period: Period | None = None
    #: Units the item addresses, where the plan states a number (e.g. 8家).
    units: Count | None = None
    #: Checks per unit, where the plan states it (每家检查1次).
    checks_per_unit: Count | None = None
    planned_basis: PlannedBasis = PlannedBasis.VISITS
    #: Key-unit categories (附件 numbering) whose units this item inspects; none on an item tagged
    #: ``outside-key-units``.
    covers: tuple[str, ...] = ()
    #: Named units the item draws as its sample, where the plan names them.
    sampled_units: tuple[Name, ...] = ()


@attrs.frozen
class ScheduleRow:
    """One row of the monthly table; ``ref`` names an item or a group. ``None`` is a blank cell."""

    ref: str
    monthly: tuple[Count | None, ...]
    stated_total: Count | None = None


@attrs.frozen
class UnitVisit:
    """A key unit named in the schedule for a month."""

    unit: Name
    month: Month


@attrs.frozen
class Schedule:
    """附件1: the month-by-month table."""

    rows: tuple[ScheduleRow, ...]
    monthly_totals: tuple[Count | None, ...] | None = None
    total: Count | None = None
    unit_visits: tuple[UnitVisit, ...] = ()


@attrs.frozen
class KeyUnitCategory:
    """A heading of the key-unit list, e.g. 一、海洋装备企业（共3家）."""

    id: str
    name: str
    stated_count: Count | None = None


@attrs.frozen
class KeyUnit:
    """One row of the key-unit list (重点单位名单)."""

    no: Count
    name: Name
    category: str
    township: Name | None = None
    #: New to the list this year (marked ``*`` in it).
    new: bool = False
    notes: tuple[str, ...] = ()


@attrs.frozen
class NewUnitsPart:
    """A part of the stated new-unit count, e.g. 大中型工贸企业新增27家."""

    name: str
    categories: tuple[str, ...]
    stated: Count


@attrs.frozen
class NewUnits:
    """The list's note on units new this year (共计37家 …)."""

    stated: Count
    parts: tuple[NewUnitsPart, ...] = ()


@attrs.frozen
class KeyUnitList:
    """附件2: the key units, by category."""

    categories: tuple[KeyUnitCategory, ...]
    units: tuple[KeyUnit, ...]
    new_units: NewUnits | None = None


@attrs.frozen
class StatedTotals:
    """The plan's headline figures: 全年计划检查N家次，其中重点检查K家次（占比P%）…"""

    total: Count
    key: Count
    general: Count
    key_share: Percent | None = None
    general_share: Percent | None = None


def days_in(year: int) -> int:
    """全年总天数: 366 in a leap year, else 365."""
    return 366 if calendar.isleap(year) else 365


def weekend_days(year: int) -> int:
    """The Saturdays and Sundays of ``year``: two in each of its 52 whole weeks, and any of the one or
    two days left over, which fall on the weekdays of 1 (and 2) January."""
    first = calendar.weekday(year, 1, 1)
    return 52 * 2 + sum(1 for k in range(days_in(year) - 52 * 7) if (first + k) % 7 >= calendar.SATURDAY)


@attrs.frozen
class Workload:
    """附件3 工作量核算: the workday budget. Stated results are checked against the inputs."""

    days_in_year: Count
    rest_days: Count
    holidays: Count
    staff: Count
    other_days: Count
    non_enforcement_days: Count
    ratio: Decimal
    statutory_workdays: Count | None = None  # per person
    total_workdays: Count | None = None
    supervision_workdays: Count | None = None
    minimum_checks: Count | None = None

    def statutory_from_inputs(self) -> int:
        """法定工作日 per person: days in the year less rest days and holidays."""
        return self.days_in_year - self.rest_days - self.holidays

    def supervision_from_inputs(self) -> int:
        """监督检查工作日: statutory days × staff, less other and non-enforcement days."""
        return self.statutory_from_inputs() * self.staff - self.other_days - self.non_enforcement_days


@attrs.frozen
class AnnualPlan:
    """An annual enforcement plan of a district bureau."""

    issuer: str
    jurisdiction: str
    year: int
    profile: str
    totals: StatedTotals
    items: tuple[InspectionItem, ...]
    groups: tuple[Group, ...] = ()
    issued: date | None = None
    source: str | None = None
    schedule: Schedule | None = None
    key_units: KeyUnitList | None = None
    workload: Workload | None = None
