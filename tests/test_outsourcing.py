"""What counts as disorderly outsourcing (外包外租管理混乱) on a form: as the form's campaign defines
it. A form's count is checked against the enterprise records of the enterprises its unit
spot-checked (``form.matches-records``); a record that leaves a condition of the definition
unrecorded leaves that count not checked, never guessed."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import attrs
import pytest

import engine
from forms import load_document
from forms.records import Contractor, EnterpriseRecord

ROOT = Path(__file__).resolve().parents[1]
CLEAN = {"linyi-lingang-2023": ROOT / "examples/campaigns/linyi-lingang-2023/clean",
         "chongming-2023": ROOT / "examples/campaigns/chongming-2023/clean"}
# The record whose enterprise counts towards the form's disorderly-outsourcing figure, per campaign.
DISORDERLY = {"linyi-lingang-2023": "台账-临港某仓储有限公司.yaml", "chongming-2023": "台账-上海某冷链物流有限公司.yaml"}


def _folder(variant: str) -> tuple[list[Any], list[str]]:
    paths = sorted(CLEAN[variant].iterdir())
    return [load_document(p) for p in paths if p.suffix == ".yaml"], [p.name for p in paths if p.suffix == ".yaml"]


def _check(variant: str, contractor: Contractor) -> list[tuple[str, str, str]]:
    """The clean folder with the disorderly enterprise's one contractor replaced: (rule, location, reason or message)."""
    documents, names = _folder(variant)
    k = names.index(DISORDERLY[variant])
    record = documents[k]
    assert isinstance(record, EnterpriseRecord) and record.outsourcing_review is not None
    review = attrs.evolve(record.outsourcing_review, contractors=(contractor,))
    documents[k] = attrs.evolve(record, outsourcing_review=review)
    results = engine.check_documents(documents, names)
    found = []
    for result in results:
        assert isinstance(result, engine.Report)
        found += [(v.rule, v.location, v.message_en) for v in result.violations]
        found += [(n.rule, "", n.reason_en) for n in result.not_checked]
    return sorted(set(found))


ORDERLY = Contractor(name="承包方", qualified=True, agreement=True, clear_responsibilities=True,
                     unified_management=True, safety_briefing=True)


@pytest.mark.parametrize(("variant", "condition", "counts"), [
    ("linyi-lingang-2023", "safety_briefing", True), ("linyi-lingang-2023", "unified_management", False),
    ("linyi-lingang-2023", "agreement", True),
    ("chongming-2023", "unified_management", True), ("chongming-2023", "safety_briefing", False),
    ("chongming-2023", "qualified", True),
])
def test_a_contractor_failing_one_condition_counts_as_its_campaign_defines(variant: str, condition: str,
                                                                           counts: bool) -> None:
    """The clean folder's form counts the enterprise as disorderly: failing a condition of its own
    campaign's definition keeps it clean; failing one that campaign does not count makes the form's
    count one too many, at the disorderly-outsourcing item only."""
    found = _check(variant, attrs.evolve(ORDERLY, **{condition: False}))
    if counts:
        assert found == []
    else:
        assert found and {(rule, location) for rule, location, _ in found} == {
            ("form.matches-records", "/values/outsourcing_disorder")}


def test_a_contractor_whose_briefing_is_not_recorded_leaves_linyis_count_not_checked() -> None:
    found = _check("linyi-lingang-2023", attrs.evolve(ORDERLY, safety_briefing=None))
    assert found and {(rule, location) for rule, location, _ in found} == {("form.matches-records", "")}
    assert all("safety_briefing" in reason for _, _, reason in found)


def test_an_unrecorded_briefing_does_not_matter_where_the_campaign_does_not_count_it() -> None:
    contractor = attrs.evolve(ORDERLY, safety_briefing=None, agreement=False)  # disorderly in Chongming anyway
    assert _check("chongming-2023", contractor) == []


def test_a_contractor_known_disorderly_is_counted_even_if_another_condition_is_unrecorded() -> None:
    assert _check("linyi-lingang-2023", attrs.evolve(ORDERLY, safety_briefing=None, qualified=False)) == []


def test_an_unrecorded_briefing_leaves_only_the_forms_it_leaves_undecided_not_checked() -> None:
    """临港某化工 is spot-checked in June: with its briefing unrecorded, the checking unit's June to
    August forms (cumulative, each counting it) are not compared, each saying so in its own report;
    its May form, counting no such enterprise, is compared and found one too many; no other
    document's report carries the notice."""
    documents, names = _folder("linyi-lingang-2023")
    k = names.index("台账-临港某化工有限公司.yaml")
    record = documents[k]
    assert isinstance(record, EnterpriseRecord) and record.outsourcing_review is not None
    contractors = tuple(attrs.evolve(c, safety_briefing=None) for c in record.outsourcing_review.contractors)
    documents[k] = attrs.evolve(record, outsourcing_review=attrs.evolve(record.outsourcing_review,
                                                                        contractors=contractors))
    may = names.index("区安全生产监管办公室-2023-05.yaml")
    documents[may] = attrs.evolve(documents[may], values=documents[may].values | {"outsourcing_disorder": 1})
    results = engine.check_documents(documents, names)
    noticed = []
    for name, result in zip(names, results, strict=True):
        assert isinstance(result, engine.Report)
        notices = [n for n in result.not_checked if n.rule == "form.matches-records"]
        assert len(notices) <= 1 and all("safety_briefing" in n.reason_en for n in notices)
        noticed += [name] * len(notices)
    assert noticed == [f"区安全生产监管办公室-2023-0{m}.yaml" for m in (6, 7, 8)]
    report = results[may]
    assert isinstance(report, engine.Report)
    assert [(v.rule, v.location) for v in report.violations] == [("form.matches-records", "/values/outsourcing_disorder")]
