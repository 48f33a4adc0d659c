"""A page's language (kept in a cookie once chosen) and its number and month formats."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Final

from fastapi import Depends, Request, Response

from chainhub.errors import Language, parse_language
from chainhub.web.i18n import MONTHS_EN

LANG_COOKIE: Final = "chainhub_lang"
LANG_MAX_AGE: Final = 365 * 24 * 3600


def get_page_language(request: Request) -> Language:
    """`?lang=` first, then the language chosen before (its cookie), then Accept-Language."""
    return parse_language(
        request.query_params.get("lang")
        or request.cookies.get(LANG_COOKIE)
        or request.headers.get("accept-language")
    )


PageLanguageDep = Annotated[Language, Depends(get_page_language)]


def keep_language(request: Request, response: Response, lang: Language) -> None:
    """Remember a language chosen with `?lang=` for the following pages."""
    if "lang" in request.query_params and request.cookies.get(LANG_COOKIE) != lang:
        response.set_cookie(
            LANG_COOKIE, lang, max_age=LANG_MAX_AGE, samesite="lax", path="/", httponly=True
        )


def format_number(value: float | None, digits: int = 1) -> str:
    """Thousands separators and a fixed number of decimals; a dash for no value.

    zh-CN and English both group by thousands with "," and mark decimals with ".".
    """
    if value is None:
        return "—"
    if isinstance(value, int):
        return f"{value:,}"
    return f"{value:,.{digits}f}"


def format_change(value: float | None, digits: int = 1) -> str:
    """A signed change, e.g. +1.5 or −0.3."""
    if value is None:
        return "—"
    sign = "+" if value > 0 else "−" if value < 0 else "±"
    return sign + format_number(abs(value), digits)


def format_month(month: date, lang: Language) -> str:
    """'Mar 2026' or '2026年3月'."""
    if lang == "zh":
        return f"{month.year}年{month.month}月"
    return f"{MONTHS_EN[month.month - 1]} {month.year}"
