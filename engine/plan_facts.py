"""An annual plan becomes facts: small flat records that durable-rules matches.

Quantities Rete handles badly (sums, shares, ratios) are computed here, and each fact records the
inputs it was computed from and where in the input it points (``loc``, a JSON pointer). Deciding
whether a fact is a violation is left to the rule conditions, which durable-rules evaluates.

Each builder yields facts of one kind and, when the plan lacks the data that kind needs, says why
(``Missing``): a rule whose facts are all missing is reported as not checked, never as passed.
"""

from __future__ import annotations

import math
from collections import Counter, defaultdict, deque
from collections.abc import Callable
from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction

from engine.derived import Built, Bundle, Fact, FactKind, Missing, Params, whole_number
from forms.plan import AnnualPlan, Category, InspectionItem, Period, PlannedBasis, Tag, days_in, name_key, weekend_days

NO_SCHEDULE = Missing("计划未附月度安排表", "the plan has no monthly schedule")
NO_KEY_UNITS = Missing("计划未附重点单位名单", "the plan has no key-unit list")
EMPTY_SCHEDULE = Missing("月度安排表没有任何一行", "the monthly schedule has no rows")
EMPTY_KEY_UNITS = Missing("重点单位名单没有列出单位", "the key-unit list lists no units")
NO_WORKLOAD = Missing("计划未附工作量核算", "the plan has no workday accounting")
SHARE_PLACES = 2  # decimal places a computed share is shown to at least
STEP_PLACES = 4  # decimal places a workday result is shown to when it does not end sooner


def _number(value: object) -> Decimal:
    if not isinstance(value, Decimal):
        raise TypeError(f"expected a numeric parameter, got {value!r}")
    return value


def _sum_text(values: list[int]) -> str:
    return " + ".join(str(v) for v in values) if values else "0"


def _difference(stated: int, computed: int) -> int:
    return abs(stated - computed)


def _no_key_units(plan: AnnualPlan) -> Missing:
    """Why the plan's key units cannot be checked: no list, or an empty one (built in Python: a file's is refused)."""
    return NO_KEY_UNITS if plan.key_units is None else EMPTY_KEY_UNITS


def _digits(value: Fraction, places: int, *, down: bool = False) -> str:
    """``value`` in plain digits with ``places`` decimal places (never an exponent), rounded half
    up, or down (toward −∞) with ``down``: a figure reported below a threshold then never shows
    at or above it."""
    scaled = value * 10**places
    whole = math.floor(scaled) if down else math.floor(abs(scaled) + Fraction(1, 2)) * (-1 if scaled < 0 else 1)
    digits = str(abs(whole)).rjust(places + 1, "0")
    return ("-" if whole < 0 else "") + (f"{digits[:-places]}.{digits[-places:]}" if places else digits)


def _group_parts(plan: AnnualPlan, group_id: str) -> list[int]:
    """The planned counts of a group's items: what its stated total must add up to, and what a
    schedule row of a group stating none is held to."""
    return [i.planned for i in plan.items if i.group == group_id]


def totals(plan: AnnualPlan, params: Params) -> Built:
    """``total``: each stated total against the sum of its parts; a group's names its ``group`` (its id,
    by which its heading is cited: groups may come in any order), the year's totals none ("")."""
    key_items = [i.planned for i in plan.items if i.category == Category.KEY]
    general_items = [i.planned for i in plan.items if i.category == Category.GENERAL]
    t = plan.totals
    checks = [
        ("/totals/total", "", "全年计划检查", "the year's total", t.total, [t.key, t.general]),
        ("/totals/key", "", "重点检查合计", "the key-check total", t.key, key_items),
        ("/totals/general", "", "一般检查合计", "the general-check total", t.general, general_items),
    ]
    for index, group in enumerate(plan.groups):
        if group.planned is not None:
            parts = _group_parts(plan, group.id)
            label_zh, label_en = f"“{group.name}”合计", f"the total of “{group.name}”"
            checks.append((f"/groups/{index}/planned", group.id, label_zh, label_en, group.planned, parts))
    for loc, group_id, zh, en, stated, parts in checks:
        computed = sum(parts)
        yield {"kind": "total", "loc": loc, "group": group_id, "label_zh": zh, "label_en": en, "stated": stated,
               "computed": computed, "parts": _sum_text(parts), "difference": _difference(stated, computed)}


