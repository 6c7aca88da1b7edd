"""The engine: each way a rule can fail, isolation between evaluations, errors, determinism, threads."""

from __future__ import annotations

import json
import re
import threading
from decimal import Decimal
from pathlib import Path

import attrs
import pytest

import engine
from engine import ProfileError, RuleError
from engine.compile import MATCHES
from engine.output import as_json
from engine.report import Report
from forms import KeyUnit, LoadError, UnitVisit, document_from_data, load_document, read_data
from forms.plan import KeyUnitCategory, KeyUnitList, Schedule, ScheduleRow
from forms.strategies import restated
from rulebook import Rulebook, load_rulebook

from .conftest import EXAMPLES, SEEDS

CHONGMING = load_document(EXAMPLES / "chongming-2024.yaml")


def violations_of(plan, rule: str) -> list:
    return [v for v in engine.check(plan).violations if v.rule == rule]


# ------------------------------------------------------------------ each alternative of each rule, by example


def test_a_covering_item_that_plans_too_few_checks() -> None:
    items = tuple(attrs.evolve(i, planned=16) if i.id == "hazchem-fireworks" else i for i in CHONGMING.items)
    (v,) = violations_of(attrs.evolve(CHONGMING, items=items), "plan.key-unit-coverage")
    assert v.location == "/items/1/planned"
    assert v.values == {"units": 17, "required": 17, "planned": 16, "key_unit_checks_per_year": 1}
    assert v.fix_en == "needs ≥ 17 checks: 1 more"


MINHANG = load_document(EXAMPLES / "minhang-2020.yaml")
PUTUO = load_document(EXAMPLES / "putuo-2024.yaml")


def _with_key_units(plan, counts: dict[str, int], covers: dict[str, tuple[str, ...]]):
    """``plan`` with a key-unit list of ``counts`` units per category, covered by the items of ``covers``."""
    categories = tuple(KeyUnitCategory(c, f"类别{c}", n) for c, n in counts.items())
    units = tuple(KeyUnit(no=k + 1, name=f"单位{k + 1}", category=c)
                  for k, c in enumerate(c for c, n in counts.items() for _ in range(n)))
    items = tuple(attrs.evolve(i, covers=covers.get(i.id, ())) for i in plan.items)
    return attrs.evolve(plan, items=items, key_units=KeyUnitList(categories=categories, units=units))


def _scheduled(plan, row: tuple[int, ...]):
    """Minhang with 66 key units in two categories, all covered by its key-unit item (132 planned, every
    half-year), and a schedule of one row per item naming no unit: ``row`` for the key-unit item."""
    plan = _with_key_units(plan, {"a": 30, "b": 36}, {"key-units": ("a", "b")})
    rows = tuple(ScheduleRow(ref=i.id, monthly=row if i.id == "key-units" else (i.planned, *(None,) * 11))
                 for i in plan.items)
    return restated(attrs.evolve(plan, schedule=Schedule(rows=rows)))


def test_key_units_due_every_half_year_are_checked_in_the_rows_of_a_schedule_naming_no_unit() -> None:
    """闵行 四、（一）1（1） 对重点单位每半年至少实施1次监督检查: 132 checks for 66 units, all in January–June,
    leave the second half-year without one; 11 a month pass."""
    report = engine.check(_scheduled(MINHANG, (22,) * 6 + (0,) * 6))
    (v,) = [v for v in report.violations if v.rule == "plan.key-unit-coverage"]
    assert v.location == "/schedule/rows/0/monthly/6"
    assert v.message == "月度安排表：“重点单位检查”覆盖66家重点单位，每家在下半年应至少检查1次，需66家次，但安排0家次"
    assert v.message_en == ("monthly schedule: “重点单位检查” covers 66 key units, each due a check in the second "
                            "half-year: 66 needed, 0 scheduled")
    assert v.fix_en == "schedule ≥ 66 checks in the second half-year: 66 more"
    assert v.values == {"units": 66, "required": 66, "scheduled": 0, "key_unit_checks_per_year": 2}
    report = engine.check(_scheduled(MINHANG, (11,) * 12))
    assert "plan.key-unit-coverage" not in {v.rule for v in report.violations} | {n.rule for n in report.not_checked}


def test_key_units_due_every_half_year_are_not_checked_by_period_without_a_schedule_or_a_row() -> None:
    """Without a schedule, or a row for a covering item, the year is checked and the periods are
    reported not checked, never passed."""
    no_schedule = attrs.evolve(_scheduled(MINHANG, (11,) * 12), schedule=None)
    no_row = _scheduled(MINHANG, (11,) * 12)
    assert no_row.schedule is not None
    no_row = restated(attrs.evolve(no_row, schedule=attrs.evolve(
        no_row.schedule, rows=tuple(r for r in no_row.schedule.rows if r.ref != "key-units"))))
    for plan, reason in (
            (no_schedule, ("计划未附月度安排表，未核对重点单位在上半年、下半年各有检查",
                           "the plan has no monthly schedule: not checked that key units are checked in each "
                           "period (the first half-year, the second half-year)")),
            (no_row, ("月度安排表中没有“重点单位检查”一行，未核对其覆盖的重点单位在上半年、下半年各有检查",
                      "not checked that the key units “重点单位检查” cover are checked in each period (the first "
                      "half-year, the second half-year): the monthly schedule has no row for it"))):
        report = engine.check(plan)
        assert [v for v in report.violations if v.rule == "plan.key-unit-coverage"] == []
        assert [(n.reason, n.reason_en) for n in report.not_checked if n.rule == "plan.key-unit-coverage"] == [reason]
    short = _with_key_units(attrs.evolve(MINHANG, schedule=None), {"a": 67}, {"key-units": ("a",)})
    assert [v.message_en for v in violations_of(short, "plan.key-unit-coverage")] == [
        "“重点单位检查” covers 67 key units, each due 2 check(s) a year: 134 needed, 132 planned"]


