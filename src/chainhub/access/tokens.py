"""API tokens and users: tokens are created once, stored hashed, refused when expired or revoked;
the chain leader the hub admin designates sees the whole chain.

On DuckDB one process owns the database file, so every change to tokens and chain leaders
passes through it: a token's row is looked up once and kept (its hash, never its secret) until
this process changes a token or a chain leader. PostgreSQL may be served by several processes,
none of which sees the others' changes: there every request reads the token's row, so a
revocation by any worker takes effect at the next request in all of them.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
import threading
import weakref
from collections.abc import Collection
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any, Final

import sqlalchemy as sa
from sqlalchemy import Connection, Engine

from chainhub.access.models import api_tokens, partner_accounts, users
from chainhub.access.schemas import Principal, Role, TokenRead
from chainhub.errors import ChainhubError

TOKEN_PREFIX: Final = "chk"  # noqa: S105 - a visible prefix, not a secret
FIRST_ADMIN_LABEL: Final = "first hub admin"
_KEPT_TOKENS: Final = 4096
# Set on a connection whose transaction changed tokens or chain leaders.
_CHANGED_INFO: Final = "chainhub_tokens_changed"


@dataclass(frozen=True)
class _TokenRow:
    token_hash: str
    revoked_at: datetime | None
    expires_at: datetime | None
    principal: Principal


class _KeptTokens:
    """Token rows of one DuckDB database, forgotten whenever a transaction of this process
    changes a token or a chain leader: at the change and again at its commit or rollback."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._rows: dict[str, _TokenRow] = {}
        # Counts the forgettings: a row read before one is not kept after it.
        self.generation = 0

    def get(self, token_id: str) -> _TokenRow | None:
        with self._lock:
            return self._rows.get(token_id)

    def put(self, token_id: str, row: _TokenRow, generation: int) -> None:
        with self._lock:
            if generation == self.generation:
                if len(self._rows) >= _KEPT_TOKENS:
                    self._rows.clear()
                self._rows[token_id] = row

    def forget(self) -> None:
        with self._lock:
            self._rows.clear()
            self.generation += 1


# By database file, not engine: two engines of one process may open the same file.
_kept: dict[str, _KeptTokens] = {}
_listening: weakref.WeakSet[Engine] = weakref.WeakSet()
_kept_lock = threading.Lock()


def _transaction_ended(conn: Connection) -> None:
    if conn.info.pop(_CHANGED_INFO, False):
        kept = _kept_tokens(conn)
        if kept is not None:
            kept.forget()


def _kept_tokens(conn: Connection) -> _KeptTokens | None:
    """The kept token rows of the connection's database; None where they may not be kept."""
    if conn.dialect.name != "duckdb":
        return None
    engine = conn.engine
    # An in-memory database is its engine's own.
    database = engine.url.database or ""
    if database in ("", ":memory:"):
        database = f":memory:{id(engine)}"
    with _kept_lock:
        if engine not in _listening:
            _listening.add(engine)
            sa.event.listen(engine, "commit", _transaction_ended)
            sa.event.listen(engine, "rollback", _transaction_ended)
        kept = _kept.get(database)
        if kept is None:
            kept = _kept[database] = _KeptTokens()
        return kept


