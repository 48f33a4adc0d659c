"""Helpers shared by tests: the simulated chain on disk, submitting records, and filling the
audit log."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import Any

import polars as pl
import sqlalchemy as sa

from chainhub.access.audit import AuditRecord, do_append_audit, set_audit_key
from chainhub.intake.attempts import IngestResult
from chainhub.intake.schemas import SourceFormat, load_profile, standard_profile
from chainhub.intake.service import Submitter, do_submit
from chainhub.sim.service import SimulationSummary
from chainhub.standard.registry import BUSINESS_DATES

SIM_SEED = 7
# The simulated chain's leader, which publishes the golden material list.
LEADER = "haichuan"


def submitter(partner_id: str) -> Submitter:
    """A test load on a partner's behalf, as the CLI makes one (the leader is designated)."""
    return Submitter(partner_id=partner_id, chain_leader=partner_id == LEADER, channel="test")


class SmallChain:
    """A generated small chain on disk with its manifest and ground truth."""

    def __init__(self, root: Path, summary: SimulationSummary) -> None:
        self.root = root
        self.summary = summary
        self.manifest: dict[str, Any] = json.loads((root / "manifest.json").read_text("utf-8"))
        self._truth: dict[str, pl.DataFrame] = {}

    def truth(self, doc_type: str) -> pl.DataFrame:
        """Standard records of one type from the ground truth."""
        if doc_type not in self._truth:
            path = self.root / "ground_truth" / "standard" / f"{doc_type}.parquet"
            self._truth[doc_type] = pl.read_parquet(path)
        return self._truth[doc_type]

    def submit(
        self, engine: sa.Engine, sub: dict[str, Any], *, as_sent: bool = False
    ) -> IngestResult:
        """One of the chain's files (`sub`, its manifest entry) through the write path as its
        partner, in a transaction of its own; received when the partner sent it, `as_sent`."""
        received = datetime.fromisoformat(sub["sent_at"]) if as_sent else None
        with engine.begin() as conn:
            return do_submit(
                conn=conn,
                path=self.root / sub["file"],
                profile=load_profile(self.root / sub["profile"]),
                submitter=submitter(sub["partner_id"]),
                received_at=received,
            )

    def store(self, engine: sa.Engine, sub: dict[str, Any], *, as_sent: bool = False) -> None:
        """`submit`, which must store the file."""
        result = self.submit(engine, sub, as_sent=as_sent)
        assert result.status == "stored", sub["file"]

    def load(
        self,
        engine: sa.Engine,
        *,
        only: Callable[[dict[str, Any]], bool] | None = None,
        as_sent: bool = False,
    ) -> None:
        """The chain's files in the manifest's order (those `only` keeps), each stored whole."""
        for sub in self.manifest["submissions"]:
            if only is None or only(sub):
                self.store(engine, sub, as_sent=as_sent)

    def send_lags(self) -> dict[str, list[int]]:
        """Per partner, for each file of dated documents it sent: the days from the newest
        business date in the file (its local day) to the day it was sent."""
        sent = {
            s["file"]: datetime.fromisoformat(s["sent_at"]).date()
            for s in self.manifest["submissions"]
        }
        lags: dict[str, list[int]] = {}
        for doc_type, field in BUSINESS_DATES.items():
            files = self.truth(doc_type).group_by("source_file").agg(pl.col(field).max())
            for file, newest in files.iter_rows():
                day = newest.date() if isinstance(newest, datetime) else newest
                partner = file.split("/")[1]
                lags.setdefault(partner, []).append((sent[file] - day).days)
        return lags


def ingest_records(
    engine: sa.Engine,
    tmp_path: Path,
    document_type: str,
    records: list[dict[str, Any]],
    *,
    submitted_by: str = "haichuan",
) -> IngestResult:
    """Submit standard-form records as a JSON file through the intake path."""
    path = tmp_path / f"{document_type}.json"
    path.write_text(json.dumps(records, ensure_ascii=False), encoding="utf-8")
    profile = standard_profile(
        partner_id=submitted_by,
        document_type=document_type,
        columns=records[0].keys(),
        source=SourceFormat(format="json"),
    )
    with engine.begin() as conn:
        return do_submit(conn=conn, path=path, profile=profile, submitter=submitter(submitted_by))


def fill_audit_log(engine: sa.Engine, count: int, *, key: str) -> None:
    """Append `count` plain read entries signed with `key`."""
    with engine.begin() as conn:
        set_audit_key(conn=conn, key=key)
        for n in range(count):
            do_append_audit(
                conn=conn,
                record=AuditRecord(action=f"GET /n/{n}", status=200, outcome="ok", partner_id="p"),
            )
