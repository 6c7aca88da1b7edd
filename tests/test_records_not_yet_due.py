"""An enterprise record running to a day before the campaign ends (``as_of``): what is not yet due
is listed as not checked (never reported as passed), what is done already is judged, and what was
due by then is checked as before."""

from __future__ import annotations

from typing import Any

import pytest

import engine
from engine.report import Report
from forms import document_from_data, read_data

from .conftest import ROOT

#: High-risk (危险化学品): a leader-led check each month, a drill each half-year of the campaign
#: (2023-05-22 to 2023-12-31).
CHEMICALS = ROOT / "examples/campaigns/linyi-lingang-2023/clean/台账-临港某化工有限公司.yaml"
RULES = ("campaign.one-off-tasks", "campaign.leader-check", "campaign.drill")


def run_to_mid_august(**changes: Any) -> dict[str, Any]:
    """The chemical plant's record running to 2023-08-15, holding only what was done by then."""
    data = read_data(CHEMICALS)
    data |= {"as_of": "2023-08-15", "leader_checks": [d for d in data["leader_checks"] if str(d) <= "2023-08-15"],
             "drills": [d for d in data["drills"] if str(d) <= "2023-08-15"]}
    return data | changes


def outcome(data: dict[str, Any]) -> tuple[list[tuple[str, str]], list[tuple[str, str, str]]]:
    """The record's findings and not-checked rules (rule, reason, English reason) among :data:`RULES`,
    each by rule."""
    report = engine.check(document_from_data(data, "record.yaml"))
    assert isinstance(report, Report)
    return ([(v.rule, v.message_en) for v in report.violations if v.rule in RULES],
            [(n.rule, n.reason, n.reason_en) for n in report.not_checked if n.rule in RULES])


LEADER_NOT_DUE = ("campaign.leader-check",
                  "台账截至2023-08-15，2023年9月（09-01至09-30）、2023年10月（10-01至10-31）、2023年11月（11-01至11-30）、"
                  "2023年12月（12-01至12-31）尚未结束：其间的主要负责人带队检查未到期，不作检查",
                  "the record runs to 2023-08-15 and 2023-09 (09-01 to 09-30), 2023-10 (10-01 to 10-31), "
                  "2023-11 (11-01 to 11-30) and 2023-12 (12-01 to 12-31) are not over: the leader-led checks due in them "
                  "are not yet due and not checked")
DRILL_NOT_DUE = ("campaign.drill",
                 "台账截至2023-08-15，2023年下半年（07-01至12-31）尚未结束：其间的应急演练未到期，不作检查",
                 "the record runs to 2023-08-15 and the second half of 2023 (07-01 to 12-31) is not over: the drill due "
                 "in it is not yet due and not checked")


def test_tasks_not_done_by_a_day_before_the_campaign_ends_are_not_checked_not_passed() -> None:
    """The review's case: no warning education, no outsourcing review, no key-post review by
    15 August. Not found (the campaign runs to 31 December), and not passed either: each rule is
    listed with what is not yet due."""
    data = run_to_mid_august(warning_education=[], outsourcing_review=None, key_post_review=None)
    assert outcome(data) == ([], [
        DRILL_NOT_DUE, LEADER_NOT_DUE,
        ("campaign.one-off-tasks",
         "台账截至2023-08-15，专项行动尚未结束（2023-12-31结束）：全员安全警示教育活动、外包外租全面排查、关键岗位人员全面排查"
         "尚未在行动期间开展，未到期，不作检查",
         "the record runs to 2023-08-15, before the campaign ends (2023-12-31): the all-staff warning education, "
         "the outsourcing and leasing review and the key-post staff review are not done in the campaign yet, not yet "
         "due and not checked")])


def test_a_task_done_already_is_judged_and_only_the_others_wait() -> None:
    """The warning education done on 2 June passes whatever follows; the two reviews not yet done
    are what the reason names."""
    data = run_to_mid_august(outsourcing_review=None, key_post_review=None)
    assert outcome(data)[1][2] == (
        "campaign.one-off-tasks",
        "台账截至2023-08-15，专项行动尚未结束（2023-12-31结束）：外包外租全面排查、关键岗位人员全面排查尚未在行动期间开展，未到期，"
        "不作检查",
        "the record runs to 2023-08-15, before the campaign ends (2023-12-31): the outsourcing and leasing review "
        "and the key-post staff review are not done in the campaign yet, not yet due and not checked")
    every_task_done = run_to_mid_august()
    assert outcome(every_task_done) == ([], [DRILL_NOT_DUE, LEADER_NOT_DUE])


