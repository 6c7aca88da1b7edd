"""What a check returns: violations that cite their clauses, and the rules that could not be checked."""

from __future__ import annotations

import itertools
import re
from typing import Any

import attrs

from rulebook import Citation, Severity
from rulebook.model import PLACEHOLDER as _PLACEHOLDER


def placeholders(template: str) -> list[str]:
    """The names a template fills, in order."""
    return [match.group(1) for match in _PLACEHOLDER.finditer(template)]


def render(template: str, values: dict[str, Any]) -> str:
    """Fill ``{name}`` and ``{name:spec}`` placeholders. Only names and format specs, never expressions."""

    def fill(match: re.Match[str]) -> str:
        name, spec = match.group(1), match.group(2)
        if name not in values:
            raise KeyError(f"template names {name!r}, which the matched facts do not have")
        return format(values[name], spec or "")

    return _PLACEHOLDER.sub(fill, template)


_CELL = re.compile(r"^(.+)!([A-Z]+)(\d+)$")


def _location_key(location: str) -> tuple[tuple[int, int | str], ...]:
    """Sort JSON pointers so /items/10 comes after /items/9, and cells (``调度表!E10``) row by row."""
    cell = _CELL.match(location)
    if cell:
        sheet, column, row = cell.groups()
        return ((2, sheet), (0, int(row)), (1, column))
    return tuple((0, int(p)) if p.isdigit() else (1, p) for p in location.split("/"))


_DIGITS = re.compile(r"(\d+)")


def _in_number_order(text: str) -> tuple[int | str, ...]:
    """Text with its runs of digits compared as numbers: “第2号” before “第10号”. Text and numbers
    alternate from the start, so two keys compare place by place."""
    return tuple(int(part) if odd else part for odd, part in
                 ((k % 2, part) for k, part in enumerate(_DIGITS.split(text))))


@attrs.frozen
class Violation:
    """A rule the document breaks, where, by how much, and the clause that says so."""

    rule: str
    severity: Severity
    message: str
    message_en: str
    location: str
    # Compared, but left out of the hash (a dict has none): violations and reports can be put in
    # sets and dict keys, to compare runs; equal ones hash alike.
    values: dict[str, Any] = attrs.field(hash=False)
    citations: tuple[Citation, ...] = attrs.field()
    fix: str | None = None
    fix_en: str | None = None

    def sort_key(self) -> tuple[Any, ...]:
        return (_location_key(self.location), self.rule, self.message)


def in_report_order(violations: list[Violation]) -> tuple[Violation, ...]:
    """Violations as a report lists them: by where they point, then rule, then message, findings of
    one rule at one place with their messages' numbers in order. Such ties are rare, so only they
    pay for reading the numbers (it costs more than the rest of the sort)."""
    ordered = sorted(violations, key=Violation.sort_key)
    for k in range(len(ordered) - 1):
        if (ordered[k].location, ordered[k].rule) == (ordered[k + 1].location, ordered[k + 1].rule):
            break
    else:
        return tuple(ordered)
    listed: list[Violation] = []
    for _, same_place in itertools.groupby(ordered, key=lambda v: (v.location, v.rule)):
        listed.extend(sorted(same_place, key=lambda v: (_in_number_order(v.message), v.message)))
    return tuple(listed)


@attrs.frozen
class NotChecked:
    """A rule of the profile that the document gave no data for: neither passed nor failed."""

    rule: str
    reason: str
    reason_en: str


@attrs.frozen
class Report:
    """The outcome of checking one document against one profile."""

    kind: str
    profile: str
    violations: tuple[Violation, ...]
    not_checked: tuple[NotChecked, ...] = ()
    path: str | None = None

    def at_or_above(self, severity: Severity) -> tuple[Violation, ...]:
        """Violations as severe as ``severity`` or more (warning includes errors)."""
        if severity == Severity.WARNING:
            return self.violations
        return tuple(v for v in self.violations if v.severity == Severity.ERROR)

    @property
    def rules_violated(self) -> tuple[str, ...]:
        """The ids of the rules this document violates, each once, sorted."""
        return tuple(sorted({v.rule for v in self.violations}))
