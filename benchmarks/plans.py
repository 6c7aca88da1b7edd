"""Plans: ``engine.check`` on each seed plan inside a warm process (as a platform calls it within a
request), and the cold command line on the Chongming plan.

    python benchmarks/plans.py [--repeat 300] [--quick]

The cold command line runs zhifa as installed: its modules compiled to bytecode first, as pip
leaves an installed package (a checkout run with PYTHONDONTWRITEBYTECODE set, as here, would
otherwise compile them from source on every start, about 50–80 ms of it).
"""

from __future__ import annotations

import argparse
import compileall
import os
import statistics
import subprocess
import sys
import time

import generated

import engine
from forms import load_document

PLANS = ("chongming-2024", "putuo-2024", "minhang-2020")


def percentile(samples: list[float], p: float) -> float:
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1)))]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=300, help="timed checks per plan (default 300)")
    parser.add_argument("--quick", action="store_true", help="100 checks per plan, 3 cold runs")
    args = parser.parse_args()
    repeat, cold_runs = (100, 3) if args.quick else (args.repeat, 5)
    print(generated.machine())
    p50: dict[str, float] = {}
    p95: dict[str, float] = {}
    for name in PLANS:
        plan = load_document(generated.ROOT / "examples" / "plans" / f"{name}.yaml")
        expected = engine.check(plan)
        for _ in range(20):  # warm: compiled ruleset, caches
            engine.check(plan)
        samples = []
        for _ in range(repeat):
            start = time.perf_counter()
            report = engine.check(plan)
            samples.append((time.perf_counter() - start) * 1000)
            assert report == expected, f"{name}: a warm check differs from the first"
        p50[name], p95[name] = round(percentile(samples, 50), 3), round(percentile(samples, 95), 3)
        print(f"  engine.check({name}): p50 {p50[name]:.2f} ms, p95 {p95[name]:.2f} ms "
              f"({len(expected.violations)} violations, {repeat} runs)")
    env = dict(os.environ, PYTHONPATH=str(generated.ROOT))
    for package in ("engine", "forms", "rulebook"):  # into their __pycache__, as an install does
        if not compileall.compile_dir(generated.ROOT / package, quiet=1):
            raise SystemExit(f"could not compile {package} to bytecode")
    command = [sys.executable, "-m", "engine.cli", "check", str(generated.ROOT / "examples" / "plans" / "chongming-2024.yaml")]
    cold = []
    for _ in range(cold_runs):
        seconds, done = generated.timed(lambda: subprocess.run(command, capture_output=True, env=env, cwd=generated.ROOT))
        assert done.returncode == 1 and b"plan.joint-share" in done.stdout and not done.stderr, done.stderr.decode()
        cold.append(seconds)
    cold_cli_s = round(statistics.median(cold), 3)
    print(f"  cold `zhifa check examples/plans/chongming-2024.yaml`: median {cold_cli_s:.3f} s "
          f"(min {min(cold):.3f}, max {max(cold):.3f}, {cold_runs} runs)")
    generated.last_line({"p50_ms": p50, "p95_ms": p95, "cold_cli_s": cold_cli_s})


if __name__ == "__main__":
    main()
