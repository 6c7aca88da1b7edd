"""Regenerate tests/bad_inputs/ (each file a valid example with one thing broken); run from anywhere:

    .venv/bin/python tests/make_bad_inputs.py

The expected outcome of each file is in tests/bad_inputs.yaml (kept by hand)."""

from __future__ import annotations

import io
import json
import subprocess
import zipfile
from datetime import datetime, time
from pathlib import Path

import yaml
from openpyxl import load_workbook

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "tests" / "bad_inputs"
PLAN = (ROOT / "examples/plans/chongming-2024.yaml").read_text(encoding="utf-8")
CM = ROOT / "examples/campaigns/chongming-2023/clean"
LY = ROOT / "examples/campaigns/linyi-lingang-2023/clean"
FORM = (CM / "城桥镇-2023-05.yaml").read_text(encoding="utf-8")
ROLLUP = (CM / "崇明区安委会办公室-2023-05-汇总.yaml").read_text(encoding="utf-8")
LFORM = (LY / "区规划建设局-2023-05.yaml").read_text(encoding="utf-8")
RECORD = (CM / "台账-上海某冷链物流有限公司.yaml").read_text(encoding="utf-8")
STEPS = (CM / "城桥镇-阶段工作.yaml").read_text(encoding="utf-8")
XLSX = ROOT / "examples/campaigns/excel/城桥镇-2023-05.xlsx"

written: list[str] = []


def once(text: str, old: str, new: str) -> str:
    assert text.count(old) == 1, (old, text.count(old))
    return text.replace(old, new)


def put(name: str, content: str | bytes) -> None:
    path = OUT / name
    if isinstance(content, str):
        path.write_text(content, encoding="utf-8")
    else:
        path.write_bytes(content)
    written.append(name)


def as_json(text: str) -> str:
    return json.dumps(yaml.safe_load(text), ensure_ascii=False, indent=2, default=str) + "\n"


# Each file is written over its old self; files this script does not make (those fuzzing found,
# fuzz-*) are kept, and none is removed, so a run stopped half-way loses nothing (git shows what changed).
OUT.mkdir(parents=True, exist_ok=True)

# ------------------------------------------------------------------ plans (chongming-2024)
put("plan-empty.yaml", "")
put("plan-whitespace-only.yaml", "\n   \n# only a comment\n")
put("plan-negative-planned.yaml", once(PLAN, "  planned: 72\n", "  planned: -72\n"))
put("plan-planned-above-cap.yaml", once(PLAN, "  planned: 72\n", "  planned: 1000000001\n"))
put("plan-fractional-planned.yaml", once(PLAN, "  planned: 72\n", "  planned: 72.5\n"))
put("plan-chinese-numeral-planned.yaml", once(PLAN, "  planned: 72\n", "  planned: 七十二\n"))
put("plan-planned-as-quoted-text.yaml", once(PLAN, "  planned: 72\n", "  planned: '72'\n"))
put("plan-year-chinese-numeral.yaml", once(PLAN, "year: 2024\n", "year: 二〇二四\n"))
put("plan-year-fractional.yaml", once(PLAN, "year: 2024\n", "year: 2024.5\n"))
put("plan-total-negative.yaml", once(PLAN, "totals:\n  total: 409\n", "totals:\n  total: -409\n"))
put("plan-key-share-text.yaml", once(PLAN, "  key_share: 72\n", "  key_share: 七十二\n"))
put("plan-key-share-negative.yaml", once(PLAN, "  key_share: 72\n", "  key_share: -72\n"))
put("plan-missing-totals.yaml", once(PLAN, "totals:\n  total: 409\n  key: 293\n  general: 116\n  key_share: 72\n  general_share: 28\n", ""))
put("plan-missing-item-name.yaml", once(PLAN, "  name: 海洋装备企业集中检查\n", ""))
put("plan-unknown-top-field.yaml", once(PLAN, "year: 2024\n", "year: 2024\napproved_by: 局长办公会\n"))
put("plan-unknown-item-field.yaml", once(PLAN, "  name: 海洋装备企业集中检查\n", "  name: 海洋装备企业集中检查\n  inspector: 张三\n"))
put("plan-duplicate-key.yaml", once(PLAN, "  planned: 72\n", "  planned: 72\n  planned: 27\n"))
put("plan-duplicate-top-key.yaml", once(PLAN, "year: 2024\n", "year: 2024\nyear: 2023\n"))
put("plan-duplicate-item-id.yaml", once(PLAN, "- id: hazchem-fireworks\n", "- id: marine\n"))
put("plan-key-unit-number-twice.yaml", once(PLAN, "- 'no': 2\n", "- 'no': 1\n"))
put("plan-unknown-category.yaml", once(PLAN, "  name: 海洋装备企业集中检查\n  category: key\n", "  name: 海洋装备企业集中检查\n  category: urgent\n"))
put("plan-unknown-tag.yaml", once(PLAN, "  tags: [double-random, joint, sample]\n", "  tags: [double-random, joint, random]\n"))
put("plan-unknown-group.yaml", once(PLAN, "  planned: 72\n  group: key-units\n", "  planned: 72\n  group: key-unit\n"))
put("plan-unknown-key-unit-category.yaml", once(PLAN, "  covers: [十四]\n", "  covers: [十五]\n"))
put("plan-outside-key-units-covers.yaml", once(PLAN, "  planned: 100\n  tags: [double-random, sample, outside-key-units]\n",
                                                "  planned: 100\n  tags: [double-random, sample, outside-key-units]\n"
                                                "  covers: [十四]\n"))
