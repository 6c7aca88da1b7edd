"""Packed facts: facts of a kind that only single-fact rules match travel to durable-rules several
in one fact, one slot each. Each slot must be judged on its own fact, every fact must be sent
exactly once, and no call may carry more facts than the chunk size allows."""

from __future__ import annotations

from collections import Counter
from itertools import chain
from pathlib import Path

import attrs
import pytest
from hypothesis import given
from hypothesis import strategies as st

import engine
import engine.compile
from engine import runtime
from engine.compile import compile_profile, slot_field
from engine.facts import FACT_KINDS, build_facts
from forms import load_document
from rulebook import load_rulebook

from .conftest import ROOT

CAMPAIGN = compile_profile(load_rulebook(), "shanghai-chongming-2023-campaign")
SLOTS = CAMPAIGN.packed["part-whole"]


def test_the_kinds_that_ask_for_it_are_packed_unless_a_join_matches_them(monkeypatch: pytest.MonkeyPatch) -> None:
    assert CAMPAIGN.packed == {"part-whole": 12, "rectified-found": 3}
    assert all(FACT_KINDS[kind].pack == 0 for kind in CAMPAIGN.fact_kinds if kind not in CAMPAIGN.packed)
    # Asking to pack kinds that a join matches (the 2024 plans' key-unit spot check) changes nothing.
    rulebook = load_rulebook()
    joined = {p.fact for r in rulebook.rules.values() for a in r.when if len(a.match) > 1 for p in a.match}
    assert joined == {"key-unit", "sampled-unit"}
    for kind in joined:
        monkeypatch.setitem(FACT_KINDS, kind, attrs.evolve(FACT_KINDS[kind], pack=5))
    monkeypatch.setitem(FACT_KINDS, "total", attrs.evolve(FACT_KINDS["total"], pack=5))
    plan_rules = tuple(r for r in rulebook.rules.values() if r.document == "annual-plan")
    assert engine.compile._packed_kinds(plan_rules, engine.compile._matched_fields(plan_rules)) == {"total": 5}


