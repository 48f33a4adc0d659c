"""Compiling KPI queries ahead of their first caller, and running them once over the whole
chain, as a served hub does at its start.

Building and compiling a KPI's Ibis expression takes about 150 ms, once per process, KPI,
window and dialect (`kpi.compiled`): a page of five KPIs paid it on its first view. Running a
compiled query the first time costs no more than running it again (DuckDB has nothing of its
own to warm), but its answer over the whole chain is kept until the next submission, and the
hub admin and the chain leader see the whole chain through the same query text: their first
views of the dashboard read kept answers (at `--scale medium`, 40 to 200 ms a KPI saved).
"""

from __future__ import annotations

import threading
from collections.abc import Sequence
from datetime import UTC, date, datetime
from typing import Final

from sqlalchemy import Engine

from chainhub.access.schemas import Principal, Role
from chainhub.kpi.catalogue import Sources, Window
from chainhub.kpi.compiled import do_compile_kpi, get_kpi_frame
from chainhub.kpi.service import get_kpi

# Whose reads warm a served hub's process-wide caches (a label, not a token): the compiled
# SQL names stand-in tables whoever asks, but sources need a caller.
WARMUP_PRINCIPAL: Final = Principal(token_id="page-warmup", partner_id=None, role=Role.HUB_ADMIN)  # noqa: S106


def do_compile_kpis(
    *, engine: Engine, plan: Sequence[tuple[str, Window]], stop: threading.Event
) -> int:
    """Compile each KPI window of `plan` that is not compiled yet, in order, until `stop` is
    set; how many it compiled. A caller that needs one first compiles it itself meanwhile."""
    compiled = 0
    for kpi_id, window in plan:
        if stop.is_set():
            break
        # A connection per query, so that it is never kept from the requests for long.
        with engine.connect() as conn:
            src = Sources(conn=conn, principal=WARMUP_PRINCIPAL, today=datetime.now(UTC).date())
            compiled += do_compile_kpi(definition=get_kpi(kpi_id), src=src, window=window)
    return compiled


def do_run_kpis(
    *, engine: Engine, plan: Sequence[tuple[str, Window]], today: date, stop: threading.Event
) -> int:
    """Run each KPI window of `plan` over the whole chain as of `today`, keeping its answer, in
    order, until `stop` is set; how many it ran (a kept answer costs nothing to run again)."""
    ran = 0
    for kpi_id, window in plan:
        if stop.is_set():
            break
        with engine.connect() as conn:
            src = Sources(conn=conn, principal=WARMUP_PRINCIPAL, today=today)
            get_kpi_frame(definition=get_kpi(kpi_id), src=src, window=window, partner_id=None)
        ran += 1
    return ran
