"""SARIF, JUnit XML and Excel reports: what they say agrees with the report they come from, and the
same input gives the same bytes."""

from __future__ import annotations

import io
import json
import re
import zipfile
from importlib import metadata
from pathlib import Path
from urllib.parse import quote, unquote, urlsplit
from xml.etree import ElementTree

import attrs
import pytest
from jsonschema import Draft4Validator
from openpyxl import load_workbook

import engine
from engine.cli import main
from engine.integration import as_junit, as_sarif, as_xlsx
from forms import KeyUnit, LoadError, load_document
from forms.errors import Problem
from forms.plan import KeyUnitCategory, KeyUnitList
from rulebook import load_rulebook

from .conftest import ROOT

PLAN = ROOT / "examples" / "plans" / "chongming-2024.yaml"
WORKBOOK = ROOT / "examples" / "campaigns" / "excel" / "城桥镇-2023-05.xlsx"
CAMPAIGN = ROOT / "examples" / "campaigns" / "chongming-2023" / "violations"


def results() -> tuple[list[engine.Report], list[engine.Unusable]]:
    found = engine.check_files([PLAN, WORKBOOK, *sorted(CAMPAIGN.glob("*.yaml"))])
    return [r for r in found if isinstance(r, engine.Report)], [r for r in found if isinstance(r, engine.Unusable)]


def test_sarif_has_a_descriptor_per_rule_and_a_result_per_violation_with_its_citations() -> None:
    reports, unusable = results()
    log = json.loads(as_sarif(reports, unusable))
    assert log["version"] == "2.1.0"
    (run,) = log["runs"]
    assert run["tool"]["driver"]["version"] == metadata.version("zhifa")  # which zhifa found these
    rulebook = load_rulebook()
    descriptors = run["tool"]["driver"]["rules"]
    profiles = {r.profile for r in reports}
    expected_rules = {r.id for p in profiles for r in rulebook.rules_of(rulebook.profile(p))}
    assert {d["id"] for d in descriptors} >= {v.rule for r in reports for v in r.violations}
    assert {d["id"] for d in descriptors} <= expected_rules
    for d in descriptors:
        rule = rulebook.rules[d["id"]]
        assert d["defaultConfiguration"]["level"] == rule.severity.value
        assert rule.title.zh in d["shortDescription"]["text"] and rule.title.en in d["shortDescription"]["text"]
        assert all(c.quote in d["help"]["text"] for c in rule.citations)
    violations = [(r, v) for r in reports for v in r.violations]
    found = [r for r in run["results"] if r.get("kind", "fail") == "fail"]  # the rest: rules not checked
    assert len(found) == len(violations) > 0
    for result, (report, v) in zip(found, violations, strict=True):
        assert descriptors[result["ruleIndex"]]["id"] == result["ruleId"] == v.rule
        assert result["level"] == v.severity.value
        assert (result["properties"]["profile"], result["properties"]["kind"]) == (report.profile, report.kind)
        assert result["properties"]["citations"] == [{"source": c.source, "clause": c.clause, "quote": c.quote}
                                                     for c in v.citations]
        (location,) = result["locations"]
        assert location["logicalLocations"][0]["fullyQualifiedName"] == v.location
        uri = location["physicalLocation"]["artifactLocation"]
        assert run["artifacts"][uri["index"]]["location"]["uri"] == uri["uri"]
    assert "调度表!E6" in {r["properties"]["location"] for r in found}  # a cell in the workbook
    assert run["invocations"][0]["executionSuccessful"] is True


def test_sarif_is_valid_against_the_published_schema(tmp_path: Path) -> None:
    schema = json.loads((ROOT / "engine" / "schemas" / "sarif-schema-2.1.0.json").read_text(encoding="utf-8"))
    Draft4Validator.check_schema(schema)
    bad = tmp_path / "bad.yaml"
    bad.write_text("kind: annual-plan\nyear: 十二\n", encoding="utf-8")
    reports, unusable = results()
    unusable += [r for r in engine.check_files([bad]) if isinstance(r, engine.Unusable)]
    log = json.loads(as_sarif(reports, unusable))
    errors = sorted(Draft4Validator(schema).iter_errors(log), key=lambda e: list(e.absolute_path))
    assert not errors, [f"{list(e.absolute_path)}: {e.message}" for e in errors[:5]]
    assert log["runs"][0]["results"] and log["runs"][0]["invocations"][0]["toolExecutionNotifications"]
    assert {r.get("kind") for r in log["runs"][0]["results"]} == {None, "notApplicable"}  # both validated
    # and the validator does catch a log that breaks the schema
    log["runs"][0]["results"][0]["level"] = "fatal"
    assert list(Draft4Validator(schema).iter_errors(log))