def test_key_units_checked_under_several_items_are_counted_across_them() -> None:
    """普陀 四、（一）1 对区重点单位执法检查全覆盖，除部分企业纳入重点时段专项执法检查外: 66 key units checked
    60 times under the key-unit item and 10 under a 重点时段 item are covered; 50 and 10 are 6 short,
    reported once, at the first item, naming both."""
    covers = {"key-units": ("a",), "period-hazchem": ("a",)}
    assert violations_of(_with_key_units(PUTUO, {"a": 66}, covers), "plan.key-unit-coverage") == []
    fewer = restated(attrs.evolve(PUTUO, items=tuple(attrs.evolve(i, planned=50) if i.id == "key-units" else i
                                                     for i in PUTUO.items)))
    (v,) = violations_of(_with_key_units(fewer, {"a": 66}, covers), "plan.key-unit-coverage")
    assert v.location == "/items/0/planned"
    assert v.message == ("“区重点单位执法检查”（50家次）和“重点时段：使用危化品或危险化学品经营企业”（10家次）共覆盖66家"
                         "重点单位，每家每年应检查1次，需66家次，但计划60家次")
    assert v.message_en == ("“区重点单位执法检查” (50) and “重点时段：使用危化品或危险化学品经营企业” (10) together cover "
                            "66 key units, each due 1 check(s) a year: 66 needed, 60 planned")
    assert v.fix_en == "needs ≥ 66 checks: 6 more"


def test_units_only_one_item_covers_need_that_items_checks() -> None:
    """An item covering categories a and b, another only b: b's units may take the other's checks,
    a's may not. 10 + 10 units are covered by 10 and 10 checks, not by 5 and 15 (a is 5 short), and
    12 and 5 leave both 3 short."""
    covers = {"key-units": ("a", "b"), "period-hazchem": ("b",)}

    def planned(first: int, second: int) -> list:
        plan = restated(attrs.evolve(PUTUO, items=tuple(
            attrs.evolve(i, planned={"key-units": first, "period-hazchem": second}.get(i.id, i.planned))
            for i in PUTUO.items)))
        return violations_of(_with_key_units(plan, {"a": 10, "b": 10}, covers), "plan.key-unit-coverage")

    assert planned(10, 10) == []
    (v,) = planned(5, 15)
    assert (v.location, v.message_en, v.fix_en) == (
        "/items/0/planned", "the 10 key units of category “类别a” are covered only by “区重点单位执法检查”, each due "
        "1 check(s) a year: 10 needed, 5 planned", "needs ≥ 10 checks: 5 more")
    assert v.message == "类别“类别a”的10家重点单位只由“区重点单位执法检查”覆盖，每家每年应检查1次，需10家次，但计划5家次"
    (v,) = planned(12, 5)
    assert v.message_en.startswith(
        "“区重点单位执法检查” (12) and “重点时段：使用危化品或危险化学品经营企业” (5) together cover 20 key units")
    assert v.fix_en == "needs ≥ 20 checks: 3 more"


def test_a_key_unit_category_no_item_covers() -> None:
    items = tuple(attrs.evolve(i, covers=()) if i.id == "special-training" else i for i in CHONGMING.items)
    (v,) = violations_of(attrs.evolve(CHONGMING, items=items), "plan.key-unit-coverage")
    assert v.message_en == "key-unit category “安全生产培训机构” (5 units) is covered by no inspection item"
    assert v.location == "/key_units/categories/13"


def test_a_named_key_unit_with_no_visit_in_a_half_year() -> None:
    minhang_like = attrs.evolve(CHONGMING, profile="shanghai-minhang-2020", year=2020, jurisdiction="上海市闵行区")
    assert minhang_like.key_units is not None and minhang_like.schedule is not None
    units = minhang_like.key_units.units
    visits = [UnitVisit(u.name, 3) for u in units] + [UnitVisit(u.name, 9) for u in units[1:]]
    plan = attrs.evolve(minhang_like, schedule=attrs.evolve(minhang_like.schedule, unit_visits=tuple(visits)))
    found = violations_of(plan, "plan.key-unit-coverage")
    unit_periods = [v for v in found if v.location.startswith("/key_units/units/")]
    assert [(v.location, v.message_en) for v in unit_periods] == [
        ("/key_units/units/0", f"key unit “{units[0].name}” has no check scheduled in the second half-year")]


def test_a_key_unit_is_matched_to_its_visits_as_the_list_is_matched() -> None:
    """A schedule naming 林德气体(上海)… in half-width brackets, or a unit with a space in its name,
    schedules the unit the list writes otherwise: no unit goes unvisited behind either."""
    minhang_like = attrs.evolve(CHONGMING, profile="shanghai-minhang-2020", year=2020, jurisdiction="上海市闵行区")
    assert minhang_like.key_units is not None and minhang_like.schedule is not None
    units = tuple(attrs.evolve(u, name=u.name.replace("有限公司", " 有限公司", 1)) if k == 0 else u
                  for k, u in enumerate(minhang_like.key_units.units))
    written = {"上海中远海运重工 有限公司": "上海中远海运重工有限公司",
               "林德气体（上海）有限公司长兴岛分公司": "林德气体(上海)有限公司长兴岛分公司"}
    assert units[0].name in written
    visits = tuple(UnitVisit(written.get(u.name, u.name), month) for u in units for month in (3, 9))
    plan = attrs.evolve(minhang_like, key_units=attrs.evolve(minhang_like.key_units, units=units),
                        schedule=attrs.evolve(minhang_like.schedule, unit_visits=visits))
    found = violations_of(plan, "plan.key-unit-coverage")
    assert [v.message_en for v in found if v.location.startswith("/key_units/units/")] == []
    assert found == violations_of(attrs.evolve(plan, key_units=minhang_like.key_units), "plan.key-unit-coverage")


