"""Build: validate, reconcile, and write a briefing and a summary for every meeting.

The whole reports folder is written into a staging folder beside it and swapped
in only when every file is complete (see `output.OutputFolder`), so a failure or
a kill leaves the previous reports as they were. reporter owns only what it wrote:
people's files in the folder are carried into the new set (see `keep.py`).
Meetings whose inputs have not changed since the last build are not rendered
again: their files are reused (hard-linked) from the previous folder, which gives
the same bytes (see `reuse.py`). Large builds render meetings in parallel
processes; the files are identical to a serial build.
"""

from __future__ import annotations

import contextlib
import ctypes
import datetime as dt
import gc
import hashlib
import io
import os
import pickle
import signal
import sys
import time
from collections.abc import Callable, Iterable
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field, replace
from importlib import resources
from pathlib import Path
from typing import Any

from . import output, reuse
from .codes import Status
from .errors import MismatchFound, UsageError, WorkbookInvalid
from .facts import FactBase, load_facts
from .fingerprint import tool_fingerprint
from .keep import Kept
from .manifest import MANIFEST
from .memory import paused_gc
from .output import OutputFolder
from .pdf import soffice, to_pdf  # noqa: F401  (part of this module's interface)
from .read import read_workbook
from .read.template import read_template
from .reconcile import Reconciliation, reconcile
from .render import MeetingBriefing
from .render.assemble import assemble
from .schema import READ_SHEETS
from .text import count, did_you_mean, plural
from .validate import Report, validate_workbook
from .write import normalise_zip, pinned_time, sha256_file

PORTFOLIO = reuse.PORTFOLIO
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
    #: "rebuilt" (rendered now), "reused" (inputs unchanged: the earlier files, the same
    #: bytes) or "carried over" (not chosen with --meeting: left as they were)
    origin: str = "rebuilt"
    #: the build that rendered the files
    build_id: str = ""


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
    #: people's entries the build kept (added, or generated and then edited), and where
    kept: list[Kept] = field(default_factory=list)

    @property
    def warnings(self) -> int:
        if self.report is not None:
            return self.report.warning_count
        return int(self.manifest.get("validation", {}).get("warnings", 0))


def default_template() -> Path:
    """templates/briefing.docx when run from a project folder, else the copy in the package."""
    if DEFAULT_TEMPLATE.is_file():
        return DEFAULT_TEMPLATE
    return Path(str(resources.files("reporter.render") / "data" / "briefing.docx"))


@dataclass(slots=True)
class _Inputs:
    """What one build is made from, beyond the workbook's records."""

    workbook: Path
    workbook_sha: str
    facts: FactBase
    template: Path
    template_sha: str
    created: dt.datetime
    key: str

    @property
    def build_id(self) -> str:
        return self.key[:16]


@dataclass(frozen=True, slots=True)
class BuildOptions:
    """How a build runs; every default is `reporter build`'s own."""

    #: only these meetings (Meeting IDs); the others' files are left as they are
    meetings: tuple[str, ...] | None = None
    #: refuse to build when a figure disagrees with its source
    strict: bool = False
    #: also make a PDF of each briefing (LibreOffice)
    pdf: bool = False
    #: render every meeting, even those whose inputs have not changed
    force: bool = False
    #: extra fact files, as for reconcile
    facts_files: tuple[Path, ...] = ()
    #: the Word template (default: templates/briefing.docx, or the copy in the package)
    template: Path | None = None
    #: processes to render with (default: one per CPU; small builds use one)
    jobs: int | None = None

    def __post_init__(self) -> None:
        if self.jobs is not None and self.jobs < 1:
            raise UsageError(f"--jobs {self.jobs}: give at least one process")


