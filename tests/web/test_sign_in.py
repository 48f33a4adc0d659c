"""Signing in to the dashboard with a name and password (a session token in the strict cookie,
revoked at sign-out) or an API token (a bearer header signs a page in without a cookie), and
the account page where a partner admin manages its own partner's users and tokens only."""

from __future__ import annotations

import re

import httpx
import pytest

from chainhub.access.audit import list_audit
from chainhub.access.passwords import SESSION_LABEL, do_create_user, get_user_by_name
from chainhub.access.schemas import Role
from chainhub.access.tokens import access_principal, get_token_id, list_tokens
from chainhub.api.deps import TOKEN_COOKIE
from chainhub.errors import ChainhubError
from tests.api.hub import HUAYANG, JINLI, Hub

PASSWORD = "jinli motor 2026"


def _user(hub: Hub, name: str, partner: str | None, role: Role) -> str:
    with hub.engine.begin() as conn:
        return do_create_user(
            conn=conn, partner_id=partner, name=name, role=role, password=PASSWORD
        ).user_id


def _sign_in(hub: Hub, name: str, password: str = PASSWORD, lang: str = "en") -> httpx.Response:
    hub.client.cookies.clear()
    return hub.client.post(
        f"/login?lang={lang}",
        data={"name": name, "password": password},
        follow_redirects=False,
    )


