"""The public checks: a document and a profile in, a :class:`Report` out."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

from engine.compile import CompiledProfile, Match, compile_profile, parameter_value
from engine.facts import Fact, build_facts
from engine.report import NotChecked, Report, Violation, render
from engine.runtime import RuleError, evaluate
from forms import AnnualPlan, load_document, plan_from_data
from rulebook import Rule, Rulebook, load_rulebook


class ProfileError(ValueError):
    """The document cannot be checked under the profile asked for (unknown, wrong kind or period)."""


def _resolve(document: AnnualPlan, profile: str | None, rulebook: Rulebook | None) -> CompiledProfile:
    rulebook = rulebook or load_rulebook()
    profile_id = profile or document.profile
    try:
        compiled = compile_profile(rulebook, profile_id)
    except KeyError as exc:
        raise ProfileError(exc.args[0]) from None
    if compiled.profile.document != "annual-plan":
        raise ProfileError(f"profile {profile_id} checks {compiled.profile.document} documents, not annual plans")
    if not compiled.profile.covers_year(document.year):
        raise ProfileError(
            f"profile {profile_id} covers {compiled.profile.period_from}–{compiled.profile.period_to}; "
            f"the plan is for {document.year}")
    return compiled


def _display(value: Any) -> Any:
    return round(value, 3) if isinstance(value, float) else value


def _violation(rule: Rule, match: Match, facts: dict[str, Fact], compiled: CompiledProfile) -> Violation:
    alternative = rule.when[match.alternative]
    matched = [facts[fact_id] for _, fact_id in match.fact_ids]
    fields: dict[str, Any] = {}
    for fact in reversed(matched):  # the first pattern's fields win
        fields.update(fact)
    fields.update({name: parameter_value(v) for name, v in compiled.params.items()})
    message, fix = rule.message_for(alternative), rule.fix_for(alternative)
    return Violation(
        rule=rule.id,
        severity=rule.severity,
        message=render(message.zh, fields),
        message_en=render(message.en, fields),
        location=matched[0]["loc"],
        values={name: _display(fields[name]) for name in rule.values if name in fields},
        citations=rule.citations_for(compiled.profile.sources),
        fix=render(fix.zh, fields) if fix else None,
        fix_en=render(fix.en, fields) if fix else None,
    )


def _not_checked(rule: Rule, missing: Mapping[str, Any]) -> NotChecked | None:
    """A rule is checked if some alternative had facts of every kind it joins."""
    reasons = []
    for alternative in rule.when:
        absent = [missing[p.fact] for p in alternative.match if p.fact in missing]
        if not absent:
            return None
        reasons.append(absent[0])
    return NotChecked(rule.id, reasons[0].zh, reasons[0].en)


def check(
    document: AnnualPlan | Mapping[str, Any],
    profile: str | None = None,
    *,
    path: str | None = None,
    rulebook: Rulebook | None = None,
) -> Report:
    """Check a document against a profile (by default the one the document names), using the
    shipped rulebook unless another is given (e.g. one extended with a profile of your own).

    Raises :class:`forms.LoadError` for a mapping that is not a valid document, :class:`ProfileError`
    when the profile does not fit the document, and :class:`RuleError` when evaluation fails.
    """
    if isinstance(document, Mapping):
        document = plan_from_data(dict(document), path or "<data>")
    compiled = _resolve(document, profile, rulebook)
    built = build_facts(document, compiled.fact_kinds, compiled.params)
    matches = evaluate(compiled, built.facts, path or f"plan of {document.issuer}")
    facts = {fact["id"]: fact for fact in built.facts}
    rules = {rule.id: rule for rule in compiled.rules}
    try:
        violations = [_violation(rules[match.rule], match, facts, compiled) for match in matches]
    except KeyError as exc:  # a template names a field its facts lack: a rulebook defect
        raise RuleError(path or document.issuer, str(exc)) from exc
    not_checked = [n for rule in compiled.rules if (n := _not_checked(rule, built.missing)) is not None]
    return Report(
        kind="annual-plan",
        profile=compiled.profile.id,
        violations=tuple(sorted(violations, key=Violation.sort_key)),
        not_checked=tuple(not_checked),
        path=path,
    )


def check_file(path: str | Path, profile: str | None = None, *, rulebook: Rulebook | None = None) -> Report:
    """Load a document file (YAML or JSON) and check it. Raises :class:`forms.LoadError` on bad input."""
    document = load_document(path)
    return check(document, profile, path=str(path), rulebook=rulebook)
