"""Loading campaign documents (dispatch forms, enterprise records, campaign steps) from YAML and JSON:
valid files load with blanks kept blank; every bad field is named by file and path."""

from __future__ import annotations

import copy
import json
from collections.abc import Callable
from datetime import date
from decimal import Decimal
from pathlib import Path
from types import MappingProxyType
from typing import Any

import attrs
import pytest
import yaml
from hypothesis import given
from hypothesis import strategies as st

import engine
from engine.report import Report
from forms import LoadError, document_from_data, load_document, read_data
from forms.dispatch import (
    _PAIR_NAMES,
    CountAmount,
    DispatchForm,
    FormItem,
    ItemShape,
    WholePart,
    _pair,
    _plain_pair,
    load_template,
    parse_year_month,
)
from forms.plan import MAX_FIGURE
from forms.records import CampaignSteps, EnterpriseRecord, FoundBy, Milestone, SpotCheck
from tests.conftest import floats

CHONGMING = Path("examples/campaigns/chongming-2023/clean")
LINYI = Path("examples/campaigns/linyi-lingang-2023/clean")
FORM = CHONGMING / "城桥镇-2023-06.yaml"
LINYI_FORM = LINYI / "区安全生产监管办公室-2023-06.yaml"
AGGREGATE = CHONGMING / "崇明区安委会办公室-2023-05-汇总.yaml"
RECORD = CHONGMING / "台账-上海某燃气有限公司城桥供应站.yaml"
STEPS = CHONGMING / "城桥镇-阶段工作.yaml"
SUFFIXES = [".yaml", ".json"]


#: What a number written where text belongs is told (a 7 for the key or the variant).
A_NUMBER_AS_TEXT = "expected text, got the number 7: write it as text, quoted ('7')"


def write(data: dict[str, Any], tmp_path: Path, suffix: str) -> Path:
    path = tmp_path / f"document{suffix}"
    if suffix == ".json":
        path.write_text(json.dumps(floats(data), ensure_ascii=False, default=str), encoding="utf-8")
    else:
        path.write_text(yaml.safe_dump(floats(data), allow_unicode=True), encoding="utf-8")
    return path


def problems_of(data: dict[str, Any], tmp_path: Path, suffix: str) -> list[str]:
    path = write(data, tmp_path, suffix)
    with pytest.raises(LoadError) as caught:
        load_document(path)
    assert caught.value.file == str(path)
    assert all(line.startswith(f"{path}: ") for line in str(caught.value).splitlines())
    return [str(p) for p in caught.value.problems]


# ---------------------------------------------------------------- valid documents


@pytest.mark.parametrize("suffix", SUFFIXES)
def test_a_form_loads_with_each_item_in_its_shape_and_blanks_kept_blank(tmp_path: Path, suffix: str) -> None:
    data = read_data(FORM)
    assert data["values"]["towns_assisted"] is None  # written as null in the file
    del data["values"]["exposed"]  # an item left out of the file is blank too
    form = load_document(write(data, tmp_path, suffix))
    assert isinstance(form, DispatchForm)
    assert (form.variant, form.unit, form.month, form.submitted) == ("chongming-2023", "城桥镇", "2023-06", date(2023, 6, 27))
    assert set(form.values) == set(load_template("chongming-2023").keys)  # every item, reported or not
    assert form.value("towns_assisted") is None
    assert form.value("exposed") is None
    assert form.value("self_found") == 4 and type(form.value("self_found")) is int
    assert form.value("penalties") == CountAmount(count=1, amount=Decimal("0.5"))
    assert form.value("report_rewards") == WholePart(whole=Decimal("0.2"), part=Decimal(0))
    assert form.value("typical_cases") == WholePart(whole=Decimal(1), part=Decimal(0))
    assert form.value("media_column") is True
    assert form.members == ()


def test_an_aggregate_lists_its_members() -> None:
    aggregate = load_document(AGGREGATE)
    assert isinstance(aggregate, DispatchForm)
    assert aggregate.members == ("城桥镇", "新河镇", "竖新镇", "港沿镇")
    assert aggregate.value("technical_inspectors") == 9  # 港沿镇 left it blank: 4 + 3 + 2


