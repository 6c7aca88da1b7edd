"""A campaign's documents become facts: dispatch forms (each, as a monthly series per reporting
unit, as roll-ups, and against enterprise records), enterprise records, and dated campaign steps.

A blank item (``None``, not reported) is never read as 0: facts say explicitly whether a side is
blank, and the rules decide what a blank means. Money (万元) is compared in units of 0.0001 万元 so
that sums of amounts are exact.
"""

from __future__ import annotations

import calendar
import functools
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator, Sequence
from datetime import date
from decimal import Decimal
from typing import NamedTuple

from engine.derived import BLANK_SHOWN, Built, Bundle, Fact, FactKind, Missing, Params, role_owing, title_of, whole_number
from forms.dispatch import (
    MONEY_PLACES,
    CountAmount,
    DispatchForm,
    FormItem,
    FormTemplate,
    ItemShape,
    WholePart,
    load_template,
    parse_year_month,
)
from forms.plan import name_key
from forms.records import CampaignSteps, EnterpriseRecord, FoundBy, UnitRole
from rulebook.model import DATE_UNIT

SCALE = 10**MONEY_PLACES  # money compared in 0.0001 万元, the finest amount a form may state
NO_FORMS = Missing("没有调度表", "no dispatch forms were given")
NO_RECORDS = Missing("没有企业台账记录", "no enterprise records were given")
NO_AGGREGATES = Missing("没有汇总表（列出下属单位的调度表）", "no aggregate form (a form listing its member units)")
NO_SPOT_CHECK_RECORDS = Missing("没有注明抽查单位的企业台账记录", "no enterprise records say who spot-checked them")

RECTIFIED_PAIRS = (  # (found, rectified, zh, en)
    ("self_found", "self_rectified", "企业自查发现", "self-found"),
    ("department_found", "department_rectified", "部门检查发现", "department-found"),
    ("supervised_found", "supervised_rectified", "政府挂牌督办", "government-supervised"),
)
PART_WHOLE_ITEMS = ("typical_cases", "report_rewards")
#: Section-2 counts an enterprise record lets zhifa work out, and how.
IMPLIED_BY_RECORDS = ("spot_checked", "leader_not_leading_checks", "unlicensed_special_work",
                      "outsourcing_disorder", "drills_missing")
#: Of those, the items records hold only part of, so they give a least count: 2.8 also counts
#: staff who do not know the exits, which no record holds; 2.6 also what the checking unit finds
#: on site (附件 注2), beyond the enterprise's own key-post review.
AT_LEAST_BY_RECORDS = frozenset({"unlicensed_special_work", "drills_missing"})


def _forms(bundle: Bundle) -> list[tuple[int, DispatchForm]]:
    return [(i, d) for i, d in enumerate(bundle) if isinstance(d, DispatchForm)]


def _records(bundle: Bundle) -> list[tuple[int, EnterpriseRecord]]:
    return [(i, d) for i, d in enumerate(bundle) if isinstance(d, EnterpriseRecord)]


def _date(params: Params, name: str) -> date:
    value = params[name]
    if not isinstance(value, date):
        raise TypeError(f"parameter {name} must be a date, got {value!r}")
    return value


def _scaled(value: Decimal | int, whole: bool) -> int:
    """A figure as conditions compare it: a whole number as it is, money in 0.0001 万元. A figure
    finer than that (only a form built in Python can hold one: loaders refuse it) is refused, not
    cut off, which would let a part above its whole pass."""
    scaled = value if whole else Decimal(value) * SCALE
    exact = int(scaled)
    if exact != scaled:
        finest = "a whole number" if whole else f"{MONEY_PLACES} decimal places of 万元"
        raise ValueError(f"{value} is finer than the form allows ({finest})")
    return exact


def _shown(value: Decimal | int | None, blank: str = BLANK_SHOWN) -> str:
    """A figure as messages show it: plain digits, no trailing zeros after the point, no exponent."""
    if value is None:
        return blank
    if not isinstance(value, Decimal):
        return str(value)
    text = str(value)
    # A whole number held as a Decimal (most are) already reads so, and str() takes a sixth of the
    # time normalising and formatting do (timed: 57 against 364 ns).
    return text if "." not in text and "E" not in text else format(value.normalize(), "f")


def _shown_both(value: Decimal | int | None) -> tuple[str, str]:
    """A figure as messages show it in Chinese and in English (they differ only for a blank)."""
    if value is None:
        return BLANK_SHOWN, "blank"
    shown = str(value) if type(value) is int else _shown(value)
    return shown, shown


def _both(name: str, value: Decimal | int | None) -> dict[str, str]:
    """``name`` shown in Chinese and ``name_en`` in English."""
    shown, shown_en = _shown_both(value)
    return {name: shown, f"{name}_en": shown_en}


def unread_value(key: str, value: object, expected: type | str) -> TypeError:
    """A form's value of a type its loader never gives: the form was built in Python without its
    values being read against its template. Refused, not read as a blank."""
    name = expected if isinstance(expected, str) else expected.__name__
    return TypeError(f"values.{key}: expected {name} or None, got {type(value).__name__} {value!r} "
                     f"(a form's values are read against its template by forms.structure)")


def components(item: FormItem, value: object) -> Iterator[tuple[str, str, str, Decimal | int | None]]:
    """The figures of one item: (component, zh label suffix, pointer suffix, value).
    A count has one; count-amount and whole-part items have two; yes-no items none."""
    if item.shape == ItemShape.COUNT:
        if value is not None and (not isinstance(value, int) or isinstance(value, bool)):
            raise unread_value(item.key, value, "a whole number")
        yield "", "", "", value
    elif item.shape == ItemShape.COUNT_AMOUNT:
        pair = CountAmount() if value is None else value
        if not isinstance(pair, CountAmount):
            raise unread_value(item.key, value, CountAmount)
        yield "count", "（次数）", "/count", pair.count
        yield "amount", "（金额）", "/amount", pair.amount
    elif item.shape == ItemShape.WHOLE_PART:
        parts = WholePart() if value is None else value
        if not isinstance(parts, WholePart):
            raise unread_value(item.key, value, WholePart)
        yield "whole", "（总数）", "/whole", parts.whole
        yield "part", "（其中数）", "/part", parts.part


def _form_base(index: int, form: DispatchForm) -> Fact:
    """The fields every fact about one form starts with. The builders that run once per form or per
    item (rectified-found, part-whole, submission) write these keys into one dict literal instead:
    measured, that is half the cost of merging this dict with the rest."""
    return {"doc": index, "unit": form.unit, "month": form.month}


# ------------------------------------------------------------------ one form


def rectified_within_found(bundle: Bundle, params: Params) -> Built:
    """``rectified-found``: rectified hazards against the hazards found, for each of the three pairs."""
    forms = _forms(bundle)
    if not forms:
        yield NO_FORMS
    for index, form in forms:
        values = form.values
        for found_key, rectified_key, zh, en in RECTIFIED_PAIRS:
            found, rectified = values.get(found_key), values.get(rectified_key)
            if not isinstance(rectified, int):
                if rectified is not None:
                    raise unread_value(rectified_key, rectified, "a whole number")
                continue  # nothing rectified is reported: nothing to compare
            counted = isinstance(found, int)
            if not counted and found is not None:
                raise unread_value(found_key, found, "a whole number")
            yield {"doc": index, "unit": form.unit, "month": form.month, "kind": "rectified-found",
                   "loc": f"/values/{rectified_key}", "key": rectified_key, "label_zh": zh, "label_en": en,
                   "rectified": rectified, "found": found if counted else 0, "found_blank": int(not counted)}


