"""A rulebook assembled in Python gets the checks a loaded one gets, before any of its profiles is
compiled: no finding can cite a clause that is not verbatim in its source, or run without its
parameters."""

from __future__ import annotations

import gc
import json
import pickle
from collections.abc import Callable
from datetime import date
from decimal import Decimal
from pathlib import Path

import attrs
import pytest
from hypothesis import given
from hypothesis import strategies as st

import engine
from engine import compile as compiler
from forms import CONVERTER, load_document, structure
from rulebook import (
    Profile,
    Rule,
    Rulebook,
    Text,
    citation_problems,
    definition_problems,
    load_rulebook,
    normalise_whitespace,
    profile_problems,
)
from rulebook.catalogue import catalogue

ROOT = Path(__file__).resolve().parents[1]
SHIPPED = load_rulebook()
PROFILE = "shanghai-chongming-2024"
RULE = "plan.joint-share"  # bound by PROFILE, reads min_joint_share
PLAN = load_document(ROOT / "examples" / "plans" / "chongming-2024.yaml")


def with_rule(**changes: object) -> Rulebook:
    rule = SHIPPED.rules[RULE]
    return attrs.evolve(SHIPPED, rules={**SHIPPED.rules, RULE: attrs.evolve(rule, **changes)})


def with_citation(**changes: object) -> Rulebook:
    first, *rest = SHIPPED.rules[RULE].citations
    return with_rule(citations=(attrs.evolve(first, **changes), *rest))


def with_profile(**changes: object) -> Rulebook:
    profile = SHIPPED.profiles[PROFILE]
    return attrs.evolve(SHIPPED, profiles={**SHIPPED.profiles, PROFILE: attrs.evolve(profile, **changes)})


def with_parameter(**changes: object) -> Rulebook:
    parameters = SHIPPED.profiles[PROFILE].parameters
    return with_profile(parameters={**parameters, "min_joint_share": attrs.evolve(parameters["min_joint_share"], **changes)})


def with_parameter_citation(**changes: object) -> Rulebook:
    citation = SHIPPED.profiles[PROFILE].parameters["min_joint_share"].citation
    return with_parameter(citation=attrs.evolve(citation, **changes))


def with_source_file(file: str) -> Rulebook:
    source = SHIPPED.sources["chongming-2024"]
    return attrs.evolve(SHIPPED, sources={**SHIPPED.sources, source.id: attrs.evolve(source, file=file)})


RULE_CITATION = f"rules[{RULE}].citations[0]"
PARAMETERS = f"profiles[{PROFILE}].parameters"

