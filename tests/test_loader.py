"""Loading plan files: every error names the file and the field; nothing is ignored or guessed."""

from __future__ import annotations

import copy
import io
import json
import os
from datetime import date, datetime, time
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import given
from hypothesis import strategies as st

import engine
from forms import MAX_FILE_BYTES, LoadError, document_from_data, load_document, parse, plan_from_data, read_data, unstructure
from forms.convert import _expand_unknown_fields
from forms.errors import Problem, hidden_in, hidden_in_name, shown
from tests.conftest import floats

EXAMPLE = Path("examples/plans/chongming-2024.yaml")


@pytest.fixture
def chongming() -> dict:
    return read_data(EXAMPLE)


def problems_of(data: dict, tmp_path: Path, suffix: str = ".json") -> list[str]:
    path = tmp_path / f"plan{suffix}"
    data = floats(data)
    path.write_text(json.dumps(data, ensure_ascii=False) if suffix == ".json" else yaml.safe_dump(data, allow_unicode=True),
                    encoding="utf-8")
    with pytest.raises(LoadError) as caught:
        load_document(path)
    assert caught.value.file == str(path)
    assert all(line.startswith(f"{path}: ") for line in str(caught.value).splitlines())
    return [str(p) for p in caught.value.problems]


def test_a_chinese_numeral_in_a_monthly_cell_is_named_by_its_path(chongming: dict, tmp_path: Path) -> None:
    chongming["schedule"]["rows"][3]["monthly"][7] = "十"
    assert problems_of(chongming, tmp_path) == ['schedule.rows[3].monthly[7]: expected a whole number ≥ 0, got "十"']


@pytest.mark.parametrize(("value", "shown"), [(-1, "-1"), (2.5, "2.5"), (True, "True"), ("12", '"12"')])
def test_counts_must_be_whole_numbers(chongming: dict, tmp_path: Path, value: object, shown: str) -> None:
    chongming["items"][3]["planned"] = value
    assert problems_of(chongming, tmp_path) == [f"items[3].planned: expected a whole number ≥ 0, got {shown}"]


def test_unknown_fields_are_errors_not_ignored(chongming: dict, tmp_path: Path) -> None:
    chongming["totals"]["joint"] = 4
    chongming["items"][0]["colour"] = "red"
    assert problems_of(chongming, tmp_path) == ["totals.joint: unknown field", "items[0].colour: unknown field"]


def test_a_load_error_must_name_a_problem() -> None:
    """An error with nothing to say would stop a command and print nothing."""
    with pytest.raises(ValueError, match="names no problem"):
        LoadError("plan.yaml", [])


def test_an_unknown_field_whose_keys_are_not_found_is_still_reported() -> None:
    """The unknown keys are looked up in cattrs' error tree; a problem they are not found for stays as it came."""
    unknown = Problem("parameters['min_joint_share']", "unknown field")
    assert _expand_unknown_fields(ValueError("no tree"), [unknown]) == [unknown]


def test_every_problem_is_reported_at_once(chongming: dict, tmp_path: Path) -> None:
    del chongming["issuer"]
    chongming["items"][1]["category"] = "重点"
    chongming["key_units"]["units"][5]["new"] = "是"
    chongming["issued"] = "2024-02-30"
    chongming["year"] = "2024"
    chongming["jurisdiction"] = 2024
    found = problems_of(chongming, tmp_path)
    assert 'year: expected a whole number, got "2024"' in found
    assert "jurisdiction: expected text, got the number 2024: write it as text, quoted ('2024')" in found
    assert "issuer: required field is missing" in found
    assert 'items[1].category: expected one of key, general, got "重点"' in found
    assert 'key_units.units[5].new: expected true or false, got "是"' in found
    assert 'issued: no such date: "2024-02-30" (day is out of range for month)' in found