def _part_whole(index: int, form: DispatchForm, item: FormItem, loc: str, whole_key: str, part: int, part_shown: str,
                whole: tuple[int, int, str, str], names: tuple[str, str, str, str]) -> Fact:
    """A ``part-whole`` fact: ``part`` as compared and shown, ``whole`` as (compared, blank, shown,
    shown in English), ``names`` as messages name the two (:func:`_names`)."""
    part_name, part_name_en, whole_name, whole_name_en = names
    return {"doc": index, "unit": form.unit, "month": form.month, "kind": "part-whole", "loc": loc,
            "key": item.key, "whole_key": whole_key, "part": part,
            "whole": whole[0], "whole_blank": whole[1], "part_shown": part_shown, "part_shown_en": part_shown,
            "whole_shown": whole[2], "whole_shown_en": whole[3], "part_name": part_name, "part_name_en": part_name_en,
            "whole_name": whole_name, "whole_name_en": whole_name_en}


@functools.cache
def _names(variant: str, key: str, whole_key: str) -> tuple[str, str, str, str]:
    """How messages name a part and its whole, in Chinese and in English. A 其中 item holds both
    (its label names the whole, then the part); any other part is an item of its own, compared
    with another item (a spot-check finding with the enterprises spot-checked, double penalties
    with the count of penalties)."""
    template = load_template(variant)
    label = template.item(key).label
    if key == whole_key:
        return f"“{label}”中的其中数", f"the part of “{label}”", "总数", "its whole"
    whole = template.item(whole_key)
    if whole.shape == ItemShape.COUNT_AMOUNT:
        return f"“{label}”", f"“{label}”", f"“{whole.label}”的次数", f"the count of “{whole.label}”"
    return f"“{label}”", f"“{label}”", f"“{whole.label}”", f"“{whole.label}”"


def _whole(value: Decimal | int | None, item: FormItem) -> tuple[int, int, str, str]:
    """A whole as a ``part-whole`` fact carries it: compared (scaled), blank or not, shown."""
    shown, shown_en = _shown_both(value)
    return (_scaled(value, item.whole_numbers) if value is not None else 0), int(value is None), shown, shown_en


@functools.cache
def _spot_check_findings(variant: str) -> tuple[tuple[FormItem, str, tuple[str, str, str, str]], ...]:
    """The items of a variant counting what spot checks found, each with where it sits on the form
    and how messages name it and its whole. Each counts enterprises, as the spot checks do: its
    figures are compared unscaled."""
    template = load_template(variant)
    findings = tuple(item for item in template.section_of("spot_checked").items if item.key != "spot_checked")
    for item in (*findings, template.item("spot_checked")):
        if item.shape != ItemShape.COUNT or not item.whole_numbers:
            raise ValueError(f"form variant {variant}: spot-check item {item.key} must count enterprises "
                             f"(a {ItemShape.COUNT.value} in whole numbers), not {item.shape.value} in {item.unit}")
    return tuple((item, f"/values/{item.key}", _names(variant, item.key, "spot_checked")) for item in findings)


def part_within_whole(bundle: Bundle, params: Params) -> Built:
    """``part-whole`` (其中 parts, spot-check findings) and ``penalty-amount`` (an amount needs a count)."""
    forms = _forms(bundle)
    if not forms:
        yield NO_FORMS
    for index, form in forms:
        template = load_template(form.variant)
        values = form.values
        for key in PART_WHOLE_ITEMS:
            pair = values.get(key)
            if isinstance(pair, WholePart):
                if pair.part is not None:
                    item = template.item(key)
                    yield _part_whole(index, form, item, f"/values/{key}/part", key,
                                      _scaled(pair.part, item.whole_numbers), _shown(pair.part), _whole(pair.whole, item),
                                      _names(form.variant, key, key))
            elif pair is not None:
                raise unread_value(key, pair, WholePart)
        checked = values.get("spot_checked")
        if checked is not None and not isinstance(checked, int):
            raise unread_value("spot_checked", checked, "a whole number")
        # Every finding of a form shares its whole, worked out once per form; all are counts.
        whole = _whole(checked if isinstance(checked, int) else None, template.item("spot_checked"))
        for item, loc, names in _spot_check_findings(form.variant):
            finding = values.get(item.key)
            if isinstance(finding, int):
                yield _part_whole(index, form, item, loc, "spot_checked", finding, str(finding), whole, names)
            elif finding is not None:
                raise unread_value(item.key, finding, "a whole number")
        penalties = values.get("penalties")
        if penalties is not None and not isinstance(penalties, CountAmount):
            raise unread_value("penalties", penalties, CountAmount)
        # Each double penalty (一案双罚) is a penalty of the enterprise and one of its leader: never
        # more of them than penalties. A 0 exceeds no count, blank or not, so only more is compared.
        double = values.get("double_penalties")
        if isinstance(double, int) and double > 0:
            count = penalties.count if penalties is not None else None
            yield _part_whole(index, form, template.item("double_penalties"), "/values/double_penalties", "penalties",
                              double, str(double), (count or 0, int(count is None), *_shown_both(count)),
                              _names(form.variant, "double_penalties", "penalties"))
        elif double is not None and not isinstance(double, int):
            raise unread_value("double_penalties", double, "a whole number")
        if penalties is not None and penalties.amount is not None and penalties.amount > 0:
            yield _form_base(index, form) | {
                "kind": "penalty-amount", "loc": "/values/penalties/amount", "amount": _shown(penalties.amount),
                "count": penalties.count or 0, "count_blank": int(penalties.count is None)}


# ------------------------------------------------------------------ a unit's monthly series


def _index_of(year: int, number: int) -> int:
    """Months counted from year 0, so that consecutive months differ by one."""
    return year * 12 + number - 1


@functools.lru_cache(maxsize=1024)
def _month_index(month: str) -> int:
    return _index_of(*parse_year_month(month))


def _counted(same: list[tuple[int, DispatchForm]]) -> tuple[int, DispatchForm]:
    """Of a unit's forms for one month, the one whose figures count: the last submitted (a form
    filed again replaces the one before), then by its figures, members and unit (its brackets of
    either width) written out as text, so that the order documents are given never changes a
    finding (forms alike in all of them have the same figures: the first given is taken)."""
    if len(same) == 1:
        return same[0]
    return max(same, key=lambda member: (member[1].submitted or date.min,
                                         repr((sorted(member[1].values.items()), member[1].members, member[1].unit))))


def _name_shown(written: Iterable[str]) -> str:
    """The name messages show for one unit or enterprise written several ways (alike by
    :func:`forms.plan.name_key`): written as its key where one document does (no stray space,
    full-width brackets), else the first in sorted order: never the order documents were given in."""
    return min(written, key=lambda name: (name != name_key(name), name))


def _month_name(index: int) -> str:
    return f"{index // 12:04d}-{index % 12 + 1:02d}"


