"""The public checks: documents and profiles in, one :class:`Report` per document out.

Documents are checked in bundles: each annual plan alone; a campaign's dispatch forms, enterprise
records and dated steps together (per profile), because rules such as a unit's monthly series or a
roll-up compare documents with each other. A violation belongs to the document its first matched
fact comes from.
"""

from __future__ import annotations

import itertools
import os
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from datetime import date
from functools import cache, partial
from pathlib import Path
from typing import Any

import attrs

from engine.compile import CompiledProfile, Match, compile_profile, per_ruleset
from engine.derived import Fact, Missing, figure_shown
from engine.facts import FACT_KINDS, FactStream, unread_inputs
from engine.report import NotChecked, Report, Violation, in_report_order, render
from engine.runtime import RuleError, evaluate_groups
from forms import AnnualPlan, LoadError, document_from_data, load_document, plan_from_data
from forms.convert import DOCUMENT_KINDS, Document, built_wrongly, kind_of
from forms.dispatch import DispatchForm, load_template, variants
from forms.errors import shown_name
from forms.plan import name_key
from forms.records import CampaignSteps, EnterpriseRecord
from rulebook import Rule, Rulebook, load_rulebook


class ProfileError(ValueError):
    """The document cannot be checked under the profile asked for (unknown, wrong kind or period,
    another district's for a plan that names it, another variant's for a dispatch form, a record
    running to a day before its campaign began). ``document`` names it as :class:`forms.LoadError`
    does (its path, or ``<document N>``: its place among the documents given); ``field`` is
    ``"profile"`` when the profile is the one the document names, the field at fault; ``"as_of"``
    for a record's day; empty when it was asked for by the caller (``--profile``). ``detail`` is the
    message without them. The message reads as a LoadError's problem does: ``document: field: detail``.
    ``profile``: the profile that fits the document, where that is known (a record refused for its
    ``as_of``, a form for naming another variant's profile: its own variant's); else None (which
    campaign it belongs to is not known)."""

    def __init__(self, detail: str, field: str = "", document: str = "", profile: str | None = None) -> None:
        self.detail = detail
        self.field = field
        self.document = document
        self.profile = profile
        super().__init__(": ".join(part for part in (document, field, detail) if part))

    def __reduce__(self) -> tuple[Any, ...]:  # pickled by its fields (see forms.LoadError)
        return type(self), (self.detail, self.field, self.document, self.profile)


#: Turns a violation's JSON pointer into the place a person looks (e.g. ``调度表!E7`` in a workbook).
Locator = Callable[[Document, str], str]


@attrs.frozen
class Unusable:
    """An input that could not be checked, and why (a load, profile or engine error)."""

    path: str
    error: Exception

    @property
    def problems(self) -> list[dict[str, str]]:
        """Why the input could not be checked, as the JSON report lists it, one ``{"path", "message"}``
        dict per problem. ``path`` names the field or cell; a :class:`ProfileError` gives one
        problem naming ``profile`` when the document's own profile does not fit it; any other error
        gives one problem with an empty path."""
        if isinstance(self.error, LoadError):
            return [{"path": p.path, "message": p.message} for p in self.error.problems]
        if isinstance(self.error, RuleError) and self.error.document == self.path:  # named once, as the input
            return [{"path": "", "message": f"rule evaluation failed: {self.error.detail}"}]
        if isinstance(self.error, ProfileError):  # named once, as the input
            return [{"path": self.error.field, "message": self.error.detail}]
        return [{"path": "", "message": str(self.error)}]


@attrs.frozen
class Unread:
    """An input of a check that could not be loaded, and the profile it would have been checked
    under, where that much of it could be read (``None``: it may belong to any campaign checked).
    ``kind``: its kind of document, where known (one loaded and then refused): only the comparisons
    reading documents of that kind wait for it (``None``: any). ``refused``: it was loaded and
    refused (its profile does not fit it), which the reason says rather than “could not be read”."""

    path: str
    profile: str | None = None
    kind: str | None = attrs.field(default=None, validator=attrs.validators.optional(attrs.validators.in_(DOCUMENT_KINDS)))
    refused: bool = False


