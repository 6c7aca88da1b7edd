"""Forms end to end: a folder of N JSON form files through ``zhifa check --format json``, against a
floor script that lists, reads, parses, checks by hand and writes a JSON report of the same shape.

    python benchmarks/end_to_end.py [--n 10000] [--quick]

Both run as fresh processes (interpreter start-up included). Their reports must name the same
violations (file, rule, location); the script fails if they do not.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

import generated


def floor_main(folder: Path) -> int:
    """The floor: every ``*.json`` in the folder, checked by hand; the report on stdout."""
    documents: list[dict[str, Any]] = []
    for path in sorted(folder.glob("*.json")):
        form = json.loads(path.read_text(encoding="utf-8"))
        violations = [{"rule": rule, "severity": "error", "location": location}
                      for _, rule, location in generated.floor_check(0, form)]
        documents.append({"path": str(path), "kind": form["kind"], "profile": form["profile"], "violations": violations})
    summary = {"documents": len(documents), "violations": sum(len(d["violations"]) for d in documents)}
    sys.stdout.write(json.dumps({"documents": documents, "summary": summary}, ensure_ascii=False, indent=2) + "\n")
    return 1 if summary["violations"] else 0


def _run(command: list[str], out: Path) -> float:
    env = dict(os.environ, PYTHONPATH=str(generated.ROOT))
    with out.open("w", encoding="utf-8") as sink:
        # From the project root: run from benchmarks/, `-m engine.cli` would import benchmarks/forms.py as `forms`.
        seconds, done = generated.timed(lambda: subprocess.run(command, stdout=sink, stderr=subprocess.PIPE, env=env,
                                                               cwd=generated.ROOT))
    if done.returncode not in (0, 1) or b"Traceback" in done.stderr:  # 1: violations found, as expected
        raise SystemExit(f"{command[:3]} exited {done.returncode}: {done.stderr.decode()[-2000:]}")
    return seconds


def _findings(report: Path) -> set[tuple[str, str, str]]:
    data = json.loads(report.read_text(encoding="utf-8"))
    assert not data.get("unusable"), data.get("unusable")
    return {(Path(d["path"]).name, v["rule"], v["location"]) for d in data["documents"] for v in d["violations"]}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=10_000, help="forms in the folder (default 10 000)")
    parser.add_argument("--quick", action="store_true", help="2 000 forms (under a minute)")
    parser.add_argument("--floor", type=Path, help=argparse.SUPPRESS)  # run as the floor script
    args = parser.parse_args()
    if args.floor:
        raise SystemExit(floor_main(args.floor))
    n = 2000 if args.quick else args.n
    print(generated.machine())
    with tempfile.TemporaryDirectory() as scratch:
        folder = Path(scratch) / "forms"
        folder.mkdir()
        for k, form in enumerate(generated.iter_forms(n)):
            (folder / f"form-{k:06d}.json").write_text(json.dumps(form, ensure_ascii=False), encoding="utf-8")
        zhifa_s = _run([sys.executable, "-m", "engine.cli", "check", str(folder), "--format", "json"],
                       Path(scratch) / "zhifa.json")
        zhifa_mb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024  # its only child so far
        floor_s = _run([sys.executable, __file__, "--floor", str(folder)], Path(scratch) / "floor.json")
        zhifa, floor = _findings(Path(scratch) / "zhifa.json"), _findings(Path(scratch) / "floor.json")
        assert zhifa == floor, f"zhifa and the floor differ on {len(zhifa ^ floor)} findings"
    print(f"n = {n:,} JSON files, {len(floor)} violations, both reports agree")
    print(f"  zhifa check --format json  {zhifa_s:7.2f} s  {n / zhifa_s:>8,.0f} forms/s  peak RSS {zhifa_mb:.0f} MB")
    print(f"  floor script               {floor_s:7.2f} s  {n / floor_s:>8,.0f} forms/s")
    print(f"  zhifa / floor = {zhifa_s / floor_s:.2f}")
    generated.last_line({"n": n, "zhifa_s": round(zhifa_s, 3), "floor_s": round(floor_s, 3),
                         "zhifa_peak_rss_mb": round(zhifa_mb, 1)})


if __name__ == "__main__":
    main()
