"""create_app(settings): the only place the web application is assembled."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

import plotly
import swagger_ui
from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.openapi.docs import get_swagger_ui_html
from fastapi.responses import HTMLResponse, JSONResponse
from fastapi.staticfiles import StaticFiles
from starlette.exceptions import HTTPException as StarletteHTTPException

from chainhub import __version__
from chainhub.errors import ChainhubError, parse_language
from chainhub.partners.notify import HubRuntime
from chainhub.responses import ERROR_RESPONSES, get_error_body
from chainhub.settings import Settings
from chainhub.storage.engine import create_engine_for
from chainhub.storage.migrate import do_upgrade

PLOTLY_JS_DIR = Path(plotly.__file__).parent / "package_data"
SWAGGER_UI_DIR = Path(swagger_ui.__file__).parent / "static"
STATIC_DIR = Path(__file__).parent / "web" / "static"
_HTTP_CODES = {
    401: "not_authenticated",
    403: "forbidden",
    404: "not_found",
    405: "method_not_allowed",
}


def _routers() -> list[object]:
    from chainhub.documents.views import router as documents_router
    from chainhub.intake.views import router as intake_router
    from chainhub.masterdata.views import router as masterdata_router
    from chainhub.partners.views import router as partners_router
    from chainhub.standard.views import router as standard_router
    from chainhub.web.views import router as web_router

    return [
        standard_router,
        documents_router,
        intake_router,
        partners_router,
        masterdata_router,
        web_router,
    ]


def _language(request: Request) -> str:
    return parse_language(
        request.query_params.get("lang") or request.headers.get("accept-language")
    )


def _add_error_handlers(app: FastAPI) -> None:
    """Every error is JSON with a stable code, a message in the caller's language, a location."""

    @app.exception_handler(ChainhubError)
    async def _domain_error(request: Request, exc: ChainhubError) -> JSONResponse:
        lang = parse_language(_language(request))
        headers = {"WWW-Authenticate": "Bearer"} if exc.status == 401 else None
        return JSONResponse(
            status_code=exc.status, content=get_error_body(exc, lang), headers=headers
        )

    @app.exception_handler(RequestValidationError)
    async def _invalid_request(request: Request, exc: RequestValidationError) -> JSONResponse:
        errors = exc.errors()
        first = errors[0] if errors else {"loc": (), "msg": "invalid request"}
        where = ".".join(str(part) for part in first["loc"])
        more = f" (+{len(errors) - 1} more)" if len(errors) > 1 else ""
        error = ChainhubError(
            "invalid_request",
            f"the request does not conform to the API: {where}: {first['msg']}{more}",
            f"请求不符合接口定义：{where}：{first['msg']}{more}",
            {"field": where} if where else {},
            422,
        )
        return await _domain_error(request, error)

    @app.exception_handler(StarletteHTTPException)
    async def _http_error(request: Request, exc: StarletteHTTPException) -> JSONResponse:
        code = _HTTP_CODES.get(exc.status_code, "http_error")
        error = ChainhubError(
            code, str(exc.detail), str(exc.detail), {"path": request.url.path}, exc.status_code
        )
        return await _domain_error(request, error)


def create_app(settings: Settings) -> FastAPI:
    """Build the hub: engine, migrations and webhook worker at start-up, routers, static files."""
    engine = create_engine_for(settings.database_url)
    runtime = HubRuntime(engine=engine)

    @asynccontextmanager
    async def lifespan(_: FastAPI) -> AsyncIterator[None]:
        do_upgrade(engine=engine)
        runtime.worker.start()
        yield
        runtime.worker.stop()
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
    for router in _routers():
        # Every route may answer with the error body; the published schema says so.
        app.include_router(router, responses=ERROR_RESPONSES)  # type: ignore[arg-type]
    app.mount("/static/plotly", StaticFiles(directory=PLOTLY_JS_DIR), name="plotly")
    app.mount("/static/swagger-ui", StaticFiles(directory=SWAGGER_UI_DIR), name="swagger-ui")
    app.mount("/static", StaticFiles(directory=STATIC_DIR), name="static")
    _add_error_handlers(app)

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
