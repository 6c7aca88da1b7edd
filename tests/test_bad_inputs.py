"""Bad inputs: every file of tests/bad_inputs/ is refused with exit 2, a message naming the file and the
field (or cell), no traceback, and no report of its own; the other inputs are still checked."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
import yaml

from engine.cli import DOCUMENT_SUFFIXES, main
from forms import MAX_FILE_BYTES

CORPUS = Path("tests") / "bad_inputs"  # relative: the tests run from the project root (conftest)
EXPECTED_FILE = Path("tests") / "bad_inputs.yaml"  # beside the corpus, so a folder run reads only bad files
ROOT = Path(__file__).resolve().parent.parent
FILES = sorted(p.name for p in (ROOT / CORPUS).iterdir()
               if p.suffix.lower() in DOCUMENT_SUFFIXES)
EXPECTED: dict[str, dict[str, Any]] = yaml.safe_load((ROOT / EXPECTED_FILE).read_text(encoding="utf-8"))
GOOD = "examples/plans/chongming-2024.yaml"


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = main(["check", *args])
    out, err = capsys.readouterr()
    return code, out, err


def test_the_corpus_is_large_and_every_file_has_an_expectation() -> None:
    assert len(FILES) >= 60
    assert sorted(EXPECTED) == FILES
    for name, entry in EXPECTED.items():
        assert set(entry) == {"exit", "mentions"}, name
        assert entry["mentions"], name


@pytest.mark.parametrize("name", FILES)
def test_a_bad_file_is_refused_naming_the_file_and_the_field(name: str, capsys: pytest.CaptureFixture[str]) -> None:
    path = str(CORPUS / name)
    code, out, err = run(capsys, path)
    assert code == EXPECTED[name]["exit"] == 2
    assert "Traceback" not in err and "Traceback" not in out
    assert f"zhifa: {path}: " in err
    for mention in EXPECTED[name]["mentions"]:
        assert mention in err, f"{mention!r} not in {err!r}"
    # The text report lists the file as unusable, with its problems, and reports no document for it.
    assert [line for line in out.splitlines() if path in line] == [f"{path}  无法检查 / unusable input"]
    assert out.splitlines()[-1].endswith("0 document(s), 0 violation(s) (0 errors, 0 warnings), 0 not checked, 1 unusable")


@pytest.mark.parametrize("name", FILES)
def test_a_bad_file_is_unusable_in_the_json_report(name: str, capsys: pytest.CaptureFixture[str]) -> None:
    path = str(CORPUS / name)
    code, out, err = run(capsys, "--format", "json", path)
    assert code == 2
    assert "Traceback" not in err
    data = json.loads(out)
    assert data["documents"] == []
    assert [u["path"] for u in data["unusable"]] == [path]
    assert data["unusable"][0]["problems"]
    assert all(set(p) == {"path", "message"} for p in data["unusable"][0]["problems"])


def test_the_whole_corpus_with_a_good_file_reports_the_good_one(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run(capsys, "--format", "json", str(CORPUS), GOOD)
    assert code == 2
    assert "Traceback" not in err
    data = json.loads(out)
    unusable = {u["path"] for u in data["unusable"]}
    assert unusable == {str(CORPUS / name) for name in FILES}
    assert [d["path"] for d in data["documents"]] == [GOOD]
    assert data["documents"][0]["kind"] == "annual-plan"
    assert [v["rule"] for v in data["documents"][0]["violations"]] == ["plan.joint-share"]
    assert data["summary"]["documents"] == 1
    assert data["summary"]["unusable"] == len(FILES)
    for name in FILES:
        assert f"zhifa: {CORPUS / name}: " in err


@pytest.mark.parametrize("suffix", [".yaml", ".json", ".xlsx"])
def test_an_oversized_file_is_refused_before_it_is_read(suffix: str, tmp_path: Path,
                                                         capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / f"oversized{suffix}"
    size = MAX_FILE_BYTES + 1
    with path.open("wb") as f:
        f.write(b"# " + b"x" * (size - 3) + b"\n")
    assert path.stat().st_size == size
    code, out, err = run(capsys, "--format", "json", str(path), GOOD)
    assert code == 2
    assert "Traceback" not in err
    assert f"zhifa: {path}: file is {size} bytes; the limit is {MAX_FILE_BYTES}" in err
    data = json.loads(out)
    assert [u["path"] for u in data["unusable"]] == [str(path)]
    assert [d["path"] for d in data["documents"]] == [GOOD]
