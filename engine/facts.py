"""Every fact kind and the builder that makes it; building the facts of a bundle.

Builders live by document family (``engine.plan_facts``, ``engine.campaign_facts``). Each yields
facts of its kinds and, when the input lacks what a kind needs, a :class:`Missing` reason: a rule
whose facts are all missing is reported as not checked, never as passed.
"""

from __future__ import annotations

from collections.abc import Callable

import attrs

from engine.campaign_facts import CAMPAIGN_BUILDERS
from engine.derived import Built, Bundle, Fact, Missing, Params
from engine.plan_facts import PLAN_BUILDERS, each_plan

Builder = Callable[[Bundle, Params], Built]

#: Every fact kind, and the builder that makes it. One builder may make several kinds.
BUILDERS: dict[str, Builder] = {
    **{kind: each_plan(builder) for kind, builder in PLAN_BUILDERS.items()},
    **CAMPAIGN_BUILDERS,
}
# each_plan wraps per kind; builders that make several kinds must run once, so index by the original.
_ORIGINAL: dict[str, object] = {kind: builder for kind, builder in PLAN_BUILDERS.items()} | dict(CAMPAIGN_BUILDERS)


@attrs.frozen
class Facts:
    """The facts of one bundle for a set of fact kinds, and why some kinds could not be built."""

    facts: tuple[Fact, ...]
    missing: dict[str, Missing]  # fact kind → why none could be built


def build_facts(bundle: Bundle, kinds: tuple[str, ...], params: Params) -> Facts:
    """Run each builder the kinds need once; number the facts in a stable order."""
    runs: list[tuple[object, Builder]] = []
    for kind in kinds:
        if all(original is not _ORIGINAL[kind] for original, _ in runs):
            runs.append((_ORIGINAL[kind], BUILDERS[kind]))
    facts: list[Fact] = []
    missing: dict[str, Missing] = {}
    for original, builder in runs:
        made_kinds: set[str] = set()
        reasons: list[Missing] = []
        for item in builder(bundle, params):
            if isinstance(item, Missing):
                reasons.append(item)
            elif item["kind"] in kinds:
                made_kinds.add(item["kind"])
                facts.append(item)
        for kind in kinds:
            if _ORIGINAL[kind] is original and kind not in made_kinds and reasons:
                missing[kind] = reasons[0]
    numbered = tuple(dict(fact, id=f"f{n}") for n, fact in enumerate(facts))
    return Facts(numbered, missing)
