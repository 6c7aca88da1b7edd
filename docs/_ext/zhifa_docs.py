"""Sphinx extension: the rule catalogue, its indexes, the source pages with clause coverage, and the
reference pages, all generated from the rulebook and the code, so the docs cannot disagree with them.

Directives:

- ``zhifa-rule-catalogue``: one entry per rule (from :func:`rulebook.catalogue.catalogue`, the same
  data ``zhifa rules --format json`` prints), each with a worked example run when the docs are built.
- ``zhifa-rule-index`` ``source|kind|profile``: the rules grouped one way.
- ``zhifa-source`` ``<source id>``: a shipped source, its coverage figures and table, and its text
  with every listed clause highlighted and linked to the rules that encode it.
- ``zhifa-coverage-summary``: coverage figures of every source.
- ``zhifa-cli``: the help of every ``zhifa`` command; ``zhifa-schema`` ``<kind>``: a document format
  from its JSON Schema; ``zhifa-report-example``: a JSON report computed at build time.

Labels: ``rule-<id>`` (dots become dashes), ``profile-<id>``, ``source-<id>``, ``clause-<source>-<n>``.
"""

from __future__ import annotations

import argparse
import itertools
import re
from collections import defaultdict
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from docutils import nodes
from docutils.statemachine import StringList
from sphinx import addnodes
from sphinx.application import Sphinx
from sphinx.errors import ExtensionError, SphinxError
from sphinx.util.docutils import SphinxDirective
from sphinx.util.nodes import nested_parse_with_titles

import engine
from engine.compile import RulebookError as RuleFitError
from engine.compile import check_fit
from engine.examples import NoWorkedExample, worked_example
from engine.facts import FACT_KINDS
from engine.output import as_json, violation_lines
from forms import LoadError
from forms.convert import kind_of, load_document
from forms.schema import PATTERNS as SCHEMA_PATTERNS
from forms.schema import document_schema
from rulebook import Rulebook, load_rulebook, normalise_whitespace
from rulebook.catalogue import DOCUMENT_TITLES, Clause, Coverage, catalogue, citing_rules, encoding_entry, load_coverage
from rulebook.model import UNITS

_SPECIAL = re.compile(r"([\\`*_|\[\]])")


def esc(text: str) -> str:
    """Text safe inside reStructuredText inline content."""
    return _SPECIAL.sub(r"\\\1", " ".join(text.split()))


def rule_label(rule_id: str) -> str:
    return "rule-" + rule_id.replace(".", "-")


def clause_label(source: str, index: int) -> str:
    return f"clause-{source}-{index}"


def rule_ref(rule_id: str) -> str:
    return f":ref:`{rule_id} <{rule_label(rule_id)}>`"


class RulebookError(SphinxError):
    """The rulebook or a coverage file is invalid; the build stops with its problems, not a traceback."""

    category = "zhifa rulebook error"


def coverage_of(source: str) -> Coverage | None:
    try:
        return load_coverage().get(source)
    except LoadError as exc:
        raise RulebookError(str(exc)) from None


def clause_ref(rulebook: Rulebook, source: str, clause: str, quote: str) -> str:
    """A link to a cited requirement on its source page (the coverage entry of its clause that
    quotes it, :func:`rulebook.catalogue.encoding_entry`), else to the page."""
    coverage = coverage_of(source)
    if coverage is not None and (k := encoding_entry(rulebook, coverage, clause, quote)) is not None:
        return f":ref:`{esc(source)} {esc(clause)} <{clause_label(source, k)}>`"
    return f":ref:`{esc(source)} <source-{source}>` {esc(clause)}"


def heading(title: str, mark: str) -> list[str]:
    """A section title; the underline is long enough for wide (Chinese) characters."""
    return [title, mark * (2 * len(title)), ""]


def indent(lines: Iterable[str], by: int = 3) -> list[str]:
    return [(" " * by + line) if line else "" for line in lines]


def list_table(header: list[str], rows: list[list[str]], widths: str | None = None) -> list[str]:
    out = [".. list-table::", "   :header-rows: 1"]
    if widths:
        out.append(f"   :widths: {widths}")
    out.append("")
    for row in [header, *rows]:
        out.append(f"   * - {row[0] or '—'}")
        out += [f"     - {cell or '—'}" for cell in row[1:]]
    return [*out, ""]


