"""`reporter build`: what a reader finds in the briefings and summaries, and how they are written."""

from __future__ import annotations

import hashlib
import json
import os
import warnings
import zipfile
from pathlib import Path

import docx
import pytest
from openpyxl import load_workbook

from reporter import build as build_module
from reporter.build import build
from reporter.facts import load_facts
from reporter.output import OutputFolder
from reporter.validate import validate_file
from tests.conftest import SAMPLE, cell_at, ref, run_cli, set_cells, tree

FACTS = load_facts()
WB = validate_file(SAMPLE).workbook



def doc_text(path: Path) -> tuple[str, list[list[list[str]]]]:
    d = docx.Document(str(path))
    text = "\n".join(p.text for p in d.paragraphs)
    tables = [[[c.text for c in row.cells] for row in t.rows] for t in d.tables]
    return text, tables


def by_header(table: list[list[str]]) -> list[dict[str, str]]:
    """A briefing table's rows, each as its header row's texts to its own."""
    return [dict(zip(table[0], r, strict=True)) for r in table[1:]]


def load(path: Path):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return load_workbook(path)


@pytest.fixture(scope="module")
def built(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("build") / "reports"
    build(SAMPLE, out)
    return out


def test_every_meeting_gets_a_briefing_and_a_summary(built: Path) -> None:
    for m in WB.meetings:
        folder = built / m.meeting_id
        assert (folder / f"{m.meeting_id}-briefing.docx").is_file()
        assert (folder / f"{m.meeting_id}-summary.xlsx").is_file()
    assert (built / "portfolio-summary.xlsx").is_file()
    assert sorted(p.name for p in built.iterdir() if p.is_dir()) == sorted(
        m.meeting_id for m in WB.meetings)


def test_manifest_lists_every_file_with_its_hash(built: Path) -> None:
    manifest = json.loads((built / "manifest.json").read_text(encoding="utf-8"))
    files = tree(built)
    del files["manifest.json"]
    assert {f["path"]: f["sha256"] for f in manifest["files"]} == files
    for f in manifest["files"]:
        assert (built / f["path"]).stat().st_size == f["size"]
    assert manifest["workbook"]["sha256"] == hashlib.sha256(SAMPLE.read_bytes()).hexdigest()
    assert manifest["facts"] == {"version": FACTS.version, "digest": FACTS.digest}
    assert manifest["tool"]["version"]
    assert set(manifest["meetings"]) == {m.meeting_id for m in WB.meetings}
    hk = manifest["meetings"]["M-HK-FORUM-2024"]
    assert hk["reconciliation"]["match"] > 0 and hk["reconciliation"]["mismatch"] == 0


def test_briefing_formats_figures_for_readers(built: Path) -> None:
    _, tables = doc_text(built / "M-G60-2024" / "M-G60-2024-briefing.docx")
    values = {r["Figure"]: r["Value"] for r in by_header(tables[1])}
    assert values["Credit financing"] == "more than 2.9 trillion yuan"
    assert values["Share of national GDP"] == "1/15"
    assert values["Member cities"] == "9"
    _, tables = doc_text(built / "M-HK-FORUM-2024" / "M-HK-FORUM-2024-briefing.docx")
    values = [(r["Figure"], r["Value"]) for r in by_header(tables[1])]
    assert ("Co-authored papers", "12,280") in values
    assert ("Technology contract value", "32.3 billion yuan") in values
    assert ("Technology contract value", "US$4.6 billion") in values


def test_briefing_uses_the_template(built: Path) -> None:
    d = docx.Document(str(built / "M-SUZHOU" / "M-SUZHOU-briefing.docx"))
    header = "\n".join(p.text for p in d.sections[0].header.paragraphs)
    assert "Science and Technology Commission of Shanghai Municipality" in header
    footer_xml = d.sections[0].footer._element.xml
    assert "PAGE" in footer_xml and "NUMPAGES" in footer_xml
    assert d.paragraphs[0].style.name == "Title"
    assert "This is the template" not in "\n".join(p.text for p in d.paragraphs)
    rfonts = d.styles["Normal"].element.rPr.find(
        "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}rFonts")
    assert rfonts.get(
        "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}eastAsia")
    baoshan = docx.Document(str(built / "M-BAOSHAN-2024" / "M-BAOSHAN-2024-briefing.docx"))
    assert baoshan.inline_shapes, "the focus-area chart is missing"  # its areas' counts differ
    assert not d.inline_shapes  # Suzhou's four areas have one agreement each: no chart


def test_summary_workbook_reads_back(built: Path) -> None:
    path = built / "M-HK-FORUM-2024" / "M-HK-FORUM-2024-summary.xlsx"
    wb = load(path)
    assert wb.sheetnames == ["Summary", "Agreements", "Metrics", "Sources"]
    agreements = wb["Agreements"]
    # the header and the ID column stay in view
    first = cell_at(agreements, "Agreement ID", 2)
    assert first.column == 1 and agreements.freeze_panes == first.offset(column=1).coordinate
    assert "Agreements" in agreements.tables
    ids = {cell_at(agreements, "Agreement ID", r).value for r in range(2, agreements.max_row + 1)}
    assert ids == {a.agreement_id for a in WB.agreements if a.meeting_id == "M-HK-FORUM-2024"}
    metrics = wb["Metrics"]
    header = [c.value for c in metrics[1]]
    by_id = {r["Metric ID"]: r for r in (dict(zip(header, values, strict=True))
                                         for values in metrics.iter_rows(min_row=2, values_only=True))}
    cny = by_id["F-HK-03"]
    assert cny["Value"] == 32_300_000_000 and cny["Unit"] == "CNY"
    assert cny["Reads as"] == "32.3 billion yuan" and cny["Check"] == "match"
    assert cny["Published in"] == "sh-hk" and cny["Source paragraph"] == 12
    assert metrics.conditional_formatting, "statuses are not coloured"
    summary = wb["Summary"]
    values = [c.value for row in summary.iter_rows() for c in row if c.value is not None]
    assert "M-HK-FORUM-2024" in values and "Reconciliation" in values
    with zipfile.ZipFile(path) as z:
        assert any(n.startswith("xl/charts/chart") for n in z.namelist())
    sources = wb["Sources"]
    assert [cell_at(sources, "Source id", r).value for r in range(2, sources.max_row + 1)] == [
        "sh-hk"]


def test_portfolio_summary(built: Path) -> None:
    wb = load(built / "portfolio-summary.xlsx")
    assert wb.sheetnames == ["Overview", "Reconciliation chart", "Focus areas", "Figures",
                             "Reconciliation"]
    # The chart has a sheet of its own: under the Overview's table it printed beneath the
    # table's repeated header row.
    assert [c.title for c in wb.chartsheets] == ["Reconciliation chart"]
    chart = wb["Reconciliation chart"]
    assert chart.pageSetup.orientation == "landscape" and len(chart._charts) == 1
    assert not wb["Overview"]._charts
    overview = wb["Overview"]
    header = [c.value for c in overview[4]]
    rows = [dict(zip(header, r, strict=True)) for r in overview.iter_rows(min_row=5,
                                                                          values_only=True)]
    assert [r["Meeting ID"] for r in rows] == [m.meeting_id for m in WB.meetings]
    hk = next(r for r in rows if r["Meeting ID"] == "M-HK-FORUM-2024")
    assert hk["Agreements"] == 3 and hk["Figures"] == 5 and hk["mismatch"] == 0
    focus = wb["Focus areas"]
    head = [c.value for c in focus[3]]
    matrix = {r["Focus area"]: r for r in (dict(zip(head, values, strict=True))
                                           for values in focus.iter_rows(min_row=4, values_only=True))}
    expected = sum("biomedicine" in a.focus_areas for a in WB.agreements)
    assert matrix["biomedicine"]["Total"] == expected
    figures = list(wb["Figures"].iter_rows(min_row=2, values_only=True))
    assert len(figures) == len(WB.metrics)
    with zipfile.ZipFile(built / "portfolio-summary.xlsx") as z:
        assert any(n.startswith("xl/charts/chart") for n in z.namelist())


def test_differences_are_reported_where_a_reader_looks(tmp_path: Path, edited) -> None:
    row = next(f.row for f in WB.metrics if f.metric_id == "F-HK-03")
    path = edited(lambda wb: setattr(cell_at(wb["Metrics"], "Value", row), "value",
                                     31_300_000_000))
    value_cell = f"{WB.columns['Metrics']['value']}{row}"
    out = tmp_path / "reports"
    result = run_cli("build", path, "--out", out, "-q")
    assert result.exit_code == 0
    text, tables = doc_text(out / "M-HK-FORUM-2024" / "M-HK-FORUM-2024-briefing.docx")
    # the reader sees the figure marked, and what the source says; no cell reference
    values = [r["Value"] for r in by_header(tables[1]) if r["Figure"] == "Technology contract value"]
    assert "31.3 billion yuan (a)" in values
    assert "(a) Technology contract value: the published source gives 32.3 billion yuan" in text
    assert "Metrics!" not in text
    # staff find the cell to check in the summary workbook
    checks = load(out / "M-HK-FORUM-2024" / "M-HK-FORUM-2024-summary.xlsx")["Checks"]
    rows = list(checks.iter_rows(values_only=True))
    found = [dict(zip(rows[0], r, strict=True)) for r in rows[1:]]
    assert any(r["Status"] == "mismatch" and r["Workbook cell"] == f"Metrics!{value_cell}"
               for r in found)
    strict = run_cli("build", path, "--out", tmp_path / "strict", "--strict")
    assert strict.exit_code == 1 and "mismatch" in strict.stdout
    assert not (tmp_path / "strict").exists()


def test_table_rows_keep_markup_characters_as_text(tmp_path: Path, edited) -> None:
    """Table rows go into the briefing as XML text: what looks like markup stays text."""
    title = 'R&D <centre> "A" & </w:t></w:p> <!--reporter-rows-1-->\nsecond line'

    def edit(wb) -> None:
        cell_at(wb["Agreements"], "Title", 2).value = title

    out = tmp_path / "reports"
    build(edited(edit), out)
    path = out / "M-SUZHOU" / "M-SUZHOU-briefing.docx"
    _, tables = doc_text(path)
    cells = [c for t in tables for r in t for c in r]
    assert any(c.startswith(title) for c in cells), cells
    with zipfile.ZipFile(path) as z:
        assert b"reporter-rows-" not in z.read("word/document.xml").replace(
            b"&lt;!--reporter-rows-1--&gt;", b"")


def test_hostile_cell_text_stays_plain_text(tmp_path: Path, edited) -> None:
    evil = {  # Excel row: the Title and the Notes typed there
        2: ('=HYPERLINK("http://example.com","click")', "+cmd|' /C calc'!A0"),
        3: ("-1+2", "@SUM(1,2)"), 4: ("\tTabbed", "line one\rtwo"),
        5: ("上海交通大学 与 香港城市大学 🤝", "x" * 5000),
    }

    def edit(wb) -> None:
        for row, (title, notes) in evil.items():
            set_cells(wb["Agreements"], row, {"Title": title, "Notes": notes}, data_type="s")

    out = tmp_path / "reports"
    assert run_cli("build", edited(edit), "--out", out, "-q").exit_code == 0
    for path in out.rglob("*.xlsx"):
        wb = load(path)
        for ws in wb.worksheets:
            assert not ws._hyperlinks, f"{path.name}:{ws.title} has a link"
            for row in ws.iter_rows():
                for c in row:
                    assert c.data_type != "f", f"{path.name}:{ws.title}!{c.coordinate}"
        with zipfile.ZipFile(path) as z:
            for name in z.namelist():
                if name.startswith("xl/worksheets/sheet"):
                    assert b"<f>" not in z.read(name), f"{path.name}:{name} has a formula"
    summary = load(out / "M-SUZHOU" / "M-SUZHOU-summary.xlsx")["Agreements"]
    titles = [cell_at(summary, "Title", r).value for r in range(2, summary.max_row + 1)]
    assert titles == [evil[2][0]]
    _, tables = doc_text(out / "M-SUZHOU" / "M-SUZHOU-briefing.docx")
    assert evil[2][0] in "\n".join(c for t in tables for r in t for c in r)


def test_same_inputs_give_the_same_bytes(tmp_path: Path, monkeypatch) -> None:
    a, b = tmp_path / "a", tmp_path / "b"
    build(SAMPLE, a)
    monkeypatch.setattr(build_module, "PARALLEL_THRESHOLD", 0)
    build(SAMPLE, b, jobs=2)  # rendered in two processes this time
    assert tree(a) == tree(b)


def test_source_date_epoch_sets_the_document_dates(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1717200000")  # 2024-06-01
    build(SAMPLE, tmp_path / "r", meetings=["M-SUZHOU"])
    d = docx.Document(str(tmp_path / "r" / "M-SUZHOU" / "M-SUZHOU-briefing.docx"))
    assert d.core_properties.created.date().isoformat() == "2024-06-01"
    assert load(tmp_path / "r" / "M-SUZHOU" / "M-SUZHOU-summary.xlsx").properties.created.date(
    ).isoformat() == "2024-06-01"


def test_unchanged_meetings_are_reused_and_changes_rebuilt(tmp_path: Path, edited) -> None:
    out = tmp_path / "r"
    first = build(SAMPLE, out)
    (tmp_path / "v2").mkdir()
    before = tree(out)
    assert not any(m.reused for m in first.meetings)
    second = build(SAMPLE, out)
    assert all(m.reused for m in second.meetings) and tree(out) == before
    row = next(f.row for f in WB.metrics if f.metric_id == "F-HK-02")
    changed = edited(lambda wb: setattr(cell_at(wb["Metrics"], "Notes", row), "value",
                                        "a new note"),
                     name="v2/cooperation.xlsx")  # same file name: briefings print it
    third = build(changed, out)
    rebuilt = {m.meeting_id for m in third.meetings if not m.reused}
    assert rebuilt == {"M-HK-FORUM-2024"}
    forced = build(SAMPLE, out, force=True)
    assert not any(m.reused for m in forced.meetings) and tree(out) == before


def test_meeting_selection(tmp_path: Path) -> None:
    out = tmp_path / "r"
    assert run_cli("build", SAMPLE, "--out", out, "-m", "M-SUZHOU", "-m", "m-tsinghua",
                   "-q").exit_code == 0
    assert sorted(p.name for p in out.iterdir() if p.is_dir()) == ["M-SUZHOU", "M-TSINGHUA"]
    bad = run_cli("build", SAMPLE, "--out", tmp_path / "x", "-m", "M-SUZOU")
    assert bad.exit_code == 2 and "did you mean 'M-SUZHOU'" in bad.stderr
    assert not (tmp_path / "x").exists()


def test_validation_errors_write_nothing(tmp_path: Path, edited) -> None:
    path = edited(lambda wb: setattr(cell_at(wb["Meetings"], "Kind", 2), "value", "citty"))
    out = tmp_path / "r"
    result = run_cli("build", path, "--out", out)
    assert result.exit_code == 1 and f"Meetings!{ref('Meetings', 'Kind', 2)}" in result.stdout
    assert not out.exists()


def test_previous_reports_survive_a_failed_build(tmp_path: Path, monkeypatch) -> None:
    out = tmp_path / "r"
    build(SAMPLE, out)
    before = tree(out)

    def broken(*args, **kwargs):
        raise RuntimeError("disk trouble halfway")

    monkeypatch.setattr("reporter.render.portfolio.write_portfolio", broken)
    with pytest.raises(RuntimeError):
        build(SAMPLE, out, force=True)
    assert tree(out) == before
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".r.")] == [".r.lock"]


