"""The rulebook compiled into durable-rules rulesets: one per profile, built once per process.

Each rule alternative becomes one durable-rules rule whose conditions are built from the rule's
data with durable's own expression objects (never from text). Its action records which rule
matched which facts; everything else happens outside the engine.
"""

from __future__ import annotations

import difflib
import functools
import hashlib
import json
import operator
import threading
import weakref
from collections import OrderedDict
from collections.abc import Callable, Iterable, Sequence
from datetime import date
from decimal import Decimal
from typing import Any, TypeVar

import attrs
import durable.lang
import durable_rules_engine
from durable.engine import Ruleset
from durable.lang import c, cap, get_host, m, ruleset, when_all

from engine.campaign_facts import CAMPAIGN_FACT_KINDS
from engine.derived import ParameterValues
from engine.facts import FACT_KINDS
from engine.plan_facts import PLAN_FACT_KINDS
from forms.convert import DOCUMENT_KINDS
from forms.dispatch import load_template, variants
from forms.errors import Problem
from forms.plan import AnnualPlan
from rulebook import (
    Comparison,
    Op,
    ParameterSpec,
    Pattern,
    Profile,
    Rule,
    Rulebook,
    citation_problems,
    definition_problems,
    profile_problems,
    rule_as_data,
)
from rulebook.load import unformattable
from rulebook.model import DATE_UNIT, UNITS

#: durable-rules is not thread-safe and its rulesets are process-global: every call into it,
#: compiling included, holds this lock.
ENGINE_LOCK = threading.RLock()

_OPERATORS: dict[Op, Callable[[Any, Any], Any]] = {
    Op.EQ: operator.eq, Op.NE: operator.ne, Op.LT: operator.lt,
    Op.LE: operator.le, Op.GT: operator.gt, Op.GE: operator.ge,
}


@attrs.frozen
class Match:
    """A rule alternative matched these facts (by fact id, keyed by pattern alias)."""

    rule: str
    alternative: int
    fact_ids: tuple[tuple[str, str], ...]


#: Matches collected by actions, per session id, with the bundle (``grp``) of the first matched
#: fact. Only touched while ENGINE_LOCK is held.
MATCHES: dict[str, list[tuple[int, Match]]] = {}

#: An interrupt (KeyboardInterrupt, SystemExit) that reached an action. durable-rules catches
#: whatever an action raises and keeps only its text in the session's state, which would turn
#: Ctrl-C into a failed evaluation; :func:`engine.runtime.evaluate_groups` raises it again.
#: Only touched while ENGINE_LOCK is held.
INTERRUPTS: list[BaseException] = []


def _keeping_interrupts(action: Callable[[Any], None]) -> Callable[[Any], None]:
    """``action``, keeping for :data:`INTERRUPTS` an interrupt (not an error) raised while it runs."""
    def run(context: Any) -> None:
        try:
            action(context)
        except BaseException as exc:
            if not isinstance(exc, Exception):
                INTERRUPTS.append(exc)
            raise

    return run


def parameter_value(value: Decimal | date) -> int | float | str:
    """A parameter as durable-rules and reports see it: 15 stays 15, 0.75 stays 0.75, a date is ISO text."""
    if isinstance(value, date):
        return value.isoformat()
    return int(value) if value == value.to_integral_value() else float(value)


@attrs.frozen
class CompiledProfile:
    """A profile ready to evaluate: its ruleset's name, its rules and its parameter values."""

    ruleset: str
    profile: Profile
    rules: tuple[Rule, ...]
    params: dict[str, Decimal | date]

    #: Per fact kind, the fields its rules' conditions read: all durable-rules is sent of a fact.
    matched_fields: dict[str, tuple[str, ...]] = attrs.field(factory=dict)
    #: Fact kinds sent packed, each with its slots: the facts of a bundle that one durable-rules fact holds.
    packed: dict[str, int] = attrs.field(factory=dict)

    @property
    def fact_kinds(self) -> tuple[str, ...]:
        return tuple(sorted({kind for rule in self.rules for kind in rule.fact_kinds}))

    @functools.cached_property  # read for every violation
    def shown_params(self) -> dict[str, int | float | str]:
        """The parameter values as messages show them (:func:`parameter_value`)."""
        return {name: parameter_value(value) for name, value in self.params.items()}


