"""Material descriptions: normalized text, tokens and attributes parsed from it (zh and en)."""

from __future__ import annotations

import json
import re
import tomllib
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any, Final

from chainhub.errors import ChainhubError

# Unit words, folded only after a number: 瓦 is a watt in 40瓦 but not in 瓦楞.
_UNITS: Final[tuple[tuple[str, str], ...]] = (
    ("匹", "p"), ("hp", "p"), ("公斤", "kg"), ("千克", "kg"), ("毫米", "mm"), ("厘米", "cm"),
    ("平方", "mm2"), ("米", "m"), ("升", "l"), ("千瓦", "kw"), ("瓦", "w"), ("伏", "v"),
    ("安培", "a"), ("克", "g"), ("gsm", "g"),
)  # fmt: skip


def _trie(words: list[str]) -> str:
    """One regular expression matching any of `words`, the longest at a place first, written as
    a trie: Python's engine tries every branch of a flat alternation at every character."""
    tree: dict[str, Any] = {}
    for word in words:
        node = tree
        for char in word:
            node = node.setdefault(char, {})
        node[""] = {}
    return _branches(tree)


def _branches(node: dict[str, Any]) -> str:
    ends = "" in node
    parts = [re.escape(char) + _branches(child) for char, child in node.items() if char]
    if not parts:
        return ""
    body = parts[0] if len(parts) == 1 else f"(?:{'|'.join(parts)})"
    # Greedy: the longer spelling is tried before the word ending here.
    return f"(?:{body})?" if ends else body


# Synonyms are data, one file per industry in synonyms/ (common.toml for every hub): Chinese and
# English trade words, SAP short-text abbreviations and common supplier spellings. Latin words
# match whole words only ("washer" is not inside "dishwasher"); Chinese words anywhere. The
# longest spelling at a place wins.
_SYNONYM_DIR: Final = Path(__file__).with_name("synonyms")
DEFAULT_INDUSTRIES: Final = ("appliances",)


def industries_available() -> list[str]:
    """The industries with a synonym file, besides common."""
    return sorted(p.stem for p in _SYNONYM_DIR.glob("*.toml") if p.stem != "common")


def _bad_file(path: Path, entry: str, en: str, zh: str) -> ChainhubError:
    return ChainhubError(
        "synonyms_invalid",
        f"synonym file {path.name}, entry {entry!r}: {en}",
        f"同义词文件 {path.name} 的条目 {entry!r}：{zh}",
    )


def load_synonyms(path: Path) -> dict[str, str]:
    """One synonym file's [synonyms] table, checked: spelling -> folded spelling, both text."""
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        raise _bad_file(path, "-", f"cannot be read ({exc})", f"无法读取（{exc}）") from None
    table = data.get("synonyms")
    if not isinstance(table, dict) or set(data) != {"synonyms"}:
        raise _bad_file(path, "-", "needs one [synonyms] table and nothing else",
                        "只能包含一个 [synonyms] 表")  # fmt: skip
    for spelling, folded in table.items():
        if not isinstance(folded, str) or not folded.strip():
            raise _bad_file(path, spelling, "the folded spelling must be non-empty text",
                            "归一后的写法必须是非空文本")  # fmt: skip
        if not spelling.strip() or unicodedata.normalize("NFKC", spelling).casefold() != spelling:
            raise _bad_file(path, spelling, "the spelling must be non-empty, lower case and NFKC",
                            "写法必须非空、小写并经 NFKC 规范化")  # fmt: skip
    return dict(table)


class _Folding:
    """The synonyms of the chosen industries, compiled once into one expression."""

    def __init__(self, industries: Sequence[str]) -> None:
        known = industries_available()
        synonyms = load_synonyms(_SYNONYM_DIR / "common.toml")
        for industry in industries:
            if industry not in known:
                raise ChainhubError(
                    "industry_unknown",
                    f"no synonyms for industry {industry!r}; known: {', '.join(known)}",
                    f"行业 {industry!r} 没有同义词表；已有：{'、'.join(known)}",
                )
            synonyms |= load_synonyms(_SYNONYM_DIR / f"{industry}.toml")
        self.industries = tuple(industries)
        self.map = synonyms | dict(_UNITS)
        self.pattern = re.compile(
            "|".join(
                [
                    rf"(?:(?<=\d)|(?<=\d ))(?:{'|'.join(re.escape(a) for a, _ in _UNITS)})"
                    r"(?![a-z0-9])",
                    rf"(?<![a-z])(?:{_trie([a for a in synonyms if a[0].isascii()])})(?![a-z0-9])",
                    _trie([a for a in synonyms if not a[0].isascii()]),
                ]
            )
        )


