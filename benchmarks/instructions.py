"""Instructions per form of the in-memory contenders of ``forms.py``, counted by valgrind's callgrind.

    python benchmarks/instructions.py [--n 1200] [--quick] [--contenders zhifa,raw_durable,...] [--steps]
    python benchmarks/instructions.py --end-to-end [--n 2000]

On a machine whose speed moves from one minute to the next, a change of a few per cent cannot be
seen in timings; the number of instructions run does not depend on the machine's speed. Each
contender is counted by two fresh processes with the same hash seed that do the same set-up (the
engine warmed on 200 forms, the N forms made, and for raw durable-rules its facts built) and then
check the N forms, or not: the difference, divided by N, is what one form costs that contender.
durable-rules' host is started without its timer threads, and only the main thread is counted:
the threads, which every 0.2 s dispatch queued actions none of these checks has, run for as long
as a count takes (minutes under valgrind) and took the interpreter's lock from the main thread as
they did. With them, raw durable-rules' count on 100 forms was 268 000 instructions per form and
its main thread's counts on 1 200 forms moved by 8 %; without them, repeated counts agree within
about 1.5 %. Count 600 forms or more: a session of about 2 000 facts (about 145 forms) shares its
set-up among its forms, so fewer forms cost more each (raw durable-rules: 364 394 instructions per
form on 100 forms, 349 102 on 400, 343 016–347 616 on 1 200). An instruction of the Python
interpreter and one of durable-rules' C core do not take the same time, so the ratios here are not
the ratios of ``forms.py``; they move little unless the code does. Needs valgrind (``apt install
valgrind``); not part of ``make bench``. Last line: ``n`` and ``instructions_per_form`` (an object
keyed by contender; with ``--steps``, also ``zhifa_loaded``, ``zhifa_facts``, ``zhifa_sent`` and
``zhifa_encoded``: zhifa's path taken that far, each including those before it).

With ``--end-to-end``, the two processes of ``end_to_end.py`` instead: ``zhifa check FOLDER
--format json`` and the floor script, each run whole (start-up included) on a folder of N JSON
forms and on a folder of one; the difference over N − 1 is what a file costs, the run on one file
what starting costs. Last line: ``n``, ``per_file`` and ``start`` (objects keyed by
``zhifa_check`` and ``floor_script``).
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

import generated

WARM = 200
CONTENDERS = ("zhifa", "raw_durable", "naive_durable", "floor")
#: zhifa's path taken part of the way (``--steps``): each step includes those before it.
STEPS = ("loaded", "facts", "sent", "encoded")


def _contenders() -> Any:
    """``forms.py``, whose name zhifa's ``forms`` package takes: loaded from its file (which builds
    the contenders' rulesets)."""
    spec = importlib.util.spec_from_file_location("forms_benchmark", Path(__file__).with_name("forms.py"))
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _prepared(contender: str, n: int) -> Callable[[], Any]:
    """Everything but the check: the warmed engine and the forms (and the raw contender's facts)."""
    bench = _contenders()
    warm, documents = generated.forms(WARM, seed=1), generated.forms(n)
    bench.run_zhifa(warm)
    if contender == "zhifa":
        return lambda: bench.run_zhifa(documents)
    if contender == "raw_durable":
        sessions = bench.raw_facts(documents)
        bench.run_raw(bench.raw_facts(warm))
        return lambda: bench.run_raw(sessions)
    if contender == "naive_durable":
        bench.run_naive(warm)
        return lambda: bench.run_naive(documents)
    if contender == "floor":
        return lambda: generated.floor(documents)
    if contender in STEPS:
        return lambda: _zhifa_until(bench, documents, contender)
    raise ValueError(f"unknown contender {contender!r}")


def _zhifa_until(bench: Any, documents: list[dict[str, Any]], step: str) -> None:
    """zhifa's path as far as ``step``: the forms loaded, their facts built, what durable-rules is
    sent of them (slimmed and packed, per session), that encoded as JSON call by call."""
    if step == "loaded":
        for form in documents:  # as zhifa_facts loads them
            bench.document_from_data(form, "bench")
        return
    built = bench.zhifa_facts(documents)
    if step == "facts":
        return
    sent = [bench.runtime.to_send(bench.COMPILED, [facts for _, facts in groups], f"s{n}")
            for n, groups in enumerate(bench.sessions_of(built))]
    if step == "sent":
        return
    for session in sent:
        for call in bench.runtime.chunks(session):
            bench.runtime.encode_facts(call)


