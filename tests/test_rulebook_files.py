"""A rulebook folder with a mistake in it does not load: each mistake is named by its file, its place
and what is wrong, as a user following the guides would make it (a copy of ``rulebook/`` edited)."""

from __future__ import annotations

import shutil
from collections.abc import Callable
from pathlib import Path

import attrs
import pytest

import engine
from forms import LoadError, load_document, read_data, structure
from rulebook import Profile, load_rulebook
from rulebook.load import HERE, read_rulebook

from .conftest import ROOT

PLAN_RULES = Path("rules") / "plan.yaml"
CHONGMING = Path("profiles") / "shanghai-chongming-2024.yaml"
CAMPAIGN = Path("profiles") / "shanghai-chongming-2023-campaign.yaml"
LINYI = Path("profiles") / "linyi-lingang-2023-campaign.yaml"
JOINT_CONDITION = 'all: [{field: share, op: "<", param: min_joint_share}]'
JOINT_MESSAGE = "{joint} joint checks are {share_shown} % of {base} random spot checks"
MIN_JOINT_SHARE = """  min_joint_share:
    value: 15
    effective_from: 2024-01-01
    citation:
      source: chongming-2024
      clause: 二、（三）2
      quote: 确保跨部门联合执法不少于“双随机、一公开”执法总量的15%。
"""


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    """A copy of the shipped rulebook, to edit."""
    copy = tmp_path / "rulebook"
    shutil.copytree(HERE, copy, ignore=shutil.ignore_patterns("__pycache__", "*.py"))
    return copy


def edit(folder: Path, file: Path, old: str, new: str, count: int = 1) -> None:
    path = folder / file
    text = path.read_text(encoding="utf-8")
    assert text.count(old) == count, f"{old!r} is in {file} {text.count(old)} times"
    path.write_text(text.replace(old, new), encoding="utf-8")


def joint_share_rule(folder: Path) -> str:
    """The text of plan.joint-share in plan.yaml, up to the next rule."""
    text = (folder / PLAN_RULES).read_text(encoding="utf-8")
    start = text.index("  - id: plan.joint-share")
    return text[start:text.index("  - id: ", start + 1)]


def edit_joint_share(folder: Path, old: str, new: str) -> None:
    """Edit plan.joint-share only: another rule may hold the same line (a rule added by the guides)."""
    rule = joint_share_rule(folder)
    assert rule.count(old) == 1, f"{old!r} is in plan.joint-share {rule.count(old)} times"
    edit(folder, PLAN_RULES, rule, rule.replace(old, new))


def without_message(rule: str) -> str:
    """A rule's text without its own message (its alternatives have none either)."""
    start = rule.index("    message:\n")
    return rule[:start] + rule[rule.index("    fix:\n", start):]


def refusal(folder: Path) -> list[str]:
    """Each problem the folder is refused for, as ``file: place: what``, the file relative to the folder."""
    with pytest.raises(LoadError) as refused:
        read_rulebook(folder)
    return [line.replace(f"{folder}/", "") for line in str(refused.value).splitlines()]


def test_the_shipped_folder_reads_as_the_shipped_rulebook(folder: Path) -> None:
    assert sorted(read_rulebook(folder).rules) == sorted(read_rulebook(HERE).rules)


