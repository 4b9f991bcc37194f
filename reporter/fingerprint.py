"""What decides the bytes of the files reporter writes, besides its inputs.

Builds are incremental: a meeting whose inputs hash is unchanged is not rendered
again. So the hash must change whenever the output could: with reporter's own code
(a digest of every file in the package, not merely its version string), with the
libraries that write the files, and with the Python version. Each is worked out
once per process, and only when a build asks (never at `reporter --help`).
"""

from __future__ import annotations

import hashlib
import os
import sys
from functools import cache
from pathlib import Path

#: The libraries whose versions decide the bytes of briefings, summaries and copies.
LIBRARIES = ("xlsxwriter", "python-docx", "openpyxl", "lxml", "pillow")

PACKAGE = Path(__file__).resolve().parent


@cache
def code_digest() -> str:
    """sha256 over every file of the reporter package: about a millisecond."""
    return package_digest(PACKAGE)


def package_digest(root: Path) -> str:
    """sha256 over every file below root (path and bytes), compiled files aside."""
    h = hashlib.sha256()
    for folder, dirs, files in os.walk(root):
        dirs[:] = sorted(d for d in dirs if d != "__pycache__")
        for name in sorted(files):
            if name.endswith((".pyc", ".pyo")):
                continue
            path = Path(folder) / name
            rel = path.relative_to(root).as_posix()
            data = path.read_bytes()
            h.update(f"{rel}\0{len(data)}\0".encode("utf-8", "surrogateescape"))
            h.update(data)
    return h.hexdigest()


@cache
def library_versions() -> dict[str, str]:
    """The installed version of each library in LIBRARIES ("" if it is not installed)."""
    from importlib.metadata import PackageNotFoundError, version

    out = {}
    for name in LIBRARIES:
        try:
            out[name] = version(name)
        except PackageNotFoundError:
            out[name] = ""
    return out


def python_version() -> str:
    return ".".join(map(str, sys.version_info[:2]))


def tool_fingerprint() -> str:
    """One line that changes whenever reporter's code, its writers or Python change."""
    libs = ",".join(f"{k}={v}" for k, v in sorted(library_versions().items()))
    return f"{code_digest()}|{libs}|{python_version()}"
