"""create_app(settings): the only place the web application is assembled."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

import plotly
from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse
from fastapi.staticfiles import StaticFiles

from chainhub import __version__
from chainhub.errors import ChainhubError, parse_language
from chainhub.settings import Settings
from chainhub.storage.engine import create_engine_for
from chainhub.storage.migrate import do_upgrade

PLOTLY_JS_DIR = Path(plotly.__file__).parent / "package_data"
STATIC_DIR = Path(__file__).parent / "web" / "static"


def _routers() -> list[object]:
    from chainhub.standard.views import router as standard_router
    from chainhub.web.views import router as web_router

    return [standard_router, web_router]


def create_app(settings: Settings) -> FastAPI:
    """Build the hub: engine, migrations at start-up, routers, static files."""
    engine = create_engine_for(settings.database_url)

    @asynccontextmanager
    async def lifespan(_: FastAPI) -> AsyncIterator[None]:
        do_upgrade(engine=engine)
        yield
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
    for router in _routers():
        app.include_router(router)  # type: ignore[arg-type]
    app.mount("/static/plotly", StaticFiles(directory=PLOTLY_JS_DIR), name="plotly")
    app.mount("/static", StaticFiles(directory=STATIC_DIR), name="static")

    @app.exception_handler(ChainhubError)
    async def _domain_error(request: Request, exc: ChainhubError) -> JSONResponse:
        lang = parse_language(request.headers.get("accept-language"))
        return JSONResponse(
            status_code=exc.status,
            content={"error": {"code": exc.code, "message": exc.message(lang),
                               "location": exc.location}},
        )

    return app