_active: list[_Folding] = []


def use_industries(industries: Sequence[str]) -> None:
    """Fold descriptions with the synonyms of `industries` (and common) from now on."""
    if _active and _active[0].industries == tuple(industries):
        return
    _active[:] = [_Folding(industries)]
    normalize_text.cache_clear()


def active_industries() -> tuple[str, ...]:
    """The industries whose synonyms descriptions are folded with."""
    return _folding().industries


def synonyms_fingerprint() -> str:
    """The active synonym table as text: a master prepared under other synonyms is stale."""
    return json.dumps(sorted(_folding().map.items()), ensure_ascii=False)


def _folding() -> _Folding:
    if not _active:
        _active.append(_Folding(DEFAULT_INDUSTRIES))
    return _active[0]


_UNIT_WORDS: Final = frozenset({"mm2", "kwh", "mah"})

_CJK: Final = r"\u3400-\u4dbf\u4e00-\u9fff"
_TIMES_RE: Final = re.compile(r"(?<=[0-9a-z])\s*[×x*]\s*(?=[0-9])")
_CJK_LATIN_RE: Final = re.compile(rf"(?<=[{_CJK}])(?=[0-9a-z])|(?<=[0-9a-z.%])(?=[{_CJK}])")
_PUNCT_RE: Final = re.compile(r"[^\w.+\-/%" + _CJK + r"]+|(?<!\d)[.](?!\d)|[_]")
_SPACES_RE: Final = re.compile(r"\s+")
_DECIMAL_COMMA_RE: Final = re.compile(r"(?<=\d),(?=\d{1,2}(?!\d))")
# Sizes as suppliers write them: SS304 for SUS304, D9.52 or OD9.52 for a diameter, δ0.8, t=0.8
# or t0.8 for a thickness in millimetres.
_STAINLESS_GRADE_RE: Final = re.compile(r"(?<![a-z])ss(?=\d{3}(?!\d))")
_DIAMETER_RE: Final = re.compile(r"(?<![a-z0-9])(?:dia|od|d(?=\d+\.\d))\s?(?=\d)")
_THICKNESS_RE: Final = re.compile(
    r"(?<![a-z0-9])(?:δ\s?|t\s?=\s?|t(?=\d+\.\d))(\d+(?:\.\d+)?)(?:\s?mm)?(?![a-z0-9])"
)
_TO_MILLIMETRES: Final = {"m": 1000.0, "cm": 10.0}

_NUMBER_UNIT_RE: Final = re.compile(
    r"(?<![a-z0-9.])(\d+(?:\.\d+)?)\s?(mm2|mm|cm|kg|kw|kwh|mah|hz|g|m|l|ml|w|v|a|p|t|in|gb|tb)"
    r"(?![a-z0-9])"
)
_DIMENSION_RE: Final = re.compile(r"(?<![a-z0-9.])([a-z]{0,3}\d+(?:\.\d+)?(?:x\d+(?:\.\d+)?)+)")
_PHI_RE: Final = re.compile(r"phi\s?(\d+(?:\.\d+)?)")
_CODE_RE: Final = re.compile(r"(?<![\w.])([a-z0-9]+(?:[-/.][a-z0-9]+)*)(?![\w])")
_HAS_DIGIT: Final = re.compile(r"\d")
_HAS_ALPHA: Final = re.compile(r"[a-z]")
_WORD_RE: Final = re.compile(rf"[{_CJK}]+|[a-z0-9]+(?:[.\-/][a-z0-9]+)*")
_CJK_RUN_RE: Final = re.compile(rf"[{_CJK}]+")
_NUMBER_RE: Final = re.compile(r"\d+(?:\.\d+)?")

# Material grades written without digits, which are still identifying.
_GRADES: Final = frozenset({"spcc", "spcd", "spce", "secc", "sgcc", "abs", "eps", "pvc", "hips",
                            "pom", "ndfeb", "igbt", "mcu", "pcb", "eev", "led", "lcd"})  # fmt: skip