#: case → (the broken rulebook, the path of the one problem, words of its message)
BROKEN: dict[str, tuple[Callable[[], Rulebook], str, str]] = {
    "a rule's quote is not in its source": (
        lambda: with_citation(quote="确保跨部门联合执法不少于“双随机、一公开”执法总量的20%。"),
        RULE_CITATION, "quote not found verbatim in chongming-2024"),
    "a rule cites an unknown source": (
        lambda: with_rule(citations=(*SHIPPED.rules[RULE].citations,
                                     attrs.evolve(SHIPPED.rules[RULE].citations[0], source="chongming-2025"))),
        f"rules[{RULE}].citations[{len(SHIPPED.rules[RULE].citations)}]", "unknown source 'chongming-2025'"),
    "a profile names an unknown source": (
        lambda: with_profile(sources=(*SHIPPED.profiles[PROFILE].sources, "chongming-2025")),
        f"profiles[{PROFILE}].sources", "unknown source 'chongming-2025'"),
    "a profile names an unknown rule": (
        lambda: with_profile(rules=(*SHIPPED.profiles[PROFILE].rules, "plan.joint-share-2025")),
        f"profiles[{PROFILE}].rules", "unknown rule 'plan.joint-share-2025'"),
    "a profile binds a rule that cites none of its sources": (
        lambda: with_rule(citations=tuple(c for c in SHIPPED.rules[RULE].citations if c.source != "chongming-2024")),
        f"profiles[{PROFILE}].rules", f"rule {RULE} has no citation from this profile's sources"),
    "a profile lacks a rule's parameter": (
        lambda: with_profile(parameters={k: v for k, v in SHIPPED.profiles[PROFILE].parameters.items()
                                         if k != "min_joint_share"}),
        PARAMETERS, f"rule {RULE} needs parameter 'min_joint_share'"),
    "a parameter takes effect after the profile starts": (
        lambda: with_parameter(effective_from=date(2024, 7, 1)),
        f"{PARAMETERS}.min_joint_share", "not in effect for the whole profile period"),
    "a parameter ends before the profile does": (
        lambda: with_parameter(effective_to=date(2024, 6, 30)),
        f"{PARAMETERS}.min_joint_share", "not in effect for the whole profile period"),
    "a parameter's quote is not in its source": (
        lambda: with_parameter_citation(quote="确保跨部门联合执法不少于20%。"),
        f"{PARAMETERS}.min_joint_share.citation", "quote not found verbatim in chongming-2024"),
    "a profile names an unknown kind of document": (
        lambda: with_profile(documents=("annual_plan",)),
        f"profiles[{PROFILE}].documents", "unknown document kind 'annual_plan' (known kinds: annual-plan, "),
    "a profile binds a rule of a kind of document it does not check": (
        lambda: with_rule(document="dispatch-form"),
        f"profiles[{PROFILE}].rules", f"rule {RULE} checks dispatch-form, which this profile does not check"),
    "a profile ends before it starts": (
        lambda: with_profile(period_to=date(2023, 12, 31)),
        f"profiles[{PROFILE}].period_to", "2023-12-31 is before period_from 2024-01-01"),
    "a parameter in percent given a date": (
        lambda: with_parameter(value=date(2024, 5, 1)),
        f"{PARAMETERS}.min_joint_share.value",
        f"2024-05-01 is a date, but its unit 'percent' takes a number from 0 to 100 (as rule {RULE} declares it)"),
    "a parameter in percent above 100": (
        lambda: with_parameter(value=Decimal("150")),
        f"{PARAMETERS}.min_joint_share.value",
        f"150 is above 100, but its unit 'percent' takes a number from 0 to 100 (as rule {RULE} declares it)"),
    "a profile gives a parameter none of its rules uses": (
        lambda: with_profile(parameters={**SHIPPED.profiles[PROFILE].parameters,
                                         "min_joint_shar": SHIPPED.profiles[PROFILE].parameters["min_joint_share"]}),
        f"{PARAMETERS}.min_joint_shar", "no rule of the profile uses it"),
}


def problems_of(rulebook: Rulebook) -> list[str]:
    profile = rulebook.profiles[PROFILE]
    problems = profile_problems(rulebook, profile)
    if not problems:
        problems = [p for rule in rulebook.rules_of(profile) for p in citation_problems(rulebook, rule)]
    return [f"{p.path}: {p.message}" for p in problems]


def test_the_shipped_rulebook_has_no_problems() -> None:
    for profile in SHIPPED.profiles.values():
        assert profile_problems(SHIPPED, profile) == [], profile.id
    for rule in SHIPPED.rules.values():
        assert citation_problems(SHIPPED, rule) == [], rule.id


@pytest.mark.parametrize("case", sorted(BROKEN))
def test_each_problem_is_named_where_it_is(case: str) -> None:
    build, path, words = BROKEN[case]
    problems = problems_of(build())
    assert len(problems) == 1, problems
    assert problems[0].startswith(f"{path}: ") and words in problems[0], problems