def _matched_fields(rules: tuple[Rule, ...]) -> dict[str, tuple[str, ...]]:
    """The fields each fact kind's conditions compare (messages read the full fact in Python)."""
    fields: dict[str, set[str]] = {}
    for rule in rules:
        for alternative in rule.when:
            aliases = {p.alias: p.fact for p in alternative.match}
            for pattern in alternative.match:
                for comparison in (*pattern.all, *pattern.any):
                    fields.setdefault(pattern.fact, set()).add(comparison.field)
                    if comparison.field2 is not None:
                        fields[pattern.fact].add(comparison.field2)
                    if comparison.bound is not None:
                        alias, field = comparison.bound.split(".", 1)
                        fields.setdefault(aliases[alias], set()).add(field)
    return {kind: tuple(sorted(names)) for kind, names in sorted(fields.items())}


#: Most properties durable-rules' C core takes in one fact: one more crashes the process
#: (``tests/test_durable_contract.py``).
MAX_FACT_PROPERTIES = 254
#: What a packed fact carries besides its slots (see :func:`engine.runtime.to_send`).
PACK_ENVELOPE = ("kind", "id", "grp", "sid", "n")


def _packed_kinds(rules: tuple[Rule, ...], matched: dict[str, tuple[str, ...]]) -> dict[str, int]:
    """The kinds sent packed, with their slots: those whose :attr:`FactKind.pack` asks for it and
    that only single-fact rules match (a join needs its facts one by one). Slot ``k`` of a packed
    fact holds each field ``f`` its conditions read (``matched``) as ``s{k}_f``, and its fact's id;
    a packed fact has no more slots than fit in MAX_FACT_PROPERTIES."""
    alone = {a.match[0].fact for r in rules for a in r.when if len(a.match) == 1 and a.match[0].alias == "m"}
    joined = {p.fact for r in rules for a in r.when if len(a.match) > 1 or a.match[0].alias != "m" for p in a.match}
    packed = {}
    for kind in sorted(alone - joined):
        fitting = (MAX_FACT_PROPERTIES - len(PACK_ENVELOPE)) // (len(matched.get(kind, ())) + 1)
        slots = min(FACT_KINDS[kind].pack, fitting)
        if slots > 1:
            packed[kind] = slots
    return packed


def slot_field(slot: int, name: str) -> str:
    """The name under which a packed fact carries field ``name`` of its fact in ``slot``."""
    return f"s{slot}_{name}"


class RulebookError(ValueError):
    """A profile cannot be compiled: its rules do not fit the facts they match (an unknown fact
    kind, one not built from the kind of document the rule checks, a field its facts lack, a
    parameter the rule does not declare), which would make a rule silently never fire or fail only
    once it matched; or a rule is not whole (:func:`rulebook.definition_problems`); or the profile
    or its rules name what the rulebook lacks, miss a parameter, or quote a clause that is not
    verbatim in its source (see :func:`rulebook.profile_problems`, :func:`rulebook.citation_problems`).
    Raised before the profile is compiled. Each problem may come with the file its rule or profile
    was read from (``files``, beside ``problems``; None for one made in Python)."""

    def __init__(self, profile: str | None, problems: list[Problem], files: Sequence[str | None] = ()) -> None:
        self.profile = profile  # the profile being compiled, if any
        self.problems = problems
        self.files = (*files, *(None,) * (len(problems) - len(files)))
        super().__init__(profile, problems)

    def __reduce__(self) -> tuple[Any, ...]:
        return type(self), (self.profile, self.problems, self.files)  # pickled by its fields (see forms.LoadError)

    def __str__(self) -> str:
        where = f"rulebook, profile {self.profile}" if self.profile else "rulebook"
        return "\n".join(f"{file or where}: {p}" for file, p in zip(self.files, self.problems, strict=True))


def check_fit(rules: Iterable[Rule], profile_id: str | None = None, rulebook: Rulebook | None = None) -> None:
    """Raise :class:`RulebookError` if any of ``rules`` is not whole or does not fit its facts (see
    :func:`rule_problems`), naming the file of each rule ``rulebook`` read."""
    located = [(rulebook.file_of(rule) if rulebook else None, problem) for rule in rules
               for problem in (*definition_problems(rule), *rule_problems(rule))]
    if located:
        raise RulebookError(profile_id, [p for _, p in located], [file for file, _ in located])


