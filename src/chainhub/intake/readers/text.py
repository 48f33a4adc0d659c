"""A delimited text file made ready for the fast reader: its encoding and header line known,
and read through a UTF-8 copy when its own bytes cannot be split on line ends."""

from __future__ import annotations

import codecs
import csv
import os
import tempfile
import weakref
from pathlib import Path
from typing import Final

from chainhub.intake.readers.encoding import WIDE, detect_encoding
from chainhub.intake.readers.errors import unreadable
from chainhub.intake.readers.rows import Note
from chainhub.intake.readers.table import HEAD_ROWS, find_header, header_note
from chainhub.intake.schemas import SourceFormat

HEAD_BYTES: Final = 1 << 16
_COPY_BYTES: Final = 1 << 22


class TextFile:
    """A CSV file as the reader reads it: `data` is the file itself or a UTF-8 copy of it (removed
    with this object), `source` has the encoding of `data` and the header row resolved,
    `file_source` the same with the file's own encoding (what a profile pins), `notes` say what
    was detected."""

    def __init__(self, path: Path, source: SourceFormat) -> None:
        self.path = path
        self.data = path
        notes: list[Note] = []
        with path.open("rb") as handle:
            head = handle.read(HEAD_BYTES)
        encoding: str
        if source.encoding is None:
            encoding = detect_encoding(head)
            if encoding != "utf-8":
                notes.append(
                    (
                        f"encoding detected: {encoding.upper()} (pin it with source.encoding)",
                        f"检测到编码：{encoding.upper()}（可在 source.encoding 中指定）",
                    )  # fmt: skip
                )
        else:
            encoding = source.encoding
        file_encoding = encoding
        text = codecs.getincrementaldecoder(codec_of(encoding))(errors="replace").decode(head)
        cr_only = "\r" in text and "\n" not in text
        if encoding in WIDE or cr_only:
            self.data = self._copy(path, encoding, cr_only=cr_only)
            encoding = "utf-8"
            if cr_only:
                notes.append(("lines end in CR alone; read as lines", "行尾仅为 CR；已按行读取"))
        header_row = source.header_row
        if header_row is None:
            lines = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")[:HEAD_ROWS]
            try:
                rows = list(csv.reader(lines, delimiter=source.delimiter))
            except csv.Error:
                rows = [line.split(source.delimiter) for line in lines]
            found = find_header(rows)
            header_row = found + 1
            if found:
                notes.append(header_note(found))
        self.source = source.model_copy(update={"encoding": encoding, "header_row": header_row})
        self.file_source = self.source.model_copy(update={"encoding": file_encoding})
        self.notes = tuple(notes)

    def _copy(self, path: Path, encoding: str, *, cr_only: bool) -> Path:
        """The file as UTF-8 with LF line ends, in a temporary file removed with this object."""
        handle, name = tempfile.mkstemp(prefix="chainhub-", suffix=".csv")
        weakref.finalize(self, os.unlink, name)
        decoder = codecs.getincrementaldecoder(codec_of(encoding))()
        offset = 0
        try:
            with path.open("rb") as source, os.fdopen(handle, "wb") as out:
                while chunk := source.read(_COPY_BYTES):
                    text = decoder.decode(chunk)
                    if cr_only:
                        text = text.replace("\r", "\n")
                    out.write(text.encode("utf-8", "surrogatepass"))
                    offset += len(chunk)
                out.write(decoder.decode(b"", final=True).encode("utf-8", "surrogatepass"))
        except UnicodeDecodeError as exc:
            raise unreadable(
                path,
                f"not valid {encoding} text at byte {offset + exc.start}",
                f"第 {offset + exc.start} 字节处不是有效的 {encoding} 编码文本",
            ) from None
        return Path(name)


def codec_of(encoding: str) -> str:
    """Python's codec of a profile's encoding."""
    return {"utf-16-le": "utf-16-le", "utf-16-be": "utf-16-be"}.get(encoding, encoding)
