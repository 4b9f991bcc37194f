"""Render docs/briefing-page.png, the README's picture of a real briefing page.

Builds the sample workbook, converts one briefing to PDF with LibreOffice and the
first page to PNG with pdftoppm (Debian: libreoffice-writer-nogui, poppler-utils).
Run with `make readme-image`.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from reporter.build import build, to_pdf  # noqa: E402

MEETING = "M-G60-2024"


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "reports"
        build(ROOT / "input" / "cooperation.xlsx", out, meetings=[MEETING])
        docx = out / MEETING / f"{MEETING}-briefing.docx"
        errors = to_pdf([docx], Path(tmp))
        if errors:
            sys.exit("; ".join(errors))
        subprocess.run(["pdftoppm", "-png", "-r", "80", "-f", "1", "-l", "1", "-singlefile",
                        str(Path(tmp) / f"{MEETING}-briefing.pdf"), str(Path(tmp) / "page")],
                       check=True)
        target = ROOT / "docs" / "briefing-page.png"
        target.parent.mkdir(exist_ok=True)
        shutil.copyfile(Path(tmp) / "page.png", target)
        print(f"wrote {target.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