# Cached: a golden master repeats its texts across pairs and across runs.
@lru_cache(maxsize=1 << 18)
def normalize_text(text: str | None) -> str:
    """Description folded for comparing: half-width, lower case, one spelling of ×, synonyms."""
    if not text:
        return ""
    folded = unicodedata.normalize("NFKC", text).casefold()
    folded = _DECIMAL_COMMA_RE.sub(".", folded)
    folded = _STAINLESS_GRADE_RE.sub("sus", folded)
    folded = _DIAMETER_RE.sub(" phi ", folded)
    folded = _THICKNESS_RE.sub(r" \1mm ", folded)
    folding = _folding()
    folded = folding.pattern.sub(lambda m: f" {folding.map[m.group(0)]} ", folded)
    folded = _TIMES_RE.sub("x", folded)
    folded = _PUNCT_RE.sub(" ", folded)
    folded = _CJK_LATIN_RE.sub(" ", folded)
    return _SPACES_RE.sub(" ", folded).strip()


def tokens(normalized: str) -> list[str]:
    """Words of a normalized text: Latin words whole, Chinese runs as character bigrams."""
    out: list[str] = []
    for word in _WORD_RE.findall(normalized):
        if _CJK_RUN_RE.fullmatch(word):
            out.extend(word[i : i + 2] for i in range(max(len(word) - 1, 1)))
        else:
            out.append(word)
    return out


def _compact(code: str) -> str:
    return re.sub(r"[-/.]", "", code)


def _measure(number: str, unit: str) -> str:
    """A quantity in one spelling, lengths in millimetres: 1.5m -> 1500mm."""
    if unit in _TO_MILLIMETRES:
        return f"{float(number) * _TO_MILLIMETRES[unit]:g}mm"
    return f"{float(number):g}{unit}"


def _dimension(text: str) -> str:
    """A dimension with its numbers in one spelling: m4x12.0 -> m4x12."""
    prefix = re.match(r"[a-z]*", text)
    head = prefix.group(0) if prefix else ""
    return head + "x".join(f"{float(n):g}" for n in text[len(head) :].split("x"))


@dataclass(frozen=True, slots=True)
class Attributes:
    """Facts parsed from a description: model codes, quantities with units, dimensions, numbers."""

    codes: frozenset[str]
    measures: frozenset[str]
    dimensions: frozenset[str]
    numbers: frozenset[str]


@lru_cache(maxsize=1 << 18)
def parse_attributes(normalized: str) -> Attributes:
    """Model numbers (KFR-35GW, SPCC), measures (0.8mm, 1.5p, 40w), dimensions (m4x12)."""
    measures = {_measure(n, u) for n, u in _NUMBER_UNIT_RE.findall(normalized)}
    measures |= {f"phi{float(n):g}" for n in _PHI_RE.findall(normalized)}
    dimensions = {_dimension(d) for d in _DIMENSION_RE.findall(normalized)}
    codes: set[str] = set()
    for raw in _CODE_RE.findall(normalized):
        code = _compact(raw)
        if len(code) < 3 or _NUMBER_UNIT_RE.fullmatch(raw) or code in _UNIT_WORDS:
            continue
        if _DIMENSION_RE.fullmatch(raw):
            continue
        mixed = bool(_HAS_DIGIT.search(code) and _HAS_ALPHA.search(code))
        if mixed or (code.isdigit() and len(code) >= 4) or code in _GRADES:
            codes.add(code)
    numbers = {f"{float(w):g}" for w in normalized.split() if _NUMBER_RE.fullmatch(w)}
    numbers |= {f"{float(n):g}" for n, _ in _NUMBER_UNIT_RE.findall(normalized)}
    return Attributes(frozenset(codes), frozenset(measures), frozenset(dimensions),
                      frozenset(numbers))  # fmt: skip


_CODE_PHI_RE: Final = re.compile(r"[φΦøØ⌀]\s*")
_CODE_TIMES_RE: Final = re.compile(r"(?<=[0-9a-z.])\s*[×x*✕]\s*(?=[0-9])")
_CODE_SEPARATOR_RE: Final = re.compile(r"[\s\-_/\\,;:()（）\[\]]+|(?<!\d)\.|\.(?!\d)")
_DECIMAL_RE: Final = re.compile(r"\d+\.\d+")


