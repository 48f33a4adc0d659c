"""The one place that decides who may see and send what; every endpoint, page and export asks it.

A partner sees the rows of documents it is a party to, plus rows of a grantor's documents that
an accepted agreement in force shares with it, within the agreement's material scope (for
forecasts, the scope includes the grantor's products built from those materials). The hub
admin and the designated chain leader see everything. Partners, sites and materials form the
directory every authenticated partner sees. An EPCIS event is seen by the partner that captured
it and by the partners it names (as source, destination, or through a site of theirs). In a lot
trace a partner sees its own lots and the lots it shipped or received at the counterparty; the
rest are shown as opaque, counted "hidden partner" nodes. A recall case is seen by the partners
it affects, each seeing its own line and counts of the others; the opener, the hub admin and the
chain leader see every line. A machine's telemetry (states, counts, signals, OEE) is seen by the
partner that runs the machine, the hub admin and the chain leader.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import Any, Final

import polars as pl
import sqlalchemy as sa
from sqlalchemy import Connection
from sqlalchemy.sql.elements import ColumnElement
from sqlalchemy.sql.expression import FromClause

from chainhub.access.schemas import Principal, Role
from chainhub.errors import ChainhubError
from chainhub.partners.agreements import list_active_grants
from chainhub.partners.schemas import AgreementRead, ScopeKind
from chainhub.standard.registry import DocumentType, get_document_type
from chainhub.storage.engine import get_read_cache
from chainhub.storage.models import KEY_SEPARATOR, current_view
from chainhub.storage.service import StoreBatch, list_latest_rows

DIRECTORY_TYPES: Final = frozenset({"partner", "site", "material"})
BOM_PARENT_TYPES: Final = frozenset({"demand_forecast"})
WRITER_ROLES: Final = frozenset({Role.PARTNER_ADMIN, Role.PARTNER_MEMBER})
CANCELLED: Final = "cancelled"


def _grants(
    *, conn: Connection, grantee_id: str, document_type: str, today: date
) -> list[AgreementRead]:
    """The grantee's grants of `document_type`, read once per read-only request."""
    cache = get_read_cache(conn=conn)
    if cache is None:
        return list_active_grants(
            conn=conn, grantee_id=grantee_id, document_type=document_type, today=today
        )
    key = ("grants", grantee_id, today)
    if key not in cache:
        cache[key] = list_active_grants(
            conn=conn, grantee_id=grantee_id, document_type=None, today=today
        )
    return [grant for grant in cache[key] if document_type in grant.document_types]


def _forbidden(en: str, zh: str) -> ChainhubError:
    return ChainhubError("forbidden", en, zh, status=403)


def _party_clause(
    doc_type: DocumentType, relation: FromClause, partner_id: str
) -> ColumnElement[bool]:
    if not doc_type.parties:
        return sa.false()
    return sa.or_(*(relation.c[p] == partner_id for p in doc_type.parties))


def _scoped_materials(grant: AgreementRead) -> Any:
    """The grant's materials: a list, or a subquery over current master data or orders."""
    if grant.scope_kind is ScopeKind.MATERIALS:
        return grant.scope_values
    if grant.scope_kind is ScopeKind.CATEGORIES:
        golden = current_view("material")
        return sa.select(golden.c.material_code).where(golden.c.category.in_(grant.scope_values))
    orders = current_view("purchase_order")
    return sa.select(orders.c.material_code).where(
        orders.c.supplier_id == grant.grantee_id, orders.c.buyer_id == grant.grantor_id
    )


def _scope_clause(
    grant: AgreementRead, relation: FromClause, document_type: str
) -> ColumnElement[bool]:
    """Rows of the grant's materials; for forecasts, also of the grantor's products that use
    them (one BOM level), since a supplier plans from the demand for what its parts go into."""
    if grant.scope_kind is ScopeKind.ALL:
        return sa.true()
    if "material_code" not in relation.c:
        return sa.false()
    materials = _scoped_materials(grant)
    clause: ColumnElement[bool] = relation.c.material_code.in_(materials)
    if document_type in BOM_PARENT_TYPES:
        bom = current_view("bom")
        parents = sa.select(bom.c.parent_code).where(
            bom.c.owner_id == grant.grantor_id, bom.c.component_code.in_(materials)
        )
        clause = sa.or_(clause, relation.c.material_code.in_(parents))
    return clause


