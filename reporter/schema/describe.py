"""The format, described for people: the README's format tables, made from the declaration.

    python -m reporter.schema.describe README.md    # rewrite the README's tables in place

`tests/test_docs.py` fails when the README's tables differ from what this writes.
"""

from __future__ import annotations

import sys
from pathlib import Path

from .columns import Column, Kind, Sheet
from .lists import LISTS
from .sheets import DATA_SHEETS

BEGIN = "<!-- format tables: generated from reporter/schema by `make readme-tables` -->"
END = "<!-- end of format tables -->"


def markdown(sheets: tuple[Sheet, ...] = DATA_SHEETS) -> str:
    """One table per sheet: column, required, what to type."""
    parts = []
    for sheet in sheets:
        optional = "" if sheet.required else " (optional sheet)"
        parts.append(f"### {sheet.name}{optional}\n\n{sheet.help}\n\n"
                     "| column | required | what to type |\n|---|---|---|\n"
                     + "".join(f"| {c.header} | {'yes' if c.required else ''} | {_what(c)} |\n"
                               for c in sheet.columns))
    return "\n".join(parts)


def _what(c: Column) -> str:
    text = c.help.replace("|", "\\|")
    if c.kind in (Kind.CHOICE, Kind.CHOICES) and c.vocabulary:
        values = LISTS[c.vocabulary].values
        if len(values) > 8:
            text += f" From the {c.vocabulary} list (Lists sheet)."
        else:
            several = "One or more" if c.kind is Kind.CHOICES else "One"
            text += f" {several} of: {', '.join(f'`{v}`' for v in values)}."
    return text


def rewrite(readme: Path) -> bool:
    """Put the current tables between the README's markers; whether anything changed."""
    text = readme.read_text(encoding="utf-8")
    start, end = text.index(BEGIN) + len(BEGIN), text.index(END)
    new = text[:start] + "\n\n" + markdown() + "\n" + text[end:]
    if new != text:
        readme.write_text(new, encoding="utf-8")
    return new != text


def section(readme_text: str) -> str:
    """What the README holds between the markers."""
    start, end = readme_text.index(BEGIN) + len(BEGIN), readme_text.index(END)
    return readme_text[start:end].strip("\n")


if __name__ == "__main__":  # pragma: no cover - a maintainer's command
    changed = rewrite(Path(sys.argv[1] if len(sys.argv) > 1 else "README.md"))
    print("README tables rewritten" if changed else "README tables already current")
