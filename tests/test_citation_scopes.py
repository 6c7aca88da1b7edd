"""A finding cites the clauses that ground it: a rule's citation may apply to some of its findings
only (``applies_to``: a form item's key, a task, a step, a plan item's name), chosen by the first
fact the finding matched; a finding that no citation grounds cites all of its rule's clauses where
they are scoped by names the forms fix, and none where by names a plan's author chose."""

from __future__ import annotations

import io
from collections import defaultdict
from pathlib import Path
from xml.etree import ElementTree

import attrs
import pytest
from openpyxl import load_workbook

import engine
from engine.cli import main
from engine.compile import RulebookError, compile_profile, rule_problems
from engine.facts import build_facts
from engine.integration import as_junit, as_xlsx
from forms import AnnualPlan, load_document
from forms.plan import KeyUnit, KeyUnitCategory, KeyUnitList
from rulebook import Rule, Scope, load_rulebook

from .conftest import cites_what_grounds_it

ROOT = Path(__file__).resolve().parents[1]
RULEBOOK = load_rulebook()
CAMPAIGNS = ROOT / "examples" / "campaigns"


def _with_samples(document: object) -> object:
    """A plan whose items name no sample (no example does) with one named in each item, and a
    key-unit list where it has none (samples are joined against one) listing its first unit twice
    (no example does), and each item stating its units checked once each, so that the facts of its
    samples, of a repeated name and of each item's arithmetic are seen too."""
    if not isinstance(document, AnnualPlan) or any(item.sampled_units for item in document.items):
        return document
    key_units = document.key_units or KeyUnitList(categories=(KeyUnitCategory("一", "重点单位"),),
                                                  units=(KeyUnit(no=1, name="某重点单位", category="一"),))
    repeated = attrs.evolve(key_units.units[0], no=len(key_units.units) + 1)
    key_units = attrs.evolve(key_units, units=(*key_units.units, repeated))
    # Items stating their units without checks per unit (the example checks no such item's
    # arithmetic, since key-unit coverage checks it already) say once each, so their facts are seen.
    items = tuple(attrs.evolve(item, sampled_units=("某抽查单位",),
                               checks_per_unit=1 if item.units is not None and item.checks_per_unit is None
                               else item.checks_per_unit)
                  for item in document.items)
    return attrs.evolve(document, key_units=key_units, items=items)


def _facts_of_examples() -> dict[tuple[str, str], set[object]]:
    """Every (fact kind, field) value the example plans' and campaigns' facts take."""
    seen: dict[tuple[str, str], set[object]] = defaultdict(set)
    plans = [[plan] for plan in sorted((ROOT / "examples" / "plans").glob("*.yaml"))]
    campaigns = [sorted(folder.glob("*.yaml")) for folder in sorted(CAMPAIGNS.glob("*/*")) if folder.is_dir()]
    for paths in plans + campaigns:
        documents = [_with_samples(load_document(p)) for p in paths]
        profile = RULEBOOK.profile(documents[0].profile)
        kinds = tuple(sorted({k for r in RULEBOOK.rules_of(profile) for k in r.fact_kinds}))
        params = engine.compile.compile_profile(RULEBOOK, profile.id).params
        for fact in build_facts(documents, kinds, params).facts:
            for field, value in fact.items():
                seen[(fact["kind"], field)].add(value)
    return seen


def test_every_scope_names_values_the_facts_of_its_findings_take() -> None:
    """A scope that named a key no fact has (a typo, an item renamed) would ground nothing."""
    seen = _facts_of_examples()
    scoped = [(rule, c) for rule in RULEBOOK.rules.values() for c in rule.citations if c.applies_to]
    assert len(scoped) > 20
    for rule, citation in scoped:
        assert citation.applies_to is not None
        first = {a.match[0].fact for a in rule.when}
        taken = set().union(*(seen[(kind, citation.applies_to.field)] for kind in first))
        for value in citation.applies_to.values:
            assert value in taken, (rule.id, citation.clause, value)


def _reports(folder: str) -> list[engine.Report]:
    paths = sorted((CAMPAIGNS / folder / "violations").glob("*.yaml"))
    reports = engine.check_documents([load_document(p) for p in paths])
    assert all(isinstance(r, engine.Report) for r in reports)
    return [r for r in reports if isinstance(r, engine.Report)]


def _violations(folder: str) -> list[engine.Violation]:
    return [v for r in _reports(folder) for v in r.violations]


