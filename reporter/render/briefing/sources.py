"""Citations in a briefing: one number per article, its paragraphs listed once at the end."""

from __future__ import annotations

from ...facts import Source
from .words import and_list


class Citations:
    """[1], [2] ... in order of first citation; each article's paragraphs collected."""

    def __init__(self, sources: dict[str, Source]):
        self.sources = sources
        self.numbers: dict[str, int] = {}
        self.paragraphs: dict[str, set[int]] = {}

    def cite(self, source: str | None, paragraph: int | None = None) -> str:
        """'[2]' for a source the briefing may cite; '' for any other."""
        if not source or source not in self.sources:
            return ""
        n = self.numbers.setdefault(source, len(self.numbers) + 1)
        if paragraph:
            self.paragraphs.setdefault(source, set()).add(paragraph)
        return f"[{n}]"

    def lines(self) -> list[tuple[int, str]]:
        """Every cited article: '"Title", by ... SHINE (Shanghai Daily), 29 April 2024.
        Paragraphs 5, 7 and 8.'"""
        out = []
        for source, n in self.numbers.items():
            s = self.sources[source]
            title = f"“{s.title}”" if s.title_stated else f"{s.title} (no headline)"
            byline = f", by {s.byline}" if s.byline and not s.byline.startswith("photo") else ""
            outlet = s.outlet or "Outlet not named"
            date = s.date.describe() if not s.date.is_empty() else "date not stated"
            paragraphs = sorted(self.paragraphs.get(source, ()))
            where = (f" {'Paragraph' if len(paragraphs) == 1 else 'Paragraphs'} "
                     f"{and_list([str(p) for p in paragraphs])}." if paragraphs else "")
            out.append((n, f"{title}{byline}. {outlet}, {date}.{where}"))
        return out
