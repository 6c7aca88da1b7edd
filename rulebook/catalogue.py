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
    #: Which place of the source the entry means (1 for the first), where its quote occurs more
    #: than once (the key-unit list's title is in the plan's enclosure list and heads its annex).
    occurrence: int | None = None
    not_checkable: Text | None = None  # no document zhifa reads holds the data
    not_encoded: Text | None = None  # checkable, but no rule encodes it yet

    @property
    def status(self) -> str:
        if self.not_checkable:
            return "not-checkable"
        return "not-encoded" if self.not_encoded else "encoded"

    def spans(self, text: str) -> list[tuple[int, int]]:
        """Where the entry stands in its source's quotable text: the occurrence it chooses, else
        every place its quote occurs (one, once the coverage has loaded)."""
        found = _spans(text, self.quote)
        return found if self.occurrence is None else found[self.occurrence - 1:self.occurrence]


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


def _overlap_entry(text: str, entry: Clause, quote: str) -> bool:
    """Whether a quote shares some of the source's text with a coverage entry (at the place it means)."""
    return any(a < d and c < b for a, b in entry.spans(text) for c, d in _spans(text, quote))


def _lines(raw: str, starts: list[int]) -> list[int]:
    """The line of the source (from 1) each place in its quotable text (whitespace removed) starts on."""
    lines, line, kept = [], 1, 0
    wanted = sorted(starts)
    for ch in raw:
        while wanted and kept == wanted[0] and not ch.isspace():
            lines.append(line)
            wanted.pop(0)
        if ch == "\n":
            line += 1
        elif not ch.isspace():
            kept += 1
    return lines


def coverage_lines(rulebook: Rulebook, source: str, entry: Clause) -> list[int]:
    """The lines of the source the entry's quote starts on: the one it means, else every one."""
    return _lines(rulebook.source_text(source), [a for a, _ in entry.spans(rulebook.quotable_text(source))])


@attrs.frozen
class _Cited:
    """A citation of a source, the rules it grounds (a parameter's: the rules reading it), whether it
    is a parameter's (which may quote only the figure or date it sets), and who cites it, where."""

    citation: Citation
    rules: tuple[str, ...]
    parameter: bool
    who: str


def _citations(rulebook: Rulebook, source: str) -> list[_Cited]:
    """Each citation of a source, with the rules it grounds and who cites it."""
    cited = [_Cited(c, (rule.id,), False, f"{rule.id} ({rulebook.file_of(rule) or 'made in Python'}: citations[{k}])")
             for rule in rulebook.rules.values() for k, c in enumerate(rule.citations) if c.source == source]
    for profile in rulebook.profiles.values():
        file = rulebook.file_of(profile) or "made in Python"
        for name, value in profile.parameters.items():
            reading = tuple(r.id for r in rulebook.rules_of(profile) if any(p.stands_for(name) for p in r.parameters))
            if value.citation.source == source:
                cited.append(_Cited(value.citation, reading, True,
                                    f"{profile.id}'s {name} ({file}: parameters.{name}.citation)"))
            if value.owed_by is not None and value.owed_by.citation.source == source:
                # Who owes a step: a requirement of its own.
                cited.append(_Cited(value.owed_by.citation, reading, False,
                                    f"{profile.id}'s {name} ({file}: parameters.{name}.owed_by.citation)"))
    return cited


def citing_rules(rulebook: Rulebook, source: str, clause: str, quote: str | Clause | None = None) -> tuple[Rule, ...]:
    """The rules (and parameter citations' rules) that cite a clause of a source; given the quote of
    one requirement of the clause (or its coverage entry), only those whose citation quotes some of
    its text (a clause may state several requirements, encoded by different rules or by none)."""
    text = rulebook.quotable_text(source) if quote is not None else ""
    entry = Clause(clause, quote) if isinstance(quote, str) else quote
    found = {rule_id for cited in _citations(rulebook, source) if cited.citation.clause == clause
             and (entry is None or _overlap_entry(text, entry, cited.citation.quote)) for rule_id in cited.rules}
    return tuple(rulebook.rules[r] for r in sorted(found))


