"""`form.matches-records`: when an enterprise is judged (the day its spot check was reported), and
which counts the records give exactly and which only at least."""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path
from typing import Any

import attrs
import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

import engine
from forms import load_document
from forms.dispatch import DispatchForm
from forms.records import Contractor, EnterpriseRecord, OutsourcingReview, SpotCheck
from forms.strategies import campaign_bundles
from forms.strategies.campaign import (
    REPORTING_UNIT,
    CampaignFacts,
    _next_month,
    _run_to,
    campaign_facts,
    derived_bounds,
    filing_days,
    not_checked_on,
    restated,
)

from .conftest import not_checked_in_example, spot_checked_by_none

CLEAN = Path(__file__).resolve().parent.parent / "examples/campaigns/chongming-2023/clean"
FURNITURE = "台账-上海某家具有限公司.yaml"  # spot-checked by 城桥镇 in May; its May form filed 05-26
UNIT = "城桥镇"


def _documents() -> dict[str, Any]:
    return {p.name: load_document(p) for p in sorted(CLEAN.glob("*.yaml"))}


def _record_counts(documents: dict[str, Any]) -> list[tuple[str, str, str, object, object]]:
    """Each `form.matches-records` finding: file, item, message, stated, implied (one number where
    the records' bounds meet, else (least, most))."""
    results = engine.check_documents(list(documents.values()), list(documents))
    return sorted((r.path or "", v.location, v.message, v.values["stated"],
                   v.values["lower"] if v.values["lower"] == v.values["upper"] else (v.values["lower"], v.values["upper"]))
                  for r in results if isinstance(r, engine.Report) for v in r.violations
                  if v.rule == "form.matches-records")


def _forms(documents: dict[str, Any]) -> list[str]:
    return [name for name, d in documents.items() if isinstance(d, DispatchForm) and d.unit == UNIT]


def _change_forms(documents: dict[str, Any], **values: int) -> dict[str, Any]:
    return documents | {name: attrs.evolve(documents[name], values=documents[name].values | values)
                        for name in _forms(documents)}


def test_the_examples_forms_agree_with_their_records() -> None:
    assert _record_counts(_documents()) == []


def test_a_leader_check_after_the_form_was_filed_is_not_what_the_form_could_report() -> None:
    """The May form, filed on 26 May, counts the furniture maker without a leader-led check: its
    leader led one on 30 May, after the form was filed. Judged at the month's end, every form from
    May to August was reported as one too many."""
    documents = _documents()
    record: EnterpriseRecord = documents[FURNITURE]
    documents[FURNITURE] = attrs.evolve(record, leader_checks=(date(2023, 5, 30), *record.leader_checks[1:]))
    assert documents["城桥镇-2023-05.yaml"].submitted == date(2023, 5, 26)
    assert _record_counts(documents) == []


def test_a_form_stating_no_filing_day_is_judged_at_the_months_end() -> None:
    documents = _documents()
    record: EnterpriseRecord = documents[FURNITURE]
    documents[FURNITURE] = attrs.evolve(record, leader_checks=(date(2023, 5, 30), *record.leader_checks[1:]))
    may = "城桥镇-2023-05.yaml"
    documents[may] = attrs.evolve(documents[may], submitted=None)
    found = _record_counts(documents)
    assert [(Path(f).name, item, stated, implied) for f, item, _, stated, implied in found] == [
        (f"城桥镇-2023-0{m}.yaml", "/values/leader_not_leading_checks", 1, 0) for m in (5, 6, 7, 8)]


def test_a_form_filed_after_its_month_is_judged_at_the_months_end() -> None:
    documents = _documents()
    record: EnterpriseRecord = documents[FURNITURE]
    documents[FURNITURE] = attrs.evolve(record, leader_checks=(date(2023, 5, 30), *record.leader_checks[1:]))
    may = "城桥镇-2023-05.yaml"
    documents[may] = attrs.evolve(documents[may], submitted=date(2023, 6, 2))
    assert {item for _, item, _, _, _ in _record_counts(documents)} == {"/values/leader_not_leading_checks"}


def test_unlicensed_staff_and_missing_drills_are_counted_at_least_as_the_records_give() -> None:
    """The records hold the enterprise's own key-post review and its drill dates, not what the
    checking unit finds on site nor whether staff know the exits: a form may count more."""
    documents = _documents()
    stated = {name: documents[name].values for name in _forms(documents)}
    more = documents | {name: attrs.evolve(documents[name], values=values | {
        "unlicensed_special_work": values["unlicensed_special_work"] + 1,
        "drills_missing": values["drills_missing"] + 1}) for name, values in stated.items()}
    assert _record_counts(more) == []


