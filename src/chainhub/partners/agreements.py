"""Data-sharing agreements: proposed by one side, accepted by the other, revocable by either."""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime

import sqlalchemy as sa
from sqlalchemy import Connection

from chainhub.access.schemas import Principal, Role
from chainhub.errors import ChainhubError
from chainhub.partners.models import sharing_agreements
from chainhub.partners.schemas import AgreementCreate, AgreementRead, AgreementStatus, ScopeKind
from chainhub.standard.registry import get_document_type
from chainhub.storage.models import LIST_SEPARATOR


def _read(row: sa.RowMapping) -> AgreementRead:
    values = dict(row)
    for name in ("document_types", "scope_values"):
        values[name] = values[name].split(LIST_SEPARATOR) if values[name] else []
    return AgreementRead.model_validate(values)


def _forbidden(en: str, zh: str) -> ChainhubError:
    return ChainhubError("forbidden", en, zh, status=403)


def _not_found(agreement_id: str) -> ChainhubError:
    return ChainhubError(
        "agreement_not_found",
        f"no agreement {agreement_id} of yours",
        f"没有与您相关的共享协议 {agreement_id}",
        {"agreement_id": agreement_id},
        404,
    )


def check_agreement(*, proposal: AgreementCreate) -> None:
    """Raise ChainhubError for a proposal that cannot become an agreement."""
    for name in proposal.document_types:
        get_document_type(name)
    if proposal.grantor_id == proposal.grantee_id:
        raise ChainhubError(
            "agreement_self",
            "grantor and grantee must differ",
            "授权方与被授权方不能相同",
            {"field": "grantee_id"},
            422,
        )
    needs_values = proposal.scope_kind in (ScopeKind.MATERIALS, ScopeKind.CATEGORIES)
    if needs_values != bool(proposal.scope_values):
        raise ChainhubError(
            "agreement_scope",
            "scope_values lists the materials or categories, and only for those kinds of scope",
            "仅当范围类型为 materials 或 categories 时需要并且只能填写 scope_values",
            {"field": "scope_values"},
            422,
        )
    if proposal.valid_to is not None and proposal.valid_to < proposal.valid_from:
        raise ChainhubError(
            "agreement_dates",
            "valid_to is before valid_from",
            "valid_to 早于 valid_from",
            {"field": "valid_to"},
            422,
        )


def _check_admin_of(principal: Principal, partners: tuple[str, ...]) -> str:
    if principal.role is not Role.PARTNER_ADMIN or principal.partner_id not in partners:
        raise _forbidden(
            "only a partner admin of the grantor or the grantee may do this",
            "只有授权方或被授权方的伙伴管理员可以执行此操作",
        )
    return principal.partner_id


def do_propose_agreement(
    *,
    conn: Connection,
    principal: Principal,
    proposal: AgreementCreate,
    now: datetime | None = None,
) -> AgreementRead:
    """Record a proposal by a partner admin of either side; the other side must accept it."""
    check_agreement(proposal=proposal)
    proposer = _check_admin_of(principal, (proposal.grantor_id, proposal.grantee_id))
    agreement_id = str(uuid.uuid4())
    conn.execute(
        sharing_agreements.insert().values(
            agreement_id=agreement_id,
            grantor_id=proposal.grantor_id,
            grantee_id=proposal.grantee_id,
            document_types=LIST_SEPARATOR.join(dict.fromkeys(proposal.document_types)),
            scope_kind=proposal.scope_kind.value,
            scope_values=LIST_SEPARATOR.join(dict.fromkeys(proposal.scope_values)),
            purpose=proposal.purpose,
            valid_from=proposal.valid_from,
            valid_to=proposal.valid_to,
            status=AgreementStatus.PROPOSED.value,
            proposed_by=proposer,
            proposed_at=now or datetime.now(UTC),
            accepted_at=None,
            revoked_at=None,
        )
    )
    return access_agreement(conn=conn, principal=principal, agreement_id=agreement_id)


