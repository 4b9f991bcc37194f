"""Render docs/briefing-page-1.png and -2.png, the README's pictures of a real briefing.

Builds the sample workbook, converts one briefing to PDF with LibreOffice and its first
two pages to PNG with pdftoppm (Debian: libreoffice-writer-nogui, poppler-utils).
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

MEETING = "M-SUZHOU"  # purpose, figures, follow-ups and participants: most sections


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "reports"
        build(ROOT / "input" / "cooperation.xlsx", out, meetings=[MEETING])
        docx = out / MEETING / f"{MEETING}-briefing.docx"
        errors = to_pdf([docx], Path(tmp))
        if errors:
            sys.exit("; ".join(errors))
        for page in (1, 2):
            subprocess.run(["pdftoppm", "-png", "-r", "70", "-f", str(page), "-l", str(page),
                            "-singlefile", str(Path(tmp) / f"{MEETING}-briefing.pdf"),
                            str(Path(tmp) / "page")], check=True)
            target = ROOT / "docs" / f"briefing-page-{page}.png"
            target.parent.mkdir(exist_ok=True)
            shutil.copyfile(Path(tmp) / "page.png", target)
            print(f"wrote {target.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
