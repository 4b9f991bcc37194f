"""Output safety: text stays text in every file, and nothing escapes the output folder."""

from __future__ import annotations

import json
import os
import shutil
import warnings
from pathlib import Path

import pytest
from openpyxl import load_workbook

from reporter.build import build
from reporter.text import safe_filename
from tests.conftest import cell_at, rename_meeting, run_cli, set_cells, tree
from tests.folders import generated, leftovers, one_line, snapshot

HOSTILE_IDS = ["../../etc", "CON", "a/b\\c", "..", "nul.txt", "会议-01", " spaced ", "x" * 200]


def test_safe_filenames_stay_inside_and_are_distinct() -> None:
    names = [safe_filename(i) for i in HOSTILE_IDS]
    assert len(set(names)) == len(names)
    for n in names:
        assert n and "/" not in n and "\\\\" not in n and not n.startswith(".")
        assert n.split(".")[0].casefold() not in {"con", "nul", "prn", "aux"}
        assert len(n) <= 70
    assert safe_filename("M-G60-2024") == "M-G60-2024"


def test_meeting_ids_cannot_write_outside_the_folder(tmp_path: Path, edited) -> None:
    def edit(wb) -> None:
        ws = wb["Meetings"]
        for row, new in ((2, "../../etc"), (3, "CON"), (4, "a/b\\\\c")):
            rename_meeting(wb, cell_at(ws, "Meeting ID", row).value, new)

    out = tmp_path / "deep" / "reports"
    result = run_cli("build", edited(edit), "--out", out, "-q")
    assert result.exit_code == 0, result.output
    written = {p.resolve() for p in tmp_path.rglob("*") if p.is_file()}
    inside = {p for p in written if out.resolve() in p.parents}
    outside = written - inside - {p.resolve() for p in tmp_path.glob("*.xlsx")}
    assert not [p for p in outside if p.name != ".reports.lock"], outside
    folders = sorted(p.name for p in out.iterdir() if p.is_dir())
    assert all(".." not in f and "/" not in f for f in folders)
    assert any(f.startswith("etc-") for f in folders) and any(f.startswith("_CON-") for f in
                                                              folders)


def test_annotated_copy_keeps_text_that_looks_like_a_formula(tmp_path: Path, edited) -> None:
    def edit(wb) -> None:
        set_cells(wb["Agreements"], 2, {"Notes": "=cmd|' /C calc'!A0"}, data_type="s")
        cell_at(wb["Meetings"], "Kind", 3).value = "citty"  # something to annotate

    path = edited(edit)
    out = tmp_path / "annotated.xlsx"
    run_cli("validate", path, "--annotate", out)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        cell = cell_at(load_workbook(out)["Agreements"], "Notes", 2)
    assert cell.data_type == "s" and cell.value == "=cmd|' /C calc'!A0"


def test_every_xlsx_written_has_no_formula_from_text(tmp_path: Path, edited) -> None:
    payloads = ["=1+1", "+1+1", "-1+1", "@SUM(1)", "\t=1", "\r=1", "=HYPERLINK(\"http://x\")"]

    def edit(wb) -> None:
        for i, text in enumerate(payloads, start=2):
            set_cells(wb["Agreements"], i, dict.fromkeys(("Title", "Party A", "Notes"), text),
                      data_type="s")

    out = tmp_path / "r"
    build(edited(edit), out)
    import zipfile

    for path in out.rglob("*.xlsx"):
        with zipfile.ZipFile(path) as z:
            for name in z.namelist():
                if name.startswith("xl/worksheets/"):
                    xml = z.read(name)
                    assert b"<f>" not in xml and b"<hyperlink" not in xml, (path.name, name)


# --- the lock file, links to and beside the reports folder ----------------------------------

def _lock_variants(tmp_path: Path) -> dict:
    sentinel = tmp_path / "sentinel.txt"

    def link(lock: Path) -> None:
        lock.symlink_to(sentinel)

    def dangling(lock: Path) -> None:
        lock.symlink_to(tmp_path / "made-through-a-link")

    def hardlink(lock: Path) -> None:
        os.link(sentinel, lock)

    return {"link": link, "dangling-link": dangling, "hard-link": hardlink,
            "folder": lambda lock: lock.mkdir(), "fifo": lambda lock: os.mkfifo(lock)}


@pytest.mark.parametrize("how", ["link", "dangling-link", "hard-link", "folder", "fifo"])
def test_a_lock_file_that_is_not_a_plain_file_is_refused(tmp_path: Path, sample: Path,
                                                         how: str) -> None:
    out = tmp_path / "reports"
    build(sample, out, meetings=["M-SUZHOU"])
    (tmp_path / "sentinel.txt").write_text("the lock must never be written through\n")
    (tmp_path / ".reports.lock").unlink()
    _lock_variants(tmp_path)[how](tmp_path / ".reports.lock")
    before = snapshot(tmp_path)
    result = run_cli("build", sample, "--out", out, "--force")
    assert result.exit_code == 3
    line = one_line(result.stderr)
    assert ".reports.lock" in line and "not a regular file" in line
    assert snapshot(tmp_path) == before
    assert not (tmp_path / "made-through-a-link").exists()


def test_a_linked_out_is_followed_and_the_link_left_alone(tmp_path: Path, sample: Path) -> None:
    real = tmp_path / "store" / "reports"
    real.parent.mkdir()
    real.mkdir()
    link = tmp_path / "reports"
    link.symlink_to(real)
    for _ in range(2):  # into the empty folder, then into the folder reporter made
        result = run_cli("build", sample, "--out", link, "--force", "-q")
        assert result.exit_code == 0, result.output
        assert link.is_symlink() and os.readlink(link) == str(real)
        assert (real / "manifest.json").is_file()
        assert set(tree(real)) - {"mine.txt"} == generated(real)
        (real / "mine.txt").write_text("a file of mine")
    assert (real / "mine.txt").read_text() == "a file of mine"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["cooperation.xlsx", "reports", "store"]
    assert leftovers(real.parent, "reports") == []


