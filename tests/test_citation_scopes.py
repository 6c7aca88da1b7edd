"""A finding cites the clauses that ground it: a rule's citation may apply to some of its findings
only (``applies_to``: a form item's key, a task, a step), chosen by the first fact the finding
matched; a finding that no scoped citation grounds cites all of its rule's clauses."""

from __future__ import annotations

from collections import defaultdict
from pathlib import Path

import attrs
import pytest

import engine
from engine.cli import main
from engine.compile import RulebookError, compile_profile, rule_problems
from engine.facts import build_facts
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


def test_a_finding_no_scoped_citation_grounds_cites_every_clause_of_its_rule() -> None:
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
