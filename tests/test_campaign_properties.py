"""For every campaign rule, under both campaign profiles: generated compliant documents pass, and
its targeted mutation fires exactly that rule, with the rule's citations for the profile."""

from __future__ import annotations

from datetime import date, timedelta

import attrs
import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

import engine
from engine.campaign_facts import AT_LEAST_BY_RECORDS, RECTIFIED_PAIRS
from engine.compile import compile_profile
from engine.facts import build_facts
from engine.report import Report
from forms.convert import document_data, document_from_data
from forms.dispatch import CountAmount, DispatchForm, load_template
from forms.plan import name_key
from forms.strategies import CAMPAIGN_ALTERNATIVE_MUTATIONS, CAMPAIGN_MUTATIONS, CampaignBundle, campaign_bundles
from forms.strategies.campaign import (
    AT_LEAST_FROM_RECORDS,
    MEMBER_UNITS,
    ON_THE_LAST_DAY_MUTATIONS,
    _first_record,
    _month_end,
    _run_to,
    campaign_facts,
    dates_between,
    more_double_penalties_than_penalties,
    restated,
)
from rulebook import load_rulebook

from .conftest import alternatives_fitting, cites_what_grounds_it, ways_of

RULEBOOK = load_rulebook()
CAMPAIGN_PROFILES = sorted(p.id for p in RULEBOOK.profiles.values() if "dispatch-form" in p.documents)
CASES = [(profile, rule) for profile in CAMPAIGN_PROFILES for rule in sorted(RULEBOOK.profiles[profile].rules)]
# A bundle is ~20 documents and several hundred facts: fewer examples than the plan properties.
BUNDLE_SETTINGS = settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
WAYS = [(profile, way) for profile, rule in CASES for way in ways_of(RULEBOOK.rules[rule])]


def reports_of(bundle: CampaignBundle) -> list[Report]:
    for document in bundle.documents:  # what is generated is what a loader reads (a record's as_of, its dates)
        assert document_from_data(document_data(document)) == document
    results = engine.check_documents(list(bundle.documents))
    assert all(isinstance(r, Report) for r in results), results
    return [r for r in results if isinstance(r, Report)]


def test_both_campaign_profiles_are_covered() -> None:
    assert CAMPAIGN_PROFILES == ["linyi-lingang-2023-campaign", "shanghai-chongming-2023-campaign"]
    assert set(CAMPAIGN_MUTATIONS) == {rule for profile in CAMPAIGN_PROFILES for rule in RULEBOOK.profiles[profile].rules}
    assert set(AT_LEAST_FROM_RECORDS) == AT_LEAST_BY_RECORDS  # the generator states more of these only


@pytest.mark.parametrize("profile_id", CAMPAIGN_PROFILES)
@BUNDLE_SETTINGS
@given(data=st.data())
def test_generated_campaigns_pass_every_rule(profile_id: str, data: st.DataObject) -> None:
    bundle = data.draw(campaign_bundles(profile_id))
    reports = reports_of(bundle)
    assert [(v.rule, v.message_en) for r in reports for v in r.violations] == []
    # Every rule is checked but form.matches-records on the forms no record names, and what a record
    # running to a day before its periods end leaves not yet due.
    assert [{n.rule for n in r.not_checked} for r in reports] == bundle.not_checked()
    # And passing is not having nothing to judge: every rule has facts from some document, but one
    # every document of its kind lists not checked (steps recorded to a day before anything is due).
    compiled = compile_profile(RULEBOOK, profile_id)
    documents = list(bundle.documents)
    factless = [rule for rule in sorted(RULEBOOK.profiles[profile_id].rules)
                if not build_facts(documents, RULEBOOK.rules[rule].fact_kinds, compiled.params).facts]
    unjudged = {rule for rule in RULEBOOK.profiles[profile_id].rules
                if all(rule in {n.rule for n in r.not_checked} for r in reports if r.kind == RULEBOOK.rules[rule].document)}
    assert set(factless) <= unjudged and set(factless) <= {"campaign.phase-deadlines"}, factless


