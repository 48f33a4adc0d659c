"""The audit-log page (hub admin only): the chain's verification first, then the entries,
newest first, filtered by partner and day, a page at a time."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Annotated, Final, Literal

from fastapi import APIRouter, Query, Request
from fastapi.responses import Response

from chainhub.access.audit import list_audit, list_hub_checkpoints
from chainhub.access.audit_prefix import AuditPrefixKeeper
from chainhub.api.deps import ConnDep, ContextDep, SettingsDep
from chainhub.errors import ChainhubError
from chainhub.partners.visibility import check_hub_admin
from chainhub.web.filters import FiltersDep
from chainhub.web.locale import PageLanguageDep, format_datetime
from chainhub.web.render import page, partner_names
from chainhub.web.session import SignedInDep

router = APIRouter(include_in_schema=False)
PAGE_SIZE: Final = 100


def _target(text: str) -> str:
    """The request path an entry names, else its target as stored."""
    try:
        target = json.loads(text)
    except ValueError:
        return text
    path = target.get("path") if isinstance(target, dict) else None
    if isinstance(path, str):
        return path
    return json.dumps(target, ensure_ascii=False, sort_keys=True)


@router.get("/audit", response_model=None)
def audit(
    request: Request,
    conn: ConnDep,
    context: ContextDep,
    principal: SignedInDep,
    lang: PageLanguageDep,
    settings: SettingsDep,
    filters: FiltersDep,
    page_number: Annotated[int, Query(alias="page", ge=1, le=1_000_000)] = 1,
    verify: Annotated[Literal["all"] | None, Query()] = None,
) -> Response:
    """The audit log and whether its chain verifies, for the hub admin: the entries after the
    last pass recomputed now, the whole chain when asked (`verify=all`) or when that pass from
    the first entry is too old."""
    try:
        check_hub_admin(principal=principal)
    except ChainhubError as error:
        context.status, context.outcome = error.status, error.code
        return page(
            request, "audit.html", lang, principal, status_code=error.status,
            error=error.message(lang),
        )  # fmt: skip
    keeper: AuditPrefixKeeper = request.app.state.audit_prefix
    checkpoints = list_hub_checkpoints(data_dir=settings.data_dir)
    since, until = filters.moments()
    entries = list_audit(
        conn=conn,
        partner_id=filters.partner,
        since=since,
        until=until,
        # One more than shown tells whether a next page exists.
        limit=PAGE_SIZE + 1,
        offset=(page_number - 1) * PAGE_SIZE,
    )
    return page(
        request,
        "audit.html",
        lang,
        principal,
        verification=keeper.get_verification(
            conn=conn, checkpoints=checkpoints, now=datetime.now(UTC), full=verify == "all"
        ),
        checkpoints=len(checkpoints),
        entries=entries[:PAGE_SIZE],
        more=len(entries) > PAGE_SIZE,
        page_number=page_number,
        filters=filters,
        filter_fields=("period", "partner"),
        query=filters.query(),
        names=partner_names(conn=conn, principal=principal, lang=lang),
        target=_target,
        when=lambda moment: format_datetime(moment, lang),
    )
