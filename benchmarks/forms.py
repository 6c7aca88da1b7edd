"""Dispatch forms in memory: zhifa against the floor, raw durable-rules, naive durable-rules and a
peer engine (GoRules zen-engine), on the same generated forms, in one process.

    python benchmarks/forms.py [--n 10000,100000] [--quick] [--rounds 3]

(a) zhifa: ``engine.check_many`` on the forms as plain data (loading, facts, evaluation, reports).
(b) floor: ``generated.floor`` — the same checks written by hand in plain Python.
(c) raw durable-rules: the same conditions as a hand-built ruleset, fed the facts zhifa sends
    (packed, built beforehand, outside the timing), in the same calls and sessions, asserted the
    way zhifa asserts them (``engine.runtime.assert_facts``: no catch-all rule, each session opened
    by one action): durable-rules' own cost.
(d) naive durable-rules: each form flattened into one fact, one ``assert_fact`` and one session per
    form, one rule per check, as the durable-rules README leads a user to write.
(e) zen-engine: the same checks as a decision model's expressions, one ``evaluate`` per form.
All five must agree on which forms violate what; the script fails if they do not. Each size runs
``--rounds`` rounds (default 3) of the five in turn; each contender's best round is reported, and
the ratios of their median rounds are printed too.
"""

from __future__ import annotations

import argparse
import importlib
import json
import statistics
from collections.abc import Callable
from datetime import date
from typing import Any

import generated
from durable.lang import assert_fact, cap, delete_state, m, ruleset, when_all
from generated import FINDINGS, PART_WHOLE, RECTIFIED_PAIRS, Finding

import engine
from engine.compile import OPENING, compile_profile, slot_field
from engine.facts import build_facts
from forms import document_from_data
from rulebook import load_rulebook

batching = importlib.import_module("engine.check")
runtime = importlib.import_module("engine.runtime")

# ------------------------------------------------------------------ (a) zhifa


def run_zhifa(forms: list[dict[str, Any]]) -> list[Finding]:
    return generated.zhifa_findings(engine.check_many(forms))


# ------------------------------------------------------------------ (c) raw durable-rules

_raw_found: list[tuple[str, int, str]] = []


def _raw_record(rule: str, slot: int | None) -> Callable[[Any], None]:
    """Records (rule, group, fact id) for each fact matched whole or, given ``slot``, in that slot."""
    if slot is None:
        def record(context: Any) -> None:  # a fact sent whole has the id "group:fact id"
            for fact in context.m:
                _raw_found.append((rule, fact["grp"], fact["id"].split(":", 1)[1]))
        return record
    key = slot_field(slot, "id")

    def record_slot(context: Any) -> None:
        for fact in context.m:
            _raw_found.append((rule, fact["grp"], fact[key]))
    return record_slot


def _raw_rules(packed: dict[str, int]) -> None:
    """The same conditions as the rulebook's, on facts sent whole or on each slot of the packed
    facts, as zhifa sends them."""
    def rule(kind: str, condition: Callable[[Callable[[str], Any]], Any], rule_id: str) -> None:
        if kind not in packed:
            when_all(cap(1000), (m.kind == kind) & condition(lambda name: getattr(m, name)))(_raw_record(rule_id, None))
        for k in range(packed.get(kind, 0)):
            def field(name: str, k: int = k) -> Any:
                return getattr(m, slot_field(k, name))
            when_all(cap(1000), (m.kind == kind) & (m.n > k) & condition(field))(_raw_record(rule_id, k))

    rule("rectified-found", lambda f: (f("found_blank") == 0) & (f("rectified") > f("found")), "form.rectified-within-found")
    rule("rectified-found", lambda f: (f("found_blank") == 1) & (f("rectified") > 0), "form.rectified-within-found")
    rule("part-whole", lambda f: (f("whole_blank") == 0) & (f("part") > f("whole")), "form.part-within-whole")
    rule("part-whole", lambda f: (f("whole_blank") == 1) & (f("part") > 0), "form.part-within-whole")
    rule("penalty-amount", lambda f: (f("count") == 0) | (f("count_blank") == 1), "form.part-within-whole")
    rule("submission", lambda f: (f("dated") == 1) & (f("days_late") > 0), "form.deadline")
    rule("submission", lambda f: f("early") == 1, "form.deadline")
    rule("submission", lambda f: f("before_start") == 1, "form.deadline")
    rule("submission", lambda f: f("in_campaign") == 0, "form.deadline")
    rule("submission", lambda f: f("dated") == 0, "form.deadline")
    when_all(m.kind == OPENING)(lambda context: None)