class _RstDirective(SphinxDirective):
    """A directive whose output is reStructuredText it writes, parsed in place (titles allowed)."""

    def rst(self) -> list[str]:
        raise NotImplementedError

    def run(self) -> list[nodes.Node]:
        container = nodes.section() if self.name != "zhifa-cli" else nodes.container()
        source = self.get_source_info()[0]
        lines = StringList()
        for k, line in enumerate(self.rst()):
            lines.append(line, source, k)
        nested_parse_with_titles(self.state, lines, container)
        return list(container.children)


# ---------------------------------------------------------------- the catalogue


def _worked_example_rst(rule_id: str) -> list[str]:
    try:
        example = worked_example(rule_id)
    except NoWorkedExample as exc:  # a step of adding a rule not taken yet: say which, not a traceback
        raise ExtensionError(str(exc), modname=__name__) from None
    out = [
        "**Worked example** (computed when these pages were built). Under profile "
        f":ref:`{example.profile} <profile-{example.profile}>`, start from the smallest input that satisfies "
        "every rule of the profile (hypothesis' minimal example, ``forms.strategies``) and make this change:",
        "",
    ]
    for index in example.changed:
        document = example.violating[index]
        what = ", ".join(f"{k}: {getattr(document, k)}" for k in ("unit", "month", "enterprise", "issuer")
                         if getattr(document, k, None))
        out += [f"*{kind_of(document)}{' — ' + esc(what) if what else ''}*", "", ".. code-block:: diff", ""]
        out += indent(example.diff(index).splitlines())
        out.append("")
    out += ["The engine returns:", "", ".. code-block:: text", ""]
    for violation in example.violations:
        out += indent(violation_lines(violation))
    return [*out, ""]


def _parameter_cells(name: str, p: dict[str, Any]) -> list[str]:
    """A parameter value as catalogue data gives it: its name (and title), value and unit (and what
    the unit takes), the period it is in effect, and its reference (and, for a step some units only
    owe, their role with the clause naming them; and how the value was read, where the profile says)."""
    period = f"{p['effective_from']} – {p['effective_to'] or ''}"
    reference = f"{clause_ref(load_rulebook(), p['source'], p['clause'], p['quote'])}: “{esc(p['quote'])}”"
    if (owed := p["owed_by"]) is not None:
        reference += (f". Owed only by {esc(owed['title']['zh'])} / {esc(owed['title']['en'])} (``{owed['role']}``), "
                      f"{clause_ref(load_rulebook(), owed['source'], owed['clause'], owed['quote'])}: “{esc(owed['quote'])}”")
    if p["note"] is not None:
        reference += f". Note: {esc(p['note'])}"
    named = f"``{name}``" + (f" — {esc(p['title']['zh'])} / {esc(p['title']['en'])}" if p["title"] else "")
    return [named, f"{p['value']} {esc(p['unit'])} — {esc(p['takes'])}", period, reference]


def _parameters_rst(entry: dict[str, Any]) -> list[str]:
    rows = [[f":ref:`{profile['id']} <profile-{profile['id']}>`", *_parameter_cells(name, p)]
            for profile in entry["profiles"] for name, p in profile["parameters"].items()]
    if not rows:
        return []
    headers = ["Profile", "Parameter", "Value", "In effect", "Reference"]
    return ["**Parameters**", "", *list_table(headers, rows, "18 14 10 16 42")]


def _profile_parameters_rst(rulebook: Rulebook, profile_id: str) -> list[str]:
    """A profile's parameter values, each once however many of its rules read it, sorted by name."""
    values: dict[str, dict[str, Any]] = {}
    for entry in catalogue(rulebook, profile_id):
        for profile in entry["profiles"]:
            values.update(profile["parameters"])
    if not values:
        return []
    rows = [_parameter_cells(name, values[name]) for name in sorted(values)]
    headers = ["Parameter", "Value", "In effect", "Reference"]
    return ["**Parameters**", "", *list_table(headers, rows, "20 12 16 52")]


