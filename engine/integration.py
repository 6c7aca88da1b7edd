"""Report formats for other tools: SARIF 2.1.0 (code-scanning dashboards), JUnit XML (CI test
reports) and an Excel workbook a clerk can open. Each is deterministic: the same reports give the
same bytes.
"""

from __future__ import annotations

import io
import os
import re
import zipfile
from collections.abc import Sequence
from typing import Any
from urllib.parse import quote
from xml.etree import ElementTree

from engine.check import Unusable
from engine.output import cited, indented_json, installed_version
from engine.report import NotChecked, Report, Violation
from forms.errors import showable_text, shown_name
from rulebook import Rule, Rulebook, Severity, load_rulebook

SARIF_SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json"
_LEVEL = {Severity.ERROR: "error", Severity.WARNING: "warning"}


def _rules_for(report: Report, rulebook: Rulebook) -> tuple[Rule, ...]:
    """The rules the report's profile applies to documents of its kind: one JUnit case each."""
    profile = rulebook.profiles.get(report.profile)
    if profile is None:
        return ()
    return tuple(r for r in rulebook.rules_of(profile) if r.document == report.kind)


def _citation_text(rule: Rule) -> str:
    return "\n".join(f"{c.source} {c.clause}：“{c.quote}”" for c in rule.citations)


def _citations(violation: Violation) -> list[dict[str, str]]:
    return [{"source": c.source, "clause": c.clause, "quote": c.quote} for c in violation.citations]


def _uri(path: str | None) -> str:
    """A file's name as a URI reference: the name as shown (:func:`forms.errors.shown_name`), percent-encoded.
    A colon too: ``d:e.yaml`` would read as a URI of the scheme ``d`` (RFC 3986 §4.2)."""
    return quote(shown_name((path or "document").replace(os.sep, "/")), safe="/")


# ------------------------------------------------------------------ SARIF


def _descriptor(rule: Rule) -> dict[str, Any]:
    return {
        "id": rule.id,
        "name": rule.id,
        "shortDescription": {"text": f"{rule.title.zh} — {rule.title.en}"},
        "fullDescription": {"text": f"{rule.description.zh}\n{rule.description.en}"},
        "help": {"text": f"{rule.title.en}. Required by:\n{_citation_text(rule)}"},
        "defaultConfiguration": {"level": _LEVEL[rule.severity]},
        "properties": {"title_zh": rule.title.zh, "title_en": rule.title.en, "document": rule.document,
                       "citations": [{"source": c.source, "clause": c.clause, "quote": c.quote} for c in rule.citations]},
    }


def _not_applicable(report: Report, n: NotChecked, rule_index: int, artifact: dict[str, Any]) -> dict[str, Any]:
    """A rule the document gave no data for, as SARIF says a rule was not evaluated: ``kind``
    ``notApplicable``, whose ``level`` must be ``none`` (SARIF 2.1.0 §3.27.9, §3.27.10). Listed,
    so that a dashboard never shows a rule never evaluated as one that found nothing."""
    return {
        "ruleId": n.rule, "ruleIndex": rule_index, "kind": "notApplicable", "level": "none",
        "message": {"text": f"未检查：{n.reason}\nnot checked: {n.reason_en}"},
        "locations": [{"physicalLocation": {"artifactLocation": artifact}}],
        "properties": {"rule": n.rule, "reason": n.reason, "reason_en": n.reason_en,
                       "profile": report.profile, "kind": report.kind},
    }


