"""Build: validate, reconcile, and write a briefing and a summary for every meeting.

The whole reports folder is written into a staging folder beside it and swapped
in only when every file is complete (see `write.OutputFolder`), so a failure or
a kill leaves the previous reports as they were. Meetings whose inputs have not
changed since the last build are not rendered again: their files are reused
(hard-linked) from the previous folder, which gives the same bytes. Large builds
render meetings in parallel processes; the files are identical to a serial build.
"""

from __future__ import annotations

import contextlib
import ctypes
import datetime as dt
import gc
import hashlib
import io
import json
import os
import pickle
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import zipfile
from collections.abc import Callable, Iterable
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any

from . import __version__
from .errors import InputError, MismatchFound, OutputError, UsageError, WorkbookInvalid
from .facts import FactBase, load_facts
from .read import read_workbook
from .read.template import read_template
from .reconcile import Reconciliation, reconcile
from .render import MeetingBriefing, Provenance
from .schema import READ_SHEETS
from .text import did_you_mean, safe_filename
from .validate import Report, paused_gc, validate_workbook
from .write import OutputFolder, normalise_zip, pinned_time, sha256_file

MANIFEST = "manifest.json"
PORTFOLIO = "portfolio-summary.xlsx"
DEFAULT_TEMPLATE = Path("templates") / "briefing.docx"
#: Below this many rows to render, starting worker processes costs more than it saves.
PARALLEL_THRESHOLD = 4000

Progress = Callable[..., None]


@dataclass(slots=True)
class MeetingResult:
    meeting_id: str
    folder: str
    files: list[str]
    summary: dict[str, int]
    reused: bool


@dataclass(slots=True)
class BuildResult:
    out: Path
    meetings: list[MeetingResult]
    manifest: dict[str, Any]
    #: None when nothing had changed since the last build (see `up_to_date`)
    report: Report | None
    reconciliation: Reconciliation | None
    timings: dict[str, float] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)
    up_to_date: bool = False

    @property
    def warnings(self) -> int:
        if self.report is not None:
            return len(self.report.warnings)
        return int(self.manifest.get("validation", {}).get("warnings", 0))


def default_template() -> Path:
    """templates/briefing.docx when run from a project folder, else the copy in the package."""
    if DEFAULT_TEMPLATE.is_file():
        return DEFAULT_TEMPLATE
    return Path(str(resources.files("reporter.render") / "data" / "briefing.docx"))


def build(
    workbook: Path | str,
    out: Path | str = Path("reports"),
    *,
    meetings: Iterable[str] | None = None,
    strict: bool = False,
    pdf: bool = False,
    force: bool = False,
    facts_files: Iterable[Path] = (),
    template: Path | None = None,
    jobs: int | None = None,
    progress: Progress | None = None,
) -> BuildResult:
    """Build every meeting's briefing and summary, the portfolio and the manifest into out."""
    say = progress or (lambda *a, **k: None)
    timings: dict[str, float] = {}
    workbook, out = Path(workbook), Path(out)
    template = Path(template) if template is not None else default_template()
    facts_files = [Path(p) for p in facts_files]
    clock = time.perf_counter()

    facts = load_facts(facts_files)
    read_template(template)  # checked and cleaned once; render loads the cleaned copy
    _check_paths(workbook, out, [template, *facts_files])
    created = pinned_time()
    template_sha = sha256_file(template)
    try:
        workbook_sha = sha256_file(workbook)
    except OSError:
        workbook_sha = ""  # reading it properly below gives the clear message
    key = _build_key(workbook_sha, facts.digest, template_sha, created, meetings, pdf)
    if not force and workbook_sha:
        done = _up_to_date(Path(out), key, strict)
        if done is not None:
            done.timings["check"] = time.perf_counter() - clock
            say("start", total=len(done.meetings))
            return done
    with paused_gc():
        return _build(workbook, out, key, facts, template, template_sha, created, workbook_sha,
                      meetings=meetings, strict=strict, pdf=pdf, force=force, jobs=jobs,
                      say=say, timings=timings, clock=clock)