def get_visible_clause(
    *,
    conn: Connection,
    principal: Principal,
    document_type: str,
    relation: FromClause,
    today: date,
) -> ColumnElement[bool]:
    """WHERE clause over a type's current view or table that keeps what the caller may see."""
    doc_type = get_document_type(document_type)
    if principal.sees_all or doc_type.name in DIRECTORY_TYPES:
        return sa.true()
    if principal.partner_id is None:
        return sa.false()
    clauses = [_party_clause(doc_type, relation, principal.partner_id)]
    clauses.extend(
        sa.and_(
            _party_clause(doc_type, relation, grant.grantor_id),
            _scope_clause(grant, relation, doc_type.name),
        )
        for grant in _grants(
            conn=conn, grantee_id=principal.partner_id, document_type=doc_type.name, today=today
        )
    )
    return sa.or_(*clauses)


def check_document_visible(
    *, conn: Connection, principal: Principal, document_type: str, doc_key: str, today: date
) -> bool:
    """True when the caller sees at least one row of the current version of the document."""
    view = current_view(document_type)
    where = get_visible_clause(
        conn=conn, principal=principal, document_type=document_type, relation=view, today=today
    )
    query = sa.select(sa.literal(1)).select_from(view).where(view.c._doc_key == doc_key, where)
    return conn.execute(query.limit(1)).first() is not None


def get_trace_visible_clause(
    *, principal: Principal, events: FromClause, parties: FromClause
) -> ColumnElement[bool]:
    """WHERE clause over EPCIS events (`event_hash`, `captured_by`) that keeps those the caller
    captured or that name it in `parties` (`event_hash`, `party`); all, for who sees all."""
    if principal.sees_all:
        return sa.true()
    if principal.partner_id is None:
        return sa.false()
    named = (
        sa.select(sa.literal(1))
        .select_from(parties)
        .where(parties.c.event_hash == events.c.event_hash, parties.c.party == principal.partner_id)
        .exists()
    )
    return sa.or_(events.c.captured_by == principal.partner_id, named)


TRACE_MOVES: Final = frozenset({"shipment", "receipt", "shipping", "receiving"})


def get_trace_visible_nodes(
    *, principal: Principal, holders: Sequence[str], links: Sequence[tuple[int, int, str]]
) -> list[bool]:
    """Which lot nodes of a trace the caller sees: every one, for who sees all; else the lots it
    holds and, across a shipment or receipt it is a party to, the same lot at its counterparty.
    `holders` is each node's holding partner; `links` are (node, node, edge kind) pairs."""
    if principal.sees_all:
        return [True] * len(holders)
    me = principal.partner_id
    seen = [holder == me for holder in holders]
    for a, b, kind in links:
        if kind in TRACE_MOVES and me in (holders[a], holders[b]):
            seen[a] = seen[b] = True
    return seen


def get_recall_visible_clause(
    *, principal: Principal, cases: FromClause, lines: FromClause
) -> ColumnElement[bool]:
    """Recall cases the caller sees: all, for who sees all; else those it opened or that affect
    it (it has a line of `lines`, keyed by recall_id and partner_id)."""
    if principal.sees_all:
        return sa.true()
    me = principal.partner_id
    affecting = sa.select(lines.c.recall_id).where(lines.c.partner_id == me)
    return sa.or_(cases.c.opened_by == me, cases.c.recall_id.in_(affecting))


def get_recall_visible_partners(
    *, principal: Principal, opened_by: str | None, affected: Sequence[str]
) -> frozenset[str] | None:
    """The partners a recall case may name to the caller (their lines, and the opener): every
    one for the hub admin and the chain leader; else only itself, the others being counted, as
    in a trace (a supplier recalling its own lot learns how many it reached, not who); None
    when the case neither affects the caller nor was opened by it."""
    me = principal.partner_id
    if principal.sees_all:
        return frozenset(affected) | frozenset(filter(None, [opened_by]))
    if me is not None and (me in affected or me == opened_by):
        return frozenset({me})
    return None


