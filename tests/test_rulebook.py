"""The rulebook is data that stands on its own: sources unchanged, quotes verbatim, profiles complete."""

from __future__ import annotations

import hashlib
import re
from pathlib import Path

import attrs
import pytest

from engine.compile import parameter_value
from engine.facts import BUILDERS
from rulebook import load_rulebook, profile_problems
from rulebook.catalogue import catalogue, load_coverage
from rulebook.load import SOURCES_DIR
from rulebook.model import DATE_UNIT, UNITS

RULEBOOK = load_rulebook()
SEEDS_DIR = Path(__file__).resolve().parents[2] / "shared" / "seeds"


def squeeze(text: str) -> str:
    """Whitespace-normalised text, written out here rather than imported, so the test checks the loader."""
    return re.sub(r"\s+", "", text)


ALL_CITATIONS = [
    (f"{rule.id} #{k}", citation) for rule in RULEBOOK.rules.values() for k, citation in enumerate(rule.citations)
] + [
    (f"{profile.id}.{name}", value.citation)
    for profile in RULEBOOK.profiles.values() for name, value in profile.parameters.items()
] + [
    (f"{profile.id}.{name}.owed_by", value.owed_by.citation)
    for profile in RULEBOOK.profiles.values() for name, value in profile.parameters.items() if value.owed_by
]


@pytest.mark.parametrize(("where", "citation"), ALL_CITATIONS, ids=[w for w, _ in ALL_CITATIONS])
def test_every_quote_is_verbatim_in_its_source(where: str, citation) -> None:
    text = (SOURCES_DIR / RULEBOOK.sources[citation.source].file).read_text(encoding="utf-8")
    assert squeeze(citation.quote) in squeeze(text), f"{where}: {citation.quote!r} is not in {citation.source}"
    assert citation.clause.strip(), f"{where}: citation has no clause path"


#: The key-post review's phrase, whole in each campaign source. Linyi's text breaks a page inside it
#: (…以及易产生 / 重大事故隐患…): a quote starting after the break dropped whose posts are reviewed.
KEY_POST_REVIEW = {
    "chongming-2023-campaign": "组织对动火等危险作业人员以及易产生重大事故隐患的其他关键岗位人员落实岗位责任情况进行1次全面排查",
    "linyi-lingang-2023-campaign":
        "举一反三组织对动火等危险作业人员以及易产生重大事故隐患的其他关键岗位人员落实岗位责任情况进行1次全面排查",
}


def test_the_key_post_review_is_quoted_whole_wherever_it_is_quoted() -> None:
    """In campaign.one-off-tasks' citation for /key_post_review and in the clause-coverage entry."""
    cited = {c.source: c.quote for c in RULEBOOK.rules["campaign.one-off-tasks"].citations
             if c.applies_to is not None and "/key_post_review" in c.applies_to.values}
    assert cited == KEY_POST_REVIEW
    coverage = load_coverage()
    for source, quote in KEY_POST_REVIEW.items():
        text = (SOURCES_DIR / RULEBOOK.sources[source].file).read_text(encoding="utf-8")
        assert squeeze(quote) in squeeze(text)
        assert [e.quote for e in coverage[source].clauses if "关键岗位人员落实岗位责任" in e.quote] == [quote]


@pytest.mark.parametrize("source_id", sorted(RULEBOOK.sources))
def test_sources_are_shipped_unchanged(source_id: str) -> None:
    source = RULEBOOK.sources[source_id]
    data = (SOURCES_DIR / source.file).read_bytes()
    assert hashlib.sha256(data).hexdigest() == source.sha256
    seed = SEEDS_DIR / source.file
    if seed.exists():  # beside a checkout the originals are at hand: compare byte for byte
        assert seed.read_bytes() == data


def test_profiles_named_by_the_issue_exist_and_bind_their_regimes() -> None:
    assert set(RULEBOOK.profiles) == {
        "shanghai-chongming-2024", "shanghai-putuo-2024", "shanghai-minhang-2020",
        "shanghai-chongming-2023-campaign", "linyi-lingang-2023-campaign",
    }
    minhang = RULEBOOK.profiles["shanghai-minhang-2020"]
    assert minhang.parameters["key_unit_checks_per_year"].value == 2  # every half-year
    assert "plan.joint-share" not in minhang.rules  # no 15 % rule in 2020
    for pid in ("shanghai-chongming-2024", "shanghai-putuo-2024"):
        profile = RULEBOOK.profiles[pid]
        assert profile.parameters["key_unit_checks_per_year"].value == 1
        assert profile.parameters["min_joint_share"].value == 15
        assert "plan.joint-share" in profile.rules


