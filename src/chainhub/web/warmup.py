"""Warming a served hub's pages from its start, so that no first view pays a one-time cost.

In a new process the first view of a page paid, besides its queries: the import of Ibis's SQL
compilers (most of a second, on the first page with a KPI), FastAPI's preparation of every
included route (on the first request since FastAPI 0.137: seconds for our 135 routes),
Jinja2's compilation of its templates, Plotly's reading of its chart template, the
compilation of each of its KPIs (about 150 ms each, `kpi.precompile`) and, on the forecast
page, the reading of the latest stored run (which never changes). A served hub runs one
`PageWarmup` thread from its start that does these in that order, then runs each dashboard
KPI, the overview's alerts, the data page's counts and flows and the quality page's lags once
over the whole chain, whose answers the hub admin's and the chain leader's first views read
(kept until the next submission), then what each supplier's overview, data page and scorecard
read over what it sees (a supplier shares no query with another), then verifies the audit chain
from its first entry (the audit page's views go on from there), then moves what the start built
out of the cyclic collector's generations (`gc.freeze`), then ends.

The server does not wait for it: it answers from its start, and a request that needs what is
not ready yet prepares it itself, as without the thread (FastAPI prepares the routes once,
under its lock; a template or a KPI may be prepared twice, by the request and the thread).
So only a request in the first seconds after a start waits, and only for what it needs.
"""

from __future__ import annotations

import gc
import logging
import threading
import time
from collections.abc import Callable
from datetime import UTC, date, datetime
from functools import partial
from importlib import import_module

from fastapi import FastAPI
from sqlalchemy import Connection, Engine

from chainhub.access.audit import list_hub_checkpoints
from chainhub.access.audit_prefix import AuditPrefixKeeper
from chainhub.access.schemas import Principal, Role
from chainhub.documents.service import (
    DocumentFilter,
    count_visible_documents,
    list_visible_monthly_flows,
)
from chainhub.errors import ChainhubError
from chainhub.forecast.service import access_run, get_run_value_added
from chainhub.kpi.alerts import AlertFilter, access_alerts
from chainhub.kpi.overview import OverviewFilter, get_overview
from chainhub.kpi.precompile import WARMUP_PRINCIPAL, do_compile_kpis, do_run_kpis
from chainhub.kpi.scorecard import list_scorecards
from chainhub.kpi.service import access_kpi_trend, access_kpi_values, get_supplier_ids
from chainhub.web.charts import sparkline
from chainhub.web.kpi_pages import SCORECARD_KPIS, list_dashboard_windows
from chainhub.web.render import templates
from chainhub.web.views import CARD_KPIS

logger = logging.getLogger(__name__)


