"""A file upload as the API and the upload page take it: one submitter, one stored file name,
one path through the mapping profile into `do_submit`."""

from __future__ import annotations

import re
import shutil
import tempfile
from datetime import datetime
from pathlib import Path
from typing import BinaryIO, Final

from sqlalchemy import Connection

from chainhub.access.schemas import Principal
from chainhub.api.sandbox import Sandbox
from chainhub.intake.attempts import IngestResult
from chainhub.intake.schemas import load_profile
from chainhub.intake.service import Submitter, do_submit, get_file_profile
from chainhub.partners.visibility import check_may_write

# Bytes of a stored file name: well under the 255 every file system allows.
MAX_NAME_BYTES: Final = 200
_COPY_CHUNK: Final = 1 << 20


def check_submitter(*, principal: Principal, channel: str) -> Submitter:
    """The caller's partner as submitter, when its role may write."""
    return Submitter(
        partner_id=check_may_write(principal=principal),
        chain_leader=principal.chain_leader,
        user_id=principal.user_id,
        token_id=principal.token_id,
        channel=channel,
    )


def safe_file_name(name: str | None) -> str:
    """The upload's base name, without folders, control characters or leading dots, short
    enough for any file system; its suffix (the format) is kept."""
    base = re.split(r"[/\\]", name or "")[-1]
    base = "".join(c for c in base if c.isprintable()).strip()
    stem, dot, suffix = base.rpartition(".")
    if not dot or not suffix.strip() or len(suffix) > 16:
        stem, dot, suffix = base, "", ""
    # Leading dots leave the stem only: "..csv" is still a CSV file.
    stem = stem.lstrip(".").strip() or "upload"
    while len(f"{stem}{dot}{suffix}".encode()) > MAX_NAME_BYTES:
        stem = stem[:-1]
    return f"{stem}{dot}{suffix}"


def do_submit_upload(
    *,
    conn: Connection,
    submitter: Submitter,
    document_type: str,
    file: BinaryIO,
    name: str,
    profile: BinaryIO | None,
    accept_valid: bool,
    received_at: datetime,
    sandbox: Sandbox | None = None,
) -> IngestResult:
    """Submit an uploaded file (already named by `safe_file_name`) through its mapping profile,
    or with the standard's field names as columns; it is copied to a private folder first, and
    read and checked in a worker of the `sandbox`, when given."""
    with tempfile.TemporaryDirectory(prefix="chainhub-upload-") as folder:
        path = Path(folder) / name
        with path.open("wb") as out:
            shutil.copyfileobj(file, out, _COPY_CHUNK)
        mapping = None
        if profile is not None:
            profile_path = Path(folder) / "profile.yaml"
            with profile_path.open("wb") as out:
                shutil.copyfileobj(profile, out, _COPY_CHUNK)
            mapping = load_profile(profile_path)
        mapping = get_file_profile(
            path=path,
            document_type=document_type,
            profile=mapping,
            partner_id=submitter.partner_id,
            sandbox=sandbox,
        )
        return do_submit(
            conn=conn,
            path=path,
            profile=mapping,
            submitter=submitter,
            accept_valid=accept_valid,
            received_at=received_at,
            source_name=name,
            sandbox=sandbox,
        )
