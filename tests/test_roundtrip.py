"""File → model → file, and the published JSON Schema."""

from __future__ import annotations

import json

import jsonschema
import pytest
from hypothesis import given

from forms import document_from_data, dump_plan, load_document
from forms.schema import annual_plan_schema
from forms.strategies import annual_plans, plan_data

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
