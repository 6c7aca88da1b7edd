"""The shapes shared by every fact builder: a fact, a parameter set, and a reason a fact is missing."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping, Sequence
from datetime import date
from decimal import Decimal
from typing import Any

import attrs

from forms.convert import DOCUMENT_KINDS, Document
from forms.records import UnitRole
from rulebook.model import UNITS, Text

#: A flat record durable-rules matches: ``kind``, ``loc`` (a JSON pointer into its document),
#: ``doc`` (the document's index in the bundle), and the values a rule compares.
Fact = dict[str, Any]
Params = Mapping[str, Decimal | date]

#: Documents checked together: one plan, or the forms, records and steps of one campaign.
Bundle = Sequence[Document]


class ParameterValues(dict[str, Decimal | date]):
    """A profile's parameter values by name (a :data:`Params`), the titles of those that have one,
    for the facts whose messages name them (the step a ``due.<step>`` deadline is for), and the
    role owing each step's deadline that only units holding a role owe (``owed_by``)."""

    def __init__(self, values: Mapping[str, Decimal | date], titles: Mapping[str, Text],
                 owed_by: Mapping[str, UnitRole] | None = None) -> None:
        super().__init__(values)
        self.titles = dict(titles)
        self.owed_by = dict(owed_by or {})


def whole_number(params: Params, name: str) -> int:
    """Parameter ``name`` as the whole number it is. A fraction (only a profile made in Python and
    never compiled can give one: loading and compiling refuse it) is refused, not cut off: 1.5
    checks a year are not 1, nor day 5.9 of a month day 5."""
    value = params[name]
    if not isinstance(value, Decimal):
        raise TypeError(f"parameter {name} must be a number, got {value!r}")
    if not value.is_finite() or value != value.to_integral_value():
        raise ValueError(f"parameter {name} must be a whole number, got {value}")
    return int(value)


def title_of(params: Params, name: str) -> Text | None:
    """The title of parameter ``name``, if ``params`` carry one."""
    return params.titles.get(name) if isinstance(params, ParameterValues) else None


def role_owing(params: Params, name: str) -> UnitRole | None:
    """The role whose units alone owe the step parameter ``name`` is the deadline of; None if every unit owes it."""
    return params.owed_by.get(name) if isinstance(params, ParameterValues) else None


@attrs.frozen(cache_hash=True)  # reports look up their not-checked rules by the missing reasons
class Missing:
    """The input lacks what a fact kind needs: in the whole bundle, or (``doc``) in one of its documents."""

    zh: str
    en: str
    #: The document of the bundle the reason is about (its index, as a fact's ``doc``): only that
    #: document's report lists the rules it leaves unchecked. ``None``: every document's report does.
    doc: int | None = None


Built = Iterator[Fact | Missing]


#: How a blank figure is shown in Chinese messages.
BLANK_SHOWN = "空白"


def figure_shown(shown: str) -> int | float | None:
    """The figure a message shows (plain digits from a fact builder) as a number, ``None`` for a blank."""
    if shown == BLANK_SHOWN:
        return None
    number = Decimal(shown)
    return int(number) if "." not in shown else float(number)


#: Fields every fact has: its kind, where it points (``loc``), its document's index (``doc``) and,
#: once built, its ``id``.
COMMON_FIELDS = ("kind", "loc", "doc", "id")
#: Those of :data:`COMMON_FIELDS` that are text (``doc`` is a number).
TEXT_COMMON_FIELDS = ("kind", "loc", "id")


def _document_kinds(kinds: object) -> None:
    """Refuse ``compares_documents`` other than a tuple of kinds of document (it was a bool: True
    would fail only when an input is refused, as ``kind in True``)."""
    if not isinstance(kinds, tuple) or any(k not in DOCUMENT_KINDS for k in kinds):
        raise ValueError(f"compares_documents takes a tuple of kinds of document ({', '.join(DOCUMENT_KINDS)}), "
                         f"e.g. ('dispatch-form',), got {kinds!r}")


