"""A page's signed-in caller: one dependency for every page, and one place that sends a caller
without a valid sign-in to the login form, remembering where it was going."""

from __future__ import annotations

from typing import Annotated
from urllib.parse import quote

from fastapi import Depends, FastAPI, Request
from fastapi.responses import RedirectResponse

from chainhub.access.schemas import Principal
from chainhub.api.deps import PagePrincipalDep


class SignInRequired(Exception):  # noqa: N818 - a redirect to sign in, not an error
    """A page was asked for without a valid sign-in."""

    def __init__(self, target: str) -> None:
        super().__init__(target)
        self.target = target


def _signed_in(request: Request, principal: PagePrincipalDep) -> Principal:
    if principal is None:
        # A form posted without a sign-in has no page to come back to: the overview then.
        if request.method != "GET":
            raise SignInRequired("/")
        query = request.url.query
        raise SignInRequired(request.url.path + (f"?{query}" if query else ""))
    return principal


SignedInDep = Annotated[Principal, Depends(_signed_in)]


def safe_next(target: str | None) -> str:
    """Where to go after signing in: a path of this hub only, never another site."""
    if not target or not target.startswith("/") or target.startswith("//") or "\\" in target:
        return "/"
    return target


def login_url(target: str) -> str:
    """The login form, with the page to come back to (none for the overview)."""
    target = safe_next(target)
    return "/login" if target == "/" else f"/login?next={quote(target, safe='/')}"


def install_sign_in_redirect(app: FastAPI) -> None:
    """Every page asked for without a sign-in answers with the login form's address."""

    @app.exception_handler(SignInRequired)
    async def _to_login(_: Request, exc: SignInRequired) -> RedirectResponse:
        return RedirectResponse(login_url(exc.target), status_code=303)