def cumulative_series(bundle: Bundle, params: Params) -> Built:
    """``series-step``, ``series-gap``, ``series-duplicate``: each unit's forms, month by month (a
    unit's forms matched by :func:`forms.plan.name_key`, its brackets written either way)."""
    forms = _forms(bundle)
    if not forms:
        yield NO_FORMS
        return
    start, end = _date(params, "first_report_month"), _date(params, "campaign_end")
    first, final = _index_of(start.year, start.month), _index_of(end.year, end.month)
    series: dict[tuple[str, str], list[tuple[int, DispatchForm]]] = defaultdict(list)
    for index, form in forms:  # a lone form (as check_many checks most) needs no key
        series[(form.variant, name_key(form.unit) if len(forms) > 1 else form.unit)].append((index, form))
    shown_missing: set[tuple[str, str, int]] | None = None  # worked out once, where a unit has months not given
    for (variant, key), members in sorted(series.items()):
        by_month: dict[int, list[tuple[int, DispatchForm]]] = {}
        for index, form in members:
            by_month.setdefault(_month_index(form.month), []).append((index, form))
        months = sorted(by_month)
        for month in months:
            if len(same := by_month[month]) > 1:
                index, form = _counted(same)
                yield _form_base(index, form) | {"kind": "series-duplicate", "loc": "/month", "forms": len(same)}
        last_index, last_form = _counted(by_month[months[-1]])
        # Months are due from the first report month to the campaign's end; a form filed beyond the
        # end is form.deadline's finding, and does not make the months after the end due. Only a
        # month between two forms given is missing: one before the earliest may be on file elsewhere.
        gaps = [month for month in range(max(first, months[0]), min(months[-1], final + 1)) if month not in by_month]
        not_given: Sequence[int] = range(first, min(months[0], final + 1))
        if not_given and len(forms) > 1:  # a month a roll-up shows missing is known: its finding, not ours
            if shown_missing is None:
                shown_missing = _shown_missing(forms)
            not_given = [month for month in not_given if (variant, key, month) not in shown_missing]
        if gaps or not_given:  # named only then: most units (a form checked alone) have neither
            unit = _name_shown({form.unit for _, form in members})
            for month in gaps:
                yield {"kind": "series-gap", "doc": last_index, "loc": "/month",
                       "unit": unit, "month": last_form.month, "missing_month": _month_name(month)}
            if not_given:
                yield _months_not_given(last_index, unit, [_month_name(month) for month in not_given])
        if len(months) < 2:
            continue  # one month: no figure to compare (checked alone, as most forms are)
        template = load_template(variant)
        # Each figure against the one last reported before it: a blank month between them hides no fall.
        reported: dict[tuple[str, str], tuple[str, Decimal | int]] = {}  # (item, component) → month, figure
        for month in months:
            index, current = _counted(by_month[month])
            for _, item in template.items():
                for component, suffix, pointer, new in components(item, current.value(item.key)):
                    if (earlier := reported.get((item.key, component))) is not None:
                        previous_month, old = earlier
                        whole = item.in_whole_numbers(component)
                        yield _form_base(index, current) | {
                            "kind": "series-step", "loc": f"/values/{item.key}{pointer}", "key": item.key,
                            "label": item.label + suffix, "previous_month": previous_month,
                            "previous": _scaled(old, whole), "current": _scaled(new, whole) if new is not None else 0,
                            **_both("previous_shown", old), **_both("current_shown", new),
                            "current_blank": int(new is None)}
                    if new is not None:
                        reported[(item.key, component)] = (current.month, new)


def _months_not_given(index: int, unit: str, months: list[str]) -> Missing:
    """Why the months due before the earliest form of ``unit`` given are not checked for gaps: its
    forms for them were not given, which does not show they were never filed (a form checked alone,
    a stream of forms). About the unit's latest form given (``index``), where a gap would be reported."""
    one = len(months) == 1
    return Missing(f"未给出{unit}{'、'.join(months)}的调度表，不核对其是否按月报送",
                   f"no form of {unit} for {_listed(months)} was given: whether it filed "
                   f"{'it' if one else 'them'} is not checked", doc=index)


# ------------------------------------------------------------------ deadline


def _deadline(month: str, day: int) -> date:
    year, number = parse_year_month(month)
    return date(year, number, min(day, calendar.monthrange(year, number)[1]))


@functools.lru_cache(maxsize=256)
def _month_window(month: str, day: int, first: date, last: date, start: date) -> tuple[date, date, date, Fact]:
    """A month's deadline, its first day, the first day a form for it may be dated, and the
    submission fields that depend only on the month (cached: a batch of forms covers a few months)."""
    due = _deadline(month, day)
    year, number = parse_year_month(month)
    starts = date(year, number, 1)
    in_campaign = first.replace(day=1) <= starts <= last
    # A campaign month's form reports the campaign to date, so it is not dated before the campaign
    # began; a month before the campaign is reported for its month (its every day is before the start).
    earliest = max(starts, start) if in_campaign else starts
    return due, starts, earliest, {"due": due.isoformat(), "in_campaign": int(in_campaign),
                                   "first_month": f"{first:%Y-%m}", "last_month": f"{last:%Y-%m}"}


def submissions(bundle: Bundle, params: Params) -> Built:
    """``submission``: each form's date against the 28th of the month it covers and against the
    later of that month's first day and the campaign's start, and its month against the campaign.
    A roll-up (a form with members) is held to that day where its campaign says so
    (``held``): the day may bind only the units reporting to the one rolling up."""
    forms = _forms(bundle)
    if not forms:
        yield NO_FORMS
    day = whole_number(params, "submission_day")
    rollups_held = whole_number(params, "rollups_held_to_submission_day") != 0
    first, last = _date(params, "first_report_month"), _date(params, "campaign_end")
    start = _date(params, "campaign_start")
    for index, form in forms:
        due, starts, earliest, window = _month_window(form.month, day, first, last, start)
        submitted = form.submitted
        early = submitted is not None and submitted < earliest
        yield {"doc": index, "unit": form.unit, "month": form.month, "kind": "submission",
               "loc": "/submitted" if submitted else "/month", **window,
               "submitted": submitted.isoformat() if submitted else "", "dated": int(submitted is not None),
               "days_late": (submitted - due).days if submitted else 0,
               "early": int(early and earliest == starts), "before_start": int(early and earliest > starts),
               "held": int(rollups_held or not form.members)}


# ------------------------------------------------------------------ roll-ups


class _RollCall(NamedTuple):
    """A roll-up's members against the forms given for its month."""

    #: Each member's form that counts (by :func:`forms.plan.name_key`), of those given.
    filed: dict[str, DispatchForm]
    #: The members it lists with no form given, each once (by name key, as first written), in its order.
    absent: list[str]

    @property
    def shown_missing(self) -> list[str]:
        """The absent members the forms given show missing: beside a form of another member for the
        month, a member's form is missing from the folder; with none given, the roll-up was checked
        without its members and nothing is known of them."""
        return self.absent if self.filed else []


def _roll_call(index: int, aggregate: DispatchForm, forms: list[tuple[int, DispatchForm, str]]) -> _RollCall:
    """Roll-up ``index`` of the bundle against ``forms`` (each with its unit's name key): its own form
    is never taken as a member's (one listing itself is built in Python only: the loader refuses it)."""
    listed = {name_key(member) for member in aggregate.members}
    same: dict[str, list[tuple[int, DispatchForm]]] = defaultdict(list)
    for i, f, unit in forms:
        if i != index and f.month == aggregate.month and f.variant == aggregate.variant and unit in listed:
            same[unit].append((i, f))
    filed = {unit: _counted(forms_of)[1] for unit, forms_of in same.items()}
    absent: dict[str, str] = {}
    for member in aggregate.members:
        if (key := name_key(member)) not in filed:
            absent.setdefault(key, member)
    return _RollCall(filed, list(absent.values()))


def _shown_missing(forms: list[tuple[int, DispatchForm]]) -> set[tuple[str, str, int]]:
    """(variant, unit name key, month index) of each form the forms given show missing: a roll-up
    of that month lists the unit, and another of its members' forms is given (form.rollup's
    finding, decided by :func:`_roll_call` for both rules)."""
    keyed = [(i, f, name_key(f.unit)) for i, f in forms]
    return {(aggregate.variant, name_key(member), _month_index(aggregate.month))
            for index, aggregate, _ in keyed if aggregate.members
            for member in _roll_call(index, aggregate, keyed).shown_missing}