@pytest.mark.parametrize("how", ["to-a-foreign-folder", "dangling", "loop", "to-home"])
def test_a_linked_out_is_judged_by_where_it_points(tmp_path: Path, sample: Path, monkeypatch,
                                                   how: str) -> None:
    link = tmp_path / "reports"
    if how == "to-a-foreign-folder":
        (tmp_path / "thesis").mkdir()
        (tmp_path / "thesis" / "chapter-1.docx").write_bytes(b"years of work")
        link.symlink_to(tmp_path / "thesis")
    elif how == "dangling":
        link.symlink_to(tmp_path / "nowhere")
    elif how == "loop":
        link.symlink_to(tmp_path / "other")
        (tmp_path / "other").symlink_to(link)
    else:
        monkeypatch.setenv("HOME", str(tmp_path / "home"))
        (tmp_path / "home").mkdir()
        link.symlink_to(tmp_path / "home")
    before = snapshot(tmp_path)
    result = run_cli("build", sample, "--out", link)
    assert result.exit_code == 3
    line = one_line(result.stderr)
    assert "reports" in line and "--out" in line
    assert snapshot(tmp_path) == before


def test_links_planted_beside_the_folder_are_not_followed(tmp_path: Path, sample: Path) -> None:
    out = tmp_path / "reports"
    build(sample, out, meetings=["M-SUZHOU"])
    victim = tmp_path / "victim"
    victim.mkdir()
    (victim / "precious.txt").write_text("precious")
    for name in (".reports.building-1-deadbeef", ".reports.old-1-deadbeef", ".reports.old-2"):
        (tmp_path / name).symlink_to(victim)
    (tmp_path / ".reports.old-3").write_text("a file, not a folder")
    for name in (".reports.building-4-cafe", ".reports.old-5-cafe"):  # folders of a person's
        (tmp_path / name).mkdir()
        (tmp_path / name / "mine.txt").write_text("named like reporter's, but not reporter's")
    before = snapshot(victim)
    beside = {n: snapshot(tmp_path / n) for n in (".reports.building-4-cafe", ".reports.old-5-cafe")}
    assert run_cli("build", sample, "--out", out, "--force", "-q").exit_code == 0
    shutil.rmtree(out)  # a missing folder: cleanup must not put a link in its place
    assert run_cli("build", sample, "--out", out, "-q").exit_code == 0
    assert snapshot(victim) == before
    assert out.is_dir() and not out.is_symlink()
    assert sorted(p.name for p in tmp_path.iterdir() if p.name.startswith(".reports.")) == [
        ".reports.building-1-deadbeef", ".reports.building-4-cafe", ".reports.lock",
        ".reports.old-1-deadbeef", ".reports.old-2", ".reports.old-3", ".reports.old-5-cafe"]
    assert {n: snapshot(tmp_path / n) for n in beside} == beside


# --- names ---------------------------------------------------------------------------------

def _rename_meetings(wb, ids: dict[int, str]) -> None:
    """Give the meetings on these Excel rows new IDs, everywhere they are used."""
    ws = wb["Meetings"]
    for row, new in ids.items():
        rename_meeting(wb, cell_at(ws, "Meeting ID", row).value, new)


CLASHING_IDS = {2: "manifest.json", 3: "Portfolio-Summary.XLSX", 4: "etc-7baf5cb6",
                5: "../../etc", 6: "Total", 7: "Focus area", 8: "total (meeting)"}


def test_meeting_ids_never_clash_with_each_other_or_reporters_files(tmp_path: Path,
                                                                    edited) -> None:
    out = tmp_path / "reports"
    path = edited(lambda wb: _rename_meetings(wb, CLASHING_IDS))
    result = build(path, out)
    folders = [m.folder for m in result.meetings]
    assert len({f.casefold() for f in folders}) == len(folders) == 7
    assert not {f.casefold() for f in folders} & {"manifest.json", "portfolio-summary.xlsx"}
    import docx

    for m in result.meetings:  # every meeting has its own briefing: none overwrote another
        d = docx.Document(str(out / m.folder / f"{m.folder}-briefing.docx"))
        assert d.core_properties.keywords == m.meeting_id, (m.folder, m.meeting_id)
    assert json.loads((out / "manifest.json").read_text())["tool"]["name"] == "reporter"
    assert set(tree(out)) == generated(out)


def test_portfolio_tables_survive_any_meeting_id(tmp_path: Path, edited) -> None:
    out = tmp_path / "reports"
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # xlsxwriter warns when it drops a table
        build(edited(lambda wb: _rename_meetings(wb, CLASHING_IDS)), out)
    wb = load_workbook(out / "portfolio-summary.xlsx")
    focus = wb["Focus areas"]
    assert "FocusAreas" in focus.tables
    head = [c.value for c in focus[3]]
    assert head[:2] == ["Focus area", "Total"]  # the total beside the area, never alone
    assert len({str(h).casefold() for h in head}) == len(head)
    assert "Total (meeting)" in head and "Focus area (meeting)" in head
    assert "total (meeting) (meeting)" in head
    rows = {r["Focus area"]: r for r in (dict(zip(head, values, strict=True))
                                         for values in focus.iter_rows(min_row=4, values_only=True))}
    assert all(r["Total"] == sum(v for k, v in r.items() if k not in ("Focus area", "Total"))
               for r in rows.values())
    assert "Meetings" in wb["Overview"].tables
