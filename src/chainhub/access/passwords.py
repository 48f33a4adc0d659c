"""Password users: names unique across the hub, passwords hashed with Argon2id (pwdlib), sign-in
throttled per user and audited, each success a short-lived session token."""

from __future__ import annotations

import secrets
import unicodedata
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from functools import cache
from typing import Any, Final

import sqlalchemy as sa
from pwdlib import PasswordHash
from sqlalchemy import Connection

from chainhub.access.audit import AuditRecord, do_log_audit
from chainhub.access.models import users
from chainhub.access.schemas import Principal, Role, UserRead
from chainhub.access.tokens import access_principal, do_create_token, do_revoke_user_tokens
from chainhub.errors import ChainhubError

SESSION_LABEL: Final = "web session"
MAX_FAILED_SIGN_INS: Final = 5
LOCK_DURATION: Final = timedelta(minutes=15)
MIN_PASSWORD_LENGTH: Final = 10
# Argon2 hashes any length, but an unbounded one would let a caller make each check slow.
MAX_PASSWORD_LENGTH: Final = 256
MAX_NAME_LENGTH: Final = 64

_HASHER: Final = PasswordHash.recommended()


@cache
def _dummy_hash() -> str:
    # An unknown name is checked against this hash, so it costs as long as a known one.
    return _HASHER.hash(secrets.token_urlsafe(16))


def get_login(name: str) -> str:
    """The form of a name that sign-in compares: trimmed, NFKC-normalized, case-folded."""
    return unicodedata.normalize("NFKC", name.strip()).casefold()


def get_password_hash(password: str) -> str:
    """The Argon2id hash of a password, with a fresh salt."""
    return _HASHER.hash(password)


def generate_password() -> str:
    """A random password of 16 URL-safe characters (96 bits)."""
    return secrets.token_urlsafe(12)


def check_user_name(name: str) -> str:
    """The name trimmed, or an error when it is empty, too long or holds spaces."""
    trimmed = name.strip()
    if not 1 <= len(trimmed) <= MAX_NAME_LENGTH or any(
        c.isspace() or not c.isprintable() for c in trimmed
    ):
        raise ChainhubError(
            "bad_user_name",
            f"user name {name!r}: use 1 to {MAX_NAME_LENGTH} characters, without spaces",
            f"用户名 {name!r}：请使用 1 到 {MAX_NAME_LENGTH} 个字符，不含空格",
            status=422,
        )
    return trimmed


def check_password(password: str, *, name: str) -> None:
    """An error when the password is too short, too long, or the user's name."""
    if not MIN_PASSWORD_LENGTH <= len(password) <= MAX_PASSWORD_LENGTH:
        raise ChainhubError(
            "bad_password",
            f"a password has {MIN_PASSWORD_LENGTH} to {MAX_PASSWORD_LENGTH} characters",
            f"密码长度须为 {MIN_PASSWORD_LENGTH} 到 {MAX_PASSWORD_LENGTH} 个字符",
            status=422,
        )
    if get_login(password) == get_login(name):
        raise ChainhubError(
            "bad_password",
            "the password must not be the user name",
            "密码不能与用户名相同",
            status=422,
        )


def check_user_role(*, partner_id: str | None, role: Role) -> None:
    """A hub admin belongs to no partner; every other user belongs to one."""
    if (partner_id is None) != (role is Role.HUB_ADMIN):
        raise ChainhubError(
            "user_role",
            "a hub_admin user has no partner; users of other roles need one",
            "hub_admin 用户不属于任何伙伴；其他角色的用户必须指定伙伴",
            status=422,
        )


def _read(row: Any) -> UserRead:
    return UserRead(
        user_id=row.user_id,
        partner_id=row.partner_id,
        name=row.name,
        role=Role(row.role) if row.role else None,
        has_password=row.password_hash is not None,
        created_at=row.created_at,
        disabled_at=row.disabled_at,
        locked_until=row.locked_until,
        last_sign_in_at=row.last_sign_in_at,
    )


def get_user(*, conn: Connection, user_id: str) -> UserRead | None:
    """One user, or None."""
    row = conn.execute(sa.select(users).where(users.c.user_id == user_id)).first()
    return None if row is None else _read(row)


def get_user_by_name(*, conn: Connection, name: str) -> UserRead | None:
    """The password user signing in as `name` (compared case-folded), or None."""
    row = conn.execute(sa.select(users).where(users.c.login == get_login(name))).first()
    return None if row is None else _read(row)