@pytest.mark.parametrize("folder", ["chongming-2023", "linyi-lingang-2023"])
def test_a_finding_cites_the_clauses_that_ground_it(folder: str) -> None:
    narrowed = 0
    for report in _reports(folder):
        sources = RULEBOOK.profile(report.profile).sources
        for violation in report.violations:
            rule = RULEBOOK.rules[violation.rule]
            assert cites_what_grounds_it(violation, rule, sources), (violation.rule, violation.location)
            narrowed += len(violation.citations) < len(rule.citations_for(sources))
    assert narrowed >= 3


def test_the_chongming_findings_cite_one_clause_each_where_the_form_names_one() -> None:
    by_place = {(v.rule, v.location): [c.clause for c in v.citations] for v in _violations("chongming-2023")}
    assert by_place[("form.matches-records", "/values/leader_not_leading_checks")] == ["附件 对企业自查自改进行抽查检查情况 3"]
    assert by_place[("form.part-within-whole", "/values/report_rewards/part")] == ["附件 党委政府组织领导情况 5"]
    assert by_place[("campaign.one-off-tasks", "/warning_education")] == ["三、（一）3"]


def test_the_linyi_supervised_hazard_finding_cites_the_supervised_item() -> None:
    """区规划建设局's 挂牌督办 rectified count beside a blank found count cites 附件2 总体情况 6, not
    the self-found item (which every pair cited before)."""
    by_place = {(v.rule, v.location): [(c.clause, c.quote) for c in v.citations]
                for v in _violations("linyi-lingang-2023")}
    assert by_place[("form.rectified-within-found", "/values/supervised_rectified")] == [
        ("附件2 总体情况 6", "挂牌督办重大事故隐患中已完成整改的 (个)")]


def test_a_key_unit_sampled_by_a_general_item_cites_no_special_actions_clause() -> None:
    """A key unit in the sample of 安全评价检测检验报告执法检查 (四、（二）) cites the general checks'
    clauses, not those of the hazchem and industry special actions (四、（一）3（1）, 3（2））."""
    plan = load_document(ROOT / "examples/plans/chongming-2024.yaml")
    key = plan.key_units.units[0].name
    items = tuple(attrs.evolve(item, sampled_units=(key,)) if item.id == "assessment-reports" else item
                  for item in plan.items)
    (found,) = [v for v in engine.check(attrs.evolve(plan, items=items)).violations
                if v.rule == "plan.sample-excludes-key-units"]
    assert [c.clause for c in found.citations] == ["三、（一）", "四、（二）"]


def test_the_linyi_missing_step_cites_its_own_clause_and_the_phase() -> None:
    (found,) = [v for v in _violations("linyi-lingang-2023") if v.rule == "campaign.phase-deadlines"]
    assert [c.clause for c in found.citations] == ["五、（一）", "五、（一）3"]


def test_a_finding_about_a_form_item_no_clause_names_cites_every_clause_of_its_rule() -> None:
    rule = RULEBOOK.rules["form.matches-records"]
    sources = ("chongming-2023-campaign",)
    everything = rule.citations_for(sources)
    assert rule.citations_for(sources, {"kind": "record-count", "key": "drills_missing"}) == tuple(
        c for c in everything if c.applies_to and "drills_missing" in c.applies_to.values)
    assert rule.citations_for(sources, {"kind": "record-count", "key": "no_such_item"}) == everything


def test_a_scope_on_a_field_the_findings_lack_is_a_rulebook_problem() -> None:
    rule = RULEBOOK.rules["campaign.one-off-tasks"]
    wrong = attrs.evolve(rule, citations=(attrs.evolve(rule.citations[0], applies_to=Scope("key", ("x",))),
                                          *rule.citations[1:]))
    assert [str(p) for p in rule_problems(wrong)] == [
        "rules[campaign.one-off-tasks].citations[0].applies_to.field: no finding's first fact has field 'key' "
        "(they are facts of one-off-task)"]
    assert rule_problems(rule) == []


def _scoped(rule_id: str, k: int, scope: Scope) -> Rule:
    rule = RULEBOOK.rules[rule_id]
    return attrs.evolve(rule, citations=tuple(attrs.evolve(c, applies_to=scope) if i == k else c
                                              for i, c in enumerate(rule.citations)))


