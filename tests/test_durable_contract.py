"""What zhifa relies on in durable-rules 2.0.28 beyond its documented API (see :mod:`engine.runtime`),
pinned here so that an upgrade that changes it fails these tests first.

- The C core evaluates every fact of an ``assert_facts`` call, runs the actions the call fired, and
  only reports that some facts reached no rule; ``durable.lang.assert_facts`` turns that report into
  an error, which is why zhifa asserts through the C core (:func:`engine.runtime.assert_facts`).
- A state that never ran an action must not be deleted: durable-rules frees its uninitialised
  action context (:func:`engine.compile._opened`). Every session zhifa opens runs one first.
- Whole numbers beyond 2**63 − 1 are compared wrongly, without an error; zhifa never sends one
  (``tests/test_figure_limits.py``).
- An ``assert_facts`` call with no facts crashes the C core; zhifa never makes one. Nor does a
  fact of more than MAX_FACT_PROPERTIES properties; zhifa packs no more slots than fit.
- durable-rules' host polls every ruleset from two threads of its own, outside zhifa's lock;
  zhifa's rulesets are taken off that polling (:func:`engine.compile._keep_from_durable_threads`):
  the threads walk the host's list of rulesets, and a ruleset registered in its directory alone is
  found by name all the same. A ruleset zhifa removes (``engine.compile.RULESETS_KEPT``) is deleted
  in the C core; a call on its handle afterwards is refused, not run on freed memory.
"""

from __future__ import annotations

import inspect
import json
import subprocess
import sys
from decimal import Decimal
from typing import Any

import attrs
import durable_rules_engine
import pytest
from durable.engine import Host, MessageNotHandledException, MessageObservedException
from durable.lang import assert_facts as lang_assert_facts
from durable.lang import cap, delete_state, get_host, m, ruleset, when_all

import engine
import engine.compile
import engine.runtime
from engine import RuleError
from engine.compile import ENGINE_LOCK, MATCHES, MAX_FACT_PROPERTIES, OPENING, compile_profile
from engine.facts import FACT_KINDS
from engine.runtime import EXACT_LIMIT
from forms import load_document
from rulebook import load_rulebook

from .conftest import EXAMPLES, ROOT

RULESET = "zhifa.test.durable-contract"
TAKEN: list[str] = []


@pytest.fixture(scope="module")
def contract_ruleset() -> str:
    """A ruleset as zhifa compiles them: a capped single-fact rule and the opening rule."""
    with ENGINE_LOCK, ruleset(RULESET):
        @when_all(cap(100), (m.kind == "form") & (m.rectified > m.found))
        def over(context: Any) -> None:
            TAKEN.extend(fact["id"] for fact in context.m)

        @when_all(cap(100), (m.kind == "labelled") & (m.label == "企业自查发现, 其中: 整改"))
        def labelled(context: Any) -> None:
            TAKEN.extend(fact["id"] for fact in context.m)

        @when_all(m.kind == OPENING)
        def opened(context: Any) -> None:
            pass
    return RULESET


def _form(fact_id: str, found: int, rectified: int, sid: str) -> dict[str, Any]:
    return {"kind": "form", "id": fact_id, "sid": sid, "found": found, "rectified": rectified}


def test_a_call_whose_facts_mostly_reach_no_rule_still_evaluates_and_acts_on_them_all(contract_ruleset: str) -> None:
    TAKEN.clear()
    with ENGINE_LOCK:
        engine.runtime.open_session(contract_ruleset, "a")
        try:
            engine.runtime.assert_facts(contract_ruleset, [
                _form("clean", 3, 2, "a"), _form("over-1", 1, 2, "a"),
                {"kind": "no rule matches this kind", "id": "other", "sid": "a"}, _form("over-2", 0, 5, "a")])
            engine.runtime.assert_facts(contract_ruleset, [_form("clean-2", 3, 3, "a")])  # nothing fires
        finally:
            delete_state(contract_ruleset, "a")
    assert sorted(TAKEN) == ["over-1", "over-2"]


