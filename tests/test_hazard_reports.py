"""Whether a hazard was reported (``Hazard.reported``) is what the record says, never guessed: a
``reported:`` line left out is not recorded (``None``), not “not reported”. A hazard owed a report
(found by the enterprise itself, not rectified the day it was found) whose report is not recorded
still has its five elements checked; its report is listed not checked, on that record only."""

from __future__ import annotations

import copy
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import engine
from engine.report import Report
from forms import document_from_data, read_data
from forms.records import EnterpriseRecord
from forms.strategies import campaign_bundles
from forms.strategies.campaign import deferred_hazard_report_not_recorded

from .conftest import ROOT

RULE = "campaign.deferred-hazard-plan"
CLEAN = ROOT / "examples/campaigns"
#: A record of each campaign's clean examples with a self-found hazard not rectified at once,
#: its five elements set out and reported.
RECORDS = {"chongming": CLEAN / "chongming-2023/clean/台账-上海某冷链物流有限公司.yaml",
           "linyi": CLEAN / "linyi-lingang-2023/clean/台账-临港某化工有限公司.yaml"}


def record(variant: str, **hazard: Any) -> dict[str, Any]:
    """The clean record, its first hazard changed (a value ``None`` leaves that field out)."""
    data = copy.deepcopy(read_data(RECORDS[variant]))
    first = data["hazards"][0]
    first.update(hazard)
    data["hazards"][0] = {key: value for key, value in first.items() if value is not None}
    return data


def report_of(data: dict[str, Any]) -> Report:
    report = engine.check(document_from_data(data, "record.yaml"))
    assert isinstance(report, Report)
    return report


def findings(report: Report) -> list[tuple[str, str]]:
    return [(v.location, v.message_en) for v in report.violations if v.rule == RULE]


def not_checked(report: Report) -> list[tuple[str, str]]:
    return [(n.reason, n.reason_en) for n in report.not_checked if n.rule == RULE]


@pytest.mark.parametrize("variant", RECORDS)
def test_a_report_left_out_loads_as_not_recorded(variant: str) -> None:
    loaded = document_from_data(record(variant, reported=None), "record.yaml")
    assert isinstance(loaded, EnterpriseRecord)
    assert loaded.hazards[0].reported is None


@pytest.mark.parametrize("variant", RECORDS)
def test_a_self_found_hazard_whose_report_is_not_recorded_is_not_found_unreported(variant: str) -> None:
    """Its five elements are all there; whether it was reported is not known: no finding, and the
    rule is listed not checked for its report, naming the hazard."""
    data = record(variant, reported=None)
    enterprise, hazard = data["enterprise"], data["hazards"][0]["description"]
    report = report_of(data)
    assert findings(report) == []
    assert not_checked(report) == [(
        f"{enterprise}的台账未注明自查发现、未立即整改的隐患是否已报告（reported），不核对其报告："
        f"“{hazard}”（hazards[0]）",
        f"the record of {enterprise} does not say whether a hazard it found itself and did not rectify "
        f"at once was reported (reported), so its report is not checked: “{hazard}” (hazards[0])")]


@pytest.mark.parametrize("variant", RECORDS)
def test_a_report_not_recorded_still_has_the_five_elements_checked(variant: str) -> None:
    data = record(variant, reported=None)
    del data["hazards"][0]["deferred"]["funds"]
    enterprise, hazard = data["enterprise"], data["hazards"][0]["description"]
    report = report_of(data)
    assert findings(report) == [
        ("/hazards/0", f"{enterprise}: hazard “{hazard}” was not rectified at once and lacks funds")]
    assert len(not_checked(report)) == 1


@pytest.mark.parametrize("variant", RECORDS)
def test_only_an_explicit_false_is_found_unreported(variant: str) -> None:
    data = record(variant, reported=False)
    enterprise, hazard = data["enterprise"], data["hazards"][0]["description"]
    report = report_of(data)
    assert findings(report) == [
        ("/hazards/0", f"{enterprise}: hazard “{hazard}”, found by its own check, was not rectified at once "
                       f"and was not reported")]
    (violation,) = [v for v in report.violations if v.rule == RULE]
    assert violation.values == {"hazard": hazard, "missing": 0, "reported": 0}
    assert not_checked(report) == []


@pytest.mark.parametrize("variant", RECORDS)
@pytest.mark.parametrize("change", [{"found_by": "department"}, {"rectified": "found"}],
                         ids=["department-found", "rectified-at-once"])
def test_a_report_not_recorded_where_none_is_owed_leaves_nothing_unchecked(variant: str,
                                                                            change: dict[str, str]) -> None:
    data = record(variant, reported=None)
    if change.get("rectified") == "found":
        change = {"rectified": data["hazards"][0]["found"]}
    data = record(variant, reported=None, **change)
    report = report_of(data)
    assert findings(report) == []
    assert not_checked(report) == []


def test_every_hazard_whose_report_is_not_recorded_is_named_once_in_the_record_order() -> None:
    data = record("linyi", reported=None)
    second = {**data["hazards"][0], "description": "储罐区呼吸阀堵塞"}
    reported = {**data["hazards"][0], "description": "装卸区静电接地失效", "reported": True}
    data["hazards"] = [data["hazards"][0], reported, second]
    (reason,) = not_checked(report_of(data))
    assert reason[1].endswith(
        "so their report is not checked: “甲类仓库可燃气体检测报警仪未定期检定” (hazards[0]) and “储罐区呼吸阀堵塞” (hazards[2])")
    assert reason[0].endswith(
        "不核对其报告：“甲类仓库可燃气体检测报警仪未定期检定”（hazards[0]）、“储罐区呼吸阀堵塞”（hazards[2]）")


def test_a_report_not_recorded_is_listed_on_its_own_record_only() -> None:
    """Checked with the other records of the campaign, only the record leaving it out lists it."""
    unrecorded = document_from_data(record("linyi", reported=None), "a.yaml")
    other = document_from_data({**read_data(RECORDS["linyi"]), "enterprise": "临港某另一化工有限公司"}, "b.yaml")
    reports = engine.check_documents([other, unrecorded], ["b.yaml", "a.yaml"])
    assert [[n.rule for n in r.not_checked if n.rule == RULE] for r in reports if isinstance(r, Report)] == [
        [], [RULE]]


@pytest.mark.parametrize("profile_id", ["linyi-lingang-2023-campaign", "shanghai-chongming-2023-campaign"])
@settings(max_examples=10, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data())
def test_a_report_not_recorded_in_a_compliant_campaign_is_no_finding_and_only_it_is_unchecked(
        profile_id: str, data: st.DataObject) -> None:
    """Generated compliant campaigns (department-found hazards' reports drawn recorded or not) with
    a self-found deferred hazard whose report is not recorded: nothing is found, and beyond what the
    generated campaign leaves not checked anyway, the first record's report alone lists
    ``campaign.deferred-hazard-plan`` not checked."""
    bundle = deferred_hazard_report_not_recorded(data.draw(campaign_bundles(profile_id)))
    documents = list(bundle.documents)
    reports = engine.check_documents(documents)
    assert all(isinstance(r, Report) for r in reports)
    assert [(v.rule, v.message_en) for r in reports if isinstance(r, Report) for v in r.violations] == []
    first = documents.index(bundle.records[0])
    expected = bundle.not_checked()  # what any generated campaign leaves not checked
    expected[first] = expected[first] | {RULE}
    assert [{n.rule for n in r.not_checked} for r in reports if isinstance(r, Report)] == expected