COMPILED = compile_profile(load_rulebook(), generated.PROFILE)
with ruleset("bench.raw"):
    _raw_rules(COMPILED.packed)

#: One session of the raw contender: its calls (lists of facts as zhifa sends them, built
#: beforehand), and for each group in it the form it is and where each of its facts came from.
RawSession = tuple[list[list[dict[str, Any]]], list[tuple[int, dict[str, str]]]]


#: The fact kinds of a lone dispatch form's rules.
KINDS = tuple(sorted({k for r in COMPILED.rules if r.document == "dispatch-form" for k in r.fact_kinds}))


def zhifa_facts(forms: list[dict[str, Any]]) -> list[tuple[dict[str, Any], ...]]:
    """Each form loaded and its facts built, as zhifa builds them."""
    return [build_facts([document_from_data(form, "bench")], KINDS, COMPILED.params).facts for form in forms]


def sessions_of(built: list[tuple[dict[str, Any], ...]]) -> list[list[tuple[int, tuple[dict[str, Any], ...]]]]:
    """The forms' facts (each form's numbered by its index) grouped into sessions as zhifa groups them."""
    grouped: list[list[tuple[int, tuple[dict[str, Any], ...]]]] = [[]]
    size = 0
    for index, facts in enumerate(built):
        if size + len(facts) > batching.SESSION_FACTS:
            grouped.append([])
            size = 0
        grouped[-1].append((index, facts))
        size += len(facts)
    return grouped


def raw_facts(forms: list[dict[str, Any]]) -> list[RawSession]:
    """The facts zhifa sends durable-rules for these forms, in the same calls and sessions."""
    sessions: list[RawSession] = []
    for n, groups in enumerate(sessions_of(zhifa_facts(forms))):
        sent = runtime.to_send(COMPILED, [facts for _, facts in groups], f"raw{n}")
        origin = [(index, {fact["id"]: fact["loc"] for fact in facts}) for index, facts in groups]
        sessions.append((list(runtime.chunks(sent)), origin))
    return sessions


def run_raw(sessions: list[RawSession]) -> list[Finding]:
    found: list[Finding] = []
    for calls, origin in sessions:
        _raw_found.clear()
        sid = calls[0][0]["sid"]
        runtime.open_session("bench.raw", sid)
        for call in calls:
            runtime.assert_facts("bench.raw", call)
        delete_state("bench.raw", sid)
        for rule, group, fact_id in dict.fromkeys(_raw_found):
            index, locations = origin[group]
            found.append((index, rule, locations[fact_id]))
    return found


# ------------------------------------------------------------------ (d) naive durable-rules and (e) zen-engine


def flat(form: dict[str, Any]) -> dict[str, Any]:
    """One form as one flat record, blanks as flags (neither engine compares a missing value)."""
    values = form["values"]
    record: dict[str, Any] = {}
    for key in (*[k for pair in RECTIFIED_PAIRS for k in pair], "spot_checked", *FINDINGS):
        record[key] = values.get(key) or 0
        record[f"{key}_blank"] = int(values.get(key) is None)
    for key in PART_WHOLE:
        pair = values.get(key) or {}
        record[f"{key}_part"], record[f"{key}_whole"] = pair.get("part") or 0, pair.get("whole") or 0
        record[f"{key}_part_blank"], record[f"{key}_whole_blank"] = int(pair.get("part") is None), int(pair.get("whole") is None)
    penalties = values.get("penalties") or {}
    record["penalty_amount"], record["penalty_count"] = penalties.get("amount") or 0, penalties.get("count") or 0
    record["penalty_count_blank"] = int(penalties.get("count") is None)
    record["double_penalties"] = values.get("double_penalties") or 0
    submitted = form.get("submitted")
    record["submitted_day"] = date.fromisoformat(submitted).toordinal() if submitted else 0
    record["due_day"] = date.fromisoformat(generated.DUE).toordinal()
    record["month_first_day"] = date.fromisoformat(generated.MONTH + "-01").toordinal()
    record["campaign_start_day"] = date.fromisoformat(generated.CAMPAIGN_START).toordinal()
    return record


