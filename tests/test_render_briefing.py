"""The Word briefing, read as the official who is handed it: what it says, in what order,
what it leaves out, and (through LibreOffice) how its pages read."""

from __future__ import annotations

import datetime as dt
import os
import re
import shutil
import subprocess
from pathlib import Path

import docx
import pytest

from reporter.build import build, soffice, to_pdf
from reporter.facts import load_facts
from reporter.quantities import format_quantity
from reporter.validate import validate_file
from tests import registers as R
from tests.conftest import SAMPLE

FACTS = load_facts()
WB = validate_file(SAMPLE).workbook
W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"

#: What staff write to staff, never to the official: cell references, the tool and its
#: versions, "(s)" plurals, notes about the workbook.
STAFF_WORDING = [
    (r"\b(?:Meetings|Agreements|Metrics|Participants|Actions)![A-Z]{1,3}\d+", "a cell reference"),
    (r"\breporter\b", "the tool's name"),
    (r"\b\d+\.\d+\.\d+\b", "a version string"),
    (r"\w\(s\)", "an (s) plural"),
    (r"\b(?:the )?workbook (?:leaves|has no|lacks)|check where|fact base|Fact ID|source id",
     "a note to staff"),
    (r"\b1 (?:agreements|figures|meetings|follow-ups)\b|\b(?:[02-9]|\d\d+) (?:agreement|figure|"
     r"meeting)\b(?!s)", "a count that does not agree with its noun"),
]


def read(path: Path) -> tuple[list[str], list[list[list[str]]], docx.document.Document]:
    d = docx.Document(str(path))
    paragraphs = [p.text for p in d.paragraphs]
    tables = [[[c.text for c in row.cells] for row in t.rows] for t in d.tables]
    return paragraphs, tables, d


def table(tables: list[list[list[str]]], first: str) -> list[dict[str, str]] | None:
    found = next((t for t in tables if t[0][0] == first), None)
    return None if found is None else [dict(zip(found[0], r, strict=True)) for r in found[1:]]


def headings(d: docx.document.Document) -> list[str]:
    return [p.text for p in d.paragraphs if p.style.name.startswith("Heading")]