def test_a_scope_naming_no_item_of_the_forms_is_a_rulebook_problem() -> None:
    """A misspelt key would ground no finding: 2.3's finding would cite every clause of its rule."""
    wrong = _scoped("form.matches-records", 3, Scope("key", ("leader_not_leading_check",)))
    problem = ("rules[form.matches-records].citations[3].applies_to.values: names 'leader_not_leading_check', which "
               "is the key of no item of the dispatch forms (chongming-2023, linyi-lingang-2023): did you mean "
               "'leader_not_leading_checks'?")
    assert [str(p) for p in rule_problems(wrong)] == [problem]
    with pytest.raises(RulebookError) as refused:
        compile_profile(attrs.evolve(RULEBOOK, rules={**RULEBOOK.rules, wrong.id: wrong}),
                        "shanghai-chongming-2023-campaign")
    assert [str(p) for p in refused.value.problems] == [problem]


def test_a_scope_naming_a_kind_no_finding_begins_with_is_a_rulebook_problem() -> None:
    wrong = _scoped("form.part-within-whole", 3, Scope("kind", ("penalty-amounts",)))
    assert [str(p) for p in rule_problems(wrong)] == [
        "rules[form.part-within-whole].citations[3].applies_to.values: names 'penalty-amounts', which is the kind "
        "of no finding's first fact (they are facts of part-whole, penalty-amount)"]


def test_zhifa_rules_says_which_findings_a_clause_grounds(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["rules", "--profile", "shanghai-chongming-2023-campaign"]) == 0
    out = capsys.readouterr().out
    assert "附件 对企业自查自改进行抽查检查情况 8：“未按规定开展应急演练、员工不熟悉逃生出口（家）”  " \
           "(for findings whose key is drills_missing)" in out


# ---------------------------------------------------------------- items named by the plan's author

PLANS = ROOT / "examples" / "plans"
#: The Chongming items stating their units and 家次, each with the clause stating them.
CHONGMING_ITEM_CLAUSES = {"hazchem-fireworks": "四、（一）1（2）", "industry": "四、（一）1（3）",
                          "special-training": "四、（一）3（3）", "special-gas-stations": "四、（一）3（4）"}


def _renamed(plan: AnnualPlan, ids: dict[str, str], names: dict[str, str] | None = None) -> AnnualPlan:
    """The plan with items given other ids (its schedule's rows following them) and other names."""
    names = names or {}
    items = tuple(attrs.evolve(i, id=ids.get(i.id, i.id), name=names.get(i.id, i.name)) for i in plan.items)
    schedule = plan.schedule and attrs.evolve(plan.schedule, rows=tuple(
        attrs.evolve(row, ref=ids.get(row.ref, row.ref)) for row in plan.schedule.rows))
    return attrs.evolve(plan, items=items, schedule=schedule)


def _one_short(plan: AnnualPlan, item_id: str) -> tuple[AnnualPlan, int]:
    """The plan with the item stating one check per unit and planning one check fewer than its
    units; and the item's index."""
    (index,) = [k for k, item in enumerate(plan.items) if item.id == item_id]
    item = plan.items[index]
    assert item.units is not None
    short = attrs.evolve(item, checks_per_unit=1, planned=item.units - 1)
    return attrs.evolve(plan, items=(*plan.items[:index], short, *plan.items[index + 1:])), index


def _arithmetic_clauses(plan: AnnualPlan, index: int) -> list[str]:
    (found,) = [v for v in engine.check(plan).violations
                if v.rule == "plan.item-arithmetic" and v.location == f"/items/{index}/planned"]
    return [c.clause for c in found.citations]


def test_the_gas_stations_renamed_cite_their_own_clause_only() -> None:
    """The reported case: ``special-gas-stations`` written ``gas-stations`` and planned 46 for its 47
    stations. The finding cited 1（2）, 1（3）, 3（3） and 3（4）, three of them about other items."""
    plan = _renamed(load_document(PLANS / "chongming-2024.yaml"), {"special-gas-stations": "gas-stations"})
    broken, index = _one_short(plan, "gas-stations")
    assert _arithmetic_clauses(broken, index) == ["四、（一）3（4）"]


@pytest.mark.parametrize("item_id", sorted(CHONGMING_ITEM_CLAUSES))
def test_a_chongming_item_renamed_cites_no_clause_about_another_item(item_id: str) -> None:
    """Every item given an id of the author's own: a finding cites its own item's clause where the
    plan names the item as the source does (加油站专项执法检查), and never another item's."""
    plan = load_document(PLANS / "chongming-2024.yaml")
    ids = {i.id: f"item-{k}" for k, i in enumerate(plan.items)}
    broken, index = _one_short(_renamed(plan, ids), ids[item_id])
    others = set(CHONGMING_ITEM_CLAUSES.values()) - {CHONGMING_ITEM_CLAUSES[item_id]}
    assert not set(_arithmetic_clauses(broken, index)) & others