#: The kinds of document a fact kind's facts are built from: a plan's kinds from annual plans, a
#: campaign's from its forms, records and steps (which of these, each builder decides).
_PLAN_DOCUMENTS = tuple(kind for kind, cls in DOCUMENT_KINDS.items() if cls is AnnualPlan)
_CAMPAIGN_DOCUMENTS = tuple(kind for kind, cls in DOCUMENT_KINDS.items() if cls is not AnnualPlan)
BUILT_FROM: dict[str, tuple[str, ...]] = {**dict.fromkeys(PLAN_FACT_KINDS, _PLAN_DOCUMENTS),
                                          **dict.fromkeys(CAMPAIGN_FACT_KINDS, _CAMPAIGN_DOCUMENTS)}


#: What a format spec on a text field must show (:attr:`engine.derived.FactKind.texts`).
_TEXT = "text"


#: The operators that order their sides, which text does character by character ("9" above "10").
_ORDERING = (Op.LT, Op.LE, Op.GT, Op.GE)


def _what_field(kind: str | None, name: str) -> str | None:
    """Whether field ``name`` of fact kind ``kind`` is text or a number; None where the kind lacks it (reported)."""
    if kind not in FACT_KINDS or name not in FACT_KINDS[kind].all_fields:
        return None
    return "text" if name in FACT_KINDS[kind].text_fields else "number"


def _unlike(comparison: Comparison, kind: str, kinds: dict[str, str], specs: dict[str, ParameterSpec]) -> str | None:
    """Why the condition compares text with a number, a date parameter with a field, or orders
    text: durable-rules would compare them all the same, and the condition would hold never (or,
    with ``!=``, always) or order figures as text. None where it does none of these."""
    left = _what_field(kind, comparison.field)
    right: str | None
    if comparison.value is not None:
        right, shown = "number", f"the number {comparison.value}"
    elif comparison.field2 is not None:
        right = _what_field(kind, comparison.field2)
        shown = f"{right} field {comparison.field2!r}"
    elif comparison.param is not None:
        spec = specs.get(comparison.param)
        right = None if spec is None else "date" if spec.unit == DATE_UNIT else "number"
        shown = f"{right} parameter {comparison.param!r}"
    elif comparison.bound is not None:
        alias, _, name = comparison.bound.partition(".")
        right = _what_field(kinds.get(alias), name)
        shown = f"{right} field {comparison.bound!r}"
    else:
        return None  # reported by definition_problems
    if left is None or right is None:
        return None  # what it names is missing, reported where it is named
    sides = f"{left} field {comparison.field!r} with {shown}"
    if left == right:
        if left == "text" and comparison.op in _ORDERING:
            return (f"compares {sides} by {comparison.op.value!r}: text is ordered character by character "
                    "(\"9\" above \"10\"); compare a number field, or use == or !=")
        return None
    if "date" in (left, right):
        return (f"compares {sides}: no field is a date (facts give dates as text), so a date parameter is "
                "compared by the builder that reads it (as days_late)")
    return (f"compares {sides}: text is never equal to a number, nor below or above one, so the condition "
            f"would {'always' if comparison.op is Op.NE else 'never'} hold, whatever the facts")