def shares(plan: AnnualPlan, params: Params) -> Built:
    """``share``: each stated percentage against part/whole, both scaled to the stated precision."""
    t = plan.totals
    stated_any = False
    for loc, zh, en, stated, part in (
        ("/totals/key_share", "重点检查", "the key-check share", t.key_share, t.key),
        ("/totals/general_share", "一般检查", "the general-check share", t.general_share, t.general),
    ):
        if stated is None:
            continue
        stated_any = True
        places = max(0, -int(stated.as_tuple().exponent))
        if t.total == 0:
            yield Missing("全年计划检查为0，无法计算占比", "the year's total is 0, so no share can be computed")
            continue
        exact = Fraction(part * 100, t.total)
        quantum = Decimal(1).scaleb(-places)
        expected = (Decimal(exact.numerator) / Decimal(exact.denominator)).quantize(quantum, rounding=ROUND_HALF_UP)
        yield {"kind": "share", "loc": loc, "label_zh": zh, "label_en": en, "part": part, "whole": t.total,
               "stated": int(stated) if places == 0 else float(stated), "computed": float(exact), "expected": str(expected),
               "stated_scaled": int(stated.scaleb(places)), "computed_scaled": int(expected.scaleb(places)),
               # As written (72.0 keeps its 0); the share to as many places, at least 2, half up.
               "stated_shown": format(stated, "f"), "computed_shown": _digits(exact, max(SHARE_PLACES, places))}
    if not stated_any:
        yield Missing("计划未写明占比", "the plan states no shares")


#: What a ``schedule-sum``'s ``computed`` is: the sum of the cells, or a figure the table states.
_CELLS_ADD_UP = {"computed_as_zh": "实际合计", "computed_as_en": "the cells add up to"}
_WRITTEN_AS = {"computed_as_zh": "写明", "computed_as_en": "it is written as"}


def schedule_sums(plan: AnnualPlan, params: Params) -> Built:
    """``schedule-sum``: rows against their item, months against their totals, the table against the
    total; a row's stated subtotal against its item, and the grand total against the year's total."""
    schedule = plan.schedule
    if schedule is None:
        yield NO_SCHEDULE
        return
    if not schedule.rows:  # a file's is refused at load; one built in Python has no row to check
        yield EMPTY_SCHEDULE
        return
    # A group stating no total is held to its items' sum, as plan.totals adds them (and says so).
    summed = {g.id for g in plan.groups if g.planned is None}
    planned = ({g.id: g.planned if g.planned is not None else sum(_group_parts(plan, g.id)) for g in plan.groups}
               | {i.id: i.planned for i in plan.items})
    names = {g.id: g.name for g in plan.groups} | {i.id: i.name for i in plan.items}
    cells = [[v or 0 for v in row.monthly] for row in schedule.rows]
    for index, (row, values) in enumerate(zip(schedule.rows, cells, strict=True)):
        per_zh, per_en = ("（按其各事项之和）", " (the sum of its items)") if row.ref in summed else ("", "")
        held_to = row.stated_total if row.stated_total is not None else planned[row.ref]
        computed = sum(values)
        yield {"kind": "schedule-sum", "loc": f"/schedule/rows/{index}", "axis": "row", "ref": row.ref,
               "label_zh": f"“{names[row.ref]}”一行{per_zh if row.stated_total is None else ''}",
               "label_en": f"the row of “{names[row.ref]}”{per_en if row.stated_total is None else ''}",
               "stated": held_to, "computed": computed, **_CELLS_ADD_UP, "difference": _difference(held_to, computed)}
        if row.stated_total is not None and row.stated_total != planned[row.ref]:
            yield {"kind": "schedule-sum", "loc": f"/schedule/rows/{index}/stated_total", "axis": "row-total", "ref": row.ref,
                   "label_zh": f"“{names[row.ref]}”小计{per_zh or '（按计划家次）'}",
                   "label_en": f"the subtotal of “{names[row.ref]}”{per_en or ' (per its planned count)'}",
                   "stated": planned[row.ref], "computed": row.stated_total, **_WRITTEN_AS,
                   "difference": _difference(row.stated_total, planned[row.ref])}
    if schedule.monthly_totals is not None and all(t is None for t in schedule.monthly_totals):
        yield Missing("月度安排表各月合计均为空白，未核对各月合计",
                      "the schedule's monthly totals are all blank: the months' totals are not checked")
    elif schedule.monthly_totals is not None:
        for month, stated in enumerate(schedule.monthly_totals, start=1):
            if stated is None:
                continue
            computed = sum(values[month - 1] for values in cells)
            yield {"kind": "schedule-sum", "loc": f"/schedule/monthly_totals/{month - 1}", "axis": "month", "ref": str(month),
                   "label_zh": f"{month}月合计", "label_en": f"the total for month {month}",
                   "stated": stated, "computed": computed, **_CELLS_ADD_UP, "difference": _difference(stated, computed)}
    if schedule.total is not None:
        computed = sum(sum(values) for values in cells)
        yield {"kind": "schedule-sum", "loc": "/schedule/total", "axis": "table", "ref": "total",
               "label_zh": "安排表总计", "label_en": "the table's grand total",
               "stated": schedule.total, "computed": computed, **_CELLS_ADD_UP,
               "difference": _difference(schedule.total, computed)}
        yield {"kind": "schedule-sum", "loc": "/schedule/total", "axis": "plan", "ref": "plan",
               "label_zh": "安排表总计（按全年计划检查）", "label_en": "the table's grand total (per the year's total)",
               "stated": plan.totals.total, "computed": schedule.total, **_WRITTEN_AS,
               "difference": _difference(plan.totals.total, schedule.total)}


