"""Dispatch forms in Excel: the blank form a clerk fills in, and a filled copy read back.

The sheet keeps the seed's layout: the title; the unit and date header (``___（单位）  时间：``); a
table of sections, numbered items, labels verbatim and units; the notes below. zhifa adds two
header cells the seed leaves implicit: the month the cumulative figures cover (调度月份) and, on a
roll-up, the units it adds up (汇总单位). A hidden sheet records the variant.

Reading tolerates what people type in figures: full-width digits, a trailing unit (``3家``), 是/否,
dates as Excel dates or ``2023年6月27日``. Names (the unit, the members) are read as written, only
spaces around them dropped. A blank cell is *not reported* (``None``), never 0. Anything else is a
:class:`~forms.errors.LoadError` naming the cell (``调度表!E12``). Only the sheet 调度表 is read, and
findings are located on it: a value on any other sheet but the hidden one is an error too. Workbooks are read only after
size, zip and cell-count checks (no zip bombs), with defusedxml guarding the XML.
"""

from __future__ import annotations

import io
import re
import unicodedata
import warnings
import zipfile
from datetime import date, datetime
from decimal import Decimal
from functools import cache
from pathlib import Path
from typing import Any

import attrs

from forms.dispatch import CountAmount, DispatchForm, FormItem, FormTemplate, ItemShape, WholePart, load_template, variants
from forms.errors import LoadError, Problem, shown
from forms.parse import read_bytes

SHEET = "调度表"
META_SHEET = "zhifa"
LAYOUT_VERSION = "dispatch-form/1"

UNIT_CELL, SUBMITTED_CELL = "B2", "E2"
MONTH_CELL, MEMBERS_CELL = "B3", "E3"
HINT_CELL = "C3"
#: What the hint beside the month says, as :func:`write_template` writes it.
HINT = "（填 2023年6月 之类；汇总表在右侧列出所汇总的单位，用顿号分隔）"
HEADER_ROW, FIRST_ITEM_ROW = 4, 5
FIGURE, SECOND = "E", "F"  # the item's figure; the amount or 其中 part of a paired item

#: Largest total size of a workbook's unpacked parts, and most parts. A filled form is ~20 KB
#: unpacked; these bounds stop zip bombs before openpyxl inflates anything.
MAX_UNPACKED_BYTES = 32 * 1024 * 1024
MAX_PARTS = 256
#: Most cells a workbook's sheets may hold, counted in their XML before openpyxl reads any. A form
#: has about 200 (the template's, styled or filled); 600 000 one-character cells fit in the byte
#: limits and took openpyxl 84 s and 1.4 GB to read.
MAX_CELLS = 20_000
#: Most cells outside the form's cells reported one by one; the rest are counted in one problem.
MAX_OUTSIDE_REPORTED = 20

_OLE_SIGNATURE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # encrypted xlsx and legacy .xls
_YEAR_MONTH = re.compile(r"^([0-9]{4})\s*[-年/.]\s*([0-9]{1,2})\s*月?$")
_DATE = re.compile(r"^([0-9]{4})\s*[-年/.]\s*([0-9]{1,2})\s*[-月/.]\s*([0-9]{1,2})\s*日?$")
_NUMBER = re.compile(r"^[0-9]+(\.[0-9]+)?$")
#: What separates the units in the members cell (汇总单位) — 、 as the template's hint says, and the
#: commas, semicolons and line breaks people also type. A member's name cannot hold one, as it would
#: be read back as two (write_form refuses such a name).
MEMBER_SEPARATORS = "、,，;；\n"
_MEMBER_SEPARATOR = re.compile(f"[{MEMBER_SEPARATORS}]")
#: Where a worksheet's XML opens a cell (``<c r="E5">``, or ``<x:c …>`` under a prefix).
_CELL_TAG = re.compile(rb"<(?:[A-Za-z_][\w.-]*:)?c[\s/>]")
_YES, _NO = "是", "否"