def rule_problems(rule: Rule) -> list[Problem]:
    """Where ``rule`` names what its facts or its declared parameters do not have, compares text
    with a number or a date parameter with a field, or orders text (:func:`_unlike`), gives two
    patterns of a join one alias, declares a parameter its facts' builder reads in another unit
    than the builder reads it in (``date`` for ``percent``), or gives a text field a format spec
    only a number takes (``{share_shown:.1f}``)."""
    problems: list[Problem] = []
    specs = {spec.name: spec for spec in rule.parameters}
    declared = set(specs)
    mistyped: set[str] = set()  # the parameters found declared in a unit the builder does not read them in

    def field_of(kind: str, name: str, where: str) -> None:
        if kind in FACT_KINDS and name not in FACT_KINDS[kind].all_fields:
            fields = ", ".join(FACT_KINDS[kind].fields)
            problems.append(Problem(where, f"fact kind {kind!r} has no field {name!r} (its fields: {fields})"))

    named: set[str] = set(declared)  # what the rule's values may name, over all alternatives
    judged = True  # whether every alternative's facts are known, so its names can be judged
    for k, alternative in enumerate(rule.when):
        kinds: dict[str, str] = {}  # alias → fact kind, for the patterns so far
        for j, pattern in enumerate(alternative.match):
            at = f"rules[{rule.id}].when[{k}].match[{j}]"
            if pattern.fact not in FACT_KINDS:
                problems.append(Problem(f"{at}.fact", f"unknown fact kind {pattern.fact!r}"))
            else:
                if rule.document in DOCUMENT_KINDS and rule.document not in BUILT_FROM[pattern.fact]:
                    problems.append(Problem(f"{at}.fact", f"fact kind {pattern.fact!r} is built from "
                                                          f"{' or '.join(BUILT_FROM[pattern.fact])} documents, "
                                                          f"not from {rule.document}, which the rule checks"))
                for name, unit in FACT_KINDS[pattern.fact].reads.items():
                    if name not in declared:
                        problems.append(Problem(f"{at}.fact", f"fact kind {pattern.fact!r} reads parameter {name!r}, "
                                                              "which the rule does not declare"))
                    elif (spec := specs[name]).unit != unit and name not in mistyped:
                        mistyped.add(name)
                        problems.append(Problem(f"rules[{rule.id}].parameters[{rule.parameters.index(spec)}].unit",
                                                f"fact kind {pattern.fact!r} reads parameter {name!r} in unit "
                                                f"{unit!r} ({UNITS[unit]}), not in {spec.unit!r}"))
            for group in ("all", "any"):
                for i, comparison in enumerate(getattr(pattern, group)):
                    where = f"{at}.{group}[{i}]"
                    field_of(pattern.fact, comparison.field, f"{where}.field")
                    if comparison.field2 is not None:
                        field_of(pattern.fact, comparison.field2, f"{where}.field2")
                    if comparison.param is not None and comparison.param not in declared:
                        problems.append(Problem(f"{where}.param", f"parameter {comparison.param!r} is not declared "
                                                                  "by the rule"))
                    if comparison.bound is not None:
                        alias, _, name = comparison.bound.partition(".")
                        if alias not in kinds:
                            problems.append(Problem(f"{where}.bound", f"{alias!r} is not the alias of an earlier "
                                                                      "pattern of this alternative"))
                        else:
                            field_of(kinds[alias], name, f"{where}.bound")
                    # A parameter declared in a unit its builder does not take is reported once, at the unit.
                    if comparison.param not in mistyped and (why := _unlike(comparison, pattern.fact, kinds,
                                                                             specs)) is not None:
                        problems.append(Problem(where, why))
            if pattern.alias in kinds:  # durable-rules would bind the later fact to both, losing the earlier
                earlier = [p.alias for p in alternative.match].index(pattern.alias)
                problems.append(Problem(f"{at}.alias", f"{pattern.alias!r} is the alias of match[{earlier}] too"
                                        f"{' (the default)' if pattern.alias == 'm' else ''}: give each pattern of "
                                        "a join an alias of its own (alias: sample, alias: key)"))
            kinds.setdefault(pattern.alias, pattern.fact)
        facts = [pattern.fact for pattern in alternative.match]  # in order: the first pattern's fields win
        if any(kind not in FACT_KINDS for kind in facts):
            judged = False  # already reported
            continue
        fields = set(declared).union(*(FACT_KINDS[kind].all_fields for kind in facts))
        named |= fields
        for part in ("message", "fix"):
            own = getattr(alternative, part) is not None  # else the rule's own, shared by its alternatives
            text = getattr(alternative, part) or getattr(rule, part)
            where = f"rules[{rule.id}].when[{k}].{part}" if own else f"rules[{rule.id}].{part}"
            for language, name, spec in text.placeholders() if text else ():
                if name not in fields:
                    problems.append(Problem(f"{where}.{language}", f"names {{{name}}}, which neither the facts "
                                            f"of when[{k}] nor the rule's parameters have"))
                elif spec is not None and name not in declared:  # a parameter is shown as the profile gives it
                    # The fact that fills it: the first of the alternative's patterns whose kind has it.
                    kind = next(kind for kind in facts if name in FACT_KINDS[kind].all_fields)
                    if name in FACT_KINDS[kind].text_fields and (why := unformattable(spec, (_TEXT,))) is not None:
                        problems.append(Problem(f"{where}.{language}", f"{{{name}:{spec}}}: {name!r} of fact kind "
                                                f"{kind!r} is text: {why}"))
    problems.extend(Problem(f"rules[{rule.id}].values", f"names {name!r}, which no alternative's facts nor the "
                                                        "rule's parameters have")
                    for name in rule.values if judged and name not in named)
    # A finding's citations are chosen by the first fact it matched: a scope must name one of its
    # fields, and values that field can hold (else the finding would cite all of its rule's clauses).
    first = {a.match[0].fact for a in rule.when if a.match and a.match[0].fact in FACT_KINDS}
    for k, citation in enumerate(rule.citations):
        scope = citation.applies_to
        if not judged or scope is None:
            continue
        having = [kind for kind in sorted(first) if scope.field in FACT_KINDS[kind].all_fields]
        if not having:
            problems.append(Problem(f"rules[{rule.id}].citations[{k}].applies_to.field",
                                    f"no finding's first fact has field {scope.field!r} "
                                    f"(they are facts of {', '.join(sorted(first))})"))
        elif scope.field == "kind":
            problems.extend(Problem(f"rules[{rule.id}].citations[{k}].applies_to.values",
                                    f"names {value!r}, which is the kind of no finding's first fact "
                                    f"(they are facts of {', '.join(having)})")
                            for value in scope.values if value not in first)
        elif all(scope.field in FACT_KINDS[kind].item_keys for kind in having):
            keys = _item_keys()
            problems.extend(Problem(f"rules[{rule.id}].citations[{k}].applies_to.values",
                                    f"names {value!r}, which is the key of no item of the dispatch forms "
                                    f"({', '.join(variants())}){_closest(value, keys)}")
                            for value in scope.values if value not in keys)
    return problems


