"""zhifa's rulebook: declarative rules with verbatim citations, and the profiles that bind them.

Everything here is data and can be listed without running anything::

    >>> from rulebook import load_rulebook
    >>> sorted(load_rulebook().profiles)[:2]
    ['linyi-lingang-2023-campaign', 'shanghai-chongming-2023-campaign']
"""

from rulebook.load import (
    Rulebook,
    citation_problems,
    definition_problems,
    load_rulebook,
    normalise_whitespace,
    profile_problems,
    rule_as_data,
)
from rulebook.model import (
    Alternative,
    Citation,
    Comparison,
    Op,
    OwedBy,
    ParameterSpec,
    ParameterValue,
    Pattern,
    Profile,
    Rule,
    Scope,
    Severity,
    Source,
    Text,
)

__all__ = [
    "Alternative", "Citation", "Comparison", "Op", "OwedBy", "ParameterSpec", "ParameterValue", "Pattern", "Profile",
    "Rule", "Rulebook", "Scope", "Severity", "Source", "Text", "citation_problems", "definition_problems", "load_rulebook",
    "normalise_whitespace", "profile_problems", "rule_as_data",
]