def checks() -> list[tuple[str, str, str]]:
    """(rule, location, condition in zen's expression language) for every check of a lone form."""
    found: list[tuple[str, str, str]] = []
    for whole, part in RECTIFIED_PAIRS:
        found.append(("form.rectified-within-found", f"/values/{part}",
                      f"{part}_blank == 0 and (({whole}_blank == 1 and {part} > 0) or {part} > {whole})"))
    for key in PART_WHOLE:
        found.append(("form.part-within-whole", f"/values/{key}/part",
                      f"{key}_part_blank == 0 and (({key}_whole_blank == 1 and {key}_part > 0) or {key}_part > {key}_whole)"))
    for key in FINDINGS:
        found.append(("form.part-within-whole", f"/values/{key}",
                      f"{key}_blank == 0 and ((spot_checked_blank == 1 and {key} > 0) or {key} > spot_checked)"))
    found.append(("form.part-within-whole", "/values/penalties/amount", "penalty_amount > 0 and penalty_count == 0"))
    found.append(("form.part-within-whole", "/values/double_penalties",
                  "double_penalties > 0 and (penalty_count_blank == 1 or double_penalties > penalty_count)"))
    found.append(("form.deadline", "/month", "submitted_day == 0"))
    found.append(("form.deadline", "/submitted",
                  "submitted_day > 0 and (submitted_day > due_day or submitted_day < month_first_day"
                  " or submitted_day < campaign_start_day)"))
    return found


CHECKS = checks()
_naive_found: list[tuple[int, int]] = []


def _exceeds(part: Any, whole: Any, whole_blank: Any) -> Any:
    """A part beyond its whole, in durable-rules' expressions: a 0 exceeds nothing, a blank whole too."""
    return ((whole_blank == 1) & (part > 0)) | (part > whole)


def _naive_condition(k: int) -> Any:
    """The same condition as CHECKS[k], written with durable-rules' expressions."""
    rule, location, _ = CHECKS[k]
    key = location.removeprefix("/values/").removesuffix("/part")
    if rule == "form.rectified-within-found":
        whole = dict((p, w) for w, p in RECTIFIED_PAIRS)[key]
        return (getattr(m, f"{key}_blank") == 0) & _exceeds(getattr(m, key), getattr(m, whole), getattr(m, f"{whole}_blank"))
    if location.endswith("/part"):
        return (getattr(m, f"{key}_part_blank") == 0) & _exceeds(
            getattr(m, f"{key}_part"), getattr(m, f"{key}_whole"), getattr(m, f"{key}_whole_blank"))
    if key in FINDINGS:
        return (getattr(m, f"{key}_blank") == 0) & _exceeds(getattr(m, key), m.spot_checked, m.spot_checked_blank)
    if key == "penalties/amount":
        return (m.penalty_amount > 0) & (m.penalty_count == 0)
    if key == "double_penalties":
        return (m.double_penalties > 0) & ((m.penalty_count_blank == 1) | (m.double_penalties > m.penalty_count))
    if location == "/month":
        return m.submitted_day == 0
    return (m.submitted_day > 0) & ((m.submitted_day > m.due_day) | (m.submitted_day < m.month_first_day)
                                   | (m.submitted_day < m.campaign_start_day))


def _naive_record(k: int) -> Callable[[Any], None]:
    def record(context: Any) -> None:
        _naive_found.append((context.m["form"], k))
    return record


with ruleset("bench.naive"):
    for _k in range(len(CHECKS)):
        when_all(_naive_condition(_k))(_naive_record(_k))
    when_all(+m.form)(lambda context: None)


def run_naive(forms: list[dict[str, Any]]) -> list[Finding]:
    _naive_found.clear()
    for index, form in enumerate(forms):
        sid = f"naive{index}"
        assert_fact("bench.naive", {"sid": sid, "form": index, **flat(form)})
        delete_state("bench.naive", sid)
    # An `or` in a durable-rules condition fires once per branch that holds.
    return [(index, CHECKS[k][0], CHECKS[k][1]) for index, k in dict.fromkeys(_naive_found)]