def _resolve(document: Document, profile: str | None, rulebook: Rulebook, name: str) -> CompiledProfile:
    profile_id = document.profile if profile is None else profile  # "" is refused, not taken for the default
    # The document's field, or the caller's; the document named, as in a stream it is not known otherwise.
    unfit = partial(ProfileError, field="profile" if profile is None else "", document=name)
    try:
        compiled = compile_profile(rulebook, profile_id)
    except KeyError as exc:
        raise unfit(exc.args[0]) from None
    kind = kind_of(document)
    if kind not in compiled.profile.documents:
        raise unfit(f"profile {profile_id} checks {', '.join(compiled.profile.documents)}, not {kind}")
    if isinstance(document, DispatchForm):
        _refuse_another_variants_profile(document, profile_id, unfit)
    if isinstance(document, (EnterpriseRecord, CampaignSteps)):
        _refuse_as_of_before_the_campaign(document, compiled, name)
    if isinstance(document, AnnualPlan) and not compiled.profile.covers_year(document.year):
        raise unfit(
            f"profile {profile_id} covers {compiled.profile.period_from}–{compiled.profile.period_to}; "
            f"the plan is for {document.year}")
    if (profile is None and isinstance(document, AnnualPlan)
            and name_key(document.jurisdiction) != name_key(compiled.profile.jurisdiction)):
        # A plan naming another district's profile contradicts itself; asked for, another district's
        # rules are a comparison the caller chose (docs/guides/check-a-plan.md).
        whole = compiled.profile.jurisdiction
        if _without_its_city(document.jurisdiction, whole):  # 普陀区: Shanghai's, or Zhoushan's? Never guessed
            raise unfit(f"profile {profile_id} is for {whole}; the plan is for {document.jurisdiction}; if it is "
                        f"{whole}, write it so (jurisdiction), or ask for the profile with --profile")
        raise unfit(f"profile {profile_id} is for {whole}; the plan is for "
                    f"{document.jurisdiction} (another district's profile is applied only when asked for)")
    return compiled


#: How the name of a province or a city ends: what a clerk may leave out of a district's (上海市).
_ABOVE_A_DISTRICT = ("省", "市", "自治区", "自治州", "地区", "盟")


def _without_its_city(name: str, whole: str) -> bool:
    """Whether ``name`` is ``whole`` with its leading province or city left out (普陀区 of 上海市普陀区):
    the same district, or one of the same name elsewhere (舟山市普陀区)."""
    name, whole = name_key(name), name_key(whole)
    left_out = whole.removesuffix(name)
    return bool(name) and left_out != whole and left_out.endswith(_ABOVE_A_DISTRICT)


def _refuse_as_of_before_the_campaign(document: EnterpriseRecord | CampaignSteps, compiled: CompiledProfile,
                                      name: str) -> None:
    """Refuse a record running to a day (``as_of``) before the campaign began: every period and
    step would be “not yet due”, its findings silently lost (a year's typo, 2022 for 2023)."""
    start = compiled.params.get("campaign_start")
    if document.as_of is None or not isinstance(start, date) or document.as_of >= start:
        return
    raise ProfileError(f"{document.as_of.isoformat()} is before the campaign began ({start.isoformat()}, under "
                       f"profile {compiled.profile.id}): a record of the campaign runs to a day in it; check the "
                       f"year", field="as_of", document=name, profile=compiled.profile.id)


@cache
def _variant_profiles() -> dict[str, str]:
    """The profile each shipped form variant's template names (read-only: shared by every call)."""
    return {variant: load_template(variant).profile for variant in variants()}


@cache
def _variants_of(profile_id: str) -> tuple[str, ...]:
    """The shipped form variants whose template names ``profile_id`` (cached: looked up per form)."""
    return tuple(variant for variant, owner in _variant_profiles().items() if owner == profile_id)


def _refuse_another_variants_profile(form: DispatchForm, profile_id: str, unfit: Callable[..., ProfileError]) -> None:
    """Refuse a form under the profile of another variant's template: that profile's rules, items
    and quoted clauses are its own form's, named or asked for alike. A profile no template names
    (one of an extended rulebook) has no form of its own and may check any variant."""
    owners = _variants_of(profile_id)
    if not owners or form.variant in owners:
        return
    own = _variant_profiles().get(form.variant)  # None: no shipped variant, named by the loader's checks
    if own is not None:
        raise unfit(f"profile {profile_id} is the profile of the {', '.join(owners)} form; a {form.variant} "
                    f"form is checked under {own} (a form's items belong to its variant)", profile=own)


