"""Preparing the golden master for matching when it is published, not at the first suggestion.

A served hub runs one `MasterPreparer` thread. It notices a new material submission by their
count (documents are append-only and arrive only in submissions), reads the master and
prepares it into the hub's prepared store, so the next suggestion call in any process reads it
there. The connection is given back before the preparation, which needs none.
"""

from __future__ import annotations

import logging
import threading
from pathlib import Path

import sqlalchemy as sa
from sqlalchemy import Connection, Engine

from chainhub.masterdata.chain_model import do_publish_prepared_master
from chainhub.masterdata.service import list_golden_materials
from chainhub.storage.models import submissions

logger = logging.getLogger(__name__)


def get_master_marker(*, conn: Connection) -> int:
    """A number that changes whenever the golden master may have: its submissions' count."""
    query = sa.select(sa.func.count()).where(submissions.c.document_type == "material")
    return int(conn.execute(query).scalar_one())


class MasterPreparer:
    """Prepares the golden master in the background whenever a material submission arrives."""

    def __init__(self, *, engine: Engine, store: Path, poll_seconds: float = 5.0) -> None:
        self.engine, self.store, self.poll_seconds = engine, store, poll_seconds
        self._seen: int | None = None
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def start(self) -> None:
        """Start the thread."""
        self._thread = threading.Thread(target=self._run, name="chainhub-master", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        """Stop the thread and wait for it (a preparation under way finishes first)."""
        self._stop.set()
        if self._thread is not None:
            self._thread.join()

    def do_prepare_if_changed(self) -> bool:
        """Prepare the master if a material submission arrived since the last look; whether
        it did. An empty master needs no preparation."""
        with self.engine.connect() as conn:
            marker = get_master_marker(conn=conn)
            if marker == self._seen:
                return False
            materials = list_golden_materials(conn=conn)
        if materials:
            do_publish_prepared_master(materials, store=self.store)
        self._seen = marker
        return bool(materials)

    def _run(self) -> None:
        while not self._stop.is_set():
            try:
                self.do_prepare_if_changed()
            except Exception:  # the next suggestion call prepares it instead
                logger.exception("the golden master could not be prepared")
            self._stop.wait(self.poll_seconds)
