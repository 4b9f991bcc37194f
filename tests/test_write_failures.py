"""Every failure to write is exit 3 with one line, nothing half-written, the previous
reports intact: real full and read-only disks (a small tmpfs, where this machine lets us
mount one) and failures arranged at each step of a build.
"""

from __future__ import annotations

import contextlib
import errno
import os
import shutil
import subprocess
from pathlib import Path

import pytest

from reporter import keep, output
from reporter.build import build
from tests.conftest import SAMPLE, run_cli, tree
from tests.folders import assert_people_kept, generated, leftovers, one_line, plant, snapshot

MiB = 1 << 20


@contextlib.contextmanager
def small_disk(where: Path, size: int):
    """A tmpfs of `size` bytes mounted at `where` (skips the test where that is not allowed)."""
    where.mkdir()
    if os.geteuid() != 0 or shutil.which("mount") is None:
        pytest.skip("mounting a small tmpfs needs root")
    proc = subprocess.run(["mount", "-t", "tmpfs", "-o", f"size={size}", "tmpfs", str(where)],
                          capture_output=True, text=True)
    if proc.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs here: {proc.stderr.strip()}")
    try:
        yield where
    finally:
        subprocess.run(["umount", "-l", str(where)], check=False)


def remount(where: Path, mode: str) -> None:
    subprocess.run(["mount", "-o", f"remount,{mode}", str(where)], check=True)


def fill(disk: Path, leave: int) -> Path:
    """Fill the disk until only about `leave` bytes are free."""
    filler = disk / "filler"
    st = os.statvfs(disk)
    free = st.f_bavail * st.f_frsize
    with open(filler, "ab") as f:
        f.write(b"\0" * max(0, free - leave))
    return filler


@pytest.fixture
def disk(tmp_path: Path):
    with small_disk(tmp_path / "disk", 4 * MiB) as d:
        yield d


def test_a_full_disk_at_any_step_keeps_the_previous_reports(disk: Path, tmp_path: Path) -> None:
    out = disk / "reports"
    build(SAMPLE, out)
    mine = plant(out, disk / "outside")
    failures = 0
    for leave in range(0, 480 * 1024, 24 * 1024):
        before = snapshot(disk, skip=("filler",))
        filler = fill(disk, leave)
        result = run_cli("build", SAMPLE, "--out", out, "--force", "-q")
        filler.unlink()
        if result.exit_code == 0:  # there was room: the new set, and people's files
            assert set(tree(out)) - set(mine) == generated(out)
            assert_people_kept(mine, snapshot(out))
        else:
            failures += 1
            assert result.exit_code == 3, result.output
            line = one_line(result.stderr)
            assert "disk is full" in line and str(out) in line
            assert snapshot(disk, skip=("filler",)) == before
        assert leftovers(disk, "reports") == []
    assert failures >= 3, "the disk never filled up: the sizes need a look"


def test_init_and_annotate_on_a_full_disk(disk: Path) -> None:
    (disk / "old.xlsx").write_bytes(b"the previous workbook")
    filler = fill(disk, 0)
    before = snapshot(disk)
    for args in (["init", disk / "new.xlsx"], ["init", disk / "old.xlsx", "--force"],
                 ["validate", SAMPLE, "--annotate", disk / "checked.xlsx"]):
        result = run_cli(*args)
        assert result.exit_code == 3, (args, result.output)
        line = one_line(result.stderr)
        assert "disk is full" in line and str(disk) in line
        assert snapshot(disk) == before  # no half-written file, no temporary left
    filler.unlink()
    assert run_cli("init", disk / "new.xlsx").exit_code == 0


def test_a_read_only_disk(disk: Path) -> None:
    out = disk / "reports"
    build(SAMPLE, out)
    plant(out, disk / "outside")
    before = snapshot(disk)
    remount(disk, "ro")
    try:
        for args in (["build", SAMPLE, "--out", out, "--force"],
                     ["build", SAMPLE, "--out", disk / "new"],
                     ["init", disk / "blank.xlsx"],
                     ["validate", SAMPLE, "--annotate", disk / "checked.xlsx"]):
            result = run_cli(*args)
            assert result.exit_code == 3, (args, result.output)
            assert "read-only" in one_line(result.stderr)
        assert snapshot(disk) == before
    finally:
        remount(disk, "rw")


# --- failures arranged at each step ---------------------------------------------------------

@pytest.fixture
def reports(tmp_path: Path) -> tuple[Path, dict]:
    out = tmp_path / "reports"
    build(SAMPLE, out)
    return out, plant(out, tmp_path / "outside")


def _raise(code: int):
    def fail(*args, **kwargs):
        raise OSError(code, os.strerror(code))
    return fail


STEPS = {
    "staging": ("os.mkdir", errno.EACCES, "permission denied"),
    "manifest": ("reporter.reuse.manifest_bytes", errno.EDQUOT, "quota"),
    "swap": ("reporter.output._renameat2", errno.EIO, "disk reported an error"),
    "carrying": ("reporter.keep.place", errno.ENOSPC, "disk is full"),
}


@pytest.mark.parametrize("step", sorted(STEPS))
def test_a_failure_at_each_step_keeps_everything(tmp_path: Path, reports, monkeypatch,
                                                 step: str) -> None:
    out, _ = reports
    target, code, words = STEPS[step]
    before = snapshot(tmp_path)
    if step == "staging":
        real_mkdir = os.mkdir

        def mkdir(path, *args, **kwargs):
            if ".reports.building-" in str(path):
                raise OSError(code, os.strerror(code))
            return real_mkdir(path, *args, **kwargs)

        monkeypatch.setattr(os, "mkdir", mkdir)
    else:
        monkeypatch.setattr(target, _raise(code))
    result = run_cli("build", SAMPLE, "--out", out, "--force")
    assert result.exit_code == 3, result.output
    assert words in one_line(result.stderr)
    monkeypatch.undo()
    assert snapshot(tmp_path) == before
    assert leftovers(tmp_path, "reports") == []


