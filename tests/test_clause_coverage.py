"""The clauses the rules check are the clauses they cite, and the coverage files list: a seed
plan's item whose figures a rule checks is grounded by the item's own clause, which its source's
coverage lists as encoded; an encoded clause is cited by a rule that a profile of its source applies;
and which items may sample key units follows what each item draws from."""

from __future__ import annotations

from datetime import timedelta

import attrs
import pytest

import engine
from forms import AnnualPlan, load_document, load_plan
from rulebook import load_rulebook
from rulebook.catalogue import citing_rules, load_coverage

from .conftest import EXAMPLES, ROOT

RULEBOOK = load_rulebook()

#: (seed, rule, item id, the clause stating the item's figures the rule checks). Breaking the
#: item's figures must give a finding citing that clause.
SEED_ITEM_CLAUSES = [
    ("chongming-2024", "plan.key-unit-coverage", "hazchem-fireworks", "四、（一）1（2）"),
    ("chongming-2024", "plan.key-unit-coverage", "industry", "四、（一）1（3）"),
    ("chongming-2024", "plan.key-unit-coverage", "special-training", "四、（一）3（3）"),
    ("chongming-2024", "plan.item-arithmetic", "special-gas-stations", "四、（一）3（4）"),
    ("putuo-2024", "plan.item-arithmetic", "period-hazchem", "四、（一）2（1）"),
    ("putuo-2024", "plan.item-arithmetic", "period-complexes", "四、（一）2（2）"),
    ("putuo-2024", "plan.item-arithmetic", "period-parks", "四、（一）2（3）"),
    ("putuo-2024", "plan.item-arithmetic", "special-certificates", "四、（一）3（1）"),
    ("putuo-2024", "plan.item-arithmetic", "special-training", "四、（一）3（5）"),
    ("putuo-2024", "plan.item-arithmetic", "special-hazchem-use", "四、（一）3（6）"),
    ("minhang-2020", "plan.item-arithmetic", "soe-joint", "四、（一）1（2）"),
]


@pytest.mark.parametrize(("seed", "rule_id", "item_id", "clause"), SEED_ITEM_CLAUSES,
                         ids=[f"{s}:{i}" for s, _, i, _ in SEED_ITEM_CLAUSES])
def test_a_seed_items_finding_cites_the_items_own_clause(seed: str, rule_id: str, item_id: str, clause: str) -> None:
    """One check fewer than the item needs (its units × checks per unit, or its key units once a
    year): the finding cites the clause stating the item's figures, listed as encoded, and no other
    item's clause."""
    plan = load_plan(EXAMPLES / f"{seed}.yaml")
    assert plan.source == seed
    (index,) = [k for k, item in enumerate(plan.items) if item.id == item_id]
    item = plan.items[index]
    broken = attrs.evolve(plan, items=(*plan.items[:index], attrs.evolve(item, planned=item.planned - 1),
                                       *plan.items[index + 1:]))
    found = [v for v in engine.check(broken).violations if v.rule == rule_id and v.location == f"/items/{index}/planned"]
    assert found, (rule_id, item_id)
    rule = RULEBOOK.rules[rule_id]
    unscoped = {c.clause for c in rule.citations if c.source == seed and c.applies_to is None}
    for violation in found:
        cited = [c for c in violation.citations if c.source == seed]
        assert clause in [c.clause for c in cited], [c.clause for c in cited]
        assert {c.clause for c in cited} <= unscoped | {clause}
        (own,) = [c for c in cited if c.clause == clause]
        encoded = [c for c in load_coverage()[seed].encoded if c.clause == clause]
        assert any(c.quote == own.quote or c.quote in own.quote or own.quote in c.quote for c in encoded), clause


@pytest.mark.parametrize(("item_id", "clause"), [("hazchem-fireworks", "四、（一）1（2）"), ("industry", "四、（一）1（3）"),
                                              ("special-training", "四、（一）3（3）")])
