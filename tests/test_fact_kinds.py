"""The fact kinds are declared once (builder, fields, parameters read), and both sides keep to it:
every fact a builder makes has exactly its kind's fields, and a rule naming anything its facts or
parameters lack is refused before its profile compiles."""

from __future__ import annotations

from collections import defaultdict
from decimal import Decimal
from pathlib import Path

import attrs
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import engine
from engine.campaign_facts import _shown
from engine.compile import RulebookError, compile_profile, rule_problems
from engine.derived import Bundle, Fact, FactKind
from engine.facts import FACT_KINDS, build_facts
from forms import load_document
from forms.dispatch import load_template, variants
from forms.plan import AnnualPlan
from forms.strategies import CAMPAIGN_MUTATIONS, PLAN_MUTATIONS, annual_plans, campaign_bundles
from rulebook import Op, ParameterSpec, Rule, Rulebook, Text, load_rulebook

RULEBOOK = load_rulebook()
ROOT = Path(__file__).resolve().parent.parent
PLAN_PROFILES = sorted(p.id for p in RULEBOOK.profiles.values() if "annual-plan" in p.documents)
CAMPAIGN_PROFILES = sorted(p.id for p in RULEBOOK.profiles.values() if "dispatch-form" in p.documents)


def facts_of(bundle: Bundle, profile_id: str) -> list[Fact]:
    """Every fact the profile's rules ask for, built from the bundle."""
    compiled = compile_profile(RULEBOOK, profile_id)
    return list(build_facts(bundle, compiled.fact_kinds, compiled.params).facts)


def assert_declared(facts: list[Fact]) -> None:
    """Each fact has exactly its kind's fields, text where the kind declares it text and a number
    elsewhere, and an item's key of a form template where the kind declares it one."""
    keys = {key for variant in variants() for key in load_template(variant).keys}
    for fact in facts:
        kind = FACT_KINDS[fact["kind"]]
        assert set(fact) == kind.all_fields, fact
        assert {fact[name] for name in kind.item_keys} <= keys, fact
        wrong = {name: value for name, value in fact.items()
                 if isinstance(value, str) != (name in kind.text_fields)
                 or not isinstance(value, (str, int, float)) or isinstance(value, bool)}
        assert not wrong, (fact["kind"], wrong)


def test_every_kind_a_rule_matches_is_declared_and_every_declared_kind_is_matched() -> None:
    matched = {kind for rule in RULEBOOK.rules.values() for kind in rule.fact_kinds}
    assert matched == set(FACT_KINDS)


@pytest.mark.parametrize(("declared", "unknown"), [({"shown_as": {"part": "part_as_written"}}, "part_as_written"),
                                                   ({"blank_when": {"whole": "whole_blank"}}, "whole, whole_blank"),
                                                   ({"blank_unless": {"part": ("part", "dated")}}, "dated"),
                                                   ({"item_keys": ("key",)}, "key")])
def test_a_kind_showing_a_field_it_does_not_have_is_refused(declared: dict[str, dict[str, str]], unknown: str) -> None:
    with pytest.raises(ValueError) as refused:
        FactKind(lambda bundle, params: iter(()), ("part",), **declared)
    assert str(refused.value).endswith(f"names fields the kind does not have: {unknown}")


def test_a_kind_showing_a_figure_as_a_field_not_declared_text_is_refused() -> None:
    with pytest.raises(ValueError, match="shown_as shows figures as fields not declared texts: part_shown"):
        FactKind(lambda bundle, params: iter(()), ("part", "part_shown"), shown_as={"part": "part_shown"})
    FactKind(lambda bundle, params: iter(()), ("part", "part_shown"), shown_as={"part": "part_shown"}, texts=("part_shown",))


