"""A file's bytes as UTF-8 text, and where they stop being text of the profile's encoding."""

from __future__ import annotations

import codecs
from pathlib import Path
from typing import Final

from chainhub.errors import ChainhubError
from chainhub.intake.readers.errors import unreadable
from chainhub.intake.schemas import SourceFormat

_PYTHON_CODECS = {
    "utf-8": "utf-8",
    "utf-8-sig": "utf-8-sig",
    "gbk": "gbk",
    "gb18030": "gb18030",
    "big5": "big5",
}
WIDE: Final = ("utf-16", "utf-16-le", "utf-16-be")
"""Encodings whose line end is not the byte 0x0A: read through a UTF-8 copy."""


def detect_encoding(head: bytes) -> str:
    """The profile's name of the encoding of a text file's first bytes.

    A byte-order mark decides; zero bytes on one side mean UTF-16 without one; else UTF-8 if
    it decodes, GBK when the Chinese decoded that way is all common simplified text (GB2312),
    Big5 when it decodes so, GB18030 last (it reads any byte sequence GBK does and more).
    """
    if head.startswith(codecs.BOM_UTF8):
        return "utf-8-sig"
    if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return "utf-16"
    sample = head[:4096]
    even, odd = sample[0::2], sample[1::2]
    if sample and odd.count(0) > len(odd) // 10 and even.count(0) < len(even) // 100 + 1:
        return "utf-16-le"
    if sample and even.count(0) > len(even) // 10 and odd.count(0) < len(odd) // 100 + 1:
        return "utf-16-be"
    if _decodes(head, "utf-8"):
        return "utf-8"
    if _decodes(head, "gbk"):
        text = codecs.getincrementaldecoder("gbk")(errors="replace").decode(head)
        wide = "".join(c for c in text if ord(c) > 0x7F and c != "\ufffd")
        if _encodes(wide, "gb2312") or not _decodes(head, "big5"):
            return "gbk"
    if _decodes(head, "big5"):
        return "big5"
    return "gb18030"


def _decodes(head: bytes, encoding: str) -> bool:
    """Whether the bytes are text of `encoding`; a character cut off at the end is allowed."""
    try:
        codecs.getincrementaldecoder(encoding)().decode(head, final=False)
    except UnicodeDecodeError:
        return False
    return True


def _encodes(text: str, encoding: str) -> bool:
    try:
        text.encode(encoding)
    except UnicodeEncodeError:
        return False
    return True


def to_utf8(raw: bytes, source: SourceFormat, *, path: Path, offset: int) -> bytes:
    """Bytes of whole lines as UTF-8 with LF line ends; UTF-8 itself is checked by the parser.

    `offset` is where the bytes start in the file, so a decoding error names its file byte.
    """
    if source.encoding not in (None, "utf-8"):
        try:
            raw = raw.decode(_PYTHON_CODECS[source.encoding]).encode("utf-8")
        except UnicodeDecodeError as exc:
            raise _invalid_at(path, source.encoding, offset + exc.start) from None
    return raw.replace(b"\r\n", b"\n") if b"\r" in raw else raw


def not_utf8(path: Path, raw: bytes, source: SourceFormat, *, offset: int) -> ChainhubError:
    """Where the text stops being UTF-8, said precisely."""
    try:
        raw.decode("utf-8")
    except UnicodeDecodeError as bad:
        return _invalid_at(
            path,
            source.encoding or "utf-8",
            offset + bad.start,
            hint_en="; set the profile's source.encoding (gbk, gb18030, big5, utf-16)",
            hint_zh="；请在映射配置的 source.encoding 中指定编码（gbk、gb18030、big5、utf-16）",
        )
    return unreadable(path, "cannot parse CSV: not UTF-8 text", "无法解析 CSV：不是 UTF-8 文本")


def _invalid_at(
    path: Path, encoding: str, at: int, *, hint_en: str = "", hint_zh: str = ""
) -> ChainhubError:
    """The file is no text of `encoding` from file byte `at` on."""
    return unreadable(
        path,
        f"not valid {encoding} text at byte {at}{hint_en}",
        f"第 {at} 字节处不是有效的 {encoding} 编码文本{hint_zh}",
    )
