"""The zhifa command: exit codes, formats, unusable input, and byte-identical output."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import attrs
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import engine.cli
from engine.cli import main
from forms.errors import LoadError, Problem
from rulebook import Rulebook, load_rulebook

from .conftest import ROOT


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