def _bearer(hub: Hub, who: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {hub.tokens[who]}"}


def test_a_password_sign_in_opens_a_session_that_sign_out_ends(hub: Hub) -> None:
    user_id = _user(hub, "wang.li", JINLI, Role.PARTNER_MEMBER)
    signed = _sign_in(hub, "Wang.Li")
    assert (signed.status_code, signed.headers["location"]) == (303, "/")
    cookie = signed.headers["set-cookie"]
    assert "HttpOnly" in cookie and "SameSite=strict" in cookie and "Max-Age=43200" in cookie
    session = hub.client.cookies[TOKEN_COOKIE]
    overview = hub.client.get("/")
    assert overview.status_code == 200 and "jinli-motor" in overview.text
    assert 'href="/account"' in overview.text
    with hub.engine.connect() as conn:
        principal = access_principal(conn=conn, token=session)
        sessions = [t for t in list_tokens(conn=conn, partner_id=JINLI) if t.user_id == user_id]
        actions = [(e.action, e.outcome, e.user_id) for e in list_audit(conn=conn, limit=5)]
    assert (principal.role, principal.user_id) == (Role.PARTNER_MEMBER, user_id)
    assert [(t.label, t.revoked_at) for t in sessions] == [(SESSION_LABEL, None)]
    assert ("sign-in", "ok", user_id) in actions and ("POST /login", "ok", user_id) in actions

    assert hub.client.post("/logout", follow_redirects=False).headers["location"] == "/login"
    # The old cookie, sent again, no longer signs anyone in: its token is revoked.
    hub.client.cookies.set(TOKEN_COOKIE, session)
    assert hub.client.get("/", follow_redirects=False).headers["location"] == "/login"
    api = hub.client.get("/api/v1/me", headers={"Authorization": f"Bearer {session}"})
    assert api.status_code == 401


@pytest.mark.parametrize(
    ("lang", "message"),
    [("en", "The user name or password is incorrect"), ("zh", "用户名或密码错误")],
)
def test_a_wrong_password_is_refused_in_the_pages_language(
    hub: Hub, lang: str, message: str
) -> None:
    _user(hub, "li.gong", JINLI, Role.ANALYST)
    for name in ("li.gong", "nobody"):
        refused = _sign_in(hub, name, "not the password", lang)
        assert refused.status_code == 401 and TOKEN_COOKIE not in hub.client.cookies
        assert re.search(f'<p id="error"[^>]*>{message}', refused.text, re.IGNORECASE)
        assert f'value="{name}"' in refused.text
    with hub.engine.connect() as conn:
        outcomes = [(e.action, e.outcome) for e in list_audit(conn=conn, limit=4)]
    assert outcomes.count(("sign-in", "bad_credentials")) == 2


def test_a_bearer_header_signs_pages_in_and_a_pasted_token_outlives_sign_out(hub: Hub) -> None:
    hub.client.cookies.clear()
    page = hub.client.get("/", headers=_bearer(hub, JINLI))
    assert page.status_code == 200 and "jinli-motor" in page.text
    account = hub.client.get("/account", headers=_bearer(hub, JINLI))
    assert account.status_code == 200 and 'id="users"' in account.text
    # The token form remains: its sign-in keeps the API token, and sign-out leaves it valid.
    pasted = hub.client.post("/login", data={"token": hub.tokens[HUAYANG]}, follow_redirects=False)
    assert pasted.status_code == 303
    hub.client.post("/logout")
    assert hub.get(HUAYANG, "/api/v1/me").status_code == 200


def _forms(hub: Hub, who: str, path: str, data: dict[str, str] | None = None) -> httpx.Response:
    hub.client.cookies.clear()
    return hub.client.post(path, data=data or {}, headers=_bearer(hub, who), follow_redirects=False)


def test_a_partner_admin_manages_its_own_partners_users_only(hub: Hub) -> None:
    new_user = {
        "name": "zhao.min", "role": "partner_member", "password": PASSWORD, "confirm": PASSWORD,
    }  # fmt: skip
    created = _forms(hub, JINLI, "/account/users", new_user)
    assert (created.status_code, created.headers["location"]) == (303, "/account?done=user_created")
    assert _sign_in(hub, "zhao.min").status_code == 303
    with hub.engine.connect() as conn:
        user = get_user_by_name(conn=conn, name="zhao.min")
    assert user is not None and (user.partner_id, user.role) == (JINLI, Role.PARTNER_MEMBER)
    listed = hub.client.get("/account", headers=_bearer(hub, JINLI)).text
    assert "zhao.min" in listed and "李工" in listed

    # A member sees only itself and may not add users; nobody adds to another partner.
    member = hub.client.get("/account", headers=_bearer(hub, "jinli-member"))
    assert "zhao.min" not in member.text and 'id="add-user"' not in member.text
    for who, data in (
        ("jinli-member", {**new_user, "name": "by.member"}),
        (JINLI, {**new_user, "name": "elsewhere", "partner": HUAYANG}),
        (JINLI, {**new_user, "name": "new.admin", "role": "hub_admin"}),
    ):
        assert _forms(hub, who, "/account/users", data).status_code == 403, data
    clash = _forms(hub, HUAYANG, "/account/users", {**new_user, "name": "ZHAO.MIN"})
    assert clash.status_code == 409 and "is taken" in clash.text and JINLI not in clash.text

    # Forged ids of another partner's user or token are refused alike, and change nothing.
    jinli_token = str(get_token_id(hub.tokens["jinli-analyst"]))
    for path in (
        f"/account/users/{user.user_id}/disable",
        f"/account/users/{user.user_id}/password",
        f"/account/tokens/{jinli_token}/revoke",
        "/account/users/0000000000000000/disable",
    ):
        data = {"password": "a forged password", "confirm": "a forged password"}
        refused = _forms(hub, HUAYANG, path, data)
        assert refused.status_code == 403, path
        assert "only the users and tokens of your own partner" in refused.text
    assert hub.get("jinli-analyst", "/api/v1/me").status_code == 200
    assert _sign_in(hub, "zhao.min").status_code == 303

    # Its own admin resets, revokes and disables.
    reset = {"password": "another password", "confirm": "another password"}
    assert _forms(hub, JINLI, f"/account/users/{user.user_id}/password", reset).status_code == 303
    assert _sign_in(hub, "zhao.min", "another password").status_code == 303
    assert _forms(hub, JINLI, f"/account/tokens/{jinli_token}/revoke").status_code == 303
    assert hub.get("jinli-analyst", "/api/v1/me").status_code == 401
    assert _forms(hub, JINLI, f"/account/users/{user.user_id}/disable").status_code == 303
    disabled = _sign_in(hub, "zhao.min", "another password")
    assert disabled.status_code == 403 and "disabled" in disabled.text
    with hub.engine.connect() as conn, pytest.raises(ChainhubError):
        access_principal(conn=conn, token=hub.tokens["jinli-analyst"])


def test_a_user_changes_its_own_password_and_keeps_its_session(hub: Hub) -> None:
    _user(hub, "sun.yi", HUAYANG, Role.ANALYST)
    _sign_in(hub, "sun.yi")
    page = hub.client.get("/account")
    assert 'id="change-password"' in page.text and "sun.yi" in page.text
    wrong = {"current": "not it at all", "password": "new password!", "confirm": "new password!"}
    refused = hub.client.post("/account/password", data=wrong)
    assert refused.status_code == 403 and "current password is incorrect" in refused.text
    differ = {"current": PASSWORD, "password": "new password!", "confirm": "new password?"}
    assert hub.client.post("/account/password", data=differ).status_code == 422
    changed = hub.client.post(
        "/account/password", data={**differ, "confirm": "new password!"}, follow_redirects=False
    )
    assert changed.headers["location"] == "/account?done=password_changed"
    assert "Your password was changed" in hub.client.get(changed.headers["location"]).text
    assert _sign_in(hub, "sun.yi").status_code == 401
    assert _sign_in(hub, "sun.yi", "new password!").status_code == 303
