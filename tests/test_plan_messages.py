"""Plan findings say what is true: each figure a message shows is what the message calls it, and
a figure it reports below a threshold is never shown at or above it."""

from __future__ import annotations

import math
import re
from decimal import ROUND_HALF_UP, Decimal, localcontext
from fractions import Fraction
from typing import Any

import attrs
from hypothesis import given
from hypothesis import strategies as st

import engine


def small_plan(**parts: Any) -> dict[str, Any]:
    """A one-item Chongming 2024 plan of 4 key checks, with ``parts`` added or replaced."""
    plan: dict[str, Any] = {
        "kind": "annual-plan", "issuer": "崇明区应急管理局", "jurisdiction": "上海市崇明区", "year": 2024,
        "profile": "shanghai-chongming-2024", "totals": {"total": 4, "key": 4, "general": 0},
        "items": [{"id": "a", "name": "检查A", "category": "key", "planned": 4}],
    }
    return plan | parts


# ------------------------------------------------------------------ plan.schedule-sums


def test_each_schedule_axis_says_whether_its_figure_is_the_cells_sum_or_a_stated_one() -> None:
    # The cells add up to 4; the row states a subtotal of 5 and the table a grand total of 5.
    row = {"ref": "a", "monthly": [3, None, None, None, None, None, None, None, None, None, None, 1], "stated_total": 5}
    plan = small_plan(schedule={"rows": [row], "total": 5})
    found = [(v.location, v.message, v.message_en) for v in engine.check(plan).violations if v.rule == "plan.schedule-sums"]
    assert sorted(found) == sorted([
        ("/schedule/rows/0", "月度安排表：“检查A”一行应为5家次，实际合计4家次",
         "monthly schedule: the row of “检查A” should be 5, the cells add up to 4"),
        ("/schedule/rows/0/stated_total", "月度安排表：“检查A”小计（按计划家次）应为4家次，写明5家次",
         "monthly schedule: the subtotal of “检查A” (per its planned count) should be 4, it is written as 5"),
        ("/schedule/total", "月度安排表：安排表总计应为5家次，实际合计4家次",
         "monthly schedule: the table's grand total should be 5, the cells add up to 4"),
        ("/schedule/total", "月度安排表：安排表总计（按全年计划检查）应为4家次，写明5家次",
         "monthly schedule: the table's grand total (per the year's total) should be 4, it is written as 5"),
    ])
    cells = 4
    for _, zh, en in found:
        (added,) = re.findall(r"the cells add up to (\d+)", en) or [None]
        (written,) = re.findall(r"it is written as (\d+)", en) or [None]
        assert (added is None) != (written is None), en
        assert ("实际合计" in zh) == (added is not None) and ("写明" in zh) == (written is not None)
        if added is not None:
            assert int(added) == cells
        else:
            assert int(written) == 5 != cells


def test_a_month_total_is_compared_with_the_cells_of_its_month() -> None:
    row = {"ref": "a", "monthly": [3, None, None, None, None, None, None, None, None, None, None, 1]}
    plan = small_plan(schedule={"rows": [row], "monthly_totals": [2, *[None] * 10, 1]})
    (v,) = [v for v in engine.check(plan).violations if v.rule == "plan.schedule-sums"]
    assert v.message_en == "monthly schedule: the total for month 1 should be 2, the cells add up to 3"
    assert v.values == {"stated": 2, "computed": 3, "difference": 1}


def test_a_stated_subtotal_keeps_its_values() -> None:
    row = {"ref": "a", "monthly": [4, *[None] * 11], "stated_total": 5}
    plan = small_plan(schedule={"rows": [row]})
    (v,) = [v for v in engine.check(plan).violations if v.location == "/schedule/rows/0/stated_total"]
    assert v.values == {"stated": 4, "computed": 5, "difference": 1}


def grouped_plan(row: dict[str, Any], **group: Any) -> dict[str, Any]:
    """Items a (4) and b (3) under group g, and a schedule of ``row``."""
    items = [{"id": "a", "name": "检查A", "category": "key", "planned": 4, "group": "g"},
             {"id": "b", "name": "检查B", "category": "key", "planned": 3, "group": "g"}]
    return small_plan(totals={"total": 7, "key": 7, "general": 0}, items=items,
                      groups=[{"id": "g", "name": "分组G", "category": "key", **group}], schedule={"rows": [row]})