def joint_share(plan: AnnualPlan, params: Params) -> Built:
    """``joint-share``: joint random checks as a percentage of all random (双随机) checks."""
    random_items = [(k, i) for k, i in enumerate(plan.items) if Tag.DOUBLE_RANDOM in i.tags]
    if not random_items:
        yield Missing("计划没有标为“双随机、一公开”的事项", "no item is tagged double-random")
        return
    base = sum(i.planned for _, i in random_items)
    joint_items = [(k, i) for k, i in random_items if Tag.JOINT in i.tags]
    joint = sum(i.planned for _, i in joint_items)
    if base == 0:
        yield Missing("“双随机、一公开”事项计划为0家次", "the double-random items plan 0 checks")
        return
    threshold = Fraction(_number(params["min_joint_share"])) / 100
    required = math.ceil(threshold * base)
    loc = f"/items/{joint_items[0][0]}/planned" if joint_items else f"/items/{random_items[0][0]}/tags"
    share = Fraction(joint * 100, base)
    # Two ways to reach the share: make some random checks joint (the base stays), or add joint
    # random checks, which grow the base too: the least j with joint + j ≥ threshold × (base + j).
    added = max(0, math.ceil((threshold * base - joint) / (1 - threshold))) if threshold < 1 else None
    yield {"kind": "joint-share", "loc": loc, "joint": joint, "base": base, "share": float(share),
           "share_shown": _digits(share, 1, down=True),  # a share below the threshold never shows at it
           "joint_items": ",".join(i.id for _, i in joint_items), "base_items": ",".join(i.id for _, i in random_items),
           "required": required, "missing": max(0, required - joint), "added": added or 0,
           "addable": int(added is not None),  # at a share of 100 % only making every random check joint reaches it
           "or_added_zh": f"，或新增{added}家次联合检查" if added is not None else "",
           "or_added_en": f", or add {added} joint checks" if added is not None else ""}


def _periods(per_year: int) -> list[tuple[range, str, str]]:
    """Split the year into ``per_year`` equal periods of months."""
    if per_year not in (1, 2, 3, 4, 6, 12):
        raise ValueError(f"key_unit_checks_per_year must divide 12 evenly, got {per_year}")
    if per_year == 1:
        return [(range(1, 13), "全年", "the year")]
    if per_year == 2:
        return [(range(1, 7), "上半年", "the first half-year"), (range(7, 13), "下半年", "the second half-year")]
    size = 12 // per_year
    return [(range(s, s + size), f"{s}–{s + size - 1}月", f"months {s}–{s + size - 1}") for s in range(1, 13, size)]


def _coverage_groups(covering: list[tuple[int, InspectionItem]]) -> list[list[tuple[int, InspectionItem]]]:
    """Items covering key units, joined where they share a category (directly or through another
    item): the units of a group may be checked under any of its items that covers their category."""
    groups: list[list[tuple[int, InspectionItem]]] = []
    for entry in covering:
        joined = [g for g in groups if any(set(entry[1].covers) & set(other.covers) for _, other in g)]
        groups = [g for g in groups if g not in joined] + [sorted([*(e for g in joined for e in g), entry], key=lambda e: e[0])]
    return sorted(groups, key=lambda g: g[0][0])


def _unmet(demand: dict[str, int], supply: dict[str, int], covers: dict[str, tuple[str, ...]]) -> tuple[set[str], set[str], int]:
    """The categories whose units the items covering them cannot check as often as ``demand`` asks
    (each item's ``supply`` of checks going to the units of any category it covers), those items,
    and how many checks they are short: the checks are placed as a maximum flow, and what is left
    unmet is the categories still reachable from an unmet one, with the items that cover them (the
    set whose shortfall is largest, Hall's condition). Nothing when every unit is met."""
    covering: dict[str, list[str]] = defaultdict(list)
    for item, categories in covers.items():
        for category in categories:
            covering[category].append(item)
    unmet, spare = dict(demand), dict(supply)
    placed: Counter[tuple[str, str]] = Counter()  # (category, item) → checks of the item given to its units
    while True:
        came: dict[tuple[str, str], tuple[str, str] | None] = {("c", c): None for c in demand if unmet[c] > 0}
        queue, end = deque(came), None
        while queue and end is None:
            node = queue.popleft()
            steps = ([("i", i) for i in covering[node[1]]] if node[0] == "c"
                     else [("c", c) for c in covers[node[1]] if placed[c, node[1]] > 0])
            for step in steps:
                if step not in came:
                    came[step] = node
                    if step[0] == "i" and spare[step[1]] > 0:
                        end = step
                        break
                    queue.append(step)
        if end is None:
            return ({key for kind, key in came if kind == "c"}, {key for kind, key in came if kind == "i"},
                    sum(unmet.values()))
        path = [end]
        while (back := came[path[-1]]) is not None:
            path.append(back)
        path.reverse()  # category, item, category, item, …: checks move one item along each step
        given = list(zip(path[0::2], path[1::2], strict=True))
        taken = list(zip(path[2::2], path[1::2], strict=False))
        amount = min(unmet[path[0][1]], spare[end[1]], *(placed[c[1], i[1]] for c, i in taken))
        unmet[path[0][1]] -= amount
        spare[end[1]] -= amount
        placed.update({(c[1], i[1]): amount for c, i in given})
        placed.subtract({(c[1], i[1]): amount for c, i in taken})


