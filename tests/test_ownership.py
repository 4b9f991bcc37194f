"""The build owns only what it wrote: folders it did not make are refused, people's files
and edited files survive every build, --meeting leaves other meetings alone, PDFs of
unchanged briefings stay.

Every test compares snapshots byte for byte (tests/folders.py): whatever reporter did not
write, or a person changed, must still be there, the same, after the build.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import shutil
from pathlib import Path

import pytest

from reporter import fingerprint
from reporter.build import build
from reporter.errors import OutputError
from reporter.keep import kept_name
from tests.conftest import SAMPLE, TEMPLATE, cell_at, run_cli, tree
from tests.folders import (
    assert_people_kept,
    generated,
    leftovers,
    one_line,
    plant,
    snapshot,
)

HK = "M-HK-FORUM-2024"


@pytest.fixture(scope="module")
def base(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("base") / "reports"
    build(SAMPLE, out)
    return out


@pytest.fixture
def reports(tmp_path: Path, base: Path) -> Path:
    """A private copy of a reports folder built from the sample."""
    dst = tmp_path / "reports"
    shutil.copytree(base, dst, symlinks=True)
    return dst


def noon(day: str) -> float:
    return dt.datetime.fromisoformat(f"{day}T12:00:00").timestamp()


def changed_sample(edited, tmp_path: Path, rows: tuple[int, ...] = (3,),
                   note: str = "a note added later") -> Path:
    """The sample with meetings' Notes changed (row 3 is the Hong Kong forum), saved under
    the sample's own name (briefings print the workbook's name)."""
    n = 1
    while (tmp_path / f"v{n}").exists():
        n += 1
    folder = f"v{n}"
    (tmp_path / folder).mkdir()

    def edit(wb) -> None:
        for r in rows:
            cell_at(wb["Meetings"], "Notes", r).value = note

    return edited(edit, name=f"{folder}/cooperation.xlsx")



# --- folders reporter did not make ---------------------------------------------------------

FOREIGN = {
    "a-file": lambda d: (d / "thesis.docx").write_bytes(b"four years of work"),
    "hidden-file": lambda d: (d / ".DS_Store").write_bytes(b"\0\0\0\1Bud1"),
    "empty-subfolder": lambda d: (d / "x").mkdir(),
    "a-link": lambda d: (d / "link").symlink_to("/etc/hostname"),
    "foreign-manifest": lambda d: (d / "manifest.json").write_text('{"name": "my web app"}'),
    "broken-manifest": lambda d: (d / "manifest.json").write_text('{"tool": {"name": "rep'),
    "manifest-folder": lambda d: (d / "manifest.json").mkdir(),
    "unsafe-manifest": lambda d: (d / "manifest.json").write_text(json.dumps(
        {"tool": {"name": "reporter"}, "files": [{"path": "../thesis.docx", "size": 1,
                                                  "sha256": "0" * 64}], "meetings": {}})),
}


@pytest.mark.parametrize("content", sorted(FOREIGN))
def test_a_folder_reporter_did_not_make_is_refused(tmp_path: Path, sample: Path,
                                                   content: str) -> None:
    out = tmp_path / "mine"
    out.mkdir()
    FOREIGN[content](out)
    before = snapshot(tmp_path)
    result = run_cli("build", sample, "--out", out)
    assert result.exit_code == 3
    line = one_line(result.stderr)
    assert str(out) in line and "empty or new folder" in line and "--out" in line
    assert snapshot(tmp_path) == before
    with pytest.raises(OutputError) as e:
        build(sample, out)
    assert e.value.code == "output-not-reporters"
    assert snapshot(tmp_path) == before


def test_a_manifest_that_is_a_link_does_not_make_a_folder_reporters(tmp_path: Path, sample: Path,
                                                                    base: Path) -> None:
    out = tmp_path / "mine"
    out.mkdir()
    (out / "thesis.docx").write_bytes(b"four years of work")
    (out / "manifest.json").symlink_to(base / "manifest.json")
    before = snapshot(tmp_path)
    assert run_cli("build", sample, "--out", out).exit_code == 3
    assert snapshot(tmp_path) == before


def test_an_empty_folder_is_accepted_and_keeps_its_mode(tmp_path: Path, sample: Path) -> None:
    out = tmp_path / "empty"
    out.mkdir(mode=0o750)
    os.chmod(out, 0o750)
    result = run_cli("build", sample, "--out", out, "-q")
    assert result.exit_code == 0, result.output
    assert (out / "manifest.json").is_file() and set(tree(out)) == generated(out)
    assert out.stat().st_mode & 0o777 == 0o750
    assert leftovers(tmp_path, "empty") == []


@pytest.mark.parametrize("how", ["dot", "empty-string", "root", "home", "holds-cwd",
                                 "workbook-folder", "holds-workbook", "template-folder",
                                 "facts-folder"])
def test_folders_that_are_never_replaced(tmp_path: Path, monkeypatch, how: str) -> None:
    work = tmp_path / "a" / "b"
    work.mkdir(parents=True)
    workbook = work / "register.xlsx"
    shutil.copyfile(SAMPLE, workbook)
    extra: list[object] = []
    out: object = {"dot": ".", "empty-string": "", "root": "/", "home": tmp_path / "home",
                   "holds-cwd": tmp_path / "a", "workbook-folder": work,
                   "holds-workbook": tmp_path, "template-folder": tmp_path / "t",
                   "facts-folder": tmp_path / "f"}[how]
    monkeypatch.chdir(work)
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    (tmp_path / "home").mkdir()
    if how == "template-folder":
        (tmp_path / "t").mkdir()
        shutil.copyfile(TEMPLATE.parent / "briefing.docx", tmp_path / "t" / "briefing.docx")
        extra = ["--template", tmp_path / "t" / "briefing.docx"]
    if how == "facts-folder":
        (tmp_path / "f").mkdir()
        (tmp_path / "f" / "more.toml").write_text('version = "x"\n')
        extra = ["--facts", tmp_path / "f" / "more.toml"]
    before = snapshot(tmp_path)
    result = run_cli("build", workbook, "--out", out, *extra)
    assert result.exit_code == 3, result.output
    line = one_line(result.stderr)
    assert "--out" in line and ("empty or new folder" in line or "another folder" in line)
    assert snapshot(tmp_path) == before


# --- people's files in a folder reporter made ---------------------------------------------

@pytest.mark.parametrize("how", ["unchanged", "one-meeting-changed", "force", "meeting-option"])
def test_peoples_files_survive_a_build(tmp_path: Path, reports: Path, edited, how: str) -> None:
    mine = plant(reports, tmp_path / "outside")
    outside = snapshot(tmp_path / "outside")
    inode = (reports / "M-SUZHOU" / "minister-notes.txt").stat().st_ino
    workbook = changed_sample(edited, tmp_path) if how == "one-meeting-changed" else SAMPLE
    options = {"force": ["--force"], "meeting-option": ["-m", "M-SUZHOU"]}.get(how, [])
    result = run_cli("build", workbook, "--out", reports, *options, env={"COLUMNS": "200"})
    assert result.exit_code == 0, result.output
    after = snapshot(reports)
    assert_people_kept(mine, after)
    assert snapshot(tmp_path / "outside") == outside
    assert (reports / "M-SUZHOU" / "minister-notes.txt").stat().st_ino == inode  # linked
    assert set(tree(reports)) - {r for r in mine} == generated(reports)
    if how == "unchanged":  # nothing was swapped: everything was left as it was
        assert "Nothing had changed" in result.stdout
    else:
        assert "talking-points.txt" in result.stdout and "drafts/" in result.stdout
    assert leftovers(tmp_path, "reports") == []


def test_edited_files_are_kept_beside_the_new_ones(tmp_path: Path, reports: Path,
                                                   base: Path) -> None:
    edits = {"M-SUZHOU/M-SUZHOU-briefing.docx": b"talking points added in Word",
             "M-TONGJI/M-TONGJI-summary.xlsx": b"a column added in Excel",
             "portfolio-summary.xlsx": b"a chart moved"}
    for rel, data in edits.items():
        with open(reports / rel, "ab") as f:
            f.write(data)
        os.utime(reports / rel, (noon("2026-11-30"), noon("2026-11-30")))
    edited_bytes = {rel: (reports / rel).read_bytes() for rel in edits}
    result = run_cli("build", SAMPLE, "--out", reports, "--force", "-q")
    assert result.exit_code == 0, result.output
    kept = {"M-SUZHOU/M-SUZHOU-briefing.docx": "M-SUZHOU/M-SUZHOU-briefing.edited-2026-11-30.docx",
            "M-TONGJI/M-TONGJI-summary.xlsx": "M-TONGJI/M-TONGJI-summary.edited-2026-11-30.xlsx",
            "portfolio-summary.xlsx": "portfolio-summary.edited-2026-11-30.xlsx"}
    for rel, new in kept.items():
        assert (reports / new).read_bytes() == edited_bytes[rel]
        assert (reports / rel).read_bytes() == (base / rel).read_bytes()  # a fresh one
        assert f"{rel} (edited after reporter wrote it) is now {new}" in result.stderr
    assert tree(reports).keys() - generated(reports) == set(kept.values())
    # The kept files are now the person's: the next build leaves them where they are.
    again = build(SAMPLE, reports, force=True)
    assert all((reports / new).read_bytes() == edited_bytes[rel] for rel, new in kept.items())
    assert {k.path for k in again.kept} == set(kept.values())
    # Edited again, with the same date: the name is taken, so a counter is added.
    with open(reports / "portfolio-summary.xlsx", "ab") as f:
        f.write(b"and again")
    os.utime(reports / "portfolio-summary.xlsx", (noon("2026-11-30"), noon("2026-11-30")))
    build(SAMPLE, reports)
    assert (reports / "portfolio-summary.edited-2026-11-30-2.xlsx").read_bytes().endswith(
        b"and again")
    assert (reports / "portfolio-summary.edited-2026-11-30.xlsx").read_bytes() == (
        edited_bytes["portfolio-summary.xlsx"])


def test_kept_names() -> None:
    t = noon("2026-11-30")
    assert kept_name("M-X-briefing.docx", "edited", t, 1) == "M-X-briefing.edited-2026-11-30.docx"
    assert kept_name("M-X-briefing.docx", "edited", t, 3) == "M-X-briefing.edited-2026-11-30-3.docx"
    assert kept_name("notes", "kept", t, 1) == "notes.kept-2026-11-30"
    assert kept_name("a.folder", "kept", t, 1, folder=True) == "a.folder.kept-2026-11-30"
    assert kept_name(".hidden", "kept", t, 1) == ".hidden.kept-2026-11-30"
    long = kept_name("会" * 84 + ".docx", "edited", t, 2)  # 257 bytes: a name at the limit
    assert len(os.fsencode(long)) <= 255 and long.endswith(".edited-2026-11-30-2.docx")
    assert kept_name("x.txt", "kept", 1e20, 1) == "x.kept-undated.txt"


def test_a_generated_file_replaced_by_a_link_is_not_written_through(tmp_path: Path,
                                                                    reports: Path) -> None:
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "secret.txt").write_text("outside")
    briefing = reports / "M-SUZHOU" / "M-SUZHOU-briefing.docx"
    os.utime(briefing, (noon("2026-11-30"), noon("2026-11-30")))
    briefing.unlink()
    briefing.symlink_to(outside / "secret.txt")
    result = build(SAMPLE, reports, force=True)
    assert (outside / "secret.txt").read_text() == "outside"
    assert not briefing.is_symlink() and briefing.read_bytes()[:2] == b"PK"
    links = [p for p in (reports / "M-SUZHOU").iterdir() if p.is_symlink()]
    assert len(links) == 1 and os.readlink(links[0]) == str(outside / "secret.txt")
    assert links[0].name.startswith("M-SUZHOU-briefing.edited-")
    assert [k.was for k in result.kept] == ["M-SUZHOU/M-SUZHOU-briefing.docx"]


def test_a_meeting_folder_replaced_by_a_link_is_not_written_through(tmp_path: Path,
                                                                    reports: Path) -> None:
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "theirs.txt").write_text("theirs")
    before = snapshot(outside)
    shutil.rmtree(reports / "M-SUZHOU")
    (reports / "M-SUZHOU").symlink_to(outside)
    result = build(SAMPLE, reports)
    assert snapshot(outside) == before
    assert (reports / "M-SUZHOU").is_dir() and not (reports / "M-SUZHOU").is_symlink()
    assert (reports / "M-SUZHOU" / "M-SUZHOU-briefing.docx").is_file()
    kept = [k for k in result.kept if k.was == "M-SUZHOU"]
    assert len(kept) == 1 and os.readlink(reports / kept[0].path) == str(outside)


def test_a_persons_entries_at_names_a_new_meeting_needs(tmp_path: Path) -> None:
    out = tmp_path / "reports"
    build(SAMPLE, out, meetings=["M-SUZHOU"])
    (out / "M-TONGJI").mkdir()
    (out / "M-TONGJI" / "notes.txt").write_text("notes made before the meeting was built")
    (out / "M-G60-2024").write_text("a file where a folder is needed")
    os.utime(out / "M-G60-2024", (noon("2026-11-29"), noon("2026-11-29")))
    mine = {r: e for r, e in snapshot(out).items() if r.startswith(("M-TONGJI", "M-G60"))}
    result = build(SAMPLE, out)
    assert_people_kept(mine, snapshot(out), {"M-G60-2024": "M-G60-2024.kept-2026-11-29"})
    assert (out / "M-TONGJI" / "M-TONGJI-briefing.docx").is_file()
    assert (out / "M-G60-2024" / "M-G60-2024-briefing.docx").is_file()
    assert {k.path for k in result.kept} == {"M-TONGJI/notes.txt", "M-G60-2024.kept-2026-11-29"}


def test_a_meeting_no_longer_in_the_workbook(tmp_path: Path, reports: Path, edited) -> None:
    (reports / "M-TONGJI" / "call-log.txt").write_text("mine")

    def drop(wb) -> None:
        for sheet in ("Agreements", "Metrics", "Meetings"):
            ws = wb[sheet]
            for row in range(ws.max_row, 1, -1):
                if cell_at(ws, "Meeting ID", row).value == "M-TONGJI":
                    ws.delete_rows(row)

    result = build(edited(drop), reports)
    assert sorted(p.name for p in (reports / "M-TONGJI").iterdir()) == ["call-log.txt"]
    assert any("M-TONGJI" in n and "no longer on the Meetings sheet" in n for n in result.notes)


# --- --meeting -------------------------------------------------------------------------

def test_meeting_option_leaves_other_meetings_as_they_were(tmp_path: Path, reports: Path,
                                                           edited) -> None:
    first = json.loads((reports / "manifest.json").read_text())
    before = {p: (reports / p).stat().st_ino for p in generated(reports)}
    changed = changed_sample(edited, tmp_path, rows=(2, 3))
    result = build(changed, reports, meetings=["m-suzhou"])
    manifest = result.manifest
    for p, inode in before.items():
        if p.startswith(HK + "/") or p.startswith("M-G60-2024/"):
            assert (reports / p).stat().st_ino == inode, f"{p} was rewritten"
        if p.startswith("M-SUZHOU/"):
            assert (reports / p).stat().st_ino != inode, f"{p} was not rebuilt"
    meetings = manifest["meetings"]
    assert meetings["M-SUZHOU"]["origin"] == "rebuilt"
    assert meetings["M-SUZHOU"]["build_id"] == manifest["build_id"] != first["build_id"]
    assert meetings[HK]["origin"] == "carried over"
    assert meetings[HK]["build_id"] == first["build_id"]
    assert meetings[HK]["files"] == first["meetings"][HK]["files"]
    assert set(meetings) == set(first["meetings"])
    assert {m.meeting_id: m.origin for m in result.meetings}[HK] == "carried over"
    assert set(tree(reports)) == generated(reports)
    from openpyxl import load_workbook

    overview = load_workbook(reports / "portfolio-summary.xlsx")["Overview"]
    # its table's header is on row 4
    assert len([r for r in range(5, overview.max_row + 1)
                if cell_at(overview, "Meeting ID", r, header_row=4).value]) == 7
    full = build(changed, reports)
    assert {m.meeting_id: m.origin for m in full.meetings}[HK] == "rebuilt"


def test_meeting_option_leaves_edits_in_other_meetings_where_they_are(reports: Path) -> None:
    briefing = reports / HK / f"{HK}-briefing.docx"
    with open(briefing, "ab") as f:
        f.write(b"edited in Word")
    os.utime(briefing, (noon("2026-11-27"), noon("2026-11-27")))
    edited_bytes = briefing.read_bytes()
    (reports / "M-TONGJI" / "M-TONGJI-summary.xlsx").unlink()  # a person deleted it
    result = build(SAMPLE, reports, meetings=["M-SUZHOU"])
    assert briefing.read_bytes() == edited_bytes  # left where it was, as it was
    manifest = result.manifest
    assert f"{HK}/{HK}-briefing.docx" not in {f["path"] for f in manifest["files"]}
    assert manifest["meetings"][HK]["files"] == [f"{HK}/{HK}-summary.xlsx"]
    assert manifest["meetings"]["M-TONGJI"]["files"] == ["M-TONGJI/M-TONGJI-briefing.docx"]
    assert not result.notes, result.notes
    # The next full build writes a fresh briefing, and keeps the edited one beside it.
    again = build(SAMPLE, reports)
    assert (reports / HK / f"{HK}-briefing.kept-2026-11-27.docx").read_bytes() == edited_bytes
    assert briefing.read_bytes()[:2] == b"PK" and briefing.read_bytes() != edited_bytes
    assert (reports / "M-TONGJI" / "M-TONGJI-summary.xlsx").is_file()
    assert [k.was for k in again.kept] == [f"{HK}/{HK}-briefing.docx"]


# --- PDFs ------------------------------------------------------------------------------------

@pytest.fixture
def fake_soffice(monkeypatch) -> list[str]:
    """A stand-in for LibreOffice: a 'PDF' holding the briefing's hash; records each call."""
    import hashlib

    from reporter import pdf

    calls: list[str] = []

    def to_pdf(files: list[Path], outdir: Path, **_: object) -> list[str]:
        for f in files:
            calls.append(f.name)
            digest = hashlib.sha256(f.read_bytes()).hexdigest()
            (outdir / f"{f.stem}.pdf").write_bytes(f"%PDF-fake {digest}".encode())
        return []

    monkeypatch.setattr(pdf, "soffice", lambda: "/usr/bin/soffice")
    monkeypatch.setattr(pdf, "to_pdf", to_pdf)
    return calls


