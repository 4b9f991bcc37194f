"""The shared strings' fast path (read/plainstrings.py) judges a part as expat does."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

import pytest

from reporter.errors import InputError
from reporter.read import plainstrings
from reporter.read.plainstrings import check_shared_strings
from reporter.read.xmlsafety import check_well_formed
from tests.conftest import damaged

ROOT = Path(__file__).resolve().parents[1]
NAME = "xl/sharedStrings.xml"
HEAD = ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<sst xmlns="http://schemas.'
        'openxmlformats.org/spreadsheetml/2006/main" count="9" uniqueCount="9">')
PLAIN = ('<si><t>Meeting ID</t></si><si><t xml:space="preserve"> 长三角 G60 &amp; R&amp;D </t></si>'
         '<si><t/></si><si><t></t></si>'
         '<si><r><rPr><sz val="11"/><color rgb="FF000000"/><rFont val="Calibri"/><family val="2"/>'
         '<charset val="1"/></rPr><t xml:space="preserve">2022</t></r><r><rPr><b/><rFont '
         'val="Noto Sans CJK SC"/></rPr><t>年</t></r><r><t>x</t></r></si>')


def _part(items: str, head: str = HEAD, tail: str = "</sst>") -> bytes:
    return (head + items + tail).encode()


def _outcome(check, data: bytes):
    try:
        return ("control", check(Path("book.xlsx"), NAME, data))
    except InputError as exc:
        return ("refused", exc.code, exc.message)


def _same(data: bytes):
    """What the fast path says of a part, checked against expat's parse of it whole."""
    fast = _outcome(lambda p, n, d: check_shared_strings(p, n, bytearray(d)), data)
    assert fast == _outcome(lambda p, n, d: check_well_formed(p, n, [d]), data)
    return fast


def _proven(data: bytes, monkeypatch) -> bool:
    """Whether the items reached expat at all (False: proven without it)."""
    fed: list[bytes] = []
    real = plainstrings.feed

    def feeding(parser, path, name, chunk, final=False):
        fed.append(bytes(chunk))
        return real(parser, path, name, chunk, final)

    monkeypatch.setattr(plainstrings, "feed", feeding)
    check_shared_strings(Path("book.xlsx"), NAME, bytearray(data))
    monkeypatch.undo()
    return not any(b"<si>" in chunk for chunk in fed)


def test_plain_items_are_proven_without_expat(monkeypatch) -> None:
    data = _part(PLAIN)
    assert _same(data) == ("control", False)
    assert _proven(data, monkeypatch)


@pytest.mark.parametrize("items", [
    '<si><t>a</t><rPh sb="0" eb="1"><t>b</t></rPh></si>',  # a phonetic run
    '<si> <t>a</t></si>',  # spacing between tags
    '<si><r><rPr><sz val="11" x="1"/></rPr><t>a</t></r></si>',  # two attributes
    "<si><t a='1'>x</t></si>",
    '<x:si xmlns:x="urn:x"><x:t>a</x:t></x:si>',
])
def test_what_the_grammar_does_not_accept_goes_to_expat(items: str, monkeypatch) -> None:
    data = _part(PLAIN + items + PLAIN)
    assert _same(data) == ("control", False)
    assert not _proven(_part(items + PLAIN), monkeypatch)


@pytest.mark.parametrize("text", ["]]>", "&#1;", "&#27;", "&#xFFFE;", "&bogus;", "a\x00",
                                  "\x7f", "_x001B_", "\u0085", "\ufffe", "&#13;", "a\x1b"])
def test_text_the_proof_cannot_settle_is_judged_by_expat(text: str) -> None:
    _same(_part(PLAIN + f"<si><t>{text}</t></si>" + PLAIN))


@pytest.mark.parametrize("text", ["_x001B_", "\x7f", "\u0085"])
def test_control_characters_in_proven_text_are_still_seen(text: str) -> None:
    assert _same(_part(PLAIN + f"<si><t>{text}</t></si>"))[0:2] == ("control", True)


@pytest.mark.parametrize(("head", "tail"), [
    (HEAD, "</sst><!-- after -->"), (HEAD, "</sst>junk"), (HEAD, ""),
    (HEAD.replace("UTF-8", "ISO-8859-1"), "</sst>"), (HEAD.replace("UTF-8", "UTF-16"), "</sst>"),
    ("\ufeff" + HEAD, "</sst>"), (HEAD + "<extLst/>", "</sst>"),
])
def test_what_lies_around_the_items_is_judged_as_ever(head: str, tail: str) -> None:
    _same(_part(PLAIN, head, tail))


def test_damage_after_proven_items_is_told_at_its_real_line_and_column() -> None:
    refused = _same(_part(PLAIN + "\n" + PLAIN, tail="</sst"))
    assert refused[0] == "refused" and "line 3" in refused[2], refused


def test_mutated_parts_are_judged_alike() -> None:
    """Random damage to a plain part: whatever the bytes become, both ways agree."""
    base = _part(PLAIN * 3)
    alphabet = b'<>/="\' rsitPbvalx&#;:!-\n\x01\x7f_\xc2\x85\xe5\xb9\xb4'
    outcomes = {_same(data)[0] for data in damaged(base, alphabet, seed=20261201)}
    assert outcomes == {"refused", "control"}  # the damage was sometimes harmless, not always


def test_the_usual_writers_shared_strings_take_the_grammar(tmp_path: Path, monkeypatch) -> None:
    """The shortcut is taken for what people have (else it quietly never runs): the sample,
    and a LibreOffice workbook's rich-text runs (above, as it writes them)."""
    with zipfile.ZipFile(io.BytesIO((ROOT / "input" / "cooperation.xlsx").read_bytes())) as z:
        names = z.namelist()
        data = z.read(NAME) if NAME in names else None
    if data is None:
        pytest.skip("the sample keeps its text inline")
    assert _same(data)[0] == "control"
    assert _proven(data, monkeypatch)


def test_shared_strings_too_large_to_hold_whole_are_parsed_in_pieces(monkeypatch) -> None:
    from reporter.read import package
    from reporter.read.package import open_package

    held: list[int] = []
    real = package.check_shared_strings
    monkeypatch.setattr(package, "check_shared_strings",
                        lambda *a: held.append(1) or real(*a))
    found = {}
    for whole in (package.WHOLE_BYTES, 100):
        monkeypatch.setattr(package, "WHOLE_BYTES", whole)
        held.clear()
        with open_package(ROOT / "input" / "cooperation.xlsx") as book:
            book.check_parts()
            found[whole] = book.control_in_shared_strings
        assert bool(held) is (whole > 100)
    assert found[100] == found[package.WHOLE_BYTES]
