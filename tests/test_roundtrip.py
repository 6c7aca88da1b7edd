"""File → model → file, and the published JSON Schema."""

from __future__ import annotations

import json

import jsonschema
import pytest
from hypothesis import given, settings

import engine
from forms import DOCUMENT_KINDS, LoadError, document_from_data, dump_plan, load_document, structure, unstructure
from forms.convert import document_data, dump_document, kind_of
from forms.dispatch import CountAmount, DispatchForm
from forms.schema import annual_plan_schema, document_schema
from forms.strategies import CampaignBundle, annual_plans, campaign_bundles, plan_data

from .conftest import EXAMPLES, ROOT, SEEDS

SCHEMA_FILE = ROOT / "forms" / "schemas" / "annual-plan.schema.json"


@pytest.mark.parametrize("seed", SEEDS)
def test_example_files_are_written_back_unchanged(seed: str) -> None:
    text = (EXAMPLES / f"{seed}.yaml").read_text(encoding="utf-8")
    body = "".join(line for line in text.splitlines(keepends=True) if not line.startswith("#"))
    assert dump_plan(load_document(EXAMPLES / f"{seed}.yaml")) == body


@given(plan=annual_plans())
def test_generated_plans_round_trip_through_yaml_and_json(plan, tmp_path_factory) -> None:
    directory = tmp_path_factory.mktemp("plans")
    for fmt in ("yaml", "json"):
        path = directory / f"plan.{fmt}"
        path.write_text(dump_plan(plan, fmt), encoding="utf-8")
        assert load_document(path) == plan


def test_published_schema_is_current() -> None:
    assert json.loads(SCHEMA_FILE.read_text(encoding="utf-8")) == annual_plan_schema()


@pytest.mark.parametrize("kind", sorted(DOCUMENT_KINDS))
def test_every_kinds_published_schema_is_current(kind: str) -> None:
    """Regenerate with `make schema`."""
    published = ROOT / "forms" / "schemas" / f"{kind}.schema.json"
    assert json.loads(published.read_text(encoding="utf-8")) == document_schema(kind)


@pytest.mark.parametrize("profile", ["shanghai-chongming-2023-campaign", "linyi-lingang-2023-campaign"])
def test_campaign_documents_validate_against_their_schemas_and_round_trip(profile: str, tmp_path_factory) -> None:
    @settings(max_examples=10, deadline=None)
    @given(bundle=campaign_bundles(profile))
    def check(bundle: CampaignBundle) -> None:
        directory = tmp_path_factory.mktemp("campaign")
        for k, document in enumerate(bundle.documents):
            data = json.loads(json.dumps(document_data(document), ensure_ascii=False))
            jsonschema.validate(data, document_schema(kind_of(document)))
            for fmt in ("yaml", "json"):
                path = directory / f"{k}.{fmt}"
                path.write_text(dump_document(document, fmt), encoding="utf-8")
                assert load_document(path) == document

    check()


def test_form_schema_knows_each_variants_items() -> None:
    schema = document_schema("dispatch-form")
    form = {"kind": "dispatch-form", "variant": "chongming-2023", "unit": "城桥镇", "month": "2023-06",
            "profile": "shanghai-chongming-2023-campaign", "values": {"self_found": 2, "penalties": {"count": 1, "amount": 0.5}}}
    jsonschema.validate(form, schema)
    for bad in ({"no_such_item": 1}, {"self_found": -1}, {"penalties": {"count": 1, "fine": 2}}, {"media_column": "是"}):
        with pytest.raises(jsonschema.ValidationError):
            jsonschema.validate({**form, "values": bad}, schema)
    # 安全教育培训走过场 is an item of the Linyi form only
    linyi_only = set(document_schema("dispatch-form")["allOf"][1]["then"]["properties"]["values"]["properties"]) - set(
        schema["allOf"][0]["then"]["properties"]["values"]["properties"])
    assert linyi_only
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate({**form, "values": {sorted(linyi_only)[0]: 1}}, schema)


@pytest.mark.parametrize("seed", SEEDS)
def test_examples_validate_against_the_schema(seed: str) -> None:
    data = json.loads(json.dumps(plan_data(load_document(EXAMPLES / f"{seed}.yaml"))))
    jsonschema.validate(data, annual_plan_schema())


@given(plan=annual_plans("shanghai-putuo-2024"))
def test_generated_plans_validate_against_the_schema(plan) -> None:
    data = json.loads(json.dumps(plan_data(plan)))
    jsonschema.validate(data, annual_plan_schema())
    assert document_from_data(data) == plan


def test_schema_rejects_what_the_loader_rejects() -> None:
    data = json.loads(json.dumps(plan_data(load_document(EXAMPLES / "minhang-2020.yaml"))))
    data["items"][0]["colour"] = "red"
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(data, annual_plan_schema())


ALL_EXAMPLES = sorted(p for p in (ROOT / "examples").rglob("*") if p.suffix in (".yaml", ".xlsx"))


@pytest.mark.parametrize("folder", sorted({p.parent for p in ALL_EXAMPLES}), ids=lambda p: str(p.relative_to(ROOT)))
def test_every_example_structured_from_its_data_is_the_document_loaded_and_gets_its_report(folder) -> None:
    """``forms.structure`` reads a document as loading does: a form's values against its template."""
    files = [p for p in ALL_EXAMPLES if p.parent == folder]
    loaded = [load_document(p) for p in files]
    again = [structure(unstructure(d), type(d), str(p)) for p, d in zip(files, loaded, strict=True)]
    assert again == loaded
    for path, document, copy in zip(files, loaded, again, strict=True):
        assert engine.check(copy, path=str(path)) == engine.check(document, path=str(path))
    names = [str(p) for p in files]
    assert engine.check_documents(again, names) == engine.check_documents(loaded, names)


def test_a_form_structured_from_data_has_its_values_read_against_its_template() -> None:
    data = unstructure(load_document(ROOT / "examples/campaigns/chongming-2023/violations/港沿镇-2023-05.yaml"))
    assert isinstance(structure(data, DispatchForm).values["penalties"], CountAmount)
    data["values"]["penalties"] = {"count": "3"}
    data["values"]["no_such_item"] = 1
    with pytest.raises(LoadError) as raised:
        structure({"form": data}["form"], DispatchForm, "forms.yaml", "forms[2]")
    assert [str(p) for p in raised.value.problems] == [
        "forms[2].values.no_such_item: not an item of the chongming-2023 form",
        'forms[2].values.penalties.count: expected a whole number ≥ 0, got "3"']
