"""The `reporter` process: run one command, map what ends it to an exit code, and leave.

A plain `reporter validate [WORKBOOK] [--format FORMAT]`, the command staff run most,
goes straight to commands.validate. Everything else goes through typer's command line
(cli.py). Starting typer takes about 0.2 s of CPU (it imports pydantic and makes a
validator for every option), which validate's reading of the workbook would otherwise
share its two cores with. The plain form is recognised strictly, and decides nothing
typer would decide otherwise: anything else it may hold (another option, `--`, a second
workbook, an unknown format) is left to typer, which also says what is wrong with it.
"""

from __future__ import annotations

import errno
import os
import sys
from contextlib import suppress
from pathlib import Path
from typing import TYPE_CHECKING, NoReturn

from .errors import ExitCode, ReporterError

if TYPE_CHECKING:
    from .commands import Format

#: What writing to standard output or error can fail with, the file being fine.
_OUTPUT_FAILED = frozenset((errno.ENOSPC, errno.EDQUOT, errno.EFBIG, errno.EIO))


def main() -> None:
    """Console entry point: run the command; never show a traceback. It ends the process
    (see _leave): other Python code runs cli.app, or the library's functions, instead.
    All but the errors is imported within, so that Ctrl-C is said as such from the start."""
    try:
        _text_streams()
        plain = plain_validate(sys.argv[1:])
        if plain is not None and not _completing():
            from . import commands

            commands.begin()
            _leave(commands.validate(*plain))
        from .cli import app

        app()
    except (SystemExit, KeyboardInterrupt) as done:  # SystemExit: how a command ends
        if _interrupted(done):  # typer turns Ctrl-C into exit 130, silently
            _tell("\ninterrupted")
        _leave(done.code if isinstance(done, SystemExit) else int(ExitCode.INTERRUPTED))
    except BrokenPipeError:  # what reads the output stopped reading: as typer ends then
        _leave(1)
    except ReporterError as exc:  # raised outside a command (it would be a bug)
        _tell(f"error: {exc}")
        _leave(int(exc.exit_code))
    except OSError as exc:
        if exc.errno not in _OUTPUT_FAILED:
            _internal(exc)
        _tell(f"error: reporter's output cannot be written ({os.strerror(exc.errno)})")
        _leave(int(ExitCode.UNWRITABLE))
    except Exception as exc:
        _internal(exc)
    _leave(0)


def _internal(exc: Exception) -> NoReturn:
    if os.environ.get("REPORTER_DEBUG"):
        raise exc
    _tell(f"internal error: {type(exc).__name__}: {exc}\nThis is a bug in reporter; run again "
          "with REPORTER_DEBUG=1 to see the details, and report it.")
    _leave(int(ExitCode.INTERNAL))


def _tell(text: str) -> None:
    """A line on standard error, if it can be written at all."""
    with suppress(OSError, ValueError, AttributeError):
        print(text, file=sys.stderr)


def _text_streams() -> None:
    """Text a terminal's encoding cannot show is shown as "?" rather than ending the command
    (JSON is written in UTF-8 whatever the encoding: commands.show_json)."""
    for stream in (sys.stdout, sys.stderr):
        if stream is not None and getattr(stream, "errors", None) == "strict":
            with suppress(AttributeError, ValueError):
                stream.reconfigure(errors="replace")


def _completing() -> bool:
    """Whether a shell asks for completions (typer answers, as it does to every command)."""
    return any(k.startswith("_") and k.endswith("_COMPLETE") for k in os.environ)


def plain_validate(args: list[str]) -> tuple[Path, Format] | None:
    """(workbook, format) when `args` are `validate [WORKBOOK] [--format FORMAT]` (the
    option as --format F, --format=F or -f F, before or after the workbook, the format in
    any case); None for anything else."""
    if not args or args[0] != "validate":
        return None
    paths, formats, rest = [], [], iter(args[1:])
    for arg in rest:
        if arg in ("--format", "-f"):
            arg = f"--format={next(rest, '-')}"  # no value: not the plain form
        if arg.startswith("--format="):
            formats.append(arg.partition("=")[2])
        elif arg.startswith("-"):
            return None
        else:
            paths.append(arg)
    if len(paths) > 1 or len(formats) > 1:
        return None
    from .commands import DEFAULT_WORKBOOK, Format

    try:
        fmt = Format(formats[0].lower()) if formats else Format.text
    except ValueError:
        return None
    return (Path(paths[0]) if paths else DEFAULT_WORKBOOK), fmt


def _interrupted(done: BaseException) -> bool:
    """Whether Ctrl-C led to this exit (somewhere in what it was raised from)."""
    seen: BaseException | None = done
    while seen is not None:
        if isinstance(seen, KeyboardInterrupt):
            return True
        seen = seen.__cause__ or seen.__context__
    return False


def _leave(code: object) -> NoReturn:
    """End the process as sys.exit(code) would, without Python's teardown. By now every file
    reporter writes is closed and renamed into place, and every child process stopped; what
    is left is freeing each module's objects one by one, which took 20 to 30 ms at the end of
    every command (a quarter of `reporter --help`)."""
    if code is None:
        status = 0
    elif isinstance(code, int):
        status = code
    else:  # sys.exit("message"): printed, and the status is 1
        _tell(str(code))
        status = 1
    for stream in (sys.stdout, sys.stderr):
        if stream is not None:  # None: started with the stream closed
            with suppress(OSError, ValueError):  # a closed pipe: nothing can reach it
                stream.flush()
    os._exit(status & 0xFF)

