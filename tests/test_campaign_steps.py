"""A unit's dated campaign steps: a record may run only to a day (``as_of``), and a step owed only
by units holding a role (a profile's ``owed_by``) is asked of the units whose record states that
role (``roles``), and not checked for one whose record states no roles."""

from __future__ import annotations

import json
from typing import Any

import attrs
import pytest
from hypothesis import HealthCheck, assume, find, given, settings
from hypothesis import strategies as st
from hypothesis.errors import NoSuchExample

import engine
from engine.output import report_data
from engine.report import Report
from forms import LoadError, document_from_data, load_document, read_data
from forms.convert import built_wrongly
from forms.records import CampaignSteps, UnitRole
from forms.strategies import campaign_bundles
from forms.strategies.campaign import campaign_facts, campaign_steps, role_step_not_recorded, steps_not_checked
from rulebook import OwedBy, load_rulebook
from rulebook.load import normalise_whitespace

from .conftest import ROOT, alternatives_fitting, cites_what_grounds_it

RULEBOOK = load_rulebook()
RULE = "campaign.phase-deadlines"
CHONGMING = "shanghai-chongming-2023-campaign"
LINYI = "linyi-lingang-2023-campaign"
#: 城桥镇 as of the end of June: the plan and mobilisation reported; both implementation reports
#: fall due later (08-05, 12-20).
CHONGQIAO: dict[str, Any] = {"kind": "campaign-steps", "unit": "城桥镇", "profile": CHONGMING,
                             "milestones": [{"step": "plan-and-mobilisation", "done": "2023-05-30"}]}
#: A Linyi department that filed its detailed checklists (owed by every unit), and nothing else.
PLANNING: dict[str, Any] = {"kind": "campaign-steps", "unit": "区规划建设局", "profile": LINYI,
                            "milestones": [{"step": "checklists-filed", "done": "2023-05-31"}]}
STEP_SETTINGS = settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def check(data: dict[str, Any], **changes: Any) -> Report:
    return engine.check(document_from_data({**data, **changes}, "steps.yaml"))


def missing(report: Report) -> list[str]:
    """The steps the report finds missing from the record, by name."""
    return sorted(v.values["step"] for v in report.violations if v.rule == RULE and v.location == "/milestones")


# ---------------------------------------------------------------- as_of


def test_steps_falling_due_after_the_day_the_record_runs_to_are_not_missing_but_not_checked() -> None:
    """Not yet due by the day the record runs to, and not recorded: neither missing nor passed, but
    listed not checked, named with their deadlines."""
    assert missing(check(CHONGQIAO)) == ["implementation-report-1", "implementation-report-2"]  # final: both
    first, second = "the first implementation report (2023-08-05)", "the second implementation report (2023-12-20)"
    for as_of, expected, pending in (
            ("2023-06-30", [], f"{first}; {second} are"), ("2023-08-04", [], f"{first}; {second} are"),
            ("2023-08-05", ["implementation-report-1"], f"{second} is"),
            ("2023-12-20", ["implementation-report-1", "implementation-report-2"], None)):
        report = check(CHONGQIAO, as_of=as_of)
        assert missing(report) == expected, as_of
        assert [v.rule for v in report.violations] == [RULE] * len(expected)
        assert [(n.rule, n.reason_en) for n in report.not_checked] == ([] if pending is None else [
            (RULE, f"the record runs to {as_of}: {pending} not yet due, not recorded and not checked")]), as_of