def test_a_key_unit_listed_twice() -> None:
    assert CHONGMING.key_units is not None
    first = CHONGMING.key_units.units[0]
    copy = attrs.evolve(first, no=118, name=f"  {first.name} ")  # whitespace does not make it another unit
    plan = attrs.evolve(CHONGMING, key_units=attrs.evolve(CHONGMING.key_units, units=(*CHONGMING.key_units.units, copy)))
    found = violations_of(restated(plan), "plan.key-unit-list")
    assert [v.message_en for v in found] == [f"key unit “{copy.name}” is listed 2 times (nos. 1,118)"]


def test_a_key_unit_list_finding_cites_the_heading_or_note_stating_its_count() -> None:
    """崇明 附件2: category 十三 stated as 16 cites its own heading only, not 一、's; a wrong number of new
    units cites the 备注 that states it; a repeated name cites the list's title."""
    assert CHONGMING.key_units is not None
    categories = tuple(attrs.evolve(c, stated_count=16) if c.id == "十三" else c for c in CHONGMING.key_units.categories)
    (v,) = violations_of(attrs.evolve(CHONGMING, key_units=attrs.evolve(CHONGMING.key_units, categories=categories)),
                         "plan.key-unit-list")
    assert [(c.clause, c.quote) for c in v.citations] == [("附件2 十三", "十三、近3年发生过人员死亡的生产安全事故单位（共15家）")]
    assert CHONGMING.key_units.new_units is not None
    new_units = attrs.evolve(CHONGMING.key_units.new_units, stated=38)
    (v,) = violations_of(attrs.evolve(CHONGMING, key_units=attrs.evolve(CHONGMING.key_units, new_units=new_units)),
                         "plan.key-unit-list")
    assert v.location == "/key_units/new_units/stated"
    assert [c.clause for c in v.citations] == ["附件2 备注"]
    copy = attrs.evolve(CHONGMING.key_units.units[0], no=118)
    plan = attrs.evolve(CHONGMING, key_units=attrs.evolve(CHONGMING.key_units, units=(*CHONGMING.key_units.units, copy)))
    (v,) = violations_of(restated(plan), "plan.key-unit-list")
    assert [(c.clause, c.quote) for c in v.citations] == [("附件2", "2024年区应急局重点单位名单")]


def test_a_name_written_with_half_width_brackets_is_the_same_unit() -> None:
    """林德气体(上海)… and 林德气体（上海）… are one company: the seeds themselves write brackets
    both ways, so neither a repeat in the key-unit list nor a key unit in a sample hides behind them."""
    assert CHONGMING.key_units is not None
    linde = next(u for u in CHONGMING.key_units.units if u.name == "林德气体（上海）有限公司长兴岛分公司")
    half_width = "林德气体(上海)有限公司长兴岛分公司"
    copy = attrs.evolve(linde, no=118, name=half_width)
    listed_twice = attrs.evolve(CHONGMING, key_units=attrs.evolve(CHONGMING.key_units,
                                                                  units=(*CHONGMING.key_units.units, copy)))
    assert [v.message_en for v in violations_of(restated(listed_twice), "plan.key-unit-list")] == [
        f"key unit “{half_width}” is listed 2 times (nos. {linde.no},118)"]
    items = tuple(attrs.evolve(i, sampled_units=(half_width,)) if i.id == "industry-sample" else i for i in CHONGMING.items)
    (v,) = violations_of(attrs.evolve(CHONGMING, items=items), "plan.sample-excludes-key-units")
    assert v.location == "/items/12/sampled_units/0" and f"no. {linde.no}" in v.message_en


@pytest.mark.parametrize(("plan", "item", "cited"), [
    (PUTUO, "general-sample", ["三、（一）"]),
    (PUTUO, "special-hazchem-use", ["四、（一）3（6）", "三、（一）"]),
    (MINHANG, "confined-spaces", ["四、（二）2"]),
    (MINHANG, "lookback-ammonia-dust", ["四、（一）3（2）"]),
], ids=["putuo-general", "putuo-3(6)", "minhang-2-2", "minhang-3(2)"])
def test_a_key_unit_in_a_sample_cites_the_clause_of_its_own_item(plan, item: str, cited: list[str]) -> None:
    """Putuo's 3（6） (避免与区重点监管单位重复) and Minhang's 3（2） and （二）2 (未列入区重点监督检查的) are
    about their own items: a key unit in another item's sample does not cite them."""
    plan = _with_key_units(plan, {"a": 2}, {"key-units": ("a",)})
    items = tuple(attrs.evolve(i, sampled_units=("单位1",)) if i.id == item else i for i in plan.items)
    (v,) = violations_of(attrs.evolve(plan, items=items), "plan.sample-excludes-key-units")
    assert [c.clause for c in v.citations] == cited


def test_an_item_planning_fewer_checks_than_its_units_need_is_short_not_over() -> None:
    """闵行 四、（一）1（2）: 12 state-owned enterprises once each planned at 11 leave one short, nothing
    extra to account for; Putuo's 8 units planned at 20 keep their fix, word for word."""
    items = tuple(attrs.evolve(i, planned=11) if i.id == "soe-joint" else i for i in MINHANG.items)
    (v,) = violations_of(restated(attrs.evolve(MINHANG, items=items)), "plan.item-arithmetic")
    assert v.message_en == "“大中型国有企业联合检查” states 12 units × 1 checks = 12, but plans 11"
    assert (v.fix, v.fix_en) == ("更正家次，或写明哪些单位少检查（还差1家次）",
                                 "correct the count, or say which units get fewer checks (1 short)")
    (v,) = violations_of(PUTUO, "plan.item-arithmetic")
    assert (v.fix, v.fix_en) == ("更正家次，或写明多出的12家次检查什么",
                                 "correct the count, or say what the other 12 checks inspect")