def _resolved(document: Document, profile: str | None, rulebook: Rulebook, name: str) -> CompiledProfile:
    """:func:`_resolve`, raising for a document built in Python with a field no loader would give
    (``year="2024"``) the :class:`LoadError` that names it; other errors as they are (a rulebook's)."""
    try:
        return _resolve(document, profile, rulebook, name)
    except ProfileError:
        raise
    except Exception as exc:
        wrong = built_wrongly(document, name)  # only failures pay for this
        if wrong is None:
            raise
        raise wrong from exc


def _value(name: str, fields: dict[str, Any], shown_as: dict[str, str], blank_when: dict[str, str],
           blank_unless: dict[str, tuple[str, ...]]) -> Any:
    """A field as a violation's values give it: a figure as the document states it, a blank (or what
    means nothing for this fact: the date of an undated form) as ``None``."""
    if name in shown_as:
        return figure_shown(fields[shown_as[name]])
    if ((name in blank_when and fields[blank_when[name]])
            or (name in blank_unless and not all(fields[flag] for flag in blank_unless[name]))):
        return None
    value = fields[name]
    return value.isoformat() if isinstance(value, date) else value


def _violation(rule: Rule, match: Match, facts: dict[str, Fact], compiled: CompiledProfile, location: str) -> Violation:
    alternative = rule.when[match.alternative]
    matched = [facts[fact_id] for _, fact_id in match.fact_ids]
    fields: dict[str, Any] = {}
    shown_as: dict[str, str] = {}
    blank_when: dict[str, str] = {}
    blank_unless: dict[str, tuple[str, ...]] = {}
    for fact in reversed(matched):  # the first pattern's fields win
        fields.update(fact)
        kind = FACT_KINDS[fact["kind"]]
        shown_as.update(kind.shown_as)
        blank_when.update(kind.blank_when)
        blank_unless.update(kind.blank_unless)
    fields.update(compiled.shown_params)
    message, fix = rule.message_for(alternative), rule.fix_for(alternative)
    return Violation(
        rule=rule.id,
        severity=rule.severity,
        message=render(message.zh, fields),
        message_en=render(message.en, fields),
        location=location,
        values={name: _value(name, fields, shown_as, blank_when, blank_unless) for name in rule.values if name in fields},
        # One clause grounding the finding in two ways (two scopes) is cited once.
        citations=tuple(dict.fromkeys(c.as_cited() for c in rule.citations_for(compiled.profile.sources, matched[0]))),
        fix=render(fix.zh, fields) if fix else None,
        fix_en=render(fix.en, fields) if fix else None,
    )


def _not_checked(rule: Rule, missing: Mapping[str, Missing], partial: Mapping[str, Missing]) -> NotChecked | None:
    """A rule is checked if some alternative had facts of every kind it joins. One whose facts
    could be built for part of the document only (``partial``) is listed too, saying which part:
    its findings on the rest stand."""
    reasons = []
    for alternative in rule.when:
        absent = [missing[p.fact] for p in alternative.match if p.fact in missing]
        if not absent:
            break
        reasons.append(absent[0])
    else:
        return NotChecked(rule.id, reasons[0].zh, reasons[0].en)
    part = next((partial[p.fact] for a in rule.when for p in a.match if p.fact in partial), None)
    return NotChecked(rule.id, part.zh, part.en) if part is not None else None


def _pointer(document: Document, pointer: str) -> str:
    return pointer


def _cell_in_workbook(document: Document, pointer: str) -> str:
    from forms.xlsx import locate

    return locate(document, pointer) if isinstance(document, DispatchForm) else pointer


@attrs.frozen
class _Bundle:
    """Documents checked together under one profile, and their facts, built as they are evaluated."""

    members: tuple[int, ...]  # indexes into the documents given
    documents: tuple[Document, ...]
    paths: tuple[str | None, ...]
    compiled: CompiledProfile
    rules: _Rules
    facts: FactStream
    #: The facts some rule matched, by id: all that reports read of the facts. The others are
    #: dropped once their session is evaluated, so a large bundle never holds all its facts.
    matched: dict[str, Fact] = attrs.field(factory=dict)

    @property
    def name(self) -> str:
        if len(self.documents) == 1:
            return self.paths[0] or f"<document {self.members[0]}>"
        return f"{len(self.documents)} documents under {self.compiled.profile.id}"


