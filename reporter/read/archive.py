"""A zip archive (an .xlsx or .docx) read within limits.

The limits hold for the bytes actually unpacked, not for what the archive says:
a part is inflated here, piece by piece, and refused the moment it yields more
than its declared size, or when its deflate stream does not end exactly there,
or when its checksum differs. Another reader of the same archive (python-calamine)
therefore meets exactly the bytes checked here: it is only ever given parts
that passed, and there are no two parts with one name for the two readers to
choose between differently.
"""

from __future__ import annotations

import io
import struct
import zipfile
import zlib
from collections.abc import Iterator
from pathlib import Path

from ..errors import InputError
from ..schema import LIMITS

CHUNK = 1 << 20
_LOCAL_HEADER = struct.Struct("<4s2B4HL2L2H")
_STORED, _DEFLATED = 0, 8


class Archive:
    """The members of a zip archive held in memory, checked before any is unpacked."""

    def __init__(self, path: Path, data: bytes, *, what: str = "workbook"):
        self.path = path
        self.data = data
        self.what = what
        self.unpacked = 0  # bytes inflated so far, across all parts
        try:
            with zipfile.ZipFile(io.BytesIO(data)) as zf:
                infos = zf.infolist()
        except (zipfile.BadZipFile, ValueError, NotImplementedError, EOFError, OSError):
            raise self._damaged("it is not a complete zip archive (it may have been cut off "
                                "while copying)") from None
        self.infos = {i.filename: i for i in infos if not i.is_dir()}
        self._check(infos)

    @property
    def names(self) -> list[str]:
        return list(self.infos)

    def _damaged(self, why: str) -> InputError:
        return InputError(f"the file is damaged: {why}. Copy it again, or open it in "
                          "Office or LibreOffice and save it anew",
                          path=self.path, code="corrupt-file")

    def _check(self, infos: list[zipfile.ZipInfo]) -> None:
        if len(infos) > LIMITS["parts"]:
            raise InputError(f"the {self.what} holds {len(infos):,} parts, more than reporter's "
                             f"limit of {LIMITS['parts']:,}, which real files never reach. Ask "
                             "for a fresh copy, or save it anew", path=self.path,
                             code="too-many-parts")
        seen: dict[str, str] = {}
        total = 0
        for info in infos:
            key = info.filename.casefold()  # part names are case-insensitive (OPC)
            if key in seen:
                raise self._damaged(f"it holds two parts named {info.filename} (a sign of "
                                    "tampering: two readers could read different ones)")
            seen[key] = info.filename
            if info.flag_bits & 0x1:
                raise InputError(f"part {info.filename} is encrypted; remove the password in "
                                 "Office and save", path=self.path, code="encrypted")
            if info.compress_type not in (_STORED, _DEFLATED):
                raise self._damaged(f"part {info.filename} is packed with compression method "
                                    f"{info.compress_type}, which Office never uses")
            total += info.file_size
            if (info.file_size > 2**20
                    and info.file_size > LIMITS["compression_ratio"] * max(1, info.compress_size)):
                raise _bomb(self.path, info)
        if total > LIMITS["uncompressed_bytes"]:
            raise _too_large(self.path, total, self.what)

    def read(self, name: str) -> bytes:
        """A whole part, checked as `chunks` checks it."""
        return b"".join(self.chunks(name))

    def chunks(self, name: str, size: int = CHUNK) -> Iterator[bytes]:
        """A part unpacked piece by piece: refused if it yields a byte more or less than it
        declares, if its deflate stream does not end there, or if its checksum differs."""
        info = self.infos[name]
        raw = self._raw(info)
        crc = 0
        produced = 0
        if info.compress_type == _STORED:
            if len(raw) != info.file_size:
                raise self._damaged(f"part {name} is not the size it declares")
            for start in range(0, len(raw), size):
                piece = bytes(raw[start:start + size])
                self._count(len(piece))
                crc = zlib.crc32(piece, crc)
                produced += len(piece)
                yield piece
        else:
            inflate = zlib.decompressobj(-15)
            pending = raw
            while pending and not inflate.eof:
                try:
                    piece = inflate.decompress(pending, size)
                except zlib.error as exc:
                    raise self._damaged(f"part {name} cannot be unpacked ({exc})") from None
                pending = inflate.unconsumed_tail
                produced += len(piece)
                if produced > info.file_size:
                    raise self._damaged(f"part {name} unpacks to more than the "
                                        f"{info.file_size:,} bytes it declares")
                self._count(len(piece))
                crc = zlib.crc32(piece, crc)
                if piece:
                    yield piece
            if not inflate.eof:
                raise self._damaged(f"part {name} is cut off")
        if produced != info.file_size or crc != info.CRC:
            raise self._damaged(f"part {name} does not match its checksum (it was changed or "
                                "cut off after it was saved)")

    def _raw(self, info: zipfile.ZipInfo) -> memoryview:
        """The packed bytes of a member, found through its local header."""
        view = memoryview(self.data)
        start = info.header_offset
        header = bytes(view[start:start + _LOCAL_HEADER.size])
        if len(header) != _LOCAL_HEADER.size or header[:4] != b"PK\x03\x04":
            raise self._damaged(f"part {info.filename} has no valid header")
        fields = _LOCAL_HEADER.unpack(header)
        begin = start + _LOCAL_HEADER.size + fields[10] + fields[11]
        end = begin + info.compress_size
        if end > len(self.data):
            raise self._damaged(f"part {info.filename} is cut off")
        return view[begin:end]

    def _count(self, n: int) -> None:
        self.unpacked += n
        if self.unpacked > LIMITS["uncompressed_bytes"]:
            raise _too_large(self.path, self.unpacked, self.what)


def _bomb(path: Path, info: zipfile.ZipInfo) -> InputError:
    return InputError(
        f"part {info.filename} unpacks to {info.file_size / 2**20:.0f} MiB from "
        f"{info.compress_size / 2**10:.0f} KiB (more than {LIMITS['compression_ratio']} "
        "times), which real files never do, so reporter refuses it as a zip bomb. "
        "Ask for a fresh copy, or open it in Office and save it as a new file",
        path=path, code="zip-bomb",
    )


def _too_large(path: Path, total: int, what: str) -> InputError:
    fix = ("Split the register into several workbooks" if what == "workbook" else
           "Check that this is the right file")
    return InputError(
        f"the {what} unpacks to {total / 2**20:.0f} MiB, more than reporter's limit of "
        f"{LIMITS['uncompressed_bytes'] // 2**20} MiB. {fix}",
        path=path, code="too-large",
    )