def test_the_facts_of_every_example_have_exactly_their_kinds_fields() -> None:
    by_profile: dict[str, list[object]] = defaultdict(list)
    for path in sorted((ROOT / "examples").rglob("*.yaml")):
        document = load_document(path)
        by_profile[document.profile].append(document)
    seen = set()
    for profile_id, documents in sorted(by_profile.items()):
        bundles = [[d] for d in documents] if isinstance(documents[0], AnnualPlan) else [documents]
        for bundle in bundles:
            facts = facts_of(bundle, profile_id)
            assert_declared(facts)
            seen |= {fact["kind"] for fact in facts}
    assert len(seen) >= 20  # most kinds; the generated documents below reach the rest


@pytest.mark.parametrize("profile_id", PLAN_PROFILES)
@given(data=st.data())
def test_the_facts_of_generated_and_mutated_plans_have_exactly_their_kinds_fields(profile_id: str,
                                                                                 data: st.DataObject) -> None:
    plan = data.draw(annual_plans(profile_id))
    rule_id = data.draw(st.sampled_from(sorted(RULEBOOK.profiles[profile_id].rules)))
    if rule_id == "plan.joint-share":
        mutated = PLAN_MUTATIONS[rule_id](plan, RULEBOOK.profiles[profile_id].parameters["min_joint_share"].value)
    else:
        mutated = PLAN_MUTATIONS[rule_id](plan)
    assert_declared(facts_of([plan], profile_id))
    assert_declared(facts_of([mutated], profile_id))


@pytest.mark.parametrize("profile_id", CAMPAIGN_PROFILES)
@settings(max_examples=20, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data())
def test_the_facts_of_generated_and_mutated_campaigns_have_exactly_their_kinds_fields(profile_id: str,
                                                                                     data: st.DataObject) -> None:
    bundle = data.draw(campaign_bundles(profile_id))
    rule_id = data.draw(st.sampled_from(sorted(RULEBOOK.profiles[profile_id].rules)))
    assert_declared(facts_of(list(bundle.documents), profile_id))
    assert_declared(facts_of(list(CAMPAIGN_MUTATIONS[rule_id](bundle).documents), profile_id))


def test_every_shipped_rule_fits_its_facts() -> None:
    assert [p for rule in RULEBOOK.rules.values() for p in rule_problems(rule)] == []


# A rule changed one way at a time, and where the refusal must point.
TOTALS = RULEBOOK.rules["plan.totals"]
SAMPLE = RULEBOOK.rules["plan.sample-excludes-key-units"]
JOINT = RULEBOOK.rules["plan.joint-share"]


def _first_comparison(rule: Rule, **changes: object) -> Rule:
    alternative = rule.when[0]
    pattern = alternative.match[0]
    comparison = attrs.evolve(pattern.all[0], **changes)
    pattern = attrs.evolve(pattern, all=(comparison, *pattern.all[1:]))
    return attrs.evolve(rule, when=(attrs.evolve(alternative, match=(pattern, *alternative.match[1:])),
                                    *rule.when[1:]))


def _second_pattern_bound(rule: Rule, bound: str, op: Op = Op.EQ) -> Rule:
    alternative = rule.when[0]
    first, second = alternative.match
    comparison = attrs.evolve(second.all[0], bound=bound, op=op)
    second = attrs.evolve(second, all=(comparison, *second.all[1:]))
    return attrs.evolve(rule, when=(attrs.evolve(alternative, match=(first, second)), *rule.when[1:]))


