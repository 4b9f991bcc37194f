"""Output safety: text stays text in every file, and nothing escapes the output folder."""

from __future__ import annotations

import warnings
from pathlib import Path

from openpyxl import load_workbook

from reporter.build import build
from reporter.text import safe_filename
from tests.conftest import cell_at, rename_meeting, run_cli

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
        wb["Agreements"]["L2"] = "=cmd|' /C calc'!A0"
        wb["Agreements"]["L2"].data_type = "s"
        wb["Meetings"]["C3"] = "citty"  # something to annotate

    path = edited(edit)
    out = tmp_path / "annotated.xlsx"
    run_cli("validate", path, "--annotate", out)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        cell = load_workbook(out)["Agreements"]["L2"]
    assert cell.data_type == "s" and cell.value == "=cmd|' /C calc'!A0"


def test_every_xlsx_written_has_no_formula_from_text(tmp_path: Path, edited) -> None:
    payloads = ["=1+1", "+1+1", "-1+1", "@SUM(1)", "\t=1", "\r=1", "=HYPERLINK(\"http://x\")"]

    def edit(wb) -> None:
        for i, text in enumerate(payloads, start=2):
            for ref in (f"C{i}", f"D{i}", f"L{i}"):
                wb["Agreements"][ref] = text
                wb["Agreements"][ref].data_type = "s"

    out = tmp_path / "r"
    build(edited(edit), out)
    import zipfile

    for path in out.rglob("*.xlsx"):
        with zipfile.ZipFile(path) as z:
            for name in z.namelist():
                if name.startswith("xl/worksheets/"):
                    xml = z.read(name)
                    assert b"<f>" not in xml and b"<hyperlink" not in xml, (path.name, name)
