"""``zhifa``: check documents and list the rulebook.

Exit status of ``zhifa check``: 0 clean, 1 violations at or above ``--fail-on``, 2 an input could
not be used (its messages name the file and the field; the other inputs are still checked) or the
report could not be written.
"""

from __future__ import annotations

import argparse
import errno
import io
import json
import os
import stat
import sys
import tempfile
from collections.abc import Callable, Iterator, Sequence
from functools import partial
from pathlib import Path
from typing import BinaryIO, TextIO

from engine.check import Unusable, check_files, file_identity
from engine.compile import RulebookError, check_fit
from engine.output import FORMATS, Write, installed_version, path_order, write_json
from engine.report import Report
from forms import LoadError
from forms.errors import showable_text, shown_name
from rulebook import Severity, load_rulebook
from rulebook.catalogue import catalogue

DOCUMENT_SUFFIXES = (".yaml", ".yml", ".json", ".xlsx")
EXIT_CLEAN, EXIT_VIOLATIONS, EXIT_UNUSABLE = 0, 1, 2


class UnreadableFolder(Exception):
    """A folder given to check, or one inside it, cannot be listed (its documents would be left
    out), or holds no document at all (a wrong path would otherwise pass as a clean check)."""


def _document_files(folder: Path, aliases: list[str]) -> Iterator[str]:
    """The document files at any depth under ``folder``. Folders linked to are not entered (a link
    may loop); files linked to are read. Anything else named as a document is passed on too, to be
    reported unusable rather than left out unseen: a link to nothing, a named pipe, a device. A
    file that may be another one under a second name (a link, or an inode met before: a hard link)
    is also added to ``aliases``."""
    inodes: set[int] = set()  # as the folder listing gives them: no call per file
    pending = [str(folder)]
    while pending:
        current = pending.pop()
        try:
            with os.scandir(current) as entries:
                for entry in entries:
                    if entry.is_dir(follow_symlinks=False):
                        pending.append(entry.path)
                    elif ((suffix := os.path.splitext(entry.name)[1].lower()) in DOCUMENT_SUFFIXES
                          and not (suffix == ".xlsx" and entry.name.startswith("~$"))  # Excel's lock file
                          and not entry.is_dir()):
                        inode = entry.inode()
                        if entry.is_symlink() or inode in inodes:
                            aliases.append(entry.path)
                        inodes.add(inode)
                        yield entry.path
        except OSError as exc:
            raise UnreadableFolder(f"cannot list the folder {shown_name(current)}: {exc.strerror or exc}") from None


def _expand(paths: Sequence[str]) -> list[Path]:
    """Files as given; folders become their document files. Sorted as paths sort, so the order
    given does not matter; the names are sorted before they become paths (sorting a large folder's
    paths took most of the time listing it). One file reached by several names (``a/f.yaml`` and
    ``./a/f.yaml``, or a link and the file it links to) is checked once, under the first name."""
    found: set[str] = set()
    aliases: list[str] = []
    for raw in paths:
        path = Path(raw)
        if path.is_dir():
            files = list(_document_files(path, aliases))
            if not files:
                raise UnreadableFolder(f"the folder {shown_name(str(path))} holds no document files "
                                       f"({', '.join(DOCUMENT_SUFFIXES)})")
            found.update(files)
        else:
            found.add(str(path))
    names = sorted(found, key=path_order)
    if len(paths) > 1 or aliases:  # a lone folder without links names each file once: no call per file
        named: dict[object, str] = {}
        for name in names:
            named.setdefault(file_identity(name), name)
        names = list(named.values())
    return [Path(name) for name in names]


#: Every ``--format``: text formats go to stdout (or ``--output``), the workbook only to ``--output``.
CHECK_FORMATS = (*FORMATS, "sarif", "junit", "xlsx")