#: case → (the edit, the one problem it gives)
MISTAKES: dict[str, tuple[Callable[[Path], None], str]] = {
    "a rule's document kind misspelt": (
        lambda f: edit(f, PLAN_RULES, "id: plan.joint-share\n    document: annual-plan",
                       "id: plan.joint-share\n    document: annual_plan"),
        "rules/plan.yaml: rules[plan.joint-share].document: unknown document kind 'annual_plan' "
        "(known kinds: annual-plan, dispatch-form, enterprise-record, campaign-steps)"),
    "a rule checks a kind of document its profiles do not": (
        lambda f: edit(f, PLAN_RULES, "id: plan.joint-quarterly\n    document: annual-plan",
                       "id: plan.joint-quarterly\n    document: dispatch-form"),
        "profiles/shanghai-minhang-2020.yaml: profiles[shanghai-minhang-2020].rules: rule plan.joint-quarterly "
        "checks dispatch-form, which this profile does not check (it checks annual-plan): it would never run"),
    "a profile's document kind misspelt": (
        lambda f: edit(f, CHONGMING, "documents: [annual-plan]", "documents: [annual_plan]"),
        "profiles/shanghai-chongming-2024.yaml: profiles[shanghai-chongming-2024].documents: unknown document "
        "kind 'annual_plan' (known kinds: annual-plan, dispatch-form, enterprise-record, campaign-steps)"),
    "a condition with two right-hand sides": (
        lambda f: edit(f, PLAN_RULES, JOINT_CONDITION,
                       'all: [{field: share, op: "<=", value: 0, param: min_joint_share}]'),
        "rules/plan.yaml: rules[plan.joint-share].when[0].match[0].all[0]: compares 'share' with value and param: "
        "give exactly one of value, field2, param, bound (only one would be used)"),
    "a condition with no right-hand side": (
        lambda f: edit(f, PLAN_RULES, JOINT_CONDITION, 'all: [{field: share, op: "<"}]'),
        "rules/plan.yaml: rules[plan.joint-share].when[0].match[0].all[0]: compares 'share' with nothing: "
        "give exactly one of value, field2, param, bound"),
    "a rule with no message": (
        lambda f: edit(f, PLAN_RULES, joint_share_rule(f), without_message(joint_share_rule(f))),
        "rules/plan.yaml: rules[plan.joint-share].when[0].message: no message: neither the alternative nor the "
        "rule has one"),
    "a format spec no figure takes": (
        lambda f: edit(f, PLAN_RULES, JOINT_MESSAGE, JOINT_MESSAGE.replace("{share_shown}", "{share:.1q}")),
        "rules/plan.yaml: rules[plan.joint-share].message.en: {share:.1q}: format spec '.1q' cannot show 3 "
        "(Unknown format code 'q' for object of type 'int')"),
    "a format spec only whole numbers take": (
        lambda f: edit(f, PLAN_RULES, JOINT_MESSAGE, JOINT_MESSAGE.replace("{share_shown}", "{share:d}")),
        "rules/plan.yaml: rules[plan.joint-share].message.en: {share:d}: format spec 'd' cannot show 0.5 "
        "(Unknown format code 'd' for object of type 'float')"),
    "a rule defined in two files": (
        lambda f: (f / "rules" / "extra.yaml").write_text("rules:\n" + joint_share_rule(f), encoding="utf-8"),
        "rules/plan.yaml: rules[3].id: rule id 'plan.joint-share' is defined twice: here and in "
        "rules/extra.yaml (rules[0])"),
    "a profile defined in two files": (
        lambda f: shutil.copy(f / CHONGMING, f / "profiles" / "shanghai-chongming-2024-copy.yaml"),
        "profiles/shanghai-chongming-2024.yaml: id: profile id 'shanghai-chongming-2024' is defined twice: here "
        "and in profiles/shanghai-chongming-2024-copy.yaml"),
    "a source defined twice": (
        lambda f: edit(f, Path("sources") / "sources.yaml", "sources:\n",
                       "sources:\n  - id: chongming-2024\n    title: 另一份文件\n    issuer: 普陀区\n"
                       "    file: putuo-2024-enforcement-plan.txt\n    sha256: x\n    document: annual-plan\n"),
        "sources/sources.yaml: sources[1].id: source id 'chongming-2024' is defined twice: here and at sources[0]"),
    "a profile that ends before it starts": (
        lambda f: edit(f, CHONGMING, "period_to: 2024-12-31", "period_to: 2023-12-31"),
        "profiles/shanghai-chongming-2024.yaml: profiles[shanghai-chongming-2024].period_to: 2023-12-31 is before "
        "period_from 2024-01-01"),
    "a parameter no rule of the profile uses": (
        lambda f: edit(f, CHONGMING, MIN_JOINT_SHARE, MIN_JOINT_SHARE + MIN_JOINT_SHARE.replace("share:", "shar:")),
        "profiles/shanghai-chongming-2024.yaml: profiles[shanghai-chongming-2024].parameters.min_joint_shar: no rule "
        "of the profile uses it (its rules' parameters: key_unit_checks_per_year, min_checks_per_workday, "
        "min_joint_share)"),
    "a parameter in percent given a date": (
        lambda f: edit(f, CHONGMING, MIN_JOINT_SHARE, MIN_JOINT_SHARE.replace("value: 15", "value: 2024-05-01")),
        "profiles/shanghai-chongming-2024.yaml: profiles[shanghai-chongming-2024].parameters.min_joint_share.value: "
        "2024-05-01 is a date, but its unit 'percent' takes a number from 0 to 100 (as rule plan.joint-share declares it)"),
    # Named once, though six rules of the profile declare it.
    "a date parameter given a number": (
        lambda f: edit(f, CAMPAIGN, "  campaign_end:\n    value: 2023-12-31\n", "  campaign_end:\n    value: 20231231\n"),
        "profiles/shanghai-chongming-2023-campaign.yaml: profiles[shanghai-chongming-2023-campaign].parameters."
        "campaign_end.value: 20231231 is a number, but its unit 'date' takes a date (YYYY-MM-DD) (as rule "
        "form.cumulative-nondecreasing declares it)"),
    "a profile names an unknown role": (
        lambda f: edit(f, LINYI, "role: lead-unit", "role: lead-units"),
        "profiles/linyi-lingang-2023-campaign.yaml: parameters['due.work-plan-and-liaison'].owed_by.role: expected "
        'one of lead-unit, sector-group-office, got "lead-units"'),
    "the clause naming who owes a step is misquoted": (
        lambda f: edit(f, LINYI, "      citation: {source: linyi-lingang-2023-campaign, clause: 五、（一）2, quote: 区安委会6个",
                       "      citation: {source: linyi-lingang-2023-campaign, clause: 五、（一）2, quote: 区安委会7个"),
        "profiles/linyi-lingang-2023-campaign.yaml: profiles[linyi-lingang-2023-campaign].parameters."
        "due.sector-plan-filed.owed_by.citation: quote not found verbatim in linyi-lingang-2023-campaign: "
        "'区安委会7个专业安全生产领导小组办公室分别制定印发重大事故隐患专项排查整治行动工作方案，并报区安委会办公室备案'"),
    "a rule's quote is not in its source": (
        lambda f: edit(f, PLAN_RULES, "执法总量的15%。\n      - source: putuo-2024",
                       "执法总量的20%。\n      - source: putuo-2024"),
        "rules/plan.yaml: rules[plan.joint-share].citations[0]: quote not found verbatim in chongming-2024: "
        "'牵头组织开展以危险化学品生产经营单位为主的工业企业安全生产“双随机、一公开”跨部门联合执法，"
        "确保跨部门联合执法不少于“双随机、一公开”执法总量的20%。'"),
}