def test_durable_lang_refuses_the_same_call(contract_ruleset: str) -> None:
    """Why zhifa does not assert through ``durable.lang``: a fact no rule takes fails the whole call."""
    TAKEN.clear()
    with ENGINE_LOCK:
        engine.runtime.open_session(contract_ruleset, "b")
        try:
            with pytest.raises(MessageNotHandledException):
                lang_assert_facts(contract_ruleset, [_form("clean", 3, 2, "b"), _form("over", 1, 2, "b")])
        finally:
            delete_state(contract_ruleset, "b")
    assert TAKEN == []  # the action the call fired never ran


def test_whole_numbers_are_compared_exactly_up_to_the_limit_and_wrongly_beyond(contract_ruleset: str) -> None:
    pairs = {"at": (EXACT_LIMIT - 1, EXACT_LIMIT), "beyond": (2**63, 2**63 + 1), "far": (10**20, 10**20 + 1)}
    TAKEN.clear()
    with ENGINE_LOCK:
        engine.runtime.open_session(contract_ruleset, "d")
        try:
            engine.runtime.assert_facts(contract_ruleset, [_form(name, found, rectified, "d")
                                                           for name, (found, rectified) in pairs.items()])
        finally:
            delete_state(contract_ruleset, "d")
    assert TAKEN == ["at"]  # every pair has rectified > found; beyond the limit durable-rules misses it


def test_facts_are_sent_as_compact_json_and_read_as_sent(contract_ruleset: str) -> None:
    """zhifa sends JSON without json.dumps's spaces and keeps text as it is (not escaped to ASCII);
    the C core reads it as the same facts: numbers compared, text matched whole, spaces inside
    text kept."""
    facts = [{"kind": "labelled", "id": "text", "sid": "e", "label": "企业自查发现, 其中: 整改"},
             {"kind": "labelled", "id": "other-text", "sid": "e", "label": "企业自查发现,其中:整改"},
             _form("over", 1, 2, "e"), _form("clean", 2, 1, "e")]
    text = engine.runtime.encode_facts(facts)
    assert json.loads(text) == facts
    assert "企业自查发现, 其中: 整改" in text and '", "' not in text and '": ' not in text
    assert len(text) < len(json.dumps(facts, ensure_ascii=False))
    TAKEN.clear()
    with ENGINE_LOCK:
        engine.runtime.open_session(contract_ruleset, "e")
        try:
            engine.runtime.assert_facts(contract_ruleset, facts)
        finally:
            delete_state(contract_ruleset, "e")
    assert sorted(TAKEN) == ["over", "text"]


def test_a_fact_a_rule_takes_asserted_twice_is_still_an_error(contract_ruleset: str) -> None:
    """durable-rules' other answers keep their meaning. (A fact no rule takes is not checked for
    repeats: the C core answers "not handled" first. zhifa's fact ids are unique in a session.)"""
    with ENGINE_LOCK:
        engine.runtime.open_session(contract_ruleset, "c")
        try:
            engine.runtime.assert_facts(contract_ruleset, [_form("once", 1, 2, "c")])
            with pytest.raises(MessageObservedException):
                engine.runtime.assert_facts(contract_ruleset, [_form("once", 1, 2, "c")])
        finally:
            delete_state(contract_ruleset, "c")


def test_the_opening_kind_is_no_fact_kind() -> None:
    assert OPENING not in FACT_KINDS


class _Spy:
    def __init__(self, patch: pytest.MonkeyPatch, fail_opening: bool = False) -> None:
        self.calls: list[tuple[str, str]] = []
        opening, deleting = engine.runtime.open_session, engine.runtime.delete_state

        def open_session(name: str, sid: str) -> None:
            self.calls.append(("open", sid))
            if fail_opening:
                raise RuntimeError("the opening failed")
            opening(name, sid)

        def delete(name: str, sid: str) -> None:
            self.calls.append(("delete", sid))
            deleting(name, sid)

        patch.setattr(engine.runtime, "open_session", open_session)
        patch.setattr(engine.runtime, "delete_state", delete)