def _item_keys() -> frozenset[str]:
    """The key of every item of the shipped dispatch form templates: all a field of
    :attr:`engine.derived.FactKind.item_keys` can hold."""
    return frozenset(key for variant in variants() for key in load_template(variant).keys)


def _closest(name: str, names: Iterable[str]) -> str:
    """``: did you mean 'x'?`` for the name of ``names`` closest to a misspelt ``name``, if one is close."""
    close = difflib.get_close_matches(name, sorted(names), n=1)
    return f": did you mean {close[0]!r}?" if close else ""


def owed_by_problems(rulebook: Rulebook, profile: Profile) -> list[Problem]:
    """Where the profile says only units holding a role owe a parameter (``owed_by``) that none of
    its rules' facts asks of those units only (:attr:`engine.derived.FactKind.scoped_by_role`):
    nothing would read the scope, and the step would be asked of every unit."""
    if any(r not in rulebook.rules for r in profile.rules):
        return []  # reported by profile_problems: what the unknown rule would read is unknown
    scoped = {spec for rule in rulebook.rules_of(profile) for kind in rule.fact_kinds if kind in FACT_KINDS
              for spec in rule.parameters if spec.name in FACT_KINDS[kind].scoped_by_role}
    readers = ", ".join(sorted(spec.name for spec in scoped)) or "none"
    return [Problem(f"profiles[{profile.id}].parameters.{name}.owed_by",
                    f"no rule of the profile asks {name!r} of some units only (the parameters its rules ask so: "
                    f"{readers})")
            for name, value in sorted(profile.parameters.items())
            if value.owed_by is not None and not any(spec.stands_for(name) for spec in scoped)]


def _field(name: str, slot: int | None) -> Any:
    return getattr(m, name if slot is None else slot_field(slot, name))


