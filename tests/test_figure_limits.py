"""Figures too large to compare exactly are refused, never passed: durable-rules' C core gets whole
numbers beyond 2**63 − 1 wrong without a word (``tests/test_durable_contract.py``). Loaders cap
every figure a document states at ``forms.plan.MAX_FIGURE``, naming the field; what the engine
derives from figures is checked again before it is sent (``engine.runtime.to_send``)."""

from __future__ import annotations

import copy
import json
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

import engine
import engine.campaign_facts
from engine import RuleError
from engine.compile import PACK_ENVELOPE, compile_profile
from engine.facts import build_facts
from engine.runtime import EXACT_LIMIT, InexactFigure, to_send
from forms import LoadError, document_from_data, load_document, read_data
from forms.plan import MAX_FIGURE
from rulebook import load_rulebook

from .conftest import ROOT, floats

PLAN = ROOT / "examples" / "plans" / "chongming-2024.yaml"
FORM = ROOT / "examples" / "campaigns" / "chongming-2023" / "clean" / "城桥镇-2023-05.yaml"


def _problems(data: dict, tmp_path: Path) -> list[str]:
    path = tmp_path / "document.json"
    path.write_text(json.dumps(floats(data), ensure_ascii=False, default=str), encoding="utf-8")
    with pytest.raises(LoadError) as caught:
        load_document(path)
    return [str(p) for p in caught.value.problems]


@pytest.mark.parametrize(("where", "set_value"), [
    ("items[3].planned", lambda plan, v: plan["items"][3].__setitem__("planned", v)),
    ("schedule.rows[3].monthly[7]", lambda plan, v: plan["schedule"]["rows"][3]["monthly"].__setitem__(7, v)),
    ("workload.staff", lambda plan, v: plan["workload"].__setitem__("staff", v)),
    ("workload.ratio", lambda plan, v: plan["workload"].__setitem__("ratio", v)),
])
def test_a_plan_figure_above_the_cap_is_refused_where_it_stands(tmp_path: Path, where: str, set_value) -> None:  # type: ignore[no-untyped-def]
    plan = read_data(PLAN)
    set_value(plan, MAX_FIGURE + 1)
    assert _problems(plan, tmp_path) == [f"{where}: expected a number ≤ {MAX_FIGURE}, got {MAX_FIGURE + 1}"]
    set_value(plan, MAX_FIGURE)  # the cap itself is a figure like any other
    load_document(_written(plan, tmp_path))


def _written(data: dict, tmp_path: Path) -> Path:
    path = tmp_path / "document.json"
    path.write_text(json.dumps(floats(data), ensure_ascii=False, default=str), encoding="utf-8")
    return path


@pytest.mark.parametrize(("key", "value", "where"), [
    ("self_found", 2**63, "values.self_found"),
    ("report_rewards", {"whole": MAX_FIGURE + 1, "part": 1}, "values.report_rewards.whole"),
    ("penalties", {"count": 1, "amount": 1e12}, "values.penalties.amount"),
])
def test_a_form_figure_above_the_cap_is_refused_where_it_stands(tmp_path: Path, key: str, value: object, where: str) -> None:
    form = read_data(FORM)
    form["values"][key] = value
    (problem,) = _problems(form, tmp_path)
    assert problem.startswith(f"{where}: expected a number ≤ {MAX_FIGURE}, got ")


def test_figures_at_the_cap_are_compared_exactly() -> None:
    form = read_data(FORM)
    form["values"].update(self_found=MAX_FIGURE - 1, self_rectified=MAX_FIGURE,
                          report_rewards={"whole": MAX_FIGURE, "part": MAX_FIGURE})
    report = engine.check(document_from_data(copy.deepcopy(form)))
    assert [(v.rule, v.location) for v in report.violations] == [
        ("form.rectified-within-found", "/values/self_rectified")]
    form["values"]["self_found"] = MAX_FIGURE
    form["values"]["report_rewards"] = {"whole": MAX_FIGURE - 0.0001, "part": MAX_FIGURE}  # money: 0.0001 万元 apart
    report = engine.check(document_from_data(form))
    assert [(v.rule, v.location) for v in report.violations] == [
        ("form.part-within-whole", "/values/report_rewards/part")]