@pytest.mark.parametrize(("profile_id", "rule_id"), CASES, ids=[f"{p}:{r}" for p, r in CASES])
@BUNDLE_SETTINGS
@given(data=st.data())
def test_a_targeted_mutation_fires_exactly_its_rule(profile_id: str, rule_id: str, data: st.DataObject) -> None:
    bundle = CAMPAIGN_MUTATIONS[rule_id](data.draw(campaign_bundles(profile_id)))
    violations = [v for r in reports_of(bundle) for v in r.violations]
    assert {v.rule for v in violations} == {rule_id}, [(v.rule, v.message_en) for v in violations]
    sources = RULEBOOK.profiles[profile_id].sources
    for violation in violations:
        assert cites_what_grounds_it(violation, RULEBOOK.rules[rule_id], sources), violation.citations
        assert all(c.source == RULEBOOK.profiles[profile_id].sources[0] for c in violation.citations)
        assert violation.location.startswith("/")
        assert violation.message and violation.message_en


def test_every_way_a_campaign_rule_is_violated_has_a_mutation() -> None:
    assert set(CAMPAIGN_ALTERNATIVE_MUTATIONS) == {way for _, way in WAYS}


@pytest.mark.parametrize(("profile_id", "way"), WAYS, ids=[f"{p}:{r}:{k}.{j}" for p, (r, k, j) in WAYS])
@settings(max_examples=8, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data())
def test_a_mutation_fires_exactly_its_rule_the_way_it_targets(profile_id: str, way: tuple[str, int, int],
                                                               data: st.DataObject) -> None:
    """Each alternative (and ``any`` condition) of each rule: its mutation fires that rule only,
    each finding by that alternative's message, citing what grounds it."""
    rule_id, alternative, _ = way
    bundle = CAMPAIGN_ALTERNATIVE_MUTATIONS[way](data.draw(campaign_bundles(profile_id)))
    violations = [v for r in reports_of(bundle) for v in r.violations]
    assert {v.rule for v in violations} == {rule_id}, [(v.rule, v.message_en) for v in violations]
    rule, sources = RULEBOOK.rules[rule_id], RULEBOOK.profiles[profile_id].sources
    for violation in violations:
        assert alternatives_fitting(violation, rule) == {alternative}, violation.message_en
        assert cites_what_grounds_it(violation, rule, sources), violation.citations


LAST_DAY_WAYS = [(profile, way) for profile in CAMPAIGN_PROFILES for way in ON_THE_LAST_DAY_MUTATIONS]


@pytest.mark.parametrize(("profile_id", "way"), LAST_DAY_WAYS, ids=[f"{p}:{r}" for p, (r, _, _) in LAST_DAY_WAYS])
@settings(max_examples=8, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data())
def test_a_period_is_due_on_the_last_day_a_record_runs_to(profile_id: str, way: tuple[str, int, int],
                                                          data: st.DataObject) -> None:
    """A record running exactly to the last day of a period (the campaign's, for the one-off
    tasks) is judged on that period: what it misses there is found, by that way of its rule only,
    and the findings are about the period ending that day."""
    rule_id, alternative, _ = way
    bundle = ON_THE_LAST_DAY_MUTATIONS[way](data.draw(campaign_bundles(profile_id)))
    as_of = bundle.records[0].as_of
    assert as_of is not None
    violations = [v for r in reports_of(bundle) for v in r.violations]
    assert {v.rule for v in violations} == {rule_id}, [(v.rule, v.message_en) for v in violations]
    rule = RULEBOOK.rules[rule_id]
    for violation in violations:
        assert alternatives_fitting(violation, rule) == {alternative}, violation.message_en
        assert cites_what_grounds_it(violation, rule, RULEBOOK.profiles[profile_id].sources), violation.citations
    if rule_id == "campaign.one-off-tasks":
        assert as_of == campaign_facts(profile_id).end
        assert [v.location for v in violations] == ["/warning_education"]
    else:
        assert [v.message_en.endswith(f" to {as_of:%m-%d})") for v in violations] == [True]