class PageWarmup:
    """Prepares the hub's routes, templates, chart style and dashboard KPIs once, in the
    background."""

    def __init__(self, *, app: FastAPI, engine: Engine) -> None:
        self.app, self.engine = app, engine
        # What it did, once done: the KPI queries it compiled and ran, the seconds of each
        # step and in all.
        self.kpis_compiled = 0
        self.kpis_run = 0
        self.suppliers_read = 0
        self.steps: dict[str, float] = {}
        self.seconds: float | None = None
        self._stop = threading.Event()
        self._done = threading.Event()
        self._thread: threading.Thread | None = None

    def start(self) -> None:
        """Start the thread."""
        self._thread = threading.Thread(target=self._run, name="chainhub-warmup", daemon=True)
        self._thread.start()

    def wait(self, timeout: float | None = None) -> bool:
        """Wait until it is done (or stopped); whether it was within `timeout` seconds."""
        return self._done.wait(timeout)

    def stop(self) -> None:
        """Stop the thread and wait for it (a step under way finishes first)."""
        self._stop.set()
        if self._thread is not None:
            self._thread.join()

    def _run(self) -> None:
        started = time.perf_counter()
        review_days = self.app.state.settings.plan_review_days
        steps = (
            ("ibis", lambda: import_module("ibis.backends.sql.compilers")),
            # Building the OpenAPI document prepares every route, as matching a request would.
            ("routes", self.app.openapi),
            ("templates", _compile_templates),
            ("charts", lambda: sparkline([(date(2025, 1, 1), 1.0)], "en")),
            ("kpis", self._compile_kpis),
            ("forecast", lambda: _read_latest_run(self.engine)),
            ("answers", self._run_kpis),
            ("alerts", lambda: self._read_chain(partial(_read_alerts, review_days=review_days))),
            ("data", lambda: self._read_chain(_read_data_page)),
            ("quality", lambda: _read_quality_page(self.engine)),
            ("suppliers", self._read_supplier_pages),
            ("audit", self._verify_audit_chain),
            # Last, what the start built (modules, routes, templates, compiled KPIs, kept
            # answers: some 100,000 objects) leaves the collector's walks, which it otherwise
            # repeats in each full collection, a pause of tens of milliseconds in whichever
            # request runs into it; reference counting still frees what is dropped later.
            ("freeze", gc.freeze),
        )
        try:
            for name, step in steps:
                if self._stop.is_set():
                    break
                begun = time.perf_counter()
                step()
                self.steps[name] = time.perf_counter() - begun
        except Exception:  # each page prepares what it needs itself instead
            logger.exception("the hub's pages could not be warmed up")
        finally:
            self.seconds = time.perf_counter() - started
            self._done.set()

    def _compile_kpis(self) -> None:
        self.kpis_compiled = do_compile_kpis(
            engine=self.engine, plan=list_dashboard_windows(), stop=self._stop
        )

    def _run_kpis(self) -> None:
        self.kpis_run = do_run_kpis(
            engine=self.engine,
            plan=list_dashboard_windows(),
            today=datetime.now(UTC).date(),
            stop=self._stop,
        )

    def _verify_audit_chain(self) -> None:
        """The audit page's pass over the whole chain, which its views go on from."""
        keeper: AuditPrefixKeeper = self.app.state.audit_prefix
        checkpoints = list_hub_checkpoints(data_dir=self.app.state.settings.data_dir)
        with self.engine.connect() as conn:
            keeper.get_verification(conn=conn, checkpoints=checkpoints, now=datetime.now(UTC))

    def _read_chain(self, read: Callable[[Connection, Principal, date], None]) -> None:
        """What `read` reads with no filter chosen, as the whole chain's viewers see it."""
        with self.engine.connect() as conn:
            read(conn, WARMUP_PRINCIPAL, datetime.now(UTC).date())

    def _read_supplier_pages(self) -> None:
        """Each supplier's first views (overview, data, its scorecard) with no filter chosen:
        what it sees is its own, so nothing above is shared with it; its answers are kept under
        the queries naming its visibility, as its own requests would keep them."""
        today = datetime.now(UTC).date()
        with self.engine.connect() as conn:
            suppliers = get_supplier_ids(conn=conn)
        for supplier_id in suppliers:
            if self._stop.is_set():
                break
            principal = Principal(
                token_id=WARMUP_PRINCIPAL.token_id, partner_id=supplier_id, role=Role.PARTNER_MEMBER
            )
            with self.engine.connect() as conn:
                _read_own_pages(
                    conn=conn,
                    principal=principal,
                    today=today,
                    review_days=self.app.state.settings.plan_review_days,
                )
            self.suppliers_read += 1


def _read_own_pages(
    *, conn: Connection, principal: Principal, today: date, review_days: float
) -> None:
    """What a partner's overview, data page and scorecard read with no filter chosen."""
    for kpi_id in CARD_KPIS:
        access_kpi_trend(conn=conn, principal=principal, today=today, kpi_id=kpi_id)
    _read_alerts(conn, principal, today, review_days=review_days)
    _read_data_page(conn, principal, today)
    get_overview(conn=conn, principal=principal, today=today, only=OverviewFilter())
    for kpi_id in SCORECARD_KPIS:
        access_kpi_values(
            conn=conn,
            principal=principal,
            today=today,
            kpi_id=kpi_id,
            partner_id=principal.partner_id,
        )


def _read_alerts(
    conn: Connection, principal: Principal, today: date, *, review_days: float
) -> None:
    """The overview's alerts with no filter chosen."""
    access_alerts(
        conn=conn, principal=principal, today=today, only=AlertFilter(), review_days=review_days
    )


def _read_data_page(conn: Connection, principal: Principal, today: date) -> None:
    """The data page's documents per type and monthly flows with no filter chosen."""
    only = DocumentFilter()
    count_visible_documents(conn=conn, principal=principal, today=today, only=only)
    list_visible_monthly_flows(conn=conn, principal=principal, today=today, only=only)


def _compile_templates() -> None:
    for name in templates.env.list_templates():
        templates.env.get_template(name)


def _read_quality_page(engine: Engine) -> None:
    """Every partner's scorecard, whose lags (every document read) the page keeps."""
    with engine.connect() as conn:
        list_scorecards(conn=conn)


def _read_latest_run(engine: Engine) -> None:
    """Read the latest forecast run's series, hierarchy and value added, which a process reads
    once and gives each caller what it sees of."""
    with engine.connect() as conn:
        try:
            run = access_run(conn=conn, principal=WARMUP_PRINCIPAL, today=datetime.now(UTC).date())
        except ChainhubError as error:
            if error.code != "forecast_not_found":
                raise
            return
        get_run_value_added(conn=conn, run=run)
