"""Runs facts through a compiled ruleset, one isolated durable-rules session per evaluation.

The durable-rules hazards this module designs around (the behaviours of durable-rules it relies
on are pinned by ``tests/test_durable_contract.py``):
it is not thread-safe (one lock); sessions are process-global (a fresh session id per evaluation,
its state deleted afterwards, and only once it has run an action: see :func:`engine.compile._opened`);
many matches in one call can crash its C core (facts are asserted in small chunks); and errors
inside it leave partial results (any error fails the whole evaluation: no partial report is ever
returned).

Most facts break no rule, so no rule takes them: they are asserted through durable-rules' C core
directly (:func:`assert_facts`), which evaluates every fact of a call and only reports that some
reached no rule, rather than through ``durable.lang.assert_facts``, which turns that report into an
error before running the actions of the others.

One evaluation may carry several bundles of documents (``evaluate_groups``): each fact is tagged
with its bundle (``grp``), joins are compiled to stay within one, and the session's set-up and
deletion are paid once. Only the fields rule conditions read are sent, since durable-rules
serialises every fact it is given, and the facts of a kind that asks for it and that no join
matches are sent packed, several in one durable-rules fact (see :attr:`engine.derived.FactKind.pack`),
since each fact also has a fixed cost.
"""

from __future__ import annotations

import contextlib
import functools
import itertools
import json
import operator
from collections.abc import Callable, Collection, Iterator, Sequence
from typing import Any

import attrs
import durable_rules_engine
from durable.lang import delete_state, get_host

from engine.compile import ENGINE_LOCK, INTERRUPTS, MATCHES, OPENING, CompiledProfile, Match, in_use, slot_field
from engine.derived import Fact

#: Facts per ``assert_facts`` call, a packed fact counting as the facts it holds. Each fact makes
#: at most a few matches (its violations), so a call stays far below the hundreds of matches at
#: which the C core misbehaved.
CHUNK_SIZE = 25

#: What durable-rules' C core answers an assertion with: all facts handled, or some reached no rule.
_HANDLED, _NOT_HANDLED = 0, 1

#: The largest whole number durable-rules' C core compares exactly; it silently gets larger ones
#: wrong (``tests/test_durable_contract.py``). Loaders cap figures far below (forms.plan.MAX_FIGURE).
EXACT_LIMIT = 2**63 - 1


class InexactFigure(ValueError):
    """A fact carries a whole number beyond what durable-rules compares exactly."""


def _exact(kind: str, names: Sequence[str], values: Collection[Any]) -> None:
    """Raise :class:`InexactFigure` if any of ``values`` (sent as ``names``) is a whole number
    durable-rules would compare wrongly."""
    try:  # all numbers, as the fields conditions compare mostly are: their largest size, worked
        # out in C (a third of the time of the loop below; nan makes it fall through)
        if max(map(abs, values), default=0) <= EXACT_LIMIT:
            return
    except TypeError:  # text among them
        pass
    for value in values:
        if type(value) is int and (value > EXACT_LIMIT or value < -EXACT_LIMIT):
            name = names[list(values).index(value)]  # only on the way out: values are not copied per fact
            raise InexactFigure(f"a {kind} fact's {name} is {value}, beyond the whole numbers durable-rules "
                                f"compares exactly (±{EXACT_LIMIT})")

_SESSION_IDS = itertools.count(1)

#: The JSON text durable-rules is sent: built once, without the spaces of ``json.dumps``'s default
#: separators (a tenth of the text), and without its check for circular references, since facts
#: are flat records of numbers and text.
encode_facts = json.JSONEncoder(ensure_ascii=False, check_circular=False, separators=(",", ":")).encode


class RuleError(RuntimeError):
    """The engine failed while evaluating a document; no report is given for it."""

    def __init__(self, document: str, detail: str) -> None:
        self.document = document
        self.detail = detail
        super().__init__(f"{document}: rule evaluation failed: {detail}")

    def __reduce__(self) -> tuple[Any, ...]:
        return type(self), (self.document, self.detail)  # pickled by its fields (see forms.LoadError)


def evaluate(compiled: CompiledProfile, facts: Sequence[Fact], document: str) -> list[Match]:
    """Every rule match for ``facts``, in the order durable-rules made them."""
    (matches,) = evaluate_groups(compiled, [facts], document)
    return matches


def _slim(fact: Fact, fields: tuple[str, ...], sid: str, group: int) -> Fact:
    """What durable-rules is sent of a fact: only what conditions read, since each byte is serialised."""
    sent = {name: fact[name] for name in fields}  # every fact has its kind's fields (engine.compile.rule_problems)
    _exact(fact["kind"], fields, sent.values())
    sent["kind"] = fact["kind"]
    sent["id"] = f"{group}:{fact['id']}"
    sent["grp"] = group
    sent["sid"] = sid
    return sent


@functools.cache
def _packing(fields: tuple[str, ...], slots: int) -> tuple[Callable[[Fact], tuple[Any, ...]], tuple[tuple[str, ...], ...]]:
    """For a packed kind whose conditions read ``fields``: what to take of each of its facts (those
    fields), and, for a packed fact of ``n`` facts, the names it sends them under (at ``n``): the
    fields slot after slot, then the slots' ids. Ids come last so that the figures, taken
    together, can be checked in one go (:func:`_exact`)."""
    if len(fields) == 1:
        (field,) = fields
        take: Callable[[Fact], tuple[Any, ...]] = lambda fact: (fact[field],)  # noqa: E731
    else:
        take = operator.itemgetter(*fields) if fields else (lambda fact: ())
    names = tuple(tuple(slot_field(slot, name) for slot in range(n) for name in fields)
                  + tuple(slot_field(slot, "id") for slot in range(n)) for n in range(slots + 1))
    return take, names