def zen_model() -> str:
    node = {"position": {"x": 0, "y": 0}}
    expressions = [{"id": f"e{k}", "key": f"c{k}", "value": condition} for k, (_, _, condition) in enumerate(CHECKS)]
    return json.dumps({
        "nodes": [{"id": "in", "type": "inputNode", "name": "form", **node},
                  {"id": "checks", "type": "expressionNode", "name": "checks", "content": {"expressions": expressions}, **node},
                  {"id": "out", "type": "outputNode", "name": "violations", **node}],
        "edges": [{"id": "a", "sourceId": "in", "targetId": "checks", "type": "edge"},
                  {"id": "b", "sourceId": "checks", "targetId": "out", "type": "edge"}]})


def run_zen(forms: list[dict[str, Any]]) -> list[Finding]:
    import zen

    decision = zen.ZenEngine().create_decision(zen_model())
    found = []
    for index, form in enumerate(forms):
        result = decision.evaluate(flat(form))["result"]
        found += [(index, CHECKS[k][0], CHECKS[k][1]) for k in range(len(CHECKS)) if result[f"c{k}"]]
    return found


# ------------------------------------------------------------------ the run


def measure(n: int, rounds: int) -> dict[str, float]:
    forms = generated.forms(n)
    run_zhifa(generated.forms(50, seed=1))  # compile the ruleset, warm the caches
    sessions = raw_facts(forms)
    contenders: dict[str, Callable[[], list[Finding]]] = {
        "zhifa": lambda: run_zhifa(forms),
        "floor": lambda: generated.floor(forms),
        "raw_durable": lambda: run_raw(sessions),
        "naive_durable": lambda: run_naive(forms),
        "zen": lambda: run_zen(forms),
    }
    # Rounds run the contenders in turn, so a slow spell of the machine hits them alike; each
    # contender's best round counts, and every round's findings are checked. The best of a short
    # run is likelier to fall in a fast minute than a long one's, so the ratios of median rounds
    # are printed too.
    taken_in: dict[str, list[float]] = {name: [] for name in contenders}
    for _ in range(rounds):
        results: dict[str, list[Finding]] = {}
        for name, run in contenders.items():
            taken, found = generated.timed(run)
            taken_in[name].append(taken)
            results[name] = sorted(found)
        expected = results["floor"]
        for name, found in results.items():
            assert found == expected, f"{name} disagrees with the floor on {len(set(found) ^ set(expected))} findings"
    seconds = {name: min(times) for name, times in taken_in.items()}
    medians = {name: statistics.median(times) for name, times in taken_in.items()}
    violating = len({index for index, _, _ in expected})
    print(f"n = {n}: {violating} forms violating ({len(expected)} findings), all five agree in each of {rounds} rounds"
          " (best round shown)")
    for name in contenders:
        print(f"  {name:14} {n / seconds[name]:>12,.0f} forms/s  {seconds[name]:8.3f} s"
              f"  zhifa/{name} = {seconds['zhifa'] / seconds[name]:.2f}")
    print("  median rounds: " + ", ".join(f"zhifa/{name} = {medians['zhifa'] / medians[name]:.2f}"
                                          for name in contenders if name != "zhifa"))
    return {name: n / s for name, s in seconds.items()}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", default="10000,100000", help="comma-separated form counts (default 10000,100000)")
    parser.add_argument("--quick", action="store_true", help="2 000 forms only (under a minute)")
    parser.add_argument("--rounds", type=int, default=3, help="rounds per size; the best counts (default 3)")
    args = parser.parse_args()
    if args.rounds < 1:
        parser.error("--rounds must be at least 1")
    sizes = [2000] if args.quick else [int(n) for n in args.n.split(",")]
    print(generated.machine())
    rates = [measure(n, args.rounds) for n in sizes]
    figures: dict[str, Any] = {"n": sizes}
    for name in ("zhifa", "floor", "raw_durable", "naive_durable", "zen"):
        figures[f"{name}_per_s"] = [round(r[name]) for r in rates]
    if len(sizes) == 1:
        figures = {key: value[0] for key, value in figures.items()}
    generated.last_line(figures)


if __name__ == "__main__":
    main()

