"""Dispatch forms in Excel: the blank template, what people type, round trips, cells in findings, bad workbooks."""

from __future__ import annotations

import io
import re
import signal
import zipfile
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

import attrs
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from openpyxl import load_workbook
from openpyxl.styles import Font

import engine
from engine.cli import main
from forms import LoadError, document_from_data, load_document
from forms.convert import document_data
from forms.dispatch import CountAmount, DispatchForm, WholePart, load_template, variants
from forms.strategies import campaign_bundles
from forms.xlsx import (
    FIGURE,
    MAX_CELLS,
    MAX_OUTSIDE_REPORTED,
    MAX_PARTS,
    MAX_UNPACKED_BYTES,
    MEMBERS_CELL,
    MONTH_CELL,
    SECOND,
    SHEET,
    SUBMITTED_CELL,
    UNIT_CELL,
    form_cells,
    layout,
    read_form,
    write_form,
    write_template,
)

PROFILE_OF = {"chongming-2023": "shanghai-chongming-2023-campaign", "linyi-lingang-2023": "linyi-lingang-2023-campaign"}


def problems_reading(path: Path) -> list[str]:
    """What reading the workbook at ``path`` is refused for, one line a problem."""
    with pytest.raises(LoadError) as caught:
        read_form(path)
    return [str(p) for p in caught.value.problems]


def cell(variant: str, key: str, second: bool = False) -> str:
    return f"{SECOND if second else FIGURE}{layout(variant).rows[key]}"


def filled(tmp_path: Path, variant: str, cells: dict[str, object], name: str = "form.xlsx") -> Path:
    """A blank form of the variant, typed into as a clerk would (header filled unless overridden)."""
    path = tmp_path / name
    write_template(variant, path)
    book = load_workbook(path)
    sheet = book[SHEET]
    typed: dict[str, object] = {UNIT_CELL: "城桥镇", MONTH_CELL: "2023年6月", SUBMITTED_CELL: datetime(2023, 6, 27)}
    typed.update(cells)
    for ref, value in typed.items():
        sheet[ref] = value
    book.save(path)
    return path


@pytest.mark.parametrize("variant", variants())
def test_the_blank_form_has_the_seeds_layout(tmp_path: Path, variant: str) -> None:
    template = load_template(variant)
    path = tmp_path / "blank.xlsx"
    write_template(variant, path)
    sheet = load_workbook(path)[SHEET]
    assert sheet["A1"].value == template.title
    assert sheet["A2"].value == "（单位）" and sheet["D2"].value == "时间"
    shape = layout(variant)
    for section in template.sections:
        first = shape.rows[section.items[0].key]
        assert sheet[f"A{first}"].value == section.name
        for item in section.items:
            row = shape.rows[item.key]
            assert (sheet[f"B{row}"].value, sheet[f"C{row}"].value) == (item.number, item.label)
            assert item.unit in sheet[f"D{row}"].value
            assert sheet[f"{FIGURE}{row}"].value is None
    notes = [sheet[f"A{shape.notes_row + k}"].value for k in range(len(template.notes))]
    assert notes == list(template.notes)
    # Below the items, the form's notes and nothing else (Linyi's 附件2 has none).
    below = [cell.coordinate for row in sheet.iter_rows(min_row=max(shape.rows.values()) + 1) for cell in row
             if cell.value is not None]
    assert below == [f"A{shape.notes_row + k}" for k in range(len(template.notes))]
    assert len(shape.rows) == sum(len(s.items) for s in template.sections)


def test_what_people_type_is_read_and_blank_stays_blank(tmp_path: Path) -> None:
    v = "chongming-2023"
    path = filled(tmp_path, v, {
        cell(v, "self_found"): "１２",  # full-width digits
        cell(v, "self_rectified"): "10个",  # with the item's unit
        cell(v, "department_found"): 0,  # a typed 0 is 0
        cell(v, "penalties"): 3, cell(v, "penalties", True): "１.５",
        cell(v, "typical_cases"): 2, cell(v, "typical_cases", True): 1,
        cell(v, "report_rewards"): 0.8,
        cell(v, "media_column"): "是",
        SUBMITTED_CELL: "2023年6月27日",
        MEMBERS_CELL: "竖新镇、港沿镇",
    })
    form = read_form(path)
    assert (form.variant, form.unit, form.month, form.submitted) == (v, "城桥镇", "2023-06", date(2023, 6, 27))
    assert form.profile == PROFILE_OF[v]
    assert form.members == ("竖新镇", "港沿镇")
    assert form.value("self_found") == 12 and form.value("self_rectified") == 10
    assert form.value("department_found") == 0
    assert form.value("department_rectified") is None  # left blank: not reported, not 0
    assert form.value("penalties") == CountAmount(count=3, amount=Decimal("1.5"))
    assert form.value("typical_cases") == WholePart(whole=Decimal(2), part=Decimal(1))
    assert form.value("report_rewards") == WholePart(whole=Decimal("0.8"), part=None)
    assert form.value("media_column") is True


