"""Every input file gets the workbook's treatment: briefing templates (--template) and fact
files (--facts) that are damaged, of the wrong kind, hostile, absurd, or not files at all
end with exit 2 and one line naming the file; nothing is written; the input is unchanged.
A template's links to the outside never reach a briefing."""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys
import zipfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.conftest import ROOT, SAMPLE, run_cli

TEMPLATE = ROOT / "templates" / "briefing.docx"
REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/"


@dataclass(frozen=True)
class Input:
    name: str
    make: Callable[[Path], Path]
    expect: str  # a fragment of the one-line message
    exit_code: int = 2


def _template_parts() -> list[tuple[str, bytes]]:
    with zipfile.ZipFile(TEMPLATE) as z:
        return [(i.filename, z.read(i)) for i in z.infolist()]


def _docx(name: str, edit: Callable[[dict[str, bytes]], None]) -> Callable[[Path], Path]:
    def make(d: Path) -> Path:
        parts = dict(_template_parts())
        edit(parts)
        with zipfile.ZipFile(d / name, "w", zipfile.ZIP_DEFLATED) as z:
            for part, blob in parts.items():
                z.writestr(part, blob)
        return d / name
    return make


def _content_type(kind: str) -> Callable[[dict[str, bytes]], None]:
    def edit(parts: dict[str, bytes]) -> None:
        parts["[Content_Types].xml"] = parts["[Content_Types].xml"].replace(
            b"application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml",
            kind.encode())
    return edit


def _with_rel(kind: str, target: str, external: bool = True,
              part: str = "word/_rels/document.xml.rels") -> Callable[[dict[str, bytes]], None]:
    def edit(parts: dict[str, bytes]) -> None:
        mode = ' TargetMode="External"' if external else ""
        rel = f'<Relationship Id="rId99" Type="{REL}{kind}" Target="{target}"{mode}/>'.encode()
        if part not in parts:
            parts[part] = (b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
                           b'<Relationships xmlns="http://schemas.openxmlformats.org/package/'
                           b'2006/relationships"></Relationships>')
        parts[part] = parts[part].replace(b"</Relationships>", rel + b"</Relationships>")
    return edit


def _attached(parts: dict[str, bytes]) -> None:
    _with_rel("attachedTemplate", "http://tracker.invalid/Normal.dotm",
              part="word/_rels/settings.xml.rels")(parts)
    parts["word/settings.xml"] = parts["word/settings.xml"].replace(
        b"</w:settings>", b'<w:attachedTemplate r:id="rId99"/></w:settings>')


def _dtd(part: str) -> Callable[[dict[str, bytes]], None]:
    def edit(parts: dict[str, bytes]) -> None:
        body = parts[part].split(b"?>", 1)[1]
        parts[part] = (b'<?xml version="1.0"?>\n<!DOCTYPE x [<!ENTITY a "aaaaaaaaaa">'
                       b'<!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;">]>' + body)
    return edit


def _replace(part: str, old: bytes, new: bytes) -> Callable[[dict[str, bytes]], None]:
    def edit(parts: dict[str, bytes]) -> None:
        assert old in parts[part], (part, old)
        parts[part] = parts[part].replace(old, new, 1)
    return edit


def _both(*edits: Callable[[dict[str, bytes]], None]) -> Callable[[dict[str, bytes]], None]:
    def edit(parts: dict[str, bytes]) -> None:
        for one in edits:
            one(parts)
    return edit


_STRICT_REL = "http://purl.oclc.org/ooxml/officeDocument/relationships/"
#: A DDEAUTO field whose code is split across two runs, as Word may store it.
_DDE = (b'<w:p><w:r><w:fldChar w:fldCharType="begin"/></w:r><w:r><w:instrText> DDE</w:instrText>'
        b'</w:r><w:r><w:instrText>AUTO cmd "/k calc" </w:instrText></w:r><w:r>'
        b'<w:fldChar w:fldCharType="end"/></w:r></w:p><w:sectPr')


def _bytes(name: str, blob: bytes) -> Callable[[Path], Path]:
    def make(d: Path) -> Path:
        (d / name).write_bytes(blob)
        return d / name
    return make


def _fifo(name: str) -> Callable[[Path], Path]:
    def make(d: Path) -> Path:
        os.mkfifo(d / name)
        return d / name
    return make


def _link(name: str, target: str) -> Callable[[Path], Path]:
    def make(d: Path) -> Path:
        (d / name).symlink_to(target)
        return d / name
    return make


