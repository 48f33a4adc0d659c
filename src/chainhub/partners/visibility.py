"""The one place that decides who may see and send what; every endpoint, page and export asks it.

A partner sees the rows of documents it is a party to, plus rows of a grantor's documents that
an accepted agreement in force shares with it, within the agreement's material scope (for
forecasts, the scope includes the grantor's products built from those materials). The hub
admin and the designated chain leader see everything. Partners, sites and materials form the
directory every authenticated partner sees. An EPCIS event is seen by the partner that captured
it and by the partners it names (as source, destination, or through a site of theirs).
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
from chainhub.storage.models import current_view

DIRECTORY_TYPES: Final = frozenset({"partner", "site", "material"})
BOM_PARENT_TYPES: Final = frozenset({"demand_forecast"})
WRITER_ROLES: Final = frozenset({Role.PARTNER_ADMIN, Role.PARTNER_MEMBER})


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
        for grant in list_active_grants(
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


def is_party_expr(*, document_type: str, partner_id: str) -> pl.Expr:
    """Per record: the partner is named in one of the type's party fields (the write-side rule;
    `_party_clause` is the same rule for reads)."""
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
