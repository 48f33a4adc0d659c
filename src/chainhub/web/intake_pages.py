"""The upload page (a partner's file through the API's own upload path, its outcome and every
row error) and the submissions page (what the caller's partner has stored; every partner's, for
the hub admin and the chain leader)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated, Final
from urllib.parse import urlencode

from fastapi import File, Form, Query, Request, UploadFile
from fastapi.responses import Response
from fastapi.routing import APIRouter

from chainhub.access.schemas import Principal
from chainhub.api.deps import ConnDep, ContextDep, SettingsDep
from chainhub.errors import ChainhubError, Language
from chainhub.intake.outcome import get_outcome
from chainhub.intake.schemas import SubmissionOutcome
from chainhub.intake.service import get_outcome_status
from chainhub.intake.upload import check_submitter, do_submit_upload, safe_file_name
from chainhub.partners.visibility import WRITER_ROLES, check_may_send
from chainhub.standard.registry import DOCUMENT_TYPES
from chainhub.storage.service import list_submissions
from chainhub.web.filters import FiltersDep
from chainhub.web.locale import PageLanguageDep, format_datetime
from chainhub.web.render import page, partner_names
from chainhub.web.session import SignedInDep

router = APIRouter(include_in_schema=False)
PAGE_SIZE: Final = 50


def may_submit(principal: Principal) -> bool:
    """Whether the caller's role may submit documents for its partner (the API's rule)."""
    return principal.partner_id is not None and principal.role in WRITER_ROLES


def _type_titles(lang: Language) -> dict[str, str]:
    return {
        name: doc.title_zh if lang == "zh" else doc.title_en for name, doc in DOCUMENT_TYPES.items()
    }


def _sendable(principal: Principal, lang: Language) -> dict[str, str]:
    """Document types the caller may send: party-less master records only from the leader."""
    titles = _type_titles(lang)
    return {
        name: titles[name]
        for name, doc in DOCUMENT_TYPES.items()
        if doc.parties or principal.chain_leader
    }


def _render_upload(
    request: Request,
    principal: Principal,
    lang: Language,
    max_bytes: int,
    *,
    outcome: SubmissionOutcome | None = None,
    error: ChainhubError | None = None,
    chosen: str = "",
) -> Response:
    return page(
        request,
        "upload.html",
        lang,
        principal,
        status_code=error.status if error else 200,
        error=error.message(lang) if error else None,
        may_submit=may_submit(principal),
        types=_sendable(principal, lang),
        titles=_type_titles(lang),
        chosen=chosen,
        outcome=outcome,
        max_megabytes=f"{max_bytes / 1_048_576:g}",
    )


@router.get("/upload", response_model=None)
def upload_form(
    request: Request, principal: SignedInDep, lang: PageLanguageDep, settings: SettingsDep
) -> Response:
    """The upload form, for the roles that may submit."""
    return _render_upload(request, principal, lang, settings.upload_max_bytes)


@router.post("/upload", response_model=None)
def upload(
    request: Request,
    conn: ConnDep,
    context: ContextDep,
    principal: SignedInDep,
    lang: PageLanguageDep,
    settings: SettingsDep,
    document_type: Annotated[str, Form()],
    file: Annotated[UploadFile, File()],
    profile: Annotated[UploadFile | None, File()] = None,
    accept_valid: Annotated[bool, Form()] = False,
) -> Response:
    """Submit the file as the API's upload does, then show its outcome and every row error."""
    try:
        submitter = check_submitter(principal=principal, channel="upload")
        if document_type not in DOCUMENT_TYPES:
            raise ChainhubError(
                "unknown_document_type",
                f"unknown document type {document_type!r}",
                f"未知单据类型 {document_type!r}",
                status=422,
            )
        check_may_send(document_type=document_type, chain_leader=submitter.chain_leader)
        # A browser sends an empty part when no profile was chosen.
        mapping = profile if profile is not None and profile.filename else None
        result = do_submit_upload(
            conn=conn,
            submitter=submitter,
            document_type=document_type,
            file=file.file,
            name=safe_file_name(file.filename),
            profile=mapping.file if mapping is not None else None,
            accept_valid=accept_valid,
            received_at=datetime.now(UTC),
            sandbox=request.app.state.runtime.sandbox,
        )
    except ChainhubError as error:
        context.status, context.outcome = error.status, error.code
        return _render_upload(
            request, principal, lang, settings.upload_max_bytes, error=error, chosen=document_type
        )
    outcome = get_outcome(result, lang=lang)
    context.status, context.outcome = get_outcome_status(result), f"submission_{outcome.status}"
    context.events.extend(result.events)
    if outcome.submission_id:
        context.documents.append(f"submission/{outcome.submission_id}")
    return _render_upload(
        request, principal, lang, settings.upload_max_bytes, outcome=outcome, chosen=document_type
    )


@router.get("/submissions", response_model=None)
def submissions(
    request: Request,
    conn: ConnDep,
    principal: SignedInDep,
    lang: PageLanguageDep,
    filters: FiltersDep,
    document_type: str = "",
    page_number: Annotated[int, Query(alias="page", ge=1, le=1_000_000)] = 1,
) -> Response:
    """Submissions of the caller's partner (every partner's, or one's, for the hub admin and the
    leader) received in the filter bar's period, newest first, a page at a time."""
    chosen = document_type if document_type in DOCUMENT_TYPES else ""
    since, until = filters.moments()
    rows = list_submissions(
        conn=conn,
        partner_id=filters.partner if principal.sees_all else principal.partner_id or "",
        document_type=chosen or None,
        since=since,
        until=until,
    )
    pages = max(1, -(-len(rows) // PAGE_SIZE))
    number = min(page_number, pages)
    return page(
        request,
        "submissions.html",
        lang,
        principal,
        rows=rows[(number - 1) * PAGE_SIZE : number * PAGE_SIZE],
        total=len(rows),
        page_number=number,
        pages=pages,
        chosen=chosen,
        titles=_type_titles(lang),
        # Only those who see every partner's rows see whose they are.
        names=partner_names(conn=conn, principal=principal, lang=lang)
        if principal.sees_all
        else {},
        when=lambda moment: format_datetime(moment, lang),
        filters=filters,
        filter_fields=("period", "partner") if principal.sees_all else ("period",),
        filter_keep={"document_type": chosen},
        query="&".join(
            part for part in (filters.query(), urlencode({"document_type": chosen})) if part
        ),
    )
