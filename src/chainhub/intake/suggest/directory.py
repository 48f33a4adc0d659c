"""What the hub knows of partners, sites and materials, for drafting value maps."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final

import polars as pl
from rapidfuzz import fuzz, process
from sqlalchemy import Connection

from chainhub.intake.service import get_crosswalk
from chainhub.intake.suggest.text import fold
from chainhub.storage.service import list_current_records

# Legal-form suffixes dropped when matching a partner's short name to its registered name.
COMPANY_SUFFIXES: Final = (
    "股份有限公司",
    "有限责任公司",
    "有限公司",
    "集团",
    "Co., Ltd.",
    "Co.,Ltd.",
    "Ltd.",
    "Inc.",
)


@dataclass(frozen=True)
class Directory:
    """What the hub knows of partners, sites and materials, for value maps."""

    partner_ids: frozenset[str]
    site_ids: frozenset[str]
    partner_names: dict[str, str]
    site_names: dict[str, str]
    materials: frozenset[str]
    partner_codes: frozenset[str]


def _short(name: str) -> str:
    for suffix in COMPANY_SUFFIXES:
        name = name.replace(suffix, "")
    return name


def _names(frame: pl.DataFrame, key: str) -> dict[str, str]:
    names: dict[str, str] = {}
    for row in frame.select(key, "name_zh", "name_en").iter_rows():
        for name in row[1:]:
            if name:
                names.setdefault(fold(name), row[0])
                names.setdefault(fold(_short(name)), row[0])
    return names


def get_directory(*, conn: Connection, partner_id: str | None) -> Directory:
    """The hub's current partners, sites, golden materials and the partner's own codes."""
    every = 10**9
    partners = list_current_records(conn=conn, document_type="partner", limit=every)
    sites = list_current_records(conn=conn, document_type="site", limit=every)
    materials = list_current_records(conn=conn, document_type="material", limit=every)
    crosswalk = get_crosswalk(conn=conn, partner_id=partner_id) if partner_id else {}
    return Directory(
        partner_ids=frozenset(partners.get_column("partner_id").to_list()),
        site_ids=frozenset(sites.get_column("site_id").to_list()),
        partner_names=_names(partners, "partner_id"),
        site_names=_names(sites, "site_id"),
        materials=frozenset(materials.get_column("material_code").to_list()),
        partner_codes=frozenset(crosswalk),
    )


def lookup(value: str, names: dict[str, str]) -> str | None:
    """The id a name (or a close misspelling of it) stands for."""
    key = fold(value)
    if key in names:
        return names[key]
    found = process.extractOne(key, list(names), scorer=fuzz.ratio, score_cutoff=88)
    return names[found[0]] if found else None