@pytest.fixture(scope="module")
def sample_reports(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("sample") / "reports"
    build(SAMPLE, out, jobs=1)
    return out


def briefing_of(reports: Path, meeting: str) -> Path:
    return reports / meeting / f"{meeting}-briefing.docx"


@pytest.mark.parametrize("meeting", [m.meeting_id for m in WB.meetings])
def test_the_first_lines_say_why_we_are_meeting(sample_reports: Path, meeting: str) -> None:
    m = WB.meeting(meeting)
    paragraphs, tables, d = read(briefing_of(sample_reports, meeting))
    assert d.paragraphs[0].style.name == "Title" and m.title in paragraphs[0]
    if m.purpose:
        assert paragraphs[2].startswith("Purpose: ") and m.purpose[:40] in paragraphs[2]
        assert d.paragraphs[2].runs[0].bold  # the label stands out
    details = {row[0]: row[1] for row in tables[0]}
    assert details["Counterpart"] == m.counterpart
    assert details["Date"] and "workbook" not in details["Date"]


def test_headline_figures_read_as_a_sentence(sample_reports: Path) -> None:
    """The period of a figure stands in one pair of brackets, never brackets in brackets."""
    paragraphs, _, _ = read(briefing_of(sample_reports, "M-SUZHOU"))
    line = next(p for p in paragraphs if p.startswith("Headline figures: "))
    figure = next(f for f in WB.metrics if f.meeting_id == "M-SUZHOU")
    assert figure.period == "26 October (year not stated)"
    assert f"{format_quantity(figure.value)} (26 October, year not stated)" in line
    assert not re.search(r"\([^()]*\(", line)


@pytest.mark.parametrize("meeting", [m.meeting_id for m in WB.meetings])
def test_key_figures_carry_period_notes_and_their_source(sample_reports: Path,
                                                         meeting: str) -> None:
    paragraphs, tables, _ = read(briefing_of(sample_reports, meeting))
    metrics = [f for f in WB.metrics if f.meeting_id == meeting]
    figures = table(tables, "Figure")
    assert (figures is None) == (not metrics)
    if not metrics:
        return
    assert [r["Figure"] for r in figures] == [f.metric for f in metrics]
    sources = {p.split(" ", 1)[0]: p for p in paragraphs if re.match(r"\[\d+\] ", p)}
    for f, row in zip(metrics, figures, strict=True):
        assert row["Value"] == format_quantity(f.value)  # every sample figure agrees
        assert row["Period"] == (f.period or "")
        assert row.get("Notes", "") == (f.notes or "")
        fact = next(x for x in FACTS.figures if x.metric == f.metric and x.unit == f.value.unit)
        line = sources[row["Source"]]
        assert FACTS.sources[fact.source].title in line
        assert re.search(rf"Paragraphs? [\d, and]*\b{fact.paragraph}\b", line), line
    # one line says how the figures compare with their sources
    assert any(p.startswith(("All ", "The figure agrees")) and "published source" in p
               for p in paragraphs)


def test_each_article_is_listed_once_with_its_paragraphs(sample_reports: Path) -> None:
    paragraphs, _, _ = read(briefing_of(sample_reports, "M-G60-2024"))
    notes = [p for p in paragraphs if re.match(r"\[\d+\] ", p)]
    assert len(notes) == 1 and FACTS.sources["g60"].title in notes[0]
    assert re.search(r"Paragraphs (\d+, )+\d+ and \d+\.$", notes[0])


@pytest.mark.parametrize("meeting", [m.meeting_id for m in WB.meetings])
def test_no_staff_wording_reaches_the_page(sample_reports: Path, meeting: str) -> None:
    paragraphs, tables, _ = read(briefing_of(sample_reports, meeting))
    text = "\n".join([*paragraphs, *(c for t in tables for r in t for c in r)])
    for pattern, what in STAFF_WORDING:
        found = re.search(pattern, text)
        assert found is None, f"{what}: {found.group(0)!r}"


def test_sections_appear_when_their_data_does(sample_reports: Path, tmp_path: Path) -> None:
    _, _, suzhou = read(briefing_of(sample_reports, "M-SUZHOU"))
    assert {"Background", "Open follow-ups", "Participants", "Sources"} <= set(
        headings(suzhou))
    _, _, hk = read(briefing_of(sample_reports, "M-HK-FORUM-2024"))
    assert not {"Participants", "Open follow-ups", "Agenda", "Talking points"} & set(
        headings(hk))
    rows = R.sample_rows()
    hk_row = next(m for m in rows["Meetings"] if m["meeting_id"] == "M-HK-FORUM-2024")
    hk_row["agenda"] = "Opening remarks\nSigning of agreements\n• Visit to Cyberport"
    hk_row["talking_points"] = "welcome the new memorandum\nask about the 2025 forum"
    out = tmp_path / "reports"
    build(R.write(tmp_path / "agenda.xlsx", rows), out, jobs=1)
    paragraphs, _, d = read(briefing_of(out, "M-HK-FORUM-2024"))
    assert headings(d).index("Agenda") < headings(d).index("Key figures")
    items = [p.text for p in d.paragraphs if p.style.name == "List Number"]
    assert items == ["Opening remarks", "Signing of agreements", "Visit to Cyberport"]
    assert "Welcome the new memorandum." in paragraphs


def test_a_figure_that_differs_says_what_the_source_says(tmp_path: Path) -> None:
    rows = R.sample_rows()
    slip = next(f for f in rows["Metrics"] if f["metric_id"] == "F-HK-03")
    slip["value"] = 31_300_000_000
    out = tmp_path / "reports"
    build(R.write(tmp_path / "slip.xlsx", rows), out, jobs=1)
    paragraphs, tables, _ = read(briefing_of(out, "M-HK-FORUM-2024"))
    row = next(r for r in table(tables, "Figure") if r["Value"].startswith("31.3 billion"))
    mark = re.search(r"\((\w)\)$", row["Value"]).group(1)
    note = next(p for p in paragraphs if p.startswith(f"({mark}) "))
    assert "32.3 billion yuan" in note and re.search(r"\[\d+\]", note)
    assert ("Of the 5 figures, 4 agree with their published sources and 1 differs from its "
            "published source (marked under Key figures).") in paragraphs
    assert not any("Metrics!" in p for p in paragraphs)


@pytest.mark.parametrize(("change", "line"), [
    ({"value": 190}, "The figure differs from its published source"),
    ({"metric": "Co-authored papers", "source": None}, "The figure has no published source"),
    ({}, "The figure agrees with its published source."),
])
def test_the_one_line_check_of_a_single_figure_says_what_it_is(tmp_path: Path, change: dict,
                                                                line: str) -> None:
    rows = R.sample_rows()
    next(f for f in rows["Metrics"] if f["meeting_id"] == "M-SUZHOU").update(change)
    out = tmp_path / "reports"
    build(R.write(tmp_path / "one.xlsx", rows), out, jobs=1, meetings=["M-SUZHOU"])
    paragraphs, _, _ = read(briefing_of(out, "M-SUZHOU"))
    said = [p for p in paragraphs if p.startswith("The figure ")]
    assert len(said) == 1 and said[0].startswith(line), said


def _register_with_history(tmp_path: Path, agreements: int = 0,
                           signing: dt.date | None = None) -> Path:
    """The sample and a 2025 Suzhou follow-up; `signing`: the 2024 signing's date (the
    sample's source gives no year)."""
    rows = R.with_new(R.sample_rows(), R.suzhou_2025())
    next(m for m in rows["Meetings"] if m["meeting_id"] == "M-SUZHOU")["date"] = signing
    rows["Actions"] += [
        {"action_id": "F-SZ-09", "meeting_id": "M-SUZHOU", "action": "Open the joint "
         "chip-testing centre", "owner": "Suzhou", "due": dt.date(2025, 3, 1), "status": "open"},
        {"action_id": "F-SZ-10", "meeting_id": "M-SUZHOU", "action": "Publish the coupon "
         "rules", "due": dt.date(2025, 1, 1), "status": "done"},
        {"action_id": "F-SZ25-A", "meeting_id": "M-SZ-2025", "action": "Report back on the "
         "pilot line", "owner": "Fudan University", "due": dt.date(2025, 12, 1)},
        {"action_id": "F-SZ25-B", "meeting_id": "M-SZ-2025", "action": "Send the draft plan",
         "owner": "Suzhou", "due": dt.date(2025, 5, 1), "status": "in progress"},
    ]
    for i in range(agreements):
        rows["Agreements"].append(R._agreement(
            f"A-BULK-{i:05d}", "M-SZ-2025", f"Project {i} on integrated circuits", "Suzhou",
            f"Partner {i % 50}", kind="project", signed_on=dt.date(2025, 1 + i % 12, 1)))
    return R.write(tmp_path / "history.xlsx", rows)


def test_the_later_meeting_shows_the_earlier_one_and_its_open_follow_ups(
        tmp_path: Path) -> None:
    out = tmp_path / "reports"
    build(_register_with_history(tmp_path), out, jobs=1)
    paragraphs, tables, d = read(briefing_of(out, "M-SZ-2025"))
    assert "History with Suzhou" in headings(d)
    history = "\n".join(paragraphs[paragraphs.index("History with Suzhou"):])
    assert "26 October (year not stated) · Shanghai–Suzhou science and technology" in history
    assert "5 follow-ups agreed, 4 still open (1 overdue)" in history
    follow = table(tables, "Follow-up")
    by_action = {r["Follow-up"]: r for r in follow}
    assert by_action["Open the joint chip-testing centre"]["Status"] == "open, overdue"
    assert "Publish the coupon rules" not in by_action  # done
    assert by_action["Report back on the pilot line"]["Agreed at"] == "this meeting"
    # due before the meeting's own date: overdue, whichever meeting agreed it
    assert by_action["Send the draft plan"]["Status"] == "in progress, overdue"
    assert list(by_action)[:2] == ["Open the joint chip-testing centre", "Send the draft plan"]
    # the signing's year is not stated: it may have come after, so it is not "the previous
    # meeting", and the history says it cannot be placed
    assert not any(p.startswith("Since the previous") for p in paragraphs)
    assert ("Whether the next meeting came before this one is not known: its full date is "
            "not stated.") in history
    # the earlier meeting cannot tell what came before it: it lists the other, inherits nothing
    paragraphs, tables, d = read(briefing_of(out, "M-SUZHOU"))
    assert "Other meetings with Suzhou" in headings(d)
    assert not any(p.startswith("Since the previous") for p in paragraphs)
    assert "Report back on the pilot line" not in {r["Follow-up"] for r in
                                                   table(tables, "Follow-up")}


def test_since_the_previous_meeting_counts_what_changed(tmp_path: Path) -> None:
    out = tmp_path / "reports"
    build(_register_with_history(tmp_path, signing=dt.date(2024, 10, 26)), out, jobs=1,
          meetings=["M-SZ-2025"])
    paragraphs, _, _ = read(briefing_of(out, "M-SZ-2025"))
    (since,) = [p for p in paragraphs if p.startswith("Since the previous meeting")]
    assert since.startswith("Since the previous meeting with Suzhou (Shanghai–Suzhou science "
                            "and technology cooperation signing, 26 October 2024): ")
    assert "2 new agreements" in since
    assert "cooperation projects signed went from 193 to 45" in since  # no other capital
    assert "of 5 follow-ups agreed earlier, 1 is closed and 1 overdue" in since
    assert not any(p.startswith("Whether the next") for p in paragraphs)


def test_a_history_never_recalls_a_figure_that_differs_from_its_source(tmp_path: Path) -> None:
    rows = R.with_new(R.sample_rows(), R.suzhou_2025())
    next(f for f in rows["Metrics"] if f["metric_id"] == "F-SZ-01")["value"] = 190
    out = tmp_path / "reports"
    build(R.write(tmp_path / "slip.xlsx", rows), out, jobs=1)
    paragraphs, _, _ = read(briefing_of(out, "M-SZ-2025"))
    history = "\n".join(paragraphs[paragraphs.index("History with Suzhou"):])
    assert "Shanghai–Suzhou science and technology cooperation signing" in history
    assert "190" not in history
    paragraphs, _, _ = read(briefing_of(out, "M-SUZHOU"))  # its own briefing marks it
    glance = next(p for p in paragraphs if p.startswith("Headline figures: "))
    assert "190 (26 October, year not stated; differs from its published source)" in glance


def _pdf(docx_path: Path) -> Path:
    if soffice() is None:
        if os.environ.get("REPORTER_REQUIRE_SOFFICE"):
            pytest.fail("LibreOffice (soffice) is required but not on PATH")
        pytest.skip("LibreOffice (soffice) is not installed; CI installs it")
    errors = to_pdf([docx_path], docx_path.parent)
    assert not errors, errors
    return docx_path.with_suffix(".pdf")


def _pages(pdf: Path) -> list[str]:
    if shutil.which("pdftotext") is None:
        pytest.skip("pdftotext is not installed")
    text = subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True,
                          check=True).stdout
    return [" ".join(page.split()) for page in text.split("\f")[:-1]]


