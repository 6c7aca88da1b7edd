"""Fuzz the YAML/JSON loaders: any bytes in, a document or forms.LoadError out; anything else is a crash.

Each input is read three ways: as a .yaml file and as a .json file through ``forms.load_document``
(size limit, decoding, strict YAML/JSON parsing, then the models), and, when it parses as JSON,
as in-memory data through ``forms.document_from_data`` and ``forms.plan_from_data``.

    .venv/bin/python fuzz/loaders.py -max_total_time=60 fuzz/corpus/loaders
"""

from __future__ import annotations

import json
import sys

import atheris
from _common import SCRATCH, crashes_only

with atheris.instrument_imports():
    import forms
    from forms import LoadError

YAML_FILE = SCRATCH / "input.yaml"
JSON_FILE = SCRATCH / "input.json"


def TestOneInput(data: bytes) -> None:
    for path in (YAML_FILE, JSON_FILE):
        path.write_bytes(data)
        with crashes_only(LoadError):
            forms.load_document(path)
    try:
        parsed = json.loads(data)
    except (ValueError, RecursionError):  # not JSON: the file reads above covered it
        return
    for build in (forms.document_from_data, forms.plan_from_data):
        with crashes_only(LoadError):
            build(parsed, "<fuzz>")


if __name__ == "__main__":
    atheris.Setup(sys.argv, TestOneInput)
    atheris.Fuzz()