def check_trace_event_visible(
    *,
    conn: Connection,
    principal: Principal,
    events: FromClause,
    parties: FromClause,
    event_hash: str,
) -> bool:
    """True when the caller may see the EPCIS event."""
    where = get_trace_visible_clause(principal=principal, events=events, parties=parties)
    query = (
        sa.select(sa.literal(1)).select_from(events).where(events.c.event_hash == event_hash, where)
    )
    return conn.execute(query.limit(1)).first() is not None


def check_may_write(*, principal: Principal) -> str:
    """The caller's partner, when its role may submit documents and change settings."""
    if principal.partner_id is None or principal.role not in WRITER_ROLES:
        raise _forbidden(
            f"a {principal.role} token cannot submit or change anything; "
            "use a partner admin or member token",
            f"{principal.role} 令牌不能提交或修改数据；请使用伙伴管理员或成员令牌",
        )
    return principal.partner_id


def check_may_administer(*, principal: Principal, partner_id: str) -> None:
    """The caller is the hub admin or a partner admin of `partner_id`."""
    if principal.is_hub_admin:
        return
    if principal.role is not Role.PARTNER_ADMIN or principal.partner_id != partner_id:
        raise _forbidden(
            f"only a partner admin of {partner_id} or the hub admin may do this",
            f"只有 {partner_id} 的伙伴管理员或枢纽管理员可以执行此操作",
        )


def get_partner_scope(*, principal: Principal, partner_id: str | None) -> str | None:
    """Whose records a per-partner listing shows: any partner's (or all, with None) for the hub
    admin and the chain leader, else only the caller's own."""
    return partner_id if principal.sees_all else principal.partner_id


def check_hub_admin(*, principal: Principal) -> None:
    """The caller is the hub admin."""
    if not principal.is_hub_admin:
        raise _forbidden("only the hub admin may do this", "只有枢纽管理员可以执行此操作")


def check_may_send(*, document_type: str, chain_leader: bool) -> None:
    """Records of a type that names no party (the golden material list) come from the leader."""
    if not get_document_type(document_type).parties and not chain_leader:
        raise _forbidden(
            f"only the chain leader publishes {document_type} records",
            f"只有链主可以发布 {document_type} 记录",
        )


def party_rule_applies(*, document_type: str, chain_leader: bool) -> bool:
    """Whether a submitter must be a party to every record it sends.

    The chain leader publishes master data for the whole chain, so its master records are exempt.
    """
    doc_type = get_document_type(document_type)
    return bool(doc_type.parties) and not (doc_type.master and chain_leader)


def is_party_expr(*, document_type: str, partner_id: str | pl.Expr) -> pl.Expr:
    """Per record: the partner (or each row's, as an expression) is named in one of the type's
    party fields (the write-side rule; `_party_clause` is the same rule for reads)."""
    parties = get_document_type(document_type).parties
    return pl.any_horizontal([pl.col(p) == partner_id for p in parties]).fill_null(False)


def check_master_parties(*, document_type: str, partner_id: str, rows: Sequence[int]) -> None:
    """Master data names its owner: publishing another partner's record is forbidden outright."""
    doc_type = get_document_type(document_type)
    if not doc_type.master or not rows:
        return
    fields = ", ".join(doc_type.parties)
    raise ChainhubError(
        "not_a_party",
        f"{partner_id} may only send {document_type} records that name it in {fields}",
        f"{partner_id} 只能提交在 {fields} 中列明自身的 {document_type} 记录",
        {"document_type": document_type, "row": min(rows), "field": doc_type.parties[0]},
        403,
    )


def _refused(code: str, en: str, zh: str, location: dict[str, str | int]) -> ChainhubError:
    return ChainhubError(code, en, zh, location, 403)


def _stored_versions(
    *, conn: Connection, doc_type: DocumentType, keys: list[str], batch: StoreBatch | None = None
) -> pl.DataFrame:
    """Party and cancel fields of the current versions of `keys`, as strings (those pending
    in `batch` read from it)."""
    columns = list(
        dict.fromkeys(("_doc_key", *doc_type.parties, *doc_type.cancel_fields, *doc_type.line_key))
    )
    if batch is not None:
        return batch.list_latest_rows(
            conn=conn, document_type=doc_type.name, keys=keys, columns=columns
        )
    return list_latest_rows(conn=conn, document_type=doc_type.name, keys=keys, columns=columns)


