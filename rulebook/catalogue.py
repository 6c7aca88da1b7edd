"""The rule catalogue as plain data, and each source's clause coverage.

One source of truth for everything that lists the rulebook: ``zhifa rules --format json`` prints
:func:`catalogue`, and the Sphinx rule catalogue (``docs/_ext/zhifa_docs.py``) renders the same
entries. Coverage files (``rulebook/coverage/<source>.yaml``) list every numbered clause of a
source that states a checkable requirement; a clause is *encoded* when a rule cites it, and
otherwise says why it is not checkable (no document holds the data) or not yet encoded.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path
from typing import Any

import attrs

from forms import LoadError, Problem, read_data, structure
from rulebook.load import Rulebook, load_rulebook, normalise_whitespace, rule_as_data
from rulebook.model import Citation, Profile, Rule, Text

COVERAGE_DIR = Path(__file__).parent / "coverage"

#: The kind of document each rule checks, as the catalogue indexes them.
DOCUMENT_TITLES = {
    "annual-plan": Text("年度执法计划", "annual enforcement plan"),
    "dispatch-form": Text("调度表", "dispatch form"),
    "enterprise-record": Text("企业台账", "enterprise campaign record"),
    "campaign-steps": Text("阶段工作", "campaign steps"),
}


def _parameters(rule: Rule, profile: Profile) -> dict[str, dict[str, Any]]:
    """The profile's values of the rule's parameters (a family, ``due.*``, gives each of its members),
    each with its unit and the values the unit takes (``takes``), how it was read, where the profile
    says (``note``), and the role whose units alone owe it, where only they do (``owed_by``)."""
    listed: dict[str, dict[str, Any]] = {}
    for spec in rule.parameters:
        for name in spec.names_in(profile.parameters):
            value = profile.parameters[name]
            listed[name] = {
                "value": str(value.value),
                "unit": spec.unit,
                "takes": str(spec.domain),
                "title": {"zh": value.title.zh, "en": value.title.en} if value.title else None,
                "effective_from": value.effective_from.isoformat(),
                "effective_to": value.effective_to.isoformat() if value.effective_to else None,
                "source": value.citation.source,
                "clause": value.citation.clause,
                "quote": value.citation.quote,
                "note": value.note,
                "owed_by": None if value.owed_by is None else {
                    "role": value.owed_by.role.value,
                    "title": {"zh": value.owed_by.role.title_zh, "en": value.owed_by.role.title_en},
                    "source": value.owed_by.citation.source,
                    "clause": value.owed_by.citation.clause,
                    "quote": value.owed_by.citation.quote,
                },
            }
    return listed


def catalogue(rulebook: Rulebook | None = None, profile_id: str | None = None) -> list[dict[str, Any]]:
    """Every rule (or those of one profile) as plain data, sorted by id: the rule itself, and per
    profile that applies it, its parameter values with their provenance and effective period."""
    rulebook = rulebook or load_rulebook()
    only = rulebook.profile(profile_id) if profile_id is not None else None  # "" is refused, not taken for all
    listed = []
    for rule_id in sorted(rulebook.rules):
        in_profiles = [p for p in rulebook.profiles_of(rule_id) if only is None or p is only]
        if only is not None and not in_profiles:
            continue
        rule = rulebook.rules[rule_id]
        data = rule_as_data(rule)
        data["profiles"] = [{"id": p.id, "parameters": _parameters(rule, p)} for p in in_profiles]
        listed.append(data)
    return listed


@attrs.frozen
class Clause:
    """A numbered clause of a source that states a checkable requirement."""

    clause: str
    quote: str
    not_checkable: Text | None = None  # no document zhifa reads holds the data
    not_encoded: Text | None = None  # checkable, but no rule encodes it yet

    @property
    def status(self) -> str:
        if self.not_checkable:
            return "not-checkable"
        return "not-encoded" if self.not_encoded else "encoded"


@attrs.frozen
class Coverage:
    """A source's checkable clauses and the rules that encode each."""

    source: str
    clauses: tuple[Clause, ...]

    @property
    def checkable(self) -> tuple[Clause, ...]:
        return tuple(c for c in self.clauses if c.not_checkable is None)

    @property
    def encoded(self) -> tuple[Clause, ...]:
        return tuple(c for c in self.clauses if c.status == "encoded")


def _spans(text: str, quote: str) -> list[tuple[int, int]]:
    """Where a quote stands in a source's quotable text: every place it occurs."""
    wanted = normalise_whitespace(quote)
    found, start = [], text.find(wanted)
    while wanted and start >= 0:
        found.append((start, start + len(wanted)))
        start = text.find(wanted, start + 1)
    return found