class RuleCatalogue(_RstDirective):
    """Every rule of the rulebook, one section each."""

    def rst(self) -> list[str]:
        rulebook = load_rulebook()
        out: list[str] = []
        for entry in catalogue(rulebook):
            rule = rulebook.rules[entry["id"]]
            kind = DOCUMENT_TITLES[rule.document]
            out += [f".. _{rule_label(rule.id)}:", "", *heading(rule.id, "-")]
            out += [f"**{esc(rule.title.zh)}** — {esc(rule.title.en)}", ""]
            out += [f":Severity: {rule.severity.value}",
                    f":Checks: {esc(kind.en)} ({esc(kind.zh)}), ``{rule.document}``",
                    ":Profiles: " + ", ".join(f":ref:`{p['id']} <profile-{p['id']}>`" for p in entry["profiles"]), ""]
            out += [esc(rule.description.zh), "", esc(rule.description.en), ""]
            out += _parameters_rst(entry)
            out += ["**Citations**", ""]
            for citation in rule.citations:
                scope = citation.applies_to
                grounds = f" ({scope.described(lambda name: f'``{name}``')})" if scope else ""
                link = clause_ref(rulebook, citation.source, citation.clause, citation.quote)
                out += [f"- {link}: “{esc(citation.quote)}”{grounds}"]
            out.append("")
            out += _worked_example_rst(rule.id)
        return out


class RuleIndex(_RstDirective):
    """The rules grouped by source document, by document kind, or by profile."""

    required_arguments = 1

    def rst(self) -> list[str]:
        rulebook = load_rulebook()
        by = self.arguments[0]
        out: list[str] = []

        def rules_list(rule_ids: Iterable[str]) -> list[str]:
            return [f"- {rule_ref(r)} — {esc(rulebook.rules[r].title.zh)} / {esc(rulebook.rules[r].title.en)}"
                    for r in sorted(rule_ids)] + [""]

        if by == "source":
            for source in rulebook.sources.values():
                cited = {r.id for r in rulebook.rules.values() if any(c.source == source.id for c in r.citations)}
                out += [*heading(source.id, "-"), f":ref:`{esc(source.title)} <source-{source.id}>`", ""]
                out += rules_list(cited)
        elif by == "kind":
            grouped: dict[str, list[str]] = defaultdict(list)
            for rule in rulebook.rules.values():
                grouped[rule.document].append(rule.id)
            for kind, title in DOCUMENT_TITLES.items():
                title_text = f"{title.en} ({title.zh})"
                out += [*heading(title_text, "-"), f"``kind: {kind}``", ""]
                out += rules_list(grouped.get(kind, [])) if grouped.get(kind) else ["No rules check this kind alone.", ""]
        elif by == "profile":
            for profile in rulebook.profiles.values():
                out += [f".. _profile-{profile.id}:", "", *heading(profile.id, "-")]
                out += [f"**{esc(profile.title.zh)}** — {esc(profile.title.en)}", "",
                        f":Jurisdiction: {esc(profile.jurisdiction)}",
                        f":Period: {profile.period_from} – {profile.period_to}",
                        f":Documents: {', '.join(f'``{d}``' for d in profile.documents)}",
                        ":Sources: " + ", ".join(f":ref:`{s} <source-{s}>`" for s in profile.sources), ""]
                out += ["**Rules**", "", *rules_list(profile.rules)]
                out += _profile_parameters_rst(rulebook, profile.id)
        else:
            raise self.error(f"zhifa-rule-index: group by source, kind or profile, not {by!r}")
        return out


# ---------------------------------------------------------------- source pages


def _spans(raw: str, coverage: Coverage) -> list[tuple[int, int, int]]:
    """(start, end, clause index) in the raw text of each listed clause's quote: at the occurrence the
    entry chooses (load_coverage refuses a quote occurring more than once where it chooses none)."""
    kept = [k for k, ch in enumerate(raw) if not ch.isspace()]
    flat = normalise_whitespace(raw)
    assert len(flat) == len(kept), "a quotable text is the raw text without its whitespace"
    return [(kept[at], kept[end - 1] + 1, index) for index, clause in enumerate(coverage.clauses)
            for at, end in clause.spans(flat)[:1]]


def _rule_links(rule_ids: Iterable[str]) -> nodes.inline:
    links = nodes.inline(classes=["zhifa-clause-rules"])
    for k, rule_id in enumerate(rule_ids):
        if k:
            links += nodes.Text(", ")
        xref = addnodes.pending_xref("", refdomain="std", reftype="ref", reftarget=rule_label(rule_id), refexplicit=True)
        xref += nodes.inline(text=rule_id)
        links += xref
    return links