def list_users(*, conn: Connection, partner_id: str | None = None) -> list[UserRead]:
    """Users of one partner (of every partner, and the hub's own, with None), by name."""
    query = sa.select(users).order_by(users.c.partner_id.nulls_first(), users.c.name)
    if partner_id is not None:
        query = query.where(users.c.partner_id == partner_id)
    return [_read(row) for row in conn.execute(query)]


def do_create_user(
    *,
    conn: Connection,
    partner_id: str | None,
    name: str,
    role: Role,
    password: str,
    now: datetime | None = None,
) -> UserRead:
    """A password user; a token-only user of the partner with that name gains the password."""
    name = check_user_name(name)
    check_password(password, name=name)
    check_user_role(partner_id=partner_id, role=role)
    login = get_login(name)
    taken = conn.execute(sa.select(users.c.name).where(users.c.login == login)).scalar()
    if taken is not None:
        raise ChainhubError(
            "user_name_taken",
            f"the user name {name!r} is taken (by {taken!r}): user names that sign in with a "
            "password are unique across the hub, whatever their case; choose another",
            f"用户名 {name!r} 已被占用（{taken!r}）：使用密码登录的用户名在整个枢纽内唯一"
            "（不区分大小写）；请另选一个",
            status=409,
        )
    partner_match = (
        users.c.partner_id.is_(None) if partner_id is None else users.c.partner_id == partner_id
    )
    token_only = conn.execute(
        sa.select(users.c.user_id).where(partner_match, users.c.name == name)
    ).scalar()
    values = {"login": login, "password_hash": get_password_hash(password), "role": role.value}
    if token_only is not None:
        user_id = str(token_only)
        conn.execute(users.update().where(users.c.user_id == user_id).values(**values))
    else:
        user_id = secrets.token_hex(8)
        conn.execute(
            users.insert().values(
                user_id=user_id,
                partner_id=partner_id,
                name=name,
                created_at=now or datetime.now(UTC),
                failed_logins=0,
                **values,
            )
        )
    created = get_user(conn=conn, user_id=user_id)
    if created is None:
        raise RuntimeError(f"user {user_id} is missing after its insert")
    return created


def _not_found(what: str) -> ChainhubError:
    return ChainhubError(
        "user_not_found",
        f"no user {what} signs in with a password (`chainhub user list` shows the users)",
        f"没有使用密码登录的用户 {what}（`chainhub user list` 可查看）",
        status=404,
    )


def do_set_password(
    *,
    conn: Connection,
    user_id: str,
    password: str,
    keep_session: str | None = None,
    now: datetime | None = None,
) -> int:
    """Set a password user's password, lift its lock and end its web sessions (all but the
    token id `keep_session`); the number of sessions ended."""
    user = get_user(conn=conn, user_id=user_id)
    if user is None or not user.has_password:
        raise _not_found(user_id if user is None else repr(user.name))
    check_password(password, name=user.name)
    conn.execute(
        users.update()
        .where(users.c.user_id == user_id)
        .values(password_hash=get_password_hash(password), failed_logins=0, locked_until=None)
    )
    return do_revoke_user_tokens(
        conn=conn, user_id=user_id, labels={SESSION_LABEL}, keep=keep_session, now=now
    )


def do_change_password(
    *,
    conn: Connection,
    user_id: str,
    current: str,
    password: str,
    keep_session: str | None = None,
    now: datetime | None = None,
) -> int:
    """A user's own change: the current password first, then as `do_set_password`."""
    stored = conn.execute(
        sa.select(users.c.password_hash).where(users.c.user_id == user_id)
    ).scalar()
    if stored is None:
        raise _not_found(user_id)
    if not _HASHER.verify(current[:MAX_PASSWORD_LENGTH], stored):
        raise ChainhubError(
            "bad_credentials",
            "the current password is incorrect",
            "当前密码不正确",
            status=403,
        )
    return do_set_password(
        conn=conn, user_id=user_id, password=password, keep_session=keep_session, now=now
    )