def test_a_chongming_items_arithmetic_cites_its_own_clause_not_the_gas_stations(item_id: str, clause: str) -> None:
    """The example states checks per unit for the gas stations only; a plan stating them for another
    item that says its units and 家次 too (each checked once) and planning one more check is told
    so citing that item's clause. With the gas stations' clause the only one scoped, every such
    finding cited it."""
    plan = load_plan(EXAMPLES / "chongming-2024.yaml")
    (index,) = [k for k, item in enumerate(plan.items) if item.id == item_id]
    item = plan.items[index]
    assert item.units == item.planned and item.checks_per_unit is None
    changed = attrs.evolve(item, checks_per_unit=1, planned=item.planned + 1)
    broken = attrs.evolve(plan, items=(*plan.items[:index], changed, *plan.items[index + 1:]))
    (found,) = [v for v in engine.check(broken).violations
                if v.rule == "plan.item-arithmetic" and v.location == f"/items/{index}/planned"]
    assert [c.clause for c in found.citations if c.source == "chongming-2024"] == [clause]


def test_every_encoded_clause_is_cited_by_a_rule_a_profile_of_its_source_applies() -> None:
    """An entry listed as encoded names a requirement some rule checks: a rule quoting its text that
    a profile citing that source applies (a rule no such profile applies checks nothing there)."""
    for source, coverage in load_coverage().items():
        applied = {rule.id for profile in RULEBOOK.profiles.values() if source in profile.sources
                   for rule in RULEBOOK.rules_of(profile)}
        for entry in coverage.encoded:
            rules = {rule.id for rule in citing_rules(RULEBOOK, source, entry.clause, entry.quote)}
            assert rules & applied, (source, entry.clause, entry.quote, sorted(rules))


# ---------------------------------------------------------------- which items may sample key units

CHONGMING = load_plan(EXAMPLES / "chongming-2024.yaml")


def _sampling(plan: AnnualPlan, samples: dict[str, tuple[str, ...]]) -> AnnualPlan:
    return attrs.evolve(plan, items=tuple(attrs.evolve(i, sampled_units=samples.get(i.id, i.sampled_units))
                                          for i in plan.items))


def test_chongmings_joint_spot_check_may_sample_the_hazchem_key_units() -> None:
    """四、（二）1 spot-checks 危险化学品生产、经营（带有储存设施）企业 jointly: key-list categories 二–四,
    the district's whole population of them (附件4: 3 production, 5 storage and with-storage
    wholesalers). Four of them drawn for the joint item is no finding; a general item drawn from the
    other enterprises is still checked."""
    assert CHONGMING.key_units is not None
    hazchem = [u.name for u in CHONGMING.key_units.units if u.category in ("二", "三", "四")]
    assert len(hazchem) == 8
    plan = _sampling(CHONGMING, {"joint-random": tuple(hazchem[:4]), "industry-sample": ("上海某非重点工贸有限公司",)})
    report = engine.check(plan)
    assert "plan.sample-excludes-key-units" not in {v.rule for v in report.violations}
    assert "plan.sample-excludes-key-units" not in {n.rule for n in report.not_checked}
    # The general items drawn from the other enterprises still may not name a key unit.
    again = engine.check(_sampling(plan, {"industry-sample": (hazchem[0],)}))
    assert [v.location for v in again.violations if v.rule == "plan.sample-excludes-key-units"] == [
        "/items/12/sampled_units/0"]


def test_a_key_unit_in_chongmings_hazchem_special_action_sample_cites_its_clause() -> None:
    """四、（一）3（1） spot-checks 危险化学品 units other than the key units: a key unit drawn for it is
    found, citing that clause."""
    assert CHONGMING.key_units is not None
    key_unit = CHONGMING.key_units.units[3]
    (found,) = [v for v in engine.check(_sampling(CHONGMING, {"special-hazchem": (key_unit.name,)})).violations
                if v.rule == "plan.sample-excludes-key-units"]
    assert found.location == "/items/6/sampled_units/0"
    quote = ("聚焦除列入区重点单位以外的危险化学品非法生产、经营、仓储生产经营单位，"
             "以及一般工贸企业的危险化学品使用、储存等环节开展抽查。")
    assert ("chongming-2024", "四、（一）3（1）", quote) in [(c.source, c.clause, c.quote) for c in found.citations]


