"""Instructions per form of ``engine.check_many``, counted by valgrind's callgrind.

    python benchmarks/instructions.py [--n 600] [--quick]

On a machine whose speed moves from one minute to the next, a change of a few per cent cannot be
seen in timings; the number of instructions run does not depend on the machine's speed. Two runs
in fresh processes, with the same hash seed, warm the engine on 200 forms and then check 0 and N
more: the difference, divided by N, is what one form costs. Repeated runs agree within about 2 %.
Needs valgrind (``apt install valgrind``); not part of ``make bench``.
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import subprocess
import sys

import generated

import engine

WARM = 200


def _run(n: int) -> None:
    forms = generated.forms(WARM + n)
    list(engine.check_many(forms[:WARM]))
    if n:
        list(engine.check_many(forms[WARM:]))


def _instructions(n: int) -> int:
    """Every instruction a fresh interpreter runs to warm up and check ``n`` forms."""
    command = ["valgrind", "--tool=callgrind", "--callgrind-out-file=/dev/null", sys.executable, __file__, "--one", str(n)]
    child = subprocess.run(command, capture_output=True, text=True, check=True, env={**os.environ, "PYTHONHASHSEED": "0"})
    collected = re.search(r"Collected : (\d+)", child.stderr)
    if collected is None:
        raise RuntimeError(f"callgrind printed no count:\n{child.stderr[-2000:]}")
    return int(collected.group(1))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=600, help="forms counted (default 600)")
    parser.add_argument("--quick", action="store_true", help="100 forms (under a minute)")
    parser.add_argument("--one", type=int, help=argparse.SUPPRESS)  # the child process, run under callgrind
    args = parser.parse_args()
    if args.one is not None:
        _run(args.one)
        return
    if shutil.which("valgrind") is None:
        sys.exit("instructions.py needs valgrind")
    n = 100 if args.quick else args.n
    print(generated.machine())
    base, counted = _instructions(0), _instructions(n)
    per_form = round((counted - base) / n)
    print(f"  check_many: {per_form:,} instructions per form ({n} forms after {WARM} to warm up)")
    generated.last_line({"n": n, "instructions_per_form": per_form})


if __name__ == "__main__":
    main()