def _coverage(group: list[tuple[int, InspectionItem]], supply: dict[str, int], units_in: Counter[str], per: int,
              names: dict[str, str]) -> tuple[Fact, int, int]:
    """What a group of covering items owes its key units (``per`` checks each) against the checks
    ``supply`` gives each item: the whole group, or the part of it that falls short. Returned with
    the index of the first item counted and the checks the items counted supply."""
    covers = {item.id: item.covers for _, item in group}
    categories = list(dict.fromkeys(c for _, item in group for c in item.covers))
    short, short_items, missing = _unmet({c: units_in[c] * per for c in categories}, supply, covers)
    if missing:
        categories = [c for c in categories if c in short]
        group = [(k, item) for k, item in group if item.id in short_items]
    units = sum(units_in[c] for c in categories)
    one = len(group) == 1
    zh = [f"“{item.name}”" + ("" if one else f"（{supply[item.id]}家次）") for _, item in group]
    en = [f"“{item.name}”" + ("" if one else f" ({supply[item.id]})") for _, item in group]
    named_zh, named_en = "、".join(zh[:-1]) + "和" * (not one) + zh[-1], ", ".join(en[:-1]) + " and " * (not one) + en[-1]
    if set(categories) == {c for _, item in group for c in item.covers}:
        covered_zh = f"{named_zh}{'' if one else '共'}覆盖{units}家重点单位"
        covered_en = f"{named_en} {'covers' if one else 'together cover'} {units} key units"
    else:  # the items also cover categories other items check
        listed = [f"“{names[c]}”" for c in categories]
        covered_zh = f"类别{'、'.join(listed)}的{units}家重点单位只由{named_zh}覆盖"
        covered_en = (f"the {units} key units of {'category' if len(listed) == 1 else 'categories'} "
                      f"{', '.join(listed)} are covered only by {named_en}")
    supplied = sum(supply[item.id] for _, item in group)
    index, first = group[0]
    return ({"item": first.id, "items": ",".join(item.id for _, item in group), "covered_zh": covered_zh,
             "covered_en": covered_en, "units": units, "required": units * per,
             "missing": max(0, units * per - supplied)}, index, supplied)


def _listed(zh: list[str], en: list[str]) -> tuple[str, str]:
    return "、".join(zh), ", ".join(en)