@pytest.mark.parametrize("profile_id", CAMPAIGN_PROFILES)
@BUNDLE_SETTINGS
@given(data=st.data())
def test_more_double_penalties_than_penalties_is_a_part_above_its_whole(profile_id: str, data: st.DataObject) -> None:
    """form.part-within-whole's second kind of part: a double penalty (一案双罚) is a penalty, so a
    form stating more of them than penalties is found, citing both items, at that item only."""
    bundle = more_double_penalties_than_penalties(data.draw(campaign_bundles(profile_id)))
    violations = [v for r in reports_of(bundle) for v in r.violations]
    assert [(v.rule, v.location) for v in violations] == [("form.part-within-whole", "/values/double_penalties")]
    (violation,) = violations
    assert cites_what_grounds_it(violation, RULEBOOK.rules["form.part-within-whole"],
                                 RULEBOOK.profiles[profile_id].sources)
    assert sorted(c.quote for c in violation.citations) == sorted(
        load_template(campaign_facts(profile_id).variant).item(key).label for key in ("double_penalties", "penalties"))
    penalties = bundle.unit_forms[-1].value("penalties")
    counted = penalties.count if isinstance(penalties, CountAmount) else None
    assert violation.values == {"part": (counted or 0) + 1, "whole": counted, "whole_blank": int(counted is None)}
    assert "一案双罚" in violation.message and ("的次数" in violation.message)


@pytest.mark.parametrize("profile_id", CAMPAIGN_PROFILES)
@settings(max_examples=10, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data())
def test_a_form_filed_after_the_campaign_makes_only_the_campaigns_months_due(profile_id: str,
                                                                              data: st.DataObject) -> None:
    """A unit's form for a month after the campaign's end is form.deadline's finding; the months
    its series skipped are missing up to the campaign's last month, and none after it."""
    bundle = data.draw(campaign_bundles(profile_id))
    end = campaign_facts(profile_id).end
    last = bundle.unit_forms[-1]
    year, month = divmod(end.year * 12 + end.month - 1 + data.draw(st.integers(1, 14)), 12)
    late = attrs.evolve(last, month=f"{year:04d}-{month + 1:02d}", submitted=date(year, month + 1, 1))
    reports = reports_of(attrs.evolve(bundle, unit_forms=(*bundle.unit_forms, late)))
    found = sorted((v.rule, v.location, v.values.get("missing_month")) for r in reports for v in r.violations)

    skipped, (y, m) = [], divmod(int(last.month[:4]) * 12 + int(last.month[5:]), 12)  # the month after the last
    while (y, m + 1) <= (end.year, end.month):
        skipped.append(f"{y:04d}-{m + 1:02d}")
        y, m = divmod(y * 12 + m + 1, 12)
    assert found == sorted([("form.deadline", "/submitted", None),
                            *(("form.cumulative-nondecreasing", "/month", s) for s in skipped)])


@pytest.mark.parametrize("profile_id", CAMPAIGN_PROFILES)
@settings(max_examples=10, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data())
def test_a_fall_across_a_blank_month_is_reported(profile_id: str, data: st.DataObject) -> None:
    """A figure reported, left blank the next month and lower the month after: the blank is a fall
    from the first month, and so is the third month's figure (compared with the one last reported)."""
    bundle = data.draw(campaign_bundles(profile_id))
    assume(len(bundle.unit_forms) >= 3)
    key = data.draw(st.sampled_from(["key_enterprises_assisted", "study_sessions", "briefings", "assessments"]))
    low, fall = data.draw(st.integers(0, 50)), data.draw(st.integers(1, 50))
    first, middle, last = bundle.unit_forms[-3:]
    changed = tuple(attrs.evolve(form, values=form.values | {key: figure})
                    for form, figure in ((first, low + fall), (middle, None), (last, low)))
    reports = reports_of(attrs.evolve(bundle, unit_forms=(*bundle.unit_forms[:-3], *changed)))
    found = [(v.rule, v.location, v.values) for r in reports for v in r.violations]
    falls = "form.cumulative-nondecreasing", f"/values/{key}"
    assert sorted(found, key=str) == sorted([
        (*falls, {"previous": low + fall, "current": None, "previous_month": first.month}),
        (*falls, {"previous": low + fall, "current": low, "previous_month": first.month})], key=str)


