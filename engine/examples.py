"""Worked examples: for each rule, the smallest compliant input the strategies generate, the targeted
change that breaks the rule, and the violations the engine returns for it.

The rule catalogue shows these, computed when the docs are built, so an example can never disagree
with the engine. Needs hypothesis (the ``strategies`` extra): the compliant input is hypothesis'
minimal example, found with a fixed seed, so it is the same on every build.
"""

from __future__ import annotations

import difflib
from functools import cache
from typing import Any

import attrs

from engine.check import Unusable, check_documents
from engine.report import Report, Violation
from forms.convert import Document, dump_document
from rulebook import load_rulebook


@attrs.frozen
class WorkedExample:
    """A rule broken on purpose, and what the engine says about it."""

    rule: str
    profile: str
    compliant: tuple[Document, ...]
    violating: tuple[Document, ...]
    reports: tuple[Report, ...]  # one per violating document

    @property
    def violations(self) -> tuple[Violation, ...]:
        """The violations of this rule the engine returns for the violating input."""
        return tuple(v for report in self.reports for v in report.violations if v.rule == self.rule)

    @property
    def changed(self) -> tuple[int, ...]:
        """Indexes of the documents the change touched."""
        return tuple(k for k, (a, b) in enumerate(zip(self.compliant, self.violating, strict=True)) if a != b)

    def diff(self, index: int) -> str:
        """The change to one document, as a unified diff of its YAML."""
        before = dump_document(self.compliant[index]).splitlines(keepends=True)
        after = dump_document(self.violating[index]).splitlines(keepends=True)
        return "".join(difflib.unified_diff(before, after, "compliant.yaml", "violating.yaml", n=2))


class NoWorkedExample(LookupError):
    """A rule has no worked example yet: no profile applies it, or ``forms.strategies`` has no
    mutation that breaks it. The message names the rule and the step it still needs."""


def profile_for(rule_id: str) -> str:
    """The profile a rule's worked example uses: the first (by id) that applies the rule."""
    profiles = load_rulebook().profiles_of(rule_id)
    if not profiles:
        raise NoWorkedExample(f"rule {rule_id} has no worked example: no profile applies it (list it in the "
                              "rules of a profile, rulebook/profiles/*.yaml)")
    return sorted(p.id for p in profiles)[0]


@cache
def _minimal(profile_id: str) -> Any:
    from hypothesis import HealthCheck, find, settings

    from forms.strategies import annual_plans, campaign_bundles

    profile = load_rulebook().profile(profile_id)
    strategy: Any = annual_plans(profile_id) if "annual-plan" in profile.documents else campaign_bundles(profile_id)
    fixed = settings(database=None, derandomize=True, max_examples=50, suppress_health_check=list(HealthCheck))
    return find(strategy, lambda _: True, settings=fixed)


@cache
def worked_example(rule_id: str, profile_id: str | None = None) -> WorkedExample:
    """The worked example of a rule under a profile (by default :func:`profile_for` the rule)."""
    from forms.strategies import MUTATIONS, CampaignBundle

    profile_id = profile_id or profile_for(rule_id)
    if rule_id not in MUTATIONS:
        raise NoWorkedExample(f"rule {rule_id} has no worked example: no mutation breaks it (add one to "
                              "PLAN_MUTATIONS in forms/strategies/plan.py or CAMPAIGN_MUTATIONS in "
                              "forms/strategies/campaign.py)")
    base = _minimal(profile_id)
    broken = MUTATIONS[rule_id](base)  # a plan rule's breaks its profile's plan, a campaign rule's its bundle
    compliant = base.documents if isinstance(base, CampaignBundle) else (base,)
    violating = broken.documents if isinstance(broken, CampaignBundle) else (broken,)
    results = check_documents(violating, profile=profile_id)
    reports = tuple(r for r in results if isinstance(r, Report))
    if len(reports) != len(results):
        problems = [str(r.error) for r in results if isinstance(r, Unusable)]
        raise RuntimeError(f"the worked example of {rule_id} is unusable input: {problems}")
    return WorkedExample(rule_id, profile_id, tuple(compliant), tuple(violating), reports)
