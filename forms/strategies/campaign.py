"""Strategies for a hazard-rectification campaign's documents.

``campaign_bundles(profile)`` generates one campaign's documents that satisfy every rule of the
profile: a reporting unit's monthly series of dispatch forms, backed by the records of the
enterprises it spot-checked; a township's aggregate form for each month with its members' series;
and the unit's record of the campaign's dated steps (stating its roles, perhaps running only to a
day). ``CAMPAIGN_MUTATIONS`` maps each campaign rule
to a targeted change that breaks that rule and no other, ``ALTERNATIVE_MUTATIONS`` each way a rule
is violated (:data:`~forms.strategies.plan.Way`); changes to enterprise records restate the counts
the unit's forms derive from them (:func:`restated`), as plan mutations restate totals.
"""

from __future__ import annotations

import calendar
from collections.abc import Callable, Mapping
from datetime import date, timedelta
from decimal import Decimal
from typing import Literal

import attrs
from hypothesis import strategies as st

from forms.convert import Document
from forms.dispatch import CountAmount, DispatchForm, FormTemplate, FormValue, ItemShape, WholePart, load_template
from forms.plan import name_key
from forms.records import (
    CampaignSteps,
    Contractor,
    DeferredPlan,
    EnterpriseRecord,
    FoundBy,
    Hazard,
    KeyPostReview,
    Milestone,
    OutsourcingReview,
    SpotCheck,
    UnitRole,
)
from forms.strategies.plan import Way

#: Pairs where the second figure may not exceed the first, in any month and summed over months.
BOUNDED_BY = {"self_rectified": "self_found", "department_rectified": "department_found",
              "supervised_rectified": "supervised_found"}
#: Section-2 counts a unit's forms must derive from the records of the enterprises it spot-checked.
DERIVED_FROM_RECORDS = ("spot_checked", "leader_not_leading_checks", "drills_missing", "outsourcing_disorder",
                        "unlicensed_special_work")
#: Of those, the counts records give only the least of (the form's item also counts what no record
#: holds): a form may state more.
AT_LEAST_FROM_RECORDS = ("drills_missing", "unlicensed_special_work")
#: The unit that spot-checks the enterprises, the township rolling up its members' forms, and those
#: members. A name holding brackets is written either width from one document to the next (:func:`spelled`).
REPORTING_UNIT = "区应急局（区安委办）"
TOWNSHIP = "新河镇"
MEMBER_UNITS = ("竖新镇", "港沿镇（港西村）")
_HALF_WIDTH = str.maketrans("（）", "()")


def spelled(name: str) -> st.SearchStrategy[str]:
    """``name`` as one document of a unit writes it: its brackets full-width, or half-width, as a
    clerk types them (documents are matched by :func:`forms.plan.name_key`, which reads both alike)."""
    return st.sampled_from([name, name.translate(_HALF_WIDTH)])


@attrs.frozen
class CampaignFacts:
    """What a generator needs to know of a campaign profile: its variant, months and deadlines, and
    the role owing each step that only units holding a role owe."""

    id: str
    variant: str
    start: date
    end: date
    first_month: date
    submission_day: int
    deadlines: dict[str, date]
    owed_by: dict[str, UnitRole] = attrs.field(factory=dict)

    def owes(self, steps: CampaignSteps, step: str) -> bool:
        """Whether the unit of ``steps`` owes ``step``: every unit does, unless only units holding a
        role do (then only if its record states that role)."""
        role = self.owed_by.get(step)
        return role is None or role in (steps.roles or ())


def campaign_facts(profile_id: str) -> CampaignFacts:
    from rulebook import load_rulebook  # imported late: rulebook itself reads files with forms

    profile = load_rulebook().profile(profile_id)
    values = {name: value.value for name, value in profile.parameters.items()}
    variant = next(v for v in ("chongming-2023", "linyi-lingang-2023") if load_template(v).profile == profile_id)

    def day(name: str) -> date:
        value = values[name]
        assert isinstance(value, date), name
        return value

    return CampaignFacts(
        id=profile_id, variant=variant, start=day("campaign_start"), end=day("campaign_end"),
        first_month=day("first_report_month"), submission_day=int(values["submission_day"]),  # type: ignore[arg-type]
        deadlines={name.removeprefix("due."): day(name) for name in values if name.startswith("due.")},
        owed_by={name.removeprefix("due."): value.owed_by.role for name, value in profile.parameters.items()
                 if name.startswith("due.") and value.owed_by is not None})


@attrs.frozen
class CampaignBundle:
    """One campaign's documents, kept apart by role so that mutations can target each."""

    profile: str
    variant: str
    unit_forms: tuple[DispatchForm, ...]  #: The reporting unit's monthly series
    member_forms: tuple[DispatchForm, ...]  #: The township's member units, every month
    aggregate_forms: tuple[DispatchForm, ...]  #: The township's roll-up, every month
    records: tuple[EnterpriseRecord, ...]  #: Enterprises the reporting unit spot-checked
    steps: CampaignSteps

    @property
    def documents(self) -> tuple[Document, ...]:
        """All of them, as :func:`engine.check_documents` takes them."""
        return (*self.unit_forms, *self.member_forms, *self.aggregate_forms, *self.records, self.steps)

    @property
    def forms(self) -> tuple[DispatchForm, ...]:
        """Every dispatch form, in the order :attr:`documents` gives them."""
        return (*self.unit_forms, *self.member_forms, *self.aggregate_forms)

    def not_checked(self) -> list[set[str]]:
        """The rules each of :attr:`documents` leaves not checked, checked together:
        ``form.matches-records`` on the forms of units no record names as spot-checking (the
        members' and the roll-up), on each form what ``forms_not_checked`` says, on each record what
        ``not_checked_on`` says, and on the steps what ``steps_not_checked`` says."""
        campaign = campaign_facts(self.profile)
        unnamed = {"form.matches-records"}
        owed = forms_not_checked(self.forms, campaign)
        return [*owed[:len(self.unit_forms)], *(unnamed | rules for rules in owed[len(self.unit_forms):]),
                *(not_checked_on(record, campaign) for record in self.records), steps_not_checked(self.steps, campaign)]

    def not_checked_alone(self) -> list[set[str]]:
        """The rules each of :attr:`documents` leaves not checked, each checked on its own (as
        :func:`engine.check_many` checks them): on a form, ``form.matches-records`` (no record
        given), ``form.rollup`` (no roll-up, or none of its members' forms, given) and what
        ``forms_not_checked`` says of it alone; a record and the steps as together."""
        campaign = campaign_facts(self.profile)
        alone = {"form.matches-records", "form.rollup"}
        return [*(alone | forms_not_checked((form,), campaign)[0] for form in self.forms),
                *(not_checked_on(record, campaign) for record in self.records), steps_not_checked(self.steps, campaign)]


def forms_not_checked(forms: tuple[DispatchForm, ...], campaign: CampaignFacts) -> list[set[str]]:
    """The rules each of ``forms`` (checked together) leaves not checked for want of forms not given:
    ``form.cumulative-nondecreasing`` on a unit's latest form where months are due before its
    earliest (whether it filed them is not known) that no roll-up shows missing (one listing the
    unit beside another member's form of that month: form.rollup's finding), ``form.rollup`` on a
    roll-up listing a member with no form for its month."""
    rules: list[set[str]] = [set() for _ in forms]
    series: dict[str, list[int]] = {}
    for k, form in enumerate(forms):
        series.setdefault(name_key(form.unit), []).append(k)
    on_file = {(name_key(form.unit), form.month) for form in forms}
    shown_missing = {(name_key(member), form.month) for form in forms  # generated roll-ups never list themselves
                     if any((name_key(m), form.month) in on_file for m in form.members)
                     for member in form.members if (name_key(member), form.month) not in on_file}
    for key, indexes in series.items():
        earliest, month = min(forms[k].month for k in indexes), campaign.first_month
        not_given = []
        while f"{month:%Y-%m}" < earliest:
            if (key, f"{month:%Y-%m}") not in shown_missing:
                not_given.append(month)
            month = _next_month(month)
        if not_given:
            rules[max(indexes, key=lambda k: forms[k].month)].add("form.cumulative-nondecreasing")
    for k, form in enumerate(forms):
        if any((name_key(member), form.month) not in on_file for member in form.members):
            rules[k].add("form.rollup")
    return rules


