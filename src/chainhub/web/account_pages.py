"""The account page: the users and tokens of one's own partner (of every partner, for the hub
admin). A partner admin adds users of its partner, resets their passwords, disables them and
revokes their tokens; other roles see only their own account and may change their password.
Every form is a POST that only the SameSite=Strict cookie (or a bearer header) can sign."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated, Any, Final

from fastapi import APIRouter, Form, Request
from fastapi.responses import RedirectResponse, Response
from sqlalchemy import Connection

from chainhub.access.audit import AuditRecord, do_log_audit
from chainhub.access.passwords import (
    do_change_password,
    do_create_user,
    do_disable_user,
    do_set_password,
    get_user,
    list_users,
)
from chainhub.access.schemas import Principal, Role, TokenRead, UserRead
from chainhub.access.tokens import do_revoke_token, get_token, list_tokens
from chainhub.api.deps import ConnDep, ContextDep, RequestContext
from chainhub.errors import ChainhubError, Language
from chainhub.partners.service import list_partners
from chainhub.web.locale import PageLanguageDep
from chainhub.web.render import page
from chainhub.web.session import SignedInDep

router = APIRouter(include_in_schema=False)
# What a partner admin may hand out; only the hub admin makes hub admins.
PARTNER_ROLES: Final = (Role.PARTNER_ADMIN, Role.PARTNER_MEMBER, Role.ANALYST)
DONE: Final = frozenset(
    {"user_created", "password_reset", "user_disabled", "token_revoked", "password_changed"}
)
FormText = Annotated[str, Form()]


def _administers(principal: Principal) -> bool:
    return principal.is_hub_admin or principal.role is Role.PARTNER_ADMIN


def _forbidden() -> ChainhubError:
    # One answer for another partner's id and an unknown one: a forged id learns nothing.
    return ChainhubError(
        "forbidden",
        "you may manage only the users and tokens of your own partner, as its partner admin",
        "只有本企业的伙伴管理员才能管理本企业的用户和令牌",
        status=403,
    )


def check_may_manage(*, principal: Principal, partner_id: str | None) -> None:
    """The caller is the hub admin, or a partner admin of `partner_id`."""
    if principal.is_hub_admin:
        return
    if principal.role is not Role.PARTNER_ADMIN or partner_id != principal.partner_id:
        raise _forbidden()


def _managed_user(conn: Connection, principal: Principal, user_id: str) -> UserRead:
    user = get_user(conn=conn, user_id=user_id)
    if user is None:
        raise _forbidden()
    check_may_manage(principal=principal, partner_id=user.partner_id)
    return user


def _active(tokens: list[TokenRead], now: datetime) -> list[TokenRead]:
    return [
        t for t in tokens if t.revoked_at is None and (t.expires_at is None or t.expires_at > now)
    ]


def _listing(conn: Connection, principal: Principal) -> tuple[list[UserRead], list[TokenRead]]:
    """Users and active tokens the caller may see: its partner's, everyone's, or its own."""
    now = datetime.now(UTC)
    if principal.is_hub_admin:
        return list_users(conn=conn), _active(list_tokens(conn=conn), now)
    own = list_tokens(conn=conn, partner_id=principal.partner_id)
    if principal.role is Role.PARTNER_ADMIN:
        return list_users(conn=conn, partner_id=principal.partner_id), _active(own, now)
    me = get_user(conn=conn, user_id=principal.user_id) if principal.user_id else None
    mine = [
        t
        for t in own
        if t.token_id == principal.token_id
        or (principal.user_id is not None and t.user_id == principal.user_id)
    ]
    return ([me] if me else []), _active(mine, now)


def _render(
    request: Request,
    conn: Connection,
    principal: Principal,
    lang: Language,
    error: ChainhubError | None = None,
) -> Response:
    users, tokens = _listing(conn, principal)
    me = next((u for u in users if u.user_id == principal.user_id), None)
    if me is None and principal.user_id:
        me = get_user(conn=conn, user_id=principal.user_id)
    done = request.query_params.get("done")
    return page(
        request,
        "account.html",
        lang,
        principal,
        status_code=error.status if error else 200,
        error=error.message(lang) if error else None,
        done=done if done in DONE else None,
        me=me,
        users=users,
        user_names={u.user_id: u.name for u in users},
        tokens=tokens,
        administers=_administers(principal),
        grantable=[*([Role.HUB_ADMIN] if principal.is_hub_admin else []), *PARTNER_ROLES],
        partners=list_partners(conn=conn) if principal.is_hub_admin else [],
        now=datetime.now(UTC),
    )


@router.get("/account", response_model=None)
def account(
    request: Request, conn: ConnDep, principal: SignedInDep, lang: PageLanguageDep
) -> Response:
    """The caller's account, and the users and tokens it may see or manage."""
    return _render(request, conn, principal, lang)


def _done(key: str) -> RedirectResponse:
    return RedirectResponse(f"/account?done={key}", status_code=303)


def _refused(
    request: Request,
    conn: Connection,
    principal: Principal,
    lang: Language,
    context: RequestContext,
    error: ChainhubError,
) -> Response:
    """The page again with the refusal; no change was made before it was raised."""
    context.status, context.outcome = error.status, error.code
    return _render(request, conn, principal, lang, error)


def _audit(conn: Connection, principal: Principal, action: str, target: dict[str, Any]) -> None:
    do_log_audit(
        conn=conn,
        record=AuditRecord(
            action=action,
            status=200,
            outcome="ok",
            partner_id=principal.partner_id,
            user_id=principal.user_id,
            token_id=principal.token_id,
            target=target,
        ),
    )


