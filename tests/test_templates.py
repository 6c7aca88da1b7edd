"""The dispatch-form templates are the seeds' forms: every label, note and number as the source has it."""

from __future__ import annotations

import re

import pytest

from forms.dispatch import FormTemplate, ItemShape, load_template, variants
from rulebook import load_rulebook
from rulebook.load import SOURCES_DIR

RULEBOOK = load_rulebook()
VARIANTS = ["chongming-2023", "linyi-lingang-2023"]
ITEMS_PER_SECTION = {"chongming-2023": [6, 8, 10, 8], "linyi-lingang-2023": [6, 10, 9, 8]}


def squeeze(text: str) -> str:
    """Whitespace removed: the Chongming seed breaks table cells across lines, Linyi pads with spaces."""
    return re.sub(r"\s+", "", text)


def source_text(template: FormTemplate) -> str:
    return squeeze((SOURCES_DIR / RULEBOOK.sources[template.source].file).read_text(encoding="utf-8"))


def normalised(label: str) -> str:
    """A label with the two seeds' typography made alike: full-width brackets and commas, no spaces."""
    return squeeze(label).replace("(", "（").replace(")", "）").replace(",", "，")


def test_both_variants_are_shipped() -> None:
    assert list(variants()) == VARIANTS


@pytest.mark.parametrize("variant", VARIANTS)
def test_sections_and_items_per_section(variant: str) -> None:
    template = load_template(variant)
    assert template.variant == variant
    assert [s.number for s in template.sections] == [1, 2, 3, 4]
    assert [len(s.items) for s in template.sections] == ITEMS_PER_SECTION[variant]
    for section in template.sections:
        assert [i.number for i in section.items] == list(range(1, len(section.items) + 1)), section.name


@pytest.mark.parametrize("variant", VARIANTS)
def test_every_label_and_section_name_is_verbatim_in_the_seeds_form_in_order(variant: str) -> None:
    template = load_template(variant)
    text = source_text(template)
    for section, item in template.items():
        assert squeeze(item.label) in text, f"{variant} {section.number}.{item.number} {item.label!r}"
    # Read the form itself (from its title, the last time the title occurs) in order: each section's
    # name, then each item as the seed numbers it.
    at = text.rfind(squeeze(template.title))
    assert at >= 0, template.title
    for section in template.sections:
        at = text.find(squeeze(section.name), at)
        assert at >= 0, f"{variant}: section {section.name!r} not found in order"
        for item in section.items:
            found = text.find(f"{item.number}{squeeze(item.label)}", at)
            assert found >= 0, f"{variant}: {section.number}.{item.number} {item.label!r} not found in order"
            at = found + 1


#: The notes each seed's form has below its table: Chongming's 注1 and 注2; Linyi's 附件2 has none.
NOTES = {"chongming-2023": 2, "linyi-lingang-2023": 0}


@pytest.mark.parametrize("variant", VARIANTS)
def test_every_note_is_verbatim_in_the_seeds_form(variant: str) -> None:
    """A note is the form's own text, after its title, not a line of the notice around it (Linyi's
    “每月28日前，报送《…调度表》” is the closing paragraph's, before 附件2)."""
    template = load_template(variant)
    assert len(template.notes) == NOTES[variant]
    text = source_text(template)
    form = text[text.rfind(squeeze(template.title)):]
    for note in template.notes:
        assert squeeze(note) in form, note


@pytest.mark.parametrize("variant", VARIANTS)
def test_keys_are_unique_and_the_template_belongs_to_its_profile(variant: str) -> None:
    template = load_template(variant)
    assert len(set(template.keys)) == len(template.keys)
    profile = RULEBOOK.profiles[template.profile]
    assert template.source in profile.sources
    assert "dispatch-form" in profile.documents


def test_the_variants_share_the_keys_they_have_in_common() -> None:
    chongming, linyi = (load_template(v) for v in VARIANTS)
    assert set(chongming.keys) - set(linyi.keys) == {"towns_assisted"}  # 帮扶指导乡镇、区直属企业: Chongming only
    assert set(linyi.keys) - set(chongming.keys) == {"training_perfunctory", "measures_not_implemented"}
    for key in set(chongming.keys) & set(linyi.keys):
        ours, theirs = chongming.item(key), linyi.item(key)
        assert (ours.shape, ours.unit, ours.amount_unit) == (theirs.shape, theirs.unit, theirs.amount_unit), key
        section_of = {v.variant: next(s.number for s, i in v.items() if i.key == key) for v in (chongming, linyi)}
        assert section_of[chongming.variant] == section_of[linyi.variant], key
    # Where both seeds word an item alike, both templates give it the same key.
    by_label = {normalised(i.label): i.key for _, i in chongming.items()}
    alike = [(by_label[normalised(i.label)], i.key) for _, i in linyi.items() if normalised(i.label) in by_label]
    assert len(alike) >= 20
    assert all(a == b for a, b in alike), [p for p in alike if p[0] != p[1]]


