"""Strategies for annual plans. ``annual_plans(profile)`` generates plans that satisfy every rule
of the profile. ``PLAN_MUTATIONS`` maps each plan rule to a targeted change that breaks that rule
and no other: the change is made to one part, and every figure stated about the other parts is
restated (:func:`restated`) so they still agree. ``ALTERNATIVE_MUTATIONS`` does the same for each
way a rule is violated (:data:`Way`): each alternative of its ``when``, and each ``any`` condition."""

from __future__ import annotations

import calendar
import itertools
import math
from collections import Counter
from collections.abc import Callable
from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction
from typing import Any

import attrs
from hypothesis import strategies as st

from forms.plan import (
    AnnualPlan,
    Category,
    Group,
    InspectionItem,
    KeyUnit,
    KeyUnitCategory,
    KeyUnitList,
    NewUnits,
    NewUnitsPart,
    Period,
    Schedule,
    ScheduleRow,
    StatedTotals,
    Tag,
    UnitVisit,
    Workload,
    days_in,
    weekend_days,
)

MONTHS = 12
DEFAULT_RATIO = Decimal("0.75")

#: One way a rule is violated, as (rule id, alternative, condition), where the alternative is an
#: index into the rule's ``when`` and the condition the index of the ``any`` condition it makes hold
#: (0 where it has none).
Way = tuple[str, int, int]


@attrs.frozen
class ProfileFacts:
    """What a generator needs to know of a profile: its id, period and parameter values, and the
    name of the item stating its units and checks per unit."""

    id: str
    jurisdiction: str
    year_from: int
    year_to: int
    key_unit_checks_per_year: int
    min_joint_share: Decimal | None
    min_checks_per_workday: Decimal
    min_checks_per_quarter: int
    special_name: str = "专项执法检查"


def profile_facts(profile_id: str) -> ProfileFacts:
    from rulebook import load_rulebook  # imported late: rulebook itself reads files with forms

    rulebook = load_rulebook()
    profile = rulebook.profile(profile_id)
    params = {name: value.value for name, value in profile.parameters.items() if isinstance(value.value, Decimal)}
    # Where no clause states the counting for every item (Chongming), the item is named as the source
    # names one whose clause states it, so that its arithmetic's findings have a clause to cite.
    arithmetic = rulebook.rules["plan.item-arithmetic"].citations_for(profile.sources)
    named = ([] if any(c.applies_to is None for c in arithmetic) else
             [v for c in arithmetic if c.applies_to is not None and c.applies_to.field == "item_name"
              for v in c.applies_to.values])
    return ProfileFacts(
        id=profile.id,
        jurisdiction=profile.jurisdiction,
        year_from=profile.period_from.year,
        year_to=profile.period_to.year,
        key_unit_checks_per_year=int(params.get("key_unit_checks_per_year", 1)),
        min_joint_share=params.get("min_joint_share"),
        min_checks_per_workday=params.get("min_checks_per_workday", DEFAULT_RATIO),
        min_checks_per_quarter=int(params.get("min_checks_per_quarter", 1)),
        **({"special_name": named[0]} if named else {}),
    )


# ---------------------------------------------------------------- restating figures


def _share(part: int, whole: int, places: int) -> Decimal:
    exact = Decimal(part * 100) / Decimal(whole)
    return exact.quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)


def _places(value: Decimal | None) -> int:
    return max(0, -int(value.as_tuple().exponent)) if value is not None else 0