def rollups(bundle: Bundle, params: Params) -> Built:
    """``rollup-sum`` and ``rollup-member``: an aggregate form against its members' forms of the same
    month, a member's form found by :func:`forms.plan.name_key` (its brackets written either way)."""
    aggregates = [(i, f) for i, f in _forms(bundle) if f.members]
    if not aggregates:
        yield NO_AGGREGATES
        return
    forms = [(i, f, name_key(f.unit)) for i, f in _forms(bundle)]
    for index, aggregate in aggregates:
        template = load_template(aggregate.variant)
        call = _roll_call(index, aggregate, forms)
        members, absent = call.filed, call.absent
        if absent and not call.shown_missing:
            # None of its members' forms for the month was given (the roll-up checked alone): not
            # shown missing, and no sum of them is known.
            yield _members_not_given(index, aggregate, absent)
            continue
        for member in call.shown_missing:
            yield _form_base(index, aggregate) | {"kind": "rollup-member", "loc": "/members", "member": member,
                                                  "present": 0}
        if absent:
            yield _sums_not_checked(index, aggregate, absent)  # a member without a form adds no 0
            continue
        for _, item in template.items():
            totals: dict[str, Decimal | int] = defaultdict(int)
            reported: dict[str, int] = defaultdict(int)
            for form in members.values():
                for component, _, _, value in components(item, form.value(item.key)):
                    if value is not None:
                        totals[component] += value
                        reported[component] += 1
            for component, suffix, pointer, stated in components(item, aggregate.value(item.key)):
                if stated is None and not reported[component]:
                    continue
                computed = totals[component]
                whole = item.in_whole_numbers(component)
                yield _form_base(index, aggregate) | {
                    "kind": "rollup-sum", "loc": f"/values/{item.key}{pointer}", "key": item.key,
                    "label": item.label + suffix, "stated": _scaled(stated, whole) if stated is not None else 0,
                    "computed": _scaled(computed, whole), **_both("stated_shown", stated), **_both("computed_shown", computed),
                    "stated_blank": int(stated is None), "members_reported": reported[component],
                    "members": len(members)}


def _members_not_given(index: int, aggregate: DispatchForm, members: list[str]) -> Missing:
    """Why roll-up ``index`` of the bundle is not compared with its members: none of their forms
    for its month was given, so neither their total nor whether they filed is known. About that roll-up only."""
    return Missing(f"未给出下属单位{'、'.join(members)}{aggregate.month}的调度表，不核对汇总表各项，"
                   f"也不核对下属单位是否报送",
                   f"no form of its members {_listed(members)} for {aggregate.month} was given: the roll-up's "
                   f"items are not checked against their total, nor whether they filed", doc=index)


def _sums_not_checked(index: int, aggregate: DispatchForm, members: list[str]) -> Missing:
    """Why roll-up ``index`` of the bundle is not summed: these members it lists have no form for
    its month among those given (each reported), and what they would add is not known. About that roll-up only."""
    one = len(members) == 1
    return Missing(f"下属单位{'、'.join(members)}没有{aggregate.month}的调度表，汇总表各项不与下属单位合计核对",
                   f"its member{'' if one else 's'} {_listed(members)} {'has' if one else 'have'} no form for "
                   f"{aggregate.month}: the roll-up's items are not checked against its members' total", doc=index)


# ------------------------------------------------------------------ forms against enterprise records


def _month_end(month: str) -> date:
    year, number = parse_year_month(month)
    return date(year, number, calendar.monthrange(year, number)[1])


def _implied(key: str, record: EnterpriseRecord, campaign: tuple[date, date], until: date,
             template: FormTemplate) -> bool | None:
    """Whether a spot-checked enterprise counts towards a section-2 item, by its record as it stood
    on ``until`` (the day the checking unit filed its form for the month of the spot check: what
    it could have found): True, False, or None where it may count (its record does not say, as of
    that day, or the readings of the item differ). Leader-led checks and drills count from the
    campaign's start (``campaign``: its first and last days), as in ``campaign.leader-check`` and
    ``campaign.drill``; disorderly outsourcing as the form's variant defines it (its template's
    ``orderly_outsourcing``, and ``outsourcing_may_count``: conditions whose failure may count)."""
    since = campaign[0]
    if key == "spot_checked":
        return True
    if key == "leader_not_leading_checks":
        # No check at all counts; a whole period missed by then (``campaign.leader-check``) may.
        none = _none_since(record, record.leader_checks, since, until)
        return None if none is not True and _missed_a_period(record, campaign, until) else none
    if key == "drills_missing":
        return _none_since(record, record.drills, since, until)
    if key == "outsourcing_disorder":
        # Without the review by then, the checking unit may still find the disorder on site (附件 注2).
        review = record.outsourcing_review
        if review is None or review.done > until:
            return None
        return review.disorderly(template.orderly_outsourcing, template.outsourcing_may_count)
    if key == "unlicensed_special_work":
        post = record.key_post_review
        return None if post is None or post.done > until or post.unlicensed is None else post.unlicensed > 0
    raise KeyError(key)


def _none_since(record: EnterpriseRecord, dates: tuple[date, ...], since: date, until: date) -> bool | None:
    """Whether none of ``dates`` falls from ``since`` to ``until``; None where none is recorded but
    the record runs only to a day before ``until`` (``as_of``): what came after is not known."""
    if any(since <= d <= until for d in dates):
        return False
    return None if record.as_of is not None and record.as_of < until else True


def _missed_a_period(record: EnterpriseRecord, campaign: tuple[date, date], until: date) -> bool:
    """Whether a period of ``campaign.leader-check`` over by ``until`` holds no leader-led check
    the record gives (missed, or after the day the record runs to: not known either way)."""
    return any(not any(first <= d <= last for d in record.leader_checks)
               for first, last, _, _ in _leader_periods(record, *campaign) if last <= until)


def _bounds_shown(lower: int, upper: int, at_least: bool) -> tuple[str, str]:
    """What the records give, as messages show it in Chinese and in English: one number where the
    bounds meet, the range otherwise; the least for a count the records hold only part of."""
    if at_least:
        return f"不少于{lower}", f"at least {lower}"
    if lower == upper:
        return str(lower), str(lower)
    return f"{lower}至{upper}", f"between {lower} and {upper}"


def forms_against_records(bundle: Bundle, params: Params) -> Built:
    """``record-count``: a unit's section-2 counts against the records of the enterprises it
    spot-checked, one record each. An enterprise given several records (names matched by
    :func:`forms.plan.name_key`) is not counted twice, nor by a record picked among them: the forms
    its records feed are not compared, a reason each of those forms' reports lists. A spot check in
    a month before the campaign's is counted in no form (forms count the campaign to date): a
    reason each form it would have fed lists."""
    given = [r for _, r in _records(bundle)]
    records = [r for r in given if r.spot_check is not None]
    if not records:
        yield NO_SPOT_CHECK_RECORDS
        return
    campaign = _date(params, "campaign_start"), _date(params, "campaign_end")
    first = _index_of(campaign[0].year, campaign[0].month)
    repeated = _repeated_enterprises(given)
    # A unit with records given is judged by them in every month, one before its first spot check too.
    checking = {name_key(r.spot_check.by) for r in records if r.spot_check is not None}
    filed = _filed_on([(i, f) for i, f in _forms(bundle) if name_key(f.unit) in checking])
    for index, form in _forms(bundle):
        if (unit := name_key(form.unit)) not in checking:
            # The bundle holds no record of this unit's spot checks: its counts are unknown, not 0.
            yield _spot_checked_by_none(index, form.unit)
            continue
        mine = [r for r in records if r.spot_check is not None and name_key(r.spot_check.by) == unit
                and _month_index(r.spot_check.month) <= _month_index(form.month)]
        if repeated and (unsure := sorted({repeated[k] for r in mine if (k := name_key(r.enterprise)) in repeated})):
            yield _several_records(index, unsure)  # which of its records holds is not known: never guessed
            continue
        if before := [r for r in mine if r.spot_check is not None and _month_index(r.spot_check.month) < first]:
            yield _spot_checked_before(index, before, campaign[0])
            mine = [r for r in mine if r not in before]
        template = load_template(form.variant)
        for key in IMPLIED_BY_RECORDS:
            stated = form.value(key)
            if stated is not None and not isinstance(stated, int):
                raise unread_value(key, stated, "a whole number")
            # Judged as of each spot check, so a count stays put in later (cumulative) forms.
            each = [_implied(key, r, campaign, _seen_on(form, r.spot_check.month, filed), template)
                    for r in mine if r.spot_check is not None]
            lower, upper = each.count(True), len(each) - each.count(False)
            at_least = key in AT_LEAST_BY_RECORDS
            shown, shown_en = _bounds_shown(lower, upper, at_least)
            yield _form_base(index, form) | {
                "kind": "record-count", "loc": f"/values/{key}", "key": key, "label": template.item(key).label,
                "stated": stated if isinstance(stated, int) else 0,
                "stated_blank": int(not isinstance(stated, int)), "lower": lower, "upper": upper,
                "implied_zh": shown, "implied_en": shown_en, "records": len(mine), "at_least": int(at_least)}