@pytest.mark.parametrize(("plan", "group", "cited"), [
    (PUTUO, 0, "四、（一）2"), (PUTUO, 1, "四、（一）3"),
    (CHONGMING, 0, "四、（一）1"), (CHONGMING, 1, "四、（一）2"), (CHONGMING, 2, "四、（一）3"),
], ids=["putuo-0", "putuo-1", "chongming-0", "chongming-1", "chongming-2"])
def test_a_group_total_off_cites_the_heading_that_states_it(plan, group: int, cited: str) -> None:
    """普陀 四、（一）2 “2. 重点时段专项执法检查（38家次）” states the group's total, not 四、 alone; the year's
    totals keep citing 四、 only."""
    groups = tuple(attrs.evolve(g, planned=(g.planned or 0) + 1) if k == group else g for k, g in enumerate(plan.groups))
    (v,) = violations_of(attrs.evolve(plan, groups=groups), "plan.totals")
    assert v.location == f"/groups/{group}/planned"
    assert [c.clause for c in v.citations] == ["四、", cited]
    (v,) = violations_of(attrs.evolve(plan, totals=attrs.evolve(plan.totals, total=plan.totals.total + 1)), "plan.totals")
    assert [c.clause for c in v.citations] == ["四、"]


@pytest.mark.parametrize(("plan", "group", "cited"), [
    (PUTUO, "key-periods", "2. 重点时段专项执法检查（38家次）"), (PUTUO, "special", "3. 专项执法检查（80家次）"),
    (CHONGMING, "key-units", "1.区重点单位执法检查（181家次）"), (CHONGMING, "key-periods", "2.重点时段专项执法检查（28家次）"),
    (CHONGMING, "special", "3.专项执法检查（84家次）"),
], ids=["putuo-key-periods", "putuo-special", "chongming-key-units", "chongming-key-periods", "chongming-special"])
def test_a_group_total_off_cites_its_own_heading_whatever_the_groups_order(plan, group: str, cited: str) -> None:
    """The first group moved last: 崇明's 重点时段 total, now first, at 27 cites “2.重点时段专项执法检查（28家次）”,
    not the heading of the group that came first in the plan as written."""
    reordered = (*plan.groups[1:], plan.groups[0])
    groups = tuple(attrs.evolve(g, planned=(g.planned or 0) - 1) if g.id == group else g for g in reordered)
    (v,) = violations_of(attrs.evolve(plan, groups=groups), "plan.totals")
    assert v.location == f"/groups/{[g.id for g in groups].index(group)}/planned"
    assert [c.quote for c in v.citations][1:] == [cited]


def test_a_sampled_key_unit_is_found_by_a_join_across_chunks() -> None:
    """2 000 key units, every one also drawn into a sample: 2 000 join matches, none lost to chunking."""
    units = tuple(KeyUnit(no=n, name=f"单位{n}", category="一") for n in range(1, 2001))
    assert CHONGMING.key_units is not None
    key_units = attrs.evolve(CHONGMING.key_units, units=units, new_units=None)
    items = tuple(attrs.evolve(i, sampled_units=tuple(u.name for u in units)) if i.id == "industry-sample" else i
                  for i in CHONGMING.items)
    found = violations_of(attrs.evolve(CHONGMING, key_units=key_units, items=items), "plan.sample-excludes-key-units")
    assert len(found) == 2000
    assert found[0].location == "/items/12/sampled_units/0" and found[-1].location == "/items/12/sampled_units/1999"


def test_an_empty_schedule_or_key_unit_list_built_in_python_leaves_its_rules_not_checked() -> None:
    """A file's are refused at load; one built in Python gave its rules nothing to check, and they passed."""
    plan = attrs.evolve(CHONGMING, schedule=attrs.evolve(CHONGMING.schedule, rows=()),
                        key_units=KeyUnitList(categories=(), units=()))
    reasons = {n.rule: n.reason_en for n in engine.check(plan).not_checked}
    assert reasons["plan.schedule-sums"] == "the monthly schedule has no rows"
    assert reasons["plan.key-unit-coverage"] == reasons["plan.key-unit-list"] == "the key-unit list lists no units"


def test_workload_steps_are_checked_each_against_the_stated_figures_before_it() -> None:
    """Each stated equation must hold as written: one wrong figure breaks its own step and the next.
    The next step's own figure is right, so its fix offers correcting the wrong one before it first:
    following "更正为5250" alone would break it again once the 250 is put right."""
    assert CHONGMING.workload is not None
    plan = attrs.evolve(CHONGMING, workload=attrs.evolve(CHONGMING.workload, statutory_workdays=250))
    assert [(v.message_en, v.fix, v.fix_en) for v in violations_of(plan, "plan.workload-arithmetic")] == [
        ("workday accounting: statutory workdays per person is stated as 250, but 366 − 104 − 11 gives 251",
         "更正为251", "correct it to 251"),
        ("workday accounting: total statutory workdays is stated as 5271, but 250 × 21 gives 5250",
         "更正为5250，或先更正上一项（法定工作日应为251），本项随之应为5271",
         "correct it to 5250, or first correct the step before (statutory workdays per person should be 251), "
         "which makes this 5271"),
    ]


def test_a_wrong_total_of_workdays_breaks_the_next_step_whose_fix_names_it() -> None:
    assert CHONGMING.workload is not None
    plan = attrs.evolve(CHONGMING, workload=attrs.evolve(CHONGMING.workload, total_workdays=5272))
    assert sorted((v.location, v.fix) for v in violations_of(plan, "plan.workload-arithmetic")) == [
        ("/workload/supervision_workdays", "更正为512，或先更正上一项（总法定工作日应为5271），本项随之应为511"),
        ("/workload/total_workdays", "更正为5271"),
    ]


