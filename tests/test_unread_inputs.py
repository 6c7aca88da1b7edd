"""An input that cannot be read may be a document the others are compared with: rules that compare
documents are then reported not checked, naming it, never judged on the rest (a roll-up would
report a member that filed an unreadable form as one that filed none)."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from openpyxl import load_workbook

import engine
from engine.cli import main
from engine.facts import FACT_KINDS
from engine.report import Report
from forms import LoadError, load_document
from forms.xlsx import FIGURE, MONTH_CELL, SHEET, layout, write_form
from rulebook import load_rulebook

from .conftest import COMPARING, checked_whole_and_withheld, not_checked_in_example

ROOT = Path(__file__).resolve().parents[1]
CLEAN = ROOT / "examples" / "campaigns" / "chongming-2023" / "clean"
MEMBER = "新河镇-2023-05.yaml"  # a member of the district's aggregate for 2023-05
AGGREGATE = "崇明区安委会办公室-2023-05-汇总.yaml"
RULEBOOK = load_rulebook()
CAMPAIGN_PROFILES = sorted(p.id for p in RULEBOOK.profiles.values() if "dispatch-form" in p.documents)
#: What the clean roll-up leaves not checked with every input read: no record names its unit as spot-checking.
AGGREGATE_NOT_CHECKED = [{"rule": "form.matches-records", "reason": not_checked_in_example("chongming-2023")[AGGREGATE][0],
                          "reason_en": not_checked_in_example("chongming-2023")[AGGREGATE][1]}]


def test_the_rules_that_compare_documents_are_those_over_facts_that_do() -> None:
    comparing = {rule.id for rule in RULEBOOK.rules.values()
                 if all(any(FACT_KINDS[p.fact].compares_documents for p in a.match) for a in rule.when)}
    assert comparing == COMPARING


def run(folder: Path, capsys: pytest.CaptureFixture[str]) -> tuple[int, dict[str, dict]]:
    code = main(["check", str(folder), "--format", "json"])
    out = json.loads(capsys.readouterr().out)
    return code, {Path(r["path"]).name: r for r in out["documents"]} | {
        Path(u["path"]).name: u for u in out["unusable"]}


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    shutil.copytree(CLEAN, tmp_path / "campaign")
    return tmp_path / "campaign"


def test_an_unreadable_member_form_is_not_taken_for_a_missing_one(folder: Path, capsys: pytest.CaptureFixture[str]) -> None:
    member = folder / MEMBER
    member.write_text(member.read_text(encoding="utf-8").replace("unit: 新河镇", "unit: [新河镇]"), encoding="utf-8")
    code, results = run(folder, capsys)
    assert code == 2
    assert results[MEMBER]["problems"] == [{"path": "unit", "message": "expected text, got ['新河镇']"}]
    aggregate = results[AGGREGATE]
    assert aggregate["violations"] == []
    reasons = {n["rule"]: n["reason_en"] for n in aggregate["not_checked"]}
    assert set(reasons) == COMPARING
    assert all(str(member) in reason for reason in reasons.values()), reasons
    for name, result in results.items():  # every campaign document read: its own rules still ran
        if name != MEMBER and result.get("kind") == "dispatch-form":
            assert {n["rule"] for n in result["not_checked"]} == COMPARING, name


@pytest.mark.parametrize("profile", ["shanghai-chongming-2023-campagn", "shanghai-chongming-2024"])
def test_a_member_form_under_a_profile_that_does_not_fit_is_not_taken_for_a_missing_one(
        folder: Path, capsys: pytest.CaptureFixture[str], profile: str) -> None:
    """A misspelt profile, or a real one that checks other documents: the form is unusable, and
    like an unreadable one it may be the member or the month the others are compared with."""
    member = folder / MEMBER
    text = member.read_text(encoding="utf-8")
    member.write_text(text.replace("profile: shanghai-chongming-2023-campaign", f"profile: {profile}"), encoding="utf-8")
    code, results = run(folder, capsys)
    assert code == 2 and "profile" in results[MEMBER]["problems"][0]["message"]
    aggregate = results[AGGREGATE]
    assert aggregate["violations"] == []
    reasons = {n["rule"]: n["reason_en"] for n in aggregate["not_checked"]}
    assert set(reasons) == COMPARING and all(str(member) in reason for reason in reasons.values()), reasons


def test_a_member_form_that_is_absent_is_reported_missing(folder: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (folder / MEMBER).unlink()
    code, results = run(folder, capsys)
    assert code == 1
    rollup = [v for v in results[AGGREGATE]["violations"] if v["rule"] == "form.rollup"]
    assert [(v["location"], v["values"]) for v in rollup] == [("/members", {"member": "新河镇"})]
    # What the absent member would add is not known: the roll-up is not summed without it.
    assert results[AGGREGATE]["not_checked"] == [*AGGREGATE_NOT_CHECKED, {
        "rule": "form.rollup", "reason": "下属单位新河镇没有2023-05的调度表，汇总表各项不与下属单位合计核对",
        "reason_en": "its member 新河镇 has no form for 2023-05: the roll-up's items are not checked against its members' total"}]


def test_rules_of_one_document_still_fire_beside_an_unreadable_input(folder: Path,
                                                                       capsys: pytest.CaptureFixture[str]) -> None:
    (folder / "lost.yaml").write_text("kind: dispatch-form\nunit: [", encoding="utf-8")
    other = folder / "港沿镇-2023-05.yaml"
    text = other.read_text(encoding="utf-8")
    assert "self_rectified: 0" in text
    other.write_text(text.replace("self_rectified: 0", "self_rectified: 99", 1), encoding="utf-8")
    code, results = run(folder, capsys)
    assert code == 2
    assert [v["rule"] for v in results[other.name]["violations"]] == ["form.rectified-within-found"]


@pytest.mark.parametrize("profile_id", CAMPAIGN_PROFILES)
@settings(max_examples=10, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data())
def test_unread_inputs_withhold_exactly_the_rules_that_compare_documents(profile_id: str, data: st.DataObject) -> None:
    for whole, part in checked_whole_and_withheld(profile_id, data, ["lost.yaml"]):
        assert part.violations == tuple(v for v in whole.violations if v.rule not in COMPARING)
        # A rule withheld is listed for the unread input, whether or not it was left unchecked before.
        withheld_rules = {n.rule for n in set(part.not_checked) - set(whole.not_checked)}
        assert withheld_rules == (COMPARING if part.kind == "dispatch-form" else set())
        assert all("lost.yaml" in n.reason_en and "lost.yaml" in n.reason for n in part.not_checked
                   if n.rule in withheld_rules)


LINYI = ROOT / "examples" / "campaigns" / "linyi-lingang-2023" / "clean"


def _withheld(result: dict) -> set[str]:
    return {n["rule"] for n in result["not_checked"] if "could not be read" in n["reason_en"]}


def test_an_unreadable_input_that_names_its_campaign_withholds_only_that_campaigns_comparisons(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """A Linyi form that fails to load but still says it is Linyi's could be compared only with
    Linyi's documents: Chongming's roll-ups, series and records are still checked."""
    folder = tmp_path / "two-campaigns"
    shutil.copytree(CLEAN, folder / "chongming")
    shutil.copytree(LINYI, folder / "linyi")
    broken = folder / "linyi" / "区消防救援大队-2023-05.yaml"
    text = broken.read_text(encoding="utf-8")
    assert "unit: 区消防救援大队" in text and "profile: linyi-lingang-2023-campaign" in text
    broken.write_text(text.replace("unit: 区消防救援大队", "unit: [区消防救援大队]"), encoding="utf-8")
    code, results = run(folder, capsys)
    assert code == 2 and results[broken.name]["problems"]
    campaign = [r for name, r in results.items() if name != broken.name and r.get("kind") != "annual-plan"]
    linyi = [r for r in campaign if r["profile"] == "linyi-lingang-2023-campaign"]
    chongming = [r for r in campaign if r["profile"] == "shanghai-chongming-2023-campaign"]
    assert linyi and chongming
    assert all(_withheld(r) == COMPARING for r in linyi if r["kind"] == "dispatch-form")
    assert all(_withheld(r) == set() for r in chongming)
    assert results[AGGREGATE]["profile"] == "shanghai-chongming-2023-campaign"
    assert (results[AGGREGATE]["violations"], results[AGGREGATE]["not_checked"]) == ([], AGGREGATE_NOT_CHECKED)


def test_an_unreadable_plan_withholds_nothing_from_a_campaign(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    folder = tmp_path / "mixed"
    shutil.copytree(CLEAN, folder)
    plan = (ROOT / "examples" / "plans" / "chongming-2024.yaml").read_text(encoding="utf-8")
    (folder / "plan.yaml").write_text(plan.replace("year: 2024", "year: twenty-four", 1), encoding="utf-8")
    code, results = run(folder, capsys)
    assert code == 2 and results["plan.yaml"]["problems"]
    assert all(_withheld(r) == set() for name, r in results.items() if name != "plan.yaml")
    assert results[AGGREGATE]["not_checked"] == AGGREGATE_NOT_CHECKED


def test_an_unread_input_without_a_profile_withholds_from_every_campaign() -> None:
    documents = [load_document(p) for p in sorted(CLEAN.glob("*.yaml")) + sorted(LINYI.glob("*.yaml"))]
    reports = engine.check_documents(documents, unread=[engine.Unread("lost.yaml"),
                                                        engine.Unread("late.json", "linyi-lingang-2023-campaign")])
    for report in reports:
        assert isinstance(report, Report)
        if report.kind == "dispatch-form":
            reasons = {n.reason_en for n in report.not_checked if n.rule in COMPARING}
            assert len(reasons) == 1 and "lost.yaml" in reasons.pop()
            shown = [n.reason_en for n in report.not_checked if n.rule in COMPARING]
            assert all(("late.json" in r) == (report.profile == "linyi-lingang-2023-campaign") for r in shown)


def _linyi_beside_chongming(tmp_path: Path) -> Path:
    folder = tmp_path / "two-campaigns"
    shutil.copytree(CLEAN, folder / "chongming")
    shutil.copytree(LINYI, folder / "linyi")
    return folder


@pytest.mark.parametrize("typed", [
    {MONTH_CELL: "五月"},  # refused by the form's model
    {f"{FIGURE}{layout('linyi-lingang-2023').rows['spot_checked']}": "很多"},  # refused as the sheet is read
], ids=["month", "figure"])
def test_an_unreadable_workbook_withholds_only_its_variants_campaign(tmp_path: Path, typed: dict[str, str],
                                                                     capsys: pytest.CaptureFixture[str]) -> None:
    """A workbook whose variant was read names its campaign even when a cell fails: Chongming's
    documents are still compared beside a broken Linyi workbook."""
    folder = _linyi_beside_chongming(tmp_path)
    source = folder / "linyi" / "区消防救援大队-2023-05.yaml"
    form = load_document(source)
    source.unlink()
    broken = folder / "linyi" / "区消防救援大队-2023-05.xlsx"
    write_form(form, broken)
    book = load_workbook(broken)
    for ref, value in typed.items():
        book[SHEET][ref] = value
    book.save(broken)
    with pytest.raises(LoadError) as caught:
        load_document(broken)
    assert caught.value.profile == "linyi-lingang-2023-campaign"
    code, results = run(folder, capsys)
    assert code == 2 and results[broken.name]["problems"]
    campaign = [r for name, r in results.items() if name != broken.name and r.get("kind") == "dispatch-form"]
    assert {r["profile"] for r in campaign} == {"linyi-lingang-2023-campaign", "shanghai-chongming-2023-campaign"}
    for report in campaign:
        assert _withheld(report) == (COMPARING if report["profile"] == "linyi-lingang-2023-campaign" else set())


@pytest.mark.parametrize(("text", "named"), [
    ("kind: dispatch-form\nprofile: linyi-lingang-2023-campaign\nunit: [x]\n", "linyi-lingang-2023-campaign"),
    ("kind: dispatch-form\nprofile: no-such-campaign\nunit: [x]\n", "no-such-campaign"),
    ("kind: dispatch-form\nprofile: [linyi-lingang-2023-campaign]\n", None),  # not a name
    ("kind: dispatch-form\nunit: [x]\n", None),  # names none
    ("- kind: dispatch-form\n", None),  # not a mapping
    ("kind: dispatch-form\nprofile: linyi-lingang-2023-campaign\nunit: [\n", None),  # not read that far
])
def test_a_load_error_carries_the_profile_its_input_names(tmp_path: Path, text: str, named: str | None) -> None:
    path = tmp_path / "form.yaml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(LoadError) as caught:
        load_document(path)
    assert caught.value.profile == named


def test_a_profile_named_by_an_unread_input_counts_only_if_the_rulebook_knows_it(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """An unknown profile could be a typo of any campaign's: every campaign withholds its comparisons."""
    folder = _linyi_beside_chongming(tmp_path)
    (folder / "lost.yaml").write_text("kind: dispatch-form\nprofile: linyi-2023\nunit: [x]\n", encoding="utf-8")
    code, results = run(folder, capsys)
    assert code == 2
    assert all(_withheld(r) == COMPARING for r in results.values() if r.get("kind") == "dispatch-form")


def test_the_unreadable_inputs_a_reason_names_are_named_in_sorted_order() -> None:
    files = [*sorted(CLEAN.glob("*.yaml")), Path("missing-b.yaml"), Path("missing-a.yaml")]
    reasons = set()
    for order in (files, files[::-1]):
        for result in engine.check_files(order):
            if isinstance(result, Report):
                reasons |= {(n.reason, n.reason_en) for n in result.not_checked if n.rule in COMPARING}
    assert reasons == {("有无法读取的输入（missing-a.yaml、missing-b.yaml），不作跨文件比对",
                        "documents are not compared with each other: some input could not be read "
                        "(missing-a.yaml, missing-b.yaml)")}