def _build(workbook: Path, out: Path, key: str, facts: FactBase, template: Path,
           template_sha: str, created: dt.datetime, workbook_sha: str, *,
           meetings: Iterable[str] | None, strict: bool, pdf: bool, force: bool,
           jobs: int | None, say: Progress, timings: dict[str, float], clock: float
           ) -> BuildResult:
    """The build proper, with the cyclic garbage collector paused: it would walk the
    hundreds of thousands of records again and again, and find nothing to collect."""
    raw = read_workbook(workbook, sheets=READ_SHEETS)
    timings["read"] = time.perf_counter() - clock
    clock = time.perf_counter()
    validation = validate_workbook(raw, sources=list(facts.sources))
    del raw
    timings["validate"] = time.perf_counter() - clock
    if validation.workbook is None:
        raise WorkbookInvalid(validation.report, f"{workbook} has {len(validation.report.errors)} "
                              "validation error(s); nothing was written")
    wb = validation.workbook
    clock = time.perf_counter()
    outcome = reconcile(wb, facts)
    timings["reconcile"] = time.perf_counter() - clock
    if strict and not outcome.ok:
        n = outcome.summary["mismatch"]
        error = MismatchFound(f"--strict: {n} check(s) disagree with the published sources; "
                              "nothing was written")
        error.reconciliation = outcome  # type: ignore[attr-defined]
        raise error
    selected = _select(wb.meetings, meetings)
    clock = time.perf_counter()
    briefings = _briefings(wb, selected, outcome, facts)
    say("start", total=len(briefings))

    with OutputFolder(out) as folder:
        staging = folder.staging
        previous = {} if force else _previous(folder.previous())
        # Hashes decide what to reuse; with nothing to reuse, the workers compute them.
        inputs = {b.meeting.meeting_id: _inputs_hash(b, template_sha, created)
                  for b in briefings} if previous else {}
        timings["prepare"] = time.perf_counter() - clock
        results: dict[str, MeetingResult] = {}
        todo: list[MeetingBriefing] = []
        for b in briefings:
            mid = b.meeting.meeting_id
            reused = _reuse(previous.get(mid), inputs.get(mid, ""), folder.previous(), staging,
                            b.folder)
            if reused is not None:
                results[mid] = MeetingResult(mid, b.folder, reused, b.status_counts(), True)
                say("meeting", meeting_id=mid, reused=True)
            else:
                todo.append(b)
        clock = time.perf_counter()
        spent = {"docx": 0.0, "xlsx": 0.0, "portfolio": 0.0}
        jobs_list = [*todo, _Portfolio(briefings)]
        pending = {b.meeting.meeting_id: b for b in todo}
        for mid, names, seconds, digest in _render_all(jobs_list, template, template_sha,
                                                       staging, created, jobs):
            for k, v in seconds.items():
                spent[k] += v
            if mid is None:
                continue
            inputs[mid] = digest
            b = pending[mid]
            results[mid] = MeetingResult(mid, b.folder, names, b.status_counts(), False)
            say("meeting", meeting_id=mid, reused=False)
        timings["render"] = time.perf_counter() - clock
        timings["render_docx"], timings["render_xlsx"] = spent["docx"], spent["xlsx"]
        timings["portfolio"] = spent["portfolio"]
        ordered = [results[b.meeting.meeting_id] for b in briefings]
        notes: list[str] = []
        if pdf:
            say("pdf")
            notes += _convert_pdfs(staging, ordered)
        clock = time.perf_counter()
        manifest = _manifest(staging, workbook, workbook_sha, facts, template, template_sha,
                             created, ordered, outcome, inputs)
        manifest["build_key"] = key
        manifest["validation"] = {"warnings": len(validation.report.warnings)}
        (staging / MANIFEST).write_text(json.dumps(manifest, indent=2, ensure_ascii=False,
                                                   sort_keys=True) + "\n", encoding="utf-8")
    timings["write"] = time.perf_counter() - clock
    return BuildResult(folder.target, ordered, manifest, validation.report, outcome, timings,
                       notes)


# --- checks before anything is written ----------------------------------------------------------

def _check_template(template: Path) -> None:
    if not template.is_file():
        raise InputError("the briefing template does not exist; restore templates/briefing.docx "
                         "or give --template", path=template, code="file-not-found")
    try:
        with zipfile.ZipFile(template) as z:
            if "word/document.xml" not in z.namelist():
                raise zipfile.BadZipFile
    except (zipfile.BadZipFile, OSError):
        raise InputError("the briefing template is not a Word document (.docx)", path=template,
                         code="not-a-template") from None


def _check_paths(workbook: Path, out: Path, inputs: list[Path]) -> None:
    target = out.absolute()
    for p in [workbook, *inputs]:
        if not p.exists():
            continue
        resolved = p.resolve()
        if resolved == target.resolve() or target.resolve() in resolved.parents:
            raise OutputError(f"the output folder {out} contains the input {p}; a build replaces "
                              "its output folder, so choose another folder with --out",
                              code="output-contains-input")