def _to_file(path: Path, fill: Callable[[BinaryIO], object]) -> None:
    """Write whole or not at all: a report is never left half-written, and nothing is left of a
    write that failed. A link is written through, to the file it links to (the link is kept); what
    exists and is not a regular file (a device such as /dev/null or /dev/stdout, a named pipe) is
    written to as it is, since it cannot be replaced."""
    try:
        status = os.stat(path)
    except FileNotFoundError:  # a new file, or a link to one not made yet
        status = None
    if status is not None and not stat.S_ISREG(status.st_mode):
        with path.open("wb") as out:
            fill(out)
        return
    target = Path(os.path.realpath(path)) if path.is_symlink() else path
    # A name of its own beside the target (two runs writing one report do not share it), with the
    # old report's permissions (a report readable by its owner alone stays so), or a new file's.
    fd, unfinished = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".partial", dir=target.parent)
    try:
        with os.fdopen(fd, "wb") as out:
            os.chmod(unfinished, status.st_mode & 0o7777 if status is not None else 0o666 & ~_umask())
            fill(out)
        os.replace(unfinished, target)
    except BaseException:
        Path(unfinished).unlink(missing_ok=True)
        raise


def _umask() -> int:
    """The process's umask, which can only be read by setting it (and setting it back)."""
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


def _utf8(text: str) -> bytes:
    """A report's text as the bytes written: UTF-8 whatever the console's encoding, which JSON,
    SARIF and the XML declaration promise. Names are shown so that any text can be (see
    :func:`forms.errors.shown_name`); were a lone surrogate to come through, it is written escaped."""
    return text.encode("utf-8", "backslashreplace")


def _emit(args: argparse.Namespace, reports: list[Report], unusable: list[Unusable]) -> None:
    """The report, to ``--output`` or standard output. A JSON report is passed on as it is
    written, never held whole: the report of a province's forms runs to hundreds of MB.

    The machine formats (JSON, SARIF, JUnit) are written as UTF-8 bytes wherever they go; the text
    report to a console is written in the console's encoding, a character it cannot show written
    as an escape (``\\u2717``) rather than stop the report."""
    if args.format == "xlsx":
        from engine.integration import as_xlsx

        workbook = as_xlsx(reports, unusable)
        _to_file(Path(args.output), lambda out: out.write(workbook))
        return
    produce: Callable[[Write], object]
    if args.format == "json":
        produce = partial(write_json, reports, unusable)
    else:
        from engine.integration import as_junit, as_sarif

        text_of = {**FORMATS, "sarif": as_sarif, "junit": as_junit}[args.format]

        def produce(write: Write) -> None:
            text = text_of(reports, unusable)
            write(showable_text(text) if args.format == "text" else text)
    if args.output:
        _to_file(Path(args.output), lambda out: produce(lambda text: out.write(_utf8(text))))
        return
    stdout = _stdout()
    produce(stdout.write if args.format == "text" else _utf8_to_stdout)
    stdout.flush()


def _stdout() -> TextIO:
    """Standard output, or :class:`OSError` if zhifa was started with it closed (``>&-``): Python
    then has none, and the report cannot be written."""
    if sys.stdout is None:
        raise OSError(errno.EBADF, os.strerror(errno.EBADF))
    return sys.stdout


def _utf8_to_stdout(text: str) -> None:
    """Write a machine format's text to standard output as UTF-8 bytes, whatever its encoding."""
    stdout = _stdout()
    binary: BinaryIO | None = getattr(stdout, "buffer", None)
    if binary is None:  # not a real console (a test's captured text)
        stdout.write(text)
        return
    stdout.flush()  # whatever was written as text goes first
    binary.write(_utf8(text))


def _complain(text: str) -> None:
    """A line (or lines) to standard error, or nowhere if zhifa was started with it closed
    (``2>&-``): print would put them on standard output, inside the report."""
    if sys.stderr is not None:
        print(text, file=sys.stderr)


def _stop_writing_to_stdout() -> None:
    """After the reader of standard output has gone (``zhifa check … | head``): what is still to
    be written, and Python's own flush at exit, go nowhere instead of failing again."""
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        os.close(devnull)
    except (OSError, ValueError):  # not a real file (a test's captured output): nothing is left to flush
        pass


