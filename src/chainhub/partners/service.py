"""The partner directory, and the demo's named participants with their agreements and tokens."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Final

import sqlalchemy as sa
from sqlalchemy import Connection

from chainhub.access.models import partner_accounts
from chainhub.access.passwords import (
    do_create_user,
    do_set_password,
    generate_password,
    get_user_by_name,
)
from chainhub.access.schemas import Principal, Role
from chainhub.access.tokens import (
    do_create_token,
    do_revoke_labelled_tokens,
    do_set_chain_leader,
)
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
    DemoUser,
    PartnerRead,
    ScopeKind,
)
from chainhub.storage.engine import get_read_cache
from chainhub.storage.models import LIST_SEPARATOR, current_view

# The key of the directory in a read-only request's cache.
_DIRECTORY: Final = "partners.directory"
DEMO_LEADER: Final = "haichuan"
DEMO_SUPPLIERS: Final = ("jinli-motor", "huayang-compressor")
DEMO_PURPOSE: Final = "vendor-managed inventory / 供应商管理库存"
# The token id of principals the hub acts as on a partner's behalf, for setup and webhooks.
SETUP: Final = "setup"
VMI_DOCUMENT_TYPES: Final = ("inventory_snapshot", "demand_forecast", "production_order")
# The demo's password users: the roles it prints tokens for, and a supplier's member.
DEMO_USERS: Final[tuple[tuple[str, str | None, Role], ...]] = (
    ("hub-admin", None, Role.HUB_ADMIN),
    (f"{DEMO_LEADER}-admin", DEMO_LEADER, Role.PARTNER_ADMIN),
    *((f"{s}-admin", s, Role.PARTNER_ADMIN) for s in DEMO_SUPPLIERS),
    (f"{DEMO_SUPPLIERS[0]}-member", DEMO_SUPPLIERS[0], Role.PARTNER_MEMBER),
)


def list_partners(*, conn: Connection) -> list[PartnerRead]:
    """The directory: every current partner with its roles, leaders first, then by tier; read
    once per read-only request (a page names partners from many places)."""
    cache = get_read_cache(conn=conn)
    if cache is None:
        return _read_partners(conn=conn)
    if _DIRECTORY not in cache:
        cache[_DIRECTORY] = _read_partners(conn=conn)
    return list(cache[_DIRECTORY])


def _read_partners(*, conn: Connection) -> list[PartnerRead]:
    view, accounts = current_view("partner"), partner_accounts
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
    # A demo run again replaces the tokens it printed before, so no stale one stays valid.
    do_revoke_labelled_tokens(conn=conn, labels={label for _p, _r, label in issued})
    return [
        DemoToken(
            partner_id=partner_id,
            role=role,
            label=label,
            token=do_create_token(conn=conn, partner_id=partner_id, role=role, label=label),
        )
        for partner_id, role, label in issued
    ]


def do_issue_demo_users(*, conn: Connection) -> list[DemoUser]:
    """A password user for each of the demo's participants, each with a fresh random password;
    a demo run again resets the passwords it printed before (and ends their web sessions)."""
    issued = []
    for name, partner_id, role in DEMO_USERS:
        password = generate_password()
        existing = get_user_by_name(conn=conn, name=name)
        if existing is None:
            do_create_user(
                conn=conn, partner_id=partner_id, name=name, role=role, password=password
            )
        elif (existing.partner_id, existing.role) == (partner_id, role):
            do_set_password(conn=conn, user_id=existing.user_id, password=password)
        else:
            raise ChainhubError(
                "demo_user_taken",
                f"the demo's user name {name!r} belongs to another user on this hub; "
                "run the demo on another --db",
                f"演示用户名 {name!r} 已被本枢纽的其他用户占用；请用 --db 指定其他数据库运行演示",
            )
        issued.append(DemoUser(name=name, partner_id=partner_id, role=role, password=password))
    return issued