@pytest.mark.office
def test_rows_never_split_across_pages_and_headers_repeat(tmp_path: Path) -> None:
    rows = R.sample_rows()
    long = [R._agreement(f"A-LONG-{i:02d}", "M-SUZHOU", f"Agreement number {i} on joint "
                         f"research in integrated circuits, biomedicine and artificial "
                         f"intelligence between many parties, item {i}",
                         f"Party number {i} of the Suzhou side, with a long name", "Shanghai "
                         "Science and Technology Commission") for i in range(14)]
    rows["Agreements"] += long
    out = tmp_path / "reports"
    build(R.write(tmp_path / "long.xlsx", rows), out, jobs=1)
    pages = _pages(_pdf(briefing_of(out, "M-SUZHOU")))
    assert len(pages) >= 2
    for a in long:
        on = [i for i, page in enumerate(pages) if a["title"] in page]
        assert len(on) == 1, f"{a['title']!r} is split or missing: pages {on}"
    with_rows = [i for i, page in enumerate(pages) if "Agreement number" in page]
    for i in with_rows:
        assert "Agreement Parties" in pages[i], f"no header row on page {i + 1}"


@pytest.mark.office
def test_a_corridor_of_thousands_of_agreements_stays_a_briefing(tmp_path: Path) -> None:
    out = tmp_path / "reports"
    build(_register_with_history(tmp_path, agreements=5000), out, jobs=1)
    path = briefing_of(out, "M-SZ-2025")
    paragraphs, _, d = read(path)
    assert any("5,002 agreements are recorded for this meeting" in p for p in paragraphs)
    assert any("M-SZ-2025-summary.xlsx, sheet Agreements" in p for p in paragraphs)
    size = d.styles["Normal"].font.size
    assert size is not None and size.pt >= 10
    pages = _pages(_pdf(path))
    assert len(pages) <= 12