@pytest.mark.parametrize("variant", variants())
def test_every_item_round_trips_through_excel(tmp_path: Path, variant: str) -> None:
    @settings(max_examples=6, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
    @given(bundle=campaign_bundles(PROFILE_OF[variant]))
    def round_trip(bundle: object) -> None:
        forms: list[DispatchForm] = [*bundle.unit_forms, *bundle.member_forms, *bundle.aggregate_forms]  # type: ignore[attr-defined]
        for k, form in enumerate(forms):
            path = tmp_path / f"{k}.xlsx"
            write_form(form, path)
            assert read_form(path) == form

    round_trip()


def test_a_wrong_value_is_located_at_its_cell(tmp_path: Path) -> None:
    v = "chongming-2023"
    path = filled(tmp_path, v, {cell(v, "self_found"): 2, cell(v, "self_rectified"): 3,
                                cell(v, "typical_cases"): 1, cell(v, "typical_cases", True): 2,
                                MONTH_CELL: "2023-05", SUBMITTED_CELL: "2023-05-26"})  # the series' first month
    report = engine.check_file(path)
    located = {(x.rule, x.location) for x in report.violations}
    assert located == {
        ("form.rectified-within-found", f"{SHEET}!{cell(v, 'self_rectified')}"),
        ("form.part-within-whole", f"{SHEET}!{cell(v, 'typical_cases', True)}"),
    }
    assert report.path == str(path)


def test_the_cli_reads_workbooks_in_folders_and_skips_excel_lock_files(tmp_path: Path,
                                                                       capsys: pytest.CaptureFixture[str]) -> None:
    v = "linyi-lingang-2023"
    filled(tmp_path, v, {cell(v, "self_found"): 1, cell(v, "self_rectified"): 5, MONTH_CELL: "2023年5月",
                         SUBMITTED_CELL: date(2023, 5, 26)}, name="lingang.xlsx")
    (tmp_path / "~$lingang.xlsx").write_bytes(b"\0" * 165)  # what Excel leaves beside an open workbook
    code = main(["check", str(tmp_path)])
    out, err = capsys.readouterr()
    assert code == 1, err
    assert f"form.rectified-within-found  {SHEET}!{cell(v, 'self_rectified')}" in out
    assert "~$" not in out + err


def test_template_command_writes_a_form_and_will_not_overwrite(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "form.xlsx"
    assert main(["template", "dispatch-form", "--variant", "linyi-lingang-2023", "-o", str(out)]) == 0
    assert load_workbook(out)[SHEET]["A1"].value == load_template("linyi-lingang-2023").title
    before = out.read_bytes()
    assert main(["template", "dispatch-form", "--variant", "linyi-lingang-2023", "-o", str(out)]) == 2
    assert out.read_bytes() == before
    assert main(["template", "dispatch-form", "--variant", "nowhere-2023", "-o", str(tmp_path / "x.xlsx")]) == 2
    assert not (tmp_path / "x.xlsx").exists()
    assert "nowhere-2023" in capsys.readouterr().err


def test_template_command_names_what_it_cannot_write(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / "a-folder").mkdir()
    for output, extra in ((tmp_path / "missing" / "form.xlsx", []), (tmp_path / "a-folder", ["--force"])):
        assert main(["template", "dispatch-form", "--variant", "linyi-lingang-2023", "-o", str(output), *extra]) == 2
        err = capsys.readouterr().err
        assert err.startswith(f"zhifa: cannot write the form to {output}: ") and "Traceback" not in err
    assert sorted(p.name for p in tmp_path.rglob("*")) == ["a-folder"]


V = "chongming-2023"
BAD_CELLS = [
    ({cell(V, "self_found"): "十"}, cell(V, "self_found"), "expected a whole number ≥ 0, got “十”"),
    ({cell(V, "self_found"): -1}, cell(V, "self_found"), "expected a whole number ≥ 0, got -1"),
    ({cell(V, "spot_checked"): 2.5}, cell(V, "spot_checked"), "expected a whole number ≥ 0, got 2.5"),
    ({cell(V, "self_found"): 10**10}, cell(V, "self_found"), "expected a number ≤ 1000000000, got 10000000000"),
    ({cell(V, "spot_checked"): "3人"}, cell(V, "spot_checked"), "got “3人”"),  # not the item's unit (家)
    ({cell(V, "media_column"): "可能"}, cell(V, "media_column"), "expected 是 or 否"),
    ({cell(V, "self_found", True): 4}, cell(V, "self_found", True), "item 1 has one figure"),
    ({SUBMITTED_CELL: "2023年2月30日"}, SUBMITTED_CELL, "no such date"),
    ({SUBMITTED_CELL: "下周"}, SUBMITTED_CELL, "expected a date"),
    ({MONTH_CELL: "六月"}, MONTH_CELL, "expected a month such as 2023年6月, got “六月”"),
    ({MONTH_CELL: "2023年13月"}, MONTH_CELL, "no such month: “2023年13月”"),  # as typed, not as rewritten
    ({MONTH_CELL: "２０２３年0月"}, MONTH_CELL, "no such month: “２０２３年0月”"),
    ({MONTH_CELL: None}, MONTH_CELL, "调度月份"),
    ({UNIT_CELL: None}, UNIT_CELL, "单位"),
    ({MEMBERS_CELL: "竖新镇、竖新镇"}, MEMBERS_CELL, "listed more than once"),
    ({f"C{layout(V).rows['penalties']}": "罚款"}, f"C{layout(V).rows['penalties']}", "expected the label of item 3"),
    ({cell(V, "self_found"): "=1+1"}, cell(V, "self_found"), "formula with no computed value"),
]


@pytest.mark.parametrize(("typed", "where", "message"), BAD_CELLS, ids=[b[1] + ":" + b[2][:20] for b in BAD_CELLS])
def test_bad_cells_are_errors_that_name_the_cell(tmp_path: Path, typed: dict[str, object], where: str, message: str) -> None:
    path = filled(tmp_path, V, typed)
    with pytest.raises(LoadError) as caught:
        read_form(path)
    assert caught.value.file == str(path)
    assert [p.path for p in caught.value.problems] == [f"{SHEET}!{where}"]
    assert message in caught.value.problems[0].message


def test_every_bad_cell_is_reported_at_once(tmp_path: Path) -> None:
    path = filled(tmp_path, V, {cell(V, "self_found"): "十", cell(V, "media_column"): "不", SUBMITTED_CELL: "x"})
    with pytest.raises(LoadError) as caught:
        read_form(path)
    assert len(caught.value.problems) == 3


def test_a_form_is_recognised_by_its_title_when_the_hidden_sheet_is_gone(tmp_path: Path) -> None:
    path = filled(tmp_path, "linyi-lingang-2023", {cell("linyi-lingang-2023", "self_found"): 1})
    book = load_workbook(path)
    del book["zhifa"]
    book.save(path)
    assert read_form(path).variant == "linyi-lingang-2023"
    book[SHEET]["A1"] = "某某调度表"
    book.save(path)
    with pytest.raises(LoadError, match="matches no known dispatch form"):
        read_form(path)


def _zip(parts: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in parts.items():
            archive.writestr(name, data)
    return buffer.getvalue()


@pytest.mark.parametrize(("content", "message"), [
    (b"this is not a workbook", "not an .xlsx workbook"),
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 504, "password-protected or in the old .xls format"),
    (_zip({"bomb.xml": b"\0" * (MAX_UNPACKED_BYTES + 1)}), "the limits are"),
    (_zip({f"part{k}.xml": b"" for k in range(MAX_PARTS + 1)}), "the limits are"),
    (_zip({"[Content_Types].xml": b"<Types/>"}), "cannot read the workbook"),
], ids=["not-zip", "encrypted", "zip-bomb", "too-many-parts", "not-a-workbook"])
def test_unreadable_workbooks_are_refused_before_parsing(tmp_path: Path, content: bytes, message: str) -> None:
    path = tmp_path / "form.xlsx"
    path.write_bytes(content)
    with pytest.raises(LoadError, match=message) as caught:
        read_form(path)
    assert caught.value.file == str(path)


def test_the_shipped_excel_example_is_read_as_typed_and_located_by_cell() -> None:
    path = Path("examples/campaigns/excel/城桥镇-2023-05.xlsx")
    form = read_form(path)
    assert form.value("self_found") == 3 and form.value("self_rectified") == 4  # typed "３" and "4个"
    assert form.value("leader_not_leading_checks") == 2 and form.value("media_column") is False
    report = engine.check_file(path)
    assert [(v.rule, v.location) for v in report.violations] == [
        ("form.rectified-within-found", f"{SHEET}!{cell(V, 'self_rectified')}"),
        ("form.part-within-whole", f"{SHEET}!{cell(V, 'typical_cases', True)}"),
    ]


def test_findings_in_a_workbook_are_listed_row_by_row(tmp_path: Path) -> None:
    found_rectified = (("self_found", "self_rectified"), ("department_found", "department_rectified"),
                       ("supervised_found", "supervised_rectified"))
    typed: dict[str, object] = {MONTH_CELL: "2023-05", SUBMITTED_CELL: "2023-05-26"}
    for found, rectified in found_rectified:
        typed[cell(V, found)], typed[cell(V, rectified)] = 1, 2
    report = engine.check_file(filled(tmp_path, V, typed))
    rows = [layout(V).rows[r] for _, r in found_rectified]
    assert rows[-1] >= 10 > rows[0], "rows on both sides of 10, so text order would differ"
    assert [v.location for v in report.violations] == [f"{SHEET}!{FIGURE}{row}" for row in rows]


@pytest.mark.parametrize("typed", ["3²", "4²", "0.5²", "1⁰", "⑤", "𝟑", "٣", "三"])
def test_a_figure_in_digits_that_are_not_full_width_is_refused_not_made_up(tmp_path: Path, typed: str) -> None:
    """Only full-width forms are folded: NFKC read 3² as 32, ⑤ as 5 and 𝟑 as 3."""
    at = cell(V, "penalties", second=True)  # money: decimals allowed, so 0.5² is not refused for its point
    path = filled(tmp_path, V, {at: typed})
    assert problems_reading(path) == [f"{SHEET}!{at}: expected a number ≥ 0, got “{typed}”"]


def test_full_width_figures_and_labels_are_still_read(tmp_path: Path) -> None:
    path = filled(tmp_path, V, {cell(V, "self_found"): "３", cell(V, "spot_checked"): "２家",
                                cell(V, "penalties"): "１", cell(V, "penalties", True): "０．５"})
    form = read_form(path)
    assert (form.value("self_found"), form.value("spot_checked")) == (3, 2)
    assert form.value("penalties") == CountAmount(1, Decimal("0.5"))


@pytest.mark.parametrize("variant", variants())
def test_the_forms_cells_are_those_the_template_writes_and_those_to_fill(tmp_path: Path, variant: str) -> None:
    path = tmp_path / "blank.xlsx"
    write_template(variant, path)
    sheet = load_workbook(path)[SHEET]
    written = {c.coordinate for row in sheet.iter_rows() for c in row if c.value is not None}
    shape = layout(variant)
    to_fill = {f"{column}{row}" for row in shape.rows.values() for column in (FIGURE, SECOND)}
    assert form_cells(variant) == written | to_fill | {UNIT_CELL, SUBMITTED_CELL, MONTH_CELL, MEMBERS_CELL}


@pytest.mark.parametrize("at", ["G5", "E37", "F37", "A45", "H1", "G3", "Z99"])
def test_a_figure_outside_the_forms_cells_is_an_error_naming_the_cell(tmp_path: Path, at: str) -> None:
    """A figure beside its column, or in the spare row below the items, would be read as if
    nothing were there."""
    path = filled(tmp_path, V, {at: 3})
    assert problems_reading(path) == [
        f"{SHEET}!{at}: a value outside the form's cells, got 3; each item's figure goes in column E of its row "
        f"(F for the second figure of a paired item)"]


def test_labels_and_headings_may_be_retyped_and_blank_cells_anywhere_are_blank(tmp_path: Path) -> None:
    path = filled(tmp_path, V, {"A2": "填报单位", "D2": "报送时间", "C3": None, "A38": "注：见通知", "G5": "  "})
    assert read_form(path).unit == "城桥镇"


def test_a_formula_outside_the_forms_cells_is_an_error_naming_the_cell(tmp_path: Path) -> None:
    path = filled(tmp_path, V, {"G5": "=1+2"})
    with pytest.raises(LoadError) as caught:
        read_form(path)
    assert [p.path for p in caught.value.problems] == [f"{SHEET}!G5"]


# ---------------------------------------------------------------- names as written, cell limits

CLEAN = Path("examples/campaigns/chongming-2023/clean")
#: Characters names are written with that a reader might be tempted to fold: full-width brackets,
#: letters, digits and punctuation, their ASCII look-alikes, and a formula's ``=``.
NAME_CHARACTERS = "城桥镇新河港沿区安委会办公室应急局（）【】〔〕《》Ａａ１－＝：．·()[]Aa1-=:.＃#／/"


def _names(separators: bool) -> st.SearchStrategy[str]:
    """Names as the loaders take them: not blank, no spaces around them, in NFC (these are)."""
    extra = "、，；,;" if separators else ""
    inner = st.text(alphabet=NAME_CHARACTERS + extra + " \u3000", max_size=8)
    return st.builds(lambda first, middle, last: first + middle + last,
                     st.sampled_from(NAME_CHARACTERS), inner, st.sampled_from(NAME_CHARACTERS))


def _base_form() -> DispatchForm:
    form = load_document(CLEAN / "城桥镇-2023-05.yaml")
    assert isinstance(form, DispatchForm)
    return form


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(unit=_names(separators=True), members=st.lists(_names(separators=False), max_size=4, unique=True))
def test_names_round_trip_through_excel_as_written(tmp_path: Path, unit: str, members: list[str]) -> None:
    """``（区应急局）`` is not ``(区应急局)``, nor ``Ａ公司`` ``A公司``: full-width forms are folded in
    figures only, and a name is read as written."""
    form = attrs.evolve(_base_form(), unit=unit, members=tuple(m for m in members if m != unit))
    path = tmp_path / "names.xlsx"
    write_form(form, path)
    assert read_form(path) == form


@pytest.mark.parametrize("unit", ["崇明区安委会办公室（区应急局）", "Ａ公司", "城桥镇（东）", "=1+2"])
def test_a_typed_unit_is_read_as_written(tmp_path: Path, unit: str) -> None:
    assert read_form(filled(tmp_path, V, {UNIT_CELL: f"  {unit}\u3000"})).unit == unit


def test_the_members_cell_is_split_at_its_separators_only(tmp_path: Path) -> None:
    # 堡　镇: a space inside a name separates nothing (城桥　镇 would be the form's own unit, 城桥镇)
    path = filled(tmp_path, V, {MEMBERS_CELL: "新河镇（东）、Ａ公司，港沿镇;竖新镇\n堡　镇"})
    assert read_form(path).members == ("新河镇（东）", "Ａ公司", "港沿镇", "竖新镇", "堡　镇")


@pytest.mark.parametrize("separator", ["、", "，", ",", "；", ";"])
def test_a_member_holding_a_separator_is_refused_when_written_naming_the_cell(tmp_path: Path, separator: str) -> None:
    form = attrs.evolve(_base_form(), members=(f"上海某甲{separator}乙联合体", "港沿镇"))
    with pytest.raises(ValueError, match=f"{SHEET}!{MEMBERS_CELL}: the member '上海某甲{separator}乙联合体' holds"):
        write_form(form, tmp_path / "f.xlsx")
    assert not (tmp_path / "f.xlsx").exists()


def test_a_campaign_with_a_full_width_name_is_as_clean_with_a_form_in_excel(tmp_path: Path) -> None:
    """The clean Chongming campaign with 城桥镇 renamed 城桥镇（东）, its May form filled in Excel."""
    for source in CLEAN.iterdir():
        (tmp_path / source.name).write_text(source.read_text(encoding="utf-8").replace("城桥镇", "城桥镇（东）"),
                                            encoding="utf-8")
    form_file = tmp_path / "城桥镇-2023-05.yaml"
    write_form(load_document(form_file), tmp_path / "城桥镇-2023-05.xlsx")  # type: ignore[arg-type]
    form_file.unlink()
    results = engine.check_files(sorted(tmp_path.iterdir()))
    assert all(isinstance(r, engine.Report) for r in results)
    assert [v.rule for r in results if isinstance(r, engine.Report) for v in r.violations] == []


def _with_cells(tmp_path: Path, count: int, first_row: int = 100, sheets: str = "xl/worksheets/") -> Path:
    """The shipped example with ``count`` more cells, one per row below the form, each holding 1;
    its sheets' parts under ``sheets`` (the relationships and content types saying so)."""
    source = Path("examples/campaigns/excel/城桥镇-2023-05.xlsx")
    path = tmp_path / f"cells-{count}.xlsx"
    buffer = io.BytesIO()
    with zipfile.ZipFile(source) as src, zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as out:
        for info in src.infolist():
            data = src.read(info)
            if info.filename == "xl/worksheets/sheet1.xml":
                rows = "".join(f'<row r="{first_row + k}"><c r="H{first_row + k}"><v>1</v></c></row>' for k in range(count))
                data = data.replace(b"</sheetData>", rows.encode() + b"</sheetData>")
            if info.filename in ("xl/_rels/workbook.xml.rels", "[Content_Types].xml"):
                data = data.replace(b"worksheets/", sheets.removeprefix("xl/").encode())
            info.filename = info.filename.replace("xl/worksheets/", sheets)
            out.writestr(info, data)
    path.write_bytes(buffer.getvalue())
    return path


@pytest.mark.parametrize("sheets", ["xl/worksheets/", "xl/ws/", "other/"])
def test_a_workbook_of_more_cells_than_the_limit_is_refused_before_it_is_read(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, sheets: str) -> None:
    """Wherever its sheets are: openpyxl reads the parts the workbook's relationships name."""
    path = _with_cells(tmp_path, MAX_CELLS, sheets=sheets)
    def never(*_: object, **__: object) -> None:
        raise AssertionError("openpyxl read a workbook over the cell limit")
    monkeypatch.setattr("openpyxl.load_workbook", never)
    with pytest.raises(LoadError) as caught:
        read_form(path)
    (problem,) = caught.value.problems
    assert caught.value.file == str(path)
    assert problem.message.startswith("the workbook's sheets hold ") and f"the limit is {MAX_CELLS}" in problem.message


def test_sheets_moved_elsewhere_are_still_read_and_their_cells_counted(tmp_path: Path) -> None:
    """The moved workbook is one openpyxl reads (so the refusal above is the limit's, not a damaged file's)."""
    with pytest.raises(LoadError) as caught:
        read_form(_with_cells(tmp_path, 3, sheets="xl/ws/"))
    assert [p.path for p in caught.value.problems] == [f"{SHEET}!H100", f"{SHEET}!H101", f"{SHEET}!H102"]


@pytest.mark.parametrize("separator", ["\u2028", "\u2029", "\x85"])
@pytest.mark.parametrize("cell", [UNIT_CELL, MEMBERS_CELL])
def test_a_name_ending_in_a_separator_the_loaders_refuse_is_refused_in_excel(tmp_path: Path, separator: str, cell: str) -> None:
    """str.strip() would drop it and read 新河镇: a file's name ending so is refused, and so is a cell's."""
    book = load_workbook("examples/campaigns/excel/城桥镇-2023-05.xlsx")
    book[SHEET][cell] = "新河镇" + separator
    book.save(path := tmp_path / "form.xlsx")
    with pytest.raises(LoadError) as caught:
        read_form(path)
    assert [p.path.removesuffix("[0]") for p in caught.value.problems] == [f"{SHEET}!{cell}"]


@pytest.mark.parametrize("space", [" ", "\u3000", "\xa0", "\t", "\n"])
def test_spaces_and_line_breaks_around_a_name_in_excel_are_still_dropped(tmp_path: Path, space: str) -> None:
    book = load_workbook("examples/campaigns/excel/城桥镇-2023-05.xlsx")
    book[SHEET][UNIT_CELL] = space + "城桥镇" + space
    book.save(path := tmp_path / "form.xlsx")
    assert read_form(path).unit == "城桥镇"


def test_values_outside_the_form_are_listed_up_to_a_bound_and_the_rest_counted(tmp_path: Path) -> None:
    path = _with_cells(tmp_path, MAX_OUTSIDE_REPORTED + 7)
    with pytest.raises(LoadError) as caught:
        read_form(path)
    problems = caught.value.problems
    assert len(problems) == MAX_OUTSIDE_REPORTED + 1
    assert [p.path for p in problems[:2]] == [f"{SHEET}!H100", f"{SHEET}!H101"]
    assert str(problems[-1]) == (f"{SHEET}: and 7 more values outside the form's cells, not listed "
                                 f"(the first {MAX_OUTSIDE_REPORTED} are)")


# ---------------------------------------------------------------- one sheet, its printed cells, its merges


@pytest.mark.parametrize("title", ["城桥镇6月", "Sheet1"])
def test_a_form_on_a_renamed_sheet_is_refused_naming_the_sheets_found(tmp_path: Path, title: str) -> None:
    """Findings are located on 调度表 (调度表!E6): read from another sheet, they would point at a
    sheet the workbook does not have."""
    path = filled(tmp_path, V, {cell(V, "self_found"): 3, cell(V, "self_rectified"): 4})
    book = load_workbook(path)
    book[SHEET].title = title
    book.save(path)
    assert problems_reading(path) == [
        f"the workbook has no sheet {SHEET}, the form's; its sheets are {title}, zhifa. "
        f"Rename the form's sheet back to {SHEET}"]


def _with_sheet(path: Path, make: object) -> Path:
    book = load_workbook(path)
    make(book)  # type: ignore[operator]
    book.save(path)
    return path


def _copy_of_the_form(book: Any) -> None:
    copy = book.copy_worksheet(book[SHEET])  # “调度表 Copy”, holding the title first
    copy[MONTH_CELL], copy[cell(V, "self_found")] = "2023年7月", 9


def _notes(book: Any) -> None:
    book.create_sheet("补充说明")["B4"] = "另有2个隐患正在核实"


def _formula_only(book: Any) -> None:
    book.create_sheet("计算")["C2"] = "=调度表!E5*2"


@pytest.mark.parametrize(("make", "where", "got"), [
    (_copy_of_the_form, f"{SHEET} Copy!A1", f"“{load_template(V).title}”"),
    (_notes, "补充说明!B4", "“另有2个隐患正在核实”"),
    (_formula_only, "计算!C2", "“=调度表!E5*2”"),
], ids=["copied-form", "notes", "formula"])
def test_a_value_on_another_sheet_is_an_error_naming_the_sheet_and_its_first_cell(
        tmp_path: Path, make: object, where: str, got: str) -> None:
    path = _with_sheet(filled(tmp_path, V, {cell(V, "self_found"): 3}), make)
    assert problems_reading(path) == [
        f"{where}: a value on a sheet other than the form's, got {got}; only the sheet {SHEET} is read, and this "
        f"one would be lost: give each form a workbook of its own, and delete other sheets"]


def test_a_blank_sheet_beside_the_form_is_no_error(tmp_path: Path) -> None:
    def blank(book: Any) -> None:
        book.create_sheet("Sheet2")["C3"].font = Font(bold=True)  # styled, holding nothing
        book.create_sheet("Sheet3")["A1"] = "  "

    path = _with_sheet(filled(tmp_path, V, {cell(V, "self_found"): 3}), blank)
    assert read_form(path).value("self_found") == 3


PRINTED = [
    ({"D5": "3个"}, "D5", "item 1's unit（单位）: expected “个” or blank, got “3个”"),
    ({"D5": 3}, "D5", "item 1's unit（单位）: expected “个” or blank, got 3"),
    ({"B6": "2（含1个在建）"}, "B6", "item 2's number（序号）: expected “2” or blank, got “2（含1个在建）”"),
    ({"D21": "2次；1.5万元"}, "D21", "item 3's unit（单位）: expected “次；万元” or blank, got “2次；1.5万元”"),
    ({"C3": "竖新镇、港沿镇"}, "C3", "the header's hint: expected “（填 2023年6月 之类；汇总表在右侧列出所汇总的单位，"
                              "用顿号分隔）” or blank, got “竖新镇、港沿镇”; the month goes in B3 (调度月份), the units a "
                              "roll-up adds up in E3 (汇总单位)"),
]


@pytest.mark.parametrize(("typed", "where", "message"), PRINTED, ids=[p[1] + ":" + str(p[0][p[1]]) for p in PRINTED])
def test_a_figure_typed_into_a_printed_cell_is_an_error_naming_the_cell(
        tmp_path: Path, typed: dict[str, object], where: str, message: str) -> None:
    """The 序号 and 单位 columns and the header's hint are printed; a figure or a roll-up's members
    typed there would be lost."""
    path = filled(tmp_path, V, {cell(V, "self_found"): 3, **typed})
    with pytest.raises(LoadError) as caught:
        read_form(path)
    assert [p.path for p in caught.value.problems] == [f"{SHEET}!{where}"]
    assert caught.value.problems[0].message.startswith(message)


def test_printed_cells_may_be_retyped_in_full_width_or_with_spaces_or_cleared(tmp_path: Path) -> None:
    path = filled(tmp_path, V, {"B5": "１", "B6": 2.0, "D5": " 个 ", "D21": "次;万元", "B7": None, "D7": None,
                                "C3": "（填 2023年6月之类；汇总表在右侧列出所汇总的单位，用顿号分隔）", cell(V, "self_found"): 3})
    form = read_form(path)
    assert (form.value("self_found"), form.members) == (3, ())


@pytest.mark.parametrize("merged", ["E5:E6", "E21:F21", "E5:F5", "D5:E5", "E36:E40"])
def test_merged_cells_over_an_items_figure_are_an_error_naming_the_range(tmp_path: Path, merged: str) -> None:
    """E5:E6 merged holding 3 was read as 1.1 = 3 and 1.2 blank."""
    first = merged.split(":")[0]
    path = filled(tmp_path, V, {first: 3})
    _with_sheet(path, lambda book: book[SHEET].merge_cells(merged))
    with pytest.raises(LoadError) as caught:
        read_form(path)
    assert [str(p) for p in caught.value.problems if ":" in p.path] == [
        f"{SHEET}!{merged}: merged cells over an item's figure and other cells: only {first} would be read; "
        f"unmerge them and type each figure in its own cell"]


def test_merged_cells_away_from_the_figures_are_read(tmp_path: Path) -> None:
    path = filled(tmp_path, V, {cell(V, "self_found"): 3})
    _with_sheet(path, lambda book: book[SHEET].merge_cells("B5:B6"))  # over two printed numbers: nothing lost
    assert read_form(path).value("self_found") == 3


def test_a_styled_cell_at_the_sheets_far_corner_is_read_quickly(tmp_path: Path) -> None:
    """Formulas were looked for over the sheet's whole rectangle: 17 billion cells for this one."""
    book = load_workbook("examples/campaigns/excel/城桥镇-2023-05.xlsx")
    book[SHEET]["XFD1048576"].font = Font(bold=True)
    book.save(path := tmp_path / "form.xlsx")

    def too_slow(*_: object) -> None:
        raise TimeoutError("read_form took over 20 s")

    signal.signal(signal.SIGALRM, too_slow)
    signal.alarm(20)
    try:
        assert read_form(path).unit == "城桥镇"
    finally:
        signal.alarm(0)


def _computed(path: Path, computed: dict[str, str]) -> Path:
    """The workbook with each formula given its computed value as Excel saves it (``<c r="F26"
    t="str"><f>…</f><v></v></c>`` for the text ""): openpyxl writes formulas without one."""
    with zipfile.ZipFile(path) as source:
        parts = {info.filename: source.read(info) for info in source.infolist()}
    sheet = parts["xl/worksheets/sheet1.xml"].decode()
    for where, xml in computed.items():
        sheet, found = re.subn(rf'<c r="{where}"([^>]*)><f>(.*?)</f><v\s*/></c>', rf'<c r="{where}"\1{xml}', sheet)
        assert found == 1, where
    parts["xl/worksheets/sheet1.xml"] = sheet.encode()
    path.write_bytes(_zip(parts))
    return path


def test_a_formula_computing_empty_text_is_a_blank_cell(tmp_path: Path) -> None:
    """=IF(E26="","",…) left blank: saving it again in Excel gives the same "", so it is read as blank."""
    part, whole = cell(V, "typical_cases", True), cell(V, "typical_cases")
    path = filled(tmp_path, V, {whole: "=1+1", part: f'=IF({whole}>5,1,"")'})
    _computed(path, {whole: ' t="n"><f>1+1</f><v>2</v></c>', part: f' t="str"><f>IF({whole}&gt;5,1,"")</f><v></v></c>'})
    assert read_form(path).value("typical_cases") == WholePart(whole=Decimal(2), part=None)


@pytest.mark.parametrize("neither", [{}, {"count": None}, {"count": None, "amount": None}])
def test_a_paired_item_with_neither_figure_is_blank_and_round_trips(tmp_path: Path, neither: dict[str, object]) -> None:
    """``penalties: {}`` was CountAmount(None, None), and read back from Excel (two blank cells) None."""
    data = document_data(_base_form())
    data["values"]["penalties"] = neither
    form = document_from_data(data, "form.yaml")
    assert isinstance(form, DispatchForm) and form.value("penalties") is None
    assert form == attrs.evolve(form, values={**form.values, "penalties": CountAmount()})
    write_form(form, path := tmp_path / "form.xlsx")
    assert read_form(path) == form