@pytest.mark.parametrize("case", sorted(BROKEN))
def test_a_broken_rulebook_checks_nothing_and_says_why(case: str) -> None:
    build, path, words = BROKEN[case]
    rulebook = build()
    with pytest.raises(engine.RulebookError) as raised:
        engine.check(PLAN, rulebook=rulebook)
    assert raised.value.profile == PROFILE
    # A problem of the shipped profile is named by its file; of a profile or rule made in Python, by the profile.
    shipped = path.startswith("profiles[") and rulebook.profiles[PROFILE] is SHIPPED.profiles[PROFILE]
    where = str(ROOT / "rulebook" / "profiles" / f"{PROFILE}.yaml") if shipped else f"rulebook, profile {PROFILE}"
    assert f"{where}: {path}: " in str(raised.value) and words in str(raised.value)
    with pytest.raises(engine.RulebookError):  # refused every time, not only on first use
        list(engine.check_many([PLAN], rulebook=rulebook))


def test_a_profile_given_in_python_with_a_fraction_of_checks_a_year_is_refused_not_truncated() -> None:
    """1.5 checks a year were checked as 1 (no key unit found short), 0.5 as 0 (no check asked at all)."""
    profile = SHIPPED.profiles[PROFILE]
    for fraction in ("1.5", "0.5"):
        value = attrs.evolve(profile.parameters["key_unit_checks_per_year"], value=Decimal(fraction))
        draft = attrs.evolve(profile, parameters={**profile.parameters, "key_unit_checks_per_year": value})
        with pytest.raises(engine.RulebookError) as refused:
            engine.check(PLAN, rulebook=SHIPPED.with_profile(draft, "drafts/chongming.yaml"))
        assert str(refused.value) == (
            f"drafts/chongming.yaml: {PARAMETERS}.key_unit_checks_per_year.value: {fraction} is not a whole number, but "
            "its unit 'checks per year' takes a whole number dividing 12 (1, 2, 3, 4, 6 or 12) (as rule "
            "plan.key-unit-coverage declares it)")


def test_an_extended_rulebook_that_quotes_verbatim_is_checked_and_cites_its_quote() -> None:
    # Whitespace in a quote is free (the sources wrap lines); findings quote the rule as written.
    spaced = " \n".join(SHIPPED.rules[RULE].citations[0].quote)
    report = engine.check(PLAN, rulebook=with_citation(quote=spaced))
    assert report.rules_violated == engine.check(PLAN).rules_violated
    assert RULE in report.rules_violated
    assert [c.quote for v in report.violations if v.rule == RULE for c in v.citations] == [spaced]


QUOTES = sorted({(c.source, c.quote) for rule in SHIPPED.rules.values() for c in rule.citations})


@given(st.sampled_from(QUOTES), st.data())
def test_a_quote_holds_through_whitespace_and_fails_on_one_changed_character(quoted: tuple[str, str],
                                                                               data: st.DataObject) -> None:
    source, quote = quoted
    citation = SHIPPED.rules[RULE].citations[0]
    at = data.draw(st.integers(0, len(quote)), label="at")
    spaced = quote[:at] + data.draw(st.sampled_from([" ", "\n", "\u3000", "\t "]), label="space") + quote[at:]
    rulebook = with_citation(source=source, quote=spaced, clause=citation.clause)
    assert not [p for p in citation_problems(rulebook, rulebook.rules[RULE]) if p.path == RULE_CITATION]
    # A character no shipped source has, anywhere in the quote, breaks it.
    broken = quote[:at] + "\u2603" + quote[at:]
    assert "\u2603" not in "".join(normalise_whitespace(SHIPPED.source_text(s)) for s in SHIPPED.sources)
    rulebook = with_citation(source=source, quote=broken, clause=citation.clause)
    assert [p.path for p in citation_problems(rulebook, rulebook.rules[RULE])] == [RULE_CITATION]


