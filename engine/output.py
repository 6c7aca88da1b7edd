"""Report formats: one function per format, each turning reports into text."""

from __future__ import annotations

import json
import os
from collections.abc import Callable, Sequence
from typing import Any

from engine.check import Unusable
from engine.report import Report, Violation
from rulebook import Severity


def installed_version(package: str = "zhifa") -> str | None:
    """The version of ``package`` as installed, or None when it is not (zhifa run from a checkout)."""
    from importlib import metadata  # imported when asked: a tenth of a cold command line's imports otherwise

    try:
        return metadata.version(package)
    except metadata.PackageNotFoundError:
        return None


def summary(reports: Sequence[Report], unusable: Sequence[Unusable]) -> dict[str, int]:
    violations = [v for r in reports for v in r.violations]
    return {
        "documents": len(reports),
        "violations": len(violations),
        "errors": sum(1 for v in violations if v.severity == Severity.ERROR),
        "warnings": sum(1 for v in violations if v.severity == Severity.WARNING),
        "not_checked": sum(len(r.not_checked) for r in reports),
        "unusable": len(unusable),
    }


def violation_data(v: Violation) -> dict[str, Any]:
    return {
        "rule": v.rule, "severity": str(v.severity), "message": v.message, "message_en": v.message_en,
        "location": v.location, "values": v.values, "fix": v.fix, "fix_en": v.fix_en,
        "citations": [{"source": c.source, "clause": c.clause, "quote": c.quote} for c in v.citations],
    }


def report_data(report: Report) -> dict[str, Any]:
    return {
        "path": report.path, "kind": report.kind, "profile": report.profile,
        "violations": [violation_data(v) for v in report.violations],
        "not_checked": [{"rule": n.rule, "reason": n.reason, "reason_en": n.reason_en} for n in report.not_checked],
    }


def path_order(name: str) -> list[str]:
    """A path's parts, the root first, as :mod:`pathlib` sorts paths on POSIX (``a/b`` before
    ``a-b``). ``name`` is written as ``str(Path(...))`` writes it, as are a folder's entries."""
    parts = name.split(os.sep)
    if not parts[0]:
        parts[0] = os.sep
    return parts


def _by_path(path: str | None) -> tuple[bool, list[str]]:
    return path is None, path_order(path or "")  # reports without a path last, in the order given


def json_data(reports: Sequence[Report], unusable: Sequence[Unusable] = ()) -> dict[str, Any]:
    """What the JSON report holds (``docs/reference/report.rst``): documents and unusable inputs
    sorted by path, so the order they were checked in never changes the report."""
    return {
        "documents": [report_data(r) for r in sorted(reports, key=lambda r: _by_path(r.path))],
        "unusable": [{"path": u.path, "problems": u.problems} for u in sorted(unusable, key=lambda u: _by_path(u.path))],
        "summary": summary(reports, unusable),
    }


def as_json(reports: Sequence[Report], unusable: Sequence[Unusable] = ()) -> str:
    """The JSON report of ``zhifa check --format json`` (documents sorted by path, ``unusable``,
    ``summary``), indented, as one string ending in a newline."""
    pieces: list[str] = []
    write_json(reports, unusable, pieces.append)
    return "".join(pieces)


Write = Callable[[str], object]

_SCALAR = json.JSONEncoder(ensure_ascii=False)  # one value that is not a container, at C speed
_text = json.encoder.encode_basestring  # what json writes a str with when ensure_ascii is false

#: Pieces of text :func:`write_indented_json` gathers before passing them on, joined: a large
#: report's pieces, held to the end, would take several times the memory of its text.
_PIECES = 4096


def _key(key: Any) -> str:
    """A mapping key as json writes it: text as is, and the few other kinds it takes as their JSON."""
    if isinstance(key, str):
        return key
    if isinstance(key, float) or key is True or key is False or key is None:
        return _SCALAR.encode(key)
    if isinstance(key, int):
        return int.__repr__(key)
    raise TypeError(f"keys must be str, int, float, bool or None, not {key.__class__.__name__}")


