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
from typing import Final

from sqlalchemy import Connection

from chainhub.access.audit import audit_at_end
from chainhub.events.reactions import do_react
from chainhub.intake.attempts import IngestResult
from chainhub.intake.readers import file_hash
from chainhub.intake.schemas import load_profile
from chainhub.intake.service import IntakeContext, changes_checks, do_submit, get_submitter
from chainhub.storage.service import StoreBatch, do_refresh_statistics

# Files of a load checked together at most, and their bytes (past the first file): what a
# load holds checked but not stored is two such chunks.
CHECK_FILES: Final = 128
CHECK_BYTES: Final = 64 << 20
# The first chunk's files, doubled chunk after chunk up to CHECK_FILES: storing starts once
# the first chunk is checked, which for 128 files of the demo took 0.7 s of waiting alone.
FIRST_CHECK_FILES: Final = 8


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
    changes = [changes_checks(profiles[f.profile].document_type) for f in files]
    # Files are read and checked ahead, in chunks, while the chunk before them is stored; a
    # chunk ends at a file whose storing may change the checks (master data, a crosswalk), and
    # the next starts once that file is stored. Storing waits for the first chunk and for the
    # first after such a file, so these hold FIRST_CHECK_FILES; each next one twice its
    # predecessor's, up to CHECK_FILES. Files known stored already are not checked.
    started, chunk_files = 0, min(FIRST_CHECK_FILES, CHECK_FILES)
    checking: dict[int, Hashable] = {}
    with audit_at_end(conn=conn), ThreadPoolExecutor(max_workers=1) as ahead:
        for index, (file, submitter) in enumerate(zip(files, submitters, strict=True)):
            if (started == index or not changes[started - 1]) and started < min(
                index + CHECK_FILES, len(files)
            ):
                end = _chunk_end(files, changes, started, chunk_files)
                chunk_files = min(
                    FIRST_CHECK_FILES if changes[end - 1] else 2 * chunk_files, CHECK_FILES
                )
                chunk = [
                    k for k in range(started, end) if context.contents.get(contents[k]) is None
                ]
                keys = context.check_ahead(
                    conn=conn,
                    pool=ahead,
                    files=[
                        (files[k].path, profiles[files[k].profile], submitters[k]) for k in chunk
                    ],
                )
                checking.update(zip(chunk, keys, strict=True))
                started = end
            result = do_submit(
                conn=conn,
                path=file.path,
                profile=profiles[file.profile],
                submitter=submitter,
                received_at=file.received_at,
                context=context,
            )
            # A check started ahead of a file that turned out a duplicate is not waited for.
            context.ahead.pop(checking.pop(index, None), None)
            on_result(file, result)
        batch.flush(conn=conn)
        do_refresh_statistics(
            conn=conn, document_types={profiles[f.profile].document_type for f in files}
        )
        do_react(conn=conn, stored=context.unreacted)


def _chunk_end(files: list[LoadFile], changes: list[bool], start: int, most: int) -> int:
    """Where the chunk of files checked together from `start` ends (exclusive): after `most`
    files or CHECK_BYTES, or after a file that changes the checks."""
    end, size = start, 0
    while end < len(files) and end - start < most and size < CHECK_BYTES:
        size += files[end].path.stat().st_size
        end += 1
        if changes[end - 1]:
            break
    return end