def test_sarif_lists_every_rule_not_checked_as_not_applicable(capsys: pytest.CaptureFixture[str]) -> None:
    """A rule never evaluated is no rule that found nothing: as text, JSON, JUnit and the workbook
    list it, SARIF gives a result of kind notApplicable (level none, as SARIF 2.1.0 §3.27.10 asks),
    with the reason in Chinese then English, on the document's file."""
    clean = ROOT / "examples" / "campaigns" / "chongming-2023" / "clean"
    assert main(["check", "--format", "json", str(clean)]) == 0
    documents = json.loads(capsys.readouterr().out)["documents"]
    expected = [(d["path"], n) for d in documents for n in d["not_checked"]]
    assert len(expected) == 4
    assert main(["check", "--format", "sarif", str(clean)]) == 0
    (run,) = json.loads(capsys.readouterr().out)["runs"]
    assert run["invocations"][0]["executionSuccessful"] is True
    assert len(run["results"]) == len(expected)
    descriptors = run["tool"]["driver"]["rules"]
    by_path = {d["path"]: d for d in documents}
    for result, (path, n) in zip(run["results"], expected, strict=True):
        assert (result["kind"], result["level"]) == ("notApplicable", "none")
        assert result["ruleId"] == descriptors[result["ruleIndex"]]["id"] == n["rule"]
        assert result["message"]["text"] == f"未检查：{n['reason']}\nnot checked: {n['reason_en']}"
        assert result["properties"] == {"rule": n["rule"], "reason": n["reason"], "reason_en": n["reason_en"],
                                        "profile": by_path[path]["profile"], "kind": by_path[path]["kind"]}
        (location,) = result["locations"]
        artifact = location["physicalLocation"]["artifactLocation"]
        assert artifact["uri"] == quote(path) == run["artifacts"][artifact["index"]]["location"]["uri"]


def test_sarif_gives_a_documents_violations_then_its_rules_not_checked() -> None:
    reports, _ = results()
    (run,) = json.loads(as_sarif(reports))["runs"]
    expected = [row for r in reports for row in [*((r.path, v.rule, "fail") for v in r.violations),
                                                 *((r.path, n.rule, "notApplicable") for n in r.not_checked)]]
    assert any(kind == "notApplicable" for *_, kind in expected)
    artifacts = [a["location"]["uri"] for a in run["artifacts"]]
    assert [(unquote(artifacts[r["locations"][0]["physicalLocation"]["artifactLocation"]["index"]]), r["ruleId"],
             r.get("kind", "fail")) for r in run["results"]] == [(str(p), rule, kind) for p, rule, kind in expected]


def test_sarif_lists_an_unusable_input_as_a_failed_invocation(tmp_path: Path) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text("kind: annual-plan\nyear: 十二\n", encoding="utf-8")
    found = engine.check_files([PLAN, bad])
    reports = [r for r in found if isinstance(r, engine.Report)]
    unusable = [r for r in found if isinstance(r, engine.Unusable)]
    (run,) = json.loads(as_sarif(reports, unusable))["runs"]
    assert run["invocations"][0]["executionSuccessful"] is False
    (note,) = run["invocations"][0]["toolExecutionNotifications"]
    assert "year" in note["message"]["text"] and isinstance(unusable[0].error, LoadError)


def test_junit_has_a_case_per_document_and_rule() -> None:
    reports, unusable = results()
    top = ElementTree.fromstring(as_junit(reports, unusable))
    rulebook = load_rulebook()
    suites = top.findall("testsuite")
    assert len(suites) == len(reports)
    for suite, report in zip(suites, reports, strict=True):
        applied = {r.id for r in rulebook.rules_of(rulebook.profile(report.profile)) if r.document == report.kind}
        cases = {c.get("name"): c for c in suite.findall("testcase")}
        assert set(cases) == applied
        failed = {name for name, c in cases.items() if c.find("failure") is not None}
        skipped = {name for name, c in cases.items() if c.find("skipped") is not None}
        assert failed == set(report.rules_violated)
        assert skipped == {n.rule for n in report.not_checked} - failed
        assert suite.get("tests") == str(len(cases)) and suite.get("failures") == str(len(failed))
    assert top.get("tests") == str(sum(len(s.findall("testcase")) for s in suites))


