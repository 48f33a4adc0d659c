"""Tables of the hub, generated from the standard's registry: one append-only table per type."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from enum import Enum
from functools import cache
from typing import Any, Final

import polars as pl
import sqlalchemy as sa
from pydantic import AwareDatetime
from pydantic.fields import FieldInfo

from chainhub.standard.annotations import unwrap
from chainhub.standard.registry import DOCUMENT_TYPES, get_document_type

NAMING_CONVENTION: Final = {
    "ix": "ix_%(table_name)s_%(column_0_name)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "pk": "pk_%(table_name)s",
}
LIST_SEPARATOR: Final = ","
KEY_SEPARATOR: Final = "|"
SYSTEM_COLUMNS: Final = (
    "_submission_id",
    "_source_row",
    "_doc_key",
    "_doc_version",
    "_submitted_by",
    "_received_at",
    "_standard_version",
    "_source_file",
    "_current",
)
CURRENT_FLAG: Final = "_current"
"""The system column marking the rows of each document's latest version (not in the view)."""


def doc_table_name(document_type: str) -> str:
    """Name of the table holding every version of every document of a type."""
    return f"doc_{document_type}"


def current_view_name(document_type: str) -> str:
    """Name of the view holding the latest version of each document of a type."""
    return f"current_{document_type}"


METADATA: Final = sa.MetaData(naming_convention=NAMING_CONVENTION)
"""The hub's one MetaData: storage's tables here, each domain's in its own `models.py`."""

submissions = sa.Table(
    "submissions",
    METADATA,
    sa.Column("submission_id", sa.String(36), primary_key=True),
    sa.Column("partner_id", sa.String(), nullable=False),
    sa.Column("document_type", sa.String(), nullable=False),
    sa.Column("content_hash", sa.String(64), nullable=False),
    sa.Column("source_file", sa.String(), nullable=False),
    sa.Column("received_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("standard_version", sa.String(), nullable=False),
    sa.Column("row_count", sa.BigInteger(), nullable=False),
    sa.Column("document_count", sa.BigInteger(), nullable=False),
    sa.Column("status", sa.String(), nullable=False),
    sa.UniqueConstraint("partner_id", "document_type", "content_hash"),
)


def _document_table(name: str) -> sa.Table:
    """The append-only table of one document type, generated from the standard."""
    columns = [
        sa.Column(field_name, column_type(info), nullable=is_nullable(info))
        for field_name, info in get_document_type(name).record_fields.items()
    ]
    return sa.Table(
        doc_table_name(name),
        METADATA,
        *columns,
        sa.Column("_submission_id", sa.String(36), primary_key=True),
        sa.Column("_source_row", sa.Integer(), primary_key=True, autoincrement=False),
        sa.Column("_doc_key", sa.String(), nullable=False, index=True),
        sa.Column("_doc_version", sa.Integer(), nullable=False),
        sa.Column("_submitted_by", sa.String(), nullable=False),
        sa.Column("_received_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("_standard_version", sa.String(), nullable=False),
        sa.Column("_source_file", sa.String(), nullable=False),
        # Maintained by storage's write path, so that the current view is a plain filter
        # rather than a regrouping of the whole table per query.
        sa.Column(CURRENT_FLAG, sa.Boolean(), nullable=False, server_default=sa.true()),
    )


def doc_table(document_type: str) -> sa.Table:
    """The table of all versions of documents of a type."""
    return _DOC_TABLES[get_document_type(document_type).name]


@cache  # built once per type: every read names it
def current_view(document_type: str) -> sa.TableClause:
    """The view of current versions of documents of a type, with the table's columns but the
    current-version flag."""
    table = doc_table(document_type)
    return sa.table(
        current_view_name(document_type),
        *(sa.column(c.name, c.type) for c in table.columns if c.name != CURRENT_FLAG),
    )


def record_field_defaults(document_type: str) -> dict[str, object]:
    """Defaults of record fields that are not optional, used where a column is absent."""
    defaults: dict[str, object] = {}
    for name, info in get_document_type(document_type).record_fields.items():
        if info.is_required():
            continue
        value = info.get_default(call_default_factory=True)
        if value is not None:
            defaults[name] = value.value if isinstance(value, Enum) else value
    return defaults


def column_type(info: FieldInfo) -> sa.types.TypeEngine[Any]:
    """The column type storing a field of the standard."""
    field = unwrap(info.annotation)
    base = field.base
    if field.is_list:
        return sa.String()
    if base is AwareDatetime or (isinstance(base, type) and issubclass(base, datetime)):
        return sa.DateTime(timezone=True)
    if isinstance(base, type) and issubclass(base, date):
        return sa.Date()
    if isinstance(base, type) and issubclass(base, Decimal):
        return sa.Numeric(18, 6)
    if base is int:
        return sa.BigInteger()
    if isinstance(base, type) and issubclass(base, str):
        return sa.String()
    raise TypeError(f"no column type for annotation {info.annotation!r}")


def polars_type(column_type: sa.types.TypeEngine[Any]) -> pl.DataType:
    """The Polars type holding values of a column type."""
    if isinstance(column_type, sa.DateTime):
        return pl.Datetime("us", "UTC")
    if isinstance(column_type, sa.Date):
        return pl.Date()
    # Before Numeric, of which Float is a kind: a double is no decimal of scale 0.
    if isinstance(column_type, sa.Float):
        return pl.Float64()
    if isinstance(column_type, sa.Numeric):
        return pl.Decimal(column_type.precision or 38, column_type.scale or 0)
    if isinstance(column_type, sa.BigInteger):
        return pl.Int64()
    if isinstance(column_type, sa.Integer):
        return pl.Int32()
    if isinstance(column_type, sa.String):
        return pl.String()
    if isinstance(column_type, sa.Boolean):
        return pl.Boolean()
    raise TypeError(f"no Polars type for {column_type!r}")


def is_nullable(info: FieldInfo) -> bool:
    """True when the field's annotation admits None."""
    return unwrap(info.annotation).optional


# Built last: the column helpers above must exist first.
_DOC_TABLES: Final = {name: _document_table(name) for name in DOCUMENT_TYPES}