@pytest.mark.parametrize("case", sorted(MISTAKES))
def test_a_mistake_is_refused_on_load_naming_its_file_and_place(folder: Path, case: str) -> None:
    make, problem = MISTAKES[case]
    make(folder)
    assert refusal(folder) == [problem]


#: case → (the edit of the Chongming 2024 profile, the problems it gives): a misspelt key inside a
#: parameter (a mapping's member, as cattrs names it) is named, with any problem it comes with.
MISSPELT_KEYS: dict[str, tuple[str, str, list[str]]] = {
    "efective_to": (MIN_JOINT_SHARE, MIN_JOINT_SHARE.replace("    citation:", "    efective_to: 2024-12-31\n    citation:"),
                    ["parameters['min_joint_share'].efective_to: unknown field"]),
    "notes": ("    note: The ratio", "    notes: The ratio", ["parameters['min_checks_per_workday'].notes: unknown field"]),
    "clauze": ("      clause: 二、（三）2\n", "      clauze: 二、（三）2\n",
               ["parameters['min_joint_share'].citation.clause: required field is missing",
                "parameters['min_joint_share'].citation.clauze: unknown field"]),
    "efective_from and efective_to": (
        MIN_JOINT_SHARE, MIN_JOINT_SHARE.replace("    effective_from: 2024-01-01\n",
                                                 "    efective_from: 2024-01-01\n    efective_to: 2024-12-31\n"),
        ["parameters['min_joint_share'].effective_from: required field is missing",
         "parameters['min_joint_share'].efective_from: unknown field",
         "parameters['min_joint_share'].efective_to: unknown field"]),
}


@pytest.mark.parametrize("case", sorted(MISSPELT_KEYS))
def test_a_misspelt_key_in_a_profile_parameter_is_named_with_its_file_and_path(folder: Path, case: str) -> None:
    old, new, problems = MISSPELT_KEYS[case]
    edit(folder, CHONGMING, old, new)
    assert refusal(folder) == [f"profiles/shanghai-chongming-2024.yaml: {problem}" for problem in problems]


