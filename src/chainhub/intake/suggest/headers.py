"""Evidence from a column's header: the adapters' terms, the standard's names, fuzzy variants."""

from __future__ import annotations

from collections.abc import Iterable
from functools import cache
from typing import Final

from rapidfuzz import fuzz

from chainhub.intake.adapters import vocabulary
from chainhub.intake.suggest.text import fold
from chainhub.standard.registry import get_document_type

OWN: Final = 1.0
"""Weight of the standard's own names and of terms one document type gives a field."""
SHARED: Final = 0.95
"""Weight of terms any document type having the field may use."""
OTHER_DOCUMENT_CAP: Final = 0.75
"""Most a header naming another document may score: its words (源单单号, Ref. doc no.) say a
number or date, not which document's, so the placement is left for review."""
# Words of a header that name a document other than the file's own: the source or upstream
# document a line was made from (Kingdee 源单, Yonyou 来源单据 / 上游单据, SAP Ref. doc / Reference
# document, Business One Base doc). Such a column is never the file's own document key.
OTHER_DOCUMENT_WORDS: Final = (
    "源单",
    "来源单",
    "上游单",
    "上游",
    "参考单",
    "关联单",
    "前置单",
    "refdoc",
    "referencedoc",
    "sourcedoc",
    "srcdoc",
    "basedoc",
    "precedingdoc",
)
# Words of a header about a record's approval workflow in the ERP (Kingdee and Yonyou 单据状态:
# 暂存, 审核中, 已审核; SAP release status; Dynamics approval status): whether the bill was
# approved inside the partner's ERP, not where the order or line stands with its partner.
APPROVAL_WORDS: Final = (
    "单据状态",
    "审核",
    "审批",
    "approval",
    "approved",
    "workflow",
    "documentstatus",
    "docstatus",
    "releasestatus",
)
OTHER_FAMILY: Final = 0.9
"""Factor on a term another ERP family uses while the family that wrote the file (the one whose
words its headers match best) uses the same word for something else: SAP's Item is a line number,
Oracle's an item, and the file's other headers tell which family wrote it."""


def lead_adapter(headers: Iterable[str]) -> str | None:
    """The adapter knowing most of these headers exactly, if one knows more than any other."""
    keys = {fold(h) for h in headers}
    hits = sorted(
        ((len(keys & {fold(t) for t in a.terms}), a.name) for a in vocabulary().adapters),
        reverse=True,
    )
    if not hits or hits[0][0] == 0 or (len(hits) > 1 and hits[1][0] == hits[0][0]):
        return None
    return hits[0][1]


@cache
def _family_terms(name: str | None) -> frozenset[str]:
    found = [a for a in vocabulary().adapters if a.name == name]
    return frozenset(fold(t) for a in found for t in a.terms)


def _weigh(
    weights: dict[str, float], terms: dict[str, frozenset[str]], weight: float, lead: str | None
) -> None:
    lead_terms = _family_terms(lead)
    for term, adapters in terms.items():
        key = fold(term)
        other = lead is not None and lead not in adapters and key in lead_terms
        score = weight * OTHER_FAMILY if other else weight
        if key and score > weights.get(key, 0.0):
            weights[key] = score


@cache
def field_terms(document_type: str, lead: str | None) -> dict[str, dict[str, float]]:
    """Per field of a type: folded header terms and their weight (own names beat shared ones)."""
    doc = get_document_type(document_type)
    vocab = vocabulary()
    terms: dict[str, dict[str, float]] = {}
    for name, info in doc.record_fields.items():
        weights: dict[str, float] = {}
        _weigh(weights, vocab.fields.get(name, {}), SHARED, lead)
        _weigh(weights, vocab.documents.get((document_type, name), {}), OWN, lead)
        own = [name]
        extra = info.json_schema_extra
        if isinstance(extra, dict) and isinstance(extra.get("x-description-zh"), str):
            own.append(str(extra["x-description-zh"]))
        weights.update({fold(t): OWN for t in own if fold(t)})
        terms[name] = weights
    return terms


@cache
def description_terms(lead: str | None) -> dict[str, float]:
    """Folded header terms of the partner's own description of a material."""
    weights: dict[str, float] = {}
    _weigh(weights, vocabulary().descriptions, SHARED, lead)
    return weights


def header_score(header: str, terms: dict[str, float]) -> tuple[float, str]:
    """How well a header names a field: exact term, fuzzy match or containment."""
    key = fold(header)
    if not key:
        return 0.0, ""
    if key in terms:
        return terms[key], f"header '{header}'"
    best, why = 0.0, ""
    for term, weight in terms.items():
        ratio = fuzz.ratio(key, term) / 100
        if ratio >= 0.75 and ratio * 0.85 * weight > best and _variant(key, term):
            best, why = ratio * 0.85 * weight, f"header '{header}' ≈ '{term}' ({ratio:.0%})"
        if len(term) >= 2 and term in key:
            score = (0.55 + 0.3 * len(term) / len(key)) * weight
            if score > best:
                best, why = score, f"header '{header}' contains '{term}'"
    return best, why


def _variant(key: str, term: str) -> bool:
    """Whether a close spelling may be the same word. A Chinese character is a word of its own:
    one changed character changes the meaning (应收 due, 拒收 rejected, 验收 accepted; 单别 the
    document series, 单位 the unit), so a Chinese header is a variant of a term only by added
    or dropped characters (应收主数量 for 应收数量)."""
    if key.isascii() and term.isascii():
        return True
    short, long = sorted((key, term), key=len)
    rest = iter(long)
    return all(char in rest for char in short)


def names_other_document(header: str) -> bool:
    """The header names a document other than the file's own (a source or reference)."""
    key = fold(header)
    return any(word in key for word in OTHER_DOCUMENT_WORDS)


def names_approval(header: str) -> bool:
    """The header is about the record's approval workflow in the partner's ERP."""
    key = fold(header)
    return any(word in key for word in APPROVAL_WORDS)