def test_fewer_than_the_records_give_is_reported_as_at_least() -> None:
    documents = _change_forms(_documents(), drills_missing=0)  # every form: records give 1 from May on
    found = _record_counts(documents)
    assert [(Path(f).name, item, stated, implied) for f, item, _, stated, implied in found] == [
        (f"城桥镇-2023-0{m}.yaml", "/values/drills_missing", 0, 1) for m in (5, 6, 7, 8)]
    assert all("台账显示至少有1家" in message for _, _, message, _, _ in found)


def test_the_exact_counts_stay_exact() -> None:
    documents = _change_forms(_documents(), leader_not_leading_checks=2, spot_checked=4, outsourcing_disorder=3)
    items = {(Path(f).name, item) for f, item, _, _, _ in _record_counts(documents)}
    assert items == {(f"城桥镇-2023-0{m}.yaml", f"/values/{key}") for m in (5, 6, 7, 8)
                     for key in ("leader_not_leading_checks", "spot_checked", "outsourcing_disorder")}


def test_a_form_filed_again_is_judged_as_of_its_own_day() -> None:
    """城桥镇 files May on 26 May (one enterprise without a leader-led check, true that day), the
    leader leads a check on 27 May, and 城桥镇 files May again on 28 May (none): each form is
    right as of its own day, and the later months' forms are judged as of the one that counts."""
    documents = _documents()
    record: EnterpriseRecord = documents[FURNITURE]
    documents[FURNITURE] = attrs.evolve(record, leader_checks=(date(2023, 5, 27), *record.leader_checks[1:]))
    may = documents["城桥镇-2023-05.yaml"]
    documents["城桥镇-2023-05-重报.yaml"] = attrs.evolve(may, submitted=date(2023, 5, 28), values=may.values | {
        "leader_not_leading_checks": 0})
    later = {name: 0 for name in ("城桥镇-2023-06.yaml", "城桥镇-2023-07.yaml", "城桥镇-2023-08.yaml")}
    documents |= {name: attrs.evolve(documents[name], values=documents[name].values | {
        "leader_not_leading_checks": count}) for name, count in later.items()}
    assert _record_counts(documents) == []


COLD_CHAIN = "台账-上海某冷链物流有限公司.yaml"  # spot-checked by 城桥镇 in July
TWICE = ("同一企业给出了多份台账（上海某冷链物流有限公司有2份），不知以哪份为准，本表抽查检查家数不与台账核对",
         "an enterprise was given several records (上海某冷链物流有限公司: 2 records); which one holds is not known, "
         "so this form's spot-check counts are not compared with the records")


def _records_not_checked(results: list[engine.Report | engine.Unusable]) -> dict[str, tuple[str, str]]:
    """Each report listing `form.matches-records` not checked (by file name), with why."""
    assert all(isinstance(r, engine.Report) for r in results), results
    return {Path(r.path or "").name: (n.reason, n.reason_en) for r in results if isinstance(r, engine.Report)
            for n in r.not_checked if n.rule == "form.matches-records"}


#: The clean folder's forms of units no record names as spot-checking (the other townships and the
#: roll-up): `form.matches-records` is not checked for them, whatever else a test changes.
UNNAMED = not_checked_in_example("chongming-2023")


def test_a_form_whose_unit_no_record_names_is_not_checked_not_passed() -> None:
    """The review's case: 新河镇 states 2 enterprises spot-checked, but every record was
    spot-checked by 城桥镇. Its counts are not known, so its report, and each other form no record
    names, lists the rule as not checked, saying why; 城桥镇's forms are compared. Alone, the form
    lists that no record says who spot-checked it; beside a record naming another unit, it used to
    pass."""
    documents = _documents()
    assert documents["新河镇-2023-05.yaml"].values["spot_checked"] == 2
    assert _records_not_checked(engine.check_documents(list(documents.values()), list(documents))) == UNNAMED
    alone = {"新河镇-2023-05.yaml": documents["新河镇-2023-05.yaml"]}
    assert _records_not_checked(engine.check_documents(list(alone.values()), list(alone))) == {
        "新河镇-2023-05.yaml": ("没有注明抽查单位的企业台账记录", "no enterprise records say who spot-checked them")}
    beside = alone | {FURNITURE: documents[FURNITURE]}
    assert _records_not_checked(engine.check_documents(list(beside.values()), list(beside))) == {
        "新河镇-2023-05.yaml": spot_checked_by_none("新河镇")}