def _without_timer_threads() -> None:
    """Start durable-rules' host, when first asked for, without its timer threads. Every 0.2 s they
    dispatch each ruleset's queued actions and timers, which none of these checks has (every call
    runs its actions before it returns), and the threads they start take the interpreter's lock
    from the main thread: in a count, that cost grows with its wall time. Only the counting
    processes do this."""
    import durable.engine

    durable.engine.Host._run = lambda self: None


def _instructions(contender: str, n: int) -> int:
    """The instructions ``contender`` runs to check ``n`` forms: a fresh interpreter that prepares
    them and checks them, less one that only prepares them (the two run side by side), each
    without durable-rules' timer threads (:func:`_without_timer_threads`). Only the main thread's
    instructions are counted (callgrind counts each thread apart): the check, durable-rules' C core
    and the actions it fires included, runs there."""
    with tempfile.TemporaryDirectory() as folder:
        def command(check: bool) -> list[str]:
            out = Path(folder) / ("check" if check else "prepare")
            return ["valgrind", "--tool=callgrind", "--separate-threads=yes", f"--callgrind-out-file={out}",
                    sys.executable, __file__, "--one", contender, "--n", str(n), *(["--check"] if check else [])]

        environment = {**os.environ, "PYTHONHASHSEED": "0"}
        children = [subprocess.Popen(command(check), stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True,
                                     env=environment) for check in (True, False)]
        counts = []
        for child, name in zip(children, ("check", "prepare"), strict=True):
            _, errors = child.communicate()
            if child.returncode:
                raise RuntimeError(f"callgrind run of {contender} failed:\n{errors[-2000:]}")
            main_thread = Path(folder) / f"{name}-01"  # callgrind numbers threads from 1, the main one first
            totals = re.search(r"^totals: (\d+)$", main_thread.read_text(), re.MULTILINE)
            if totals is None:
                raise RuntimeError(f"callgrind run of {contender} left no count in {main_thread.name}")
            counts.append(int(totals.group(1)))
    return round((counts[0] - counts[1]) / n)


END_TO_END = ("zhifa_check", "floor_script")


def _run_whole(contender: str, folder: str) -> None:
    """A child of :func:`_end_to_end`: the command line, or ``end_to_end.py``'s floor, on ``folder``,
    its report written to standard output."""
    if contender == "zhifa_check":
        _without_timer_threads()
        from engine.cli import main as zhifa

        zhifa(["check", folder, "--format", "json"])
        return
    import end_to_end  # beside this script

    end_to_end.floor_main(Path(folder))