def test_a_2024_accounting_of_365_days_is_reported_at_its_day_count() -> None:
    """附件3 一 counts 2024 as 366 days; 365 with every figure after it restated still adds up, and
    gave the ratio 250 × 21 − 2600 − 2160 = 490 workdays, so 375 checks passed (0.765) where 366
    days ask for 384. The day count is reported, citing the clause that states it."""
    assert CHONGMING.workload is not None
    short = restated(attrs.evolve(CHONGMING, workload=attrs.evolve(CHONGMING.workload, days_in_year=365)))
    assert short.workload is not None and short.workload.supervision_workdays == 490
    assert engine.check(short).rules_violated == ("plan.joint-share", "plan.workload-calendar")
    (v,) = violations_of(short, "plan.workload-calendar")
    assert v.location == "/workload/days_in_year"
    assert v.message == "工作量核算：全年总天数写明365天，但2024年是闰年，共366天"
    assert v.message_en == "workday accounting: the days in the year are stated as 365, but 2024 is a leap year: 366 days"
    assert v.values == {"stated": 365, "calendar": 366}
    assert [(c.source, c.clause) for c in v.citations] == [("chongming-2024", "附件3 一")]


def test_rest_days_other_than_the_years_saturdays_and_sundays_are_reported() -> None:
    """法定公休日104天: 2024's Saturdays and Sundays. 105, one holiday fewer making up for it, adds up too."""
    assert CHONGMING.workload is not None
    plan = attrs.evolve(CHONGMING, workload=attrs.evolve(CHONGMING.workload, rest_days=105, holidays=10))
    (v,) = violations_of(plan, "plan.workload-calendar")
    assert (v.location, v.values) == ("/workload/rest_days", {"stated": 105, "calendar": 104})
    assert v.message == "工作量核算：法定公休日写明105天，但2024年的星期六、星期日共104天"
    assert violations_of(plan, "plan.workload-arithmetic") == []


def test_the_day_count_is_checked_only_where_the_profiles_source_states_it() -> None:
    """Putuo's source leaves its workload annex out and states no day count: its profile does not
    apply the rule, even to a plan that counts 2024 as 365 days. Without an accounting the rule is
    not checked, not passed."""
    assert CHONGMING.workload is not None
    putuo = load_document(EXAMPLES / "putuo-2024.yaml")
    counted = attrs.evolve(putuo, workload=attrs.evolve(CHONGMING.workload, days_in_year=365))
    report = engine.check(counted)
    assert "plan.workload-calendar" not in {v.rule for v in report.violations} | {n.rule for n in report.not_checked}
    report = engine.check(attrs.evolve(CHONGMING, workload=None))
    assert [(n.rule, n.reason_en) for n in report.not_checked if n.rule == "plan.workload-calendar"] == [
        ("plan.workload-calendar", "the plan has no workday accounting")]


def quarterly_plan(rows: dict[str, list[int | None]]) -> dict:
    """A Minhang 2020 plan of two quarterly joint items, 4 checks each, with schedule ``rows``."""
    items = [{"id": k, "name": f"联合检查{k.upper()}", "category": "general", "planned": 4, "tags": ["joint"],
              "period": "quarterly"} for k in ("a", "b")]
    return {"kind": "annual-plan", "issuer": "闵行区应急管理局", "jurisdiction": "上海市闵行区", "year": 2020,
            "profile": "shanghai-minhang-2020", "totals": {"total": 8, "key": 0, "general": 8}, "items": items,
            "schedule": {"rows": [{"ref": ref, "monthly": monthly} for ref, monthly in rows.items()]}}


EACH_QUARTER = [1, None, None, 1, None, None, 1, None, None, 1, None, None]
NOT_Q2 = [1, None, None, None, None, None, 2, None, None, 1, None, None]


def quarterly_outcome(rows: dict[str, list[int | None]]) -> tuple[list[str], list[tuple[str, str]]]:
    report = engine.check(quarterly_plan(rows))
    return ([v.message_en for v in report.violations if v.rule == "plan.joint-quarterly"],
            [(n.reason, n.reason_en) for n in report.not_checked if n.rule == "plan.joint-quarterly"])


def test_a_quarterly_item_without_a_schedule_row_is_not_checked_by_name_while_the_others_are() -> None:
    b_not_checked = [("月度安排表中没有“联合检查B”一行，未检查该事项",
                      "not checked for “联合检查B”: the monthly schedule has no row for it")]
    assert quarterly_outcome({"a": EACH_QUARTER}) == ([], b_not_checked)
    assert quarterly_outcome({"a": NOT_Q2}) == (["“联合检查A” is quarterly but has 0 checks scheduled in Q2"], b_not_checked)


def test_quarterly_items_with_rows_are_checked_in_full() -> None:
    assert quarterly_outcome({"a": EACH_QUARTER, "b": EACH_QUARTER}) == ([], [])
    assert quarterly_outcome({"a": EACH_QUARTER, "b": NOT_Q2}) == (
        ["“联合检查B” is quarterly but has 0 checks scheduled in Q2"], [])


def test_quarterly_items_none_of_which_has_a_row_are_not_checked_by_name() -> None:
    # The schedule has a row for another item only.
    plan = quarterly_plan({})
    plan["items"].append({"id": "c", "name": "检查C", "category": "general", "planned": 1})
    plan["totals"] = {"total": 9, "key": 0, "general": 9}
    plan["schedule"]["rows"] = [{"ref": "c", "monthly": [1, *[None] * 11]}]
    report = engine.check(plan)
    assert [(n.reason, n.reason_en) for n in report.not_checked if n.rule == "plan.joint-quarterly"] == [
        ("月度安排表中没有“联合检查A”、“联合检查B”一行，未检查这些事项",
         "not checked for “联合检查A”, “联合检查B”: the monthly schedule has no row for them")]


def junit_case(plan, rule: str):
    """The JUnit test case of ``rule`` in the report of ``plan``."""
    from xml.etree import ElementTree

    from engine.integration import as_junit

    suites = ElementTree.fromstring(as_junit([engine.check(plan)]).split("\n", 1)[1])
    (case,) = [case for case in suites.iter("testcase") if case.get("name") == rule]
    return case


