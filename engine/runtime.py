"""Runs facts through a compiled ruleset, one isolated durable-rules session per evaluation.

The durable-rules hazards this module designs around (see the project's durable-rules guide):
it is not thread-safe (one lock); sessions are process-global (a fresh session id per evaluation,
its state deleted afterwards); many matches in one call can crash its C core (facts are asserted
in small chunks); and errors inside it leave partial results (any error fails the whole
evaluation: no partial report is ever returned).

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
import operator
from collections.abc import Callable, Iterator, Sequence
from typing import Any

import attrs
from durable.lang import assert_facts, delete_state

from engine.compile import ENGINE_LOCK, MATCHES, CompiledProfile, Match, slot_field
from engine.derived import Fact

#: Facts per ``assert_facts`` call, a packed fact counting as the facts it holds. Each fact makes
#: at most a few matches (its violations plus the catch-all), so a call stays far below the
#: hundreds of matches at which the C core misbehaved.
CHUNK_SIZE = 25

_SESSION_IDS = itertools.count(1)


class RuleError(RuntimeError):
    """The engine failed while evaluating a document; no report is given for it."""

    def __init__(self, document: str, detail: str) -> None:
        self.document = document
        self.detail = detail
        super().__init__(f"{document}: rule evaluation failed: {detail}")


def evaluate(compiled: CompiledProfile, facts: Sequence[Fact], document: str) -> list[Match]:
    """Every rule match for ``facts``, in the order durable-rules made them."""
    (matches,) = evaluate_groups(compiled, [facts], document)
    return matches


def _slim(fact: Fact, fields: tuple[str, ...], sid: str, group: int) -> Fact:
    """What durable-rules is sent of a fact: only what conditions read, since each byte is serialised."""
    sent = {name: fact[name] for name in fields}  # every fact has its kind's fields (engine.compile.check_fit)
    sent["kind"] = fact["kind"]
    sent["id"] = f"{group}:{fact['id']}"
    sent["grp"] = group
    sent["sid"] = sid
    return sent


@functools.cache
def _packing(fields: tuple[str, ...], slots: int) -> tuple[Callable[[Fact], tuple[Any, ...]], tuple[str, ...]]:
    """For a packed kind whose conditions read ``fields``: what to take of each of its facts (those
    fields and the id), and the names they are sent under, slot after slot."""
    names = (*fields, "id")
    take = operator.itemgetter(*names) if len(names) > 1 else (lambda fact: (fact["id"],))
    return take, tuple(slot_field(slot, name) for slot in range(slots) for name in names)


def to_send(compiled: CompiledProfile, groups: Sequence[Sequence[Fact]], sid: str) -> list[tuple[Fact, int]]:
    """What durable-rules is sent of these groups' facts, each with the number of facts it holds:
    each group's facts slimmed, then its facts of packed kinds, as many of one kind in a packed
    fact as the kind has slots. A fact sent whole has the id ``group:fact id``; a packed fact's slots keep their
    facts' own ids, its group tells whose they are."""
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
                # ``names`` runs on over every slot: zip stops with the last fact's values.
                pack = dict(zip(names, itertools.chain.from_iterable(map(take, part)), strict=False))
                pack.update(kind=kind, id=f"{g}:{part[0]['id']}+", grp=g, sid=sid, n=len(part))
                sent.append((pack, len(part)))
    return sent


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
        try:
            for chunk in chunks(to_send(compiled, groups, sid)):
                state = assert_facts(compiled.ruleset, chunk)
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
            # A session that never got state has none to delete.
            with contextlib.suppress(Exception):
                delete_state(compiled.ruleset, sid)