def test_a_record_naming_the_unit_makes_its_form_checked() -> None:
    """The furniture maker spot-checked by 新河镇 (its spelling differing in spaces only): 新河镇's
    form is compared with it, its 2 enterprises one more than the record gives."""
    documents = _documents()
    documents[FURNITURE] = attrs.evolve(documents[FURNITURE], spot_check=SpotCheck(by="新河 镇", month="2023-05"))
    results = engine.check_documents(list(documents.values()), list(documents))
    assert "新河镇-2023-05.yaml" not in _records_not_checked(results)
    assert ("新河镇-2023-05.yaml", "/values/spot_checked", 2, 1) in [
        (Path(f).name, item, stated, implied) for f, item, _, stated, implied in _record_counts(documents)]


@pytest.mark.parametrize("spelt", ["上海某冷链物流有限公司", "上海某冷链物流 有限公司", "上海某\u3000冷链物流有限公司"])
def test_an_enterprise_given_twice_is_not_counted_twice(spelt: str) -> None:
    """Counted once per record, the July and August forms were reported for 3 enterprises where the
    4 records give 4. Which of its records holds is not known, so the forms they feed are not
    compared (saying why, in their reports only); the months before the July spot check still are."""
    documents = _documents()
    documents["台账-副本.yaml"] = attrs.evolve(documents[COLD_CHAIN], enterprise=spelt)
    assert _record_counts(documents) == []
    results = engine.check_documents(list(documents.values()), list(documents))
    assert _records_not_checked(results) == UNNAMED | {"城桥镇-2023-07.yaml": TWICE, "城桥镇-2023-08.yaml": TWICE}
    assert [v for r in results if isinstance(r, engine.Report) for v in r.violations] == []


def test_a_record_file_given_twice_leaves_the_forms_it_feeds_not_checked(tmp_path: Path) -> None:
    """The review's case, from files: the clean folder and a copy of one record, its name spaced."""
    copy = tmp_path / "copy.yaml"
    copy.write_text((CLEAN / COLD_CHAIN).read_text(encoding="utf-8").replace(
        "enterprise: 上海某冷链物流有限公司", "enterprise: 上海某冷链物流 有限公司"), encoding="utf-8")
    results = engine.check_files([*sorted(CLEAN.glob("*.yaml")), copy])
    assert _records_not_checked(results) == UNNAMED | {"城桥镇-2023-07.yaml": TWICE, "城桥镇-2023-08.yaml": TWICE}
    assert [v.message for r in results if isinstance(r, engine.Report) for v in r.violations] == []


def test_a_count_wrong_on_a_form_the_repeated_enterprise_does_not_feed_is_still_reported() -> None:
    """The June form counts the furniture maker (May) and the gas station (June), not the cold-chain
    firm (July): given twice, that firm leaves June's comparison as it was."""
    documents = _documents()
    documents["台账-副本.yaml"] = documents[COLD_CHAIN]
    june = "城桥镇-2023-06.yaml"
    documents[june] = attrs.evolve(documents[june], values=documents[june].values | {"spot_checked": 3})
    assert [(Path(f).name, item, stated, implied) for f, item, _, stated, implied in _record_counts(documents)] == [
        (june, "/values/spot_checked", 3, 2)]


