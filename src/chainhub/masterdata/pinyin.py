"""Pinyin and initials variants of Chinese names: suppliers write 压缩机 as YSJ or yasuoji."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Mapping
from functools import lru_cache
from typing import Final

from chainhub.masterdata.text import normalize_text

_CJK_RUN_RE: Final = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff]+")
_LATIN_WORD_RE: Final = re.compile(r"(?<![A-Za-z])[A-Za-z]+(?![A-Za-z])")
# Words of two to four characters inside a name, and the whole name run: 冷凝器 in 冷凝器组件.
_LONGEST_PART: Final = 4
# Initials of one or two characters are too ambiguous (YS: 压缩? 颜色?) to stand for a word.
_MIN_INITIALS: Final = 3
_MIN_SYLLABLES: Final = 2


@lru_cache(maxsize=1 << 16)
def _syllables(run: str) -> tuple[str, ...]:
    from pypinyin import lazy_pinyin

    return tuple(lazy_pinyin(run, errors="ignore"))


def _words(run: str) -> set[str]:
    """The run, and its heads and tails of two to four characters: a name is a head noun with
    modifiers (旋转式 + 压缩机), so the words suppliers abbreviate sit at its ends."""
    ends = range(_MIN_SYLLABLES, min(_LONGEST_PART, len(run)) + 1)
    parts = {run[:n] for n in ends} | {run[-n:] for n in ends}
    if len(run) >= _MIN_SYLLABLES:
        parts.add(run)
    return parts


def pinyin_table(names: Iterable[str], latin: Iterable[str] = ()) -> dict[str, str]:
    """Each Chinese word of `names` by its full pinyin (yasuoji) and its initials in upper case
    (YSJ); a spelling that stands for two different words, or that is a Latin word of `latin`
    (the master's English names and specs: KFR, SPCC), is left out."""
    taken = {w.lower() for text in latin for w in _LATIN_WORD_RE.findall(text or "")}
    seen: dict[str, set[str]] = {}
    for name in names:
        for run in _CJK_RUN_RE.findall(unicodedata.normalize("NFKC", name or "")):
            syllables = _syllables(run)
            if len(syllables) != len(run):
                continue
            for word in _words(run):
                start = run.find(word)
                spoken = syllables[start : start + len(word)]
                seen.setdefault("".join(spoken), set()).add(word)
                if len(word) >= _MIN_INITIALS:
                    seen.setdefault("".join(s[0] for s in spoken).upper(), set()).add(word)
    return {key: next(iter(words)) for key, words in seen.items()
            if len(words) == 1 and key.lower() not in taken}  # fmt: skip


def with_pinyin(description: str, table: Mapping[str, str]) -> str:
    """A Latin-only description with its pinyin words written in Chinese: YSJ-1.5P -> 压缩机-1.5P.
    Initials count only in capitals; a trade word (fan, cond) keeps its own meaning."""
    if not table or not description or _CJK_RUN_RE.search(description):
        return description

    def chinese(match: re.Match[str]) -> str:
        word = match.group(0)
        found = table.get(word) if word.isupper() else None
        found = found or table.get(word.lower())
        if found is None or normalize_text(word) != word.lower():
            return word
        return f"{found} {word}"

    return _LATIN_WORD_RE.sub(chinese, description)