def key_unit_coverage(plan: AnnualPlan, params: Params) -> Built:
    """``coverage-item``, ``coverage-category``, ``unit-period``, ``coverage-period``: key units against
    the checks planned and scheduled for them. A key unit may be checked under any item covering its
    category (普陀 四、（一）1: 除部分企业纳入重点时段专项执法检查外), so the items are compared in
    groups sharing categories (:func:`_unmet`)."""
    if plan.key_units is None or not plan.key_units.units:
        yield _no_key_units(plan)
        return
    per_year = whole_number(params, "key_unit_checks_per_year")
    units_in = Counter(u.category for u in plan.key_units.units)
    names = {c.id: c.name for c in plan.key_units.categories}
    covering_items = [(k, i) for k, i in enumerate(plan.items) if i.covers]
    groups = _coverage_groups(covering_items)
    planned = {item.id: item.planned for _, item in covering_items}
    for group in groups:
        found, index, supplied = _coverage(group, planned, units_in, per_year, names)
        yield {"kind": "coverage-item", "loc": f"/items/{index}/planned", **found, "planned": supplied}
    covering = Counter(c for _, item in covering_items for c in item.covers)
    for index, category in enumerate(plan.key_units.categories):
        units = units_in[category.id]
        yield {"kind": "coverage-category", "loc": f"/key_units/categories/{index}", "category": category.id,
               "category_name": category.name, "units": units, "covering_items": covering[category.id],
               "required": units * per_year}
    periods = _periods(per_year)
    visits = plan.schedule.unit_visits if plan.schedule is not None else ()
    if visits:
        months_of: dict[str, list[int]] = defaultdict(list)  # by name_key, as the key-unit list is matched
        for visit in visits:
            months_of[name_key(visit.unit)].append(visit.month)
        for index, unit in enumerate(plan.key_units.units):
            for months, zh, en in periods:
                count = sum(1 for m in months_of[name_key(unit.name)] if m in months)
                yield {"kind": "unit-period", "loc": f"/key_units/units/{index}", "unit": unit.name,
                       "period_zh": zh, "period_en": en, "visits": count}
        return
    if per_year == 1:  # the one period is the year: its checks are the items' planned counts, above
        return
    # No unit named by month: the covering items' rows, summed per period, against the units they cover.
    in_each_zh, in_each_en = _listed([zh for _, zh, _ in periods], [en for _, _, en in periods])
    if plan.schedule is None:
        yield Missing(f"计划未附月度安排表，未核对重点单位在{in_each_zh}各有检查",
                      f"the plan has no monthly schedule: not checked that key units are checked in each period ({in_each_en})")
        return
    rows = {row.ref: (r, row) for r, row in enumerate(plan.schedule.rows)}
    rowless: list[InspectionItem] = []
    for group in groups:
        if any(item.id not in rows for _, item in group):
            rowless.extend(item for _, item in group if item.id not in rows)
            continue
        for months, zh, en in periods:
            scheduled = {item.id: sum(rows[item.id][1].monthly[m - 1] or 0 for m in months) for _, item in group}
            found, index, supplied = _coverage(group, scheduled, units_in, 1, names)
            r = rows[plan.items[index].id][0]
            yield {"kind": "coverage-period", "loc": f"/schedule/rows/{r}/monthly/{months.start - 1}", **found,
                   "period_zh": zh, "period_en": en, "scheduled": supplied}
    if rowless:
        one = len(rowless) == 1
        named_zh, named_en = _listed([f"“{i.name}”" for i in rowless], [f"“{i.name}”" for i in rowless])
        yield Missing(f"月度安排表中没有{named_zh}一行，未核对{'其' if one else '这些事项'}覆盖的重点单位在{in_each_zh}各有检查",
                      f"not checked that the key units {named_en} cover are checked in each period ({in_each_en}): "
                      f"the monthly schedule has no row for {'it' if one else 'them'}")


def _plain(exact: Fraction) -> str:
    """A workday figure in plain digits: whole, or exact to up to 4 decimal places, else rounded to 4."""
    if (exact * 10**STEP_PLACES).denominator != 1:
        return _digits(exact, STEP_PLACES)
    return _digits(exact, STEP_PLACES).rstrip("0").rstrip(".")


def _accepted(exact: Fraction) -> tuple[str, str]:
    """What a step may be written as: its result, or the whole numbers either side of a fraction (a count
    of days or 家次 is whole)."""
    low, high = math.floor(exact), math.ceil(exact)
    return (_plain(exact), _plain(exact)) if low == high else (f"{low}或{high}", f"{low} or {high}")


#: A workday step before another: its labels, the figure it states (None: not stated) and the one its inputs give.
Before = tuple[str, str, int | None, int]


def _step(loc: str, zh: str, en: str, stated: int | None, exact: Fraction, formula: str,
          before: Before | None = None, chained: Fraction | None = None) -> Fact | None:
    """A stated result against ``exact``, computed from the figures stated before it. Where the step
    ``before`` states a figure its inputs do not give, the fix also offers correcting that one first,
    and what this step then comes to (``chained``): one typo breaks its own step and the next."""
    if stated is None:
        return None
    accepted_zh, accepted_en = _accepted(exact)
    or_before_zh = or_before_en = ""
    if before is not None and chained is not None and before[2] is not None and before[2] != before[3]:
        then_zh, then_en = _accepted(chained)
        or_before_zh = f"，或先更正上一项（{before[0]}应为{before[3]}），本项随之应为{then_zh}"
        or_before_en = f", or first correct the step before ({before[1]} should be {before[3]}), which makes this {then_en}"
    return {"kind": "workday-step", "loc": loc, "label_zh": zh, "label_en": en, "stated": stated,
            "low": math.floor(exact), "high": math.ceil(exact), "expected": _plain(exact),
            "accepted_zh": accepted_zh, "accepted_en": accepted_en, "or_before_zh": or_before_zh,
            "or_before_en": or_before_en, "formula": formula}


