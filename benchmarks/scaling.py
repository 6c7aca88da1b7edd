"""Scaling: time and peak memory of ``engine.check_many`` at growing numbers of forms.

    python benchmarks/scaling.py [--n 10000,30000,100000] [--rounds 3] [--quick]

Each N runs in a fresh process, so its peak RSS is its own. Forms are made one at a time and
streamed through ``engine.check_many``; each report is compared with the floor's findings for its
form as it arrives and then dropped, as a platform checking a province's forms would.

Every N is run once per round, the sizes in turn, so that the machine speeding up or slowing down
falls on all of them alike; each N's time is its best round and its peak RSS its largest. On a
machine whose speed moves from one minute to the next, the best of a few short runs is likelier to
fall wholly in a fast minute than the best of a few long ones, which average over many minutes; so
the ratio of medians is printed too, and the largest N's run is timed in tenths: a cost per form
that grew with N would make its later tenths slower than its first.
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import time
from typing import Any

import generated

import engine


def one(n: int) -> dict[str, Any]:
    list(engine.check_many(generated.forms(50, seed=1)))  # compile the ruleset, warm the caches
    before = generated.peak_rss_mb()
    checked = findings = 0
    tenths: list[float] = []  # seconds each tenth of the forms took
    ends = {n * k // 10 for k in range(1, 11)}

    def run() -> None:
        nonlocal checked, findings
        forms = generated.iter_forms(n)
        mirror = generated.iter_forms(n)  # the same forms again, for the floor
        started = time.perf_counter()
        for index, (report, form) in enumerate(zip(engine.check_many(forms), mirror, strict=True)):
            found = sorted((index, v.rule, v.location) for v in report.violations)
            assert found == sorted(generated.floor_check(index, form)), f"form {index} differs from the floor"
            checked += 1
            findings += len(found)
            if checked in ends:
                tenths.append(time.perf_counter() - started - sum(tenths))

    seconds, _ = generated.timed(run)
    assert checked == n
    return {"n": n, "seconds": seconds, "peak_rss_mb": generated.peak_rss_mb(), "warm_rss_mb": before,
            "findings": findings, "tenths": tenths}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", default="10000,30000,100000", help="comma-separated form counts")
    parser.add_argument("--quick", action="store_true", help="2 000, 6 000 and 20 000 forms (under a minute)")
    parser.add_argument("--rounds", type=int, help="runs of each N, best time kept (default 3; 2 with --quick)")
    parser.add_argument("--one", type=int, help=argparse.SUPPRESS)  # the child process for one N
    args = parser.parse_args()
    if args.one:
        print(json.dumps(one(args.one)))
        return
    sizes = [2000, 6000, 20000] if args.quick else [int(n) for n in args.n.split(",")]
    rounds = args.rounds or (2 if args.quick else 3)
    print(generated.machine())
    tried: dict[int, list[dict[str, Any]]] = {n: [] for n in sizes}
    for _ in range(rounds):
        for n in sizes:
            child = subprocess.run([sys.executable, __file__, "--one", str(n)], capture_output=True, text=True, check=True)
            tried[n].append(json.loads(child.stdout.strip().splitlines()[-1]))
    runs = []
    for n in sizes:
        best = min(tried[n], key=lambda run: run["seconds"])
        run = {**best, "peak_rss_mb": max(r["peak_rss_mb"] for r in tried[n]),
               "median_seconds": statistics.median(r["seconds"] for r in tried[n])}
        runs.append(run)
        times = ", ".join(f"{r['seconds']:.2f}" for r in tried[n])
        print(f"  n = {n:>7,}: {run['seconds']:7.2f} s  {n / run['seconds']:>8,.0f} forms/s  "
              f"peak RSS {run['peak_rss_mb']:6.1f} MB (warm engine before the forms: {run['warm_rss_mb']:.1f} MB), "
              f"{run['findings']} findings, exact  (rounds: {times} s)")
    first, last = runs[0], runs[-1]
    print(f"time {last['n']:,} / {first['n']:,} = {last['seconds'] / first['seconds']:.2f} best rounds, "
          f"{last['median_seconds'] / first['median_seconds']:.2f} median rounds "
          f"(linear would be {last['n'] / first['n']:.0f}); peak RSS grows "
          f"{round(last['peak_rss_mb'] - first['peak_rss_mb'], 1) + 0.0:+.1f} MB")  # + 0.0 makes a rounded -0.0 print as +0.0
    for r in tried[last["n"]]:
        tenths = r["tenths"]
        if len(tenths) < 10 or not sum(tenths[:5]):
            continue
        print(f"  n = {last['n']:>7,} in tenths: " + ", ".join(f"{t:.2f}" for t in tenths) +
              f" s; last half / first half = {sum(tenths[5:]) / sum(tenths[:5]):.2f}")
    generated.last_line({"n": sizes, "seconds": [round(r["seconds"], 3) for r in runs],
                         "median_seconds": [round(r["median_seconds"], 3) for r in runs],
                         "peak_rss_mb": [round(r["peak_rss_mb"], 1) for r in runs]})


if __name__ == "__main__":
    main()
