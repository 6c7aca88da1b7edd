"""A reporting unit's name matched across documents as enterprises and key units are, by
``forms.plan.name_key``: the seed writes 区应急局（区安委办）, and a clerk typing 区应急局(区安委办)
one month still files for the same unit (its series, a month filed twice, a roll-up's members, the
unit an enterprise record says spot-checked it). Messages show the name as written."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

import attrs
import pytest

import engine
from forms import LoadError, load_document
from forms.dispatch import DispatchForm
from forms.records import CampaignSteps, EnterpriseRecord

CLEAN = Path(__file__).resolve().parent.parent / "examples/campaigns/chongming-2023/clean"
FULL, HALF = "区应急局（区安委办）", "区应急局(区安委办)"
FURNITURE = "台账-上海某家具有限公司.yaml"  # spot-checked in May; the May form filed 05-26


def _renamed(document: Any, name: str = FULL) -> Any:
    """A document of the clean folder with 城桥镇 written ``name``."""
    if isinstance(document, DispatchForm | CampaignSteps) and document.unit == "城桥镇":
        document = attrs.evolve(document, unit=name)
    if isinstance(document, DispatchForm):
        return attrs.evolve(document, members=tuple(name if m == "城桥镇" else m for m in document.members))
    if isinstance(document, EnterpriseRecord) and document.spot_check is not None:
        return attrs.evolve(document, spot_check=attrs.evolve(document.spot_check, by=name))
    return document


def _documents(*half: str) -> dict[str, Any]:
    """The clean folder with 城桥镇 named 区应急局（区安委办）, the files ``half`` writing its
    brackets half-width."""
    documents = {p.name: load_document(p) for p in sorted(CLEAN.glob("*.yaml"))}
    return {name: _renamed(d, HALF if name in half else FULL) for name, d in documents.items()}


def _violations(results: list[engine.Report | engine.Unusable], names: list[str]) -> list[tuple[str, str, str, str]]:
    assert all(isinstance(r, engine.Report) for r in results), results
    return sorted((name, v.rule, v.location, v.message) for name, r in zip(names, results, strict=True)
                  if isinstance(r, engine.Report) for v in r.violations)


def _findings(documents: dict[str, Any]) -> list[tuple[str, str, str, str]]:
    """Each violation: file, rule, location, message; the same when the documents are given in
    reverse order and unnamed (the engine then takes them in the order given, not by name)."""
    names = list(documents)
    found = _violations(engine.check_documents([documents[n] for n in names], names), names)
    backwards = names[::-1]
    assert _violations(engine.check_documents([documents[n] for n in backwards]), backwards) == found
    return found


def test_the_renamed_folder_is_clean() -> None:
    assert _findings(_documents()) == []


def test_a_month_written_with_half_width_brackets_stays_in_the_units_series() -> None:
    """Before, June started a series of its own: 区应急局(区安委办)缺少2023-05的调度表, and the
    August form was missing June."""
    assert _findings(_documents("城桥镇-2023-06.yaml")) == []


def test_a_fall_across_the_two_spellings_is_reported() -> None:
    """June's 帮扶指导重点企业 falls below May's: reported on the June form, its unit as June writes
    it (before, the two months were two units and the fall was hidden)."""
    documents = _documents("城桥镇-2023-06.yaml")
    june = documents["城桥镇-2023-06.yaml"]
    documents["城桥镇-2023-06.yaml"] = attrs.evolve(june, values=june.values | {"key_enterprises_assisted": 2})
    assert _findings(documents) == [
        ("城桥镇-2023-06.yaml", "form.cumulative-nondecreasing", "/values/key_enterprises_assisted",
         f"{HALF} 2023-06：“帮扶指导重点企业（家次）”累计为2，少于2023-05的3")]


@pytest.mark.parametrize("half", [("城桥镇-2023-08.yaml",), ("城桥镇-2023-05.yaml", "城桥镇-2023-07.yaml",
                                                               "城桥镇-2023-08.yaml")],
                         ids=["the-last-half-width", "all-half-width"])
def test_a_missing_month_names_the_unit_as_one_of_its_forms_writes_it(half: tuple[str, ...]) -> None:
    """June not filed: the August form says so, the unit named with full-width brackets where one
    of its forms writes them so, else as its forms write it; never by the order they are given in."""
    documents = _documents(*half)
    del documents["城桥镇-2023-06.yaml"]
    shown = HALF if len(half) == 3 else FULL
    assert [(f, loc, message) for f, rule, loc, message in _findings(documents)
            if rule == "form.cumulative-nondecreasing"] == [("城桥镇-2023-08.yaml", "/month", f"{shown}缺少2023-06的调度表")]


def test_a_month_filed_twice_in_two_spellings_is_one_unit_filing_twice() -> None:
    """June filed again with its brackets half-width and the same figures: before, two units."""
    documents = _documents()
    documents["副本-2023-06.yaml"] = attrs.evolve(documents["城桥镇-2023-06.yaml"], unit=HALF)
    findings = [(f, loc, message) for f, rule, loc, message in _findings(documents)
                if rule == "form.cumulative-nondecreasing"]
    assert [(loc, message) for _, loc, message in findings] == [("/month", f"{FULL} 2023-06有2份调度表")]
    assert findings[0][0] in ("城桥镇-2023-06.yaml", "副本-2023-06.yaml")


def test_a_rollup_lists_a_member_in_the_other_spelling() -> None:
    """The roll-up lists 区应急局(区安委办), whose May form writes （）: before, the member had filed
    no form and every item's sum was one member short (about 20 errors)."""
    assert _findings(_documents("崇明区安委会办公室-2023-05-汇总.yaml")) == []


