"""python-calamine, reading the cells in a child process with a memory ceiling.

python-calamine builds each sheet in memory before handing it over: a grid as
large as the sheet's area, and a copy of a shared string for every cell that uses
it. Both can be made enormous by a small file (two far-apart cells; one long text
used by 20,000 cells), and an allocation that fails aborts the whole process. So it
runs in a child process whose memory is capped (child.py): whatever a file makes it
do, the child alone pays, and reporter says why. The rows it sends are read within
a limit on their size, which bounds the memory they take in reporter itself, and
used only once every check of the file has passed (workbook.py).

When only a verdict on the rows is wanted (`validate`), the rows need not cross at
all: given a `check`, the child keeps them, waits for the scan's findings, and sends
back only what `check` makes of them. Taking a million cells into another process
costs about half of what checking them does.
"""

from __future__ import annotations

import io
import pickle
import signal
import threading
import traceback
from collections.abc import Callable
from functools import partial
from pathlib import Path
from typing import Any, BinaryIO

from ..errors import InputError
from ..schema import LIMITS
from . import child as _child
from .child import CHILD_MEMORY, END, Child, ChildDied, at_ceiling, more_memory, sent_size
from .shared import Second, Sharing, in_order

Rows = list[list[Any]]


#: What a check makes of the rows of every sheet and what the parent sends it.
Check = Callable[[list[Rows], Any], Any]

#: What a reader that also checks may take beyond its ceiling once the file has passed
#: every check (and so every limit): a workbook at the cell limit (4 million cells) takes
#: it to about 1 GiB.
CHECK_MEMORY = 2**30


class CellReader:
    """The rows of the named sheets, read by python-calamine (see the module's notes).

    With a `check`, call `checked(context)` instead of `rows()`: the child, having read
    the rows, runs `check(rows, context)` and only its result comes back."""

    def __init__(self, path: Path, data: bytes, sheets: list[str], *,
                 sizes: list[int] | None = None, check: Check | None = None,
                 sharing: Sharing | None = None, prepare: Callable[[], object] | None = None):
        self.path = path
        self.sheets = sheets
        # The largest part last: its check, if any, can then be shared (shared.py). Rows are
        # handed back in the workbook's order.
        self.order = sorted(range(len(sheets)), key=(sizes or [0] * len(sheets)).__getitem__)
        read = [sheets[i] for i in self.order]
        if check is None:
            self.child = Child(lambda: _sheets(data, read))
        else:
            self.child = Child(partial(_checked_sheets, data, read, self.order, check, sharing,
                                       prepare, _child.FORKS), inbox=True)

    def __enter__(self) -> CellReader:
        return self

    def __exit__(self, *exc: object) -> None:
        self.child.close()

    def rows(self) -> list[Rows]:
        """Every sheet's rows, from A1 (as `to_python(skip_empty_area=False)` gives them)."""
        out: list[Rows] = []
        try:
            for kind, payload in self.child.items(lambda pipe: _Limited(pipe, self.path)):
                if kind == "error":
                    raise _error(self.path, *payload)
                out.append(payload)
        except ChildDied as died:
            raise _died(self.path, died) from None
        return in_order(out, self.order)

    def checked(self, context: Any) -> Any:
        """What the check makes of the rows, given `context` (sent to the child)."""
        self.child.send(context)
        read = False  # every sheet: the file has passed, and what fails now is the check
        try:  # not held to the values limit: the values were (_Sent), the result is not
            for kind, payload in self.child.items():
                if kind == "read":
                    read = True
                elif kind == "error":
                    raise _error(self.path, *payload)
                elif kind == "bug":  # reporter's own code failed in the child
                    raise _bug(payload)
                else:
                    return pickle.loads(payload)
        except ChildDied as died:
            raise (_stopped_checking(self.path, died) if read else _died(self.path, died)
                   ) from None
        raise RuntimeError("the cell reader ended without a result")  # not for any file


def _checked_sheets(data: bytes, sheets: list[str], order: list[int], check: Check,
                    sharing: Sharing | None, prepare: Callable[[], object] | None, counted: bool,
                    receive: Callable[[], Any]):
    """In the child: read every sheet (with `prepare` in a thread meanwhile), wait for the
    context, send what the check makes of them (or the reader's failure, or the check's or
    prepare's own failure as ("bug", traceback)). The result crosses pickled here, so that
    one that cannot is a failure of the check, not a child that stopped. The last sheet's
    check may be shared with a second process (shared.py)."""
    ready = _Beside(prepare)
    sent = _Sent(counted)
    second = Second(sharing, ready.wait, sent.measure if counted else None)
    got: list[Rows] = []
    kept: list[Any] = []  # python-calamine's objects, freed only once the result is sent
    try:
        context = yield from _read_all(data, sheets, order, second, got, kept, sent, receive)
        if context is not None:  # else the file failed, or the parent refused it
            yield from _checking(got, order, context, check, second, ready, sent)
    except MemoryError:  # reporter's own code, at the ceiling: said as the reader's
        yield ("error", ("MemoryError", ""))
    except Exception:  # reporter's own code (python-calamine's failures are items): not the file
        yield ("bug", traceback.format_exc(limit=-8))
    finally:
        second.stop()


