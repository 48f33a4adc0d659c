"""The read side of documents for the API and the pages: every read asks the visibility module."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
from functools import cache
from typing import Any, Final

import sqlalchemy as sa
from sqlalchemy import Connection

from chainhub.access.schemas import Principal
from chainhub.documents.schemas import (
    DocumentCount,
    DocumentHistory,
    DocumentRead,
    DocumentVersion,
    FlowPoint,
    JsonRecord,
    RecordPage,
)
from chainhub.errors import ChainhubError
from chainhub.partners.visibility import (
    get_visible_clause,
)
from chainhub.standard.annotations import unwrap
from chainhub.standard.registry import (
    BUSINESS_DATES,
    DOCUMENT_TYPES,
    MATERIAL_FIELDS,
    SITE_FIELDS,
    get_document_type,
)
from chainhub.storage.answers import get_kept_answer, get_statement_text
from chainhub.storage.models import CURRENT_FLAG, LIST_SEPARATOR, current_view, doc_table

FLOWS: Final = (
    ("purchase_order", "order_date"),
    ("shipment", "ship_date"),
    ("goods_receipt", "receipt_date"),
    ("sales_order", "order_date"),
)
_FORMATS: Final = {".csv": "csv", ".xlsx": "xlsx", ".json": "json"}


@cache
def _list_fields(document_type: str) -> frozenset[str]:
    """Record fields holding lists, stored joined with commas."""
    fields = get_document_type(document_type).record_fields
    return frozenset(name for name, info in fields.items() if unwrap(info.annotation).is_list)


def _json_value(value: Any) -> Any:
    if isinstance(value, Decimal):
        return format(value.normalize(), "f")
    if isinstance(value, datetime | date):
        return value.isoformat()
    return value


def _json_record(
    row: Mapping[Any, Any], document_type: str, extra: Iterable[str] = ()
) -> JsonRecord:
    lists = _list_fields(document_type)
    record: JsonRecord = {}
    for name in (*get_document_type(document_type).record_fields, *extra):
        value = row[name]
        record[name] = (
            value.split(LIST_SEPARATOR) if name in lists and value else _json_value(value)
        )
    return record


def _where(
    *,
    conn: Connection,
    principal: Principal,
    document_type: str,
    relation: Any,
    today: date,
    filters: Mapping[str, str],
) -> list[sa.ColumnElement[bool]]:
    clauses = [
        get_visible_clause(
            conn=conn,
            principal=principal,
            document_type=document_type,
            relation=relation,
            today=today,
        )
    ]
    fields = get_document_type(document_type).record_fields
    for name, value in filters.items():
        if name not in fields:
            raise ChainhubError(
                "unknown_field",
                f"{document_type} has no field {name!r}",
                f"{document_type} 没有字段 {name!r}",
                {"document_type": document_type, "field": name},
            )
        clauses.append(sa.cast(relation.c[name], sa.String) == value)
    return clauses


def list_visible_records(
    *,
    conn: Connection,
    principal: Principal,
    document_type: str,
    today: date,
    filters: Mapping[str, str] | None = None,
    limit: int = 100,
    offset: int = 0,
) -> RecordPage:
    """One page of the current records of a type that the caller may see, equal to `filters`."""
    view = current_view(document_type)
    where = _where(
        conn=conn,
        principal=principal,
        document_type=document_type,
        relation=view,
        today=today,
        filters=filters or {},
    )
    total = conn.execute(sa.select(sa.func.count()).select_from(view).where(*where)).scalar_one()
    rows = conn.execute(
        sa.select(view)
        .where(*where)
        .order_by(view.c._doc_key, view.c._source_row)
        .limit(limit)
        .offset(offset)
    ).mappings()
    return RecordPage(
        document_type=document_type,
        total=total,
        limit=limit,
        offset=offset,
        records=[_json_record(r, document_type, ("_doc_key", "_doc_version")) for r in rows],
    )


def _versions(rows: Sequence[sa.RowMapping], document_type: str) -> list[DocumentVersion]:
    versions: dict[int, DocumentVersion] = {}
    for row in rows:
        version = versions.get(row["_doc_version"])
        if version is None:
            version = versions[row["_doc_version"]] = DocumentVersion(
                version=row["_doc_version"],
                submission_id=row["_submission_id"],
                submitted_by=row["_submitted_by"],
                received_at=row["_received_at"],
                source_file=row["_source_file"],
                standard_version=row["_standard_version"],
                records=[],
            )
        version.records.append(_json_record(row, document_type))
    return list(versions.values())


def _beside_key(
    table: sa.Table, clauses: Sequence[sa.ColumnElement[bool]]
) -> sa.ColumnElement[bool]:
    """`clauses` as one condition beside an equality on the table's indexed `_doc_key`, written
    so that DuckDB still finds the key's rows through the index: it looks a key up there only
    when no other condition on a single column is pushed into the scan, and a flag or a party
    column compared alone would be (the whole table is then read per document). Joined with
    the key's own IS NULL, they are one condition over two columns, which it checks on the
    rows the index gave; the key is never NULL, so the rows are the same."""
    return sa.or_(sa.and_(*clauses), table.c._doc_key.is_(None))


def _document_rows(
    *,
    conn: Connection,
    principal: Principal,
    document_type: str,
    doc_key: str,
    today: date,
    current: bool,
    order_by: Sequence[str],
) -> list[sa.RowMapping]:
    """The rows of one document (of its current version only, when `current`) that the caller
    may see, ordered by the columns `order_by`; not found if none."""
    table = doc_table(document_type)
    where = _where(
        conn=conn,
        principal=principal,
        document_type=document_type,
        relation=table,
        today=today,
        filters={},
    )
    if current:
        # The table's flag rather than the current view: the same rows, without binding the
        # view on every read.
        where.append(table.c[CURRENT_FLAG])
    # `*` rather than the table's columns by name: DuckDB parses and binds the statement naming
    # each column ~0.25 ms (a fifth) slower, on every read. The rows are read by name, and no
    # column of a document table has a result conversion to skip.
    query = (
        sa.select(sa.text("*"))
        .select_from(table)
        .where(table.c._doc_key == doc_key, _beside_key(table, where))
    )
    # A document has a few rows: ordered here, they spare the database a sort per read.
    found = conn.execute(query).mappings().all()
    rows = sorted(found, key=lambda row: tuple(row[name] for name in order_by))
    if not rows:
        raise ChainhubError(
            "document_not_found",
            f"no {document_type} {doc_key!r} that you may see",
            f"没有您可查看的 {document_type} 单据 {doc_key!r}",
            {"document_type": document_type, "doc_key": doc_key},
            404,
        )
    return rows


def access_document(
    *, conn: Connection, principal: Principal, document_type: str, doc_key: str, today: date
) -> DocumentRead:
    """The current version of a document, with the records the caller may see."""
    rows = _document_rows(
        conn=conn,
        principal=principal,
        document_type=document_type,
        doc_key=doc_key,
        today=today,
        current=True,
        order_by=["_source_row"],
    )
    return DocumentRead(
        document_type=document_type, doc_key=doc_key, current=_versions(rows, document_type)[0]
    )


def access_history(
    *, conn: Connection, principal: Principal, document_type: str, doc_key: str, today: date
) -> DocumentHistory:
    """Every version of a document, oldest first, each with the records the caller may see."""
    rows = _document_rows(
        conn=conn,
        principal=principal,
        document_type=document_type,
        doc_key=doc_key,
        today=today,
        current=False,
        order_by=["_doc_version", "_source_row"],
    )
    return DocumentHistory(
        document_type=document_type, doc_key=doc_key, versions=_versions(rows, document_type)
    )


@dataclass(frozen=True)
class DocumentFilter:
    """What document reads are narrowed to: a party, a material, a site, business dates. A type
    without a field for a filter in use (a partner record has no material) has no row in it."""

    partner_id: str | None = None
    material: str | None = None
    site: str | None = None
    start: date | None = None
    end: date | None = None


def _any_of(view: sa.TableClause, fields: Iterable[str], value: str) -> sa.ColumnElement[bool]:
    return sa.or_(sa.false(), *(view.c[f] == value for f in sorted(fields)))


def _dated(name: str, view: sa.TableClause, only: DocumentFilter) -> sa.ColumnElement[bool]:
    """The type's business date within the period; a moment's day is its UTC day."""
    field = BUSINESS_DATES.get(name)
    if field is None:
        return sa.false()
    column = view.c[field]
    if DOCUMENT_TYPES[name].record_fields[field].annotation is date:
        since: date | datetime | None = only.start
        until: date | datetime | None = only.end + timedelta(days=1) if only.end else None
    else:
        since = datetime.combine(only.start, time(), tzinfo=UTC) if only.start else None
        until = (
            datetime.combine(only.end + timedelta(days=1), time(), tzinfo=UTC) if only.end else None
        )
    return sa.and_(
        sa.true(),
        *([column >= since] if since is not None else []),
        *([column < until] if until is not None else []),
    )


def get_document_narrowing(name: str, view: sa.TableClause, only: DocumentFilter) -> list[Any]:
    """The conditions that narrow one type's current view to the filter (none for no filter):
    the partner as any of its parties, the material and site as any field naming one."""
    fields = DOCUMENT_TYPES[name].record_fields
    narrow: list[Any] = []
    if only.partner_id is not None:
        narrow.append(_any_of(view, DOCUMENT_TYPES[name].parties, only.partner_id))
    if only.material is not None:
        narrow.append(_any_of(view, MATERIAL_FIELDS & fields.keys(), only.material))
    if only.site is not None:
        narrow.append(_any_of(view, SITE_FIELDS & fields.keys(), only.site))
    if only.start is not None or only.end is not None:
        narrow.append(_dated(name, view, only))
    return narrow


def count_visible_documents(
    *, conn: Connection, principal: Principal, today: date, only: DocumentFilter | None = None
) -> list[DocumentCount]:
    """Current documents and lines of each type that the caller may see, within `only`."""
    statements = []
    for name in DOCUMENT_TYPES:
        view = current_view(name)
        where = get_visible_clause(
            conn=conn, principal=principal, document_type=name, relation=view, today=today
        )
        narrow = get_document_narrowing(name, view, only or DocumentFilter())
        statements.append(
            sa.select(
                sa.literal(name).label("document_type"),
                sa.func.count().label("rows"),
                sa.func.count(sa.distinct(view.c._doc_key)).label("documents"),
            ).where(where, *narrow)
        )
    query = sa.union_all(*statements)

    def count() -> list[DocumentCount]:
        found = {row.document_type: row for row in conn.execute(query)}
        return [
            DocumentCount(document_type=n, documents=found[n].documents, rows=found[n].rows)
            for n in DOCUMENT_TYPES
        ]

    return get_kept_answer(
        conn=conn, query=get_statement_text(conn=conn, statement=query), compute=count
    )


def list_visible_monthly_flows(
    *, conn: Connection, principal: Principal, today: date, only: DocumentFilter | None = None
) -> list[FlowPoint]:
    """Visible lines per month of orders, shipments, receipts and sales, within `only`."""
    statements = []
    for name, date_field in FLOWS:
        view = current_view(name)
        where = get_visible_clause(
            conn=conn, principal=principal, document_type=name, relation=view, today=today
        )
        narrow = get_document_narrowing(name, view, only or DocumentFilter())
        month = sa.func.date_trunc("month", view.c[date_field]).label("month")
        statements.append(
            sa.select(sa.literal(name).label("flow"), month, sa.func.count().label("lines"))
            .where(where, *narrow)
            .group_by(month)
        )
    query = sa.union_all(*statements)

    def flows() -> list[FlowPoint]:
        points = []
        for row in conn.execute(query):
            value = row.month.date() if isinstance(row.month, datetime) else row.month
            points.append(FlowPoint(flow=row.flow, month=value, lines=row.lines))
        order = {name: i for i, (name, _) in enumerate(FLOWS)}
        return sorted(points, key=lambda p: (order[p.flow], p.month))

    return get_kept_answer(
        conn=conn, query=get_statement_text(conn=conn, statement=query), compute=flows
    )
