"""Fuzz the .xlsx dispatch-form reader: any workbook in, a form or forms.LoadError out; anything
else is a crash.

An input that starts with ``PK`` (a zip archive) is the file itself; otherwise the first byte
picks how the rest becomes a workbook:

* raw: the rest is the file (zip and size checks, then openpyxl);
* part: a seed workbook with one of its zip parts (sheet XML, shared strings, styles…) replaced
  by bytes spliced from the input, so the XML parsers behind openpyxl see malformed content;
* cells: a seed workbook opened with openpyxl and a few of the cells the reader looks at (header,
  labels, figures, the variant's hidden cell) set to values drawn from the input — numbers
  (including NaN, ±inf, huge and negative), text, dates, booleans, formulas, blanks.

Seeds are the workbooks in fuzz/corpus/xlsx (see fuzz/seed_corpus.py).

    .venv/bin/python fuzz/xlsx.py -max_total_time=60 fuzz/corpus/xlsx
"""

from __future__ import annotations

import io
import sys
import warnings
import zipfile
from datetime import datetime, timedelta

import atheris
from _common import ROOT, SCRATCH, crashes_only

with atheris.instrument_imports():
    from forms import LoadError
    from forms.xlsx import read_form

from openpyxl import load_workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

SEEDS = [p.read_bytes() for p in sorted((ROOT / "fuzz" / "corpus" / "xlsx").glob("*.xlsx"))]
WORKBOOK = SCRATCH / "input.xlsx"
# Cells the reader looks at: title, header cells, labels (C), figures (E, F), notes, the variant cell.
CELLS = ["A1", "B2", "E2", "B3", "E3", *(f"{col}{row}" for col in "CEF" for row in range(5, 32))]
SPECIAL = [float("nan"), float("inf"), -float("inf"), -1, -0.5, 1e308, 10**30, 0.1, True, False, None,
           "=1+1", "=E5", "３家", "是", "否", "2023年2月30日", "2023年13月", "", " ", "\u3000"]


def _value(fdp: atheris.FuzzedDataProvider) -> object:
    choice = fdp.ConsumeIntInRange(0, 5)
    if choice == 0:
        return fdp.PickValueInList(SPECIAL)
    if choice == 1:
        return fdp.ConsumeInt(8)
    if choice == 2:
        return fdp.ConsumeFloat()
    if choice == 3:
        return datetime(1900, 1, 1) + timedelta(days=fdp.ConsumeIntInRange(0, 3_000_000))
    return ILLEGAL_CHARACTERS_RE.sub("", fdp.ConsumeUnicodeNoSurrogates(fdp.ConsumeIntInRange(0, 40)))


def _with_cells(seed: bytes, fdp: atheris.FuzzedDataProvider) -> bytes:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        book = load_workbook(io.BytesIO(seed))
    sheet = book.worksheets[0]
    for _ in range(fdp.ConsumeIntInRange(1, 8)):
        sheet[fdp.PickValueInList(CELLS)] = _value(fdp)
    if fdp.ConsumeBool() and "zhifa" in book.sheetnames:
        book["zhifa"]["B1"] = _value(fdp)
    if fdp.ConsumeBool():
        book.move_sheet(sheet, offset=1)  # the form no longer first
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _with_part(seed: bytes, fdp: atheris.FuzzedDataProvider) -> bytes:
    with zipfile.ZipFile(io.BytesIO(seed)) as archive:
        parts = {info.filename: archive.read(info) for info in archive.infolist()}
    name = fdp.PickValueInList(sorted(parts))
    original = parts[name]
    cut = fdp.ConsumeIntInRange(0, len(original))
    keep = fdp.ConsumeIntInRange(cut, len(original))
    parts[name] = original[:cut] + fdp.ConsumeBytes(fdp.ConsumeIntInRange(0, 512)) + original[keep:]
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for part, content in parts.items():
            archive.writestr(part, content)
    return out.getvalue()


def TestOneInput(data: bytes) -> None:
    if not data:
        return
    mode, rest = data[0] % 3, data[1:]
    if data.startswith(b"PK"):  # a workbook (the seeds, and what libFuzzer makes of them)
        raw = data
    elif mode == 0:
        raw = rest
    else:
        fdp = atheris.FuzzedDataProvider(rest)
        seed = fdp.PickValueInList(SEEDS)
        try:
            raw = _with_part(seed, fdp) if mode == 1 else _with_cells(seed, fdp)
        except Exception:  # openpyxl or zipfile refused to write what was drawn: not the reader's fault
            return
    WORKBOOK.write_bytes(raw)
    with crashes_only(LoadError):
        read_form(WORKBOOK)


if __name__ == "__main__":
    atheris.Setup(sys.argv, TestOneInput)
    atheris.Fuzz()