def as_sarif(reports: Sequence[Report], unusable: Sequence[Unusable] = (), rulebook: Rulebook | None = None) -> str:
    """One SARIF run: a ``reportingDescriptor`` per rule of the profiles used, a result per violation
    (located by file and by the JSON pointer or cell), one of kind ``notApplicable`` per rule a
    document leaves not checked (after its violations), unusable inputs as tool notifications."""
    rulebook = rulebook or load_rulebook()
    rule_ids = sorted({r.id for report in reports for r in _rules_for(report, rulebook)}
                      | {v.rule for report in reports for v in report.violations}
                      | {n.rule for report in reports for n in report.not_checked})
    index = {rule_id: k for k, rule_id in enumerate(rule_ids)}
    paths = sorted({r.path or "document" for r in reports} | {u.path for u in unusable})
    artifact = {path: k for k, path in enumerate(paths)}
    results = []
    for report in reports:
        path = report.path or "document"
        for v in report.violations:
            results.append({
                "ruleId": v.rule, "ruleIndex": index[v.rule], "level": _LEVEL[v.severity],
                "message": {"text": f"{v.message}\n{v.message_en}"},
                "locations": [{
                    "physicalLocation": {"artifactLocation": {"uri": _uri(path), "index": artifact[path]}},
                    "logicalLocations": [{"fullyQualifiedName": v.location, "kind": "element"}],
                }],
                "properties": {"location": v.location, "message_en": v.message_en, "values": v.values,
                               "fix": v.fix, "fix_en": v.fix_en, "citations": _citations(v),
                               "profile": report.profile, "kind": report.kind},
            })
        results.extend(_not_applicable(report, n, index[n.rule], {"uri": _uri(path), "index": artifact[path]})
                       for n in report.not_checked)
    notifications = [{
        "level": "error",
        "message": {"text": "; ".join(f"{p['path']}: {p['message']}" if p["path"] else p["message"] for p in u.problems)},
        "locations": [{"physicalLocation": {"artifactLocation": {"uri": _uri(u.path), "index": artifact[u.path]}}}],
    } for u in unusable]
    log = {
        "$schema": SARIF_SCHEMA,
        "version": "2.1.0",
        "runs": [{
            "tool": {"driver": {"name": "zhifa", **({"version": version} if (version := installed_version()) else {}),
                                "rules": [_descriptor(rulebook.rules[r]) for r in rule_ids]}},
            "artifacts": [{"location": {"uri": _uri(p)}} for p in paths],
            "invocations": [{"executionSuccessful": not unusable, "toolExecutionNotifications": notifications}],
            "results": results,
        }],
    }
    return indented_json(log) + "\n"


# ------------------------------------------------------------------ JUnit XML


def as_junit(reports: Sequence[Report], unusable: Sequence[Unusable] = (), rulebook: Rulebook | None = None) -> str:
    """A test suite per document and a test case per rule applied to it: failed when violated,
    skipped when not checked, passed otherwise. A rule checked in part only may also have failed on
    the rest: its case fails, and says what was not checked, in the failure's text and its
    ``system-out``. An unusable input is a suite with one error."""
    rulebook = rulebook or load_rulebook()
    top = ElementTree.Element("testsuites", name="zhifa")
    totals = {"tests": 0, "failures": 0, "errors": 0, "skipped": 0}
    for report in reports:
        path = report.path or "document"
        suite = ElementTree.SubElement(top, "testsuite", name=path)
        counts = {"tests": 0, "failures": 0, "errors": 0, "skipped": 0}
        not_checked: dict[str, list[NotChecked]] = {}
        for n in report.not_checked:
            not_checked.setdefault(n.rule, []).append(n)
        rules = {r.id for r in _rules_for(report, rulebook)} | {v.rule for v in report.violations} | set(not_checked)
        for rule_id in sorted(rules):
            case = ElementTree.SubElement(suite, "testcase", classname=path, name=rule_id)
            counts["tests"] += 1
            found = [v for v in report.violations if v.rule == rule_id]
            unchecked = not_checked.get(rule_id, [])
            if found:
                counts["failures"] += 1
                failure = ElementTree.SubElement(case, "failure", type=found[0].severity.value,
                                                 message=f"{len(found)} violation(s): {found[0].message_en}")
                paragraphs = ["\n".join([f"{v.location}: {v.message}", v.message_en, *cited(v)]) for v in found]
                if unchecked:  # a case is failed or skipped, never both: the part not checked is said here
                    said = _not_checked_text(unchecked)
                    paragraphs.append(said)
                    ElementTree.SubElement(case, "system-out").text = said
                failure.text = "\n\n".join(paragraphs)
            elif unchecked:
                counts["skipped"] += 1
                ElementTree.SubElement(case, "skipped", message="; ".join(
                    f"not checked: {n.reason_en} ({n.reason})" for n in unchecked))
        suite.attrib.update({key: str(value) for key, value in counts.items()})
        for key in totals:
            totals[key] += counts[key]
    for u in unusable:
        suite = ElementTree.SubElement(top, "testsuite", name=u.path, tests="1", failures="0", errors="1", skipped="0")
        case = ElementTree.SubElement(suite, "testcase", classname=u.path, name="load")
        error = ElementTree.SubElement(case, "error", type="unusable", message="the input could not be used")
        error.text = "\n".join(f"{p['path']}: {p['message']}" if p["path"] else p["message"] for p in u.problems)
        totals["tests"] += 1
        totals["errors"] += 1
    top.attrib.update({key: str(value) for key, value in totals.items()})
    ElementTree.indent(top)
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + _xml_text(ElementTree.tostring(top, encoding="unicode")) + "\n"


def _not_checked_text(unchecked: Sequence[NotChecked]) -> str:
    """What of a failed rule was not checked: a ``未检查 not checked:`` line, then each reason in
    Chinese and English."""
    return "\n".join(["未检查 not checked:", *(f"{n.reason}\n{n.reason_en}" for n in unchecked)])


