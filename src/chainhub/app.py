"""create_app(settings): the only place the web application is assembled."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any

import anyio.to_thread
import plotly
import swagger_ui
from fastapi import Depends, FastAPI
from fastapi.openapi.docs import get_swagger_ui_html
from fastapi.responses import HTMLResponse
from fastapi.staticfiles import StaticFiles
from sqlalchemy import Connection, Engine

from chainhub import __version__
from chainhub.access.audit import CHECKPOINT_FILE
from chainhub.access.audit_prefix import AuditPrefixKeeper
from chainhub.api.audit_writer import AuditWriter
from chainhub.api.errors import install_error_handlers
from chainhub.api.limits import Admission, BodyLimit
from chainhub.api.openapi import install_openapi
from chainhub.api.params import check_query_names
from chainhub.api.processes import ProcessPool
from chainhub.api.responses import ERROR_RESPONSES
from chainhub.api.runtime import HubRuntime
from chainhub.api.sandbox import Budget, Sandbox
from chainhub.events.reactions import Reaction
from chainhub.intake.checking import PRELOAD as FILE_CHECK_PRELOAD
from chainhub.masterdata.chain_model import prepared_store
from chainhub.masterdata.preparer import MasterPreparer
from chainhub.masterdata.text import use_industries
from chainhub.partners.delivery import DeliveryWorker
from chainhub.settings import Settings
from chainhub.storage.engine import create_engine_for
from chainhub.storage.migrate import do_upgrade
from chainhub.web.session import install_sign_in_redirect

if TYPE_CHECKING:
    from chainhub.web.warmup import PageWarmup

PLOTLY_JS_DIR = Path(plotly.__file__).parent / "package_data"
SWAGGER_UI_DIR = Path(swagger_ui.__file__).parent / "static"
STATIC_DIR = Path(__file__).parent / "web" / "static"
# What the capture preparers' jobs import (trace.bulk.packed_capture's module), imported as
# each worker starts.
CAPTURE_PRELOAD = ("chainhub.trace.bulk",)


def _run_schedules(conn: Connection, now: datetime) -> int:
    """Queue the scheduled EPCIS query subscriptions' reports, ahead of each webhook round."""
    from chainhub.trace.named_queries import do_run_schedules

    return do_run_schedules(conn=conn, now=now)


def _reactions(settings: Settings) -> list[Reaction]:
    """What domains do when intake stores documents: the plan raises the alerts they bring."""
    from chainhub.plan.service import get_reactions

    return get_reactions(settings)


def _openapi_components() -> dict[str, Any]:
    """The schemas the routes' declarations refer to that no model gives: the EPCIS documents'."""
    from chainhub.trace.openapi import epcis_components

    return epcis_components()


def _warmup(app: FastAPI, engine: Engine) -> PageWarmup:
    """The thread that prepares the pages' routes, templates and KPIs from a served start."""
    from chainhub.web.warmup import PageWarmup

    return PageWarmup(app=app, engine=engine)


def _routers() -> list[object]:
    from chainhub.documents.views import router as documents_router
    from chainhub.equipment.views import router as equipment_router
    from chainhub.forecast.views import router as forecast_router
    from chainhub.intake.views import router as intake_router
    from chainhub.kpi.views import router as kpi_router
    from chainhub.masterdata.views import router as masterdata_router
    from chainhub.partners.views import router as partners_router
    from chainhub.plan.views import router as plan_router
    from chainhub.schedule.views import router as schedule_router
    from chainhub.standard.views import router as standard_router
    from chainhub.trace.genealogy_views import router as genealogy_router
    from chainhub.trace.query_views import router as trace_queries_router
    from chainhub.trace.views import router as trace_router
    from chainhub.web.account_pages import router as account_pages_router
    from chainhub.web.admin_pages import router as admin_pages_router
    from chainhub.web.equipment_pages import router as equipment_pages_router
    from chainhub.web.exports import router as exports_router
    from chainhub.web.forecast_pages import router as forecast_pages_router
    from chainhub.web.intake_pages import router as intake_pages_router
    from chainhub.web.kpi_pages import router as kpi_pages_router
    from chainhub.web.material_pages import router as material_pages_router
    from chainhub.web.plan_pages import router as plan_pages_router
    from chainhub.web.quality_pages import router as quality_pages_router
    from chainhub.web.review_pages import router as review_pages_router
    from chainhub.web.schedule_pages import router as schedule_pages_router
    from chainhub.web.sharing_pages import router as sharing_pages_router
    from chainhub.web.trace_pages import router as trace_pages_router
    from chainhub.web.views import router as web_router

    return [
        standard_router,
        documents_router,
        intake_router,
        partners_router,
        masterdata_router,
        kpi_router,
        forecast_router,
        plan_router,
        schedule_router,
        equipment_router,
        trace_router,
        trace_queries_router,
        genealogy_router,
        web_router,
        kpi_pages_router,
        schedule_pages_router,
        trace_pages_router,
        account_pages_router,
        intake_pages_router,
        sharing_pages_router,
        admin_pages_router,
        review_pages_router,
        exports_router,
        material_pages_router,
        quality_pages_router,
        forecast_pages_router,
        equipment_pages_router,
        plan_pages_router,
    ]