def test_pdfs_of_unchanged_briefings_stay(tmp_path: Path, edited, fake_soffice) -> None:
    out = tmp_path / "reports"
    build(SAMPLE, out, pdf=True)
    pdfs = {p for p in generated(out) if p.endswith(".pdf")}
    assert len(pdfs) == 7 and len(fake_soffice) == 7
    plain = build(SAMPLE, out)  # without --pdf: the PDFs are still current, so they stay
    assert {p for p in generated(out) if p.endswith(".pdf")} == pdfs and not plain.notes
    changed = build(changed_sample(edited, tmp_path), out)
    hk_pdf = f"{HK}/{HK}-briefing.pdf"
    assert not (out / hk_pdf).exists()
    assert {p for p in generated(out) if p.endswith(".pdf")} == pdfs - {hk_pdf}
    assert any(hk_pdf in n and "out of date" in n and "--pdf" in n for n in changed.notes)
    fake_soffice.clear()
    build(changed_sample(edited, tmp_path), out, pdf=True)  # only the missing one is made
    assert fake_soffice == [f"{HK}-briefing.docx"]
    assert {p for p in generated(out) if p.endswith(".pdf")} == pdfs
    fake_soffice.clear()
    again = build(changed_sample(edited, tmp_path), out, pdf=True, force=True)
    assert len(fake_soffice) == 7  # made again, so replaced: nothing was removed
    assert {p for p in generated(out) if p.endswith(".pdf")} == pdfs
    assert not [n for n in again.notes if "out of date" in n], again.notes