@attrs.frozen
class _Rules:
    """The rules of a profile that apply to a set of document kinds, and what follows from them."""

    ruleset: str
    rules: tuple[Rule, ...]
    fact_kinds: tuple[str, ...]
    joins: bool  # some rule matches several facts at once: then a bundle's facts share one session
    by_id: dict[str, Rule]
    _not_checked: dict[tuple[str, tuple[tuple[str, Missing], ...], tuple[tuple[str, Missing], ...]],
                       tuple[NotChecked, ...]] = attrs.field(factory=dict)

    def not_checked(self, kind: str, missing: Mapping[str, Missing],
                    partial: Mapping[str, Missing]) -> tuple[NotChecked, ...]:
        """The rules for documents of ``kind`` that the missing fact kinds leave unchecked, in
        whole or (``partial``) in part (cached)."""
        # In the order the kinds' builders ran: the same for the same kinds.
        key = (kind, tuple(missing.items()), tuple(partial.items()))
        found = self._not_checked.get(key)
        if found is None:
            found = tuple(n for rule in self.rules
                          if rule.document == kind and (n := _not_checked(rule, missing, partial)))
            if len(self._not_checked) >= _NOT_CHECKED_CACHE:  # reasons naming unread inputs vary per call
                self._not_checked.clear()  # another thread may clear it too: the result is returned, not looked up
            self._not_checked[key] = found
        return found


_RULES_FOR: dict[tuple[str, frozenset[str]], _Rules] = per_ruleset({})
_NOT_CHECKED_CACHE = 256


def _rules_for(compiled: CompiledProfile, kinds: frozenset[str]) -> _Rules:
    """The rules of a profile for these kinds of document (cached per ruleset and kinds)."""
    key = (compiled.ruleset, kinds)
    # Read once: another thread may forget the entry (its ruleset least used) between two reads.
    selected = _RULES_FOR.get(key)
    if selected is None:
        rules = tuple(r for r in compiled.rules if r.document in kinds)
        selected = _Rules(compiled.ruleset, rules, tuple(sorted({k for r in rules for k in r.fact_kinds})),
                          any(len(a.match) > 1 for r in rules for a in r.when), {r.id: r for r in rules})
        _RULES_FOR[key] = selected
    return selected


def _bundle(members: Sequence[int], documents: Sequence[Document], names: Sequence[str | None],
            compiled: CompiledProfile, unread: Mapping[str, Missing] | None = None) -> _Bundle:
    """The documents ``members`` of ``documents`` as one bundle under ``compiled``."""
    docs = tuple(documents[i] for i in members)
    return _bundle_of(tuple(members), docs, tuple(names[i] for i in members), compiled,
                      frozenset(kind_of(d) for d in docs), unread)


def _alone(k: int, document: Document, name: str, compiled: CompiledProfile) -> _Bundle:
    """What :func:`_bundle` makes of document ``k`` alone, without walking lists for one document."""
    return _bundle_of((k,), (document,), (name,), compiled, frozenset((kind_of(document),)))


def _bundle_of(members: tuple[int, ...], documents: tuple[Document, ...], paths: tuple[str | None, ...],
               compiled: CompiledProfile, kinds: frozenset[str], unread: Mapping[str, Missing] | None = None) -> _Bundle:
    rules = _rules_for(compiled, kinds)
    return _Bundle(members, documents, paths, compiled, rules, FactStream(documents, rules.fact_kinds, compiled.params, unread))


#: Facts per durable-rules session. Sessions are created and deleted per batch of bundles (not per
#: document), which amortises their cost while keeping the C core's working memory bounded.
SESSION_FACTS = 2_000


def _keep_matched(bundle: _Bundle, facts: Sequence[Fact], found: Sequence[Match]) -> None:
    """Keep the facts of ``facts`` that ``found`` matched, for the bundle's reports."""
    if found:
        ids = {fact_id for match in found for _, fact_id in match.fact_ids}
        bundle.matched.update((fact["id"], fact) for fact in facts if fact["id"] in ids)


def _parts(bundle: _Bundle) -> Iterator[list[Fact]]:
    """A bundle's facts as they go to sessions: all in one if its rules join facts (a join may
    match facts far apart), else SESSION_FACTS at a time, built as they are read."""
    facts = iter(bundle.facts)
    if bundle.rules.joins:
        yield list(facts)
        return
    while part := list(itertools.islice(facts, SESSION_FACTS)):
        yield part