def test_a_linyi_form_has_linyis_items() -> None:
    form = load_document(LINYI_FORM)
    assert isinstance(form, DispatchForm)
    assert form.value("training_perfunctory") == 1 and form.value("measures_not_implemented") == 0
    assert "towns_assisted" not in form.values
    assert form.value("study_sessions") is None


@pytest.mark.parametrize("suffix", SUFFIXES)
def test_an_enterprise_record_loads(tmp_path: Path, suffix: str) -> None:
    record = load_document(write(read_data(RECORD), tmp_path, suffix))
    assert isinstance(record, EnterpriseRecord)
    assert record.high_risk and len(record.leader_checks) == 8 and record.leader_checks[0] == date(2023, 5, 25)
    assert record.spot_check == SpotCheck(by="城桥镇", month="2023-06")
    assert record.outsourcing_review is not None
    assert record.outsourcing_review.contractors[0].disorderly(load_template("chongming-2023").orderly_outsourcing) is False
    assert record.key_post_review is not None and record.key_post_review.unlicensed == 0
    first, second = record.hazards
    assert first.found_by is FoundBy.SELF and first.rectified == first.found and first.deferred is None
    assert second.found_by is FoundBy.DEPARTMENT and second.reported
    assert second.deferred is not None and second.deferred.missing == () and second.deferred.funds == "2万元"
    assert record.as_of is None


@pytest.mark.parametrize("suffix", SUFFIXES)
def test_campaign_steps_load(tmp_path: Path, suffix: str) -> None:
    steps = load_document(write(read_data(STEPS), tmp_path, suffix))
    assert isinstance(steps, CampaignSteps)
    assert steps.milestones[0] == Milestone(step="plan-and-mobilisation", done=date(2023, 5, 30))


@pytest.mark.parametrize("source", [FORM, AGGREGATE, RECORD, STEPS, LINYI_FORM], ids=lambda p: p.name)
def test_yaml_and_json_give_the_same_document(tmp_path: Path, source: Path) -> None:
    assert load_document(write(read_data(source), tmp_path, ".json")) == load_document(source)


# ---------------------------------------------------------------- bad dispatch forms

Change = Callable[[dict[str, Any]], object]

FORM_CASES: list[tuple[str, Change, list[str]]] = [
    ("unknown item key", lambda d: d["values"].update(towns_helped=3),
     ["values.towns_helped: not an item of the chongming-2023 form"]),
    ("an item of the other variant", lambda d: d["values"].update(training_perfunctory=0),
     ["values.training_perfunctory: not an item of the chongming-2023 form"]),
    ("negative count", lambda d: d["values"].update(self_found=-1),
     ["values.self_found: expected a whole number ≥ 0, got -1"]),
    ("Chinese numeral", lambda d: d["values"].update(self_found="十"),
     ['values.self_found: expected a whole number ≥ 0, got "十"']),
    ("fractional count", lambda d: d["values"].update(spot_checked=2.5),
     ["values.spot_checked: expected a whole number ≥ 0, got 2.5"]),
    ("bool as count", lambda d: d["values"].update(exposed=True),
     ["values.exposed: expected a whole number ≥ 0, got True"]),
    ("是 for a yes/no item", lambda d: d["values"].update(media_column="是"),
     ['values.media_column: expected true or false, got "是"']),
    ("1 for a yes/no item", lambda d: d["values"].update(media_column=1),
     ["values.media_column: expected true or false, got 1"]),
    ("negative amount", lambda d: d["values"].update(penalties={"count": 1, "amount": -0.5}),
     ["values.penalties.amount: expected a number ≥ 0, got -0.5"]),
    ("fractional penalty count", lambda d: d["values"].update(penalties={"count": 1.5, "amount": 0.5}),
     ["values.penalties.count: expected a whole number ≥ 0, got 1.5"]),
    ("unknown part of a pair", lambda d: d["values"].update(penalties={"count": 1, "amount": 0.5, "yuan": 5000}),
     ["values.penalties.yuan: unknown field"]),
    ("a number for a pair", lambda d: d["values"].update(penalties=3),
     ["values.penalties: expected a mapping with count and amount, got 3"]),
    ("fractional case count", lambda d: d["values"].update(typical_cases={"whole": 1.5, "part": 0}),
     ["values.typical_cases.whole: expected a whole number ≥ 0, got 1.5"]),
    ("values as a list", lambda d: d.update(values=[1, 2]), ["values: expected a mapping, got a list"]),
    ("values as text", lambda d: d.update(values="12"), ["values: expected a mapping, got text"]),
    ("unknown variant", lambda d: d.update(variant="chongming-2024"),
     ["variant: unknown form variant 'chongming-2024'; known variants: chongming-2023, linyi-lingang-2023"]),
    ("month 13", lambda d: d.update(month="2023-13"), ['month: expected a month YYYY-MM, got "2023-13"']),
    ("month without a leading zero", lambda d: d.update(month="2023-6"), ['month: expected a month YYYY-MM, got "2023-6"']),
    ("bad submission date", lambda d: d.update(submitted="2023-06-31"),
     ['submitted: no such date: "2023-06-31" (day is out of range for month)']),
    ("no unit", lambda d: d.pop("unit"), ["unit: required field is missing"]),
    ("a unit with a space after it", lambda d: d.update(unit="城桥镇 "),
     ['unit: expected a name without spaces around it, got "城桥镇 "']),
    ("a member with a newline before it", lambda d: d.update(members=["竖新镇", "\n港沿镇"]),
     ['members[1]: expected a name without spaces around it, got "\\n港沿镇"']),
    ("unknown field", lambda d: d.update(township="城桥镇"), ["township: unknown field"]),
]