def _overlap(text: str, quote: str, other: str) -> bool:
    """Whether two quotes of one source share some of its text."""
    return any(a < d and c < b for a, b in _spans(text, quote) for c, d in _spans(text, other))


def _citations(rulebook: Rulebook, source: str) -> list[tuple[Citation, tuple[str, ...], bool]]:
    """Each citation of a source, the rules it grounds (a parameter's: the rules reading it), and
    whether it is a parameter's (which may quote only the figure or date it sets)."""
    cited: list[tuple[Citation, tuple[str, ...], bool]] = [
        (c, (rule.id,), False) for rule in rulebook.rules.values() for c in rule.citations if c.source == source]
    for profile in rulebook.profiles.values():
        for name, value in profile.parameters.items():
            reading = tuple(r.id for r in rulebook.rules_of(profile) if any(p.stands_for(name) for p in r.parameters))
            if value.citation.source == source:
                cited.append((value.citation, reading, True))
            if value.owed_by is not None and value.owed_by.citation.source == source:
                cited.append((value.owed_by.citation, reading, False))  # who owes a step: a requirement of its own
    return cited


def citing_rules(rulebook: Rulebook, source: str, clause: str, quote: str | None = None) -> tuple[Rule, ...]:
    """The rules (and parameter citations' rules) that cite a clause of a source; given the quote of
    one requirement of the clause, only those whose citation quotes some of its text (a clause may
    state several requirements, encoded by different rules or by none)."""
    text = rulebook.quotable_text(source) if quote is not None else ""
    found = {rule_id for c, rules, _ in _citations(rulebook, source) if c.clause == clause
             and (quote is None or _overlap(text, c.quote, quote)) for rule_id in rules}
    return tuple(rulebook.rules[r] for r in sorted(found))


def encoding_entry(rulebook: Rulebook, coverage: Coverage, clause: str, quote: str) -> int | None:
    """Where a citation's requirement is listed in its source's coverage: the index of the first
    encoded entry of its clause that quotes some of its text (a clause may state several
    requirements), else of the clause's first encoded entry; None when the clause has none."""
    text = rulebook.quotable_text(coverage.source)
    entries = [k for k, c in enumerate(coverage.clauses) if c.clause == clause and c.status == "encoded"]
    return next((k for k in entries if _overlap(text, coverage.clauses[k].quote, quote)), entries[0] if entries else None)


@cache
def load_coverage() -> dict[str, Coverage]:
    """Each shipped source's clause coverage. Raises :class:`forms.LoadError` when a file misquotes
    its source, leaves out a clause a rule cites, or calls a clause encoded that no rule cites."""
    rulebook = load_rulebook()
    found: dict[str, Coverage] = {}
    for path in sorted(COVERAGE_DIR.glob("*.yaml")):
        coverage = structure(read_data(path), Coverage, str(path))
        problems: list[Problem] = []
        if coverage.source not in rulebook.sources:
            raise LoadError(str(path), [Problem("source", f"unknown source {coverage.source!r}")])
        text = rulebook.quotable_text(coverage.source)
        for k, clause in enumerate(coverage.clauses):
            where = f"clauses[{k}]"
            if normalise_whitespace(clause.quote) not in text:
                problems.append(Problem(f"{where}.quote", f"not found verbatim in {coverage.source}"))
            if clause.not_checkable and clause.not_encoded:
                problems.append(Problem(where, "a clause is either not checkable or not encoded, not both"))
            if clause.status == "encoded" and not citing_rules(rulebook, coverage.source, clause.clause, clause.quote):
                problems.append(Problem(f"{where}.clause", f"no rule cites {clause.clause} “{clause.quote}”; "
                                                           "say why it is not encoded"))
        # A cited clause may hold other requirements too (listed with their reasons), but each text
        # the rules cite must be listed, as encoded, by an entry quoting some of it (a parameter's
        # citation, which may quote only a date, by an entry of its clause).
        for citation, rules, parameter in _citations(rulebook, coverage.source):
            if not any(c.clause == citation.clause and (parameter or _overlap(text, c.quote, citation.quote))
                       for c in coverage.encoded):
                problems.append(Problem("clauses", f"{', '.join(rules) or 'a parameter'} cites {citation.clause} "
                                                   f"“{citation.quote}”, which no entry lists as encoded"))
        if problems:
            raise LoadError(str(path), problems)
        found[coverage.source] = coverage
    return found