def write_indented_json(data: Any, write: Write) -> None:
    """Pass ``write`` the text of ``json.dumps(data, ensure_ascii=False, indent=2)``, exactly, in
    pieces of a few thousand values each, about twice as fast on reports.

    With an indent, ``json`` writes through its pure-Python encoder, a generator per container
    level: a fifth of ``zhifa check --format json``'s time after the check itself, for 10 000 forms.
    Here containers are laid out by one recursive function and every other value is written by
    ``json``'s own C encoder. ``tests/test_output.py`` checks the two agree on any JSON data."""
    parts: list[str] = []
    add = parts.append

    def write_value(value: Any, indent: str) -> None:
        if isinstance(value, str):
            add(_text(value))
        elif isinstance(value, dict):
            if not value:
                add("{}")
                return
            inner = indent + "  "
            opening = "{\n" + inner
            for key, item in value.items():
                add(opening + _text(_key(key)) + ": ")
                opening = ",\n" + inner
                write_value(item, inner)
            add("\n" + indent + "}")
        elif isinstance(value, (list, tuple)):
            if not value:
                add("[]")
                return
            inner = indent + "  "
            opening = "[\n" + inner
            for item in value:
                add(opening)
                opening = ",\n" + inner
                write_value(item, inner)
                if len(parts) > _PIECES:
                    write("".join(parts))
                    parts.clear()
            add("\n" + indent + "]")
        else:
            add(_SCALAR.encode(value))

    write_value(data, "")
    write("".join(parts))


def indented_json(data: Any) -> str:
    """Exactly ``json.dumps(data, ensure_ascii=False, indent=2)`` (see :func:`write_indented_json`)."""
    pieces: list[str] = []
    write_indented_json(data, pieces.append)
    return "".join(pieces)


def write_json(reports: Sequence[Report], unusable: Sequence[Unusable], write: Write) -> None:
    """The text of :func:`as_json`, passed to ``write`` as it is made, never held whole."""
    write_indented_json(json_data(reports, unusable), write)
    write("\n")


def violation_lines(v: Violation) -> list[str]:
    """A violation as the text report shows it (also used by the rule catalogue's worked examples)."""
    mark = "✗" if v.severity == Severity.ERROR else "!"
    lines = [f"{mark} {v.severity} {v.rule}  {v.location}", f"  {v.message}", f"  {v.message_en}"]
    if v.fix:
        lines.append(f"  修改：{v.fix} / fix: {v.fix_en}")
    lines += [f"  依据 {grounds}" for grounds in cited(v)]
    return lines


#: What a finding citing no clause shows where its clauses would be: said, not left blank.
NO_CLAUSE = "无：来源中没有条款按此名称对应本项 / no clause of the profile's sources is matched to this item's name"


def cited(v: Violation) -> list[str]:
    """The clauses a violation cites, one line each (source, clause, quote), as every report format
    shows them; a finding citing none (an item whose name no scoped clause matches) says so."""
    return [f"{c.source} {c.clause}：“{c.quote}”" for c in v.citations] or [NO_CLAUSE]


def as_text(reports: Sequence[Report], unusable: Sequence[Unusable] = ()) -> str:
    lines: list[str] = []
    for report in reports:
        lines.append(f"{report.path or '<document>'}  ({report.kind}, {report.profile})")
        if not report.violations:
            lines.append("  ✓ 未发现违规 / no violations")
        for v in report.violations:
            lines += [f"  {line}" for line in violation_lines(v)]
        for n in report.not_checked:
            lines.append(f"  - 未检查 not checked: {n.rule} — {n.reason} ({n.reason_en})")
        lines.append("")
    for u in unusable:
        lines.append(f"{u.path}  无法检查 / unusable input")
        for p in u.problems:
            where = f"{p['path']}: " if p["path"] else ""
            lines.append(f"  {where}{p['message']}")
        lines.append("")
    s = summary(reports, unusable)
    lines.append(
        f"{s['documents']} 份文件，{s['violations']} 项违规（{s['errors']} 错误，{s['warnings']} 警告），"
        f"{s['not_checked']} 项未检查，{s['unusable']} 份无法检查 / "
        f"{s['documents']} document(s), {s['violations']} violation(s) ({s['errors']} errors, {s['warnings']} warnings), "
        f"{s['not_checked']} not checked, {s['unusable']} unusable")
    return "\n".join(lines) + "\n"


FORMATS = {"text": as_text, "json": as_json}