def _evaluate(bundles: Sequence[_Bundle]) -> list[list[Match] | RuleError]:
    """Every bundle's matches, bundles sharing sessions of about SESSION_FACTS facts; the facts they
    matched are kept in each bundle (:attr:`_Bundle.matched`). A bundle whose rules join no facts
    may be split across sessions. When a session shared by several bundles fails, each is
    evaluated again in a session of its own, so an error names the bundle that caused it and does
    not take the others with it."""
    matches: list[list[Match]] = [[] for _ in bundles]
    errors: dict[int, RuleError] = {}
    session: list[tuple[int, Sequence[Fact]]] = []
    size = 0

    def run() -> None:
        compiled = bundles[session[0][0]].compiled
        try:
            found = evaluate_groups(compiled, [facts for _, facts in session], f"{len(session)} bundles")
        except RuleError as exc:
            if len(session) == 1:
                errors[session[0][0]] = RuleError(bundles[session[0][0]].name, exc.detail)
                session.clear()
                return
            found = []
            for b, facts in session:
                try:
                    found.append(evaluate_groups(compiled, [facts], bundles[b].name)[0])
                except RuleError as exc:
                    errors[b] = RuleError(bundles[b].name, exc.detail)
                    found.append([])
        for (b, facts), part in zip(session, found, strict=True):
            matches[b].extend(part)
            _keep_matched(bundles[b], facts, part)
        session.clear()

    for b, bundle in enumerate(bundles):
        parts = _parts(bundle)
        while True:
            try:
                part = next(parts, None)
            except Exception as exc:  # a document built in Python that no loader would give: that bundle only
                errors[b] = RuleError(bundle.name, f"{type(exc).__name__}: {exc}")
                break
            if part is None:
                break
            if session and (bundles[session[0][0]].compiled is not bundle.compiled or size + len(part) > SESSION_FACTS):
                run()
                size = 0
            session.append((b, part))
            size += len(part)
    if session:
        run()
    return [errors.get(b, found) for b, found in enumerate(matches)]


def _reports(bundle: _Bundle, matches: Sequence[Match], locate: Locator, paths: bool) -> list[Report]:
    facts = bundle.matched
    by_id = bundle.rules.by_id
    found: dict[int, list[Violation]] = defaultdict(list)
    try:
        for match in matches:
            first = facts[match.fact_ids[0][1]]
            doc = first["doc"]
            found[doc].append(_violation(by_id[match.rule], match, facts, bundle.compiled,
                                         locate(bundle.documents[doc], first["loc"])))
    except KeyError as exc:  # a template names a field its facts lack: a rulebook defect
        raise RuleError(bundle.name, str(exc)) from exc
    except Exception as exc:  # a document built in Python with a value no loader gives
        raise RuleError(bundle.name, f"{type(exc).__name__}: {exc}") from exc
    reports = []
    for index, (document, path) in enumerate(zip(bundle.documents, bundle.paths, strict=True)):
        kind = kind_of(document)
        reports.append(Report(kind=kind, profile=bundle.compiled.profile.id,
                              violations=in_report_order(found[index]),
                              not_checked=bundle.rules.not_checked(kind, *bundle.facts.reasons_for(index)),
                              path=path if paths else None))
    return reports


def _check_bundles(bundles: Sequence[_Bundle], results: list[Report | Unusable | None], locate: Locator,
                   paths: bool = True) -> list[tuple[_Bundle, list[int]]]:
    """Evaluate the bundles and put each document's report (or why it is unusable) in ``results``;
    reports carry the bundle's paths unless ``paths`` is false (names then serve errors only).

    A bundle that fails names, for each of its documents that a loader would refuse (one built in
    Python), that document's bad fields. Returns the failed bundles some such document spoilt for
    others, each with those others (to be checked again without it)."""
    again = []
    for bundle, matches in zip(bundles, _evaluate(bundles), strict=True):
        try:
            if isinstance(matches, RuleError):
                raise matches
            reports = _reports(bundle, matches, locate, paths)
        except RuleError as exc:
            sound = []
            for i, name, document in zip(bundle.members, bundle.paths, bundle.documents, strict=True):
                name = name or f"<document {i}>"
                wrong = built_wrongly(document, name)
                results[i] = Unusable(name, wrong or exc)
                if wrong is None:
                    sound.append(i)
            if sound and len(sound) < len(bundle.members):
                again.append((bundle, sound))
            continue
        for i, report in zip(bundle.members, reports, strict=True):
            results[i] = report
    return again