def test_a_group_row_is_held_to_its_items_sum_where_the_group_states_no_total() -> None:
    # 普陀's 重点时段 group without its 38: a row claiming 99 a month was compared with nothing.
    found = [v for v in engine.check(grouped_plan({"ref": "g", "monthly": [99] * 12})).violations
             if v.rule == "plan.schedule-sums"]
    assert [(v.location, v.message, v.message_en, v.values) for v in found] == [
        ("/schedule/rows/0", "月度安排表：“分组G”一行（按其各事项之和）应为7家次，实际合计1188家次",
         "monthly schedule: the row of “分组G” (the sum of its items) should be 7, the cells add up to 1188",
         {"stated": 7, "computed": 1188, "difference": 1181})]


def test_a_group_rows_subtotal_is_held_to_its_items_sum_where_the_group_states_no_total() -> None:
    found = [v for v in engine.check(grouped_plan({"ref": "g", "monthly": [8, *[None] * 11], "stated_total": 8})).violations
             if v.rule == "plan.schedule-sums"]
    assert [(v.location, v.message_en) for v in found] == [
        ("/schedule/rows/0/stated_total",
         "monthly schedule: the subtotal of “分组G” (the sum of its items) should be 7, it is written as 8")]


def test_a_group_row_agreeing_with_its_items_passes_and_a_stated_group_total_is_what_it_is_held_to() -> None:
    assert engine.check(grouped_plan({"ref": "g", "monthly": [7, *[None] * 11]})).violations == ()
    # The group states 8 (its items plan 7): the row is held to the 8 stated, as before.
    report = engine.check(grouped_plan({"ref": "g", "monthly": [7, *[None] * 11]}, planned=8))
    assert [(v.rule, v.message_en) for v in report.violations] == [
        ("plan.totals", "the total of “分组G” is stated as 8, but its parts add up to 7 (4 + 3)"),
        ("plan.schedule-sums", "monthly schedule: the row of “分组G” should be 8, the cells add up to 7")]


def test_monthly_totals_all_blank_are_listed_not_checked() -> None:
    # A totals row left blank states no month's total: the columns are not checked, and the report says so.
    row = {"ref": "a", "monthly": [4, *[None] * 11]}
    report = engine.check(small_plan(schedule={"rows": [row], "monthly_totals": [None] * 12}))
    assert report.violations == ()
    assert [(n.rule, n.reason, n.reason_en) for n in report.not_checked if n.rule == "plan.schedule-sums"] == [
        ("plan.schedule-sums", "月度安排表各月合计均为空白，未核对各月合计",
         "the schedule's monthly totals are all blank: the months' totals are not checked")]


# ------------------------------------------------------------------ plan.workload-arithmetic


def workload_plan(days: int, staff: int, ratio: str, minimum: int) -> dict[str, Any]:
    """A plan whose supervision workdays are days × staff and whose stated minimum is ``minimum``."""
    return small_plan(workload={"days_in_year": days, "rest_days": 0, "holidays": 0, "staff": staff, "other_days": 0,
                                "non_enforcement_days": 0, "ratio": ratio, "minimum_checks": minimum})


def step_findings(plan: dict[str, Any]) -> list[Any]:
    return [v for v in engine.check(plan).violations if v.rule == "plan.workload-arithmetic"]


def test_a_large_minimum_is_shown_in_plain_digits() -> None:
    # 1 333 335 × 0.75 = 1 000 001.25, once shown as 1e+06 (the stated 1 000 000 looked right).
    (v,) = step_findings(workload_plan(1_333_335, 1, "0.75", 1_000_000))
    assert v.message_en == "workday accounting: minimum checks is stated as 1000000, but 1333335 × 0.75 gives 1000001.25"
    assert (v.fix, v.fix_en) == ("更正为1000001或1000002", "correct it to 1000001 or 1000002")  # 家次 are whole


