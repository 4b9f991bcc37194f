"""One measurement, in its own process, printed as JSON (used by benchmarks/run.py).

    python -m benchmarks.measure floor-read  WORKBOOK
    python -m benchmarks.measure floor-write WORKBOOK
    python -m benchmarks.measure validate    WORKBOOK
    python -m benchmarks.measure reconcile   WORKBOOK
    python -m benchmarks.measure build       WORKBOOK OUT [--force]

Times exclude interpreter start-up and imports (which `run.py` measures separately
for the command line). Peak memory is the process's resident set, and its worker
processes' largest.
"""

from __future__ import annotations

import gc
import json
import resource
import sys
import tempfile
import time
from pathlib import Path


def _rss() -> dict[str, float]:
    own = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    workers = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    return {"rss_mib": round(own, 1), "workers_rss_mib": round(workers, 1)}


def floor_read(path: Path) -> dict:
    """Floor (a): python-calamine merely reading every sheet of the workbook to Python."""
    import python_calamine as pc

    start = time.perf_counter()
    book = pc.load_workbook(str(path))
    cells = 0
    for name in book.sheet_names:
        rows = book.get_sheet_by_name(name).to_python(skip_empty_area=False)
        cells += sum(len(r) for r in rows)
    seconds = time.perf_counter() - start
    return {"seconds": seconds, "cells": cells}


def floor_write(path: Path) -> dict:
    """Floor (b): xlsxwriter merely writing the workbook's cells into one sheet."""
    import python_calamine as pc
    import xlsxwriter

    book = pc.load_workbook(str(path))
    rows = [r for name in book.sheet_names
            for r in book.get_sheet_by_name(name).to_python(skip_empty_area=False)]
    with tempfile.TemporaryDirectory() as tmp:
        start = time.perf_counter()
        wb = xlsxwriter.Workbook(str(Path(tmp) / "floor.xlsx"), {"constant_memory": True})
        ws = wb.add_worksheet()
        written = 0
        for i, row in enumerate(rows):
            for j, value in enumerate(row):
                if value != "":
                    ws.write(i, j, value)
                    written += 1
        wb.close()
        seconds = time.perf_counter() - start
    return {"seconds": seconds, "cells": written}


def validate(path: Path) -> dict:
    from reporter.validate import validate_file

    start = time.perf_counter()
    result = validate_file(path)
    seconds = time.perf_counter() - start
    return {"seconds": seconds, "ok": result.report.ok, **result.report.stats}


def reconcile(path: Path) -> dict:
    from reporter.facts import load_facts
    from reporter.reconcile import reconcile as run
    from reporter.validate import validate_file

    start = time.perf_counter()
    facts = load_facts()
    result = validate_file(path, sources=list(facts.sources))
    mid = time.perf_counter()
    gc.disable()
    outcome = run(result.workbook, facts)
    end = time.perf_counter()
    return {"seconds": end - start, "reconcile_only": end - mid, "summary": outcome.summary}


def build(path: Path, out: Path, force: bool) -> dict:
    from reporter.build import build as run

    start = time.perf_counter()
    result = run(path, out, force=force)
    seconds = time.perf_counter() - start
    return {"seconds": seconds, "phases": result.timings, "meetings": len(result.meetings),
            "reused": sum(m.reused for m in result.meetings), "up_to_date": result.up_to_date}


def main(argv: list[str]) -> None:
    what, path = argv[0], Path(argv[1])
    if what == "floor-read":
        out = floor_read(path)
    elif what == "floor-write":
        out = floor_write(path)
    elif what == "validate":
        out = validate(path)
    elif what == "reconcile":
        out = reconcile(path)
    elif what == "build":
        out = build(path, Path(argv[2]), "--force" in argv)
    else:
        raise SystemExit(f"unknown measurement {what!r}")
    print(json.dumps({**out, **_rss()}))


if __name__ == "__main__":
    main(sys.argv[1:])
