"""Partners, users and API tokens: tokens are created once, stored hashed, refused when expired
or revoked; the chain leader the hub admin designates sees the whole chain."""

from __future__ import annotations

import hashlib
import hmac
import secrets
from datetime import UTC, date, datetime, timedelta
from typing import Final

import sqlalchemy as sa
from sqlalchemy import Connection

from chainhub.errors import ChainhubError
from chainhub.partners.agreements import (
    do_accept_agreement,
    do_propose_agreement,
    list_agreements,
)
from chainhub.partners.schemas import (
    AgreementCreate,
    AgreementStatus,
    DemoToken,
    PartnerRead,
    Principal,
    Role,
    ScopeKind,
    TokenRead,
)
from chainhub.storage.models import LIST_SEPARATOR, current_view, get_metadata

TOKEN_PREFIX: Final = "chk"  # noqa: S105 - a visible prefix, not a secret
DEMO_LEADER: Final = "haichuan"
DEMO_SUPPLIERS: Final = ("jinli-motor", "huayang-compressor")
DEMO_PURPOSE: Final = "vendor-managed inventory / 供应商管理库存"
# The token id of principals the hub acts as on a partner's behalf, for setup and webhooks.
SETUP: Final = "setup"
VMI_DOCUMENT_TYPES: Final = ("inventory_snapshot", "demand_forecast", "production_order")


def _table(name: str) -> sa.Table:
    return get_metadata().tables[name]


def _hash(secret: str) -> str:
    # Tokens carry 256 random bits, so a fast hash suffices: there is nothing to brute-force.
    return hashlib.sha256(secret.encode()).hexdigest()


def _invalid() -> ChainhubError:
    return ChainhubError(
        "invalid_token",
        "the token is unknown, expired or revoked",
        "令牌无效、已过期或已被吊销",
        status=401,
    )


def get_token_id(token: str) -> str | None:
    """The id a token claims to have, without checking it; None when it is malformed."""
    prefix, _, rest = token.partition("_")
    token_id, _, secret = rest.partition("_")
    return token_id if prefix == TOKEN_PREFIX and token_id and secret else None


def do_get_or_create_user(
    *, conn: Connection, partner_id: str | None, name: str, now: datetime | None = None
) -> str:
    """The id of the partner's user called `name`, created when new."""
    users = _table("users")
    partner_match = (
        users.c.partner_id.is_(None) if partner_id is None else users.c.partner_id == partner_id
    )
    existing = conn.execute(
        sa.select(users.c.user_id).where(partner_match, users.c.name == name)
    ).scalar_one_or_none()
    if existing is not None:
        return str(existing)
    user_id = secrets.token_hex(8)
    conn.execute(
        users.insert().values(
            user_id=user_id, partner_id=partner_id, name=name, created_at=now or datetime.now(UTC)
        )
    )
    return user_id


def do_create_token(
    *,
    conn: Connection,
    partner_id: str | None,
    role: Role,
    label: str,
    expires_in: timedelta | None = None,
    user: str | None = None,
    now: datetime | None = None,
) -> str:
    """Create a token and return it in full; only its hash is kept."""
    if (partner_id is None) != (role is Role.HUB_ADMIN):
        raise ChainhubError(
            "token_role",
            "hub_admin tokens have no partner; others need one",
            "hub_admin 令牌不属于任何伙伴；其他角色必须指定伙伴",
        )
    now = now or datetime.now(UTC)
    user_id = (
        do_get_or_create_user(conn=conn, partner_id=partner_id, name=user, now=now)
        if user is not None
        else None
    )
    token_id = secrets.token_hex(8)
    secret = secrets.token_urlsafe(32)
    conn.execute(
        _table("api_tokens")
        .insert()
        .values(
            token_id=token_id,
            token_hash=_hash(secret),
            partner_id=partner_id,
            role=role.value,
            label=label,
            created_at=now,
            expires_at=now + expires_in if expires_in else None,
            revoked_at=None,
            user_id=user_id,
        )
    )
    return f"{TOKEN_PREFIX}_{token_id}_{secret}"


def access_principal(*, conn: Connection, token: str, now: datetime | None = None) -> Principal:
    """The principal a token stands for, or an invalid_token error."""
    token_id = get_token_id(token)
    if token_id is None:
        raise _invalid()
    secret = token.split("_", 2)[2]
    tokens, accounts = _table("api_tokens"), _table("partner_accounts")
    row = (
        conn.execute(
            sa.select(tokens, sa.func.coalesce(accounts.c.chain_leader, False).label("leader"))
            .select_from(tokens.outerjoin(accounts, accounts.c.partner_id == tokens.c.partner_id))
            .where(tokens.c.token_id == token_id)
        )
        .mappings()
        .first()
    )
    now = now or datetime.now(UTC)
    if (
        row is None
        or not hmac.compare_digest(row["token_hash"], _hash(secret))
        or row["revoked_at"] is not None
        or (row["expires_at"] is not None and row["expires_at"] <= now)
    ):
        raise _invalid()
    return Principal(
        token_id=token_id,
        partner_id=row["partner_id"],
        role=Role(row["role"]),
        user_id=row["user_id"],
        chain_leader=bool(row["leader"]),
    )


