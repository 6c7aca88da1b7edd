"""The zhifa command: exit codes, formats, unusable input, and byte-identical output."""

from __future__ import annotations

import itertools
import json
import os
import shutil
import stat
import subprocess
import sys
import threading
from collections.abc import Callable
from pathlib import Path
from urllib.parse import quote
from xml.etree import ElementTree

import attrs
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from openpyxl import load_workbook

import engine.cli
import engine.runtime
from engine.cli import main
from forms.errors import LoadError, Problem
from rulebook import Rulebook, load_rulebook

from .conftest import ROOT, noted_parameter_values


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = main(list(args))
    out, err = capsys.readouterr()
    return code, out, err


def test_exit_codes_follow_the_threshold(capsys: pytest.CaptureFixture[str]) -> None:
    assert run(capsys, "check", "examples/plans/minhang-2020.yaml")[0] == 0
    assert run(capsys, "check", "examples/plans/chongming-2024.yaml")[0] == 1
    # Putuo has a warning only: clean at the default threshold, failing at --fail-on warning.
    assert run(capsys, "check", "examples/plans/putuo-2024.yaml")[0] == 0
    assert run(capsys, "check", "--fail-on", "warning", "examples/plans/putuo-2024.yaml")[0] == 1


def test_text_output_is_chinese_first_and_cites_the_clause(capsys: pytest.CaptureFixture[str]) -> None:
    _, out, _ = run(capsys, "check", "examples/plans/chongming-2024.yaml")
    lines = out.splitlines()
    assert lines[1] == "  ✗ error plan.joint-share  /items/10/planned"
    assert lines[2].startswith("    跨部门联合检查4家次")
    assert lines[3].startswith("    4 joint checks")
    assert "依据 chongming-2024 二、（三）2" in out


def test_json_output_and_folder_arguments(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "check", "--format", "json", "examples/plans")
    data = json.loads(out)
    assert code == 1
    assert [d["path"] for d in data["documents"]] == sorted(d["path"] for d in data["documents"])
    assert data["summary"] == {"documents": 3, "violations": 2, "errors": 1, "warnings": 1,
                               "not_checked": 12, "unusable": 0}


def test_a_folder_is_searched_at_any_depth_without_entering_linked_folders(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    plans = Path("examples/plans").resolve()
    (tmp_path / "a" / "b").mkdir(parents=True)
    (tmp_path / "a" / "b" / "minhang.yaml").write_bytes((plans / "minhang-2020.yaml").read_bytes())
    (tmp_path / "a" / "notes.txt").write_text("not a document", encoding="utf-8")
    (tmp_path / "putuo.yaml").symlink_to(plans / "putuo-2024.yaml")  # a file linked to is read
    (tmp_path / "a" / "loop").symlink_to(tmp_path, target_is_directory=True)  # a folder linked to is not entered
    code, out, err = run(capsys, "check", "--format", "json", str(tmp_path))
    assert (code, err) == (0, "")
    assert [Path(d["path"]).relative_to(tmp_path).as_posix() for d in json.loads(out)["documents"]] == [
        "a/b/minhang.yaml", "putuo.yaml"]


@settings(max_examples=60, deadline=None)
@given(st.lists(st.lists(st.sampled_from(["a", "a-b", "a.b", "b", "a b", "é", "a0", "A"]), min_size=1, max_size=3),
                min_size=1, max_size=6, unique_by=tuple),
       st.sampled_from(["relative", "absolute", "mixed"]))
def test_files_and_folders_are_checked_in_the_order_paths_sort(
        tmp_path_factory: pytest.TempPathFactory, names: list[list[str]], spelling: str) -> None:
    root = tmp_path_factory.mktemp("order")
    made: list[Path] = []
    for parts in names:
        # a name is a folder of one file, so that no name is both a file and a folder
        folder = root.joinpath(*parts)
        folder.mkdir(parents=True, exist_ok=True)
        (file := folder / "form.yaml").write_text("", encoding="utf-8")
        made.append(file)
    args = [str(f) for f in made]
    if spelling != "absolute":  # given relative to the working folder, or some of each
        args = [os.path.relpath(a) if spelling == "relative" or k % 2 else a for k, a in enumerate(args)]
    assert engine.cli._expand(list(reversed(args))) == sorted(set(map(Path, args)))
    assert engine.cli._expand([str(root)]) == sorted(made)


def test_a_folder_that_cannot_be_listed_stops_the_check(
        tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "locked").mkdir()
    (tmp_path / "plan.yaml").write_bytes(Path("examples/plans/minhang-2020.yaml").read_bytes())
    scandir = engine.cli.os.scandir

    def refusing(path: str):  # as for a folder without read permission (the tests may run as root)
        if path.endswith("locked"):
            raise PermissionError(13, "Permission denied", path)
        return scandir(path)

    monkeypatch.setattr(engine.cli.os, "scandir", refusing)
    code, out, err = run(capsys, "check", str(tmp_path))
    assert (code, out) == (2, "")
    assert err == f"zhifa: cannot list the folder {tmp_path / 'locked'}: Permission denied\n"


def test_a_folder_without_documents_stops_the_check_rather_than_pass(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / "empty").mkdir()
    (tmp_path / "old").mkdir()
    (tmp_path / "old" / "城桥镇-2023-05.xls").write_bytes(b"\xd0\xcf\x11\xe0")
    for folder in ("empty", "old"):
        code, out, err = run(capsys, "check", "examples/plans/minhang-2020.yaml", str(tmp_path / folder))
        assert (code, out) == (2, "")
        assert err == f"zhifa: the folder {tmp_path / folder} holds no document files (.yaml, .yml, .json, .xlsx)\n"


@pytest.mark.parametrize(("name", "says"), [("form.xls", "unsupported file type .xls (an old Excel workbook: save it as .xlsx)"),
                                            ("plan.pdf", "unsupported file type .pdf;")])
def test_a_file_of_another_type_is_named_by_its_type_not_its_bytes(
        tmp_path: Path, capsys: pytest.CaptureFixture[str], name: str, says: str) -> None:
    path = tmp_path / name
    path.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(100))  # not UTF-8 either
    code, _, err = run(capsys, "check", str(path))
    assert code == 2
    assert f"zhifa: {path}: {says}" in err


