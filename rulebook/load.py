"""Reads the rulebook's data files once: sources, rules and profiles, validated on load."""

from __future__ import annotations

import re
from datetime import date
from decimal import Decimal
from functools import cache
from pathlib import Path
from typing import Any

import attrs

from forms.convert import CONVERTER, register_enum, structure
from forms.errors import LoadError, Problem
from forms.parse import read_data
from rulebook.model import Citation, Op, Profile, Rule, Severity, Source

HERE = Path(__file__).parent
SOURCES_DIR = HERE / "sources"
_SPACE = re.compile(r"\s+")
register_enum(Severity)
register_enum(Op)


def _parameter_value(value: Any, _: Any) -> Decimal | date:
    """A parameter is a number (15, 0.75) or a date (2023-05-31)."""
    if isinstance(value, date):
        return value
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return Decimal(str(value))
    raise ValueError(f"expected a number or a date, got {value!r}")


CONVERTER.register_structure_hook(Decimal | date, _parameter_value)


def normalise_whitespace(text: str) -> str:
    """Quotes are matched against sources with all whitespace removed (the sources wrap lines freely)."""
    return _SPACE.sub("", text)


@attrs.frozen
class Rulebook:
    """Every source, rule and profile zhifa ships, indexed by id. Built once per process."""

    sources: dict[str, Source]
    rules: dict[str, Rule]
    profiles: dict[str, Profile]

    def source_text(self, source_id: str) -> str:
        """A source's text as shipped."""
        return _source_path(self, source_id).read_text(encoding="utf-8")

    def quotable_text(self, source_id: str) -> str:
        """A source's text with all whitespace removed, as quotes are matched against it (read once)."""
        return _quotable(_source_path(self, source_id))

    def profile(self, profile_id: str) -> Profile:
        try:
            return self.profiles[profile_id]
        except KeyError:
            known = ", ".join(sorted(self.profiles))
            raise KeyError(f"unknown profile {profile_id!r}; known profiles: {known}") from None

    def rules_of(self, profile: Profile) -> tuple[Rule, ...]:
        return tuple(self.rules[r] for r in sorted(profile.rules))

    def profiles_of(self, rule_id: str) -> tuple[Profile, ...]:
        """The profiles a rule applies to, by id."""
        return tuple(self.profiles[p] for p in sorted(self.profiles) if rule_id in self.profiles[p].rules)


def _records(path: Path, key: str) -> list[Any]:
    data = read_data(path)
    if not isinstance(data, dict) or not isinstance(data.get(key), list):
        raise LoadError(str(path), [Problem(key, "expected a list")])
    return list(data[key])


def _shipped(file: str) -> Path | None:
    """Where the text of a source is: a file of ``rulebook/sources`` (None if there is no such file)."""
    path = SOURCES_DIR / file
    return path if Path(file).name == file and path.is_file() else None


def _source_path(rulebook: Rulebook, source_id: str) -> Path:
    path = _shipped(rulebook.sources[source_id].file)
    if path is None:
        raise FileNotFoundError(f"source {source_id}'s text {rulebook.sources[source_id].file!r} "
                                "is not a file of rulebook/sources")
    return path


@cache
def _quotable(path: Path) -> str:
    return normalise_whitespace(path.read_text(encoding="utf-8"))


def _check_citation(rulebook: Rulebook, where: str, citation: Citation) -> list[Problem]:
    source = rulebook.sources.get(citation.source)
    if source is None:
        return [Problem(where, f"unknown source {citation.source!r}")]
    path = _shipped(source.file)
    if path is None:
        return [Problem(where, f"source {source.id}'s text {source.file!r} is not a file of rulebook/sources")]
    if normalise_whitespace(citation.quote) not in _quotable(path):
        return [Problem(where, f"quote not found verbatim in {citation.source}: {citation.quote!r}")]
    return []


def citation_problems(rulebook: Rulebook, rule: Rule) -> list[Problem]:
    """Where the rule cites a source the rulebook lacks, or quotes it wrongly."""
    return [problem for k, citation in enumerate(rule.citations)
            for problem in _check_citation(rulebook, f"rules[{rule.id}].citations[{k}]", citation)]


def profile_problems(rulebook: Rulebook, profile: Profile) -> list[Problem]:
    """Where the profile names a source or rule the rulebook lacks, binds a rule it cites no source
    of, misses a rule's parameter or has it in effect for only part of its period, or quotes a
    parameter's clause wrongly. Its rules' own citations are :func:`citation_problems`."""
    problems: list[Problem] = []
    where = f"profiles[{profile.id}]"
    for sid in profile.sources:
        if sid not in rulebook.sources:
            problems.append(Problem(f"{where}.sources", f"unknown source {sid!r}"))
    for rid in profile.rules:
        bound = rulebook.rules.get(rid)
        if bound is None:
            problems.append(Problem(f"{where}.rules", f"unknown rule {rid!r}"))
            continue
        if not bound.citations_for(profile.sources):
            problems.append(Problem(f"{where}.rules", f"rule {rid} has no citation from this profile's sources"))
        for spec in bound.parameters:
            names = spec.names_in(profile.parameters)
            if not names:
                needs = f"at least one parameter {spec.family}<…>" if spec.family else f"parameter {spec.name!r}"
                problems.append(Problem(f"{where}.parameters", f"rule {rid} needs {needs}"))
            for name in names:
                value = profile.parameters[name]
                if not (value.effective_from <= profile.period_from
                        and (value.effective_to is None or profile.period_to <= value.effective_to)):
                    problems.append(Problem(f"{where}.parameters.{name}", "not in effect for the whole profile period"))
    for name, value in profile.parameters.items():
        problems.extend(_check_citation(rulebook, f"{where}.parameters.{name}.citation", value.citation))
    return problems


def _check(rulebook: Rulebook) -> list[Problem]:
    """Cross-references that make a rulebook usable; a broken rulebook must not load."""
    return [*(p for rule in rulebook.rules.values() for p in citation_problems(rulebook, rule)),
            *(p for profile in rulebook.profiles.values() for p in profile_problems(rulebook, profile))]


@cache
def load_rulebook() -> Rulebook:
    """The shipped rulebook. Raises :class:`forms.LoadError` if its own data is inconsistent."""
    index = SOURCES_DIR / "sources.yaml"
    sources = [structure(s, Source, str(index), f"sources[{i}]") for i, s in enumerate(_records(index, "sources"))]
    rules: list[Rule] = []
    for path in sorted((HERE / "rules").glob("*.yaml")):
        rules.extend(structure(r, Rule, str(path), f"rules[{i}]") for i, r in enumerate(_records(path, "rules")))
    profiles = [structure(read_data(p), Profile, str(p)) for p in sorted((HERE / "profiles").glob("*.yaml"))]
    rulebook = Rulebook(
        sources={s.id: s for s in sources},
        rules={r.id: r for r in rules},
        profiles={p.id: p for p in profiles},
    )
    duplicates = len(rules) - len(rulebook.rules)
    problems = _check(rulebook)
    if duplicates:
        problems.append(Problem("rules", f"{duplicates} rule id(s) defined twice"))
    if problems:
        raise LoadError("rulebook", problems)
    return rulebook


def rule_as_data(rule: Rule) -> dict[str, Any]:
    """The plain-data form of a rule, as ``zhifa rules --format json`` lists it."""
    data: dict[str, Any] = CONVERTER.unstructure(rule)
    return data