def check_documents(
    documents: Sequence[Document],
    paths: Sequence[str | None] | None = None,
    profile: str | None = None,
    *,
    rulebook: Rulebook | None = None,
    locate: Locator | None = None,
    unread: Sequence[str | Unread] = (),
) -> list[Report | Unusable]:
    """Check documents together: one result per document, in the order given. A document whose
    profile does not fit it, or whose bundle failed to evaluate, gives an :class:`Unusable`; a
    campaign's document whose profile does not fit counts as refused (below): an :class:`Unread`
    of its kind, under the profile that fits it where only its ``as_of`` is refused, else any.

    ``locate`` turns a violation's JSON pointer into its location in the document's file (by
    default the pointer is the location; :func:`check_files` gives a workbook's cells).

    ``unread`` names inputs of the same check that could not be loaded. Any of them may be a
    document the others are compared with (a member's form, a month of a unit's series, an
    enterprise record), so the rules that compare documents are then reported not checked, naming
    them, rather than judged without it (a roll-up would otherwise report a member that filed an
    unreadable form as one that filed none). An :class:`Unread` that names its profile withholds
    them only from the documents checked under that profile; a path alone, from all. One that names
    its kind withholds only the rules comparing documents of that kind (a record: the forms against
    the records; not a unit's months or a roll-up).

    A document built in Python with a field no loader would give is unusable, with a
    :class:`forms.LoadError` naming the field, and counts as unread for the others. Raises
    :class:`TypeError` for what is not a document, and :class:`ValueError` if ``paths`` are not one
    per document."""
    if rulebook is None:
        rulebook = load_rulebook()
    if paths is not None and len(paths) != len(documents):
        raise ValueError(f"{len(paths)} paths for {len(documents)} documents: give one path (or None) per document")
    names = list(paths) if paths is not None else [None] * len(documents)
    for index, document in enumerate(documents):
        if not isinstance(document, _DOCUMENT_TYPES):
            raise TypeError(f"{names[index] or f'<document {index}>'}: expected a document, "
                            f"got {type(document).__name__} (plain data is read by forms.document_from_data)")
    results: list[Report | Unusable | None] = [None] * len(documents)
    grouped: dict[tuple[str, int], list[int]] = defaultdict(list)
    compiled_for: dict[str, CompiledProfile] = {}
    lost = [u if isinstance(u, Unread) else Unread(u) for u in unread]
    for index, document in enumerate(documents):
        name = names[index] or f"<document {index}>"
        try:
            compiled = _resolved(document, profile, rulebook, name)
        except ProfileError as exc:
            results[index] = Unusable(name, exc)
            if not isinstance(document, AnnualPlan):  # read, so of a known kind: lost to its comparisons only
                lost.append(Unread(name, exc.profile, kind_of(document), refused=True))
            continue
        except LoadError as exc:
            results[index] = Unusable(name, exc)
            if not isinstance(document, AnnualPlan):  # a field no loader gives: lost to every campaign
                lost.append(Unread(name))
            continue
        compiled_for[compiled.profile.id] = compiled
        # Plans are checked one by one; a campaign's documents are checked together.
        alone = index if isinstance(document, AnnualPlan) else -1
        grouped[(compiled.profile.id, alone)].append(index)

    def missing_under(profile_id: str) -> dict[str, Missing]:
        """Why each fact kind comparing documents is not built under the profile: inputs lost to the
        check that may be documents of a kind it compares."""
        here = [u for u in lost if u.profile in (None, profile_id)]
        withheld = {}
        for fact_kind, compared in _COMPARED.items():
            if mine := [u for u in here if u.kind is None or u.kind in compared]:
                withheld[fact_kind] = unread_inputs([u.path for u in mine if not u.refused],
                                                    [u.path for u in mine if u.refused])
        return withheld

    # A bundle's documents in the order of their names, so that which of two forms alike (a month
    # filed twice) carries a finding does not depend on the order they were given in.
    bundles = [_bundle(sorted(members, key=lambda i: (names[i] is None, names[i] or "", i)), documents, names,
                       compiled_for[profile_id], missing_under(profile_id))
               for (profile_id, _), members in sorted(grouped.items(), key=lambda g: (g[0][0], g[1][0]))]
    while again := _check_bundles(bundles, results, locate or _pointer):
        # Documents built wrongly spoilt a campaign's bundle: the others are checked without them.
        bundles = []
        for bundle, sound in again:
            profile_id = bundle.compiled.profile.id
            lost.extend(Unread(names[i] or f"<document {i}>", profile_id) for i in bundle.members if i not in sound)
            bundles.append(_bundle(sound, documents, names, bundle.compiled, missing_under(profile_id)))
    return [r for r in results if r is not None]