@pytest.mark.parametrize("profile_id", ["shanghai-chongming-2023-campaign", "linyi-lingang-2023-campaign"])
@settings(max_examples=10, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data())
def test_a_second_record_of_an_enterprise_leaves_exactly_the_forms_it_feeds_not_checked(
        profile_id: str, data: st.DataObject) -> None:
    """A generated campaign, one of its records given again (its name perhaps spaced, its spot
    check perhaps in another month of the series): nothing is reported, and the rule is not checked
    for the forms from the earlier of the two spot checks on, only for them."""
    bundle = data.draw(campaign_bundles(profile_id))
    record = data.draw(st.sampled_from(bundle.records))
    assert record.spot_check is not None
    at = data.draw(st.integers(0, len(record.enterprise)))
    month = data.draw(st.sampled_from([form.month for form in bundle.unit_forms]))
    again = attrs.evolve(record, enterprise=record.enterprise[:at] + data.draw(st.sampled_from(["", " ", "\u3000"]))
                         + record.enterprise[at:], spot_check=SpotCheck(by=record.spot_check.by, month=month))
    results = engine.check_documents([*bundle.documents, again])
    reports = [r for r in results if isinstance(r, engine.Report)]
    assert len(reports) == len(results), results
    assert [(v.rule, v.message_en) for r in reports for v in r.violations] == []
    fed = min(month, record.spot_check.month)
    expected = [k for k, form in enumerate(bundle.unit_forms) if form.month >= fed]
    campaign = campaign_facts(profile_id)
    assert [{n.rule for n in r.not_checked} for r in reports] == [
        {"form.matches-records"} if k in expected else rules for k, rules in enumerate(bundle.not_checked())
    ] + [not_checked_on(again, campaign)]
    for k in expected:
        (reason,) = reports[k].not_checked
        assert (reason.rule, reason.reason_en) == ("form.matches-records", (
            f"an enterprise was given several records ({record.enterprise}: 2 records); which one holds is not known, "
            "so this form's spot-check counts are not compared with the records"))


def test_a_spot_check_before_the_campaign_is_counted_in_no_form() -> None:
    """Forms count the campaign to date (附件 注1: 当月的累计情况), and the campaign began on 23 May:
    the furniture maker spot-checked in April feeds no form of 城桥镇, whose forms, counting it, are
    one too many under 2.1 and 2.3 every month, and under 2.8 in May, when no other enterprise was
    spot-checked (2.8 is held to the least only). Each form's report names the record; counting it
    nowhere passes. Spot-checked in May, the campaign's first month, it counts (the clean forms)."""
    documents = _documents()
    documents[FURNITURE] = attrs.evolve(documents[FURNITURE], spot_check=SpotCheck(by=UNIT, month="2023-04"))
    found = _record_counts(documents)
    assert sorted((Path(f).name, item, stated, implied) for f, item, _, stated, implied in found) == sorted([
        ("城桥镇-2023-05.yaml", "/values/drills_missing", 1, 0),
        *((name, f"/values/{key}", documents[name].values[key], documents[name].values[key] - 1)
          for name in _forms(documents) for key in ("spot_checked", "leader_not_leading_checks"))])
    results = engine.check_documents(list(documents.values()), list(documents))
    assert _records_not_checked(results) == UNNAMED | dict.fromkeys((f"城桥镇-2023-0{m}.yaml" for m in (5, 6, 7, 8)), (
        "抽查月份早于专项行动开始（2023-05-23）的台账不计入调度表：上海某家具有限公司（2023-04抽查），不与本表核对",
        "records spot-checked in a month before the campaign began (2023-05-23) are counted in no form: "
        "上海某家具有限公司 (spot-checked in 2023-04) is not compared with this form"))
    stated = {name: documents[name].values for name in _forms(documents)}
    without = documents | {name: attrs.evolve(documents[name], values=values | {
        key: values[key] - 1 for key in ("spot_checked", "leader_not_leading_checks", "drills_missing")})
        for name, values in stated.items()}
    assert _record_counts(without) == []
    assert _records_not_checked(engine.check_documents(list(_documents().values()), list(_documents()))) == UNNAMED


@pytest.mark.parametrize("profile_id", ["shanghai-chongming-2023-campaign", "linyi-lingang-2023-campaign"])
@settings(max_examples=10, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data())
def test_a_record_spot_checked_before_the_campaign_changes_no_count(profile_id: str, data: st.DataObject) -> None:
    """A generated campaign and one more enterprise, spot-checked by the unit in the month before
    the campaign's (a record that would count under every item): nothing is reported, and every
    form of the unit names it as not compared. The record runs to the campaign's first day (one
    running to a day before the campaign began is unusable under its profile)."""
    bundle = data.draw(campaign_bundles(profile_id))
    campaign = campaign_facts(profile_id)
    before = f"{campaign.start.replace(day=1) - timedelta(days=1):%Y-%m}"
    early = _run_to(attrs.evolve(bundle.records[0], enterprise="早先抽查有限公司",
                                 spot_check=SpotCheck(by=REPORTING_UNIT, month=before)), campaign.start)
    assert derived_bounds((early,), bundle.variant, bundle.unit_forms[-1].month) == dict.fromkeys(
        derived_bounds((), bundle.variant, bundle.unit_forms[-1].month), (0, 0))
    results = engine.check_documents([*bundle.documents, early])
    reports = [r for r in results if isinstance(r, engine.Report)]
    assert len(reports) == len(results), results
    assert [(v.rule, v.message_en) for r in reports for v in r.violations] == []
    named = [k for k, r in enumerate(reports) if any("早先抽查有限公司" in n.reason for n in r.not_checked)]
    assert named == list(range(len(bundle.unit_forms)))