def test_a_step_recorded_is_judged_by_its_date_and_the_record_runs_at_least_to_it() -> None:
    """A step recorded late is found by its date; a record running to a day before a step it records
    (a slip of the year or month that would leave every step after it “not yet due”) is refused,
    naming ``as_of`` and the later step, as an enterprise record holding a later check is."""
    late = {"step": "implementation-report-1", "done": "2023-08-07"}
    report = check(CHONGQIAO, as_of="2023-08-07", milestones=[*CHONGQIAO["milestones"], late])
    assert [(v.rule, v.values) for v in report.violations] == [
        (RULE, {"step": "implementation-report-1", "due": "2023-08-05", "done": "2023-08-07", "days_late": 2})]
    with pytest.raises(LoadError) as caught:
        check(CHONGQIAO, as_of="2023-06-30", milestones=[*CHONGQIAO["milestones"], late])
    assert [(p.path, p.message) for p in caught.value.problems] == [
        ("as_of", "2023-06-30 is before milestones[1].done (2023-08-07), a day the record holds: a record runs to a "
                  "day on or after every day it holds; check the year")]
    record = read_data(ROOT / "examples/campaigns/chongming-2023/clean/台账-上海某燃气有限公司城桥供应站.yaml")
    with pytest.raises(LoadError) as caught:
        document_from_data({**record, "as_of": "2023-06-30"})
    ((path, message),) = [(p.path, p.message) for p in caught.value.problems]
    assert path == "as_of" and message.startswith("2023-06-30 is before ")
    latest = max(d for d in record["leader_checks"])
    assert f"leader_checks[{record['leader_checks'].index(latest)}] ({latest.isoformat()}), the latest of " in message


@pytest.mark.parametrize(("data", "step", "done", "start", "clauses"), [
    (CHONGQIAO, "plan-and-mobilisation", "2022-05-30", "2023-05-23", ["四、"]),
    ({**PLANNING, "roles": ["lead-unit"]},
     "work-plan-and-liaison", "2022-05-24", "2023-05-22", ["六、"]),
])
def test_a_step_done_before_the_campaign_began_is_reported(data: dict[str, Any], step: str, done: str, start: str,
                                                           clauses: list[str]) -> None:
    """Chongming 四、 asks for the plan and its mobilisation by 31 May, the plan being dated 23 May;
    a date a year before (a typo for 2023) is no step of this campaign, as a form dated before it
    began is not (form.deadline). On the campaign's first day it passes."""
    others = [m for m in data["milestones"] if m["step"] != step]
    report = check(data, as_of="2023-06-30", milestones=[*others, {"step": step, "done": done}])
    (violation,) = report.violations
    assert (violation.rule, violation.location, violation.values["done"]) == (RULE, f"/milestones/{len(others)}", done)
    assert violation.message.endswith(f"于{done}完成，早于专项行动开始（{start}）")
    assert violation.message_en.endswith(f"was done on {done}, before the campaign began ({start})")
    assert [c.clause for c in violation.citations] == clauses
    assert check(data, as_of="2023-06-30", milestones=[*others, {"step": step, "done": start}]).violations == ()


def test_an_enterprise_records_period_is_due_on_its_last_day() -> None:
    """The high-risk gas station's record running exactly to 06-30, June's leader-led check left
    out: June is over that day, so its check is missing (to 06-29, June is not yet judged). Run
    exactly to 12-31, the campaign's last day, its missing warning education is found (not to 12-30)."""
    record = read_data(ROOT / "examples/campaigns/chongming-2023/clean/台账-上海某燃气有限公司城桥供应站.yaml")
    june = {**record, "leader_checks": ["2023-05-25"], "drills": ["2023-06-16"],
            "key_post_review": {"done": "2023-06-25", "unlicensed": 0}, "hazards": record["hazards"][:1]}

    def found(data: dict[str, Any], as_of: str) -> list[tuple[str, str, str]]:
        report = engine.check(document_from_data({**data, "as_of": as_of}, "record.yaml"))
        return [(v.rule, v.location, v.message_en) for v in report.violations]

    assert found(june, "2023-06-30") == [("campaign.leader-check", "/leader_checks", "上海某燃气有限公司城桥供应站: "
                                          "the main leader led no hazard check in 2023-06 (06-01 to 06-30)")]
    assert found(june, "2023-06-29") == []
    uneducated = {**record, "warning_education": []}
    assert [v[:2] for v in found(uneducated, "2023-12-31")] == [("campaign.one-off-tasks", "/warning_education")]
    assert found(uneducated, "2023-12-30") == []


