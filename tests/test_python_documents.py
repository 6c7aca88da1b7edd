"""Documents built in Python rather than loaded, and what the public checks are given: a bad field
fails its own document, naming it and the field; what is not a document is refused at once."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path
from typing import Any

import attrs
import pytest

import engine
from engine.check import Unusable
from engine.output import as_text, json_data
from forms import AnnualPlan, LoadError, load_document
from forms.dispatch import DispatchForm, WholePart
from rulebook import Severity

ROOT = Path(__file__).resolve().parents[1]
PLANS = sorted((ROOT / "examples" / "plans").glob("*.yaml"))
PLAN = load_document(ROOT / "examples" / "plans" / "chongming-2024.yaml")
CLEAN = sorted((ROOT / "examples" / "campaigns" / "chongming-2023" / "clean").glob("*.yaml"))
FORM = load_document(ROOT / "examples" / "campaigns" / "chongming-2023" / "violations" / "港沿镇-2023-05.yaml")
assert isinstance(PLAN, AnnualPlan) and isinstance(FORM, DispatchForm)


def _with_values(form: DispatchForm, **values: Any) -> DispatchForm:
    return attrs.evolve(form, values={**form.values, **values})


BUILT_WRONGLY = {  # a document built in Python → the field its error names
    "planned None": (attrs.evolve(PLAN, items=(attrs.evolve(PLAN.items[0], planned=None), *PLAN.items[1:])),
                     "items[0].planned"),
    "year as text": (attrs.evolve(PLAN, year="2024"), "year"),
    "month not YYYY-MM": (attrs.evolve(FORM, month="2023-5"), "month"),
    "unknown variant": (attrs.evolve(FORM, variant="nope"), "variant"),
    "date as text": (attrs.evolve(FORM, submitted="2023-06-01"), "submitted"),
    "values not read": (_with_values(FORM, penalties={"count": 3, "amount": 1}), "values.penalties"),
    "part not read": (_with_values(FORM, typical_cases={"whole": 2, "part": 1}), "values.typical_cases"),
    "count as text": (_with_values(FORM, self_found="3"), "values.self_found"),
    # finer than the form allows: cut off, a part above its whole passed
    "money to 5 places": (_with_values(FORM, report_rewards=WholePart(whole=Decimal("0.0001"), part=Decimal("0.00015"))),
                          "values.report_rewards.part"),
    "half a case": (_with_values(FORM, typical_cases=WholePart(whole=Decimal("2.5"), part=Decimal(2))),
                    "values.typical_cases.whole"),
}


@pytest.mark.parametrize("name", BUILT_WRONGLY)
def test_a_document_built_wrongly_is_refused_naming_the_field(name: str) -> None:
    document, field = BUILT_WRONGLY[name]
    with pytest.raises(LoadError) as raised:
        engine.check(document)
    assert raised.value.file == "<document 0>"
    assert [p.path for p in raised.value.problems] == [field]


@pytest.mark.parametrize("name", BUILT_WRONGLY)
def test_a_document_built_wrongly_fails_only_itself_in_a_batch(name: str) -> None:
    bad, field = BUILT_WRONGLY[name]
    good = PLAN if isinstance(bad, AnnualPlan) else FORM
    first, second = engine.check_documents([good, bad], ["good.yaml", "bad.yaml"])
    # A campaign's other documents are checked as if the bad one could not be read.
    assert first == engine.check_documents([good], ["good.yaml"], unread=[] if good is PLAN else ["bad.yaml"])[0]
    assert isinstance(second, Unusable) and second.path == "bad.yaml"
    assert [p["path"] for p in second.problems] == [field]
    assert str(second.error).startswith("bad.yaml: ")

    stream = engine.check_many([good, good, bad, good])
    assert [next(stream), next(stream)] == [engine.check(good)] * 2
    with pytest.raises(LoadError, match=r"^<document 2>: "):
        next(stream)


def test_a_campaign_checks_its_other_documents_without_one_built_wrongly() -> None:
    """As if that document could not be read: the others' comparisons are not judged without it."""
    documents = [load_document(p) for p in CLEAN]
    names = [p.name for p in CLEAN]
    k = next(k for k, d in enumerate(documents) if isinstance(d, DispatchForm) and not d.members)
    spoilt = [*documents[:k], attrs.evolve(documents[k], submitted="2023-06-01"), *documents[k + 1:]]
    results = engine.check_documents(spoilt, names)
    assert isinstance(results[k], Unusable) and [p["path"] for p in results[k].problems] == ["submitted"]
    others = engine.check_documents(documents[:k] + documents[k + 1:], names[:k] + names[k + 1:], unread=[names[k]])
    assert results[:k] + results[k + 1:] == others
    assert any(n.rule == "form.rollup" and names[k] in n.reason for r in others if isinstance(r, engine.Report)
               for n in r.not_checked)


def test_a_document_built_in_python_with_plain_strings_for_enum_members_is_judged_alike() -> None:
    for path in PLANS:
        plan = load_document(path)
        assert isinstance(plan, AnnualPlan)
        plain = attrs.evolve(
            plan,
            items=tuple(attrs.evolve(i, category=str(i.category), tags=tuple(str(t) for t in i.tags),
                                     period=None if i.period is None else str(i.period),
                                     planned_basis=str(i.planned_basis)) for i in plan.items),
            groups=tuple(attrs.evolve(g, category=str(g.category)) for g in plan.groups))
        assert engine.check(plain) == engine.check(plan), path.name


@pytest.mark.parametrize("given", [{}, None, "a.yaml", Path("a.yaml")], ids=repr)
def test_check_documents_refuses_what_is_not_a_document(given: object) -> None:
    with pytest.raises(TypeError, match=r"^<document 1>: expected a document, got "):
        engine.check_documents([PLAN, given])  # type: ignore[list-item]


@pytest.mark.parametrize("paths", [["a.yaml"], ["a.yaml", "b.yaml", "c.yaml"]])
def test_check_documents_wants_one_path_per_document(paths: list[str]) -> None:
    with pytest.raises(ValueError, match=rf"^{len(paths)} paths for 2 documents"):
        engine.check_documents([PLAN, PLAN], paths)


def test_files_may_be_named_as_text() -> None:
    path = ROOT / "examples" / "plans" / "chongming-2024.yaml"
    assert engine.check_files([str(path)]) == engine.check_files([path])
    assert engine.check_file(str(path)) == engine.check_file(path)


def test_an_empty_profile_is_refused_not_taken_for_the_documents_own() -> None:
    with pytest.raises(engine.ProfileError, match="unknown profile ''"):
        engine.check(PLAN, profile="")
    (result,) = engine.check_documents([PLAN], profile="")
    assert isinstance(result, Unusable) and isinstance(result.error, engine.ProfileError)
    with pytest.raises(engine.ProfileError):
        next(engine.check_many([PLAN], profile=""))


def test_a_violation_built_with_a_plain_string_severity_is_counted_alike() -> None:
    report = engine.check(PLAN)
    plain = attrs.evolve(report, violations=tuple(attrs.evolve(v, severity=str(v.severity)) for v in report.violations))
    assert json_data([plain]) == json_data([report]) and as_text([plain]) == as_text([report])
    assert json_data([plain])["summary"]["errors"] == 1
    assert plain.at_or_above(Severity.ERROR) == plain.violations
