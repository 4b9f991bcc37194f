"""The sample workbook: in step with its generator, and honest about what sources leave out."""

from __future__ import annotations

import runpy
import shutil
from pathlib import Path

from reporter.facts import load_facts
from reporter.validate import validate_file
from tests.conftest import ROOT, SAMPLE


def test_sample_matches_its_generator(tmp_path: Path, monkeypatch) -> None:
    """tools/make_sample.py writes exactly the committed input/cooperation.xlsx."""
    fake_root = tmp_path / "root"
    (fake_root / "input").mkdir(parents=True)
    (fake_root / "tools").mkdir()
    shutil.copy(ROOT / "tools" / "make_sample.py", fake_root / "tools" / "make_sample.py")
    module = runpy.run_path(str(fake_root / "tools" / "make_sample.py"))
    monkeypatch.setitem(module["main"].__globals__, "ROOT", fake_root)
    module["main"]()
    assert (fake_root / "input" / "cooperation.xlsx").read_bytes() == SAMPLE.read_bytes(), (
        "input/cooperation.xlsx is out of step with tools/make_sample.py; run `make sample`")


def test_every_row_cites_a_registered_source() -> None:
    wb = validate_file(SAMPLE).workbook
    ids = set(load_facts().sources)
    assert all(a.source in ids for a in wb.agreements)
    assert all(m.source in ids for m in wb.metrics)


def test_blank_dates_are_explained_in_notes() -> None:
    wb = validate_file(SAMPLE).workbook
    for m in wb.meetings:
        if m.date is None:
            assert m.notes and ("no year" in m.notes or "not give" in m.notes
                                or "no date" in m.notes or "without a year" in m.notes
                                or "Sunday" in m.notes), m
    for a in wb.agreements:
        if a.signed_on is None:
            assert a.notes or a.kind == "platform", a


def test_sample_has_every_fact_base_figure_and_agreement() -> None:
    facts = load_facts()
    wb = validate_file(SAMPLE).workbook
    metrics = {m.metric for m in wb.metrics}
    assert {f.metric for f in facts.figures} <= metrics
    assert len(wb.agreements) >= len(facts.agreements)