def _end_to_end(n: int) -> tuple[dict[str, int], dict[str, int]]:
    """Per contender of ``end_to_end.py``: the instructions a file costs, and those of a run on one
    file (starting, and that file). Each is counted on the main thread, its report discarded."""
    per_file: dict[str, int] = {}
    start: dict[str, int] = {}
    with tempfile.TemporaryDirectory() as scratch:
        folders = {}
        for size in (n, 1):
            folder = folders[size] = Path(scratch) / f"forms-{size}"
            folder.mkdir()
            for k, form in enumerate(generated.iter_forms(size)):
                (folder / f"form-{k:06d}.json").write_text(json.dumps(form, ensure_ascii=False), encoding="utf-8")
        for contender in END_TO_END:
            def command(contender: str, size: int) -> list[str]:
                out = Path(scratch) / f"{contender}-{size}"
                return ["valgrind", "--tool=callgrind", "--separate-threads=yes", f"--callgrind-out-file={out}",
                        sys.executable, __file__, "--whole", contender, str(folders[size])]

            environment = {**os.environ, "PYTHONHASHSEED": "0"}
            children = {size: subprocess.Popen(command(contender, size), stdout=subprocess.DEVNULL,
                                               stderr=subprocess.PIPE, text=True, env=environment) for size in (n, 1)}
            counts = {}
            for size, child in children.items():
                _, errors = child.communicate()
                if child.returncode not in (0, 1):  # 1: violations found, as expected
                    raise RuntimeError(f"callgrind run of {contender} failed:\n{errors[-2000:]}")
                totals = re.search(r"^totals: (\d+)$", (Path(scratch) / f"{contender}-{size}-01").read_text(),
                                   re.MULTILINE)
                if totals is None:
                    raise RuntimeError(f"callgrind run of {contender} left no count")
                counts[size] = int(totals.group(1))
            per_file[contender] = round((counts[n] - counts[1]) / (n - 1))
            start[contender] = counts[1]
    return per_file, start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, help="forms counted (default 1200; files, 2000, with --end-to-end)")
    parser.add_argument("--quick", action="store_true", help="600 forms, zhifa and raw durable-rules (about a minute)")
    parser.add_argument("--contenders", default=",".join(CONTENDERS), help="comma-separated (default: all four)")
    parser.add_argument("--steps", action="store_true",
                        help="also zhifa's path in steps: loading, facts, what is sent, its JSON")
    parser.add_argument("--end-to-end", action="store_true",
                        help="count end_to_end.py's two processes instead, per file and to start (default 2000 files)")
    parser.add_argument("--one", help=argparse.SUPPRESS)  # the child process, run under callgrind
    parser.add_argument("--check", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--whole", nargs=2, help=argparse.SUPPRESS)  # a child of --end-to-end: contender, folder
    args = parser.parse_args()
    if args.one is not None:
        _without_timer_threads()
        run = _prepared(args.one, args.n)
        if args.check:
            run()
        return
    if args.whole is not None:
        _run_whole(*args.whole)
        return
    if args.end_to_end:
        if shutil.which("valgrind") is None:
            sys.exit("instructions.py needs valgrind")
        n = 2000 if args.n is None else args.n
        if n < 2:
            parser.error("--n must be at least 2 with --end-to-end")
        print(generated.machine())
        per_file, start = _end_to_end(n)
        whole = {contender: start[contender] + (n - 1) * per_file[contender] for contender in END_TO_END}
        for contender in END_TO_END:
            print(f"  {contender:13} {per_file[contender]:>12,} instructions per file, {start[contender]:>14,} "
                  f"on one file, {whole[contender]:>16,} on {n}")
        print(f"  zhifa/floor = {per_file['zhifa_check'] / per_file['floor_script']:.2f} per file, "
              f"{whole['zhifa_check'] / whole['floor_script']:.2f} on {n} files")
        generated.last_line({"n": n, "per_file": per_file, "start": start})
        return
    contenders = ["zhifa", "raw_durable"] if args.quick else args.contenders.split(",")
    if unknown := sorted(set(contenders) - set(CONTENDERS)):
        parser.error(f"unknown contenders: {', '.join(unknown)} (known: {', '.join(CONTENDERS)})")
    n = 600 if args.quick else 1200 if args.n is None else args.n
    if n < 1:
        parser.error("--n must be at least 1")
    if shutil.which("valgrind") is None:
        sys.exit("instructions.py needs valgrind")
    print(generated.machine())
    per_form: dict[str, int] = {}
    for contender in contenders:
        per_form[contender] = _instructions(contender, n)
        print(f"  {contender:14} {per_form[contender]:>12,} instructions per form ({n} forms, warmed on {WARM})")
    if args.steps:
        done = 0
        for step in STEPS:
            count = _instructions(step, n)
            print(f"  zhifa, {step:9} {count - done:>12,} instructions per form ({count:,} so far)")
            per_form[f"zhifa_{step}"], done = count, count
        if "zhifa" in per_form:
            print(f"  zhifa, the rest {per_form['zhifa'] - done:>12,} (durable-rules, sessions, matches, reports)")
    if "zhifa" in per_form:
        for contender, count in per_form.items():
            if contender in CONTENDERS and contender != "zhifa":
                print(f"  zhifa/{contender} = {per_form['zhifa'] / count:.2f}")
    generated.last_line({"n": n, "instructions_per_form": per_form})


if __name__ == "__main__":
    main()
