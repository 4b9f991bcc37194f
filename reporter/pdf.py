"""PDFs of briefings, made by headless LibreOffice (`soffice`), when `--pdf` asks for them."""

from __future__ import annotations

import contextlib
import shutil
import subprocess
import tempfile
from collections.abc import Callable
from pathlib import Path

#: Generous: a briefing converts in a few seconds, one with very long cells in about 20.
TIMEOUT = 300

NOT_INSTALLED = ("--pdf: LibreOffice (soffice) is not on PATH, so no PDFs were made. Install it "
                 "(Debian/Ubuntu: apt-get install libreoffice-writer-nogui) and build again.")


def soffice() -> str | None:
    return shutil.which("soffice") or shutil.which("libreoffice")


def pdf_name(docx_rel: str) -> str:
    return docx_rel[:-len(".docx")] + ".pdf"


def to_pdf(files: list[Path], outdir: Path, *, timeout: int = TIMEOUT) -> list[str]:
    """Convert Office files to PDF with headless LibreOffice; return its error lines."""
    from .build import _die_with_parent

    exe = soffice()
    if exe is None:
        return ["LibreOffice (soffice) is not on PATH"]
    with tempfile.TemporaryDirectory(prefix="reporter-lo-") as profile:
        cmd = [exe, f"-env:UserInstallation=file://{profile}", "--headless", "--norestore",
               "--convert-to", "pdf", "--outdir", str(outdir), *map(str, files)]
        try:
            proc = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout,
                                  preexec_fn=_die_with_parent)
        except subprocess.TimeoutExpired:
            return [f"LibreOffice took longer than {timeout} s"]
    errors = [ln for ln in (proc.stdout + proc.stderr).splitlines()
              if "error" in ln.lower() and "warning" not in ln.lower()]
    if proc.returncode != 0:
        errors.append(f"soffice exited with {proc.returncode}")
    for f in files:
        if not (outdir / f"{f.stem}.pdf").is_file():
            errors.append(f"no PDF was made from {f.name}")
    return errors


def convert(staging: Path, todo: list[tuple[str, str]],
            say: Callable[..., None]) -> tuple[list[str], list[str]]:
    """Make a PDF beside each (meeting id, briefing path) in staging, one by one.

    Returns the PDFs made (paths relative to staging) and a note per failure; a PDF
    LibreOffice left half-made is removed, so nothing unlisted reaches the folder.
    """
    if not todo:
        return [], []
    if soffice() is None:
        return [], [NOT_INSTALLED]
    made, notes = [], []
    say("pdfs", total=len(todo))
    for mid, rel in todo:
        say("pdf", meeting_id=mid)  # before the conversion, which is the long part
        docx = staging / rel
        errors = to_pdf([docx], docx.parent)
        if errors:
            notes.append(f"--pdf: {mid}: " + "; ".join(errors))
            with contextlib.suppress(OSError):
                (staging / pdf_name(rel)).unlink()
        else:
            made.append(pdf_name(rel))
    return made, notes