def _problem_lines(u: Unusable) -> list[str]:
    """An unusable input's problems as standard error shows them: a line each, and every line
    begins ``zhifa: FILE:``, the field or cell after it, so that each can be found on its own."""
    lines = []
    for p in u.problems:
        where = f"zhifa: {u.path}: {p['path']}: " if p["path"] else f"zhifa: {u.path}: "
        lines += [showable_text(where + line) for line in p["message"].splitlines() or [""]]
    return lines


def _check(args: argparse.Namespace) -> int:
    if args.format == "xlsx" and not args.output:
        _complain("zhifa: --format xlsx writes a workbook: give it a file with -o REPORT.xlsx")
        return EXIT_UNUSABLE
    try:
        paths = _expand(args.paths)
    except UnreadableFolder as exc:  # checking the rest would judge a campaign on part of its forms, or pass nothing
        _complain(f"zhifa: {exc}")
        return EXIT_UNUSABLE
    results = check_files(paths, args.profile)
    reports = [r for r in results if isinstance(r, Report)]
    unusable = [r for r in results if isinstance(r, Unusable)]
    unwritten = None
    try:
        _emit(args, reports, unusable)
    except OSError as exc:
        if isinstance(exc, BrokenPipeError) and not args.output:
            # piped into `head`, which has read all it wants: the problems and the exit status still count
            _stop_writing_to_stdout()
        else:  # a full disk, a folder that is not there
            where = shown_name(args.output) if args.output else "standard output"
            unwritten = f"zhifa: cannot write the report to {where}: {exc.strerror or exc}"
    for u in unusable:
        _complain("\n".join(_problem_lines(u)))
    if unwritten is not None:
        _complain(unwritten)
        return EXIT_UNUSABLE
    if unusable:
        return EXIT_UNUSABLE
    threshold = Severity(args.fail_on)
    return EXIT_VIOLATIONS if any(r.at_or_above(threshold) for r in reports) else EXIT_CLEAN


def _rules(args: argparse.Namespace) -> int:
    rulebook = load_rulebook()
    try:
        listed = catalogue(rulebook, args.profile)
    except KeyError as exc:
        _complain(f"zhifa: {exc.args[0]}")
        return EXIT_UNUSABLE
    check_fit((rulebook.rules[data["id"]] for data in listed), rulebook=rulebook)  # list only rules that can run
    try:
        _stdout()
    except OSError as exc:  # print would write nothing, and the empty list pass for a listing
        _complain(f"zhifa: cannot write the rules to standard output: {exc.strerror or exc}")
        return EXIT_UNUSABLE
    if args.format == "json":
        _utf8_to_stdout(json.dumps({"rules": listed}, ensure_ascii=False, indent=2) + "\n")
        return EXIT_CLEAN
    for data in listed:
        rule = rulebook.rules[data["id"]]
        print(f"{rule.id}  [{rule.severity.value}]  {rule.title.zh} / {rule.title.en}")
        print(f"  profiles: {', '.join(p['id'] for p in data['profiles'])}")
        for p in data["profiles"]:
            for name, value in p["parameters"].items():
                where = f"{value['source']} {value['clause']}, from {value['effective_from']}"
                named = f"{name} ({value['title']['zh']})" if value["title"] else name
                print(f"  {p['id']}: {named} = {value['value']}  ({where})")
                if (owed := value["owed_by"]) is not None:
                    print(f"    owed only by {owed['role']} ({owed['title']['zh']}): "
                          f"{owed['source']} {owed['clause']}：“{owed['quote']}”")
                if value["note"] is not None:
                    print(f"    note: {value['note']}")
        sources = rulebook.profile(args.profile).sources if args.profile is not None else tuple(rulebook.sources)
        for c in rule.citations_for(sources):
            grounds = f"  ({c.applies_to.described()})" if c.applies_to else ""
            print(f"  {c.source} {c.clause}：“{c.quote}”{grounds}")
        print()
    return EXIT_CLEAN