_DOCUMENT_TYPES = tuple(DOCUMENT_KINDS.values())
#: Each fact kind comparing documents with each other, and the kinds of document it compares.
_COMPARED = {kind: k.compares_documents for kind, k in FACT_KINDS.items() if k.compares_documents}

#: Documents read from the iterable per step of :func:`check_many`.
BATCH_DOCUMENTS = 256


def check_many(
    documents: Iterable[Document | Mapping[str, Any]],
    profile: str | None = None,
    *,
    rulebook: Rulebook | None = None,
    batch: int = BATCH_DOCUMENTS,
) -> Iterator[Report]:
    """Check many documents, each on its own: the reports are exactly those :func:`check` gives for
    each document alone, yielded in order, while documents are read lazily and evaluated in batches
    that share durable-rules sessions (compiled rulesets are reused; per-call costs are amortised).

    Up to ``batch`` documents are read before they are evaluated together (1: each report as soon
    as its document is read, for a live queue). Each is loaded as it is read, so plain data may be
    a mapping the source fills again for the next document.

    Raises what :func:`check` raises for the first document that cannot be checked, after yielding
    the reports of the documents before it. How much of ``documents`` has been read by then depends
    on when it is found:

    - a document refused as it is read (data that is no valid document, what is not a document, a
      profile that does not fit it) stops the reading: nothing after it is read;
    - one that fails only in evaluation (a document built in Python with a field no loader would
      give, found as its facts are built; a failed evaluation, :class:`RuleError`) is found once
      its whole batch was read: the documents after it in that batch have been taken from
      ``documents`` and are not reported; nothing after that batch is read. With ``batch=1`` none is.

    An error raised by ``documents`` itself is raised likewise, after the reports of the documents
    it gave. Rules that compare documents with each other need :func:`check_documents`.
    """
    if isinstance(batch, bool) or not isinstance(batch, int) or batch < 1:
        raise ValueError(f"batch must be a whole number of documents, at least 1, not {batch!r}")
    if rulebook is None:
        rulebook = load_rulebook()
    stream = iter(documents)
    offset = 0
    stopped: BaseException | None = None
    while stopped is None:
        bundles: list[_Bundle] = []
        for k in range(batch):
            try:
                given = next(stream)
            except StopIteration:
                break
            except Exception as exc:  # the source failed: the documents it gave are reported first
                stopped = exc
                break
            name = f"<document {offset + k}>"
            try:
                document = _as_document(given, name)
                bundles.append(_alone(k, document, name, _resolved(document, profile, rulebook, name)))
            except Exception as exc:  # raised once the reports before it are yielded, as promised
                stopped = exc
                break  # nothing after the first document refused as it is read is read
        if not bundles:
            break
        results: list[Report | Unusable | None] = [None] * len(bundles)
        _check_bundles(bundles, results, _pointer, paths=False)
        for result in results:
            if isinstance(result, Unusable):  # found in evaluation: the rest of its batch was read
                raise result.error
            assert result is not None
            yield result
        offset += len(bundles)
        if len(bundles) < batch:
            break
    if stopped is not None:
        raise stopped


def _as_document(document: Document | Mapping[str, Any], name: str) -> Document:
    if not isinstance(document, Mapping):
        if not isinstance(document, _DOCUMENT_TYPES):
            raise TypeError(f"{name}: expected a document or its data as a mapping, got {type(document).__name__}")
        return document
    data = document if type(document) is dict else dict(document)  # neither loader changes it
    return document_from_data(data, name) if "kind" in data else plan_from_data(data, name)