@pytest.mark.parametrize("how", ["file", "inside-file", "contains-input"])
def test_unusable_output_paths(tmp_path: Path, sample: Path, how: str) -> None:
    blocker = tmp_path / "blocker"
    blocker.write_text("not a folder")
    out = {"file": blocker, "inside-file": blocker / "reports", "contains-input": tmp_path}[how]
    result = run_cli("build", sample, "--out", out)
    assert result.exit_code == 3, result.output
    assert str(out.name) in result.stderr and "--out" in result.stderr
    assert blocker.read_text() == "not a folder"


def test_a_second_build_at_once_is_refused(tmp_path: Path) -> None:
    out = tmp_path / "r"
    build(SAMPLE, out)
    before = tree(out)
    holder = OutputFolder(out)
    holder.lock.acquire()  # what a running build holds
    try:
        result = run_cli("build", SAMPLE, "--out", out)
    finally:
        holder.lock.release()
    assert result.exit_code == 3 and "another reporter build" in result.stderr
    assert tree(out) == before


def test_pdf_without_libreoffice_says_so(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.setattr("reporter.pdf.soffice", lambda: None)
    result = run_cli("build", SAMPLE, "--out", tmp_path / "r", "--pdf", "-m", "M-SUZHOU")
    assert result.exit_code == 0
    assert "LibreOffice (soffice) is not on PATH" in result.stderr


def test_default_paths_are_input_and_reports(tmp_path: Path) -> None:
    (tmp_path / "input").mkdir()
    (tmp_path / "input" / "cooperation.xlsx").write_bytes(SAMPLE.read_bytes())
    cwd = os.getcwd()
    os.chdir(tmp_path)
    try:
        result = run_cli("build")
    finally:
        os.chdir(cwd)
    assert result.exit_code == 0, result.output
    assert (tmp_path / "reports" / "portfolio-summary.xlsx").is_file()
    assert "Written to" in result.stdout
    assert sorted(p.name for p in (tmp_path / "input").iterdir()) == ["cooperation.xlsx"]


def test_packaged_template_is_the_committed_one() -> None:
    from tests.conftest import ROOT

    assert (ROOT / "reporter/render/data/briefing.docx").read_bytes() == (
        ROOT / "templates/briefing.docx").read_bytes()


def test_reuse_works_across_processes(tmp_path: Path) -> None:
    """Input hashes must not depend on the process (hash seed, object identity)."""
    import subprocess
    import sys

    out = tmp_path / "r"
    for seed in ("1", "2"):
        result = subprocess.run(
            [sys.executable, "-m", "reporter", "build", str(SAMPLE), "--out", str(out)],
            capture_output=True, text=True, env={**os.environ, "PYTHONHASHSEED": seed,
                                                 "COLUMNS": "200"}, check=True)
    rows = [ln for ln in result.stdout.splitlines() if "M-" in ln]
    assert rows and all("reused" in ln for ln in rows), result.stdout


def test_headings_title_and_captions_take_the_template_styles(built: Path) -> None:
    """Word names built-in styles in lower case ("heading 1"): they must still be found."""
    styles = {p.text: p.style.name for meeting in ("M-BAOSHAN-2024", "M-HK-FORUM-2024")
              for p in docx.Document(str(built / meeting / f"{meeting}-briefing.docx")).paragraphs
              if p.text}
    assert styles["At a glance"] == "Heading 1"
    assert styles["Key figures"] == "Heading 1"
    assert next(v for k, v in styles.items() if k.startswith("Briefing:")) == "Title"
    assert next(v for k, v in styles.items() if k.startswith("Agreements by focus area")) == (
        "Caption")


#: Long agreements: as many as a briefing lists in full (more are summarised).
LONG_ROWS = 12


def _long_cells(wb, n: int = 30_000, rows: int = LONG_ROWS) -> None:
    """Every text cell of a meeting at its longest: 30,000 characters a cell."""
    import random

    rng = random.Random(5)

    def text() -> str:  # varied, so the file is not refused as a zip bomb
        body = "".join(rng.choice("上海苏州科技创新合作平台项目 research joint lab ")
                       for _ in range(n - 2))
        return f"上{body}海"  # no space at either end, which validation would trim

    ws = wb["Agreements"]
    for i in range(rows):
        r = ws.max_row + 1
        for header, v in (("Agreement ID", f"A-LONG-{i:02d}"), ("Meeting ID", "M-SUZHOU"),
                          ("Title", text()), ("Party A", text()), ("Party B", text()),
                          ("Kind", "project"), ("Focus areas", "biomedicine"),
                          ("Notes", text())):
            cell_at(ws, header, r).value = v
    for header in ("Title", "Location", "Notes"):  # the meeting's
        cell_at(wb["Meetings"], header, 2).value = text()


def test_long_cells_are_shortened_and_the_page_says_so(tmp_path: Path, edited) -> None:
    from reporter.render.briefing import CELL_LIMIT, SHORTENED, TITLE_LIMIT

    out = tmp_path / "reports"
    path = edited(_long_cells)
    build(path, out, meetings=["M-SUZHOU"])
    text, tables = doc_text(out / "M-SUZHOU" / "M-SUZHOU-briefing.docx")
    cells = [c for t in tables for row in t for c in row]
    assert max(len(c) for c in cells) <= CELL_LIMIT + len(SHORTENED)
    # each agreement's title and parties; the meeting's place and notes
    assert sum(c.endswith(SHORTENED) for c in cells) >= LONG_ROWS * 2 + 2
    title = text.split("\n")[0]
    assert title.endswith(SHORTENED) and len(title) <= TITLE_LIMIT + len(SHORTENED)
    assert f"Text longer than {CELL_LIMIT:,} characters" in text
    assert "the full text is in M-SUZHOU-summary.xlsx" in text
    # ... and the summary workbook keeps every character.
    summary = load(out / "M-SUZHOU" / "M-SUZHOU-summary.xlsx")["Agreements"]
    header = [c.value for c in summary[1]]
    rows = [dict(zip(header, r, strict=True)) for r in summary.iter_rows(min_row=2,
                                                                         values_only=True)]
    long_titles = [r["Title"] for r in rows if r["Agreement ID"].startswith("A-LONG-")]
    assert len(long_titles) == LONG_ROWS and all(len(t) == 30_000 for t in long_titles)


def test_short_cells_are_not_marked(built: Path) -> None:
    from reporter.render.briefing import SHORTENED

    text, tables = doc_text(built / "M-G60-2024" / "M-G60-2024-briefing.docx")
    assert SHORTENED.strip() not in text and "Text longer than" not in text
    assert not any(SHORTENED.strip() in c for t in tables for row in t for c in row)
