"""What a rule, a citation, a parameter and a profile are. Pure data: nothing here runs a rule."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator, Mapping
from datetime import date
from decimal import Decimal
from enum import StrEnum
from typing import Any, NoReturn, TypeVar

import attrs

from forms.records import UnitRole

_K = TypeVar("_K")
_V = TypeVar("_V")


class ReadOnly(Mapping[_K, _V]):
    """A mapping that cannot be changed once made: a rulebook's sources, rules and profiles and a
    profile's parameters. One rulebook is shared by every check in the process (``load_rulebook()``
    is cached) and its profiles are compiled once (``engine.compile``): changed in place, it would
    change for every caller, and checks would go on with the profile compiled before."""

    __slots__ = ("_items",)

    def __init__(self, items: Mapping[_K, _V] | None = None) -> None:
        self._items: dict[_K, _V] = dict(items or {})

    def __getitem__(self, key: _K) -> _V:
        return self._items[key]

    def __iter__(self) -> Iterator[_K]:
        return iter(self._items)

    def __len__(self) -> int:
        return len(self._items)

    def __contains__(self, key: object) -> bool:
        return key in self._items

    def __repr__(self) -> str:
        return repr(self._items)  # as a dict shows it: part of what names a compiled ruleset

    def __reduce__(self) -> tuple[Any, ...]:
        return type(self), (self._items,)

    def __setitem__(self, key: _K, value: _V) -> NoReturn:
        raise TypeError(_READ_ONLY)

    def __delitem__(self, key: _K) -> NoReturn:
        raise TypeError(_READ_ONLY)


_READ_ONLY = ("a rulebook and its profiles are read-only (shared by every check in the process): build another "
              "with Rulebook.with_profile or attrs.evolve instead")


def read_only(items: Mapping[str, _V]) -> ReadOnly[str, _V]:
    """``items`` as a :class:`ReadOnly` mapping (one already read-only is kept)."""
    return items if isinstance(items, ReadOnly) else ReadOnly(items)


class Severity(StrEnum):
    ERROR = "error"
    WARNING = "warning"


class Op(StrEnum):
    """Comparison operators a rule condition may use. Compiled to durable-rules, never evaluated as text."""

    EQ = "=="
    NE = "!="
    LT = "<"
    LE = "<="
    GT = ">"
    GE = ">="


#: A placeholder of a template, ``{name}`` or ``{name:spec}`` (what ``engine.report.render`` fills).
PLACEHOLDER = re.compile(r"\{(\w+)(?::([^{}]*))?\}")


@attrs.frozen
class Text:
    """A text in Chinese (the domain's language, shown first) and English."""

    zh: str
    en: str

    def placeholders(self) -> Iterator[tuple[str, str, str | None]]:
        """Each placeholder of the text as a template: its language, name and format spec (None if it has none)."""
        for language in ("zh", "en"):
            for found in PLACEHOLDER.finditer(getattr(self, language)):
                yield language, found.group(1), found.group(2)


#: Fields holding names a plan's author chooses (an item's id or name, a group's, a key-unit
#: category's). A citation scoped on one is about the items so named, and an item named otherwise
#: is none of them (:meth:`Rule.citations_for`).
AUTHOR_NAMED = frozenset({"item", "item_name", "group", "category"})


@attrs.frozen
class Scope:
    """The findings a citation grounds: those whose first matched fact has one of ``values`` in
    ``field`` (a form item's ``key``, a step, a fact's ``kind``, a plan item's ``item_name``)."""

    field: str
    values: tuple[str, ...]

    def holds_for(self, fact: Mapping[str, Any]) -> bool:
        return fact.get(self.field) in self.values

    @property
    def author_named(self) -> bool:
        """Whether its values are names a plan's author chose (:data:`AUTHOR_NAMED`), not names the
        forms and the profile fix (a form item's key, a step, a fact's kind)."""
        return self.field in AUTHOR_NAMED

    def described(self, literal: Callable[[str], str] = str) -> str:
        """``for findings whose key is drills_missing``, each name passed through ``literal``."""
        return f"for findings whose {literal(self.field)} is {' or '.join(map(literal, self.values))}"


@attrs.frozen
class Citation:
    """A clause of a source document, quoted verbatim. A rule's citation may ground only some of
    its findings (``applies_to``): a finding cites the clauses that ground it (see
    :meth:`Rule.citations_for` for one that none grounds)."""

    source: str
    clause: str
    quote: str
    applies_to: Scope | None = None

    def as_cited(self) -> Citation:
        """The citation as a finding carries it: the clause and its quote. Which findings it grounds
        is the rule's to know, so a report written as JSON and read back is the report it was."""
        return self if self.applies_to is None else attrs.evolve(self, applies_to=None)


@attrs.frozen
class Comparison:
    """``field op right``, where the right side is exactly one of: a constant ``value``, another
    field of the same fact (``field2``), a profile parameter (``param``), or a field of a fact
    bound earlier in the same rule (``bound``, written ``alias.field``)."""

    field: str
    op: Op
    value: int | None = None
    field2: str | None = None
    param: str | None = None
    bound: str | None = None


@attrs.frozen
class Pattern:
    """One fact the rule matches: its kind, and conditions that all (``all``) and at least one
    (``any``) hold. Several patterns in one alternative form a join (e.g. a sampled unit and the
    key unit with the same name)."""

    fact: str
    alias: str = "m"
    all: tuple[Comparison, ...] = ()
    any: tuple[Comparison, ...] = ()


@attrs.frozen
class Alternative:
    """One way a rule is violated: the facts it matches (two or more = a join), and, where the
    rule's message does not fit this way, its own message and fix."""

    match: tuple[Pattern, ...]
    message: Text | None = None
    fix: Text | None = None


#: The unit of a parameter whose value is a date (2023-05-31); a parameter of any other unit
#: (``percent``, ``checks per year``, ``day of month``) is a number.
DATE_UNIT = "date"


@attrs.frozen
class Domain:
    """The values a parameter of a unit takes: dates, or numbers, whole ones only (``whole``), from
    ``least`` to ``most``, and dividing ``divides`` (a count of equal periods of a year of 12 months)."""

    takes: type[Decimal] | type[date] = Decimal
    whole: bool = False
    least: int | None = None
    most: int | None = None
    divides: int | None = None

    def __str__(self) -> str:
        """What the values are, in words: ``a whole number from 1 to 31``."""
        if self.takes is date:
            return "a date (YYYY-MM-DD)"  # a format, not an example: shown beside a value, a date reads as a second one
        if self.divides is not None:
            shown = [str(n) for n in range(1, self.divides + 1) if self.divides % n == 0]
            return f"a whole number dividing {self.divides} ({', '.join(shown[:-1])} or {shown[-1]})"
        if self.whole and self.least is not None and self.most is not None and self.most - self.least <= 1:
            return " or ".join(str(n) for n in range(self.least, self.most + 1))
        kind = "a whole number" if self.whole else "a number"
        if self.least is not None and self.most is not None:
            return f"{kind} from {self.least} to {self.most}"
        return f"{kind} of at least {self.least}" if self.least is not None else kind

    def misfit(self, value: Decimal | date) -> str | None:
        """Why ``value`` is not one of the values, or None."""
        if not isinstance(value, self.takes):
            return "is a date" if isinstance(value, date) else "is a number"
        if not isinstance(value, Decimal):
            return None
        if not value.is_finite():
            return "is not a finite number"
        if self.whole and value != value.to_integral_value():
            return "is not a whole number"
        if self.least is not None and value < self.least:
            return f"is below {self.least}"
        if self.most is not None and value > self.most:
            return f"is above {self.most}"
        if self.divides is not None and self.divides % value != 0:
            return f"does not divide {self.divides}"
        return None


#: Every unit a parameter may be declared in, with the values it takes. A value outside them is
#: refused when a profile is loaded or compiled, not truncated or found wrong only by a check.
UNITS: dict[str, Domain] = {
    DATE_UNIT: Domain(date),
    "percent": Domain(least=0, most=100),
    "checks per workday": Domain(least=0),
    "checks per quarter": Domain(whole=True, least=0),
    # The year is split into that many periods of whole months, each unit checked in every one.
    "checks per year": Domain(whole=True, least=1, divides=12),
    # A month shorter than the day is due by its last day (engine.campaign_facts._deadline).
    "day of month": Domain(whole=True, least=1, most=31),
    "yes (1) or no (0)": Domain(whole=True, least=0, most=1),
}


@attrs.frozen
class ParameterSpec:
    """A parameter the rule needs; each profile gives its value and where it comes from. A name
    ending in ``.*`` (``due.*``) stands for a family: every parameter of the profile named with that
    prefix (``due.<step>``), of which the profile gives at least one. Its ``unit``, one of
    :data:`UNITS`, says what a value is: a date for :data:`DATE_UNIT`, else a number in the unit's
    :class:`Domain` (a whole number from 1 to 31 for ``day of month``)."""

    name: str
    description: Text
    unit: str

    @property
    def domain(self) -> Domain | None:
        """The values the parameter takes, its unit's (None for a unit zhifa does not know)."""
        return UNITS.get(self.unit)

    def misfit(self, value: Decimal | date) -> str | None:
        """Why ``value`` is not a value of the parameter (a date for a number, a number for a date, a
        number outside its unit's domain), or None; None too for a unit zhifa does not know
        (:func:`rulebook.definition_problems` refuses the rule)."""
        domain = self.domain
        why = domain.misfit(value) if domain is not None else None
        return None if why is None else f"{value} {why}, but its unit {self.unit!r} takes {domain}"

    @property
    def family(self) -> str | None:
        """The prefix a family's members share (``due.`` for ``due.*``); None for one parameter."""
        return self.name[:-1] if self.name.endswith(".*") else None

    def stands_for(self, name: str) -> bool:
        """Whether a parameter of that name is this one, or of its family."""
        prefix = self.family
        return name.startswith(prefix) if prefix is not None else name == self.name

    def names_in(self, parameters: Mapping[str, ParameterValue]) -> list[str]:
        """The parameters of a profile the spec stands for, sorted: its own name, or its family's."""
        return sorted(name for name in parameters if self.stands_for(name))


@attrs.frozen
class Rule:
    """A checkable requirement. ``when`` lists the ways it can be violated. ``message``/``fix`` are
    templates filled from the matched facts and the profile's parameters (``{joint}``, ``{share:.1f}``)."""

    id: str
    document: str
    severity: Severity
    title: Text
    description: Text
    when: tuple[Alternative, ...]
    values: tuple[str, ...]
    citations: tuple[Citation, ...]
    message: Text | None = None
    fix: Text | None = None
    parameters: tuple[ParameterSpec, ...] = ()

    def citations_for(self, sources: tuple[str, ...], fact: Mapping[str, Any] | None = None) -> tuple[Citation, ...]:
        """The rule's citations from ``sources``; given the first fact of a finding, those that
        ground it: the citations without ``applies_to`` (they ground every finding) and those scoped
        to it. Where none grounds it, what its scopes name decides. A form item's key, a step or a
        kind is fixed by the forms and the profile, so a finding naming another is about something
        they do not know, and every clause naming the ones they know grounds that: it cites them all.
        A plan item's id or name, a group's, a category's is the author's own (:data:`AUTHOR_NAMED`),
        so an item named otherwise is none of the items the clauses are about: it cites none."""
        cited = tuple(c for c in self.citations if c.source in sources)
        if fact is None:
            return cited
        grounding = tuple(c for c in cited if c.applies_to is None or c.applies_to.holds_for(fact))
        if grounding or any(c.applies_to is not None and c.applies_to.author_named for c in cited):
            return grounding
        return cited

    @property
    def fact_kinds(self) -> tuple[str, ...]:
        return tuple(sorted({p.fact for alternative in self.when for p in alternative.match}))

    def message_for(self, alternative: Alternative) -> Text:
        message = alternative.message or self.message
        assert message is not None, "checked when the rulebook loads and before a profile compiles"
        return message

    def fix_for(self, alternative: Alternative) -> Text | None:
        return alternative.fix or self.fix


@attrs.frozen
class OwedBy:
    """Who owes a dated step, where a campaign asks it of some units only: the units holding
    ``role``, as the clause quoted names them (a steps record states its unit's roles)."""

    role: UnitRole
    citation: Citation


@attrs.frozen
class ParameterValue:
    """A parameter's value in one profile, OpenFisca-style: the value, its reference, and when it holds."""

    value: Decimal | date
    effective_from: date
    citation: Citation
    effective_to: date | None = None
    note: str | None = None
    #: What the value is, in words, where messages name it (the step a ``due.<step>`` deadline is for).
    title: Text | None = None
    #: For a step's deadline owed only by units holding a role, that role (None where every unit owes it).
    owed_by: OwedBy | None = None


def _parameters(items: Mapping[str, ParameterValue]) -> ReadOnly[str, ParameterValue]:
    return read_only(items)  # typed for attrs' mypy plugin, which leaves a generic converter's types unsolved


@attrs.frozen
class Profile:
    """Binds rules and parameter values to a jurisdiction and a period."""

    id: str
    title: Text
    jurisdiction: str
    documents: tuple[str, ...]
    period_from: date
    period_to: date
    sources: tuple[str, ...]
    rules: tuple[str, ...]
    parameters: Mapping[str, ParameterValue] = attrs.field(factory=dict, converter=_parameters)

    def covers_year(self, year: int) -> bool:
        return self.period_from.year <= year <= self.period_to.year


@attrs.frozen
class Source:
    """A shipped source document (under ``rulebook/sources/``), unchanged from the original."""

    id: str
    title: str
    issuer: str
    file: str
    document: str
    sha256: str
    issued: date | None = None  # None where the source carries no date
