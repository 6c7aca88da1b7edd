"""What counts as disorderly outsourcing (外包外租管理混乱) on a form: as the form's campaign defines
it. A form's count is checked against the enterprise records of the enterprises its unit
spot-checked (``form.matches-records``); a record that leaves a condition of the definition
unrecorded, or has no review by the day its enterprise is judged as of, lets the enterprise be
counted or not: the form's count is held between the least and the most the records allow."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

import attrs
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import engine
from forms import load_document
from forms.dispatch import load_template
from forms.records import Contractor, EnterpriseRecord
from forms.strategies import campaign_bundles
from forms.strategies.campaign import contractor_outside_management, up_to_the_most

from .conftest import not_checked_in_example

ROOT = Path(__file__).resolve().parents[1]
CLEAN = {"linyi-lingang-2023": ROOT / "examples/campaigns/linyi-lingang-2023/clean",
         "chongming-2023": ROOT / "examples/campaigns/chongming-2023/clean"}
# The record whose enterprise counts towards the form's disorderly-outsourcing figure, per campaign.
DISORDERLY = {"linyi-lingang-2023": "台账-临港某仓储有限公司.yaml", "chongming-2023": "台账-上海某冷链物流有限公司.yaml"}


def _folder(variant: str) -> tuple[list[Any], list[str]]:
    paths = sorted(CLEAN[variant].iterdir())
    return [load_document(p) for p in paths if p.suffix == ".yaml"], [p.name for p in paths if p.suffix == ".yaml"]


def _reviewed_early(documents: list[Any]) -> list[Any]:
    """Every record's outsourcing review moved to 25 May, before each enterprise is judged, so that
    its review decides whether it counts (without one by then, it may count: 附件 注2's 混乱 is what
    the checking unit finds on site)."""
    return [attrs.evolve(d, outsourcing_review=attrs.evolve(d.outsourcing_review, done=date(2023, 5, 25)))
            if isinstance(d, EnterpriseRecord) and d.outsourcing_review is not None else d for d in documents]


def _not_checked_beyond_the_example(variant: str, names: list[str], results: list[Any]) -> list[tuple[str, str, str]]:
    """What these reports of the clean folder leave not checked beyond what the folder itself does
    (``form.matches-records`` on the forms no record names, which each must still list, as its only
    reason for that rule): (rule, "", reason)."""
    unnamed = not_checked_in_example(variant)
    left = []
    for name, result in zip(names, results, strict=True):
        assert isinstance(result, engine.Report)
        rules = [(n.rule, "", n.reason_en) for n in result.not_checked]
        if name in unnamed:
            assert ("form.matches-records", "", unnamed[name][1]) in rules, name
            rules.remove(("form.matches-records", "", unnamed[name][1]))
        left += rules
    return left


def _check(variant: str, contractor: Contractor) -> list[tuple[str, str, str]]:
    """The clean folder, reviews done early, with the disorderly enterprise's one contractor
    replaced: (rule, location, reason or message); the rules left not checked beyond the folder's own."""
    documents, names = _folder(variant)
    documents = _reviewed_early(documents)
    k = names.index(DISORDERLY[variant])
    record = documents[k]
    assert isinstance(record, EnterpriseRecord) and record.outsourcing_review is not None
    review = attrs.evolve(record.outsourcing_review, contractors=(contractor,))
    documents[k] = attrs.evolve(record, outsourcing_review=review)
    results = engine.check_documents(documents, names)
    found = _not_checked_beyond_the_example(variant, names, results)
    for result in results:
        assert isinstance(result, engine.Report)
        found += [(v.rule, v.location, v.message_en) for v in result.violations]
    return sorted(set(found))


ORDERLY = Contractor(name="承包方", qualified=True, agreement=True, clear_responsibilities=True,
                     unified_management=True, safety_briefing=True)


@pytest.mark.parametrize(("variant", "condition", "counts"), [
    ("linyi-lingang-2023", "safety_briefing", True), ("linyi-lingang-2023", "unified_management", None),
    ("linyi-lingang-2023", "agreement", True),
    ("chongming-2023", "unified_management", True), ("chongming-2023", "safety_briefing", False),
    ("chongming-2023", "qualified", True),
])
def test_a_contractor_failing_one_condition_counts_as_its_campaign_defines(variant: str, condition: str,
                                                                           counts: bool | None) -> None:
    """The clean folder's form counts the enterprise as disorderly: failing a condition of its own
    campaign's definition keeps it clean, and so does failing one that may count (None: Linyi's
    unified management, see the next test); failing one that campaign does not count makes the
    form's count one too many, at the disorderly-outsourcing item only. A contractor outside the
    unified management also breaks that duty of the enterprise's own, in either campaign."""
    found = _check(variant, attrs.evolve(ORDERLY, **{condition: False}))
    own = {("campaign.contractor-outside-management", "/outsourcing_review/contractors/0")}
    expected = own if condition == "unified_management" else set()
    if counts is False:
        expected |= {("form.matches-records", "/values/outsourcing_disorder")}
    assert {(rule, location) for rule, location, _ in found} == expected


