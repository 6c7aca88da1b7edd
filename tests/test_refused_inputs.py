"""An input loaded and then refused (a record running to a day before its campaign began, a form
under another variant's profile) is no unreadable one: its kind is known, so only the comparisons
that read documents of its kind are withheld from the others, and the reason says it was refused."""

from __future__ import annotations

import shutil
from datetime import date
from pathlib import Path

import attrs
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import engine
from engine.cli import main
from engine.report import Report
from forms import load_document
from rulebook import load_rulebook

from .conftest import COMPARING, ROOT, checked_whole_and_withheld

CLEAN = ROOT / "examples" / "campaigns" / "chongming-2023" / "clean"
FURNITURE = "台账-上海某家具有限公司.yaml"
STEPS = "城桥镇-阶段工作.yaml"
MEMBER = "新河镇-2023-05.yaml"
RULEBOOK = load_rulebook()
CAMPAIGN_PROFILES = sorted(p.id for p in RULEBOOK.profiles.values() if "dispatch-form" in p.documents)


def _reasons(report: Report, rules: set[str] = COMPARING) -> dict[str, tuple[str, str]]:
    return {n.rule: (n.reason, n.reason_en) for n in report.not_checked if n.rule in rules}


def _refused(*names: str) -> tuple[str, str]:
    return (f"有输入被拒绝检查（{'、'.join(names)}），不作跨文件比对",
            f"documents are not compared with each other: {'an input was' if len(names) == 1 else 'inputs were'} "
            f"refused ({', '.join(names)})")


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    """The clean folder with the furniture record running to 2022-12-31 (its dated entries removed,
    as a record of that day holds none) and 城桥镇's June form left out."""
    shutil.copytree(CLEAN, tmp_path / "c3")
    record = tmp_path / "c3" / FURNITURE
    text = record.read_text(encoding="utf-8")
    head = text[:text.index("leader_checks:")]
    tail = text[text.index("spot_check:"):]
    record.write_text(f"{head}leader_checks: []\ndrills: []\nwarning_education: []\n{tail}as_of: 2022-12-31\n",
                      encoding="utf-8")
    (tmp_path / "c3" / "城桥镇-2023-06.yaml").unlink()
    return tmp_path / "c3"


def test_a_record_refused_for_its_day_hides_no_gap_in_a_units_months(folder: Path) -> None:
    """Before: 0 findings, every form listing the series and the roll-up not checked because “some
    input could not be read”. The record was read: it is no month of a series, no roll-up's member."""
    paths = sorted(folder.glob("*.yaml"))
    results = {Path(r.path).name: r for r in engine.check_files(paths) if r.path is not None}
    record = results[FURNITURE]
    assert isinstance(record, engine.Unusable) and record.problems[0]["path"] == "as_of"
    reports = {name: r for name, r in results.items() if isinstance(r, Report)}
    assert sorted((name, v.rule, v.message) for name, r in reports.items() for v in r.violations) == [
        ("城桥镇-2023-08.yaml", "form.cumulative-nondecreasing", "城桥镇缺少2023-06的调度表")]
    shown = str(folder / FURNITURE)
    for name, report in reports.items():
        if report.kind == "dispatch-form":  # only the forms against the records wait for it
            assert _reasons(report) == {"form.matches-records": _refused(shown)}, name
        else:
            assert all("refused" not in n.reason_en for n in report.not_checked), name


def test_the_cli_shows_the_gap_and_says_the_record_was_refused(folder: Path,
                                                               capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["check", *map(str, sorted(folder.glob("*.yaml")))]) == 2
    out, _ = capsys.readouterr()
    assert "城桥镇缺少2023-06的调度表" in out
    assert "有输入被拒绝检查" in out and "could not be read" not in out and "无法读取" not in out


def _clean() -> dict[str, engine.Report]:
    return {p.name: load_document(p) for p in sorted(CLEAN.glob("*.yaml"))}


def _check(documents: dict, **kwargs: object) -> dict[str, Report | engine.Unusable]:
    names = list(documents)
    return dict(zip(names, engine.check_documents([documents[n] for n in names], names, **kwargs), strict=True))


def test_a_steps_record_refused_for_its_day_withholds_nothing() -> None:
    """No comparison reads a campaign's steps."""
    documents = _clean()
    documents[STEPS] = attrs.evolve(documents[STEPS], milestones=(), as_of=date(2022, 12, 31))
    results = _check(documents)
    assert isinstance(results.pop(STEPS), engine.Unusable)
    clean = _check(_clean())
    for name, report in results.items():
        assert report == clean[name], name