class SourcePage(SphinxDirective):
    """A shipped source: what it is, how much of it is encoded, and its text with the clauses marked."""

    required_arguments = 1

    def run(self) -> list[nodes.Node]:
        rulebook = load_rulebook()
        source_id = self.arguments[0]
        if source_id not in rulebook.sources:
            raise self.error(f"unknown source {source_id!r}")
        source = rulebook.sources[source_id]
        coverage = coverage_of(source_id)
        if coverage is None:
            raise self.error(f"no clause coverage file for {source_id} (rulebook/coverage/{source_id}.yaml)")
        # Only the entry a rule encodes links to it; other requirements of the same clause keep their reason.
        rules_of = {k: [r.id for r in citing_rules(rulebook, source_id, c.clause, c.quote)] if c.status == "encoded" else []
                    for k, c in enumerate(coverage.clauses)}
        out = self._header(source, coverage, rules_of)
        container = nodes.section()
        lines = StringList()
        for k, line in enumerate(out):
            lines.append(line, self.get_source_info()[0], k)
        nested_parse_with_titles(self.state, lines, container)
        text_section = container.children[-1]
        text_section += self._text(rulebook.source_text(source_id), coverage, rules_of)
        return list(container.children)

    def _header(self, source: Any, coverage: Coverage, rules_of: dict[int, list[str]]) -> list[str]:
        profiles = [p.id for p in load_rulebook().profiles.values() if source.id in p.sources]
        checkable, encoded = len(coverage.checkable), len(coverage.encoded)
        share = f"{100 * encoded / checkable:.0f} %" if checkable else "—"
        out = [f".. _source-{source.id}:", "", *heading(esc(source.title), "="),
               f"**Clause coverage: {encoded} of {checkable} checkable clauses encoded ({share})**; "
               f"{len(coverage.clauses) - checkable} more state requirements no document zhifa reads can show.", "",
               f":Source id: ``{source.id}``", f":Issuer: {esc(source.issuer)}",
               f":Issued: {source.issued or 'undated'}",
               f":File: ``rulebook/sources/{source.file}`` (sha256 ``{source.sha256[:16]}…``, shipped unchanged)",
               ":Profiles: " + (", ".join(f":ref:`{p} <profile-{p}>`" for p in profiles) or "none"), "",
               *heading("Clause coverage", "-"),
               "Every numbered clause that states a checkable requirement, and the rules that encode it "
               "(``rulebook/coverage/" + source.id + ".yaml``; a test checks every quote against the text).", ""]
        rows = []
        for k, clause in enumerate(coverage.clauses):
            quote = clause.quote if len(clause.quote) <= 60 else clause.quote[:58] + "…"
            if clause.status == "encoded":
                outcome = ", ".join(rule_ref(r) for r in rules_of[k])
            else:
                reason = clause.not_checkable or clause.not_encoded
                assert reason is not None
                label = "not checkable" if clause.not_checkable else "not encoded yet"
                outcome = f"*{label}*: {esc(reason.en)} ({esc(reason.zh)})"
            rows.append([f":ref:`{esc(clause.clause)} <{clause_label(source.id, k)}>`", f"“{esc(quote)}”", outcome])
        out += list_table(["Clause", "Requirement", "Rules, or why not"], rows, "14 46 40")
        out += [*heading("Text", "-"),
                "The source as shipped. Highlighted: clauses encoded by rules (yellow), clauses that are not "
                "checkable (grey), checkable clauses not yet encoded (red).", ""]
        return out

    def _text(self, raw: str, coverage: Coverage, rules_of: dict[int, list[str]]) -> nodes.container:
        std = self.env.get_domain("std")
        spans = _spans(raw, coverage)
        container = nodes.container(classes=["zhifa-source"])
        offset = 0
        for line in raw.splitlines(keepends=True):
            start, end = offset, offset + len(line.rstrip("\r\n"))
            offset += len(line)
            if not line.strip():
                continue
            points = sorted({start, end} | {p for s, e, _ in spans for p in (s, e) if start < p < end})
            paragraph = nodes.paragraph()
            for a, b in itertools.pairwise(points):
                piece = raw[a:b].replace("\t", "    ")
                covering = [(s, e, k) for s, e, k in spans if s <= a and b <= e]
                if not covering:
                    paragraph += nodes.Text(piece)
                    continue
                _, _, first = covering[0]
                clause: Clause = coverage.clauses[first]
                inline = nodes.inline(text=piece, classes=["zhifa-clause", clause.status])
                for s, _, k in covering:
                    if s == a:
                        label = clause_label(coverage.source, k)
                        inline["ids"].append(label)
                        title = f"{coverage.source} {coverage.clauses[k].clause}"
                        std.note_hyperlink_target(label, self.env.docname, label, title)
                paragraph += inline
                for _, e, k in covering:
                    if e == b and rules_of[k]:
                        paragraph += _rule_links(rules_of[k])
            container += paragraph
        return container