@pytest.mark.parametrize("file", ["../rules/plan.yaml", "/etc/hostname", "chongming-2025.txt"])
def test_a_source_text_must_be_a_file_of_rulebook_sources(file: str) -> None:
    rulebook = with_source_file(file)
    profile = rulebook.profiles[PROFILE]
    problems = [*profile_problems(rulebook, profile),
                *(p for rule in rulebook.rules_of(profile) for p in citation_problems(rulebook, rule))]
    assert RULE_CITATION in [p.path for p in problems]
    assert {p.message for p in problems} == {f"source chongming-2024's text {file!r} is not a file of rulebook/sources"}
    with pytest.raises(engine.RulebookError, match="is not a file of rulebook/sources"):
        engine.check(PLAN, rulebook=rulebook)


def with_condition(**changes: object) -> Rule:
    """RULE with its first condition changed."""
    rule = SHIPPED.rules[RULE]
    (alternative,) = rule.when
    (pattern,) = alternative.match
    condition = attrs.evolve(pattern.all[0], **changes)
    return attrs.evolve(rule, when=(attrs.evolve(alternative, match=(attrs.evolve(pattern, all=(condition,)),)),))


CONDITION = f"rules[{RULE}].when[0].match[0].all[0]"

#: case → (the rule, the path of its one problem, words of its message): each would never fire, or
#: fail only once a document broke it, and is refused before anything is checked.
NOT_WHOLE: dict[str, tuple[Callable[[], Rule], str, str]] = {
    "a rule checks an unknown kind of document": (
        lambda: attrs.evolve(SHIPPED.rules[RULE], document="annual_plan"),
        f"rules[{RULE}].document", "unknown document kind 'annual_plan'"),
    "a condition compares with a value and a parameter": (
        lambda: with_condition(op="<=", value=0),
        CONDITION, "compares 'share' with value and param: give exactly one of value, field2, param, bound"),
    "a condition compares with nothing": (
        lambda: with_condition(param=None),
        CONDITION, "compares 'share' with nothing"),
    "a rule has no message": (
        lambda: attrs.evolve(SHIPPED.rules[RULE], message=None),
        f"rules[{RULE}].when[0].message", "no message: neither the alternative nor the rule has one"),
    "a format spec no figure takes": (
        lambda: attrs.evolve(SHIPPED.rules[RULE], message=Text(zh="占{share:.1q}%", en="{share:.1f} %")),
        f"rules[{RULE}].message.zh", "{share:.1q}: format spec '.1q' cannot show 3"),
    "a rule lists no way to be violated": (
        lambda: attrs.evolve(SHIPPED.rules[RULE], when=()),
        f"rules[{RULE}].when", "lists no alternative"),
}


@pytest.mark.parametrize("case", sorted(NOT_WHOLE))
def test_a_rule_that_is_not_whole_is_refused_before_anything_is_checked(case: str) -> None:
    build, path, words = NOT_WHOLE[case]
    rule = build()
    problems = [f"{p.path}: {p.message}" for p in definition_problems(rule)]
    assert len(problems) == 1 and problems[0].startswith(f"{path}: ") and words in problems[0], problems
    rulebook = attrs.evolve(SHIPPED, rules={**SHIPPED.rules, RULE: rule})
    for check in (lambda: engine.check(PLAN, rulebook=rulebook), lambda: list(engine.check_many([PLAN], rulebook=rulebook))):
        with pytest.raises(engine.RulebookError) as raised:
            check()
        assert f"rulebook, profile {PROFILE}: {path}: " in str(raised.value) and words in str(raised.value)


def test_the_shipped_rules_are_whole() -> None:
    assert [p for rule in SHIPPED.rules.values() for p in definition_problems(rule)] == []


def test_a_rulebook_is_compiled_once_while_it_lives_and_forgotten_after() -> None:
    """A service may build a rulebook per request: each is compiled (from the ruleset of the same
    content, compiled once), and forgotten when it goes; the shipped one stays compiled."""
    shipped = compiler.compile_profile(SHIPPED, PROFILE)
    before = len(compiler._COMPILED)
    for _ in range(300):
        rulebook = attrs.evolve(SHIPPED)
        assert compiler.compile_profile(rulebook, PROFILE) is shipped  # the same ruleset
        assert compiler.compile_profile(rulebook, PROFILE) is shipped
    del rulebook
    gc.collect()
    assert len(compiler._COMPILED) == before
    assert compiler._COMPILED[(id(SHIPPED), PROFILE)][1] is shipped
    assert compiler.compile_profile(load_rulebook(), PROFILE) is shipped