@pytest.mark.parametrize("suffix", SUFFIXES)
@pytest.mark.parametrize(("change", "expected"), [c[1:] for c in FORM_CASES], ids=[c[0] for c in FORM_CASES])
def test_a_bad_form_names_the_file_and_the_field(tmp_path: Path, suffix: str, change: Change, expected: list[str]) -> None:
    data = copy.deepcopy(read_data(FORM))
    change(data)
    assert problems_of(data, tmp_path, suffix) == expected


class _ItemsOnly:
    """Not a mapping, but with the ``items`` cattrs reads a mapping by."""

    def __init__(self, values: dict[str, Any]) -> None:
        self._values = values

    def items(self) -> Any:
        return self._values.items()


class _Values(dict[str, Any]):
    """A dict of another type, as some loaders give."""


@pytest.mark.parametrize("given", [_Values, MappingProxyType, _ItemsOnly])
def test_a_forms_values_are_read_against_its_template_whatever_holds_them(given: Callable[[Any], Any]) -> None:
    data = read_data(FORM)
    plain = document_from_data(data, "form")
    assert document_from_data({**data, "values": given(dict(data["values"]))}, "form") == plain
    bad = {**data["values"], "self_found": -1, "towns_helped": 1}
    with pytest.raises(LoadError) as caught:
        document_from_data({**data, "values": given(bad)}, "form")
    assert [f"{p.path}: {p.message}" for p in caught.value.problems] == [
        "values.towns_helped: not an item of the chongming-2023 form",
        "values.self_found: expected a whole number ≥ 0, got -1"]


def test_every_bad_figure_of_a_form_is_reported_at_once(tmp_path: Path) -> None:
    data = read_data(FORM)
    data["values"].update(self_found=-1, towns_helped=1, media_column="否", penalties={"count": "三", "amount": 1})
    assert problems_of(data, tmp_path, ".yaml") == [
        "values.towns_helped: not an item of the chongming-2023 form",
        "values.self_found: expected a whole number ≥ 0, got -1",
        'values.penalties.count: expected a whole number ≥ 0, got "三"',
        'values.media_column: expected true or false, got "否"',
    ]


@pytest.mark.parametrize("suffix", SUFFIXES)
def test_a_form_whose_structure_fails_still_names_its_bad_figures(tmp_path: Path, suffix: str) -> None:
    data = read_data(FORM)
    del data["unit"]
    data["month"] = "2023-13"
    data["values"].update(self_found=-1, towns_helped=1)
    assert problems_of(data, tmp_path, suffix) == [
        "unit: required field is missing",
        'month: expected a month YYYY-MM, got "2023-13"',
        "values.towns_helped: not an item of the chongming-2023 form",
        "values.self_found: expected a whole number ≥ 0, got -1",
    ]


MISSING_UNIT = "unit: required field is missing"