def restated(plan: AnnualPlan) -> AnnualPlan:
    """The plan with every stated figure recomputed from its parts: totals, shares, group totals,
    the schedule's row, month and grand totals, the key-unit list's counts and the workday results."""
    items = plan.items
    key = sum(i.planned for i in items if i.category is Category.KEY)
    general = sum(i.planned for i in items if i.category is Category.GENERAL)
    total = key + general
    t = plan.totals
    totals = StatedTotals(
        total=total, key=key, general=general,
        key_share=_share(key, total, _places(t.key_share)) if t.key_share is not None and total else t.key_share,
        general_share=(_share(general, total, _places(t.general_share))
                       if t.general_share is not None and total else t.general_share),
    )
    groups = tuple(attrs.evolve(g, planned=sum(i.planned for i in items if i.group == g.id)) for g in plan.groups)
    schedule = plan.schedule
    if schedule is not None:
        planned = {g.id: g.planned for g in groups} | {i.id: i.planned for i in items}
        rows = tuple(attrs.evolve(r, stated_total=planned[r.ref]) for r in schedule.rows)
        columns = tuple(sum(r.monthly[m] or 0 for r in rows) for m in range(MONTHS))
        schedule = attrs.evolve(schedule, rows=rows, monthly_totals=columns, total=sum(columns))
    key_units = plan.key_units
    if key_units is not None:
        counts = Counter(u.category for u in key_units.units)
        categories = tuple(attrs.evolve(c, stated_count=counts[c.id]) for c in key_units.categories)
        new_units = key_units.new_units
        if new_units is not None:
            new = [u for u in key_units.units if u.new]
            parts = tuple(attrs.evolve(p, stated=sum(1 for u in new if u.category in p.categories)) for p in new_units.parts)
            new_units = NewUnits(stated=len(new), parts=parts)
        key_units = attrs.evolve(key_units, categories=categories, new_units=new_units)
    workload = plan.workload
    if workload is not None:
        statutory, supervision = workload.statutory_from_inputs(), workload.supervision_from_inputs()
        workload = attrs.evolve(
            workload, statutory_workdays=statutory, total_workdays=statutory * workload.staff,
            supervision_workdays=supervision,
            minimum_checks=minimum_checks(supervision, workload.ratio, up=rounds_up(workload)))
    return attrs.evolve(plan, totals=totals, groups=groups, schedule=schedule, key_units=key_units, workload=workload)


def minimum_checks(supervision: int, ratio: Decimal, up: bool) -> int:
    """最低检查家次: supervision workdays × ratio, rounded down or (``up``) up; either is accepted."""
    exact = Fraction(supervision) * Fraction(ratio)
    return math.ceil(exact) if up else math.floor(exact)


def rounds_up(workload: Workload) -> bool:
    """Whether the workload's stated minimum checks round its stated supervision workdays × ratio up."""
    w = workload
    return (w.minimum_checks is not None and w.supervision_workdays is not None
            and w.minimum_checks > Fraction(w.supervision_workdays) * Fraction(w.ratio))


def with_planned(plan: AnnualPlan, item_id: str, planned: int) -> AnnualPlan:
    """Change one item's 家次, move the difference in its schedule row, and restate the rest."""
    items = tuple(attrs.evolve(i, planned=planned) if i.id == item_id else i for i in plan.items)
    old = next(i.planned for i in plan.items if i.id == item_id)
    schedule = plan.schedule
    if schedule is not None:
        rows = []
        for row in schedule.rows:
            if row.ref == item_id:
                monthly = [v or 0 for v in row.monthly]
                delta = planned - old
                month = 0
                while delta < 0:  # take from the months that have checks, first to last
                    while monthly[month] == 0:
                        month += 1
                    take = min(monthly[month], -delta)
                    monthly[month] -= take
                    delta += take
                monthly[-1] += delta
                row = attrs.evolve(row, monthly=tuple(monthly))
            rows.append(row)
        schedule = attrs.evolve(schedule, rows=tuple(rows))
    return restated(attrs.evolve(plan, items=items, schedule=schedule))


# ---------------------------------------------------------------- strategies


def _unspaced(name: str) -> str:
    """A unit's name written without the whitespace inside it (written here, not by
    :func:`forms.plan.name_key`, so that what the engine matches by is tested, not assumed)."""
    return "".join(name.split())


_NUMERALS = "一二三四五六七八九十"


def category_ids() -> list[str]:
    """Key-unit category ids as the lists number them: 一 … 十, 十一 … 二十."""
    return [*_NUMERALS, *(f"十{n}" for n in _NUMERALS[:9]), "二十"]