RECTIFIED_CASES = [(profile, pair, way) for profile in CAMPAIGN_PROFILES for pair in RECTIFIED_PAIRS
                   for way in ("above-found", "found-blank")]


@pytest.mark.parametrize(("profile_id", "pair", "way"), RECTIFIED_CASES,
                         ids=[f"{p}:{pair[1]}:{w}" for p, pair, w in RECTIFIED_CASES])
@settings(max_examples=8, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data())
def test_each_rectified_finding_cites_its_own_item(profile_id: str, pair: tuple[str, str, str, str], way: str,
                                                   data: st.DataObject) -> None:
    """form.rectified-within-found, for each of the form's three pairs (企业自查, 部门检查, 挂牌督办)
    and each way it is violated: the finding cites the rectified item it is about, quoted from the
    variant's form, and no other pair's item."""
    found_key, rectified_key = pair[0], pair[1]
    bundle = data.draw(campaign_bundles(profile_id))

    def above_found(form: DispatchForm) -> DispatchForm:
        found = form.value(found_key)
        counted = found if isinstance(found, int) else 0
        return attrs.evolve(form, values=form.values | {found_key: counted, rectified_key: counted + 1})

    def found_blank(form: DispatchForm) -> DispatchForm:  # every month, so no cumulative figure falls
        rectified = form.value(rectified_key)
        return attrs.evolve(form, values=form.values | {
            found_key: None, rectified_key: (rectified if isinstance(rectified, int) else 0) + 1})

    forms = bundle.unit_forms
    changed = (*forms[:-1], above_found(forms[-1])) if way == "above-found" else tuple(map(found_blank, forms))
    violations = [v for r in reports_of(attrs.evolve(bundle, unit_forms=changed)) for v in r.violations]
    assert violations
    assert {(v.rule, v.location) for v in violations} == {("form.rectified-within-found", f"/values/{rectified_key}")}
    template = load_template(campaign_facts(profile_id).variant)
    item, section = template.item(rectified_key), template.section_of(rectified_key)
    for violation in violations:
        assert [(c.source, c.quote) for c in violation.citations] == [(template.source, item.label)]
        assert violation.citations[0].clause.endswith(f"{section.name} {item.number}")


# ---------------------------------------------------------------- documents not given


@pytest.mark.parametrize("profile_id", CAMPAIGN_PROFILES)
@BUNDLE_SETTINGS
@given(data=st.data())
def test_each_document_checked_alone_passes_what_it_can_judge(profile_id: str, data: st.DataObject) -> None:
    """A compliant campaign's documents streamed through check_many, each on its own: none fails for
    the documents not given with it (a later month for the months before it, a roll-up for its
    members' forms); what they would have shown is listed not checked."""
    bundle = data.draw(campaign_bundles(profile_id))
    reports = list(engine.check_many(bundle.documents))
    assert [(v.rule, v.message_en) for r in reports for v in r.violations] == []
    assert [{n.rule for n in r.not_checked} for r in reports] == bundle.not_checked_alone()


