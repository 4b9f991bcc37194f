"""`make bench`: how fast reporter is, against floors measured in the same run.

For each size it measures, every step in a fresh process:
  floor (a)  python-calamine merely reading the workbook
  floor (b)  xlsxwriter merely writing the same number of cells into one sheet
  validate   reporter's validation (read + checks)
  reconcile  validation plus reconciliation
  build      a full build (--force): every briefing and summary, portfolio, manifest
  rebuild    a second build with nothing changed
and prints them with the ratios the project aims for. Results also go to JSON.

    python -m benchmarks.run                       # small, large, xlarge
    python -m benchmarks.run --sizes small large   # a selection
    python -m benchmarks.run --repeat 1            # one run of each step (default: best of 3)
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
SIZES = {
    "tiny": {"meetings": 5, "agreements": 400, "metrics": 40},  # the smoke test's size
    "small": None,  # the sample workbook
    "large": {"meetings": 50, "agreements": 100_000, "metrics": 2_500},
    "xlarge": {"meetings": 100, "agreements": 200_000, "metrics": 5_000},
}
TARGETS = {
    "validate / floor a (large)": 1.5,
    "build / (floor a + floor b) (large)": 1.0,
    "build xlarge / build large": 2.1,
    "peak memory of a large build, MiB": 600,
    "reporter --help, s": 0.35,
    "build of the sample, s": 2.0,
    "rebuild unchanged / build (large)": 0.2,
}


def workbook_for(size: str, seed: int, revision: int = 0) -> Path | None:
    """The workbook for a size (generated once, then kept in benchmarks/out/)."""
    if SIZES[size] is None:
        return None if revision else ROOT / "input" / "cooperation.xlsx"
    from benchmarks.generate import generate

    spec = SIZES[size]
    folder = OUT / f"r{revision}" if revision else OUT
    path = folder / (f"{size}-{spec['meetings']}-{spec['agreements']}-{spec['metrics']}-"
                     f"{seed}.xlsx")  # the same name: briefings print the workbook's name
    if not path.exists():
        print(f"generating {path.relative_to(OUT)} ...", file=sys.stderr, flush=True)
        folder.mkdir(parents=True, exist_ok=True)
        generate(path, seed=seed, revision=revision, **spec)
    return path


def measure(*args: str) -> dict:
    proc = subprocess.run([sys.executable, "-m", "benchmarks.measure", *args], cwd=ROOT,
                          capture_output=True, text=True)
    if proc.returncode != 0:
        raise SystemExit(f"measurement {args[0]} failed:\n{proc.stderr}")
    return json.loads(proc.stdout.strip().splitlines()[-1])


def best(repeat: int, *args: str) -> dict:
    runs = [measure(*args) for _ in range(repeat)]
    return min(runs, key=lambda r: r["seconds"])


def cli_seconds(args: list[str], repeat: int = 5) -> float:
    """The median wall time of a `reporter` command, start-up included."""
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        subprocess.run([sys.executable, "-m", "reporter", *args], cwd=ROOT,
                       capture_output=True, check=False)
        times.append(time.perf_counter() - start)
    return statistics.median(times)


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


def run(sizes: list[str], repeat: int, seed: int) -> dict:
    results: dict = {"machine": machine(), "sizes": {}}
    for size in sizes:
        path = workbook_for(size, seed)
        print(f"measuring {size} ({path.name}) ...", file=sys.stderr, flush=True)
        r: dict = {"workbook": path.name, "bytes": path.stat().st_size}
        r["floor_a"] = best(repeat, "floor-read", str(path))
        r["floor_b"] = best(repeat, "floor-write", str(path))
        r["validate"] = best(repeat, "validate", str(path))
        r["reconcile"] = best(repeat, "reconcile", str(path))
        with tempfile.TemporaryDirectory() as tmp:
            out = Path(tmp) / "reports"
            r["build"] = best(repeat, "build", str(path), str(out), "--force")
            r["rebuild"] = measure("build", str(path), str(out))
            changed = workbook_for(size, seed, revision=1)
            if changed is not None:
                r["rebuild_one_changed"] = measure("build", str(changed), str(out))
        results["sizes"][size] = r
    results["cli"] = {"help_seconds": cli_seconds(["--help"])}
    if "small" in sizes:
        with tempfile.TemporaryDirectory() as tmp:
            results["cli"]["build_sample_seconds"] = cli_seconds(
                ["build", "input/cooperation.xlsx", "--out", str(Path(tmp) / "r"), "--force",
                 "-q"], repeat=3)
    results["ratios"] = ratios(results)
    return results


def ratios(results: dict) -> dict:
    s = results["sizes"]
    out = {}
    if "large" in s:
        large = s["large"]
        a, b = large["floor_a"]["seconds"], large["floor_b"]["seconds"]
        out["validate / floor a (large)"] = large["validate"]["seconds"] / a
        out["build / (floor a + floor b) (large)"] = large["build"]["seconds"] / (a + b)
        out["peak memory of a large build, MiB"] = max(large["build"]["rss_mib"],
                                                     large["build"]["workers_rss_mib"])
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
    lines = [f"Machine: {m['cpu']}, {m['cores']} cores, {m['memory']}; Python {m['python']}",
             "", "| size | floor a (read) | floor b (write) | validate | reconcile | build | "
             "rebuild (unchanged) | rebuild (one meeting changed) | peak RSS |",
             "|---|---|---|---|---|---|---|---|---|"]
    for size, r in results["sizes"].items():
        build = r["build"]
        one = (f"{r['rebuild_one_changed']['seconds']:.2f} s "
               f"({r['rebuild_one_changed']['reused']} reused)" if "rebuild_one_changed" in r
               else "-")
        lines.append(
            f"| {size} | {r['floor_a']['seconds']:.2f} s | {r['floor_b']['seconds']:.2f} s | "
            f"{r['validate']['seconds']:.2f} s | {r['reconcile']['seconds']:.2f} s | "
            f"{build['seconds']:.2f} s | {r['rebuild']['seconds']:.2f} s | "
            f"{one} | {max(build['rss_mib'], build['workers_rss_mib']):.0f} MiB |")
    lines += ["", "Build phases (seconds; render_docx and render_xlsx are CPU time summed over "
              "worker processes):", ""]
    phase_names = ["read", "validate", "reconcile", "prepare", "render", "render_docx",
                   "render_xlsx", "portfolio", "write"]
    lines.append("| size | " + " | ".join(phase_names) + " |")
    lines.append("|---|" + "---|" * len(phase_names))
    for size, r in results["sizes"].items():
        ph = r["build"]["phases"]
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
    p.add_argument("--sizes", nargs="+", default=["small", "large", "xlarge"],
                   choices=list(SIZES))
    p.add_argument("--repeat", type=int, default=3,
                   help="best of N runs for each step (shared machines are noisy)")
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
