"""Material descriptions: normalized text, tokens and attributes parsed from it (zh and en)."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from typing import Final

# Synonyms folded to one spelling before comparing; longer phrases first so they win. Latin
# words match whole words only ("washer" is not inside "dishwasher"); Chinese words anywhere.
_SYNONYMS: Final[tuple[tuple[str, str], ...]] = (
    ("stainless steel", "sus"), ("不锈钢", "sus"), ("cold-rolled", "冷轧"),
    ("cold rolled", "冷轧"), ("galvanised", "镀锌"), ("galvanized", "镀锌"),
    ("printed circuit board", "pcb"), ("电路板", "pcb"), ("线路板", "pcb"),
    ("control board", "控制板"), ("air conditioner", "空调"), ("air-conditioner", "空调"),
    ("refrigerator", "冰箱"), ("fridge", "冰箱"), ("washing machine", "洗衣机"),
    ("washer", "洗衣机"), ("compressor", "压缩机"), ("motor", "电机"), ("马达", "电机"),
    ("screw", "螺钉"), ("螺丝", "螺钉"), ("bolt", "螺栓"), ("nut", "螺母"),
    ("copper", "铜"), ("aluminium", "铝"), ("aluminum", "铝"), ("steel", "钢"),
    ("carton", "纸箱"), ("wire harness", "线束"), ("harness", "线束"), ("valve", "阀"),
    ("匹", "p"), ("hp", "p"), ("公斤", "kg"), ("千克", "kg"), ("毫米", "mm"), ("厘米", "cm"),
    ("平方", "mm2"), ("米", "m"), ("升", "l"), ("千瓦", "kw"), ("瓦", "w"), ("伏", "v"),
    ("安培", "a"), ("φ", "phi "), ("ø", "phi "), ("⌀", "phi "), ("dia", "phi "),
)  # fmt: skip
_SYNONYM_RE: Final = re.compile(
    "|".join(
        re.escape(a) if not a[0].isascii() else rf"(?<![a-z]){re.escape(a)}(?![a-z])"
        for a, _ in _SYNONYMS
    )
)
_SYNONYM_MAP: Final = dict(_SYNONYMS)
_UNIT_WORDS: Final = frozenset({"mm2", "kwh", "mah"})

_CJK: Final = r"\u3400-\u4dbf\u4e00-\u9fff"
_TIMES_RE: Final = re.compile(r"(?<=[0-9a-z])\s*[×x*]\s*(?=[0-9])")
_CJK_LATIN_RE: Final = re.compile(rf"(?<=[{_CJK}])(?=[0-9a-z])|(?<=[0-9a-z.%])(?=[{_CJK}])")
_PUNCT_RE: Final = re.compile(r"[^\w.+\-/%" + _CJK + r"]+|(?<!\d)[.](?!\d)|[_]")
_SPACES_RE: Final = re.compile(r"\s+")
_DECIMAL_COMMA_RE: Final = re.compile(r"(?<=\d),(?=\d{1,2}\b)")

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


def normalize_text(text: str | None) -> str:
    """Description folded for comparing: half-width, lower case, one spelling of ×, synonyms."""
    if not text:
        return ""
    folded = unicodedata.normalize("NFKC", text).casefold()
    folded = _DECIMAL_COMMA_RE.sub(".", folded)
    folded = _SYNONYM_RE.sub(lambda m: f" {_SYNONYM_MAP[m.group(0)]} ", folded)
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


def parse_attributes(normalized: str) -> Attributes:
    """Model numbers (KFR-35GW, SPCC), measures (0.8mm, 1.5p, 40w), dimensions (m4x12)."""
    measures = {f"{float(n):g}{u}" for n, u in _NUMBER_UNIT_RE.findall(normalized)}
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
