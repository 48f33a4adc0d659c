"""The errors of a file that cannot be read at all."""

from __future__ import annotations

from pathlib import Path

from chainhub.errors import ChainhubError


def unreadable(path: Path, en: str, zh: str) -> ChainhubError:
    """The file cannot be read, for the reason given in both languages; only the file's name
    is shown (an upload's is the uploaded name, not the server's temporary folder)."""
    return ChainhubError(
        "file_unreadable", f"{path.name}: {en}", f"{path.name}：{zh}", {"file": path.name}
    )


def file_not_found(path: Path) -> ChainhubError:
    """There is no file at `path`."""
    return ChainhubError(
        "file_not_found", f"file not found: {path}", f"找不到文件：{path}", {"file": str(path)}
    )
