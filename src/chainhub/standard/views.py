"""The published standard over HTTP: version and document types."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter

from chainhub.standard import service
from chainhub.standard.registry import DOCUMENT_TYPES
from chainhub.standard.version import STANDARD_VERSION

router = APIRouter(prefix="/api/v1/standard", tags=["standard"])


@router.get("")
def get_standard() -> dict[str, Any]:
    """The standard's version and its document types."""
    return {
        "version": STANDARD_VERSION,
        "document_types": [
            {
                "name": t.name,
                "title_en": t.title_en,
                "title_zh": t.title_zh,
                "kind": "master" if t.master else "transaction",
                "key": list(t.key),
            }
            for t in DOCUMENT_TYPES.values()
        ],
    }


@router.get("/{document_type}/schema")
def get_document_schema(document_type: str, record: bool = False) -> dict[str, Any]:
    """Published JSON Schema of one document type, or of its flat record with `record=true`."""
    return service.get_document_schema(document_type=document_type, record=record)