def _repeated_enterprises(records: list[EnterpriseRecord]) -> dict[str, tuple[str, int]]:
    """The enterprises given more than one record, by :func:`forms.plan.name_key`: the name shown
    and how many records. The name shown is written as its key where one record does (no stray
    space), else the first in sorted order: never the order the records were given in."""
    names: dict[str, list[str]] = defaultdict(list)
    for record in records:
        names[name_key(record.enterprise)].append(record.enterprise)
    return {key: (_name_shown(written), len(written)) for key, written in names.items() if len(written) > 1}


def _spot_checked_by_none(index: int, unit: str) -> Missing:
    """Why form ``index`` of the bundle is not compared with the records: no record names its
    unit as the one that spot-checked it. About that form only."""
    return Missing(f"没有企业台账注明由{unit}抽查（spot_check.by），本表抽查检查家数不与台账核对",
                   f"no enterprise record names {unit} as the unit that spot-checked it (spot_check.by), so "
                   f"this form's spot-check counts are not compared with the records", doc=index)


def _several_records(index: int, enterprises: list[tuple[str, int]]) -> Missing:
    """Why form ``index`` of the bundle is not compared with the records: these enterprises it
    counts have several records each (name, how many). About that form only."""
    zh = "、".join(f"{name}有{count}份" for name, count in enterprises)
    en = ", ".join(f"{name}: {count} records" for name, count in enterprises)
    return Missing(f"同一企业给出了多份台账（{zh}），不知以哪份为准，本表抽查检查家数不与台账核对",
                   f"an enterprise was given several records ({en}); which one holds is not known, so this "
                   f"form's spot-check counts are not compared with the records", doc=index)


def _spot_checked_before(index: int, records: list[EnterpriseRecord], start: date) -> Missing:
    """Why form ``index`` of the bundle does not count these records: each was spot-checked in a
    month before the campaign began (on ``start``). About that form only."""
    checks = sorted((r.enterprise, r.spot_check.month) for r in records if r.spot_check is not None)
    zh = "、".join(f"{name}（{month}抽查）" for name, month in checks)
    en = ", ".join(f"{name} (spot-checked in {month})" for name, month in checks)
    return Missing(f"抽查月份早于专项行动开始（{start.isoformat()}）的台账不计入调度表：{zh}，不与本表核对",
                   f"records spot-checked in a month before the campaign began ({start.isoformat()}) are counted "
                   f"in no form: {en} is not compared with this form", doc=index)


def _filed_on(forms: list[tuple[int, DispatchForm]]) -> dict[tuple[str, str], date]:
    """The day each unit (by :func:`forms.plan.name_key`) filed its form for a month (the form that
    counts, if filed twice), where that day falls within the month (see :func:`_filed_within`)."""
    by_month: dict[tuple[str, str], list[tuple[int, DispatchForm]]] = defaultdict(list)
    for index, form in forms:
        by_month[(name_key(form.unit), form.month)].append((index, form))
    filed = {}
    for (unit, month), same in by_month.items():
        if (day := _filed_within(_counted(same)[1])) is not None:
            filed[(unit, month)] = day
    return filed


def _filed_within(form: DispatchForm) -> date | None:
    """The day a form was filed, where that falls within its month: a form filed by the 28th
    cannot report what happened after. None for a form dated outside its month, or not dated."""
    day = form.submitted
    return day if day is not None and f"{day:%Y-%m}" == form.month else None


def _seen_on(form: DispatchForm, month: str, filed: dict[tuple[str, str], date]) -> date:
    """The day ``form`` judges an enterprise spot-checked in ``month`` as of: its own filing day
    for its own month (a form filed again is judged as of its own day), else the day the unit's
    form for that month was filed; that month's end where neither is known."""
    day = _filed_within(form) if month == form.month else filed.get((name_key(form.unit), month))
    return day or _month_end(month)


# ------------------------------------------------------------------ enterprise records


Periods = list[tuple[date, date, str, str]]  # (first day, last day, named in Chinese, in English)


def _quarters(start: date, end: date) -> Periods:
    periods = []
    year, quarter = start.year, (start.month - 1) // 3
    while date(year, quarter * 3 + 1, 1) <= end:
        first = max(start, date(year, quarter * 3 + 1, 1))
        last_month = quarter * 3 + 3
        last = min(end, date(year, last_month, calendar.monthrange(year, last_month)[1]))
        periods.append((first, last, f"{year}年第{quarter + 1}季度", f"Q{quarter + 1} {year}"))
        year, quarter = (year + 1, 0) if quarter == 3 else (year, quarter + 1)
    return periods


def _months(start: date, end: date) -> Periods:
    periods = []
    year, month = start.year, start.month
    while date(year, month, 1) <= end:
        first = max(start, date(year, month, 1))
        last = min(end, date(year, month, calendar.monthrange(year, month)[1]))
        periods.append((first, last, f"{year}年{month}月", f"{year}-{month:02d}"))
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return periods


def _half_years(start: date, end: date) -> Periods:
    periods = []
    for year in range(start.year, end.year + 1):
        for first, last, zh, en in ((date(year, 1, 1), date(year, 6, 30), "上半年", "the first half"),
                                    (date(year, 7, 1), date(year, 12, 31), "下半年", "the second half")):
            if first <= end and last >= start:
                periods.append((max(first, start), min(last, end), f"{year}年{zh}", f"{en} of {year}"))
    return periods


def _due(record: EnterpriseRecord, last: date) -> bool:
    """A period is due once the record runs past its end (a record without ``as_of`` is final)."""
    return record.as_of is None or record.as_of >= last


def _leader_periods(record: EnterpriseRecord, start: date, end: date) -> Periods:
    """The periods from ``start`` to ``end`` each needing a check led by the main leader: quarters,
    months if high-risk, the first from the campaign's start."""
    return (_months if record.high_risk else _quarters)(start, end)


def _periodic(bundle: Bundle, params: Params, kind: str, dates_of: Callable[[EnterpriseRecord], tuple[date, ...]],
              periods_of: Callable[[EnterpriseRecord, date, date], Periods], duty: tuple[str, str]) -> Built:
    """Facts of ``kind``: how often ``duty`` (in Chinese, in English) was done in each period. A
    period not over by the day a record runs to is judged only where the duty is done already
    (it passes whatever follows); else it is not yet due, a reason that record's report lists."""
    records = _records(bundle)
    if not records:
        yield NO_RECORDS
    start, end = _date(params, "campaign_start"), _date(params, "campaign_end")
    for index, record in records:
        pending: Periods = []
        for first, last, zh, en in periods_of(record, start, end):
            done = sum(1 for d in dates_of(record) if first <= d <= last)
            if not done and not _due(record, last):
                pending.append((first, last, zh, en))
                continue
            yield {"kind": kind, "doc": index, "loc": "", "enterprise": record.enterprise, "high_risk": int(record.high_risk),
                   "period_zh": f"{zh}（{first:%m-%d}至{last:%m-%d}）", "period_en": f"{en} ({first:%m-%d} to {last:%m-%d})",
                   "period_start": first.isoformat(), "period_end": last.isoformat(), "done": done}
        if pending:
            yield _periods_not_over(index, record, pending, duty)