def test_an_item_the_source_does_not_name_cites_no_clause() -> None:
    """Named and identified as no clause names it, the gas stations' finding has no clause to cite:
    it cites none (and the report says so), rather than every item's."""
    plan = load_document(PLANS / "chongming-2024.yaml")
    plan = _renamed(plan, {"special-gas-stations": "stations"}, {"special-gas-stations": "加油站检查"})
    broken, index = _one_short(plan, "stations")
    assert _arithmetic_clauses(broken, index) == []
    (found,) = [v for v in engine.check(broken).violations if v.rule == "plan.item-arithmetic"]
    assert engine.output.violation_lines(found)[-1] == (
        "  依据 无：来源中没有条款按此名称对应本项 / no clause of the profile's sources is matched to this item's name")


def test_a_finding_citing_no_clause_says_so_in_junit_and_excel_too() -> None:
    """Every format that shows a finding's clauses shows the same line where there are none: the
    JUnit failure and the workbook's citation cell were left blank."""
    plan = load_document(PLANS / "chongming-2024.yaml")
    plan = _renamed(plan, {"special-gas-stations": "stations"}, {"special-gas-stations": "加油站检查"})
    broken, _ = _one_short(plan, "stations")
    report = attrs.evolve(engine.check(broken), path="plan.yaml")
    junit = ElementTree.fromstring(as_junit([report]))
    (failure,) = [case.find("failure") for case in junit.iter("testcase") if case.get("name") == "plan.item-arithmetic"]
    assert failure is not None and failure.text is not None
    assert failure.text.splitlines()[-1] == engine.output.NO_CLAUSE
    findings = load_workbook(io.BytesIO(as_xlsx([report])))["问题清单 findings"]
    cells = [row for row in findings.iter_rows(min_row=2, values_only=True) if row[2] == "plan.item-arithmetic"]
    assert [row[7] for row in cells] == [engine.output.NO_CLAUSE]


def test_a_minhang_item_renamed_cites_no_other_items_clause() -> None:
    """Minhang's confined-space checks, given an id of the author's own and sampling a key unit:
    the finding cited both items' clauses (3（2） is the ammonia and dust look-back's)."""
    plan = _renamed(load_document(PLANS / "minhang-2020.yaml"), {"confined-spaces": "spaces"})
    unit = KeyUnit(no=1, name="某重点单位", category="一")
    plan = attrs.evolve(plan, key_units=KeyUnitList(categories=(KeyUnitCategory("一", "重点单位"),), units=(unit,)),
                        items=tuple(attrs.evolve(i, sampled_units=(unit.name,)) if i.id == "spaces" else i
                                    for i in plan.items))
    found = [v for v in engine.check(plan).violations if v.rule == "plan.sample-excludes-key-units"]
    assert found
    assert all(v.citations == () for v in found), [[c.clause for c in v.citations] for v in found]


def test_a_finding_about_an_item_no_clause_names_cites_none() -> None:
    """An item's id and name are the plan author's: a finding about one no clause names is about
    none of the items the clauses are about. A form's item key is the template's: one no clause
    names is cited with every clause of its rule (above)."""
    rule = RULEBOOK.rules["plan.item-arithmetic"]
    assert rule.citations_for(("chongming-2024",), {"kind": "item-units", "item": "x", "item_name": "某检查"}) == ()
    (gas,) = rule.citations_for(("chongming-2024",), {"kind": "item-units", "item": "x", "item_name": "加油站专项执法检查"})
    assert gas.clause == "四、（一）3（4）"
    putuo = rule.citations_for(("putuo-2024",), {"kind": "item-units", "item": "x", "item_name": "某检查"})
    assert [c.clause for c in putuo] == ["四、（一）2（1）"]


def test_the_worked_example_of_the_item_arithmetic_cites_the_clause_about_its_item() -> None:
    """The catalogue's example breaks the generated special item, which printed all four Chongming
    clauses as its grounds."""
    from engine.examples import worked_example

    example = worked_example("plan.item-arithmetic")
    (plan,) = example.violating
    (violation,) = example.violations
    item = plan.items[int(violation.location.split("/")[2])]
    rule = RULEBOOK.rules["plan.item-arithmetic"]
    sources = RULEBOOK.profile(example.profile).sources
    assert violation.citations
    for citation in violation.citations:
        scopes = [c.applies_to for c in rule.citations_for(sources) if c.as_cited() == citation]
        assert any(s is None or s.holds_for({"item": item.id, "item_name": item.name}) for s in scopes), citation.clause
