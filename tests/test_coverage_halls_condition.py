"""Key units checked under any of several items sharing their categories (plan.key-unit-coverage):
the engine's shortfall, year and period, against a brute-force check of Hall's condition (each set
of categories needs no more checks than the items covering any of them plan)."""

from __future__ import annotations

import itertools
from collections import Counter

import attrs
import pytest
from hypothesis import assume, given, note
from hypothesis import strategies as st

import engine
from forms.plan import AnnualPlan, InspectionItem
from forms.strategies import annual_plans, restated, with_planned
from forms.strategies.plan import every_unit_named, key_unit_periods, profile_facts

RULE = "plan.key-unit-coverage"
PROFILES = ["shanghai-chongming-2024", "shanghai-minhang-2020", "shanghai-putuo-2024"]


def hall_shortfall(units_in: Counter[str], items: list[InspectionItem], supply: dict[str, int], per: int) -> int:
    """The most checks any set of categories is short of: its units × ``per`` less the ``supply`` of
    every item covering one of them (0 when Hall's condition holds)."""
    categories = sorted(units_in)
    return max([0, *(sum(units_in[c] * per for c in chosen) - sum(supply[i.id] for i in items if set(i.covers) & set(chosen))
                     for size in range(1, len(categories) + 1) for chosen in itertools.combinations(categories, size))])


@st.composite
def overlapping_plans(draw: st.DrawFn, profile: str) -> AnnualPlan:
    """A generated plan whose covering items cover more categories, drawn (sharing them), with their
    checks moved between them and placed in the first month of each period: short or not."""
    plan = draw(annual_plans(profile))
    assert plan.key_units is not None and plan.schedule is not None
    categories = [c.id for c in plan.key_units.categories]
    items = list(plan.items)
    covering = [k for k, i in enumerate(items) if i.covers]
    for k in covering:
        more = draw(st.lists(st.sampled_from(categories), max_size=3))
        items[k] = attrs.evolve(items[k], covers=tuple(dict.fromkeys([*items[k].covers, *more])))
    if len(covering) == 2:  # the year's total unchanged
        a, b = covering
        shift = draw(st.integers(-items[a].planned, items[b].planned))
        items[a] = attrs.evolve(items[a], planned=items[a].planned + shift)
        items[b] = attrs.evolve(items[b], planned=items[b].planned - shift)
    periods = key_unit_periods(profile_facts(profile).key_unit_checks_per_year)
    rows = []
    for row in plan.schedule.rows:
        item = next(i for i in items if i.id == row.ref)
        if item.covers:  # its checks split between the first months of its periods
            cuts = sorted(draw(st.lists(st.integers(0, item.planned), min_size=len(periods) - 1,
                                        max_size=len(periods) - 1)))
            months: list[int | None] = [None] * 12
            for period, (low, high) in zip(periods, itertools.pairwise([0, *cuts, item.planned]), strict=True):
                months[period.start - 1] = (high - low) or None
            row = attrs.evolve(row, monthly=tuple(months))
        rows.append(row)
    schedule = attrs.evolve(plan.schedule, rows=tuple(rows), unit_visits=())
    return restated(attrs.evolve(plan, items=tuple(items), schedule=schedule))


@pytest.mark.parametrize("profile_id", PROFILES)
@given(data=st.data())
def test_the_shortfall_of_items_sharing_categories_is_halls(profile_id: str, data: st.DataObject) -> None:
    """The year's coverage findings are short by what Hall's condition is short by, and each period's
    by what the items' rows for it are; nothing else is found."""
    plan = data.draw(overlapping_plans(profile_id))
    assert plan.key_units is not None and plan.schedule is not None
    per = profile_facts(profile_id).key_unit_checks_per_year
    units_in = Counter(u.category for u in plan.key_units.units)
    items = [i for i in plan.items if i.covers]
    rows = {r.ref: r for r in plan.schedule.rows}
    note(str([(i.id, i.covers, i.planned, rows[i.id].monthly) for i in items]) + str(dict(units_in)))
    report = engine.check(plan)
    assert set(report.rules_violated) <= {RULE}, [(v.rule, v.message_en) for v in report.violations]
    found = [v for v in report.violations if v.rule == RULE]
    year = sum(v.values["required"] - v.values["planned"] for v in found if v.location.startswith("/items/"))
    assert year == hall_shortfall(units_in, items, {i.id: i.planned for i in items}, per)
    if per > 1:
        for period in key_unit_periods(per):
            scheduled = {i.id: sum(rows[i.id].monthly[m - 1] or 0 for m in period) for i in items}
            short = sum(v.values["required"] - v.values["scheduled"] for v in found if v.location.startswith("/schedule/")
                        and v.location.endswith(f"/monthly/{period.start - 1}"))
            assert short == hall_shortfall(units_in, items, scheduled, 1), period


@pytest.mark.parametrize("profile_id", PROFILES)
@given(data=st.data())
def test_items_sharing_every_category_short_only_together_are_reported_together(profile_id: str,
                                                                                data: st.DataObject) -> None:
    """Two items each covering every category, planning one check fewer than all the units need
    together, though enough for any one category: one finding, naming both, one check short."""
    plan = data.draw(annual_plans(profile_id))
    assert plan.key_units is not None and plan.schedule is not None
    covering = [i for i in plan.items if i.covers]
    assume(len(covering) == 2)
    every = tuple(c.id for c in plan.key_units.categories)
    plan = attrs.evolve(plan, items=tuple(attrs.evolve(i, covers=every) if i.covers else i for i in plan.items))
    per = profile_facts(profile_id).key_unit_checks_per_year
    surplus = sum(i.planned for i in covering) - len(plan.key_units.units) * per + 1
    for item in covering:  # the surplus and one more moved to the period sample, the year's total unchanged
        moved = min(item.planned, surplus)
        plan = with_planned(plan, item.id, item.planned - moved)
        sample = next(i for i in plan.items if i.id == "period-sample")
        plan, surplus = with_planned(plan, "period-sample", sample.planned + moved), surplus - moved
    plan = every_unit_named(plan)  # the year's planned checks are what is judged short, not the rows
    units_in = Counter(u.category for u in plan.key_units.units)
    assert all(units_in[c] * per <= sum(i.planned for i in plan.items if i.covers) for c in every)
    report = engine.check(plan)
    assert report.rules_violated == (RULE,), [(v.rule, v.message_en) for v in report.violations]
    (violation,) = report.violations
    assert violation.values["required"] - violation.values["planned"] == 1
    assert all(f"“{i.name}”" in violation.message_en for i in covering), violation.message_en