@given(staff=st.integers(1, 1000), places=st.integers(0, 6), data=st.data())
def test_a_workday_result_is_shown_exactly_or_to_four_places_never_with_an_exponent(
        staff: int, places: int, data: st.DataObject) -> None:
    days = data.draw(st.integers(1, 10**9 // staff - 10))
    ratio = Decimal(data.draw(st.integers(1, 10**places))).scaleb(-places)  # at most 1: the minimum stays ≤ 10**9
    exact = Fraction(days * staff) * Fraction(ratio)
    stated = math.ceil(exact) + data.draw(st.integers(1, 5))  # more than it may round to: always a finding
    (v,) = step_findings(workload_plan(days, staff, format(ratio, "f"), stated))
    shown = v.message_en.rsplit(" gives ", 1)[1]
    assert v.message.endswith(f"应为{shown}")
    assert re.fullmatch(r"[0-9]+(\.[0-9]+)?", shown), shown
    # the fix offers whole counts: the result, or the whole numbers either side of a fraction
    assert v.fix_en == (f"correct it to {exact}" if exact.denominator == 1
                        else f"correct it to {math.floor(exact)} or {math.ceil(exact)}")
    if exact.denominator == 1:
        assert shown == str(exact)
    elif (exact * 10**4).denominator == 1:
        assert Fraction(Decimal(shown)) == exact and not shown.endswith("0")
    else:
        assert len(shown.split(".")[1]) == 4 and abs(Fraction(Decimal(shown)) - exact) <= Fraction(1, 2 * 10**4)


# ------------------------------------------------------------------ figures below a threshold


def random_plan(joint: int, others: int) -> dict[str, Any]:
    """General checks only: ``joint`` joint random ones and ``others`` other random ones."""
    items = [{"id": "j", "name": "联合抽查", "category": "general", "planned": joint, "tags": ["double-random", "joint"]},
             {"id": "r", "name": "工贸抽查", "category": "general", "planned": others, "tags": ["double-random"]}]
    return small_plan(totals={"total": joint + others, "key": 0, "general": joint + others}, items=items)


def test_a_joint_share_just_below_15_percent_is_not_shown_as_15() -> None:
    (v,) = engine.check(random_plan(187, 1063)).violations  # 187 / 1250 = 14.96 %
    assert v.message == "跨部门联合检查187家次，占“双随机、一公开”检查1250家次的14.9%，低于15%"
    assert v.message_en == "187 joint checks are 14.9 % of 1250 random spot checks, below 15 %"
    assert v.values["share"] == 14.96  # the figure itself is unchanged


@given(base=st.integers(1, 10**9), data=st.data())
def test_a_joint_share_reported_below_the_threshold_is_shown_below_it(base: int, data: st.DataObject) -> None:
    near = math.ceil(Fraction(15, 100) * base)  # the fewest joint checks that meet 15 %
    joint = data.draw(st.integers(max(0, near - 3), near) | st.integers(0, base))
    found = [v for v in engine.check(random_plan(joint, base - joint)).violations if v.rule == "plan.joint-share"]
    assert bool(found) == (Fraction(joint * 100, base) < 15)
    for v in found:
        (shown,) = re.findall(r"的([0-9.]+)%，低于15%$", v.message)
        assert v.message_en == f"{joint} joint checks are {shown} % of {base} random spot checks, below 15 %"
        assert Decimal(shown) < 15 and Fraction(Decimal(shown)) <= Fraction(joint * 100, base)


def ratio_plan(planned: int, workdays: int) -> dict[str, Any]:
    """``planned`` checks over ``workdays`` supervision workdays (251 a person)."""
    staff = math.ceil(workdays / 251)
    items = [{"id": "a", "name": "检查A", "category": "general", "planned": planned}]
    return small_plan(totals={"total": planned, "key": 0, "general": planned}, items=items,
                      workload={"days_in_year": 366, "rest_days": 104, "holidays": 11, "staff": staff, "other_days": 0,
                                "non_enforcement_days": 251 * staff - workdays, "ratio": "0.75"})


def test_a_ratio_just_below_0_75_is_not_shown_as_0_750() -> None:
    (v,) = [v for v in engine.check(ratio_plan(1250, 1667)).violations if v.rule == "plan.workload-ratio"]
    assert v.message_en == "1250 planned checks over 1667 supervision workdays is 0.749, below 0.75"
    assert v.message == "全年计划检查1250家次，监督检查工作日1667天，比值0.749，低于0.75"


def test_a_ratio_of_exactly_0_75_passes_and_one_check_fewer_does_not() -> None:
    """不得小于0.75: 750 checks over 1000 workdays (3 over 4) meet it; one check fewer falls short by one."""
    for planned, workdays in ((750, 1000), (3, 4)):
        assert [v.rule for v in engine.check(ratio_plan(planned, workdays)).violations] == []
        (v,) = engine.check(ratio_plan(planned - 1, workdays)).violations
        assert (v.rule, v.values["required"], v.values["missing"]) == ("plan.workload-ratio", planned, 1)


@given(workdays=st.integers(1, 10**8), data=st.data())
def test_a_ratio_reported_below_the_threshold_is_shown_below_it(workdays: int, data: st.DataObject) -> None:
    near = math.ceil(Fraction(3, 4) * workdays)  # the fewest planned checks that meet 0.75
    planned = data.draw(st.integers(max(0, near - 3), near) | st.integers(0, 2 * workdays))
    found = [v for v in engine.check(ratio_plan(planned, workdays)).violations if v.rule == "plan.workload-ratio"]
    assert bool(found) == (Fraction(planned, workdays) < Fraction(3, 4))
    for v in found:
        (shown,) = re.findall(r"is ([0-9.]+), below 0.75$", v.message_en)
        assert f"比值{shown}，低于0.75" in v.message
        assert Decimal(shown) < Decimal("0.75") and Fraction(Decimal(shown)) <= Fraction(planned, workdays)


# ------------------------------------------------------------------ plan.shares


def share_plan(key: int, general: int, key_share: str) -> dict[str, Any]:
    items = [{"id": "k", "name": "重点检查", "category": "key", "planned": key},
             {"id": "g", "name": "一般检查", "category": "general", "planned": general}]
    return small_plan(totals={"total": key + general, "key": key, "general": general, "key_share": key_share}, items=items)


def test_a_share_stated_to_four_places_is_shown_as_written_and_computed_to_four() -> None:
    (v,) = engine.check(share_plan(293, 116, "71.6400")).violations  # 293 / 409 = 71.638 1 %
    assert v.message_en == "the key-check share is stated as 71.6400 %, but 293 of 409 is 71.6381 %"
    assert v.message == "重点检查写明占比71.6400%，按家次计算为71.6381%（293/409）"
    assert v.values["stated"] == 71.64 and v.fix_en == "the share should read 71.6381 %"


@given(key=st.integers(0, 10**6), general=st.integers(0, 10**6), places=st.integers(0, 4), data=st.data())
def test_a_share_is_shown_half_up_at_its_stated_places_or_two(key: int, general: int, places: int,
                                                             data: st.DataObject) -> None:
    total = key + general
    if total == 0:
        return
    with localcontext() as context:
        context.prec = 60
        exact = Decimal(key * 100) / Decimal(total)
        at_stated = exact.quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)
        shown = exact.quantize(Decimal(1).scaleb(-max(2, places)), rounding=ROUND_HALF_UP)
    step = Decimal(1).scaleb(-places)
    near = [s for s in (at_stated - step, at_stated, at_stated + step) if 0 <= s <= 100]
    stated = data.draw(st.sampled_from(near) | st.integers(0, 100 * 10**places).map(lambda n: Decimal(n).scaleb(-places)))
    written = format(stated, "f")
    found = [v for v in engine.check(share_plan(key, general, written)).violations if v.rule == "plan.shares"]
    assert bool(found) == (at_stated != stated)
    for v in found:
        assert v.message_en == f"the key-check share is stated as {written} %, but {key} of {total} is {shown} %"
        assert v.message == f"重点检查写明占比{written}%，按家次计算为{shown}%（{key}/{total}）"
        assert shown != stated  # never shown equal to the figure it contradicts


def test_a_wrong_minimum_cites_the_clause_that_sets_it_and_offers_whole_counts() -> None:
    from forms import load_document

    plan = load_document("examples/plans/chongming-2024.yaml")
    assert plan.workload is not None
    (v,) = step_findings(attrs.evolve(plan, workload=attrs.evolve(plan.workload, minimum_checks=380)))
    assert [c.clause for c in v.citations] == ["附件3 五"]
    assert v.message == "工作量核算：最低检查家次写明380，按511 × 0.75应为383.25" and v.fix == "更正为383或384"
