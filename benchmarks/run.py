"""`make bench`: how fast reporter is, against floors measured in the same run.

Every step is a whole process, timed from outside (interpreter start-up and imports
included), and reported as the median of three runs:

  floor (a)   python-calamine merely reading every sheet of the workbook
  floor (b)   xlsxwriter merely writing the same number of cells into one sheet
              (timed inside its process, without reading the cells: the part a build
              cannot avoid)
  validate    reporter validate WORKBOOK --format json
  reconcile   reporter reconcile WORKBOOK --format json
  build       reporter build WORKBOOK --force --quiet
  rebuild     the same build again, nothing changed; and with one meeting changed

Sizes: small (the sample), large and xlarge (benchmarks/generate.py),
large-independent: a workbook of the large size written another way
(benchmarks/independent.py), and large-libreoffice: that workbook saved again by
LibreOffice (shared strings, LibreOffice's own XML), which the code was never profiled
on; skipped, saying so, where LibreOffice is not installed. Results also go to
benchmarks/out/results.json; one in-process build per size gives its phases.

    python -m benchmarks.run                                # every size
    python -m benchmarks.run --sizes small large --repeat 5
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "benchmarks" / "out"
LARGE = {"meetings": 50, "agreements": 100_000, "metrics": 2_500}
SIZES: dict[str, dict | None] = {
    "tiny": {"meetings": 5, "agreements": 400, "metrics": 40},  # the smoke test's size
    "small": None,  # the sample workbook
    "large": LARGE,
    "large-independent": {**LARGE, "independent": True},
    "large-libreoffice": {**LARGE, "independent": True, "resaved": True},
    "xlarge": {"meetings": 100, "agreements": 200_000, "metrics": 5_000},
}
DEFAULT_SIZES = ["small", "large", "large-independent", "large-libreoffice", "xlarge"]
#: The sizes whose validate is held to the target against floor a.
VALIDATED = ("large", "large-independent", "large-libreoffice")
TARGETS = {
    "validate / floor a (large)": 1.5,
    "validate / floor a (large-independent)": 1.5,
    "validate / floor a (large-libreoffice)": 1.5,
    "build / (floor a + floor b) (large)": 1.0,
    "build xlarge / build large": 2.1,
    "peak memory of a large build, MiB": 600,
    "reporter --help, s": 0.35,
    "build of the sample, s": 2.0,
    "rebuild unchanged / build (large)": 0.2,
}
_READ = ("import sys, python_calamine as pc\n"
         "book = pc.load_workbook(sys.argv[1])\n"
         "for name in book.sheet_names:\n"
         "    book.get_sheet_by_name(name).to_python(skip_empty_area=False)\n")


def workbook_for(size: str, seed: int, revision: int = 0) -> Path | None:
    """The workbook for a size (generated once, then kept in benchmarks/out/); None for a
    changed revision of one that has none, or one LibreOffice would make but cannot."""
    spec = SIZES[size]
    if spec is None:
        return None if revision else ROOT / "input" / "cooperation.xlsx"
    spec = dict(spec)
    independent = spec.pop("independent", False)
    resaved = spec.pop("resaved", False)
    if independent and revision:
        return None
    folder = OUT / f"r{revision}" if revision else OUT
    kind = "libreoffice" if resaved else "independent" if independent else size
    path = folder / (f"{kind}-{spec['meetings']}-{spec['agreements']}-{spec['metrics']}-"
                     f"{seed}.xlsx")  # the same name in r1/: briefings print the workbook's name
    if not path.exists():
        print(f"generating {path.relative_to(OUT)} ...", file=sys.stderr, flush=True)
        folder.mkdir(parents=True, exist_ok=True)
        if resaved:
            source = workbook_for("large-independent", seed)
            assert source is not None
            return _resaved(source, path)
        if independent:
            from benchmarks.independent import generate as write
            write(path, seed=seed + 6, **spec)
        else:
            from benchmarks.generate import generate
            generate(path, seed=seed, revision=revision, **spec)
    return path


def _resaved(source: Path, path: Path) -> Path | None:
    """`source` opened and saved again by headless LibreOffice, as `path`; None (said) when
    LibreOffice is not installed or fails."""
    from reporter.pdf import soffice

    exe = soffice()
    if exe is None:
        print("LibreOffice (soffice) is not installed: large-libreoffice is skipped",
              file=sys.stderr)
        return None
    with tempfile.TemporaryDirectory(prefix="bench-lo-") as tmp:
        proc = subprocess.run(
            [exe, f"-env:UserInstallation=file://{tmp}/profile", "--headless", "--norestore",
             "--convert-to", "xlsx:Calc MS Excel 2007 XML", "--outdir", tmp, str(source)],
            capture_output=True, text=True, timeout=900)
        made = Path(tmp) / source.name
        if proc.returncode != 0 or not made.is_file():
            print(f"LibreOffice could not save {source.name} again: large-libreoffice is "
                  f"skipped\n{proc.stderr}", file=sys.stderr)
            return None
        made.replace(path)
    return path


def whole(args: list[str], repeat: int) -> dict:
    """A command as a whole process: the median wall time of `repeat` runs, and the largest
    resident set of the process and the workers it waited for."""
    runs, peaks = [], []
    for _ in range(repeat):
        start = time.perf_counter()
        proc = subprocess.Popen(args, cwd=ROOT, stdout=subprocess.DEVNULL,
                                stderr=subprocess.PIPE)
        _, status, usage = os.wait4(proc.pid, 0)
        runs.append(time.perf_counter() - start)
        peaks.append(usage.ru_maxrss / 1024)
        code = proc.returncode = os.waitstatus_to_exitcode(status)  # reaped here, not by Popen
        if code not in (0, 1):
            raise SystemExit(f"{' '.join(args)} failed ({code}):\n"
                             f"{proc.stderr.read().decode() if proc.stderr else ''}")
        if proc.stderr:
            proc.stderr.close()
    return {"seconds": statistics.median(runs), "runs": runs, "rss_mib": max(peaks)}


def alternately(first: list[str], second: list[str], repeat: int) -> tuple[dict, dict]:
    """Two commands run in turn, `repeat` times each, each measured as `whole` does."""
    runs: tuple[list[dict], list[dict]] = ([], [])
    for _ in range(repeat):
        runs[0].append(whole(first, 1))
        runs[1].append(whole(second, 1))
    return _together(runs[0]), _together(runs[1])


def _together(measured: list[dict]) -> dict:
    runs = [m["runs"][0] for m in measured]
    return {"seconds": statistics.median(runs), "runs": runs,
            "rss_mib": max(m["rss_mib"] for m in measured)}


def in_process(*args: str) -> dict:
    proc = subprocess.run([sys.executable, "-m", "benchmarks.measure", *args], cwd=ROOT,
                          capture_output=True, text=True)
    if proc.returncode != 0:
        raise SystemExit(f"measurement {args[0]} failed:\n{proc.stderr}")
    return json.loads(proc.stdout.strip().splitlines()[-1])


def reporter(*args: str) -> list[str]:
    return [sys.executable, "-m", "reporter", *args]


def machine() -> dict:
    cpu = platform.processor() or ""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    mem = ""
    try:
        kb = int(Path("/proc/meminfo").read_text().split()[1])
        mem = f"{kb / 2**20:.0f} GiB"
    except (OSError, ValueError, IndexError):
        pass
    return {"cpu": cpu, "cores": os.cpu_count(), "memory": mem,
            "python": platform.python_version(), "system": platform.platform()}


def measure_size(size: str, repeat: int, seed: int) -> dict | None:
    path = workbook_for(size, seed)
    if path is None:  # LibreOffice is not installed: said where it was found missing
        return None
    print(f"measuring {size} ({path.name}) ...", file=sys.stderr, flush=True)
    wb = str(path)
    r: dict = {"workbook": path.name, "bytes": path.stat().st_size}
    # Floor (a) and validate in turn, so that the ratio compares runs made in the same
    # conditions (what ran just before, the machine's load at the time).
    r["floor_a"], r["validate"] = alternately([sys.executable, "-c", _READ, wb],
                                              reporter("validate", wb, "--format", "json"),
                                              repeat)
    r["floor_b"] = statistics.median(in_process("floor-write", wb)["seconds"]
                                     for _ in range(repeat))
    r["reconcile"] = whole(reporter("reconcile", wb, "--format", "json"), repeat)
    with tempfile.TemporaryDirectory() as tmp:
        out = str(Path(tmp) / "reports")
        r["build"] = whole(reporter("build", wb, "--out", out, "--force", "--quiet"), repeat)
        r["rebuild"] = whole(reporter("build", wb, "--out", out, "--quiet"), repeat)
        changed = workbook_for(size, seed, revision=1)
        if changed is not None:
            r["rebuild_one_changed"] = whole(
                reporter("build", str(changed), "--out", out, "--quiet"), 1)
    with tempfile.TemporaryDirectory() as tmp:
        r["phases"] = in_process("build", wb, str(Path(tmp) / "reports"), "--force")["phases"]
    return r


def run(sizes: list[str], repeat: int, seed: int) -> dict:
    results: dict = {"machine": machine(), "repeat": repeat, "sizes": {}}
    for size in sizes:
        measured = measure_size(size, repeat, seed)
        if measured is not None:
            results["sizes"][size] = measured
    results["cli"] = {"help_seconds": whole(reporter("--help"), 5)["seconds"]}
    if "small" in sizes:
        with tempfile.TemporaryDirectory() as tmp:
            results["cli"]["build_sample_seconds"] = whole(reporter(
                "build", "input/cooperation.xlsx", "--out", str(Path(tmp) / "r"), "--force",
                "-q"), repeat)["seconds"]
    results["ratios"] = ratios(results)
    return results


def ratios(results: dict) -> dict:
    s = results["sizes"]
    out = {}
    for size in VALIDATED:
        if size in s:
            out[f"validate / floor a ({size})"] = (s[size]["validate"]["seconds"]
                                                  / s[size]["floor_a"]["seconds"])
    if "large" in s:
        large = s["large"]
        a, b = large["floor_a"]["seconds"], large["floor_b"]
        out["build / (floor a + floor b) (large)"] = large["build"]["seconds"] / (a + b)
        out["peak memory of a large build, MiB"] = large["build"]["rss_mib"]
        out["rebuild unchanged / build (large)"] = (large["rebuild"]["seconds"]
                                                    / large["build"]["seconds"])
        if "rebuild_one_changed" in large:
            out["rebuild, one meeting changed / build (large)"] = (
                large["rebuild_one_changed"]["seconds"] / large["build"]["seconds"])
        if "xlarge" in s:
            out["build xlarge / build large"] = (s["xlarge"]["build"]["seconds"]
                                                 / large["build"]["seconds"])
    out["reporter --help, s"] = results["cli"]["help_seconds"]
    if "build_sample_seconds" in results["cli"]:
        out["build of the sample, s"] = results["cli"]["build_sample_seconds"]
    return out


def report(results: dict) -> str:
    m = results["machine"]
    lines = [f"Machine: {m['cpu']}, {m['cores']} cores, {m['memory']}; Python {m['python']}. "
             f"Whole processes, median of {results['repeat']} runs.", "",
             "| size | floor a (read) | floor b (write) | validate | reconcile | build | "
             "rebuild (unchanged) | rebuild (one meeting changed) | peak RSS of the build |",
             "|---|---|---|---|---|---|---|---|---|"]
    for size, r in results["sizes"].items():
        one = (f"{r['rebuild_one_changed']['seconds']:.2f} s" if "rebuild_one_changed" in r
               else "-")
        lines.append(
            f"| {size} | {r['floor_a']['seconds']:.2f} s | {r['floor_b']:.2f} s | "
            f"{r['validate']['seconds']:.2f} s | {r['reconcile']['seconds']:.2f} s | "
            f"{r['build']['seconds']:.2f} s | {r['rebuild']['seconds']:.2f} s | {one} | "
            f"{r['build']['rss_mib']:.0f} MiB |")
    lines += ["", "Build phases, in one process (seconds; render_docx and render_xlsx are CPU "
              "time summed over worker processes):", ""]
    phase_names = ["read", "validate", "reconcile", "prepare", "render", "render_docx",
                   "render_xlsx", "portfolio", "write"]
    lines.append("| size | " + " | ".join(phase_names) + " |")
    lines.append("|---|" + "---|" * len(phase_names))
    for size, r in results["sizes"].items():
        ph = r["phases"]
        lines.append(f"| {size} | " + " | ".join(f"{ph.get(p, 0):.2f}" for p in phase_names)
                     + " |")
    lines += ["", "| measure | value | target | met |", "|---|---|---|---|"]
    for name, value in results["ratios"].items():
        target = TARGETS.get(name)
        met = "-" if target is None else ("yes" if value <= target else "no")
        fmt = f"{value:.0f}" if "MiB" in name else f"{value:.2f}"
        lines.append(f"| {name} | {fmt} | {'-' if target is None else target} | {met} |")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> None:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--sizes", nargs="+", default=DEFAULT_SIZES, choices=list(SIZES))
    p.add_argument("--repeat", type=int, default=3,
                   help="runs of each step; the median is reported (default 3)")
    p.add_argument("--seed", type=int, default=1)
    p.add_argument("--json", type=Path, default=OUT / "results.json",
                   help="where to write the results as JSON")
    a = p.parse_args(argv)
    results = run(a.sizes, a.repeat, a.seed)
    a.json.parent.mkdir(parents=True, exist_ok=True)
    a.json.write_text(json.dumps(results, indent=2) + "\n", encoding="utf-8")
    print(report(results))
    print(f"\nResults: {a.json}", file=sys.stderr)


if __name__ == "__main__":
    main()