@st.composite
def monthly_spreads(draw: st.DrawFn, planned: int) -> tuple[int | None, ...]:
    """``planned`` checks spread over 12 months; a month with none is a blank cell."""
    cuts = sorted(draw(st.lists(st.integers(0, planned), min_size=MONTHS - 1, max_size=MONTHS - 1)))
    bounds = [0, *cuts, planned]
    return tuple((b - a) or None for a, b in itertools.pairwise(bounds))


@st.composite
def quarterly_spreads(draw: st.DrawFn, planned: int, per_quarter: int) -> tuple[int | None, ...]:
    """A spread with at least ``per_quarter`` checks in every quarter (``planned`` ≥ 4 × per_quarter)."""
    rest = draw(monthly_spreads(planned - 4 * per_quarter))
    months = [v or 0 for v in rest]
    for quarter in range(4):
        months[quarter * 3 + draw(st.integers(0, 2))] += per_quarter
    return tuple(v or None for v in months)


@st.composite
def period_spreads(draw: st.DrawFn, planned: int, per_year: int, per_period: int) -> tuple[int | None, ...]:
    """A spread with at least ``per_period`` checks in each of ``per_year`` periods (``planned`` ≥ per_year × per_period)."""
    rest = draw(monthly_spreads(planned - per_year * per_period))
    months = [v or 0 for v in rest]
    for period in key_unit_periods(per_year):
        months[draw(st.sampled_from(list(period))) - 1] += per_period
    return tuple(v or None for v in months)


