"""The filter bar every page shares: a period, a partner, a material and a site, read from the
page's GET parameters so a filtered page can be shared by its address.

A filter the caller may not use is refused with a message on the page, never a 500: the
partner filter offers (and accepts) only the partners the caller may name, so a supplier cannot
filter its way to another supplier, whose id it never learns; the services then apply the
visibility rules before any filter.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from typing import Annotated, Final, TypedDict
from urllib.parse import urlencode

from fastapi import Depends, Request
from sqlalchemy import Connection

from chainhub.access.schemas import Principal
from chainhub.api.deps import ConnDep
from chainhub.errors import Language
from chainhub.kpi.service import get_supplier_aliases
from chainhub.partners.service import list_partners
from chainhub.web.i18n import TEXT
from chainhub.web.locale import PageLanguageDep
from chainhub.web.render import display_names
from chainhub.web.session import SignedInDep

# The GET parameters of the bar, in the order the bar shows them.
FIELDS: Final = ("from", "to", "partner", "material", "site")
_CODE: Final = re.compile(r"^[\w.\-/ ]{1,64}$")
_MONTH: Final = re.compile(r"^\d{4}-\d{2}$")


class Scope(TypedDict):
    """The period, material and site of the filter bar as the services' keyword arguments."""

    start: date | None
    end: date | None
    material: str | None
    site: str | None


@dataclass(frozen=True)
class PageFilters:
    """The filters a page was asked for, parsed; `raw` keeps them as typed, for the form."""

    start: date | None = None
    end: date | None = None
    partner: str | None = None
    material: str | None = None
    site: str | None = None
    raw: dict[str, str] = field(default_factory=dict)
    errors: list[str] = field(default_factory=list)
    # The partners the caller may filter by: (id, display name).
    partners: list[tuple[str, str]] = field(default_factory=list)

    def query(self, *, leave_out: tuple[str, ...] = ()) -> str:
        """The valid filters as a query string (no leading `?`), for links that keep them."""
        kept = {
            "from": self.start.isoformat() if self.start else None,
            "to": self.end.isoformat() if self.end else None,
            "partner": self.partner,
            "material": self.material,
            "site": self.site,
        }
        return urlencode({k: v for k, v in kept.items() if v and k not in leave_out})

    def scope(self) -> Scope:
        """The period, material and site for a service call (`**filters.scope()`); the partner
        stays an argument of its own, since a page may fix it (a scorecard's supplier)."""
        return Scope(start=self.start, end=self.end, material=self.material, site=self.site)

    def moments(self) -> tuple[datetime | None, datetime | None]:
        """The period as moments in UTC: from its first day's start to its last day's end
        (exclusive)."""
        since = datetime.combine(self.start, time(), tzinfo=UTC) if self.start else None
        until = (
            datetime.combine(self.end + timedelta(days=1), time(), tzinfo=UTC) if self.end else None
        )
        return since, until

    @property
    def active(self) -> bool:
        """Whether any filter narrows the page."""
        return any((self.start, self.end, self.partner, self.material, self.site))


def _day(text: str, *, end: bool) -> date:
    """`YYYY-MM-DD`, or `YYYY-MM` for the month's first day (last day, for a period's end)."""
    if _MONTH.match(text):
        first = date.fromisoformat(f"{text}-01")
        if not end:
            return first
        return (first + timedelta(days=32)).replace(day=1) - timedelta(days=1)
    return date.fromisoformat(text)


def get_filter_partners(
    *, conn: Connection, principal: Principal, lang: Language
) -> list[tuple[str, str]]:
    """The partners the caller may filter by, named for it: every partner for who sees the
    whole chain, else those it may name (never another supplier)."""
    aliases = get_supplier_aliases(conn=conn, principal=principal)
    partners = [p for p in list_partners(conn=conn) if p.partner_id not in aliases]
    names = display_names(partners, {}, lang)
    return sorted(names.items(), key=lambda item: item[1])


def parse_filters(
    params: dict[str, str], partners: list[tuple[str, str]], lang: Language
) -> PageFilters:
    """The filters of a page's parameters; each unusable one is left out with its message."""
    t = TEXT[lang]
    raw = {k: params.get(k, "").strip() for k in FIELDS if params.get(k, "").strip()}
    errors: list[str] = []
    found: dict[str, date | str | None] = {}
    for key in ("from", "to"):
        if key in raw:
            try:
                found[key] = _day(raw[key], end=key == "to")
            except ValueError:
                errors.append(t["fl_bad_date"].format(value=raw[key]))
    start, end = found.get("from"), found.get("to")
    assert start is None or isinstance(start, date)
    assert end is None or isinstance(end, date)
    if start is not None and end is not None and start > end:
        errors.append(t["fl_reversed"].format(start=raw["from"], end=raw["to"]))
        start = end = None
    partner = raw.get("partner")
    if partner is not None and partner not in dict(partners):
        errors.append(t["fl_bad_partner"].format(value=partner[:64]))
        partner = None
    codes: dict[str, str | None] = {}
    for key in ("material", "site"):
        value = raw.get(key)
        if value is not None and not _CODE.match(value):
            errors.append(t["fl_bad_code"].format(value=value[:64]))
            value = None
        codes[key] = value
    return PageFilters(
        start=start,
        end=end,
        partner=partner,
        material=codes["material"],
        site=codes["site"],
        raw=raw,
        errors=errors,
        partners=partners,
    )


def _filters(
    request: Request, conn: ConnDep, principal: SignedInDep, lang: PageLanguageDep
) -> PageFilters:
    partners = get_filter_partners(conn=conn, principal=principal, lang=lang)
    return parse_filters(dict(request.query_params), partners, lang)


FiltersDep = Annotated[PageFilters, Depends(_filters)]