BROKEN: dict[str, tuple[Rule, str | list[str], str]] = {
    "unknown fact kind": (
        attrs.evolve(TOTALS, when=(attrs.evolve(TOTALS.when[0], match=(
            attrs.evolve(TOTALS.when[0].match[0], fact="totals"),)),)),
        "rules[plan.totals].when[0].match[0].fact", "unknown fact kind 'totals'"),
    "condition field": (
        _first_comparison(TOTALS, field="stated_total"),
        "rules[plan.totals].when[0].match[0].all[0].field", "fact kind 'total' has no field 'stated_total'"),
    "second field": (
        _first_comparison(TOTALS, field2="computed_total"),
        "rules[plan.totals].when[0].match[0].all[0].field2", "has no field 'computed_total'"),
    "undeclared parameter": (
        _first_comparison(JOINT, param="min_share"),
        "rules[plan.joint-share].when[0].match[0].all[0].param", "parameter 'min_share' is not declared"),
    "bound field": (
        _second_pattern_bound(SAMPLE, "sample.key_name"),
        "rules[plan.sample-excludes-key-units].when[0].match[1].all[0].bound",
        "fact kind 'sampled-unit' has no field 'key_name'"),
    "bound alias": (
        _second_pattern_bound(SAMPLE, "other.name_key"),
        "rules[plan.sample-excludes-key-units].when[0].match[1].all[0].bound",
        "'other' is not the alias of an earlier pattern"),
    "text compared with a number parameter": (
        _first_comparison(JOINT, field="share_shown"),
        "rules[plan.joint-share].when[0].match[0].all[0]",
        "compares text field 'share_shown' with number parameter 'min_joint_share': text is never equal to a number, "
        "nor below or above one, so the condition would never hold, whatever the facts"),
    "text compared with a constant by !=": (
        _first_comparison(JOINT, field="joint_items", op=Op.NE, param=None, value=0),
        "rules[plan.joint-share].when[0].match[0].all[0]",
        "compares text field 'joint_items' with the number 0: text is never equal to a number, nor below or above "
        "one, so the condition would always hold, whatever the facts"),
    "a number compared with a text field": (
        _first_comparison(JOINT, param=None, field2="share_shown"),
        "rules[plan.joint-share].when[0].match[0].all[0]",
        "compares number field 'share' with text field 'share_shown'"),
    "a date parameter compared with a field": (
        attrs.evolve(_first_comparison(JOINT, param="effective"), parameters=(
            *JOINT.parameters, ParameterSpec("effective", Text(zh="生效日期", en="in effect from"), "date"))),
        "rules[plan.joint-share].when[0].match[0].all[0]",
        "compares number field 'share' with date parameter 'effective': no field is a date"),
    "text ordered": (
        _second_pattern_bound(SAMPLE, "sample.name_key", Op.LT),
        "rules[plan.sample-excludes-key-units].when[0].match[1].all[0]",
        "compares text field 'name_key' with text field 'sample.name_key' by '<': text is ordered character by "
        "character"),
    "alias given twice": (
        attrs.evolve(SAMPLE, when=(attrs.evolve(SAMPLE.when[0], match=tuple(
            attrs.evolve(p, alias="m") for p in _second_pattern_bound(SAMPLE, "m.name_key").when[0].match)),)),
        "rules[plan.sample-excludes-key-units].when[0].match[1].alias",
        "'m' is the alias of match[0] too (the default): give each pattern of a join an alias of its own "
        "(alias: sample, alias: key)"),
    "fact kind of another kind of document": (
        attrs.evolve(JOINT, document="dispatch-form"),
        "rules[plan.joint-share].when[0].match[0].fact",
        "fact kind 'joint-share' is built from annual-plan documents, not from dispatch-form, which the rule checks"),
    "message placeholder": (
        attrs.evolve(TOTALS, message=Text(zh="{label_zh}写明{stated_total}家次", en=TOTALS.message.en)),  # type: ignore[union-attr]
        "rules[plan.totals].message.zh", "names {stated_total}"),
    "fix placeholder": (
        attrs.evolve(TOTALS, fix=Text(zh=TOTALS.fix.zh, en="off by {diff}")),  # type: ignore[union-attr]
        "rules[plan.totals].fix.en", "names {diff}"),
    "format spec on a text field": (
        attrs.evolve(JOINT, message=Text(zh=JOINT.message.zh,  # type: ignore[union-attr]
                                         en=JOINT.message.en.replace("{share_shown}", "{share_shown:.1f}"))),  # type: ignore[union-attr]
        "rules[plan.joint-share].message.en",
        "{share_shown:.1f}: 'share_shown' of fact kind 'joint-share' is text: format spec '.1f' cannot show 'text' "
        "(Unknown format code 'f' for object of type 'str')"),
    "parameter a builder reads in another unit": (
        attrs.evolve(JOINT, parameters=(attrs.evolve(JOINT.parameters[0], unit="date"),)),
        "rules[plan.joint-share].parameters[0].unit",
        "fact kind 'joint-share' reads parameter 'min_joint_share' in unit 'percent' (a number from 0 to 100), "
        "not in 'date'"),
    "values": (
        attrs.evolve(TOTALS, values=(*TOTALS.values, "sum")),
        "rules[plan.totals].values", "names 'sum'"),
    # Undeclared, the parameter is also missing where the rule compares and quotes it.
    "parameter a builder reads": (
        attrs.evolve(JOINT, parameters=()),
        ["rules[plan.joint-share].when[0].match[0].fact", "rules[plan.joint-share].when[0].match[0].all[0].param",
         "rules[plan.joint-share].message.zh", "rules[plan.joint-share].message.en", "rules[plan.joint-share].values"],
        "fact kind 'joint-share' reads parameter 'min_joint_share', which the rule does not declare"),
}


