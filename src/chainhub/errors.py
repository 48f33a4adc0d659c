"""Domain errors: a stable code, a message in English and Chinese, and where the problem is."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

Language = Literal["en", "zh"]


@dataclass
class ChainhubError(Exception):
    """An error the user can act on; never shown as a traceback."""

    code: str
    message_en: str
    message_zh: str
    location: dict[str, str | int] = field(default_factory=dict)
    status: int = 400

    def message(self, lang: Language = "en") -> str:
        """The message in `lang`, followed by its location."""
        text = self.message_zh if lang == "zh" else self.message_en
        if self.location:
            where = ", ".join(f"{k}={v}" for k, v in self.location.items())
            text = f"{text} ({where})"
        return text

    def __str__(self) -> str:
        return self.message("en")


def parse_language(value: str | None) -> Language:
    """'zh' for any Chinese locale or Accept-Language value, else 'en'."""
    return "zh" if value and value.strip().lower().startswith("zh") else "en"
