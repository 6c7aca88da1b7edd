"""The campaign examples in examples/campaigns/: each clean folder passes every rule of its profile; each
violations folder breaks exactly the rules its README lists, in exactly the files it names. Both
check every rule on every document but ``form.matches-records`` on the forms of units no record
names as spot-checking (the members' forms and the roll-up)."""

from __future__ import annotations

import copy
import json
import re
import shutil
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import attrs
import jsonschema
import pytest

import engine
from engine.cli import main
from forms import document_from_data, load_document, read_data
from forms.dispatch import DispatchForm, load_template
from forms.records import EnterpriseRecord, FoundBy
from forms.schema import document_schema
from rulebook import load_rulebook
from rulebook.load import SOURCES_DIR

from .conftest import floats, not_checked_in_example

RULEBOOK = load_rulebook()
CAMPAIGNS = Path("examples/campaigns")
VARIANTS = ["chongming-2023", "linyi-lingang-2023"]
FOLDERS = [CAMPAIGNS / v / f for v in VARIANTS for f in ("clean", "violations")]

# What each violations folder breaks, on purpose: (file, rule). Every rule of the profile once.
EXPECTED: dict[str, set[tuple[str, str]]] = {
    "chongming-2023": {
        ("城桥镇-2023-05.yaml", "form.deadline"),  # submitted 30 May, due by the 28th
        ("城桥镇-2023-06.yaml", "form.rectified-within-found"),  # 4 self-found hazards rectified of 3 found
        ("城桥镇-2023-07.yaml", "form.cumulative-nondecreasing"),  # July's own 2 instead of the cumulative (June: 6)
        ("城桥镇-2023-08.yaml", "form.matches-records"),  # 2 not leading checks; the records support 1
        ("港沿镇-2023-05.yaml", "form.part-within-whole"),  # anonymous-report rewards 0.3 of 0.2 万元
        ("崇明区安委会办公室-2023-05-汇总.yaml", "form.rollup"),  # 7 site inspections; the four townships add up to 6
        ("台账-上海某家具有限公司.yaml", "campaign.leader-check"),  # no check in the partial first quarter
        ("台账-上海某燃气有限公司城桥供应站.yaml", "campaign.drill"),  # high-risk, no drill in the second half-year
        ("台账-上海某冷链物流有限公司.yaml", "campaign.deferred-hazard-plan"),  # deferred hazard without funds
        ("台账-上海某建材有限公司.yaml", "campaign.one-off-tasks"),  # no all-staff warning education
        ("台账-上海某建材有限公司.yaml", "campaign.uncertified-special-work"),  # one uncertified welder
        ("台账-上海某建材有限公司.yaml", "campaign.contractor-outside-management"),  # its haulier outside its management
        ("城桥镇-阶段工作.yaml", "campaign.phase-deadlines"),  # first implementation report 7 Aug, due by 5 Aug
    },
    "linyi-lingang-2023": {
        ("区安全生产监管办公室-2023-05.yaml", "form.deadline"),  # no submission date
        ("区安全生产监管办公室-2023-06.yaml", "form.matches-records"),  # blank, the records give 1
        ("区安全生产监管办公室-2023-08.yaml", "form.cumulative-nondecreasing"),  # July's form is missing
        ("区规划建设局-2023-05.yaml", "form.rectified-within-found"),  # 1 supervised hazard rectified, found left blank
        ("区消防救援大队-2023-05.yaml", "form.part-within-whole"),  # 4.2 万元 of penalties, 0 penalties
        ("区安委会办公室-2023-05-汇总.yaml", "form.rollup"),  # lists 区经济发展局, which filed no form
        ("台账-临港某化工有限公司.yaml", "campaign.leader-check"),  # high-risk, no check in October
        ("台账-临港某金属制品有限公司.yaml", "campaign.drill"),  # no drill at all
        ("台账-临港某仓储有限公司.yaml", "campaign.deferred-hazard-plan"),  # deferred hazard not reported
        ("台账-临港某包装材料有限公司.yaml", "campaign.one-off-tasks"),  # key-post review before the campaign began
        ("台账-临港某化工有限公司.yaml", "campaign.uncertified-special-work"),  # the welder 2.6 of June's form must count
        ("台账-临港某仓储有限公司.yaml", "campaign.contractor-outside-management"),  # its loader outside its management
        ("区安全生产监管办公室-阶段工作.yaml", "campaign.phase-deadlines"),  # no checklists-filed step
    },
}