def workday_steps(plan: AnnualPlan, params: Params) -> Built:
    """``workday-step``: each stated result of the workday accounting against the figures stated before
    it (one restated after a wrong figure holds as written: the wrong one is reported, not each after it)."""
    w = plan.workload
    if w is None:
        yield NO_WORKLOAD
        return
    statutory = w.statutory_from_inputs()
    per_person = w.statutory_workdays if w.statutory_workdays is not None else statutory
    total = per_person * w.staff
    total_used = w.total_workdays if w.total_workdays is not None else total
    supervision = total_used - w.other_days - w.non_enforcement_days
    supervision_used = w.supervision_workdays if w.supervision_workdays is not None else supervision
    # The figures the inputs give, each step from the one before it as the inputs give that.
    total_given = statutory * w.staff
    supervision_given = w.supervision_from_inputs()
    statutory_zh, statutory_en = "法定工作日", "statutory workdays per person"
    total_zh, total_en = "总法定工作日", "total statutory workdays"
    supervision_zh, supervision_en = "监督检查工作日", "supervision workdays"
    steps = [
        _step("/workload/statutory_workdays", statutory_zh, statutory_en, w.statutory_workdays,
              Fraction(statutory), f"{w.days_in_year} − {w.rest_days} − {w.holidays}"),
        _step("/workload/total_workdays", total_zh, total_en, w.total_workdays,
              Fraction(total), f"{per_person} × {w.staff}",
              (statutory_zh, statutory_en, w.statutory_workdays, statutory), Fraction(total_given)),
        _step("/workload/supervision_workdays", supervision_zh, supervision_en, w.supervision_workdays,
              Fraction(supervision), f"{total_used} − {w.other_days} − {w.non_enforcement_days}",
              (total_zh, total_en, w.total_workdays, total_given), Fraction(supervision_given)),
        _step("/workload/minimum_checks", "最低检查家次", "minimum checks", w.minimum_checks,
              Fraction(supervision_used) * Fraction(w.ratio), f"{supervision_used} × {w.ratio}",
              (supervision_zh, supervision_en, w.supervision_workdays, supervision_given),
              Fraction(supervision_given) * Fraction(w.ratio)),
    ]
    stated = [s for s in steps if s is not None]
    if not stated:
        yield Missing("工作量核算未写明任何结果", "the workday accounting states no results")
    yield from stated


def workload_calendar(plan: AnnualPlan, params: Params) -> Built:
    """``workload-calendar``: the accounting's days in the year and rest days against the plan year's calendar."""
    w = plan.workload
    if w is None:
        yield NO_WORKLOAD
        return
    year = plan.year
    days, weekend = days_in(year), weekend_days(year)
    leap = days == 366
    yield {"kind": "workload-calendar", "loc": "/workload/days_in_year", "label_zh": "全年总天数",
           "label_en": "the days in the year", "stated": w.days_in_year, "calendar": days,
           "calendar_zh": f"{year}年{'是' if leap else '不是'}闰年，共{days}天",
           "calendar_en": f"{year} is {'a' if leap else 'not a'} leap year: {days} days"}
    yield {"kind": "workload-calendar", "loc": "/workload/rest_days", "label_zh": "法定公休日",
           "label_en": "the statutory rest days", "stated": w.rest_days, "calendar": weekend,
           "calendar_zh": f"{year}年的星期六、星期日共{weekend}天",
           "calendar_en": f"{year} has {weekend} Saturdays and Sundays"}


def workload_ratio(plan: AnnualPlan, params: Params) -> Built:
    """``workload-ratio``: the year's planned checks per supervision workday (computed from the inputs)."""
    w = plan.workload
    if w is None:
        yield NO_WORKLOAD
        return
    supervision = w.supervision_from_inputs()
    if supervision <= 0:
        yield Missing(f"监督检查工作日为{supervision}天，无法计算比值",
                      f"supervision workdays come to {supervision}, so no ratio")
        return
    planned = plan.totals.total
    required = math.ceil(Fraction(_number(params["min_checks_per_workday"])) * supervision)
    ratio = Fraction(planned, supervision)
    yield {"kind": "workload-ratio", "loc": "/totals/total", "planned": planned, "supervision_workdays": supervision,
           "ratio": float(ratio), "ratio_shown": _digits(ratio, 3, down=True),  # below the threshold, shown below it
           "required": required, "missing": max(0, required - planned)}


def sampled_units(plan: AnnualPlan, params: Params) -> Built:
    """``sampled-unit`` and ``key-unit``: the named sample units of items drawn from outside the key-unit
    list (tagged ``outside-key-units``), and the key units they are joined against. Other items'
    samples may be key units (跨区域交互检查 draws from them)."""
    samples = [(k, j, item, name) for k, item in enumerate(plan.items) if Tag.OUTSIDE_KEY_UNITS in item.tags
               for j, name in enumerate(item.sampled_units)]
    if not samples:
        if any(item.sampled_units for item in plan.items):
            yield Missing("计划点名的抽查样本均不属须避开重点单位的事项",
                          "no item drawn from outside the key units names its sample")
        else:
            yield Missing("计划未点名抽查样本单位", "the plan names no sampled units")
        return
    if plan.key_units is None or not plan.key_units.units:
        yield _no_key_units(plan)
        return
    # Key units first: the join then fires as each sample arrives, whatever the chunking.
    for index, unit in enumerate(plan.key_units.units):
        yield {"kind": "key-unit", "loc": f"/key_units/units/{index}", "no": unit.no, "name": unit.name,
               "name_key": name_key(unit.name)}
    for k, j, item, name in samples:
        yield {"kind": "sampled-unit", "loc": f"/items/{k}/sampled_units/{j}", "item": item.id, "item_name": item.name,
               "name": name, "name_key": name_key(name)}


