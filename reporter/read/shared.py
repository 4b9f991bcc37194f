"""The check of one large sheet, shared between the cell reader and a second process.

Checking the cells of a large register takes about half as long as reading them, and
only one core does it. So when the last sheet the reader reads is large, the reader
starts a second process (a Child of its own) once python-calamine has parsed that
sheet, and before it turns it into Python values: each process then makes its own
rows from the parsed sheet, which the fork left them both, at full speed, and neither
touches the other's memory (sharing the rows themselves would copy most of their
pages). The check's work on that sheet comes in pieces (a column each, for validation),
handed out one at a time through a pipe to whichever process is free; the second sends
back what it found, and the reader merges it. If the second process fails in any way,
the reader does its pieces itself: the result is the same, only later.
"""

from __future__ import annotations

import os
import pickle
import traceback
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from . import child as _child
from .child import CHILD_MEMORY, Child, ChildDied, more_memory

#: A last sheet of at least this many cells (its rows times its columns) is shared: below
#: it, a second process costs more than it saves.
SHARED_CELLS = 200_000

#: What the second process may take beyond its ceiling to check (as the reader does).
SHARE_MEMORY = CHILD_MEMORY

Take = Callable[[], int | None]


@dataclass(frozen=True, slots=True)
class Sharing:
    """A check whose work on one sheet two processes can share.

    `pieces(sheet)`: how many pieces of work on the sheet either process may take (0: it is
    not shared). `share(rows, context, sheet, take)`: the second process's part, taking
    pieces with `take()` (None once none are left). `rest(rows, context, sheet, take,
    theirs)`: everything else, taking pieces too; `theirs()` is the second process's result,
    or None when it gave none (`rest` then does the pieces it took)."""

    pieces: Callable[[str], int]
    share: Callable[..., Any]
    rest: Callable[..., Any]


class Second:
    """In the cell reader: the second process, once `start` has started one."""

    def __init__(self, sharing: Sharing | None, ready: Callable[[], None],
                 measure: Callable[[Any], int] | None = None):
        self.sharing, self.ready = sharing, ready
        #: what the last sheet's rows measure (see `size`), if they are to be measured
        self.measure = measure
        self.child: Child | None = None
        self.sheet = ""
        self.tickets = -1  # the read end of the pipe of pieces
        self._items: Any = None
        self._said: dict[str, Any] = {}  # what the second process sent, by kind

    @property
    def running(self) -> bool:
        return self.child is not None

    def start(self, name: str, sheet: Any, rows: list[Any], order: list[int]) -> None:
        """Start a second process on the last sheet (python-calamine's, parsed, not yet made
        into rows) if it is large enough and its check can be shared; `rows` are those of
        the sheets read before it, in reading order (`order`, positions in the workbook's)."""
        if (self.sharing is None or sheet.height * sheet.width < SHARED_CELLS
                or not _child.FORKS):  # without fork, its job would run here, after ours
            return
        try:
            pieces = self.sharing.pieces(name)
            if not 0 < pieces < 256:
                return
            self.ready()  # no other thread may be running in a process that forks
        except Exception:  # reporter's own failure, not the sheet's: said where the check
            return  # waits for `ready` again, as without a second process
        try:
            self.tickets, write = os.pipe()
            os.write(write, bytes(range(pieces)))
            os.close(write)  # once every piece is taken, reading the pipe ends
            # Given up on sooner than the reader is (child.py), so that the reader, waiting
            # for a second process that hangs, stops it and goes on before it looks stuck.
            self.child = Child(lambda receive: _second(self.sharing, name, sheet, rows, order,
                                                       self.take, receive, self.measure),
                               inbox=True, stall_seconds=_child.STALL_SECONDS / 2)
        except OSError:  # no second process (too many, no memory): the reader checks alone
            self.stop()
            return
        self.sheet = name

    def send(self, context: Any) -> None:
        if self.child is not None:
            self.child.send(context)

    def take(self) -> int | None:
        """The next piece no process has taken, or None."""
        got = os.read(self.tickets, 1)
        return got[0] if got else None

    def theirs(self) -> Any | None:
        """The second process's result, or None when it gave none."""
        payload = self._heard("share")
        return None if payload is None else pickle.loads(payload)

    def size(self) -> int | None:
        """What `measure` made of the last sheet's rows in the second process (which made
        them too), or None when it said nothing (then they are measured here)."""
        return self._heard("size")

    def _heard(self, kind: str) -> Any | None:
        """The payload of what the second process sent of `kind`, or None if it ended
        without sending it. What it sends, in order: ("size", n) when measuring, then
        ("share", result) or ("bug", trace)."""
        assert self.child is not None
        if self._items is None:
            self._items = self.child.items()
        try:
            while kind not in self._said:
                said, payload = next(self._items)
                self._said[said] = payload
        except (ChildDied, StopIteration):
            return None
        return self._said[kind]

    def stop(self) -> None:
        self._items = None
        if self.child is not None:
            self.child.close()
            self.child = None
        if self.tickets >= 0:
            os.close(self.tickets)
            self.tickets = -1


def in_order(got: list[Any], order: list[int]) -> list[Any]:
    """Items got in reading order, put back in the workbook's order."""
    out: list[Any] = [None] * len(order)
    for position, item in zip(order, got, strict=True):
        out[position] = item
    return out


def _second(sharing: Sharing, name: str, sheet: Any, rows: list[Any], order: list[int],
            take: Take, receive: Callable[[], Any], measure: Callable[[Any], int] | None):
    """In the second process: its own rows of the last sheet, measured (`measure`) so that
    the reader need not, then its part of the check once the reader sends the context. A
    failure is sent as such (the reader then does this part itself)."""
    try:
        last = sheet.to_python(skip_empty_area=False)
        del sheet
        if measure is not None:
            yield ("size", measure(last))
        context = receive()
        if context is None:  # the file was refused, or the reader stopped
            return
        more_memory(SHARE_MEMORY)
        result = sharing.share(in_order([*rows, last], order), context, name, take)
        yield ("share", pickle.dumps(result, protocol=pickle.HIGHEST_PROTOCOL))
    except Exception:
        yield ("bug", traceback.format_exc(limit=-8))
