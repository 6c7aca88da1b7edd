"""Reads the rulebook's data files once: sources, rules and profiles, validated on load."""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from datetime import date
from decimal import Decimal
from functools import cache
from pathlib import Path
from typing import Any, TypeVar

import attrs

from forms.convert import CONVERTER, DOCUMENT_KINDS, register_enum, structure
from forms.errors import LoadError, Problem
from forms.parse import read_data
from rulebook.model import (
    UNITS,
    Alternative,
    Citation,
    Comparison,
    Op,
    Profile,
    ReadOnly,
    Rule,
    Severity,
    Source,
    Text,
    read_only,
)

HERE = Path(__file__).parent
SOURCES_DIR = HERE / "sources"
_SPACE = re.compile(r"\s+")
register_enum(Severity)
register_enum(Op)


#: A parameter's value as text, as JSON holds it: a date (2023-05-31) or a number ("0.750").
_DATE_TEXT = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
_NUMBER_TEXT = re.compile(r"[0-9]+(\.[0-9]+)?")


def _parameter_value(value: Any, _: Any) -> Decimal | date:
    """A parameter is a number (15, 0.75) or a date (2023-05-31); as text too (``"2023-05-31"``,
    ``"0.750"``), which is how a profile written as JSON (``forms.unstructure``) holds them."""
    if isinstance(value, date):
        return value
    if isinstance(value, Decimal):  # a file's number with a point, read exactly (forms.parse)
        return value
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return Decimal(str(value))
    if isinstance(value, str) and _DATE_TEXT.fullmatch(value):
        try:
            return date.fromisoformat(value)
        except ValueError:
            raise ValueError(f"expected a number or a date, got {value!r}, which is not a date") from None
    if isinstance(value, str) and _NUMBER_TEXT.fullmatch(value):
        return Decimal(value)
    raise ValueError(f"expected a number or a date, got {value!r}")


CONVERTER.register_structure_hook(Decimal | date, _parameter_value)


def normalise_whitespace(text: str) -> str:
    """Quotes are matched against sources with all whitespace removed (the sources wrap lines freely)."""
    return _SPACE.sub("", text)


# Typed for attrs' mypy plugin, which leaves a generic converter's types unsolved.
def _sources(items: Mapping[str, Source]) -> ReadOnly[str, Source]:
    return read_only(items)


def _rules(items: Mapping[str, Rule]) -> ReadOnly[str, Rule]:
    return read_only(items)


def _profiles(items: Mapping[str, Profile]) -> ReadOnly[str, Profile]:
    return read_only(items)


@attrs.frozen
class Rulebook:
    """Every source, rule and profile zhifa ships, indexed by id. Built once per process, and
    read-only (:class:`rulebook.model.ReadOnly`): a rulebook of other content is another rulebook
    (:meth:`with_profile`, ``attrs.evolve``)."""

    sources: Mapping[str, Source] = attrs.field(converter=_sources)
    rules: Mapping[str, Rule] = attrs.field(converter=_rules)
    profiles: Mapping[str, Profile] = attrs.field(converter=_profiles)
    #: The file each rule and profile was read from, by the object's id and with the object (so
    #: the id stays its own while the rulebook lives); a rule or profile made in Python has none.
    read_from: dict[int, tuple[Rule | Profile, str]] = attrs.field(factory=dict, eq=False, repr=False)

    def file_of(self, item: Rule | Profile) -> str | None:
        """The file the rule or profile was read from; None for one made in Python."""
        entry = self.read_from.get(id(item))
        return entry[1] if entry is not None and entry[0] is item else None

    def with_profile(self, profile: Profile, file: str | Path | None = None) -> Rulebook:
        """This rulebook with ``profile`` added, in place of any of its id, recorded as read from
        ``file`` (where given) so that its problems name that file."""
        read_from = dict(self.read_from)
        if file is not None:
            read_from[id(profile)] = (profile, str(file))
        return attrs.evolve(self, profiles={**self.profiles, profile.id: profile}, read_from=read_from)

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


_RIGHT_SIDES = ("value", "field2", "param", "bound")