def test_references_must_resolve(chongming: dict, tmp_path: Path) -> None:
    chongming["items"][0]["group"] = "nowhere"
    chongming["items"][1]["covers"] = ["二", "十五"]
    chongming["schedule"]["rows"][0]["monthly"] = [1, 2, 3]
    chongming["items"][4]["id"] = chongming["items"][3]["id"]
    found = problems_of(chongming, tmp_path)
    assert "items[0].group: unknown group 'nowhere'" in found
    assert "items[1].covers[1]: unknown key-unit category '十五'" in found
    assert "schedule.rows[0].monthly: expected 12 months, got 3" in found
    assert any("'period-hazchem' is used 2 times" in p for p in found)


def test_a_category_covered_twice_by_one_item_is_refused(chongming: dict, tmp_path: Path) -> None:
    # Its units would count twice towards what the item must plan (plan.key-unit-coverage).
    chongming["items"][1]["covers"] = ["二", "三", "二", "二"]
    assert problems_of(chongming, tmp_path) == ["items[1].covers[2]: key-unit category '二' is listed more than once",
                                                "items[1].covers[3]: key-unit category '二' is listed more than once"]


def test_a_unit_sampled_twice_by_one_item_is_refused(chongming: dict, tmp_path: Path) -> None:
    # Names are compared as plan.sample-excludes-key-units compares them: whitespace removed.
    chongming["items"][0]["sampled_units"] = ["上海某甲有限公司", "上海某乙有限公司", "上海某甲 有限公司"]
    chongming["items"][2]["sampled_units"] = ["上海某甲有限公司"]  # another item may sample it too
    assert problems_of(chongming, tmp_path) == [
        "items[0].sampled_units[2]: sampled unit '上海某甲 有限公司' is listed more than once"]


def test_an_item_drawn_from_outside_the_key_units_covers_none(chongming: dict, tmp_path: Path) -> None:
    # Its sample comes from the other enterprises (三、（一）“对其他企业以抽查方式开展一般检查”): its
    # checks cannot be the yearly full-coverage checks of key units, so they may not count as such.
    sample = next(k for k, i in enumerate(chongming["items"]) if i["id"] == "industry-sample")
    assert "outside-key-units" in chongming["items"][sample]["tags"]
    chongming["items"][sample]["covers"] = ["十四"]
    assert problems_of(chongming, tmp_path) == [
        f"items[{sample}].covers: an item tagged outside-key-units draws its sample from outside the key units, "
        "so its checks cannot cover a key-unit category: drop covers or the tag"]


@pytest.mark.parametrize(("part", "field"), [("schedule", "rows"), ("key_units", "units"), ("key_units", "categories")])
def test_an_empty_schedule_or_key_unit_list_is_refused(chongming: dict, tmp_path: Path, part: str, field: str) -> None:
    # An empty list would leave the rules reading it nothing to check, and so pass them unchecked.
    chongming[part][field] = []
    found = problems_of(chongming, tmp_path)
    assert f"{part}.{field}: an empty list: leave {part} out if the plan has none" in found


def test_a_groups_row_beside_its_items_rows_is_refused(chongming: dict, tmp_path: Path) -> None:
    # A subtotal row (专项执法检查 84) would count its items' checks twice in every column and total.
    rows = chongming["schedule"]["rows"]
    items = [k for k, row in enumerate(rows) if row["ref"].startswith("special-")]
    monthly = [sum(rows[k]["monthly"][m] or 0 for k in items) or None for m in range(12)]
    rows.append({"ref": "special", "monthly": monthly, "stated_total": 84})
    assert problems_of(chongming, tmp_path) == [
        f"schedule.rows[{len(rows) - 1}].ref: group 'special' has a row, and so do its items "
        f"({', '.join(f'rows[{k}]' for k in items)}): give the group's row or its items' rows, not both"]


def test_month_numbers_are_checked(chongming: dict, tmp_path: Path) -> None:
    unit = chongming["key_units"]["units"][0]["name"]
    chongming["schedule"]["unit_visits"] = [{"unit": unit, "month": 13}, {"unit": unit, "month": 0}]
    assert problems_of(chongming, tmp_path) == [
        "schedule.unit_visits[0].month: expected a month 1–12, got 13",
        "schedule.unit_visits[1].month: expected a month 1–12, got 0",
    ]


