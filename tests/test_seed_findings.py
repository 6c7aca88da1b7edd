"""The seed plans give exactly the findings written in docs/findings.md."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

import engine
from rulebook import load_rulebook

from .conftest import EXAMPLES, ROOT, SEEDS

FINDINGS = (ROOT / "docs" / "findings.md").read_text(encoding="utf-8")


def table(marker: str) -> list[list[str]]:
    block = re.search(rf"<!-- findings:{marker} -->(.*?)<!-- /findings:{marker} -->", FINDINGS, re.S)
    assert block, f"docs/findings.md has no {marker} table"
    rows = [line.strip().strip("|").split("|") for line in block.group(1).strip().splitlines()[2:]]
    return [[cell.strip() for cell in row] for row in rows]


def parse_values(text: str) -> dict[str, float]:
    return {k: float(v) for k, v in (pair.split("=") for pair in text.split())}


@pytest.mark.parametrize("seed", SEEDS)
def test_seed_violations_are_exactly_those_documented(seed: str) -> None:
    report = engine.check_file(EXAMPLES / f"{seed}.yaml")
    documented = [row for row in table("violations") if row[0] == seed]
    found = [(v.rule, v.severity.value, v.location) for v in report.violations]
    assert found == [(rule, severity, location) for _, rule, severity, location, _ in documented]
    for violation, row in zip(report.violations, documented, strict=True):
        assert {k: violation.values[k] for k in parse_values(row[4])} == parse_values(row[4])
        profile = load_rulebook().profiles[report.profile]
        assert violation.citations and all(c.source in profile.sources for c in violation.citations)


@pytest.mark.parametrize("seed", SEEDS)
def test_seed_unchecked_rules_are_exactly_those_documented(seed: str) -> None:
    report = engine.check_file(EXAMPLES / f"{seed}.yaml")
    documented = sorted((rule, why) for s, rule, why in table("not-checked") if s == seed)
    assert sorted((n.rule, n.reason_en) for n in report.not_checked) == documented


def test_chongming_joint_share_finding_reads_as_the_issue_describes() -> None:
    (violation,) = engine.check_file(Path("examples/plans/chongming-2024.yaml")).violations
    assert violation.values == {"joint": 4, "base": 116, "share": 400 / 116, "min_joint_share": 15,
                                "required": 18, "missing": 14, "added": 16}
    assert violation.fix_en == "needs ≥ 18 joint checks: make 14 of the random checks joint, or add 16 joint checks"
    assert violation.fix == "联合检查需不少于18家次：将14家次“双随机”检查改为联合检查，或新增16家次联合检查"
    assert violation.message == "跨部门联合检查4家次，占“双随机、一公开”检查116家次的3.4%，低于15%"
    assert [(c.source, c.clause) for c in violation.citations] == [("chongming-2024", "二、（三）2")]