def _check_same(password: str, confirm: str) -> None:
    if password != confirm:
        raise ChainhubError(
            "passwords_differ",
            "the two passwords differ; type the same one twice",
            "两次输入的密码不一致；请输入相同的密码",
            status=422,
        )


def _new_user_target(
    conn: Connection, principal: Principal, partner: str, role: str
) -> tuple[str | None, Role]:
    """The partner and role of a new user, as far as the caller may grant them."""
    try:
        granted = Role(role)
    except ValueError:
        raise ChainhubError(
            "bad_role", f"unknown role {role!r}", f"未知角色 {role!r}", status=422
        ) from None
    if not principal.is_hub_admin:
        if granted not in PARTNER_ROLES or (partner and partner != principal.partner_id):
            raise _forbidden()
        check_may_manage(principal=principal, partner_id=principal.partner_id)
        return principal.partner_id, granted
    if partner and partner not in {p.partner_id for p in list_partners(conn=conn)}:
        raise ChainhubError(
            "unknown_partner",
            f"partner {partner!r} is not in the directory",
            f"伙伴 {partner!r} 不在名录中",
            status=422,
        )
    return (partner or None), granted


@router.post("/account/users", response_model=None)
def create_user(
    request: Request,
    conn: ConnDep,
    context: ContextDep,
    principal: SignedInDep,
    lang: PageLanguageDep,
    name: FormText,
    role: FormText,
    password: FormText,
    confirm: FormText,
    partner: FormText = "",
) -> Response:
    """Add a password user: of the caller's partner, or of any partner for the hub admin."""
    try:
        partner_id, granted = _new_user_target(conn, principal, partner.strip(), role)
        _check_same(password, confirm)
        user = do_create_user(
            conn=conn, partner_id=partner_id, name=name, role=granted, password=password
        )
    except ChainhubError as error:
        return _refused(request, conn, principal, lang, context, error)
    _audit(conn, principal, "user create", {"user_id": user.user_id, "role": granted.value})
    return _done("user_created")


@router.post("/account/users/{user_id}/password", response_model=None)
def reset_password(
    user_id: str,
    request: Request,
    conn: ConnDep,
    context: ContextDep,
    principal: SignedInDep,
    lang: PageLanguageDep,
    password: FormText,
    confirm: FormText,
) -> Response:
    """Set another user's password (it signs in with the new one only)."""
    try:
        _managed_user(conn, principal, user_id)
        _check_same(password, confirm)
        do_set_password(conn=conn, user_id=user_id, password=password)
    except ChainhubError as error:
        return _refused(request, conn, principal, lang, context, error)
    _audit(conn, principal, "user password reset", {"user_id": user_id})
    return _done("password_reset")


@router.post("/account/users/{user_id}/disable", response_model=None)
def disable_user(
    user_id: str,
    request: Request,
    conn: ConnDep,
    context: ContextDep,
    principal: SignedInDep,
    lang: PageLanguageDep,
) -> Response:
    """Disable a user and revoke its tokens; never one's own account."""
    try:
        _managed_user(conn, principal, user_id)
        if user_id == principal.user_id:
            raise ChainhubError(
                "own_account",
                "you cannot disable your own account; ask another admin",
                "不能停用自己的账户；请联系其他管理员",
                status=409,
            )
        do_disable_user(conn=conn, user_id=user_id)
    except ChainhubError as error:
        return _refused(request, conn, principal, lang, context, error)
    _audit(conn, principal, "user disable", {"user_id": user_id})
    return _done("user_disabled")


@router.post("/account/tokens/{token_id}/revoke", response_model=None)
def revoke_token(
    token_id: str,
    request: Request,
    conn: ConnDep,
    context: ContextDep,
    principal: SignedInDep,
    lang: PageLanguageDep,
) -> Response:
    """Revoke a token of the caller's partner (any, for the hub admin); revoking the one in use
    signs the caller out."""
    try:
        token = get_token(conn=conn, token_id=token_id)
        if token is None:
            raise _forbidden()
        check_may_manage(principal=principal, partner_id=token.partner_id)
        do_revoke_token(conn=conn, token_id=token_id)
    except ChainhubError as error:
        return _refused(request, conn, principal, lang, context, error)
    _audit(conn, principal, "token revoke", {"token_id": token_id})
    if token_id == principal.token_id:
        return RedirectResponse("/login", status_code=303)
    return _done("token_revoked")


@router.post("/account/password", response_model=None)
def change_password(
    request: Request,
    conn: ConnDep,
    context: ContextDep,
    principal: SignedInDep,
    lang: PageLanguageDep,
    current: FormText,
    password: FormText,
    confirm: FormText,
) -> Response:
    """Change one's own password; one's other web sessions end, this one stays."""
    try:
        if principal.user_id is None:
            raise ChainhubError(
                "no_password",
                "this sign-in belongs to no user with a password",
                "当前登录不属于使用密码的用户",
                status=409,
            )
        _check_same(password, confirm)
        do_change_password(
            conn=conn,
            user_id=principal.user_id,
            current=current,
            password=password,
            keep_session=principal.token_id,
        )
    except ChainhubError as error:
        return _refused(request, conn, principal, lang, context, error)
    _audit(conn, principal, "password change", {"user_id": principal.user_id})
    return _done("password_changed")
