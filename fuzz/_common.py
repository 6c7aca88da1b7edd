"""Shared by the harnesses: the project root on sys.path, a scratch directory, the allowed errors."""

from __future__ import annotations

import atexit
import contextlib
import os
import shutil
import sys
import tempfile
import traceback
from collections.abc import Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

# Inputs are written to files because the loaders read paths; /dev/shm keeps that off the disk.
# libFuzzer often ends the process without running atexit handlers (on a crash, at -max_total_time),
# so each run's directory is named by its pid and the directories of runs no longer alive are removed.
_BASE = Path("/dev/shm") if Path("/dev/shm").is_dir() else Path(tempfile.gettempdir())


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


for _stale in _BASE.glob("zhifa-fuzz-*"):
    if _stale.name.removeprefix("zhifa-fuzz-").isdigit() and not _alive(int(_stale.name.removeprefix("zhifa-fuzz-"))):
        shutil.rmtree(_stale, ignore_errors=True)
SCRATCH = _BASE / f"zhifa-fuzz-{os.getpid()}"
SCRATCH.mkdir(exist_ok=True)
atexit.register(shutil.rmtree, SCRATCH, ignore_errors=True)

#: Crashes already reported, as (exception type, project file, function) of the innermost frame in
#: engine/, forms/ or rulebook/. With ZHIFA_FUZZ_SKIP_KNOWN=1 a harness passes over these to look
#: for others; without it (the default, and in CI) every one of them is a crash. Each has its input
#: in fuzz/regressions/.
KNOWN: set[tuple[str, str, str]] = set()  # none open: the crashes found so far are fixed and in tests/bad_inputs/
SKIP_KNOWN = os.environ.get("ZHIFA_FUZZ_SKIP_KNOWN") == "1"
_PROJECT = tuple(str(ROOT / part) + os.sep for part in ("engine", "forms", "rulebook"))


def signature(exc: BaseException) -> tuple[str, str, str]:
    """The exception's type and its innermost frame in the project's own code."""
    frames = [f for f in traceback.extract_tb(exc.__traceback__) if f.filename.startswith(_PROJECT)]
    if not frames:
        return (type(exc).__name__, "", "")
    last = frames[-1]
    return (type(exc).__name__, str(Path(last.filename).relative_to(ROOT)), last.name)


def known(exc: BaseException) -> bool:
    """Whether to pass over this exception (only with ZHIFA_FUZZ_SKIP_KNOWN=1)."""
    return SKIP_KNOWN and signature(exc) in KNOWN


@contextlib.contextmanager
def crashes_only(*allowed: type[Exception]) -> Iterator[None]:
    """Pass over the ``allowed`` errors; any other exception is a crash (unless known and skipped)."""
    try:
        yield
    except allowed:
        pass
    except Exception as exc:
        if not known(exc):
            raise