@pytest.mark.parametrize(("change", "expected"), [
    (lambda d: d.update(variant="chongming-2024"),
     [MISSING_UNIT, "variant: unknown form variant 'chongming-2024'; known variants: chongming-2023, linyi-lingang-2023"]),
    (lambda d: d.update(variant=7), [f"variant: {A_NUMBER_AS_TEXT}", MISSING_UNIT]),
    (lambda d: d["values"].update({7: 3}), [MISSING_UNIT, f"values[7]: {A_NUMBER_AS_TEXT}"]),
], ids=["unknown variant", "variant not text", "item key not text"])
def test_values_are_not_read_against_a_template_that_failed(tmp_path: Path, change: Change, expected: list[str]) -> None:
    data = read_data(FORM)
    del data["unit"]
    data["values"]["self_found"] = -1
    change(data)
    assert problems_of(data, tmp_path, ".yaml") == expected


def test_an_item_key_that_is_not_text_is_named(tmp_path: Path) -> None:
    """YAML keys need not be text (JSON's always are); values keyed by text take a faster path."""
    data = read_data(FORM)
    data["values"][7] = 3
    assert problems_of(data, tmp_path, ".yaml") == [f"values[7]: {A_NUMBER_AS_TEXT}"]


def test_a_chongming_only_item_is_not_an_item_of_the_linyi_form(tmp_path: Path) -> None:
    data = read_data(LINYI_FORM)
    data["values"]["towns_assisted"] = 2
    assert problems_of(data, tmp_path, ".json") == ["values.towns_assisted: not an item of the linyi-lingang-2023 form"]


def test_a_member_listed_twice(tmp_path: Path) -> None:
    data = read_data(AGGREGATE)
    data["members"].append("港沿镇")
    data["values"]["self_found"] = -1
    assert problems_of(data, tmp_path, ".yaml") == [
        "values.self_found: expected a whole number ≥ 0, got -1",
        "members: unit '港沿镇' is listed more than once",
    ]


def test_values_must_be_a_mapping(tmp_path: Path) -> None:
    data = read_data(FORM)
    data["values"] = [4, 3, 2]
    path = write(data, tmp_path, ".yaml")
    with pytest.raises(LoadError) as caught:
        load_document(path)
    assert [p.path for p in caught.value.problems] == ["values"]


# ---------------------------------------------------------------- bad records and steps

RECORD_CASES: list[tuple[str, Change, list[str]]] = [
    ("unknown field", lambda d: d.update(colour="red"), ["colour: unknown field"]),
    ("unknown field in a deferred plan", lambda d: d["hazards"][1]["deferred"].update(budget="2万元"),
     ["hazards[1].deferred.budget: unknown field"]),
    ("found_by in Chinese", lambda d: d["hazards"][0].update(found_by="企业自查"),
     ['hazards[0].found_by: expected one of self, department, got "企业自查"']),
    ("impossible date", lambda d: d["leader_checks"].__setitem__(2, "2023-02-30"),
     ['leader_checks[2]: no such date: "2023-02-30" (day is out of range for month)']),
    ("是 for a contractor's condition", lambda d: d["outsourcing_review"]["contractors"][0].update(agreement="是"),
     ['outsourcing_review.contractors[0].agreement: expected true or false, got "是"']),
    ("spot-check month", lambda d: d["spot_check"].update(month="2023-13"),
     ['spot_check.month: expected a month YYYY-MM, got "2023-13"']),
    ("high_risk as text", lambda d: d.update(high_risk="是"), ['high_risk: expected true or false, got "是"']),
    ("no enterprise", lambda d: d.pop("enterprise"), ["enterprise: required field is missing"]),
    ("rectified before found (07-01 for 07-11)", lambda d: d["hazards"][1].update(rectified="2023-07-01"),
     ["hazards[1].rectified: 2023-07-01 is before the hazard was found (2023-07-10)"]),
    ("a deferred deadline before found", lambda d: d["hazards"][1]["deferred"].update(deadline="2023-07-09"),
     ["hazards[1].deferred.deadline: 2023-07-09 is before the hazard was found (2023-07-10)"]),
    ("a contractor listed twice (once with a space in its name)", lambda d: d["outsourcing_review"]["contractors"].append(
        {**d["outsourcing_review"]["contractors"][0], "name": "上海某管道工程 有限公司", "unified_management": False}),
     ["outsourcing_review.contractors[1].name: contractor '上海某管道工程 有限公司' is listed already, "
      "at outsourcing_review.contractors[0]"]),
]