def test_the_bundled_steps_load_with_neither_roles_nor_as_of() -> None:
    steps = load_document(ROOT / "examples/campaigns/chongming-2023/clean/城桥镇-阶段工作.yaml")
    assert isinstance(steps, CampaignSteps) and steps.roles is None and steps.as_of is None


# ---------------------------------------------------------------- roles


@pytest.mark.parametrize(("roles", "expected"), [
    ([], []),
    (["lead-unit"], ["work-plan-and-liaison"]),
    (["sector-group-office"], ["sector-plan-filed"]),
    (["sector-group-office", "lead-unit"], ["sector-plan-filed", "work-plan-and-liaison"]),
])
def test_a_step_owed_by_a_role_is_asked_only_of_units_stating_it(roles: list[str], expected: list[str]) -> None:
    report = check(PLANNING, roles=roles)
    assert missing(report) == expected
    assert [v.rule for v in report.violations] == [RULE] * len(expected)
    assert report.not_checked == ()


def test_a_step_owed_by_a_role_is_cited_from_the_clause_naming_who_owes_it() -> None:
    (violation,) = check(PLANNING, roles=["lead-unit"]).violations
    quotes = [c.quote for c in violation.citations]
    assert any("行业领域牵头负责单位" in q and "请于5月25日前" in q for q in quotes), quotes


@pytest.mark.parametrize(("step", "done", "clauses", "date_quoted"), [
    ("work-plan-and-liaison", "2023-05-26", ["六、"], "5月25日前"),
    ("sector-plan-filed", "2023-05-31", ["五、（一）2"], "5月30日前"),
    ("checklists-filed", "2023-06-01", ["五、（一）", "五、（一）3"], "5月31日前"),
])
def test_a_late_linyi_step_cites_the_clause_giving_its_own_date(step: str, done: str, clauses: list[str],
                                                               date_quoted: str) -> None:
    """A step a day late cites the clause that dates it, whose date its deadline quotes: not the phase
    heading “（2023年5月31日前）”, which would have the steps due earlier done on time by 31 May; the
    heading dates only the step due on its day. Where the date heads a requirement the rule does not
    check (五、（一）2's ongoing drive, 3's study of the checklists), the finding quotes the filing only."""
    on_time = {"work-plan-and-liaison": "2023-05-25", "sector-plan-filed": "2023-05-30", "checklists-filed": "2023-05-31"}
    record = {**PLANNING, "roles": ["lead-unit", "sector-group-office"],
              "milestones": [{"step": s, "done": done if s == step else d} for s, d in on_time.items()]}
    (violation,) = check(record).violations
    assert (violation.values["step"], violation.values["days_late"]) == (step, 1)
    assert [c.clause for c in violation.citations] == clauses
    due = RULEBOOK.profiles[LINYI].parameters[f"due.{step}"].citation
    assert due.clause == clauses[-1] and date_quoted in due.quote
    assert all(date_quoted in c.quote or "报区安委会办公室备案" in c.quote for c in violation.citations)


def test_a_unit_not_owing_a_step_may_record_it_late() -> None:
    late = {"step": "work-plan-and-liaison", "done": "2023-06-10"}
    assert check(PLANNING, roles=[], milestones=[*PLANNING["milestones"], late]).violations == ()
    assert [v.values["days_late"] for v in check(PLANNING, roles=["lead-unit"],
                                                  milestones=[*PLANNING["milestones"], late]).violations] == [16]