def steps_not_checked(steps: CampaignSteps, campaign: CampaignFacts) -> set[str]:
    """``campaign.phase-deadlines`` where a step the unit owes falls due after the day its record runs
    to (``as_of``) and is not recorded: not yet due, so not checked."""
    recorded = {m.step for m in steps.milestones}
    pending = [step for step, due in campaign.deadlines.items() if step not in recorded
               and steps.as_of is not None and due > steps.as_of
               and (steps.roles is None or campaign.owes(steps, step))]  # roles unstated: not checked either way
    return {"campaign.phase-deadlines"} if pending else set()


def not_checked_on(record: EnterpriseRecord, campaign: CampaignFacts) -> set[str]:
    """The rules a record leaves not checked: what ``not_yet_due`` says, and the rules judging what a
    review found where the record holds no such review (or, for the key-post review, no number)."""
    posts = record.key_post_review
    return (not_yet_due(record, campaign)
            | ({"campaign.uncertified-special-work"} if posts is None or posts.unlicensed is None else set())
            | ({"campaign.contractor-outside-management"} if record.outsourcing_review is None else set()))


def not_yet_due(record: EnterpriseRecord, campaign: CampaignFacts) -> set[str]:
    """The rules a record running to a day before a period ends (``as_of``) leaves not checked: those
    with a period (the campaign, for the one-off tasks) not over by then and its duty not done in it."""
    as_of = record.as_of
    if as_of is None:
        return set()

    def waiting(dates: tuple[date, ...], periods: list[tuple[date, date]]) -> bool:
        return any(as_of < last and not any(first <= d <= last for d in dates) for first, last in periods)

    start, end = campaign.start, campaign.end
    review, posts = record.outsourcing_review, record.key_post_review
    tasks = (record.warning_education, (review.done,) if review else (), (posts.done,) if posts else ())
    rules = {"campaign.leader-check": waiting(record.leader_checks, _periods(start, end, 1 if record.high_risk else 3)),
             "campaign.drill": waiting(record.drills, _periods(start, end, 6) if record.high_risk else [(start, end)]),
             "campaign.one-off-tasks": any(waiting(dates, [(start, end)]) for dates in tasks)}
    return {rule for rule, waits in rules.items() if waits}


# ---------------------------------------------------------------- calendar helpers


def _month_end(day: date) -> date:
    return day.replace(day=calendar.monthrange(day.year, day.month)[1])


def _next_month(day: date) -> date:
    return (day.replace(day=28) + timedelta(days=4)).replace(day=1)


