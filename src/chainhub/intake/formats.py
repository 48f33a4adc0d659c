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
# Delimited text under other names (SAP list exports, Excel's "Unicode text"): its delimiter is
# not the comma one can assume of a .csv, so only a profile or `profile suggest` reads it.
DELIMITED_TEXT: Final = frozenset({".txt", ".tsv", ".tab", ".dat"})


def check_file_format(path: Path, *, delimiter_known: bool = False) -> FileFormat:
    """The format a file's suffix names; an unknown suffix is refused, never guessed.

    With `delimiter_known` (a profile names it, or suggestion sniffs it), delimited text under
    a text suffix reads as CSV.
    """
    suffix = path.suffix.lower()
    found = "csv" if delimiter_known and suffix in DELIMITED_TEXT else SUFFIXES.get(suffix)
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
