"""Small text helpers shared by every stage: cleaning, suggestions, safe file names."""

from __future__ import annotations

import difflib
import hashlib
import re
from collections.abc import Sequence

# C0 controls but tab and newline, DEL, C1 controls, lone surrogates, non-characters:
# none of them can be stored in an Office file.
_BAD_CHARS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff\ufffe\uffff]")


def clean_text(text: str) -> tuple[str, bool]:
    """Text with characters an Office file cannot hold removed; and whether any were."""
    if "\r" in text:
        text = text.replace("\r\n", "\n").replace("\r", "\n")
    cleaned = _BAD_CHARS.sub("", text)
    return cleaned, cleaned != text


def has_bad_chars(text: str) -> bool:
    """Whether text holds characters an Office file cannot (control characters...)."""
    return _BAD_CHARS.search(text) is not None


def printable(text: str) -> str:
    """Text safe to print to a terminal: control characters removed (a newline kept)."""
    if text.isprintable():
        return text
    return clean_text(text)[0]


def xml_safe(text: str) -> str:
    """Text that any XML part can carry (used by every writer)."""
    if text.isprintable():  # the common case, checked in C
        return text
    return clean_text(text)[0]


def did_you_mean(value: str, choices: list[str] | tuple[str, ...],
                 aliases: dict[str, str] | None = None) -> str | None:
    """The closest allowed value, for 'did you mean ...?' hints."""
    key = value.strip().casefold()
    if aliases and key in aliases:
        return aliases[key]
    folded = {c.casefold(): c for c in choices}
    for k, c in folded.items():
        if k.replace(" ", "") == key.replace(" ", ""):
            return c
    close = difflib.get_close_matches(key, list(folded), n=1, cutoff=0.6)
    if close:
        return folded[close[0]]
    starts = [c for k, c in folded.items() if key and (k.startswith(key) or key in k)]
    return starts[0] if len(starts) == 1 else None


# Plurals that do not just add an s.
_PLURALS = {"memorandum": "memorandums", "city": "cities", "strategic partnership":
            "strategic partnerships", "is": "are", "has": "have", "differs": "differ",
            "agrees": "agree", "disagrees": "disagree", "was": "were"}


def plural(word: str, n: int) -> str:
    """The word for n things: 'agreement', 'agreements'."""
    if n == 1:
        return word
    if word in _PLURALS:
        return _PLURALS[word]
    if " or " in word:  # 'file or folder' -> 'files or folders'
        return " or ".join(plural(w, n) for w in word.split(" or "))
    if " " in word:  # 'more open follow-up' -> 'more open follow-ups'
        head, _, last = word.rpartition(" ")
        return f"{head} {plural(last, n)}"
    return word + ("es" if word.endswith(("s", "sh", "ch", "x")) else "s")


def count(n: int, word: str) -> str:
    """'1 agreement', '3 agreements', 'no agreements'."""
    return f"no {plural(word, 0)}" if n == 0 else f"{n:,} {plural(word, n)}"


def and_list(items: Sequence[str]) -> str:
    """'a', 'a and b', 'a, b and c'."""
    items = list(items)
    if len(items) <= 1:
        return "".join(items)
    return ", ".join(items[:-1]) + " and " + items[-1]


_WINDOWS_RESERVED = {"con", "prn", "aux", "nul"} | {f"{p}{i}" for p in ("com", "lpt") for i in
                                                    range(1, 10)}


def safe_filename(name: str, *, max_length: int = 60, hashed: bool = False,
                  digits: int = 8) -> str:
    """A file name made from a Meeting ID that cannot leave the output folder.

    IDs that are already safe stay as they are (unless `hashed`); others get a short
    hash (`digits` long) so that two different IDs never share a folder.
    """
    slug = re.sub(r"[^A-Za-z0-9._-]+", "-", name).strip(".-")[:max_length]
    reserved = slug.split(".")[0].casefold() in _WINDOWS_RESERVED  # NUL.txt is reserved too
    if slug == name and slug and not reserved and not hashed:
        return slug
    digest = hashlib.sha1(name.encode("utf-8", "surrogatepass")).hexdigest()[:digits]
    return f"{'_' if reserved else ''}{slug or 'meeting'}-{digest}"
