"""Password users: Argon2id hashes, refusals, the lock after repeated failures and its expiry,
disabled users, names unique across the hub, every attempt audited."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
import sqlalchemy as sa

from chainhub.access.audit import list_audit
from chainhub.access.models import users
from chainhub.access.passwords import (
    LOCK_DURATION,
    MAX_FAILED_SIGN_INS,
    SESSION_LABEL,
    SignedIn,
    access_sign_in,
    do_create_user,
    do_disable_user,
    do_set_password,
    get_user_by_name,
    list_users,
)
from chainhub.access.schemas import Role
from chainhub.access.tokens import access_principal, do_create_token, get_token, get_token_id
from chainhub.errors import ChainhubError
from tests.api.hub import HUAYANG, JINLI

NOW = datetime(2026, 11, 29, 9, 0, tzinfo=UTC)
HOURS_12 = timedelta(hours=12)
PASSWORD = "correct horse battery"


def _sign_in(
    conn: sa.Connection, name: str, password: str, at: datetime = NOW
) -> SignedIn | ChainhubError:
    return access_sign_in(
        conn=conn, name=name, password=password, session_lifetime=HOURS_12, now=at
    )


def _refused(attempt: SignedIn | ChainhubError) -> str:
    assert isinstance(attempt, ChainhubError)
    return attempt.code


def _token(attempt: SignedIn | ChainhubError) -> str:
    assert isinstance(attempt, SignedIn), attempt
    return attempt.token


def test_a_password_is_kept_as_an_argon2id_hash_and_signs_in(engine: sa.Engine) -> None:
    with engine.begin() as conn:
        user = do_create_user(
            conn=conn, partner_id=JINLI, name="Wang.Li", role=Role.PARTNER_MEMBER,
            password=PASSWORD, now=NOW,
        )  # fmt: skip
        stored = conn.execute(sa.select(users.c.password_hash, users.c.login)).one()
        assert stored.password_hash.startswith("$argon2id$") and PASSWORD not in stored[0]
        assert stored.login == "wang.li"
        # The name is compared case-folded.
        signed = _token(_sign_in(conn, "WANG.LI", PASSWORD))
        principal = access_principal(conn=conn, token=signed, now=NOW)
        assert (principal.partner_id, principal.role, principal.user_id) == (
            JINLI, Role.PARTNER_MEMBER, user.user_id
        )  # fmt: skip
        session = get_token(conn=conn, token_id=str(get_token_id(signed)))
        assert session is not None and session.label == SESSION_LABEL
        assert session.expires_at == NOW + HOURS_12
        assert _refused(_sign_in(conn, "wang.li", PASSWORD + "!")) == "bad_credentials"
        assert _refused(_sign_in(conn, "nobody", PASSWORD)) == "bad_credentials"
        listed = list_users(conn=conn, partner_id=JINLI)
        assert [(u.name, u.has_password, u.last_sign_in_at) for u in listed] == [
            ("Wang.Li", True, NOW)
        ]
        audit = [(e.action, e.outcome, e.status) for e in list_audit(conn=conn)]
    assert audit == [
        ("sign-in", "bad_credentials", 401),
        ("sign-in", "bad_credentials", 401),
        ("sign-in", "ok", 200),
    ]


def test_five_failures_lock_the_user_for_fifteen_minutes(engine: sa.Engine) -> None:
    with engine.begin() as conn:
        do_create_user(conn=conn, partner_id=JINLI, name="li", role=Role.ANALYST, password=PASSWORD)
        for minute in range(MAX_FAILED_SIGN_INS - 1):
            at = NOW + timedelta(minutes=minute)
            assert _refused(_sign_in(conn, "li", "wrong password", at)) == "bad_credentials"
        fifth = _sign_in(conn, "li", "wrong password", NOW + timedelta(minutes=4))
        assert _refused(fifth) == "account_locked"
        assert isinstance(fifth, ChainhubError) and "locked until 09:19 UTC" in fifth.message_en
        # While locked, even the right password is refused, and says no more than "locked".
        locked = _sign_in(conn, "li", PASSWORD, NOW + timedelta(minutes=18))
        assert _refused(locked) == "account_locked"
        after = NOW + timedelta(minutes=4) + LOCK_DURATION
        assert _token(_sign_in(conn, "li", PASSWORD, after))
        user = get_user_by_name(conn=conn, name="li")
        assert user is not None and (user.locked_until, user.last_sign_in_at) == (None, after)


def test_a_success_resets_the_count_and_a_new_password_lifts_the_lock(engine: sa.Engine) -> None:
    with engine.begin() as conn:
        user = do_create_user(
            conn=conn, partner_id=JINLI, name="zhao", role=Role.ANALYST, password=PASSWORD
        )
        for _ in range(MAX_FAILED_SIGN_INS - 1):
            _sign_in(conn, "zhao", "wrong password")
        earlier = _token(_sign_in(conn, "zhao", PASSWORD))
        # The count starts again: four more failures do not lock, the fifth does.
        for _ in range(MAX_FAILED_SIGN_INS - 1):
            assert _refused(_sign_in(conn, "zhao", "wrong password")) == "bad_credentials"
        assert _refused(_sign_in(conn, "zhao", "wrong password")) == "account_locked"
        assert _refused(_sign_in(conn, "zhao", PASSWORD)) == "account_locked"
        # A reset unlocks at once and ends the web sessions the old password opened.
        assert do_set_password(conn=conn, user_id=user.user_id, password="a new password") == 1
        assert _token(_sign_in(conn, "zhao", "a new password"))
        with pytest.raises(ChainhubError, match="unknown, expired or revoked"):
            access_principal(conn=conn, token=earlier)


def test_a_disabled_user_is_refused_and_loses_its_tokens(engine: sa.Engine) -> None:
    with engine.begin() as conn:
        user = do_create_user(
            conn=conn, partner_id=HUAYANG, name="chen", role=Role.PARTNER_ADMIN, password=PASSWORD
        )
        signed = _token(_sign_in(conn, "chen", PASSWORD))
        api_token = do_create_token(
            conn=conn, partner_id=HUAYANG, role=Role.PARTNER_ADMIN, label="erp", user="chen"
        )
        assert do_disable_user(conn=conn, user_id=user.user_id) == 2
        assert _refused(_sign_in(conn, "chen", PASSWORD)) == "account_disabled"
        # A wrong password tells nothing about the account.
        assert _refused(_sign_in(conn, "chen", "wrong password")) == "bad_credentials"
        for token in (signed, api_token):
            with pytest.raises(ChainhubError, match="unknown, expired or revoked"):
                access_principal(conn=conn, token=token)
        with pytest.raises(ChainhubError, match="already disabled"):
            do_disable_user(conn=conn, user_id=user.user_id)
        with pytest.raises(ChainhubError, match="is disabled"):
            do_create_token(
                conn=conn, partner_id=HUAYANG, role=Role.ANALYST, label="x", user="chen"
            )


def test_names_are_unique_across_the_hub_and_inputs_are_checked(engine: sa.Engine) -> None:
    with engine.begin() as conn:
        do_create_user(
            conn=conn, partner_id=JINLI, name="Wang", role=Role.ANALYST, password=PASSWORD
        )
        with pytest.raises(ChainhubError) as taken:
            do_create_user(
                conn=conn, partner_id=HUAYANG, name="wang", role=Role.ANALYST, password=PASSWORD
            )
        assert taken.value.code == "user_name_taken" and taken.value.status == 409
        assert "'wang' is taken (by 'Wang')" in taken.value.message_en
        for name, password, partner, role, code in (
            ("two words", PASSWORD, JINLI, Role.ANALYST, "bad_user_name"),
            ("x" * 65, PASSWORD, JINLI, Role.ANALYST, "bad_user_name"),
            ("short", "tooshort", JINLI, Role.ANALYST, "bad_password"),
            ("same-as-name", "Same-As-Name", JINLI, Role.ANALYST, "bad_password"),
            ("admin2", PASSWORD, JINLI, Role.HUB_ADMIN, "user_role"),
            ("member", PASSWORD, None, Role.PARTNER_MEMBER, "user_role"),
        ):
            with pytest.raises(ChainhubError) as refused:
                do_create_user(
                    conn=conn, partner_id=partner, name=name, role=role, password=password
                )
            assert refused.value.code == code, name
        assert [u.name for u in list_users(conn=conn)] == ["Wang"]


def test_a_token_only_user_of_the_partner_gains_a_password(engine: sa.Engine) -> None:
    with engine.begin() as conn:
        token = do_create_token(
            conn=conn, partner_id=JINLI, role=Role.PARTNER_MEMBER, label="t", user="李工"
        )
    with engine.begin() as conn:
        token_user = access_principal(conn=conn, token=token).user_id
        user = do_create_user(
            conn=conn, partner_id=JINLI, name="李工", role=Role.PARTNER_MEMBER, password=PASSWORD
        )
        assert user.user_id == token_user
        signed = _sign_in(conn, "李工", PASSWORD)
        assert isinstance(signed, SignedIn) and signed.principal.user_id == token_user
