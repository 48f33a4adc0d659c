"""API tokens: created once, stored hashed, refused when expired or revoked."""

from __future__ import annotations

import hashlib
import hmac
import secrets
from datetime import UTC, datetime, timedelta

import sqlalchemy as sa
from sqlalchemy import Connection

from chainhub.errors import ChainhubError
from chainhub.partners.schemas import Principal, Role, TokenRead
from chainhub.storage.models import get_metadata

TOKEN_PREFIX = "chk"


def _tokens() -> sa.Table:
    return get_metadata().tables["api_tokens"]


def _hash(secret: str) -> str:
    # Tokens carry 256 random bits, so a fast hash suffices: there is nothing to brute-force.
    return hashlib.sha256(secret.encode()).hexdigest()


def _invalid() -> ChainhubError:
    return ChainhubError("invalid_token", "the token is unknown, expired or revoked",
                         "令牌无效、已过期或已被吊销", status=401)


def do_create_token(
    *,
    conn: Connection,
    partner_id: str | None,
    role: Role,
    label: str,
    expires_in: timedelta | None = None,
    now: datetime | None = None,
) -> str:
    """Create a token and return it in full; only its hash is kept."""
    if (partner_id is None) != (role is Role.HUB_ADMIN):
        raise ChainhubError("token_role", "hub_admin tokens have no partner; others need one",
                            "hub_admin 令牌不属于任何伙伴；其他角色必须指定伙伴")
    now = now or datetime.now(UTC)
    token_id = secrets.token_hex(8)
    secret = secrets.token_urlsafe(32)
    conn.execute(
        _tokens().insert().values(
            token_id=token_id, token_hash=_hash(secret), partner_id=partner_id,
            role=role.value, label=label, created_at=now,
            expires_at=now + expires_in if expires_in else None, revoked_at=None,
        )
    )
    return f"{TOKEN_PREFIX}_{token_id}_{secret}"


def access_principal(*, conn: Connection, token: str, now: datetime | None = None) -> Principal:
    """The principal a token stands for, or an invalid_token error."""
    prefix, _, rest = token.partition("_")
    token_id, _, secret = rest.partition("_")
    if prefix != TOKEN_PREFIX or not token_id or not secret:
        raise _invalid()
    tokens = _tokens()
    row = conn.execute(sa.select(tokens).where(tokens.c.token_id == token_id)).mappings().first()
    now = now or datetime.now(UTC)
    if (
        row is None
        or not hmac.compare_digest(row["token_hash"], _hash(secret))
        or row["revoked_at"] is not None
        or (row["expires_at"] is not None and row["expires_at"] <= now)
    ):
        raise _invalid()
    return Principal(token_id=token_id, partner_id=row["partner_id"], role=Role(row["role"]))


def do_revoke_token(*, conn: Connection, token_id: str, now: datetime | None = None) -> None:
    """Revoke a token at once."""
    tokens = _tokens()
    done = conn.execute(
        tokens.update()
        .where(tokens.c.token_id == token_id, tokens.c.revoked_at.is_(None))
        .values(revoked_at=now or datetime.now(UTC))
    )
    if done.rowcount == 0:
        raise ChainhubError("token_not_found", f"no active token {token_id}",
                            f"没有有效的令牌 {token_id}", status=404)


def list_tokens(*, conn: Connection, partner_id: str | None = None) -> list[TokenRead]:
    """Tokens, newest first, without secrets."""
    tokens = _tokens()
    query = sa.select(tokens).order_by(tokens.c.created_at.desc())
    if partner_id is not None:
        query = query.where(tokens.c.partner_id == partner_id)
    return [TokenRead.model_validate(dict(r)) for r in conn.execute(query).mappings()]