@pytest.mark.parametrize("suffix", SUFFIXES)
@pytest.mark.parametrize(("change", "expected"), [c[1:] for c in RECORD_CASES], ids=[c[0] for c in RECORD_CASES])
def test_a_bad_record_names_the_file_and_the_field(tmp_path: Path, suffix: str, change: Change, expected: list[str]) -> None:
    data = copy.deepcopy(read_data(RECORD))
    change(data)
    assert problems_of(data, tmp_path, suffix) == expected


STEPS_CASES: list[tuple[str, Change, list[str]]] = [
    ("no date", lambda d: d["milestones"][1].pop("done"), ["milestones[1].done: required field is missing"]),
    ("a date in words", lambda d: d["milestones"][0].update(done="5月30日"),
     ['milestones[0].done: expected a date YYYY-MM-DD, got "5月30日"']),
    ("unknown field", lambda d: d["milestones"][2].update(note="已报送"), ["milestones[2].note: unknown field"]),
    ("an unknown role", lambda d: d.update(roles=["lead-unit", "牵头单位"]),
     ['roles[1]: expected one of lead-unit, sector-group-office, got "牵头单位"']),
    ("a role as text", lambda d: d.update(roles="lead-unit"), ['roles: expected a list, got "lead-unit"']),
    ("a role stated twice", lambda d: d.update(roles=["lead-unit", "sector-group-office", "lead-unit"]),
     ["roles[2]: role 'lead-unit' is stated already, at roles[0]"]),
    ("as_of in words", lambda d: d.update(as_of="6月30日"), ['as_of: expected a date YYYY-MM-DD, got "6月30日"']),
]


@pytest.mark.parametrize("suffix", SUFFIXES)
@pytest.mark.parametrize(("change", "expected"), [c[1:] for c in STEPS_CASES], ids=[c[0] for c in STEPS_CASES])
def test_bad_steps_name_the_file_and_the_field(tmp_path: Path, suffix: str, change: Change, expected: list[str]) -> None:
    data = copy.deepcopy(read_data(STEPS))
    change(data)
    assert problems_of(data, tmp_path, suffix) == expected


def test_an_unknown_kind_is_named(tmp_path: Path) -> None:
    data = read_data(RECORD)
    data["kind"] = "dispatch_form"
    known = "annual-plan, dispatch-form, enterprise-record, campaign-steps"
    assert problems_of(data, tmp_path, ".yaml") == [f'kind: expected one of {known}, got "dispatch_form"']


# ---------------------------------------------------------------- once defects, now fixed


def test_an_unquoted_impossible_date_in_yaml_is_a_load_error_naming_its_field(tmp_path: Path) -> None:
    """PyYAML builds dates itself and raised ValueError, which escaped as a traceback; then it was a
    YAML error by line, naming no field. It is kept as its text, which the field refuses."""
    text = FORM.read_text(encoding="utf-8").replace("submitted: 2023-06-27", "submitted: 2023-06-31")
    path = tmp_path / "form.yaml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(LoadError) as caught:
        load_document(path)
    assert str(caught.value).startswith(f"{path}: ")
    assert [(p.path, p.message) for p in caught.value.problems] == [
        ("submitted", "no such date: 2023-06-31 (day is out of range for month)")]


def test_a_negative_number_of_unlicensed_staff_is_refused(tmp_path: Path) -> None:
    data = read_data(RECORD)
    data["key_post_review"]["unlicensed"] = -1
    assert problems_of(data, tmp_path, ".yaml") == ["key_post_review.unlicensed: expected a whole number ≥ 0, got -1"]


# ---------------------------------------------------------------- two-figure items read without the full check


_FIGURE = st.one_of(st.none(), st.integers(-2, MAX_FIGURE + 2), st.sampled_from([0, 1, MAX_FIGURE, True, False, 1.5, 2.0, "3"]))