#: Characters XML 1.0 cannot hold, even as references, and which ElementTree writes as they are.
_NOT_IN_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


def _xml_text(xml: str) -> str:
    """The XML with any character it cannot hold written as an escape (``\\x01``), as
    :func:`forms.errors.showable_text` writes it; they can only be inside text or attributes."""
    if not _NOT_IN_XML.search(xml):
        return xml
    return _escaped_for_xml(xml)


def _escaped_for_xml(text: str) -> str:
    """``text`` with each character XML cannot hold written as its escape: the controls and lone
    surrogates as :func:`forms.errors.showable_text` writes them, and the noncharacters U+FFFE and
    U+FFFF (loaders refuse them in documents; a file's name or a document built in Python may hold one)."""
    return showable_text(text).replace("\ufffe", "\\ufffe").replace("\uffff", "\\uffff")


# ------------------------------------------------------------------ Excel

FINDING_COLUMNS = (
    ("文件 file", 36), ("位置 location", 18), ("规则 rule", 28), ("级别 severity", 10),
    ("问题", 50), ("problem", 50), ("修改 fix", 40), ("依据 citation", 70),
)


def as_xlsx(reports: Sequence[Report], unusable: Sequence[Unusable] = ()) -> bytes:
    """A workbook: one sheet of findings (file, cell or field, rule, message, fix, citation), one of
    rules not checked, one of inputs that could not be used. The same reports give the same bytes."""
    from datetime import datetime

    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font
    from openpyxl.writer.excel import ExcelWriter

    book = Workbook()
    findings = book.active
    findings.title = "问题清单 findings"
    findings.append([title for title, _ in FINDING_COLUMNS])
    for report in reports:
        for v in report.violations:
            _add(findings, [report.path or "", v.location, v.rule, v.severity.value, v.message, v.message_en,
                             f"{v.fix} / {v.fix_en}" if v.fix else "",
                             "\n".join(cited(v))])
    for k, (_, width) in enumerate(FINDING_COLUMNS):
        findings.column_dimensions[chr(ord("A") + k)].width = width
    skipped = book.create_sheet("未检查 not checked")
    skipped.append(["文件 file", "规则 rule", "原因", "reason"])
    for report in reports:
        for n in report.not_checked:
            _add(skipped, [report.path or "", n.rule, n.reason, n.reason_en])
    failed = book.create_sheet("无法检查 unusable")
    failed.append(["文件 file", "字段 field", "问题 problem"])
    for u in unusable:
        for p in u.problems:
            _add(failed, [u.path, p["path"], p["message"]])
    for sheet in book.worksheets:
        sheet.freeze_panes = "A2"
        for cell in sheet[1]:
            cell.font = Font(bold=True)
        for row in sheet.iter_rows(min_row=2):
            for cell in row:
                _as_text(cell)
                cell.alignment = Alignment(wrap_text=True, vertical="top")
    fixed = datetime(2000, 1, 1)  # document properties carry no build time: same reports, same bytes
    book.properties.created = book.properties.modified = fixed
    buffer = io.BytesIO()
    # ExcelWriter, not book.save(): save stamps the properties with the current time.
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        ExcelWriter(book, archive).save()
    return _without_timestamps(buffer.getvalue())


#: What a workbook's XML cannot hold, as :data:`_NOT_IN_XML`: openpyxl refuses the controls, and
#: writes a lone surrogate, U+FFFE or U+FFFF into a workbook Excel (and openpyxl) cannot open.
_NOT_IN_CELL = _NOT_IN_XML


def _add(sheet: Any, values: list[str]) -> None:
    """A row of text, any character a workbook cannot hold written as an escape (``\\x01``)."""
    sheet.append([_escaped_for_xml(v) if _NOT_IN_CELL.search(v) else v for v in values])


def _as_text(cell: Any) -> None:
    """Keep a cell's text as text: openpyxl stores text beginning with ``=`` as a formula, so that a
    unit named ``=1+2`` would be computed, or a formula typed as a name run, when the report is opened."""
    if cell.data_type == "f":
        cell.data_type = "s"
        cell.quotePrefix = True  # and it stays text if the cell is edited in Excel


def _without_timestamps(raw: bytes) -> bytes:
    """The same zip with every entry dated 1980-01-01, so that saving twice gives the same bytes."""
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(raw)) as source, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            entry = zipfile.ZipInfo(info.filename, date_time=(1980, 1, 1, 0, 0, 0))
            entry.compress_type = zipfile.ZIP_DEFLATED
            entry.external_attr = info.external_attr
            target.writestr(entry, source.read(info.filename))
    return out.getvalue()