def build(workbook: Path | str, out: Path | str = Path("reports"),
          options: BuildOptions | None = None, *, progress: Progress | None = None,
          **changes: Any) -> BuildResult:
    """Build every meeting's briefing and summary, the portfolio and the manifest into out.

    `options` (or keyword arguments naming its fields: `build(path, out, jobs=1)`) say how;
    `progress` is called with events as the build goes (see terminal.Progress).
    """
    options = replace(options or BuildOptions(), **changes)
    say = progress or (lambda *a, **k: None)
    timings: dict[str, float] = {}
    workbook, out = Path(workbook), Path(out)
    template = Path(options.template) if options.template is not None else default_template()
    facts_files = [Path(p) for p in options.facts_files]
    meetings = list(options.meetings) if options.meetings else None
    clock = time.perf_counter()

    facts = load_facts(facts_files)
    read_template(template)  # checked before anything is written (render loads its cleaned copy)
    folder = OutputFolder(out, inputs=[workbook, template, *facts_files])
    folder.check()
    created = pinned_time()
    template_sha = sha256_file(template)
    try:
        workbook_sha = sha256_file(workbook)
    except OSError:
        workbook_sha = ""  # reading it properly below gives the clear message
    key = _build_key(workbook_sha, facts.digest, template_sha, created, meetings, options.pdf)
    ins = _Inputs(workbook, workbook_sha, facts, template, template_sha, created, key)
    if not options.force and workbook_sha:
        done = _up_to_date(folder, key, options.strict)
        if done is not None:
            done.timings["check"] = time.perf_counter() - clock
            say("start", total=len(done.meetings))
            return done
    return _build(ins, folder, replace(options, meetings=tuple(meetings) if meetings else None),
                  say=say, timings=timings, clock=clock)


def _build(ins: _Inputs, folder: OutputFolder, options: BuildOptions, *, say: Progress,
           timings: dict[str, float], clock: float) -> BuildResult:
    """The build proper: read, validate, reconcile, render, write."""
    meetings, strict, pdf, force = options.meetings, options.strict, options.pdf, options.force
    # The collector is paused while the records are made, and only then (see memory.py).
    with paused_gc(long_lived=True):
        raw = read_workbook(ins.workbook, sheets=READ_SHEETS)
        timings["read"] = time.perf_counter() - clock
        clock = time.perf_counter()
        validation = validate_workbook(raw, sources=list(ins.facts.sources),
                                       fact_ids=ins.facts.fact_kinds())
        del raw
    timings["validate"] = time.perf_counter() - clock
    if validation.workbook is None:
        raise WorkbookInvalid(validation.report, f"{ins.workbook} has "
                              f"{count(validation.report.error_count, 'validation error')}; "
                              "nothing was written")
    wb = validation.workbook
    clock = time.perf_counter()
    outcome = reconcile(wb, ins.facts)
    timings["reconcile"] = time.perf_counter() - clock
    if strict and not outcome.ok:
        n = outcome.summary[Status.MISMATCH]
        raise MismatchFound(outcome, f"--strict: {count(n, 'check')} {plural('disagrees', n)} "
                            "with the published sources; nothing was written")
    clock = time.perf_counter()
    folders = reuse.folder_names([m.meeting_id for m in wb.meetings])
    briefings = assemble(wb, _select(wb.meetings, meetings), outcome, ins.facts, folders)
    with folder:
        say("start", total=len(briefings))
        plan = reuse.Plan(folder, briefings, force=force, partial=meetings is not None,
                          inputs_hash=lambda b: _inputs_hash(b, ins.template_sha, ins.created),
                          build_id=ins.build_id)
        plan.positions = {m.meeting_id: k for k, m in enumerate(wb.meetings)}
        for mid in plan.reused:
            say("meeting", meeting_id=mid, reused=True)
        timings["prepare"] = time.perf_counter() - clock
        clock = time.perf_counter()
        extra = assemble(wb, [m for m in wb.meetings if m.meeting_id in plan.carried],
                         outcome, ins.facts, {m: i["folder"] for m, i in plan.carried.items()})
        _render(plan, _Portfolio(_in_order(wb, briefings, extra), outcome.for_meeting(None)),
                ins, options.jobs, say, timings)
        timings["render"] = time.perf_counter() - clock
        notes = plan.pdfs(pdf, force, say)
        clock = time.perf_counter()
        manifest = plan.manifest(ins, outcome, validation.report.warning_count)
        (folder.staging / MANIFEST).write_bytes(reuse.manifest_bytes(manifest))
    timings["write"] = time.perf_counter() - clock
    notes += plan.dropped_notes(folder.dropped, {m.meeting_id for m in wb.meetings})
    notes += folder.notes
    return BuildResult(folder.target, plan.results(), manifest, validation.report, outcome,
                       timings, notes, kept=folder.kept)


def _in_order(wb: Any, *groups: list[MeetingBriefing]) -> list[MeetingBriefing]:
    """The briefings of every group, in the workbook's order of meetings."""
    order = {m.meeting_id: k for k, m in enumerate(wb.meetings)}
    return sorted((b for g in groups for b in g), key=lambda b: order[b.meeting.meeting_id])