def test_a_form_refused_under_another_variants_profile_may_still_be_a_month_or_a_member() -> None:
    """A Chongming form naming Linyi's profile: a Chongming form still, so every comparison of the
    Chongming forms waits for it."""
    documents = _clean()
    documents[MEMBER] = attrs.evolve(documents[MEMBER], profile="linyi-lingang-2023-campaign")
    results = _check(documents)
    refused = results.pop(MEMBER)
    assert isinstance(refused, engine.Unusable) and refused.problems[0]["path"] == "profile"
    for name, report in results.items():
        assert isinstance(report, Report)
        assert report.violations == (), name  # 新河镇 is no member missing from the roll-up
        expected = {rule: _refused(MEMBER) for rule in COMPARING} if report.kind == "dispatch-form" else {}
        assert _reasons(report) == expected, name


def test_an_unreadable_input_and_a_refused_one_are_both_named() -> None:
    documents = _clean()
    documents[FURNITURE] = attrs.evolve(documents[FURNITURE], leader_checks=(), drills=(), warning_education=(),
                                        outsourcing_review=None, key_post_review=None, as_of=date(2022, 12, 31))
    results = _check(documents, unread=[engine.Unread("lost.yaml")])
    form = results["城桥镇-2023-05.yaml"]
    assert isinstance(form, Report)
    assert _reasons(form) == {
        "form.cumulative-nondecreasing": ("有无法读取的输入（lost.yaml），不作跨文件比对",
                                          "documents are not compared with each other: some input could not be read "
                                          "(lost.yaml)"),
        "form.rollup": ("有无法读取的输入（lost.yaml），不作跨文件比对",
                        "documents are not compared with each other: some input could not be read (lost.yaml)"),
        "form.matches-records": (f"有无法读取的输入（lost.yaml）；有输入被拒绝检查（{FURNITURE}），不作跨文件比对",
                                 "documents are not compared with each other: some input could not be read "
                                 f"(lost.yaml); an input was refused ({FURNITURE})")}


@pytest.mark.parametrize("profile_id", CAMPAIGN_PROFILES)
@settings(max_examples=8, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data())
def test_a_refused_record_withholds_exactly_the_comparisons_of_records(profile_id: str, data: st.DataObject) -> None:
    lost = engine.Unread("late.yaml", profile_id, kind="enterprise-record", refused=True)
    for whole, part in checked_whole_and_withheld(profile_id, data, [lost]):
        assert part.violations == tuple(v for v in whole.violations if v.rule != "form.matches-records")
        added = {n.rule for n in set(part.not_checked) - set(whole.not_checked)}
        assert added <= {"form.matches-records"}
        assert {n.rule for n in part.not_checked if "refused" in n.reason_en} == (
            {"form.matches-records"} if part.kind == "dispatch-form" else set())


def test_a_form_refused_under_another_variants_profile_withholds_nothing_from_the_other_campaign() -> None:
    """A Linyi form naming Chongming's profile is checked under Linyi's, and can be no month or member
    of a Chongming form: the Chongming folder's own gap (城桥镇's June left out) is still found."""
    documents = _clean()
    del documents["城桥镇-2023-06.yaml"]
    linyi = load_document(ROOT / "examples/campaigns/linyi-lingang-2023/clean/区规划建设局-2023-05.yaml")
    documents["linyi-form.yaml"] = attrs.evolve(linyi, profile="shanghai-chongming-2023-campaign")
    results = _check(documents)
    refused = results.pop("linyi-form.yaml")
    assert isinstance(refused, engine.Unusable) and refused.problems[0]["path"] == "profile"
    assert isinstance(refused.error, engine.ProfileError) and refused.error.profile == "linyi-lingang-2023-campaign"
    found = [(name, v.rule, v.message) for name, r in results.items() if isinstance(r, Report) for v in r.violations]
    assert found == [("城桥镇-2023-08.yaml", "form.cumulative-nondecreasing", "城桥镇缺少2023-06的调度表")]
    assert all(not any("refused" in n.reason_en for n in r.not_checked) for r in results.values()
               if isinstance(r, Report))


def test_an_unread_input_of_no_kind_of_document_is_refused() -> None:
    """A misspelt kind withheld nothing, silently: ``form.matches-records`` was judged without it."""
    with pytest.raises(ValueError, match="'kind' must be in"):
        engine.Unread("late.yaml", kind="record", refused=True)