def test_files_that_cannot_be_linked_are_copied(tmp_path: Path, reports, monkeypatch) -> None:
    out, mine = reports
    monkeypatch.setattr(os, "link", _raise(errno.EXDEV))
    result = build(SAMPLE, out, force=True)
    assert_people_kept(mine, snapshot(out))
    assert {k.path for k in result.kept} >= {"talking-points.txt", "M-SUZHOU/minister-notes.txt"}


def test_a_full_disk_while_copying_keeps_everything(tmp_path: Path, reports,
                                                    monkeypatch) -> None:
    out, _ = reports
    before = snapshot(tmp_path)
    monkeypatch.setattr(os, "link", _raise(errno.EPERM))
    real_write = os.write
    calls = iter(range(10**6))

    def write(fd, data):  # the disk fills up halfway through the copies
        if next(calls) > 3:
            raise OSError(errno.ENOSPC, "No space left on device")
        return real_write(fd, data)

    monkeypatch.setattr(os, "write", write)
    result = run_cli("build", SAMPLE, "--out", out, "--force")
    monkeypatch.undo()
    assert result.exit_code == 3
    line = one_line(result.stderr)
    assert "disk is full" in line and "nothing was changed" in line
    assert snapshot(tmp_path) == before and leftovers(tmp_path, "reports") == []


# --- what changes while a build runs, and builds that die after their swap ---------------------

def test_files_saved_while_a_build_runs_are_kept(tmp_path: Path, reports, monkeypatch) -> None:
    out, mine = reports
    run = keep.Carrier.run

    def late(self):
        carried = run(self)
        # After the carrying, before the swap: a person saves two files.
        (out / "saved-late.txt").write_text("saved while the build ran")
        portfolio = out / "portfolio-summary.xlsx"
        (out / "tmp-save").write_bytes(b"Excel saving the portfolio")
        os.replace(out / "tmp-save", portfolio)  # as Excel saves: a new file renamed over
        return carried

    monkeypatch.setattr(keep.Carrier, "run", late)
    result = build(SAMPLE, out, force=True)
    assert (out / "saved-late.txt").read_text() == "saved while the build ran"
    kept = {k.was: k.path for k in result.kept}
    assert (out / kept["portfolio-summary.xlsx"]).read_bytes() == b"Excel saving the portfolio"
    assert kept["portfolio-summary.xlsx"].startswith("portfolio-summary.edited-")
    assert_people_kept(mine, snapshot(out))
    assert set(tree(out)) - set(mine) - set(kept.values()) == generated(out)
    assert leftovers(tmp_path, "reports") == []


@pytest.mark.parametrize("when", ["before-renaming-the-previous-folder", "while-emptying-it"])
def test_a_build_that_dies_after_its_swap_is_finished_by_the_next(tmp_path: Path, reports,
                                                                  monkeypatch, when: str) -> None:
    out, mine = reports
    run = keep.Carrier.run

    def late(self):
        carried = run(self)
        (out / "saved-late.txt").write_text("saved while the build ran")
        return carried

    monkeypatch.setattr(keep.Carrier, "run", late)
    if when == "while-emptying-it":
        monkeypatch.setattr(output.Beside, "sweep", lambda *a: (_ for _ in ()).throw(
            KeyboardInterrupt()))
    else:
        real = output.rename_new

        def rename_new(a: Path, b: Path) -> None:
            if ".reports.old-" in b.name:
                raise KeyboardInterrupt  # killed between the exchange and this rename
            real(a, b)

        monkeypatch.setattr(output, "rename_new", rename_new)
    with pytest.raises(KeyboardInterrupt):
        build(SAMPLE, out, force=True)
    monkeypatch.undo()
    assert leftovers(tmp_path, "reports"), "the dead build left nothing to finish"
    assert set(tree(out)) - set(mine) == generated(out)  # the new set is in place
    result = build(SAMPLE, out)
    assert (out / "saved-late.txt").read_text() == "saved while the build ran"
    assert "saved-late.txt" in {k.path for k in result.kept}
    assert_people_kept(mine, snapshot(out))
    assert leftovers(tmp_path, "reports") == []


def test_a_disk_mounted_inside_the_folder_is_never_emptied(tmp_path: Path, reports) -> None:
    out, _ = reports
    with small_disk(out / "M-SUZHOU" / "usb", 1 * MiB) as usb:
        (usb / "on-the-stick.txt").write_text("on another disk")
        before = snapshot(tmp_path)
        result = run_cli("build", SAMPLE, "--out", out, "--force")
        assert result.exit_code == 3
        line = one_line(result.stderr)
        assert "M-SUZHOU/usb/" in line and "mount point" in line
        assert snapshot(tmp_path) == before


def test_a_mount_point_as_the_folder_is_refused(tmp_path: Path) -> None:
    with small_disk(tmp_path / "stick", 1 * MiB) as stick:
        result = run_cli("build", SAMPLE, "--out", stick)
        assert result.exit_code == 3
        line = one_line(result.stderr)
        assert "mount point" in line and f"--out {stick / 'reports'}" in line
        assert list(stick.iterdir()) == []
        assert run_cli("build", SAMPLE, "--out", stick / "reports", "-q").exit_code == 0
