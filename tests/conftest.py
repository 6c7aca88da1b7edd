from __future__ import annotations

import os
import re
import string
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, settings

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = ROOT / "examples" / "plans"
SEEDS = ["chongming-2024", "putuo-2024", "minhang-2020"]

# Rule evaluation goes through durable-rules' C core: keep examples modest and deadlines off.
settings.register_profile("zhifa", max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
settings.register_profile("ci", max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
settings.load_profile("ci" if os.environ.get("CI") else "zhifa")


@pytest.fixture(autouse=True)
def _run_from_root(monkeypatch: pytest.MonkeyPatch) -> None:
    """Examples and the CLI use paths relative to the project root."""
    monkeypatch.chdir(ROOT)


OTHER_ITEMS_WHOLE = ("spot_checked", "penalties")

#: The forms of each campaign example (clean and violations alike) whose unit no enterprise record
#: names as the one that spot-checked it (``spot_check.by``), by file, with the unit: the members'
#: forms and the roll-up. ``form.matches-records`` is not checked for them (see :func:`spot_checked_by_none`).
FORMS_NO_RECORD_NAMES = {
    "chongming-2023": {"新河镇-2023-05.yaml": "新河镇", "港沿镇-2023-05.yaml": "港沿镇", "竖新镇-2023-05.yaml": "竖新镇",
                       "崇明区安委会办公室-2023-05-汇总.yaml": "崇明区安委会办公室"},
    "linyi-lingang-2023": {"区规划建设局-2023-05.yaml": "区规划建设局", "区消防救援大队-2023-05.yaml": "区消防救援大队",
                           "区安委会办公室-2023-05-汇总.yaml": "区安委会办公室"},
}


def spot_checked_by_none(unit: str) -> tuple[str, str]:
    """Why ``form.matches-records`` is not checked for a form of ``unit`` (in Chinese, in English)
    when records are given but none names the unit as the one that spot-checked it."""
    return (f"没有企业台账注明由{unit}抽查（spot_check.by），本表抽查检查家数不与台账核对",
            f"no enterprise record names {unit} as the unit that spot-checked it (spot_check.by), so this form's "
            "spot-check counts are not compared with the records")


def not_checked_in_example(variant: str) -> dict[str, tuple[str, str]]:
    """What a campaign example folder of ``variant`` leaves not checked: ``form.matches-records``
    for each form :data:`FORMS_NO_RECORD_NAMES` lists, by file, with why."""
    return {name: spot_checked_by_none(unit) for name, unit in FORMS_NO_RECORD_NAMES[variant].items()}


def cites_what_grounds_it(violation: Any, rule: Any, sources: tuple[str, ...]) -> bool:
    """Whether a violation cites some of its rule's clauses under ``sources``, and every clause
    scoped to some findings (``applies_to``) it cites is about the item, task or step at fault; or
    cites none where the rule has no clause for every finding and its scopes are on names the
    plan's author chose (an item no clause names is about none of theirs)."""
    cited = set(violation.citations)
    if not cited:
        scopes = [c.applies_to for c in rule.citations_for(sources)]
        return None not in scopes and any(s.author_named for s in scopes if s is not None)
    if not cited <= {c.as_cited() for c in rule.citations_for(sources)}:
        return False
    for citation in violation.citations:
        assert citation.applies_to is None, "a finding carries its clauses, not their scopes"
        scopes = [c.applies_to for c in rule.citations_for(sources) if c.as_cited() == citation]
        if None in scopes:
            continue
        if not any(_grounds(scope, violation.location) for scope in scopes if scope is not None):
            return False
    return True


def _grounds(scope: Any, location: str) -> bool:
    """Whether a citation scoped so is about the item, task or step at ``location``."""
    if scope.field == "key":
        return any(location.startswith(f"/values/{v}") for v in scope.values)
    if scope.field == "whole_key":
        # A whole other items are compared with (findings with spot_checked, double penalties with
        # penalties) is not where the finding is; a 其中 item's whole is.
        return any(v in OTHER_ITEMS_WHOLE or location.startswith(f"/values/{v}") for v in scope.values)
    if scope.field == "loc":
        return location in scope.values
    return True


def ways_of(rule: Any) -> list[tuple[str, int, int]]:
    """Every way ``rule`` is violated, as the strategies' ``ALTERNATIVE_MUTATIONS`` key them: (rule
    id, alternative, condition), one per ``any`` condition of the alternative (0 where it has none)."""
    return [(rule.id, k, j) for k, alternative in enumerate(rule.when)
            for j in range(max(1, sum(len(p.any) for p in alternative.match)))]


def _fits(template: str, message: str) -> bool:
    """Whether ``message`` is ``template`` with its ``{fields}`` filled in somehow."""
    pattern = "".join(re.escape(text) + ("(.*?)" if field is not None else "")
                      for text, field, _, _ in string.Formatter().parse(template))
    return re.fullmatch(pattern, message, re.DOTALL) is not None


def alternatives_fitting(violation: Any, rule: Any) -> set[int]:
    """The alternatives of ``rule`` whose message templates (Chinese and English) the violation's messages fit."""
    return {k for k, alternative in enumerate(rule.when)
            if _fits(rule.message_for(alternative).zh, violation.message)
            and _fits(rule.message_for(alternative).en, violation.message_en)}


def floats(data: Any) -> Any:
    """Plain data read by ``forms.read_data`` with its Decimals (numbers with a point, read exactly)
    as floats, for ``json.dumps`` and ``yaml.safe_dump``, which take no Decimal."""
    from decimal import Decimal

    if isinstance(data, dict):
        return {k: floats(v) for k, v in data.items()}
    if isinstance(data, list):
        return [floats(v) for v in data]
    return float(data) if isinstance(data, Decimal) else data


def noted_parameter_values() -> list[tuple[str, str]]:
    """(profile id, parameter) of every value a profile file gives a ``note``, sorted: read from the
    files as data, not through the loader, so that a note the loader loses is still counted."""
    from forms import read_data

    return sorted((data["id"], name) for path in (ROOT / "rulebook" / "profiles").glob("*.yaml")
                  for data in [read_data(path)] for name, value in data.get("parameters", {}).items()
                  if "note" in value)


#: The rules that compare a campaign's documents with each other: what an input not read (or
#: refused) may withhold from the others.
COMPARING = {"form.cumulative-nondecreasing", "form.rollup", "form.matches-records"}


def checked_whole_and_withheld(profile_id: str, data: Any, unread: list[Any]) -> list[tuple[Any, Any]]:
    """A generated campaign broken one way (a rule drawn, its targeted mutation), checked whole and
    with ``unread`` withheld: each document's two reports, in the documents' order."""
    from hypothesis import strategies as st

    import engine
    from engine.report import Report
    from forms.strategies import CAMPAIGN_MUTATIONS, campaign_bundles
    from rulebook import load_rulebook

    rule_id = data.draw(st.sampled_from(sorted(load_rulebook().profiles[profile_id].rules)), label="broken rule")
    documents = list(CAMPAIGN_MUTATIONS[rule_id](data.draw(campaign_bundles(profile_id))).documents)
    pairs = list(zip(engine.check_documents(documents), engine.check_documents(documents, unread=unread), strict=True))
    assert all(isinstance(whole, Report) and isinstance(part, Report) for whole, part in pairs)
    return pairs

