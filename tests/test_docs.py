"""The generated docs agree with the rulebook and the engine: every rule is in the built catalogue
with its citations, every worked example shows what the engine returns, every source is covered."""

from __future__ import annotations

import html
import importlib
import json
import re
from pathlib import Path

import pytest

import engine
from engine.cli import main
from engine.examples import worked_example
from engine.facts import FACT_KINDS
from forms import LoadError
from rulebook import load_rulebook, normalise_whitespace
from rulebook.catalogue import catalogue, load_coverage
from rulebook.model import UNITS

from .conftest import ROOT, noted_parameter_values

sphinx = pytest.importorskip("sphinx.cmd.build")


@pytest.fixture(scope="session")
def built(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The docs, built once for the session as `make docs` builds them (warnings are errors)."""
    out = tmp_path_factory.mktemp("docs")
    # conf.py sets nitpicky: a cross-reference to nothing is a warning, hence an error.
    code = sphinx.build_main(["-W", "--keep-going", "-q", "-b", "html", str(ROOT / "docs"), str(out)])
    assert code == 0, "the docs build has warnings or errors"
    return out


def text_of(page: str) -> str:
    """A page's visible text, whitespace-free, so wrapped Chinese compares with the rulebook."""
    without_tags = re.sub(r"<[^>]+>", "", page)
    return normalise_whitespace(html.unescape(without_tags))


def sections(page: str) -> dict[str, str]:
    """Each ``<section id=…>`` of a page, up to the next section or the end, by its id and by the
    label Sphinx renders as a ``<span id=…>`` just inside it."""
    found = {}
    starts = [(m.start(), m.groups()) for m in re.finditer(r'<section id="([^"]+)">\s*(?:<span id="([^"]+)"></span>)?', page)]
    for (start, idents), (end, _) in zip(starts, [*starts[1:], (len(page), ())], strict=True):
        for ident in idents:
            if ident:
                found[ident] = page[start:end]
    return found


def test_every_rule_is_in_the_catalogue_with_its_citations(built: Path) -> None:
    page = (built / "rules" / "catalogue.html").read_text(encoding="utf-8")
    by_id = sections(page)
    for rule in load_rulebook().rules.values():
        section = by_id.get("rule-" + rule.id.replace(".", "-"))
        assert section is not None, f"{rule.id} is not in the catalogue"
        shown = text_of(section)
        assert normalise_whitespace(rule.title.zh) in shown and normalise_whitespace(rule.title.en) in shown
        for citation in rule.citations:
            assert normalise_whitespace(citation.quote) in shown, (rule.id, citation.clause)
        assert 'href="../sources/' in section, f"{rule.id}: citations link to their source pages"


def test_every_worked_example_shows_the_violation_the_engine_returns(built: Path) -> None:
    page = (built / "rules" / "catalogue.html").read_text(encoding="utf-8")
    by_id = sections(page)
    for rule_id in load_rulebook().rules:
        example = worked_example(rule_id)
        # Check the violating input afresh, apart from the example's own reports.
        results = engine.check_documents(example.violating, profile=example.profile)
        returned = [v for r in results if isinstance(r, engine.Report) for v in r.violations]
        assert {v.rule for v in returned} == {rule_id}, f"the example of {rule_id} breaks exactly that rule"
        shown = text_of(by_id["rule-" + rule_id.replace(".", "-")])
        for violation in returned:
            for part in (violation.message, violation.message_en, violation.location, violation.fix or ""):
                assert normalise_whitespace(part) in shown, (rule_id, part)


def test_zhifa_rules_json_and_the_catalogue_are_the_same_data(built: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["rules", "--format", "json"]) == 0
    listed = json.loads(capsys.readouterr().out)["rules"]
    assert listed == json.loads(json.dumps(catalogue(), ensure_ascii=False))
    shown = text_of((built / "rules" / "catalogue.html").read_text(encoding="utf-8"))
    for entry in listed:
        for profile in entry["profiles"]:
            for name, parameter in profile["parameters"].items():
                assert name in shown and normalise_whitespace(parameter["quote"]) in shown


@pytest.mark.parametrize("by", ["source", "kind", "profile"])
def test_each_index_lists_every_rule(built: Path, by: str) -> None:
    page = (built / "rules" / f"by-{by}.html").read_text(encoding="utf-8")
    for rule_id in load_rulebook().rules:
        assert f'href="catalogue.html#rule-{rule_id.replace(".", "-")}"' in page, (by, rule_id)


def test_the_profile_index_shows_every_parameter_value_of_each_profile(built: Path) -> None:
    by_id = sections((built / "rules" / "by-profile.html").read_text(encoding="utf-8"))
    rulebook = load_rulebook()
    for profile_id in rulebook.profiles:
        shown = text_of(by_id[f"profile-{profile_id}"])
        for entry in catalogue(rulebook, profile_id):
            for name, p in entry["profiles"][0]["parameters"].items():
                for part in (name, f"{p['value']} {p['unit']}", p["effective_from"], p["quote"]):
                    assert normalise_whitespace(part) in shown, (profile_id, name, part)


def test_every_note_on_a_parameter_value_is_shown_on_the_profile_and_catalogue_pages(built: Path) -> None:
    """How a value was read (a profile's ``note``) is shown wherever the value is: under its profile,
    and under each rule of the profile reading it."""
    by_profile = sections((built / "rules" / "by-profile.html").read_text(encoding="utf-8"))
    by_rule = sections((built / "rules" / "catalogue.html").read_text(encoding="utf-8"))
    rulebook, shown = load_rulebook(), []
    for profile in rulebook.profiles.values():
        for name, value in profile.parameters.items():
            if value.note is None:
                continue
            shown.append((profile.id, name))
            assert normalise_whitespace(value.note) in text_of(by_profile[f"profile-{profile.id}"]), (profile.id, name)
            for rule in rulebook.rules_of(profile):
                if any(spec.stands_for(name) for spec in rule.parameters):
                    section = text_of(by_rule["rule-" + rule.id.replace(".", "-")])
                    assert normalise_whitespace(value.note) in section, (profile.id, name, rule.id)
    assert shown and sorted(shown) == noted_parameter_values()


def test_every_source_page_shows_its_coverage_and_marks_every_listed_clause(built: Path) -> None:
    rulebook = load_rulebook()
    coverage = load_coverage()
    assert set(coverage) == set(rulebook.sources), "every shipped source has a coverage file"
    for source_id, listed in coverage.items():
        page = (built / "sources" / f"{source_id}.html").read_text(encoding="utf-8")
        checkable, encoded = len(listed.checkable), len(listed.encoded)
        assert f"Clause coverage: {encoded} of {checkable} checkable clauses encoded" in html.unescape(page)
        for k, _ in enumerate(listed.clauses):
            assert f'id="clause-{source_id}-{k}"' in page, (source_id, k)
        # The whole source is on the page, word for word, once the links to rules are set aside.
        without_links = re.sub(r'<span class="zhifa-clause-rules">.*?</a></span>', "", page, flags=re.S)
        assert normalise_whitespace(rulebook.source_text(source_id)) in text_of(without_links), source_id


def table_rows(page: str) -> dict[str, str]:
    """Each row of the page's tables, by the text of its first cell."""
    return {re.sub(r"<[^>]+>", "", "<tr" + row.split("</td>", 1)[0]).strip(): row
            for row in page.split("<tr")[1:] if "<td" in row}


def test_the_fact_kinds_page_lists_every_parameter_unit_with_what_it_takes(built: Path) -> None:
    page = (built / "reference" / "fact-kinds.html").read_text(encoding="utf-8")
    rows = table_rows(page.split('id="parameter-units"')[1])
    assert {unit: text_of(row.split("</td>")[1]) for unit, row in rows.items()} == \
        {unit: normalise_whitespace(str(domain)) for unit, domain in UNITS.items()}


def test_the_fact_kinds_page_lists_every_kind_with_its_fields_and_rules(built: Path) -> None:
    page = (built / "reference" / "fact-kinds.html").read_text(encoding="utf-8")
    rows = table_rows(page.split('id="parameter-units"')[0])  # the units' table follows
    rulebook = load_rulebook()
    assert set(rows) == set(FACT_KINDS)
    for kind, spec in FACT_KINDS.items():
        shown = text_of(rows[kind])
        assert all(normalise_whitespace(name) in shown for name in (*spec.fields, *spec.reads, *spec.reads.values())), kind
        cells = [text_of(cell) for cell in rows[kind].split("</td>")[:-1]]
        assert cells[3] == (str(spec.pack) if spec.pack else "—"), kind
        for rule in rulebook.rules.values():
            if kind in rule.fact_kinds:
                assert f'href="../rules/catalogue.html#rule-{rule.id.replace(".", "-")}"' in rows[kind], (kind, rule.id)


def test_a_clause_of_several_requirements_links_each_to_the_rules_that_cite_it() -> None:
    """四、（一）2 of the Linyi campaign states the leader's checks and the deferred hazards: each
    entry goes with the rule quoting its text, not with every rule citing the clause."""
    from rulebook.catalogue import citing_rules

    rulebook = load_rulebook()
    source, clause = "linyi-lingang-2023-campaign", "四、（一）2"
    leader = "专项行动期间，主要负责人每季度要带队对本单位重大事故隐患排查整治情况至少开展1次检查"
    deferred = "需要一定时间整改的，要明确责任人、措施、资金、期限和应急预案，并按分级属地原则向负有安全监管职责的有关部门报告"
    assert {r.id for r in citing_rules(rulebook, source, clause)} >= {"campaign.leader-check", "campaign.deferred-hazard-plan"}
    assert [r.id for r in citing_rules(rulebook, source, clause, leader)] == ["campaign.leader-check"]
    assert [r.id for r in citing_rules(rulebook, source, clause, deferred)] == ["campaign.deferred-hazard-plan"]


def test_every_citation_links_to_the_coverage_entry_quoting_its_requirement(monkeypatch: pytest.MonkeyPatch) -> None:
    """A clause may list several encoded requirements (the Chongming campaign's 三、（一）1 the deferred
    hazards' plan, then the leader's checks): each rule's and parameter's citation links to one whose
    quote shares its text, not to the clause's first. A parameter's citation may quote only the date
    it sets, which no entry quotes where the date heads a requirement not encoded (Linyi 五、（一）2
    and 3): it links to its clause's first encoded entry."""
    from rulebook.catalogue import _overlap_entry

    monkeypatch.syspath_prepend(str(ROOT / "docs" / "_ext"))
    clause_ref = importlib.import_module("zhifa_docs").clause_ref
    rulebook, coverage = load_rulebook(), load_coverage()
    citations = [*((c, False) for rule in rulebook.rules.values() for c in rule.citations),
                 *((value.citation, True) for profile in rulebook.profiles.values()
                   for value in profile.parameters.values()),
                 *((value.owed_by.citation, False) for profile in rulebook.profiles.values()
                   for value in profile.parameters.values() if value.owed_by)]
    wrong = []
    for citation, parameter in citations:
        link = re.fullmatch(rf":ref:`.* <clause-{re.escape(citation.source)}-(\d+)>`", clause_ref(
            rulebook, citation.source, citation.clause, citation.quote))
        assert link is not None, (citation.source, citation.clause)
        entry = coverage[citation.source].clauses[int(link[1])]
        text = rulebook.quotable_text(citation.source)
        of_clause = [c for c in coverage[citation.source].encoded if c.clause == citation.clause]
        quoting = [c for c in of_clause if _overlap_entry(text, c, citation.quote)]
        if entry not in (quoting or (of_clause[:1] if parameter else [])):
            wrong.append(f"{citation.source} {citation.clause} “{citation.quote[:20]}…” → “{entry.quote[:20]}…”")
    assert wrong == []
    dated = rulebook.profiles["linyi-lingang-2023-campaign"].parameters["due.checklists-filed"].citation
    assert clause_ref(rulebook, dated.source, dated.clause, dated.quote) == clause_ref(
        rulebook, dated.source, dated.clause, "各部门单位结合我区实际对专项检查表进一步细化，并报区安委会办公室备案")
    leader = rulebook.rules["campaign.leader-check"].citations[0]
    assert (leader.source, leader.clause) == ("chongming-2023-campaign", "三、（一）1")
    assert clause_ref(rulebook, leader.source, leader.clause, leader.quote).endswith("<clause-chongming-2023-campaign-7>`")


def test_a_clause_is_anchored_at_the_occurrence_its_coverage_entry_means(monkeypatch: pytest.MonkeyPatch) -> None:
    """“2024年区应急局重点单位名单” is in the plan's list of annexes (附件：… 2.2024年区应急局重点单位名单) before it
    heads 附件2 itself: the entry, and every citation of 附件2 linking to it, is anchored at the annex."""
    monkeypatch.syspath_prepend(str(ROOT / "docs" / "_ext"))
    spans = importlib.import_module("zhifa_docs")._spans
    coverage = load_coverage()["chongming-2024"]
    raw = load_rulebook().source_text("chongming-2024")
    (k,) = [k for k, c in enumerate(coverage.clauses) if c.clause == "附件2"]
    ((start, end),) = [(s, e) for s, e, index in spans(raw, coverage) if index == k]
    assert raw[start:end] == "2024年区应急局重点单位名单"
    assert raw[:start].rstrip().endswith("\n附件2"), raw[start - 40:end]
    assert len(spans(raw, coverage)) == len(coverage.clauses)  # one anchor an entry


def test_a_rule_without_a_profile_or_a_mutation_stops_the_build_naming_the_step_it_lacks(
        monkeypatch: pytest.MonkeyPatch) -> None:
    """Not a KeyError's traceback from the catalogue: an ExtensionError of zhifa_docs, naming the rule and the
    step it lacks (Sphinx shows it as the error)."""
    import attrs
    from sphinx.errors import ExtensionError

    import engine.examples

    monkeypatch.syspath_prepend(str(ROOT / "docs" / "_ext"))
    worked_example_rst = importlib.import_module("zhifa_docs")._worked_example_rst
    shipped = load_rulebook()
    rule = attrs.evolve(shipped.rules["plan.joint-share"], id="plan.joint-present")
    unapplied = attrs.evolve(shipped, rules={**shipped.rules, rule.id: rule})
    monkeypatch.setattr(engine.examples, "load_rulebook", lambda: unapplied)
    with pytest.raises(ExtensionError) as stopped:
        worked_example_rst(rule.id)
    assert stopped.value.category == "Extension error (zhifa_docs)"
    assert str(stopped.value) == ("rule plan.joint-present has no worked example: no profile applies it (list it in "
                                  "the rules of a profile, rulebook/profiles/*.yaml)")
    putuo = shipped.profiles["shanghai-putuo-2024"]
    applied = unapplied.with_profile(attrs.evolve(putuo, rules=(*putuo.rules, rule.id)))
    monkeypatch.setattr(engine.examples, "load_rulebook", lambda: applied)
    with pytest.raises(ExtensionError) as stopped:
        worked_example_rst(rule.id)
    assert str(stopped.value) == ("rule plan.joint-present has no worked example: no mutation breaks it (add one to "
                                  "PLAN_MUTATIONS in forms/strategies/plan.py or CAMPAIGN_MUTATIONS in "
                                  "forms/strategies/campaign.py)")


def test_coverage_calling_a_requirement_encoded_that_no_rule_quotes_is_refused(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import rulebook.catalogue

    original = (rulebook.catalogue.COVERAGE_DIR / "linyi-lingang-2023-campaign.yaml").read_text(encoding="utf-8")
    signed = '''    quote: 整改完成由主要负责人、安全总监（分管负责人）签字销号
    not_checkable:
      zh: 台账只记录整改完成日期，不记录由谁签字销号
      en: the record gives the date a hazard was rectified, not who signed it off
'''
    assert signed in original
    (tmp_path / "linyi-lingang-2023-campaign.yaml").write_text(
        original.replace(signed, "    quote: 整改完成由主要负责人、安全总监（分管负责人）签字销号\n"), encoding="utf-8")
    monkeypatch.setattr(rulebook.catalogue, "COVERAGE_DIR", tmp_path)
    rulebook.catalogue.load_coverage.cache_clear()
    try:
        with pytest.raises(LoadError, match="no rule cites 四、（一）2 “整改完成由主要负责人"):
            rulebook.catalogue.load_coverage()
    finally:
        rulebook.catalogue.load_coverage.cache_clear()


@pytest.mark.parametrize("package", ["engine", "forms", "forms.strategies", "rulebook"])
def test_every_exported_name_is_in_the_api_reference(built: Path, package: str) -> None:
    """What a package exports is documented, under its name or that of the module defining it."""
    page = (built / "reference" / "api.html").read_text(encoding="utf-8")
    ids = set(re.findall(r'<dt class="sig sig-object py" id="([^"]+)"', page))
    missing = [name for name in importlib.import_module(package).__all__
               if not any(i.startswith(f"{package}.") and i.endswith(f".{name}") for i in ids)]
    assert missing == []


#: A type as the reference shows one: names, dots, brackets, commas, ``|``, ``...`` and quoted
#: ``Annotated`` text; never two words in a row, as prose has.
TYPE_EXPRESSION = re.compile(r"[\w.\[\]|, ]*")


def test_no_documented_attribute_has_prose_for_its_type(built: Path) -> None:
    """A ``#:`` comment (or an attribute's docstring) whose first line has a colon is read by napoleon
    as ``type: description``; the words before the colon then show as the field's type."""
    shown = []
    for page in sorted((built / "reference").glob("*.html")):
        text = page.read_text(encoding="utf-8")
        for entry in re.findall(r'<dl class="py (?:attribute|data|property)">(.*?)</dd></dl>', text, flags=re.S):
            name = re.search(r'id="([^"]+)"', entry)
            for field in re.findall(r'<dt class="field-\w+">Type<span class="colon">:</span></dt>\s*<dd[^>]*>(.*?)</dd>',
                                    entry, flags=re.S):
                typ = re.sub(r"'[^']*'", "''", html.unescape(re.sub(r"<[^>]+>", "", field)).strip())
                if not TYPE_EXPRESSION.fullmatch(typ) or re.search(r"\w\s+\w", typ):
                    shown.append((page.name, name.group(1) if name else "?", typ))
    assert shown == []