def _document_kind(kind: str) -> str | None:
    """Why ``kind`` names no kind of document zhifa reads, or None."""
    if kind in DOCUMENT_KINDS:
        return None
    return f"unknown document kind {kind!r} (known kinds: {', '.join(DOCUMENT_KINDS)})"


def _right_side(comparison: Comparison) -> str | None:
    """Why the condition does not compare its field with exactly one thing, or None."""
    given = [side for side in _RIGHT_SIDES if getattr(comparison, side) is not None]
    if len(given) == 1:
        return None
    if not given:
        return f"compares {comparison.field!r} with nothing: give exactly one of {', '.join(_RIGHT_SIDES)}"
    return (f"compares {comparison.field!r} with {' and '.join(given)}: give exactly one of "
            f"{', '.join(_RIGHT_SIDES)} (only one would be used)")


#: What a format spec must show, as a fact's figures may be either: a whole number and a fraction.
_FIGURES = (3, 0.5)


def unformattable(spec: str, samples: tuple[object, ...]) -> str | None:
    """Why ``spec`` cannot format one of ``samples``, or None."""
    for sample in samples:
        try:
            format(sample, spec)
        except (ValueError, TypeError) as exc:
            return f"format spec {spec!r} cannot show {sample!r} ({exc})"
    return None


def _formatted(where: str, text: Text | None) -> Iterator[tuple[str, str, str]]:
    """Each placeholder of a template that has a format spec: its place, name and spec."""
    for language, name, spec in text.placeholders() if text is not None else ():
        if spec is not None:
            yield f"{where}.{language}", name, spec


def _templates(rule: Rule) -> Iterator[tuple[str, Text | None]]:
    """Each message and fix of the rule, its own and its alternatives', with its place."""
    at = f"rules[{rule.id}]"
    yield f"{at}.message", rule.message
    yield f"{at}.fix", rule.fix
    for k, alternative in enumerate(rule.when):
        yield f"{at}.when[{k}].message", alternative.message
        yield f"{at}.when[{k}].fix", alternative.fix


def _alternative_problems(rule: Rule, k: int, alternative: Alternative) -> Iterator[Problem]:
    at = f"rules[{rule.id}].when[{k}]"
    if not alternative.match:
        yield Problem(f"{at}.match", "matches no fact: the alternative could never be violated")
    if alternative.message is None and rule.message is None:
        yield Problem(f"{at}.message", "no message: neither the alternative nor the rule has one")
    for j, pattern in enumerate(alternative.match):
        for group in ("all", "any"):
            for i, comparison in enumerate(getattr(pattern, group)):
                if (why := _right_side(comparison)) is not None:
                    yield Problem(f"{at}.match[{j}].{group}[{i}]", why)


def definition_problems(rule: Rule) -> list[Problem]:
    """Where the rule is not a whole rule, whatever its facts: it checks a kind of document zhifa
    does not read, declares a parameter in a unit zhifa does not know (so what it takes is unknown),
    has no way to be violated, a condition that does not compare with exactly one thing, an
    alternative without a message, or a format spec that cannot show a figure."""
    problems: list[Problem] = []
    if (why := _document_kind(rule.document)) is not None:
        problems.append(Problem(f"rules[{rule.id}].document", why))
    problems.extend(Problem(f"rules[{rule.id}].parameters[{k}].unit",
                            f"unknown unit {spec.unit!r} (known units: {', '.join(UNITS)})")
                    for k, spec in enumerate(rule.parameters) if spec.domain is None)
    if not rule.when:
        problems.append(Problem(f"rules[{rule.id}].when", "lists no alternative: the rule could never be violated"))
    for k, alternative in enumerate(rule.when):
        problems.extend(_alternative_problems(rule, k, alternative))
    for where, text in _templates(rule):
        for place, name, spec in _formatted(where, text):
            if (why := unformattable(spec, _FIGURES)) is not None:
                problems.append(Problem(place, f"{{{name}:{spec}}}: {why}"))
    return problems


