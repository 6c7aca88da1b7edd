"""Two duties an enterprise record shows done or broken on its own: no one uncertified works a
special-operation post (``campaign.uncertified-special-work``), and every contractor is under the
enterprise's unified management (``campaign.contractor-outside-management``)."""

from __future__ import annotations

from typing import Any

import pytest

import engine
from engine.report import Report
from forms import document_from_data, read_data

from .conftest import ROOT

UNCERTIFIED = "campaign.uncertified-special-work"
OUTSIDE = "campaign.contractor-outside-management"
CLEAN = ROOT / "examples/campaigns"
#: A Chongming and a Linyi record of the clean examples: every duty done, no one uncertified, every
#: contractor under unified management.
RECORDS = {"chongming": CLEAN / "chongming-2023/clean/台账-上海某燃气有限公司城桥供应站.yaml",
           "linyi": CLEAN / "linyi-lingang-2023/clean/台账-临港某化工有限公司.yaml"}
#: Each source's clause, as the finding cites it.
CLAUSES = {"chongming": {UNCERTIFIED: ("chongming-2023-campaign", "三、（一）3"),
                         OUTSIDE: ("chongming-2023-campaign", "三、（一）4")},
           "linyi": {UNCERTIFIED: ("linyi-lingang-2023-campaign", "四、（一）3"),
                     OUTSIDE: ("linyi-lingang-2023-campaign", "四、（一）4")}}


def record(variant: str, **changes: Any) -> dict[str, Any]:
    return {**read_data(RECORDS[variant]), **changes}


def found(data: dict[str, Any], *rules: str) -> list[tuple[str, str, str, str]]:
    report = engine.check(document_from_data(data, "record.yaml"))
    assert isinstance(report, Report)
    assert not [n for n in report.not_checked if n.rule in rules]
    return [(v.rule, v.location, v.message, v.message_en) for v in report.violations if v.rule in rules]


@pytest.mark.parametrize("variant", RECORDS)
def test_the_clean_records_keep_both_duties(variant: str) -> None:
    assert found(record(variant), UNCERTIFIED, OUTSIDE) == []


@pytest.mark.parametrize("variant", RECORDS)
def test_staff_found_uncertified_break_the_duty(variant: str) -> None:
    data = record(variant)
    data["key_post_review"] = {**data["key_post_review"], "unlicensed": 3}
    enterprise = data["enterprise"]
    assert found(data, UNCERTIFIED) == [
        (UNCERTIFIED, "/key_post_review/unlicensed",
         f"{enterprise}：关键岗位人员排查发现3名未取得相关证书的人员在特种作业岗位上岗作业",
         f"{enterprise}: the key-post review found 3 staff working a special-operation post without a certificate")]
    (violation,) = engine.check(document_from_data(data, "record.yaml")).violations
    assert violation.values == {"enterprise": enterprise, "unlicensed": 3}
    assert [(c.source, c.clause, c.quote) for c in violation.citations] == [
        (*CLAUSES[variant][UNCERTIFIED], "严禁聘用和招请未经安全培训合格、未取得相关证书的人员在特种作业岗位上岗作业")]


def _not_checked(data: dict[str, Any], rule: str) -> list[str]:
    """Why ``rule`` is not checked for the record (English), and that it found nothing."""
    report = engine.check(document_from_data(data, "record.yaml"))
    assert isinstance(report, Report)
    assert [v for v in report.violations if v.rule == rule] == []
    return [n.reason_en for n in report.not_checked if n.rule == rule]


@pytest.mark.parametrize("variant", RECORDS)
def test_a_review_not_done_or_a_number_not_recorded_is_not_checked_never_passed(variant: str) -> None:
    """No review: campaign.one-off-tasks reports the review missing, and this rule is listed not
    checked for the record (what the review would have found is not known). A review that leaves the
    number out (or blank) is not checked either: a blank is not 0, nor above it."""
    no_review = record(variant, key_post_review=None)
    assert _not_checked(no_review, UNCERTIFIED) == [
        "the record holds no key-post staff review, so the staff it found working uncertified cannot be checked"]
    report = engine.check(document_from_data(no_review, "record.yaml"))
    assert [(v.rule, v.location, v.message_en) for v in report.violations] == [
        ("campaign.one-off-tasks", "/key_post_review",
         f"{no_review['enterprise']}: the key-post staff review did not happen during the campaign")]
    done = read_data(RECORDS[variant])["key_post_review"]["done"]
    blank = ["the record does not say how many staff the key-post review found working uncertified (unlicensed), "
             "so it is not checked"]
    assert _not_checked(record(variant, key_post_review={"done": done}), UNCERTIFIED) == blank
    assert _not_checked(record(variant, key_post_review={"done": done, "unlicensed": None}), UNCERTIFIED) == blank
    assert found(record(variant, key_post_review={"done": done, "unlicensed": 0}), UNCERTIFIED) == []


@pytest.mark.parametrize("variant", RECORDS)
def test_an_outsourcing_review_not_recorded_leaves_the_contractors_not_checked(variant: str) -> None:
    """No outsourcing review: whether its contractors are under unified management is not known, so
    the rule is listed not checked for the record; a review finding no contractors has none to judge."""
    assert _not_checked(record(variant, outsourcing_review=None), OUTSIDE) == [
        "the record holds no outsourcing and leasing review, so whether its contractors are under unified "
        "management cannot be checked"]
    done = read_data(RECORDS[variant])["outsourcing_review"]["done"]
    assert found(record(variant, outsourcing_review={"done": done, "contractors": []}), OUTSIDE) == []


def test_a_number_not_recorded_loads_blank() -> None:
    data = record("chongming", key_post_review={"done": "2023-06-25"})
    loaded = document_from_data(data, "record.yaml")
    assert loaded.key_post_review is not None and loaded.key_post_review.unlicensed is None


@pytest.mark.parametrize("variant", RECORDS)
def test_each_contractor_outside_unified_management_is_reported_once(variant: str) -> None:
    data = record(variant)
    managed = {"qualified": True, "agreement": True, "clear_responsibilities": True, "unified_management": True,
               "safety_briefing": True}
    data["outsourcing_review"] = {**data["outsourcing_review"], "contractors": [
        {"name": "甲劳务公司", **managed, "unified_management": False},
        {"name": "乙运输队", **managed, "agreement": False},  # disorderly for the forms, but managed
        {"name": "丙工程公司", **managed, "unified_management": False}]}
    enterprise = data["enterprise"]
    assert found(data, OUTSIDE) == [
        (OUTSIDE, f"/outsourcing_review/contractors/{k}", f"{enterprise}：承包承租方“{name}”未纳入本企业统一管理",
         f"{enterprise}: contractor “{name}” is not under the enterprise's unified management")
        for k, name in ((0, "甲劳务公司"), (2, "丙工程公司"))]
    violation = next(v for v in engine.check(document_from_data(data, "record.yaml")).violations if v.rule == OUTSIDE)
    assert [(c.source, c.clause, c.quote) for c in violation.citations] == [
        (*CLAUSES[variant][OUTSIDE], "将外包外租等生产经营活动纳入本企业安全生产管理体系")]