def access_agreement(*, conn: Connection, principal: Principal, agreement_id: str) -> AgreementRead:
    """An agreement the caller is a side of (any, for the hub admin)."""
    table = sharing_agreements
    row = (
        conn.execute(sa.select(table).where(table.c.agreement_id == agreement_id))
        .mappings()
        .first()
    )
    if row is None or not (
        principal.is_hub_admin or principal.partner_id in (row["grantor_id"], row["grantee_id"])
    ):
        raise _not_found(agreement_id)
    return _read(row)


def do_accept_agreement(
    *, conn: Connection, principal: Principal, agreement_id: str, now: datetime | None = None
) -> AgreementRead:
    """Accept a proposal, as a partner admin of the side that did not propose it."""
    agreement = access_agreement(conn=conn, principal=principal, agreement_id=agreement_id)
    other = (
        agreement.grantee_id
        if agreement.proposed_by == agreement.grantor_id
        else agreement.grantor_id
    )
    _check_admin_of(principal, (other,))
    table = sharing_agreements
    done = conn.execute(
        table.update()
        .where(
            table.c.agreement_id == agreement_id, table.c.status == AgreementStatus.PROPOSED.value
        )
        .values(status=AgreementStatus.ACCEPTED.value, accepted_at=now or datetime.now(UTC))
    )
    if done.rowcount == 0:
        raise ChainhubError(
            "agreement_state",
            f"agreement is {agreement.status}, not proposed",
            f"协议状态为 {agreement.status}，不是待接受",
            {"agreement_id": agreement_id},
            409,
        )
    return access_agreement(conn=conn, principal=principal, agreement_id=agreement_id)


def do_revoke_agreement(
    *, conn: Connection, principal: Principal, agreement_id: str, now: datetime | None = None
) -> AgreementRead:
    """Revoke an agreement (or withdraw a proposal) at once, by a partner admin of either side."""
    agreement = access_agreement(conn=conn, principal=principal, agreement_id=agreement_id)
    _check_admin_of(principal, (agreement.grantor_id, agreement.grantee_id))
    table = sharing_agreements
    done = conn.execute(
        table.update()
        .where(
            table.c.agreement_id == agreement_id, table.c.status != AgreementStatus.REVOKED.value
        )
        .values(status=AgreementStatus.REVOKED.value, revoked_at=now or datetime.now(UTC))
    )
    if done.rowcount == 0:
        raise ChainhubError(
            "agreement_state",
            "agreement is already revoked",
            "协议已被撤销",
            {"agreement_id": agreement_id},
            409,
        )
    return access_agreement(conn=conn, principal=principal, agreement_id=agreement_id)


def list_agreements(
    *,
    conn: Connection,
    principal: Principal,
    partner_id: str | None = None,
    start: date | None = None,
    end: date | None = None,
) -> list[AgreementRead]:
    """Agreements the caller is a side of (all, for the hub admin), newest first; of those,
    the ones `partner_id` is a side of and valid on some day from `start` to `end`."""
    table = sharing_agreements
    query = sa.select(table).order_by(table.c.proposed_at.desc(), table.c.agreement_id)
    if partner_id is not None:
        query = query.where(
            sa.or_(table.c.grantor_id == partner_id, table.c.grantee_id == partner_id)
        )
    if start is not None:
        query = query.where(sa.or_(table.c.valid_to.is_(None), table.c.valid_to >= start))
    if end is not None:
        query = query.where(table.c.valid_from <= end)
    if not principal.is_hub_admin:
        query = query.where(
            sa.or_(
                table.c.grantor_id == principal.partner_id,
                table.c.grantee_id == principal.partner_id,
            )
        )
    return [_read(row) for row in conn.execute(query).mappings()]


def list_active_grants(
    *, conn: Connection, grantee_id: str, document_type: str | None, today: date
) -> list[AgreementRead]:
    """Accepted, unrevoked agreements in force today that share `document_type` (None: any)
    with the grantee."""
    table = sharing_agreements
    query = (
        sa.select(table)
        .where(
            table.c.grantee_id == grantee_id,
            table.c.status == AgreementStatus.ACCEPTED.value,
            table.c.valid_from <= today,
            sa.or_(table.c.valid_to.is_(None), table.c.valid_to >= today),
        )
        .order_by(table.c.agreement_id)
    )
    return [
        a
        for a in map(_read, conn.execute(query).mappings())
        if document_type is None or document_type in a.document_types
    ]