def _date_formats(rule: Rule, profile: Profile) -> Iterator[Problem]:
    """Where a template of the rule gives a format spec to a date parameter of the profile, which
    messages show as its text (2023-05-31), and the spec cannot show that text."""
    for where, text in _templates(rule):
        for place, name, spec in _formatted(where, text):
            value = profile.parameters.get(name)
            if value is not None and isinstance(value.value, date):
                why = unformattable(spec, (value.value.isoformat(),))
                if why is not None:
                    yield Problem(f"profiles[{profile.id}].parameters.{name}",
                                  f"a date, which {place} shows as {{{name}:{spec}}}: {why}")


def profile_problems(rulebook: Rulebook, profile: Profile) -> list[Problem]:
    """Where the profile names a document kind, source or rule the rulebook lacks, binds a rule of
    a kind of document it does not check or that cites none of its sources, ends before it starts,
    misses a rule's parameter, gives it a value its unit does not take (a date for a percentage, a
    number for a date, 1.5 checks per year, day 0 of a month) or has it in effect for only part of
    its period, gives a parameter none of its rules uses, or quotes a parameter's clause (or the
    clause naming who owes it) wrongly. Its rules' own citations are :func:`citation_problems`."""
    problems: list[Problem] = []
    where = f"profiles[{profile.id}]"
    if not profile.documents:
        problems.append(Problem(f"{where}.documents", "names no kind of document: nothing could be checked"))
    unknown = [why for kind in profile.documents if (why := _document_kind(kind)) is not None]
    problems.extend(Problem(f"{where}.documents", why) for why in unknown)
    if profile.period_to < profile.period_from:
        problems.append(Problem(f"{where}.period_to", f"{profile.period_to} is before period_from "
                                                      f"{profile.period_from}"))
    for sid in profile.sources:
        if sid not in rulebook.sources:
            problems.append(Problem(f"{where}.sources", f"unknown source {sid!r}"))
    checks = not unknown and bool(profile.documents)  # whether a rule's kind of document can be judged
    used: set[str] = set()  # the parameters the profile's rules use
    typed: set[str] = set()  # those found a value of the wrong type
    for rid in profile.rules:
        bound = rulebook.rules.get(rid)
        if bound is None:
            problems.append(Problem(f"{where}.rules", f"unknown rule {rid!r}"))
            continue
        if checks and bound.document in DOCUMENT_KINDS and bound.document not in profile.documents:
            problems.append(Problem(f"{where}.rules", f"rule {rid} checks {bound.document}, which this profile "
                                                      f"does not check (it checks {', '.join(profile.documents)}): "
                                                      "it would never run"))
        if not bound.citations_for(profile.sources):
            problems.append(Problem(f"{where}.rules", f"rule {rid} has no citation from this profile's sources"))
        for spec in bound.parameters:
            names = spec.names_in(profile.parameters)
            used.update(names)
            if not names:
                needs = f"at least one parameter {spec.family}<…>" if spec.family else f"parameter {spec.name!r}"
                problems.append(Problem(f"{where}.parameters", f"rule {rid} needs {needs}"))
            for name in names:
                value = profile.parameters[name]
                if name not in typed and (why := spec.misfit(value.value)) is not None:
                    typed.add(name)  # once, though several rules declare it
                    problems.append(Problem(f"{where}.parameters.{name}.value", f"{why} (as rule {rid} declares it)"))
                if not (value.effective_from <= profile.period_from
                        and (value.effective_to is None or profile.period_to <= value.effective_to)):
                    problems.append(Problem(f"{where}.parameters.{name}", "not in effect for the whole profile period"))
        problems.extend(_date_formats(bound, profile))
    # With a rule unknown, what it would use is unknown too.
    unused = [] if any(rid not in rulebook.rules for rid in profile.rules) else \
        [name for name in profile.parameters if name not in used]
    declared = ", ".join(sorted({spec.name for rid in profile.rules if rid in rulebook.rules
                                 for spec in rulebook.rules[rid].parameters})) or "none"
    for name, value in profile.parameters.items():
        if name in unused:
            problems.append(Problem(f"{where}.parameters.{name}",
                                    f"no rule of the profile uses it (its rules' parameters: {declared})"))
        problems.extend(_check_citation(rulebook, f"{where}.parameters.{name}.citation", value.citation))
        if value.owed_by is not None:
            problems.extend(_check_citation(rulebook, f"{where}.parameters.{name}.owed_by.citation",
                                            value.owed_by.citation))
    return problems