def _right_side(comparison: Comparison, params: dict[str, Decimal | date], slot: int | None) -> Any:
    if comparison.value is not None:
        return comparison.value
    if comparison.field2 is not None:
        return _field(comparison.field2, slot)
    if comparison.param is not None:
        return parameter_value(params[comparison.param])
    if comparison.bound is not None:
        alias, field = comparison.bound.split(".", 1)
        return getattr(getattr(c, alias), field)
    raise AssertionError("a condition has exactly one right-hand side (rulebook.definition_problems)")


def _condition(comparison: Comparison, params: dict[str, Decimal | date], slot: int | None) -> Any:
    return _OPERATORS[comparison.op](_field(comparison.field, slot), _right_side(comparison, params, slot))


def _pattern(pattern: Pattern, params: dict[str, Decimal | date], slot: int | None = None) -> Any:
    """The pattern's conditions on a fact of its kind or, given ``slot``, on that slot of a packed
    fact of its kind (``n``, the slots a packed fact fills, guards the empty ones)."""
    expression = m.kind == pattern.fact
    if slot is not None:
        expression = expression & (m.n > slot)
    for comparison in pattern.all:
        expression = expression & _condition(comparison, params, slot)
    if pattern.any:
        either = _condition(pattern.any[0], params, slot)
        for comparison in pattern.any[1:]:
            either = either | _condition(comparison, params, slot)
        expression = expression & either
    return expression


#: Most matches one action of a single-fact rule receives. durable-rules runs each action through
#: a round of JSON state handling (≈ 15 µs); ``cap`` hands an action every match of the call at
#: once, so a chunk of facts costs one action per rule that matched rather than one per match.
ACTION_CAP = 1000


def _recorder(rule_id: str, index: int, aliases: tuple[str, ...]) -> Callable[[Any], None]:
    def record(context: Any) -> None:
        facts = tuple((alias, getattr(context, alias)["id"]) for alias in aliases)
        first = getattr(context, aliases[0])
        MATCHES[first["sid"]].append((first["grp"], Match(rule_id, index, facts)))

    action = _keeping_interrupts(record)
    action.__name__ = f"{rule_id}#{index}"
    return action


def _capped_recorder(rule_id: str, index: int, slot: int | None = None) -> Callable[[Any], None]:
    """Records the facts a single-fact rule matched or, given ``slot``, the fact in that slot of
    each packed fact it matched."""
    key = "id" if slot is None else slot_field(slot, "id")

    def record(context: Any) -> None:
        for fact in context.m:  # a capped action gets a list of matched facts
            MATCHES[fact["sid"]].append((fact["grp"], Match(rule_id, index, (("m", fact["id"]),))))

    def record_slot(context: Any) -> None:
        for fact in context.m:  # a slot holds its fact's own id; the id sent whole is "group:id"
            MATCHES[fact["sid"]].append((fact["grp"], Match(rule_id, index, (("m", f"{fact['grp']}:{fact[key]}"),))))

    chosen = _keeping_interrupts(record if slot is None else record_slot)
    chosen.__name__ = f"{rule_id}#{index}" if slot is None else f"{rule_id}#{index}@{slot}"
    return chosen


#: The kind of the fact each session opens with (see :func:`engine.runtime.evaluate_groups`).
OPENING = "session-opening"


def _opened(context: Any) -> None:
    """The action of the opening fact: the first action a session runs, and all it needs to do is run.

    durable-rules 2.0.28 leaves a new state's action context (``context.messages``,
    ``context.stateFact``) uninitialised until the state runs its first action, and frees both
    pointers when the state is deleted: deleting a state that never ran an action frees whatever
    the memory held, which crashes the process when it is not zero."""


def _ruleset_name(profile: Profile, rules: tuple[Rule, ...], packed: dict[str, int]) -> str:
    """A name derived from everything the ruleset is built from, in a canonical order: the same
    content always gets the same name, and different content (another rulebook) never clashes."""
    canonical = attrs.evolve(profile, rules=tuple(sorted(profile.rules)),
                             parameters=dict(sorted(profile.parameters.items())))
    payload = json.dumps([rule_as_data(r) for r in rules] + [repr(canonical), packed], ensure_ascii=False, default=str)
    return f"zhifa.{profile.id}.{hashlib.sha256(payload.encode()).hexdigest()[:12]}"