def test_a_rule_checked_in_part_fails_in_junit_when_violated_saying_what_was_not_checked() -> None:
    """A case fails or is skipped, never both: failed, it says in its failure and in its
    ``system-out`` what of the rule was not checked (“联合检查B”, which has no schedule row)."""
    failed = junit_case(quarterly_plan({"a": NOT_Q2}), "plan.joint-quarterly")
    assert [child.tag for child in failed] == ["failure", "system-out"]
    not_checked = ("未检查 not checked:\n月度安排表中没有“联合检查B”一行，未检查该事项\n"
                   "not checked for “联合检查B”: the monthly schedule has no row for it")
    assert failed.find("failure").text.endswith(f"\n\n{not_checked}")
    assert failed.find("system-out").text == not_checked
    assert [child.tag for child in junit_case(quarterly_plan({"a": EACH_QUARTER}), "plan.joint-quarterly")] == ["skipped"]
    checked = junit_case(quarterly_plan({"a": NOT_Q2, "b": EACH_QUARTER}), "plan.joint-quarterly")
    assert [child.tag for child in checked] == ["failure"] and "未检查" not in checked.find("failure").text


def test_key_units_too_few_for_the_year_fail_in_junit_and_say_the_half_years_were_not_checked() -> None:
    """Minhang with 67 key units and no schedule: 132 checks are short of 134 for the year, and the
    half-years are not checked. Both are said: JSON, SARIF and the workbook say both too."""
    short = _with_key_units(attrs.evolve(MINHANG, schedule=None), {"a": 67}, {"key-units": ("a",)})
    case = junit_case(short, "plan.key-unit-coverage")
    assert [child.tag for child in case] == ["failure", "system-out"]
    failure = case.find("failure")
    assert failure.get("message") == ("1 violation(s): “重点单位检查” covers 67 key units, each due 2 check(s) a year: "
                                      "134 needed, 132 planned")
    assert failure.text.split("\n\n")[-1] == case.find("system-out").text == (
        "未检查 not checked:\n计划未附月度安排表，未核对重点单位在上半年、下半年各有检查\n"
        "the plan has no monthly schedule: not checked that key units are checked in each period "
        "(the first half-year, the second half-year)")


# ------------------------------------------------------------------ profiles and errors


def test_profile_errors_are_typed() -> None:
    with pytest.raises(ProfileError, match="unknown profile 'nowhere-2024'"):
        engine.check(CHONGMING, "nowhere-2024")
    with pytest.raises(ProfileError, match="the plan is for 2024"):
        engine.check(CHONGMING, "shanghai-minhang-2020")


def test_a_plan_naming_another_districts_profile_is_refused() -> None:
    """Putuo's profile quotes Putuo's plan and sets Putuo's thresholds: a Chongming plan of the same
    year that names it contradicts itself, and is refused, as the Putuo plan naming Chongming's is
    (under whose rules it would pass without the item-arithmetic warning its own gives it). Asked
    for explicitly, another district's profile is a comparison the caller chose."""
    putuo = load_document(EXAMPLES / "putuo-2024.yaml")
    assert [v.rule for v in engine.check(putuo).violations] == ["plan.item-arithmetic"]
    with pytest.raises(ProfileError, match="profile shanghai-putuo-2024 is for 上海市普陀区; the plan is for 上海市崇明区"):
        engine.check(attrs.evolve(CHONGMING, profile="shanghai-putuo-2024"))
    with pytest.raises(ProfileError, match="is for 上海市崇明区; the plan is for 上海市普陀区"):
        engine.check(attrs.evolve(putuo, profile="shanghai-chongming-2024"))
    assert engine.check(putuo, "shanghai-chongming-2024").profile == "shanghai-chongming-2024"
    assert [v.citations[0].source for v in engine.check(CHONGMING, "shanghai-putuo-2024").violations] == ["putuo-2024"]
    # Spaces and bracket widths are how a name is written, not another district.
    assert engine.check(attrs.evolve(putuo, jurisdiction="上海市 普陀区")) == engine.check(putuo)


def test_a_plan_naming_its_district_without_its_city_is_refused_saying_how_to_write_it() -> None:
    """普陀区 may be Shanghai's or Zhoushan's: never taken for 上海市普陀区, but the message says
    what to write, or to ask for the profile. A name that is not the profile's with its city left
    out (崇明区, 陀区) is another district's, as before."""
    putuo = load_document(EXAMPLES / "putuo-2024.yaml")
    with pytest.raises(ProfileError) as refused:
        engine.check(attrs.evolve(putuo, jurisdiction="普陀区"), path="putuo.yaml")
    assert str(refused.value) == ("putuo.yaml: profile: profile shanghai-putuo-2024 is for 上海市普陀区; the plan is "
                                  "for 普陀区; if it is 上海市普陀区, write it so (jurisdiction), or ask for the "
                                  "profile with --profile")
    assert engine.check(attrs.evolve(putuo, jurisdiction="普陀区"), "shanghai-putuo-2024").violations == (
        engine.check(putuo).violations)
    for other in ("崇明区", "陀区", "上海普陀区"):
        with pytest.raises(ProfileError, match=rf"the plan is for {other} \(another district's profile is applied only"):
            engine.check(attrs.evolve(putuo, jurisdiction=other))


WRONG_DISTRICT = ("profile shanghai-putuo-2024 is for 上海市普陀区; the plan is for 上海市崇明区 "
                  "(another district's profile is applied only when asked for)")


