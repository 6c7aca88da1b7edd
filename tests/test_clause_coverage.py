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