def _parties(frame: pl.LazyFrame, doc_type: DocumentType) -> pl.LazyFrame:
    """Per document: the sorted partners its party fields name."""
    return frame.group_by("_doc_key").agg(
        pl.concat_list([pl.col(p) for p in doc_type.parties])
        .list.explode(keep_nulls=False, empty_as_null=False)
        .drop_nulls()
        .unique()
        .sort()
        .alias("_parties")
    )


def _cancellations(frame: pl.DataFrame, doc_type: DocumentType) -> pl.LazyFrame:
    """(document, cancel field, line) of every cancelled status in `frame`."""
    parts = []
    for name in doc_type.cancel_fields:
        if name not in frame.columns:
            continue
        in_lines = name not in doc_type.header_fields
        line = (
            pl.concat_str([pl.col(k) for k in doc_type.line_key], separator=KEY_SEPARATOR)
            if in_lines
            else pl.lit("")
        )
        parts.append(
            frame.lazy()
            .filter(pl.col(name) == CANCELLED)
            .select("_doc_key", pl.lit(name).alias("_field"), line.alias("_line"))
        )
    empty = pl.LazyFrame(schema=dict.fromkeys(("_doc_key", "_field", "_line"), pl.String))
    return pl.concat([empty, *parts]).unique()


def _check_same_parties(
    new: pl.DataFrame,
    old: pl.DataFrame,
    rows: pl.LazyFrame,
    *,
    doc_type: DocumentType,
    partner_id: str,
) -> None:
    """A new version comes from a party of the stored one and names the same parties."""
    document_type = doc_type.name
    fields = ", ".join(doc_type.parties)
    # Only the first document (by row) that breaks a rule is reported, so only it is read
    # out; one query (each costs ~50-100 us to plan whatever the rows).
    offending = (
        _parties(new.lazy(), doc_type)
        .join(_parties(old.lazy(), doc_type).rename({"_parties": "_old"}), on="_doc_key")
        .with_columns(pl.col("_old").list.contains(partner_id).alias("_was_party"))
        .filter(~pl.col("_was_party") | (pl.col("_parties") != pl.col("_old")))
        .join(rows, on="_doc_key")
        .sort("_row")
        .head(1)
        .collect()
    )
    if offending.height == 0:
        return
    doc = offending.row(0, named=True)
    key, was = doc["_doc_key"], doc["_old"]
    where: dict[str, str | int] = {
        "document_type": document_type,
        "document": key,
        "row": doc["_row"],
    }
    if not doc["_was_party"]:
        raise _refused(
            "not_a_party_of_document",
            f"{partner_id} is not a party of the stored {document_type} {key}, so it "
            "cannot send a new version of it",
            f"{partner_id} 不是已存 {document_type} {key} 的当事方，不能提交它的新版本",
            where,
        )
    named, before = ", ".join(doc["_parties"]), ", ".join(was)
    raise _refused(
        "parties_changed",
        f"the new version of {document_type} {key} names {named} in {fields}, the "
        f"stored one {before}; a document's parties cannot change",
        f"{document_type} {key} 的新版本在 {fields} 中列明 {named}，已存版本为 "
        f"{before}；单据的当事方不能变更",
        where,
    )


def _doc_key(doc_type: DocumentType) -> pl.Expr:
    return pl.concat_str(
        [pl.col(k).cast(pl.String) for k in doc_type.key], separator=KEY_SEPARATOR
    ).alias("_doc_key")


def list_replaced_versions(
    *, conn: Connection, document_type: str, keys: pl.Series, batch: StoreBatch | None = None
) -> pl.DataFrame:
    """The stored current versions of the documents `keys` (the records' document keys) send
    again: the fields `check_may_replace` compares, as text, and `_doc_version`; with a
    `batch`, versions pending in it count as stored (and no `_doc_version`: it numbers them
    as it writes them)."""
    doc_type = get_document_type(document_type)
    # In Python: a Polars `unique` costs a fixed ~50-100 us, more than a file's few keys.
    wanted = [k for k in dict.fromkeys(keys.to_list()) if k is not None]
    return _stored_versions(conn=conn, doc_type=doc_type, keys=wanted, batch=batch)


