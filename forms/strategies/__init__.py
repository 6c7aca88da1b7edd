"""Hypothesis strategies for zhifa documents, for property tests here and in systems that use zhifa.

``annual_plans(profile)`` and ``campaign_bundles(profile)`` generate documents that satisfy every
rule of the profile. ``MUTATIONS`` maps each rule to a targeted change that breaks that rule and
no other; ``ALTERNATIVE_MUTATIONS`` maps each way a rule is violated (each alternative of its
``when``, each ``any`` condition) to one that breaks it that way.

Requires the ``strategies`` extra (``pip install zhifa[strategies]``).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Protocol, TypeVar, cast, overload

from forms.plan import AnnualPlan
from forms.strategies import campaign as _campaign
from forms.strategies import plan as _plan
from forms.strategies.campaign import CampaignBundle, campaign_bundles
from forms.strategies.plan import annual_plans, plan_data, restated, with_planned

#: One way a rule is violated, as (rule id, alternative, condition), where the alternative is an
#: index into the rule's ``when`` and the condition the index of the ``any`` condition it makes hold
#: (0 where it has none).
Way = _plan.Way
#: Rule id → the mutation that breaks exactly that plan rule in a plan from :func:`annual_plans`.
PLAN_MUTATIONS: dict[str, Callable[[AnnualPlan], AnnualPlan]] = _plan.PLAN_MUTATIONS
#: Rule id → the mutation that breaks exactly that campaign rule in a bundle from
#: :func:`campaign_bundles`.
CAMPAIGN_MUTATIONS: dict[str, Callable[[CampaignBundle], CampaignBundle]] = _campaign.CAMPAIGN_MUTATIONS
#: Each way (a :data:`Way`) of each plan rule → a mutation that breaks that rule that way only.
PLAN_ALTERNATIVE_MUTATIONS: dict[Way, Callable[[AnnualPlan], AnnualPlan]] = _plan.ALTERNATIVE_MUTATIONS
#: Each way (a :data:`Way`) of each campaign rule → a mutation that breaks that rule that way only.
CAMPAIGN_ALTERNATIVE_MUTATIONS: dict[Way, Callable[[CampaignBundle], CampaignBundle]] = (
    _campaign.ALTERNATIVE_MUTATIONS)


class Mutation(Protocol):
    """The type of :data:`MUTATIONS` and :data:`ALTERNATIVE_MUTATIONS` entries: a plan rule's
    mutation takes an :class:`~forms.plan.AnnualPlan` and returns one, a campaign rule's takes a
    :class:`CampaignBundle` and returns one. Which of the two an entry is follows from its rule's
    document kind, which a type checker cannot see: giving a plan rule's mutation a bundle (or the
    reverse) fails when it is called. :data:`PLAN_MUTATIONS` and :data:`CAMPAIGN_MUTATIONS` (and
    their ``ALTERNATIVE`` counterparts) are typed exactly."""

    @overload
    def __call__(self, document: AnnualPlan, /) -> AnnualPlan: ...
    @overload
    def __call__(self, document: CampaignBundle, /) -> CampaignBundle: ...


_K = TypeVar("_K")


def _merged(plan: dict[_K, Callable[[AnnualPlan], AnnualPlan]],
            campaign: dict[_K, Callable[[CampaignBundle], CampaignBundle]]) -> dict[_K, Mutation]:
    return cast(dict[_K, Mutation], {**plan, **campaign})  # each entry is one overload of Mutation


#: Rule id → the targeted mutation that breaks exactly that rule. For a plan rule it takes a plan
#: from :func:`annual_plans` and returns a plan (:data:`PLAN_MUTATIONS`); for a campaign rule it
#: takes a :class:`CampaignBundle` from :func:`campaign_bundles` and returns one
#: (:data:`CAMPAIGN_MUTATIONS`).
MUTATIONS: dict[str, Mutation] = _merged(PLAN_MUTATIONS, CAMPAIGN_MUTATIONS)
#: Each way a rule is violated (a :data:`Way`) → a mutation that breaks that rule that way and no
#: other: :data:`PLAN_ALTERNATIVE_MUTATIONS` and :data:`CAMPAIGN_ALTERNATIVE_MUTATIONS` together.
ALTERNATIVE_MUTATIONS: dict[Way, Mutation] = _merged(PLAN_ALTERNATIVE_MUTATIONS, CAMPAIGN_ALTERNATIVE_MUTATIONS)

__all__ = [
    "ALTERNATIVE_MUTATIONS", "CAMPAIGN_ALTERNATIVE_MUTATIONS", "CAMPAIGN_MUTATIONS", "MUTATIONS",
    "PLAN_ALTERNATIVE_MUTATIONS", "PLAN_MUTATIONS", "CampaignBundle", "Mutation", "Way", "annual_plans",
    "campaign_bundles", "plan_data", "restated", "with_planned",
]