def test_linyis_extra_section_2_items() -> None:
    linyi = load_template("linyi-lingang-2023")
    section = linyi.sections[1]
    assert section.name == "对企业自查自改进行抽查检查情况"
    extra = {i.key: (i.number, i.label) for i in section.items[8:]}
    assert extra == {"training_perfunctory": (9, "安全教育培训走过场 (家)"),
                     "measures_not_implemented": (10, "制度措施不落实 (家)")}
    assert all(i.shape is ItemShape.COUNT and i.unit == "家" for i in section.items)


@pytest.mark.parametrize("variant", VARIANTS)
def test_items_that_pair_two_figures_have_those_shapes(variant: str) -> None:
    template = load_template(variant)
    penalties = template.item("penalties")
    assert penalties.shape is ItemShape.COUNT_AMOUNT
    assert (penalties.unit, penalties.amount_unit) == ("次", "万元")
    assert "行政处罚" in penalties.label
    rewards = template.item("report_rewards")
    assert rewards.shape is ItemShape.WHOLE_PART
    assert rewards.unit == "万元" and not rewards.whole_numbers
    assert re.fullmatch(r"举报奖励 ?[（(]万元[)）][，,] ?其中匿名举报查实奖励 ?[（(]万元[)）]", rewards.label)
    cases = template.item("typical_cases")
    assert cases.shape is ItemShape.WHOLE_PART
    assert cases.unit == "个" and cases.whole_numbers
    assert re.fullmatch(r"公布典型执法案例 ?[（(]个[)）][，,] ?其中危险作业罪案例 ?[（(]个[)）]", cases.label)
    media = template.item("media_column")
    assert media.shape is ItemShape.YES_NO and media.label.startswith("是否")
    paired = {"penalties", "report_rewards", "typical_cases", "media_column"}
    for _, item in template.items():
        if item.key not in paired:
            assert item.shape is ItemShape.COUNT, item.key
            assert item.amount_unit is None, item.key
            # A plain count's unit is the one its label ends with: （个）, (家), （家次） …
            assert re.search(rf"[（(]{re.escape(item.unit)}[)）]$", item.label), (item.key, item.unit)


@pytest.mark.parametrize("variant", variants())
def test_each_variant_says_what_orderly_outsourcing_needs_in_conditions_a_review_records(variant: str) -> None:
    from forms.records import CONTRACTOR_CONDITIONS

    template = load_template(variant)
    orderly = template.orderly_outsourcing
    assert orderly and set(orderly) <= set(CONTRACTOR_CONDITIONS)
    assert set(template.outsourcing_may_count) <= set(CONTRACTOR_CONDITIONS) - set(orderly)


def test_the_two_campaigns_define_disorderly_outsourcing_each_as_its_source_does() -> None:
    """Chongming's 附件 注2 counts four conditions, unified management among them, and no other;
    Linyi's 四、（一）4 names the problems its review looks for, 安全技术交底 among them, in a list
    left open (“…等问题”): unified management, asked for in the same clause, may count."""
    chongming, linyi = load_template("chongming-2023"), load_template("linyi-lingang-2023")
    assert set(chongming.orderly_outsourcing) == {"qualified", "agreement", "clear_responsibilities",
                                                  "unified_management"}
    assert chongming.outsourcing_may_count == ()
    assert set(linyi.orderly_outsourcing) == {"qualified", "agreement", "clear_responsibilities", "safety_briefing"}
    assert linyi.outsourcing_may_count == ("unified_management",)


@pytest.mark.parametrize(("may_count", "problem"), [
    (["unified_management", "agreement"],
     "outsourcing_may_count: agreement also in orderly_outsourcing: a condition counts or may count, not both"),
    (["unified"], "outsourcing_may_count: unified not a contractor's condition a review records (one of "
                  "qualified, agreement, clear_responsibilities, unified_management, safety_briefing)"),
])
def test_a_template_naming_a_condition_wrongly_is_refused_naming_file_and_field(may_count: list[str],
                                                                                problem: str) -> None:
    from forms.convert import structure
    from forms.dispatch import TEMPLATES_DIR
    from forms.errors import LoadError
    from forms.parse import read_data

    data = read_data(TEMPLATES_DIR / "linyi-lingang-2023.yaml") | {"outsourcing_may_count": may_count}
    with pytest.raises(LoadError) as refused:
        structure(data, FormTemplate, "linyi-lingang-2023.yaml")
    assert str(refused.value) == f"linyi-lingang-2023.yaml: invalid value ({problem})"