put("plan-schedule-no-rows.yaml", PLAN[:PLAN.index("  rows:\n")] + "  rows: []\n" + PLAN[PLAN.index("  monthly_totals:"):])
put("plan-schedule-11-months.yaml", once(PLAN, "    monthly: [12, 6, 28, 16, 14, 12, 28, 12, 16, 14, 14, 9]\n",
                                         "    monthly: [12, 6, 28, 16, 14, 12, 28, 12, 16, 14, 14]\n"))
put("plan-schedule-negative-month-value.yaml", once(PLAN, "    monthly: [12, 6, 28, 16, 14, 12, 28, 12, 16, 14, 14, 9]\n",
                                                    "    monthly: [12, -6, 28, 16, 14, 12, 28, 12, 16, 14, 14, 9]\n"))
VISITS = "  total: 409\nkey_units:\n"
put("plan-unit-visit-month-13.yaml", once(PLAN, VISITS, "  total: 409\n  unit_visits:\n  - {unit: 上海中远海运重工有限公司, month: 13}\nkey_units:\n"))
put("plan-unit-visit-month-0.yaml", once(PLAN, VISITS, "  total: 409\n  unit_visits:\n  - {unit: 上海中远海运重工有限公司, month: 0}\nkey_units:\n"))
put("plan-issued-2024-02-30.yaml", once(PLAN, "issued: '2024-01-08'\n", "issued: '2024-02-30'\n"))
put("plan-issued-2024-02-30-unquoted.yaml", once(PLAN, "issued: '2024-01-08'\n", "issued: 2024-02-30\n"))
put("plan-key-unit-new-as-text.yaml", once(PLAN, "    township: 堡镇\n    new: true\n  - 'no': 31\n", "    township: 堡镇\n    new: 是\n  - 'no': 31\n"))
put("plan-tags-as-text.yaml", once(PLAN, "  tags: [double-random, joint, sample]\n", "  tags: joint\n"))
put("plan-key-unit-notes-as-text.yaml", once(PLAN, "    notes: [涉氨制冷, 有限空间]\n", "    notes: 涉氨制冷、有限空间\n"))
put("plan-top-level-list.yaml", "- kind: annual-plan\n- year: 2024\n")
put("plan-missing-kind.yaml", once(PLAN, "kind: annual-plan\n", ""))
put("plan-wrong-kind.yaml", once(PLAN, "kind: annual-plan\n", "kind: annual-plans\n"))
cut = PLAN.index("monthly: [8, null, 10, 12") + len("monthly: [8, null, 10")
put("plan-truncated.yaml", PLAN[:cut])
put("plan-gbk.yaml", PLAN.encode("gbk"))
put("plan-alias-bomb.yaml", "kind: annual-plan\n" + "\n".join(
    ["a0: &a0 [lol, lol, lol, lol, lol, lol, lol, lol, lol]"]
    + [f"a{i}: &a{i} [" + ", ".join([f"*a{i - 1}"] * 9) + "]" for i in range(1, 9)]) + "\nissuer: *a8\n")