def _any_cancelled(records: pl.DataFrame, doc_type: DocumentType) -> bool:
    """Whether any of `records` says a document or line is cancelled."""
    fields = [n for n in doc_type.cancel_fields if n in records.columns]
    if not fields:
        return False
    # Column by column: no query to plan (a select costs ~80 us whatever the rows).
    return any(bool((records.get_column(n).cast(pl.String) == CANCELLED).any()) for n in fields)


def check_may_replace(
    *,
    conn: Connection,
    document_type: str,
    partner_id: str,
    records: pl.DataFrame,
    stored: pl.DataFrame | None = None,
) -> None:
    """The write-side rule for documents already stored, applied by intake's one write path.

    A new version is accepted only from a party of the version it replaces; it names the
    same parties (a document cannot be taken over by renaming them); and only the parties the
    standard names for it may cancel a document or one of its lines. `stored` is what
    `list_replaced_versions` answers for `records`, when the caller has read it.
    """
    doc_type = get_document_type(document_type)
    frame = records
    if not doc_type.parties or frame.height == 0:
        return
    cancels = _any_cancelled(frame, doc_type)
    # New documents that cancel nothing: no rule to apply (the common case, said in one pass).
    if stored is not None and stored.height == 0 and not cancels:
        return
    columns = list(dict.fromkeys((*doc_type.parties, *doc_type.cancel_fields, *doc_type.line_key)))
    new = frame.select_seq(
        _doc_key(doc_type),
        pl.col("_source_row").alias("_row") if "_source_row" in frame.columns else pl.lit(0),
        *(pl.col(c).cast(pl.String) for c in columns if c in frame.columns),
    )
    rows = new.lazy().group_by("_doc_key").agg(pl.col("_row").min())
    keys = new.get_column("_doc_key").to_list()
    old = (
        stored
        if stored is not None
        else _stored_versions(
            conn=conn,
            doc_type=doc_type,
            keys=[k for k in dict.fromkeys(keys) if k is not None],
        )
    )
    if old.height:
        _check_same_parties(new, old, rows, doc_type=doc_type, partner_id=partner_id)
    # What cancels nothing adds no cancellation to check (new versions mostly do not).
    if not cancels:
        return
    added = _cancellations(new, doc_type).join(
        _cancellations(old, doc_type), on=["_doc_key", "_field", "_line"], how="anti"
    )
    cancellers = (
        new.lazy()
        .group_by("_doc_key")
        .agg(
            pl.concat_list([pl.col(p) for p in doc_type.cancel_parties])
            .list.explode(keep_nulls=False, empty_as_null=False)
            .alias("_who")
        )
    )
    refused = (
        added.join(cancellers, on="_doc_key")
        .filter(~pl.col("_who").list.contains(partner_id))
        .join(rows, on="_doc_key")
        .sort("_row")
        .collect()
    )
    if refused.height:
        first = refused.row(0, named=True)
        who = ", ".join(doc_type.cancel_parties)
        key = first["_doc_key"]
        raise _refused(
            "cancel_not_allowed",
            f"only the {who} of {document_type} {key} may cancel it or its lines; "
            f"{partner_id} is not",
            f"只有 {document_type} {key} 的 {who} 可以取消该单据或其行；{partner_id} 不是",
            {
                "document_type": document_type,
                "document": key,
                "row": first["_row"],
                "field": first["_field"],
            },
        )


def _site_owner(*, conn: Connection, site_id: str) -> str:
    """The partner that runs the site; an unknown site is not found. Read once per read-only
    request: the schedule page checks a site several times."""
    cache = get_read_cache(conn=conn)
    key = ("partners.site_owner", site_id)
    if cache is not None and key in cache:
        return str(cache[key])
    sites = current_view("site")
    owner = conn.execute(
        sa.select(sites.c.partner_id).where(sites.c.site_id == site_id).limit(1)
    ).scalar_one_or_none()
    if cache is not None and owner is not None:
        cache[key] = owner
    if owner is None:
        raise ChainhubError(
            "site_not_found", f"no site {site_id}", f"没有场所 {site_id}", {"site_id": site_id}, 404
        )
    return str(owner)


