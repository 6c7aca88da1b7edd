"""Stress: the heaviest documents checked many times in fresh processes, many threads at once, and
ten thousand checks in a row, every report identical to the serial one and memory flat.

The durable-rules guide (hazard 2) asks for the envelope of many matches per document to be proved
by a stress test run many times in subprocesses: a crash of the C core shows there as a signal or
a non-zero exit, never as a failed assertion in this process.
"""

from __future__ import annotations

import inspect
import random
import subprocess
import sys
import threading
import time
from collections import Counter
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from decimal import Decimal
from pathlib import Path
from typing import Any

import attrs
import durable.engine
import durable_rules_engine
import pytest

import engine
import engine.compile
import engine.runtime
from engine.output import as_json
from forms import KeyUnit, KeyUnitCategory, UnitVisit, load_document
from forms.convert import Document, dump_document
from forms.dispatch import DispatchForm, WholePart
from forms.strategies import CAMPAIGN_MUTATIONS, CampaignBundle
from forms.strategies.campaign import BOUNDED_BY
from rulebook import Rulebook, load_rulebook

from .conftest import ROOT

PLANS = ROOT / "examples" / "plans"
CAMPAIGN = ROOT / "examples" / "campaigns" / "chongming-2023"
UNCOVERED = 2000

# ------------------------------------------------------------------ the heaviest documents


def heavy_plan() -> Document:
    """Chongming's plan with 2 000 more key units in a category of their own that no item covers
    and no schedule entry visits (every listed unit of the original plan is visited once)."""
    plan = load_document(PLANS / "chongming-2024.yaml")
    assert plan.key_units is not None and plan.schedule is not None
    listed = plan.key_units
    extra = tuple(KeyUnit(no=1000 + n, name=f"未覆盖单位{n}", category="十五") for n in range(UNCOVERED))
    key_units = attrs.evolve(
        listed, units=(*listed.units, *extra),
        categories=(*listed.categories, KeyUnitCategory(id="十五", name="压力测试类", stated_count=UNCOVERED)))
    visits = tuple(UnitVisit(u.name, 3) for u in listed.units)
    return attrs.evolve(plan, key_units=key_units, schedule=attrs.evolve(plan.schedule, unit_visits=visits))


def _clean_campaign() -> CampaignBundle:
    """The clean Chongming campaign example, sorted into the roles the mutations act on."""
    docs = {p.stem: load_document(p) for p in sorted((CAMPAIGN / "clean").glob("*.yaml"))}
    steps = docs["城桥镇-阶段工作"]
    return CampaignBundle(
        profile="shanghai-chongming-2023-campaign", variant="chongming-2023",
        unit_forms=tuple(docs[f"城桥镇-2023-0{m}"] for m in (5, 6, 7, 8)),  # type: ignore[misc]
        member_forms=tuple(docs[f"{unit}-2023-05"] for unit in ("新河镇", "竖新镇", "港沿镇")),  # type: ignore[misc]
        aggregate_forms=(docs["崇明区安委会办公室-2023-05-汇总"],),  # type: ignore[arg-type]
        records=tuple(d for name, d in docs.items() if name.startswith("台账")),  # type: ignore[misc]
        steps=steps)  # type: ignore[arg-type]


def _every_figure_inconsistent(form: DispatchForm) -> DispatchForm:
    """Every rectified count above its found count, every part above its whole."""
    values = dict(form.values)
    for rectified, found in BOUNDED_BY.items():
        count = values.get(found)
        base = count if isinstance(count, int) and not isinstance(count, bool) else 0
        values[found], values[rectified] = base, base + 1
    for key, value in form.values.items():
        if isinstance(value, WholePart):
            whole = value.whole if value.whole is not None else Decimal(0)
            values[key] = WholePart(whole=whole, part=whole + 1)
    return attrs.evolve(form, values=values)


def broken_campaign() -> list[Document]:
    """One campaign with every campaign rule broken at once: each of CAMPAIGN_MUTATIONS applied in
    turn (record changes first, since they restate the forms' counts), then every figure of every
    reporting-unit form made inconsistent."""
    bundle = _clean_campaign()
    order = sorted(CAMPAIGN_MUTATIONS, key=lambda rule: not rule.startswith("campaign."))
    for rule in order:
        bundle = CAMPAIGN_MUTATIONS[rule](bundle)
    bundle = attrs.evolve(bundle, unit_forms=tuple(_every_figure_inconsistent(f) for f in bundle.unit_forms))
    return list(bundle.documents)