class CoverageSummary(_RstDirective):
    """Coverage figures of every shipped source."""

    def rst(self) -> list[str]:
        rows = []
        for source in load_rulebook().sources.values():
            coverage = coverage_of(source.id)
            if coverage is None:
                raise self.error(f"no clause coverage file for {source.id} (rulebook/coverage/{source.id}.yaml)")
            checkable, encoded = len(coverage.checkable), len(coverage.encoded)
            rows.append([f":ref:`{source.id} <source-{source.id}>`", esc(source.title), str(len(coverage.clauses)),
                         str(checkable), str(encoded), f"{100 * encoded / checkable:.0f} %" if checkable else "—"])
        return list_table(["Source", "Title", "Clauses listed", "Checkable", "Encoded", "Coverage"], rows)


# ---------------------------------------------------------------- reference


class FactKindsReference(_RstDirective):
    """Every fact kind a rule can match: its fields, the parameters its builder reads, how many of
    its facts one durable-rules fact packs, the rules matching it."""

    def rst(self) -> list[str]:
        rulebook = load_rulebook()
        rows = []
        for kind, spec in FACT_KINDS.items():
            matching = sorted(r.id for r in rulebook.rules.values() if kind in r.fact_kinds)
            rows.append([f"``{kind}``", ", ".join(f"``{name}``" for name in spec.fields),
                         ", ".join(f"``{name}`` ({esc(unit)}{', may be owed by a role' if name in spec.scoped_by_role else ''})"
                                   for name, unit in spec.reads.items()), str(spec.pack) if spec.pack else "—",
                         ", ".join(rule_ref(r) for r in matching)])
        return list_table(["Kind", "Fields", "Parameters read", "Packed", "Rules"], rows, widths="16 44 14 6 20")


class ParameterUnits(_RstDirective):
    """Every unit a rule may declare a parameter in, with the values it takes (``rulebook.model.UNITS``)."""

    def rst(self) -> list[str]:
        rows = [[f"``{unit}``", esc(str(domain))] for unit, domain in UNITS.items()]
        return list_table(["Unit", "Takes"], rows, widths="30 70")


class CliReference(_RstDirective):
    """``zhifa --help`` and the help of each command, from the parser itself."""

    def rst(self) -> list[str]:
        from engine.cli import parser

        top = parser()
        out = ["``zhifa``", "", ".. code-block:: text", "", *indent(top.format_help().splitlines()), ""]
        for action in top._actions:
            if isinstance(action, argparse._SubParsersAction):
                for name, sub in action.choices.items():
                    out += [f"``zhifa {name}``", "", ".. code-block:: text", "", *indent(sub.format_help().splitlines()), ""]
        return out


def _def_label(kind: str, name: str) -> str:
    return f"schema-{kind}-{name.lower()}"


def _type_of(schema: dict[str, Any], kind: str) -> str:
    if "$ref" in schema:
        name = schema["$ref"].rsplit("/", 1)[-1]
        return f":ref:`{name} <{_def_label(kind, name)}>`"
    if "anyOf" in schema:
        return " or ".join(_type_of(s, kind) for s in schema["anyOf"])
    if "enum" in schema:
        return "one of " + ", ".join(f"``{v}``" for v in schema["enum"])
    if "const" in schema:
        return f"``{schema['const']}``"
    if schema.get("type") == "array":
        length = ([f"{schema['minItems']} entries"] if schema.get("minItems") == schema.get("maxItems") is not None
                  else [])
        rules = ", ".join(length + (["no repeats"] if schema.get("uniqueItems") else []))
        return f"list of {_type_of(schema['items'], kind)}" + (f" ({rules})" if rules else "")
    kind = schema.get("type", "any")
    extra = []
    if "minimum" in schema:
        extra.append(f"≥ {schema['minimum']}")
    if "maximum" in schema:
        extra.append(f"≤ {schema['maximum']}")
    if schema.get("format") == "date":
        extra.append("date YYYY-MM-DD")
    elif "pattern" in schema:
        extra.append(SCHEMA_PATTERNS[schema["pattern"]])
    return kind + (f" ({', '.join(extra)})" if extra else "")