def test_steps_owed_by_a_role_are_not_checked_for_a_record_not_stating_its_roles() -> None:
    report = check(PLANNING)
    assert report.violations == ()
    assert [(n.rule, n.reason, n.reason_en) for n in report.not_checked] == [(
        RULE,
        "区规划建设局的阶段工作记录未注明本单位角色（roles），不核对“sector-plan-filed”（仅由专业安全生产领导小组办公室"
        "承担：sector-group-office）、“work-plan-and-liaison”（仅由行业领域牵头负责单位承担：lead-unit）",
        "the steps record of 区规划建设局 does not state the unit's roles (roles), so sector-plan-filed (owed by a "
        "sector safety leading-group office only: sector-group-office) and work-plan-and-liaison (owed by a sector's "
        "lead unit only: lead-unit) are not checked")]
    # A step every unit owes is still checked.
    assert missing(check(PLANNING, milestones=[])) == ["checklists-filed"]
    # Only what has fallen due by the day the record runs to is left unchecked (its checklists, filed
    # on 05-31, are not yet recorded on 05-27).
    (unchecked,) = check(PLANNING, as_of="2023-05-27", milestones=[]).not_checked
    assert "work-plan-and-liaison" in unchecked.reason_en and "sector-plan-filed" not in unchecked.reason_en


def test_a_record_not_stating_its_roles_is_named_in_its_own_report_only() -> None:
    """Records of two units, one stating its roles: the other's reason is listed on that other's
    report alone, naming its unit and the steps it leaves unchecked. Before, one reason naming every
    such record was listed on every steps record of the bundle, the one stating its roles too."""
    unstated = document_from_data({**PLANNING, "unit": "区安全生产监管办公室"})
    stated = document_from_data({**PLANNING, "roles": ["lead-unit", "sector-group-office"], "milestones": [
        {"step": "work-plan-and-liaison", "done": "2023-05-24"}, {"step": "sector-plan-filed", "done": "2023-05-29"},
        *PLANNING["milestones"]]})
    for order in ([unstated, stated], [stated, unstated]):
        reports = dict(zip(map(id, order), engine.check_documents(order), strict=True))
        (own,) = reports[id(unstated)].not_checked
        assert own.rule == RULE and own.reason_en.startswith("the steps record of 区安全生产监管办公室 ")
        assert "区规划建设局" not in own.reason + own.reason_en
        assert reports[id(stated)] == engine.check(stated)
        assert reports[id(stated)].not_checked == () and reports[id(stated)].violations == ()


def test_a_record_not_stating_its_roles_is_named_alone_where_no_step_was_checked() -> None:
    """Nothing was checked in the bundle (the only step due by 05-27 is owed by a role): the record
    not stating its roles has it not checked, and the steps falling due later listed not yet due
    (both reasons kept: before, the second was dropped); the one stating none it holds owes nothing
    yet, and has the step every unit owes later listed not yet due."""
    unstated = document_from_data({**PLANNING, "as_of": "2023-05-27", "milestones": []})
    none_held = document_from_data({**PLANNING, "unit": "区消防救援大队", "as_of": "2023-05-27", "milestones": [],
                                    "roles": []})
    first, second = engine.check_documents([unstated, none_held])
    assert isinstance(first, Report) and isinstance(second, Report)
    assert [(n.rule, n.reason_en) for n in first.not_checked] == [(
        RULE, "the steps record of 区规划建设局 does not state the unit's roles (roles), so work-plan-and-liaison "
              "(owed by a sector's lead unit only: lead-unit) is not checked; the record runs to 2023-05-27: "
              "filing the sector groups' work plans (2023-05-30); filing the detailed checklists (2023-05-31) "
              "are not yet due, not recorded and not checked")]
    assert second.violations == ()  # the only step owed by every unit falls due after 05-27: not checked
    assert [(n.rule, n.reason_en) for n in second.not_checked] == [(
        RULE, "the record runs to 2023-05-27: filing the detailed checklists (2023-05-31) is not yet due, "
              "not recorded and not checked")]