def _template(args: argparse.Namespace) -> int:
    from forms.dispatch import variants
    from forms.xlsx import write_template

    if args.variant not in variants():
        _complain(f"zhifa: unknown form variant {args.variant!r}; known: {', '.join(variants())}")
        return EXIT_UNUSABLE
    output = Path(args.output)
    if output.exists() and not args.force:
        _complain(f"zhifa: {shown_name(str(output))} exists; pass --force to overwrite it")
        return EXIT_UNUSABLE
    try:
        write_template(args.variant, output)
    except OSError as exc:  # a folder that is not there, or a folder where the file would go
        _complain(f"zhifa: cannot write the form to {shown_name(str(output))}: {exc.strerror or exc}")
        return EXIT_UNUSABLE
    print(f"wrote the blank {args.variant} dispatch form to {shown_name(str(output))}")
    return EXIT_CLEAN


def _version() -> str:
    """zhifa's version and the durable-rules it runs on, as installed."""
    zhifa, durable = installed_version(), installed_version("durable-rules")
    if zhifa is None:
        return "zhifa (not installed: version unknown)"
    return f"zhifa {zhifa} (durable-rules {durable})"


class _ShowVersion(argparse.Action):
    """``--version``, as argparse's own, but looked up only when asked: reading the installed
    packages' metadata would otherwise slow every start."""

    def __init__(self, option_strings: Sequence[str], dest: str = argparse.SUPPRESS, help: str | None = None) -> None:
        super().__init__(option_strings, dest, nargs=0, default=argparse.SUPPRESS, help=help)

    def __call__(self, parser: argparse.ArgumentParser, namespace: argparse.Namespace, values: object,
                 option_string: str | None = None) -> None:
        try:
            _stdout().write(_version() + "\n")
        except OSError as exc:
            _complain(f"zhifa: cannot write the version to standard output: {exc.strerror or exc}")
            parser.exit(EXIT_UNUSABLE)
        parser.exit()


def parser() -> argparse.ArgumentParser:
    top = argparse.ArgumentParser(prog="zhifa", description="Check work-safety compliance documents against their regulations.")
    top.add_argument("--version", action=_ShowVersion, help="show zhifa's version and the durable-rules it runs on")
    commands = top.add_subparsers(dest="command", required=True)

    check = commands.add_parser("check", help="check documents (files or folders); exit 0 clean, 1 violations, 2 unusable input")
    check.add_argument("paths", nargs="+", metavar="PATH")
    check.add_argument("--profile", help="check under this profile instead of the one each document names")
    check.add_argument("--format", choices=CHECK_FORMATS, default="text",
                       help="text (default), json, sarif (SARIF 2.1.0), junit (JUnit XML) or xlsx (needs -o)")
    check.add_argument("-o", "--output", metavar="FILE", help="write the report to FILE instead of standard output")
    check.add_argument("--fail-on", choices=[s.value for s in Severity], default="error",
                       help="exit 1 when a violation at or above this severity is found (default: error)")
    check.set_defaults(run=_check)

    rules = commands.add_parser("rules", help="list the rulebook")
    rules.add_argument("--profile", help="only the rules of this profile")
    rules.add_argument("--format", choices=["text", "json"], default="text")
    rules.set_defaults(run=_rules)

    template = commands.add_parser("template", help="write a blank form to fill in")
    template.add_argument("document", choices=["dispatch-form"])
    template.add_argument("--variant", required=True, help="the form variant: chongming-2023 or linyi-lingang-2023")
    template.add_argument("-o", "--output", required=True, metavar="FILE.xlsx")
    template.add_argument("--force", action="store_true", help="overwrite an existing file")
    template.set_defaults(run=_template)
    return top


def main(argv: Sequence[str] | None = None) -> int:
    args = parser().parse_args(argv)
    if isinstance(sys.stdout, io.TextIOWrapper):  # a console that cannot show ✗ or a name shows an escape instead
        sys.stdout.reconfigure(errors="backslashreplace")
    try:
        code: int = args.run(args)
    except BrokenPipeError:  # `zhifa rules | head`: all that was wanted was read (a check handles its own)
        _stop_writing_to_stdout()
        return EXIT_CLEAN
    except (LoadError, RulebookError) as exc:  # the rulebook itself is broken (inputs are reported per file)
        _complain("\n".join(f"zhifa: {line}" for line in str(exc).splitlines()))
        return EXIT_UNUSABLE
    return code


if __name__ == "__main__":
    sys.exit(main())