def _periods(start: date, end: date, months: int) -> list[tuple[date, date]]:
    """``start``–``end`` cut at calendar boundaries every ``months`` months (1, 3 or 6)."""
    periods = []
    first = start
    while first <= end:
        boundary = date(first.year, (first.month - 1) // months * months + 1, 1)
        for _ in range(months):
            boundary = _next_month(boundary)
        last = min(end, boundary - timedelta(days=1))
        periods.append((first, last))
        first = boundary
    return periods


def dates_between(first: date, last: date) -> st.SearchStrategy[date]:
    return st.dates(min_value=first, max_value=last)


def on_time_filing_day(campaign: CampaignFacts, month: date) -> st.SearchStrategy[date]:
    """A day a form for ``month`` is filed on time: in that month, by the due day, not before the
    campaign began (a form reports the campaign's month)."""
    return dates_between(max(month, campaign.start), month.replace(day=campaign.submission_day))


# ---------------------------------------------------------------- enterprise records


@st.composite
def managed_contractors(draw: st.DrawFn, n: int) -> tuple[Contractor, ...]:
    """Contractors under the enterprise's unified management (``campaign.contractor-outside-management``),
    each other condition drawn: disorderly outsourcing is for the forms to count."""
    return tuple(Contractor(name=f"承包方{k + 1}", qualified=draw(st.booleans()), agreement=draw(st.booleans()),
                            clear_responsibilities=draw(st.booleans()), unified_management=True,
                            safety_briefing=draw(st.booleans()))
                 for k in range(n))


@st.composite
def hazards(draw: st.DrawFn, start: date, end: date, deferred: bool | None = None) -> Hazard:
    """A hazard rectified the day it was found, or (``deferred``; drawn where None) a deferred one with
    its five elements, reported if the enterprise found it itself (and perhaps rectified since, by
    ``end``). Where no report is owed, whether one was made is drawn, perhaps not recorded."""
    found = draw(dates_between(start, end))
    if not (draw(st.booleans()) if deferred is None else deferred):
        return Hazard(description="消防通道堵塞", found_by=draw(st.sampled_from(FoundBy)), found=found, rectified=found,
                  reported=draw(st.sampled_from([True, False, None])))
    plan = DeferredPlan(responsible="安全科科长", measures="更换老化管线", funds="20万元",
                        deadline=found + timedelta(days=30), emergency_plan="泄漏处置预案")
    later = st.none() if found == end else st.none() | dates_between(found + timedelta(days=1), end)
    found_by = draw(st.sampled_from(FoundBy))
    return Hazard(description="液氨管线腐蚀", found_by=found_by, found=found, rectified=draw(later), deferred=plan,
                  reported=True if found_by is FoundBy.SELF else draw(st.sampled_from([True, False, None])))


@st.composite
def hazard_ledgers(draw: st.DrawFn, start: date, end: date, a_deferred_one: bool = False) -> tuple[Hazard, ...]:
    """Up to two hazards found between ``start`` and ``end``; with ``a_deferred_one``, one or two, one
    of them deferred (in either place)."""
    if not a_deferred_one:
        return tuple(draw(st.lists(hazards(start, end), max_size=2)))
    ledger = [draw(hazards(start, end, deferred=True)), *draw(st.lists(hazards(start, end), max_size=1))]
    return tuple(draw(st.permutations(ledger)))


@st.composite
def enterprise_records(draw: st.DrawFn, campaign: CampaignFacts, number: int, spot_month: date,
                       final: bool = True, shows_all: bool = False) -> EnterpriseRecord:
    """An enterprise that met every campaign duty: a leader-led check in every quarter (month if
    high-risk), drills, the warning education and both reviews within the campaign; perhaps a
    check, a drill and a warning education before it (which count for nothing). Unless ``final``, the record may run
    only to a day (``as_of``) after the month it was spot-checked: it then holds what was done by
    that day, every period over by then done. A record that ``shows_all`` has at least one contractor
    and one deferred hazard, so that every rule judging a record has something to judge."""
    high_risk = draw(st.booleans())
    start, end = campaign.start, campaign.end
    as_of = None if final or not draw(st.booleans()) else draw(dates_between(_month_end(spot_month), end))
    until = as_of or end

    def each(periods: list[tuple[date, date]]) -> tuple[date, ...]:
        return tuple(draw(dates_between(a, min(b, until))) for a, b in periods if a <= until)

    before = (start - timedelta(days=draw(st.integers(1, 20))),) if draw(st.booleans()) else ()
    leader_checks = (*before, *each(_periods(start, end, 1 if high_risk else 3)))
    drills = (*before, *each(_periods(start, end, 6) if high_risk else [(start, end)]))
    outsourcing = OutsourcingReview(done=draw(dates_between(start, until)),
                                    contractors=draw(managed_contractors(draw(st.integers(int(shows_all), 2)))))
    # No one uncertified (campaign.uncertified-special-work), or the number not recorded (that rule
    # then not checked for the record: not so where the record shows all).
    key_posts = KeyPostReview(done=draw(dates_between(start, until)),
                              unlicensed=0 if shows_all else draw(st.sampled_from([0, None])))
    return EnterpriseRecord(
        enterprise=f"企业{number:02d}有限公司", sector=draw(st.sampled_from(["危险化学品", "工贸", "建筑施工", "燃气"])),
        high_risk=high_risk, profile=campaign.id, leader_checks=leader_checks, drills=drills,
        warning_education=(*before, draw(dates_between(start, until))), outsourcing_review=outsourcing, key_post_review=key_posts,
        hazards=draw(hazard_ledgers(start, until, shows_all)),
        spot_check=SpotCheck(by=draw(spelled(REPORTING_UNIT)), month=f"{spot_month:%Y-%m}"), as_of=as_of)


def _judged(record: EnterpriseRecord, campaign: CampaignFacts, seen: date,
            outsourcing: tuple[tuple[str, ...], tuple[str, ...]]) -> dict[str, bool | None]:
    """Whether the enterprise of ``record``, judged as of ``seen``, counts towards each section-2
    count: True, False, or None where it may (its record runs only to a day before ``seen``, or
    lacks the review by then; or, for 未带队检查, it had a check but missed a whole period over by then;
    or, for 外包外租管理混乱 (``outsourcing``: the conditions that count, and those that may), a
    contractor fails only a condition that may count)."""
    unknown_after = record.as_of is not None and record.as_of < seen

    def none_since(dates: tuple[date, ...]) -> bool | None:
        return False if any(campaign.start <= d <= seen for d in dates) else None if unknown_after else True

    missed = any(not any(first <= d <= last for d in record.leader_checks)
                 for first, last in _periods(campaign.start, campaign.end, 1 if record.high_risk else 3) if last <= seen)
    leader = none_since(record.leader_checks)
    review, posts = record.outsourcing_review, record.key_post_review
    disorderly: bool | None = None
    if review is not None and review.done <= seen:
        orderly, may_count = outsourcing
        conditions = [getattr(c, condition) for c in review.contractors for condition in orderly]
        maybe = any(getattr(c, condition) is not True for c in review.contractors for condition in may_count)
        disorderly = True if False in conditions else None if None in conditions or maybe else False
    return {"spot_checked": True, "leader_not_leading_checks": None if leader is not True and missed else leader,
            "drills_missing": none_since(record.drills), "outsourcing_disorder": disorderly,
            "unlicensed_special_work": None if posts is None or posts.done > seen or posts.unlicensed is None
            else posts.unlicensed > 0}


def derived_bounds(records: tuple[EnterpriseRecord, ...], variant: str, month: str,
                   filed: Mapping[str, date | None] | None = None) -> dict[str, tuple[int, int]]:
    """The section-2 counts the spot-checking unit may report in its form of ``variant`` for
    ``month`` (YYYY-MM), each as (least, most): the enterprises spot-checked by then, each as it
    stood on the day the unit filed its form for the month of the spot check (``filed``, by month;
    that month's end where the day is not given or falls outside it), counting, not counting or
    perhaps counting (:func:`_judged`); leader-led checks and drills counted from the campaign's
    start, disorderly outsourcing as the variant defines it. A spot check in a month before the
    campaign's counts in no form."""
    template = load_template(variant)
    outsourcing = template.orderly_outsourcing, template.outsourcing_may_count
    least, most = dict.fromkeys(DERIVED_FROM_RECORDS, 0), dict.fromkeys(DERIVED_FROM_RECORDS, 0)
    for record in records:
        assert record.spot_check is not None
        if not f"{campaign_facts(record.profile).start:%Y-%m}" <= record.spot_check.month <= month:
            continue
        year, number = map(int, record.spot_check.month.split("-"))
        seen = _month_end(date(year, number, 1))
        day = (filed or {}).get(record.spot_check.month)
        if day is not None and (day.year, day.month) == (year, number):
            seen = day
        for key, counted in _judged(record, campaign_facts(record.profile), seen, outsourcing).items():
            least[key] += counted is True
            most[key] += counted is not False
    return {key: (least[key], most[key]) for key in DERIVED_FROM_RECORDS}


def derived_counts(records: tuple[EnterpriseRecord, ...], variant: str, month: str,
                   filed: Mapping[str, date | None] | None = None) -> dict[str, int]:
    """The least of each count of :func:`derived_bounds`: what the records show for certain."""
    return {key: least for key, (least, _) in derived_bounds(records, variant, month, filed).items()}


# ---------------------------------------------------------------- monthly figures


def _sum(a: Decimal | None, b: Decimal | None) -> Decimal | None:
    """Blank + blank is blank; otherwise blanks count as nothing."""
    return None if a is None and b is None else (a or Decimal(0)) + (b or Decimal(0))


def _add(a: FormValue, b: FormValue) -> FormValue:
    """Two figures of one item added (blank + blank is blank; blank + x is x)."""
    if a is None or b is None:
        return b if a is None else a
    if isinstance(a, bool) or isinstance(b, bool):
        return a or b
    if isinstance(a, int) and isinstance(b, int):
        return a + b
    if isinstance(a, CountAmount) and isinstance(b, CountAmount):
        count = None if a.count is None and b.count is None else (a.count or 0) + (b.count or 0)
        return CountAmount(count=count, amount=_sum(a.amount, b.amount))
    assert isinstance(a, WholePart) and isinstance(b, WholePart)
    return WholePart(whole=_sum(a.whole, b.whole), part=_sum(a.part, b.part))


@st.composite
def money(draw: st.DrawFn, up_to: Decimal = Decimal(50)) -> Decimal:
    """An amount in 万元 to 0–4 decimal places, trailing zeros as drawn (``1.50``)."""
    places = draw(st.integers(0, 4))
    return Decimal(draw(st.integers(0, int(up_to * 10**places)))).scaleb(-places)


@st.composite
def month_increments(draw: st.DrawFn, template: FormTemplate, blank: frozenset[str],
                     spot_checked: int | None) -> dict[str, FormValue]:
    """What a unit adds in one month, item by item, such that every bound holds for the month and
    so for any sum of months: rectified ≤ found, part ≤ whole, findings ≤ spot-checked, double
    penalties ≤ penalties, an amount only with a count. Items in ``blank`` are not reported (a
    paired one may be given as neither figure, ``penalties: {}``, which is the same), nor the
    enterprises spot-checked if ``spot_checked`` is None; a 0 exceeds nothing, so beside a blank
    whole a part is 0 (or blank)."""
    values: dict[str, FormValue] = {}
    for section, item in template.items():
        if item.key in blank:
            neither: FormValue = (CountAmount() if item.shape is ItemShape.COUNT_AMOUNT
                                  else WholePart() if item.shape is ItemShape.WHOLE_PART else None)
            values[item.key] = draw(st.sampled_from([None, neither]))
        elif item.shape is ItemShape.YES_NO:
            values[item.key] = draw(st.booleans())
        elif item.shape is ItemShape.COUNT_AMOUNT:
            count = draw(st.integers(0, 3))
            values[item.key] = CountAmount(count=count, amount=draw(money()) if count else Decimal(0))
        elif item.shape is ItemShape.WHOLE_PART and draw(st.integers(0, 3)) == 0:
            values[item.key] = WholePart(whole=None, part=Decimal(0))
        elif item.shape is ItemShape.WHOLE_PART:
            whole = draw(money()) if not item.whole_numbers else Decimal(draw(st.integers(0, 3)))
            part = (Decimal(draw(st.integers(0, int(whole)))) if item.whole_numbers
                    else Decimal(draw(st.integers(0, int(whole * 100)))) / 100)
            values[item.key] = WholePart(whole=whole, part=part)
        elif section.number == 2:
            values[item.key] = spot_checked if item.key == "spot_checked" else draw(st.integers(0, spot_checked or 0))
        else:
            values[item.key] = draw(st.integers(0, 3))
    for rectified, found in BOUNDED_BY.items():
        if values[found] is None:
            values[rectified] = None if values[rectified] is None else 0
        elif values[rectified] is not None:
            values[rectified] = min(values[rectified], values[found])  # type: ignore[type-var]
    # Double penalties are penalties: at most their count, and none beside a blank count.
    penalties, double = values["penalties"], values["double_penalties"]
    if isinstance(double, int) and double:
        counted = penalties.count if isinstance(penalties, CountAmount) else None
        values["double_penalties"] = min(double, counted or 0)
    return values


def blank_items(template: FormTemplate) -> st.SearchStrategy[frozenset[str]]:
    """Items a unit leaves blank all campaign (never section 2: its counts are bounded per month)."""
    keys = [item.key for section, item in template.items() if section.number != 2]
    return st.frozensets(st.sampled_from(keys), max_size=3)


@st.composite
def dispatch_series(draw: st.DrawFn, template: FormTemplate, campaign: CampaignFacts, unit: str, months: list[date],
                    spot_checks: int | None = None) -> tuple[DispatchForm, ...]:
    """One unit's forms, one a month, cumulative and submitted on time, each writing the unit's
    brackets either width. With ``spot_checks`` the section-2 counts are fixed by the caller (they
    come from enterprise records); otherwise each month spot-checks a few more enterprises, or
    leaves the number blank (its findings 0)."""
    blank = draw(blank_items(template))
    forms: list[DispatchForm] = []
    totals: dict[str, FormValue] = {}
    for month in months:
        checked = 0 if spot_checks is not None else draw(st.none() | st.integers(0, 3))
        fresh = draw(month_increments(template, blank, checked))
        totals = {key: _add(totals.get(key), value) for key, value in fresh.items()}
        submitted = draw(on_time_filing_day(campaign, month))
        forms.append(DispatchForm(variant=template.variant, unit=draw(spelled(unit)), month=f"{month:%Y-%m}",
                                  profile=campaign.id, values=dict(totals), submitted=submitted))
    return tuple(forms)


def rolled_up(unit: str, members: list[DispatchForm], submitted: date) -> DispatchForm:
    """The aggregate of members' forms for one month: every item the sum of what members reported."""
    first = members[0]
    values: dict[str, FormValue] = {}
    for form in members:
        for key, value in form.values.items():
            values[key] = _add(values.get(key), value)
    template = load_template(first.variant)
    for _, item in template.items():
        if item.shape is ItemShape.YES_NO:
            values[item.key] = any(form.values.get(item.key) for form in members)
    return DispatchForm(variant=first.variant, unit=unit, month=first.month, profile=first.profile, values=values,
                        submitted=submitted, members=tuple(form.unit for form in members))


def filing_days(bundle: CampaignBundle) -> dict[str, date | None]:
    """The day the reporting unit filed its form for each month (it files one a month)."""
    return {form.month: form.submitted for form in bundle.unit_forms}


def restated(bundle: CampaignBundle) -> CampaignBundle:
    """The bundle with the reporting unit's section-2 counts recomputed from its enterprise records."""
    filed = filing_days(bundle)
    forms = tuple(attrs.evolve(form, values=form.values | derived_counts(bundle.records, bundle.variant, form.month,
                                                                         filed))
                  for form in bundle.unit_forms)
    return attrs.evolve(bundle, unit_forms=forms)


def up_to_the_most(bundle: CampaignBundle) -> CampaignBundle:
    """The bundle with the reporting unit's section-2 counts stated at the most the records allow,
    each enterprise that may count counted (still cumulative: an enterprise is judged once)."""
    filed = filing_days(bundle)
    forms = tuple(_with(form, **{key: most for key, (_, most) in derived_bounds(
        bundle.records, bundle.variant, form.month, filed).items()}) for form in bundle.unit_forms)
    return attrs.evolve(bundle, unit_forms=forms)


def above_the_records(forms: tuple[DispatchForm, ...]) -> tuple[DispatchForm, ...]:
    """The forms of a unit, each count records give only the least of stated one more than they
    give, where the enterprises spot-checked leave room, and never less than the month before."""
    stated: dict[str, int] = {}
    changed = []
    for form in forms:
        room = _count(form.value("spot_checked"))
        for key in AT_LEAST_FROM_RECORDS:
            stated[key] = min(room, max(stated.get(key, 0), _count(form.value(key)) + 1))
        changed.append(_with(form, **stated))
    return tuple(changed)


@st.composite
def campaign_bundles(draw: st.DrawFn, profile: str = "shanghai-chongming-2023-campaign") -> CampaignBundle:
    """One campaign's documents satisfying every rule of ``profile``: 2–3 months of forms from the
    first report month for a reporting unit (with the records of 1–3 enterprises it spot-checked in
    any of those months, the first record final and with a contractor and a deferred hazard; its
    counts the least the records show, or the most they allow, those the records give only the
    least of perhaps stated above it), two member units and their township's aggregate, and the
    dated steps."""
    campaign = campaign_facts(profile)
    template = load_template(campaign.variant)
    months = [campaign.first_month]
    for _ in range(draw(st.integers(1, 2))):
        months.append(_next_month(months[-1]))
    records = tuple(draw(enterprise_records(campaign, k + 1, draw(st.sampled_from(months)), final=k == 0,
                                            shows_all=k == 0))
                    for k in range(draw(st.integers(1, 3))))
    unit_forms = draw(dispatch_series(template, campaign, REPORTING_UNIT, months, spot_checks=len(records)))
    members = [draw(dispatch_series(template, campaign, name, months)) for name in MEMBER_UNITS]
    aggregates = []
    for k, month in enumerate(months):
        aggregate = rolled_up(TOWNSHIP, [series[k] for series in members], draw(on_time_filing_day(campaign, month)))
        # Its members as the aggregate writes them, their brackets not always as their own forms do.
        aggregates.append(attrs.evolve(aggregate, members=tuple(draw(spelled(name)) for name in MEMBER_UNITS)))
    steps = draw(campaign_steps(campaign))
    bundle = CampaignBundle(profile=profile, variant=campaign.variant, unit_forms=unit_forms,
                            member_forms=tuple(f for series in members for f in series), aggregate_forms=tuple(aggregates),
                            records=records, steps=steps)
    bundle = up_to_the_most(bundle) if draw(st.booleans()) else restated(bundle)
    return attrs.evolve(bundle, unit_forms=above_the_records(bundle.unit_forms)) if draw(st.booleans()) else bundle


# ---------------------------------------------------------------- dated steps


@st.composite
def campaign_steps(draw: st.DrawFn, campaign: CampaignFacts) -> CampaignSteps:
    """The reporting unit's dated steps, each it owes done by its deadline and not before the
    campaign began. The record states the unit's roles (any of them, or none), as it must where
    some steps are owed by a role only (else those are not checked); elsewhere it may leave them
    unstated. It may run only to a day (``as_of``) in the campaign, now and then before the first
    deadline every unit owes (nothing is due yet: campaign.phase-deadlines is then not checked, or
    judges only the steps done already): a step falling due after it is recorded only if done by
    then. A step the unit does not owe may be recorded, on any day around its deadline (by the day
    the record runs to), late or not, before the campaign or not."""
    held = st.lists(st.sampled_from(UnitRole), unique=True).map(tuple)
    roles = draw(held if campaign.owed_by else st.none() | held)
    first_due = min(due for step, due in campaign.deadlines.items() if step not in campaign.owed_by)
    early = [dates_between(campaign.start, first_due - timedelta(days=1))] if first_due > campaign.start else []
    as_of = draw(st.one_of(st.none(), dates_between(max(campaign.start, first_due), campaign.end), *early))
    unit = CampaignSteps(unit=draw(spelled(REPORTING_UNIT)), profile=campaign.id, milestones=(), roles=roles, as_of=as_of)
    milestones = []
    for step, due in sorted(campaign.deadlines.items()):
        if not campaign.owes(unit, step):
            latest = due + timedelta(days=10) if as_of is None else min(due + timedelta(days=10), as_of)
            if due - timedelta(days=10) <= latest and draw(st.booleans()):
                milestones.append(Milestone(step=step, done=draw(dates_between(due - timedelta(days=10), latest))))
            continue
        earliest = max(due - timedelta(days=10), campaign.start)
        if as_of is None or due <= as_of:
            milestones.append(Milestone(step=step, done=draw(dates_between(earliest, due))))
        elif earliest <= as_of and draw(st.booleans()):  # not due yet, and done already
            milestones.append(Milestone(step=step, done=draw(dates_between(earliest, as_of))))
    return attrs.evolve(unit, milestones=tuple(milestones))


# ---------------------------------------------------------------- targeted mutations


def _last(forms: tuple[DispatchForm, ...], change: Callable[[DispatchForm], DispatchForm]) -> tuple[DispatchForm, ...]:
    return (*forms[:-1], change(forms[-1]))


def _with(form: DispatchForm, **values: FormValue) -> DispatchForm:
    return attrs.evolve(form, values=form.values | values)


def _count(value: FormValue) -> int:
    return value if isinstance(value, int) and not isinstance(value, bool) else 0


def more_rectified_than_found(bundle: CampaignBundle) -> CampaignBundle:
    def change(form: DispatchForm) -> DispatchForm:
        found = _count(form.value("self_found"))
        return _with(form, self_found=found, self_rectified=found + 1)

    return attrs.evolve(bundle, unit_forms=_last(bundle.unit_forms, change))


def part_above_whole(bundle: CampaignBundle) -> CampaignBundle:
    def change(form: DispatchForm) -> DispatchForm:
        cases = form.value("typical_cases")
        whole = cases.whole if isinstance(cases, WholePart) and cases.whole is not None else Decimal(0)
        return _with(form, typical_cases=WholePart(whole=whole, part=whole + 1))

    return attrs.evolve(bundle, unit_forms=_last(bundle.unit_forms, change))


def more_double_penalties_than_penalties(bundle: CampaignBundle) -> CampaignBundle:
    """The last month states one double penalty (一案双罚) more than its penalties."""
    def change(form: DispatchForm) -> DispatchForm:
        penalties = form.value("penalties")
        count = penalties.count if isinstance(penalties, CountAmount) and penalties.count is not None else 0
        return _with(form, double_penalties=count + 1)

    return attrs.evolve(bundle, unit_forms=_last(bundle.unit_forms, change))


def falling_figure(bundle: CampaignBundle) -> CampaignBundle:
    """The month before the last reports more study sessions than the last (which reports some)."""
    *earlier, before, last = bundle.unit_forms
    stated = _count(last.value("study_sessions"))
    return attrs.evolve(bundle, unit_forms=(*earlier, _with(before, study_sessions=stated + 1),
                                            _with(last, study_sessions=stated)))


def late_submission(bundle: CampaignBundle) -> CampaignBundle:
    day = campaign_facts(bundle.profile).submission_day

    def change(form: DispatchForm) -> DispatchForm:
        year, month = map(int, form.month.split("-"))
        return attrs.evolve(form, submitted=date(year, month, day) + timedelta(days=1))

    # filed later, the form reports its spot checks as they stood then
    return restated(attrs.evolve(bundle, unit_forms=_last(bundle.unit_forms, change)))


def aggregate_off_by_one(bundle: CampaignBundle) -> CampaignBundle:
    def change(form: DispatchForm) -> DispatchForm:
        return _with(form, study_sessions=_count(form.value("study_sessions")) + 1)

    return attrs.evolve(bundle, aggregate_forms=_last(bundle.aggregate_forms, change))


def miscounted_leader_checks(bundle: CampaignBundle) -> CampaignBundle:
    """Every form of the unit from its first spot check on states one more (or one fewer)
    enterprise without a leader-led check than the records allow."""
    def change(form: DispatchForm) -> DispatchForm:
        bounds = derived_bounds(bundle.records, bundle.variant, form.month, filing_days(bundle))
        (lower, upper), (checked, _) = bounds["leader_not_leading_checks"], bounds["spot_checked"]
        if not checked:
            return form
        return _with(form, leader_not_leading_checks=upper + 1 if upper < checked else lower - 1)

    return attrs.evolve(bundle, unit_forms=tuple(change(f) for f in bundle.unit_forms))


def spot_checks_overcounted(bundle: CampaignBundle) -> CampaignBundle:
    """Every form of the unit from its first spot check on states one enterprise spot-checked more
    than its records (above what they allow; the findings stay within the larger whole)."""
    def change(form: DispatchForm) -> DispatchForm:
        checked = derived_counts(bundle.records, bundle.variant, form.month, filing_days(bundle))["spot_checked"]
        return _with(form, spot_checked=checked + 1) if checked else form

    return attrs.evolve(bundle, unit_forms=tuple(change(f) for f in bundle.unit_forms))


def _first_record(bundle: CampaignBundle, change: Callable[[EnterpriseRecord], EnterpriseRecord]) -> CampaignBundle:
    return restated(attrs.evolve(bundle, records=(change(bundle.records[0]), *bundle.records[1:])))


def uncertified_staff_found(bundle: CampaignBundle) -> CampaignBundle:
    """The first enterprise's key-post review, done on the campaign's first day, found one of its
    staff working uncertified; the unit's forms count it (2.6) from its spot check on."""
    start = campaign_facts(bundle.profile).start
    return _first_record(bundle, lambda record: attrs.evolve(
        record, key_post_review=KeyPostReview(done=start, unlicensed=1)))


def drills_missing_undercounted(bundle: CampaignBundle) -> CampaignBundle:
    """The first enterprise, spot-checked in the first report month, holds each drill on the last
    day of its period (none by the spot check, none missed); every form from then on counts one
    enterprise without drills fewer than the records give (2.8 counts at least what they give).
    An undercount of 2.6 would need staff found uncertified, which ``campaign.uncertified-special-work``
    reports too."""
    campaign = campaign_facts(bundle.profile)

    def late_drills(record: EnterpriseRecord) -> EnterpriseRecord:
        assert record.spot_check is not None and record.as_of is None  # the first record is final
        periods = _periods(campaign.start, campaign.end, 6) if record.high_risk else [(campaign.start, campaign.end)]
        return attrs.evolve(record, spot_check=attrs.evolve(record.spot_check, month=f"{campaign.first_month:%Y-%m}"),
                            drills=(*(d for d in record.drills if d < campaign.start), *(last for _, last in periods)))

    bundle = _first_record(bundle, late_drills)

    def change(form: DispatchForm) -> DispatchForm:
        implied = derived_counts(bundle.records, bundle.variant, form.month, filing_days(bundle))["drills_missing"]
        return _with(form, drills_missing=implied - 1) if implied else form

    return attrs.evolve(bundle, unit_forms=tuple(change(f) for f in bundle.unit_forms))


def disorderly_outsourcing_undercounted(bundle: CampaignBundle) -> CampaignBundle:
    """The first enterprise's outsourcing review, done on the campaign's first day, found a
    contractor failing every condition; every form from its spot check on counts one enterprise
    fewer than the records show for certain."""
    start = campaign_facts(bundle.profile).start
    contractor = Contractor(name="承包方", qualified=False, agreement=False, clear_responsibilities=False,
                            unified_management=True, safety_briefing=False)
    bundle = _first_record(bundle, lambda record: attrs.evolve(
        record, outsourcing_review=OutsourcingReview(done=start, contractors=(contractor,))))

    def change(form: DispatchForm) -> DispatchForm:
        lower = derived_counts(bundle.records, bundle.variant, form.month, filing_days(bundle))["outsourcing_disorder"]
        return _with(form, outsourcing_disorder=lower - 1) if lower else form

    return attrs.evolve(bundle, unit_forms=tuple(change(f) for f in bundle.unit_forms))


def contractor_outside_management(bundle: CampaignBundle) -> CampaignBundle:
    """The first enterprise's outsourcing review, done on the campaign's first day, also found a
    contractor meeting every condition but unified management; the unit's forms count it where
    their campaign calls that disorderly (Chongming's 2.7), and need not where it only may count
    (Linyi's: the forms may count it or not)."""
    start = campaign_facts(bundle.profile).start
    outside = Contractor(name="外包方", qualified=True, agreement=True, clear_responsibilities=True,
                         unified_management=False, safety_briefing=True)

    def change(record: EnterpriseRecord) -> EnterpriseRecord:
        found = record.outsourcing_review.contractors if record.outsourcing_review else ()
        return attrs.evolve(record, outsourcing_review=OutsourcingReview(done=start, contractors=(*found, outside)))

    return _first_record(bundle, change)


def no_leader_check_in_last_period(bundle: CampaignBundle) -> CampaignBundle:
    campaign = campaign_facts(bundle.profile)

    def change(record: EnterpriseRecord) -> EnterpriseRecord:
        first, _ = _periods(campaign.start, campaign.end, 1 if record.high_risk else 3)[-1]
        return attrs.evolve(record, leader_checks=tuple(d for d in record.leader_checks if d < first))

    return _first_record(bundle, change)


def no_drill_in_last_period(bundle: CampaignBundle) -> CampaignBundle:
    campaign = campaign_facts(bundle.profile)

    def change(record: EnterpriseRecord) -> EnterpriseRecord:
        first = _periods(campaign.start, campaign.end, 6)[-1][0] if record.high_risk else campaign.start
        return attrs.evolve(record, drills=tuple(d for d in record.drills if d < first))

    return _first_record(bundle, change)


def _deferred_hazard(bundle: CampaignBundle, plan: DeferredPlan, reported: bool | None,
                     rectified_later: bool = False) -> CampaignBundle:
    """The first enterprise finds a hazard on the last day its record runs to (the campaign's, for
    a final record) and defers it so; or, if ``rectified_later``, finds it the day before and
    rectifies it on that last day (not at once)."""
    end = campaign_facts(bundle.profile).end

    def change(record: EnterpriseRecord) -> EnterpriseRecord:
        last = record.as_of or end
        found, rectified = (last - timedelta(days=1), last) if rectified_later else (last, None)
        hazard = Hazard(description="储罐区可燃气体报警器失效", found_by=FoundBy.SELF, found=found, rectified=rectified,
                        deferred=plan, reported=reported)
        return attrs.evolve(record, hazards=(*record.hazards, hazard))

    return _first_record(bundle, change)


def deferred_hazard_without_funds(bundle: CampaignBundle) -> CampaignBundle:
    """A hazard deferred without funds, reported."""
    deadline = campaign_facts(bundle.profile).end + timedelta(days=15)
    plan = DeferredPlan(responsible="设备科科长", measures="更换报警器", deadline=deadline, emergency_plan="泄漏处置预案")
    return _deferred_hazard(bundle, plan, reported=True)


def no_warning_education(bundle: CampaignBundle) -> CampaignBundle:
    return _first_record(bundle, lambda record: attrs.evolve(record, warning_education=()))


def _first_owed(bundle: CampaignBundle) -> tuple[str, date]:
    """The first step (by name) the reporting unit owes, and its deadline: every profile has one
    that every unit owes."""
    campaign = campaign_facts(bundle.profile)
    return next((step, due) for step, due in sorted(campaign.deadlines.items()) if campaign.owes(bundle.steps, step))


def _without(steps: CampaignSteps, step: str) -> tuple[Milestone, ...]:
    return tuple(m for m in steps.milestones if m.step != step)


def step_a_day_late(bundle: CampaignBundle) -> CampaignBundle:
    """The first step the unit owes, recorded (or moved to) the day after its deadline: a step
    recorded is judged by its date. The record runs at least to that day, as the loader asks; a
    step it then owes and did not record is recorded done on its deadline."""
    step, due = _first_owed(bundle)
    steps = bundle.steps
    late = Milestone(step=step, done=due + timedelta(days=1))
    if steps.as_of is None or steps.as_of >= late.done:
        return attrs.evolve(bundle, steps=attrs.evolve(steps, milestones=(late, *_without(steps, step))))
    campaign = campaign_facts(bundle.profile)
    recorded = {m.step for m in steps.milestones}
    now_due = tuple(Milestone(step=other, done=when) for other, when in sorted(campaign.deadlines.items())
                    if other != step and other not in recorded and when <= late.done and campaign.owes(steps, other))
    return attrs.evolve(bundle, steps=attrs.evolve(steps, milestones=(late, *_without(steps, step), *now_due),
                                                   as_of=late.done))


CAMPAIGN_MUTATIONS: dict[str, Callable[[CampaignBundle], CampaignBundle]] = {
    "form.rectified-within-found": more_rectified_than_found,
    "form.part-within-whole": part_above_whole,
    "form.cumulative-nondecreasing": falling_figure,
    "form.deadline": late_submission,
    "form.rollup": aggregate_off_by_one,
    "form.matches-records": miscounted_leader_checks,
    "campaign.leader-check": no_leader_check_in_last_period,
    "campaign.drill": no_drill_in_last_period,
    "campaign.deferred-hazard-plan": deferred_hazard_without_funds,
    "campaign.one-off-tasks": no_warning_education,
    "campaign.uncertified-special-work": uncertified_staff_found,
    "campaign.contractor-outside-management": contractor_outside_management,
    "campaign.phase-deadlines": step_a_day_late,
}


# ---------------------------------------------------------------- one mutation per way a rule is violated


def _every(forms: tuple[DispatchForm, ...], change: Callable[[DispatchForm], DispatchForm]) -> tuple[DispatchForm, ...]:
    return tuple(change(form) for form in forms)


def rectified_without_found(bundle: CampaignBundle) -> CampaignBundle:
    """Every month reports one more self-found hazard rectified, and leaves the number found blank."""
    def change(form: DispatchForm) -> DispatchForm:
        return _with(form, self_found=None, self_rectified=_count(form.value("self_rectified")) + 1)

    return attrs.evolve(bundle, unit_forms=_every(bundle.unit_forms, change))


def part_without_whole(bundle: CampaignBundle) -> CampaignBundle:
    """Every month reports one more dangerous-operation crime case, and leaves the typical cases blank."""
    def change(form: DispatchForm) -> DispatchForm:
        cases = form.value("typical_cases")
        part = cases.part if isinstance(cases, WholePart) and cases.part is not None else Decimal(0)
        return _with(form, typical_cases=WholePart(whole=None, part=part + 1))

    return attrs.evolve(bundle, unit_forms=_every(bundle.unit_forms, change))


def _penalty_amount_counted(bundle: CampaignBundle, count: int | None) -> CampaignBundle:
    """Every month states 1 万元 more in penalties, their count ``count`` (no double penalties beside it)."""
    def change(form: DispatchForm) -> DispatchForm:
        penalties = form.value("penalties")
        amount = penalties.amount if isinstance(penalties, CountAmount) and penalties.amount is not None else Decimal(0)
        double = None if form.value("double_penalties") is None else 0
        return _with(form, penalties=CountAmount(count=count, amount=amount + 1), double_penalties=double)

    return attrs.evolve(bundle, unit_forms=_every(bundle.unit_forms, change))


def penalty_amount_with_no_penalty(bundle: CampaignBundle) -> CampaignBundle:
    """Every month states an amount of penalties and 0 penalties."""
    return _penalty_amount_counted(bundle, 0)


def penalty_amount_with_count_blank(bundle: CampaignBundle) -> CampaignBundle:
    """Every month states an amount of penalties and leaves their count blank."""
    return _penalty_amount_counted(bundle, None)


def figure_left_blank(bundle: CampaignBundle) -> CampaignBundle:
    """The last month leaves blank the study sessions the months before it reported."""
    *earlier, last = bundle.unit_forms
    reported = tuple(_with(f, study_sessions=_count(f.value("study_sessions"))) for f in earlier)
    return attrs.evolve(bundle, unit_forms=(*reported, _with(last, study_sessions=None)))


def month_not_filed(bundle: CampaignBundle) -> CampaignBundle:
    """The unit skips its last month: that month's form is filed for the month after, on the same
    day of that month, so the month skipped lies between two forms filed (a month before the
    earliest form given is not known to be missing). Its spot checks in the skipped month are then
    judged at the month's end."""
    *earlier, last = bundle.unit_forms
    assert last.submitted is not None  # generated forms are filed on time
    year, month = map(int, last.month.split("-"))
    after = _next_month(date(year, month, 1))
    moved = attrs.evolve(last, month=f"{after:%Y-%m}", submitted=last.submitted.replace(year=after.year, month=after.month))
    return restated(attrs.evolve(bundle, unit_forms=(*earlier, moved)))


def month_filed_twice(bundle: CampaignBundle) -> CampaignBundle:
    """The unit files its last month's form twice."""
    return attrs.evolve(bundle, unit_forms=(*bundle.unit_forms, bundle.unit_forms[-1]))


def submitted_before_the_month(bundle: CampaignBundle) -> CampaignBundle:
    """The last form is dated the day before the month it covers begins."""
    def change(form: DispatchForm) -> DispatchForm:
        year, month = map(int, form.month.split("-"))
        return attrs.evolve(form, submitted=date(year, month, 1) - timedelta(days=1))

    return restated(attrs.evolve(bundle, unit_forms=_last(bundle.unit_forms, change)))


def submitted_before_the_campaign(bundle: CampaignBundle) -> CampaignBundle:
    """The first form (for the campaign's first month) is dated the day before the campaign began."""
    start = campaign_facts(bundle.profile).start
    first, *later = bundle.unit_forms
    return restated(attrs.evolve(bundle, unit_forms=(attrs.evolve(first, submitted=start - timedelta(days=1)),
                                                     *later)))


def month_before_the_campaign(bundle: CampaignBundle) -> CampaignBundle:
    """The unit also files, on time, a form for the month before the first report month (its
    first month's figures, its counts from the records as they stood)."""
    first = bundle.unit_forms[0]
    year, month = map(int, first.month.split("-"))
    starts = date(year, month, 1) - timedelta(days=1)
    early = attrs.evolve(first, month=f"{starts:%Y-%m}", submitted=starts.replace(day=1))
    return restated(attrs.evolve(bundle, unit_forms=(early, *bundle.unit_forms)))


def undated_form(bundle: CampaignBundle) -> CampaignBundle:
    """The last form carries no submission date."""
    return restated(attrs.evolve(bundle, unit_forms=_last(bundle.unit_forms,
                                                          lambda form: attrs.evolve(form, submitted=None))))


def aggregate_left_blank(bundle: CampaignBundle) -> CampaignBundle:
    """Every aggregate leaves blank the enterprises without drills its members reported."""
    return attrs.evolve(bundle, aggregate_forms=_every(bundle.aggregate_forms,
                                                       lambda form: _with(form, drills_missing=None)))


def aggregate_lists_a_silent_member(bundle: CampaignBundle) -> CampaignBundle:
    """The last aggregate lists a member unit that filed no form."""
    def change(form: DispatchForm) -> DispatchForm:
        return attrs.evolve(form, members=(*form.members, "三星镇"))

    return attrs.evolve(bundle, aggregate_forms=_last(bundle.aggregate_forms, change))


def spot_checks_before_any_record(bundle: CampaignBundle) -> CampaignBundle:
    """Every enterprise spot-checked in the last month, but the months before it state one spot check."""
    last = bundle.unit_forms[-1].month
    records = tuple(attrs.evolve(r, spot_check=SpotCheck(by=REPORTING_UNIT, month=last)) for r in bundle.records)
    bundle = restated(attrs.evolve(bundle, records=records))
    *earlier, final = bundle.unit_forms
    return attrs.evolve(bundle, unit_forms=(*(_with(f, spot_checked=1) for f in earlier), final))


def spot_checks_left_blank(bundle: CampaignBundle) -> CampaignBundle:
    """The unit leaves its spot-check section blank in every month."""
    template = load_template(bundle.variant)
    blank = dict.fromkeys((item.key for item in template.section_of("spot_checked").items), None)
    return attrs.evolve(bundle, unit_forms=_every(bundle.unit_forms, lambda form: _with(form, **blank)))


def deferred_hazard_not_reported(bundle: CampaignBundle) -> CampaignBundle:
    """A hazard deferred with all five elements, rectified the day after it was found, not reported."""
    deadline = campaign_facts(bundle.profile).end + timedelta(days=15)
    plan = DeferredPlan(responsible="设备科科长", measures="更换报警器", funds="5万元", deadline=deadline,
                        emergency_plan="泄漏处置预案")
    return _deferred_hazard(bundle, plan, reported=False, rectified_later=True)


def deferred_hazard_report_not_recorded(bundle: CampaignBundle) -> CampaignBundle:
    """A hazard deferred with all five elements, rectified the day after it was found, the record
    not saying whether it was reported: no finding, its report not checked."""
    deadline = campaign_facts(bundle.profile).end + timedelta(days=15)
    plan = DeferredPlan(responsible="设备科科长", measures="更换报警器", funds="5万元", deadline=deadline,
                        emergency_plan="泄漏处置预案")
    return _deferred_hazard(bundle, plan, reported=None, rectified_later=True)


def step_not_recorded(bundle: CampaignBundle) -> CampaignBundle:
    """The record leaves out the first step the unit owes, and runs at least to its deadline (so
    other steps falling due by then and not recorded are missing too)."""
    step, due = _first_owed(bundle)
    as_of = bundle.steps.as_of if bundle.steps.as_of is None else max(bundle.steps.as_of, due)
    return attrs.evolve(bundle, steps=attrs.evolve(bundle.steps, milestones=_without(bundle.steps, step), as_of=as_of))


def step_before_the_campaign(bundle: CampaignBundle) -> CampaignBundle:
    """The first step the unit owes, recorded (or moved to) the day before the campaign began."""
    step, _ = _first_owed(bundle)
    early = Milestone(step=step, done=campaign_facts(bundle.profile).start - timedelta(days=1))
    return attrs.evolve(bundle, steps=attrs.evolve(bundle.steps, milestones=(early, *_without(bundle.steps, step))))


def unknown_step_recorded(bundle: CampaignBundle) -> CampaignBundle:
    """The record also dates a step the profile does not know."""
    unknown = Milestone(step="unknown-step", done=campaign_facts(bundle.profile).start)
    return attrs.evolve(bundle, steps=attrs.evolve(bundle.steps, milestones=(*bundle.steps.milestones, unknown)))


def role_step_not_recorded(bundle: CampaignBundle, role: UnitRole) -> CampaignBundle:
    """The unit states it holds ``role``, and its record runs at least to the deadline of a step
    owed by that role, which it does not record (in a profile with such a step)."""
    campaign = campaign_facts(bundle.profile)
    step = next(step for step, owing in sorted(campaign.owed_by.items()) if owing == role)
    steps = bundle.steps
    held = steps.roles or ()
    as_of = steps.as_of if steps.as_of is None else max(steps.as_of, campaign.deadlines[step])
    return attrs.evolve(bundle, steps=attrs.evolve(steps, roles=held if role in held else (*held, role), as_of=as_of,
                                                   milestones=_without(steps, step)))


#: Each way (:data:`~forms.strategies.plan.Way`) of each campaign rule → a mutation that breaks that
#: rule, that way only, in a bundle from :func:`campaign_bundles`.
ALTERNATIVE_MUTATIONS: dict[Way, Callable[[CampaignBundle], CampaignBundle]] = {
    ("form.rectified-within-found", 0, 0): more_rectified_than_found,
    ("form.rectified-within-found", 1, 0): rectified_without_found,
    ("form.part-within-whole", 0, 0): part_above_whole,
    ("form.part-within-whole", 1, 0): part_without_whole,
    ("form.part-within-whole", 2, 0): penalty_amount_with_no_penalty,
    ("form.part-within-whole", 2, 1): penalty_amount_with_count_blank,
    ("form.cumulative-nondecreasing", 0, 0): figure_left_blank,
    ("form.cumulative-nondecreasing", 0, 1): falling_figure,
    ("form.cumulative-nondecreasing", 1, 0): month_not_filed,
    ("form.cumulative-nondecreasing", 2, 0): month_filed_twice,
    ("form.deadline", 0, 0): late_submission,
    ("form.deadline", 1, 0): submitted_before_the_month,
    ("form.deadline", 2, 0): submitted_before_the_campaign,
    ("form.deadline", 3, 0): month_before_the_campaign,
    ("form.deadline", 4, 0): undated_form,
    ("form.rollup", 0, 0): aggregate_off_by_one,
    ("form.rollup", 1, 0): aggregate_left_blank,
    ("form.rollup", 2, 0): aggregate_lists_a_silent_member,
    ("form.matches-records", 0, 0): disorderly_outsourcing_undercounted,
    ("form.matches-records", 0, 1): spot_checks_overcounted,
    ("form.matches-records", 1, 0): spot_checks_before_any_record,
    ("form.matches-records", 2, 0): spot_checks_left_blank,
    ("form.matches-records", 3, 0): drills_missing_undercounted,
    ("campaign.leader-check", 0, 0): no_leader_check_in_last_period,
    ("campaign.drill", 0, 0): no_drill_in_last_period,
    ("campaign.deferred-hazard-plan", 0, 0): deferred_hazard_without_funds,
    ("campaign.deferred-hazard-plan", 1, 0): deferred_hazard_not_reported,
    ("campaign.one-off-tasks", 0, 0): no_warning_education,
    ("campaign.uncertified-special-work", 0, 0): uncertified_staff_found,
    ("campaign.contractor-outside-management", 0, 0): contractor_outside_management,
    ("campaign.phase-deadlines", 0, 0): step_a_day_late,
    ("campaign.phase-deadlines", 1, 0): step_not_recorded,
    ("campaign.phase-deadlines", 2, 0): unknown_step_recorded,
    ("campaign.phase-deadlines", 3, 0): step_before_the_campaign,
}


# ---------------------------------------------------------------- records running exactly to a period's last day


def _run_to(record: EnterpriseRecord, day: date) -> EnterpriseRecord:
    """``record`` running only to ``day`` (``as_of``), holding nothing done or found after it: a
    hazard rectified after it is not rectified yet (its five elements and report are recorded)."""
    def by(dates: tuple[date, ...]) -> tuple[date, ...]:
        return tuple(d for d in dates if d <= day)

    review, posts = record.outsourcing_review, record.key_post_review
    return attrs.evolve(record, as_of=day, leader_checks=by(record.leader_checks), drills=by(record.drills),
                        warning_education=by(record.warning_education),
                        outsourcing_review=review if review is None or review.done <= day else None,
                        key_post_review=posts if posts is None or posts.done <= day else None,
                        hazards=tuple(h if h.rectified is None or h.rectified <= day else attrs.evolve(h, rectified=None)
                                      for h in record.hazards if h.found <= day))


def _due_on_its_last_day(bundle: CampaignBundle, field: Literal["leader_checks", "drills"],
                         periods_of: Callable[[CampaignFacts, EnterpriseRecord], list[tuple[date, date]]],
                         ) -> CampaignBundle:
    """The first enterprise's record runs exactly to the last day of the first period (of
    ``periods_of``) not over before the end of the month it was spot-checked, and records none of
    ``field`` in that period: the period is due, and missing. The record is final as generated,
    so every period over before it is done."""
    campaign = campaign_facts(bundle.profile)

    def change(record: EnterpriseRecord) -> EnterpriseRecord:
        assert record.spot_check is not None
        year, month = map(int, record.spot_check.month.split("-"))
        first, last = next(p for p in periods_of(campaign, record) if p[1] >= _month_end(date(year, month, 1)))
        def outside(dates: tuple[date, ...]) -> tuple[date, ...]:
            return tuple(d for d in dates if not first <= d <= last)

        if field == "leader_checks":
            return _run_to(attrs.evolve(record, leader_checks=outside(record.leader_checks)), last)
        return _run_to(attrs.evolve(record, drills=outside(record.drills)), last)

    return _first_record(bundle, change)


def no_leader_check_in_a_period_the_record_ends(bundle: CampaignBundle) -> CampaignBundle:
    """No leader-led check in the month (quarter) the first enterprise's record runs exactly to the end of."""
    return _due_on_its_last_day(bundle, "leader_checks", lambda campaign, record: _periods(
        campaign.start, campaign.end, 1 if record.high_risk else 3))


def no_drill_in_a_period_the_record_ends(bundle: CampaignBundle) -> CampaignBundle:
    """No drill in the half-year (the campaign) the first enterprise's record runs exactly to the end of."""
    return _due_on_its_last_day(bundle, "drills", lambda campaign, record: (
        _periods(campaign.start, campaign.end, 6) if record.high_risk else [(campaign.start, campaign.end)]))


def no_warning_education_by_the_campaigns_end(bundle: CampaignBundle) -> CampaignBundle:
    """The first enterprise's record runs exactly to the campaign's last day, its only warning
    education the day before the campaign began."""
    campaign = campaign_facts(bundle.profile)
    return _first_record(bundle, lambda record: attrs.evolve(
        record, as_of=campaign.end, warning_education=(campaign.start - timedelta(days=1),)))


#: Ways of the rules on enterprise records → a mutation breaking the rule that way in a record that
#: runs exactly to the last day of the period (or the campaign) falling due: due on that day, not
#: the day after. (Generated records have every due period done, so only a mutation shows it.)
ON_THE_LAST_DAY_MUTATIONS: dict[Way, Callable[[CampaignBundle], CampaignBundle]] = {
    ("campaign.leader-check", 0, 0): no_leader_check_in_a_period_the_record_ends,
    ("campaign.drill", 0, 0): no_drill_in_a_period_the_record_ends,
    ("campaign.one-off-tasks", 0, 0): no_warning_education_by_the_campaigns_end,
}