def test_a_column_declared_for_the_briefing_is_shown_there(tmp_path: Path, monkeypatch) -> None:
    """The declaration decides: a column marked briefing=True joins the briefing's table."""
    from dataclasses import replace

    from reporter.render.briefing import agreements
    from reporter.schema import AGREEMENTS

    columns = tuple(replace(c, briefing=True) if c.field == "notes" else c
                    for c in AGREEMENTS.columns)
    monkeypatch.setattr(agreements, "AGREEMENTS", replace(AGREEMENTS, columns=columns))
    out = tmp_path / "reports"
    build(SAMPLE, out, jobs=1)
    _, tables, _ = read(briefing_of(out, "M-SUZHOU"))
    (row,) = table(tables, "Agreement")
    suzhou = next(a for a in WB.agreements if a.meeting_id == "M-SUZHOU")
    assert row["Notes"] == suzhou.notes


@pytest.mark.office
def test_the_printed_pages_show_each_section_with_data_and_no_staff_wording(
        sample_reports: Path, tmp_path: Path) -> None:
    """What the reader holds: the PDF LibreOffice makes of every sample briefing."""
    if soffice() is None:
        _pdf(briefing_of(sample_reports, WB.meetings[0].meeting_id))  # skips, or fails in CI
    briefings = [briefing_of(sample_reports, m.meeting_id) for m in WB.meetings]
    assert not to_pdf(briefings, tmp_path)
    for m in WB.meetings:
        pages = _pages(tmp_path / f"{m.meeting_id}-briefing.pdf")
        text = "\n".join(pages)
        people = any(p.meeting_id == m.meeting_id for p in WB.participants)
        follow = any(a.meeting_id == m.meeting_id and a.status != "done" for a in WB.actions)
        expected = {"At a glance": True, "Background": bool(m.background),
                    "Key figures": any(f.meeting_id == m.meeting_id for f in WB.metrics),
                    "Participants": people, "Open follow-ups": follow,
                    "Agenda": bool(m.agenda), "Talking points": bool(m.talking_points),
                    "Sources": True}
        for heading, present in expected.items():
            assert (heading in text) == present, (m.meeting_id, heading)
        for pattern, what in STAFF_WORDING:
            found = re.search(pattern, text)
            assert found is None, f"{m.meeting_id}: {what}: {found.group(0)!r}"


