"""The README writes each function of the Python API with its whole signature, as the code has it:
every parameter (keyword-only ones after ``*``), every default and the return type. A keyword the
code takes and the README leaves out (``rulebook=``, ``locate=``) is drift a reader cannot see."""

from __future__ import annotations

import ast
import importlib
import inspect
import re
from collections.abc import Callable
from typing import Any

import pytest

import engine

from .conftest import ROOT

README = (ROOT / "README.md").read_text(encoding="utf-8")

#: A signature as the README writes one, in backticks: ``module.function(params) -> type`` (the
#: type may be left out), or a bare ``function(params)`` in a bullet that begins with its module
#: (`` - `forms.xlsx`: `write_template(variant, path)`, … ``).
SIGNATURE = re.compile(r"`((?:[a-z_]+\.)*[a-z_]+)\(((?:[^`()]|\(\))*)\)(?: -> ([^`]+))?`")  # a default may be ()
BULLET_MODULE = re.compile(r"^- `([a-z_]+(?:\.[a-z_]+)+)`:")
PACKAGES = ("engine", "forms", "rulebook")


def _resolve(name: str) -> Callable[..., Any] | None:
    """The function ``name`` names in zhifa's packages, if it names one."""
    module_name, _, attribute = name.rpartition(".")
    if module_name.split(".")[0] not in PACKAGES:
        return None
    try:
        found = getattr(importlib.import_module(module_name), attribute, None)
    except ImportError:
        return None
    return found if inspect.isfunction(found) else None


def _written(text: str) -> list[tuple[str, str, str | None]]:
    """Each call the text writes in backticks: (dotted name, parameters, return type or None)."""
    found = []
    for line in text.splitlines():
        bullet = BULLET_MODULE.match(line)
        for name, params, returns in SIGNATURE.findall(line):
            if "." not in name and bullet:
                name = f"{bullet.group(1)}.{name}"
            found.append((name, params, returns or None))
    return found


def written_signatures(text: str) -> list[tuple[str, str, str | None]]:
    """Each function signature of zhifa's the text writes: (dotted name, parameters, return type or None)."""
    return [written for written in _written(text) if _resolve(written[0]) is not None]


def unresolved(text: str) -> list[str]:
    """The calls the text writes under zhifa's packages that name no function of them (renamed, or
    misspelt): each would be left out of the signatures checked, so each is a finding of its own."""
    return [name for name, _, _ in _written(text) if name.split(".")[0] in PACKAGES and _resolve(name) is None]


def _parameters(written: str) -> list[tuple[str, str, Any]]:
    """The parameters as written: (name, kind, default), ``*`` making those after it keyword-only."""
    kind = "positional or keyword"
    out: list[tuple[str, str, Any]] = []
    for part in (p.strip() for p in written.split(",") if p.strip()):
        if part == "*":
            kind = "keyword-only"
            continue
        name, eq, default = part.partition("=")
        out.append((name.strip(), kind, ast.literal_eval(default.strip()) if eq else inspect.Parameter.empty))
    return out


def _actual(function: Callable[..., Any]) -> list[tuple[str, str, Any]]:
    kinds = {inspect.Parameter.POSITIONAL_OR_KEYWORD: "positional or keyword",
             inspect.Parameter.KEYWORD_ONLY: "keyword-only"}
    return [(p.name, kinds.get(p.kind, str(p.kind)), p.default) for p in inspect.signature(function).parameters.values()]


WRITTEN = written_signatures(README)


def test_the_readme_writes_signatures_this_check_reads() -> None:
    names = {name for name, _, _ in WRITTEN}
    assert {"engine.check", "engine.check_many", "forms.xlsx.read_form", "forms.strategies.annual_plans"} <= names


@pytest.mark.parametrize(("name", "params", "returns"), WRITTEN, ids=[f"{n}({p})" for n, p, _ in WRITTEN])
def test_each_signature_the_readme_writes_is_the_functions_whole_signature(name: str, params: str,
                                                                           returns: str | None) -> None:
    function = _resolve(name)
    assert function is not None
    assert _parameters(params) == _actual(function), f"the README writes {name}({params})"
    if returns is not None:
        annotation = inspect.signature(function).return_annotation
        assert returns.strip() == (annotation if isinstance(annotation, str) else inspect.formatannotation(annotation))


def test_every_function_engine_exports_is_written_with_its_signature() -> None:
    exported = {f"engine.{name}" for name in engine.__all__ if inspect.isfunction(getattr(engine, name))}
    assert exported - {name for name, _, _ in WRITTEN} == set()


def test_a_signature_missing_a_keyword_is_caught() -> None:
    """The drift this file is for: ``check_file`` written without ``rulebook=``."""
    (written,) = written_signatures("- `engine.check_file(path, profile=None) -> Report` loads a file")
    assert _parameters(written[1]) != _actual(engine.check_file)


def test_every_call_the_readme_writes_under_zhifas_packages_names_a_function() -> None:
    assert unresolved(README) == []


def test_a_renamed_function_the_readme_still_writes_is_caught() -> None:
    text = "- `engine.check_fiels(paths, profile=None) -> list` renamed; `forms.xlsx.read_form(path)` kept"
    assert unresolved(text) == ["engine.check_fiels"]
    assert [name for name, _, _ in written_signatures(text)] == ["forms.xlsx.read_form"]