def test_a_packed_fact_never_carries_more_properties_than_durable_rules_takes(monkeypatch: pytest.MonkeyPatch) -> None:
    """Slots are cut so that a packed fact stays within MAX_FACT_PROPERTIES, and a kind whose
    conditions read so many fields that two slots would not fit is not packed."""
    rules = tuple(r for r in load_rulebook().rules.values() if r.document == "dispatch-form")
    matched = engine.compile._matched_fields(rules)
    monkeypatch.setitem(FACT_KINDS, "part-whole", attrs.evolve(FACT_KINDS["part-whole"], pack=1000))
    wide = {**matched, "rectified-found": tuple(f"field{k}" for k in range(150))}
    packed = engine.compile._packed_kinds(rules, wide)
    envelope = len(engine.compile.PACK_ENVELOPE)
    per_slot = len(matched["part-whole"]) + 1  # its fields and its id
    assert packed == {"part-whole": (engine.compile.MAX_FACT_PROPERTIES - envelope) // per_slot}
    assert packed["part-whole"] * per_slot + envelope <= engine.compile.MAX_FACT_PROPERTIES
    assert (packed["part-whole"] + 1) * per_slot + envelope > engine.compile.MAX_FACT_PROPERTIES


def test_every_fact_sent_whole_fits_in_a_durable_rules_fact() -> None:
    """A fact sent whole carries its kind's fields at most, and its kind, id, bundle and session."""
    assert all(len(kind.fields) + 4 <= engine.compile.MAX_FACT_PROPERTIES for kind in FACT_KINDS.values())


def _campaign_facts() -> list[tuple[dict, ...]]:
    folder = ROOT / "examples" / "campaigns" / "chongming-2023" / "clean"
    documents = [load_document(p) for p in sorted(Path(folder).glob("*.yaml"))]
    built = build_facts(documents, CAMPAIGN.fact_kinds, CAMPAIGN.params).facts
    return [built, built[:5], built]  # three groups, the same facts twice


def test_every_fact_is_sent_once_in_its_group_and_calls_stay_within_the_chunk_size() -> None:
    groups = _campaign_facts()
    sent = runtime.to_send(CAMPAIGN, groups, "s")
    ids: Counter[tuple[int, str]] = Counter()
    for fact, holds in sent:
        if "n" in fact and fact["kind"] in CAMPAIGN.packed:
            assert 1 <= fact["n"] == holds <= CAMPAIGN.packed[fact["kind"]]
            ids.update((fact["grp"], fact[slot_field(k, "id")]) for k in range(fact["n"]))
            assert slot_field(fact["n"], "id") not in fact  # no slot beyond those filled
        else:
            assert holds == 1 and fact["kind"] not in CAMPAIGN.packed
            group, fact_id = fact["id"].split(":", 1)
            ids[(int(group), fact_id)] += 1
        assert fact["sid"] == "s"
    assert ids == Counter((g, f["id"]) for g, facts in enumerate(groups) for f in facts)
    assert len({fact["id"] for fact, _ in sent}) == len(sent)  # durable-rules rejects repeated facts
    assert Counter(f["kind"] for f in groups[0])["part-whole"] > SLOTS  # several packed facts of a kind
    calls = list(runtime.chunks(sent))
    assert list(chain.from_iterable(calls)) == [fact for fact, _ in sent]
    holds = {id(fact): n for fact, n in sent}
    assert all(sum(holds[id(f)] for f in call) <= runtime.CHUNK_SIZE for call in calls)


def _part_whole(n: int, part: int, whole: int | None) -> dict:
    fact = {name: 0 for name in CAMPAIGN.matched_fields["part-whole"]}
    fact.update(kind="part-whole", id=f"f{n}", part=part, whole=whole or 0, whole_blank=int(whole is None))
    return fact


@given(st.lists(st.tuples(st.integers(0, 5), st.none() | st.integers(0, 5)), max_size=3 * SLOTS + 5))
def test_each_slot_is_judged_on_its_own_fact(figures: list[tuple[int, int | None]]) -> None:
    """Part-whole facts fill several packed facts; durable-rules must find exactly the parts over
    their whole (alternative 0) and the parts above 0 beside a whole left blank (alternative 1), each
    for its own fact."""
    facts = [_part_whole(n, part, whole) for n, (part, whole) in enumerate(figures)]
    matches = runtime.evaluate(CAMPAIGN, facts, "packed")
    found = sorted((m.alternative, m.fact_ids) for m in matches if m.rule == "form.part-within-whole")
    expected = sorted((0 if whole is not None else 1, (("m", f"f{n}"),))
                      for n, (part, whole) in enumerate(figures) if part > (whole or 0))
    assert found == expected
    assert {m.rule for m in matches} <= {"form.part-within-whole"}


@pytest.mark.parametrize(("variant", "profile"), [("chongming-2023", "shanghai-chongming-2023-campaign"),
                                                  ("linyi-lingang-2023", "linyi-lingang-2023-campaign")])
def test_reports_do_not_depend_on_how_facts_are_packed(variant: str, profile: str,
                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    """The example campaign with violations, checked with its packed kinds sent whole, two to a
    packed fact, and as shipped: the same reports, so packing is invisible to users."""
    folder = ROOT / "examples" / "campaigns" / variant / "violations"
    paths = sorted(str(p) for p in folder.glob("*.yaml"))
    documents = [load_document(p) for p in paths]
    shipped = engine.check_documents(documents, paths)
    assert sum(len(r.violations) for r in shipped if isinstance(r, engine.Report)) > 5
    names = {compile_profile(load_rulebook(), profile).ruleset}
    for pack, packed in ((0, {}), (2, {"part-whole": 2, "rectified-found": 2})):
        for kind in ("part-whole", "rectified-found"):
            monkeypatch.setitem(FACT_KINDS, kind, attrs.evolve(FACT_KINDS[kind], pack=pack))
        rulebook = attrs.evolve(load_rulebook())  # another object: compiled afresh, not from the cache
        compiled = compile_profile(rulebook, profile)
        assert compiled.packed == packed
        names.add(compiled.ruleset)
        assert engine.check_documents(documents, paths, rulebook=rulebook) == shipped
    assert len(names) == 3  # each packing is a ruleset of its own