def test_a_visit_names_a_key_unit_as_the_list_is_matched(chongming: dict, tmp_path: Path) -> None:
    """A visit to 林德气体(上海)… is one to key unit 林德气体（上海）…, as the engine matches them: the
    loader refused it as no key unit of the plan while the engine counted it."""
    linde = "林德气体（上海）有限公司长兴岛分公司"
    assert linde in [u["name"] for u in chongming["key_units"]["units"]]
    chongming["schedule"]["unit_visits"] = [{"unit": "林德气体(上海)有限公司 长兴岛分公司", "month": 3},
                                            {"unit": "林德气体（上海）有限公司", "month": 4}]
    assert problems_of(chongming, tmp_path) == [
        "schedule.unit_visits[1].unit: not a key unit of this plan: '林德气体（上海）有限公司'"]


def test_kind_is_required_and_known(chongming: dict, tmp_path: Path) -> None:
    del chongming["kind"]
    known = "annual-plan, dispatch-form, enterprise-record, campaign-steps"
    assert problems_of(chongming, tmp_path) == [f"kind: required field is missing; expected one of {known}"]
    chongming["kind"] = "plan"
    assert problems_of(chongming, tmp_path) == [f'kind: expected one of {known}, got "plan"']


def one_problem(path: Path) -> str:
    with pytest.raises(LoadError) as caught:
        load_document(path)
    assert len(caught.value.problems) == 1
    return str(caught.value.problems[0])


def test_duplicate_keys_are_refused_in_yaml_and_json(tmp_path: Path) -> None:
    (tmp_path / "a.yaml").write_text("kind: annual-plan\nyear: 2024\nyear: 2025\n", encoding="utf-8")
    assert "duplicate key 'year'" in one_problem(tmp_path / "a.yaml")
    (tmp_path / "a.json").write_text('{"kind": "annual-plan", "year": 2024, "year": 2025}', encoding="utf-8")
    assert one_problem(tmp_path / "a.json") == "year: invalid JSON at line 1 column 39: duplicate key 'year'"


@pytest.mark.parametrize(("text", "problem"), [
    ('{"items": [{"id": "a"},\n {"id": "b", "planned": 1,\n  "planned" : 2}]}',
     "items[1].planned: invalid JSON at line 3 column 3: duplicate key 'planned'"),
    # The first repeat in the text, though the object holding it ends after another's.
    ('{"a": 1, "b": {"c": 1, "c": 2}, "a": 2}', "b.c: invalid JSON at line 1 column 24: duplicate key 'c'"),
    ('{"k\\"ey": 1, "k\\"ey": 2}', 'k"ey: invalid JSON at line 1 column 14: duplicate key \'k"ey\''),
    # Read no further than the first reading: a later error leaves the repeat unplaced.
    ('{"x": {"a": 1, "a": 2}, "b": [}', "invalid JSON: duplicate key 'a'"),
])
def test_a_key_repeated_in_json_is_named_by_its_field_line_and_column(tmp_path: Path, text: str, problem: str) -> None:
    (tmp_path / "a.json").write_text(text, encoding="utf-8")
    assert one_problem(tmp_path / "a.json") == problem


@pytest.mark.parametrize(("name", "text", "problem"), [
    ("a.json", '{"note": "1e99999999999999999999",\n "amount": 1e99999999999999999999}',
     "invalid JSON at line 2 column 12: the number 1e999999999999999999… is out of range"),  # not the text's copy
    ("a.json", '{"amount": -1.5E-99999999999999999999}',
     "invalid JSON at line 1 column 12: the number -1.5E-99999999999999… is out of range"),
    ("a.yaml", "note: x\namount: 1.0e+99999999999999999999\n",
     "invalid YAML at line 2 column 9: the number 1.0e+999999999999999… is out of range"),
])
def test_a_number_whose_exponent_no_decimal_holds_is_refused_where_it_stands(
        tmp_path: Path, name: str, text: str, problem: str) -> None:
    """decimal.InvalidOperation, raised while the text was read, stopped the command with a traceback."""
    (tmp_path / name).write_text(text, encoding="utf-8")
    assert one_problem(tmp_path / name) == problem