def _periods_not_over(index: int, record: EnterpriseRecord, periods: Periods, duty: tuple[str, str]) -> Missing:
    """Why ``duty`` is not checked in these periods for record ``index`` of the bundle: none is
    over by the day the record runs to, and the duty is not yet done in them. About that record only."""
    assert record.as_of is not None  # a final record has every period due
    zh = "、".join(f"{name}（{first:%m-%d}至{last:%m-%d}）" for first, last, name, _ in periods)
    en = _listed([f"{name} ({first:%m-%d} to {last:%m-%d})" for first, last, _, name in periods])
    one = len(periods) == 1
    return Missing(f"台账截至{record.as_of.isoformat()}，{zh}尚未结束：其间的{duty[0]}未到期，不作检查",
                   f"the record runs to {record.as_of.isoformat()} and {en} {'is' if one else 'are'} not over: "
                   f"the {duty[1]}{'' if one else 's'} due in {'it' if one else 'them'} {'is' if one else 'are'} not yet due "
                   f"and not checked",
                   doc=index)


def leader_checks(bundle: Bundle, params: Params) -> Built:
    """``leader-check-period``: checks led by the main leader in each quarter (each month if high-risk).
    The first period runs from the campaign's start, so a partial first quarter still needs its check."""
    for fact in _periodic(bundle, params, "leader-check-period", lambda r: r.leader_checks, _leader_periods,
                          ("主要负责人带队检查", "leader-led check")):
        yield fact if isinstance(fact, Missing) else fact | {"loc": "/leader_checks"}


def drills(bundle: Bundle, params: Params) -> Built:
    """``drill-period``: drills in the campaign (each half-year if high-risk)."""
    def periods(record: EnterpriseRecord, start: date, end: date) -> Periods:
        return _half_years(start, end) if record.high_risk else [(start, end, "专项行动期间", "the campaign")]

    for fact in _periodic(bundle, params, "drill-period", lambda r: r.drills, periods, ("应急演练", "drill")):
        yield fact if isinstance(fact, Missing) else fact | {"loc": "/drills"}


def deferred_hazards(bundle: Bundle, params: Params) -> Built:
    """``deferred-hazard``: a hazard not rectified the day it was found needs its five elements and,
    if the enterprise found it itself (``report_owed``), a report to the supervising department.
    A report owed but not recorded (``reported_blank``) is not read as none: the hazard's five
    elements are still checked, its report is not, a reason that record's report alone lists."""
    records = _records(bundle)
    if not records:
        yield NO_RECORDS
    names = {"responsible": "责任人", "measures": "措施", "funds": "资金", "deadline": "期限", "emergency_plan": "应急预案"}
    for index, record in records:
        unrecorded: list[tuple[int, str]] = []
        for k, hazard in enumerate(record.hazards):
            if hazard.rectified == hazard.found:
                continue  # rectified at once (the loader refuses a day before it was found)
            missing = hazard.deferred.missing if hazard.deferred else tuple(names)
            owed = hazard.found_by is FoundBy.SELF
            if owed and hazard.reported is None:
                unrecorded.append((k, hazard.description))
            yield {"kind": "deferred-hazard", "doc": index, "loc": f"/hazards/{k}", "enterprise": record.enterprise,
                   "hazard": hazard.description, "missing": len(missing),
                   "missing_zh": "、".join(names[m] for m in missing) or "无", "missing_en": ", ".join(missing) or "none",
                   "reported": int(bool(hazard.reported)), "reported_blank": int(hazard.reported is None),
                   "report_owed": int(owed)}
        if unrecorded:
            yield _reports_unrecorded(index, record.enterprise, unrecorded)


def _reports_unrecorded(index: int, enterprise: str, hazards: list[tuple[int, str]]) -> Missing:
    """Why the report of these hazards (index in the ledger, description) of the record ``index``
    of the bundle is not checked: each is owed one, and the record does not say whether it was made."""
    zh = "、".join(f"“{description}”（hazards[{k}]）" for k, description in hazards)
    en = _listed([f"“{description}” (hazards[{k}])" for k, description in hazards])
    if len(hazards) == 1:
        en_said = (f"a hazard it found itself and did not rectify at once was reported (reported), so its report "
                   f"is not checked: {en}")
    else:
        en_said = (f"the hazards it found itself and did not rectify at once were reported (reported), so their "
                   f"report is not checked: {en}")
    return Missing(f"{enterprise}的台账未注明自查发现、未立即整改的隐患是否已报告（reported），不核对其报告：{zh}",
                   f"the record of {enterprise} does not say whether {en_said}", doc=index)


def one_off_tasks(bundle: Bundle, params: Params) -> Built:
    """``one-off-task``: the warning education, the outsourcing review and the key-post review, each
    in the campaign. For a record running to a day before the campaign ends, a task done already is
    judged (it passes); one not yet done in the campaign is not yet due, a reason that record's
    report lists, naming any day it was done before the campaign began (that one does not count,
    and the campaign's may still come: unlike a dated step, done once, a task is owed in the campaign)."""
    records = _records(bundle)
    if not records:
        yield NO_RECORDS
    start, end = _date(params, "campaign_start"), _date(params, "campaign_end")
    for index, record in records:
        final = _due(record, end)
        pending: list[tuple[str, str, tuple[date, ...]]] = []
        tasks = (
            ("warning_education", "全员安全警示教育活动", "the all-staff warning education", record.warning_education),
            ("outsourcing_review", "外包外租全面排查", "the outsourcing and leasing review",
             (record.outsourcing_review.done,) if record.outsourcing_review else ()),
            ("key_post_review", "关键岗位人员全面排查", "the key-post staff review",
             (record.key_post_review.done,) if record.key_post_review else ()),
        )
        for task, zh, en, dates in tasks:
            done = sum(1 for d in dates if start <= d <= end)
            if not done and not final:
                pending.append((zh, en, tuple(sorted(d for d in dates if d < start))))
                continue
            yield {"kind": "one-off-task", "doc": index, "loc": f"/{task}", "enterprise": record.enterprise,
                   "task_zh": zh, "task_en": en, "done": done}
        if pending:
            yield _tasks_not_due(index, record, start, end, pending)


def _listed(names: list[str]) -> str:
    """Names as an English sentence lists them: “a”, “a and b”, “a, b and c”."""
    return names[0] if len(names) == 1 else f"{', '.join(names[:-1])} and {names[-1]}"


def _tasks_not_due(index: int, record: EnterpriseRecord, start: date, end: date,
                   tasks: list[tuple[str, str, tuple[date, ...]]]) -> Missing:
    """Why these one-off tasks (names, and the days any was done before the campaign began on
    ``start``) are not checked for record ``index`` of the bundle: the record runs to a day before
    the campaign ends (on ``end``), and they are not done in it yet. About that record only."""
    assert record.as_of is not None  # a final record has every task due
    zh = "、".join(f"{name}（{'、'.join(d.isoformat() for d in early)}开展，早于行动开始之日{start.isoformat()}）"
                  if early else name for name, _, early in tasks)
    en = _listed([f"{name} (done on {_listed([d.isoformat() for d in early])}, before the campaign began on "
                  f"{start.isoformat()})" if early else name for _, name, early in tasks])
    return Missing(f"台账截至{record.as_of.isoformat()}，专项行动尚未结束（{end.isoformat()}结束）："
                   f"{zh}尚未在行动期间开展，未到期，不作检查",
                   f"the record runs to {record.as_of.isoformat()}, before the campaign ends ({end.isoformat()}): "
                   f"{en} {'is' if len(tasks) == 1 else 'are'} not done in the campaign yet, not yet due and not checked",
                   doc=index)