def _keep_from_durable_threads(definition: ruleset) -> None:
    """Register the ruleset with durable-rules' host in its directory only, where zhifa's calls find
    it by name, and not in the list its two polling threads walk: they run outside ENGINE_LOCK (one
    runs actions left pending, one asserts timer events into every session) and could run an action
    of a session while zhifa evaluates or deletes it; zhifa runs each action in the call that fired
    it and uses no timers. Off that list, a ruleset also costs those threads nothing while idle, and
    is removed without racing their walk (they index the list without a lock). Its ``dispatch`` does
    nothing besides, should anything call it."""
    name, rules = definition.define()
    host = get_host()
    (built,) = Ruleset.create_rulesets(host, {name: rules}).values()
    built.dispatch = built.dispatch_timers = _not_polled
    host._ruleset_directory[name] = built


def _not_polled() -> None:
    """What durable-rules' polling threads would do with a zhifa ruleset: nothing."""


#: Most distinct rulesets kept compiled at once. Each holds about a quarter of a megabyte (durable-rules'
#: C core and its Python objects); beyond this, the least recently used is removed from durable-rules,
#: and compiled again (a few milliseconds) if a rulebook of its content is checked again. The shipped
#: rulebook has five profiles; rulebooks built per request with other content would otherwise each
#: leave a ruleset behind for the life of the process.
RULESETS_KEPT = 64

#: (id of the rulebook, profile id) → (the rulebook, weakly; the compiled profile; the profile it
#: was compiled for). An entry goes when its rulebook does (a rulebook made per request must not
#: stay forever); the shipped one lives as long as the process, so its profiles compile once (and
#: again only if their rulesets were removed meanwhile, see RULESETS_KEPT).
_COMPILED: dict[tuple[int, str], tuple[weakref.ref[Rulebook], CompiledProfile, Profile]] = {}
#: Ruleset name → compiled profile, for every ruleset registered in durable-rules (which registers a
#: name once), least recently used first: at most RULESETS_KEPT. Only touched while ENGINE_LOCK is held.
_BY_NAME: OrderedDict[str, CompiledProfile] = OrderedDict()
#: Other modules' caches keyed by (ruleset name, …) (:func:`per_ruleset`).
_PER_RULESET: list[dict[Any, Any]] = []

_Table = TypeVar("_Table", bound=dict[Any, Any])


def per_ruleset(table: _Table) -> _Table:
    """``table``, a cache whose keys start with a ruleset's name: its entries for a ruleset go when
    the ruleset is removed (see RULESETS_KEPT), so that it does not grow with every rulebook either."""
    _PER_RULESET.append(table)
    return table


def _build(compiled: CompiledProfile) -> None:
    """Compile the profile's ruleset into durable-rules under its name, off its polling
    (:func:`_keep_from_durable_threads`)."""
    rules, params, packed = compiled.rules, compiled.params, compiled.packed
    definition = ruleset(compiled.ruleset)
    try:
        with definition:
            for rule in rules:
                for index, alternative in enumerate(rule.when):
                    patterns = alternative.match
                    if patterns[0].fact in packed:
                        for slot in range(packed[patterns[0].fact]):
                            when_all(cap(ACTION_CAP), _pattern(patterns[0], params, slot))(
                                _capped_recorder(rule.id, index, slot))
                    elif len(patterns) == 1 and patterns[0].alias == "m":
                        when_all(cap(ACTION_CAP), _pattern(patterns[0], params))(_capped_recorder(rule.id, index))
                    else:
                        # A session holds several bundles (``grp``); a join never crosses them.
                        first = getattr(c, patterns[0].alias)
                        bound = [getattr(c, p.alias) << (_pattern(p, params) if k == 0 else
                                                         _pattern(p, params) & (m.grp == first.grp))
                                 for k, p in enumerate(patterns)]
                        when_all(*bound)(_recorder(rule.id, index, tuple(p.alias for p in patterns)))
            when_all(m.kind == OPENING)(_opened)
    finally:
        # durable.lang would register it with the next get_host(), polled: zhifa registers it itself.
        durable.lang._rulesets.pop(compiled.ruleset, None)
    _keep_from_durable_threads(definition)