def _cold_chain_high_risk(documents: dict[str, Any]) -> dict[str, Any]:
    """The cold-chain firm (spot-checked in July, 城桥镇's July form filed 27 July) high-risk, its
    leader leading a check each month but June: a check since the campaign began (30 May), and a
    whole month missed by the day it is judged as of (``campaign.leader-check``)."""
    record: EnterpriseRecord = documents[COLD_CHAIN]
    checks = tuple(date(2023, m, 5) for m in (7, 8, 9, 10, 11, 12))
    return documents | {COLD_CHAIN: attrs.evolve(record, high_risk=True, leader_checks=(date(2023, 5, 30), *checks))}


@pytest.mark.parametrize("counted", [1, 2])
def test_an_enterprise_that_missed_a_whole_month_may_count_as_without_a_leader_led_check(counted: int) -> None:
    """2.3 read narrowly counts an enterprise with no leader-led check at all by then (the furniture
    maker: 1); read broadly, also one in breach of ``campaign.leader-check`` by then (the cold-chain
    firm, no check in June: 2). Either count passes from July on; a third is above what the records
    allow, and is told the range."""
    documents = _cold_chain_high_risk(_documents())
    july_on = ("城桥镇-2023-07.yaml", "城桥镇-2023-08.yaml")
    documents |= {name: attrs.evolve(documents[name], values=documents[name].values | {
        "leader_not_leading_checks": counted}) for name in july_on}
    assert _record_counts(documents) == []
    documents |= {name: attrs.evolve(documents[name], values=documents[name].values | {
        "leader_not_leading_checks": 3}) for name in july_on}
    found = _record_counts(documents)
    assert [(Path(f).name, item, stated, implied) for f, item, _, stated, implied in found] == [
        (name, "/values/leader_not_leading_checks", 3, (1, 2)) for name in july_on]
    assert all(message.endswith("台账显示为1至2家") for _, _, message, _, _ in found)


def test_a_month_not_over_by_the_spot_check_is_not_yet_missed() -> None:
    """Judged as of 27 July, the cold-chain firm's July has not ended: with checks in May and June
    and none in July, it is in breach of nothing yet, and counts under neither reading."""
    documents = _documents()
    record: EnterpriseRecord = documents[COLD_CHAIN]
    documents[COLD_CHAIN] = attrs.evolve(record, high_risk=True, leader_checks=(
        date(2023, 5, 30), date(2023, 6, 5), *(date(2023, m, 5) for m in (8, 9, 10, 11, 12))))
    july = "城桥镇-2023-07.yaml"
    documents[july] = attrs.evolve(documents[july], values=documents[july].values | {"leader_not_leading_checks": 2})
    assert [(Path(f).name, stated, implied) for f, _, _, stated, implied in _record_counts(documents)] == [
        (july, 2, 1)]


def test_a_record_running_to_before_the_spot_check_leaves_what_came_after_unknown() -> None:
    """The cold-chain firm's record runs to 1 July and records no drill: by 27 July, when 城桥镇
    filed the July form, it may have drilled or not. The clean forms, not counting it under 2.8,
    pass; counting it passes too (2.8 is only held to the least)."""
    documents = _documents()
    record: EnterpriseRecord = documents[COLD_CHAIN]
    documents[COLD_CHAIN] = attrs.evolve(record, as_of=date(2023, 7, 1), drills=())
    assert _record_counts(documents) == []
    assert _record_counts(_change_forms(documents, drills_missing=2)) == []


