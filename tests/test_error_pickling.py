"""zhifa's errors cross process boundaries: a worker of a process pool raises them and its caller
receives them through pickle, with every field they carry. An error pickled by its message alone
could not be rebuilt, and the pool broke (``BrokenProcessPool``)."""

from __future__ import annotations

import pickle
from pathlib import Path
from typing import Any

import pytest

import engine
from engine import RulebookError, RuleError, Unusable
from forms import LoadError
from forms.errors import Problem
from rulebook.load import RulebookLoadError

EXAMPLES = Path(__file__).resolve().parent.parent / "examples"


def _fields(error: Exception) -> dict[str, Any]:
    return {name: getattr(error, name) for name in ("file", "problems", "profile", "document", "detail", "field",
                                                     "files", "located") if hasattr(error, name)}


def _round_trip(error: Exception) -> Exception:
    again = pickle.loads(pickle.dumps(error))
    assert type(again) is type(error)
    assert str(again) == str(error)
    assert _fields(again) == _fields(error)
    return again


def test_a_load_error_from_a_check_survives_pickling() -> None:
    with pytest.raises(LoadError) as caught:
        engine.check({"kind": "annual-plan", "year": "x"}, path="plan.json")
    again = _round_trip(caught.value)
    assert isinstance(again, LoadError) and again.file == "plan.json" and again.problems


def test_an_unusable_file_survives_pickling(tmp_path: Path) -> None:
    (result,) = engine.check_files([tmp_path / "missing.yaml"])
    assert isinstance(result, Unusable)
    again = pickle.loads(pickle.dumps(result))
    assert again.path == result.path and again.problems == result.problems


def test_a_form_naming_its_profile_keeps_it_through_pickling() -> None:
    error = LoadError("form.yaml", [Problem("values.self_found", "must be a whole number")], "linyi-lingang-2023-campaign")
    assert _round_trip(error).profile == "linyi-lingang-2023-campaign"  # type: ignore[attr-defined]


@pytest.mark.parametrize("error", [
    RuleError("plan.yaml", "RuntimeError: the C core failed"),
    engine.ProfileError("unknown profile 'nowhere-2024'", "profile", "<document 3>"),
    RulebookError("shanghai-putuo-2024", [Problem("rules[0].when", "unknown fact kind")], ["mine.yaml"]),
    RulebookLoadError([("rules/a.yaml", Problem("rules[1].id", "defined twice")),
                       ("rules/b.yaml", Problem("rules[0].id", "defined twice"))]),
], ids=["RuleError", "ProfileError", "RulebookError", "RulebookLoadError"])
def test_engine_and_rulebook_errors_survive_pickling(error: Exception) -> None:
    _round_trip(error)


def test_a_real_plan_check_result_pickles_too() -> None:
    report = engine.check_file(EXAMPLES / "plans" / "chongming-2024.yaml")
    assert pickle.loads(pickle.dumps(report)) == report


def test_the_profile_a_refused_record_fits_survives_pickling() -> None:
    """The profile that fits a record refused for its ``as_of``: what its comparisons wait for."""
    error = engine.ProfileError("2022-12-31 is before the campaign began", "as_of", "r.yaml", "linyi-lingang-2023-campaign")
    again = _round_trip(error)
    assert (again.profile, again.field, again.document) == ("linyi-lingang-2023-campaign", "as_of", "r.yaml")  # type: ignore[attr-defined]
