"""Runs facts through a compiled ruleset, one isolated durable-rules session per evaluation.

The durable-rules hazards this module designs around (see the project's durable-rules guide):
it is not thread-safe (one lock); sessions are process-global (a fresh session id per evaluation,
its state deleted afterwards); many matches in one call can crash its C core (facts are asserted
in small chunks); and errors inside it leave partial results (any error fails the whole
evaluation: no partial report is ever returned).
"""

from __future__ import annotations

import contextlib
import itertools
from collections.abc import Sequence

from durable.lang import assert_facts, delete_state

from engine.compile import ENGINE_LOCK, MATCHES, CompiledProfile, Match
from engine.derived import Fact

#: Facts per ``assert_facts`` call. Each fact makes at most a few matches (its violations plus the
#: catch-all), so a call stays far below the hundreds of matches at which the C core misbehaved.
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
    if not facts:
        return []
    with ENGINE_LOCK:
        sid = str(next(_SESSION_IDS))
        MATCHES[sid] = []
        try:
            for start in range(0, len(facts), CHUNK_SIZE):
                chunk = [dict(fact, sid=sid) for fact in facts[start:start + CHUNK_SIZE]]
                state = assert_facts(compiled.ruleset, chunk)
                # durable-rules catches exceptions raised in actions and returns them in the state.
                if isinstance(state, dict) and "exception" in state:
                    raise RuleError(document, str(state["exception"]))
            # An `any` condition fires once per branch that holds; one violation per rule way and facts.
            return list(dict.fromkeys(MATCHES[sid]))
        except RuleError:
            raise
        except Exception as exc:  # the C core raises its own error types
            raise RuleError(document, f"{type(exc).__name__}: {exc}") from exc
        finally:
            MATCHES.pop(sid, None)
            # A session that never got state has none to delete.
            with contextlib.suppress(Exception):
                delete_state(compiled.ruleset, sid)