def _select(all_meetings: list[Any], wanted: Iterable[str] | None) -> list[Any]:
    if not wanted:
        return list(all_meetings)
    by_id = {m.meeting_id.casefold(): m for m in all_meetings}
    chosen = []
    for mid in wanted:
        m = by_id.get(mid.casefold())
        if m is None:
            hint = did_you_mean(mid, [x.meeting_id for x in all_meetings])
            raise UsageError(f"--meeting {mid!r} is not on the Meetings sheet"
                             + (f" (did you mean {hint!r}?)" if hint else ""))
        if m not in chosen:
            chosen.append(m)
    return chosen


# --- what each meeting's briefing is made of -----------------------------------------------------

def _briefings(wb: Any, selected: list[Any], outcome: Reconciliation,
               facts: FactBase) -> list[MeetingBriefing]:
    agreements, metrics = wb.by_meeting()
    provenance = Provenance(wb.path.name, __version__, facts.version)
    checks: dict[str | None, list[Any]] = {}
    for c in outcome.checks:
        checks.setdefault(c.meeting_id, []).append(c)
    out = []
    for m in selected:
        scope = outcome.scopes.get(m.meeting_id)
        event_id = outcome.events.get(m.meeting_id)
        mine = checks.get(m.meeting_id, [])
        cited = {c.source for c in mine if c.source}
        cited |= {a.source for a in agreements.get(m.meeting_id, []) if a.source}
        cited |= {f.source for f in metrics.get(m.meeting_id, []) if f.source}
        event = facts.events.get(event_id) if event_id else None
        if event is not None:
            cited.add(event.source)
        out.append(MeetingBriefing(
            meeting=m, folder=safe_filename(m.meeting_id),
            scope_name=facts.scopes[scope].name if scope else None, event=event,
            agreements=agreements.get(m.meeting_id, []), metrics=metrics.get(m.meeting_id, []),
            checks=mine, sources={s: facts.sources[s] for s in sorted(cited)
                                  if s in facts.sources},
            provenance=provenance,
        ))
    return out


def _inputs_hash(b: MeetingBriefing, template_sha: str, created: dt.datetime) -> str:
    """Everything a meeting's files depend on; equal hashes give equal files.

    The bundle is pickled without pickle's memo (which records which values are the
    same object, and that differs from run to run), so equal data hashes equal.
    Different data can never hash equal.
    """
    h = hashlib.sha256()
    h.update(f"{__version__}|{template_sha}|{created.isoformat()}|{sys.version_info[:2]}".encode())
    buf = io.BytesIO()
    pickler = pickle.Pickler(buf, protocol=5)
    pickler.fast = True
    # pydantic models pickle a set (in hash-seed order): hash their JSON instead.
    event = b.event.model_dump_json() if b.event else None
    sources = [s.model_dump_json() for _, s in sorted(b.sources.items())]
    # Records as plain tuples: named tuples pickle by class, at twice the cost.
    pickler.dump((b.meeting, b.folder, b.scope_name, event, list(map(tuple, b.agreements)),
                  list(map(tuple, b.metrics)), b.checks, sources, b.provenance))
    h.update(buf.getbuffer())
    return h.hexdigest()


# --- reusing unchanged meetings ------------------------------------------------------------------

def _build_key(workbook_sha: str, facts_digest: str, template_sha: str, created: dt.datetime,
               meetings: Iterable[str] | None, pdf: bool) -> str:
    """Everything a whole build depends on: when it is unchanged, so is the output."""
    chosen = sorted({m.casefold() for m in meetings}) if meetings else ["*"]
    parts = [__version__, workbook_sha, facts_digest, template_sha, created.isoformat(),
             ",".join(chosen), str(pdf), ".".join(map(str, sys.version_info[:2]))]
    return hashlib.sha256("|".join(parts).encode("utf-8", "surrogatepass")).hexdigest()


def _up_to_date(out: Path, key: str, strict: bool) -> BuildResult | None:
    """The previous build's result, if it was made from exactly these inputs and is intact."""
    try:
        manifest = json.loads((out / MANIFEST).read_text(encoding="utf-8"))
        if manifest.get("build_key") != key:
            return None
        if strict and manifest["reconciliation"].get("mismatch", 0):
            return None  # the full path reports the mismatches and refuses
        folder = OutputFolder(out)
        with folder.locked():
            folder.cleanup()  # what a killed build left beside the folder
            for f in manifest["files"]:
                path = out / f["path"]
                if path.stat().st_size != f["size"] or sha256_file(path) != f["sha256"]:
                    return None
        meetings = [MeetingResult(mid, info["folder"], info["files"], info["reconciliation"],
                                  True) for mid, info in manifest["meetings"].items()]
        return BuildResult(folder.target, meetings, manifest, None, None, up_to_date=True)
    except (OSError, ValueError, KeyError, TypeError, AttributeError):
        return None


