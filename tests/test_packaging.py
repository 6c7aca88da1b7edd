"""The wheel ships every file the library reads: a campaign is checked from the wheel alone, as a
system that installs zhifa (not this checkout) would check it."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import sysconfig
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PACKAGES = ("engine", "forms", "rulebook")


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    # Built from a copy of what a clean clone has: setuptools reuses ./build, where a file an
    # earlier build copied would hide one the configuration no longer ships.
    source = tmp_path_factory.mktemp("source") / "zhifa"
    shutil.copytree(ROOT, source, ignore=shutil.ignore_patterns(
        "build", "dist", ".venv", ".git", "*.egg-info", "__pycache__", ".*_cache", ".hypothesis", "_build", "tests",
        "fuzz", "benchmarks", "docs", "examples"))
    out = tmp_path_factory.mktemp("wheel")
    subprocess.run([sys.executable, "-m", "pip", "wheel", str(source), "--no-deps", "--quiet", "-w", str(out)],
                   check=True, capture_output=True, cwd=out)
    (built,) = out.glob("zhifa-*.whl")
    return built


def shipped_files() -> set[str]:
    """Every module and data file of the packages, as the checkout has them (notes for maintainers aside)."""
    return {path.relative_to(ROOT).as_posix() for package in PACKAGES for path in (ROOT / package).rglob("*")
            if path.is_file() and "__pycache__" not in path.parts and path.suffix not in (".pyc", ".md")}


def test_the_wheel_holds_every_module_and_data_file(wheel: Path) -> None:
    names = set(zipfile.ZipFile(wheel).namelist())
    missing = shipped_files() - names
    assert not missing, f"not in the wheel: {sorted(missing)}"
    assert "forms/templates/chongming-2023.yaml" in names  # the one that was missing once


def test_a_campaign_and_a_plan_are_checked_from_the_wheel_alone(wheel: Path, tmp_path: Path) -> None:
    unpacked = tmp_path / "site"
    zipfile.ZipFile(wheel).extractall(unpacked)
    # -S: no site module, so this checkout's editable install is not on the path; the wheel comes
    # first, then the dependencies installed beside it.
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(unpacked), sysconfig.get_paths()["purelib"]])}
    script = (
        "import sys, engine, forms\n"
        "assert forms.__file__.startswith(sys.argv[1]), forms.__file__\n"
        "from pathlib import Path\n"
        "from engine.check import check_files\n"
        "folder = Path(sys.argv[2]) / 'campaigns' / 'chongming-2023' / 'violations'\n"
        "results = check_files(sorted(folder.glob('*.yaml')) + [Path(sys.argv[2]) / 'plans' / 'chongming-2024.yaml'])\n"
        "assert all(isinstance(r, engine.Report) for r in results), results\n"
        "print(sum(len(r.violations) for r in results))\n"
    )
    done = subprocess.run([sys.executable, "-S", "-c", script, str(unpacked), str(ROOT / "examples")],
                          capture_output=True, text=True, env=env, cwd=tmp_path, timeout=120)
    assert done.returncode == 0, done.stderr
    assert int(done.stdout) > 0
