from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, settings

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = ROOT / "examples" / "plans"
SEEDS = ["chongming-2024", "putuo-2024", "minhang-2020"]

# Rule evaluation goes through durable-rules' C core: keep examples modest and deadlines off.
settings.register_profile("zhifa", max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
settings.register_profile("ci", max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
settings.load_profile("ci" if os.environ.get("CI") else "zhifa")


@pytest.fixture(autouse=True)
def _run_from_root(monkeypatch: pytest.MonkeyPatch) -> None:
    """Examples and the CLI use paths relative to the project root."""
    monkeypatch.chdir(ROOT)


OTHER_ITEMS_WHOLE = ("spot_checked", "penalties")


def cites_what_grounds_it(violation: Any, rule: Any, sources: tuple[str, ...]) -> bool:
    """Whether a violation cites some of its rule's clauses under ``sources``, and every clause
    scoped to some findings (``applies_to``) it cites is about the item, task or step at fault."""
    cited = set(violation.citations)
    if not cited or not cited <= {c.as_cited() for c in rule.citations_for(sources)}:
        return False
    for citation in violation.citations:
        assert citation.applies_to is None, "a finding carries its clauses, not their scopes"
        scopes = [c.applies_to for c in rule.citations_for(sources) if c.as_cited() == citation]
        if None in scopes:
            continue
        if not any(_grounds(scope, violation.location) for scope in scopes if scope is not None):
            return False
    return True


def _grounds(scope: Any, location: str) -> bool:
    """Whether a citation scoped so is about the item, task or step at ``location``."""
    if scope.field == "key":
        return any(location.startswith(f"/values/{v}") for v in scope.values)
    if scope.field == "whole_key":
        # A whole other items are compared with (findings with spot_checked, double penalties with
        # penalties) is not where the finding is; a 其中 item's whole is.
        return any(v in OTHER_ITEMS_WHOLE or location.startswith(f"/values/{v}") for v in scope.values)
    if scope.field == "loc":
        return location in scope.values
    return True