def test_an_edited_pdf_is_kept(tmp_path: Path, edited, fake_soffice) -> None:
    out = tmp_path / "reports"
    build(SAMPLE, out, pdf=True, meetings=[HK])
    pdf = out / HK / f"{HK}-briefing.pdf"
    pdf.write_bytes(b"%PDF- annotated by hand")
    os.utime(pdf, (noon("2026-11-28"), noon("2026-11-28")))
    result = build(changed_sample(edited, tmp_path), out, meetings=[HK])
    assert (out / HK / f"{HK}-briefing.edited-2026-11-28.pdf").read_bytes() == (
        b"%PDF- annotated by hand")
    assert not pdf.exists() and [k.edited for k in result.kept] == [True]


def test_pdf_progress_is_reported_per_file(tmp_path: Path, fake_soffice) -> None:
    events = []
    build(SAMPLE, tmp_path / "r", pdf=True, meetings=["M-SUZHOU", HK],
          progress=lambda event, **info: events.append((event, info.get("meeting_id"))))
    assert [e for e in events if e[0] == "pdf"] == [("pdf", "M-SUZHOU"), ("pdf", HK)]


# --- the build key ------------------------------------------------------------------------

def test_the_manifest_records_the_code_and_libraries(base: Path) -> None:
    from importlib.metadata import version

    data = json.loads((base / "manifest.json").read_text())
    assert data["tool"]["code"] == fingerprint.code_digest()
    assert data["tool"]["libraries"] == {n: version(n) for n in fingerprint.LIBRARIES}
    assert data["build_id"] == data["build_key"][:16]


def test_a_change_in_reporters_code_renders_everything_again(tmp_path: Path, monkeypatch,
                                                           reports: Path) -> None:
    assert build(SAMPLE, reports).up_to_date
    monkeypatch.setattr("reporter.build.tool_fingerprint", lambda: "another version of the code")
    result = build(SAMPLE, reports)
    assert not result.up_to_date and not any(m.reused for m in result.meetings)


def test_the_code_digest_covers_every_package_file(tmp_path: Path) -> None:
    copy = tmp_path / "reporter"
    shutil.copytree(fingerprint.PACKAGE, copy, ignore=shutil.ignore_patterns("__pycache__"))
    first = fingerprint.package_digest(copy)
    assert first == fingerprint.code_digest()
    (copy / "__pycache__").mkdir(exist_ok=True)
    (copy / "__pycache__" / "x.cpython-311.pyc").write_bytes(b"compiled")
    assert fingerprint.package_digest(copy) == first
    with open(copy / "render" / "briefing.py", "a") as f:
        f.write("\n# a change\n")
    assert fingerprint.package_digest(copy) != first
