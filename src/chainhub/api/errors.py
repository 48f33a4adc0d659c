"""Every error the API answers is JSON with a stable code, a message in the caller's language and
where the problem is."""

from __future__ import annotations

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from fastapi.routing import iter_route_contexts
from starlette.exceptions import HTTPException as StarletteHTTPException

from chainhub.api.language import get_request_language
from chainhub.api.limits import RETRY_AFTER
from chainhub.api.responses import get_error_body
from chainhub.errors import ChainhubError

_HTTP_CODES = {
    401: "not_authenticated",
    403: "forbidden",
    404: "not_found",
    405: "method_not_allowed",
}
_METHODS = ("DELETE", "GET", "HEAD", "PATCH", "POST", "PUT")


def install_error_handlers(app: FastAPI) -> None:
    """Every error is JSON with a stable code, a message in the caller's language, a location."""

    @app.exception_handler(ChainhubError)
    async def _domain_error(request: Request, exc: ChainhubError) -> JSONResponse:
        lang = get_request_language(request)
        headers = None
        if exc.status == 401:
            headers = {"WWW-Authenticate": "Bearer"}
        elif exc.status == 503:
            headers = {"Retry-After": str(RETRY_AFTER)}
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
        response = await _domain_error(request, error)
        response.headers.update(exc.headers or {})
        if exc.status_code == 405:
            response.headers["Allow"] = ", ".join(get_allowed_methods(app, request.url.path))
        return response


def get_allowed_methods(app: FastAPI, path: str) -> list[str]:
    """The methods the resource at `path` answers, for a 405's `Allow`.

    Starlette names only the first route whose path matches; a resource may have several (a
    list and a submission at one path). When templates overlap, the most concrete ones own the
    path, as in OpenAPI's path matching (`/documents/{type}/upload` over `/documents/{type}/{key}`).
    """
    # FastAPI's public flattening of included routers, each route with its prefixed path.
    routes = [route for route in iter_route_contexts(app.router.routes) if route.path]
    by_parameters: dict[int, set[str]] = {}
    for method in _METHODS:
        for route in routes:
            if method in (getattr(route, "methods", None) or ()) and route.path_regex.match(path):
                by_parameters.setdefault(len(route.param_convertors), set()).add(method)
                break  # the route Starlette would dispatch this method to
    return sorted(by_parameters[min(by_parameters)]) if by_parameters else []