@pytest.mark.parametrize("case", sorted(BROKEN))
def test_a_rule_naming_what_its_facts_lack_is_refused_where_it_names_it(case: str) -> None:
    rule, paths, message = BROKEN[case]
    problems = rule_problems(rule)
    assert [p.path for p in problems] == ([paths] if isinstance(paths, str) else paths), problems
    assert message in problems[0].message


@pytest.mark.parametrize("case", sorted(BROKEN))
def test_a_profile_with_such_a_rule_does_not_compile_and_check_says_why(case: str) -> None:
    rule, paths, _ = BROKEN[case]
    path = paths if isinstance(paths, str) else paths[0]
    rulebook = Rulebook(sources=RULEBOOK.sources, rules={**RULEBOOK.rules, rule.id: rule}, profiles=RULEBOOK.profiles)
    with pytest.raises(RulebookError) as raised:
        engine.check_file(ROOT / "examples" / "plans" / "chongming-2024.yaml", rulebook=rulebook)
    assert raised.value.profile == "shanghai-chongming-2024"
    assert path in str(raised.value)


def test_a_text_field_takes_a_format_spec_text_takes_and_a_figure_one_figures_take() -> None:
    message = Text(zh=JOINT.message.zh, en="{share_shown:>8} % ({share:.1f}) of {base:,}")  # type: ignore[union-attr]
    assert rule_problems(attrs.evolve(JOINT, message=message)) == []


def test_every_parameter_a_builder_reads_is_declared_in_the_unit_it_reads_it_in() -> None:
    for rule in RULEBOOK.rules.values():
        specs = {spec.name: spec for spec in rule.parameters}
        for kind in rule.fact_kinds:
            for name, unit in FACT_KINDS[kind].reads.items():
                assert specs[name].unit == unit, (rule.id, name)


#: (a fact kind, an example it is built from, the profile, a parameter its builder reads as a whole number)
WHOLE_PARAMETERS = [
    ("coverage-item", "plans/chongming-2024.yaml", "shanghai-chongming-2024", "key_unit_checks_per_year"),
    ("submission", "campaigns/chongming-2023/clean/城桥镇-2023-05.yaml", "shanghai-chongming-2023-campaign",
     "submission_day"),
    ("submission", "campaigns/chongming-2023/clean/城桥镇-2023-05.yaml", "shanghai-chongming-2023-campaign",
     "rollups_held_to_submission_day"),
]