@lru_cache(maxsize=1 << 18)
def normalize_code(code: str | None) -> str:
    """A model, part or size code in one spelling: Φ9.52×0.6, φ9,52*0.60 -> phi9.52x0.6."""
    if not code:
        return ""
    folded = unicodedata.normalize("NFKC", code).casefold()
    folded = _DECIMAL_COMMA_RE.sub(".", folded)
    folded = _CODE_PHI_RE.sub("phi", folded)
    folded = _CODE_TIMES_RE.sub("x", folded)
    folded = _CODE_SEPARATOR_RE.sub("", folded)
    return _DECIMAL_RE.sub(lambda m: f"{float(m.group(0)):g}", folded)


_PRICE_RE: Final = re.compile(r"\d+(?:\.\d+)?")


def parse_number(value: str | None) -> float | None:
    """The first number of a value such as a price (`$1,299.00`, `1299,00 元`), else None."""
    if not value:
        return None
    folded = unicodedata.normalize("NFKC", value)
    folded = _DECIMAL_COMMA_RE.sub(".", folded).replace(",", "")
    found = _PRICE_RE.search(folded)
    return float(found.group(0)) if found else None


# Typed specification attributes, each read from a normalized text. A value both sides state
# and disagree on (R32 against R410A, M4 against M5) is strong evidence against a match.
SPEC_TYPES: Final = ("diameter", "thread", "length", "horsepower", "kilowatts", "refrigerant",
                     "grade")  # fmt: skip
_SPEC_PATTERNS: Final = (
    # Φ9.52×0.6: a tube's outer diameter (and wall), D9.52 and OD9.52 fold to phi as well.
    ("diameter", re.compile(r"phi ?(\d+(?:\.\d+)?)")),
    # M4×12: the thread is M4, the length 12 (mm).
    ("thread", re.compile(r"(?<![a-z0-9])(m\d+(?:\.\d+)?)(?:x\d+(?:\.\d+)?)?(?![a-z0-9.])")),
    ("length", re.compile(r"(?<![a-z0-9])m\d+(?:\.\d+)?x(\d+(?:\.\d+)?)(?![a-z0-9.])")),
    ("length", re.compile(r"(?<![a-z0-9.])l ?(\d+(?:\.\d+)?) ?mm(?![a-z0-9])")),
    # 1.5匹 / 1.5HP / 1.5P (folded to "1.5 p"); kilowatts apart, as an air conditioner's 匹 is
    # its cooling capacity, not its input power.
    ("horsepower", re.compile(r"(?<![a-z0-9.])(\d+(?:\.\d+)?) ?p(?![a-z0-9])")),
    ("kilowatts", re.compile(r"(?<![a-z0-9.])(\d+(?:\.\d+)?) ?kw(?![a-z0-9])")),
    ("refrigerant", re.compile(r"(?<![a-z0-9])r-?(\d{2,3}[a-c]?)(?![a-z0-9])")),
    ("grade", re.compile(r"(?<![a-z0-9])(sus ?\d{3}l?|q\d{3}[a-e]?|spc[cde]|sgcc|secc|tp2|t2|h6[25]"
                         r"|[1-7]0[0-9]{2}(?=-?[ht]\d))(?![0-9])")),
)  # fmt: skip


@lru_cache(maxsize=1 << 18)
def parse_specification(normalized: str) -> dict[str, frozenset[str]]:
    """Typed attributes stated in a normalized text, each as a set of canonical values:
    diameter 9.52, thread m4, length 12, horsepower 1.5, kilowatts 3.5, refrigerant 410a, grade
    sus304."""
    found: dict[str, set[str]] = {}
    for kind, pattern in _SPEC_PATTERNS:
        for match in pattern.finditer(normalized):
            value = "".join(match.groups()).replace(" ", "")
            if _NUMBER_RE.fullmatch(value):
                value = f"{float(value):g}"
            elif kind == "thread":
                value = re.sub(r"\d+(?:\.\d+)?", lambda m: f"{float(m.group(0)):g}", value)
            found.setdefault(kind, set()).add(value)
    return {kind: frozenset(values) for kind, values in found.items()}
