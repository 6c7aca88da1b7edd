"""Batch checking: ``engine.check_many`` gives, for each document, exactly the report ``engine.check``
gives for it alone, however the documents are grouped into shared durable-rules sessions."""

from __future__ import annotations

import copy
import importlib
from collections.abc import Iterator
from datetime import timedelta
from typing import Any

import attrs
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import engine
import engine.runtime
from engine import ProfileError, RuleError
from engine.compile import MATCHES
from engine.facts import FactStream
from forms import CONVERTER, KeyUnit, LoadError, load_document
from forms.convert import Document
from forms.parse import read_data
from forms.plan import name_key
from forms.strategies import CAMPAIGN_MUTATIONS, PLAN_MUTATIONS, annual_plans, campaign_bundles
from forms.strategies.campaign import spelled

from .conftest import EXAMPLES, ROOT

batching = importlib.import_module("engine.check")  # the module; ``engine.check`` is the function
CHONGMING = load_document(EXAMPLES / "chongming-2024.yaml")
PUTUO = load_document(EXAMPLES / "putuo-2024.yaml")
MINHANG = load_document(EXAMPLES / "minhang-2020.yaml")


@st.composite
def mixed_documents(draw: st.DrawFn) -> list[Document]:
    """Plans and campaign documents of every profile, some broken by a rule's mutation, shuffled."""
    documents: list[Document] = [CHONGMING, PUTUO, MINHANG]
    for profile in ("shanghai-chongming-2024", "shanghai-putuo-2024"):
        plan = draw(annual_plans(profile))
        rule = draw(st.sampled_from(sorted(PLAN_MUTATIONS)))
        documents += [plan, PLAN_MUTATIONS[rule](plan)]
    for profile in ("shanghai-chongming-2023-campaign", "linyi-lingang-2023-campaign"):
        bundle = draw(campaign_bundles(profile))
        rule = draw(st.sampled_from(sorted(CAMPAIGN_MUTATIONS)))
        documents += [*bundle.documents, *CAMPAIGN_MUTATIONS[rule](bundle).documents]
    return draw(st.permutations(documents))


def reports_alone(documents: list[Document]) -> list[engine.Report]:
    return [engine.check(d) for d in documents]