@pytest.mark.parametrize("unit", ["次", "万元"])
@pytest.mark.parametrize("shape", list(_PAIR_NAMES))
@given(data=st.data())
def test_a_plain_pair_reads_as_the_figure_by_figure_check_reads_it(shape: ItemShape, unit: str, data: st.DataObject) -> None:
    """The common case (whole numbers in range, or blank) skips the checks of each figure: it must
    give what they give, down to each figure's type, and leave every other case to them."""
    item = FormItem(1, "item", "项目", unit, shape)
    names = _PAIR_NAMES[shape]
    raw = data.draw(st.dictionaries(st.sampled_from([*names, "total"]), _FIGURE, max_size=3))
    problems: list[tuple[str, str]] = []
    figures = _pair(item, raw, names, "values.item", problems)
    full = CountAmount(**figures) if shape is ItemShape.COUNT_AMOUNT else WholePart(**{k: Decimal(v) for k, v in figures.items()})
    plain = _plain_pair(item, raw)
    common = set(raw) <= set(names) and all(v is None or (type(v) is int and 0 <= v <= MAX_FIGURE) for v in raw.values())
    common = common and (shape is ItemShape.WHOLE_PART or unit != "万元")  # a count kept in money is left to the check
    assert (plain is not None) == common
    if plain is not None:
        assert not problems
        assert plain == full
        assert [type(v) for v in attrs.astuple(plain)] == [type(v) for v in attrs.astuple(full)]


@pytest.mark.parametrize(("source", "change", "field"), [
    (RECORD, lambda d: d.update(enterprise=d["enterprise"] + " "), "enterprise"),
    (RECORD, lambda d: d["spot_check"].update(by="\t" + d["spot_check"]["by"]), "spot_check.by"),
    (STEPS, lambda d: d.update(unit=" " + d["unit"]), "unit"),
    (Path("examples/plans/chongming-2024.yaml"),
     lambda d: d["key_units"]["units"][0].update(name=d["key_units"]["units"][0]["name"] + "\u3000"),
     "key_units.units[0].name"),
])
def test_a_name_with_spaces_around_it_is_refused_where_names_are_matched(
        source: Path, change: Change, field: str) -> None:
    """Names join documents (a record to the unit that spot-checked it) and list entries (a key unit
    to its visits): a space around one would make another name."""
    data = copy.deepcopy(read_data(source))
    change(data)
    with pytest.raises(LoadError) as caught:
        document_from_data(data, str(source))
    assert [p.path for p in caught.value.problems] == [field]
    assert "expected a name without spaces around it" in caught.value.problems[0].message


def _refusal(data: dict[str, Any], path: Path) -> list[str]:
    """The problems, as shown, of loading ``data`` as if read from ``path``, which the loader refuses."""
    with pytest.raises(LoadError) as caught:
        document_from_data(data, str(path))
    return [str(p) for p in caught.value.problems]


def test_a_step_recorded_twice_is_refused_and_checked_by_its_first_date_when_built_in_python() -> None:
    data = copy.deepcopy(read_data(STEPS))
    data["milestones"].append({"step": "plan-and-mobilisation", "done": "2023-06-30"})
    assert _refusal(data, STEPS) == [
        "milestones[3].step: step 'plan-and-mobilisation' is recorded already, at milestones[0]"]
    steps = load_document(STEPS)
    assert isinstance(steps, CampaignSteps)
    late = Milestone(step="plan-and-mobilisation", done=date(2023, 6, 30))
    reports = [engine.check(attrs.evolve(steps, milestones=order))
               for order in ((*steps.milestones, late), (late, *steps.milestones))]
    assert [[v.rule for v in r.violations] for r in reports] == [[], []]


def test_a_hazard_rectified_before_it_was_found_is_refused_and_not_rectified_at_once_when_built_in_python() -> None:
    """A slip (07-01 for 07-11) read as rectified at once hid both findings of
    ``campaign.deferred-hazard-plan``: the loader refuses it; built in Python, it is judged as a
    hazard not rectified the day it was found (its record saying it was not reported: one saying
    nothing is not read as unreported)."""
    data = copy.deepcopy(read_data(RECORD))
    data["hazards"][0].update(found="2023-07-10", rectified="2023-07-01")
    assert _refusal(data, RECORD) == [
        "hazards[0].rectified: 2023-07-01 is before the hazard was found (2023-07-10)"]
    record = load_document(RECORD)
    assert isinstance(record, EnterpriseRecord)
    slip = attrs.evolve(record.hazards[0], found=date(2023, 7, 10), rectified=date(2023, 7, 1), reported=False)
    report = engine.check(attrs.evolve(record, hazards=(slip, *record.hazards[1:])))
    assert [(v.rule, v.location) for v in report.violations] == [("campaign.deferred-hazard-plan", "/hazards/0")] * 2


