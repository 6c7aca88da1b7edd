"""Hypothesis strategies for zhifa documents, for property tests here and in systems that use zhifa.

``annual_plans(profile)`` and ``campaign_bundles(profile)`` generate documents that satisfy every
rule of the profile. ``MUTATIONS`` maps each rule to a targeted change that breaks that rule and
no other; ``ALTERNATIVE_MUTATIONS`` maps each way a rule is violated (each alternative of its
``when``, each ``any`` condition) to one that breaks it that way.

Requires the ``strategies`` extra (``pip install zhifa[strategies]``).
"""

from forms.strategies.campaign import ALTERNATIVE_MUTATIONS as CAMPAIGN_ALTERNATIVE_MUTATIONS
from forms.strategies.campaign import (
    CAMPAIGN_MUTATIONS,
    CampaignBundle,
    campaign_bundles,
    campaign_steps,
    dispatch_series,
)
from forms.strategies.plan import ALTERNATIVE_MUTATIONS as PLAN_ALTERNATIVE_MUTATIONS
from forms.strategies.plan import (
    PLAN_MUTATIONS,
    Way,
    annual_plans,
    break_joint_share,
    plan_data,
    profile_facts,
    restated,
    with_planned,
)

#: Rule id → the targeted mutation that breaks exactly that rule. For a plan rule it takes a plan
#: from :func:`annual_plans` and returns a plan (``PLAN_MUTATIONS``); for a campaign rule it takes
#: a ``CampaignBundle`` from :func:`campaign_bundles` and returns one (``CAMPAIGN_MUTATIONS``).
MUTATIONS = {**PLAN_MUTATIONS, **CAMPAIGN_MUTATIONS}
#: Each way a rule is violated (:data:`Way`: rule id, alternative, ``any`` condition) → a mutation
#: that breaks that rule that way and no other.
ALTERNATIVE_MUTATIONS = {**PLAN_ALTERNATIVE_MUTATIONS, **CAMPAIGN_ALTERNATIVE_MUTATIONS}

__all__ = [
    "ALTERNATIVE_MUTATIONS", "CAMPAIGN_ALTERNATIVE_MUTATIONS", "CAMPAIGN_MUTATIONS", "MUTATIONS",
    "PLAN_ALTERNATIVE_MUTATIONS", "PLAN_MUTATIONS", "CampaignBundle", "Way", "annual_plans", "break_joint_share",
    "campaign_bundles", "campaign_steps", "dispatch_series", "plan_data", "profile_facts", "restated", "with_planned",
]
