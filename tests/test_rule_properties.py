"""For every rule: generated compliant plans pass; its targeted mutation gives exactly that rule."""

from __future__ import annotations

import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

import engine
from forms.plan import Tag
from forms.references import check_references
from forms.strategies import PLAN_ALTERNATIVE_MUTATIONS, PLAN_MUTATIONS, annual_plans
from forms.strategies.plan import takes_way
from rulebook import load_rulebook

from .conftest import alternatives_fitting, cites_what_grounds_it, ways_of

RULEBOOK = load_rulebook()
PLAN_PROFILES = sorted(p.id for p in RULEBOOK.profiles.values() if "annual-plan" in p.documents)
CASES = [(pid, rule) for pid in PLAN_PROFILES for rule in sorted(RULEBOOK.profiles[pid].rules)]
WAYS = [(pid, way) for pid, rule in CASES for way in ways_of(RULEBOOK.rules[rule]) if takes_way(pid, way)]


def test_every_plan_rule_has_a_mutation() -> None:
    plan_rules = {rule for pid in PLAN_PROFILES for rule in RULEBOOK.profiles[pid].rules}
    assert set(PLAN_MUTATIONS) == plan_rules


@pytest.mark.parametrize("profile_id", PLAN_PROFILES)
@given(data=st.data())
def test_generated_plans_pass_every_rule_of_their_profile(profile_id: str, data: st.DataObject) -> None:
    plan = data.draw(annual_plans(profile_id))
    assert check_references(plan) == [], "the loaders take every generated plan"
    report = engine.check(plan)
    assert report.violations == ()
    assert report.not_checked == (), "generated plans give every rule something to check"


@pytest.mark.parametrize(("profile_id", "rule_id"), CASES, ids=[f"{p}:{r}" for p, r in CASES])
@given(data=st.data())
def test_a_targeted_mutation_fires_exactly_its_rule(profile_id: str, rule_id: str, data: st.DataObject) -> None:
    plan = data.draw(annual_plans(profile_id))
    profile = RULEBOOK.profiles[profile_id]
    if rule_id == "plan.joint-share":
        mutated = PLAN_MUTATIONS[rule_id](plan, profile.parameters["min_joint_share"].value)
    else:
        mutated = PLAN_MUTATIONS[rule_id](plan)
    # No item drawn from outside the key units covers them (the loaders refuse it).
    assert not [i.id for i in mutated.items if i.covers and Tag.OUTSIDE_KEY_UNITS in i.tags]
    report = engine.check(mutated)
    assert report.rules_violated == (rule_id,), [(v.rule, v.message_en) for v in report.violations]
    for violation in report.violations:
        assert cites_what_grounds_it(violation, RULEBOOK.rules[rule_id], profile.sources), violation.citations
        assert violation.location.startswith("/")
        assert violation.message and violation.message_en


def test_every_way_a_plan_rule_is_violated_has_a_mutation() -> None:
    assert set(PLAN_ALTERNATIVE_MUTATIONS) == {way for _, way in WAYS}


@pytest.mark.parametrize(("profile_id", "way"), WAYS, ids=[f"{p}:{r}:{k}.{j}" for p, (r, k, j) in WAYS])
@settings(max_examples=15)
@given(data=st.data())
def test_a_mutation_fires_exactly_its_rule_the_way_it_targets(profile_id: str, way: tuple[str, int, int],
                                                               data: st.DataObject) -> None:
    """Each alternative (and ``any`` condition) of each rule: its mutation fires that rule only,
    each finding by that alternative's message, citing what grounds it."""
    rule_id, alternative, _ = way
    report = engine.check(PLAN_ALTERNATIVE_MUTATIONS[way](data.draw(annual_plans(profile_id))))
    assert report.rules_violated == (rule_id,), [(v.rule, v.message_en) for v in report.violations]
    rule, sources = RULEBOOK.rules[rule_id], RULEBOOK.profiles[profile_id].sources
    for violation in report.violations:
        assert alternatives_fitting(violation, rule) == {alternative}, violation.message_en
        assert cites_what_grounds_it(violation, rule, sources), violation.citations


@given(plan=annual_plans("shanghai-chongming-2024"))
def test_joint_share_just_at_the_threshold_passes_and_just_under_fails(plan) -> None:
    from forms.strategies import with_planned
    from forms.strategies.plan import break_joint_share

    under = break_joint_share(plan)
    joint = next(i for i in under.items if i.id == "joint-random").planned
    at = with_planned(under, "joint-random", joint + 1)
    assert "plan.joint-share" in engine.check(under).rules_violated
    assert "plan.joint-share" not in engine.check(at).rules_violated
    (violation,) = [v for v in engine.check(under).violations if v.rule == "plan.joint-share"]
    assert violation.values["missing"] == 1
    assert violation.values["share"] < 15