def test_an_aggregate_cannot_list_its_own_unit_as_a_member() -> None:
    data = copy.deepcopy(read_data(AGGREGATE))
    data["members"].append(data["unit"])
    assert _refusal(data, AGGREGATE) == [
        f"members: the form's own unit {data['unit']!r} cannot be one of its members"]


def test_the_cli_refuses_a_record_listing_a_contractor_twice(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """Each contractor is reported once (campaign.contractor-outside-management): one listed twice in a
    review is a slip the loader refuses, exit 2, naming the file and the field."""
    from engine.cli import main

    data = copy.deepcopy(read_data(RECORD))
    contractors = data["outsourcing_review"]["contractors"]
    contractors.append({**contractors[0], "name": "上海某管道工程（有限公司）"})
    contractors[0]["name"] = "上海某管道工程(有限公司)"
    path = write(data, tmp_path, ".yaml")
    code = main(["check", str(path)])
    out, err = capsys.readouterr()
    assert code == 2
    assert f"{path}  无法检查 / unusable input" in out.splitlines()
    assert (f"zhifa: {path}: outsourcing_review.contractors[1].name: contractor '上海某管道工程（有限公司）' "
            "is listed already, at outsourcing_review.contractors[0]") in err.splitlines()


def test_a_month_of_year_0000_is_refused_naming_it_and_the_others_are_checked(tmp_path: Path) -> None:
    """``month: 0000-05`` was taken, then its deadline (date(0, 5, 28)) failed the whole check: every
    document of the folder unusable, “rule evaluation failed: ValueError: year 0 is out of range”."""
    text = FORM.read_text(encoding="utf-8").replace("month: 2023-06\n", "month: 0000-05\n")
    assert "month: 0000-05\n" in text
    bad = tmp_path / "城桥镇-0000-05.yaml"
    bad.write_text(text, encoding="utf-8")
    others = sorted(FORM.parent.glob("*.yaml"))
    results = engine.check_files([bad, *others])
    assert isinstance(results[0], engine.Unusable)
    assert results[0].problems == [{"path": "month", "message": 'no such month: "0000-05" (there is no year 0000)'}]
    assert all(isinstance(r, Report) for r in results[1:])
    with pytest.raises(ValueError, match="there is no year 0000"):
        parse_year_month("0000-05")
    assert parse_year_month("0001-01") == (1, 1) and parse_year_month("9999-12") == (9999, 12)


@pytest.mark.parametrize(("funds", "shown"), [(10, "10"), (2.5, "2.5"), (0, "0"), ("10", "10"), (" 2.5 ", "2.5")])
def test_funds_written_as_a_number_are_refused_with_how_to_write_them(funds: float, shown: str) -> None:
    """资金 10: ten yuan or ten 万元? Never guessed, a number or a number quoted; the message names the
    field and says to write the amount as text with its unit."""
    data = read_data(CHONGMING / "台账-上海某冷链物流有限公司.yaml")
    data["hazards"][0]["deferred"]["funds"] = funds
    with pytest.raises(LoadError) as refused:
        document_from_data(data, "record.yaml")
    assert [(p.path, p.message) for p in refused.value.problems] == [(
        "hazards[0].deferred.funds",
        f"expected an amount with its unit, got the number {shown}: write it as text with its unit, quoted "
        f"('{shown}万元' or '{shown}元')")]
    # Any other text field is told to quote it, no unit offered (an enterprise named 12345).
    data["hazards"][0]["deferred"]["funds"] = "5万元"
    with pytest.raises(LoadError) as refused:
        document_from_data(data | {"enterprise": 12345}, "record.yaml")
    assert [(p.path, p.message) for p in refused.value.problems] == [
        ("enterprise", "expected text, got the number 12345: write it as text, quoted ('12345')")]
