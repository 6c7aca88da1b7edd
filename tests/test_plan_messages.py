"""Plan findings say what is true: each figure a message shows is what the message calls it, and
a figure it reports below a threshold is never shown at or above it."""

from __future__ import annotations

import math
import re
from decimal import Decimal
from fractions import Fraction
from typing import Any

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
    assert v.fix_en == "correct it to 1000001.25"


@given(staff=st.integers(1, 1000), places=st.integers(0, 6), data=st.data())
def test_a_workday_result_is_shown_exactly_or_to_four_places_never_with_an_exponent(
        staff: int, places: int, data: st.DataObject) -> None:
    days = data.draw(st.integers(1, 10**9 // staff - 10))
    ratio = Decimal(data.draw(st.integers(1, 10**places))).scaleb(-places)  # at most 1: the minimum stays ≤ 10**9
    exact = Fraction(days * staff) * Fraction(ratio)
    stated = math.ceil(exact) + data.draw(st.integers(1, 5))  # more than it may round to: always a finding
    (v,) = step_findings(workload_plan(days, staff, format(ratio, "f"), stated))
    shown = v.message_en.rsplit(" gives ", 1)[1]
    assert v.fix_en == f"correct it to {shown}" and v.message.endswith(f"应为{shown}")
    assert re.fullmatch(r"[0-9]+(\.[0-9]+)?", shown), shown
    if exact.denominator == 1:
        assert shown == str(exact)
    elif (exact * 10**4).denominator == 1:
        assert Fraction(Decimal(shown)) == exact and not shown.endswith("0")
    else:
        assert len(shown.split(".")[1]) == 4 and abs(Fraction(Decimal(shown)) - exact) <= Fraction(1, 2 * 10**4)