def _previous(folder: Path | None) -> dict[str, dict[str, Any]]:
    """The previous build's record of each meeting, if its manifest can be read."""
    if folder is None:
        return {}
    try:
        data = json.loads((folder / MANIFEST).read_text(encoding="utf-8"))
        if data.get("tool", {}).get("version") != __version__:
            return {}
        files = {f["path"]: f for f in data.get("files", [])}
        out = {}
        for mid, info in data.get("meetings", {}).items():
            out[mid] = {"inputs": info["inputs"], "files": [files[p] for p in info["files"]]}
        return out
    except (OSError, ValueError, KeyError, TypeError, AttributeError):
        return {}


def _reuse(record: dict[str, Any] | None, inputs: str, previous: Path | None, staging: Path,
           folder: str) -> list[str] | None:
    """Link the previous files of a meeting into staging if its inputs are unchanged."""
    if record is None or previous is None or record["inputs"] != inputs:
        return None
    if {f["path"] for f in record["files"]} != set(meeting_files(folder)):
        return None
    for f in record["files"]:
        src = previous / f["path"]
        try:
            if src.stat().st_size != f["size"] or sha256_file(src) != f["sha256"]:
                return None
        except OSError:
            return None
    (staging / folder).mkdir(exist_ok=True)
    names = []
    for f in record["files"]:
        src, dst = previous / f["path"], staging / f["path"]
        try:
            os.link(src, dst)
        except OSError:
            shutil.copy2(src, dst)
        names.append(f["path"])
    return sorted(names)


# --- rendering -------------------------------------------------------------------------------

def meeting_files(folder: str) -> tuple[str, str]:
    """A meeting's briefing and summary, relative to the reports folder."""
    return f"{folder}/{folder}-briefing.docx", f"{folder}/{folder}-summary.xlsx"


def render_meeting(b: MeetingBriefing, template: Path, template_sha: str, staging: Path,
                   created: dt.datetime) -> tuple[str, list[str], dict[str, float], str]:
    """Write one meeting's briefing and summary.

    Returns the meeting id, its files, the time each took, and its inputs hash.
    """
    from .render.briefing import write_briefing
    from .render.summary import write_summary

    (staging / b.folder).mkdir(exist_ok=True)
    files = list(meeting_files(b.folder))
    docx, xlsx = staging / files[0], staging / files[1]
    with paused_gc():
        t0 = time.perf_counter()
        write_briefing(b, template, docx, created=created)
        normalise_zip(docx)
        t1 = time.perf_counter()
        write_summary(b, xlsx, created=created)
        t2 = time.perf_counter()
    digest = _inputs_hash(b, template_sha, created)
    return b.meeting.meeting_id, files, {"docx": t1 - t0, "xlsx": t2 - t1}, digest


def _die_with_parent() -> None:
    """Worker start-up: exit if the build is killed, so no orphan keeps writing or locking."""
    with contextlib.suppress(Exception):
        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    gc.enable()  # the parent builds with it paused; each job pauses it while it renders


@dataclass(slots=True)
class _Portfolio:
    """The portfolio summary as one more job for the renderers."""

    briefings: list[MeetingBriefing]


def render_portfolio(p: _Portfolio, staging: Path, created: dt.datetime
                     ) -> tuple[None, list[str], dict[str, float], str]:
    from .render.portfolio import write_portfolio

    with paused_gc():
        t0 = time.perf_counter()
        write_portfolio(p.briefings, staging / PORTFOLIO, created=created)
    return None, [PORTFOLIO], {"portfolio": time.perf_counter() - t0}, ""


# Jobs for forked workers. A meeting crosses to its worker pickled: a compact copy there
# costs less than touching (and so copying, page by page) records scattered through the
# parent's memory. The portfolio reads every meeting, so it is inherited at fork and
# only its index crosses.
_JOBS: list[Any] = []


def _run_job(job: int | MeetingBriefing, template: Path, template_sha: str, staging: Path,
             created: dt.datetime):
    if isinstance(job, int):  # an index into _JOBS
        job = _JOBS[job]
    if isinstance(job, _Portfolio):
        return render_portfolio(job, staging, created)
    return render_meeting(job, template, template_sha, staging, created)