def test_the_shipped_rulebook_cannot_be_changed_in_place() -> None:
    """It is shared by every check in the process, and its profiles are compiled once: changed in
    place, it would change for every caller, and checks would go on under the profile compiled before."""
    tenant = attrs.evolve(SHIPPED.profiles[PROFILE], id="tenant")
    changes: list[Callable[[], object]] = [
        lambda: SHIPPED.profiles.__setitem__("tenant", tenant),
        lambda: SHIPPED.profiles.__delitem__(PROFILE),
        lambda: SHIPPED.rules.__setitem__(RULE, SHIPPED.rules[RULE]),
        lambda: SHIPPED.sources.__delitem__("chongming-2024"),
        lambda: SHIPPED.profiles[PROFILE].parameters.__setitem__("min_joint_share", None),
    ]
    for change in changes:
        with pytest.raises(TypeError, match=r"read-only .*Rulebook\.with_profile"):
            change()
    assert "tenant" not in load_rulebook().profiles
    assert load_rulebook() is SHIPPED and PROFILE in SHIPPED.profiles and "chongming-2024" in SHIPPED.sources


def test_a_profile_replaced_with_with_profile_is_checked_with_its_own_parameters() -> None:
    def tenant(share: int) -> Rulebook:
        value = attrs.evolve(SHIPPED.profiles[PROFILE].parameters["min_joint_share"], value=Decimal(share))
        profile = SHIPPED.profiles[PROFILE]
        return SHIPPED.with_profile(attrs.evolve(profile, id="tenant", parameters={**profile.parameters,
                                                                                  "min_joint_share": value}))

    strict = tenant(15)
    lenient = strict.with_profile(tenant(1).profiles["tenant"])
    assert engine.check(PLAN, "tenant", rulebook=strict).rules_violated == ("plan.joint-share",)
    assert engine.check(PLAN, "tenant", rulebook=lenient).rules_violated == ()
    assert engine.check(PLAN, "tenant", rulebook=strict).rules_violated == ("plan.joint-share",)
    assert strict.profiles["tenant"].parameters["min_joint_share"].value == 15  # with_profile made a new one


def test_a_compiled_profile_is_not_reused_for_another_profile_under_its_id() -> None:
    """The compile cache checks that the rulebook still holds the profile it compiled, should its
    mappings be swapped behind its back."""
    rulebook = attrs.evolve(SHIPPED)
    assert "plan.joint-share" in engine.check(PLAN, rulebook=rulebook).rules_violated
    lenient = with_parameter(value=Decimal(1)).profiles[PROFILE]
    object.__setattr__(rulebook, "profiles", {**rulebook.profiles, PROFILE: lenient})
    assert "plan.joint-share" not in engine.check(PLAN, rulebook=rulebook).rules_violated


def test_a_read_only_profile_reads_pickles_and_converts_like_the_dict_it_was() -> None:
    profile = SHIPPED.profiles[PROFILE]
    data = CONVERTER.unstructure(profile)
    assert type(data["parameters"]) is dict
    assert structure(json.loads(json.dumps(data, ensure_ascii=False, default=str)), Profile) == profile
    assert pickle.loads(pickle.dumps(profile)) == profile and pickle.loads(pickle.dumps(SHIPPED)) == SHIPPED
    assert profile.parameters == dict(profile.parameters) and repr(profile.parameters) == repr(dict(profile.parameters))
    assert json.dumps(catalogue(SHIPPED, PROFILE), ensure_ascii=False)