def _review_not_recorded(index: int, zh: str, en: str, what_zh: str, what_en: str) -> Missing:
    """Why a rule judging what a review found is not checked for record ``index``: the record holds
    no such review (not done yet, or not written down), so what it would have found is not known.
    About that record only; whether the review is owed is ``campaign.one-off-tasks``' finding."""
    return Missing(f"台账未记载{zh}，{what_zh}无从核对", f"the record holds no {en}, so {what_en} cannot be checked",
                   doc=index)


def uncertified_staff(bundle: Bundle, params: Params) -> Built:
    """``uncertified-staff``: the staff the key-post review found working a special-operation post
    without a certificate. A review not recorded, or its number not recorded, is a reason the rule
    is not checked for that record: never read as no one found."""
    records = _records(bundle)
    if not records:
        yield NO_RECORDS
    for index, record in records:
        post = record.key_post_review
        if post is None or post.unlicensed is None:
            yield (_review_not_recorded(index, "关键岗位人员排查", "key-post staff review",
                                        "排查发现的无证上岗人数", "the staff it found working uncertified")
                   if post is None else
                   Missing("台账未记载关键岗位人员排查发现的无证上岗人数（unlicensed），不作核对",
                           "the record does not say how many staff the key-post review found working uncertified "
                           "(unlicensed), so it is not checked", doc=index))
            continue
        yield {"kind": "uncertified-staff", "doc": index, "loc": "/key_post_review/unlicensed",
               "enterprise": record.enterprise, "unlicensed": post.unlicensed}


def contractors_reviewed(bundle: Bundle, params: Params) -> Built:
    """``contractor``: each contractor the outsourcing review found, and whether it is under the
    enterprise's unified management (``unified``). A review not recorded is a reason the rule is not
    checked for that record; one finding no contractors (``contractors: []``) has nothing to judge."""
    records = _records(bundle)
    if not records:
        yield NO_RECORDS
    for index, record in records:
        review = record.outsourcing_review
        if review is None:
            yield _review_not_recorded(index, "外包外租排查", "outsourcing and leasing review",
                                       "承包承租方是否纳入统一管理", "whether its contractors are under unified management")
            continue
        for k, contractor in enumerate(review.contractors):
            yield {"kind": "contractor", "doc": index, "loc": f"/outsourcing_review/contractors/{k}",
                   "enterprise": record.enterprise, "contractor": contractor.name,
                   "unified": int(contractor.unified_management)}


# ------------------------------------------------------------------ dated campaign steps


def milestones(bundle: Bundle, params: Params) -> Built:
    """``milestone``: each dated step of the campaign against its deadline (deadlines are ``due.<step>``
    parameters). A step owed only by units holding a role (the deadline's ``owed_by``) is judged
    for a unit whose record states it holds that role, not for one stating it does not, and is not
    checked for one whose record does not state its roles (a reason that record's report alone
    lists). A step falling due after the day a record runs to (``as_of``) and not recorded is not
    yet due; a step recorded is judged by its date, against its deadline and against the
    campaign's start (``before_start``: done before the campaign existed)."""
    records = [(i, d) for i, d in enumerate(bundle) if isinstance(d, CampaignSteps)]
    if not records:
        yield Missing("没有阶段工作记录", "no record of the campaign's dated steps was given")
        return
    deadlines = {name.removeprefix("due."): value for name, value in params.items() if name.startswith("due.")}
    start = _date(params, "campaign_start")
    known_steps = ", ".join(sorted(deadlines))
    for index, steps in records:
        done: dict[str, tuple[int, date]] = {}
        for k, m in enumerate(steps.milestones):  # a step recorded twice (the loader refuses it): its first date
            if m.step not in done or m.done < done[m.step][1]:
                done[m.step] = (k, m.done)
        for k, milestone in enumerate(steps.milestones):
            if milestone.step not in deadlines:
                yield {"kind": "milestone", "doc": index, "loc": f"/milestones/{k}/step", "unit": steps.unit,
                       "step": milestone.step, "step_zh": milestone.step, "step_en": milestone.step, "due": "",
                       "done": milestone.done.isoformat(), "recorded": 1, "days_late": 0,
                       "before_start": int(milestone.done < start), "known": 0, "known_steps": known_steps}
        unchecked: list[tuple[str, UnitRole]] = []
        pending: list[tuple[str, date]] = []
        for step, due in sorted(deadlines.items()):
            assert isinstance(due, date)
            k, when = done.get(step, (-1, None))
            role = role_owing(params, f"due.{step}")
            if when is None and steps.as_of is not None and due > steps.as_of:
                if role is None or steps.roles is None or role in steps.roles:
                    pending.append((step, due))  # not due by the day the record runs to: not checked
                continue
            if role is not None:
                if steps.roles is None:
                    unchecked.append((step, role))  # whether the unit owes it is not known: never guessed
                    continue
                if role not in steps.roles:
                    continue  # owed by units holding the role, which this one states it does not
            title = title_of(params, f"due.{step}")  # the step in words, where the profile names it
            yield {"kind": "milestone", "doc": index, "loc": f"/milestones/{k}" if when is not None else "/milestones",
                   "unit": steps.unit, "step": step, "step_zh": title.zh if title else step,
                   "step_en": title.en if title else step, "due": due.isoformat(),
                   "done": when.isoformat() if when else "", "recorded": int(when is not None),
                   "days_late": (when - due).days if when else 0, "before_start": int(when is not None and when < start),
                   "known": 1, "known_steps": known_steps}
        if unchecked:
            yield _roles_unstated(index, steps.unit, unchecked)
        if pending:
            yield _steps_not_due(index, steps, params, pending)


def _steps_not_due(index: int, steps: CampaignSteps, params: Params, pending: list[tuple[str, date]]) -> Missing:
    """Why steps falling due after the day record ``index`` runs to (``as_of``), and not recorded,
    are not checked: not yet due. About that record only; in order of deadline."""
    assert steps.as_of is not None  # a final record has every step due
    shown = []
    for step, due in sorted(pending, key=lambda p: (p[1], p[0])):  # by deadline
        title = title_of(params, f"due.{step}")
        day = due.isoformat()
        shown.append((f"{title.zh if title else step}（{day}）", f"{title.en if title else step} ({day})"))
    return Missing(f"阶段工作记录截至{steps.as_of.isoformat()}，{'、'.join(zh for zh, _ in shown)}尚未到期，未记录，不作检查",
                   f"the record runs to {steps.as_of.isoformat()}: {'; '.join(en for _, en in shown)} "
                   f"{'is' if len(shown) == 1 else 'are'} not yet due, not recorded and not checked", doc=index)


def _roles_unstated(index: int, unit: str, steps: list[tuple[str, UnitRole]]) -> Missing:
    """Why steps owed only by units holding a role are not checked for the record ``index`` of the
    bundle (of ``unit``), which does not state its roles: the steps it leaves unchecked (in order of
    step), each with the role owing it. About that record only: its text is its own, whatever
    other records the bundle holds and in whatever order."""
    zh = (f"{unit}的阶段工作记录未注明本单位角色（roles），不核对"
          + "、".join(f"“{step}”（仅由{role.title_zh}承担：{role.value}）" for step, role in steps))
    en = (f"the steps record of {unit} does not state the unit's roles (roles), so "
          + _listed([f"{step} (owed by {role.title_en} only: {role.value})" for step, role in steps])
          + (" is" if len(steps) == 1 else " are") + " not checked")
    return Missing(zh, en, doc=index)