def test_yaml_aliases_are_refused(tmp_path: Path) -> None:
    bomb = "a: &a [x, x]\nb: &b [*a, *a]\nc: [*b, *b]\n"
    (tmp_path / "bomb.yaml").write_text(bomb, encoding="utf-8")
    assert "aliases" in one_problem(tmp_path / "bomb.yaml")


def test_unsafe_yaml_tags_are_refused(tmp_path: Path) -> None:
    (tmp_path / "tag.yaml").write_text("kind: !!python/object/apply:os.system ['true']\n", encoding="utf-8")
    assert "invalid YAML" in one_problem(tmp_path / "tag.yaml")


@pytest.mark.parametrize(("name", "content", "expected"), [
    ("empty.yaml", b"  \n", "file is empty"),
    ("latin.yaml", "kind: annual-plan\nissuer: 崇明".encode("gb18030"), "not UTF-8"),
    ("broken.json", b'{"kind": "annual-plan", ', "invalid JSON at line 1"),
    ("broken.yaml", b"kind: [annual-plan\n", "invalid YAML at the end of the file (line 1)"),
    ("unclosed.yaml", b"kind: [annual-plan\nyear: 2024\n", "invalid YAML at line 2 column 5"),
    ("deep.yaml", b"kind: " + b"[" * 5000 + b"]" * 5000 + b"\n", "nested more than 64 deep"),
    ("deep.json", b'{"kind": ' + b"[" * 100_000 + b"]" * 100_000 + b"}", "invalid JSON: lists and objects nested too deep"),
    ("plan.txt", b"kind: annual-plan\n", "unsupported file type .txt"),
    ("list.yaml", b"- 1\n- 2\n", "expected a mapping at the top level, got a list"),
])
def test_unreadable_files_say_why(tmp_path: Path, name: str, content: bytes, expected: str) -> None:
    (tmp_path / name).write_bytes(content)
    assert expected in one_problem(tmp_path / name)


def test_missing_and_oversized_files(tmp_path: Path) -> None:
    assert one_problem(tmp_path / "absent.yaml") == "no such file or folder"
    big = tmp_path / "big.yaml"
    big.write_bytes(b"#" * (MAX_FILE_BYTES + 1))
    assert f"the limit is {MAX_FILE_BYTES}" in one_problem(big)


def test_a_folder_is_not_a_file(tmp_path: Path) -> None:
    folder = tmp_path / "plan.yaml"
    folder.mkdir()
    assert one_problem(folder) == "not a regular file (a folder); give the document's file"


def _measured_as(monkeypatch: pytest.MonkeyPatch, size: int) -> None:
    """Make every opened file measure ``size`` bytes: a file that grew after it was measured."""
    real = os.fstat

    def fstat(fd: int) -> os.stat_result:
        measured = list(real(fd))
        measured[6] = size  # st_size
        return os.stat_result(measured)

    monkeypatch.setattr(os, "fstat", fstat)


@pytest.mark.parametrize("measured", [0, 10])  # 0: what a pipe or a /proc file measures
def test_a_file_that_measured_less_than_it_holds_is_read_whole(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, measured: int) -> None:
    path = tmp_path / "plan.yaml"
    path.write_text(EXAMPLE.read_text(encoding="utf-8"), encoding="utf-8")
    _measured_as(monkeypatch, measured)
    assert read_data(path) == read_data(EXAMPLE)


