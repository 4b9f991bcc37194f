"""The benchmark harness runs (a tiny size) so it cannot rot. No timing is asserted."""

from __future__ import annotations

import json
from pathlib import Path

from benchmarks import run as bench
from benchmarks.generate import generate
from benchmarks.independent import generate as independent
from reporter.validate import validate_file


def test_generator_is_deterministic_and_valid(tmp_path: Path) -> None:
    a = generate(tmp_path / "a.xlsx", meetings=3, agreements=60, metrics=12, seed=5)
    b = generate(tmp_path / "b.xlsx", meetings=3, agreements=60, metrics=12, seed=5)
    assert a.read_bytes() == b.read_bytes()
    result = validate_file(a)
    assert result.report.ok, result.report.errors
    wb = result.workbook
    assert (len(wb.meetings), len(wb.agreements), len(wb.metrics)) == (3, 60, 12)
    assert any(not p.isascii() for ag in wb.agreements for p in ag.parties)  # Chinese names


def test_independent_workbook_is_deterministic_valid_and_hand_typed(tmp_path: Path) -> None:
    a = independent(tmp_path / "a.xlsx", meetings=4, agreements=500, metrics=30, seed=3)
    b = independent(tmp_path / "b.xlsx", meetings=4, agreements=500, metrics=30, seed=3)
    assert _cells(a) == _cells(b)
    result = validate_file(a)
    assert result.report.ok, result.report.errors[:5]
    assert {p.code for p in result.report.warnings} >= {"extra-column", "lists-missing"}
    wb = result.workbook
    assert (len(wb.meetings), len(wb.agreements), len(wb.metrics)) == (4, 500, 30)
    assert sum(not a.title.isascii() for a in wb.agreements) > 100  # Chinese-heavy


def _cells(path: Path) -> list:
    from openpyxl import load_workbook

    wb = load_workbook(path, read_only=True)
    try:
        return [list(ws.iter_rows(values_only=True)) for ws in wb.worksheets]
    finally:
        wb.close()


def test_tiny_benchmark_runs(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.setattr(bench, "OUT", tmp_path)
    out = tmp_path / "results.json"
    bench.main(["--sizes", "tiny", "--repeat", "1", "--json", str(out)])
    results = json.loads(out.read_text())
    tiny = results["sizes"]["tiny"]
    for step in ("floor_a", "validate", "reconcile", "build", "rebuild"):
        assert tiny[step]["seconds"] > 0 and tiny[step]["rss_mib"] > 0
    assert tiny["floor_b"] > 0
    assert set(tiny["phases"]) >= {"read", "validate", "reconcile", "render"}
    assert results["ratios"]["reporter --help, s"] > 0
    assert "| tiny |" in bench.report(results)


def test_a_workbook_saved_again_by_libreoffice_is_the_same_register(tmp_path: Path,
                                                                     monkeypatch, capsys) -> None:
    """large-libreoffice is the independent workbook as LibreOffice saves it: its own XML
    (shared strings), the same register. Without LibreOffice, the size is skipped, saying
    so."""
    import zipfile

    from tests.test_office import _need_soffice

    source = independent(tmp_path / "independent.xlsx", meetings=3, agreements=60, metrics=8)
    monkeypatch.setattr("reporter.pdf.soffice", lambda: None)
    assert bench._resaved(source, tmp_path / "none.xlsx") is None
    assert "large-libreoffice is skipped" in capsys.readouterr().err
    monkeypatch.undo()
    _need_soffice()
    path = bench._resaved(source, tmp_path / "libreoffice.xlsx")
    assert path is not None and path.is_file()
    with zipfile.ZipFile(source) as a, zipfile.ZipFile(path) as b:
        assert "xl/sharedStrings.xml" in b.namelist()
        assert "xl/sharedStrings.xml" not in a.namelist()  # openpyxl wrote inline strings
    before, after = validate_file(source), validate_file(path)
    assert after.report.ok, after.report.errors[:5]
    assert after.report.stats == before.report.stats
    assert ([a.title for a in after.workbook.agreements]
            == [a.title for a in before.workbook.agreements])