def _forget_least_used() -> None:
    """Remove the least recently used rulesets beyond RULESETS_KEPT from durable-rules (its C core's
    memory freed) and from every cache keyed by ruleset. The caller holds ENGINE_LOCK, so no session
    of any ruleset is open (one opens and is deleted within one hold of the lock, see
    :func:`engine.runtime.evaluate_groups`; the state of one that failed to open, left undeleted,
    goes with the ruleset's state pool, which the C core frees without reading it). A compiled
    profile still held elsewhere (a check_many paused between reports, a check in another thread
    between compiling and evaluating) is registered again when it is next used (:func:`in_use`)."""
    kept = max(RULESETS_KEPT, 1)  # the ruleset just registered stays
    if len(_BY_NAME) <= kept:
        return
    host = get_host()
    while len(_BY_NAME) > kept:
        name, _ = _BY_NAME.popitem(last=False)
        rules = host._ruleset_directory.pop(name)
        # Handle 0 is no handle: a stale object left somewhere fails cleanly rather than reach the
        # ruleset the C core later gives the freed handle to.
        handle, rules._handle = rules._handle, 0
        durable_rules_engine.delete_ruleset(handle)
    for table in _PER_RULESET:
        for key in list(table):  # another thread may add to it meanwhile (without the lock): a copy
            if key[0] not in _BY_NAME:
                table.pop(key, None)


def in_use(compiled: CompiledProfile) -> CompiledProfile:
    """``compiled``, its ruleset registered in durable-rules (compiled again, the same rules under the
    same name, if it was removed) and counted as just used. The caller holds ENGINE_LOCK and uses
    the ruleset before releasing it."""
    if compiled.ruleset in _BY_NAME:
        _BY_NAME.move_to_end(compiled.ruleset)
        return compiled
    _build(compiled)
    _BY_NAME[compiled.ruleset] = compiled
    _forget_least_used()
    return compiled


def _remember(rulebook: Rulebook, profile: Profile, compiled: CompiledProfile) -> CompiledProfile:
    key = (id(rulebook), profile.id)
    # A dict's pop is atomic: the callback may run in any thread, at any time, without ENGINE_LOCK.
    _COMPILED[key] = (weakref.ref(rulebook, lambda _: _COMPILED.pop(key, None)), compiled, profile)
    return compiled


def compile_profile(rulebook: Rulebook, profile_id: str) -> CompiledProfile:
    """The profile's ruleset, compiled on first use and cached while the rulebook lives (and its
    ruleset is among the RULESETS_KEPT last used)."""
    with ENGINE_LOCK:
        cached = _COMPILED.get((id(rulebook), profile_id))
        # The profile it was compiled for must be the one the rulebook holds (a rulebook is read-only).
        if cached is not None and cached[0]() is rulebook and cached[2] is rulebook.profiles.get(profile_id):
            return in_use(cached[1])
        profile = rulebook.profile(profile_id)
        # A rulebook assembled in Python (attrs.evolve of the shipped one) was never checked on load.
        located = [(rulebook.file_of(profile), p) for p in profile_problems(rulebook, profile)]
        for rule in (rulebook.rules[r] for r in sorted(profile.rules) if r in rulebook.rules):  # others: reported above
            file = rulebook.file_of(rule)
            located.extend((file, p) for p in (*definition_problems(rule), *citation_problems(rulebook, rule),
                                               *rule_problems(rule)))
        located.extend((rulebook.file_of(profile), p) for p in owed_by_problems(rulebook, profile))
        if located:
            raise RulebookError(profile_id, [p for _, p in located], [file for file, _ in located])
        rules = rulebook.rules_of(profile)
        params = ParameterValues({name: value.value for name, value in profile.parameters.items()},
                                 {name: value.title for name, value in profile.parameters.items() if value.title},
                                 {name: value.owed_by.role for name, value in profile.parameters.items()
                                  if value.owed_by})
        matched = _matched_fields(rules)
        packed = _packed_kinds(rules, matched)  # part of the name: the same rules packed otherwise are another ruleset
        name = _ruleset_name(profile, rules, packed)
        compiled = _BY_NAME.get(name) or CompiledProfile(name, profile, rules, params, matched, packed)
        return _remember(rulebook, profile, in_use(compiled))