def test_a_file_that_grows_past_the_limit_is_not_read_past_it(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    big = tmp_path / "big.yaml"
    big.write_bytes(b"#" * (MAX_FILE_BYTES + 10))
    _measured_as(monkeypatch, 10)
    asked: list[int] = []

    class Counted(io.FileIO):
        def read(self, size: int = -1) -> bytes:
            asked.append(size)
            return super().read(size)

    monkeypatch.setattr(parse, "open", lambda path, *_, **__: Counted(path), raising=False)
    assert one_problem(big).endswith(f"file holds more than the limit of {MAX_FILE_BYTES} bytes (it measured 10 when opened)")
    assert -1 not in asked and sum(asked) <= MAX_FILE_BYTES + 1


def test_plan_from_data_accepts_data_without_kind(chongming: dict) -> None:
    data = copy.deepcopy(chongming)
    del data["kind"]
    plan = plan_from_data(data)
    assert plan.totals.total == 409
    assert unstructure(plan)["totals"]["key_share"] == 72


def test_a_device_or_a_named_pipe_is_refused_unread(tmp_path: Path) -> None:
    """A link to a device that never ends, and a named pipe no one writes to (opening it would wait
    for ever): neither is a document's file, and neither is read."""
    endless = tmp_path / "plan.yaml"
    endless.symlink_to("/dev/zero")
    assert one_problem(endless) == "not a regular file (a device); give the document's file"
    pipe = tmp_path / "form.yaml"
    os.mkfifo(pipe)
    assert one_problem(pipe) == "not a regular file (a named pipe); give the document's file"


# ---------------------------------------------------------------- the two YAML parsers

#: The strict loader on PyYAML's pure-Python parser, and on libyaml's where PyYAML has it (used then).
LOADERS = [parse._PythonLoader, *([parse._LibyamlLoader] if yaml.__with_libyaml__ else [])]
SHIPPED_YAML = sorted(p for folder in ("examples", "rulebook", "forms/templates") for p in Path(folder).rglob("*.y*ml"))


def test_libyaml_reads_where_pyyaml_has_it() -> None:
    assert parse._StrictLoader is LOADERS[-1]
    assert yaml.__with_libyaml__, "PyYAML without libyaml: the rulebook then loads with the slower pure-Python parser"


@pytest.mark.parametrize("path", SHIPPED_YAML, ids=str)
def test_both_yaml_parsers_read_every_shipped_file_alike(path: Path) -> None:
    text = path.read_text(encoding="utf-8-sig")
    readings = [parse._read_yaml(text, loader) for loader in LOADERS]
    assert readings[0] is not None and all(reading == readings[0] for reading in readings)


_SCALARS = st.none() | st.booleans() | st.integers() | st.text(max_size=8) | st.dates()


def _collections(inner: st.SearchStrategy[object]) -> st.SearchStrategy[object]:
    return st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=5), inner, max_size=3)


@given(data=st.recursive(_SCALARS, _collections, max_leaves=12))
def test_both_yaml_parsers_read_any_data_as_pyyaml_does(data: object) -> None:
    """As PyYAML's own safe loader reads it (which is not always as written: a key "\\x85" is a
    line break to YAML)."""
    text = yaml.safe_dump({"data": floats(data)}, allow_unicode=True)
    expected = yaml.safe_load(text)
    assert all(parse._read_yaml(text, loader) == expected for loader in LOADERS)


@pytest.mark.parametrize("loader", LOADERS)
@pytest.mark.parametrize(("text", "problem", "line"), [
    ("a: &a [x, x]\nb: [*a, *a]\n", "aliases (*name) are not accepted", 2),
    ("a: 1\nb: 2\na: 3\n", "duplicate key 'a'", 3),
    ("a: 1\nb: " + "[" * 65 + "]" * 65 + "\n", "nested more than 64 deep", 2),
    ("a: 1\n[b]: 1\n", "a key must be a name", 2),
    ("a: !!python/name:os.system\n", "could not determine a constructor", 1),
])
def test_both_yaml_parsers_refuse_what_zhifa_refuses(loader: type, text: str, problem: str, line: int) -> None:
    with pytest.raises(yaml.MarkedYAMLError) as caught:
        parse._read_yaml(text, loader)
    assert problem in str(caught.value.problem)
    assert caught.value.problem_mark is not None and caught.value.problem_mark.line + 1 == line