MINHANG = Path("profiles") / "shanghai-minhang-2020.yaml"
PER_YEAR = "a whole number dividing 12 (1, 2, 3, 4, 6 or 12)"

#: case → (the profile, the parameter, its shipped value, the value given, why it is refused): a value
#: outside each unit's domain, which a check would truncate (1.5 checks a year as 1, day 5.9 as 5)
#: or fail on, blaming the documents checked.
OUT_OF_DOMAIN: dict[str, tuple[Path, str, str, str, str]] = {
    "1.5 checks a year": (CHONGMING, "key_unit_checks_per_year", "1", "1.5",
                          f"1.5 is not a whole number, but its unit 'checks per year' takes {PER_YEAR}"),
    "5 checks a year": (CHONGMING, "key_unit_checks_per_year", "1", "5",
                        f"5 does not divide 12, but its unit 'checks per year' takes {PER_YEAR}"),
    "0 checks a year": (CHONGMING, "key_unit_checks_per_year", "1", "0",
                        f"0 is below 1, but its unit 'checks per year' takes {PER_YEAR}"),
    "a share above 100 %": (CHONGMING, "min_joint_share", "15", "150",
                            "150 is above 100, but its unit 'percent' takes a number from 0 to 100"),
    "a negative ratio": (CHONGMING, "min_checks_per_workday", "0.75", "-0.75",
                         "-0.75 is below 0, but its unit 'checks per workday' takes a number of at least 0"),
    "1.5 checks a quarter": (MINHANG, "min_checks_per_quarter", "1", "1.5",
                             "1.5 is not a whole number, but its unit 'checks per quarter' takes a whole number "
                             "of at least 0"),
    "day 5.9 of a month": (CAMPAIGN, "submission_day", "28", "5.9",
                           "5.9 is not a whole number, but its unit 'day of month' takes a whole number from 1 to 31"),
    "day 0 of a month": (CAMPAIGN, "submission_day", "28", "0",
                         "0 is below 1, but its unit 'day of month' takes a whole number from 1 to 31"),
    "day 32 of a month": (CAMPAIGN, "submission_day", "28", "32",
                          "32 is above 31, but its unit 'day of month' takes a whole number from 1 to 31"),
    "2 for yes or no": (CAMPAIGN, "rollups_held_to_submission_day", "1", "2",
                        "2 is above 1, but its unit 'yes (1) or no (0)' takes 0 or 1"),
}


@pytest.mark.parametrize("case", sorted(OUT_OF_DOMAIN))
def test_a_value_outside_its_units_domain_is_refused_naming_its_file_and_field(folder: Path, case: str) -> None:
    file, name, shipped, given, why = OUT_OF_DOMAIN[case]
    edit(folder, file, f"  {name}:\n    value: {shipped}\n", f"  {name}:\n    value: {given}\n")
    profile = file.stem
    rule = next(r for r in load_rulebook().rules_of(load_rulebook().profiles[profile])
                if any(spec.name == name for spec in r.parameters))
    assert refusal(folder) == [f"{file}: profiles[{profile}].parameters.{name}.value: {why} "
                               f"(as rule {rule.id} declares it)"]


def test_a_parameter_declared_in_a_unit_zhifa_does_not_know_is_refused(folder: Path) -> None:
    """What an unknown unit takes is unknown: no value could be judged."""
    edit_joint_share(folder, "        unit: percent\n", "        unit: percentage\n")
    assert refusal(folder) == ["rules/plan.yaml: rules[plan.joint-share].parameters[0].unit: unknown unit 'percentage' "
                               "(known units: date, percent, checks per workday, checks per quarter, checks per year, "
                               "day of month, yes (1) or no (0))"]


def test_a_rule_defined_twice_is_named_once_and_its_later_definition_judged_by_nothing(folder: Path) -> None:
    """The second definition quotes a clause that is not in its source and binds no profile: only
    the id defined twice is reported, not what follows from reading one definition or the other."""
    rule = joint_share_rule(folder).replace("执法总量的15%。\n", "执法总量的20%。\n", 1)
    (folder / "rules" / "extra.yaml").write_text("rules:\n" + rule, encoding="utf-8")
    assert refusal(folder) == ["rules/plan.yaml: rules[3].id: rule id 'plan.joint-share' is defined twice: "
                               "here and in rules/extra.yaml (rules[0])"]