def test_two_records_of_one_unit_each_name_their_own_steps_whatever_their_order() -> None:
    """Two records of one unit not stating roles (one running to 05-27): each report's reason is
    that record's own, the same in either order. Before, one reason named both, in the order given."""
    early = document_from_data({**PLANNING, "as_of": "2023-05-27", "milestones": []})
    final = document_from_data(PLANNING)
    for order in ([early, final], [final, early]):
        reports = dict(zip(map(id, order), engine.check_documents(order), strict=True))
        assert reports[id(early)] == engine.check(early) and reports[id(final)] == engine.check(final)
    (reason,) = engine.check(early).not_checked
    assert "work-plan-and-liaison" in reason.reason_en and "sector-plan-filed" not in reason.reason_en


def test_every_chongming_step_is_owed_by_every_unit() -> None:
    """Chongming's 四、 asks all three steps of 各乡镇、各有关部门和区直属企业: none is scoped, and a
    record need not state roles."""
    profile = RULEBOOK.profiles[CHONGMING]
    assert [name for name, value in profile.parameters.items() if value.owed_by] == []
    text = RULEBOOK.quotable_text("chongming-2023-campaign")
    addressed = text[text.index("各乡镇、各有关部门和区直属企业请于每月28日前"):]
    for name in ("due.plan-and-mobilisation", "due.implementation-report-1", "due.implementation-report-2"):
        assert normalise_whitespace(profile.parameters[name].citation.quote) in addressed[:200], name
    assert check(CHONGQIAO, milestones=[]).not_checked == ()


def test_linyis_scoped_steps_and_their_quotes() -> None:
    parameters = RULEBOOK.profiles[LINYI].parameters
    owed = {name: value.owed_by for name, value in parameters.items() if value.owed_by}
    assert {name: o.role for name, o in owed.items()} == {"due.work-plan-and-liaison": UnitRole.LEAD_UNIT,
                                                         "due.sector-plan-filed": UnitRole.SECTOR_GROUP_OFFICE}
    assert "行业领域牵头负责单位" in owed["due.work-plan-and-liaison"].citation.quote
    assert "区安委会6个专业安全生产领导小组办公室" in owed["due.sector-plan-filed"].citation.quote
    # Each deadline quotes its date alone: the sentence it heads states a requirement no rule checks
    # (the ongoing drive, the study of the checklists) before the filing the rule's citation quotes.
    sector, checklists = parameters["due.sector-plan-filed"].citation, parameters["due.checklists-filed"].citation
    # With its item number, so that the quote occurs once in the source (“5月31日前” alone is also the
    # phase heading's 五、（一）“（2023年5月31日前）”).
    assert (sector.clause, sector.quote) == ("五、（一）2", "2.5月30日前")
    assert (checklists.clause, checklists.quote) == ("五、（一）3", "3.5月31日前")
    text = RULEBOOK.quotable_text(LINYI)
    assert text.count("2.5月30日前") == text.count("3.5月31日前") == 1
    cited = {c.clause: c.quote for c in RULEBOOK.rules["campaign.phase-deadlines"].citations if c.source == LINYI}
    assert cited["五、（一）2"] == owed["due.sector-plan-filed"].citation.quote
    assert cited["五、（一）3"] == "各部门单位结合我区实际对专项检查表进一步细化，并报区安委会办公室备案"
    assert parameters["due.checklists-filed"].owed_by is None  # 各部门单位


def test_a_role_on_a_parameter_no_rule_asks_by_role_is_refused() -> None:
    """``submission_day`` is read by form.deadline, which asks every unit's forms: a role there would be read by nothing."""
    profile = RULEBOOK.profiles[LINYI]
    lead = profile.parameters["due.work-plan-and-liaison"].owed_by
    assert lead is not None
    owed = OwedBy(UnitRole.LEAD_UNIT, lead.citation)
    scoped = attrs.evolve(profile.parameters["submission_day"], owed_by=owed)
    rulebook = RULEBOOK.with_profile(attrs.evolve(profile, parameters={**profile.parameters, "submission_day": scoped}),
                                     "linyi.yaml")
    with pytest.raises(engine.RulebookError) as refused:
        engine.check(document_from_data(PLANNING), rulebook=rulebook)
    assert str(refused.value) == (
        f"linyi.yaml: profiles[{LINYI}].parameters.submission_day.owed_by: no rule of the profile asks "
        "'submission_day' of some units only (the parameters its rules ask so: due.*)")


