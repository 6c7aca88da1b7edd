"""Plan findings say what is true: each figure a message shows is what the message calls it, and
a figure it reports below a threshold is never shown at or above it."""

from __future__ import annotations

import re
from typing import Any

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
