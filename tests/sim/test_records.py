"""Every generated record conforms to the standard: flat records and whole documents."""

from __future__ import annotations

from typing import Any

import pytest

from chainhub.standard.registry import DOCUMENT_TYPES

from .conftest import SmallChain


def _documents(rows: list[dict[str, Any]], doc_type: str) -> list[dict[str, Any]]:
    t = DOCUMENT_TYPES[doc_type]
    docs: dict[tuple[Any, ...], dict[str, Any]] = {}
    for row in rows:
        key = (row["source_file"], *(row[k] for k in t.key), row.get("revision"))
        doc = docs.setdefault(key, {k: row[k] for k in t.header_fields})
        if t.lines_field:
            doc.setdefault(t.lines_field, []).append({k: row[k] for k in t.line_fields})
    return list(docs.values())


@pytest.mark.parametrize("doc_type", list(DOCUMENT_TYPES))
def test_records_and_documents_validate(small_chain: SmallChain, doc_type: str) -> None:
    t = DOCUMENT_TYPES[doc_type]
    frame = small_chain.truth(doc_type)
    sample = frame.head(400).to_dicts() + frame.tail(400).to_dicts()
    assert sample
    for row in sample:
        t.record_model.model_validate({k: row[k] for k in t.record_fields})
    for doc in _documents(sample, doc_type):
        t.model.model_validate(doc)