def test_a_role_quoted_wrongly_is_refused() -> None:
    profile = RULEBOOK.profiles[LINYI]
    value = profile.parameters["due.sector-plan-filed"]
    assert value.owed_by is not None
    wrong = attrs.evolve(value, owed_by=attrs.evolve(value.owed_by, citation=attrs.evolve(
        value.owed_by.citation, quote="区安委会7个专业安全生产领导小组办公室")))
    rulebook = RULEBOOK.with_profile(attrs.evolve(profile, parameters={**profile.parameters,
                                                                      "due.sector-plan-filed": wrong}))
    with pytest.raises(engine.RulebookError, match=r"parameters\.due\.sector-plan-filed\.owed_by\.citation: quote "
                                                   "not found verbatim in linyi-lingang-2023-campaign"):
        engine.check(document_from_data(PLANNING), rulebook=rulebook)


def test_a_role_built_in_python_that_no_loader_gives_is_named() -> None:
    steps = attrs.evolve(document_from_data(PLANNING), roles=("lead-units",))
    problem = built_wrongly(steps, "steps.yaml")
    assert isinstance(problem, LoadError)
    assert [str(p) for p in problem.problems] == ['roles[0]: expected one of lead-unit, sector-group-office, '
                                                  'got "lead-units"']


# ---------------------------------------------------------------- properties


@pytest.mark.parametrize("profile_id", [CHONGMING, LINYI])
@STEP_SETTINGS
@given(data=st.data())
def test_steps_not_yet_due_are_missing_once_the_record_is_final(profile_id: str, data: st.DataObject) -> None:
    """A generated record running to a day passes; made final, exactly the steps its unit owes that
    fell due after that day and are not recorded are missing, each by the rule's missing-step way."""
    campaign = campaign_facts(profile_id)
    steps = data.draw(campaign_steps(campaign))
    assume(steps.as_of is not None)
    assert engine.check(steps).violations == ()
    recorded = {m.step for m in steps.milestones}
    expected = sorted(step for step, due in campaign.deadlines.items()
                      if steps.as_of is not None and due > steps.as_of and campaign.owes(steps, step)
                      and step not in recorded)
    report = engine.check(attrs.evolve(steps, as_of=None))
    assert missing(report) == expected
    assert all(alternatives_fitting(v, RULEBOOK.rules[RULE]) == {1} for v in report.violations)


@STEP_SETTINGS
@given(data=st.data())
def test_a_record_not_stating_roles_leaves_exactly_the_scoped_steps_unchecked(data: st.DataObject) -> None:
    """A generated Linyi record passes; without its roles it still passes, and the steps owed by a
    role that are due by its ``as_of`` (or recorded) are named not checked, each with its role."""
    campaign = campaign_facts(LINYI)
    steps = data.draw(campaign_steps(campaign))
    alone = engine.check(steps)
    assert alone.violations == () and {n.rule for n in alone.not_checked} == steps_not_checked(steps, campaign)
    unstated = attrs.evolve(steps, roles=None)
    report = engine.check(unstated)
    assert report.violations == ()
    recorded = {m.step for m in steps.milestones}
    unchecked = sorted((step, role) for step, role in campaign.owed_by.items()
                       if step in recorded or steps.as_of is None or campaign.deadlines[step] <= steps.as_of)
    if not unchecked:
        assert {n.rule for n in report.not_checked} == steps_not_checked(unstated, campaign)
        return
    (reason,) = report.not_checked
    assert reason.rule == RULE
    named = [(step, role) for step, role in campaign.owed_by.items() if f"{step} (owed by {role.title_en}" in reason.reason_en]
    assert sorted(named) == unchecked


