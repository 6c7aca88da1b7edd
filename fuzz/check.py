"""Fuzz the checks with structured-but-random documents: valid examples, mutated field by field.

The input drives an ``atheris.FuzzedDataProvider`` that picks a seed (an example plan, dispatch
form, enterprise record or steps record from examples/, or a whole campaign folder) and applies
1–8 mutations at random places in its plain data: numbers replaced (0, negative, huge, fractional,
a bool, text), text replaced (random Unicode, empty, another field's text), lists emptied, an
element dropped, duplicated or reordered, fields deleted, values replaced by a value of another
type. The result goes through ``engine.check`` (a single document) or ``engine.check_documents``
(a campaign folder, documents compared with each other), and the reports through
``engine.output.as_json``.

Allowed outcomes: a report, ``forms.LoadError`` (the data is not a valid document) and
``engine.ProfileError`` (the profile does not fit). A ``RuleError`` — the engine failed on a
document that loaded — and any other exception are crashes.

    .venv/bin/python fuzz/check.py -max_total_time=60 fuzz/corpus/check
"""

from __future__ import annotations

import copy
import sys
from datetime import date
from typing import Any

import atheris
from _common import ROOT, crashes_only

with atheris.instrument_imports():
    import engine
    from engine import ProfileError
    from engine.output import as_json
    from forms import LoadError, document_from_data, read_data

EXAMPLES = ROOT / "examples"
SINGLES = [read_data(p) for p in sorted(EXAMPLES.rglob("*.yaml"))]
FOLDERS = [[read_data(p) for p in sorted(folder.glob("*.yaml"))]
           for folder in sorted(EXAMPLES.glob("campaigns/*/*")) if folder.is_dir()]
NUMBERS = [0, -1, 1, 2, 99, 100, 101, 2**31, 2**63, 10**30, 0.5, 1e-9, 1e308, 99.99, 100.0001, True, False]
TEXTS = ["", " ", "0", "2023-02-30", "2023-13", "2023-06", "2023-05-23", "一百", "nan", "inf", "-1", "\u3000", "\x00"]
OTHERS: list[Any] = [None, [], {}, "", 0, [0], {"x": 1}, date(2023, 6, 30), date(1, 1, 1), date(9999, 12, 31)]


def _places(data: Any, found: list[tuple[Any, Any]]) -> list[tuple[Any, Any]]:
    """Every (container, key) in the data, depth first."""
    items = data.items() if isinstance(data, dict) else enumerate(data) if isinstance(data, list) else ()
    for key, value in items:
        found.append((data, key))
        _places(value, found)
    return found


def _strings(data: Any) -> list[str]:
    if isinstance(data, str):
        return [data]
    values = data.values() if isinstance(data, dict) else data if isinstance(data, list) else ()
    return [s for v in values for s in _strings(v)]


def _new_value(old: Any, fdp: atheris.FuzzedDataProvider, texts: list[str]) -> Any:
    # A copy: the constants are shared lists and mappings, and a later mutation writing into one
    # would change it for every later input (and could put a list inside itself).
    return copy.deepcopy(_drawn_value(old, fdp, texts))


def _drawn_value(old: Any, fdp: atheris.FuzzedDataProvider, texts: list[str]) -> Any:
    choice = fdp.ConsumeIntInRange(0, 9)
    if choice == 0:
        return fdp.PickValueInList(OTHERS)
    if isinstance(old, bool) or choice == 1:
        return fdp.PickValueInList([True, False, None, 1, "是"])
    if isinstance(old, (int, float)) and choice < 6:
        if choice == 2:
            return fdp.PickValueInList(NUMBERS)
        if choice == 3:
            return old + fdp.ConsumeIntInRange(-3, 3)
        if choice == 4:
            return fdp.ConsumeInt(fdp.ConsumeIntInRange(1, 9))
        return fdp.ConsumeRegularFloat()
    if isinstance(old, str) and choice < 6:
        if choice == 2:
            return fdp.PickValueInList(TEXTS)
        if choice == 3 and texts:
            return fdp.PickValueInList(texts)
        if choice == 4:
            return old + old
        return fdp.ConsumeUnicodeNoSurrogates(fdp.ConsumeIntInRange(0, 24))
    if isinstance(old, date) and choice < 6:
        return date.fromordinal(max(1, min(date.max.toordinal(), old.toordinal() + fdp.ConsumeIntInRange(-400, 400))))
    if isinstance(old, list) and old and choice < 8:
        k = fdp.ConsumeIntInRange(0, len(old) - 1)
        if choice == 2:
            return old[:k] + old[k + 1:]  # one dropped
        if choice == 3:
            return [*old[:k + 1], copy.deepcopy(old[k]), *old[k + 1:]]  # one duplicated
        if choice == 4:
            return []
        if choice == 5:
            return old[::-1]
        return old * 2
    if isinstance(old, dict) and old and choice < 6:
        key = fdp.PickValueInList(list(old))
        return {k: v for k, v in old.items() if k != key}
    return fdp.PickValueInList([*NUMBERS, *TEXTS, *OTHERS])


def mutate(data: Any, fdp: atheris.FuzzedDataProvider) -> None:
    texts = _strings(data)
    for _ in range(fdp.ConsumeIntInRange(1, 8)):
        places = _places(data, [])
        if not places:
            return
        container, key = places[fdp.ConsumeIntInRange(0, len(places) - 1)]
        if isinstance(container, dict) and key != "kind" and fdp.ConsumeIntInRange(0, 7) == 0:
            del container[key]
        else:
            container[key] = _new_value(container[key], fdp, texts)


def _check_one(data: Any) -> None:
    with crashes_only(LoadError, ProfileError):
        as_json([engine.check(data)])


def _check_folder(folder: list[Any], fdp: atheris.FuzzedDataProvider) -> None:
    documents = []
    for k, data in enumerate(folder):
        if fdp.ConsumeIntInRange(0, 3) == 0:
            mutate(data, fdp)
        try:
            documents.append(document_from_data(data, f"<document {k}>"))
        except LoadError:
            continue
    results = engine.check_documents(documents)
    for result in results:
        if isinstance(result, engine.Unusable) and not isinstance(result.error, (LoadError, ProfileError)):
            raise result.error  # a RuleError: the engine failed on documents that loaded
    as_json([r for r in results if isinstance(r, engine.Report)],
            [r for r in results if isinstance(r, engine.Unusable)])


def TestOneInput(data: bytes) -> None:
    fdp = atheris.FuzzedDataProvider(data)
    with crashes_only():
        if fdp.ConsumeIntInRange(0, 4) == 0:
            _check_folder(copy.deepcopy(fdp.PickValueInList(FOLDERS)), fdp)
        else:
            document = copy.deepcopy(fdp.PickValueInList(SINGLES))
            mutate(document, fdp)
            _check_one(document)


if __name__ == "__main__":
    atheris.Setup(sys.argv, TestOneInput)
    atheris.Fuzz()