@pytest.mark.parametrize("profile_id", CAMPAIGN_PROFILES)
@settings(max_examples=10, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data())
def test_months_before_the_earliest_form_given_are_not_checked(profile_id: str, data: st.DataObject) -> None:
    """The reporting unit's first months left out of the bundle: not reported missing, but listed
    not checked on its latest form, naming those months in order."""
    bundle = data.draw(campaign_bundles(profile_id))
    dropped = data.draw(st.integers(1, len(bundle.unit_forms) - 1))
    bundle = restated(attrs.evolve(bundle, unit_forms=bundle.unit_forms[dropped:]))
    reports = reports_of(bundle)
    assert [(v.rule, v.message_en) for r in reports for v in r.violations] == []
    assert [{n.rule for n in r.not_checked} for r in reports] == bundle.not_checked()
    latest = reports[len(bundle.unit_forms) - 1]
    (reason,) = [n.reason_en for n in latest.not_checked if n.rule == "form.cumulative-nondecreasing"]
    months = [f"{campaign_facts(profile_id).first_month.year}-{m:02d}"
              for m in range(campaign_facts(profile_id).first_month.month, int(bundle.unit_forms[0].month[5:]))]
    assert reason.split(" for ", 1)[1].startswith(f"{' and '.join(months)} was given")


@pytest.mark.parametrize("profile_id", CAMPAIGN_PROFILES)
@settings(max_examples=10, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data())
def test_a_member_without_a_form_is_reported_and_its_rollup_not_summed(profile_id: str, data: st.DataObject) -> None:
    """A member's form for one month left out: that month's roll-up lists a member with no form, and
    only that (its sums are not checked, never compared with the other members' part); the member's
    own series shows a gap only where the month lay between two of its forms."""
    bundle = data.draw(campaign_bundles(profile_id))
    member = name_key(data.draw(st.sampled_from(MEMBER_UNITS)))
    months = [f.month for f in bundle.aggregate_forms]
    k = data.draw(st.integers(0, len(months) - 1))
    bundle = attrs.evolve(bundle, member_forms=tuple(f for f in bundle.member_forms
                                                     if (name_key(f.unit), f.month) != (member, months[k])))
    reports = reports_of(bundle)
    found = sorted((v.rule, v.location, str(v.values)) for r in reports for v in r.violations)
    gap = [("form.cumulative-nondecreasing", "/month", str({"missing_month": months[k]}))] if 0 < k < len(months) - 1 else []
    (listed,) = [f.members for f in bundle.aggregate_forms if f.month == months[k]]
    written = next(m for m in listed if name_key(m) == member)
    assert found == sorted([("form.rollup", "/members", str({"member": written})), *gap])
    assert [{n.rule for n in r.not_checked} for r in reports] == bundle.not_checked()


@pytest.mark.parametrize("profile_id", CAMPAIGN_PROFILES)
@BUNDLE_SETTINGS
@given(data=st.data())
def test_a_warning_education_done_only_before_the_campaign_waits_while_the_campaign_runs(
        profile_id: str, data: st.DataObject) -> None:
    """A record running to a day before the campaign ends, its only warning education a few days
    before the campaign began: not found (the campaign's may still come), listed not checked with
    the day it was done, as a record with none at all is; the final record finds it."""
    campaign = campaign_facts(profile_id)
    bundle = data.draw(campaign_bundles(profile_id))
    record = bundle.records[0]
    assert record.spot_check is not None
    spot_month = date.fromisoformat(f"{record.spot_check.month}-01")
    assume(_month_end(spot_month) < campaign.end)
    day = data.draw(dates_between(_month_end(spot_month), campaign.end - timedelta(days=1)))
    early = campaign.start - timedelta(days=data.draw(st.integers(1, 30)))
    waiting = _first_record(bundle, lambda r: attrs.evolve(_run_to(r, day), warning_education=(early,)))
    reports = reports_of(waiting)
    assert [(v.rule, v.message_en) for r in reports for v in r.violations] == []
    assert [{n.rule for n in r.not_checked} for r in reports] == waiting.not_checked()
    (reason,) = [n for n in reports[waiting.documents.index(waiting.records[0])].not_checked
                 if n.rule == "campaign.one-off-tasks"]
    assert f"(done on {early.isoformat()}, before the campaign began on {campaign.start.isoformat()})" in reason.reason_en
    final = _first_record(waiting, lambda r: attrs.evolve(r, as_of=None))
    assert "campaign.one-off-tasks" in {v.rule for r in reports_of(final) for v in r.violations}