@attrs.frozen
class FactKind:
    """A kind of fact: the builder that makes it, the fields its facts carry besides
    :data:`COMMON_FIELDS` (rules may compare and quote only these), and the profile parameters the
    builder reads (a rule matching the kind must declare them, in the unit the builder reads, so
    every profile applying it gives them, each a value of that unit)."""

    builder: Callable[..., Built]
    fields: tuple[str, ...]
    #: Each parameter the builder reads (or family, ``due.*``), with the unit it reads it in, one of
    #: :data:`rulebook.model.UNITS` (``percent``: 15 is 15 %): what values it takes.
    reads: Mapping[str, str] = attrs.field(factory=dict)
    #: Up to this many facts of the kind from one bundle travel to durable-rules as one packed fact,
    #: one slot each, where no join of the profile matches the kind (0: each is sent on its own);
    #: fewer where more would not fit in one durable-rules fact (``engine.compile.MAX_FACT_PROPERTIES``).
    #: Worth it for kinds a document has many of: every durable-rules fact has a fixed cost, and
    #: each rule on the kind is compiled once per slot.
    pack: int = attrs.field(default=0, validator=attrs.validators.ge(0))
    #: The kinds of document its facts compare with each other (a unit's months, a roll-up and its
    #: members: ``("dispatch-form",)``; forms and records), none for facts of one document: an input
    #: that could not be read, or was refused, may be one of them, so none is built then (see
    #: :func:`engine.facts.build_facts`; one whose kind is known withholds only the kinds reading it).
    compares_documents: tuple[str, ...] = attrs.field(default=(), validator=lambda _, __, kinds: _document_kinds(kinds))
    #: Fields compared in a scale of their own (money in 0.0001 万元), each with the field that shows
    #: it as written (``"0.3"``, or ``"空白"`` for a blank): a violation's values give that figure.
    shown_as: Mapping[str, str] = attrs.field(factory=dict)
    #: Fields given to the conditions as 0 where the document leaves them blank, each with the flag
    #: (1) that says so: a violation's values give such a blank as ``None``, as :attr:`shown_as` does.
    blank_when: Mapping[str, str] = attrs.field(factory=dict)
    #: Fields that mean something only where each of their flags is 1 (a submission date, where the
    #: form is dated): elsewhere a violation's values give ``None``.
    blank_unless: Mapping[str, tuple[str, ...]] = attrs.field(factory=dict)
    #: Fields whose values are text (labels, names, months, dates as ISO text, figures as shown),
    #: the others being numbers: a template's format spec on a text field must be one text takes
    #: (``{label:>8}``, not ``{share_shown:.1f}``), which :func:`engine.compile.rule_problems` checks.
    texts: tuple[str, ...] = ()
    #: Parameters of :attr:`reads` (or families, ``due.*``) a profile may say only units holding a
    #: role owe (``owed_by``), which the builder then asks of those units only: a profile saying it
    #: of any other parameter is refused (:func:`engine.compile.owed_by_problems`), as nothing would read it.
    scoped_by_role: tuple[str, ...] = ()
    #: Fields holding a dispatch form item's ``key`` (``penalties``), as the form templates name it:
    #: a citation scope on one must name an item of a template (:func:`engine.compile.rule_problems`).
    item_keys: tuple[str, ...] = ()

    def __attrs_post_init__(self) -> None:
        named = (("texts", set(self.texts)),
                 ("item_keys", set(self.item_keys)),
                 ("shown_as", {*self.shown_as, *self.shown_as.values()}),
                 ("blank_when", {*self.blank_when, *self.blank_when.values()}),
                 ("blank_unless", {*self.blank_unless, *(f for flags in self.blank_unless.values() for f in flags)}))
        for name, fields in named:
            unknown = sorted(fields - set(self.fields))
            if unknown:
                raise ValueError(f"{name} names fields the kind does not have: {', '.join(unknown)}")
        unknown_units = sorted(unit for unit in self.reads.values() if unit not in UNITS)
        if unknown_units:
            raise ValueError(f"reads parameters in units zhifa does not know: {', '.join(unknown_units)}")
        unread = sorted(set(self.scoped_by_role) - set(self.reads))
        if unread:
            raise ValueError(f"scoped_by_role names parameters the kind does not read: {', '.join(unread)}")
        numbers = sorted(set(self.shown_as.values()) - set(self.texts))
        if numbers:
            raise ValueError(f"shown_as shows figures as fields not declared texts: {', '.join(numbers)}")

    @property
    def all_fields(self) -> frozenset[str]:
        """Every field its facts have, the common ones included."""
        return frozenset((*COMMON_FIELDS, *self.fields))

    @property
    def text_fields(self) -> frozenset[str]:
        """Every field whose values are text, the common ones included."""
        return frozenset((*TEXT_COMMON_FIELDS, *self.texts))
