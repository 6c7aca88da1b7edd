"""A document not given to the check is not a document never filed: a roll-up whose members' forms
are not all given is not summed (a member missing beside forms of the others is still reported),
and the months before the earliest form of a unit given are not reported missing. Both are listed
not checked, with the reason, never passed and never failed."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import attrs

import engine
from engine.cli import main
from forms import load_document

CLEAN = Path(__file__).resolve().parent.parent / "examples/campaigns/chongming-2023/clean"
ROLLUP = "崇明区安委会办公室-2023-05-汇总.yaml"
SERIES = ("城桥镇-2023-05.yaml", "城桥镇-2023-06.yaml", "城桥镇-2023-07.yaml", "城桥镇-2023-08.yaml")


def _clean(*left_out: str) -> dict[str, Any]:
    return {p.name: load_document(p) for p in sorted(CLEAN.glob("*.yaml")) if p.name not in left_out}


def _checked(documents: dict[str, Any]) -> dict[str, engine.Report]:
    names = list(documents)
    results = engine.check_documents([documents[n] for n in names], names)
    assert all(isinstance(r, engine.Report) for r in results), results
    return {name: r for name, r in zip(names, results, strict=True) if isinstance(r, engine.Report)}


def _violations(reports: dict[str, engine.Report]) -> list[tuple[str, str, str, str]]:
    return sorted((name, v.rule, v.location, v.message) for name, r in reports.items() for v in r.violations)


def _not_checked(report: engine.Report, rule: str) -> tuple[str, str] | None:
    return next(((n.reason, n.reason_en) for n in report.not_checked if n.rule == rule), None)


# ------------------------------------------------------------------ a roll-up's members


def test_a_member_without_a_form_is_reported_and_the_sums_are_not_checked() -> None:
    """港沿镇's May form left out of the folder: the roll-up lists a member with no form (one
    finding); its items are not compared with the three forms present (before: 19 more errors,
    each item “为4，下属单位合计2”)."""
    reports = _checked(_clean("港沿镇-2023-05.yaml"))
    assert _violations(reports) == [
        (ROLLUP, "form.rollup", "/members", "崇明区安委会办公室 2023-05汇总表列有“港沿镇”，但没有该单位当月的调度表")]
    assert _not_checked(reports[ROLLUP], "form.rollup") == (
        "下属单位港沿镇没有2023-05的调度表，汇总表各项不与下属单位合计核对",
        "its member 港沿镇 has no form for 2023-05: the roll-up's items are not checked against its members' total")
    assert all(_not_checked(r, "form.rollup") is None for name, r in reports.items() if name != ROLLUP)


def test_two_members_without_forms_are_named_in_the_order_the_rollup_lists_them() -> None:
    reports = _checked(_clean("港沿镇-2023-05.yaml", "新河镇-2023-05.yaml"))
    assert [v.values for v in reports[ROLLUP].violations] == [{"member": "新河镇"}, {"member": "港沿镇"}]
    assert _not_checked(reports[ROLLUP], "form.rollup") == (
        "下属单位新河镇、港沿镇没有2023-05的调度表，汇总表各项不与下属单位合计核对",
        "its members 新河镇 and 港沿镇 have no form for 2023-05: the roll-up's items are not checked against "
        "its members' total")


def test_a_rollup_checked_alone_is_neither_passed_nor_failed() -> None:
    """None of its members' forms given: their forms were not given, not shown missing (before: 30
    errors on a clean file, “its members add up to 0” and “which filed no form” for each member)."""
    rollup = load_document(CLEAN / ROLLUP)
    report = engine.check(rollup)
    assert [v.message_en for v in report.violations] == []
    why = ("未给出下属单位城桥镇、新河镇、竖新镇、港沿镇2023-05的调度表，不核对汇总表各项，也不核对下属单位是否报送",
           "no form of its members 城桥镇, 新河镇, 竖新镇 and 港沿镇 for 2023-05 was given: the roll-up's items are "
           "not checked against their total, nor whether they filed")
    assert _not_checked(report, "form.rollup") == why
    # Beside forms of other months, or of units it does not list, still none of its members' May forms.
    others = _clean(ROLLUP, "城桥镇-2023-05.yaml", "新河镇-2023-05.yaml", "竖新镇-2023-05.yaml", "港沿镇-2023-05.yaml")
    reports = _checked({ROLLUP: rollup, **others})
    assert _violations(reports) == []
    assert _not_checked(reports[ROLLUP], "form.rollup") == why
    (streamed,) = engine.check_many([rollup])
    assert streamed == report


def test_the_cli_checks_the_rollup_alone_clean(capsys: Any) -> None:
    assert main(["check", str(CLEAN / ROLLUP)]) == 0
    out, _ = capsys.readouterr()
    assert "未检查 not checked: form.rollup — 未给出下属单位城桥镇、新河镇、竖新镇、港沿镇2023-05的调度表" in out


# ------------------------------------------------------------------ a unit's months


def test_a_later_month_checked_alone_is_not_missing_the_months_before() -> None:
    """July's form alone: May and June were not given, not shown missing (before: “城桥镇缺少2023-05的
    调度表”, “…2023-06…”, exit 1)."""
    july = load_document(CLEAN / "城桥镇-2023-07.yaml")
    report = engine.check(july)
    assert [v.message_en for v in report.violations] == []
    assert _not_checked(report, "form.cumulative-nondecreasing") == (
        "未给出城桥镇2023-05、2023-06的调度表，不核对其是否按月报送",
        "no form of 城桥镇 for 2023-05 and 2023-06 was given: whether it filed them is not checked")
    june = engine.check(load_document(CLEAN / "城桥镇-2023-06.yaml"))
    assert _not_checked(june, "form.cumulative-nondecreasing") == (
        "未给出城桥镇2023-05的调度表，不核对其是否按月报送",
        "no form of 城桥镇 for 2023-05 was given: whether it filed it is not checked")
    # The first report month's form has no month before it: checked, and passes.
    may = engine.check(load_document(CLEAN / "城桥镇-2023-05.yaml"))
    assert _not_checked(may, "form.cumulative-nondecreasing") is None and not may.violations


def test_a_stream_of_forms_reports_each_as_checked_alone() -> None:
    """check_many over a stream of forms (issue 5's province stream): no form after the first month
    fails for the months before it, and each report is the one check gives for the form alone."""
    forms = [load_document(CLEAN / name) for name in SERIES]
    streamed = list(engine.check_many(forms, batch=3))
    assert [r.violations for r in streamed] == [(), (), (), ()]
    assert streamed == [engine.check(form) for form in forms]
    assert [_not_checked(r, "form.cumulative-nondecreasing") is not None for r in streamed] == [False, True, True, True]


def test_months_before_the_earliest_form_given_are_listed_on_the_latest() -> None:
    """May (and the roll-up of May) left out of the folder: June to August are compared, May is not reported missing but
    listed not checked on August's form (where a missing month would be reported)."""
    reports = _checked(_clean("城桥镇-2023-05.yaml", ROLLUP))
    assert _violations(reports) == []
    why = ("未给出城桥镇2023-05的调度表，不核对其是否按月报送",
           "no form of 城桥镇 for 2023-05 was given: whether it filed it is not checked")
    assert {name: _not_checked(r, "form.cumulative-nondecreasing") for name, r in reports.items()
            if _not_checked(r, "form.cumulative-nondecreasing")} == {"城桥镇-2023-08.yaml": why}


def test_a_month_between_two_forms_given_is_still_missing() -> None:
    reports = _checked(_clean("城桥镇-2023-05.yaml", "城桥镇-2023-07.yaml", ROLLUP))
    assert _violations(reports) == [
        ("城桥镇-2023-08.yaml", "form.cumulative-nondecreasing", "/month", "城桥镇缺少2023-07的调度表")]
    assert _not_checked(reports["城桥镇-2023-08.yaml"], "form.cumulative-nondecreasing") == (
        "未给出城桥镇2023-05的调度表，不核对其是否按月报送",
        "no form of 城桥镇 for 2023-05 was given: whether it filed it is not checked")


def test_the_months_not_given_stop_at_the_campaigns_end_and_do_not_depend_on_order() -> None:
    """A lone form for a month after the campaign (form.deadline's finding): the campaign's months
    before it are not checked, in order, up to its last month; given in any order, the same."""
    august = load_document(CLEAN / "城桥镇-2023-08.yaml")
    late = attrs.evolve(august, month="2024-02")
    report = engine.check(late)
    assert {v.rule for v in report.violations} == {"form.deadline"}
    months = [f"2023-{m:02d}" for m in range(5, 13)]
    assert _not_checked(report, "form.cumulative-nondecreasing") == (
        f"未给出城桥镇{'、'.join(months)}的调度表，不核对其是否按月报送",
        f"no form of 城桥镇 for {', '.join(months[:-1])} and {months[-1]} was given: whether it filed them is not checked")
    forms = [load_document(CLEAN / name) for name in SERIES[2:]]
    forward = engine.check_documents(forms, ["a", "b"])
    backward = engine.check_documents(forms[::-1], ["b", "a"])
    assert forward == backward[::-1]


# ------------------------------------------------------------------ a month the roll-up shows missing


MEMBER_MISSING_IN_MAY = (ROLLUP, "form.rollup", "/members",
                         "崇明区安委会办公室 2023-05汇总表列有“城桥镇”，但没有该单位当月的调度表")


def test_a_month_the_rollup_shows_missing_is_its_finding_not_also_a_month_not_given() -> None:
    """城桥镇's May form left out, the roll-up of May kept: the roll-up lists 城桥镇 beside the other
    members' May forms, so the folder shows the form missing (one finding, the roll-up's). Before,
    August's form also listed May “not given”: one check said the form was not filed and not known."""
    reports = _checked(_clean("城桥镇-2023-05.yaml"))
    assert _violations(reports) == [MEMBER_MISSING_IN_MAY]
    assert {name for name, r in reports.items() if _not_checked(r, "form.cumulative-nondecreasing")} == set()


def test_a_month_not_given_beside_one_the_rollup_shows_missing_is_still_listed() -> None:
    """May shown missing by the roll-up, June given to nobody: June alone is not known."""
    reports = _checked(_clean("城桥镇-2023-05.yaml", "城桥镇-2023-06.yaml"))
    assert _violations(reports) == [MEMBER_MISSING_IN_MAY]
    assert {name: _not_checked(r, "form.cumulative-nondecreasing") for name, r in reports.items()
            if _not_checked(r, "form.cumulative-nondecreasing")} == {"城桥镇-2023-08.yaml": (
                "未给出城桥镇2023-06的调度表，不核对其是否按月报送",
                "no form of 城桥镇 for 2023-06 was given: whether it filed it is not checked")}


def test_the_cli_says_the_month_is_missing_once(tmp_path: Path, capsys: Any) -> None:
    folder = tmp_path / "campaign"
    folder.mkdir()
    for name, path in ((p.name, p) for p in sorted(CLEAN.glob("*.yaml")) if p.name != "城桥镇-2023-05.yaml"):
        (folder / name).write_text(path.read_text(encoding="utf-8"), encoding="utf-8")
    assert main(["check", str(folder)]) == 1
    out, _ = capsys.readouterr()
    assert "“城桥镇”，但没有该单位当月的调度表" in out and "未给出城桥镇2023-05" not in out


# ------------------------------------------------------------------ a roll-up's list as built in Python


def _rollup() -> Any:
    return load_document(CLEAN / ROLLUP)


def test_a_rollup_listing_itself_does_not_take_its_own_form_for_a_members() -> None:
    """Built in Python (the loader refuses it): checked alone, its own form is no member's, so no
    member is reported missing (before: 4 errors, “lists 城桥镇, which filed no form that month”)."""
    rollup = _rollup()
    report = engine.check(attrs.evolve(rollup, members=(*rollup.members, rollup.unit)))
    assert [v.message_en for v in report.violations] == []
    assert _not_checked(report, "form.rollup") == (
        "未给出下属单位城桥镇、新河镇、竖新镇、港沿镇、崇明区安委会办公室2023-05的调度表，不核对汇总表各项，也不核对下属单位是否报送",
        "no form of its members 城桥镇, 新河镇, 竖新镇, 港沿镇 and 崇明区安委会办公室 for 2023-05 was given: the "
        "roll-up's items are not checked against their total, nor whether they filed")


def test_a_member_listed_twice_in_two_spellings_is_named_once() -> None:
    """Built in Python: 城桥镇 and 城桥 镇 are one unit (forms.plan.name_key), named as first written."""
    twice = attrs.evolve(_rollup(), members=("城桥镇", "城桥 镇", "新河镇", "竖新镇", "港沿镇"))
    report = engine.check(twice)
    assert _not_checked(report, "form.rollup") == (
        "未给出下属单位城桥镇、新河镇、竖新镇、港沿镇2023-05的调度表，不核对汇总表各项，也不核对下属单位是否报送",
        "no form of its members 城桥镇, 新河镇, 竖新镇 and 港沿镇 for 2023-05 was given: the roll-up's items are "
        "not checked against their total, nor whether they filed")
    # Beside the other members' forms, 城桥镇 is missing once.
    reports = _checked({ROLLUP: twice, **_clean(ROLLUP, "城桥镇-2023-05.yaml")})
    assert _violations(reports) == [MEMBER_MISSING_IN_MAY]
    assert _not_checked(reports[ROLLUP], "form.rollup") == (
        "下属单位城桥镇没有2023-05的调度表，汇总表各项不与下属单位合计核对",
        "its member 城桥镇 has no form for 2023-05: the roll-up's items are not checked against its members' total")