def _render(plan: reuse.Plan, portfolio: _Portfolio, ins: _Inputs, jobs: int | None,
            say: Progress, timings: dict[str, float]) -> None:
    """Render the meetings the plan did not reuse, and the portfolio."""
    spent = {"docx": 0.0, "xlsx": 0.0, "portfolio": 0.0}
    for mid, names, seconds, digest in _render_all([*plan.todo, portfolio],
                                                   ins.template, ins.template_sha,
                                                   plan.folder.staging, ins.created, jobs):
        for k, v in seconds.items():
            spent[k] += v
        if mid is not None:
            plan.rendered(mid, names, digest)
            say("meeting", meeting_id=mid, reused=False)
    timings["render_docx"], timings["render_xlsx"] = spent["docx"], spent["xlsx"]
    timings["portfolio"] = spent["portfolio"]


# --- checks before anything is written ----------------------------------------------------------

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

def _inputs_hash(b: MeetingBriefing, template_sha: str, created: dt.datetime) -> str:
    """Everything a meeting's files depend on; equal hashes give equal files.

    That is its records and checks, the template, the pinned time, and reporter's
    own code and the libraries that write the files (`fingerprint.py`). The bundle
    is pickled without pickle's memo (which records which values are the same
    object, and that differs from run to run), so equal data hashes equal.
    Different data can never hash equal.
    """
    h = hashlib.sha256()
    h.update(f"{tool_fingerprint()}|{template_sha}|{created.isoformat()}".encode())
    buf = io.BytesIO()
    pickler = pickle.Pickler(buf, protocol=5)
    pickler.fast = True
    # pydantic models pickle a set (in hash-seed order): hash their JSON instead.
    event = b.event.model_dump_json() if b.event else None
    sources = [s.model_dump_json() for _, s in sorted(b.sources.items())]
    # Records as plain tuples: named tuples pickle by class, at twice the cost.
    pickler.dump((b.meeting, b.folder, b.scope_name, event, list(map(tuple, b.agreements)),
                  list(map(tuple, b.metrics)), b.checks, sources, b.provenance,
                  b.participants, b.actions, b.date, b.date_text, b.earlier, b.changes))
    h.update(buf.getbuffer())
    return h.hexdigest()


# --- nothing changed since the last build --------------------------------------------------------

def _build_key(workbook_sha: str, facts_digest: str, template_sha: str, created: dt.datetime,
               meetings: Iterable[str] | None, pdf: bool) -> str:
    """Everything a whole build depends on: when it is unchanged, so is the output.

    reporter's code and its writers' versions (`tool_fingerprint`), the workbook, the
    fact base, the template, the pinned time and the options that change the files.
    """
    chosen = sorted({m.casefold() for m in meetings}) if meetings else ["*"]
    parts = [tool_fingerprint(), workbook_sha, facts_digest, template_sha, created.isoformat(),
             ",".join(chosen), str(pdf)]
    return hashlib.sha256("|".join(parts).encode("utf-8", "surrogatepass")).hexdigest()


def _up_to_date(folder: OutputFolder, key: str, strict: bool) -> BuildResult | None:
    """The previous build's result, if it was made from exactly these inputs and is intact."""
    manifest = output.unchanged(folder, key)
    if manifest is None:
        return None
    data = manifest.data
    if strict and data.get("reconciliation", {}).get(Status.MISMATCH, 0):
        return None  # the full path reports the mismatches and refuses
    try:
        meetings = [MeetingResult(mid, info["folder"], list(info["files"]),
                                  dict(info["reconciliation"]), True,
                                  reuse.CARRIED if info.get("origin") == reuse.CARRIED
                                  else reuse.REUSED, manifest.meeting_build(mid))
                    for mid, info in sorted(manifest.meetings.items(), key=lambda kv: (
                        kv[1].get("position") is None, kv[1].get("position") or 0))]
    except (KeyError, TypeError, ValueError):
        return None
    return BuildResult(folder.target, meetings, data, None, None, up_to_date=True,
                       kept=folder.kept, notes=folder.notes)


# --- rendering -------------------------------------------------------------------------------

meeting_files = reuse.meeting_files


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


@dataclass(slots=True)
class _Portfolio:
    """The portfolio summary as one more job for the renderers."""

    briefings: list[MeetingBriefing]
    #: checks of published items no meeting of the workbook is (see write_portfolio)
    unattached: list[Any]


def render_portfolio(p: _Portfolio, staging: Path, created: dt.datetime
                     ) -> tuple[None, list[str], dict[str, float], str]:
    from .render.portfolio import write_portfolio

    with paused_gc():
        t0 = time.perf_counter()
        write_portfolio(p.briefings, staging / PORTFOLIO, created=created,
                        unattached=p.unattached)
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