NESTED = "[" * 10_000 + "]" * 10_000  # deeper than the loaders read (forms.parse.MAX_DEPTH; json's recursion)
put("plan-nested-too-deep.yaml", once(PLAN, "issuer: ", f"notes: {NESTED}\nissuer: "))
PLAN_JSON = as_json(PLAN)
put("plan-nested-too-deep.json", once(PLAN_JSON, '  "year": 2024,\n', f'  "year": 2024,\n  "notes": {NESTED},\n'))
put("plan-truncated.json", PLAN_JSON[: len(PLAN_JSON) // 2])
put("plan-duplicate-key.json", once(PLAN_JSON, '  "year": 2024,\n', '  "year": 2024,\n  "year": 2023,\n'))
put("plan-item-duplicate-key.json", once(PLAN_JSON, '      "planned": 72,\n', '      "planned": 72,\n      "planned": 27,\n'))
put("plan-items-object.json", json.dumps({**json.loads(PLAN_JSON), "items": {"marine": 72}}, ensure_ascii=False, indent=2))
put("plan-planned-null.json", json.dumps(
    {**json.loads(PLAN_JSON), "items": [{**json.loads(PLAN_JSON)["items"][0], "planned": None}] + json.loads(PLAN_JSON)["items"][1:]},
    ensure_ascii=False, indent=2))
put("plan-empty.json", "")
put("plan-nan-share.json", once(PLAN_JSON, '"key_share": 72,', '"key_share": NaN,'))

# ------------------------------------------------------------------ forms (chongming-2023, linyi-lingang-2023)
put("form-month-13.yaml", once(FORM, "month: 2023-05\n", "month: 2023-13\n"))
put("form-month-0.yaml", once(FORM, "month: 2023-05\n", "month: 2023-00\n"))
put("form-month-as-date.yaml", once(FORM, "month: 2023-05\n", "month: 2023-05-01\n"))
put("form-submitted-2023-02-30.yaml", once(FORM, "submitted: 2023-05-26\n", "submitted: '2023-02-30'\n"))
put("form-submitted-2023-02-30-unquoted.yaml", once(FORM, "submitted: 2023-05-26\n", "submitted: 2023-02-30\n"))
put("form-negative-count.yaml", once(FORM, "  self_found: 2 ", "  self_found: -2 "))
put("form-fractional-count.yaml", once(FORM, "  self_found: 2 ", "  self_found: 2.5 "))
put("form-chinese-numeral.yaml", once(FORM, "  self_found: 2 ", "  self_found: 十二 "))
put("form-count-with-unit.yaml", once(FORM, "  self_found: 2 ", "  self_found: 2个 "))
put("form-count-beyond-2-63.yaml", once(FORM, "  self_found: 2 ", "  self_found: 9223372036854775808 "))
put("form-amount-above-cap.yaml", once(FORM, "  penalties: {count: 0, amount: 0}", "  penalties: {count: 1, amount: 1000000000000.5}"))
put("form-wrong-variant-items.yaml", once(FORM, "  drills_missing: 1 ", "  drills_missing: 1\n  training_perfunctory: 1\n  measures_not_implemented: 0 "))
put("form-linyi-with-chongming-item.yaml", once(LFORM, "  key_enterprises_assisted: 3 ", "  towns_assisted: 2\n  key_enterprises_assisted: 3 "))
put("form-unknown-variant.yaml", once(FORM, "variant: chongming-2023\n", "variant: chongming-2024\n"))
put("form-unknown-item.yaml", once(FORM, "  assessments: 0 ", "  assessments: 0\n  hotline_calls: 3 "))
put("form-missing-unit.yaml", once(FORM, "unit: 城桥镇\n", ""))
put("form-missing-month.yaml", once(FORM, "month: 2023-05\n", ""))
put("form-unknown-top-field.yaml", once(FORM, "unit: 城桥镇\n", "unit: 城桥镇\nreviewer: 李四\n"))
put("form-penalties-not-mapping.yaml", once(FORM, "  penalties: {count: 0, amount: 0}", "  penalties: 3                  "))
put("form-penalties-unknown-field.yaml", once(FORM, "  penalties: {count: 0, amount: 0}", "  penalties: {count: 0, amont: 0} "))
put("form-penalties-negative-amount.yaml", once(FORM, "  penalties: {count: 0, amount: 0}", "  penalties: {count: 0, amount: -1}"))
put("form-typical-cases-fractional.yaml", once(FORM, "  typical_cases: {whole: 0, part: 0}", "  typical_cases: {whole: 1.5, part: 0}"))
put("form-yes-no-as-text.yaml", once(FORM, "  media_column: false", "  media_column: 否   "))
put("form-values-list.yaml", FORM[: FORM.index("values:\n")] + "values: [2, 1, 1, 0]\n")
put("form-member-listed-twice.yaml", once(ROLLUP, "members: [城桥镇, 新河镇, 竖新镇, 港沿镇]", "members: [城桥镇, 新河镇, 竖新镇, 城桥镇]"))
put("form-members-as-text.yaml", once(ROLLUP, "members: [城桥镇, 新河镇, 竖新镇, 港沿镇]", "members: 城桥镇、新河镇、竖新镇、港沿镇"))
put("form-duplicate-key.yaml", once(FORM, "  self_found: 2 ", "  self_found: 2\n  self_found: 3 "))
cut = FORM.index("penalties: {count: 0, am") + len("penalties: {count: 0, am")
put("form-truncated.yaml", FORM[:cut])
put("form-gbk.yaml", FORM.encode("gbk"))
FORM_JSON = as_json(FORM)
put("form-truncated.json", FORM_JSON[: len(FORM_JSON) * 2 // 3])
put("form-count-as-string.json", once(FORM_JSON, '"self_found": 2,', '"self_found": "2",'))
put("form-profile-unknown.yaml", once(FORM, "profile: shanghai-chongming-2023-campaign\n", "profile: shanghai-chongming-2099-campaign\n"))
put("form-profile-of-a-plan.yaml", once(FORM, "profile: shanghai-chongming-2023-campaign\n", "profile: shanghai-chongming-2024\n"))

# ------------------------------------------------------------------ enterprise records
put("record-missing-enterprise.yaml", once(RECORD, "enterprise: 上海某冷链物流有限公司\n", ""))
put("record-high-risk-as-text.yaml", once(RECORD, "high_risk: false\n", "high_risk: 否\n"))
put("record-drill-2023-02-30.yaml", once(RECORD, "drills: [2023-07-20]", "drills: ['2023-02-30']"))
put("record-drill-2023-02-30-unquoted.yaml", once(RECORD, "drills: [2023-07-20]", "drills: [2023-02-30]"))
put("record-leader-checks-not-a-list.yaml", once(RECORD, "leader_checks: [2023-05-30, 2023-09-05, 2023-10-20]", "leader_checks: 2023-05-30"))
put("record-unlicensed-negative.yaml", once(RECORD, "  unlicensed: 0\n", "  unlicensed: -2\n"))
put("record-unlicensed-chinese-numeral.yaml", once(RECORD, "  unlicensed: 0\n", "  unlicensed: 两\n"))
put("record-unlicensed-fractional.yaml", once(RECORD, "  unlicensed: 0\n", "  unlicensed: 1.5\n"))
put("record-unknown-field.yaml", once(RECORD, "sector: 工贸\n", "sector: 工贸\nemployees: 120\n"))
put("record-spot-check-month-13.yaml", once(RECORD, "spot_check: {by: 城桥镇, month: 2023-07}", "spot_check: {by: 城桥镇, month: 2023-13}"))
put("record-found-by-unknown.yaml", once(RECORD, "    found_by: self\n", "    found_by: inspector\n"))
put("record-contractor-missing-field.yaml", once(RECORD, "agreement: false, ", ""))
put("record-duplicate-key.yaml", once(RECORD, "high_risk: false\n", "high_risk: false\nhigh_risk: true\n"))
put("record-gbk.yaml", RECORD.encode("gbk"))
put("record-wrong-types.json", once(as_json(RECORD), '"drills": [\n    "2023-07-20"\n  ],', '"drills": 3,'))

# ------------------------------------------------------------------ campaign steps
put("steps-missing-milestones.yaml", STEPS[: STEPS.index("milestones:")])
put("steps-done-2023-02-30.yaml", once(STEPS, "done: 2023-08-03", "done: '2023-02-30'"))
put("steps-milestones-not-a-list.yaml", STEPS[: STEPS.index("milestones:")] + "milestones: plan-and-mobilisation\n")
put("steps-unknown-field.yaml", once(STEPS, "{step: plan-and-mobilisation, done: 2023-05-30}", "{step: plan-and-mobilisation, done: 2023-05-30, by: 王五}"))
put("steps-step-missing.yaml", once(STEPS, "{step: implementation-report-1, done: 2023-08-03}", "{done: 2023-08-03}"))

# ------------------------------------------------------------------ xlsx
good = XLSX.read_bytes()


def edited(name: str, cells: dict[str, object], sheet: str = "调度表", xml: tuple[bytes, bytes] | None = None) -> None:
    """The example workbook with ``cells`` set, then, with ``xml``, one text of its parts' XML
    replaced by another (for values openpyxl will not write)."""
    book = load_workbook(XLSX)
    for cell, value in cells.items():
        book[sheet][cell] = value
    buffer = io.BytesIO()
    book.save(buffer)
    if xml is not None:
        saved, buffer = buffer, io.BytesIO()
        with zipfile.ZipFile(saved) as src, zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as z:
            for info in src.infolist():
                z.writestr(info, src.read(info).replace(*xml))
    put(name, buffer.getvalue())


put("xlsx-random-bytes.xlsx", bytes((i * 7919 + 13) % 251 for i in range(4096)))
put("xlsx-empty.xlsx", b"")
put("xlsx-truncated.xlsx", good[: len(good) // 2])
buffer = io.BytesIO()
with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as z:
    z.writestr("readme.txt", "这不是工作簿 / not a workbook\n")
    z.writestr("docProps/app.xml", "<Properties/>")
put("xlsx-zip-without-workbook.xlsx", buffer.getvalue())
buffer = io.BytesIO()
with zipfile.ZipFile(io.BytesIO(good)) as src, zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as z:
    for info in src.infolist():
        data = src.read(info)
        if info.filename == "xl/worksheets/sheet1.xml":
            data = data.replace(b"<sheetData>", b"<sheetData>" + b" " * (40 * 1024 * 1024), 1)
        z.writestr(info.filename, data)
put("xlsx-zip-bomb.xlsx", buffer.getvalue())
buffer = io.BytesIO()
with zipfile.ZipFile(io.BytesIO(good)) as src, zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as z:
    for info in src.infolist():
        z.writestr(info.filename, src.read(info))
    for k in range(300):
        z.writestr(f"customXml/item{k}.xml", "<a/>")
put("xlsx-too-many-parts.xlsx", buffer.getvalue())
try:
    import msoffcrypto.format.ooxml as ooxml  # type: ignore[import-not-found]

    tmp = Path("/tmp/zhifa-template.xlsx")
    tmp.unlink(missing_ok=True)
    subprocess.run([str(ROOT / ".venv/bin/zhifa"), "template", "dispatch-form", "--variant", "chongming-2023", "-o", str(tmp)], check=True)
    encrypted = io.BytesIO()
    with tmp.open("rb") as plain:
        ooxml.OOXMLFile(plain).encrypt("zhifa", encrypted)
    put("xlsx-password-protected.xlsx", encrypted.getvalue())
except ImportError:
    put("xlsx-password-protected.xlsx", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(504))
edited("xlsx-negative-count.xlsx", {"E7": -2})
edited("xlsx-chinese-numeral.xlsx", {"E7": "十二"})
edited("xlsx-fractional-count.xlsx", {"E7": 2.5})
edited("xlsx-month-13.xlsx", {"B3": "2023年13月"})
edited("xlsx-month-0.xlsx", {"B3": "2023年0月"})
edited("xlsx-submitted-2023-02-30.xlsx", {"E2": "2023年2月30日"})
edited("xlsx-unit-blank.xlsx", {"B2": None})
edited("xlsx-label-changed.xlsx", {"C7": "部门检查发现的一般隐患（个）"})
edited("xlsx-unknown-variant.xlsx", {"B1": "chongming-2024"}, sheet="zhifa")
edited("xlsx-wrong-variant.xlsx", {"B1": "linyi-lingang-2023"}, sheet="zhifa")
edited("xlsx-second-figure-in-count-item.xlsx", {"F7": 3})
edited("xlsx-yes-no-as-text.xlsx", {"E34": "有"})
edited("xlsx-penalty-amount-negative.xlsx", {"F21": -1.5})
edited("xlsx-members-twice.xlsx", {"E3": "城桥镇、新河镇、城桥镇"})
edited("xlsx-formula-without-value.xlsx", {"E7": "=E5+E6"})

# ------------------------------------------------------------------ found in the review of stop 20
SELF_FOUND = "  self_found: 2      "
FORM_JSON = as_json(FORM)
put("form-figure-nan.yaml", once(FORM, SELF_FOUND, "  self_found: .nan   "))
put("form-figure-nan.json", once(FORM_JSON, '"self_found": 2,', '"self_found": NaN,'))
put("form-figure-infinite.json", once(FORM_JSON, '"self_found": 2,', '"self_found": Infinity,'))
put("form-penalty-amount-nan.yaml", once(FORM, "penalties: {count: 0, amount: 0}", "penalties: {count: 1, amount: .nan}"))
put("form-submitted-with-time.yaml", once(FORM, "submitted: 2023-05-26\n", "submitted: 2023-05-26 10:00:00\n"))
put("form-submitted-week-date.yaml", once(FORM, "submitted: 2023-05-26\n", "submitted: 2023-W21-5\n"))
put("form-figure-octal.yaml", once(FORM, SELF_FOUND, "  self_found: 010    "))
put("form-figure-hexadecimal.yaml", once(FORM, SELF_FOUND, "  self_found: 0x10   "))
put("form-figure-base-60.yaml", once(FORM, SELF_FOUND, "  self_found: 1:30   "))
put("form-figure-underscore.yaml", once(FORM, SELF_FOUND, "  self_found: 1_0    "))
put("form-figure-5000-digits.yaml", once(FORM, SELF_FOUND, "  self_found: " + "9" * 5000 + " "))
# Numbers with a point are read exactly, not as binary floats that would round them to pass.
put("form-figure-5000-digits.json", once(as_json(FORM), '"self_found": 2,', '"self_found": ' + "9" * 5000 + ","))
put("form-count-float-noise.yaml", once(FORM, SELF_FOUND, "  self_found: 2.0000000000000001"))
put("form-count-float-noise.json", once(as_json(FORM), '"self_found": 2,', '"self_found": 2.0000000000000001,'))
PENALTIES = "penalties: {count: 0, amount: 0}"
put("form-amount-20-places.yaml", once(FORM, PENALTIES, "penalties: {count: 1, amount: 0.10000000000000000001}"))
put("form-amount-20-places.json", once(as_json(FORM), '"amount": 0\n', '"amount": 0.10000000000000000001\n'))
# An exponent beyond what a Decimal holds is refused where it stands, not raised as a traceback.
put("form-amount-exponent-out-of-range.yaml",
    once(FORM, PENALTIES, "penalties: {count: 0, amount: 1.0e-99999999999999999999}"))
put("form-amount-exponent-out-of-range.json",
    once(as_json(FORM), '"amount": 0\n', '"amount": 1e99999999999999999999\n'))
put("form-amount-underflow.yaml", once(FORM, PENALTIES, "penalties: {count: 0, amount: 1.0e-400}"))
put("form-amount-underflow.json", once(as_json(FORM), '"amount": 0\n', '"amount": 1e-400\n'))
put("form-amount-five-places-small.yaml", once(FORM, PENALTIES, "penalties: {count: 1, amount: 0.00001}"))
put("form-amount-five-places.yaml", once(FORM, "report_rewards: {whole: 0, part: 0}",
                                         "report_rewards: {whole: 0.20004, part: 0.20005}"))
put("form-variant-as-path.yaml", once(FORM, "variant: chongming-2023\n", "variant: ../templates/chongming-2023\n"))
put("form-variant-too-long.yaml", once(FORM, "variant: chongming-2023\n", "variant: " + "c" * 300 + "\n"))
put("form-month-trailing-newline.json", once(FORM_JSON, '"month": "2023-05",', '"month": "2023-05\\n",'))
put("form-month-fullwidth-digits.yaml", once(FORM, "month: 2023-05\n", "month: ２０２３-０５\n"))
put("form-unit-blank.yaml", once(FORM, "unit: 城桥镇\n", "unit: '  '\n"))
put("form-unit-lone-surrogate.json", once(FORM_JSON, '"unit": "城桥镇",', '"unit": "\\ud800城桥镇",'))
put("yaml-set-as-key.yaml", "? !!set {a}\n: 1\n")
put("plan-planned-octal.yaml", once(PLAN, "  planned: 72\n", "  planned: 072\n"))
put("plan-key-share-many-places.yaml", once(PLAN, "  key_share: 72\n", "  key_share: 1.0e-27\n"))
put("plan-key-share-text-underscore.yaml", once(PLAN, "  key_share: 72\n", "  key_share: '7_2'\n"))
put("plan-key-share-text-spaces.yaml", once(PLAN, "  key_share: 72\n", "  key_share: ' 72 '\n"))
put("plan-issued-with-time.yaml", once(PLAN, "issued: '2024-01-08'\n", "issued: 2024-01-08 09:30:00\n"))
# openpyxl writes no infinity: a number is set, then replaced in the sheet's XML
edited("xlsx-figure-infinite.xlsx", {"E7": 987654321}, xml=(b"<v>987654321</v>", b"<v>1e400</v>"))
edited("xlsx-month-as-number.xlsx", {"B3": 2023.1})

# ------------------------------------------------------------------ found in the review of stop 21
put("plan-key-unit-no-unquoted.yaml", once(PLAN, "  - 'no': 1\n", "  - no: 1\n"))
put("form-unit-with-trailing-space.json", once(FORM_JSON, '"unit": "城桥镇",', '"unit": "城桥镇 ",'))
put("record-enterprise-with-leading-space.yaml", once(RECORD, "enterprise: 上海某冷链物流有限公司\n",
                                                      "enterprise: ' 上海某冷链物流有限公司'\n"))
put("form-aggregate-lists-itself.yaml", once(ROLLUP, "members: [城桥镇, 新河镇, 竖新镇, 港沿镇]",
                                             "members: [城桥镇, 新河镇, 竖新镇, 港沿镇, 崇明区安委会办公室]"))
put("steps-step-recorded-twice.yaml", STEPS + "  - {step: plan-and-mobilisation, done: 2023-06-30}\n")

# ------------------------------------------------------------------ found in the review of the command line
put("form-unit-control-character.yaml", once(FORM, "unit: 城桥镇\n", 'unit: "城桥镇\\x01"\n'))
put("form-unit-escape-sequence.json", once(FORM_JSON, '"unit": "城桥镇",', '"unit": "\\u001b[31m城桥镇",'))
put("record-measures-bell.yaml", once(RECORD, "measures: 加装联锁控制回路，整改期间专人值守\n",
                                      'measures: "加装联锁控制回路\\a，整改期间专人值守"\n'))
edited("xlsx-figure-superscript.xlsx", {"E5": "3²"})
edited("xlsx-figure-circled.xlsx", {"E5": "⑤"})
edited("xlsx-figure-beside-its-column.xlsx", {"G5": 3})
edited("xlsx-figure-in-the-spare-row.xlsx", {"E37": 3})

# ------------------------------------------------------------------ found in the review of names and workbooks
RECORD_JSON = as_json(RECORD)
put("form-unit-zero-width-space.yaml", once(FORM, "unit: 城桥镇\n", 'unit: "城桥镇\\u200b"\n'))
put("form-member-right-to-left-override.yaml", once(ROLLUP, "members: [城桥镇, 新河镇, 竖新镇, 港沿镇]",
                                                    'members: [城桥镇, "\\u202e镇新河", 竖新镇, 港沿镇]'))
put("record-enterprise-byte-order-mark.json", once(RECORD_JSON, '"enterprise": "上海某冷链物流有限公司"',
                                                   '"enterprise": "\\ufeff上海某冷链物流有限公司"'))
put("record-spot-check-by-line-separator.json", once(RECORD_JSON, '"by": "城桥镇"', '"by": "城桥\\u2028镇"'))
put("record-description-noncharacter.json", once(RECORD_JSON, '"description": "液氨制冷机房氨气泄漏报警装置未与事故排风机联锁"',
                                                 '"description": "液氨制冷机房氨气泄漏报警装置未与事故排风机联锁\\uffff"'))
edited("xlsx-unit-zero-width-space.xlsx", {"B2": "城桥镇\u200b"})


def stray_cells(name: str, count: int, sheets: str = "xl/worksheets/") -> None:
    """The example workbook with ``count`` cells holding 1 below the form in 调度表 (sheet1), one a row, in column H;
    its sheets' parts moved under ``sheets`` (the workbook's relationships and content types saying so)."""
    rows = "".join(f'<row r="{100 + k}"><c r="H{100 + k}"><v>1</v></c></row>' for k in range(count)).encode()
    buffer = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(good)) as src, zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as z:
        for info in src.infolist():
            data = src.read(info)
            if info.filename == "xl/worksheets/sheet1.xml":
                data = data.replace(b"</sheetData>", rows + b"</sheetData>")
            if info.filename in ("xl/_rels/workbook.xml.rels", "[Content_Types].xml"):
                data = data.replace(b"worksheets/", sheets.removeprefix("xl/").encode())
            info.filename = info.filename.replace("xl/worksheets/", sheets)
            z.writestr(info, data)
    put(name, buffer.getvalue())


stray_cells("xlsx-too-many-cells.xlsx", 20_001)  # forms.xlsx.MAX_CELLS + 1
stray_cells("xlsx-many-values-outside-the-form.xlsx", 30)  # 20 listed, 10 counted

# ------------------------------------------------------------------ found in the review of names and limits
stray_cells("xlsx-too-many-cells-moved.xlsx", 20_001, sheets="xl/ws/")  # openpyxl follows the relationships
edited("xlsx-unit-trailing-line-separator.xlsx", {"B2": "城桥镇\u2028"})
put("form-unit-hangul-filler.yaml", once(FORM, "unit: 城桥镇\n", 'unit: "城桥镇\\u3164"\n'))
put("form-member-variation-selector.yaml", once(ROLLUP, "members: [城桥镇, 新河镇, 竖新镇, 港沿镇]",
                                                'members: [城桥镇, 新河镇, 竖新镇, "港\\U000E0100沿镇"]'))


# ------------------------------------------------------------------ found in the review of the campaign steps
LSTEPS = (LY / "区安全生产监管办公室-阶段工作.yaml").read_text(encoding="utf-8")
put("steps-unknown-role.yaml", once(LSTEPS, "roles: [lead-unit, sector-group-office]", "roles: [lead-unit, 牵头单位]"))
put("steps-as-of-in-words.yaml", once(STEPS, "milestones:\n", "as_of: 6月30日\nmilestones:\n"))

# ------------------------------------------------------------------ found in the review of dates and deadlines
put("record-rectified-before-found.yaml", once(RECORD, "    rectified: 2023-06-30\n", "    rectified: 2023-06-01\n"))
put("record-deadline-before-found.yaml", once(RECORD, "      deadline: 2023-06-30\n", "      deadline: 2023-05-30\n"))

# ------------------------------------------------------------------ found in the review of dates and "as of" days
put("form-month-year-0000.yaml", once(FORM, "month: 2023-05\n", "month: 0000-05\n"))
put("form-month-year-0000.json", once(as_json(FORM), '"month": "2023-05"', '"month": "0000-05"'))
edited("xlsx-month-year-0000.xlsx", {"B3": "0000年5月"})
edited("xlsx-submitted-with-a-time.xlsx", {"E2": datetime(2023, 5, 28, 23, 59)})
edited("xlsx-submitted-a-time-of-day.xlsx", {"E2": time(10, 0)})
put("record-as-of-before-a-check.yaml", RECORD + "as_of: 2023-09-30\n")
put("record-as-of-a-year-early.yaml", RECORD[: RECORD.index("leader_checks:")] + "as_of: 2022-12-31\n")
put("steps-as-of-before-a-step.yaml", STEPS + "as_of: 2023-08-01\n")
put("steps-as-of-before-the-campaign.yaml", STEPS[: STEPS.index("milestones:")] + "milestones: []\nas_of: 2022-06-30\n")
put("record-as-of-2023-02-29.json", once(as_json(RECORD), '\n}\n', ',\n  "as_of": "2023-02-29"\n}\n'))
put("record-as-of-2023-02-29-unquoted.yaml", RECORD + "as_of: 2023-02-29\n")
put("form-unit-a-date-that-does-not-exist.yaml", once(FORM, "unit: 城桥镇\n", "unit: 2023-02-29\n"))
put("form-submitted-year-0000.yaml", once(FORM, "submitted: 2023-05-26\n", "submitted: 0000-05-26\n"))

print(len(written), "files")