def check(
    document: Document | Mapping[str, Any],
    profile: str | None = None,
    *,
    path: str | None = None,
    rulebook: Rulebook | None = None,
) -> Report:
    """Check one document against a profile (by default the one the document names), using the
    shipped rulebook unless another is given (e.g. one extended with a profile of your own).

    Takes a document or plain data (with ``kind``; a plan may leave it out). Raises
    :class:`forms.LoadError` for data that is not a valid document (and for a document built in
    Python with a field no loader would give, once the engine fails on it), :class:`ProfileError` when the
    profile does not fit it, and :class:`RuleError` when evaluation fails. Rules that compare
    documents (a monthly series, a roll-up) need :func:`check_documents`.
    """
    (result,) = check_documents([_as_document(document, path or "<data>")], [path], profile, rulebook=rulebook)
    if isinstance(result, Unusable):
        raise result.error
    return result


def check_file(path: str | Path, profile: str | None = None, *, rulebook: Rulebook | None = None) -> Report:
    """Load a document file (YAML, JSON, or an .xlsx dispatch form) and check it. Raises
    :class:`forms.LoadError` on bad input; in a workbook, violations are located as ``Sheet!Cell``."""
    (result,) = check_files([path], profile, rulebook=rulebook)
    if isinstance(result, Unusable):
        raise result.error
    return result


def file_identity(name: str) -> object:
    """What one file is, however it is reached: its device and inode (links, hard links, any
    spelling); a name that cannot be read is known by its normalised absolute path, and reported
    as unreadable when it is loaded."""
    try:
        status = os.stat(name)
    except OSError:
        return os.path.normpath(os.path.abspath(name))
    return (status.st_dev, status.st_ino)


def check_files(paths: Sequence[str | Path], profile: str | None = None, *, rulebook: Rulebook | None = None,
                loaders: Mapping[str, Callable[[Path], Document]] | None = None,
                locators: Mapping[str, Locator] | None = None) -> list[Report | Unusable]:
    """Load and check files together (campaign documents are compared with each other), one result
    per file in the order given. ``loaders``/``locators`` map a file suffix to its loader and to the
    function that turns a JSON pointer into a location in that kind of file; by default YAML and
    JSON are read by :func:`forms.load_document`, and .xlsx dispatch forms too, located as ``Sheet!Cell``.
    Files are named in the results as :func:`forms.errors.shown_name` shows them.

    A file given more than once (the same name again, another spelling of it, a link or a hard
    link to it: the same file, as ``zhifa check`` decides it) is loaded and checked once, under the
    name it is first given by, and that result is given at each of its positions: it is not
    compared with itself (a form would have its month filed twice)."""
    files = [p if isinstance(p, Path) else Path(p) for p in paths]  # the CLI gives paths: not parsed again
    names = [shown_name(str(path)) for path in files]
    first: dict[object, int] = {}
    same_as = [first.setdefault(file_identity(str(path)), index) for index, path in enumerate(files)]
    loaded: list[tuple[int, Document]] = []
    results: list[Report | Unusable | None] = [None] * len(files)
    for index, path in enumerate(files):
        if same_as[index] != index:
            continue  # given before: its result is that one's
        load = (loaders or {}).get(path.suffix.lower(), load_document)
        try:
            loaded.append((index, load(path)))
        except LoadError as exc:
            results[index] = Unusable(names[index], exc)
    by_suffix = {".xlsx": _cell_in_workbook, **(locators or {})}
    file_of = {id(document): index for index, document in loaded}

    def locate(document: Document, pointer: str) -> str:
        locator = by_suffix.get(files[file_of[id(document)]].suffix.lower())
        return locator(document, pointer) if locator else pointer

    if rulebook is None:
        rulebook = load_rulebook()
    unread = [Unread(r.path, _profile_claimed(r.error, profile, rulebook)) for r in results if isinstance(r, Unusable)]
    checked = check_documents([d for _, d in loaded], [names[i] for i, _ in loaded], profile,
                              rulebook=rulebook, locate=locate, unread=unread)
    for (index, _), result in zip(loaded, checked, strict=True):
        results[index] = result
    return [r for r in (results[index] for index in same_as) if r is not None]


def _profile_claimed(error: Exception, profile: str | None, rulebook: Rulebook) -> str | None:
    """The profile an input that could not be loaded would have been checked under: the one asked
    for, or the known profile it names if it was read that far (:attr:`forms.LoadError.profile`);
    else None (any)."""
    if profile is not None:
        return profile
    named = error.profile if isinstance(error, LoadError) else None
    return named if named in rulebook.profiles else None