def _read_all(data: bytes, sheets: list[str], order: list[int], second: Second,
              got: list[Rows], kept: list[Any], sent: _Sent, receive: Callable[[], Any]):
    """Read every sheet into `got`, held to the values limit, then ("read", None); return the
    context the parent sends (None when reading failed or the parent refused the file). A
    last sheet shared with a second process is measured there, and held to the limit once
    checked (_checking)."""
    context: Any = None
    for kind, payload in _sheets(data, sheets, partial(second.start, rows=got, order=order),
                                 kept):
        if kind == "error":
            yield kind, payload
            return None
        if second.running:  # the last sheet: the second process can start on it now
            context = receive()
            second.send(context)
        elif sent.over((kind, payload)):
            yield ("error", ("ValuesLimit", ""))
            return None
        got.append(payload)
    if sent.over(END):
        yield ("error", ("ValuesLimit", ""))
        return None
    yield ("read", None)  # if the child stops from now on, the file is not to blame
    return context if second.running else receive()


def _checking(got: list[Rows], order: list[int], context: Any, check: Check,
              second: Second, ready: _Beside, sent: _Sent):
    """The check, on every sheet's rows (`got`, in reading order); its result, unless the
    last sheet, measured only now (see _read_all), takes the values past the limit. A check
    that runs out of memory on values past the limit is refused for the values, as `build`
    would refuse the file, when the second process measured them by then."""
    more_memory(CHECK_MEMORY)
    rows = in_order(got, order)
    over: bool | None = None  # once the last sheet is counted
    try:
        ready.wait()
        if second.running:
            assert second.sharing is not None
            result = second.sharing.rest(rows, context, second.sheet, second.take,
                                         second.theirs)
            size = second.size()
            over = sent.over(("rows", got[-1]) if size is None else None, measured=size or 0)
        else:
            result = check(rows, context)
            over = False
        result = pickle.dumps(result, protocol=pickle.HIGHEST_PROTOCOL)
    except MemoryError:  # past even that: said as such
        past = over if over is not None else (
            second.running and sent.over(None, measured=second.size() or 0))
        yield ("error", ("ValuesLimit", "") if past else ("MemoryError", "checking"))
        return
    except Exception:
        yield ("bug", traceback.format_exc(limit=-8))
        return
    yield ("error", ("ValuesLimit", "")) if over else ("checked", result)


class _Sent:
    """The reader's items, held to the limit on the values as if each crossed to reporter,
    as `rows` holds them: where reporter would stop reading, an error in their place. So
    `validate` refuses what `build` does, and the report that crosses instead is bounded.
    Without fork nothing crosses, and nothing is counted (as in `rows`)."""

    def __init__(self, counted: bool):
        self.counted, self.size = counted, 0

    def over(self, item: Any, measured: int = 0) -> bool:
        """Whether the items so far, with `item` (None: none) or one already `measured`,
        are past the limit."""
        if self.counted:
            self.size += measured + (0 if item is None else sent_size(item))
        return self.size > LIMITS["values_bytes"]

    @staticmethod
    def measure(rows: Rows) -> int:
        """What a sheet's rows count for (in a second process, which made them too)."""
        return sent_size(("rows", rows))


class _Beside:
    """`job()` in a thread of its own; `wait()` for it, raising what it raised."""

    def __init__(self, job: Callable[[], object] | None):
        self.failed: BaseException | None = None
        self.thread = threading.Thread(target=self._run, args=(job,), daemon=True)
        if job is not None:
            self.thread.start()

    def _run(self, job: Callable[[], object]) -> None:
        try:
            job()
        except BaseException as exc:  # handed to the thread that waits
            self.failed = exc

    def wait(self) -> None:
        if self.thread.ident is not None:  # started
            self.thread.join()
        if self.failed is not None:
            raise self.failed