def test_a_figure_beyond_what_durable_rules_compares_exactly_is_never_sent() -> None:
    compiled = compile_profile(load_rulebook(), "shanghai-chongming-2023-campaign")
    facts = build_facts([load_document(FORM)], compiled.fact_kinds, compiled.params).facts

    assert to_send(compiled, [facts], "1")  # as built, everything can be sent
    for kind, field in (("part-whole", "whole"), ("submission", "days_late")):  # packed, and sent whole
        assert kind not in compiled.packed or field in compiled.matched_fields[kind]
        at_limit = [dict(f, **{field: EXACT_LIMIT}) if f["kind"] == kind else f for f in facts]
        assert to_send(compiled, [at_limit], "1")
        changed = [dict(f, **{field: EXACT_LIMIT + 1}) if f["kind"] == kind else f for f in facts]
        with pytest.raises(InexactFigure, match=f"a {kind} fact's {'s0_' if kind in compiled.packed else ''}"
                                                f"{field} is {EXACT_LIMIT + 1}, beyond"):
            to_send(compiled, [changed], "1")
        negative = [dict(f, **{field: -EXACT_LIMIT - 1}) if f["kind"] == kind else f for f in facts]
        with pytest.raises(InexactFigure):
            to_send(compiled, [negative], "1")


#: What a compared field may hold: whole numbers near and beyond the exact limit, text, flags, money.
_figures = st.one_of(st.integers(min_value=-2 * EXACT_LIMIT, max_value=2 * EXACT_LIMIT),
                     st.integers(min_value=-10**6, max_value=10**6), st.text(alphabet="0123456789-整改", max_size=25),
                     st.booleans(), st.floats(allow_nan=True))
_COMPILED = compile_profile(load_rulebook(), "shanghai-chongming-2023-campaign")


@given(st.lists(st.tuples(st.sampled_from(["part-whole", "submission"]), st.data()), min_size=1, max_size=14))
def test_only_a_whole_number_beyond_the_limit_stops_facts_being_sent(kinds: list[tuple[str, st.DataObject]]) -> None:
    """Packed or sent whole, facts whose compared fields hold text, flags, floats or whole numbers
    within the limit are sent as they are; a whole number beyond it is refused, by name."""
    facts = [{"kind": kind, "id": f"f{n}", **{name: data.draw(_figures) for name in _COMPILED.matched_fields[kind]}}
             for n, (kind, data) in enumerate(kinds)]
    sent = [(f["kind"], name, f[name]) for f in facts for name in _COMPILED.matched_fields[f["kind"]]]
    beyond = [(kind, name, value) for kind, name, value in sent if type(value) is int and abs(value) > EXACT_LIMIT]
    if beyond:
        with pytest.raises(InexactFigure, match="beyond the whole numbers durable-rules compares exactly"):
            to_send(_COMPILED, [facts], "1")
        return
    packs = to_send(_COMPILED, [facts], "1")
    received = sorted(((p["kind"], name.split("_", 1)[1] if p["kind"] in _COMPILED.packed else name, value)
                       for p, _ in packs for name, value in p.items() if name not in PACK_ENVELOPE
                       and not name.endswith("_id") and name not in ("id", "grp", "sid")), key=repr)
    assert received == sorted(sent, key=repr)


def test_a_derived_figure_beyond_it_fails_the_check_naming_the_document(monkeypatch: pytest.MonkeyPatch) -> None:
    """Money is compared in units of 0.0001 万元; were that unit 10⁻¹² 万元, 10⁸ 万元 of rewards
    would be 10²⁰ units, beyond the exact range: the form gets no report, and no false pass."""
    monkeypatch.setattr(engine.campaign_facts, "SCALE", 10**12)
    big = read_data(FORM)
    big["values"]["report_rewards"] = {"whole": 10**8, "part": 1}
    with pytest.raises(RuleError, match=r"report_rewards.json: .*InexactFigure: a part-whole fact's s\d+_whole is"):
        engine.check(document_from_data(big), path="report_rewards.json")