@pytest.mark.parametrize("loader", LOADERS)
def test_both_yaml_parsers_keep_a_date_that_does_not_exist_as_its_text(loader: type) -> None:
    """An unquoted 2023-02-30 is no YAML error by line but the text itself, marked as no date: the
    field holding it names it (a date's as no such date; a text's too, as it was meant as a date)."""
    data = parse._read_yaml("a:\n  b: 2023-02-30\n  c: 0000-05-01\n", loader)
    assert data == {"a": {"b": "2023-02-30", "c": "0000-05-01"}}
    assert [(type(v), v.reason) for v in data["a"].values()] == [
        (parse.NotADate, "day is out of range for month"), (parse.NotADate, "year 0 is out of range")]


def test_nesting_up_to_the_limit_is_read() -> None:
    text = "a: " + "[" * 63 + "1" + "]" * 63 + "\n"
    assert all(parse._read_yaml(text, loader) for loader in LOADERS)


RECORD = Path("examples/campaigns/chongming-2023/clean/台账-上海某冷链物流有限公司.yaml")


@pytest.mark.parametrize(("measures", "refused"), [("加装联锁\n整改期间专人值守", False), ("加装联锁\t整改期间", False),
                                                   ("加装联锁\r整改期间", True), ("加装联锁\x1b[2K", True),
                                                   ("加装联锁\x85", True), ("加装联锁\x7f", True)])
def test_text_may_run_over_lines_but_holds_no_other_control_character(
        tmp_path: Path, measures: str, refused: bool) -> None:
    data = yaml.safe_load(RECORD.read_text(encoding="utf-8"))
    data["hazards"][0]["deferred"]["measures"] = measures
    path = tmp_path / "record.json"
    path.write_text(json.dumps(floats(data), ensure_ascii=False, default=str), encoding="utf-8")
    if not refused:
        assert load_document(path).hazards[0].deferred.measures == measures
        return
    assert one_problem(path) == (f"hazards[0].deferred.measures: expected text without control characters, "
                                 f"got {json.dumps(measures, ensure_ascii=False)}")


@pytest.mark.parametrize("enterprise", ["上海某冷链\n物流有限公司", "上海某冷链\t物流有限公司"])
def test_a_name_is_one_line_without_tabs(tmp_path: Path, enterprise: str) -> None:
    data = yaml.safe_load(RECORD.read_text(encoding="utf-8"))
    data["enterprise"] = enterprise
    path = tmp_path / "record.json"
    path.write_text(json.dumps(floats(data), ensure_ascii=False, default=str), encoding="utf-8")
    assert one_problem(path) == (f"enterprise: expected text without control characters, "
                                 f"got {json.dumps(enterprise, ensure_ascii=False)}")


@pytest.mark.parametrize(("where", "value", "shown"), [
    ("enterprise", "上海某冷链\ud800物流有限公司", "\\ud800"),
    ("hazards[0].deferred.measures", "加装联锁\udfff", "\\udfff"),
])
def test_plain_data_holding_half_a_character_is_refused_as_a_file_is(where: str, value: str, shown: str) -> None:
    """A lone surrogate reaches plain data through ``json.loads`` of a request body (valid JSON);
    a file's loader refuses it, and so does loading the data: no report could be written with it."""
    data = yaml.safe_load(RECORD.read_text(encoding="utf-8"))
    if where == "enterprise":
        data["enterprise"] = value
    else:
        data["hazards"][0]["deferred"]["measures"] = value
    with pytest.raises(LoadError) as caught:
        document_from_data(data, "body.json")
    (problem,) = caught.value.problems
    assert problem.path == where and f"half of a character (a lone surrogate {shown})" in problem.message
    str(caught.value).encode("utf-8")  # printable, as every problem is


def test_a_key_holding_half_a_character_is_named_printably() -> None:
    data = yaml.safe_load(RECORD.read_text(encoding="utf-8"))
    data["x\ud800"] = 1
    with pytest.raises(LoadError) as caught:
        document_from_data(data, "body.json")
    assert "x\\ud800" in str(caught.value)
    str(caught.value).encode("utf-8")