def test_a_rollup_member_that_filed_no_form_is_named_as_the_rollup_lists_it() -> None:
    documents = _documents("崇明区安委会办公室-2023-05-汇总.yaml")
    del documents["城桥镇-2023-05.yaml"]
    assert [(f, message) for f, rule, loc, message in _findings(documents) if rule == "form.rollup" and loc == "/members"] == [
        ("崇明区安委会办公室-2023-05-汇总.yaml", f"崇明区安委会办公室 2023-05汇总表列有“{HALF}”，但没有该单位当月的调度表")]


def test_a_record_spot_checked_by_the_unit_in_the_other_spelling_is_counted() -> None:
    """The furniture maker's record says 区应急局(区安委办) spot-checked it: before, no form of that
    name was filed, and every form from May on stated one enterprise more than the records gave."""
    assert _findings(_documents(FURNITURE)) == []


def test_a_form_in_the_other_spelling_is_compared_with_the_records() -> None:
    """June written half-width states 3 enterprises spot-checked where the records give 2: before,
    June was not compared with the records of the unit at all."""
    documents = _documents("城桥镇-2023-06.yaml")
    june = documents["城桥镇-2023-06.yaml"]
    documents["城桥镇-2023-06.yaml"] = attrs.evolve(june, values=june.values | {"spot_checked": 3})
    assert [(f, loc) for f, rule, loc, _ in _findings(documents) if rule == "form.matches-records"] == [
        ("城桥镇-2023-06.yaml", "/values/spot_checked")]


def test_a_spot_check_is_judged_as_of_the_day_the_unit_filed_its_form_in_either_spelling() -> None:
    """The furniture maker's leader led a check on 30 May, after the May form (written half-width)
    was filed on the 26th: the later forms judge it as of that day, so it still counts under 未带队检查.
    Before, June to August looked up the May form by the name as they wrote it, found none, judged
    it at the month's end and reported one enterprise too many."""
    documents = _documents("城桥镇-2023-05.yaml")
    record: EnterpriseRecord = documents[FURNITURE]
    documents[FURNITURE] = attrs.evolve(record, leader_checks=(date(2023, 5, 30), *record.leader_checks[1:]))
    assert documents["城桥镇-2023-05.yaml"].submitted == date(2023, 5, 26)
    assert _findings(documents) == []


# ---------------------------------------------------------------- the loader


ROLLUP = CLEAN / "崇明区安委会办公室-2023-05-汇总.yaml"
MEMBERS = "members: [城桥镇, 新河镇, 竖新镇, 港沿镇]"


def _problems(tmp_path: Path, text: str) -> list[str]:
    """The problems loading the roll-up written as ``text``."""
    path = tmp_path / ROLLUP.name
    path.write_text(text, encoding="utf-8")
    with pytest.raises(LoadError) as caught:
        load_document(path)
    return [f"{p.path}: {p.message}" for p in caught.value.problems]


def test_a_member_listed_twice_in_two_spellings_is_refused(tmp_path: Path) -> None:
    text = ROLLUP.read_text(encoding="utf-8").replace(MEMBERS, "members: [港沿镇（东）, 新河镇, 港沿镇(东), 港沿镇（东）]")
    assert _problems(tmp_path, text) == ["members: unit '港沿镇（东）' is listed more than once (also as '港沿镇(东)')"]


def test_an_aggregate_listing_its_own_unit_in_the_other_spelling_is_refused(tmp_path: Path) -> None:
    text = ROLLUP.read_text(encoding="utf-8").replace("unit: 崇明区安委会办公室", "unit: 崇明区安委会办公室（区应急局）")
    assert _problems(tmp_path, text.replace(MEMBERS, "members: [城桥镇, 新河镇, 崇明区安委会办公室(区应急局)]")) == [
        "members: the form's own unit '崇明区安委会办公室（区应急局）' cannot be one of its members "
        "(listed as '崇明区安委会办公室(区应急局)')"]
    assert _problems(tmp_path, text.replace(MEMBERS, "members: [城桥镇, 新河镇, 崇明区安委会办公室（区应急局）]")) == [
        "members: the form's own unit '崇明区安委会办公室（区应急局）' cannot be one of its members"]