def check_may_plan_site(*, conn: Connection, principal: Principal, site_id: str) -> None:
    """The caller may re-plan the site's schedule: the hub admin, the chain leader, or a partner
    admin or member of the partner that runs the site."""
    owner = _site_owner(conn=conn, site_id=site_id)
    if principal.is_hub_admin:
        return
    if principal.role not in WRITER_ROLES or not (
        principal.chain_leader or principal.partner_id == owner
    ):
        raise _forbidden(
            f"only {owner}'s admins and members, the chain leader or the hub admin plan {site_id}",
            f"只有 {owner} 的管理员和成员、链主或枢纽管理员可以为 {site_id} 排产",
        )


def check_site_schedule_visible(*, conn: Connection, principal: Principal, site_id: str) -> None:
    """The caller may read the site's whole schedule: its manufacturer, or who sees all.
    A supplier sees only the need dates of what it supplies (`get_need_visible_clause`)."""
    owner = _site_owner(conn=conn, site_id=site_id)
    if not principal.sees_all and principal.partner_id != owner:
        raise _forbidden(
            f"only {owner}, the chain leader or the hub admin see the schedule of {site_id}",
            f"只有 {owner}、链主或枢纽管理员可以查看 {site_id} 的排产计划",
        )


def get_need_visible_clause(
    *, principal: Principal, manufacturer: ColumnElement[Any], material: ColumnElement[Any]
) -> ColumnElement[bool]:
    """WHERE clause over material need dates of plans (`manufacturer` needs `material`) that
    keeps those of the caller's own plants and those of materials it is the supplier of on a
    purchase order from that manufacturer that is not cancelled; all, for who sees all."""
    if principal.sees_all:
        return sa.true()
    if principal.partner_id is None:
        return sa.false()
    orders = current_view("purchase_order")
    supplied = (
        sa.select(sa.literal(1))
        .select_from(orders)
        .where(
            orders.c.supplier_id == principal.partner_id,
            orders.c.buyer_id == manufacturer,
            orders.c.material_code == material,
            sa.func.coalesce(orders.c.status, "") != CANCELLED,
            sa.func.coalesce(orders.c.line_status, "") != CANCELLED,
        )
        .exists()
    )
    return sa.or_(manufacturer == principal.partner_id, supplied)


def get_machine_visible_clause(
    *, principal: Principal, partner: ColumnElement[Any]
) -> ColumnElement[bool]:
    """WHERE clause over machine telemetry (`partner` runs the machine) that keeps the caller's
    own machines; all, for who sees all."""
    if principal.sees_all:
        return sa.true()
    if principal.partner_id is None:
        return sa.false()
    return partner == principal.partner_id


def check_may_plan_for(*, principal: Principal, customer_id: str, write: bool = False) -> None:
    """The caller may run (with `write`, publish) the customer's MRP: the customer itself (an
    admin or member to publish), the chain leader or the hub admin."""
    if principal.is_hub_admin or principal.chain_leader:
        allowed = not write or principal.is_hub_admin or principal.role in WRITER_ROLES
    else:
        allowed = principal.partner_id == customer_id and (
            not write or principal.role in WRITER_ROLES
        )
    if not allowed:
        raise _forbidden(
            f"only {customer_id}, the chain leader or the hub admin plan {customer_id}'s material "
            "demand" + (" and publish it (as an admin or member)" if write else ""),
            f"只有 {customer_id}、链主或枢纽管理员可以计算{'并发布' if write else ''} "
            f"{customer_id} 的物料需求",
        )


def get_plan_visible_clause(
    *, principal: Principal, customer: ColumnElement[Any], supplier: ColumnElement[Any]
) -> ColumnElement[bool]:
    """WHERE clause over plan results between a customer and a supplier (computed demand,
    group-weeks, alerts): a partner sees those it is the customer or the supplier of; the chain
    leader and the hub admin see all."""
    if principal.sees_all:
        return sa.true()
    if principal.partner_id is None:
        return sa.false()
    return sa.or_(customer == principal.partner_id, supplier == principal.partner_id)