def key_unit_list(plan: AnnualPlan, params: Params) -> Built:
    """``key-list-count`` and ``key-unit-name``: the list's stated counts against its rows, and repeated names.
    A count says what it ``counts`` (a ``category``'s units, or ``new-units``) and of which ``category``
    (its id; "" for the new units), so that it cites the heading or note stating it."""
    units = plan.key_units
    if units is None or not units.units:
        yield _no_key_units(plan)
        return
    per_category = Counter(u.category for u in units.units)
    for index, category in enumerate(units.categories):
        if category.stated_count is not None:
            counted = per_category[category.id]
            yield {"kind": "key-list-count", "loc": f"/key_units/categories/{index}/stated_count",
                   "counts": "category", "category": category.id,
                   "label_zh": f"“{category.name}”", "label_en": f"category “{category.name}”",
                   "stated": category.stated_count, "computed": counted,
                   "difference": _difference(category.stated_count, counted)}
    if units.new_units is not None:
        new = [u for u in units.units if u.new]
        stated = units.new_units.stated
        yield {"kind": "key-list-count", "loc": "/key_units/new_units/stated", "counts": "new-units", "category": "",
               "label_zh": "新增单位总数", "label_en": "the number of new units", "stated": stated, "computed": len(new),
               "difference": _difference(stated, len(new))}
        for index, part in enumerate(units.new_units.parts):
            counted = sum(1 for u in new if u.category in part.categories)
            yield {"kind": "key-list-count", "loc": f"/key_units/new_units/parts/{index}/stated",
                   "counts": "new-units", "category": "",
                   "label_zh": f"“{part.name}”新增数", "label_en": f"new units of “{part.name}”",
                   "stated": part.stated, "computed": counted, "difference": _difference(part.stated, counted)}
    by_name: dict[str, list[tuple[int, int]]] = defaultdict(list)
    for index, unit in enumerate(units.units):
        by_name[name_key(unit.name)].append((index, unit.no))
    for entries in by_name.values():
        if len(entries) > 1:
            index, _ = entries[-1]
            yield {"kind": "key-unit-name", "loc": f"/key_units/units/{index}", "name": units.units[index].name,
                   "occurrences": len(entries), "numbers": ",".join(str(no) for _, no in entries)}


def item_quarters(plan: AnnualPlan, params: Params) -> Built:
    """``item-quarter``: checks scheduled per quarter for items the plan runs quarterly."""
    quarterly = [(k, i) for k, i in enumerate(plan.items) if i.period == Period.QUARTERLY]
    if not quarterly:
        yield Missing("计划没有按季度开展的事项", "no item is marked quarterly")
        return
    if plan.schedule is None:
        yield NO_SCHEDULE
        return
    rows = {row.ref: (r, row) for r, row in enumerate(plan.schedule.rows)}
    for _, item in quarterly:
        if item.id not in rows:
            continue
        r, row = rows[item.id]
        for quarter in range(1, 5):
            scheduled = sum(v or 0 for v in row.monthly[(quarter - 1) * 3: quarter * 3])
            yield {"kind": "item-quarter", "loc": f"/schedule/rows/{r}/monthly/{(quarter - 1) * 3}", "item": item.id,
                   "item_name": item.name, "quarter": quarter, "scheduled": scheduled}
    # Not checked, rather than 0 a quarter: its checks may be in its group's row, not by quarter.
    rowless = [f"“{item.name}”" for _, item in quarterly if item.id not in rows]
    if rowless:
        one = len(rowless) == 1
        yield Missing(f"月度安排表中没有{'、'.join(rowless)}一行，未检查{'该' if one else '这些'}事项",
                      f"not checked for {', '.join(rowless)}: the monthly schedule has no row for {'it' if one else 'them'}")


def item_units(plan: AnnualPlan, params: Params) -> Built:
    """``item-units``: units × checks per unit, where an item states both and counts visits."""
    found = False
    for index, item in enumerate(plan.items):
        if item.units is None or item.checks_per_unit is None or item.planned_basis == PlannedBasis.CONVERTED:
            continue
        found = True
        computed = item.units * item.checks_per_unit
        difference = _difference(item.planned, computed)
        # More checks than units × checks each do something else; fewer leave some units short.
        remedy_zh, remedy_en = ((f"写明多出的{difference}家次检查什么", f"say what the other {difference} checks inspect")
                                if item.planned > computed else
                                (f"写明哪些单位少检查（还差{difference}家次）",
                                 f"say which units get fewer checks ({difference} short)"))
        yield {"kind": "item-units", "loc": f"/items/{index}/planned", "item": item.id, "item_name": item.name,
               "units": item.units, "checks_per_unit": item.checks_per_unit, "computed": computed,
               "planned": item.planned, "difference": difference, "remedy_zh": remedy_zh, "remedy_en": remedy_en}
    if not found:
        yield Missing("没有事项同时写明单位数和每家检查次数", "no item states both its units and checks per unit")