def test_the_linyi_lead_units_note_says_which_missing_months_are_found() -> None:
    """A unit that filed May and then stopped is reported by no rule (months after a unit's latest
    form may not be due yet as of the check, whose day zhifa does not know); a month missing before
    its latest form is. The coverage note on 附件1 says so, not that any unit that filed once has its
    missing months found."""
    folder = ROOT / "examples/campaigns/linyi-lingang-2023/clean"
    paths = sorted(folder.glob("*.yaml"))

    def gaps(left_out: tuple[str, ...]) -> list[object]:
        reports = engine.check_documents([load_document(p) for p in paths if p.name not in left_out])
        return [v.values["missing_month"] for r in reports if isinstance(r, engine.Report) for v in r.violations
                if v.rule == "form.cumulative-nondecreasing" and "missing_month" in v.values]

    stopped = tuple(f"区安全生产监管办公室-2023-0{m}.yaml" for m in (6, 7, 8))
    assert gaps(stopped) == []
    assert gaps(stopped[:2]) == ["2023-06", "2023-07"]
    (note,) = [c.not_encoded for c in load_coverage()["linyi-lingang-2023-campaign"].clauses
               if c.clause == "附件1 1–12"]
    assert note is not None
    assert "最后一份调度表之前" in note.zh and "filed May and then stopped" in note.en
    assert "latest form" in note.en and "not be due yet" in note.en


#: Each campaign's 闭环管理 of the hazard ledger: (source, clause, the entry's quote).
CLOSED_LOOP = [
    ("chongming-2023-campaign", "三、（一）1", "组织建立企业重大事故隐患台账清单，实行闭环管理"),
    ("linyi-lingang-2023-campaign", "四、（一）2", "建立企业重大事故隐患台账，实行闭环管理，并严格执行重大事故隐患直报制度"),
]


@pytest.mark.parametrize(("source", "clause", "quote"), CLOSED_LOOP, ids=[s for s, _, _ in CLOSED_LOOP])
def test_a_hazard_closed_late_or_open_past_its_deadline_is_not_encoded_and_the_note_says_why(
        source: str, clause: str, quote: str) -> None:
    """No rule judges a hazard against its own deadline: one rectified after it passes, and one
    still open past it could be judged only as of some day, which a final record does not give.
    The coverage note says so, in both languages, rather than leave the duty unmentioned."""
    folder = ROOT / "examples/campaigns" / ("chongming-2023" if source.startswith("chongming") else "linyi-lingang-2023")
    records = [load_document(p) for p in sorted((folder / "clean").glob("台账-*.yaml"))]
    record, hazard = next((r, h) for r in records for h in r.hazards if h.deferred and h.deferred.deadline)
    assert hazard.deferred is not None and hazard.deferred.deadline is not None
    assert record.as_of is None  # a final record: no day to judge a still-open hazard as of
    late = attrs.evolve(hazard, rectified=hazard.deferred.deadline + timedelta(days=30))
    for changed in (late, attrs.evolve(hazard, rectified=None)):
        hazards = tuple(changed if h is hazard else h for h in record.hazards)
        assert [v.rule for v in engine.check(attrs.evolve(record, hazards=hazards)).violations] == []
    (note,) = [c.not_encoded for c in load_coverage()[source].clauses if (c.clause, c.quote) == (clause, quote)]
    assert note is not None
    assert "deferred.deadline" in note.en and "as_of" in note.en and "rectified after" in note.en
    assert "deferred.deadline" in note.zh and "as_of" in note.zh and "逾期" in note.zh


# ---------------------------------------------------------------- what a coverage entry and a citation quote

LINYI = "linyi-lingang-2023-campaign"
#: Linyi 五、（一）2 and 3 as whole sentences: each holds a requirement its coverage lists as not
#: checkable (2: the ongoing drive) or not encoded (3: studying the checklists) beside the one
#: campaign.phase-deadlines encodes (filing the plans, the detailed checklists).
LINYI_SENTENCE_2 = ("2.5月30日前，各部门单位按照省政府安委会《关于高标准严要求做好“五一”前后安全生产专项检查的通知》"
                    "（鲁安发〔2023〕8号）、"
                    "市安委会办公室《全市安全生产集中攻坚整治行动实施方案》（临安办发〔2023〕33号）、区安委会办公室"
                    "《全区安全生产集中攻坚整治行动实施方案》（临港安办发〔2023〕6号）要求，持续开展安全生产集中攻坚整治行动。"
                    "区安委会6个专业安全生产领导小组办公室分别制定印发重大事故隐患专项排查整治行动工作方案，并报区安委会办公室备案")
