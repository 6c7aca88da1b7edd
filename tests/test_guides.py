"""The console sessions the guides and the README show are what the commands print now.

Each ```console block of a checked page is replayed in order, in a fresh folder holding the
examples: `zhifa …` runs in process, `python NAME.py` runs the ```python block shown just before the
session (the scripts that fill, break and read workbooks), `find DIR -type f | sort` lists a
folder. What a command prints (stdout, then stderr unless sent to /dev/null, then `exit N` after
`; echo "exit $?"`) must equal the lines shown, a line `…` standing for any number of lines.

Not replayed: `docs/guides/add-a-rule.md` (every session there shows the rulebook while it is being
changed), commands whose input the reader makes by hand (``NOT_REPLAYED``), and any other program
(`make`, `sha256sum`, `pytest`).
"""

from __future__ import annotations

import re
import runpy
import shlex
from pathlib import Path

import pytest

from engine.cli import main

from .conftest import ROOT

PAGES = ["README.md", "docs/guides/check-a-plan.md", "docs/guides/dispatch-forms-in-excel.md",
         "docs/guides/add-a-profile.md"]

#: Commands whose input the page has the reader write (or a rulebook not shipped), with why.
NOT_REPLAYED = {
    "zhifa check my-plan.yaml": "the reader's copy of a plan, one figure typed as 四",
    "zhifa rules --profile shanghai-chongming-2025": "a profile being written, before its source exists",
    "python draft.py": "reads a draft profile the page shows trimmed",
}

BLOCK = re.compile(r"^```(console|python)\n(.*?)^```", re.M | re.S)
ECHO = '; echo "exit $?"'


def sessions(page: str) -> list[tuple[str, str, list[str]]]:
    """Each command of each console block: the command, the python block shown before the session
    (or ""), and the lines shown as its output."""
    found = []
    script = ""
    for kind, body in BLOCK.findall(page):
        if kind == "python":
            script = body
            continue
        command: str | None = None
        shown: list[str] = []
        for line in body.splitlines():
            if line.startswith("$ "):
                if command is not None:
                    found.append((command, script, shown))
                command, shown = line[2:], []
            elif command is not None:
                shown.append(line)
        if command is not None:
            found.append((command, script, shown))
        script = ""
    return found


def matches(shown: list[str], printed: list[str]) -> bool:
    """Whether ``printed`` is ``shown`` with each line `…` standing for any number of lines."""
    parts: list[list[str]] = [[]]
    for line in shown:
        if line.strip() == "…":
            parts.append([])
        else:
            parts[-1].append(line)
    first, *rest = parts
    if printed[:len(first)] != first:
        return False
    at = len(first)
    if not rest:
        return at == len(printed)
    *middle, last = rest
    for part in middle:
        while printed[at:at + len(part)] != part:
            at += 1
            if at + len(part) > len(printed):
                return False
        at += len(part)
    return len(printed) - at >= len(last) and (not last or printed[len(printed) - len(last):] == last)


def replay(command: str, script: str, capsys: pytest.CaptureFixture[str]) -> list[str] | None:
    """What the command prints, as lines; None for a command not replayed."""
    echo = command.endswith(ECHO)
    command = command.removesuffix(ECHO)
    keep_out, keep_err = " > /dev/null" not in command, " 2> /dev/null" not in command
    command = command.replace(" 2> /dev/null", "").replace(" > /dev/null", "")
    words = shlex.split(command)
    name = " ".join([Path(words[0]).name, *words[1:]])
    if any(name.startswith(skipped) for skipped in NOT_REPLAYED):
        return None
    capsys.readouterr()
    if words[0] == ".venv/bin/zhifa":
        code = main(words[1:])
    elif words[0] == ".venv/bin/python" and len(words) == 2 and words[1].endswith(".py") and script:
        Path(words[1]).write_text(script, encoding="utf-8")
        runpy.run_path(words[1], run_name="__main__")
        code = 0
    elif words[0] == "find" and words[2:] == ["-type", "f", "|", "sort"]:
        print("\n".join(sorted(str(p) for p in Path(words[1]).rglob("*") if p.is_file())))
        code = 0
    else:
        return None
    out, err = capsys.readouterr()
    printed = (out if keep_out else "") + (err if keep_err else "")
    return [*printed.rstrip("\n").splitlines(), *([f"exit {code}"] if echo else [])]


@pytest.mark.parametrize("page", PAGES)
def test_the_page_shows_what_its_commands_print(page: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / "examples").symlink_to(ROOT / "examples")
    monkeypatch.chdir(tmp_path)
    replayed = 0
    for command, script, shown in sessions((ROOT / page).read_text(encoding="utf-8")):
        printed = replay(command, script, capsys)
        if printed is None:
            continue
        replayed += 1
        assert matches(shown, printed), f"{page}: `{command}` prints:\n" + "\n".join(printed)
    assert replayed, f"{page}: no session was replayed"


def test_an_ellipsis_stands_for_any_lines_and_nothing_else_is_skipped() -> None:
    assert matches(["a", "…", "d"], ["a", "b", "c", "d"])
    assert matches(["a", "…", "c", "…"], ["a", "b", "c", "d", "e"])
    assert matches(["…", "c"], ["a", "b", "c"])
    assert matches(["a", "…"], ["a"])
    assert not matches(["a", "c"], ["a", "b", "c"])
    assert not matches(["a", "…", "c"], ["a", "b", "c", "d"])
    assert not matches(["a", "…", "x", "…"], ["a", "b", "c"])