def test_every_session_runs_an_action_before_its_state_is_deleted(monkeypatch: pytest.MonkeyPatch) -> None:
    spy = _Spy(monkeypatch)
    minhang = load_document(EXAMPLES / "minhang-2020.yaml")  # no rule fires on it
    assert engine.check(minhang).violations == ()
    list(engine.check_many([minhang] * 3))
    sids = [sid for what, sid in spy.calls if what == "open"]
    assert len(sids) == 2 and len(set(sids)) == 2
    assert spy.calls == [(what, sid) for sid in sids for what in ("open", "delete")]


def test_a_session_that_did_not_open_is_left_undeleted(monkeypatch: pytest.MonkeyPatch) -> None:
    spy = _Spy(monkeypatch, fail_opening=True)
    with pytest.raises(RuleError, match="the opening failed"):
        engine.check(load_document(EXAMPLES / "minhang-2020.yaml"))
    assert [what for what, _ in spy.calls] == ["open"]


class _Interrupting(dict):  # type: ignore[type-arg]
    """MATCHES as an action sees it, raising ``interrupt`` as Ctrl-C or an exit would, mid-action."""

    def __init__(self, interrupt: BaseException) -> None:
        super().__init__()
        self.interrupt = interrupt

    def __getitem__(self, sid: str) -> Any:
        raise self.interrupt


@pytest.mark.parametrize("interrupt", [KeyboardInterrupt(), SystemExit(143)])
@pytest.mark.parametrize("document", ["chongming-2024.yaml", "putuo-2024.yaml"])  # plans some rule fires on
def test_an_interrupt_during_an_action_stops_the_check(monkeypatch: pytest.MonkeyPatch, interrupt: BaseException,
                                                       document: str) -> None:
    """durable-rules keeps only the text of whatever an action raises: Ctrl-C there was reported as
    a failed evaluation, every document of the session unusable, and the check went on."""
    plan = load_document(EXAMPLES / document)
    expected = engine.check(plan)
    with monkeypatch.context() as patch:
        patch.setattr(engine.compile, "MATCHES", _Interrupting(interrupt))
        with pytest.raises(type(interrupt)):
            engine.check(plan)
        with pytest.raises(type(interrupt)):
            list(engine.check_many([plan] * 3))
    assert MATCHES == {} and engine.compile.INTERRUPTS == []
    assert engine.check(plan) == expected  # nothing left behind


def test_an_empty_call_is_never_made() -> None:
    """durable-rules' C core crashes the process on an ``assert_facts`` call with no facts (through
    ``durable.lang`` too); zhifa answers such a call without calling durable-rules."""
    worker = ("import sys; from durable.lang import assert_facts, m, ruleset, when_all\n"
              "with ruleset('empty'):\n    when_all(+m.kind)(lambda c: None)\n"
              "assert_facts('empty', [{'kind': 'a', 'id': '1', 'sid': '1'}])\n"
              "if sys.argv[1] == 'zhifa':\n    import engine.runtime; engine.runtime.assert_facts('empty', [])\n"
              "else:\n    assert_facts('empty', [])\n"
              "print('survived')")
    outcomes = {way: subprocess.run([sys.executable, "-c", worker, way], cwd=ROOT, capture_output=True,
                                    timeout=60, check=False) for way in ("zhifa", "durable.lang")}
    assert outcomes["zhifa"].returncode == 0 and outcomes["zhifa"].stdout.decode().split() == ["survived"]
    assert outcomes["durable.lang"].returncode != 0  # the hazard itself, so this test notices if it goes


def test_a_fact_of_max_fact_properties_is_taken_and_one_more_crashes() -> None:
    worker = ("import sys; from durable.lang import assert_facts, m, ruleset, when_all\n"
              "with ruleset('wide'):\n    when_all(+m.kind)(lambda c: None)\n"
              "fact = {'kind': 'a', 'id': '1', 'sid': '1'}\n"
              "fact.update({f'p{k}': k for k in range(int(sys.argv[1]) - len(fact))})\n"
              "assert_facts('wide', [fact])\nprint(len(fact))")
    for properties, survives in ((MAX_FACT_PROPERTIES, True), (MAX_FACT_PROPERTIES + 1, False)):
        proc = subprocess.run([sys.executable, "-c", worker, str(properties)], cwd=ROOT, capture_output=True,
                              timeout=60, check=False)
        assert (proc.returncode == 0) is survives, (properties, proc.returncode)
        if survives:
            assert proc.stdout.decode().split() == [str(properties)]


