"""The benchmark harness runs (a tiny size) so it cannot rot. No timing is asserted."""

from __future__ import annotations

import json
from pathlib import Path

from benchmarks import run as bench
from benchmarks.generate import generate
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


def test_tiny_benchmark_runs(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.setattr(bench, "OUT", tmp_path)
    out = tmp_path / "results.json"
    bench.main(["--sizes", "tiny", "--repeat", "1", "--json", str(out)])
    results = json.loads(out.read_text())
    tiny = results["sizes"]["tiny"]
    for step in ("floor_a", "floor_b", "validate", "reconcile", "build", "rebuild"):
        assert tiny[step]["seconds"] > 0
    assert tiny["build"]["meetings"] == 5 and tiny["rebuild"]["up_to_date"] is True
    assert set(tiny["build"]["phases"]) >= {"read", "validate", "reconcile", "render"}
    assert results["ratios"]["reporter --help, s"] > 0
    assert "| tiny |" in bench.report(results)