#: What a JUnit reader takes (the Surefire and Jenkins JUnit schemas): a case's outcome (one
#: skipped or error, or failures) before its output, and only these attributes.
CASE_CONTENT = re.compile(r"(skipped |error |(failure )+)?(system-out )?(system-err )?")
ATTRIBUTES = {"testsuites": {"name", "tests", "failures", "errors", "skipped", "time"},
              "testsuite": {"name", "tests", "failures", "errors", "skipped", "time"},
              "testcase": {"name", "classname", "time"},
              "failure": {"type", "message"}, "error": {"type", "message"}, "skipped": {"type", "message"},
              "system-out": set(), "system-err": set()}


def junit_shape_problems(top: ElementTree.Element) -> list[str]:
    problems = [f"{e.tag}: {sorted(set(e.attrib) - ATTRIBUTES.get(e.tag, set()))}" for e in top.iter()
                if e.tag not in ATTRIBUTES or set(e.attrib) - ATTRIBUTES[e.tag]]
    problems += [f"{c.get('name')}: {[child.tag for child in c]}" for c in top.iter("testcase")
                 if not CASE_CONTENT.fullmatch("".join(f"{child.tag} " for child in c))]
    return problems


def test_junit_says_every_rule_not_checked_even_one_that_also_failed() -> None:
    """A rule checked in part only may fail on the rest (Minhang, 67 key units and no schedule: 132
    checks short for the year, the half-years not checked): its case fails, and its failure and its
    ``system-out`` give the reason; no reason of the report is left out."""
    minhang = load_document(ROOT / "examples" / "plans" / "minhang-2020.yaml")
    units = tuple(KeyUnit(no=k + 1, name=f"单位{k + 1}", category="a") for k in range(67))
    short = attrs.evolve(minhang, schedule=None,
                         key_units=KeyUnitList(categories=(KeyUnitCategory("a", "类别a", 67),), units=units),
                         items=tuple(attrs.evolve(i, covers=("a",) if i.id == "key-units" else ()) for i in minhang.items))
    reports, unusable = results()
    reports.append(engine.check(short, path="minhang-67.yaml"))
    top = ElementTree.fromstring(as_junit(reports, unusable).split("\n", 1)[1])
    assert junit_shape_problems(top) == []
    for suite, report in zip(top.findall("testsuite"), reports, strict=False):
        cases = {c.get("name"): c for c in suite.findall("testcase")}
        for n in report.not_checked:
            case = cases[n.rule]
            if n.rule in report.rules_violated:
                said = [case.find("failure").text, case.find("system-out").text]
                assert all(f"未检查 not checked:\n{n.reason}\n{n.reason_en}" in text for text in said)
            else:
                assert case.find("skipped").get("message") == f"not checked: {n.reason_en} ({n.reason})"
    last = top.findall("testsuite")[len(reports) - 1]
    assert (last.get("failures"), last.get("skipped")) == ("1", "4")  # cases: the failed one is not skipped too
    assert len(reports[-1].not_checked) == 5


def test_xlsx_report_lists_every_finding_with_its_cell_and_citation(tmp_path: Path) -> None:
    out = tmp_path / "report.xlsx"
    code = main(["check", str(WORKBOOK), str(PLAN), "--format", "xlsx", "-o", str(out)])
    assert code == 1
    expected = [(r.path, v) for r in engine.check_files(sorted([PLAN, WORKBOOK])) if isinstance(r, engine.Report)
                for v in r.violations]
    rows = list(load_workbook(out).worksheets[0].iter_rows(min_row=2, values_only=True))
    assert len(rows) == len(expected) > 0
    for row, (path, v) in zip(rows, expected, strict=True):
        assert row[0] == path and row[1] == v.location and row[2] == v.rule and row[4] == v.message
        assert all(c.quote in row[7] for c in v.citations)
    assert any(row[1] == "调度表!E6" for row in rows)


def test_xlsx_needs_an_output_file(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["check", str(PLAN), "--format", "xlsx"]) == 2
    assert "-o REPORT.xlsx" in capsys.readouterr().err


@pytest.mark.parametrize("form", ["sarif", "junit", "xlsx"])
def test_the_same_input_gives_the_same_bytes(form: str, tmp_path: Path) -> None:
    outputs = []
    for k, order in enumerate(([PLAN, WORKBOOK], [WORKBOOK, PLAN])):
        out = tmp_path / f"{k}.{form}"
        main(["check", *map(str, order), "--format", form, "-o", str(out)])
        outputs.append(out.read_bytes())
    assert outputs[0] == outputs[1]
    assert as_xlsx([], []) == as_xlsx([], [])