LINYI_SENTENCE_3 = ("3.5月31日前，各部门单位组织学习省政府安委会办公室制定出台的动火等危险作业、外包外租等5个重点事项共性检查表，"
                    "以及省有关部门制定出台的行业领域重点事项专项检查表，各部门单位结合我区实际对专项检查表进一步细化，"
                    "并报区安委会办公室备案。")


def _coverage_of(monkeypatch: pytest.MonkeyPatch, rulebook: object = None, folder: object = None) -> object:
    """load_coverage() against another rulebook or coverage folder: the coverage, or the LoadError raised."""
    import rulebook.catalogue as catalogue_module
    from forms import LoadError

    if rulebook is not None:
        monkeypatch.setattr(catalogue_module, "load_rulebook", lambda: rulebook)
    if folder is not None:
        monkeypatch.setattr(catalogue_module, "COVERAGE_DIR", folder)
    catalogue_module.load_coverage.cache_clear()
    try:
        return catalogue_module.load_coverage()
    except LoadError as refused:
        return refused
    finally:
        catalogue_module.load_coverage.cache_clear()


def _quoting(rule_id: str, clause: str, quote: str) -> object:
    """The shipped rulebook with the rule's citation of the Linyi clause quoting ``quote`` instead."""
    rule = RULEBOOK.rules[rule_id]
    (k,) = [k for k, c in enumerate(rule.citations) if c.source == LINYI and c.clause == clause]
    citations = list(rule.citations)
    citations[k] = attrs.evolve(citations[k], quote=quote)
    changed = attrs.evolve(rule, citations=tuple(citations))
    return attrs.evolve(RULEBOOK, rules={**RULEBOOK.rules, rule_id: changed},
                        read_from={**RULEBOOK.read_from, id(changed): (changed, RULEBOOK.file_of(rule))})


@pytest.mark.parametrize(("clause", "sentence", "listed", "overlapped"), [
    ("五、（一）2", LINYI_SENTENCE_2, "not checkable", "持续开展安全生产集中攻坚整治行动"),
    ("五、（一）3", LINYI_SENTENCE_3, "not encoded",
     "各部门单位组织学习省政府安委会办公室制定出台的动火等危险作业、外包外租等5个重点事项共性检查表"),
], ids=["the-drive-not-checkable", "the-study-not-encoded"])
def test_a_citation_quoting_a_requirement_its_coverage_lists_as_not_encoded_or_not_checkable_is_refused(
        monkeypatch: pytest.MonkeyPatch, clause: str, sentence: str, listed: str, overlapped: str) -> None:
    """campaign.phase-deadlines quoted the whole of 五、（一）2 and 3, so a finding cited the drive and
    the study as if the rule checked them; the coverage says it does not."""
    coverage = load_coverage()[LINYI]
    refused = _coverage_of(monkeypatch, _quoting("campaign.phase-deadlines", clause, sentence))
    (k,) = [k for k, c in enumerate(coverage.clauses) if c.clause == clause and c.quote == overlapped]
    rule = RULEBOOK.rules["campaign.phase-deadlines"]
    (n,) = [n for n, c in enumerate(rule.citations) if c.source == LINYI and c.clause == clause]
    assert str(refused).splitlines() == [
        f"{ROOT / 'rulebook' / 'coverage' / (LINYI + '.yaml')}: clauses[{k}]: campaign.phase-deadlines "
        f"({RULEBOOK.file_of(rule)}: citations[{n}]) cites {clause} “{sentence}”, which quotes this entry's "
        f"“{overlapped}”, listed as {listed}: quote only what the rule checks "
        "(or, if it checks this too, list the entry as encoded)"]