# A roll-up listing a member with no form is not summed: what that member would add is not known.
SUMS_NOT_CHECKED: dict[str, list[tuple[str, str, str, str]]] = {
    "chongming-2023": [],
    "linyi-lingang-2023": [
        ("区安委会办公室-2023-05-汇总.yaml", "form.rollup",
         "下属单位区经济发展局没有2023-05的调度表，汇总表各项不与下属单位合计核对",
         "its member 区经济发展局 has no form for 2023-05: the roll-up's items are not checked against its members' total")],
}


def squeeze(text: str) -> str:
    return re.sub(r"\s+", "", text)


def profile_of(variant: str) -> str:
    return load_template(variant).profile


def check(capsys: pytest.CaptureFixture[str], folder: Path) -> tuple[int, dict[str, Any]]:
    code = main(["check", "--format", "json", str(folder)])
    out, _ = capsys.readouterr()
    return code, json.loads(out)


def found_in(data: dict[str, Any]) -> list[tuple[str, str]]:
    return [(Path(d["path"]).name, v["rule"]) for d in data["documents"] for v in d["violations"]]


def not_checked_in(data: dict[str, Any]) -> list[tuple[str, str, str, str]]:
    return [(Path(d["path"]).name, n["rule"], n["reason"], n["reason_en"]) for d in data["documents"]
            for n in d["not_checked"]]


def expected_not_checked(variant: str) -> list[tuple[str, str, str, str]]:
    """Only form.matches-records, on the forms of units no record names as spot-checking (a form
    no record names is not checked, never passed): every other rule is checked on every document."""
    return sorted((name, "form.matches-records", *why) for name, why in not_checked_in_example(variant).items())


@pytest.mark.parametrize("variant", VARIANTS)
def test_clean_folder_passes_and_leaves_only_forms_no_record_names_unchecked(
        capsys: pytest.CaptureFixture[str], variant: str) -> None:
    folder = CAMPAIGNS / variant / "clean"
    code, data = check(capsys, folder)
    assert code == 0
    assert found_in(data) == []
    assert sorted(not_checked_in(data)) == expected_not_checked(variant)
    assert data["unusable"] == []
    assert len(data["documents"]) == len(list(folder.glob("*.yaml")))
    assert {d["profile"] for d in data["documents"]} == {profile_of(variant)}
    kinds = {d["kind"] for d in data["documents"]}
    assert kinds == {"dispatch-form", "enterprise-record", "campaign-steps"}


@pytest.mark.parametrize("variant", VARIANTS)
def test_violations_folder_breaks_exactly_what_was_broken(capsys: pytest.CaptureFixture[str], variant: str) -> None:
    code, data = check(capsys, CAMPAIGNS / variant / "violations")
    assert code == 1
    found = found_in(data)
    assert sorted(found) == sorted(EXPECTED[variant])  # each once: no duplicates, nothing else
    assert {rule for _, rule in found} == set(RULEBOOK.profiles[profile_of(variant)].rules)
    assert data["unusable"] == []
    assert sorted(not_checked_in(data)) == sorted([*expected_not_checked(variant), *SUMS_NOT_CHECKED[variant]])


@pytest.mark.parametrize("variant", VARIANTS)
def test_the_readme_lists_the_same_violations(variant: str) -> None:
    readme = (CAMPAIGNS / variant / "violations" / "README.md").read_text(encoding="utf-8")
    rows = re.findall(r"^\|\s*`([^`]+)`\s*\|\s*`([^`]+)`\s*\|", readme, re.M)
    assert set(rows) == EXPECTED[variant]
    assert len(rows) == len(EXPECTED[variant])


@pytest.mark.parametrize("variant", VARIANTS)
def test_every_violation_cites_its_profiles_source_verbatim(capsys: pytest.CaptureFixture[str], variant: str) -> None:
    _, data = check(capsys, CAMPAIGNS / variant / "violations")
    profile = RULEBOOK.profiles[profile_of(variant)]
    texts = {s: squeeze((SOURCES_DIR / RULEBOOK.sources[s].file).read_text(encoding="utf-8")) for s in profile.sources}
    violations = [v for d in data["documents"] for v in d["violations"]]
    assert violations
    for v in violations:
        assert v["citations"], v["rule"]
        for citation in v["citations"]:
            assert citation["source"] in profile.sources, (v["rule"], citation)
            assert citation["clause"].strip()
            assert squeeze(citation["quote"]) in texts[citation["source"]], (v["rule"], citation["quote"])


