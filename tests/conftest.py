from __future__ import annotations

import os
from pathlib import Path

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