def test_a_date_parameter_shown_with_a_figure_spec_is_refused_by_each_profile_giving_the_date(folder: Path) -> None:
    """Messages show a date parameter as its text (2023-12-31): a spec for figures cannot show it."""
    edit(folder, Path("rules") / "campaign.yaml", "by day {submission_day}\n",
         "by day {submission_day}, until {campaign_end:.1f}\n")
    shown = ("a date, which rules[form.deadline].when[0].fix.en shows as {campaign_end:.1f}: format spec '.1f' "
             "cannot show '2023-12-31' (Unknown format code 'f' for object of type 'str')")
    assert refusal(folder) == [f"profiles/{profile}.yaml: profiles[{profile}].parameters.campaign_end: {shown}"
                               for profile in ("linyi-lingang-2023-campaign", "shanghai-chongming-2023-campaign")]


def test_a_rule_that_does_not_fit_its_facts_is_refused_naming_its_file(folder: Path) -> None:
    """What only the engine can judge (a field the fact kind lacks) is refused when the profile
    compiles, named by the file the rule was read from."""
    edit(folder, PLAN_RULES, JOINT_CONDITION, JOINT_CONDITION.replace("field: share", "field: shares"))
    rulebook = read_rulebook(folder)
    plan = load_document(ROOT / "examples" / "plans" / "chongming-2024.yaml")
    with pytest.raises(engine.RulebookError) as refused:
        engine.check(plan, rulebook=rulebook)
    assert str(refused.value).startswith(f"{folder / PLAN_RULES}: rules[plan.joint-share].when[0].match[0].all[0]"
                                         ".field: fact kind 'joint-share' has no field 'shares'")


def test_a_format_spec_a_text_field_cannot_take_is_refused_naming_the_rule_file_and_placeholder(folder: Path) -> None:
    """``share_shown`` is text: ``.1f`` would fail once the rule matched, as if the document were at fault."""
    edit(folder, PLAN_RULES, JOINT_MESSAGE, JOINT_MESSAGE.replace("{share_shown}", "{share_shown:.1f}"))
    rulebook = read_rulebook(folder)
    plan = load_document(ROOT / "examples" / "plans" / "chongming-2024.yaml")
    with pytest.raises(engine.RulebookError) as refused:
        engine.check(plan, rulebook=rulebook)
    assert str(refused.value) == (f"{folder / PLAN_RULES}: rules[plan.joint-share].message.en: {{share_shown:.1f}}: "
                                  "'share_shown' of fact kind 'joint-share' is text: format spec '.1f' cannot show "
                                  "'text' (Unknown format code 'f' for object of type 'str')")


def test_a_profile_read_as_add_a_profile_shows_is_named_by_its_file(tmp_path: Path) -> None:
    """The recipe of docs/guides/add-a-profile.md: a draft profile read from a file and added to
    the shipped rulebook with :meth:`Rulebook.with_profile` has its problems named by that file."""
    path = tmp_path / "shanghai-chongming-2025-draft.yaml"
    text = (HERE / CHONGMING).read_text(encoding="utf-8")
    path.write_text(text.replace("id: shanghai-chongming-2024", "id: shanghai-chongming-2025-draft")
                    .replace("执法总量的15%。", "执法总量的20%。"), encoding="utf-8")
    draft = structure(read_data(path), Profile, str(path))
    rulebook = load_rulebook().with_profile(draft, path)
    assert rulebook.file_of(draft) == str(path) and draft.id not in load_rulebook().profiles
    plan = attrs.evolve(load_document(ROOT / "examples" / "plans" / "chongming-2024.yaml"), profile=draft.id)
    with pytest.raises(engine.RulebookError) as refused:
        engine.check(plan, rulebook=rulebook)
    assert str(refused.value) == (f"{path}: profiles[shanghai-chongming-2025-draft].parameters.min_joint_share."
                                  "citation: quote not found verbatim in chongming-2024: '确保跨部门联合执法不少于"
                                  "“双随机、一公开”执法总量的20%。'")
    mended = attrs.evolve(draft, parameters=load_rulebook().profiles["shanghai-chongming-2024"].parameters)
    assert engine.check(plan, rulebook=load_rulebook().with_profile(mended, path)).rules_violated == ("plan.joint-share",)