def _object_table(schema: dict[str, Any], kind: str) -> list[str]:
    required = set(schema.get("required", []))
    rows = [[f"``{name}``", _type_of(prop, kind), "yes" if name in required else "no", esc(prop.get("description", ""))]
            for name, prop in schema.get("properties", {}).items()]
    return list_table(["Field", "Type", "Required", "Notes"], rows, "22 38 10 30")


class SchemaReference(_RstDirective):
    """A document format, rendered from its published JSON Schema."""

    required_arguments = 1

    def rst(self) -> list[str]:
        kind = self.arguments[0]
        schema = document_schema(kind)
        out = [f"Schema file: ``forms/schemas/{kind}.schema.json``. {esc(schema.get('description', ''))}", ""]
        out += _object_table(schema, kind)
        if kind == "dispatch-form":
            for branch in schema["allOf"]:
                variant = branch["if"]["properties"]["variant"]["const"]
                values = branch["then"]["properties"]["values"]["properties"]
                out += heading(f"Items of ``{variant}`` (``values``)", "~")
                rows = []
                for key, prop in values.items():
                    shape = prop["anyOf"][0]
                    described = _type_of({k: v for k, v in shape.items() if k != "description"}, kind)
                    if shape.get("type") == "object":
                        pair = ", ".join(f"{k}: {_type_of(v, kind)}" for k, v in shape["properties"].items())
                        described = "{" + pair + "}"
                    rows.append([f"``{key}``", esc(shape["description"]), described])
                out += list_table(["Key", "Item", "Figure (null or absent: blank)"], rows, "22 50 28")
        for name, definition in schema.get("$defs", {}).items():
            out += [f".. _{_def_label(kind, name)}:", "", *heading(name, "~"), esc(definition.get("description", "")), ""]
            out += _object_table(definition, kind)
        return out


class ReportExample(_RstDirective):
    """A JSON report, computed by the engine when the docs are built."""

    required_arguments = 1

    def rst(self) -> list[str]:
        root = Path(self.env.srcdir).parent  # arguments are paths from the repository root
        report = engine.check(load_document(root / self.arguments[0]), path=self.arguments[0])
        return [".. code-block:: json", "", *indent(as_json([report]).splitlines()), ""]


def _every_source_has_a_page(app: Sphinx, env: Any) -> None:
    """A shipped source without a page would leave clause links dangling: fail the build."""
    std = env.get_domain("std")
    for source_id in load_rulebook().sources:
        if f"source-{source_id}" not in std.labels:
            raise ValueError(f"no page renders source {source_id}: add docs/sources/{source_id}.rst")


def _rulebook_loads(app: Sphinx) -> None:
    """Stop before reading any page when the rulebook or a coverage file is invalid."""
    try:
        rulebook = load_rulebook()
        load_coverage()
        for profile_id in sorted(rulebook.profiles):
            check_fit(rulebook.rules_of(rulebook.profiles[profile_id]), profile_id)
    except (LoadError, RuleFitError) as exc:
        raise RulebookError(str(exc)) from None


def setup(app: Sphinx) -> dict[str, Any]:
    app.add_directive("zhifa-rule-catalogue", RuleCatalogue)
    app.add_directive("zhifa-rule-index", RuleIndex)
    app.add_directive("zhifa-source", SourcePage)
    app.add_directive("zhifa-coverage-summary", CoverageSummary)
    app.add_directive("zhifa-cli", CliReference)
    app.add_directive("zhifa-fact-kinds", FactKindsReference)
    app.add_directive("zhifa-parameter-units", ParameterUnits)
    app.add_directive("zhifa-schema", SchemaReference)
    app.add_directive("zhifa-report-example", ReportExample)
    app.connect("builder-inited", _rulebook_loads)
    app.connect("env-check-consistency", _every_source_has_a_page)
    return {"version": "1", "parallel_read_safe": True, "parallel_write_safe": True, "env_version": 1}
