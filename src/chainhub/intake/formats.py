"""A file's format from its name: the one answer the CLI, the API and suggestion all give."""

from __future__ import annotations

from pathlib import Path
from typing import Final, Literal

from chainhub.errors import ChainhubError

FileFormat = Literal["csv", "xlsx", "json"]
SUFFIXES: Final[dict[str, FileFormat]] = {
    ".csv": "csv",
    ".xlsx": "xlsx",
    ".xlsm": "xlsx",
    ".json": "json",
}


TEXT_SUFFIXES: Final = (".txt", ".tsv", ".tab")
"""Delimited text (Excel's "Unicode text" is tab-separated UTF-16): read with a profile or
by `profile suggest`, never guessed at on upload."""


def check_text_or_file_format(path: Path) -> FileFormat:
    """The format of a file a profile is drafted from: delimited text is read as CSV."""
    if path.suffix.lower() in TEXT_SUFFIXES:
        return "csv"
    return check_file_format(path)


def check_file_format(path: Path) -> FileFormat:
    """The format a file's suffix names; an unknown suffix is refused, never guessed."""
    found = SUFFIXES.get(path.suffix.lower())
    if found is None:
        accepted = ", ".join(SUFFIXES)
        raise ChainhubError(
            "file_format",
            f"{path.name}: unknown file type {path.suffix or '(none)'}; send one of {accepted}, "
            "or give a mapping profile that names the format",
            f"{path.name}：无法识别的文件类型 {path.suffix or '（无）'}；请发送 {accepted} 文件，"
            "或提供指明格式的映射配置",
            {"file": path.name},
            415,
        )
    return found