@pytest.mark.parametrize("profile_id", sorted(RULEBOOK.profiles))
def test_every_rule_of_a_profile_cites_that_profiles_sources_and_has_its_parameters(profile_id: str) -> None:
    profile = RULEBOOK.profiles[profile_id]
    for rule in RULEBOOK.rules_of(profile):
        assert rule.citations_for(profile.sources), rule.id
        for spec in rule.parameters:
            names = spec.names_in(profile.parameters)
            assert names, (rule.id, spec.name)
            for name in names:
                value = profile.parameters[name]
                assert value.effective_from <= profile.period_from
                assert value.citation.quote


def test_a_parameter_family_stands_for_every_parameter_with_its_prefix() -> None:
    """``due.*`` (the deadlines of campaign.phase-deadlines) is each ``due.<step>`` of a profile,
    and a profile that gives none is refused, naming the family."""
    (spec,) = [p for p in RULEBOOK.rules["campaign.phase-deadlines"].parameters if p.name == "due.*"]
    chongming = RULEBOOK.profiles["shanghai-chongming-2023-campaign"]
    assert spec.names_in(chongming.parameters) == [
        "due.implementation-report-1", "due.implementation-report-2", "due.plan-and-mobilisation"]
    assert spec.names_in({"due_soon": chongming.parameters["due.plan-and-mobilisation"]}) == []
    without = attrs.evolve(chongming, parameters={n: v for n, v in chongming.parameters.items() if not n.startswith("due.")})
    assert [str(p) for p in profile_problems(RULEBOOK, without)] == [
        "profiles[shanghai-chongming-2023-campaign].parameters: rule campaign.phase-deadlines needs at least one "
        "parameter due.<…>"]
    listed = {entry["id"]: entry for entry in catalogue(RULEBOOK, chongming.id)}["campaign.phase-deadlines"]
    (deadlines,) = [p["parameters"] for p in listed["profiles"]]
    assert deadlines["due.implementation-report-1"]["value"] == "2023-08-05"
    assert deadlines["due.implementation-report-1"]["title"] == {"zh": "第一次报送贯彻落实情况",
                                                                "en": "the first implementation report"}


def test_each_rule_lists_the_profiles_it_applies_to() -> None:
    assert [p.id for p in RULEBOOK.profiles_of("plan.joint-quarterly")] == ["shanghai-minhang-2020"]
    assert [p.id for p in RULEBOOK.profiles_of("plan.joint-share")] == ["shanghai-chongming-2024", "shanghai-putuo-2024"]
    assert len(RULEBOOK.profiles_of("plan.totals")) == 3


def test_no_title_states_a_value_its_profiles_give() -> None:
    """A title is the rule's, shown beside each profile's values (the catalogue, `zhifa rules`, SARIF):
    a figure in it (“15%”) would contradict a profile giving another (min_joint_share = 20)."""
    stated = []
    for rule in RULEBOOK.rules.values():
        title = f"{rule.title.zh} / {rule.title.en}"
        for profile in RULEBOOK.profiles_of(rule.id):
            for spec in rule.parameters:
                for name in spec.names_in(profile.parameters):
                    shown = re.escape(str(parameter_value(profile.parameters[name].value)))
                    if re.search(rf"(?<![0-9.]){shown}(?!\.?[0-9])", title):
                        stated.append((rule.id, profile.id, name, title))
    assert stated == []


@pytest.mark.parametrize("unit", sorted(UNITS))
def test_what_a_unit_takes_shows_no_value_a_reader_could_take_for_one_given(unit: str) -> None:
    """What a unit takes follows each value in the parameter tables (``2023-05-22 date — …``): an example
    date there (``a date (2024-05-31)``) reads as a second date of the parameter."""
    shown = str(UNITS[unit])
    assert not re.search(r"[0-9]{4}-[0-9]{2}-[0-9]{2}|[0-9]{4}年", shown), shown
    if unit == DATE_UNIT:
        assert shown == "a date (YYYY-MM-DD)"


def test_rules_are_introspectable_and_use_known_fact_kinds() -> None:
    issue_ids = {
        "plan.totals", "plan.shares", "plan.schedule-sums", "plan.joint-share", "plan.key-unit-coverage",
        "plan.workload-arithmetic", "plan.workload-ratio", "plan.sample-excludes-key-units", "plan.key-unit-list",
        "plan.joint-quarterly",
    }
    assert issue_ids <= set(RULEBOOK.rules)
    for rule in RULEBOOK.rules.values():
        assert rule.title.zh and rule.title.en and rule.description.zh and rule.description.en
        assert set(rule.fact_kinds) <= set(BUILDERS), rule.id
        for alternative in rule.when:
            assert rule.message_for(alternative).zh
            aliases = [p.alias for p in alternative.match]
            assert "s" not in aliases, "c.s is durable-rules' session state"
            assert len(set(aliases)) == len(aliases)
        used = {c.param for a in rule.when for p in a.match for c in (*p.all, *p.any) if c.param}
        assert used <= {s.name for s in rule.parameters}, rule.id
