"""A file's bytes as UTF-8 text, and where they stop being text of the profile's encoding."""

from __future__ import annotations

from pathlib import Path

from chainhub.errors import ChainhubError
from chainhub.intake.readers.errors import unreadable
from chainhub.intake.schemas import SourceFormat

_PYTHON_CODECS = {"utf-8": "utf-8", "utf-8-sig": "utf-8-sig", "gbk": "gbk", "gb18030": "gb18030"}


def to_utf8(raw: bytes, source: SourceFormat, *, path: Path, offset: int) -> bytes:
    """Bytes of whole lines as UTF-8 with LF line ends; UTF-8 itself is checked by the parser.

    `offset` is where the bytes start in the file, so a decoding error names its file byte.
    """
    if source.encoding != "utf-8":
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
            source.encoding,
            offset + bad.start,
            hint_en="; set the profile's source.encoding (gbk, gb18030, utf-8-sig)",
            hint_zh="；请在映射配置的 source.encoding 中指定编码（gbk、gb18030、utf-8-sig）",
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
