"""Report formats: one function per format, each turning reports into text."""

from __future__ import annotations

import json
from collections.abc import Sequence
from importlib import metadata
from typing import Any

from engine.check import Unusable
from engine.report import Report, Violation
from rulebook import Severity


def installed_version(package: str = "zhifa") -> str | None:
    """The version of ``package`` as installed, or None when it is not (zhifa run from a checkout)."""
    try:
        return metadata.version(package)
    except metadata.PackageNotFoundError:
        return None


def summary(reports: Sequence[Report], unusable: Sequence[Unusable]) -> dict[str, int]:
    violations = [v for r in reports for v in r.violations]
    return {
        "documents": len(reports),
        "violations": len(violations),
        "errors": sum(1 for v in violations if v.severity is Severity.ERROR),
        "warnings": sum(1 for v in violations if v.severity is Severity.WARNING),
        "not_checked": sum(len(r.not_checked) for r in reports),
        "unusable": len(unusable),
    }


def violation_data(v: Violation) -> dict[str, Any]:
    return {
        "rule": v.rule, "severity": v.severity.value, "message": v.message, "message_en": v.message_en,
        "location": v.location, "values": v.values, "fix": v.fix, "fix_en": v.fix_en,
        "citations": [{"source": c.source, "clause": c.clause, "quote": c.quote} for c in v.citations],
    }


def report_data(report: Report) -> dict[str, Any]:
    return {
        "path": report.path, "kind": report.kind, "profile": report.profile,
        "violations": [violation_data(v) for v in report.violations],
        "not_checked": [{"rule": n.rule, "reason": n.reason, "reason_en": n.reason_en} for n in report.not_checked],
    }


def as_json(reports: Sequence[Report], unusable: Sequence[Unusable] = ()) -> str:
    data = {
        "documents": [report_data(r) for r in reports],
        "unusable": [{"path": u.path, "problems": u.problems} for u in unusable],
        "summary": summary(reports, unusable),
    }
    return indented_json(data) + "\n"


_SCALAR = json.JSONEncoder(ensure_ascii=False)  # one value that is not a container, at C speed


class _NotText(TypeError):
    """A mapping key that is not text: left to ``json.dumps``, which knows how to write each kind."""


#: Pieces of text :func:`indented_json` holds before joining them: the pieces of a large report,
#: held to the end, take several times the memory of its text.
_PIECES = 4096


def indented_json(data: Any) -> str:
    """Exactly ``json.dumps(data, ensure_ascii=False, indent=2)``, about twice as fast on reports.

    With an indent, ``json`` writes through its pure-Python encoder, a generator per container
    level: a fifth of ``zhifa check --format json``'s time after the check itself, for 10 000 forms.
    Here containers are laid out by one recursive function and every other value is written by
    ``json``'s own C encoder. ``tests/test_output.py`` checks the two agree on any JSON data."""
    done: list[str] = []  # text joined so far, a block per _PIECES pieces
    parts: list[str] = []
    add = parts.append
    text = json.encoder.encode_basestring  # what json writes a str with when ensure_ascii is false

    def write(value: Any, indent: str) -> None:
        if isinstance(value, str):
            add(text(value))
        elif isinstance(value, dict):
            if not value:
                add("{}")
                return
            inner = indent + "  "
            opening = "{\n" + inner
            for key, item in value.items():
                if not isinstance(key, str):
                    raise _NotText
                add(opening + text(key) + ": ")
                opening = ",\n" + inner
                write(item, inner)
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
                write(item, inner)
                if len(parts) > _PIECES:
                    done.append("".join(parts))
                    parts.clear()
            add("\n" + indent + "]")
        else:
            add(_SCALAR.encode(value))

    try:
        write(data, "")
    except _NotText:
        return json.dumps(data, ensure_ascii=False, indent=2)
    return "".join([*done, *parts])


def violation_lines(v: Violation) -> list[str]:
    """A violation as the text report shows it (also used by the rule catalogue's worked examples)."""
    mark = "✗" if v.severity is Severity.ERROR else "!"
    lines = [f"{mark} {v.severity.value} {v.rule}  {v.location}", f"  {v.message}", f"  {v.message_en}"]
    if v.fix:
        lines.append(f"  修改：{v.fix} / fix: {v.fix_en}")
    lines += [f"  依据 {c.source} {c.clause}：“{c.quote}”" for c in v.citations]
    return lines


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
