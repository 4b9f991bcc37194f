"""Real-client check: every file reporter writes opens in LibreOffice and converts to PDF.

CI installs LibreOffice (see .ci/run) and sets REPORTER_REQUIRE_SOFFICE=1, so there this
test can never be skipped; on a machine without LibreOffice it is skipped with a reason.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import warnings
from dataclasses import dataclass
from pathlib import Path

import pytest

from reporter.build import build, soffice, to_pdf
from tests.conftest import SAMPLE, TEMPLATE, add_row, cell_at, run_cli, set_cells


def load_workbook(path: Path):
    from openpyxl import load_workbook as load

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return load(path)

REQUIRED = os.environ.get("REPORTER_REQUIRE_SOFFICE") == "1"
pytestmark = pytest.mark.office


def _need_soffice() -> None:
    if soffice() is None:
        if REQUIRED:
            pytest.fail("REPORTER_REQUIRE_SOFFICE=1 but LibreOffice (soffice) is not on PATH")
        pytest.skip("LibreOffice (soffice) is not installed; CI installs it")


def _pdf_text(pdf: Path) -> str:
    if shutil.which("pdftotext") is None:
        return ""
    return subprocess.run(["pdftotext", "-layout", str(pdf), "-"], capture_output=True,
                          text=True, check=True).stdout


def test_every_generated_file_converts(tmp_path: Path, edited) -> None:
    _need_soffice()
    out = tmp_path / "reports"
    build(SAMPLE, out)

    def hostile(wb) -> None:
        ws = wb["Agreements"]
        set_cells(ws, 2, {"Title": '=HYPERLINK("http://example.com","x")'}, data_type="s")
        cell_at(ws, "Notes", 2).value = "上海交通大学 🤝 " + "long text " * 2000
        for i in range(40):  # a long list: the briefing gets an appendix
            add_row(ws, {"Agreement ID": f"A-X-{i}", "Meeting ID": "M-SUZHOU",
                         "Title": f"Project {i}", "Party A": "苏州大学", "Kind": "project",
                         "Focus areas": "biomedicine"})

    odd = tmp_path / "odd"
    build(edited(hostile), odd, meetings=["M-SUZHOU"])
    files = sorted([*out.rglob("*.docx"), *out.rglob("*.xlsx"), *odd.rglob("*.docx"),
                    *odd.rglob("*.xlsx"), TEMPLATE])
    pdfs = tmp_path / "pdf"
    pdfs.mkdir()
    # Same-named files from the two builds go to separate folders.
    errors = to_pdf([f for f in files if odd not in f.parents], pdfs)
    odd_pdfs = tmp_path / "pdf-odd"
    odd_pdfs.mkdir()
    errors += to_pdf([f for f in files if odd in f.parents], odd_pdfs)
    assert not errors, errors
    for f in files:
        folder = odd_pdfs if odd in f.parents else pdfs
        pdf = folder / f"{f.stem}.pdf"
        assert pdf.read_bytes()[:5] == b"%PDF-" and pdf.stat().st_size > 1000, f.name
    text = _pdf_text(pdfs / "M-HK-FORUM-2024-briefing.pdf")
    if text:
        assert "Pujiang Innovation Forum" in text and "12,280" in text
        assert "Page 1 of" in text


def test_build_pdf_option_makes_pdfs(tmp_path: Path) -> None:
    _need_soffice()
    result = build(SAMPLE, tmp_path / "r", meetings=["M-TSINGHUA"], pdf=True)
    assert not result.notes, result.notes
    pdf = tmp_path / "r" / "M-TSINGHUA" / "M-TSINGHUA-briefing.pdf"
    assert pdf.read_bytes()[:5] == b"%PDF-"
    assert "M-TSINGHUA/M-TSINGHUA-briefing.pdf" in {f["path"] for f in result.manifest["files"]}


@pytest.mark.slow
def test_a_briefing_of_very_long_cells_converts(tmp_path: Path, edited) -> None:
    """30,000-character cells: uncapped, LibreOffice took over seven minutes on this briefing;
    capped, seconds. No time is asserted (the timeout is generous): the cap and the note are."""
    from tests.test_build import _long_cells

    _need_soffice()
    out = tmp_path / "reports"
    build(edited(_long_cells), out, meetings=["M-SUZHOU"])
    docx = out / "M-SUZHOU" / "M-SUZHOU-briefing.docx"
    assert not to_pdf([docx], tmp_path, timeout=600)
    text = _pdf_text(tmp_path / "M-SUZHOU-briefing.pdf")
    if text:
        flat = " ".join(text.split())
        assert "[shortened]" in flat and "the full text is in M-SUZHOU-summary.xlsx" in flat


# --- printed pages ------------------------------------------------------------------------------

@dataclass
class Page:
    words: list[tuple[str, float]]  # (word, height in points)
    footer: list[str]  # the words at the bottom: the sheet's name, then "Page n of m"

    @property
    def sheet(self) -> str:
        return " ".join(self.footer[: self.footer.index("Page")]) if "Page" in self.footer \
            else " ".join(self.footer)

    @property
    def text(self) -> list[str]:
        return [w for w, _ in self.words]


def _pages(pdf: Path) -> list[Page]:
    """Every page's words, their heights, and its footer, from pdftotext's word boxes."""
    from lxml import etree

    out = subprocess.run(["pdftotext", "-bbox", str(pdf), "-"], capture_output=True,
                         check=True).stdout
    pages = []
    for page in etree.fromstring(out, etree.HTMLParser()).iter("page"):
        bottom = float(page.get("height")) - 45
        words, footer = [], []
        for w in page.iter("word"):
            y0, y1 = float(w.get("ymin")), float(w.get("ymax"))
            (footer if y0 > bottom else words).append((w.text or "", y1 - y0))
        pages.append(Page(words, [t for t, _ in footer]))
    return pages


def _smallest(pages: list[Page], per_point: float) -> float:
    """The smallest text on the pages, in points (word box height over its height per point)."""
    return min(h for p in pages for _, h in p.words) / per_point


def test_printed_pages_are_readable(tmp_path: Path) -> None:
    """The summary, a large portfolio, the annotated copy and the template, as LibreOffice
    prints them: text 8 pt or larger, every sheet with something to show on its own pages and
    none without, wide tables across pages with their first column."""
    _need_soffice()
    if shutil.which("pdftotext") is None:
        pytest.skip("pdftotext (poppler-utils) is not installed")
    import xlsxwriter

    from benchmarks.generate import generate

    reports = tmp_path / "reports"
    build(SAMPLE, reports, jobs=1)
    many = generate(tmp_path / "many.xlsx", meetings=45, agreements=400, metrics=45, seed=5)
    build(many, tmp_path / "many", jobs=1)
    annotated = tmp_path / "annotated.xlsx"
    assert run_cli("validate", SAMPLE, "--annotate", annotated).exit_code == 0
    # How tall a word box of 11 pt text is in these PDFs: one line at full size.
    ruler = tmp_path / "ruler.xlsx"
    wb = xlsxwriter.Workbook(str(ruler))
    wb.add_worksheet().write_string(0, 0, "Eleven point text")
    wb.close()
    files = [reports / "M-SUZHOU" / "M-SUZHOU-summary.xlsx",
             reports / "M-G60-2024" / "M-G60-2024-summary.xlsx",
             tmp_path / "many" / "portfolio-summary.xlsx", annotated, TEMPLATE, ruler]
    pdfs = tmp_path / "pdf"
    pdfs.mkdir()
    assert not to_pdf(files, pdfs)
    per_point = max(h for _, h in _pages(pdfs / "ruler.pdf")[0].words) / 11
    printed = {f.name: _pages(pdfs / f"{f.stem}.pdf") for f in files[:-1]}
    for name, pages in printed.items():
        assert _smallest(pages, per_point) >= 7.8, f"{name}: text below 8 pt"
        assert all(p.words for p in pages), f"{name}: a page with nothing on it"
        assert all("Page" in p.footer for p in pages), name

    for name in ("M-SUZHOU-summary.xlsx", "M-G60-2024-summary.xlsx"):
        sheets = load_workbook(files[0] if "SUZHOU" in name else files[1]).sheetnames
        pages = printed[name]
        assert {p.sheet for p in pages} == set(sheets), name  # no page for a sheet not there
        assert len(pages) <= 2 * len(sheets), f"{name}: {len(pages)} pages"
    suzhou = printed["M-SUZHOU-summary.xlsx"]
    assert "Participants" in {p.sheet for p in suzhou}
    assert "Participants" not in {p.sheet for p in printed["M-G60-2024-summary.xlsx"]}

    portfolio = printed["portfolio-summary.xlsx"]
    matrix = [p for p in portfolio if p.sheet == "Focus areas"]
    assert len(matrix) >= 2, "forty-five meetings do not fit one page wide"
    first_area = cell_at(load_workbook(files[2])["Focus areas"], "Focus area", 4,
                         header_row=3).value
    assert all(first_area.split()[0] in p.text for p in matrix), "the focus area repeats"
    assert "Total" in matrix[0].text and not any("Total" in p.text for p in matrix[1:])

    checked = printed["annotated.xlsx"]
    assert checked[0].sheet == "Issues" and "problems" in checked[0].text
    assert len(checked) <= 20, f"the annotated copy of the sample prints {len(checked)} pages"

    template = printed[TEMPLATE.name]
    # The blank data sheets print no page: only the README and the Lists.
    assert {p.sheet for p in template} == {"README", "Lists"}
    assert len(template) <= 6
