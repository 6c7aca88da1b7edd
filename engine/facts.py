"""Every fact kind and the builder that makes it; building the facts of a bundle.

Builders live by document family (``engine.plan_facts``, ``engine.campaign_facts``). Each yields
facts of its kinds and, when the input lacks what a kind needs, a :class:`Missing` reason: a rule
whose facts are all missing is reported as not checked, never as passed. A reason given beside
facts of the kind (some item lacks what the others have) is kept too: the rule is checked on
those facts and reported not checked for the rest. A reason about one document of the bundle
(:attr:`Missing.doc`) is listed in that document's report only.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterator, Mapping, Sequence

import attrs

from engine.campaign_facts import CAMPAIGN_FACT_KINDS
from engine.derived import Built, Bundle, Fact, FactKind, Missing, Params
from engine.plan_facts import PLAN_FACT_KINDS, each_plan

Builder = Callable[[Bundle, Params], Built]

#: Every fact kind: its builder over a bundle, its fields and the parameters it reads.
FACT_KINDS: dict[str, FactKind] = {
    **{kind: attrs.evolve(k, builder=each_plan(k.builder)) for kind, k in PLAN_FACT_KINDS.items()},
    **CAMPAIGN_FACT_KINDS,
}
BUILDERS: dict[str, Builder] = {kind: k.builder for kind, k in FACT_KINDS.items()}
# each_plan wraps per kind; builders that make several kinds must run once, so index by the original.
_ORIGINAL: dict[str, object] = {kind: k.builder for kind, k in (PLAN_FACT_KINDS | CAMPAIGN_FACT_KINDS).items()}


@attrs.frozen
class Facts:
    """The facts of one bundle for a set of fact kinds, and why some kinds could not be built."""

    facts: tuple[Fact, ...]
    missing: dict[str, Missing]  # fact kind → why none could be built
    partial: dict[str, Missing] = attrs.field(factory=dict)  # fact kind → why some could not be built
    #: document of the bundle → its own missing and partial reasons (see :meth:`FactStream.reasons_for`)
    about: dict[int, tuple[dict[str, Missing], dict[str, Missing]]] = attrs.field(factory=dict)


@functools.cache
def _runs(kinds: tuple[str, ...]) -> tuple[tuple[tuple[str, ...], frozenset[str] | None, Builder], ...]:
    """The builders these kinds need, each once, with the kinds it is asked for and, when it also
    makes kinds not asked for, the set to keep (cached per kinds)."""
    runs: list[tuple[object, list[str], Builder]] = []
    for kind in kinds:
        for original, asked, _ in runs:
            if original is _ORIGINAL[kind]:
                asked.append(kind)
                break
        else:
            runs.append((_ORIGINAL[kind], [kind], BUILDERS[kind]))
    result = []
    for original, asked, builder in runs:
        makes = {kind for kind, other in _ORIGINAL.items() if other is original}
        result.append((tuple(asked), None if makes <= set(asked) else frozenset(asked), builder))
    return tuple(result)


def _joined(first: Missing, then: Missing) -> Missing:
    """Two reasons about one document, in the order its builder gave them (one, if they are one)."""
    if then == first:
        return first
    return attrs.evolve(first, zh=f"{first.zh}；{then.zh}", en=f"{first.en}; {then.en}")


def _named(names: Sequence[str]) -> tuple[str, str]:
    """Inputs as a reason names them, in Chinese and in English: sorted (the order they were given
    in changes nothing), the first three and how many more."""
    names = sorted(names)
    shown = "、".join(names[:3]) + (f" 等 {len(names)} 份" if len(names) > 3 else "")
    shown_en = ", ".join(names[:3]) + (f" and {len(names) - 3} more" if len(names) > 3 else "")
    return shown, shown_en


def unread_inputs(names: Sequence[str], refused: Sequence[str] = ()) -> Missing:
    """Why facts that compare documents are not built: these inputs of the check could not be read
    (``names``), or were read and refused (``refused``: their profile does not fit them), and any of
    them may be a document they compare (a member's form, a month, a record)."""
    zh, en = [], []
    if names:
        shown, shown_en = _named(names)
        zh.append(f"有无法读取的输入（{shown}）")
        en.append(f"some input could not be read ({shown_en})")
    if refused:
        shown, shown_en = _named(refused)
        zh.append(f"有输入被拒绝检查（{shown}）")
        en.append(f"{'an input was' if len(refused) == 1 else 'inputs were'} refused ({shown_en})")
    return Missing(f"{'；'.join(zh)}，不作跨文件比对", f"documents are not compared with each other: {'; '.join(en)}")


class FactStream:
    """The facts of one bundle for a set of fact kinds, built as they are read and numbered in a
    stable order (``f0``, ``f1``, …), so that a large bundle need never hold them all. Once read to
    the end, :attr:`missing` says why some kinds could not be built, and :attr:`partial` why some
    facts of kinds that were built could not be, for every document of the bundle;
    :meth:`reasons_for` adds what a builder said about one document only. With ``unread`` (some input of
    the check could not be read), kinds that compare documents are not built but missing for that
    reason: their rules are reported not checked rather than judged on part of the documents.
    ``unread`` maps each fact kind so withheld to its reason (an input lost to the check may be a
    document of a kind it compares)."""

    def __init__(self, bundle: Bundle, kinds: tuple[str, ...], params: Params,
                 unread: Mapping[str, Missing] | None = None) -> None:
        self.bundle, self.kinds, self.params, self.unread = bundle, kinds, params, unread or {}
        self.missing: dict[str, Missing] = {}  # fact kind → why none could be built
        self.partial: dict[str, Missing] = {}  # fact kind → why some could not be built
        #: document of the bundle → its own missing and partial reasons (:attr:`Missing.doc`)
        self.about: dict[int, tuple[dict[str, Missing], dict[str, Missing]]] = {}

    def __iter__(self) -> Iterator[Fact]:
        self.missing.clear()
        self.partial.clear()
        self.about.clear()
        number = 0
        for asked, keep, builder in _runs(self.kinds):
            if self.unread and (blocked := [k for k in asked if k in self.unread]):
                self.missing.update((k, self.unread[k]) for k in blocked)
                if len(blocked) == len(asked):
                    continue
                asked = tuple(kind for kind in asked if kind not in blocked)
                keep = frozenset(asked)
            made: set[str] = set()
            reason: Missing | None = None
            own: dict[int, Missing] = {}  # document → the reasons about it alone, joined
            for item in builder(self.bundle, self.params):
                if isinstance(item, Missing):
                    if item.doc is None:
                        reason = reason or item
                    else:  # several about one document (roles unstated, steps not yet due): all kept
                        own[item.doc] = _joined(own[item.doc], item) if item.doc in own else item
                elif keep is None or item["kind"] in keep:
                    item["id"] = f"f{number}"  # each builder makes fresh dicts: number them in place
                    number += 1
                    made.add(item["kind"])
                    yield item
            for kind in asked:
                if reason is not None:
                    (self.partial if kind in made else self.missing)[kind] = reason
                for doc, why in own.items():
                    missing, partial = self.about.setdefault(doc, ({}, {}))
                    (partial if kind in made else missing)[kind] = why

    def reasons_for(self, doc: int) -> tuple[Mapping[str, Missing], Mapping[str, Missing]]:
        """:attr:`missing` and :attr:`partial` as they apply to document ``doc`` of the bundle: a
        reason about the whole bundle, else one about that document."""
        own = self.about.get(doc)
        if own is None:
            return self.missing, self.partial
        return {**own[0], **self.missing}, {**own[1], **self.partial}


def build_facts(bundle: Bundle, kinds: tuple[str, ...], params: Params,
                unread: Mapping[str, Missing] | None = None) -> Facts:
    """Every fact of a bundle at once (see :class:`FactStream`)."""
    stream = FactStream(bundle, kinds, params, unread)
    facts = tuple(stream)
    return Facts(facts, stream.missing, stream.partial, stream.about)