def _record_json(tmp_path: Path, change: Any) -> Path:
    data = yaml.safe_load(RECORD.read_text(encoding="utf-8"))
    change(data)
    path = tmp_path / "record.json"
    path.write_text(json.dumps(data, ensure_ascii=False, default=str), encoding="utf-8")
    return path


@pytest.mark.parametrize(("hidden", "escape", "named"), [
    ("\u200b", "\\u200b", "U+200B ZERO WIDTH SPACE"), ("\ufeff", "\\ufeff", "U+FEFF ZERO WIDTH NO-BREAK SPACE"),
    ("\u202e", "\\u202e", "U+202E RIGHT-TO-LEFT OVERRIDE"), ("\u00ad", "\\xad", "U+00AD SOFT HYPHEN"),
    ("\u2028", "\\u2028", "U+2028 LINE SEPARATOR"), ("\u2029", "\\u2029", "U+2029 PARAGRAPH SEPARATOR"),
    ("\U000e0001", "\\U000e0001", "U+E0001 LANGUAGE TAG"),
    # default-ignorable, and printable to str.isprintable(): they got through its fast path
    ("\u3164", "\\u3164", "U+3164 HANGUL FILLER"), ("\u034f", "\\u034f", "U+034F COMBINING GRAPHEME JOINER"),
    ("\ufe0f", "\\ufe0f", "U+FE0F VARIATION SELECTOR-16"), ("\U000e0100", "\\U000e0100", "U+E0100 VARIATION SELECTOR-17"),
    ("\u115f", "\\u115f", "U+115F HANGUL CHOSEONG FILLER"), ("\u1160", "\\u1160", "U+1160 HANGUL JUNGSEONG FILLER"),
    ("\uffa0", "\\uffa0", "U+FFA0 HALFWIDTH HANGUL FILLER"),
    ("\u180b", "\\u180b", "U+180B MONGOLIAN FREE VARIATION SELECTOR ONE"),
    ("\u17b4", "\\u17b4", "U+17B4 KHMER VOWEL INHERENT AQ"),
    # default-ignorable and not yet assigned
    ("\u2065", "\\u2065", "U+2065 unassigned"), ("\U000e0fff", "\\U000e0fff", "U+E0FFF unassigned"),
])
@pytest.mark.parametrize("field", ["enterprise", "spot_check.by"])
def test_a_name_holding_an_invisible_character_is_refused_showing_it(
        tmp_path: Path, hidden: str, escape: str, named: str, field: str) -> None:
    """"城桥镇\\u200b" prints as 城桥镇 but would be another unit: its forms a second series."""
    def change(data: dict[str, Any]) -> None:
        if field == "enterprise":
            data["enterprise"] = "上海某冷链" + hidden + "物流有限公司"
        else:
            data["spot_check"]["by"] = "城桥镇" + hidden
    value = "上海某冷链" + escape + "物流有限公司" if field == "enterprise" else "城桥镇" + escape
    assert one_problem(_record_json(tmp_path, change)) == (
        f"{field}: expected a name without invisible characters (format characters, line or paragraph "
        f'separators, default-ignorable characters), got "{value}" ({named})')


@pytest.mark.parametrize(("nonchar", "escape"), [("\uffff", "\\uffff"), ("\ufffe", "\\ufffe"), ("\ufdd0", "\\ufdd0"),
                                                 ("\U0010ffff", "\\U0010ffff")])
def test_text_holding_a_noncharacter_is_refused(tmp_path: Path, nonchar: str, escape: str) -> None:
    """A noncharacter is no text to exchange, and an .xlsx or XML report cannot hold U+FFFE/U+FFFF."""
    def change(data: dict[str, Any]) -> None:
        data["hazards"][0]["description"] = "氨气泄漏" + nonchar
    assert one_problem(_record_json(tmp_path, change)).startswith(
        f'hazards[0].description: expected text without noncharacters, got "氨气泄漏{escape}" (U+')