@STEP_SETTINGS
@given(data=st.data())
def test_steps_records_in_any_order_give_each_the_same_report(data: st.DataObject) -> None:
    """Steps records of a campaign, of one unit or several, stating their roles or not: shuffled,
    each record's report is the same, and is the one it has checked alone (what it leaves unchecked
    is its own), its JSON byte for byte."""
    profile_id = data.draw(st.sampled_from([LINYI, CHONGMING]))
    campaign = campaign_facts(profile_id)
    records = []
    for _ in range(data.draw(st.integers(2, 4))):
        steps = data.draw(campaign_steps(campaign))
        records.append(attrs.evolve(steps, unit=data.draw(st.sampled_from(["区规划建设局", "区消防救援大队"])),
                                    roles=data.draw(st.sampled_from([steps.roles, None]))))
    order = data.draw(st.permutations(range(len(records))))
    given_order = engine.check_documents(records)
    shuffled = engine.check_documents([records[i] for i in order])
    back = [shuffled[k] for k in sorted(range(len(order)), key=order.__getitem__)]
    assert back == given_order == [engine.check(r) for r in records]
    assert ([json.dumps(report_data(r), ensure_ascii=False) for r in back if isinstance(r, Report)]
            == [json.dumps(report_data(r), ensure_ascii=False) for r in given_order if isinstance(r, Report)])


@pytest.mark.parametrize("role", list(UnitRole))
@STEP_SETTINGS
@given(data=st.data())
def test_a_unit_holding_a_role_and_missing_its_step_fires_only_the_missing_step_way(role: UnitRole,
                                                                                   data: st.DataObject) -> None:
    """Linyi: a unit stating ``role`` that does not record the step the role owes is found, by the
    rule's missing-step way only, citing the clause that grounds that step."""
    bundle = role_step_not_recorded(data.draw(campaign_bundles(LINYI)), role)
    violations = [v for r in engine.check_documents(list(bundle.documents)) if isinstance(r, Report)
                  for v in r.violations]
    step = next(s for s, owing in campaign_facts(LINYI).owed_by.items() if owing == role)
    assert {v.rule for v in violations} == {RULE} and step in [v.values["step"] for v in violations]
    rule = RULEBOOK.rules[RULE]
    for violation in violations:
        assert alternatives_fitting(violation, rule) == {1}, violation.message_en
        assert cites_what_grounds_it(violation, rule, RULEBOOK.profiles[LINYI].sources), violation.citations


@pytest.mark.parametrize("profile_id", [CHONGMING, LINYI])
def test_the_generator_gives_records_running_to_a_day_and_stating_roles(profile_id: str) -> None:
    campaign = campaign_facts(profile_id)
    fixed = settings(database=None, derandomize=True, max_examples=200, suppress_health_check=list(HealthCheck))
    first_due = min(due for step, due in campaign.deadlines.items() if step not in campaign.owed_by)
    for wanted in (lambda s: s.as_of is not None, lambda s: s.as_of is None, lambda s: bool(s.roles),
                   lambda s: s.roles == (), lambda s: s.as_of is not None and s.as_of < first_due):
        find(campaign_steps(campaign), wanted, settings=fixed)
    if campaign.owed_by:  # some steps are owed by a role only: a record always says which it holds
        with pytest.raises(NoSuchExample):
            find(campaign_steps(campaign), lambda s: s.roles is None, settings=fixed)


def test_a_kind_scoping_by_role_a_parameter_it_does_not_read_is_refused() -> None:
    from engine.campaign_facts import milestones
    from engine.derived import FactKind
    from rulebook.model import DATE_UNIT

    with pytest.raises(ValueError, match="scoped_by_role names parameters the kind does not read: submission_day"):
        FactKind(milestones, ("unit",), reads={"due.*": DATE_UNIT}, scoped_by_role=("submission_day",))