@attrs.frozen
class Layout:
    """Where each part of a variant's form sits on the sheet."""

    template: FormTemplate
    rows: dict[str, int]  # item key → its row

    @property
    def notes_row(self) -> int:
        return FIRST_ITEM_ROW + len(self.rows) + 1

    def cell_of(self, pointer: str) -> str:
        """The cell a JSON pointer into the form's data refers to (``/values/penalties/amount`` → ``F17``)."""
        parts = pointer.strip("/").split("/")
        head = parts[0]
        if head == "values" and len(parts) > 1 and parts[1] in self.rows:
            second = len(parts) > 2 and parts[2] in ("amount", "part")
            return f"{SECOND if second else FIGURE}{self.rows[parts[1]]}"
        return {"unit": UNIT_CELL, "submitted": SUBMITTED_CELL, "month": MONTH_CELL, "members": MEMBERS_CELL}.get(head, "A1")


@cache
def layout(variant: str) -> Layout:
    template = load_template(variant)
    keys = [item.key for _, item in template.items()]
    return Layout(template, {key: FIRST_ITEM_ROW + k for k, key in enumerate(keys)})


def locate(form: DispatchForm, pointer: str) -> str:
    """A violation's place in a form read from Excel, as ``Sheet!Cell``: always on ``调度表``,
    as :func:`read_form` reads no other sheet."""
    return f"{SHEET}!{layout(form.variant).cell_of(pointer)}"


# ---------------------------------------------------------------- writing


def _unit_text(item: FormItem) -> str:
    return f"{item.unit}；{item.amount_unit}" if item.amount_unit else item.unit