PlanBuilder = Callable[[AnnualPlan, Params], Built]


def each_plan(builder: PlanBuilder) -> Callable[[Bundle, Params], Built]:
    """Run a plan builder on every plan of a bundle, marking each fact with its plan's index."""

    def build(bundle: Bundle, params: Params) -> Built:
        for index, document in enumerate(bundle):
            if isinstance(document, AnnualPlan):
                for made in builder(document, params):
                    yield made if isinstance(made, Missing) else dict(made, doc=index)

    build.__name__ = builder.__name__
    return build


#: Plan fact kinds: the builder that makes each (one builder may make several kinds), the fields
#: its facts carry and the parameters it reads.
PLAN_FACT_KINDS: dict[str, FactKind] = {
    "total": FactKind(totals, ("group", "label_zh", "label_en", "stated", "computed", "parts", "difference"),
                      texts=("group", "label_zh", "label_en", "parts")),
    "share": FactKind(shares, ("label_zh", "label_en", "part", "whole", "stated", "computed", "expected",
                               "stated_scaled", "computed_scaled", "stated_shown", "computed_shown"),
                      texts=("label_zh", "label_en", "expected", "stated_shown", "computed_shown")),
    "schedule-sum": FactKind(schedule_sums, ("axis", "ref", "label_zh", "label_en", "stated", "computed", "computed_as_zh",
                                             "computed_as_en", "difference"),
                             texts=("axis", "ref", "label_zh", "label_en", "computed_as_zh", "computed_as_en")),
    "joint-share": FactKind(joint_share, ("joint", "base", "share", "share_shown", "required", "missing", "added",
                                          "addable", "or_added_zh", "or_added_en", "joint_items", "base_items"),
                            reads={"min_joint_share": "percent"}, blank_unless={"added": ("addable",)},
                            texts=("share_shown", "or_added_zh", "or_added_en", "joint_items", "base_items")),
    "coverage-item": FactKind(key_unit_coverage, ("item", "items", "covered_zh", "covered_en", "units", "planned",
                                                  "required", "missing"),
                              reads={"key_unit_checks_per_year": "checks per year"},
                              texts=("item", "items", "covered_zh", "covered_en")),
    "coverage-category": FactKind(key_unit_coverage, ("category", "category_name", "units", "covering_items", "required"),
                                  reads={"key_unit_checks_per_year": "checks per year"}, texts=("category", "category_name")),
    "unit-period": FactKind(key_unit_coverage, ("unit", "period_zh", "period_en", "visits"),
                            reads={"key_unit_checks_per_year": "checks per year"}, texts=("unit", "period_zh", "period_en")),
    "coverage-period": FactKind(key_unit_coverage, ("item", "items", "covered_zh", "covered_en", "period_zh", "period_en",
                                                    "units", "scheduled", "required", "missing"),
                                reads={"key_unit_checks_per_year": "checks per year"},
                                texts=("item", "items", "covered_zh", "covered_en", "period_zh", "period_en")),
    "workday-step": FactKind(workday_steps, ("label_zh", "label_en", "stated", "low", "high", "expected", "accepted_zh",
                                             "accepted_en", "or_before_zh", "or_before_en", "formula"),
                             texts=("label_zh", "label_en", "expected", "accepted_zh", "accepted_en", "or_before_zh",
                                    "or_before_en", "formula")),
    "workload-calendar": FactKind(workload_calendar, ("label_zh", "label_en", "stated", "calendar", "calendar_zh",
                                                      "calendar_en"),
                                  texts=("label_zh", "label_en", "calendar_zh", "calendar_en")),
    "workload-ratio": FactKind(workload_ratio, ("planned", "supervision_workdays", "ratio", "ratio_shown", "required",
                                                "missing"),
                               reads={"min_checks_per_workday": "checks per workday"}, texts=("ratio_shown",)),
    "sampled-unit": FactKind(sampled_units, ("item", "item_name", "name", "name_key"),
                             texts=("item", "item_name", "name", "name_key")),
    "key-unit": FactKind(sampled_units, ("no", "name", "name_key"), texts=("name", "name_key")),
    "key-list-count": FactKind(key_unit_list, ("counts", "category", "label_zh", "label_en", "stated", "computed",
                                               "difference"),
                               texts=("counts", "category", "label_zh", "label_en")),
    "key-unit-name": FactKind(key_unit_list, ("name", "occurrences", "numbers"), texts=("name", "numbers")),
    "item-quarter": FactKind(item_quarters, ("item", "item_name", "quarter", "scheduled"), texts=("item", "item_name")),
    "item-units": FactKind(item_units, ("item", "item_name", "units", "checks_per_unit", "computed", "planned", "difference",
                                        "remedy_zh", "remedy_en"),
                           texts=("item", "item_name", "remedy_zh", "remedy_en")),
}