def by_rule(data: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {v["rule"]: v for d in data["documents"] for v in d["violations"]}


def test_chongming_violations_say_what_was_broken(capsys: pytest.CaptureFixture[str]) -> None:
    _, data = check(capsys, CAMPAIGNS / "chongming-2023" / "violations")
    found = by_rule(data)
    # The campaign began on 23 May: the first quarter is 23 May–30 June and still needs its check.
    assert "2023年第2季度（05-23至06-30）" in found["campaign.leader-check"]["message"]
    assert found["campaign.drill"]["message_en"].endswith("in the second half of 2023 (07-01 to 12-31)")
    # Only the furniture maker, spot-checked in May, had no leader-led check by then.
    assert found["form.matches-records"]["values"] == {"stated": 2, "lower": 1, "upper": 1, "records": 3}
    assert found["form.matches-records"]["location"] == "/values/leader_not_leading_checks"
    assert found["form.rollup"]["values"] == {"stated": 7, "computed": 6, "members_reported": 4}
    assert found["form.cumulative-nondecreasing"]["values"] == {"previous": 6, "current": 2, "previous_month": "2023-06"}
    assert found["form.deadline"]["values"]["days_late"] == 2
    assert found["form.part-within-whole"]["location"] == "/values/report_rewards/part"
    # money as the form states it (compared in 0.0001 万元)
    assert found["form.part-within-whole"]["values"] == {"part": 0.3, "whole": 0.2, "whole_blank": 0}
    assert "缺少资金" in found["campaign.deferred-hazard-plan"]["message"]
    assert found["campaign.one-off-tasks"]["location"] == "/warning_education"
    assert found["campaign.uncertified-special-work"]["message"] == (
        "上海某建材有限公司：关键岗位人员排查发现1名未取得相关证书的人员在特种作业岗位上岗作业")
    assert found["campaign.uncertified-special-work"]["location"] == "/key_post_review/unlicensed"
    assert found["campaign.contractor-outside-management"]["message"] == (
        "上海某建材有限公司：承包承租方“某运输车队”未纳入本企业统一管理")
    assert found["campaign.contractor-outside-management"]["location"] == "/outsourcing_review/contractors/0"
    assert found["campaign.phase-deadlines"]["values"]["days_late"] == 2
    # The step in words, as the profile names it, and as the record names it.
    assert found["campaign.phase-deadlines"]["message"].startswith(
        "城桥镇：“第一次报送贯彻落实情况”（implementation-report-1）于2023-08-07完成")


def test_linyi_violations_say_what_was_broken(capsys: pytest.CaptureFixture[str]) -> None:
    _, data = check(capsys, CAMPAIGNS / "linyi-lingang-2023" / "violations")
    found = by_rule(data)
    assert found["form.deadline"]["message_en"].endswith("carries no submission date")
    # what an undated form or a step never done lacks is null, not "" or 0 days late
    assert found["form.deadline"]["values"] == {"submitted": None, "due": "2023-05-28", "days_late": None,
                                                "month": "2023-05"}
    assert found["campaign.phase-deadlines"]["values"] == {"step": "checklists-filed", "due": "2023-05-31",
                                                           "done": None, "days_late": None}
    # A blank is not 0: blank beside records that give 1, a rectified count beside a blank found count.
    # 2.6 counts what the checking unit finds on site too: the records give its least.
    assert found["form.matches-records"]["values"] == {"stated": None, "lower": 1, "upper": 2, "records": 2}
    assert "空白，但台账显示为不少于1家" in found["form.matches-records"]["message"]
    assert found["form.rectified-within-found"]["values"] == {"rectified": 1, "found": None, "found_blank": 1}
    assert found["form.cumulative-nondecreasing"]["values"] == {"missing_month": "2023-07"}
    assert found["form.rollup"]["values"] == {"member": "区经济发展局"}
    assert found["form.part-within-whole"]["location"] == "/values/penalties/amount"
    assert "2023年10月" in found["campaign.leader-check"]["message"]
    assert found["campaign.one-off-tasks"]["location"] == "/key_post_review"
    assert found["campaign.uncertified-special-work"]["values"] == {"enterprise": "临港某化工有限公司", "unlicensed": 1}
    assert found["campaign.contractor-outside-management"]["values"] == {
        "enterprise": "临港某仓储有限公司", "contractor": "某装卸搬运服务有限公司", "unified": 0}
    assert "也未向监管部门报告" in found["campaign.deferred-hazard-plan"]["message"]
    assert found["campaign.phase-deadlines"]["message"] == (
        "区安全生产监管办公室：记录中没有“细化专项检查表并报备”（checklists-filed，应于2023-05-31前完成）")
    assert "“filing the detailed checklists” (checklists-filed" in found["campaign.phase-deadlines"]["message_en"]


def test_a_deadline_without_a_title_is_named_by_its_step() -> None:
    """A profile need not name its steps in words: messages then name the step as records do."""
    rulebook = load_rulebook()
    profile = rulebook.profile("linyi-lingang-2023-campaign")
    untitled = attrs.evolve(profile, parameters={name: attrs.evolve(value, title=None)
                                                 for name, value in profile.parameters.items()})
    rulebook = attrs.evolve(rulebook, profiles={**rulebook.profiles, profile.id: untitled})
    steps = load_document(CAMPAIGNS / "linyi-lingang-2023" / "violations" / "区安全生产监管办公室-阶段工作.yaml")
    (report,) = engine.check_documents([steps], rulebook=rulebook)
    (violation,) = report.violations
    assert violation.message == "区安全生产监管办公室：记录中没有“checklists-filed”（checklists-filed，应于2023-05-31前完成）"


def test_every_shipped_deadline_names_its_step_in_words() -> None:
    for profile in load_rulebook().profiles.values():
        for name, value in profile.parameters.items():
            if name.startswith("due."):
                assert value.title is not None, f"{profile.id}: {name}"
                assert value.title.zh and value.title.en


@pytest.mark.parametrize("folder", FOLDERS, ids=[f"{f.parent.name}/{f.name}" for f in FOLDERS])
def test_every_example_file_meets_its_published_schema(folder: Path) -> None:
    for path in sorted(folder.glob("*.yaml")):
        data = json.loads(json.dumps(floats(read_data(path)), default=str, ensure_ascii=False))
        jsonschema.validate(data, document_schema(data["kind"]))


def test_a_unit_with_records_is_judged_by_them_before_its_first_spot_check(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """城桥镇's May form counts one enterprise spot-checked; moved to June, its record leaves May with
    none: May's counts are judged against no records, and units without records are not judged."""
    folder = tmp_path / "campaign"
    shutil.copytree(CAMPAIGNS / "chongming-2023" / "clean", folder)
    record = folder / "台账-上海某家具有限公司.yaml"
    record.write_text(record.read_text(encoding="utf-8").replace("month: 2023-05}", "month: 2023-06}"), encoding="utf-8")
    _, data = check(capsys, folder)
    may = [(v["location"], v["values"], v["message_en"]) for d in data["documents"] for v in d["violations"]
           if d["path"].endswith("城桥镇-2023-05.yaml")]
    assert sorted(may) == [
        (f"/values/{key}", {"stated": 1, "lower": 0, "upper": 0, "records": 0},
         f"城桥镇 2023-05: “{label}” is 1, but the records show no enterprise spot-checked by 城桥镇 up to 2023-05")
        for key, label in (("drills_missing", "未按规定开展应急演练、员工不熟悉逃生出口（家）"),
                           ("leader_not_leading_checks", "企业主要负责人未带队检查（家）"),
                           ("spot_checked", "部门抽查检查的企业总数（家）"))]
    assert all(v["rule"] != "form.matches-records" or d["path"].split("/")[-1].startswith("城桥镇")
               for d in data["documents"] for v in d["violations"])


@pytest.mark.parametrize(("variant", "rollup", "held"), [
    ("linyi-lingang-2023", "区安委会办公室-2023-05-汇总.yaml", False),
    ("chongming-2023", "崇明区安委会办公室-2023-05-汇总.yaml", True),
])
def test_a_rollup_is_held_to_the_28th_only_where_its_campaign_says_so(variant: str, rollup: str, held: bool) -> None:
    """Linyi's 六、 asks the units to report to 区安委会办公室 by the 28th; the office's own roll-up
    (六、（一） 每月通报) has no date: filed on the 29th or undated, it is not reported. Chongming's
    附件 注1 sets the day on the form itself, so its roll-up is held to it. Either way a roll-up
    dated before its month began is reported, and a member's form filed on the 29th is."""
    paths = sorted((CAMPAIGNS / variant / "clean").glob("*.yaml"))
    names = [p.name for p in paths]
    documents = [load_document(p) for p in paths]
    aggregate = documents[names.index(rollup)]
    assert isinstance(aggregate, DispatchForm) and aggregate.members
    member = f"{aggregate.members[0]}-{aggregate.month}.yaml"

    def deadline_findings(name: str, submitted: date | None) -> list[tuple[str, str]]:
        changed = [attrs.evolve(d, submitted=submitted) if n == name else d for n, d in zip(names, documents, strict=True)]
        reports = engine.check_documents(changed, names)
        return [(n, v.location) for n, r in zip(names, reports, strict=True) if isinstance(r, engine.Report)
                for v in r.violations if v.rule == "form.deadline"]

    assert deadline_findings(rollup, date(2023, 5, 29)) == ([(rollup, "/submitted")] if held else [])
    assert deadline_findings(rollup, None) == ([(rollup, "/month")] if held else [])
    assert deadline_findings(rollup, date(2023, 4, 28)) == [(rollup, "/submitted")]
    assert deadline_findings(member, date(2023, 5, 29)) == [(member, "/submitted")]


@pytest.mark.parametrize(("variant", "form", "start"), [
    ("chongming-2023", "城桥镇-2023-05.yaml", date(2023, 5, 23)),  # 落款 2023年5月23日
    ("linyi-lingang-2023", "区规划建设局-2023-05.yaml", date(2023, 5, 22)),  # 落款 2023 年 5 月 22 日
])
def test_a_form_dated_before_the_campaign_began_is_reported(variant: str, form: str, start: date) -> None:
    """A May form reports the campaign to date: dated in May but before the campaign's start (the
    profile's campaign_start), it is reported, saying so; dated on the start, it passes."""
    paths = sorted((CAMPAIGNS / variant / "clean").glob("*.yaml"))
    names = [p.name for p in paths]
    documents = [load_document(p) for p in paths]

    def deadline_findings(submitted: date) -> list[tuple[str, str]]:
        changed = [attrs.evolve(d, submitted=submitted) if n == form else d for n, d in zip(names, documents, strict=True)]
        reports = engine.check_documents(changed, names)
        return [(v.location, v.message_en) for r in reports if isinstance(r, engine.Report)
                for v in r.violations if v.rule == "form.deadline"]

    assert deadline_findings(date(2023, 5, 2)) == [
        ("/submitted", f"{form[:-13]}'s form for 2023-05 is dated 2023-05-02, before the campaign began ({start})")]
    assert deadline_findings(start - timedelta(days=1)) != []
    assert deadline_findings(start) == []
    # Before the month too: the later of the two (the campaign's start) is the one named.
    assert [m.endswith(f"before the campaign began ({start})") for _, m in deadline_findings(date(2023, 4, 30))] == [True]


@pytest.mark.parametrize("variant", VARIANTS)
def test_only_a_hazard_the_enterprise_found_itself_is_checked_for_its_report(variant: str) -> None:
    """The report to the supervising department sits in the enterprise's own 自查自改 (三、（一）1 /
    四、（一）2), as the relief for a self-found hazard “已按规定报告” does (三、（二）3 / 四、（二）5): a
    hazard a department's check found is not reported for want of a report; the five elements
    are asked of both."""
    record = next(d for p in sorted((CAMPAIGNS / variant / "clean").glob("台账-*.yaml"))
                  if isinstance(d := load_document(p), EnterpriseRecord) and any(h.deferred for h in d.hazards))
    k, hazard = next((k, h) for k, h in enumerate(record.hazards) if h.deferred)
    assert hazard.deferred is not None

    def findings(**changes: Any) -> list[tuple[str, str]]:
        changed = attrs.evolve(record, hazards=(*record.hazards[:k], attrs.evolve(hazard, **changes),
                                                *record.hazards[k + 1:]))
        return [(v.location, v.message_en) for v in engine.check(changed).violations
                if v.rule == "campaign.deferred-hazard-plan"]

    found = f"{record.enterprise}: hazard “{hazard.description}”"
    assert findings(found_by=FoundBy.SELF, reported=False) == [
        (f"/hazards/{k}", f"{found}, found by its own check, was not rectified at once and was not reported")]
    assert findings(found_by=FoundBy.DEPARTMENT, reported=False) == []
    assert findings(found_by=FoundBy.DEPARTMENT, reported=False,
                    deferred=attrs.evolve(hazard.deferred, funds=None)) == [
        (f"/hazards/{k}", f"{found} was not rectified at once and lacks funds")]


# Each part, the whole it is compared with, and the rule comparing them.
PARTS_OF_A_BLANK_WHOLE = [
    ("leader_not_leading_checks", "spot_checked", "form.part-within-whole", "/values/leader_not_leading_checks"),
    ("typical_cases", "typical_cases", "form.part-within-whole", "/values/typical_cases/part"),
    ("double_penalties", "penalties", "form.part-within-whole", "/values/double_penalties"),
    ("self_rectified", "self_found", "form.rectified-within-found", "/values/self_rectified"),
]


@pytest.mark.parametrize(("part", "whole", "rule", "where"), PARTS_OF_A_BLANK_WHOLE,
                         ids=[p for p, *_ in PARTS_OF_A_BLANK_WHOLE])
def test_a_zero_part_beside_a_blank_whole_is_not_reported_and_one_is(part: str, whole: str, rule: str,
                                                                     where: str) -> None:
    """A 0 exceeds nothing: beside a blank whole it is not reported, whichever part it is (a 其中
    part, a spot-check finding, double penalties, hazards rectified); a 1 there is."""
    data = read_data(CAMPAIGNS / "chongming-2023" / "clean" / "港沿镇-2023-05.yaml")
    assert isinstance(data, dict)
    values = data["values"]
    if part == whole:  # a 其中 item holds both
        values[part] = {"whole": None, "part": 0}
    else:
        values[whole] = None
        # the other parts of that whole at 0 too, so that only this one can be reported
        values.update({key: 0 for key in ("leader_not_studying", "leader_not_leading_checks", "no_deputy_duty_list",
                                          "no_safety_staff", "unlicensed_special_work", "outsourcing_disorder",
                                          "drills_missing")} if whole == "spot_checked" else {part: 0})

    def findings(figure: int) -> list[tuple[str, str]]:
        changed = copy.deepcopy(data)
        if part == whole:
            changed["values"][part]["part"] = figure
        else:
            changed["values"][part] = figure
        return [(v.rule, v.location) for v in engine.check(document_from_data(changed)).violations]

    assert findings(0) == []
    assert findings(1) == [(rule, where)]


# ------------------------------------------------------------------ a form under another variant's profile

LINYI_FORM = CAMPAIGNS / "linyi-lingang-2023" / "clean" / "区规划建设局-2023-05.yaml"
CHONGMING_FORM = CAMPAIGNS / "chongming-2023" / "clean" / "港沿镇-2023-05.yaml"
# 2.9 安全教育培训走过场 5 of 2.1 4 spot-checked: an item Chongming's form does not have.
TRAINING_OVER_SPOT_CHECKS = {"spot_checked": 4, "training_perfunctory": 5}


def _linyi_form(**changes: Any) -> DispatchForm:
    form = load_document(LINYI_FORM)
    assert isinstance(form, DispatchForm)
    return attrs.evolve(form, values=form.values | TRAINING_OVER_SPOT_CHECKS, **changes)


def test_a_form_is_checked_under_its_own_variants_profile() -> None:
    """The Linyi form with 2.9 > 2.1 breaks form.part-within-whole citing Linyi's 附件2, under the
    profile its variant's template names; the same form naming Chongming's profile must not be
    checked under Chongming's rules, which would cite Chongming's form for an item it does not have."""
    (violation,) = engine.check(_linyi_form()).violations
    assert (violation.rule, violation.location) == ("form.part-within-whole", "/values/training_perfunctory")
    assert {c.source for c in violation.citations} == {"linyi-lingang-2023-campaign"}
    assert load_template("linyi-lingang-2023").profile == "linyi-lingang-2023-campaign"


REFUSED_UNDER_CHONGMING = ("profile shanghai-chongming-2023-campaign is the profile of the chongming-2023 form; "
                           "a linyi-lingang-2023 form is checked under linyi-lingang-2023-campaign")


def test_a_form_naming_another_variants_profile_is_refused() -> None:
    """Named by the document, the profile is the field at fault ("profile"); through engine.check,
    check_documents and check_many alike. A Chongming form naming Linyi's profile likewise."""
    form = _linyi_form(profile="shanghai-chongming-2023-campaign")
    with pytest.raises(engine.ProfileError, match=re.escape(REFUSED_UNDER_CHONGMING)) as refused:
        engine.check(form)
    assert refused.value.field == "profile"
    (unusable,) = engine.check_documents([form], ["linyi.yaml"])
    assert isinstance(unusable, engine.Unusable)
    assert unusable.problems == [{"path": "profile", "message": refused.value.detail}]  # named once, as the input
    assert str(unusable.error) == f"linyi.yaml: profile: {refused.value.detail}"
    stream = engine.check_many([load_document(LINYI_FORM), form])
    assert next(stream) == engine.check(load_document(LINYI_FORM))
    with pytest.raises(engine.ProfileError, match=re.escape(REFUSED_UNDER_CHONGMING)):
        next(stream)
    chongming = attrs.evolve(load_document(CHONGMING_FORM), profile="linyi-lingang-2023-campaign")
    with pytest.raises(engine.ProfileError, match=re.escape(
            "profile linyi-lingang-2023-campaign is the profile of the linyi-lingang-2023 form; "
            "a chongming-2023 form is checked under shanghai-chongming-2023-campaign")) as refused:
        engine.check(chongming)
    assert refused.value.field == "profile"


def test_another_variants_profile_asked_for_is_refused_too() -> None:
    """Asked for by the caller (--profile), the profile is no field of the document (""): a form's
    items belong to its variant, so another variant's rules are no comparison to make."""
    form = _linyi_form()
    with pytest.raises(engine.ProfileError, match=re.escape(REFUSED_UNDER_CHONGMING)) as refused:
        engine.check(form, "shanghai-chongming-2023-campaign")
    assert refused.value.field == ""
    with pytest.raises(engine.ProfileError, match=re.escape(REFUSED_UNDER_CHONGMING)):
        list(engine.check_many([form], "shanghai-chongming-2023-campaign"))
    assert engine.check(form, "linyi-lingang-2023-campaign") == engine.check(form)


@pytest.mark.parametrize(("args", "line"), [
    ((), "zhifa: {path}: profile: " + REFUSED_UNDER_CHONGMING),
    (("--profile", "shanghai-chongming-2023-campaign"), "zhifa: {path}: " + REFUSED_UNDER_CHONGMING),
], ids=["named", "asked"])
def test_the_cli_refuses_a_form_under_another_variants_profile(
        tmp_path: Path, capsys: pytest.CaptureFixture[str], args: tuple[str, ...], line: str) -> None:
    """Unusable input, exit 2, naming the file and (when the document named it) the field."""
    text = LINYI_FORM.read_text(encoding="utf-8")
    for key, figure in TRAINING_OVER_SPOT_CHECKS.items():
        text = re.sub(rf"(?m)^  {key}: \d+", f"  {key}: {figure}", text)
    if not args:
        text = text.replace("profile: linyi-lingang-2023-campaign", "profile: shanghai-chongming-2023-campaign")
    path = tmp_path / "linyi.yaml"
    path.write_text(text, encoding="utf-8")
    code = main(["check", "--format", "json", *args, str(path)])
    out, err = capsys.readouterr()
    assert code == 2
    assert line.format(path=path) + " (a form's items belong to its variant)" in err.splitlines()
    report = json.loads(out)
    assert report["documents"] == []
    assert report["unusable"][0]["problems"][0]["path"] == ("" if args else "profile")


def test_a_profile_of_ones_own_without_a_form_checks_any_variant() -> None:
    """A profile no template names (an extended rulebook's, docs/guides/add-a-profile.md) has no
    form of its own: it may check a form of any variant."""
    shipped = load_rulebook()
    own = attrs.evolve(shipped.profile("shanghai-chongming-2023-campaign"), id="chongming-2023-campaign-copy")
    rulebook = shipped.with_profile(own, "copy.yaml")
    report = engine.check(_linyi_form(profile=own.id), rulebook=rulebook)
    assert report.profile == own.id
    assert [v.rule for v in report.violations] == ["form.part-within-whole"]