@given(plan=annual_plans("shanghai-chongming-2024"))
def test_workload_ratio_just_at_the_minimum_passes_and_one_check_fewer_fails(plan) -> None:
    """The period sample grows by the fewest checks that make the year's total over the ratio a
    whole number of workdays, and the workload is budgeted to exactly that many: the ratio is met
    exactly (不得小于), and the plan passes; one random check fewer falls short by one."""
    import math
    from fractions import Fraction

    import attrs

    from forms.strategies import restated, with_planned

    w = plan.workload
    assert w is not None
    ratio = Fraction(w.ratio)
    grow = next(n for n in range(ratio.numerator) if ((plan.totals.total + n) / ratio).denominator == 1)
    plan = with_planned(plan, "period-sample", next(i for i in plan.items if i.id == "period-sample").planned + grow)
    supervision = int(plan.totals.total / ratio)
    statutory = w.statutory_from_inputs()
    staff = max(w.staff, math.ceil(supervision / statutory))
    at = restated(attrs.evolve(plan, workload=attrs.evolve(
        w, staff=staff, other_days=statutory * staff - supervision, non_enforcement_days=0)))
    assert at.workload is not None and at.workload.supervision_workdays * ratio == at.totals.total
    assert engine.check(at).violations == ()
    fewer = with_planned(at, "random-1", next(i for i in at.items if i.id == "random-1").planned - 1)
    report = engine.check(fewer)
    assert report.rules_violated == ("plan.workload-ratio",), [(v.rule, v.message_en) for v in report.violations]
    (violation,) = report.violations
    assert violation.values["missing"] == 1


@given(plan=annual_plans("shanghai-chongming-2024"), more=st.integers(1, 3))
def test_rest_days_off_the_calendar_fire_the_calendar_rule_at_the_rest_days(plan, more: int) -> None:
    """The targeted mutation moves the day count; more rest days, as many holidays fewer (so the
    workdays stay), are reported at the rest days, by that rule only."""
    import attrs

    w = plan.workload
    assert w is not None
    report = engine.check(attrs.evolve(plan, workload=attrs.evolve(w, rest_days=w.rest_days + more,
                                                                   holidays=w.holidays - more)))
    assert report.rules_violated == ("plan.workload-calendar",), [(v.rule, v.message_en) for v in report.violations]
    (violation,) = report.violations
    assert violation.location == "/workload/rest_days"
    assert violation.values == {"stated": w.rest_days + more, "calendar": w.rest_days}


@given(year=st.integers(1, 9999))
def test_a_years_rest_days_are_its_saturdays_and_sundays(year: int) -> None:
    from datetime import date, timedelta

    from forms.plan import days_in, weekend_days

    days = [date(year, 1, 1) + timedelta(k) for k in range(days_in(year))]
    assert days[-1] == date(year, 12, 31)
    assert weekend_days(year) == sum(1 for d in days if d.weekday() >= 5)


@pytest.mark.parametrize("profile_id", ["shanghai-chongming-2024", "shanghai-putuo-2024"])
@given(data=st.data())
def test_either_joint_share_fix_clears_the_finding_and_is_the_least_that_does(profile_id: str,
                                                                             data: st.DataObject) -> None:
    """The fix offers two ways: make ``missing`` random checks joint (the base stays), or add
    ``added`` joint checks (the base grows with them). Each clears the finding; one fewer does not."""
    from forms.plan import Tag
    from forms.strategies import with_planned

    plan = data.draw(annual_plans(profile_id))
    joint = data.draw(st.integers(0, next(i for i in plan.items if i.id == "joint-random").planned))
    under = with_planned(plan, "joint-random", joint)
    found = [v for v in engine.check(under).violations if v.rule == "plan.joint-share"]
    assume(found)
    (violation,) = found
    missing, added = violation.values["missing"], violation.values["added"]
    assert f"{missing}" in violation.fix_en and f"add {added} joint checks" in violation.fix_en
    donor = next(i for i in under.items if Tag.DOUBLE_RANDOM in i.tags and Tag.JOINT not in i.tags
                 and i.planned >= missing)

    def made_joint(n: int) -> object:
        moved = with_planned(under, donor.id, donor.planned - n)
        return with_planned(moved, "joint-random", joint + n)

    def grown(n: int) -> object:
        return with_planned(under, "joint-random", joint + n)

    for fixed, by in ((made_joint, missing), (grown, added)):
        assert "plan.joint-share" not in engine.check(fixed(by)).rules_violated
        assert "plan.joint-share" in engine.check(fixed(by - 1)).rules_violated


