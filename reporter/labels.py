"""Words a reader sees, each able to carry a name per language.

English is written now; a Chinese name can be added beside it without touching
the code that shows the label (`label.text("zh")` falls back to English).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

Language = Literal["en", "zh"]
LANGUAGES: tuple[Language, ...] = ("en", "zh")


@dataclass(frozen=True, slots=True)
class Label:
    """A label in English, and optionally in Chinese."""

    en: str
    zh: str | None = None

    def text(self, language: Language = "en") -> str:
        if language == "zh" and self.zh:
            return self.zh
        return self.en

    def __str__(self) -> str:
        return self.en