def test_periods_over_by_the_day_the_record_runs_to_are_still_checked() -> None:
    """No check in July (over by 15 August) is found as before; August, not over, has its check
    of 9 August done already; September on are listed as not yet due."""
    data = run_to_mid_august()
    data["leader_checks"] = [d for d in data["leader_checks"] if str(d)[:7] != "2023-07"]
    assert outcome(data) == (
        [("campaign.leader-check", "临港某化工有限公司: the main leader led no hazard check in 2023-07 (07-01 to 07-31)")],
        [DRILL_NOT_DUE, LEADER_NOT_DUE])


def test_a_final_record_lists_nothing_as_not_yet_due() -> None:
    assert outcome(read_data(CHEMICALS)) == ([], [])


def test_a_task_done_only_before_the_campaign_still_waits_and_the_reason_names_its_day() -> None:
    """A warning education on 10 May 2023 and a key-post review on 28 June 2022 (the campaign began
    on 22 May 2023), in a record running to 15 August: neither counts, and the campaign's may still
    come by 31 December, so they are not yet due (not found, as a record that recorded nothing is
    not), and the reason names the days they were done, before the campaign. The final record finds
    them."""
    data = run_to_mid_august(warning_education=["2023-05-10"], outsourcing_review=None,
                             key_post_review={"done": "2022-06-28", "unlicensed": 0})
    findings, not_checked = outcome(data)
    assert findings == []
    assert not_checked[2] == (
        "campaign.one-off-tasks",
        "台账截至2023-08-15，专项行动尚未结束（2023-12-31结束）：全员安全警示教育活动（2023-05-10开展，早于行动开始之日2023-05-22）、"
        "外包外租全面排查、关键岗位人员全面排查（2022-06-28开展，早于行动开始之日2023-05-22）尚未在行动期间开展，未到期，不作检查",
        "the record runs to 2023-08-15, before the campaign ends (2023-12-31): the all-staff warning education "
        "(done on 2023-05-10, before the campaign began on 2023-05-22), the outsourcing and leasing review and the "
        "key-post staff review (done on 2022-06-28, before the campaign began on 2023-05-22) are not done in the "
        "campaign yet, not yet due and not checked")
    assert [f for f in outcome({**data, "as_of": None})[0] if f[0] == "campaign.one-off-tasks"] == [
        ("campaign.one-off-tasks", "临港某化工有限公司: the key-post staff review did not happen during the campaign"),
        ("campaign.one-off-tasks", "临港某化工有限公司: the outsourcing and leasing review did not happen during the campaign"),
        ("campaign.one-off-tasks", "临港某化工有限公司: the all-staff warning education did not happen during the campaign"),
    ]


def test_a_record_running_to_a_day_before_the_campaign_began_is_unusable_and_the_others_are_checked() -> None:
    """as_of 2022-12-31 for 2023-12-31 made every period and task after it “not yet due”: no
    finding, exit 0. The record (or a steps record) is now unusable under its profile, naming
    ``as_of``; the other documents of the check are still checked."""
    early = read_data(CHEMICALS) | {"as_of": "2022-12-31", "leader_checks": [], "drills": [], "warning_education": [],
                                    "outsourcing_review": None, "key_post_review": None, "hazards": []}
    steps = {"kind": "campaign-steps", "unit": "区规划建设局", "profile": "linyi-lingang-2023-campaign",
             "milestones": [], "as_of": "2023-05-21"}
    documents = [document_from_data(early, "record.yaml"), document_from_data(steps, "steps.yaml"),
                 document_from_data(read_data(CHEMICALS), "final.yaml")]
    record, day_before, final = engine.check_documents(documents, ["record.yaml", "steps.yaml", "final.yaml"])
    assert isinstance(record, engine.Unusable) and isinstance(day_before, engine.Unusable)
    assert record.problems == [{"path": "as_of", "message": (
        "2022-12-31 is before the campaign began (2023-05-22, under profile linyi-lingang-2023-campaign): a record of "
        "the campaign runs to a day in it; check the year")}]
    assert day_before.problems[0]["path"] == "as_of" and day_before.problems[0]["message"].startswith("2023-05-21 is ")
    assert isinstance(final, Report) and final.violations == ()
    with pytest.raises(engine.ProfileError, match="check the year") as refused:
        list(engine.check_many([read_data(CHEMICALS), early]))
    assert (refused.value.document, refused.value.field) == ("<document 1>", "as_of")  # named in a stream
    # The campaign's first day is in it.
    assert isinstance(engine.check({**early, "as_of": "2023-05-22"}), Report)