@pytest.mark.parametrize(("kind", "example", "profile_id", "name"), WHOLE_PARAMETERS)
def test_a_builder_given_a_fraction_for_a_whole_number_refuses_it_rather_than_cut_it_off(
        kind: str, example: str, profile_id: str, name: str) -> None:
    """Parameters that bypass the profile's checks (given to the builder as they are) are not truncated:
    day 5.9 is not day 5."""
    params = {n: v.value for n, v in RULEBOOK.profiles[profile_id].parameters.items()}
    bundle = [load_document(ROOT / "examples" / example)]
    assert any(fact["kind"] == kind for fact in FACT_KINDS[kind].builder(bundle, params))
    with pytest.raises(ValueError, match=f"parameter {name} must be a whole number, got 5.9"):
        list(FACT_KINDS[kind].builder(bundle, {**params, name: Decimal("5.9")}))


def test_spot_check_findings_must_count_enterprises(monkeypatch: pytest.MonkeyPatch) -> None:
    """part-whole compares a finding with the enterprises spot-checked, unscaled: a template whose
    finding were money (or no count) would be compared wrongly, so it is refused by name."""
    from engine import campaign_facts
    from forms.dispatch import FormItem, ItemShape, load_template

    shipped = load_template("chongming-2023")
    section = shipped.section_of("spot_checked")
    money = attrs.evolve(section.items[1], unit="万元")
    broken = attrs.evolve(shipped, sections=tuple(
        attrs.evolve(s, items=(s.items[0], money, *s.items[2:])) if s is section else s for s in shipped.sections))
    monkeypatch.setattr(campaign_facts, "load_template", lambda variant: broken)
    with pytest.raises(ValueError, match=f"spot-check item {money.key} must count enterprises.*in 万元"):
        campaign_facts._spot_check_findings.__wrapped__("chongming-2023")
    monkeypatch.undo()  # the shipped templates, as the cache holds them (or reads them now)
    assert all(isinstance(item, FormItem) and item.shape is ItemShape.COUNT and item.whole_numbers
               for variant in ("chongming-2023", "linyi-lingang-2023")
               for item, _, _ in campaign_facts._spot_check_findings(variant))


#: Decimals of up to 28 digits, the precision normalising rounds to (figures are capped far below it).
_FIGURES = (st.decimals(allow_nan=False, allow_infinity=False) | st.integers().map(Decimal)).filter(
    lambda value: len(value.as_tuple().digits) <= 28)


@given(_FIGURES)
def test_a_figure_is_shown_as_its_normalised_plain_digits(value: Decimal) -> None:
    """Messages show a figure with no exponent and no trailing zeros after the point; a whole number
    held as a Decimal takes a shorter way there (engine.campaign_facts._shown)."""
    assert _shown(value) == format(value.normalize(), "f")


def test_a_campaign_rule_checking_plans_is_refused_as_a_plan_rule_checking_forms_is() -> None:
    drill = attrs.evolve(RULEBOOK.rules["campaign.drill"], document="annual-plan")
    assert [str(p) for p in rule_problems(drill)] == [
        "rules[campaign.drill].when[0].match[0].fact: fact kind 'drill-period' is built from dispatch-form or "
        "enterprise-record or campaign-steps documents, not from annual-plan, which the rule checks"]


@pytest.mark.parametrize("kinds", [True, "dispatch-form", ("record",)])
def test_a_kind_comparing_documents_names_kinds_of_document(kinds: object) -> None:
    """``compares_documents=True`` (its form before it named kinds) was taken, and failed only once
    an input was refused (``kind in True``); a string matched kinds by substring."""
    from engine.campaign_facts import cumulative_series
    from engine.derived import FactKind

    with pytest.raises(ValueError, match=r"compares_documents takes a tuple of kinds of document"):
        FactKind(cumulative_series, ("unit",), compares_documents=kinds)  # type: ignore[arg-type]
    assert FactKind(cumulative_series, ("unit",), compares_documents=("dispatch-form",)).compares_documents == (
        "dispatch-form",)