@pytest.fixture(scope="module")
def heavy_files(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, list[Path]]:
    """The heavy plan and the broken campaign written as files (JSON and YAML), as a user would give them."""
    folder = tmp_path_factory.mktemp("heavy")
    plan = folder / "plan-2000-uncovered.json"
    plan.write_text(dump_document(heavy_plan(), "json"), encoding="utf-8")
    campaign = []
    for k, document in enumerate(broken_campaign()):
        path = folder / f"campaign-{k:02d}.yaml"
        path.write_text(dump_document(document, "yaml"), encoding="utf-8")
        campaign.append(path)
    return plan, campaign


# What each subprocess runs: load the files once, check them `repeats` times, print every report
# as JSON followed by a NUL.
WORKER = """
import sys
import engine
from engine.output import as_json
from forms import load_document

plan_path, repeats, *campaign = sys.argv[1:]
plan = load_document(plan_path)
documents = [load_document(p) for p in campaign]
out = sys.stdout
for _ in range(int(repeats)):
    out.write(as_json([engine.check(plan, path=plan_path)]) + "\\0")
    out.write(as_json(engine.check_documents(documents, campaign)) + "\\0")
out.flush()
"""

#: 100 fresh processes × 2 checks of each heavy document = 200 checks of each, 2 processes at a time.
PROCESSES, REPEATS, PARALLEL = 100, 2, 2


def test_heavy_documents_in_fresh_processes_match_the_serial_reports(heavy_files: tuple[Path, list[Path]]) -> None:
    plan_path, campaign_paths = heavy_files
    plan = load_document(plan_path)
    documents = [load_document(p) for p in campaign_paths]

    plan_report = engine.check(plan, path=str(plan_path))
    campaign_results = engine.check_documents(documents, [str(p) for p in campaign_paths])
    assert all(isinstance(r, engine.Report) for r in campaign_results)
    expected = [as_json([plan_report]), as_json(campaign_results)]  # type: ignore[arg-type]

    # Specific counts, so the comparison below cannot pass on empty reports.
    coverage = [v for v in plan_report.violations if v.rule == "plan.key-unit-coverage"]
    per_unit = [v for v in coverage if v.location.startswith("/key_units/units/")]
    assert len(per_unit) == UNCOVERED
    assert {v.message_en for v in per_unit} == {f"key unit “未覆盖单位{n}” has no check scheduled in the year"
                                                 for n in range(UNCOVERED)}
    (category,) = [v for v in coverage if v.location.startswith("/key_units/categories/")]
    assert category.values["units"] == UNCOVERED
    assert len(coverage) == UNCOVERED + 1
    found = Counter(v.rule for r in campaign_results if isinstance(r, engine.Report) for v in r.violations)
    assert set(CAMPAIGN_MUTATIONS) <= set(found), f"not broken: {set(CAMPAIGN_MUTATIONS) - set(found)}"
    assert found["form.rectified-within-found"] >= 3 * 4  # three pairs in each of four forms
    assert found["form.part-within-whole"] >= 4

    def run(_: int) -> subprocess.CompletedProcess[bytes]:
        args = [sys.executable, "-c", WORKER, str(plan_path), str(REPEATS), *map(str, campaign_paths)]
        return subprocess.run(args, cwd=ROOT, capture_output=True, timeout=120, check=False)

    started = time.perf_counter()
    with ThreadPoolExecutor(max_workers=PARALLEL) as pool:
        finished = list(pool.map(run, range(PROCESSES)))
    elapsed = time.perf_counter() - started

    checks = Counter[int]()
    for k, proc in enumerate(finished):
        assert proc.returncode == 0, (f"process {k} ended with {proc.returncode} (negative: a signal)\n"
                                      f"{proc.stderr.decode(errors='replace')[-2000:]}")
        reports = proc.stdout.decode("utf-8").split("\0")
        assert reports.pop() == ""
        assert len(reports) == 2 * REPEATS
        for n, text in enumerate(reports):
            assert text == expected[n % 2], f"process {k}, report {n} differs from the serial one"
            checks[n % 2] += 1
    assert checks == {0: PROCESSES * REPEATS, 1: PROCESSES * REPEATS}
    print(f"{PROCESSES} processes × {REPEATS} checks of each heavy document: {elapsed:.1f} s")


# ------------------------------------------------------------------ threads