class RulebookLoadError(LoadError):
    """The rulebook's files are inconsistent: every problem, each with the file it is in (``file``
    is that file when they are all in one, else ``rulebook``)."""

    def __init__(self, located: list[tuple[str, Problem]]) -> None:
        self.located = tuple(located)
        files = {file for file, _ in located}
        super().__init__(files.pop() if len(files) == 1 else "rulebook", [problem for _, problem in located])

    def __str__(self) -> str:
        return "\n".join(f"{file}: {problem}" for file, problem in self.located)

    def __reduce__(self) -> tuple[Any, ...]:
        return type(self), (list(self.located),)


_Record = TypeVar("_Record", Source, Rule, Profile)

#: A record as read: the file it is in, where in the file (``rules[3]``; empty for a whole file), and the record.
_Read = tuple[str, str, _Record]


def _defined_twice(what: str, records: list[_Read[_Record]]) -> list[tuple[str, Problem]]:
    """Each record whose id an earlier record has, named where it is and where the first one is."""
    first: dict[str, tuple[str, str]] = {}
    problems = []
    for file, at, record in records:
        if record.id in first:
            other_file, other_at = first[record.id]
            other = f"at {other_at}" if other_file == file else f"in {other_file}" + (f" ({other_at})" if other_at else "")
            problems.append((file, Problem(f"{at}.id" if at else "id",
                                           f"{what} id {record.id!r} is defined twice: here and {other}")))
        else:
            first[record.id] = (file, at)
    return problems


def read_rulebook(folder: Path) -> Rulebook:
    """The rulebook in ``folder`` (laid out as ``rulebook/``: ``sources/sources.yaml``, ``rules/``,
    ``profiles/``; the sources' texts are always those of ``rulebook/sources``). Raises
    :class:`forms.LoadError` naming the file of each problem: a record that does not read, else an
    id defined twice (alone: the other checks would judge one of its definitions only), else every
    inconsistency."""
    index = folder / "sources" / "sources.yaml"
    sources: list[_Read[Source]] = [(str(index), f"sources[{i}]", structure(s, Source, str(index), f"sources[{i}]"))
                                   for i, s in enumerate(_records(index, "sources"))]
    rules: list[_Read[Rule]] = []
    for path in sorted((folder / "rules").glob("*.yaml")):
        rules.extend((str(path), f"rules[{i}]", structure(r, Rule, str(path), f"rules[{i}]"))
                     for i, r in enumerate(_records(path, "rules")))
    profiles: list[_Read[Profile]] = [(str(p), "", structure(read_data(p), Profile, str(p)))
                                     for p in sorted((folder / "profiles").glob("*.yaml"))]
    twice = [*_defined_twice("source", sources), *_defined_twice("rule", rules), *_defined_twice("profile", profiles)]
    if twice:
        raise RulebookLoadError(twice)
    rulebook = Rulebook(
        sources={s.id: s for _, _, s in sources},
        rules={r.id: r for _, _, r in rules},
        profiles={p.id: p for _, _, p in profiles},
        read_from={**{id(rule): (rule, file) for file, _, rule in rules},
                   **{id(profile): (profile, file) for file, _, profile in profiles}},
    )
    located = [*((file, p) for file, _, rule in rules
                 for p in (*definition_problems(rule), *citation_problems(rulebook, rule))),
               *((file, p) for file, _, profile in profiles for p in profile_problems(rulebook, profile))]
    if located:
        raise RulebookLoadError(located)
    return rulebook


@cache
def load_rulebook() -> Rulebook:
    """The shipped rulebook. Raises :class:`forms.LoadError` if its own data is inconsistent."""
    return read_rulebook(HERE)


def rule_as_data(rule: Rule) -> dict[str, Any]:
    """The plain-data form of a rule, as ``zhifa rules --format json`` lists it."""
    data: dict[str, Any] = CONVERTER.unstructure(rule)
    return data
