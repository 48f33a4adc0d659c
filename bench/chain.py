"""The simulated chain's files loaded into a hub through intake (the hub's one write path), as
their partners, for the benches that run on the chain (bench/plan.py, bench/forecast_chain.py).
A helper module, not a bench (CI's bench loop skips it)."""

from __future__ import annotations

import json
from collections.abc import Collection
from pathlib import Path
from typing import Final

import sqlalchemy as sa

from chainhub.access.schemas import Principal, Role
from chainhub.access.tokens import do_set_chain_leader
from chainhub.intake.schemas import load_profile
from chainhub.intake.service import do_submit, get_submitter

OEM: Final = "haichuan"
OPERATOR: Final = Principal(token_id="bench", partner_id=None, role=Role.HUB_ADMIN)


def load_chain(engine: sa.Engine, root: Path, types: Collection[str] | None = None) -> int:
    """The chain's files of the document `types` (every file when None) through intake, as
    their partners, the OEM leading the chain; the files stored."""
    manifest = json.loads((root / "manifest.json").read_text(encoding="utf-8"))
    stored = 0
    with engine.begin() as conn:
        do_set_chain_leader(conn=conn, partner_id=OEM)
        for entry in manifest["submissions"]:
            if types is not None and entry["document_type"] not in types:
                continue
            result = do_submit(
                conn=conn,
                path=root / entry["file"],
                profile=load_profile(root / entry["profile"]),
                submitter=get_submitter(conn=conn, partner_id=entry["partner_id"], channel="bench"),
            )
            stored += result.status in ("stored", "partial")
    return stored