def test_the_workbook_carries_no_time_of_writing() -> None:
    """Same bytes even across a clock tick: the document properties and zip entries are fixed dates."""
    first = as_xlsx([], [])
    core = zipfile.ZipFile(io.BytesIO(first)).read("docProps/core.xml").decode()
    assert re.findall(r"<dcterms:(created|modified)[^>]*>([^<]*)<", core) == [
        ("created", "2000-01-01T00:00:00Z"), ("modified", "2000-01-01T00:00:00Z")]
    assert {info.date_time for info in zipfile.ZipFile(io.BytesIO(first)).infolist()} == {(1980, 1, 1, 0, 0, 0)}


def test_sarif_names_no_version_when_zhifa_runs_uninstalled(monkeypatch: pytest.MonkeyPatch) -> None:
    def not_installed(package: str) -> str:
        raise metadata.PackageNotFoundError(package)

    monkeypatch.setattr(metadata, "version", not_installed)
    reports, unusable = results()
    (run,) = json.loads(as_sarif(reports, unusable))["runs"]
    assert "version" not in run["tool"]["driver"] and run["tool"]["driver"]["name"] == "zhifa"


def test_xlsx_report_keeps_text_that_begins_with_equals_as_text(tmp_path: Path) -> None:
    """A unit named ``=1+2`` (or a file so named) is text in the report, never a formula Excel computes."""
    late = (CAMPAIGN / "城桥镇-2023-05.yaml").read_text(encoding="utf-8").replace("unit: 城桥镇\n", 'unit: "=1+2"\n')
    form = tmp_path / "=HYPERLINK(1).yaml"
    form.write_text(late, encoding="utf-8")
    out = tmp_path / "report.xlsx"
    assert main(["check", "--format", "xlsx", "-o", str(out), str(form)]) == 1
    findings = load_workbook(out)["问题清单 findings"]
    cells = [c for row in findings.iter_rows(min_row=2) for c in row if isinstance(c.value, str)]
    assert cells[0].value == str(form) and findings["E2"].value.startswith("=1+2 2023-05")
    assert [c.coordinate for c in cells if c.data_type != "s"] == []
    with zipfile.ZipFile(out) as archive:
        assert b"<f>" not in archive.read("xl/worksheets/sheet1.xml")


def test_junit_and_xlsx_write_control_characters_that_reach_them_as_escapes() -> None:
    """The loaders refuse control characters in a document's text; any that reach a writer (a name
    given to the library) is written as an escape, not as XML no reader takes or an openpyxl error."""
    (report,) = engine.check_documents([load_document(PLAN)], ["plan\x01\x1b.yaml"])
    assert isinstance(report, engine.Report)
    junit = as_junit([report])
    assert ElementTree.fromstring(junit.split("\n", 1)[1]).find("testsuite").get("name") == "plan\\x01\\x1b.yaml"
    book = load_workbook(io.BytesIO(as_xlsx([report])))
    assert book["问题清单 findings"]["A2"].value == "plan\\x01\\x1b.yaml"


def test_xlsx_and_junit_write_noncharacters_that_reach_them_as_escapes() -> None:
    """The loaders refuse U+FFFE and U+FFFF in a document's text; a file's name may hold one, and
    XML cannot: written as it is, it made a workbook neither Excel nor openpyxl would open."""
    (report,) = engine.check_documents([load_document(PLAN)], ["plan\uffff\ufffe.yaml"])
    assert isinstance(report, engine.Report)
    book = load_workbook(io.BytesIO(as_xlsx([report])))
    assert book["问题清单 findings"]["A2"].value == "plan\\uffff\\ufffe.yaml"
    junit = as_junit([report])
    assert ElementTree.fromstring(junit.split("\n", 1)[1]).find("testsuite").get("name") == "plan\\uffff\\ufffe.yaml"


@pytest.mark.parametrize(("path", "uri"), [
    ("d:e #%?.yaml", "d%3Ae%20%23%25%3F.yaml"),  # not the scheme "d" (RFC 3986 §4.2)
    ("plans/a:b.yaml", "plans/a%3Ab.yaml"),
    ("/srv/计划/a:b.yaml", "/srv/%E8%AE%A1%E5%88%92/a%3Ab.yaml"),
])
def test_a_sarif_artifact_uri_is_the_file_name_never_a_scheme(path: str, uri: str) -> None:
    unusable = [engine.Unusable(path, LoadError(path, [Problem("", "file is empty")]))]
    (run,) = json.loads(as_sarif([], unusable))["runs"]
    assert run["artifacts"] == [{"location": {"uri": uri}}]
    assert urlsplit(uri).scheme == "" and urlsplit(uri).path == uri