def create_app_from_environment() -> FastAPI:
    """The hub with settings from CHAINHUB_ variables: each worker process of `chainhub serve
    --workers N` builds its own."""
    return create_app(Settings(), served=True)


def create_app(settings: Settings, *, served: bool = False) -> FastAPI:
    """Build the hub: engine, migrations and webhook worker at start-up, routers, static files.

    A `served` hub warms up: its file-check workers and capture preparers start with it, so
    that no upload or capture waits for an interpreter's start-up, it prepares its pages in a
    thread from its start (`web.warmup`: routes, templates, the dashboard's KPI queries; the
    server does not wait for it), and it prepares the golden master for matching whenever it
    is published. Otherwise (tests, scripts) a file-check worker or capture preparer starts
    when its first job comes, a page prepares what it needs on its first view, and the master
    is prepared at the first suggestion call."""
    use_industries(settings.match_industries)
    # Each admitted request holds at most one connection; the audit writer and the webhook
    # worker hold one each.
    engine = create_engine_for(
        settings.database_url, pool_size=settings.max_concurrent_requests + 2
    )
    runtime = HubRuntime(
        worker=DeliveryWorker(
            engine=engine,
            allowed_hosts=settings.webhook_allowed_hosts,
            before_round=_run_schedules,
        ),
        audit=AuditWriter(
            engine=engine,
            key=settings.audit_key.get_secret_value(),
            checkpoint_every=settings.audit_checkpoint_every,
            checkpoint_seconds=settings.audit_checkpoint_seconds,
            checkpoint_path=settings.data_dir / CHECKPOINT_FILE,
        ),
        sandbox=Sandbox(
            workers=settings.file_check_workers,
            budget=Budget(
                seconds=settings.file_check_seconds, memory_mb=settings.file_check_memory_mb
            ),
            preload=FILE_CHECK_PRELOAD,
        ),
        preparers=ProcessPool(workers=settings.capture_workers, preload=CAPTURE_PRELOAD),
        reactions=_reactions(settings),
    )

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        do_upgrade(engine=engine)
        # Each admitted request runs in at most one worker thread at a time, so a request
        # holding the write lock always finds a thread to finish in.
        limiter = anyio.to_thread.current_default_thread_limiter()
        limiter.total_tokens = max(limiter.total_tokens, settings.max_concurrent_requests + 8)
        runtime.worker.start()
        preparer = MasterPreparer(engine=engine, store=prepared_store(settings.data_dir))
        warmup = _warmup(app, engine)
        app.state.warmup = warmup
        if served:
            warmup.start()
            runtime.sandbox.warm()
            runtime.preparers.warm()
            preparer.start()
        yield
        warmup.stop()
        preparer.stop()
        runtime.worker.stop()
        runtime.audit.stop()
        runtime.sandbox.close()
        runtime.preparers.close()
        engine.dispose()

    app = FastAPI(
        title="chainhub",
        version=__version__,
        summary="Industrial-chain collaboration hub / 产业链协同数据枢纽",
        lifespan=lifespan,
        docs_url=None,
        redoc_url=None,
        openapi_url="/openapi.json",
    )
    app.state.settings = settings
    app.state.engine = engine
    app.state.runtime = runtime
    app.state.audit_prefix = AuditPrefixKeeper(
        full_pass_every=timedelta(minutes=settings.audit_full_pass_minutes)
    )
    for router in _routers():
        # Every route may answer with the error body; the published schema says so. An API
        # operation refuses query parameters it does not declare (EPCIS reads its own, pages
        # keep links working).
        api = str(getattr(router, "prefix", "")).startswith("/api/")
        app.include_router(
            router,  # type: ignore[arg-type]
            responses=ERROR_RESPONSES,
            dependencies=[Depends(check_query_names)] if api else None,
        )
    app.mount("/static/plotly", StaticFiles(directory=PLOTLY_JS_DIR), name="plotly")
    app.mount("/static/swagger-ui", StaticFiles(directory=SWAGGER_UI_DIR), name="swagger-ui")
    app.mount("/static", StaticFiles(directory=STATIC_DIR), name="static")
    install_error_handlers(app)
    install_sign_in_redirect(app)
    install_openapi(app, components=_openapi_components)
    app.add_middleware(BodyLimit, max_bytes=settings.upload_max_bytes)
    app.add_middleware(
        Admission, limit=settings.max_concurrent_requests, timeout=settings.queue_timeout
    )

    @app.get("/docs", include_in_schema=False)
    def docs() -> HTMLResponse:
        """The API reference, served from the installed Swagger UI package (no CDN)."""
        return get_swagger_ui_html(
            openapi_url="/openapi.json",
            title="chainhub API",
            swagger_js_url="/static/swagger-ui/swagger-ui-bundle.js",
            swagger_css_url="/static/swagger-ui/swagger-ui.css",
            swagger_favicon_url="/static/swagger-ui/favicon-32x32.png",
        )

    return app