def _truncated(d: Path) -> Path:
    blob = TEMPLATE.read_bytes()
    (d / "cut.docx").write_bytes(blob[: len(blob) // 2])
    return d / "cut.docx"


def _bomb(parts: dict[str, bytes]) -> None:
    parts["word/fontTable.xml"] = parts["word/fontTable.xml"].replace(
        b"</w:fonts>", b"<!--" + b"0" * (30 * 2**20) + b"--></w:fonts>")


TEMPLATES = [
    Input("macro-enabled .docm", _docx("macros.docx", _content_type(
        "application/vnd.ms-word.document.macroEnabled.main+xml")), "macro-enabled"),
    Input(".dotx template", _docx("template.dotx", _content_type(
        "application/vnd.openxmlformats-officedocument.wordprocessingml.template.main+xml")),
          "template (.dotx)"),
    Input(".dotm template", _docx("template.dotm", _content_type(
        "application/vnd.ms-word.template.macroEnabledTemplate.main+xml")), "macro-enabled"),
    Input("VBA project inside", _docx("vba.docx", lambda p: p.update(
        {"word/vbaProject.bin": b"\xd0\xcf\x11\xe0"})), "macros"),
    Input("truncated", _truncated, "damaged"),
    Input("a part in an encoding Office never uses", _docx("rot13.docx", _replace(
        "word/document.xml", b"encoding='UTF-8'", b"encoding='rot13'")), "character encoding"),
    Input("a workbook given as the template", lambda d: _bytes("wb.docx", SAMPLE.read_bytes())(d),
          "not a Word document"),
    Input("plain text", _bytes("notes.docx", b"Briefing template\n"), "not a Word document"),
    Input("empty file", _bytes("empty.docx", b""), "not a Word document"),
    Input("DTD in document.xml", _docx("dtd.docx", _dtd("word/document.xml")), "entities"),
    Input("DTD in styles.xml", _docx("dtd-styles.docx", _dtd("word/styles.xml")), "entities"),
    Input("document.xml not well-formed", _docx("broken.docx", lambda p: p.update(
        {"word/document.xml": p["word/document.xml"][:-40]})), "well-formed"),
    Input("remote image", _docx("image.docx", _with_rel("image", "http://tracker.invalid/x.png")),
          "outside"),
    Input("external hyperlink", _docx("link.docx", _with_rel(
        "hyperlink", "http://tracker.invalid/")), "outside"),
    Input("embedded altChunk", _docx("chunk.docx", _with_rel(
        "aFChunk", "chunk.html", external=False)), "outside"),
    Input("linked OLE object", _docx("ole.docx", _with_rel(
        "oleObject", "file:///C:/secret.xlsx")), "outside"),
    Input("a picture fetched by a field in the footer", _docx("field.docx", _replace(
        "word/footer1.xml", b'w:instr="PAGE"',
        b'w:instr=" INCLUDEPICTURE &quot;http://tracker.invalid/u.png&quot; \\d "')),
          "INCLUDEPICTURE field"),
    Input("a DDE field split across runs", _docx("dde.docx", _replace(
        "word/document.xml", b"<w:sectPr", _DDE)), "DDEAUTO field"),
    Input("a mail merge's data connection", _docx("merge.docx", _replace(
        "word/settings.xml", b"</w:settings>", b'<w:mailMerge><w:mainDocumentType '
        b'w:val="formLetters"/><w:dataType w:val="native"/></w:mailMerge></w:settings>')),
          "mail merge"),
    Input("altChunk related in the strict namespace", _docx("strict.docx", _replace(
        "word/_rels/document.xml.rels", b"</Relationships>",
        f'<Relationship Id="rId99" Type="{_STRICT_REL}aFChunk" Target="c.htm"/>'
        "</Relationships>".encode())), "outside"),
    Input("macros under another part name", _docx("macros-renamed.docx", _both(
        _with_rel("vbaProject", "macros.bin", external=False),
        lambda p: p.update({"word/macros.bin": b"\xd0\xcf\x11\xe0"}))), "macros"),
    Input("zip bomb", _docx("bomb.docx", _bomb), "zip bomb"),
    Input("named pipe", _fifo("pipe.docx"), "named pipe"),
    Input("/dev/zero", _link("zero.docx", "/dev/zero"), "device"),
    Input("a folder", lambda d: (d / "folder.docx").mkdir() or d / "folder.docx", "folder"),
    Input("missing", lambda d: d / "nope.docx", "no such file"),
]


def _digest(path: Path) -> str | None:
    return hashlib.sha256(path.read_bytes()).hexdigest() if path.is_file() else None


def _one_line(stderr: str, path: Path, expect: str) -> None:
    lines = [ln for ln in stderr.splitlines() if ln.strip()]
    assert len(lines) == 1, stderr
    assert path.name in lines[0] and expect in lines[0], lines[0]
    assert "Traceback" not in stderr


@pytest.mark.parametrize("case", TEMPLATES, ids=[c.name for c in TEMPLATES])
def test_bad_templates_are_refused(case: Input, tmp_path: Path) -> None:
    src = tmp_path / "in"
    src.mkdir()
    template = case.make(src)
    before = _digest(template)
    out = tmp_path / "reports"
    result = run_cli("build", SAMPLE, "--out", out, "--template", template, "-q")
    assert result.exit_code == case.exit_code, result.output
    _one_line(result.stderr, template, case.expect)
    assert not out.exists(), "a refused build created the output folder"
    assert _digest(template) == before


def test_attached_template_is_dropped_from_every_briefing(tmp_path: Path) -> None:
    template = _docx("attached.docx", _attached)(tmp_path)
    out = tmp_path / "reports"
    result = run_cli("build", SAMPLE, "--out", out, "--template", template, "-q")
    assert result.exit_code == 0, result.output
    briefings = sorted(out.rglob("*-briefing.docx"))
    assert briefings
    for docx in briefings:
        with zipfile.ZipFile(docx) as z:
            for name in z.namelist():
                blob = z.read(name)
                assert b"tracker.invalid" not in blob, (docx, name)
                assert b"attachedTemplate" not in blob, (docx, name)
            assert b"w:style" in z.read("word/styles.xml")  # the template's styles are kept


def test_a_comment_in_the_templates_relationships_is_no_harm(tmp_path: Path) -> None:
    template = _docx("commented.docx", _replace(
        "word/_rels/document.xml.rels", b"</Relationships>",
        b"<!-- written by hand --></Relationships>"))(tmp_path)
    result = run_cli("build", SAMPLE, "--out", tmp_path / "reports", "--template", template, "-q")
    assert result.exit_code == 0, result.output
    assert sorted((tmp_path / "reports").rglob("*-briefing.docx"))


FACTS = [
    Input("nested 100,000 deep", _bytes("deep.toml", b"a = " + b"[" * 100_000 + b"]" * 100_000),
          "too deeply"),
    Input("inline tables nested 100,000 deep",
          _bytes("deep-tables.toml", b"a = " + b"{b = " * 100_000 + b"1" + b"}" * 100_000),
          "too deeply"),
    Input("a dotted key of 40,000 parts (quadratic in tomllib)",
          _bytes("dotted.toml", b"a" + b".a" * 40_000 + b" = 1\n"), "more time or memory"),
    Input("a source dated in the year 99,999,999,999",
          _bytes("year.toml", b'version = "x"\n[[sources]]\nid = "s"\nfile = "f.pdf"\n'
                              b'title = "T"\ndate = { year = 99999999999, month = 1, day = 1 }\n'),
          "is not 1980-2100"),
    Input("a Word document", lambda d: _bytes("facts.toml", TEMPLATE.read_bytes())(d), "UTF-8"),
    Input("XML with a DTD", _bytes("dtd.toml", b'<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a '
                                               b'"b">]><x>&a;</x>'), "not valid TOML"),
    Input("ESC in a note", _bytes("esc.toml", b'[[sources]]\nid = "x"\nnote = "\\u001b[31mred"\n'),
          "control characters"),
    Input("wrong type", _bytes("type.toml", b'figures = "many"\n'), "errors"),
    Input("over the size limit", _bytes("big.toml", b"# " + b"x" * (5 * 2**20) + b"\n"),
          "limit"),
    Input("named pipe", _fifo("pipe.toml"), "named pipe"),
    Input("/dev/zero", _link("zero.toml", "/dev/zero"), "device"),
    Input("/dev/urandom", _link("random.toml", "/dev/urandom"), "device"),
    Input("a folder", lambda d: (d / "dir.toml").mkdir() or d / "dir.toml", "folder"),
]


@pytest.mark.parametrize("case", FACTS, ids=[c.name for c in FACTS])
def test_bad_fact_files_are_refused(case: Input, tmp_path: Path) -> None:
    path = case.make(tmp_path)
    before = _digest(path)
    for command in (("facts", "--facts", path), ("reconcile", SAMPLE, "--facts", path)):
        result = run_cli(*command)
        assert result.exit_code == case.exit_code, result.output
        _one_line(result.stderr, path, case.expect)
    out = tmp_path / "reports"
    result = run_cli("build", SAMPLE, "--out", out, "--facts", path, "-q")
    assert result.exit_code == 2 and not out.exists()
    assert _digest(path) == before


@pytest.mark.parametrize("option,suffix", [(None, ".xlsx"), ("--template", ".docx"),
                                           ("--facts", ".toml")])
def test_a_fifo_never_hangs_a_command(option: str | None, suffix: str, tmp_path: Path) -> None:
    """In a real process, with a time-out only as a guard against a hang (no timing asserted):
    opening a FIFO for reading would wait for a writer for ever."""
    fifo = tmp_path / f"pipe{suffix}"
    os.mkfifo(fifo)
    args = ["build", str(SAMPLE if option else fifo), "--out", str(tmp_path / "out"), "-q"]
    if option:
        args += [option, str(fifo)]
    result = subprocess.run([sys.executable, "-m", "reporter", *args], capture_output=True,
                            text=True, timeout=120)
    assert result.returncode == 2, result.stderr
    assert "named pipe" in result.stderr and "Traceback" not in result.stderr


def test_a_fact_file_saved_with_a_byte_order_mark_is_read(tmp_path: Path) -> None:
    path = tmp_path / "bom.toml"
    path.write_bytes(b"\xef\xbb\xbfversion = 'local'\n")
    assert run_cli("facts", "--facts", path).exit_code == 0