def do_disable_user(*, conn: Connection, user_id: str, now: datetime | None = None) -> int:
    """Disable a user: no sign-in, every token of it revoked; the number of tokens revoked."""
    now = now or datetime.now(UTC)
    done = conn.execute(
        users.update()
        .where(users.c.user_id == user_id, users.c.disabled_at.is_(None))
        .values(disabled_at=now)
    )
    if done.rowcount == 0:
        user = get_user(conn=conn, user_id=user_id)
        if user is None:
            raise _not_found(user_id)
        raise ChainhubError(
            "user_disabled",
            f"user {user.name!r} is already disabled",
            f"用户 {user.name!r} 已停用",
            status=409,
        )
    return do_revoke_user_tokens(conn=conn, user_id=user_id, now=now)


@dataclass(frozen=True)
class SignedIn:
    """A successful sign-in: its session token and who it stands for."""

    token: str
    principal: Principal


def _bad_credentials() -> ChainhubError:
    return ChainhubError(
        "bad_credentials",
        "the user name or password is incorrect",
        "用户名或密码错误",
        status=401,
    )


def _locked(name: str, until: datetime) -> ChainhubError:
    at = until.astimezone(UTC).strftime("%H:%M")
    return ChainhubError(
        "account_locked",
        f"too many failed sign-ins: {name} is locked until {at} UTC; try again then, or ask "
        "your partner admin to reset the password",
        f"登录失败次数过多：{name} 已锁定至 UTC {at}；请届时再试，或请本企业管理员重置密码",
        status=429,
    )


def _disabled() -> ChainhubError:
    return ChainhubError(
        "account_disabled",
        "this account is disabled; ask your partner admin",
        "该账户已停用；请联系本企业管理员",
        status=403,
    )


def _audit(conn: Connection, name: str, error: ChainhubError | None, row: Any = None) -> None:
    do_log_audit(
        conn=conn,
        record=AuditRecord(
            action="sign-in",
            status=200 if error is None else error.status,
            outcome="ok" if error is None else error.code,
            partner_id=None if row is None else row.partner_id,
            user_id=None if row is None else row.user_id,
            target={"name": name, "method": "password"},
        ),
    )


def _failed(conn: Connection, row: Any, now: datetime) -> ChainhubError:
    """Count a wrong password; the fifth in a row locks the user for a while."""
    failures = row.failed_logins + 1
    if failures < MAX_FAILED_SIGN_INS:
        conn.execute(
            users.update().where(users.c.user_id == row.user_id).values(failed_logins=failures)
        )
        return _bad_credentials()
    until = now + LOCK_DURATION
    conn.execute(
        users.update()
        .where(users.c.user_id == row.user_id)
        .values(failed_logins=0, locked_until=until)
    )
    return _locked(row.name, until)


def access_sign_in(
    *,
    conn: Connection,
    name: str,
    password: str,
    session_lifetime: timedelta,
    now: datetime | None = None,
) -> SignedIn | ChainhubError:
    """Check a name and password and open a session token lasting `session_lifetime`.

    Every attempt is audited, and a refusal is returned (not raised): the caller commits
    either way, so failed attempts count towards the lock. The password is checked even for an
    unknown name or a locked user, so the time taken tells nothing.
    """
    now = now or datetime.now(UTC)
    row = conn.execute(sa.select(users).where(users.c.login == get_login(name))).first()
    rehashed: str | None = None
    if row is None or len(password) > MAX_PASSWORD_LENGTH:
        _HASHER.verify(password[:MAX_PASSWORD_LENGTH], _dummy_hash())
        error = _bad_credentials()
    elif row.locked_until is not None and row.locked_until > now:
        _HASHER.verify(password, _dummy_hash())
        error = _locked(row.name, row.locked_until)
    else:
        valid, rehashed = _HASHER.verify_and_update(password, row.password_hash)
        if not valid:
            error = _failed(conn, row, now)
        elif row.disabled_at is not None:
            error = _disabled()
        else:
            error = None
    if error is not None or row is None:
        refused = error or _bad_credentials()
        _audit(conn, name, refused, row)
        return refused
    changes: dict[str, Any] = {"failed_logins": 0, "locked_until": None, "last_sign_in_at": now}
    if rehashed is not None:
        changes["password_hash"] = rehashed
    conn.execute(users.update().where(users.c.user_id == row.user_id).values(**changes))
    token = do_create_token(
        conn=conn,
        partner_id=row.partner_id,
        role=Role(row.role),
        label=SESSION_LABEL,
        expires_in=session_lifetime,
        user_id=row.user_id,
        now=now,
    )
    _audit(conn, name, None, row)
    return SignedIn(token=token, principal=access_principal(conn=conn, token=token, now=now))