def _sheets(data: bytes, sheets: list[str], last: Callable[[str, Any], None] | None = None,
            kept: list[Any] | None = None):
    """Each sheet's rows, or the first failure as ("error", (kind, message)). `last(name,
    sheet)` is called with the last sheet once parsed, before it is made into rows. With
    `kept`, python-calamine's workbook and last sheet (the largest part) go there instead of
    being freed (which takes a tenth of a second for a large one), to be freed once the
    caller is done; the other sheets' grids are freed as they are read, as without it."""
    import python_calamine as pc

    try:
        book = pc.CalamineWorkbook.from_filelike(io.BytesIO(data))
        if kept is not None:
            kept.append(book)
        for i, name in enumerate(sheets):
            sheet = book.get_sheet_by_name(name)
            if last is not None and i == len(sheets) - 1:
                last(name, sheet)
            rows = sheet.to_python(skip_empty_area=False)
            if kept is not None and i == len(sheets) - 1:  # the others' grids are freed now:
                kept.append(sheet)  # kept all, five sheets at the area limit took 1.2 GiB
            del sheet  # the grid (unless kept), before the rows are sent
            yield ("rows", rows)
        if kept is None:
            book.close()
    except (KeyboardInterrupt, SystemExit):
        raise
    except BaseException as exc:  # CalamineError...; a panic in the Rust reader too
        kind = _kind(exc)  # a MemoryError's message says what ran out: here, reading
        yield ("error", (kind, "" if kind == "MemoryError" else _first_line(exc)))


class _Limited(io.RawIOBase):
    """The pipe from the child, refused past the limit on the values' size."""

    def __init__(self, pipe: BinaryIO, path: Path):
        self.pipe, self.path, self.count = pipe, path, 0

    def readable(self) -> bool:
        return True

    def read(self, n: int | None = -1) -> bytes:
        return self._counted(self.pipe.read(-1 if n is None else n))

    def readline(self, size: int | None = -1) -> bytes:
        return self._counted(self.pipe.readline(-1 if size is None else size))

    def readinto(self, buffer: Any) -> int:
        data = self.read(len(buffer))
        buffer[:len(data)] = data
        return len(data)

    def _counted(self, data: bytes) -> bytes:
        self.count += len(data)
        if self.count > LIMITS["values_bytes"]:
            raise _too_many_values(self.path)
        return data


def _too_many_values(path: Path) -> InputError:
    return InputError(
        f"the workbook's cells hold more than {LIMITS['values_bytes'] // 2**20} MiB of values "
        "(it repeats long texts in very many cells, or holds far too many), more than "
        "reporter's limit. Split the register into several workbooks",
        path=path, code="too-much-text")


def _kind(exc: BaseException) -> str:
    """The exception's name; MemoryError when one led to it (python-calamine may panic on
    the way out of an allocation that failed), or when the reader reached its ceiling: making
    a Python object there, python-calamine panics with "PyObject pointer is null", which
    does not say why (one long text in 9,000 cells did)."""
    seen: BaseException | None = exc
    while seen is not None:
        if isinstance(seen, MemoryError):
            return "MemoryError"
        seen = seen.__context__
    return "MemoryError" if at_ceiling() else type(exc).__name__


def _first_line(exc: BaseException) -> str:
    text = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
    return text[:200]


def _bug(trace: str) -> RuntimeError:
    """A failure of reporter's own code in the child, its traceback as a note (shown with
    REPORTER_DEBUG=1)."""
    lines = trace.strip().splitlines()
    error = RuntimeError(f"checking the cells failed in the cell reader: "
                         f"{lines[-1] if lines else 'no details'}")
    error.add_note(trace)
    return error


def _too_much(path: Path, doing: str = "reading") -> InputError:
    memory = CHILD_MEMORY + (CHECK_MEMORY if doing == "checking" else 0)
    return InputError(
        f"{doing} the cells needs more than {memory // 2**30} GiB of memory (the workbook "
        "repeats long texts in very many cells, or holds far too many). Split the register into "
        "several workbooks", path=path, code="too-much-text")


def _stopped_checking(path: Path, died: ChildDied) -> Exception:
    """The reader stopped after reading every sheet: past its ceiling in Rust (pydantic-core
    aborts when an allocation fails), or for a reason that is not the file's."""
    if died.signal == signal.SIGABRT:
        return _too_much(path, "checking")
    return RuntimeError(f"the cell reader stopped while checking the cells ({died})")


def _died(path: Path, died: ChildDied) -> InputError:
    if died.signal == signal.SIGABRT:  # an allocation past the ceiling
        return _too_much(path)
    return InputError(f"the cell reader stopped ({died}); the workbook's contents are damaged. "
                      "Open it in Excel or LibreOffice and save it anew", path=path,
                      code="corrupt-file")


def _error(path: Path, kind: str, message: str) -> InputError:
    if kind == "PasswordError":
        return InputError("the workbook is protected with a password; remove it in Excel and save "
                          "the workbook", path=path, code="encrypted")
    if kind == "MemoryError":
        return _too_much(path, message or "reading")
    if kind == "ValuesLimit":
        return _too_many_values(path)
    return InputError(f"the workbook's contents are damaged and cannot be read ({message}). "
                      "Open it in Excel or LibreOffice and save it anew",
                      path=path, code="corrupt-file")