@pytest.mark.parametrize("stated", [0, 1, 2])
def test_a_contractor_outside_unified_management_may_count_in_linyi(stated: int) -> None:
    """Linyi's 四、（一）4 lists the problems its review looks for openly (“…等问题”), and asks for the
    unified management in the same clause: an enterprise whose contractor fails only that may count
    as 混乱, or not. The warehouse (spot-checked in July) so: the forms from July on pass counting
    it (1) or not (0), reporting the contractor itself once (never “correct it to 0” beside it); 2
    is above what the records allow, shown as the range."""
    documents, names = _folder("linyi-lingang-2023")
    documents = _reviewed_early(documents)
    k = names.index(DISORDERLY["linyi-lingang-2023"])
    record = documents[k]
    assert isinstance(record, EnterpriseRecord) and record.outsourcing_review is not None
    outside = attrs.evolve(ORDERLY, unified_management=False)
    documents[k] = attrs.evolve(record, outsourcing_review=attrs.evolve(record.outsourcing_review,
                                                                        contractors=(outside,)))
    july_on = ["区安全生产监管办公室-2023-07.yaml", "区安全生产监管办公室-2023-08.yaml"]
    documents = [attrs.evolve(d, values=d.values | {"outsourcing_disorder": stated}) if name in july_on else d
                 for name, d in zip(names, documents, strict=True)]
    results = engine.check_documents(documents, names)
    assert _not_checked_beyond_the_example("linyi-lingang-2023", names, results) == []
    found = sorted((names[i], v.rule, v.location, v.message_en) for i, r in enumerate(results)
                   if isinstance(r, engine.Report) for v in r.violations)
    label = "“外包外租安全管理混乱 (家)”"[1:-1]
    expected = [(DISORDERLY["linyi-lingang-2023"], "campaign.contractor-outside-management",
                 "/outsourcing_review/contractors/0",
                 "临港某仓储有限公司: contractor “承包方” is not under the enterprise's unified management")]
    if stated == 2:
        expected += [(name, "form.matches-records", "/values/outsourcing_disorder",
                      f"区安全生产监管办公室 {name[-12:-5]}: “{label}” is 2, but the records of the 3 "
                      f"enterprises spot-checked give between 0 and 1") for name in july_on]
    assert found == sorted(expected)


def test_linyi_may_count_unified_management_and_chongming_counts_it() -> None:
    """The model's reading: a contractor failing only a condition that may count may be disorderly
    (None); one also failing a condition that counts is (True); Chongming's 注2 counts it."""
    outside = attrs.evolve(ORDERLY, unified_management=False)
    linyi, chongming = load_template("linyi-lingang-2023"), load_template("chongming-2023")
    assert outside.disorderly(linyi.orderly_outsourcing, linyi.outsourcing_may_count) is None
    assert attrs.evolve(outside, agreement=False).disorderly(linyi.orderly_outsourcing,
                                                             linyi.outsourcing_may_count) is True
    assert ORDERLY.disorderly(linyi.orderly_outsourcing, linyi.outsourcing_may_count) is False
    assert outside.disorderly(chongming.orderly_outsourcing, chongming.outsourcing_may_count) is True


def test_a_contractor_whose_briefing_is_not_recorded_may_count_in_linyi() -> None:
    """Linyi counts a contractor without its 安全技术交底: one whose briefing is not recorded may be
    counted or not, so the form's 1 passes, as 0 would."""
    assert _check("linyi-lingang-2023", attrs.evolve(ORDERLY, safety_briefing=None)) == []


def test_an_unrecorded_briefing_does_not_matter_where_the_campaign_does_not_count_it() -> None:
    contractor = attrs.evolve(ORDERLY, safety_briefing=None, agreement=False)  # disorderly in Chongming anyway
    assert _check("chongming-2023", contractor) == []


def test_a_contractor_known_disorderly_is_counted_even_if_another_condition_is_unrecorded() -> None:
    assert _check("linyi-lingang-2023", attrs.evolve(ORDERLY, safety_briefing=None, qualified=False)) == []