def _mixed_workload() -> list[tuple[str, Callable[[], str]]]:
    """Checks of every example (plans and campaign documents, clean and violating), some through
    engine.check, some through engine.check_many, some as whole campaign folders; each gives text."""
    documents = [load_document(p) for p in sorted(PLANS.glob("*.yaml"))]
    campaigns = sorted(p for p in (ROOT / "examples" / "campaigns").glob("*/*") if p.is_dir())
    folders = [[load_document(p) for p in sorted(folder.glob("*.yaml"))] for folder in campaigns]
    documents += [d for folder in folders for d in folder]
    work: list[tuple[str, Callable[[], str]]] = []
    for k, document in enumerate(documents):
        work.append((f"check {k}", lambda d=document: as_json([engine.check(d)])))
    for k in range(0, len(documents), 5):
        batch = documents[k:k + 5]
        work.append((f"check_many {k}", lambda b=batch: as_json(list(engine.check_many(b)))))
    for k, folder in enumerate(folders):
        work.append((f"folder {k}", lambda f=folder: as_json(engine.check_documents(f))))  # type: ignore[arg-type]
    return work


THREADS, PER_THREAD = 8, 500


def test_mixed_checks_from_eight_threads_match_the_serial_results() -> None:
    work = _mixed_workload()
    serial = [check() for _, check in work]
    assert sum('"violations": 0' not in text.split('"summary"')[1] for text in serial) > len(work) // 3
    assert any('"violations": 0' in text.split('"summary"')[1] for text in serial)
    mismatches: list[str] = []
    errors: list[BaseException] = []
    done = Counter[int]()
    barrier = threading.Barrier(THREADS)

    def worker(t: int) -> None:
        rng = random.Random(t)
        barrier.wait()
        try:
            for _ in range(PER_THREAD):
                k = rng.randrange(len(work))
                name, check = work[k]
                if check() != serial[k]:
                    mismatches.append(f"thread {t}: {name}")
                done[t] += 1
        except BaseException as exc:  # reported below, with the thread's name
            errors.append(exc)

    _run_all([threading.Thread(target=worker, args=(t,), name=f"checker-{t}") for t in range(THREADS)])
    assert not errors, errors
    assert not mismatches, mismatches[:10]
    assert sum(done.values()) == THREADS * PER_THREAD


def _run_all(threads: list[threading.Thread]) -> None:
    """Start the threads together (each waits at its barrier) and wait for every one."""
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()


def _lock_held() -> bool:
    """Whether the calling thread holds zhifa's one engine lock; a lock that cannot say (no
    ``_is_owned``: a stand-in that locks nothing) is not held."""
    is_owned = getattr(engine.compile.ENGINE_LOCK, "_is_owned", None)
    return bool(is_owned and is_owned())


def _watch_durable_entry_points(monkeypatch: pytest.MonkeyPatch, ours: set[int]) -> tuple[list[str], set[str]]:
    """Wrap every way zhifa reaches durable-rules, so that each call a thread of ``ours`` makes
    without the engine lock is listed ("thread: entry point"): every function of the C core (where
    durable.lang and durable.engine end), the Host's and Ruleset's methods, and what engine/
    imports from durable.lang (``get_host``, ``delete_state``, ``ruleset``, ``when_all`` …).
    Also returns the entry points those threads called, locked or not."""
    unlocked: list[str] = []
    called: set[str] = set()

    def watched(where: str, entry: Callable[..., Any]) -> Callable[..., Any]:
        def call(*args: Any, **kwargs: Any) -> Any:
            if threading.get_ident() in ours:
                called.add(where)
                if not _lock_held():
                    unlocked.append(f"{threading.current_thread().name}: {where}")
            return entry(*args, **kwargs)
        return call

    for name in dir(durable_rules_engine):
        entry = getattr(durable_rules_engine, name)
        if not name.startswith("_") and callable(entry) and not isinstance(entry, type):  # not its error type
            monkeypatch.setattr(durable_rules_engine, name, watched(f"durable_rules_engine.{name}", entry))
    for cls in (durable.engine.Host, durable.engine.Ruleset):
        for name, entry in list(vars(cls).items()):
            if inspect.isfunction(entry) and not name.startswith("__"):
                monkeypatch.setattr(cls, name, watched(f"{cls.__name__}.{name}", entry))
    for module in (engine.compile, engine.runtime):
        for name, entry in list(vars(module).items()):
            if getattr(entry, "__module__", None) == "durable.lang" and (inspect.isfunction(entry) or isinstance(entry, type)):
                monkeypatch.setattr(module, name, watched(f"durable.lang.{name}", entry))
    return unlocked, called


LOCK_THREADS, LOCK_ROUNDS = 4, 6


