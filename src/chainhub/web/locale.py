"""A page's language (kept in a cookie once chosen) and its number and month formats."""

from __future__ import annotations

from datetime import UTC, date, datetime
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


def format_datetime(value: datetime, lang: Language) -> str:
    """A moment in UTC, to the minute: '12 Mar 2026 08:30' or '2026年3月12日 08:30'."""
    value = value.astimezone(UTC)
    if lang == "zh":
        return f"{value.year}年{value.month}月{value.day}日 {value:%H:%M}"
    return f"{value.day} {MONTHS_EN[value.month - 1]} {value.year} {value:%H:%M}"


def format_day(value: str | None, lang: Language) -> str:
    """A document's date or time as written ('2026-03-05', an ISO timestamp) in the page's
    language; anything else as it is, a dash for none."""
    if not value:
        return "—"
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        return value
    if moment.tzinfo is not None:
        return format_datetime(moment, lang)
    if lang == "zh":
        day = f"{moment.year}年{moment.month}月{moment.day}日"
    else:
        day = f"{moment.day} {MONTHS_EN[moment.month - 1]} {moment.year}"
    # A time without an offset is shown as written.
    return f"{day} {moment:%H:%M}" if len(value) > len("2026-03-05") else day


def format_quantity(value: float | None) -> str:
    """A quantity with thousands separators and no needless decimals: 12,000 or 1,234.5."""
    if value is None:
        return "—"
    if float(value).is_integer():
        return f"{int(value):,}"
    return f"{value:,.3f}".rstrip("0")