def encoding_entry(rulebook: Rulebook, coverage: Coverage, clause: str, quote: str) -> int | None:
    """Where a citation's requirement is listed in its source's coverage: the index of the first
    encoded entry of its clause that quotes some of its text (a clause may state several
    requirements), else of the clause's first encoded entry; None when the clause has none."""
    text = rulebook.quotable_text(coverage.source)
    entries = [k for k, c in enumerate(coverage.clauses) if c.clause == clause and c.status == "encoded"]
    return next((k for k in entries if _overlap_entry(text, coverage.clauses[k], quote)),
                entries[0] if entries else None)


def _place_problems(rulebook: Rulebook, source: str, where: str, clause: Clause) -> list[Problem]:
    """An entry's quote must be in its source, and where it occurs more than once, say which place it
    means: a source page anchors the entry there, and the first place may be another (a list of
    annexes naming the annex whose title the entry quotes)."""
    text = rulebook.quotable_text(source)
    found = _spans(text, clause.quote)
    if not found:
        return [Problem(f"{where}.quote", f"not found verbatim in {source}")]
    lines = ", ".join(map(str, _lines(rulebook.source_text(source), [a for a, _ in found])))
    places = (f"“{clause.quote}” occurs {len(found)} times in {source} (lines {lines})" if len(found) > 1 else
              f"“{clause.quote}” occurs once in {source} (line {lines})")
    if clause.occurrence is not None and not 1 <= clause.occurrence <= len(found):
        return [Problem(f"{where}.occurrence", f"{places}: it has no occurrence {clause.occurrence}")]
    if clause.occurrence is None and len(found) > 1:
        return [Problem(f"{where}.quote", f"{places}: say which one the entry means with occurrence (1 to {len(found)})")]
    return []


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
        citations = _citations(rulebook, coverage.source)
        misplaced, unlisted = False, set()
        for k, clause in enumerate(coverage.clauses):
            where = f"clauses[{k}]"
            if placed := _place_problems(rulebook, coverage.source, where, clause):
                problems += placed
                misplaced = True
                continue
            if clause.not_checkable and clause.not_encoded:
                problems.append(Problem(where, "a clause is either not checkable or not encoded, not both"))
            if clause.status == "encoded" and not citing_rules(rulebook, coverage.source, clause.clause, clause):
                problems.append(Problem(f"{where}.clause", f"no rule cites {clause.clause} “{clause.quote}”; "
                                                           "say why it is not encoded"))
            # A citation quoting a requirement listed with a reason would cite it for findings the
            # rule never makes: it quotes only what the rule checks.
            listed = "not checkable" if clause.not_checkable else "not encoded"
            for n, cited in enumerate(citations):
                if (clause.status != "encoded" and cited.citation.clause == clause.clause
                        and _overlap_entry(text, clause, cited.citation.quote)):
                    problems.append(Problem(where, f"{cited.who} cites {cited.citation.clause} “{cited.citation.quote}”, "
                                                   f"which quotes this entry's “{clause.quote}”, listed as {listed}: "
                                                   "quote only what the rule checks (or, if it checks this too, list "
                                                   "the entry as encoded)"))
                    unlisted.add(n)
        # A cited clause may hold other requirements too (listed with their reasons), but each text
        # the rules cite must be listed, as encoded, by an entry quoting some of it (a parameter's
        # citation, which may quote only a date, by an entry of its clause). An entry not placed in
        # its source lists nothing: its own problem says so, not each citation it would have listed;
        # nor is a citation quoting an entry not encoded told again that it is not.
        for n, cited in enumerate(citations if not misplaced else ()):
            citation = cited.citation
            if n in unlisted:
                continue
            if not any(c.clause == citation.clause and (cited.parameter or _overlap_entry(text, c, citation.quote))
                       for c in coverage.encoded):
                problems.append(Problem("clauses", f"{', '.join(cited.rules) or 'a parameter'} cites {citation.clause} "
                                                   f"“{citation.quote}”, which no entry lists as encoded"))
        if problems:
            raise LoadError(str(path), problems)
        found[coverage.source] = coverage
    return found
