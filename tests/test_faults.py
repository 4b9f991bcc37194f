"""Faults: a build killed at any moment leaves the previous reports whole, the next build
cleans up after it, and two builds at once cannot corrupt one folder."""

from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from benchmarks.generate import generate
from tests.conftest import tree
from tests.folders import assert_people_kept, generated, plant, snapshot

pytestmark = pytest.mark.slow
TRIALS = 20



def leftovers(parent: Path) -> list[str]:
    return sorted(p.name for p in parent.iterdir()
                  if p.name.startswith(".reports.") and p.name != ".reports.lock")


def start_build(workbook: Path, out: Path, *extra: str) -> subprocess.Popen:
    env = {**os.environ, "PYTHONUNBUFFERED": "1"}
    return subprocess.Popen([sys.executable, "-m", "reporter", "build", str(workbook), "--out",
                             str(out), "-q", *extra], stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True, env=env)


@pytest.fixture(scope="module")
def workbooks(tmp_path_factory) -> dict[str, Path]:
    d = tmp_path_factory.mktemp("faults")
    (d / "a").mkdir()
    (d / "b").mkdir()
    # Same file name, different content: every output file differs between the two.
    return {
        "a": generate(d / "a" / "register.xlsx", meetings=10, agreements=1500, metrics=120,
                      seed=11),
        "b": generate(d / "b" / "register.xlsx", meetings=10, agreements=1500, metrics=120,
                      seed=12),
    }


def test_kill_at_random_moments(tmp_path: Path, workbooks: dict[str, Path]) -> None:
    out = tmp_path / "reports"
    trees = {}
    for name in ("b", "a"):  # ends with a's reports in place
        started = time.perf_counter()
        proc = start_build(workbooks[name], out, "--force")
        _, err = proc.communicate(timeout=300)
        assert proc.returncode == 0, err
        duration = time.perf_counter() - started
        trees[name] = tree(out)
    assert trees["a"] != trees["b"]
    current = "a"
    rng = random.Random(2024)
    outcomes = []
    for trial in range(TRIALS):
        target = "b" if current == "a" else "a"
        extra = ("--force",) if trial % 2 == 0 else ()
        proc = start_build(workbooks[target], out, *extra)
        time.sleep(rng.uniform(0.0, duration * 1.15))
        proc.send_signal(signal.SIGKILL)
        proc.communicate(timeout=60)
        now = tree(out)
        assert now in (trees["a"], trees["b"]), (
            f"trial {trial}: the reports folder is neither the old nor the new build")
        current = "a" if now == trees["a"] else "b"
        outcomes.append(current == target)
    # Killed builds leave staging folders behind; the next build clears them and works.
    proc = start_build(workbooks["a"], out)
    _, err = proc.communicate(timeout=300)
    assert proc.returncode == 0, err
    assert tree(out) == trees["a"]
    assert leftovers(tmp_path) == []
    assert not all(outcomes), "no kill interrupted a build: the timings need a look"


def test_two_builds_at_once(tmp_path: Path, workbooks: dict[str, Path]) -> None:
    out = tmp_path / "reports"
    first = start_build(workbooks["a"], out, "--force")
    second = start_build(workbooks["a"], out, "--force")
    results = []
    for p in (first, second):
        _, err = p.communicate(timeout=300)
        results.append((p.returncode, err))
    codes = sorted(code for code, _ in results)
    assert codes in ([0, 0], [0, 3]), results
    for code, err in results:
        if code == 3:
            assert "another reporter build" in err and "Traceback" not in err
    reference = tmp_path / "reference"
    proc = start_build(workbooks["a"], reference)
    proc.communicate(timeout=300)
    assert proc.returncode == 0
    assert tree(out) == tree(reference)
    assert leftovers(tmp_path) == []


def written(out: Path) -> dict[str, str]:
    """The files the folder's manifest lists (and the manifest), by their sha256."""
    import hashlib

    return {p: hashlib.sha256((out / p).read_bytes()).hexdigest() for p in generated(out)}


def test_kill_with_peoples_files_in_the_folder(tmp_path: Path,
                                               workbooks: dict[str, Path]) -> None:
    """Killed at any moment, a build never loses a file of a person's: before the swap they
    are in the reports folder, after it they are linked into the new one."""
    out = tmp_path / "reports"
    sets = {}
    for name in ("b", "a"):
        started = time.perf_counter()
        proc = start_build(workbooks[name], out, "--force")
        _, err = proc.communicate(timeout=300)
        assert proc.returncode == 0, err
        duration = time.perf_counter() - started
        sets[name] = written(out)
    meeting = sorted(p.name for p in out.iterdir() if p.is_dir())[0]
    mine = plant(out, tmp_path / "outside", meeting)
    outside = snapshot(tmp_path / "outside")
    rng = random.Random(7)
    current = "a"
    for trial in range(TRIALS // 2):
        target = "b" if current == "a" else "a"
        proc = start_build(workbooks[target], out, "--force")
        time.sleep(rng.uniform(0.0, duration * 1.15))
        proc.send_signal(signal.SIGKILL)
        proc.communicate(timeout=60)
        now = written(out)
        assert now in (sets["a"], sets["b"]), f"trial {trial}: neither the old nor the new set"
        assert_people_kept(mine, snapshot(out))
        assert snapshot(tmp_path / "outside") == outside
        current = "a" if now == sets["a"] else "b"
    proc = start_build(workbooks["a"], out)
    _, err = proc.communicate(timeout=300)
    assert proc.returncode == 0, err
    assert written(out) == sets["a"]
    assert_people_kept(mine, snapshot(out))
    assert leftovers(tmp_path) == []