def test_a_record_running_to_before_the_spot_check_bounds_an_exact_count() -> None:
    """The furniture maker's record run to 24 May: whether its leader led a check by 26 May, when
    城桥镇 filed the May form, is not known. Counted (the clean forms) or not, 2.3 passes; the May
    form counting 2 of its one enterprise is above the most, and told the range."""
    documents = _documents()
    documents[FURNITURE] = attrs.evolve(documents[FURNITURE], as_of=date(2023, 5, 24))
    assert _record_counts(documents) == []
    assert _record_counts(_change_forms(documents, leader_not_leading_checks=0)) == []
    may = "城桥镇-2023-05.yaml"
    documents[may] = attrs.evolve(documents[may], values=documents[may].values | {"leader_not_leading_checks": 2})
    found = _record_counts(documents)
    assert [(Path(f).name, stated, implied) for f, _, _, stated, implied in found] == [(may, 2, (0, 1))]
    assert found[0][2].endswith("1家被抽查企业的台账显示为0至1家")


def _missed_the_first_month(record: EnterpriseRecord, campaign: CampaignFacts, last_month: str) -> EnterpriseRecord:
    """High-risk, spot-checked in ``last_month``, its leader leading a check on the first of every
    month but the campaign's first: it had a check by then, and missed a whole month."""
    firsts, day = [], _next_month(campaign.start)
    while day <= campaign.end:
        firsts.append(day)
        day = _next_month(day)
    return attrs.evolve(record, high_risk=True, leader_checks=tuple(firsts),
                        spot_check=SpotCheck(by=REPORTING_UNIT, month=last_month))


def _cut_short(record: EnterpriseRecord, campaign: CampaignFacts, last_month: str) -> EnterpriseRecord:
    """Running to the campaign's first day, with no leader-led check on it, spot-checked in
    ``last_month``: nothing it did in the campaign after that day is known (a record running to a
    day before the campaign began is unusable under its profile)."""
    checks = tuple(d for d in record.leader_checks if d != campaign.start)
    return _run_to(attrs.evolve(record, leader_checks=checks, spot_check=SpotCheck(by=REPORTING_UNIT, month=last_month)),
                   campaign.start)


def _reviewed_late(record: EnterpriseRecord, campaign: CampaignFacts, last_month: str) -> EnterpriseRecord:
    """Its outsourcing review, finding an unqualified contractor, done on the campaign's last day."""
    contractor = Contractor(name="承包方", qualified=False, agreement=True, clear_responsibilities=True,
                            unified_management=True, safety_briefing=True)
    return attrs.evolve(record, outsourcing_review=OutsourcingReview(done=campaign.end, contractors=(contractor,)))


UNKNOWNS = {"missed-a-month": (_missed_the_first_month, "leader_not_leading_checks"),
            "cut-short": (_cut_short, "leader_not_leading_checks"),
            "reviewed-late": (_reviewed_late, "outsourcing_disorder")}


@pytest.mark.parametrize("profile_id", ["shanghai-chongming-2023-campaign", "linyi-lingang-2023-campaign"])
@pytest.mark.parametrize("case", sorted(UNKNOWNS))
@settings(max_examples=8, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data())
def test_an_enterprise_that_may_count_holds_the_count_between_two_bounds(profile_id: str, case: str,
                                                                         data: st.DataObject) -> None:
    """A generated campaign's first enterprise made one that may count (a whole month missed, a
    record cut short, the review after the spot check): the last form's count passes at the least
    and at the most the records allow, and is found, with those bounds, one below or one above."""
    change, key = UNKNOWNS[case]
    bundle = data.draw(campaign_bundles(profile_id))
    campaign = campaign_facts(profile_id)
    bundle = restated(attrs.evolve(bundle, records=(
        change(bundle.records[0], campaign, bundle.unit_forms[-1].month), *bundle.records[1:])))
    last = bundle.unit_forms[-1]
    lower, upper = derived_bounds(bundle.records, bundle.variant, last.month, filing_days(bundle))[key]
    if case == "cut-short":  # judged as of the campaign's first day (a form filed that day), nothing is unknown
        assume(lower < upper)
    assert lower < upper  # the first enterprise may count
    for stated in sorted({max(lower - 1, 0), lower, upper, upper + 1}):
        forms = (*bundle.unit_forms[:-1], attrs.evolve(last, values=last.values | {key: stated}))
        results = engine.check_documents(list(attrs.evolve(bundle, unit_forms=forms).documents))
        found = [v.values for r in results if isinstance(r, engine.Report) for v in r.violations
                 if v.rule == "form.matches-records"]
        outside = stated < lower or stated > upper
        assert found == ([{"stated": stated, "lower": lower, "upper": upper, "records": len(bundle.records)}]
                         if outside else []), (stated, lower, upper)