@pytest.mark.parametrize("profile_id", PLAN_PROFILES)
@given(data=st.data())
def test_a_key_unit_may_be_drawn_into_a_sample_not_drawn_from_outside_the_key_units(
        profile_id: str, data: st.DataObject) -> None:
    """A cross-district check draws from the key units (普陀 四、（一）3（4）): only an item the plan says is
    drawn from outside them (tagged outside-key-units) may not repeat one."""
    import attrs

    from forms.plan import Tag
    from forms.strategies.plan import break_sample_excludes_key_units

    mutated = break_sample_excludes_key_units(data.draw(annual_plans(profile_id)))
    untagged = attrs.evolve(mutated, items=tuple(
        attrs.evolve(i, tags=tuple(t for t in i.tags if t is not Tag.OUTSIDE_KEY_UNITS)) for i in mutated.items))
    report = engine.check(untagged)
    assert report.violations == ()
    assert [(n.rule, n.reason_en) for n in report.not_checked] == [
        ("plan.sample-excludes-key-units", "no item drawn from outside the key units names its sample")]


@pytest.mark.parametrize("profile_id", [p for p in PLAN_PROFILES if "plan.item-arithmetic" in RULEBOOK.profiles[p].rules])
@given(data=st.data())
def test_an_item_one_check_short_of_its_units_is_reported_short(profile_id: str, data: st.DataObject) -> None:
    """One check fewer than units × checks per unit: some unit goes short, and the fix says so rather
    than asking what the extra checks inspect."""
    from forms.strategies import with_planned

    plan = data.draw(annual_plans(profile_id))
    special = next(i for i in plan.items if i.id == "special")
    report = engine.check(with_planned(plan, "special", special.planned - 1))
    assert report.rules_violated == ("plan.item-arithmetic",), [(v.rule, v.message_en) for v in report.violations]
    (violation,) = report.violations
    assert violation.fix_en == "correct the count, or say which units get fewer checks (1 short)"


@pytest.mark.parametrize("stated_as", ["ten times over", "zero"])
@given(plan=annual_plans("shanghai-chongming-2024"))
def test_the_workload_ratio_is_over_the_supervision_workdays_the_inputs_give(stated_as: str, plan) -> None:
    """plan.workload-ratio divides by the supervision workdays its accounting's inputs give, not the
    figure stated: a stated figure far off either way is workload-arithmetic's finding only, and the
    ratio is still checked."""
    import attrs

    from forms.strategies.plan import minimum_checks, rounds_up

    w = plan.workload
    assert w is not None and w.supervision_workdays is not None
    stated = w.supervision_workdays * 10 if stated_as == "ten times over" else 0
    # The minimum checks restated from the stated figure: only the supervision workdays are off.
    off = attrs.evolve(plan, workload=attrs.evolve(
        w, supervision_workdays=stated, minimum_checks=minimum_checks(stated, w.ratio, up=rounds_up(w))))
    report = engine.check(off)
    assert report.rules_violated == ("plan.workload-arithmetic",), [(v.rule, v.message_en) for v in report.violations]
    assert report.not_checked == ()


STEPS = {"statutory_workdays": "法定工作日", "total_workdays": "总法定工作日", "supervision_workdays": "监督检查工作日"}


@given(plan=annual_plans("shanghai-chongming-2024"), field=st.sampled_from(sorted(STEPS)),
       off=st.integers(-3, 3).filter(bool))
def test_one_wrong_workday_figure_is_fixed_at_itself_and_the_next_step_says_so(plan, field: str, off: int) -> None:
    """Each step is judged against the figures stated before it, so one wrong figure may break the
    next step too: that finding's fix must offer correcting the wrong figure first (to the value it
    should have), never only a change to a figure that is right."""
    import attrs

    w = plan.workload
    assert w is not None
    right = getattr(w, field)
    report = engine.check(attrs.evolve(plan, workload=attrs.evolve(w, **{field: right + off})))
    assert report.rules_violated == ("plan.workload-arithmetic",)
    (wrong,) = [v for v in report.violations if v.location == f"/workload/{field}"]
    assert wrong.fix == f"更正为{right}"
    after = [v for v in report.violations if v is not wrong]
    assert len(after) <= 1  # the next step only
    for v in after:
        assert f"，或先更正上一项（{STEPS[field]}应为{right}），本项随之应为" in (v.fix or ""), v.fix