def test_every_call_into_durable_rules_holds_the_engine_lock(monkeypatch: pytest.MonkeyPatch) -> None:
    """The README's promise, checked at each call rather than by its results (which threads rarely
    spoil): plans, campaign folders through check_documents, streams through check_many, a workbook
    through check_files, and profiles compiled while other threads evaluate (a rulebook of each
    thread's own), from several threads at once; not one call into durable-rules without the lock."""
    plans = [load_document(p) for p in sorted(PLANS.glob("*.yaml"))]
    folders = [sorted(folder.glob("*.yaml")) for folder in sorted((ROOT / "examples" / "campaigns").glob("*/*"))
               if folder.is_dir()]
    campaigns = [[load_document(p) for p in folder] for folder in folders]
    workbook = ROOT / "examples" / "campaigns" / "excel" / "城桥镇-2023-05.xlsx"
    shipped = load_rulebook()
    chongming = next(p for p in plans if p.profile == "shanghai-chongming-2024")

    def own_rulebook(t: int, r: int) -> tuple[Rulebook, str]:
        """The shipped rulebook with Chongming's profile under a new id: a ruleset compiled in this call."""
        profile = attrs.evolve(shipped.profile("shanghai-chongming-2024"), id=f"shanghai-chongming-2024-lock-{t}-{r}")
        return shipped.with_profile(profile), profile.id

    def work(t: int, r: int) -> list[str]:
        rulebook, profile_id = own_rulebook(t, r)
        own = engine.check(attrs.evolve(chongming, profile=profile_id), rulebook=rulebook)
        stream = list(engine.check_many([*plans, *campaigns[r % len(campaigns)]], batch=3))
        return [as_json([engine.check(plans[r % len(plans)])]),
                as_json(engine.check_documents(campaigns[r % len(campaigns)])),  # type: ignore[arg-type]
                as_json(stream), as_json(engine.check_files([workbook])),  # type: ignore[arg-type]
                as_json([attrs.evolve(own, profile="shanghai-chongming-2024")])]

    # Few rulesets kept, so that rulesets are deleted (and compiled again) while threads evaluate.
    monkeypatch.setattr(engine.compile, "RULESETS_KEPT", 2)
    ours = {threading.get_ident()}
    unlocked, called = _watch_durable_entry_points(monkeypatch, ours)
    serial = [work(-1, r) for r in range(LOCK_ROUNDS)]
    assert not unlocked, unlocked[:10]
    called.clear()  # from here, what the threads call (the serial run deleted rulesets too)
    results: dict[tuple[int, int], list[str]] = {}
    errors: list[BaseException] = []
    barrier = threading.Barrier(LOCK_THREADS)

    def worker(t: int) -> None:
        ours.add(threading.get_ident())
        barrier.wait()
        try:
            for r in range(LOCK_ROUNDS):
                results[(t, r)] = work(t, r)
        except BaseException as exc:  # reported below
            errors.append(exc)
        finally:  # an ended thread's id is given to the next thread started, e.g. one of durable-rules' timers
            ours.discard(threading.get_ident())

    _run_all([threading.Thread(target=worker, args=(t,), name=f"locked-{t}") for t in range(LOCK_THREADS)])
    assert not errors, errors
    # The watch saw the threads' work: rulesets compiled and deleted, facts asserted, sessions deleted.
    assert {"durable.lang.ruleset", "durable_rules_engine.create_ruleset", "durable_rules_engine.assert_facts",
            "durable.lang.delete_state", "durable_rules_engine.delete_state",
            "durable_rules_engine.delete_ruleset"} <= called, sorted(called)
    assert not unlocked, f"{len(unlocked)} calls into durable-rules without ENGINE_LOCK, e.g. {sorted(set(unlocked))[:10]}"
    assert all(results[(t, r)] == serial[r] for t in range(LOCK_THREADS) for r in range(LOCK_ROUNDS))
    assert engine.runtime.ENGINE_LOCK is engine.compile.ENGINE_LOCK  # one lock, the one watched


# ------------------------------------------------------------------ memory


def _resident_mb() -> float:
    with open("/proc/self/statm", encoding="ascii") as statm:
        pages = int(statm.read().split()[1])
    import resource

    return pages * resource.getpagesize() / 2**20


def test_ten_thousand_sequential_checks_do_not_grow_memory() -> None:
    """10 000 checks, plans and campaign documents alternating, after a warm-up: RSS stays within a
    few MB (each session's state is deleted; without that the C core grows until MemoryError)."""
    documents: list[Any] = [load_document(p) for p in sorted(PLANS.glob("*.yaml"))]
    documents += [load_document(p) for p in sorted((CAMPAIGN / "violations").glob("*.yaml"))]
    expected = [engine.check(d).violations for d in documents]
    for document in documents * 20:  # warm up allocators and caches
        engine.check(document)
    before = _resident_mb()
    for k in range(10_000):
        report = engine.check(documents[k % len(documents)])
        if k % 997 == 0:
            assert report.violations == expected[k % len(documents)]
    after = _resident_mb()
    assert after - before < 8, f"grew from {before:.1f} MB to {after:.1f} MB over 10 000 checks"