# Clean documents in fresh processes: no rule fires, so the opening action is the only one their
# sessions run. Without it, deleting the first session crashed every fresh process (SIGSEGV).
CLEAN_WORKER = """
import sys
import engine
from forms import load_document
from rulebook import load_rulebook
documents = [load_document(p) for p in sys.argv[1:]]
for document in documents:
    assert engine.check(document).violations == (), document
print(sum(1 for report in engine.check_many(documents) if report.violations == ()))
"""


def test_clean_documents_in_fresh_processes_end_normally() -> None:
    clean = [EXAMPLES / "minhang-2020.yaml",
             *sorted((ROOT / "examples" / "campaigns" / "chongming-2023" / "clean").glob("城桥镇-2023-0*.yaml"))[:1]]
    for _ in range(5):
        proc = subprocess.run([sys.executable, "-c", CLEAN_WORKER, *map(str, clean)], cwd=ROOT,
                              capture_output=True, timeout=120, check=False)
        assert proc.returncode == 0, f"ended with {proc.returncode}\n{proc.stderr.decode(errors='replace')[-2000:]}"
        assert proc.stdout.decode().split() == [str(len(clean))]


def test_durable_rules_own_threads_never_run_an_action_of_a_zhifa_session() -> None:
    """An action left pending (asserted, not yet run) stays pending through what durable-rules'
    polling threads call, and runs when zhifa runs the call's actions."""
    compiled = compile_profile(load_rulebook(), "shanghai-minhang-2020")
    rules = get_host().get_ruleset(compiled.ruleset)
    sid = "polling"
    total = {"kind": "total", "id": "0:f0", "grp": 0, "sid": sid, "stated": 5, "computed": 6}
    with ENGINE_LOCK:
        MATCHES[sid] = []
        engine.runtime.open_session(compiled.ruleset, sid)
        try:
            _, state = durable_rules_engine.assert_facts(rules._handle, json.dumps([total]))  # its action left pending
            rules.dispatch()  # what the polling threads call, every 0.2 s
            rules.dispatch_timers()
            assert MATCHES[sid] == []
            rules.do_actions(state, lambda error, result: None)  # what the asserting call does next
            assert [(grp, match.rule, match.fact_ids) for grp, match in MATCHES[sid]] == [
                (0, "plan.totals", (("m", "0:f0"),))]
        finally:
            MATCHES.pop(sid)
            delete_state(compiled.ruleset, sid)


def test_the_polling_threads_walk_the_host_list_and_a_removed_ruleset_is_deleted(monkeypatch: pytest.MonkeyPatch) -> None:
    polling = inspect.getsource(Host._run)
    assert "self._ruleset_list" in polling and "_ruleset_directory" not in polling
    shipped = load_rulebook()
    profile = shipped.profiles["shanghai-chongming-2024"]

    def own(share: int) -> str:  # a rulebook of content of its own: a ruleset of its own
        value = attrs.evolve(profile.parameters["min_joint_share"], value=Decimal(share))
        rulebook = shipped.with_profile(attrs.evolve(profile, parameters={**profile.parameters, "min_joint_share": value}))
        return compile_profile(rulebook, profile.id).ruleset

    name = own(71)
    host = get_host()
    rules = host.get_ruleset(name)
    assert host._ruleset_directory[name] is rules and rules not in host._ruleset_list
    handle = rules._handle
    monkeypatch.setattr(engine.compile, "RULESETS_KEPT", 1)
    own(72)
    assert name not in host._ruleset_directory and rules._handle == 0
    fact = json.dumps([{"kind": "total", "id": "f0", "sid": "gone", "stated": 5, "computed": 6}])
    for gone in (handle, 0):
        with pytest.raises(durable_rules_engine.error, match="error code: 111"):  # invalid handle
            durable_rules_engine.assert_facts(gone, fact)