_ID = operator.itemgetter("id")


def to_send(compiled: CompiledProfile, groups: Sequence[Sequence[Fact]], sid: str) -> list[tuple[Fact, int]]:
    """What durable-rules is sent of these groups' facts, each with the number of facts it holds:
    each group's facts slimmed, then its facts of packed kinds, as many of one kind in a packed
    fact as the kind has slots. A fact sent whole has the id ``group:fact id``; a packed fact's
    slots keep their facts' own ids, its group tells whose they are. Raises :class:`InexactFigure`
    rather than send a whole number durable-rules would compare wrongly."""
    fields = compiled.matched_fields
    packed = compiled.packed
    sent: list[tuple[Fact, int]] = []
    for g, facts in enumerate(groups):
        by_kind: dict[str, list[Fact]] = {}
        for fact in facts:
            kind = fact["kind"]
            if kind in packed:
                by_kind.setdefault(kind, []).append(fact)
            else:
                sent.append((_slim(fact, fields.get(kind, ()), sid, g), 1))
        for kind, members in by_kind.items():
            slots = packed[kind]
            take, names = _packing(fields.get(kind, ()), slots)
            for start in range(0, len(members), slots):
                part = members[start:start + slots]
                figures = tuple(itertools.chain.from_iterable(map(take, part)))
                _exact(kind, names[len(part)], figures)
                pack = dict(zip(names[len(part)], (*figures, *map(_ID, part)), strict=True))
                pack.update(kind=kind, id=f"{g}:{part[0]['id']}+", grp=g, sid=sid, n=len(part))  # PACK_ENVELOPE
                sent.append((pack, len(part)))
    return sent


def assert_facts(ruleset_name: str, facts: list[Fact]) -> Any:
    """Assert ``facts`` and run the actions they fire before returning, as
    ``durable.lang.assert_facts`` does, except that a fact no rule takes is not an error. The
    caller holds ENGINE_LOCK.

    The C core evaluates every fact of the call either way (``tests/test_durable_contract.py`` pins
    this). The alternative, a catch-all rule that takes every fact, costs an action per call: a
    fifth of zhifa's time on dispatch forms (docs/performance.md). Returns what durable-rules
    returns: the session state, or the exception an action raised, in the state; nothing for no
    facts, since durable-rules' C core crashes on an empty call."""
    if not facts:
        return None
    host = get_host()
    rules = host.get_ruleset(ruleset_name)

    def assert_all(batch: list[Fact]) -> Any:
        answer, state = durable_rules_engine.assert_facts(rules._handle, encode_facts(batch))
        # durable-rules' own reading of every other answer (a fact asserted twice raises).
        return rules._handle_result((_HANDLED if answer == _NOT_HANDLED else answer, state), batch)

    return host._handle_function(rules, assert_all, facts, None)


def open_session(ruleset_name: str, sid: str) -> None:
    """Run the session's first action, on a fact of its own (see :func:`engine.compile._opened`)."""
    assert_facts(ruleset_name, [{"kind": OPENING, "id": OPENING, "sid": sid}])


def chunks(sent: list[tuple[Fact, int]]) -> Iterator[list[Fact]]:
    """The sent facts in calls of at most CHUNK_SIZE facts, a packed fact counting as those it holds."""
    chunk: list[Fact] = []
    size = 0
    for fact, holds in sent:
        if chunk and size + holds > CHUNK_SIZE:
            yield chunk
            chunk, size = [], 0
        chunk.append(fact)
        size += holds
    if chunk:
        yield chunk


def evaluate_groups(compiled: CompiledProfile, groups: Sequence[Sequence[Fact]], name: str) -> list[list[Match]]:
    """The matches of each group of facts (a bundle), all evaluated in one session: one session and
    one state deletion for many bundles, facts sent in small chunks. A join never crosses groups
    (see :mod:`engine.compile`). Any engine error fails every group: no partial result is returned."""
    if not any(groups):
        return [[] for _ in groups]
    with ENGINE_LOCK:
        sid = str(next(_SESSION_IDS))
        MATCHES[sid] = []
        INTERRUPTS.clear()
        opened = False
        try:
            in_use(compiled)  # registered again if other rulebooks' rulesets have displaced it since
            open_session(compiled.ruleset, sid)
            opened = True
            for chunk in chunks(to_send(compiled, groups, sid)):
                state = assert_facts(compiled.ruleset, chunk)
                if INTERRUPTS:  # Ctrl-C or an exit during an action: not an engine failure
                    interrupt = INTERRUPTS.pop()
                    INTERRUPTS.clear()
                    raise interrupt
                # durable-rules catches exceptions raised in actions and returns them in the state.
                if isinstance(state, dict) and "exception" in state:
                    raise RuleError(name, str(state["exception"]))
            found: list[list[Match]] = [[] for _ in groups]
            # An `any` condition fires once per branch that holds; one violation per rule way and facts.
            for group, match in dict.fromkeys(MATCHES[sid]):
                ids = tuple((alias, fact_id.split(":", 1)[1]) for alias, fact_id in match.fact_ids)
                found[group].append(attrs.evolve(match, fact_ids=ids))
            return found
        except RuleError:
            raise
        except Exception as exc:  # the C core raises its own error types
            raise RuleError(name, f"{type(exc).__name__}: {exc}") from exc
        finally:
            MATCHES.pop(sid, None)
            # A state that never ran an action cannot be deleted safely; left, it costs a few bytes.
            if opened:
                with contextlib.suppress(Exception):
                    delete_state(compiled.ruleset, sid)