def test_a_json_report_written_to_a_file_is_the_one_written_to_standard_output(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "report.json"
    _, shown, _ = run(capsys, "check", "--format", "json", "examples/plans")
    assert run(capsys, "check", "--format", "json", "-o", str(out), "examples/plans") == (1, "", "")
    assert out.read_text(encoding="utf-8") == shown
    assert [p.name for p in tmp_path.iterdir()] == ["report.json"]


def test_a_report_that_fails_while_written_leaves_nothing_behind(
        tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> None:
    """The JSON report is written as it is made: a failure halfway leaves neither a report nor
    its unfinished copy, and an earlier report at that path is kept as it was."""
    out = tmp_path / "report.json"
    out.write_text("the report of yesterday\n", encoding="utf-8")

    def fails_halfway(reports: object, unusable: object, write: Callable[[str], object]) -> None:
        write('{\n  "documents": [')
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(engine.cli, "write_json", fails_halfway)
    assert run(capsys, "check", "--format", "json", "-o", str(out), "examples/plans") == (
        2, "", f"zhifa: cannot write the report to {out}: No space left on device\n")
    assert [p.name for p in tmp_path.iterdir()] == ["report.json"]
    assert out.read_text(encoding="utf-8") == "the report of yesterday\n"


def test_same_inputs_in_any_order_give_byte_identical_reports(capsys: pytest.CaptureFixture[str]) -> None:
    files = [f"examples/plans/{n}.yaml" for n in ("putuo-2024", "chongming-2024", "minhang-2020")]
    _, first, _ = run(capsys, "check", "--format", "json", *files)
    _, second, _ = run(capsys, "check", "--format", "json", *reversed(files))
    _, third, _ = run(capsys, "check", "--format", "json", "examples/plans")
    assert first == second == third


def test_a_file_given_under_two_spellings_is_checked_once(capsys: pytest.CaptureFixture[str]) -> None:
    folder = "examples/campaigns/chongming-2023/clean"
    file = sorted(Path(folder).glob("*.yaml"))[0]
    code, out, _ = run(capsys, "check", "--format", "json", folder, f"{folder}/../clean/{file.name}", str(ROOT / file))
    documents = json.loads(out)["documents"]
    assert code == 0 and [d["violations"] for d in documents] == [[]] * len(list(Path(folder).iterdir()))
    # the spelling kept is the first in the order paths sort
    assert sum(d["path"] in (str(file), str(ROOT / file), f"{folder}/../clean/{file.name}") for d in documents) == 1
    assert str(ROOT / file) in [d["path"] for d in documents]


def test_a_file_reached_through_links_is_checked_once(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    plans = Path("examples/plans").resolve()
    (tmp_path / "plans").mkdir()
    original = tmp_path / "plans" / "putuo.yaml"
    original.write_bytes((plans / "putuo-2024.yaml").read_bytes())
    os.link(original, tmp_path / "plans" / "a-hard.yaml")  # a hard link is the same file
    (tmp_path / "hard").mkdir()  # hard links alone in a folder (no symbolic link to give them away)
    os.link(original, tmp_path / "hard" / "b.yaml")
    (tmp_path / "hard" / "a.json").write_text("{}", encoding="utf-8")
    assert engine.cli._expand([str(tmp_path / "hard")]) == [tmp_path / "hard" / "a.json", tmp_path / "hard" / "b.yaml"]
    os.link(original, tmp_path / "hard" / "c.yaml")
    assert engine.cli._expand([str(tmp_path / "hard")]) == [tmp_path / "hard" / "a.json", tmp_path / "hard" / "b.yaml"]
    (tmp_path / "plans" / "z-link.yaml").symlink_to(original)  # a link beside its file
    (tmp_path / "outside.yaml").symlink_to(original)           # a link given beside the folder
    (tmp_path / "plans" / "minhang.yaml").symlink_to(plans / "minhang-2020.yaml")  # a link to another file is read
    # the name kept is the first in the order paths sort
    for args, kept in (([tmp_path / "plans"], "plans/a-hard.yaml"),
                       ([tmp_path / "plans", tmp_path / "outside.yaml"], "outside.yaml")):
        code, out, err = run(capsys, "check", "--format", "json", *map(str, args))
        assert (code, err) == (0, "")
        checked = [Path(d["path"]).relative_to(tmp_path).as_posix() for d in json.loads(out)["documents"]]
        assert checked == [kept, "plans/minhang.yaml"]


def test_unusable_input_exits_2_names_file_and_field_and_the_rest_is_still_checked(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text(Path("examples/plans/putuo-2024.yaml").read_text(encoding="utf-8").replace("planned: 60", "planned: 六十"),
                   encoding="utf-8")
    code, out, err = run(capsys, "check", "--format", "json", str(bad), "examples/plans/chongming-2024.yaml")
    assert code == 2
    assert f'{bad}: items[0].planned: expected a whole number ≥ 0, got "六十"' in err
    data = json.loads(out)
    assert [d["path"] for d in data["documents"]] == ["examples/plans/chongming-2024.yaml"]
    assert data["unusable"] == [{"path": str(bad), "problems": [
        {"path": "items[0].planned", "message": 'expected a whole number ≥ 0, got "六十"'}]}]


def test_a_failed_evaluation_names_the_input_once(capsys: pytest.CaptureFixture[str],
                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(engine.runtime, "assert_facts", lambda name, facts: {"exception": "boom in an action"})
    code, out, err = run(capsys, "check", "--format", "json", "examples/plans/chongming-2024.yaml")
    assert (code, err) == (2, "zhifa: examples/plans/chongming-2024.yaml: rule evaluation failed: boom in an action\n")
    assert json.loads(out)["unusable"] == [{"path": "examples/plans/chongming-2024.yaml", "problems": [
        {"path": "", "message": "rule evaluation failed: boom in an action"}]}]


def test_a_profile_that_does_not_fit_is_unusable_input(capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = run(capsys, "check", "--profile", "shanghai-minhang-2020", "examples/plans/chongming-2024.yaml")
    assert code == 2
    assert "the plan is for 2024" in err


def test_rules_lists_the_rulebook(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "rules", "--format", "json")
    listed = json.loads(out)["rules"]
    assert code == 0
    assert [r["id"] for r in listed] == sorted(load_rulebook().rules)
    joint = next(r for r in listed if r["id"] == "plan.joint-share")
    assert [p["id"] for p in joint["profiles"]] == ["shanghai-chongming-2024", "shanghai-putuo-2024"]
    assert joint["profiles"][0]["parameters"]["min_joint_share"]["value"] == "15"
    code, out, _ = run(capsys, "rules", "--profile", "shanghai-minhang-2020")
    assert code == 0 and "plan.joint-quarterly" in out and "plan.joint-share" not in out
    assert run(capsys, "rules", "--profile", "nowhere")[0] == 2


def test_rules_shows_how_each_parameter_value_was_read(capsys: pytest.CaptureFixture[str]) -> None:
    """A profile's note on a value (the month of a date is what matters, …) follows the value, in the
    text and the JSON of `zhifa rules --profile`."""
    rulebook = load_rulebook()
    notes = [(profile.id, name, value.note) for profile in rulebook.profiles.values()
             for name, value in profile.parameters.items() if value.note is not None]
    assert notes and sorted((p, n) for p, n, _ in notes) == noted_parameter_values()
    for profile_id, name, note in notes:
        code, out, _ = run(capsys, "rules", "--profile", profile_id)
        lines = out.splitlines()
        at = next(k for k, line in enumerate(lines) if line.startswith(f"  {profile_id}: {name} "))
        below = list(itertools.takewhile(lambda line: line.startswith("    "), lines[at + 1:]))
        assert code == 0 and f"    note: {note}" in below, (profile_id, name)
        code, out, _ = run(capsys, "rules", "--profile", profile_id, "--format", "json")
        listed = [p["parameters"][name] for r in json.loads(out)["rules"] for p in r["profiles"] if name in p["parameters"]]
        assert listed and all(value["note"] == note for value in listed), (profile_id, name)


def test_the_installed_command_never_shows_a_traceback(tmp_path: Path) -> None:
    (tmp_path / "broken.yaml").write_bytes(b"\xff\xfe not text")
    result = subprocess.run([sys.executable, "-m", "engine.cli", "check", str(tmp_path / "broken.yaml")],
                            capture_output=True, text=True, check=False)
    assert result.returncode == 2
    assert "Traceback" not in result.stderr
    assert f"{tmp_path / 'broken.yaml'}: not UTF-8 text" in result.stderr


def test_a_broken_rulebook_stops_every_command_with_its_problems_and_exit_2(
        capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> None:
    def misquoted() -> None:
        raise LoadError("rulebook", [Problem("rules[plan.totals].citations[0]", "quote not found verbatim in minhang-2020")])

    monkeypatch.setattr(engine.cli, "load_rulebook", misquoted)
    code, out, err = run(capsys, "rules")
    assert (code, out) == (2, "")
    assert err == "zhifa: rulebook: rules[plan.totals].citations[0]: quote not found verbatim in minhang-2020\n"


def rulebook_with_an_unfit_rule() -> Rulebook:
    """The shipped rulebook, with plan.totals listing a value its facts do not have."""
    shipped = load_rulebook()
    totals = shipped.rules["plan.totals"]
    return attrs.evolve(shipped, rules={**shipped.rules, "plan.totals": attrs.evolve(totals, values=(*totals.values, "sum"))})


UNFIT = "rules[plan.totals].values: names 'sum', which no alternative's facts nor the rule's parameters have"


def test_a_rule_that_does_not_fit_its_facts_stops_check_with_where_and_exit_2(
        capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> None:
    rulebook = rulebook_with_an_unfit_rule()
    # The module, not the function `engine.check` that shadows it as an attribute of the package.
    monkeypatch.setattr(sys.modules["engine.check"], "load_rulebook", lambda: rulebook)
    code, out, err = run(capsys, "check", "examples/plans/minhang-2020.yaml")
    assert (code, out, err) == (2, "", f"zhifa: rulebook, profile shanghai-minhang-2020: {UNFIT}\n")


def test_rules_refuses_to_list_a_rule_that_does_not_fit_its_facts(
        capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> None:
    rulebook = rulebook_with_an_unfit_rule()
    monkeypatch.setattr(engine.cli, "load_rulebook", lambda: rulebook)
    assert run(capsys, "rules") == (2, "", f"zhifa: rulebook: {UNFIT}\n")


def test_a_check_does_not_read_the_installed_packages_metadata() -> None:
    """Importing importlib.metadata and looking the versions up took 3 % of a cold check of a
    plan's instructions; only ``--version`` and the SARIF report need them."""
    script = ("import sys, engine.cli; code = engine.cli.main(['check', '--format', 'json', "
              "'examples/plans/chongming-2024.yaml']); print(code, 'importlib.metadata' in sys.modules, file=sys.stderr)")
    result = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, cwd=ROOT)
    assert result.stderr.splitlines()[-1] == "1 False"


def test_version_names_zhifa_and_durable_rules_as_installed(capsys: pytest.CaptureFixture[str]) -> None:
    from importlib import metadata

    with pytest.raises(SystemExit) as exited:
        main(["--version"])
    assert exited.value.code == 0
    assert capsys.readouterr().out == (
        f"zhifa {metadata.version('zhifa')} (durable-rules {metadata.version('durable-rules')})\n")
    assert metadata.version("durable-rules") == "2.0.28"  # the version the engine's private calls are pinned to


# ------------------------------------------------------------------ found in the review of the command line

PLAN = "examples/plans/chongming-2024.yaml"  # one violation: exit 1 alone
UNREADABLE = "tests/bad_inputs/form-gbk.yaml"


def _many_plans_and_a_bad_form(folder: Path) -> None:
    folder.mkdir()
    for k in range(150):  # a report larger than a pipe holds
        (folder / f"p{k:03d}.yaml").write_bytes(Path(PLAN).read_bytes())
    (folder / "form-gbk.yaml").write_bytes(Path(UNREADABLE).read_bytes())


@pytest.mark.parametrize("fmt", ["json", "text", "junit"])
def test_output_piped_into_a_reader_that_stops_keeps_the_exit_status_and_the_problems(tmp_path: Path, fmt: str) -> None:
    """`zhifa check … | head`: the reader has gone before the report is written, so every write
    to it fails; the exit status is still 2 for the unusable form, and stderr still names it."""
    _many_plans_and_a_bad_form(tmp_path / "many")
    reader, writer = os.pipe()
    os.close(reader)  # gone before anything is written: deterministic, unlike a real `head`
    try:
        result = subprocess.run([sys.executable, "-m", "engine.cli", "check", "--format", fmt, str(tmp_path / "many")],
                                stdout=writer, stderr=subprocess.PIPE, text=True, cwd=ROOT, timeout=300, check=False)
    finally:
        os.close(writer)
    assert result.returncode == 2
    assert result.stderr == f"zhifa: {tmp_path / 'many' / 'form-gbk.yaml'}: not UTF-8 text (byte 2)\n"


def test_a_link_to_nothing_in_a_folder_is_reported_unreadable_not_left_out(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """A campaign's form behind a broken link is unusable input (exit 2), and the campaign's
    comparisons are withheld, not judged without it."""
    folder = tmp_path / "campaign"
    shutil.copytree("examples/campaigns/chongming-2023/clean", folder)
    moved = folder / "新河镇-2023-05.yaml"
    moved.rename(tmp_path / "elsewhere.yaml")
    moved.symlink_to(tmp_path / "gone.yaml")
    code, out, err = run(capsys, "check", "--format", "json", str(folder))
    assert code == 2
    assert f"zhifa: {moved}: no such file or folder" not in err  # the link is there; what it links to is not
    assert f"zhifa: {moved}: cannot read file: No such file or directory\n" in err
    data = json.loads(out)
    assert [u["path"] for u in data["unusable"]] == [str(moved)]
    assert data["summary"]["errors"] == 0  # left out, its roll-up would be reported short of it


@pytest.mark.parametrize("given", ["nonexist/", "nonexist", "nonexist.yaml", "nonexist.xlsx"])
def test_a_mistyped_path_is_named_as_not_there(capsys: pytest.CaptureFixture[str], given: str) -> None:
    code, _, err = run(capsys, "check", given)
    assert (code, err) == (2, f"zhifa: {given.rstrip('/')}: no such file or folder\n")


def test_a_named_pipe_given_is_refused_without_waiting_for_a_writer(tmp_path: Path) -> None:
    pipe = tmp_path / "x.yaml"
    os.mkfifo(pipe)
    (tmp_path / "folder").mkdir()
    os.mkfifo(tmp_path / "folder" / "y.yaml")  # in a folder: reported too, not left out
    result = subprocess.run([sys.executable, "-m", "engine.cli", "check", str(pipe), str(tmp_path / "folder")],
                            capture_output=True, text=True, cwd=ROOT, timeout=120, check=False)
    assert result.returncode == 2
    assert result.stderr == (f"zhifa: {tmp_path / 'folder' / 'y.yaml'}: not a regular file (a named pipe); "
                             f"give the document's file\n"
                             f"zhifa: {pipe}: not a regular file (a named pipe); give the document's file\n")


def test_every_problem_is_a_line_of_its_own_on_stderr(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text(Path("examples/plans/putuo-2024.yaml").read_text(encoding="utf-8")
                   .replace("planned: 60", "planned: 六十").replace("year: 2024", "year: 二〇二四"), encoding="utf-8")
    code, _, err = run(capsys, "check", str(bad))
    assert code == 2
    lines = err.splitlines()
    assert len(lines) == 2 and all(line.startswith(f"zhifa: {bad}: ") for line in lines)
    assert f'zhifa: {bad}: items[0].planned: expected a whole number ≥ 0, got "六十"' in lines


def test_the_problems_are_printed_when_the_report_cannot_be_written(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "missing" / "report.txt"
    code, printed, err = run(capsys, "check", "-o", str(out), UNREADABLE, PLAN)
    assert (code, printed) == (2, "")
    assert err == (f"zhifa: {UNREADABLE}: not UTF-8 text (byte 2)\n"
                   f"zhifa: cannot write the report to {out}: No such file or directory\n")


def test_a_report_is_written_through_a_link_to_the_file_it_links_to(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / "reports").mkdir()
    target = tmp_path / "reports" / "report.json"
    target.write_text("the report of yesterday\n", encoding="utf-8")
    link = tmp_path / "latest.json"
    link.symlink_to(Path("reports") / "report.json")
    assert run(capsys, "check", "--format", "json", "-o", str(link), PLAN)[0] == 1
    assert link.is_symlink() and os.readlink(link) == str(Path("reports") / "report.json")
    assert json.loads(target.read_text(encoding="utf-8"))["summary"]["violations"] == 1
    assert sorted(p.name for p in tmp_path.rglob("*")) == ["latest.json", "report.json", "reports"]


def test_a_report_to_a_named_pipe_is_written_into_it_not_over_it(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """What is not a regular file (a device, a pipe, /dev/stdout) cannot be replaced by a file."""
    pipe = tmp_path / "report.txt"
    os.mkfifo(pipe)
    held = os.open(pipe, os.O_RDWR)  # a writer of our own: the reader opens at once, and ends when we let go
    read: list[bytes] = []
    reader = threading.Thread(target=lambda: read.append(pipe.read_bytes()))
    reader.start()
    try:
        code = main(["check", "-o", str(pipe), PLAN])
    finally:
        os.close(held)
        reader.join()
    assert code == 1
    assert stat.S_ISFIFO(os.lstat(pipe).st_mode)
    assert read[0].decode("utf-8").startswith(f"{PLAN}  (annual-plan, shanghai-chongming-2024)\n")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["report.txt"]


NAMES = {"not UTF-8": (b"bad\xff\xfe.yaml", "bad\\xff\\xfe.yaml"),
         "control characters": (b"a\x1b[31m\x01.yaml", "a\\x1b[31m\\x01.yaml")}


@pytest.mark.parametrize("fmt", ["text", "json", "sarif", "junit", "xlsx"])
@pytest.mark.parametrize("name", NAMES, ids=list(NAMES))
def test_a_file_name_any_bytes_is_shown_escaped_in_every_format(
        tmp_path: Path, capsys: pytest.CaptureFixture[str], fmt: str, name: str) -> None:
    raw, shown = NAMES[name]
    folder = tmp_path / "d"
    folder.mkdir()
    (folder / os.fsdecode(raw)).write_bytes(Path(PLAN).read_bytes())
    out = tmp_path / f"report.{fmt}"
    code, printed, err = run(capsys, "check", "--format", fmt, "-o", str(out), str(folder))
    assert (code, printed, err) == (1, "", "")
    if fmt == "xlsx":
        assert load_workbook(out)["问题清单 findings"]["A2"].value == str(folder / shown)
        return
    written = out.read_bytes().decode("utf-8")
    code, printed, err = run(capsys, "check", "--format", fmt, str(folder))
    assert (code, printed, err) == (1, written, "")
    if fmt == "json":
        assert json.loads(written)["documents"][0]["path"] == str(folder / shown)
    elif fmt == "sarif":
        assert json.loads(written)["runs"][0]["artifacts"] == [{"location": {"uri": quote(str(folder / shown))}}]
    elif fmt == "junit":
        assert ElementTree.fromstring(written.split("\n", 1)[1]).find("testsuite").get("name") == str(folder / shown)
    else:
        assert written.startswith(f"{folder / shown}  (annual-plan, shanghai-chongming-2024)\n")


def test_a_console_that_is_not_utf8_gets_the_text_report_and_utf8_machine_formats(tmp_path: Path) -> None:
    def check(fmt: str, encoding: str) -> subprocess.CompletedProcess[bytes]:
        return subprocess.run([sys.executable, "-m", "engine.cli", "check", "--format", fmt, PLAN], capture_output=True,
                              cwd=ROOT, env={**os.environ, "PYTHONIOENCODING": encoding}, timeout=120, check=False)

    text = check("text", "gbk")
    assert (text.returncode, text.stderr) == (1, b"")
    assert text.stdout.decode("gbk").splitlines()[1] == "  \\u2717 error plan.joint-share  /items/10/planned"
    for fmt in ("json", "sarif", "junit"):
        gbk, utf8 = check(fmt, "gbk"), check(fmt, "utf-8")
        assert (gbk.returncode, gbk.stderr, gbk.stdout) == (1, b"", utf8.stdout)
        assert "跨部门联合检查" in gbk.stdout.decode("utf-8")


@pytest.mark.parametrize("fmt", ["text", "json", "sarif"])
def test_a_closed_standard_output_is_a_report_that_cannot_be_written(
        capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, fmt: str) -> None:
    """`zhifa check … >&-`: Python has no sys.stdout at all. Exit 2 as for any unwritable report,
    not 1 (the violations' code) from a traceback, and the problems still named."""
    monkeypatch.setattr(sys, "stdout", None)
    assert main(["check", "--format", fmt, UNREADABLE, PLAN]) == 2
    assert capsys.readouterr().err == (f"zhifa: {UNREADABLE}: not UTF-8 text (byte 2)\n"
                                       "zhifa: cannot write the report to standard output: Bad file descriptor\n")


def test_a_closed_standard_output_fails_version_and_rules(
        capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(sys, "stdout", None)
    with pytest.raises(SystemExit) as exited:
        main(["--version"])
    assert exited.value.code == 2
    assert capsys.readouterr().err == "zhifa: cannot write the version to standard output: Bad file descriptor\n"
    for fmt in ("text", "json"):
        assert main(["rules", "--format", fmt]) == 2
        assert capsys.readouterr().err == "zhifa: cannot write the rules to standard output: Bad file descriptor\n"


def test_the_installed_command_with_standard_output_or_error_closed() -> None:
    def check(closed: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(["sh", "-c", f'exec "$@" {closed}', "sh", sys.executable, "-m", "engine.cli",
                               "check", "--format", "json", UNREADABLE, PLAN],
                              capture_output=True, text=True, cwd=ROOT, timeout=120, check=False)

    no_stdout = check(">&-")
    assert (no_stdout.returncode, no_stdout.stdout) == (2, "")
    assert no_stdout.stderr == (f"zhifa: {UNREADABLE}: not UTF-8 text (byte 2)\n"
                                "zhifa: cannot write the report to standard output: Bad file descriptor\n")
    no_stderr = check("2>&-")
    assert no_stderr.returncode == 2
    assert [u["path"] for u in json.loads(no_stderr.stdout)["unusable"]] == [UNREADABLE]  # the report alone


def test_with_standard_error_closed_the_problems_stay_out_of_the_report(
        capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> None:
    """print(…, file=None) writes to standard output: the problems would land inside the JSON."""
    monkeypatch.setattr(sys, "stderr", None)
    assert main(["check", "--format", "json", UNREADABLE, PLAN]) == 2
    assert main(["check", "--format", "xlsx", PLAN]) == 2  # no -o
    assert main(["rules", "--profile", "nowhere"]) == 2
    assert main(["template", "dispatch-form", "--variant", "nowhere", "-o", "x.xlsx"]) == 2
    out = capsys.readouterr().out
    assert [u["path"] for u in json.loads(out)["unusable"]] == [UNREADABLE]


def test_a_report_replacing_another_keeps_its_permissions(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """Reports name enterprises: one its owner alone may read stays so when written again."""
    out = tmp_path / "report.json"
    out.write_text("the report of yesterday\n", encoding="utf-8")
    out.chmod(0o600)
    assert run(capsys, "check", "--format", "json", "-o", str(out), PLAN)[0] == 1
    assert stat.S_IMODE(out.stat().st_mode) == 0o600
    assert json.loads(out.read_text(encoding="utf-8"))["summary"]["violations"] == 1


def test_a_new_report_gets_the_mode_the_umask_gives_a_new_file(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    old = os.umask(0o027)
    try:
        assert run(capsys, "check", "--format", "json", "-o", str(tmp_path / "report.json"), PLAN)[0] == 1
    finally:
        os.umask(old)
    assert stat.S_IMODE((tmp_path / "report.json").stat().st_mode) == 0o640


def test_a_report_does_not_write_over_another_runs_unfinished_report(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """Two runs writing one path each write a temporary file of their own."""
    out = tmp_path / "report.json"
    other = tmp_path / ".report.json.partial"  # the name every run once used
    other.write_text('{"documents": [', encoding="utf-8")
    assert run(capsys, "check", "--format", "json", "-o", str(out), PLAN)[0] == 1
    assert other.read_text(encoding="utf-8") == '{"documents": ['
    assert json.loads(out.read_text(encoding="utf-8"))["summary"]["violations"] == 1
    assert sorted(p.name for p in tmp_path.iterdir()) == [".report.json.partial", "report.json"]


def test_only_an_xlsx_named_as_a_lock_file_is_left_out_of_a_folder(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """Excel's lock file of an open workbook is ``~$name.xlsx``; a YAML or JSON file named ``~$…`` is a document."""
    (tmp_path / "~$plan.yaml").write_bytes(Path(PLAN).read_bytes())
    (tmp_path / "~$城桥镇-2023-05.xlsx").write_bytes(b"\x16owner")  # what Excel writes: not a workbook
    code, out, err = run(capsys, "check", "--format", "json", str(tmp_path))
    assert (code, err) == (1, "")
    assert [d["path"] for d in json.loads(out)["documents"]] == [str(tmp_path / "~$plan.yaml")]


def test_the_document_s_own_profile_unfit_is_reported_on_its_profile_field(capsys: pytest.CaptureFixture[str]) -> None:
    """The field at fault is `profile`; with --profile, the option is, and no field is named."""
    form = "examples/campaigns/chongming-2023/clean/城桥镇-2023-05.yaml"
    unfit = Path("tests/bad_inputs/form-profile-of-a-plan.yaml")
    code, out, err = run(capsys, "check", "--format", "json", str(unfit))
    assert code == 2
    assert json.loads(out)["unusable"][0]["problems"] == [
        {"path": "profile", "message": "profile shanghai-chongming-2024 checks annual-plan, not dispatch-form"}]
    assert err == f"zhifa: {unfit}: profile: profile shanghai-chongming-2024 checks annual-plan, not dispatch-form\n"
    code, out, err = run(capsys, "check", "--format", "json", "--profile", "shanghai-chongming-2024", form)
    assert code == 2
    assert json.loads(out)["unusable"][0]["problems"] == [
        {"path": "", "message": "profile shanghai-chongming-2024 checks annual-plan, not dispatch-form"}]


def test_rules_refuses_an_empty_profile_as_check_does(capsys: pytest.CaptureFixture[str]) -> None:
    for fmt in ("text", "json"):
        code, out, err = run(capsys, "rules", "--format", fmt, "--profile", "")
        assert (code, out) == (2, "")
        assert err.startswith("zhifa: unknown profile ''; known profiles: ")
    assert run(capsys, "check", "--profile", "", PLAN)[2].startswith(f"zhifa: {PLAN}: unknown profile ''; ")