def test_a_parameter_quoting_a_requirement_its_coverage_lists_as_not_encoded_is_refused(
        monkeypatch: pytest.MonkeyPatch) -> None:
    profile = RULEBOOK.profiles[LINYI]
    value = profile.parameters["due.checklists-filed"]
    whole = attrs.evolve(value, citation=attrs.evolve(value.citation, quote=LINYI_SENTENCE_3))
    changed = attrs.evolve(profile, parameters={**profile.parameters, "due.checklists-filed": whole})
    refused = _coverage_of(monkeypatch, RULEBOOK.with_profile(changed, RULEBOOK.file_of(profile)))
    assert [line.split(": ", 2)[2] for line in str(refused).splitlines()] == [
        f"{LINYI}'s due.checklists-filed ({RULEBOOK.file_of(profile)}: parameters.due.checklists-filed.citation) "
        f"cites 五、（一）3 “{LINYI_SENTENCE_3}”, which quotes this entry's “各部门单位组织学习省政府安委会办公室制定出台的"
        "动火等危险作业、外包外租等5个重点事项共性检查表”, listed as not encoded: quote only what the rule checks "
        "(or, if it checks this too, list the entry as encoded)"]


def test_no_shipped_citation_quotes_a_requirement_listed_as_not_encoded_or_not_checkable() -> None:
    """The shipped rules and profiles as they stand: every citation overlapping a coverage entry of its
    clause overlaps an encoded one only (load_coverage refuses the others; this names them all)."""
    from rulebook.catalogue import _citations, _overlap_entry

    quoting = []
    for source, coverage in load_coverage().items():
        text = RULEBOOK.quotable_text(source)
        for cited in _citations(RULEBOOK, source):
            quoting += [(cited.who, c.clause, c.quote) for c in coverage.clauses if c.status != "encoded"
                        and c.clause == cited.citation.clause and _overlap_entry(text, c, cited.citation.quote)]
    assert quoting == []


# The key-unit list's title, “2024年区应急局重点单位名单”, is both an item of the plan's enclosure list
# (附件：… 2.2024年区应急局重点单位名单) and the heading of 附件2 itself.
KEY_LIST_TITLE = "2024年区应急局重点单位名单"


def test_a_coverage_quote_occurring_more_than_once_says_which_occurrence_it_means(
        tmp_path: object, monkeypatch: pytest.MonkeyPatch) -> None:
    from pathlib import Path

    folder = Path(str(tmp_path))
    for path in (ROOT / "rulebook" / "coverage").glob("*.yaml"):
        (folder / path.name).write_text(path.read_text(encoding="utf-8"), encoding="utf-8")
    chongming = folder / "chongming-2024.yaml"
    text = chongming.read_text(encoding="utf-8")
    chosen = f"  - clause: 附件2\n    quote: {KEY_LIST_TITLE}\n    occurrence: 2\n"
    assert text.count(chosen) == 1
    (k,) = [k for k, c in enumerate(load_coverage()["chongming-2024"].clauses) if c.clause == "附件2"]

    chongming.write_text(text.replace(chosen, f"  - clause: 附件2\n    quote: {KEY_LIST_TITLE}\n"), encoding="utf-8")
    assert str(_coverage_of(monkeypatch, folder=folder)).splitlines() == [
        f"{chongming}: clauses[{k}].quote: “{KEY_LIST_TITLE}” occurs 2 times in chongming-2024 (lines 98, 282): "
        "say which one the entry means with occurrence (1 to 2)"]
    chongming.write_text(text.replace(chosen, chosen.replace("occurrence: 2", "occurrence: 3")), encoding="utf-8")
    assert str(_coverage_of(monkeypatch, folder=folder)).splitlines() == [
        f"{chongming}: clauses[{k}].occurrence: “{KEY_LIST_TITLE}” occurs 2 times in chongming-2024 (lines 98, 282): "
        "it has no occurrence 3"]


def test_the_key_unit_lists_entry_is_the_annexs_title_not_the_enclosure_list() -> None:
    from rulebook.catalogue import coverage_lines

    coverage = load_coverage()["chongming-2024"]
    (entry,) = [c for c in coverage.clauses if c.clause == "附件2"]
    raw = RULEBOOK.source_text("chongming-2024").splitlines()
    (line,) = coverage_lines(RULEBOOK, "chongming-2024", entry)
    assert raw[line - 1].strip() == KEY_LIST_TITLE and raw[line - 3].strip() == "附件2"