def _sheet_for(variant: str) -> tuple[Any, Any]:
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
    from openpyxl.worksheet.datavalidation import DataValidation

    shape = layout(variant)
    template = shape.template
    book = Workbook()
    sheet = book.active
    sheet.title = SHEET
    thin = Side(style="thin")
    border = Border(left=thin, right=thin, top=thin, bottom=thin)
    wrap = Alignment(wrap_text=True, vertical="center")
    centre = Alignment(horizontal="center", vertical="center", wrap_text=True)
    to_fill = PatternFill("solid", fgColor="FFF9E5")
    unused = PatternFill("solid", fgColor="D9D9D9")
    for column, width in zip("ABCDEF", (16, 6, 58, 10, 12, 12), strict=True):
        sheet.column_dimensions[column].width = width

    sheet.merge_cells("A1:F1")
    sheet["A1"] = template.title
    sheet["A1"].font = Font(bold=True, size=14)
    sheet["A1"].alignment = centre
    header = {"A2": "（单位）", "D2": "时间", "A3": "调度月份", "D3": "汇总单位"}
    for cell, text in header.items():
        sheet[cell] = text
        sheet[cell].font = Font(bold=True)
    sheet.merge_cells("B2:C2")
    sheet.merge_cells("E2:F2")
    sheet.merge_cells("E3:F3")
    for cell in (UNIT_CELL, SUBMITTED_CELL, MONTH_CELL, MEMBERS_CELL):
        sheet[cell].fill = to_fill
    sheet[SUBMITTED_CELL].number_format = "yyyy年m月d日"
    sheet[HINT_CELL] = HINT
    sheet[HINT_CELL].font = Font(italic=True, color="808080", size=9)

    for column, text in zip("ABCDEF", ("类别", "序号", "项目", "单位", "数量", "金额/其中"), strict=True):
        cell = sheet[f"{column}{HEADER_ROW}"]
        cell.value, cell.font, cell.alignment, cell.border = text, Font(bold=True), centre, border

    yes_no = DataValidation(type="list", formula1=f'"{_YES},{_NO}"', allow_blank=True)
    sheet.add_data_validation(yes_no)
    for section in template.sections:
        first = shape.rows[section.items[0].key]
        last = shape.rows[section.items[-1].key]
        sheet[f"A{first}"] = section.name
        if last > first:
            sheet.merge_cells(f"A{first}:A{last}")
        sheet[f"A{first}"].alignment = centre
        for item in section.items:
            row = shape.rows[item.key]
            values = (None, item.number, item.label, _unit_text(item))
            for column, value in zip("ABCD", values, strict=True):
                cell = sheet[f"{column}{row}"]
                if value is not None:
                    cell.value = value
                cell.border, cell.alignment = border, centre if column != "C" else wrap
            paired = item.shape in (ItemShape.COUNT_AMOUNT, ItemShape.WHOLE_PART)
            sheet[f"{FIGURE}{row}"].fill = to_fill
            sheet[f"{SECOND}{row}"].fill = to_fill if paired else unused
            for column in (FIGURE, SECOND):
                sheet[f"{column}{row}"].border = border
            if item.shape is ItemShape.YES_NO:
                yes_no.add(f"{FIGURE}{row}")
    for k, note in enumerate(template.notes):
        row = shape.notes_row + k
        sheet.merge_cells(f"A{row}:F{row}")
        sheet[f"A{row}"] = note
        sheet[f"A{row}"].alignment = Alignment(wrap_text=True, vertical="top")
        sheet.row_dimensions[row].height = 15 * (1 + len(note) // 45)

    meta = book.create_sheet(META_SHEET)
    meta["A1"], meta["B1"] = "variant", variant
    meta["A2"], meta["B2"] = "layout", LAYOUT_VERSION
    meta.sheet_state = "hidden"
    return book, sheet


def write_template(variant: str, path: str | Path) -> None:
    """Write the blank dispatch form of a variant (see :func:`forms.dispatch.variants`)."""
    book, _ = _sheet_for(variant)
    book.save(Path(path))


def _number_out(value: Decimal | int | None) -> int | float | None:
    if value is None or isinstance(value, int):
        return value
    return int(value) if value == value.to_integral_value() else float(value)


def _as_text(cell: Any, text: str) -> None:
    """Put a name in a cell as text: openpyxl would store ``=1+2`` as a formula, read back as blank."""
    cell.value = text
    cell.data_type = "s"


def write_form(form: DispatchForm, path: str | Path) -> None:
    """Write a filled form in the variant's layout; :func:`read_form` reads it back to an equal form.
    A member whose name holds a separator of the members cell (:data:`MEMBER_SEPARATORS`) cannot
    be written so: ValueError naming the cell."""
    for member in form.members:
        if found := _MEMBER_SEPARATOR.search(member):
            raise ValueError(f"{SHEET}!{MEMBERS_CELL}: the member {member!r} holds {found.group()!r}, which separates "
                             f"the units in this cell, and would be read back as two; keep this form in YAML or JSON")
    book, sheet = _sheet_for(form.variant)
    shape = layout(form.variant)
    _as_text(sheet[UNIT_CELL], form.unit)
    year, month = form.month.split("-")
    sheet[MONTH_CELL] = f"{int(year)}年{int(month)}月"
    if form.submitted is not None:
        sheet[SUBMITTED_CELL] = form.submitted
    if form.members:
        _as_text(sheet[MEMBERS_CELL], "、".join(form.members))
    for key, row in shape.rows.items():
        value = form.value(key)
        first: Any
        second: Any = None
        if isinstance(value, bool):
            first = _YES if value else _NO
        elif isinstance(value, CountAmount):
            first, second = value.count, _number_out(value.amount)
        elif isinstance(value, WholePart):
            first, second = _number_out(value.whole), _number_out(value.part)
        else:
            first = value
        sheet[f"{FIGURE}{row}"] = first
        sheet[f"{SECOND}{row}"] = second
    book.save(Path(path))


# ---------------------------------------------------------------- reading


def _shown(value: Any) -> str:
    return f"“{value}”" if isinstance(value, str) else shown(value)


#: Full-width forms (``３``, ``（``, ``Ａ``) and the ideographic space, as the ASCII they stand for.
#: Nothing else is folded: NFKC would also read ``3²`` as 32, ``⑤`` as 5 and ``𝟑`` as 3, numbers
#: nobody wrote; left as they are, they are refused as figures.
_FULL_WIDTH = {code: code - 0xFEE0 for code in range(0xFF01, 0xFF5F)} | {0x3000: 0x20}


def _folded(text: str) -> str:
    return text.translate(_FULL_WIDTH)


def _text(value: Any) -> str | None:
    """A cell's text as people mean it in a figure, a date, a label: full-width forms folded,
    trimmed; blank is None. Not for names (:func:`_name`)."""
    if value is None:
        return None
    text = _folded(str(value)).strip()
    return text or None


#: What :func:`_name` drops around a name: the white space str.strip() drops, but for the line and
#: paragraph separators (U+2028, U+2029) and the control characters among it other than tabs and
#: line breaks (U+0085, U+001C–U+001F, \v, \f): the loaders refuse those in a name, and a cell's name
#: ending in one is refused as a file's is, not read as another name.
_SPACES = "".join(c for c in map(chr, range(0x3001)) if c.isspace() and (c in "\t\n\r" or unicodedata.category(c) == "Zs"))


def _name(value: Any) -> str | None:
    """A name from a cell as written: spaces around it dropped, as YAML drops them around a plain
    value; blank is None. ``（区应急局）`` and ``Ａ公司`` are other names than ``(区应急局)`` and ``A公司``."""
    if value is None:
        return None
    return str(value).strip(_SPACES) or None


def _figure(value: Any, units: tuple[str, ...], whole: bool) -> int | float | None:
    """A figure from a cell: a number, or text of digits (full-width allowed, a trailing unit allowed)."""
    kind = "a whole number ≥ 0" if whole else "a number ≥ 0"
    if isinstance(value, bool):
        raise ValueError(f"expected {kind}, got {value!r}")
    if isinstance(value, (int, float)):
        number = Decimal(str(value))
    else:
        text = _text(value)
        if text is None:
            return None
        bare = text
        for unit in units:
            bare = bare.removesuffix(unit).strip()
        if not _NUMBER.match(bare):
            raise ValueError(f"expected {kind}, got {_shown(value)}")
        number = Decimal(bare)
    if not number.is_finite() or number < 0 or (whole and number != number.to_integral_value()):
        raise ValueError(f"expected {kind}, got {_shown(value)}")
    return int(number) if number == number.to_integral_value() else float(number)


def _yes_no(value: Any) -> bool | None:
    if isinstance(value, bool):
        return value
    text = _text(value)
    if text is None:
        return None
    if text in (_YES, _NO):
        return text == _YES
    raise ValueError(f"expected {_YES} or {_NO}, got {_shown(value)}")


def _year_month(value: Any) -> str | None:
    if isinstance(value, (datetime, date)):
        return f"{value.year}-{value.month:02d}"
    if isinstance(value, (int, float)) and not isinstance(value, bool):  # 2023.10 typed is stored as 2023.1
        raise ValueError(f"expected the month as text (2023年6月) or a date; the number {value!r} cannot "
                         f"say which month it means")
    text = _text(value)
    if text is None:
        return None
    match = _YEAR_MONTH.match(text)
    if not match:
        raise ValueError(f"expected a month such as 2023年6月, got {_shown(value)}")
    if not 1 <= int(match.group(2)) <= 12:
        raise ValueError(f"no such month: {_shown(value)}")
    if int(match.group(1)) < 1:  # a date has no year 0: the month's deadline could not be dated
        raise ValueError(f"no such month: {_shown(value)} (there is no year 0000)")
    return f"{match.group(1)}-{int(match.group(2)):02d}"


def _date(value: Any) -> date | str | None:
    if isinstance(value, datetime):
        if value.time() != datetime.min.time():  # as YAML and JSON refuse one: a date is compared as a day
            raise ValueError(f"expected a date without a time, got {value.isoformat(sep=' ')}; "
                             f"type the day alone ({value.year}年{value.month}月{value.day}日)")
        return value.date()
    if isinstance(value, date):
        return value
    text = _text(value)
    if text is None:
        return None
    match = _DATE.match(text)
    if not match:
        raise ValueError(f"expected a date such as 2023年6月27日, got {_shown(value)}")
    try:
        return date(int(match.group(1)), int(match.group(2)), int(match.group(3)))
    except ValueError:
        raise ValueError(f"no such date: {_shown(value)}") from None


def _unpacked_safely(path: Path) -> bytes:
    """The workbook's bytes, once size and archive checks pass."""
    name = str(path)
    raw = read_bytes(path)
    if raw.startswith(_OLE_SIGNATURE):
        raise LoadError(name, [Problem("", "the workbook is password-protected or in the old .xls format; "
                                           "save it as an unprotected .xlsx workbook")])
    try:
        with zipfile.ZipFile(io.BytesIO(raw)) as archive:
            parts = archive.infolist()
    except zipfile.BadZipFile:
        raise LoadError(name, [Problem("", "not an .xlsx workbook (not a zip archive, or a damaged one)")]) from None
    except NotImplementedError as exc:  # zipfile's word for a zip it cannot open (a version, a method)
        raise LoadError(name, [Problem("", f"not an .xlsx workbook zhifa can open ({exc})")]) from None
    except Exception as exc:  # zipfile on untrusted input: a part's name flagged UTF-8 that is not, …
        raise LoadError(name, [Problem("", f"not an .xlsx workbook (a damaged zip archive: {type(exc).__name__}: "
                                           f"{exc})")]) from None
    unpacked = sum(p.file_size for p in parts)
    if len(parts) > MAX_PARTS or unpacked > MAX_UNPACKED_BYTES:
        raise LoadError(name, [Problem("", f"the workbook unpacks to {len(parts)} parts and {unpacked} bytes; "
                                           f"the limits are {MAX_PARTS} parts and {MAX_UNPACKED_BYTES} bytes")])
    cells = _cells_in(raw, name)
    if cells > MAX_CELLS:
        raise LoadError(name, [Problem("", f"the workbook's sheets hold {cells} cells; the limit is {MAX_CELLS} "
                                           f"(a dispatch form has about 200)")])
    return raw


def _cells_in(raw: bytes, name: str) -> int:
    """How many cells the workbook's parts hold, counted without parsing them: openpyxl's cost is
    per cell, and the byte limits alone let a workbook hold 600 000. The parts are at most
    MAX_UNPACKED_BYTES together (checked before), and zipfile reads no more than a part declares."""
    count = 0
    try:
        with zipfile.ZipFile(io.BytesIO(raw)) as archive:
            for part in archive.infolist():
                # Every part, not only xl/worksheets/*.xml: openpyxl reads as a sheet whatever part
                # the workbook's relationships name (xl/ws/a.bin), and no other part's XML opens a <c>
                count += len(_CELL_TAG.findall(archive.read(part)))
    except Exception as exc:  # zipfile on untrusted input (a bad CRC, a header offset before the file): unusable
        raise LoadError(name, [Problem("", f"cannot read the workbook: {type(exc).__name__}: {exc}")]) from None
    return count


def _open(raw: bytes, name: str, data_only: bool) -> Any:
    from openpyxl import load_workbook

    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # openpyxl warns about Excel features it does not keep
            return load_workbook(io.BytesIO(raw), data_only=data_only, keep_links=False)
    except Exception as exc:  # a third-party parser on untrusted input: any failure is unusable input
        raise LoadError(name, [Problem("", f"cannot read the workbook: {type(exc).__name__}: {exc}")]) from None


def _variant_of(book: Any, sheet: Any, name: str) -> str:
    if META_SHEET in book.sheetnames:
        declared = _text(book[META_SHEET]["B1"].value)
        if declared in variants():
            return str(declared)
        known = ", ".join(variants())
        raise LoadError(name, [Problem(f"{META_SHEET}!B1", f"unknown form variant {_shown(declared)}; known: {known}")])
    title = re.sub(r"\s+", "", _text(sheet["A1"].value) or "")
    for variant in variants():
        if re.sub(r"\s+", "", load_template(variant).title) == title:
            return variant
    raise LoadError(name, [Problem(f"{sheet.title}!A1", "the title matches no known dispatch form "
                                                        f"({', '.join(variants())}); start from `zhifa template dispatch-form`")])


@cache
def form_cells(variant: str) -> frozenset[str]:
    """The cells of a variant's form: those :func:`write_template` writes (the title, the headings
    and hint, the table's header, sections, numbers, labels and units, the notes) and those to
    fill in. Anything typed anywhere else is a figure that would be lost."""
    shape = layout(variant)
    template = shape.template
    headings = {"A1", "A2", "D2", "A3", "D3", HINT_CELL, *(f"{column}{HEADER_ROW}" for column in "ABCDEF")}
    sections = {f"A{shape.rows[section.items[0].key]}" for section in template.sections}
    items = {f"{column}{row}" for row in shape.rows.values() for column in ("B", "C", "D", FIGURE, SECOND)}
    notes = {f"A{shape.notes_row + k}" for k in range(len(template.notes))}
    return frozenset(headings | sections | items | notes | {UNIT_CELL, SUBMITTED_CELL, MONTH_CELL, MEMBERS_CELL})


def _outside_the_form(sheet: Any, variant: str, formulas: set[str]) -> list[Problem]:
    """A problem for each cell outside the form's cells that holds something (a figure in column
    G, or in the spare row below the items): it would otherwise be read as if it were not there."""
    from openpyxl.utils import get_column_letter

    cells = form_cells(variant)
    problems: list[Problem] = []
    more = 0
    # the cells the sheet holds, not its whole rectangle: one styled cell at XFD1048576 would make that billions
    for (row, column), cell in sorted(sheet._cells.items()):
        where = f"{get_column_letter(column)}{row}"
        if where in cells or (_text(cell.value) is None and where not in formulas):
            continue
        if len(problems) == MAX_OUTSIDE_REPORTED:  # one problem for the rest: thousands of lines say no more
            more += 1
            continue
        problems.append(Problem(f"{sheet.title}!{where}", f"a value outside the form's cells, got {_shown(cell.value)}; "
                                                          f"each item's figure goes in column {FIGURE} of its row "
                                                          f"({SECOND} for the second figure of a paired item)"))
    if more:
        problems.append(Problem(sheet.title, f"and {more} more values outside the form's cells, not listed "
                                             f"(the first {MAX_OUTSIDE_REPORTED} are)"))
    return problems


def _values_on_other_sheets(book: Any) -> list[Problem]:
    """A problem for each sheet but the form's and zhifa's own that holds a value (a copy of the form
    with another month's figures, a sheet of notes), at its first such cell: only the form is read."""
    from openpyxl.utils import get_column_letter

    problems = []
    for other in book.worksheets:
        if other.title in (SHEET, META_SHEET):
            continue
        held = ((place, cell.value) for place, cell in sorted(other._cells.items()) if _text(cell.value) is not None)
        if first := next(held, None):
            (row, column), value = first
            problems.append(Problem(f"{other.title}!{get_column_letter(column)}{row}",
                                    f"a value on a sheet other than the form's, got {_shown(value)}; only the sheet "
                                    f"{SHEET} is read, and this one would be lost: give each form a workbook of its "
                                    f"own, and delete other sheets"))
    return problems


def _merged_over_figures(sheet: Any, shape: Layout) -> list[Problem]:
    """A problem for each merged range over an item's figure and any other cell (E5:E6, E21:F21):
    the range's value is its first cell's, and the other figures would be read as blank."""
    from openpyxl.utils import column_index_from_string

    first, last = FIRST_ITEM_ROW, max(shape.rows.values())
    columns = (column_index_from_string(FIGURE), column_index_from_string(SECOND))
    return [Problem(f"{sheet.title}!{merged.coord}", f"merged cells over an item's figure and other cells: only "
                                                     f"{merged.start_cell.coordinate} would be read; unmerge them "
                                                     f"and type each figure in its own cell")
            for merged in sorted(sheet.merged_cells.ranges, key=lambda r: r.bounds[::-1])
            if merged.size["rows"] * merged.size["columns"] > 1
            and merged.min_row <= last and merged.max_row >= first
            and merged.min_col <= columns[1] and merged.max_col >= columns[0]]


def _printed(value: Any) -> str:
    """A pre-printed cell's text as compared: spaces and full-width forms aside, 1.0 as 1."""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return re.sub(r"\s+", "", _folded(str(value)))




def read_form(path: str | Path) -> DispatchForm:
    """Read a filled dispatch form from an .xlsx workbook written by :func:`write_template`."""
    from forms.convert import document_from_data

    path = Path(path)
    name = str(path)
    raw = _unpacked_safely(path)
    book = _open(raw, name, data_only=True)
    titles = [other.title for other in book.worksheets]
    if SHEET not in titles:  # findings are located on SHEET (locate): a form on another sheet is not read
        found = f"its sheets are {', '.join(titles)}" if titles else "it has no worksheet"
        raise LoadError(name, [Problem("", f"the workbook has no sheet {SHEET}, the form's; {found}. "
                                           f"Rename the form's sheet back to {SHEET}")])
    sheet = book[SHEET]
    variant = _variant_of(book, sheet, name)
    shape = layout(variant)
    problems: list[Problem] = []

    def at(cell: str) -> str:
        return f"{sheet.title}!{cell}"

    def read(cell: str, parse: Any, *args: Any) -> Any:
        value = sheet[cell].value
        # A formula computing "" is kept as t="str" and no text, which openpyxl leaves as data type "str": blank
        if value is None and cell in formulas and sheet[cell].data_type != "str":
            problems.append(Problem(at(cell), "a formula with no computed value; open and save the workbook in "
                                              "Excel, or type the figure"))
            return None
        try:
            return parse(value, *args)
        except ValueError as exc:
            problems.append(Problem(at(cell), str(exc)))
            return None

    def printed(cell: str, text: str, what: str, instead: str) -> None:
        """A pre-printed cell holds its text or nothing: whatever else is typed there would be lost."""
        value = sheet[cell].value
        if _text(value) is not None and _printed(value) != _printed(text):
            problems.append(Problem(at(cell), f"{what}: expected “{text}” or blank, got {_shown(value)}; {instead}"))

    as_typed = _open(raw, name, data_only=False)  # formulas as typed: a blank computed value is not a blank cell
    formulas = {cell.coordinate for cell in as_typed[SHEET]._cells.values() if cell.data_type == "f"}
    printed(HINT_CELL, HINT, "the header's hint", f"the month goes in {MONTH_CELL} (调度月份), the units a roll-up "
                                                  f"adds up in {MEMBERS_CELL} (汇总单位)")
    values: dict[str, Any] = {}
    for _, item in shape.template.items():
        row = shape.rows[item.key]
        label = _text(sheet[f"C{row}"].value) or ""
        if _printed(label) != _printed(item.label):
            problems.append(Problem(at(f"C{row}"), f"expected the label of item {item.number} “{item.label}”; "
                                                   f"rows were moved or changed, got {_shown(label)}"))
            continue
        for column, text, what in (("B", str(item.number), "number（序号）"), ("D", _unit_text(item), "unit（单位）")):
            printed(f"{column}{row}", text, f"item {item.number}'s {what}", f"the item's figure goes in column "
                                                                            f"{FIGURE} ({SECOND} for a second figure)")
        first, second = f"{FIGURE}{row}", f"{SECOND}{row}"
        units = (item.unit,)
        if item.shape is ItemShape.YES_NO:
            values[item.key] = read(first, _yes_no)
        elif item.shape is ItemShape.COUNT:
            values[item.key] = read(first, _figure, units, True)
        elif item.shape is ItemShape.COUNT_AMOUNT:
            count = read(first, _figure, units, item.in_whole_numbers("count"))
            amount = read(second, _figure, (item.amount_unit or "",), item.in_whole_numbers("amount"))
            values[item.key] = {k: v for k, v in (("count", count), ("amount", amount)) if v is not None} or None
        else:
            whole = read(first, _figure, units, item.in_whole_numbers("whole"))
            part = read(second, _figure, units, item.in_whole_numbers("part"))
            values[item.key] = {k: v for k, v in (("whole", whole), ("part", part)) if v is not None} or None
        if item.shape in (ItemShape.COUNT, ItemShape.YES_NO) and _text(sheet[second].value) is not None:
            problems.append(Problem(at(second), f"item {item.number} has one figure, in column {FIGURE}; "
                                                f"got {_shown(sheet[second].value)} here"))

    problems += _outside_the_form(sheet, variant, formulas)
    problems += _merged_over_figures(sheet, shape)
    problems += _values_on_other_sheets(as_typed)
    members = _name(sheet[MEMBERS_CELL].value)
    data: dict[str, Any] = {
        "kind": "dispatch-form",
        "variant": variant,
        "profile": shape.template.profile,
        "unit": _name(sheet[UNIT_CELL].value),
        "month": read(MONTH_CELL, _year_month),
        "submitted": read(SUBMITTED_CELL, _date),
        "members": [m.strip(_SPACES) for m in _MEMBER_SEPARATOR.split(members) if m.strip(_SPACES)] if members else [],
        "values": {k: v for k, v in values.items() if v is not None},
    }
    data = {k: v for k, v in data.items() if v is not None}
    if "unit" not in data:
        problems.append(Problem(at(UNIT_CELL), "the reporting unit（单位）is blank"))
    if "month" not in data and not any(p.path == at(MONTH_CELL) for p in problems):
        problems.append(Problem(at(MONTH_CELL), "the month the figures cover（调度月份）is blank"))
    if problems:
        raise LoadError(name, problems, profile=shape.template.profile)
    try:
        form = document_from_data(data, name)
    except LoadError as exc:  # the model's own checks, placed on the sheet
        raise LoadError(name, [Problem(at(shape.cell_of("/" + p.path.replace(".", "/").split("[")[0])), p.message)
                               for p in exc.problems], profile=shape.template.profile) from None
    assert isinstance(form, DispatchForm)
    return form