def test_a_figure_staff_say_is_their_own_is_not_marked(tmp_path: Path) -> None:
    """Fact ID none: not a published figure, so the briefing does not call it unsourced."""
    rows = R.with_new(R.sample_rows(), R.suzhou_2025())
    for f in rows["Metrics"]:
        if f["meeting_id"] == "M-SZ-2025":
            f["fact_id"] = "none"
    out = tmp_path / "reports"
    build(R.write(tmp_path / "own.xlsx", rows), out, jobs=1)
    paragraphs, tables, _ = read(briefing_of(out, "M-SZ-2025"))
    values = {r["Figure"]: r["Value"] for r in table(tables, "Figure")}
    assert values == {"Cooperation projects signed": "45",
                      "Technology contract value": "1.2 billion yuan"}
    assert not any(re.match(r"\(\w\) ", p) for p in paragraphs)
    assert not any("published source" in p for p in paragraphs)


def test_a_date_in_a_table_keeps_its_line() -> None:
    """A crowded table (long follow-ups, an overdue status, a meeting's title) narrows its
    columns, but never below a whole date: '28 February / 2025' read badly."""
    from reporter.render.briefing.document import fit_widths, text_cm
    from reporter.render.briefing.words import day_in_table

    due = day_in_table(dt.date(2025, 2, 28))
    rows = [["Extend the use of science and technology innovation coupons to the partner "
             "city, and open the technology market to its firms " * 2,
             "Shanghai Science and Technology Commission and Suzhou", due,
             "in progress, overdue", "Shanghai–Suzhou science and technology cooperation "
             "signing"] for _ in range(3)]
    widths = fit_widths(["Follow-up", "Owner", "Due", "Status", "Agreed at"], rows, 16.0)
    assert abs(sum(widths) - 16.0) < 0.01
    assert widths[2] >= text_cm("28 February 2025")
    assert " " not in due  # no space a line could break at