#: Campaign fact kinds: the builder that makes each (one builder may make several kinds), the
#: fields its facts carry and the parameters it reads. ``…_shown`` fields are figures as messages
#: show them, in Chinese and (``…_shown_en``) English.
_PERIOD = ("enterprise", "high_risk", "period_zh", "period_en", "period_start", "period_end", "done")
_PERIOD_TEXTS = ("enterprise", "period_zh", "period_en", "period_start", "period_end")
_CAMPAIGN_READS = {"campaign_start": DATE_UNIT, "campaign_end": DATE_UNIT}
_SERIES_READS = {"first_report_month": DATE_UNIT, "campaign_end": DATE_UNIT}  # the months a unit's series is due for
FORMS, FORMS_AND_RECORDS = ("dispatch-form",), ("dispatch-form", "enterprise-record")  # what comparisons read
CAMPAIGN_FACT_KINDS: dict[str, FactKind] = {
    # A form has 3 rectified-found and 9 (Chongming) or 11 (Linyi) part-whole facts: packed, a
    # form's facts of each kind travel to durable-rules as one fact.
    "rectified-found": FactKind(rectified_within_found, ("unit", "month", "key", "label_zh", "label_en", "rectified",
                                                         "found", "found_blank"), pack=3,
                                texts=("unit", "month", "key", "label_zh", "label_en"),
                                blank_when={"found": "found_blank"}, item_keys=("key",)),
    # ``whole_key``: the item whose figure is the whole (the item itself, ``spot_checked`` for a finding,
    # ``penalties`` for double penalties).
    "part-whole": FactKind(part_within_whole, ("unit", "month", "key", "whole_key", "part", "whole", "whole_blank",
                                               "part_shown", "part_shown_en", "whole_shown", "whole_shown_en",
                                               "part_name", "part_name_en", "whole_name", "whole_name_en"), pack=12,
                           texts=("unit", "month", "key", "whole_key", "part_shown", "part_shown_en",
                                  "whole_shown", "whole_shown_en", "part_name", "part_name_en", "whole_name",
                                  "whole_name_en"),
                           shown_as={"part": "part_shown", "whole": "whole_shown"}, item_keys=("key", "whole_key")),
    "penalty-amount": FactKind(part_within_whole, ("unit", "month", "amount", "count", "count_blank"),
                               shown_as={"amount": "amount"}, blank_when={"count": "count_blank"},
                               texts=("unit", "month", "amount")),
    "series-step": FactKind(cumulative_series, ("unit", "month", "key", "label", "previous_month", "previous", "current",
                                                "current_blank", "previous_shown", "previous_shown_en",
                                                "current_shown", "current_shown_en"),
                            reads=_SERIES_READS, compares_documents=FORMS,
                            shown_as={"previous": "previous_shown", "current": "current_shown"},
                            texts=("unit", "month", "key", "label", "previous_month", "previous_shown",
                                   "previous_shown_en", "current_shown", "current_shown_en"), item_keys=("key",)),
    "series-gap": FactKind(cumulative_series, ("unit", "month", "missing_month"), reads=_SERIES_READS,
                           compares_documents=FORMS, texts=("unit", "month", "missing_month")),
    "series-duplicate": FactKind(cumulative_series, ("unit", "month", "forms"), reads=_SERIES_READS,
                                 compares_documents=FORMS, texts=("unit", "month")),
    # ``held``: 1 where the form is held to the submission day (a roll-up only where its campaign says so).
    # ``early``: dated before the month began; ``before_start``: before the campaign began, where that
    # is later (a campaign month's form reports the campaign to date). One or the other, never both.
    "submission": FactKind(submissions, ("unit", "month", "due", "submitted", "dated", "days_late", "early",
                                         "before_start", "in_campaign", "first_month", "last_month", "held"),
                           reads={"submission_day": "day of month", "rollups_held_to_submission_day": "yes (1) or no (0)",
                                  "campaign_start": DATE_UNIT, **_SERIES_READS},
                           blank_unless={"submitted": ("dated",), "days_late": ("dated",)},
                           texts=("unit", "month", "due", "submitted", "first_month", "last_month")),
    "rollup-sum": FactKind(rollups, ("unit", "month", "key", "label", "stated", "computed", "stated_blank",
                                     "members_reported", "members", "stated_shown", "stated_shown_en",
                                     "computed_shown", "computed_shown_en"), compares_documents=FORMS,
                           shown_as={"stated": "stated_shown", "computed": "computed_shown"},
                           texts=("unit", "month", "key", "label", "stated_shown", "stated_shown_en",
                                  "computed_shown", "computed_shown_en"), item_keys=("key",)),
    "rollup-member": FactKind(rollups, ("unit", "month", "member", "present"), compares_documents=FORMS,
                              texts=("unit", "month", "member")),
    # ``lower``: the enterprises that count; ``upper``: those and the ones that may (``implied_zh``/``_en``
    # shows both); ``at_least``: 1 where the item counts more than records hold (``upper`` binds nothing).
    "record-count": FactKind(forms_against_records, ("unit", "month", "key", "label", "stated", "stated_blank",
                                                     "lower", "upper", "implied_zh", "implied_en", "records",
                                                     "at_least"),
                             reads=_CAMPAIGN_READS, compares_documents=FORMS_AND_RECORDS, blank_when={"stated": "stated_blank"},
                             texts=("unit", "month", "key", "label", "implied_zh", "implied_en"), item_keys=("key",)),
    "leader-check-period": FactKind(leader_checks, _PERIOD, reads=_CAMPAIGN_READS, texts=_PERIOD_TEXTS),
    "drill-period": FactKind(drills, _PERIOD, reads=_CAMPAIGN_READS, texts=_PERIOD_TEXTS),
    # ``report_owed``: 1 where the enterprise found the hazard itself; one a department's check found
    # is known to the supervisors already (the duty to report sits in the enterprise's 自查自改).
    # ``reported_blank``: 1 where the record does not say whether it was reported (not “not reported”).
    "deferred-hazard": FactKind(deferred_hazards, ("enterprise", "hazard", "missing", "missing_zh", "missing_en",
                                                   "reported", "reported_blank", "report_owed"),
                                blank_when={"reported": "reported_blank"},
                                texts=("enterprise", "hazard", "missing_zh", "missing_en")),
    "one-off-task": FactKind(one_off_tasks, ("enterprise", "task_zh", "task_en", "done"),
                             reads=_CAMPAIGN_READS, texts=("enterprise", "task_zh", "task_en")),
    "uncertified-staff": FactKind(uncertified_staff, ("enterprise", "unlicensed"), texts=("enterprise",)),
    "contractor": FactKind(contractors_reviewed, ("enterprise", "contractor", "unified"), texts=("enterprise", "contractor")),
    # Deadlines are the profile's ``due.<step>`` parameters, however many it has (the family ``due.*``).
    # ``step_zh``/``step_en``: the step in words, from its deadline's title in the profile (else its name).
    # A deadline may be owed only by units holding a role (its ``owed_by``). ``before_start``: done
    # before the campaign began.
    "milestone": FactKind(milestones, ("unit", "step", "step_zh", "step_en", "due", "done", "recorded", "days_late",
                                       "before_start", "known", "known_steps"),
                          reads={"due.*": DATE_UNIT, "campaign_start": DATE_UNIT}, scoped_by_role=("due.*",),
                          blank_unless={"due": ("known",), "done": ("recorded",), "days_late": ("recorded", "known")},
                          texts=("unit", "step", "step_zh", "step_en", "due", "done", "known_steps")),
}