def get_token(*, conn: Connection, token_id: str) -> TokenRead | None:
    """One token, without its secret."""
    tokens = _table("api_tokens")
    row = conn.execute(sa.select(tokens).where(tokens.c.token_id == token_id)).mappings().first()
    return None if row is None else TokenRead.model_validate(dict(row))


def do_revoke_token(*, conn: Connection, token_id: str, now: datetime | None = None) -> None:
    """Revoke a token at once."""
    tokens = _table("api_tokens")
    done = conn.execute(
        tokens.update()
        .where(tokens.c.token_id == token_id, tokens.c.revoked_at.is_(None))
        .values(revoked_at=now or datetime.now(UTC))
    )
    if done.rowcount == 0:
        raise ChainhubError(
            "token_not_found",
            f"no active token {token_id}",
            f"没有有效的令牌 {token_id}",
            status=404,
        )


def list_tokens(*, conn: Connection, partner_id: str | None = None) -> list[TokenRead]:
    """Tokens, newest first, without secrets."""
    tokens = _table("api_tokens")
    query = sa.select(tokens).order_by(tokens.c.created_at.desc(), tokens.c.token_id)
    if partner_id is not None:
        query = query.where(tokens.c.partner_id == partner_id)
    return [TokenRead.model_validate(dict(r)) for r in conn.execute(query).mappings()]


def do_set_chain_leader(
    *, conn: Connection, partner_id: str, leader: bool = True, now: datetime | None = None
) -> None:
    """Designate (or stop designating) the partner as the chain leader, who sees every document."""
    accounts = _table("partner_accounts")
    values = {"chain_leader": leader, "updated_at": now or datetime.now(UTC)}
    done = conn.execute(
        accounts.update().where(accounts.c.partner_id == partner_id).values(**values)
    )
    if done.rowcount == 0:
        conn.execute(accounts.insert().values(partner_id=partner_id, **values))


def list_partners(*, conn: Connection) -> list[PartnerRead]:
    """The directory: every current partner with its roles, leaders first, then by tier."""
    view, accounts = current_view("partner"), _table("partner_accounts")
    leader = sa.func.coalesce(accounts.c.chain_leader, False).label("chain_leader")
    query = (
        sa.select(
            view.c.partner_id,
            view.c.name_zh,
            view.c.name_en,
            view.c.roles,
            view.c.tier,
            view.c.city,
            leader,
        )
        .select_from(view.outerjoin(accounts, accounts.c.partner_id == view.c.partner_id))
        .order_by(leader.desc(), view.c.tier, view.c.partner_id)
    )
    return [
        PartnerRead(
            partner_id=r.partner_id,
            name_zh=r.name_zh,
            name_en=r.name_en,
            roles=r.roles.split(LIST_SEPARATOR) if r.roles else [],
            tier=r.tier,
            city=r.city,
            chain_leader=bool(r.chain_leader),
        )
        for r in conn.execute(query)
    ]


def do_issue_demo_tokens(*, conn: Connection, today: date | None = None) -> list[DemoToken]:
    """Demo access: haichuan as chain leader, vendor-managed-inventory agreements with its two
    tier-1 suppliers, and a token for the hub admin, haichuan's admin and each supplier."""
    today = today or datetime.now(UTC).date()
    do_set_chain_leader(conn=conn, partner_id=DEMO_LEADER)
    leader_admin = Principal(token_id=SETUP, partner_id=DEMO_LEADER, role=Role.PARTNER_ADMIN)
    # A demo run again on the same hub keeps the agreements it already made.
    agreed = {
        a.grantee_id
        for a in list_agreements(conn=conn, principal=leader_admin)
        if a.grantor_id == DEMO_LEADER
        and a.status is AgreementStatus.ACCEPTED
        and a.purpose == DEMO_PURPOSE
    }
    for supplier in (s for s in DEMO_SUPPLIERS if s not in agreed):
        proposal = AgreementCreate(
            grantor_id=DEMO_LEADER,
            grantee_id=supplier,
            document_types=list(VMI_DOCUMENT_TYPES),
            scope_kind=ScopeKind.SUPPLIED_BY_GRANTEE,
            purpose=DEMO_PURPOSE,
            valid_from=today,
        )
        agreement = do_propose_agreement(conn=conn, principal=leader_admin, proposal=proposal)
        supplier_admin = Principal(token_id=SETUP, partner_id=supplier, role=Role.PARTNER_ADMIN)
        do_accept_agreement(
            conn=conn, principal=supplier_admin, agreement_id=agreement.agreement_id
        )
    issued = [
        (None, Role.HUB_ADMIN, "demo hub admin"),
        (DEMO_LEADER, Role.PARTNER_ADMIN, "demo OEM admin"),
        *((s, Role.PARTNER_ADMIN, "demo supplier admin") for s in DEMO_SUPPLIERS),
    ]
    return [
        DemoToken(
            partner_id=partner_id,
            role=role,
            label=label,
            token=do_create_token(conn=conn, partner_id=partner_id, role=role, label=label),
        )
        for partner_id, role, label in issued
    ]