def key_unit_periods(per_year: int) -> list[range]:
    """The months of each period a key unit is checked in: the year, or each half-year."""
    return [range(s, s + MONTHS // per_year) for s in range(1, MONTHS + 1, MONTHS // per_year)]


@st.composite
def key_unit_lists(draw: st.DrawFn) -> KeyUnitList:
    """A key-unit list of 1–6 categories with 1–5 uniquely named units each; counts stated correctly."""
    n_categories = draw(st.integers(1, 6))
    ids = category_ids()[:n_categories]
    categories = tuple(KeyUnitCategory(id=c, name=f"重点类别{c}") for c in ids)
    units: list[KeyUnit] = []
    for c in ids:
        for _ in range(draw(st.integers(1, 5))):
            no = len(units) + 1
            space = " " if draw(st.booleans()) else ""  # 上海某甲 有限公司: matched with whitespace removed
            units.append(KeyUnit(no=no, name=f"上海重点单位{no:03d}{space}有限公司", category=c,
                                 township=draw(st.sampled_from(["城桥镇", "堡镇", "新河镇", "长兴镇"])),
                                 new=draw(st.booleans())))
    parts: tuple[NewUnitsPart, ...] = ()
    if draw(st.booleans()):  # one part covering every category, or two splitting them
        cut = draw(st.integers(1, len(ids)))
        parts = tuple(NewUnitsPart(name=name, categories=tuple(covers), stated=0)
                      for name, covers in (("新增单位", ids[:cut]), ("其他新增单位", ids[cut:])) if covers)
    return KeyUnitList(categories=categories, units=tuple(units), new_units=NewUnits(stated=0, parts=parts))


@st.composite
def annual_plans(draw: st.DrawFn, profile: str = "shanghai-chongming-2024") -> AnnualPlan:
    """An annual plan that satisfies every rule of ``profile``, with a schedule, a key-unit list
    and a workday budget (so that every rule has something to check)."""
    facts = profile_facts(profile)
    per_year = facts.key_unit_checks_per_year
    key_units = draw(key_unit_lists())
    units_in = Counter(u.category for u in key_units.units)
    category_list = [c.id for c in key_units.categories]

    items: list[InspectionItem] = []
    # Key units: the categories split between one or two covering items, each planned in full for its
    # own; either may also cover some of the other's (its units then checked under either item),
    # which never leaves a unit short.
    split = draw(st.integers(1, len(category_list))) if len(category_list) > 1 else len(category_list)
    own_units: dict[str, int] = {}  # a covering item's checks a period: the units of its own categories
    for n, own in enumerate((category_list[:split], category_list[split:])):
        if own:
            units = sum(units_in[c] for c in own)
            shared = draw(st.lists(st.sampled_from(category_list), max_size=2))
            item_id = f"key-units-{n + 1}"
            own_units[item_id] = units
            items.append(InspectionItem(id=item_id, name=f"重点单位执法检查{n + 1}", category=Category.KEY,
                                        planned=units * per_year + draw(st.integers(0, 5)), group="key-units",
                                        covers=tuple(dict.fromkeys([*own, *shared]))))
    units, each = draw(st.integers(1, 20)), draw(st.integers(1, 3))
    items.append(InspectionItem(id="special", name=facts.special_name, category=Category.KEY, planned=units * each,
                                units=units, checks_per_unit=each, tags=(Tag.SPECIAL,)))
    sample_size = draw(st.integers(1, 4))
    # Drawn from outside the key units (避免与区重点监管单位重复): its sample must not repeat one.
    items.append(InspectionItem(id="period-sample", name="重点时段抽查", category=Category.KEY,
                                planned=sample_size + draw(st.integers(0, 10)), tags=(Tag.SAMPLE, Tag.OUTSIDE_KEY_UNITS),
                                sampled_units=tuple(f"抽查单位{k}号" for k in range(1, sample_size + 1))))
    # Random spot checks: at least 10 outside the joint item, so a just-too-small joint count exists.
    randoms = draw(st.lists(st.integers(0, 60), min_size=1, max_size=3))
    randoms[0] += 10
    for n, planned in enumerate(randoms, start=1):
        items.append(InspectionItem(id=f"random-{n}", name=f"执法抽查{n}", category=Category.GENERAL, planned=planned,
                                    tags=(Tag.DOUBLE_RANDOM, Tag.SAMPLE)))
    share = Fraction(facts.min_joint_share if facts.min_joint_share is not None else 15) / 100
    joint = max(1, math.ceil(share * sum(randoms) / (1 - share))) + draw(st.integers(0, 5))
    items.append(InspectionItem(id="joint-random", name="跨部门“双随机、一公开”联合抽查", category=Category.GENERAL,
                                planned=joint, tags=(Tag.DOUBLE_RANDOM, Tag.JOINT, Tag.SAMPLE)))
    quarterly = 4 * facts.min_checks_per_quarter + draw(st.integers(0, 8))
    items.append(InspectionItem(id="quarterly-joint", name="季度联合检查", category=Category.GENERAL, planned=quarterly,
                                period=Period.QUARTERLY, tags=(Tag.JOINT,)))

    # One row per item (none for the group), so a group's stated total is stated in one place only.
    rows = []
    for item in items:
        if item.period is Period.QUARTERLY:
            spread = quarterly_spreads(item.planned, facts.min_checks_per_quarter)
        elif item.covers:  # its units checked in every period, as a schedule naming no unit is checked
            spread = period_spreads(item.planned, per_year, own_units[item.id])
        else:
            spread = monthly_spreads(item.planned)
        rows.append(ScheduleRow(ref=item.id, monthly=draw(spread)))
    # The schedule names each unit as the list does, or with the whitespace inside it removed.
    visits = tuple(UnitVisit(unit=_unspaced(u.name), month=draw(st.sampled_from(list(p))))
                   for u in key_units.units for p in key_unit_periods(per_year))
    schedule = Schedule(rows=tuple(rows), unit_visits=visits if draw(st.booleans()) else ())

    total = sum(i.planned for i in items)
    ratio = facts.min_checks_per_workday
    # Slack for mutations that lower the joint count: the ratio must hold without the joint item.
    supervision = draw(st.integers(1, max(1, math.floor((total - joint) / Fraction(ratio)))))
    # The year's days and rest days are its calendar's (plan.workload-calendar).
    year = draw(st.integers(facts.year_from, facts.year_to))
    days, rest = days_in(year), weekend_days(year)
    holidays = draw(st.sampled_from([11, 13]))
    statutory = days - rest - holidays
    staff = max(draw(st.integers(1, 40)), math.ceil(supervision / statutory))
    spare = statutory * staff - supervision
    other = draw(st.integers(0, spare))
    workload = Workload(days_in_year=days, rest_days=rest, holidays=holidays, staff=staff, other_days=other,
                        non_enforcement_days=spare - other, ratio=ratio)
    # The minimum checks may round up (附件3 五 rounds either way): restated keeps the way it rounds.
    workload = attrs.evolve(workload, supervision_workdays=supervision,
                            minimum_checks=minimum_checks(supervision, ratio, up=draw(st.booleans())))

    places = draw(st.integers(0, 4))  # stated to 0–4 places, trailing zeros kept (68.20)
    stated_share = Decimal(0).quantize(Decimal(1).scaleb(-places))
    plan = AnnualPlan(
        issuer="某区应急管理局", jurisdiction=facts.jurisdiction, year=year,
        profile=facts.id, totals=StatedTotals(total=0, key=0, general=0, key_share=stated_share, general_share=stated_share),
        items=tuple(items), groups=(Group(id="key-units", name="区重点单位执法检查", category=Category.KEY),),
        schedule=schedule, key_units=key_units, workload=workload,
    )
    return restated(plan)


# ---------------------------------------------------------------- targeted mutations


def _item(plan: AnnualPlan, item_id: str) -> InspectionItem:
    return next(i for i in plan.items if i.id == item_id)


def break_totals(plan: AnnualPlan) -> AnnualPlan:
    """One number off: a group's stated total no longer equals its items."""
    group = plan.groups[0]
    return attrs.evolve(plan, groups=(attrs.evolve(group, planned=(group.planned or 0) + 1), *plan.groups[1:]))


def break_shares(plan: AnnualPlan) -> AnnualPlan:
    """The stated key share is one step (at its own precision) away from the computed one."""
    share = plan.totals.key_share
    assert share is not None
    step = Decimal(1).scaleb(-_places(share))
    wrong = share + step if share + step <= 100 else share - step
    return attrs.evolve(plan, totals=attrs.evolve(plan.totals, key_share=wrong))


def break_schedule_sums(plan: AnnualPlan) -> AnnualPlan:
    """One month's stated total is one off."""
    assert plan.schedule is not None and plan.schedule.monthly_totals is not None
    totals = list(plan.schedule.monthly_totals)
    totals[6] = (totals[6] or 0) + 1
    return attrs.evolve(plan, schedule=attrs.evolve(plan.schedule, monthly_totals=tuple(totals)))


def break_joint_share(plan: AnnualPlan, threshold: Decimal | None = None) -> AnnualPlan:
    """The joint share pushed just under the threshold (by default the ``min_joint_share`` of the
    plan's profile, 15 where it has none): the largest joint count that falls short."""
    if threshold is None:
        threshold = profile_facts(plan.profile).min_joint_share or Decimal(15)
    others = sum(i.planned for i in plan.items if Tag.DOUBLE_RANDOM in i.tags and Tag.JOINT not in i.tags)
    share = Fraction(threshold) / 100
    just_under = math.ceil(share * others / (1 - share)) - 1
    return with_planned(plan, "joint-random", just_under)


def break_key_unit_coverage(plan: AnnualPlan) -> AnnualPlan:
    """One key unit dropped from the checks: its category (the last the first covering item covers)
    loses every item that covered it."""
    dropped = next(i for i in plan.items if i.covers).covers[-1]
    items = tuple(attrs.evolve(i, covers=tuple(c for c in i.covers if c != dropped)) for i in plan.items)
    return attrs.evolve(plan, items=items)


def covering_group(plan: AnnualPlan) -> list[InspectionItem]:
    """The first covering item and every item sharing a category with it (directly or through
    another): their units may be checked under any of them, so they are short only together."""
    covering = [i for i in plan.items if i.covers]
    group, categories = [covering[0]], set(covering[0].covers)
    while joined := [i for i in covering if i not in group and categories & set(i.covers)]:
        group += joined
        categories |= {c for i in joined for c in i.covers}
    return group


def _group_units(plan: AnnualPlan, group: list[InspectionItem]) -> int:
    assert plan.key_units is not None
    return sum(1 for u in plan.key_units.units if any(u.category in i.covers for i in group))


def break_workload_arithmetic(plan: AnnualPlan) -> AnnualPlan:
    """The stated supervision workdays are one off."""
    w = plan.workload
    assert w is not None and w.supervision_workdays is not None
    return attrs.evolve(plan, workload=attrs.evolve(w, supervision_workdays=w.supervision_workdays + 1))


def break_workload_calendar(plan: AnnualPlan) -> AnnualPlan:
    """The year counted as the other kind (365 days for a leap year, 366 for another), one holiday
    more or fewer making up for it, so the workdays after it are unchanged."""
    w = plan.workload
    assert w is not None
    change = (365 if calendar.isleap(plan.year) else 366) - w.days_in_year
    return attrs.evolve(plan, workload=attrs.evolve(w, days_in_year=w.days_in_year + change, holidays=w.holidays + change))


def break_workload_ratio(plan: AnnualPlan) -> AnnualPlan:
    """Fewer other workdays: the supervision workdays grow until the planned checks fall short of the ratio."""
    w = plan.workload
    assert w is not None
    target = math.floor(plan.totals.total / Fraction(w.ratio)) + 1
    statutory = w.statutory_from_inputs()
    staff = max(w.staff, math.ceil(target / statutory))
    spare = statutory * staff - target
    return restated(attrs.evolve(plan, workload=attrs.evolve(w, staff=staff, other_days=spare, non_enforcement_days=0)))


def break_sample_excludes_key_units(plan: AnnualPlan) -> AnnualPlan:
    """A key unit is drawn into the sample of an item drawn from outside the key units (named
    there with any whitespace inside its name removed)."""
    assert plan.key_units is not None
    item = next(i for i in plan.items if i.sampled_units and Tag.OUTSIDE_KEY_UNITS in i.tags)
    unit = _unspaced(plan.key_units.units[-1].name)
    items = tuple(attrs.evolve(i, sampled_units=(*i.sampled_units, unit)) if i is item else i for i in plan.items)
    return attrs.evolve(plan, items=items)


def break_key_unit_list(plan: AnnualPlan) -> AnnualPlan:
    """A category's stated count (共N家) is one more than the units listed."""
    assert plan.key_units is not None
    first, *rest = plan.key_units.categories
    wrong = attrs.evolve(first, stated_count=(first.stated_count or 0) + 1)
    return attrs.evolve(plan, key_units=attrs.evolve(plan.key_units, categories=(wrong, *rest)))


def break_joint_quarterly(plan: AnnualPlan) -> AnnualPlan:
    """A quarterly item's first-quarter checks move to the fourth quarter."""
    assert plan.schedule is not None
    rows = []
    for row in plan.schedule.rows:
        if row.ref == "quarterly-joint":
            months = [v or 0 for v in row.monthly]
            moved = sum(months[:3])
            months = [0, 0, 0, *months[3:]]
            months[11] += moved
            row = attrs.evolve(row, monthly=tuple(v or None for v in months))
        rows.append(row)
    return restated(attrs.evolve(plan, schedule=attrs.evolve(plan.schedule, rows=tuple(rows))))


def break_item_arithmetic(plan: AnnualPlan) -> AnnualPlan:
    """An item that states units × checks per unit plans one check more than their product."""
    item = _item(plan, "special")
    return with_planned(plan, "special", item.planned + 1)


#: Rule id → the mutation that breaks exactly that rule in a plan from :func:`annual_plans`.
PLAN_MUTATIONS: dict[str, Callable[[AnnualPlan], AnnualPlan]] = {
    "plan.totals": break_totals,
    "plan.shares": break_shares,
    "plan.schedule-sums": break_schedule_sums,
    "plan.joint-share": break_joint_share,
    "plan.key-unit-coverage": break_key_unit_coverage,
    "plan.workload-arithmetic": break_workload_arithmetic,
    "plan.workload-calendar": break_workload_calendar,
    "plan.workload-ratio": break_workload_ratio,
    "plan.sample-excludes-key-units": break_sample_excludes_key_units,
    "plan.key-unit-list": break_key_unit_list,
    "plan.joint-quarterly": break_joint_quarterly,
    "plan.item-arithmetic": break_item_arithmetic,
}


# ---------------------------------------------------------------- one mutation per way a rule is violated


def joint_share_under_its_threshold(plan: AnnualPlan) -> AnnualPlan:
    """:func:`break_joint_share` at the plan's profile's own threshold."""
    threshold = profile_facts(plan.profile).min_joint_share
    return break_joint_share(plan) if threshold is None else break_joint_share(plan, threshold)


def _moved(plan: AnnualPlan, from_id: str, to_id: str, checks: int) -> AnnualPlan:
    """``checks`` planned checks moved from one item to another (the year's total unchanged)."""
    plan = with_planned(plan, from_id, _item(plan, from_id).planned - checks)
    return with_planned(plan, to_id, _item(plan, to_id).planned + checks)


def every_unit_named(plan: AnnualPlan) -> AnnualPlan:
    """The schedule names every key unit at the start of every period."""
    assert plan.key_units is not None and plan.schedule is not None
    periods = key_unit_periods(profile_facts(plan.profile).key_unit_checks_per_year)
    visits = tuple(UnitVisit(unit=u.name, month=p.start) for u in plan.key_units.units for p in periods)
    return attrs.evolve(plan, schedule=attrs.evolve(plan.schedule, unit_visits=visits))


def covering_item_short(plan: AnnualPlan) -> AnnualPlan:
    """The items covering key units together (:func:`covering_group`) plan one check fewer than the
    units need; the rest go to the period sample. The schedule names each unit's checks, which
    stand: a year short is short in some period of its rows too, which alternative 3 reports where
    no unit is named."""
    group = covering_group(plan)
    required = _group_units(plan, group) * profile_facts(plan.profile).key_unit_checks_per_year
    surplus = sum(i.planned for i in group) - required + 1
    plan = every_unit_named(plan)
    for item in group:  # taken from the first item, then the next
        moved = min(item.planned, surplus)
        plan, surplus = _moved(plan, item.id, "period-sample", moved), surplus - moved
    return plan


def _with_key_unit(plan: AnnualPlan, unit: KeyUnit) -> AnnualPlan:
    """``unit`` added to the key-unit list, its covering item planning its checks too (counts restated)."""
    assert plan.key_units is not None
    plan = attrs.evolve(plan, key_units=attrs.evolve(plan.key_units, units=(*plan.key_units.units, unit)))
    item = next(i for i in plan.items if unit.category in i.covers)
    periods = key_unit_periods(profile_facts(plan.profile).key_unit_checks_per_year)
    plan = with_planned(plan, item.id, item.planned + len(periods))
    assert plan.schedule is not None
    rows = []
    for row in plan.schedule.rows:  # its checks one a period, not all in December (where with_planned puts them)
        if row.ref == item.id:
            months = [v or 0 for v in row.monthly]
            months[-1] -= len(periods)
            for period in periods:
                months[period.start - 1] += 1
            row = attrs.evolve(row, monthly=tuple(v or None for v in months))
        rows.append(row)
    return restated(attrs.evolve(plan, schedule=attrs.evolve(plan.schedule, rows=tuple(rows))))


def unit_unvisited_in_a_period(plan: AnnualPlan) -> AnnualPlan:
    """The schedule names every key unit in every period, but for one added to the list (and planned for)."""
    assert plan.key_units is not None
    units = plan.key_units.units
    added = KeyUnit(no=len(units) + 1, name="上海未排期单位有限公司", category=units[-1].category, township="城桥镇")
    return _with_key_unit(every_unit_named(plan), added)


def covering_rows_short_in_a_period(plan: AnnualPlan) -> AnnualPlan:
    """The schedule names no unit, and the rows of the items covering key units together
    (:func:`covering_group`) move checks from their first period to their last until the first is
    one short of their units (each row's total unchanged, the months' totals restated)."""
    assert plan.key_units is not None and plan.schedule is not None
    periods = key_unit_periods(profile_facts(plan.profile).key_unit_checks_per_year)
    group = {i.id for i in covering_group(plan)}
    surplus = sum(row.monthly[m - 1] or 0 for row in plan.schedule.rows if row.ref in group for m in periods[0])
    surplus -= _group_units(plan, covering_group(plan)) - 1
    rows = []
    for row in plan.schedule.rows:
        if row.ref in group:
            months = [v or 0 for v in row.monthly]
            for m in periods[0]:
                moved = min(months[m - 1], surplus)
                months[m - 1] -= moved
                months[periods[-1].start - 1] += moved
                surplus -= moved
            row = attrs.evolve(row, monthly=tuple(v or None for v in months))
        rows.append(row)
    return restated(attrs.evolve(plan, schedule=attrs.evolve(plan.schedule, rows=tuple(rows), unit_visits=())))


def _supervision_stated(plan: AnnualPlan, difference: int) -> AnnualPlan:
    """The stated supervision workdays off by ``difference``; the minimum checks restated from them."""
    w = plan.workload
    assert w is not None and w.supervision_workdays is not None
    stated = w.supervision_workdays + difference
    return attrs.evolve(plan, workload=attrs.evolve(
        w, supervision_workdays=stated, minimum_checks=minimum_checks(stated, w.ratio, up=rounds_up(w))))


def supervision_understated(plan: AnnualPlan) -> AnnualPlan:
    """The stated supervision workdays are one fewer than the accounting gives (stated < low)."""
    return _supervision_stated(plan, -1)


def supervision_overstated(plan: AnnualPlan) -> AnnualPlan:
    """The stated supervision workdays are one more than the accounting gives (stated > high)."""
    return _supervision_stated(plan, 1)


def key_unit_listed_twice(plan: AnnualPlan) -> AnnualPlan:
    """The last key unit listed again (and planned for), with any whitespace inside its name removed."""
    assert plan.key_units is not None
    units = plan.key_units.units
    return _with_key_unit(plan, attrs.evolve(units[-1], no=len(units) + 1, name=_unspaced(units[-1].name)))


#: Each way (:data:`Way`) of each plan rule → a mutation that breaks that rule, that way only, in a
#: plan from :func:`annual_plans`.
ALTERNATIVE_MUTATIONS: dict[Way, Callable[[AnnualPlan], AnnualPlan]] = {
    ("plan.totals", 0, 0): break_totals,
    ("plan.shares", 0, 0): break_shares,
    ("plan.schedule-sums", 0, 0): break_schedule_sums,
    ("plan.joint-share", 0, 0): joint_share_under_its_threshold,
    ("plan.key-unit-coverage", 0, 0): covering_item_short,
    ("plan.key-unit-coverage", 1, 0): break_key_unit_coverage,
    ("plan.key-unit-coverage", 2, 0): unit_unvisited_in_a_period,
    ("plan.key-unit-coverage", 3, 0): covering_rows_short_in_a_period,
    ("plan.workload-arithmetic", 0, 0): supervision_understated,
    ("plan.workload-arithmetic", 0, 1): supervision_overstated,
    ("plan.workload-calendar", 0, 0): break_workload_calendar,
    ("plan.workload-ratio", 0, 0): break_workload_ratio,
    ("plan.sample-excludes-key-units", 0, 0): break_sample_excludes_key_units,
    ("plan.key-unit-list", 0, 0): break_key_unit_list,
    ("plan.key-unit-list", 1, 0): key_unit_listed_twice,
    ("plan.joint-quarterly", 0, 0): break_joint_quarterly,
    ("plan.item-arithmetic", 0, 0): break_item_arithmetic,
}

#: Ways only some profiles' plans can be broken, with what the profile needs: a schedule's rows are
#: checked period by period only where key units are due more than one check a year (the year's
#: checks are the items' planned counts, which alternative 0 checks).
PROFILE_WAYS: dict[Way, Callable[[ProfileFacts], bool]] = {
    ("plan.key-unit-coverage", 3, 0): lambda facts: facts.key_unit_checks_per_year > 1,
}


def takes_way(profile_id: str, way: Way) -> bool:
    """Whether plans of a profile can be broken ``way`` (see :data:`PROFILE_WAYS`)."""
    needs = PROFILE_WAYS.get(way)
    return needs is None or needs(profile_facts(profile_id))


def plan_data(plan: AnnualPlan) -> dict[str, Any]:
    """The file form of a generated plan (what a YAML or JSON file would hold)."""
    from forms.convert import unstructure

    return {"kind": "annual-plan", **unstructure(plan)}
