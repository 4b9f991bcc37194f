"""How much room text takes in a spreadsheet cell: its width in characters, the lines it
wraps to in a column, the height of its row, and its longest unbreakable run.

Estimates, erring wide and tall: a cell too wide or a row too tall leaves space, one too
narrow or too short would hide text. Chinese (and other wide) characters count two.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any

#: Chinese, Japanese and Korean characters, and other characters as wide as two digits.
_WIDE_CHARS = (r"\u1100-\u115f\u2e80-\ua4cf\uac00-\ud7a3\uf900-\ufaff\ufe30-\ufe4f"
               r"\uff00-\uff60\uffe0-\uffe6\U00020000-\U0003fffd")
WIDE = re.compile(f"[{_WIDE_CHARS}]")


def display_width(value: Any) -> int:
    """Roughly how many character widths the text needs (Chinese characters count two)."""
    text = (value if isinstance(value, str) else str(value))[:120]
    if "\n" in text:
        text = max(text.split("\n"), key=len)
    return _width(text)


#: The height of a line of 11 pt text, in points (Excel's default row).
LINE = 15.0
#: Excel's tallest row, in points.
TALLEST = 409.5


def chars_per_line(width: float) -> int:
    # A line holds a little more than the width in text (letters are narrower than the
    # digit a width counts).
    return max(1, int(1.05 * width))


def cell_lines(text: str, per_line: int) -> int:
    """Roughly how many lines a text takes at per_line character widths a line: quick, for
    the rows of a table. A text with wide (Chinese, Japanese, Korean) characters is measured
    by its UTF-8 length, which counts such a character three, and takes five eighths of
    that with its length: 2.5 widths a character, as their glyphs are a little wider than two
    digits and lines that mix scripts break less evenly (too tall leaves space; too short
    would hide text). A text without them counts a letter one, accented or not, and a dash."""
    if "\n" in text:
        return sum(cell_lines(part, per_line) if part else 1 for part in text.split("\n"))
    if text.isascii():
        return max(1, -(-len(text) // per_line))
    if WIDE.search(text) is None:  # accents and dashes: one width each
        return max(1, -(-len(text) // per_line))
    n = (len(text) + len(text.encode("utf-8", "replace"))) * 5 // 8  # Chinese: 2.5 widths
    return max(1, -(-n // per_line))


def laid_out_lines(text: str | None, width: float) -> int:
    """How many lines a text takes wrapped in a column of width characters, laid out word
    by word: for a few cells (headers, a sheet's notes), where a line more or less shows."""
    if text is None or text == "":
        return 1
    per_line = max(1, int(1.1 * width))  # words laid out: only the letters' widths vary
    lines = 0
    for paragraph in text.split("\n"):
        lines += 1
        used = 0
        for word in paragraph.split():
            n = _width(word)
            if used and used + 1 + n <= per_line:
                used += 1 + n
                continue
            if used:
                lines += 1
            extra = -(-n // per_line) - 1  # a word longer than a line takes more
            lines += extra
            used = n - extra * per_line
    return lines


def _width(text: str) -> int:
    return len(text) if text.isascii() else len(text) + len(WIDE.findall(text))


def line_height(lines: int) -> float:
    """The height of a row of that many lines, in points: Excel's 15 for the first, and
    what a line of 11 pt takes in LibreOffice for the others (Excel fits the row itself)."""
    return min(TALLEST, LINE + 13.5 * (lines - 1))


def row_height(cells: Iterable[tuple[Any, float]]) -> float:
    """The height of a row that shows its wrapped text whole: (text, column width) pairs."""
    return line_height(max((laid_out_lines(None if t is None else str(t), w)
                            for t, w in cells), default=1))


#: A run of text a line cannot break: up to a space or a Chinese (or other wide)
#: character, where a line may break, or to just after a dash ('Shanghai–Suzhou'). Not
#: at a hyphen: IDs such as M-G60-2024 are kept whole.
_RUN = re.compile(rf"[^\s\u2013\u2014{_WIDE_CHARS}]+[\u2013\u2014]?")


#: Letters wider or narrower than the digit a column width counts (Calibri's advances).
_WIDE_LETTERS = dict.fromkeys("mwMW", 1.6) | dict.fromkeys("ABCDGHKNOQRUVXY@%&", 1.3) | (
    dict.fromkeys("ilj.,;:'|!", 0.5)) | dict.fromkeys("frtI()[]- ", 0.7)


def _word_units(word: str) -> float:
    return sum(_WIDE_LETTERS.get(ch, 1.0) for ch in word)


def longest_word(texts: Iterable[Any]) -> int:
    """The widest run of text a line cannot break, in character widths: a word, or the
    part of one between dashes (a Chinese character breaks anywhere and counts two).
    Words are weighed by their letters ('memorandum' is wider than ten digits)."""
    joined = "\n".join(t for t in texts if type(t) is str)
    if joined.isascii():
        words = set(joined.split())
        longest = max(map(len, words), default=0)
        return round(max((_word_units(w) for w in words if len(w) >= longest - 4),
                         default=0.0) + 0.49)
    widest = max(map(len, _RUN.findall(joined)), default=0)
    return max(widest, 2) if WIDE.search(joined) else widest