def _render_all(jobs_list: list[Any], template: Path, template_sha: str, staging: Path,
                created: dt.datetime, jobs: int | None):
    """Render every job (meetings and the portfolio), in worker processes when it pays."""
    rows = sum(len(j.agreements) + len(j.metrics) for j in jobs_list
               if isinstance(j, MeetingBriefing))
    workers = jobs if jobs is not None else (os.cpu_count() or 1)
    meetings = sum(isinstance(j, MeetingBriefing) for j in jobs_list)
    if workers <= 1 or meetings <= 1 or rows < PARALLEL_THRESHOLD or sys.platform != "linux":
        for job in jobs_list:
            if isinstance(job, _Portfolio):
                yield render_portfolio(job, staging, created)
            else:
                yield render_meeting(job, template, template_sha, staging, created)
        return
    import multiprocessing
    import warnings

    # Imported (and fonts loaded) once here, so forked workers start with them ready.
    import docx  # noqa: F401
    import xlsxwriter  # noqa: F401

    from .render.chart import warm_up

    warm_up()

    # Biggest first, so no worker is left with one long meeting at the end.
    order = sorted(range(len(jobs_list)), key=lambda i: -_size(jobs_list[i]))
    _JOBS[:] = jobs_list
    # What the workers inherit is frozen out of their collections (Python's advice for
    # fork): else every collection in a worker walks, and so copies, the parent's records.
    gc.freeze()
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", DeprecationWarning)  # fork in a threaded process
            context = multiprocessing.get_context("fork")
            with ProcessPoolExecutor(max_workers=min(workers, len(jobs_list)),
                                     mp_context=context, initializer=_die_with_parent) as pool:
                futures = [pool.submit(_run_job, i if isinstance(jobs_list[i], _Portfolio)
                                       else jobs_list[i], template, template_sha, staging,
                                       created)
                           for i in order]
                for future in futures:
                    yield future.result()
    finally:
        _JOBS.clear()
        gc.unfreeze()


def _size(job: Any) -> int:
    """How long a job takes, roughly (in agreements' worth)."""
    if isinstance(job, _Portfolio):  # a row per meeting, but it reads all of them
        return sum(len(b.agreements) + len(b.metrics) + len(b.checks) for b in job.briefings) // 4
    return len(job.agreements) + len(job.metrics)


# --- PDF ---------------------------------------------------------------------------------------

def soffice() -> str | None:
    return shutil.which("soffice") or shutil.which("libreoffice")


def to_pdf(files: list[Path], outdir: Path, *, timeout: int = 300) -> list[str]:
    """Convert Office files to PDF with headless LibreOffice; return its error lines."""
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


def _convert_pdfs(staging: Path, results: list[MeetingResult]) -> list[str]:
    if soffice() is None:
        return ["--pdf: LibreOffice (soffice) is not on PATH, so no PDFs were made. Install it "
                "(Debian/Ubuntu: apt-get install libreoffice-writer-nogui) and build again."]
    notes = []
    for r in results:
        docx = staging / r.folder / f"{r.folder}-briefing.docx"
        errors = to_pdf([docx], docx.parent)
        if errors:
            notes.append(f"--pdf: {r.meeting_id}: " + "; ".join(errors))
        else:
            r.files.append(f"{r.folder}/{r.folder}-briefing.pdf")
    return notes


# --- manifest ------------------------------------------------------------------------------------

def _manifest(staging: Path, workbook: Path, workbook_sha: str, facts: FactBase, template: Path,
              template_sha: str, created: dt.datetime, results: list[MeetingResult],
              outcome: Reconciliation, inputs: dict[str, str]) -> dict[str, Any]:
    files = []
    for path in sorted(p for p in staging.rglob("*") if p.is_file()):
        rel = path.relative_to(staging).as_posix()
        files.append({"path": rel, "sha256": sha256_file(path), "size": path.stat().st_size})
    return {
        "tool": {"name": "reporter", "version": __version__},
        "created": created.isoformat(),
        "workbook": {"name": workbook.name, "sha256": workbook_sha},
        "facts": {"version": facts.version, "digest": facts.digest},
        "template": {"name": template.name, "sha256": template_sha},
        "files": files,
        "meetings": {
            r.meeting_id: {"folder": r.folder, "files": sorted(r.files), "inputs":
                           inputs[r.meeting_id], "reconciliation": r.summary}
            for r in results
        },
        "reconciliation": outcome.summary,
    }