def test_windows_line_breaks_in_text_are_line_breaks(tmp_path: Path) -> None:
    def change(data: dict[str, Any]) -> None:
        data["hazards"][0]["description"] = "第一行\r\n第二行\r\n"
    record = load_document(_record_json(tmp_path, change))
    assert record.hazards[0].description == "第一行\n第二行\n"  # type: ignore[union-attr]


#: 港沿镇 as PDF extraction may give it: 港 as the CJK compatibility ideograph U+2F908, which NFC makes 港.
COMPATIBLE = "\U0002f908沿镇"


@pytest.mark.parametrize(("path", "where"), [
    ("examples/campaigns/chongming-2023/clean/崇明区安委会办公室-2023-05-汇总.yaml", ("members", 3)),
    ("examples/campaigns/chongming-2023/clean/城桥镇-2023-05.yaml", ("unit",)),
    ("examples/campaigns/chongming-2023/clean/城桥镇-阶段工作.yaml", ("unit",)),
    (str(RECORD), ("enterprise",)),
    (str(RECORD), ("spot_check", "by")),
    ("examples/plans/chongming-2024.yaml", ("key_units", "units", 0, "name")),
    ("examples/plans/chongming-2024.yaml", ("key_units", "units", 0, "township")),
])
@pytest.mark.parametrize("suffix", [".yaml", ".json", "data"])
def test_names_are_read_in_nfc_by_every_loader(tmp_path: Path, path: str, where: tuple[Any, ...], suffix: str) -> None:
    data = yaml.safe_load(Path(path).read_text(encoding="utf-8"))
    holder = data
    for key in where[:-1]:
        holder = holder[key]
    holder[where[-1]] = COMPATIBLE
    if suffix == "data":
        document: Any = document_from_data(json.loads(json.dumps(data, default=str)))
    else:
        file = tmp_path / f"doc{suffix}"
        text = (yaml.safe_dump(data, allow_unicode=True) if suffix == ".yaml"
                else json.dumps(data, ensure_ascii=False, default=str))
        file.write_text(text, encoding="utf-8")
        document = load_document(file)
    for key in where:
        document = document[key] if isinstance(key, int) else getattr(document, key)
    assert document == "港沿镇"


def test_a_roll_up_listing_a_member_in_another_spelling_adds_it_up(tmp_path: Path) -> None:
    clean = Path("examples/campaigns/chongming-2023/clean")
    for source in clean.iterdir():
        (tmp_path / source.name).write_text(source.read_text(encoding="utf-8"), encoding="utf-8")
    rollup = tmp_path / "崇明区安委会办公室-2023-05-汇总.yaml"
    rollup.write_text(rollup.read_text(encoding="utf-8").replace("港沿镇]", COMPATIBLE + "]"), encoding="utf-8")
    assert COMPATIBLE in rollup.read_text(encoding="utf-8")
    results = engine.check_files(sorted(tmp_path.iterdir()))
    assert [v.rule for r in results if isinstance(r, engine.Report) for v in r.violations] == []
    assert all(isinstance(r, engine.Report) for r in results)


def test_the_fast_path_for_printable_names_misses_no_invisible_character() -> None:
    """forms.errors.hidden_in tests str.isprintable() first: every character it calls hidden in a
    name is found, printable or not."""
    for code in range(0x110000):
        char = chr(code)
        assert (hidden_in("城桥镇" + char) == [char]) is hidden_in_name(char), f"U+{code:04X}"


@pytest.mark.parametrize(("value", "written"), [
    (date(2023, 5, 1), "2023-05-01 (a date)"),
    (datetime(2023, 5, 26, 10, 0), "2023-05-26 10:00:00 (a date and time)"),
    (time(10, 0), "10:00:00 (a time)"),
])
def test_a_date_or_a_time_is_shown_in_iso_form_not_as_python_writes_it(value: object, written: str) -> None:
    """``month: 2023-05-01`` was “got datetime.date(2023, 5, 1)”, an Excel time “datetime.time(10, 0)”."""
    assert shown(value) == written
