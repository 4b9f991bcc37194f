"""The sample workbook: in step with its generator, and honest about what sources leave out."""

from __future__ import annotations

import re
import runpy
import shutil
from pathlib import Path

from reporter.facts import load_facts
from reporter.validate import validate_file
from tests.conftest import ROOT, SAMPLE, needs_seeds
from tests.test_facts import paragraphs


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


def _source_text(meeting_id: str) -> str:
    wb = validate_file(SAMPLE).workbook
    cited = {a.source for a in wb.agreements if a.meeting_id == meeting_id}
    cited |= {m.source for m in wb.metrics if m.meeting_id == meeting_id}
    return "\n".join(p for source in cited for p in paragraphs(source))


@needs_seeds
def test_people_and_follow_ups_come_from_the_sources() -> None:
    """Nothing invented: every participant is named, and every follow-up's subject is
    stated, in a source the meeting's rows cite."""
    wb = validate_file(SAMPLE).workbook
    assert wb.participants and wb.actions
    for p in wb.participants:
        text = _source_text(p.meeting_id)
        assert p.name in text, p
        assert p.position and p.position.casefold() in text.casefold(), p
    for a in wb.actions:
        words = set(re.findall(r"[a-z]{5,}", a.action.casefold()))
        text = _source_text(a.meeting_id).casefold()
        assert sum(w in text for w in words) >= 0.6 * len(words), a
        assert a.due is None  # no source sets a date


@needs_seeds
def test_the_samples_words_are_our_own() -> None:
    """No run of 12 words from a source in any cell of the sample."""
    facts = load_facts()
    grams = set()
    for source in facts.sources:
        for para in paragraphs(source):
            w = re.findall(r"\w+", para.casefold())
            grams |= {" ".join(w[i:i + 12]) for i in range(len(w) - 11)}
    wb = validate_file(SAMPLE).workbook
    records = [*wb.meetings, *wb.agreements, *wb.metrics, *wb.participants, *wb.actions]
    texts = [v for r in records for v in r if isinstance(v, str)]
    texts += [t for r in records for v in r if isinstance(v, tuple) for t in v]
    for text in texts:
        w = re.findall(r"\w+", text.casefold())
        assert not [" ".join(w[i:i + 12]) for i in range(len(w) - 11)
                    if " ".join(w[i:i + 12]) in grams], text