def _tokens_changed(conn: Connection) -> None:
    """Forget the kept token rows now and once the transaction ends."""
    kept = _kept_tokens(conn)
    if kept is not None:
        conn.info[_CHANGED_INFO] = True
        kept.forget()


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
    partner_match = (
        users.c.partner_id.is_(None) if partner_id is None else users.c.partner_id == partner_id
    )
    existing = conn.execute(
        sa.select(users.c.user_id, users.c.disabled_at).where(partner_match, users.c.name == name)
    ).first()
    if existing is not None:
        if existing.disabled_at is not None:
            raise ChainhubError(
                "user_disabled",
                f"user {name!r} is disabled: no new token is made for it",
                f"用户 {name!r} 已停用，不能为其创建令牌",
                status=409,
            )
        return str(existing.user_id)
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
    user_id: str | None = None,
    now: datetime | None = None,
) -> str:
    """Create a token and return it in full; only its hash is kept. It belongs to the user
    `user_id`, or to the partner's user called `user` (created when new), or to no user."""
    if (partner_id is None) != (role is Role.HUB_ADMIN):
        raise ChainhubError(
            "token_role",
            "hub_admin tokens have no partner; others need one",
            "hub_admin 令牌不属于任何伙伴；其他角色必须指定伙伴",
        )
    now = now or datetime.now(UTC)
    if user_id is None and user is not None:
        user_id = do_get_or_create_user(conn=conn, partner_id=partner_id, name=user, now=now)
    token_id = secrets.token_hex(8)
    secret = secrets.token_urlsafe(32)
    # Its row may be read before the transaction ends, which may roll it back.
    _tokens_changed(conn)
    conn.execute(
        api_tokens.insert().values(
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


def _token_row(*, conn: Connection, token_id: str) -> _TokenRow | None:
    """The token's hash, state and principal, from the kept rows or the database."""
    kept = _kept_tokens(conn)
    if kept is not None:
        found = kept.get(token_id)
        if found is not None:
            return found
        generation = kept.generation
    row: Any = (
        conn.execute(
            sa.select(
                api_tokens, sa.func.coalesce(partner_accounts.c.chain_leader, False).label("leader")
            )
            .select_from(
                api_tokens.outerjoin(
                    partner_accounts, partner_accounts.c.partner_id == api_tokens.c.partner_id
                )
            )
            .where(api_tokens.c.token_id == token_id)
        )
        .mappings()
        .first()
    )
    if row is None:
        return None
    token = _TokenRow(
        token_hash=row["token_hash"],
        revoked_at=row["revoked_at"],
        expires_at=row["expires_at"],
        principal=Principal(
            token_id=token_id,
            partner_id=row["partner_id"],
            role=Role(row["role"]),
            user_id=row["user_id"],
            chain_leader=bool(row["leader"]),
        ),
    )
    if kept is not None:
        kept.put(token_id, token, generation)
    return token


def _checked(row: _TokenRow | None, token: str, now: datetime | None) -> Principal:
    """The row's principal if the token's secret matches it and it is in force."""
    secret = token.split("_", 2)[2]
    now = now or datetime.now(UTC)
    if (
        row is None
        or not hmac.compare_digest(row.token_hash, _hash(secret))
        or row.revoked_at is not None
        or (row.expires_at is not None and row.expires_at <= now)
    ):
        raise _invalid()
    return row.principal


def access_principal(*, conn: Connection, token: str, now: datetime | None = None) -> Principal:
    """The principal a token stands for, or an invalid_token error."""
    token_id = get_token_id(token)
    if token_id is None:
        raise _invalid()
    return _checked(_token_row(conn=conn, token_id=token_id), token, now)


def access_kept_principal(
    *, conn: Connection, token: str, now: datetime | None = None
) -> Principal | None:
    """As `access_principal` where the token's row is kept in this process, without a
    statement (so a coroutine may call it); None where it is not kept."""
    token_id = get_token_id(token)
    if token_id is None:
        raise _invalid()
    kept = _kept_tokens(conn)
    row = kept.get(token_id) if kept is not None else None
    return None if row is None else _checked(row, token, now)


def get_token(*, conn: Connection, token_id: str) -> TokenRead | None:
    """One token, without its secret."""
    row = (
        conn.execute(sa.select(api_tokens).where(api_tokens.c.token_id == token_id))
        .mappings()
        .first()
    )
    return None if row is None else TokenRead.model_validate(dict(row))


def do_revoke_token(*, conn: Connection, token_id: str, now: datetime | None = None) -> None:
    """Revoke a token at once."""
    _tokens_changed(conn)
    done = conn.execute(
        api_tokens.update()
        .where(api_tokens.c.token_id == token_id, api_tokens.c.revoked_at.is_(None))
        .values(revoked_at=now or datetime.now(UTC))
    )
    if done.rowcount == 0:
        raise ChainhubError(
            "token_not_found",
            f"no active token {token_id}",
            f"没有有效的令牌 {token_id}",
            status=404,
        )


def do_revoke_user_tokens(
    *,
    conn: Connection,
    user_id: str,
    labels: Collection[str] | None = None,
    keep: str | None = None,
    now: datetime | None = None,
) -> int:
    """Revoke the user's active tokens (only those carrying one of `labels`, when given), all
    but the token `keep`; the number revoked."""
    _tokens_changed(conn)
    query = api_tokens.update().where(
        api_tokens.c.user_id == user_id, api_tokens.c.revoked_at.is_(None)
    )
    if labels is not None:
        query = query.where(api_tokens.c.label.in_(list(labels)))
    if keep is not None:
        query = query.where(api_tokens.c.token_id != keep)
    return int(conn.execute(query.values(revoked_at=now or datetime.now(UTC))).rowcount)


def do_revoke_labelled_tokens(
    *, conn: Connection, labels: Collection[str], now: datetime | None = None
) -> int:
    """Revoke every active token carrying one of `labels`; the number revoked."""
    _tokens_changed(conn)
    done = conn.execute(
        api_tokens.update()
        .where(api_tokens.c.label.in_(list(labels)), api_tokens.c.revoked_at.is_(None))
        .values(revoked_at=now or datetime.now(UTC))
    )
    return int(done.rowcount)


def do_create_first_admin_token(*, conn: Connection, now: datetime | None = None) -> str | None:
    """A hub admin token for a hub that has no active one (its first start), else None."""
    now = now or datetime.now(UTC)
    active = conn.execute(
        sa.select(sa.func.count())
        .select_from(api_tokens)
        .where(
            api_tokens.c.role == Role.HUB_ADMIN.value,
            api_tokens.c.revoked_at.is_(None),
            sa.or_(api_tokens.c.expires_at.is_(None), api_tokens.c.expires_at > now),
        )
    ).scalar_one()
    if active:
        return None
    return do_create_token(
        conn=conn, partner_id=None, role=Role.HUB_ADMIN, label=FIRST_ADMIN_LABEL, now=now
    )


def list_tokens(*, conn: Connection, partner_id: str | None = None) -> list[TokenRead]:
    """Tokens, newest first, without secrets."""
    query = sa.select(api_tokens).order_by(api_tokens.c.created_at.desc(), api_tokens.c.token_id)
    if partner_id is not None:
        query = query.where(api_tokens.c.partner_id == partner_id)
    return [TokenRead.model_validate(dict(r)) for r in conn.execute(query).mappings()]


def do_set_chain_leader(
    *, conn: Connection, partner_id: str, leader: bool = True, now: datetime | None = None
) -> None:
    """Designate (or stop designating) the partner as the chain leader, who sees every document."""
    _tokens_changed(conn)
    values = {"chain_leader": leader, "updated_at": now or datetime.now(UTC)}
    done = conn.execute(
        partner_accounts.update()
        .where(partner_accounts.c.partner_id == partner_id)
        .values(**values)
    )
    if done.rowcount == 0:
        conn.execute(partner_accounts.insert().values(partner_id=partner_id, **values))


def get_chain_leader_flag(*, conn: Connection, partner_id: str) -> bool:
    """True when the hub admin has designated the partner as the chain leader."""
    flag = conn.execute(
        sa.select(partner_accounts.c.chain_leader).where(
            partner_accounts.c.partner_id == partner_id
        )
    ).scalar_one_or_none()
    return bool(flag)