def test_a_profile_error_names_the_document_as_a_load_error_does(tmp_path: Path) -> None:
    """In a stream, which document's profile does not fit is otherwise unknown: every path names it,
    first, as a LoadError does (``<document N>`` or its file), then the field when the document named it."""
    wrong = attrs.evolve(CHONGMING, profile="shanghai-putuo-2024")
    with pytest.raises(ProfileError) as raised:
        engine.check(wrong)
    assert (raised.value.document, raised.value.field, raised.value.detail) == ("<document 0>", "profile", WRONG_DISTRICT)
    assert str(raised.value) == f"<document 0>: profile: {WRONG_DISTRICT}"
    with pytest.raises(ProfileError, match=r"^plan\.yaml: profile: profile shanghai-putuo-2024 is for "):
        engine.check(wrong, path="plan.yaml")
    with pytest.raises(ProfileError, match=r"^<document 0>: profile shanghai-minhang-2020 covers ") as raised:
        engine.check(CHONGMING, "shanghai-minhang-2020")  # asked for: no field of the document
    assert (raised.value.document, raised.value.field) == ("<document 0>", "")

    stream = engine.check_many([PUTUO, MINHANG, wrong, CHONGMING], batch=2)
    assert [next(stream), next(stream)] == [engine.check(PUTUO), engine.check(MINHANG)]
    with pytest.raises(ProfileError, match=rf"^<document 2>: profile: {re.escape(WRONG_DISTRICT)}$") as raised:
        next(stream)
    assert raised.value.document == "<document 2>"

    results = engine.check_documents([PUTUO, wrong], ["putuo.yaml", None])
    assert isinstance(results[1], engine.Unusable) and results[1].path == "<document 1>"
    assert str(results[1].error) == f"<document 1>: profile: {WRONG_DISTRICT}"
    assert results[1].problems == [{"path": "profile", "message": WRONG_DISTRICT}]  # the input names it, once

    text = (EXAMPLES / "chongming-2024.yaml").read_text(encoding="utf-8")
    path = tmp_path / "崇明.yaml"
    path.write_text(text.replace("profile: shanghai-chongming-2024", "profile: shanghai-putuo-2024"), encoding="utf-8")
    with pytest.raises(ProfileError) as raised:
        engine.check_file(path)
    assert str(raised.value) == f"{path}: profile: {WRONG_DISTRICT}"
    (result,) = engine.check_files([path])
    assert isinstance(result, engine.Unusable) and isinstance(result.error, ProfileError)
    assert result.error.document == str(path) == result.path
    assert result.problems == [{"path": "profile", "message": WRONG_DISTRICT}]


