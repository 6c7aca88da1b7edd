"""Deterministic dispatch forms for the benchmarks, and the checks every contender performs.

Every form is a Chongming-variant form for May 2023 (the campaign's first reporting month, so a
lone form has no gap in its series) of a distinct unit, as plain data, exactly as parsed from JSON.
One form in ten breaks one rule, in turn: more rectified than found, a part above its whole, a
blank whole, a penalty amount with no count, a late submission.
"""

from __future__ import annotations

import json
import os
import random
import resource
import sys
import time
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

PROFILE = "shanghai-chongming-2023-campaign"
MONTH = "2023-05"
DUE = "2023-05-28"
CAMPAIGN_START = "2023-05-23"  # the profile's campaign_start: no form is dated before it
RECTIFIED_PAIRS = (("self_found", "self_rectified"), ("department_found", "department_rectified"),
                   ("supervised_found", "supervised_rectified"))
FINDINGS = ("leader_not_studying", "leader_not_leading_checks", "no_deputy_duty_list", "no_safety_staff",
            "unlicensed_special_work", "outsourcing_disorder", "drills_missing")
PART_WHOLE = ("typical_cases", "report_rewards")
COUNTS = ("towns_assisted", "key_enterprises_assisted", "double_penalties", "referred_to_judiciary", "suspended",
          "exposed", "accountability", "departments_interviewed", "study_sessions", "leaders_studied",
          "site_supervision", "briefings", "technical_inspectors", "assessments")

#: A violation as every contender reports it: (form index, rule id, JSON pointer).
Finding = tuple[int, str, str]


def _form(rng: random.Random, k: int) -> dict[str, Any]:
    values: dict[str, Any] = {}
    for found, rectified in RECTIFIED_PAIRS:
        values[found] = rng.randint(0, 20)
        values[rectified] = rng.randint(0, values[found])
    values["spot_checked"] = checked = rng.randint(0, 30)
    for key in FINDINGS:
        values[key] = rng.randint(0, checked)
    for key in COUNTS:
        values[key] = rng.randint(0, 9)
    count = rng.randint(0, 5)
    values["penalties"] = {"count": count, "amount": rng.randint(1, 50) if count else 0}
    values["double_penalties"] = min(values["double_penalties"], count)  # each is a penalty (no new draw)
    whole = rng.randint(0, 4)
    values["typical_cases"] = {"whole": whole, "part": rng.randint(0, whole)}
    values["report_rewards"] = {"whole": 2, "part": 1}
    values["media_column"] = bool(k % 2)
    return {"kind": "dispatch-form", "variant": "chongming-2023", "profile": PROFILE, "unit": f"单位{k:06d}",
            "month": MONTH, "submitted": f"2023-05-{rng.randint(23, 28):02d}", "values": values}


def _break(form: dict[str, Any], way: int) -> None:
    values = form["values"]
    if way == 0:
        values["self_rectified"] = values["self_found"] + 1
    elif way == 1:
        values["drills_missing"] = values["spot_checked"] + 2
    elif way == 2:  # the findings above 0 beside a blank total (a 0 exceeds nothing): at least one
        values["spot_checked"] = None
        values["drills_missing"] = max(values["drills_missing"], 1)
    elif way == 3:  # no penalty counted, so no double penalty either: one finding, as the other ways give
        values["penalties"] = {"count": 0, "amount": 3}
        values["double_penalties"] = 0
    else:
        form["submitted"] = "2023-06-02"


def iter_forms(n: int, seed: int = 2023) -> Iterator[dict[str, Any]]:
    """``n`` forms, made one at a time; every tenth breaks a rule, the five ways in turn."""
    rng = random.Random(seed)
    for k in range(n):
        form = _form(rng, k)
        if k % 10 == 9:
            _break(form, (k // 10) % 5)
        yield form


def forms(n: int, seed: int = 2023) -> list[dict[str, Any]]:
    return list(iter_forms(n, seed))


# ------------------------------------------------------------------ the floor: the same checks, by hand


def _int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def floor_check(index: int, form: dict[str, Any]) -> list[Finding]:
    """What zhifa finds in a lone May form of the Chongming variant, checked by hand."""
    values = form["values"]
    found: list[Finding] = []
    for found_key, rectified_key in RECTIFIED_PAIRS:
        rectified, whole = values.get(rectified_key), values.get(found_key)
        if _int(rectified) and ((not _int(whole) and rectified > 0) or (_int(whole) and rectified > whole)):
            found.append((index, "form.rectified-within-found", f"/values/{rectified_key}"))
    for key in PART_WHOLE:
        pair = values.get(key)
        if isinstance(pair, dict) and pair.get("part") is not None and (  # a 0 exceeds nothing, a blank too
                (pair.get("whole") is None and pair["part"] > 0)
                or (pair.get("whole") is not None and pair["part"] > pair["whole"])):
            found.append((index, "form.part-within-whole", f"/values/{key}/part"))
    checked = values.get("spot_checked")
    for key in FINDINGS:
        finding = values.get(key)
        if _int(finding) and ((not _int(checked) and finding > 0) or (_int(checked) and finding > checked)):
            found.append((index, "form.part-within-whole", f"/values/{key}"))
    penalties = values.get("penalties")
    if isinstance(penalties, dict) and (penalties.get("amount") or 0) > 0 and not penalties.get("count"):
        found.append((index, "form.part-within-whole", "/values/penalties/amount"))
    double = values.get("double_penalties")
    counted = penalties.get("count") if isinstance(penalties, dict) else None
    if _int(double) and double > 0 and (not _int(counted) or double > counted):
        found.append((index, "form.part-within-whole", "/values/double_penalties"))
    submitted = form.get("submitted")
    if not submitted:
        found.append((index, "form.deadline", "/month"))
    elif submitted > DUE or submitted < max(MONTH + "-01", CAMPAIGN_START):
        found.append((index, "form.deadline", "/submitted"))
    return found


def floor(documents: list[dict[str, Any]]) -> list[Finding]:
    return [f for index, form in enumerate(documents) for f in floor_check(index, form)]


# ------------------------------------------------------------------ measuring


def timed(run: Callable[[], Any]) -> tuple[float, Any]:
    start = time.perf_counter()
    result = run()
    return time.perf_counter() - start, result


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def zhifa_findings(reports: Iterable[Any]) -> list[Finding]:
    return [(index, v.rule, v.location) for index, report in enumerate(reports) for v in report.violations]


def machine() -> str:
    return f"{os.cpu_count()} cpus, Python {sys.version.split()[0]}, {os.uname().sysname} {os.uname().machine}"


def last_line(figures: dict[str, Any]) -> None:
    print(json.dumps(figures, ensure_ascii=False, sort_keys=True))


def chunks(items: list[Any], size: int) -> Iterator[list[Any]]:
    for start in range(0, len(items), size):
        yield items[start:start + size]
