"""The JSON writer of reports: exactly what ``json.dumps(…, ensure_ascii=False, indent=2)`` writes."""

from __future__ import annotations

import json
import math
import re
from datetime import date
from enum import IntEnum, StrEnum
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

import engine
import engine.output
from engine import check_documents
from engine.output import as_json, indented_json
from engine.report import in_report_order
from forms import CONVERTER, load_document
from rulebook import Severity


def _json_dumps(data: Any) -> str:
    return json.dumps(data, ensure_ascii=False, indent=2)


scalars = st.none() | st.booleans() | st.integers() | st.floats() | st.text()
json_values = st.recursive(
    scalars,
    lambda inner: st.lists(inner, max_size=4) | st.lists(inner, max_size=3).map(tuple)
    | st.dictionaries(st.text(), inner, max_size=4),
    max_leaves=30,
)


@given(json_values)
def test_any_json_data_is_written_as_json_writes_it(data: Any) -> None:
    assert indented_json(data) == _json_dumps(data)


@given(json_values)
def test_text_joined_as_it_goes_is_the_same_text(data: Any) -> None:
    """A large report's pieces are joined in blocks as they are written (to hold less memory);
    with blocks of two pieces, any data still comes out as json writes it."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(engine.output, "_PIECES", 2)
        assert indented_json(data) == _json_dumps(data)


def test_a_report_of_many_documents() -> None:
    data = {"documents": [{"path": f"form-{k}.json", "violations": [], "values": {"n": k, "x": k / 7}}
                          for k in range(3 * engine.output._PIECES)], "summary": {"documents": 3}}
    assert indented_json(data) == _json_dumps(data)


@given(st.dictionaries(st.integers() | st.floats() | st.booleans() | st.none() | st.text(),
                       scalars, min_size=1, max_size=4))
def test_keys_that_are_not_text_are_written_as_json_writes_them(data: dict[Any, Any]) -> None:
    assert indented_json(data) == _json_dumps(data)


def test_keys_json_cannot_write_are_refused_alike() -> None:
    with pytest.raises(TypeError) as by_json:
        _json_dumps({(1, 2): 3})
    with pytest.raises(TypeError) as by_zhifa:
        indented_json({(1, 2): 3})
    assert str(by_zhifa.value) == str(by_json.value)


class Colour(StrEnum):
    RED = "red"


class Level(IntEnum):
    HIGH = 3


def test_subclasses_of_json_types_and_special_floats() -> None:
    data = {"colour": Colour.RED, "level": Level.HIGH, "nan": math.nan, "inf": -math.inf,
            "control": "\x00\u2028\"\\", "nested": [[], {}, [{}], {"a": ()}]}
    assert indented_json(data) == _json_dumps(data)


def test_values_json_cannot_write_are_refused_alike() -> None:
    with pytest.raises(TypeError, match="not JSON serializable"):
        _json_dumps({"when": date(2024, 1, 1)})
    with pytest.raises(TypeError, match="not JSON serializable"):
        indented_json({"when": date(2024, 1, 1)})


def test_a_report_with_violations_and_not_checked_rules() -> None:
    documents = [load_document(f"examples/plans/{name}.yaml") for name in ("chongming-2024", "putuo-2024")]
    reports = check_documents(documents, ["chongming", "putuo"])
    assert any(r.violations for r in reports) and any(r.not_checked for r in reports)
    text = as_json(reports)
    assert text == _json_dumps(json.loads(text)) + "\n"


def _violation(location: str, message: str) -> engine.Violation:
    return engine.Violation(rule="form.deadline", severity=Severity.ERROR, message=message, message_en="",
                            location=location, values={}, citations=())


@given(st.lists(st.integers(0, 10**6), min_size=1, max_size=8, unique=True), st.text(max_size=3), st.text(max_size=3))
def test_findings_at_one_place_are_listed_with_their_numbers_in_order(numbers: list[int], before: str, after: str) -> None:
    before, after = re.sub(r"\d+$", "", before), re.sub(r"^\d+", "", after)  # the number stays one run of digits
    found = [_violation("/steps/0", f"{before}第{n}号{after}") for n in numbers]
    assert list(in_report_order(found)) == [
        _violation("/steps/0", f"{before}第{n}号{after}") for n in sorted(numbers)]


def test_documents_and_unusable_inputs_are_written_sorted_by_path_whatever_order_they_were_checked_in() -> None:
    files = ["examples/plans/putuo-2024.yaml", "missing-b.yaml", "examples/plans/chongming-2024.yaml",
             "examples/plans-old/a.yaml", "missing-a.yaml"]
    written = {as_json(*_split(engine.check_files([Path(f) for f in order]))) for order in (files, files[::-1], sorted(files))}
    assert len(written) == 1
    data = json.loads(written.pop())
    assert [d["path"] for d in data["documents"]] == ["examples/plans/chongming-2024.yaml", "examples/plans/putuo-2024.yaml"]
    assert [u["path"] for u in data["unusable"]] == ["examples/plans-old/a.yaml", "missing-a.yaml", "missing-b.yaml"]


def _split(results: list[engine.Report | engine.Unusable]) -> tuple[list[engine.Report], list[engine.Unusable]]:
    return [r for r in results if isinstance(r, engine.Report)], [r for r in results if isinstance(r, engine.Unusable)]


def test_a_json_report_read_back_is_the_report_it_was() -> None:
    """A platform stores reports as JSON and reads them back: each of ``documents`` structured as a
    Report equals what the check returned, citations included (a finding carries its clauses, not
    which findings each grounds)."""
    root = Path(__file__).resolve().parent.parent / "examples"
    paths = [*sorted((root / "plans").glob("*.yaml")),
             *sorted((root / "campaigns/chongming-2023/violations").iterdir())]
    reports = [r for r in engine.check_files(paths) if isinstance(r, engine.Report)]
    assert sum(len(r.violations) for r in reports) >= 10
    read = [CONVERTER.structure(entry, engine.Report) for entry in json.loads(as_json(reports))["documents"]]
    assert sorted(read, key=lambda r: str(r.path)) == sorted(reports, key=lambda r: str(r.path))
