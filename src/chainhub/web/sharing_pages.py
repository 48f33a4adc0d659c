"""The sharing-agreements page: the agreements the caller's partner is a side of (every one, for
the hub admin); a partner admin proposes one, accepts the other side's proposal, revokes one.
The counterparty picker offers only partners the caller may name: a supplier is never shown
another supplier."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Annotated, Final

from fastapi import APIRouter, Form, Request
from fastapi.responses import RedirectResponse, Response
from pydantic import ValidationError
from sqlalchemy import Connection

from chainhub.access.schemas import Principal, Role
from chainhub.api.deps import ConnDep, ContextDep
from chainhub.errors import ChainhubError, Language
from chainhub.kpi.service import get_supplier_aliases
from chainhub.partners.agreements import (
    do_accept_agreement,
    do_propose_agreement,
    do_revoke_agreement,
    list_agreements,
)
from chainhub.partners.schemas import AgreementCreate, AgreementRead, AgreementStatus, ScopeKind
from chainhub.standard.registry import DOCUMENT_TYPES
from chainhub.web.filters import FiltersDep, PageFilters
from chainhub.web.i18n import TEXT
from chainhub.web.locale import PageLanguageDep, format_datetime, format_day
from chainhub.web.render import page, partner_names
from chainhub.web.session import SignedInDep

router = APIRouter(include_in_schema=False)
DONE: Final = frozenset({"proposed", "accepted", "revoked"})
FormText = Annotated[str, Form()]


def _proposes(principal: Principal) -> bool:
    """Only a partner admin proposes, accepts and revokes (the service's rule)."""
    return principal.role is Role.PARTNER_ADMIN and principal.partner_id is not None


def _counterparties(names: dict[str, str], aliases: dict[str, str], own: str | None) -> list[str]:
    """Partners the caller may name, itself left out."""
    return [pid for pid in names if pid not in aliases and pid != own]


def _may_accept(principal: Principal, agreement: AgreementRead) -> bool:
    other = (
        agreement.grantee_id
        if agreement.proposed_by == agreement.grantor_id
        else agreement.grantor_id
    )
    return (
        _proposes(principal)
        and agreement.status is AgreementStatus.PROPOSED
        and principal.partner_id == other
    )


def _render(
    request: Request,
    conn: Connection,
    principal: Principal,
    lang: Language,
    filters: PageFilters,
    error: ChainhubError | None = None,
) -> Response:
    aliases = get_supplier_aliases(conn=conn, principal=principal)
    names = partner_names(conn=conn, principal=principal, lang=lang, aliases=aliases)
    agreements = list_agreements(
        conn=conn,
        principal=principal,
        partner_id=filters.partner,
        start=filters.start,
        end=filters.end,
    )
    done = request.query_params.get("done")
    return page(
        request,
        "agreements.html",
        lang,
        principal,
        status_code=error.status if error else 200,
        error=error.message(lang) if error else None,
        done=done if done in DONE else None,
        agreements=agreements,
        accepts={a.agreement_id for a in agreements if _may_accept(principal, a)},
        proposes=_proposes(principal),
        names=names,
        counterparties=_counterparties(names, aliases, principal.partner_id),
        titles={
            name: doc.title_zh if lang == "zh" else doc.title_en
            for name, doc in DOCUMENT_TYPES.items()
        },
        scope_kinds=[kind.value for kind in ScopeKind],
        today=datetime.now(UTC).date().isoformat(),
        when=lambda moment: format_datetime(moment, lang),
        day=lambda value: format_day(value.isoformat(), lang),
        filters=filters,
        # An agreement covers no one site, and its materials by kind (all, categories, what
        # the grantee supplies): only its sides and its validity are filtered on.
        filter_fields=("period", "partner"),
    )


@router.get("/agreements", response_model=None)
def agreements(
    request: Request,
    conn: ConnDep,
    principal: SignedInDep,
    lang: PageLanguageDep,
    filters: FiltersDep,
) -> Response:
    """The caller's partner's sharing agreements (with a partner, valid in a period, when the
    filter bar says so), and the proposal form for its admin."""
    return _render(request, conn, principal, lang, filters)


def _invalid(field: str) -> ChainhubError:
    label = TEXT["en"].get(f"ag_{field}", field), TEXT["zh"].get(f"ag_{field}", field)
    return ChainhubError(
        "invalid_agreement",
        f"the proposal's {label[0].lower()} is missing or not valid",
        f"提议中的“{label[1]}”缺失或无效",
        {"field": field},
        422,
    )


def _day(text: str, field: str) -> date | None:
    if not text.strip():
        return None
    try:
        return date.fromisoformat(text.strip())
    except ValueError:
        raise _invalid(field) from None


def _proposal(
    principal: Principal,
    counterparty: str,
    direction: str,
    fields: dict[str, object],
) -> AgreementCreate:
    """The form as the API's proposal: the caller's partner gives, or asks for, the documents."""
    own = principal.partner_id or ""
    grantor, grantee = (own, counterparty) if direction == "give" else (counterparty, own)
    try:
        return AgreementCreate.model_validate(
            {"grantor_id": grantor, "grantee_id": grantee, **fields}
        )
    except ValidationError as error:
        first = error.errors()[0]["loc"]
        raise _invalid(str(first[0]) if first else "purpose") from None


@router.post("/agreements", response_model=None)
def propose(
    request: Request,
    conn: ConnDep,
    context: ContextDep,
    principal: SignedInDep,
    lang: PageLanguageDep,
    filters: FiltersDep,
    counterparty: FormText,
    direction: FormText,
    scope_kind: FormText,
    purpose: FormText,
    valid_from: FormText,
    document_types: Annotated[list[str] | None, Form()] = None,
    scope_values: FormText = "",
    valid_to: FormText = "",
) -> Response:
    """Propose an agreement with a partner the caller may name; the other side accepts it."""
    try:
        aliases = get_supplier_aliases(conn=conn, principal=principal)
        names = partner_names(conn=conn, principal=principal, lang=lang, aliases=aliases)
        if counterparty not in _counterparties(names, aliases, principal.partner_id):
            # A partner the caller may not name is refused like one that is not there.
            raise _invalid("grantee_id")
        proposal = _proposal(
            principal,
            counterparty,
            direction,
            {
                "document_types": document_types or [],
                "scope_kind": scope_kind,
                "scope_values": [v.strip() for v in scope_values.split(",") if v.strip()],
                "purpose": purpose.strip(),
                "valid_from": _day(valid_from, "valid_from"),
                "valid_to": _day(valid_to, "valid_to"),
            },
        )
        do_propose_agreement(conn=conn, principal=principal, proposal=proposal)
    except ChainhubError as error:
        context.status, context.outcome = error.status, error.code
        return _render(request, conn, principal, lang, filters, error)
    return RedirectResponse("/agreements?done=proposed", status_code=303)


@router.post("/agreements/{agreement_id}/{action}", response_model=None)
def decide(
    agreement_id: str,
    action: str,
    request: Request,
    conn: ConnDep,
    context: ContextDep,
    principal: SignedInDep,
    lang: PageLanguageDep,
    filters: FiltersDep,
) -> Response:
    """Accept the other side's proposal, or revoke an agreement (withdraw a proposal)."""
    steps = {
        "accept": (do_accept_agreement, "accepted"),
        "revoke": (do_revoke_agreement, "revoked"),
    }
    try:
        if action not in steps:
            raise ChainhubError(
                "not_found", f"no action {action!r}", f"没有操作 {action!r}", status=404
            )
        step, done = steps[action]
        step(conn=conn, principal=principal, agreement_id=agreement_id)
    except ChainhubError as error:
        context.status, context.outcome = error.status, error.code
        return _render(request, conn, principal, lang, filters, error)
    return RedirectResponse(f"/agreements?done={done}", status_code=303)