def test_the_cli_names_a_file_whose_profile_does_not_fit_once(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    from engine.cli import main

    text = (EXAMPLES / "chongming-2024.yaml").read_text(encoding="utf-8")
    path = tmp_path / "崇明.yaml"
    path.write_text(text.replace("profile: shanghai-chongming-2024", "profile: shanghai-putuo-2024"), encoding="utf-8")
    assert main(["check", str(path)]) == 2
    out, err = capsys.readouterr()
    assert err == f"zhifa: {path}: profile: {WRONG_DISTRICT}\n"
    assert f"{path}  无法检查 / unusable input\n  profile: {WRONG_DISTRICT}\n" in out
    assert out.count(str(path)) == 1


def test_check_accepts_plain_data_and_names_bad_fields() -> None:
    data = read_data(EXAMPLES / "putuo-2024.yaml")
    assert engine.check(data).rules_violated == ("plan.item-arithmetic",)
    data["totals"]["key"] = "一百七十八"
    with pytest.raises(LoadError, match=r"totals\.key: expected a whole number"):
        engine.check(data)


def test_an_error_inside_the_engine_fails_the_evaluation(monkeypatch: pytest.MonkeyPatch) -> None:
    import engine.runtime

    monkeypatch.setattr(engine.runtime, "assert_facts", lambda name, facts: {"exception": "boom in an action"})
    with pytest.raises(RuleError, match="boom in an action") as caught:
        engine.check_file(EXAMPLES / "chongming-2024.yaml")
    assert caught.value.document == str(EXAMPLES / "chongming-2024.yaml")
    assert MATCHES == {}


def test_a_crash_of_the_c_core_fails_the_evaluation_and_leaves_no_state(monkeypatch: pytest.MonkeyPatch) -> None:
    import engine.runtime

    real = engine.runtime.assert_facts
    calls = []

    def fail_on_second_chunk(name: str, facts: list) -> object:
        calls.append(len(facts))
        if len(calls) == 2:
            raise RuntimeError("Could not complete and start action, error code: 307")
        return real(name, facts)

    monkeypatch.setattr(engine.runtime, "assert_facts", fail_on_second_chunk)
    with pytest.raises(RuleError, match="error code: 307"):
        engine.check(CHONGMING)
    monkeypatch.setattr(engine.runtime, "assert_facts", real)
    assert MATCHES == {}
    assert engine.check(CHONGMING).rules_violated == ("plan.joint-share",)  # the next evaluation is whole


# ------------------------------------------------------------------ isolation and determinism


def test_repeated_checks_are_identical_and_leave_nothing_behind() -> None:
    first = as_json([engine.check(CHONGMING)])
    for _ in range(200):
        assert as_json([engine.check(CHONGMING)]) == first
    assert MATCHES == {}


def test_reports_do_not_depend_on_rule_order() -> None:
    rulebook = load_rulebook()
    reordered = Rulebook(
        sources=rulebook.sources,
        rules=dict(reversed(list(rulebook.rules.items()))),
        profiles={pid: attrs.evolve(p, rules=tuple(reversed(p.rules))) for pid, p in rulebook.profiles.items()},
    )
    broken = attrs.evolve(CHONGMING, totals=attrs.evolve(CHONGMING.totals, key_share=Decimal(70), general=117))
    normal = as_json([engine.check(broken)])
    assert json.loads(normal)["summary"]["violations"] == 5  # two totals, two shares, the joint share
    assert as_json([engine.check(broken, rulebook=reordered)]) == normal


def test_checks_from_many_threads_match_the_serial_results() -> None:
    plans = [load_document(EXAMPLES / f"{seed}.yaml") for seed in SEEDS]
    serial = [as_json([engine.check(p)]) for p in plans]
    results: dict[tuple[int, int], str] = {}

    def worker(t: int) -> None:
        for k in range(30):
            results[(t, k)] = as_json([engine.check(plans[(t + k) % len(plans)])])

    threads = [threading.Thread(target=worker, args=(t,)) for t in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(results) == 120
    for (t, k), text in results.items():
        assert text == serial[(t + k) % len(plans)]


def test_json_report_has_the_documented_shape() -> None:
    data = json.loads(as_json([engine.check_file(Path("examples/plans/chongming-2024.yaml"))]))
    (document,) = data["documents"]
    assert set(document) >= {"path", "kind", "profile", "violations"}
    (violation,) = document["violations"]
    assert set(violation) >= {"rule", "severity", "message", "message_en", "location", "values", "fix", "citations"}
    assert set(violation["citations"][0]) == {"source", "clause", "quote"}
    assert data["summary"]["violations"] == 1


def resident_mb() -> float:
    with open("/proc/self/status", encoding="ascii") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    raise AssertionError("no VmRSS in /proc/self/status")


def test_thousands_of_evaluations_do_not_grow_memory() -> None:
    """Each session's state is deleted: without that durable-rules' C engine grows until MemoryError."""
    plans = [load_document(EXAMPLES / f"{seed}.yaml") for seed in SEEDS]
    for plan in plans * 100:  # warm up allocators and caches
        engine.check(plan)
    before = resident_mb()
    for k in range(3000):
        engine.check(plans[k % 3])
    assert resident_mb() - before < 5, f"grew from {before:.1f} MB to {resident_mb():.1f} MB"


def test_a_drill_before_the_campaign_counts_neither_for_the_campaign_nor_in_the_spot_check_counts() -> None:
    from datetime import date

    folder = Path("examples/campaigns/chongming-2023/clean")
    paths = sorted(folder.glob("*.yaml"))
    documents = [load_document(p) for p in paths]
    cold_chain = next(k for k, p in enumerate(paths) if "冷链" in p.name)
    documents[cold_chain] = attrs.evolve(documents[cold_chain], drills=(date(2023, 5, 10),))  # campaign starts 05-23
    results = engine.check_documents(documents, [str(p) for p in paths])
    found = sorted((Path(r.path or "").name, v.rule, v.values.get("lower")) for r in results
                   if isinstance(r, engine.Report) for v in r.violations)
    # spot-checked in July: the July and August forms of 城桥镇 now count one enterprise too few
    stated = {p.name: load_document(p).values["drills_missing"] for p in paths if p.name.startswith("城桥镇-2023-0")}
    assert found == [
        ("台账-上海某冷链物流有限公司.yaml", "campaign.drill", None),
        ("城桥镇-2023-07.yaml", "form.matches-records", stated["城桥镇-2023-07.yaml"] + 1),
        ("城桥镇-2023-08.yaml", "form.matches-records", stated["城桥镇-2023-08.yaml"] + 1),
    ]


def test_reports_and_violations_hash_alike_when_equal() -> None:
    """Reports of two runs can be compared as sets: a violation's values (a dict) are compared but
    left out of its hash, so equal violations and reports hash alike."""
    folder = Path(__file__).resolve().parent.parent / "examples/campaigns/chongming-2023/violations"
    first, second = (engine.check_files(sorted(folder.iterdir())) for _ in range(2))
    reports = [r for r in first if isinstance(r, engine.Report)]
    assert {hash(r) for r in reports} == {hash(r) for r in second if isinstance(r, engine.Report)}
    violations = [v for r in reports for v in r.violations]
    assert len(violations) > 5 and set(violations) == {v for r in second if isinstance(r, engine.Report)
                                                        for v in r.violations}
    assert len({v: None for v in violations}) == len(violations)  # no two findings alike


def test_a_file_given_twice_is_checked_once(tmp_path: Path) -> None:
    """As in `zhifa check f f`: a form given twice (by its name again, another spelling, a link to
    it) is one form, not its month filed twice, and its result stands at each place it was given."""
    examples = Path(__file__).resolve().parent.parent / "examples"
    form = examples / "campaigns/chongming-2023/clean/城桥镇-2023-05.yaml"
    (tmp_path / "link.yaml").symlink_to(form)
    (alone,) = engine.check_files([form])
    assert isinstance(alone, engine.Report) and alone.violations == ()
    again = [form, str(form), examples / "../examples" / form.relative_to(examples), tmp_path / "link.yaml"]
    assert engine.check_files(again) == [alone] * 4
    missing = tmp_path / "missing.yaml"
    unread, checked, unread_again = engine.check_files([missing, form, missing])
    assert isinstance(unread, engine.Unusable) and unread_again == unread
    assert isinstance(checked, engine.Report) and checked.violations == ()
    # the file that could not be read is named once among those the comparisons wanted
    assert f"有无法读取的输入（{missing}），不作跨文件比对" in {n.reason for n in checked.not_checked}


def test_findings_about_several_periods_of_one_record_differ_in_their_values() -> None:
    """A record with no leader-led check and no drill: one finding per period, each telling which
    period by its values (a tool merging findings by rule, location and values kept one of them)."""
    path = EXAMPLES.parent / "campaigns/linyi-lingang-2023/clean/台账-临港某化工有限公司.yaml"
    report = engine.check(document_from_data(read_data(path) | {"leader_checks": [], "drills": []}, "record.yaml"))
    assert isinstance(report, Report)
    for rule in ("campaign.leader-check", "campaign.drill"):
        found = [v for v in report.violations if v.rule == rule]
        assert len(found) > 1
        periods = [(v.values["period_start"], v.values["period_end"]) for v in found]
        assert periods == sorted(set(periods)) and periods[0][0] == "2023-05-22" and periods[-1][1] == "2023-12-31"
        assert all(f"{first[5:]} to {last[5:]}" in v.message_en for (first, last), v in zip(periods, found, strict=True))
