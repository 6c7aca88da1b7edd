"""Rulebooks built per request with content of their own (a tenant's parameter) are compiled into
durable-rules rulesets that do not stay forever: at most ``engine.compile.RULESETS_KEPT`` are kept,
the least recently used removed from durable-rules and from zhifa's caches, and compiled again,
giving the same reports, when their content is checked again. A check that holds a compiled
profile while others push its ruleset out (a paused ``check_many``, another thread) still works."""

from __future__ import annotations

import json
import subprocess
import sys
import threading
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path

import attrs
import durable.lang
import pytest
from durable.lang import get_host

import engine
from engine import compile as compiler
from engine.check import _RULES_FOR
from engine.runtime import evaluate
from forms import CONVERTER, load_document
from rulebook import Rulebook, load_rulebook

ROOT = Path(__file__).resolve().parents[1]
SHIPPED = load_rulebook()
PROFILE = "shanghai-chongming-2024"
PLAN = load_document(ROOT / "examples" / "plans" / "chongming-2024.yaml")


def with_share(share: Decimal) -> Rulebook:
    """The shipped rulebook, its Chongming 2024 profile asking ``share`` % joint inspections: a
    rulebook of content of its own, as a service might build per tenant."""
    profile = SHIPPED.profiles[PROFILE]
    value = attrs.evolve(profile.parameters["min_joint_share"], value=share)
    return SHIPPED.with_profile(attrs.evolve(profile, parameters={**profile.parameters, "min_joint_share": value}))


def shares(count: int, start: int = 0) -> Iterator[Decimal]:
    """``count`` distinct shares a plan's joint inspections fall short of (every check finds plan.joint-share)."""
    return (Decimal(60) + Decimal(n) / 100 for n in range(start, start + count))


def as_bytes(report: engine.Report) -> bytes:
    return json.dumps(CONVERTER.unstructure(report), ensure_ascii=False, sort_keys=True, default=str).encode()


def zhifa_rulesets() -> list[str]:
    """The rulesets zhifa compiled that durable-rules' host has registered (their dispatch does nothing)."""
    return [name for name, rules in get_host()._ruleset_directory.items() if rules.dispatch is compiler._not_polled]


def test_rulebooks_of_distinct_content_keep_at_most_the_bound_of_rulesets() -> None:
    for share in shares(compiler.RULESETS_KEPT + 10):
        report = engine.check(PLAN, rulebook=with_share(share))
        assert "plan.joint-share" in report.rules_violated
    kept = zhifa_rulesets()
    assert len(kept) == compiler.RULESETS_KEPT
    assert sorted(kept) == sorted(compiler._BY_NAME)
    assert {name for name, _ in _RULES_FOR} <= set(compiler._BY_NAME)
    # None is left for durable.lang to register later, nor walked by durable-rules' polling threads.
    assert not [name for name in durable.lang._rulesets if name.startswith(f"zhifa.{PROFILE}.")]
    assert not [rules for rules in get_host()._ruleset_list if rules.dispatch is compiler._not_polled]


def test_a_removed_ruleset_is_compiled_again_and_gives_the_same_report() -> None:
    rulebook = with_share(Decimal("55.55"))
    first = engine.check(PLAN, rulebook=rulebook)
    name = compiler.compile_profile(rulebook, PROFILE).ruleset
    for share in shares(compiler.RULESETS_KEPT):
        engine.check(PLAN, rulebook=with_share(share))
    assert name not in zhifa_rulesets()
    assert as_bytes(engine.check(PLAN, rulebook=rulebook)) == as_bytes(first)
    assert as_bytes(engine.check(PLAN, rulebook=with_share(Decimal("55.55")))) == as_bytes(first)
    assert "55.55" in first.violations[[v.rule for v in first.violations].index("plan.joint-share")].message
    assert name in zhifa_rulesets()


def test_a_paused_check_many_goes_on_after_other_rulebooks_removed_its_ruleset() -> None:
    rulebook = with_share(Decimal("44.44"))
    expected = as_bytes(engine.check(PLAN, rulebook=rulebook))
    reports = engine.check_many([PLAN, PLAN, PLAN], rulebook=rulebook, batch=1)
    assert as_bytes(next(reports)) == expected
    name = compiler.compile_profile(rulebook, PROFILE).ruleset
    for share in shares(compiler.RULESETS_KEPT):
        engine.check(PLAN, rulebook=with_share(share))
    assert name not in zhifa_rulesets()
    assert [as_bytes(r) for r in reports] == [expected, expected]


def test_a_compiled_profile_held_while_its_ruleset_is_removed_is_evaluated_as_before() -> None:
    """What a check does between compiling a profile and evaluating under it, while other threads
    compile rulebooks of their own."""
    compiled = compiler.compile_profile(with_share(Decimal("33.33")), PROFILE)
    facts = [{"kind": "total", "id": "f0", "stated": 5, "computed": 6}]
    before = evaluate(compiled, facts, "<held>")
    for share in shares(compiler.RULESETS_KEPT):
        compiler.compile_profile(with_share(share), PROFILE)
    assert compiled.ruleset not in zhifa_rulesets()
    assert evaluate(compiled, facts, "<held>") == before
    assert [m.rule for m in before] == ["plan.totals"]


def test_threads_checking_rulebooks_of_their_own_get_their_own_reports(monkeypatch: pytest.MonkeyPatch) -> None:
    """Two rulesets kept, four threads: each pushes the others' out between their compiling and
    evaluating."""
    monkeypatch.setattr(compiler, "RULESETS_KEPT", 2)
    tenants = list(shares(4, start=500))
    expected = {share: as_bytes(engine.check(PLAN, rulebook=with_share(share))) for share in tenants}
    found: dict[Decimal, list[bytes]] = {share: [] for share in tenants}

    def tenant(share: Decimal) -> None:
        for _ in range(15):
            found[share].append(as_bytes(engine.check(PLAN, rulebook=with_share(share))))

    threads = [threading.Thread(target=tenant, args=(share,)) for share in tenants]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert found == {share: [expected[share]] * 15 for share in tenants}
    assert len(zhifa_rulesets()) <= 2


WORKER = """
import sys
from decimal import Decimal
import attrs
import engine, engine.compile
from forms import load_document
from rulebook import load_rulebook

engine.compile.RULESETS_KEPT = 8  # most of the 200 rulesets are deleted from durable-rules' C core
shipped = load_rulebook()
profile = shipped.profiles["shanghai-chongming-2024"]
plan = load_document("examples/plans/chongming-2024.yaml")
paused = engine.check_many([plan] * 3, batch=1)
next(paused)
found = 0
for n in range(200):
    value = attrs.evolve(profile.parameters["min_joint_share"], value=Decimal(20) + Decimal(n) / 100)
    rulebook = shipped.with_profile(attrs.evolve(profile, parameters={**profile.parameters, "min_joint_share": value}))
    found += "plan.joint-share" in engine.check(plan, rulebook=rulebook).rules_violated
found += len(list(paused))
print(found, len([n for n in engine.compile._BY_NAME]))
"""


def test_two_hundred_rulebooks_of_their_own_in_a_fresh_process_end_cleanly() -> None:
    """durable-rules' C core frees a removed ruleset (``delete_ruleset``) without harm: a crash
    would end the process with a signal."""
    proc = subprocess.run([sys.executable, "-c", WORKER], cwd=ROOT, capture_output=True, timeout=300, check=False)
    assert proc.returncode == 0, f"ended with {proc.returncode}\n{proc.stderr.decode(errors='replace')[-2000:]}"
    assert proc.stdout.decode().split() == ["202", "8"]
    assert proc.stderr.decode() == ""
