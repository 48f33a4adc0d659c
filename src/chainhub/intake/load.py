"""A load: many partners' files submitted in one transaction, each through `do_submit`, sharing
what does not change between them (one `IntakeContext`, each mapping profile read once), their
rows and attempts written in batches and their audit entries appended together when the load
ends."""

from __future__ import annotations

from collections.abc import Callable, Hashable, Iterable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from sqlalchemy import Connection

from chainhub.access.audit import audit_at_end
from chainhub.events.reactions import do_react
from chainhub.intake.attempts import IngestResult
from chainhub.intake.readers import file_hash
from chainhub.intake.schemas import load_profile
from chainhub.intake.service import IntakeContext, changes_checks, do_submit, get_submitter
from chainhub.storage.service import StoreBatch, do_refresh_statistics


@dataclass(frozen=True)
class LoadFile:
    """One file of a load: where it is, the profile that reads it, who sent it and when."""

    path: Path
    profile: Path
    partner_id: str
    received_at: datetime | None = None


def do_load_files(
    *,
    conn: Connection,
    files: Iterable[LoadFile],
    channel: str,
    on_result: Callable[[LoadFile, IngestResult], None],
) -> None:
    """Submit `files` in order, on `conn`'s transaction, as their partners; `on_result` sees
    each outcome (and may raise to end the load, which the caller then rolls back). Stored
    rows and attempts are written in batches (one bulk insert per table), at the latest when
    the load ends; what a later file reads (master data, crosswalks, versions it replaces) is
    written before it reads it. When the load ends the planner's statistics of what it wrote are
    gathered, and the connection's reactions run once, on every stored file. Results carry
    only the events a webhook subscription wants (queued already): a load publishes none."""
    files = list(files)
    profiles = {path: load_profile(path) for path in dict.fromkeys(f.profile for f in files)}
    batch = StoreBatch()
    context = IntakeContext(batch=batch, publish=False)
    context.hashes.update((f.path, file_hash(f.path)) for f in files)
    contents = [
        (f.partner_id, profiles[f.profile].document_type, context.hashes[f.path]) for f in files
    ]
    context.expect_contents(conn=conn, keys=contents)
    submitters = [
        get_submitter(conn=conn, partner_id=f.partner_id, channel=channel, context=context)
        for f in files
    ]
    # The next file is read and checked while this one is stored, unless storing this one may
    # change the checks (master data, a crosswalk) or the next one is known stored already.
    checking: Hashable = None
    with audit_at_end(conn=conn), ThreadPoolExecutor(max_workers=1) as ahead:
        for index, (file, submitter) in enumerate(zip(files, submitters, strict=True)):
            profile = profiles[file.profile]
            this, checking = checking, None
            if (
                index + 1 < len(files)
                and not changes_checks(profile.document_type)
                and context.contents.get(contents[index + 1]) is None
            ):
                following = files[index + 1]
                checking = context.check_ahead(
                    conn=conn,
                    pool=ahead,
                    path=following.path,
                    profile=profiles[following.profile],
                    submitter=submitters[index + 1],
                )
            result = do_submit(
                conn=conn,
                path=file.path,
                profile=profile,
                submitter=submitter,
                received_at=file.received_at,
                context=context,
            )
            # A check started ahead of a file that turned out a duplicate is not waited for.
            context.ahead.pop(this, None)
            on_result(file, result)
        batch.flush(conn=conn)
        do_refresh_statistics(
            conn=conn, document_types={profiles[f.profile].document_type for f in files}
        )
        do_react(conn=conn, stored=context.unreacted)