def test_an_unrecorded_briefing_bounds_the_forms_that_count_the_enterprise() -> None:
    """临港某化工 is spot-checked in June: with its briefing unrecorded, it may count in the checking
    unit's June to August forms (cumulative, each counting it), which are compared with the
    range the records allow, as every form is; nothing is left not checked beyond the folder's own. Its May form, counting
    no such enterprise, is found one too many; a July form counting every enterprise spot-checked
    as disorderly is found above the most."""
    documents, names = _folder("linyi-lingang-2023")
    documents = _reviewed_early(documents)
    k = names.index("台账-临港某化工有限公司.yaml")
    record = documents[k]
    assert isinstance(record, EnterpriseRecord) and record.outsourcing_review is not None
    contractors = tuple(attrs.evolve(c, safety_briefing=None) for c in record.outsourcing_review.contractors)
    documents[k] = attrs.evolve(record, outsourcing_review=attrs.evolve(record.outsourcing_review,
                                                                        contractors=contractors))
    may, july = names.index("区安全生产监管办公室-2023-05.yaml"), names.index("区安全生产监管办公室-2023-07.yaml")
    documents[may] = attrs.evolve(documents[may], values=documents[may].values | {"outsourcing_disorder": 1})
    documents[july] = attrs.evolve(documents[july], values=documents[july].values | {"outsourcing_disorder": 3})
    results = engine.check_documents(documents, names)
    assert _not_checked_beyond_the_example("linyi-lingang-2023", names, results) == []
    found = [(name, v.location, v.message) for name, r in zip(names, results, strict=True)
             if isinstance(r, engine.Report) for v in r.violations if v.rule == "form.matches-records"]
    label = "“外包外租安全管理混乱 (家)”"
    assert found == [
        ("区安全生产监管办公室-2023-05.yaml", "/values/outsourcing_disorder",
         f"区安全生产监管办公室 2023-05：{label}填1家，但1家被抽查企业的台账显示为0家"),
        ("区安全生产监管办公室-2023-07.yaml", "/values/outsourcing_disorder",
         f"区安全生产监管办公室 2023-07：{label}填3家，但3家被抽查企业的台账显示为1至2家")]


def test_an_enterprise_without_the_review_by_its_spot_check_may_count() -> None:
    """附件 注2 defines 外包外租管理混乱 as a state the checking unit finds on site: an enterprise
    whose record has no outsourcing review by the day its spot check was reported (done later, or
    not at all, which ``campaign.one-off-tasks`` reports) may be counted or not. The cold-chain
    firm's review moved to August (after July's form, filed 27 July), or left out: the forms from
    July on pass counting it or not; counting one more is above what the records allow."""
    documents, names = _folder("chongming-2023")
    documents = _reviewed_early(documents)
    k = names.index(DISORDERLY["chongming-2023"])
    record = documents[k]
    assert isinstance(record, EnterpriseRecord) and record.outsourcing_review is not None
    for review in (attrs.evolve(record.outsourcing_review, done=date(2023, 8, 10)), None):
        changed = [*documents[:k], attrs.evolve(record, outsourcing_review=review), *documents[k + 1:]]
        july_on = [f"城桥镇-2023-0{m}.yaml" for m in (7, 8)]
        for stated in (0, 1, 2):
            checked = [attrs.evolve(d, values=d.values | {"outsourcing_disorder": stated}) if name in july_on else d
                       for name, d in zip(names, changed, strict=True)]
            results = engine.check_documents(checked, names)
            found = [(names[i], v.location) for i, r in enumerate(results) if isinstance(r, engine.Report)
                     for v in r.violations if v.rule == "form.matches-records"]
            assert found == ([(name, "/values/outsourcing_disorder") for name in july_on] if stated == 2 else []), (
                review, stated)


@pytest.mark.parametrize("profile_id", ["linyi-lingang-2023-campaign", "shanghai-chongming-2023-campaign"])
@settings(max_examples=10, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data())
def test_a_contractor_outside_management_is_found_once_however_the_forms_count_it(profile_id: str,
                                                                                  data: st.DataObject) -> None:
    """A generated compliant campaign whose first enterprise has a contractor outside its unified
    management, the forms counting the least or the most the records allow: the contractor is
    found, and nothing else (no form told to count what the records call a fault, or not to)."""
    bundle = contractor_outside_management(data.draw(campaign_bundles(profile_id)))
    if data.draw(st.booleans(), label="forms at the most"):
        bundle = up_to_the_most(bundle)
    results = engine.check_documents(list(bundle.documents))
    assert all(isinstance(r, engine.Report) for r in results)
    assert {v.rule for r in results if isinstance(r, engine.Report) for v in r.violations} == {
        "campaign.contractor-outside-management"}