@settings(max_examples=10, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(documents=mixed_documents(), batch=st.integers(1, 40), session_facts=st.integers(1, 300))
def test_every_report_is_the_one_the_document_gets_alone(documents: list[Document], batch: int, session_facts: int) -> None:
    expected = reports_alone(documents)
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(batching, "SESSION_FACTS", session_facts)
        assert list(engine.check_many(documents, batch=batch)) == expected
    assert list(engine.check_many(documents)) == expected  # and with the default batching
    assert MATCHES == {}


def test_reports_come_lazily_in_order() -> None:
    consumed = []

    def documents() -> Any:
        for n in range(600):
            consumed.append(n)
            yield (CHONGMING, PUTUO, MINHANG)[n % 3]

    stream = engine.check_many(documents())
    first = next(stream)
    assert first == engine.check(CHONGMING)
    assert len(consumed) == batching.BATCH_DOCUMENTS  # one batch read, not the whole stream
    rest = list(stream)
    assert [r.profile for r in rest[:2]] == ["shanghai-putuo-2024", "shanghai-minhang-2020"]
    assert len(rest) == 599


def test_a_join_never_matches_facts_of_two_documents_in_one_session() -> None:
    """Plan A samples a unit that only plan B lists as a key unit: checked alone, neither plan is
    at fault, and sharing a session must not make them so."""
    assert CHONGMING.key_units is not None
    unit = CHONGMING.key_units.units[0].name
    items = tuple(attrs.evolve(i, sampled_units=("某外区单位",)) if i.id == "industry-sample" else i for i in CHONGMING.items)
    a = attrs.evolve(CHONGMING, items=items)
    b_units = (*CHONGMING.key_units.units, KeyUnit(no=999, name="某外区单位", category=CHONGMING.key_units.units[0].category))
    b_items = tuple(attrs.evolve(i, sampled_units=("另一外区单位",)) if i.id == "industry-sample" else i for i in CHONGMING.items)
    b = attrs.evolve(CHONGMING, items=b_items, key_units=attrs.evolve(CHONGMING.key_units, units=b_units, new_units=None))
    alone = [engine.check(a), engine.check(b)]
    assert not {"plan.sample-excludes-key-units"} & {*alone[0].rules_violated, *alone[1].rules_violated}
    assert list(engine.check_many([a, b])) == alone
    # and the join still fires within one document
    items = tuple(attrs.evolve(i, sampled_units=(unit,)) if i.id == "industry-sample" else i for i in CHONGMING.items)
    (found,) = engine.check_many([attrs.evolve(CHONGMING, items=items)])
    assert "plan.sample-excludes-key-units" in found.rules_violated


def test_plain_data_is_loaded_like_check_does() -> None:
    data = {"kind": "annual-plan", "issuer": "x"}
    with pytest.raises(LoadError) as caught:
        list(engine.check_many([data]))
    assert caught.value.file == "<document 0>"


def test_plain_data_is_read_without_being_changed() -> None:
    """``check_many`` loads plain data without copying it first: loading must leave it as given."""
    found = [read_data(path) for path in sorted((ROOT / "examples" / "campaigns").rglob("*.yaml"))]
    forms = [data for data in found if data["kind"] == "dispatch-form"]
    given = copy.deepcopy(forms)
    assert len(forms) > 10
    reports = list(engine.check_many(forms))
    assert forms == given
    assert reports == [engine.check(data) for data in given]


def test_a_batch_of_one_reports_each_document_as_soon_as_it_is_read() -> None:
    consumed = []

    def documents() -> Any:
        for n in range(5):
            consumed.append(n)
            yield (CHONGMING, PUTUO, MINHANG)[n % 3]

    stream = engine.check_many(documents(), batch=1)
    assert next(stream) == engine.check(CHONGMING) and consumed == [0]
    assert next(stream) == engine.check(PUTUO) and consumed == [0, 1]


@pytest.mark.parametrize("batch", [0, -1, 2.5, True, "8"])
def test_a_batch_that_is_not_a_positive_whole_number_is_refused(batch: Any) -> None:
    with pytest.raises(ValueError, match="batch must be a whole number of documents, at least 1"):
        next(engine.check_many([CHONGMING], batch=batch))


def _as_data(plan: Any) -> dict[str, Any]:
    return CONVERTER.unstructure(plan)  # type: ignore[no-any-return]


@pytest.mark.parametrize("batch", [1, 3, 256])
def test_a_mapping_the_source_fills_again_is_read_as_it_was_when_given(batch: int) -> None:
    """A source that reuses one dict for every document (a row buffer): each document is loaded as
    it is read, so each report is the one its data had when given, and the year that fits no
    profile is found at its own place."""
    snapshots = [_as_data(CHONGMING), _as_data(attrs.evolve(CHONGMING, year=2031)), _as_data(PUTUO)]

    def one_buffer() -> Any:
        buffer: dict[str, Any] = {}
        for snapshot in snapshots:
            buffer.clear()
            buffer.update(snapshot)
            yield buffer

    stream = engine.check_many(one_buffer(), batch=batch)
    assert next(stream) == engine.check(snapshots[0])
    with pytest.raises(ProfileError, match="2031"):
        next(stream)


def test_nothing_after_the_first_unusable_document_is_read_from_the_source() -> None:
    consumed = []

    def documents() -> Any:
        for n, document in enumerate([CHONGMING, attrs.evolve(PUTUO, year=2030), MINHANG, PUTUO]):
            consumed.append(n)
            yield document

    stream = engine.check_many(documents())
    assert next(stream) == engine.check(CHONGMING)
    with pytest.raises(ProfileError):
        next(stream)
    assert consumed == [0, 1]  # the caller may go on reading the source after the bad document


@pytest.mark.parametrize(("batch", "read"), [(1, 2), (2, 2), (3, 3), (256, 5)])
def test_a_document_found_in_evaluation_stops_the_reading_once_its_batch_was_read(batch: int, read: int) -> None:
    """A document built in Python with a field no loader gives is found as its facts are built, so
    after its whole batch was read: the documents after it in that batch are read and not reported,
    nothing after the batch is read (check_many's docstring, the README)."""
    items = list(CHONGMING.items)
    items[0] = attrs.evolve(items[0], planned="72")
    bad = attrs.evolve(CHONGMING, items=tuple(items))
    consumed = []

    def documents() -> Any:
        for n, document in enumerate([PUTUO, bad, CHONGMING, MINHANG, PUTUO]):
            consumed.append(n)
            yield document

    stream = engine.check_many(documents(), batch=batch)
    assert next(stream) == engine.check(PUTUO)
    with pytest.raises(LoadError, match=r"<document 1>: items\[0\]\.planned"):
        next(stream)
    assert consumed == list(range(read))


def test_a_source_that_fails_has_the_documents_it_gave_reported_first() -> None:
    def documents() -> Any:
        yield CHONGMING
        yield PUTUO
        raise ConnectionError("the queue went away")

    stream = engine.check_many(documents())
    assert [next(stream), next(stream)] == [engine.check(CHONGMING), engine.check(PUTUO)]
    with pytest.raises(ConnectionError, match="the queue went away"):
        next(stream)


def test_the_first_unusable_document_stops_the_stream_after_the_reports_before_it() -> None:
    wrong_year = attrs.evolve(PUTUO, year=2030)
    stream = engine.check_many([CHONGMING, PUTUO, wrong_year, MINHANG])
    assert next(stream) == engine.check(CHONGMING)
    assert next(stream) == engine.check(PUTUO)
    with pytest.raises(ProfileError, match="covers"):
        next(stream)


@pytest.mark.parametrize("bad", [None, "plan.yaml", 7, b"kind: annual-plan", [CHONGMING]],
                         ids=["none", "text", "number", "bytes", "list"])
def test_what_is_neither_a_document_nor_its_data_is_refused_after_the_reports_before_it(bad: object) -> None:
    with pytest.raises(TypeError, match="expected a document or its data as a mapping, got"):
        engine.check(bad)  # type: ignore[arg-type]
    stream = engine.check_many([CHONGMING, bad, PUTUO])  # type: ignore[list-item]
    assert next(stream) == engine.check(CHONGMING)
    with pytest.raises(TypeError, match="<document 1>: expected a document"):
        next(stream)


def test_any_error_loading_a_document_comes_after_the_reports_before_it(monkeypatch: pytest.MonkeyPatch) -> None:
    """Whatever loading raises (here a fault planted in the loader), the reports of the documents
    before it in its batch are yielded first, as check_many promises."""
    def faulty(data: dict[str, Any], name: str) -> Document:
        raise ArithmeticError(f"{name}: planted")

    monkeypatch.setattr(batching, "plan_from_data", faulty)
    stream = engine.check_many([CHONGMING, PUTUO, {"issuer": "x"}, MINHANG])
    assert [next(stream), next(stream)] == [engine.check(CHONGMING), engine.check(PUTUO)]
    with pytest.raises(ArithmeticError, match="<document 2>: planted"):
        next(stream)


def test_an_engine_error_in_a_shared_session_names_the_document_and_spares_the_others(
        monkeypatch: pytest.MonkeyPatch) -> None:
    """Three plans of one profile share a session; the fake C core crashes whenever the second
    plan's facts are in a call. The session is evaluated again one plan at a time, so the others
    get their reports and the error names the second plan."""
    first, second, third = (attrs.evolve(CHONGMING, issuer=name) for name in ("甲", "乙", "丙"))
    real = engine.runtime.assert_facts

    def fail_on_marked(name: str, facts: list[dict[str, Any]]) -> object:
        if any(isinstance(value, str) and ":marked" in value for f in facts for value in f.values()):
            raise RuntimeError("Could not complete and start action, error code: 307")
        return real(name, facts)

    # Mark the second plan's facts by their ids, which every fact sent carries (packed or not):
    # the fake C core fails whenever it sees one.
    class Marked(FactStream):
        def __iter__(self) -> Iterator[dict[str, Any]]:
            for fact in super().__iter__():
                yield dict(fact, id=f"marked{fact['id']}") if self.bundle[0] is second else fact

    monkeypatch.setattr(engine.runtime, "assert_facts", fail_on_marked)
    monkeypatch.setattr(batching, "FactStream", Marked)
    results = engine.check_documents([first, second, third], ["1.yaml", "2.yaml", "3.yaml"])
    assert [type(r).__name__ for r in results] == ["Report", "Unusable", "Report"]
    assert isinstance(results[1], engine.Unusable) and isinstance(results[1].error, RuleError)
    assert results[1].error.document == "2.yaml"
    assert MATCHES == {}
    monkeypatch.undo()
    assert results[0] == engine.check(first, path="1.yaml")
    assert results[2] == engine.check(third, path="3.yaml")


@settings(max_examples=10, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data(), session_facts=st.integers(1, 120))
def test_a_campaign_split_across_sessions_gets_the_reports_it_gets_whole(data: st.DataObject, session_facts: int) -> None:
    profile = data.draw(st.sampled_from(["shanghai-chongming-2023-campaign", "linyi-lingang-2023-campaign"]))
    rule = data.draw(st.sampled_from(sorted(CAMPAIGN_MUTATIONS)))
    documents = list(CAMPAIGN_MUTATIONS[rule](data.draw(campaign_bundles(profile))).documents)
    whole = engine.check_documents(documents)
    assert any(isinstance(r, engine.Report) and r.violations for r in whole)
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(batching, "SESSION_FACTS", session_facts)
        assert engine.check_documents(documents) == whole
    assert MATCHES == {}


def test_a_large_bundle_is_built_as_it_is_evaluated_and_keeps_only_the_facts_rules_matched(
        monkeypatch: pytest.MonkeyPatch) -> None:
    """A campaign's facts are built a session at a time, and only those a rule matched outlive
    their session: the command line checks a whole folder as one bundle."""
    folder = EXAMPLES.parent / "campaigns" / "chongming-2023" / "violations"
    documents = [load_document(p) for p in sorted(folder.glob("*.yaml"))]
    events: list[str] = []
    kept: list[dict[str, Any]] = []

    class Traced(FactStream):
        def __iter__(self) -> Iterator[dict[str, Any]]:
            for fact in super().__iter__():
                events.append("built")
                yield fact

    real_evaluate, real_bundle = batching.evaluate_groups, batching._bundle

    def evaluate(compiled: Any, groups: Any, name: str) -> Any:
        events.append("evaluated")
        return real_evaluate(compiled, groups, name)

    def bundle(*args: Any, **kwargs: Any) -> Any:
        made = real_bundle(*args, **kwargs)
        kept.append(made.matched)
        return made

    monkeypatch.setattr(batching, "FactStream", Traced)
    monkeypatch.setattr(batching, "evaluate_groups", evaluate)
    monkeypatch.setattr(batching, "_bundle", bundle)
    monkeypatch.setattr(batching, "SESSION_FACTS", 20)
    results = engine.check_documents(documents)
    built = events.count("built")
    assert built > 60 and events.count("evaluated") >= built // 20
    assert events.index("evaluated") <= 2 * 20  # a session runs once the next one's facts are built
    violations = [v for r in results if isinstance(r, engine.Report) for v in r.violations]
    (matched,) = kept
    assert violations and 0 < len(matched) < built / 4
    monkeypatch.undo()
    assert engine.check_documents(documents) == results


@settings(max_examples=10, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data())
def test_a_campaign_in_any_order_gives_each_document_the_same_report(data: st.DataObject) -> None:
    """A unit files one month twice (the second, with other figures, on the same day or later, its
    brackets perhaps of the other width): its series and its township's roll-up take the same form
    whatever order the documents come in."""
    profile = data.draw(st.sampled_from(["linyi-lingang-2023-campaign", "shanghai-chongming-2023-campaign"]))
    bundle = data.draw(campaign_bundles(profile))
    form = data.draw(st.sampled_from((*bundle.unit_forms, *bundle.member_forms)))
    found = form.values.get("self_found")
    again = attrs.evolve(form, unit=data.draw(spelled(name_key(form.unit))),
                         values=form.values | {"self_found": (found or 0) + data.draw(st.integers(1, 5))},
                         submitted=form.submitted + timedelta(days=data.draw(st.integers(0, 1))))
    documents = [*bundle.documents, again]
    order = data.draw(st.permutations(range(len(documents))))
    given_order = engine.check_documents(documents)
    shuffled = engine.check_documents([documents[i] for i in order])
    assert [shuffled[k] for k in sorted(range(len(order)), key=order.__getitem__)] == given_order
    assert sum(v.rule == "form.cumulative-nondecreasing" and v.location == "/month"
               for r in given_order if isinstance(r, engine.Report) for v in r.violations) == 1


@pytest.mark.parametrize("named", [True, False], ids=["named", "unnamed"])
def test_which_of_two_forms_alike_carries_the_duplicate_month_does_not_depend_on_their_order(named: bool) -> None:
    """One month filed twice with the same figures: named, the form whose name sorts first carries
    the finding whichever order they come in; unnamed, the first given does (nothing else tells
    them apart). Before, the first given carried it even when both were named."""
    form = load_document(ROOT / "examples/campaigns/chongming-2023/clean/新河镇-2023-05.yaml")
    twice = [form, attrs.evolve(form)]
    for order in ([0, 1], [1, 0]):
        names = [f"{'ab'[i]}/新河镇-2023-05.yaml" for i in order] if named else None
        results = engine.check_documents([twice[i] for i in order], names)
        carrying = [k for k, r in enumerate(results) if isinstance(r, engine.Report)
                    for v in r.violations if v.rule == "form.cumulative-nondecreasing" and v.location == "/month"]
        assert len(carrying) == 1
        if named:
            assert names is not None and names[carrying[0]] == "a/新河镇-2023-05.yaml"
        else:
            assert carrying == [0]
